/*
 * fuzz/authres.c - the Authentication-Results parser (both as A-R and as
 * AAR), the forged-field finder and the AAR merge over arbitrary bytes,
 * and a round trip: whatever parses and formats must parse again to the
 * same number of results (the writer never emits what the reader cannot
 * read).  The input is also split as a header block, so find_ours sees
 * folded, malformed and many fields.
 */
#include <stdint.h>
#include <stdlib.h>

#include "inkan/authres.h"
#include "inkan/header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_str in = ik_str_make((const char *)data, size);
    for (unsigned flags = 0; flags < 2; flags++) {
        ik_ar ar;
        if (ik_ar_parse(a, in, flags, &ar, NULL) != IK_OK)
            continue;
        (void)ik_ar_find(&ar, "dkim", 0);
        for (size_t i = 0; i < ar.nresults; i++)
            (void)ik_ar_prop_get(&ar.results[i], "header", "d");
        ik_str out;
        if (ik_ar_format(a, &ar, flags ? NULL : "Authentication-Results", &out) != IK_OK)
            continue;
        ik_str unf;
        if (ik_hdr_unfold(a, out, &unf) != IK_OK)
            continue;
        if (!flags) {
            size_t skip = sizeof("Authentication-Results:") - 1;
            unf = ik_str_make(unf.p + skip, unf.len - skip);
        }
        ik_ar back;
        if (ik_ar_parse(a, unf, flags, &back, NULL) != IK_OK || back.nresults != ar.nresults
            || !ik_str_eq(back.authserv_id, ar.authserv_id))
            abort(); /* the writer produced something the reader rejects */
    }
    (void)ik_ar_is_ours(in, IK_STR_LIT("mx.example.org"));
    ik_str payload;
    (void)ik_ar_merge(a, &in, 1, IK_STR_LIT("mx.example.org"), &payload);
    ik_hdr_field *f;
    size_t n, body;
    if (ik_hdr_parse_block(a, data, size, NULL, &f, &n, &body) == IK_OK) {
        size_t *idx, nidx;
        (void)ik_ar_find_ours(a, f, n, IK_STR_LIT("mx.example.org"), &idx, &nidx);
    }
    ik_arena_free(a);
    return 0;
}
