/*
 * cli_msg.c - fuzz target for the CLI's streaming message reader
 * (src/cli/cli_msg.c): every message the inkan commands read goes through
 * it, so it sees whatever an operator feeds them.
 *
 * The first 4 input bytes seed the chunk sizes; the rest is read once in
 * those chunks and once in one piece.  Both runs must give the same
 * events (chunking must be invisible), and the events must satisfy the
 * reader's contract: header fields, then at most one end of headers, then
 * body bytes; every field but an unterminated last one ends in CRLF, its
 * inner line ends are followed by SP or HTAB, and no LF is bare.  Fields,
 * the blank line and the body put together give back the input with bare
 * LFs made CRLF, minus an mbox "From " envelope line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "cli_msg.h"

typedef struct events {
    char *p; /* fields, blank line and body, concatenated */
    size_t len, cap;
    size_t nfields, neoh;
    size_t eoh_at; /* length of p when eoh came */
    int body_before_eoh, header_after_eoh;
} events;

static void put(events *e, const char *p, size_t n)
{
    if (e->len + n > e->cap) {
        size_t cap = e->cap ? e->cap : 256;
        while (cap < e->len + n)
            cap *= 2;
        e->p = realloc(e->p, cap);
        check(e->p != NULL);
        e->cap = cap;
    }
    if (n)
        memcpy(e->p + e->len, p, n);
    e->len += n;
}

static ik_status on_header(void *ud, const char *f, size_t len)
{
    events *e = ud;
    check(len > 0);
    e->nfields++;
    if (e->neoh)
        e->header_after_eoh = 1;
    /* no bare LF; inner line ends continue with WSP */
    for (size_t i = 0; i < len; i++) {
        if (f[i] != '\n')
            continue;
        check(i > 0 && f[i - 1] == '\r');
        if (i + 1 < len)
            check(f[i + 1] == ' ' || f[i + 1] == '\t');
    }
    put(e, f, len);
    return IK_OK;
}

static ik_status on_eoh(void *ud)
{
    events *e = ud;
    e->neoh++;
    e->eoh_at = e->len;
    return IK_OK;
}

static ik_status on_body(void *ud, const char *p, size_t len)
{
    events *e = ud;
    if (e->neoh == 0)
        e->body_before_eoh = 1;
    put(e, p, len);
    return IK_OK;
}

static const cli_msg_sink sink = { on_header, on_eoh, on_body };

/* Reads data in chunks of the sizes seed gives (0 = one piece). */
static ik_status run(const char *data, size_t size, uint32_t seed, events *e, cli_msg *m)
{
    memset(e, 0, sizeof(*e));
    check(cli_msg_init(m, &sink, e) == IK_OK);
    ik_status st = IK_OK;
    size_t off = 0;
    while (off < size && st == IK_OK) {
        size_t n = size - off;
        if (seed != 0) {
            seed = seed * 1103515245u + 12345u;
            size_t want = 1 + (seed >> 16) % 97;
            if (want < n)
                n = want;
        }
        st = cli_msg_feed(m, data + off, n);
        off += n;
    }
    if (st == IK_OK)
        st = cli_msg_end(m);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t seed = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16
                    | (uint32_t)data[3] << 24;
    const char *msg = (const char *)data + 4;
    size_t len = size - 4;

    events a, b;
    cli_msg ma, mb;
    ik_status sa = run(msg, len, seed | 1, &a, &ma);
    ik_status sb = run(msg, len, 0, &b, &mb);
    check(sa == sb);
    if (sa == IK_OK) {
        check(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0));
        check(a.nfields == b.nfields && a.neoh == b.neoh && a.eoh_at == b.eoh_at);
        check(ma.lf_only == mb.lf_only && ma.envelope_raw == mb.envelope_raw);
        check(a.neoh == 1 && !a.body_before_eoh && !a.header_after_eoh);

        /* the model: the input with bare LFs made CRLF */
        char *norm = malloc(2 * len + 1);
        check(norm != NULL);
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
            if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
                norm[n++] = '\r';
            norm[n++] = msg[i];
        }
        /* minus the envelope line, if the reader took the first line as one */
        size_t skip = 0;
        if (ma.envelope_raw) {
            const char *lf = memchr(norm, '\n', n);
            check(lf != NULL && n >= 5 && memcmp(norm, "From ", 5) == 0);
            skip = (size_t)(lf - norm) + 1;
        }
        /* the blank line that ended the header is no event: either it is
         * there, between the fields and the body, or the input ended
         * inside the header */
        size_t rest = n - skip;
        if (a.len + 2 == rest) {
            check(memcmp(norm + skip, a.p, a.eoh_at) == 0);
            check(memcmp(norm + skip + a.eoh_at, "\r\n", 2) == 0);
            check(memcmp(norm + skip + a.eoh_at + 2, a.p + a.eoh_at, a.len - a.eoh_at) == 0);
        } else {
            check(a.len == rest && a.eoh_at == a.len);
            check(a.len == 0 || memcmp(norm + skip, a.p, a.len) == 0);
        }
        free(norm);
    } else {
        check(sa == IK_ELIMIT && ma.error != NULL && mb.error != NULL);
    }
    cli_msg_free(&ma);
    cli_msg_free(&mb);
    free(a.p);
    free(b.p);
    return 0;
}
