/*
 * fuzz/dkim_sig.c - DKIM-Signature parser over arbitrary bytes, strict and
 * legacy; when a parse succeeds, the b= deletion range must lie inside the
 * field and the relaxed header canonicalizer must accept the field.
 */
#include <stdint.h>
#include <stdlib.h>

#include "inkan/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    for (unsigned flags = 0; flags <= IK_DKIM_LEGACY; flags++) {
        ik_dkim_sig s;
        ik_str why;
        if (ik_dkim_sig_parse(a, ik_str_make((const char *)data, size), flags, &s, &why) == IK_OK) {
            if (s.b_start > s.b_end || s.b_end > s.field.len || s.nh == 0)
                abort();
            ik_buf b;
            ik_buf_init(&b, a, 0);
            (void)ik_dkim_canon_header(IK_DKIM_CANON_RELAXED, s.field, &b);
        }
    }
    ik_arena_free(a);
    return 0;
}
