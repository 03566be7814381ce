/*
 * spf_record.c - fuzz target for the SPF record parser (RFC 7208 4.6, 5, 6;
 * RFC 4406 3.3 version/scope prefix).  Parses the input as one record and
 * walks the result through the introspection API.
 */
#include <stdint.h>
#include <string.h>

#include "inkan/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_arena_set_limit(a, 1 << 22);
    ik_spf_record *r;
    ik_str problem;
    ik_str text = ik_str_make((const char *)data, size);
    if (ik_spf_record_parse(a, text, &r, &problem) == IK_OK) {
        volatile size_t sink = 0;
        for (size_t i = 0; i < ik_spf_record_nterms(r); i++) {
            const ik_spf_term_info *t = ik_spf_record_term(r, i);
            sink += t->text.len + t->domain_spec.len + t->cidr4 + t->cidr6;
            /* every view stays inside the input */
            if (t->text.p < text.p || t->text.p + t->text.len > text.p + text.len)
                __builtin_trap();
        }
        sink += ik_spf_record_redirect(r).len + ik_spf_record_exp(r).len;
        sink += ik_spf_record_dns_terms(r) + ik_spf_record_scopes(r);
        (void)sink;
    } else if (problem.p == NULL) {
        __builtin_trap(); /* a rejected record always says why */
    }
    ik_arena_free(a);
    return 0;
}
