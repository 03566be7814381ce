/*
 * fuzz/dk_canon.c - the DomainKeys body canonicalizers (simple, nofws) with
 * random chunking.  The first byte seeds the chunk sizes; every chunking
 * must give the output of one update with the whole input, the output must
 * never end in an empty line nor be one alone, and for nofws hold
 * no SP, HTAB or lone CR/LF.  Header canonicalization runs over the same
 * bytes as a field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/domainkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ik_str run(ik_arena *a, ik_dk_canon c, const uint8_t *p, size_t n, uint32_t seed)
{
    ik_dk_body *b = ik_dk_body_new(a, c);
    ik_buf *out = ik_arena_alloc(a, sizeof(*out));
    ik_hash *h = ik_hash_new_arena(a, IK_HASH_SHA1);
    if (b == NULL || out == NULL || h == NULL)
        abort();
    ik_buf_init(out, a, 0);
    if (ik_dk_body_add_buf(b, out) != IK_OK || ik_dk_body_add_hash(b, h) != IK_OK)
        abort();
    size_t off = 0;
    while (off < n) {
        size_t take = seed ? (seed % 13) : n;
        seed = seed * 1103515245u + 12345u;
        if (take > n - off)
            take = n - off;
        if (ik_dk_body_update(b, p + off, take) != IK_OK)
            abort();
        off += take;
    }
    if (ik_dk_body_final(b) != IK_OK || ik_dk_body_length(b) != out->len)
        abort();
    return ik_buf_str(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint32_t seed = data[0] | 1u;
    data++;
    size--;
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    for (int c = 0; c < 2; c++) {
        ik_str whole = run(a, (ik_dk_canon)c, data, size, 0);
        ik_str split = run(a, (ik_dk_canon)c, data, size, seed);
        if (whole.len != split.len || memcmp(whole.p, split.p, whole.len) != 0)
            abort();
        /* Trailing empty lines are never written. */
        if (whole.len >= 4 && memcmp(whole.p + whole.len - 4, "\r\n\r\n", 4) == 0)
            abort();
        if (whole.len == 2)
            abort();
        if (c == IK_DK_CANON_NOFWS) {
            for (size_t i = 0; i < whole.len; i++) {
                char ch = whole.p[i];
                if (ch == ' ' || ch == '\t')
                    abort();
                if (ch == '\r' && (i + 1 >= whole.len || whole.p[i + 1] != '\n'))
                    abort();
                if (ch == '\n' && (i == 0 || whole.p[i - 1] != '\r'))
                    abort();
            }
        }
        ik_buf h;
        ik_buf_init(&h, a, 0);
        (void)ik_dk_canon_header((ik_dk_canon)c, ik_str_make((const char *)data, size), &h);
    }
    ik_arena_free(a);
    return 0;
}
