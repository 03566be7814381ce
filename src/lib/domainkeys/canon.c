/*
 * canon.c - DomainKeys canonicalization (RFC 4870 3.4.2.1 simple, 3.4.2.2
 * nofws): header fields one at a time, the body as a stream.
 *
 * The body canonicalizer is a byte state machine that never looks back
 * more than one CR, so input may be split anywhere: a CR at the end of a
 * chunk waits for the next byte to know whether it ends a line.  Empty
 * lines are counted, not stored, and written out only when content follows
 * them ("trailing empty lines are ignored"), so memory stays constant.
 * Output is gathered in a small stack buffer and handed to the taps in
 * runs, not byte by byte.
 *
 * Ownership: the canonicalizer lives in the caller's arena; hash and
 * buffer taps are borrowed.  Threads: one thread at a time.
 * Limits: IK_DK_BODY_MAX_TAPS taps.
 */
#include <string.h>

#include "dk_int.h"

const char *ik_dk_canon_name(ik_dk_canon c)
{
    return c == IK_DK_CANON_NOFWS ? "nofws" : "simple";
}

ik_status ik_dk_canon_header(ik_dk_canon c, ik_str field, ik_buf *out)
{
    field = ik__dkim_strip_eol(field);
    if (c == IK_DK_CANON_SIMPLE) {
        ik_buf_append(out, field.p, field.len);
    } else {
        /* RFC 4870 3.4.2.2: every folding whitespace character goes, which
         * also unwraps continuation lines. */
        size_t start = 0;
        for (size_t i = 0; i <= field.len; i++) {
            if (i < field.len) {
                char ch = field.p[i];
                if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
                    continue;
            }
            if (i > start)
                ik_buf_append(out, field.p + start, i - start);
            start = i + 1;
        }
    }
    ik_buf_append(out, "\r\n", 2);
    return ik_buf_error(out);
}

struct ik_dk_body {
    ik_dk_canon canon;
    int final;
    int started;
    int cr_pending;   /* a CR ended the previous chunk */
    int line_content; /* the current line has had output */
    uint64_t empty;   /* empty lines held back */
    uint64_t length;
    ik_hash *hashes[IK_DK_BODY_MAX_TAPS];
    ik_buf *bufs[IK_DK_BODY_MAX_TAPS];
    size_t nhashes, nbufs;
    ik_status err;
};

ik_dk_body *ik_dk_body_new(ik_arena *a, ik_dk_canon c)
{
    ik_dk_body *b = ik_arena_calloc(a, 1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->canon = c;
    /* The header/body separator is a line of the message (3.4.2.1) and
     * an empty one: held back like any other. */
    b->empty = 1;
    return b;
}

ik_status ik_dk_body_add_hash(ik_dk_body *b, ik_hash *h)
{
    if (b->started)
        return IK_ESTATE;
    if (b->nhashes + b->nbufs == IK_DK_BODY_MAX_TAPS)
        return IK_ELIMIT;
    b->hashes[b->nhashes++] = h;
    return IK_OK;
}

ik_status ik_dk_body_add_buf(ik_dk_body *b, ik_buf *out)
{
    if (b->started)
        return IK_ESTATE;
    if (b->nhashes + b->nbufs == IK_DK_BODY_MAX_TAPS)
        return IK_ELIMIT;
    b->bufs[b->nbufs++] = out;
    return IK_OK;
}

typedef struct outq {
    ik_dk_body *b;
    size_t n;
    char buf[4096];
} outq;

static void flush(outq *q)
{
    ik_dk_body *b = q->b;
    if (q->n == 0)
        return;
    for (size_t i = 0; i < b->nhashes; i++) {
        ik_status st = ik_hash_update(b->hashes[i], q->buf, q->n);
        if (st != IK_OK && b->err == IK_OK)
            b->err = st;
    }
    for (size_t i = 0; i < b->nbufs; i++) {
        ik_buf_append(b->bufs[i], q->buf, q->n);
        if (ik_buf_error(b->bufs[i]) != IK_OK && b->err == IK_OK)
            b->err = ik_buf_error(b->bufs[i]);
    }
    b->length += q->n;
    q->n = 0;
}

static void put(outq *q, char c)
{
    if (q->n == sizeof(q->buf))
        flush(q);
    q->buf[q->n++] = c;
}

/* A content byte: first release the empty lines it proves non-trailing. */
static void content(outq *q, char c)
{
    ik_dk_body *b = q->b;
    if (!b->line_content) {
        for (; b->empty > 0; b->empty--) {
            put(q, '\r');
            put(q, '\n');
        }
        b->line_content = 1;
    }
    put(q, c);
}

static void end_line(outq *q)
{
    ik_dk_body *b = q->b;
    if (b->line_content) {
        put(q, '\r');
        put(q, '\n');
        b->line_content = 0;
    } else {
        b->empty++;
    }
}

ik_status ik_dk_body_update(ik_dk_body *b, const void *p, size_t len)
{
    if (b->final)
        return IK_ESTATE;
    b->started = 1;
    outq q;
    q.b = b;
    q.n = 0;
    const unsigned char *s = p;
    int nofws = b->canon == IK_DK_CANON_NOFWS;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (b->cr_pending) {
            b->cr_pending = 0;
            if (c == '\n') {
                end_line(&q);
                continue;
            }
            /* A lone CR: content for simple, deleted by nofws (Mail::DKIM
             * deletes CR and LF that are not part of a CRLF). */
            if (!nofws)
                content(&q, '\r');
        }
        if (c == '\r') {
            b->cr_pending = 1;
        } else if (nofws && (c == ' ' || c == '\t' || c == '\n')) {
            /* RFC 4870 3.4.2.2: folding whitespace characters go. */
        } else {
            content(&q, (char)c);
        }
    }
    flush(&q);
    return b->err;
}

ik_status ik_dk_body_final(ik_dk_body *b)
{
    if (b->final)
        return IK_ESTATE;
    b->started = 1;
    outq q;
    q.b = b;
    q.n = 0;
    if (b->cr_pending) {
        b->cr_pending = 0;
        if (b->canon == IK_DK_CANON_SIMPLE)
            content(&q, '\r');
    }
    /* A last line without a line end is left without one: Mail::DKIM
     * (SpamAssassin's and amavis's verifier, and the corpus's reference)
     * adds nothing, and RFC 4870 only speaks of lines that had a
     * terminator.  SMTP always delivers a final CRLF, so this matters only
     * for files, where agreeing with the deployed verifier is what counts. */
    b->final = 1;
    flush(&q);
    return b->err;
}

uint64_t ik_dk_body_length(const ik_dk_body *b)
{
    return b->length;
}
