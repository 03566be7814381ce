/*
 * fuzz/zone.c - the zone-file reader over arbitrary bytes, then lookups.
 *
 * $INCLUDE is disabled: fuzz input must not open files.  After a load
 * (successful or not: a failed load keeps the records before the bad line)
 * a few fixed names are asked for, plus names taken from the input itself,
 * so the lookup paths (CNAME chains, failure rules, empty non-terminals,
 * negative TTLs) run over whatever the reader accepted.
 */
#include <stdint.h>
#include <string.h>

#include "inkan/zone.h"

static const uint16_t types[] = { IK_DNS_T_A,     IK_DNS_T_TXT, IK_DNS_T_MX,
                                  IK_DNS_T_CNAME, IK_DNS_T_ANY, IK_DNS_T_AAAA };

static void ask(ik_zone *z, ik_arena *a, ik_str name)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        ik_dns_answer *ans;
        if (ik_zone_lookup(z, a, name, types[i], &ans) == IK_OK && ans->status == IK_DNS_OK) {
            /* touch what the answer claims to hold */
            volatile size_t sum = 0;
            for (size_t k = 0; k < ans->nrr; k++)
                sum += ans->rr[k].rdata.len + ans->canonical.len;
            (void)sum;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_zone *z = ik_zone_new(NULL);
    ik_arena *a = ik_arena_new(NULL);
    if (z == NULL || a == NULL)
        goto out;
    ik_zone_allow_include(z, 0);
    char err[256];
    (void)ik_zone_load_mem(z, "<fuzz>", (const char *)data, size, err, sizeof(err));
    static const char *const fixed[] = { "example",     "a.example", "www.example.com",
                                         "example.com", "x",         "a.b.c" };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        ask(z, a, ik_str_c(fixed[i]));
    /* the first word of each of the first lines, as written */
    size_t start = 0, lines = 0;
    for (size_t i = 0; i <= size && lines < 16; i++) {
        if (i == size || data[i] == '\n') {
            size_t e = start;
            while (e < i && data[e] != ' ' && data[e] != '\t')
                e++;
            if (e > start)
                ask(z, a, ik_str_make((const char *)data + start, e - start));
            start = i + 1;
            lines++;
        }
    }
    ik_resolver r;
    if (ik_zone_resolver(z, &r) == IK_OK) {
        ik_dns_query *q = ik_dns_query_new(a, IK_STR_LIT("a.example"), IK_DNS_T_TXT);
        if (q)
            (void)ik_resolver_answer_all(&r, a, q);
        ik_resolver_close(&r);
    }
out:
    ik_arena_free(a);
    ik_zone_free(z);
    return 0;
}
