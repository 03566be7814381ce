/*
 * fuzz/dkim_canon.c - body canonicalizers with random chunking.  The first
 * byte seeds the chunk sizes; the output of every chunking must equal the
 * output of one update with the whole input, for simple and relaxed, and
 * an l= limited tap must hold a prefix of it.  Header canonicalization runs
 * over the same bytes as a field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ik_str run(ik_arena *a, ik_dkim_canon c, const uint8_t *p, size_t n, uint32_t seed,
                  ik_str *limited)
{
    ik_dkim_body *b = ik_dkim_body_new(a, c);
    ik_buf *all = ik_arena_alloc(a, sizeof(*all)), *lim = ik_arena_alloc(a, sizeof(*lim));
    if (b == NULL || all == NULL || lim == NULL)
        abort();
    ik_buf_init(all, a, 0);
    ik_buf_init(lim, a, 0);
    size_t t;
    if (ik_dkim_body_add_buf(b, all, IK_DKIM_NO_LIMIT, &t) != IK_OK
        || ik_dkim_body_add_buf(b, lim, 17, &t) != IK_OK)
        abort();
    size_t off = 0;
    while (off < n) {
        size_t take = seed ? (seed % 13) : n;
        seed = seed * 1103515245u + 12345u;
        if (take > n - off)
            take = n - off;
        if (ik_dkim_body_update(b, p + off, take) != IK_OK)
            abort();
        off += take;
    }
    if (ik_dkim_body_final(b) != IK_OK || ik_dkim_body_length(b) != all->len)
        abort();
    *limited = ik_buf_str(lim);
    return ik_buf_str(all);
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
        ik_str l1, l2;
        ik_str whole = run(a, (ik_dkim_canon)c, data, size, 0, &l1);
        ik_str split = run(a, (ik_dkim_canon)c, data, size, seed, &l2);
        if (whole.len != split.len || memcmp(whole.p, split.p, whole.len) != 0)
            abort();
        if (l2.len != (whole.len < 17 ? whole.len : 17) || memcmp(l2.p, whole.p, l2.len) != 0)
            abort();
        /* Canonical bodies end in CRLF, or are empty (relaxed only). */
        if (whole.len < 2 ? !(c == 1 && whole.len == 0)
                          : memcmp(whole.p + whole.len - 2, "\r\n", 2) != 0)
            abort();
        ik_buf h;
        ik_buf_init(&h, a, 0);
        (void)ik_dkim_canon_header((ik_dkim_canon)c, ik_str_make((const char *)data, size), &h);
    }
    ik_arena_free(a);
    return 0;
}
