/*
 * cli_spfout.h - SPF evaluation details shared by inkan spf and senderid.
 */
#ifndef INKAN_CLI_SPFOUT_H
#define INKAN_CLI_SPFOUT_H

#include "inkan/buf.h"
#include "inkan/spf.h"

/* mechanism/explanation/problem lines (when present) and lookup counts. */
void cli_spf_details_plain(const ik_spf_outcome *o, ik_str problem);
/* "domain", "mechanism", "explanation", "problem", "record",
 * "dns_lookups", "void_lookups". */
void cli_spf_details_json(ik_buf *b, int *first, const ik_spf_outcome *o, ik_str problem);

#endif
