/*
 * inkan/inkan.h - the whole public API of libinkan.
 *
 * Each module has its own header; this one includes them all for programs
 * that want everything.  Threads and ownership rules are in each header.
 */
#ifndef INKAN_INKAN_H
#define INKAN_INKAN_H

#include "address.h"
#include "adsp.h"
#include "arc.h"
#include "arena.h"
#include "authres.h"
#include "base64.h"
#include "buf.h"
#include "common.h"
#include "crypto.h"
#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "domainkeys.h"
#include "header.h"
#include "ip.h"
#include "iprev.h"
#include "resolver_unbound.h"
#include "senderid.h"
#include "spf.h"
#include "tagvalue.h"
#include "verify.h"
#include "zone.h"

#endif
