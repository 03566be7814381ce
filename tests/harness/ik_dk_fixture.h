/*
 * ik_dk_fixture.h - test-only helpers for DomainKeys: feed a message to the
 * verifier or signer in milter order (header fields, then the body in
 * chunks of a chosen size), answering DNS from any ik_resolver.  Builds on
 * ik_dkim_fixture.h (TXT table, CRLF reading).  Header-only, single-threaded
 * tests.
 */
#ifndef IK_DK_FIXTURE_H
#define IK_DK_FIXTURE_H

#include "ik_dkim_fixture.h"
#include "inkan/domainkeys.h"

/* Offset of the body (after the empty line), and calls fn per field. */
static inline size_t dkfx_split(const char *msg, size_t len,
                                ik_status (*fn)(void *ctx, const char *f, size_t n), void *ctx,
                                ik_status *st)
{
    size_t i = 0;
    *st = IK_OK;
    if (len >= 5 && memcmp(msg, "From ", 5) == 0) {
        while (i < len && msg[i] != '\n')
            i++;
        i++;
    }
    while (i < len) {
        if (i + 1 < len && msg[i] == '\r' && msg[i + 1] == '\n')
            return i + 2;
        size_t start = i;
        for (;;) {
            while (i < len && msg[i] != '\n')
                i++;
            if (i < len)
                i++;
            if (i >= len || (msg[i] != ' ' && msg[i] != '\t'))
                break;
        }
        *st = fn(ctx, msg + start, i - start);
        if (*st != IK_OK)
            return len;
    }
    return len;
}

static inline ik_status dkfx_vhdr(void *ctx, const char *f, size_t n)
{
    return ik_dk_verify_header(ctx, f, n);
}

static inline ik_status dkfx_shdr(void *ctx, const char *f, size_t n)
{
    return ik_dk_sign_header(ctx, f, n);
}

/* Verifies msg with v; body in chunks of chunk bytes (0: at once). */
static inline ik_status dkfx_verify(ik_dk_verifier *v, ik_arena *a, ik_resolver *r, const char *msg,
                                    size_t len, size_t chunk)
{
    ik_status st;
    size_t body = dkfx_split(msg, len, dkfx_vhdr, v, &st);
    if (st != IK_OK)
        return st;
    ik_dns_query *q = NULL;
    st = ik_dk_verify_eoh(v, &q);
    if (st == IK_EAGAIN)
        st = ik_resolver_answer_all(r, a, q);
    if (st != IK_OK)
        return st;
    size_t blen = len - body;
    if (chunk == 0)
        chunk = blen ? blen : 1;
    for (size_t off = 0; off < blen; off += chunk) {
        st = ik_dk_verify_body(v, msg + body + off, blen - off < chunk ? blen - off : chunk);
        if (st != IK_OK)
            return st;
    }
    for (;;) {
        st = ik_dk_verify_eom(v, &q);
        if (st != IK_EAGAIN)
            return st;
        st = ik_resolver_answer_all(r, a, q);
        if (st != IK_OK)
            return st;
    }
}

/* Signs msg; *field receives the signature field. */
static inline ik_status dkfx_sign(ik_dk_signer *s, const char *msg, size_t len, size_t chunk,
                                  ik_str *field)
{
    ik_status st;
    size_t body = dkfx_split(msg, len, dkfx_shdr, s, &st);
    if (st != IK_OK)
        return st;
    st = ik_dk_sign_eoh(s);
    if (st != IK_OK)
        return st;
    size_t blen = len - body;
    if (chunk == 0)
        chunk = blen ? blen : 1;
    for (size_t off = 0; off < blen; off += chunk) {
        st = ik_dk_sign_body(s, msg + body + off, blen - off < chunk ? blen - off : chunk);
        if (st != IK_OK)
            return st;
    }
    st = ik_dk_sign_eom(s);
    *field = ik_dk_sign_field(s);
    return st;
}

#endif
