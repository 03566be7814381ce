/*
 * cli_spfout.c - the SPF evaluation details that "inkan spf" and
 * "inkan senderid" both print, in text and JSON, so the two agree.
 */
#include <stdio.h>

#include "cli_common.h"
#include "cli_spfout.h"

void cli_spf_details_plain(const ik_spf_outcome *o, ik_str problem)
{
    if (o->mechanism.len)
        printf("mechanism: %.*s\n", (int)o->mechanism.len, o->mechanism.p);
    if (o->explanation.len)
        printf("explanation: %.*s\n", (int)o->explanation.len, o->explanation.p);
    if (problem.len)
        printf("problem: %.*s\n", (int)problem.len, problem.p);
    printf("dns-lookups: %u\nvoid-lookups: %u\n", o->dns_lookups, o->void_lookups);
}

void cli_spf_details_json(ik_buf *b, int *first, const ik_spf_outcome *o, ik_str problem)
{
    cli_json_kv(b, first, "domain", o->domain);
    cli_json_kv(b, first, "mechanism", o->mechanism);
    cli_json_kv(b, first, "explanation", o->explanation);
    cli_json_kv(b, first, "problem", problem);
    cli_json_kv(b, first, "record", o->record);
    cli_json_kv_u(b, first, "dns_lookups", o->dns_lookups);
    cli_json_kv_u(b, first, "void_lookups", o->void_lookups);
}
