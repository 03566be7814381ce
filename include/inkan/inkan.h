/*
 * inkan/inkan.h - the whole public API of libinkan.
 *
 * Each module has its own header; this one includes them all for programs
 * that want everything.  Threads and ownership rules are in each header.
 */
#ifndef INKAN_INKAN_H
#define INKAN_INKAN_H

#include "common.h"
#include "arena.h"
#include "buf.h"
#include "ip.h"
#include "tagvalue.h"
#include "base64.h"
#include "header.h"
#include "address.h"
#include "dns.h"
#include "zone.h"
#include "resolver_unbound.h"
#include "crypto.h"
#include "spf.h"
#include "senderid.h"
#include "dkim.h"
#include "domainkeys.h"
#include "adsp.h"
#include "dmarc.h"
#include "authres.h"
#include "iprev.h"
#include "arc.h"
#include "verify.h"

#endif
