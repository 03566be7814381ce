/*
 * header.c - fuzz target for the RFC 5322 header splitter.
 *
 * The first 4 input bytes seed the chunk sizes; the rest is fed to the
 * streaming splitter in those chunks and, in one piece, to the one-shot
 * helper.  Both must agree field for field (chunking must be invisible),
 * and every field must satisfy the documented invariants.  A small limit
 * run exercises IK_ELIMIT paths, and strict mode the IK_ESYNTAX ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "inkan/arena.h"
#include "inkan/header.h"

static void check_fields(const ik_hdr_field *f, size_t n, const char *data, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        check(f[i].offset + f[i].raw.len <= len);
        check(memcmp(f[i].raw.p, data + f[i].offset, f[i].raw.len) == 0);
        if (f[i].name.len > 0) {
            check(!(f[i].flags & (IK_HDR_F_NOCOLON | IK_HDR_F_BADNAME | IK_HDR_F_ORPHAN)));
            check(f[i].name.p == f[i].raw.p);
            check(f[i].value.p + f[i].value.len == f[i].raw.p + f[i].raw.len);
            check(memchr(f[i].name.p, ':', f[i].name.len) == NULL);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t seed = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16
                    | (uint32_t)data[3] << 24;
    const char *msg = (const char *)data + 4;
    size_t len = size - 4;

    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_hdr_field *ref;
    size_t nref, body;
    ik_status rst = ik_hdr_parse_block(a, msg, len, NULL, &ref, &nref, &body);
    check(rst == IK_OK || rst == IK_ELIMIT);
    check(body <= len);
    if (rst == IK_OK)
        check_fields(ref, nref, msg, len);

    ik_hdr_parser *p;
    if (ik_hdr_parser_new(a, NULL, &p) == IK_OK) {
        size_t off = 0;
        ik_status st = IK_OK;
        while (off < len && st == IK_OK && !ik_hdr_parser_done(p)) {
            seed = seed * 1103515245u + 12345u;
            size_t chunk = 1 + (seed >> 16) % 17;
            if (chunk > len - off)
                chunk = len - off;
            size_t used;
            st = ik_hdr_parser_feed(p, msg + off, chunk, &used);
            check(used <= chunk);
            off += used;
        }
        if (st == IK_OK)
            st = ik_hdr_parser_finish(p);
        check(st == rst);
        if (st == IK_OK) {
            size_t n;
            const ik_hdr_field *f = ik_hdr_parser_fields(p, &n);
            check(n == nref);
            check(ik_hdr_parser_offset(p) == body);
            for (size_t i = 0; i < n; i++) {
                check(f[i].raw.len == ref[i].raw.len);
                check(memcmp(f[i].raw.p, ref[i].raw.p, f[i].raw.len) == 0);
                check(f[i].flags == ref[i].flags);
                check(f[i].name.len == ref[i].name.len);
                ik_str u;
                check(ik_hdr_unfold(a, f[i].value, &u) == IK_OK);
                check(u.len <= f[i].value.len);
            }
        }
    }

    ik_hdr_opts small = { 40, 5, 0 };
    ik_hdr_field *f;
    size_t n;
    ik_status st = ik_hdr_parse_block(a, msg, len, &small, &f, &n, &body);
    check(st == IK_OK || st == IK_ELIMIT);
    check(n <= 5);
    for (size_t i = 0; i < n; i++)
        check(f[i].raw.len <= 40);

    ik_hdr_opts strict = { 0, 0, 1 };
    st = ik_hdr_parse_block(a, msg, len, &strict, &f, &n, &body);
    check(st == IK_OK || st == IK_ELIMIT || st == IK_ESYNTAX);
    for (size_t i = 0; i < n; i++)
        check(!(f[i].flags & IK_HDR_F_MALFORMED));
    ik_arena_free(a);
    return 0;
}
