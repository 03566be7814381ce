/*
 * cli_msg.c - streaming message reader (see cli_msg.h).
 *
 * Two stages per chunk: line ends are normalized into a scratch copy (at
 * most twice the chunk), then the normalized bytes run through a small
 * state machine while in the header and go straight to the sink once the
 * body has begun.  Only the field being collected is ever kept.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_msg.h"

enum {
    ST_LINE_START,  /* at the start of a header line */
    ST_IN_LINE,     /* inside a header line */
    ST_CR_AT_START, /* a CR opened the line: end of header if LF follows */
    ST_BODY,
    ST_DONE
};

ik_status cli_msg_init(cli_msg *m, const cli_msg_sink *sink, void *ud)
{
    memset(m, 0, sizeof(*m));
    m->sink = sink;
    m->ud = ud;
    m->state = ST_LINE_START;
    ik_buf_init_al(&m->field, NULL, CLI_MSG_MAX_FIELD + 1);
    return IK_OK;
}

void cli_msg_free(cli_msg *m)
{
    ik_buf_release(&m->field);
    free(m->scratch);
    m->scratch = NULL;
    m->scratch_cap = 0;
}

/* Copies p to out, turning each LF not preceded by CR into CRLF. */
static size_t normalize(cli_msg *m, const char *p, size_t len, char *out)
{
    size_t o = 0, i = 0;
    while (i < len) {
        const char *lf = memchr(p + i, '\n', len - i);
        size_t seg = lf ? (size_t)(lf - (p + i)) : len - i;
        if (seg) {
            memcpy(out + o, p + i, seg);
            o += seg;
            m->prev_cr = p[i + seg - 1] == '\r';
            i += seg;
        }
        if (lf == NULL)
            break;
        if (!m->seen_eol) {
            m->seen_eol = 1;
            m->lf_only = !m->prev_cr;
        }
        if (!m->prev_cr)
            out[o++] = '\r';
        out[o++] = '\n';
        m->prev_cr = 0;
        i++;
    }
    return o;
}

static ik_status flush_field(cli_msg *m)
{
    if (m->field.len == 0)
        return IK_OK;
    ik_status st = m->sink->header(m->ud, m->field.p, m->field.len);
    ik_buf_reset(&m->field);
    return st;
}

/* An mbox envelope line: "From " then something that is not WSP before
 * any colon ("From : x" is an obsolete-syntax From field, RFC 5322 4.5.1). */
static int is_envelope(const char *p, size_t len)
{
    if (len < 5 || memcmp(p, "From ", 5) != 0)
        return 0;
    for (size_t i = 5; i < len && p[i] != ':'; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 1;
    return 0;
}

static ik_status line_end(cli_msg *m)
{
    m->state = ST_LINE_START;
    if (m->lines++ == 0 && is_envelope(m->field.p, m->field.len)) {
        m->envelope_raw = m->field.len - (m->lf_only ? 1 : 0);
        ik_buf_reset(&m->field);
    }
    return IK_OK;
}

static ik_status field_add(cli_msg *m, char c)
{
    ik_buf_putc(&m->field, c);
    if (++m->header_bytes > CLI_MSG_MAX_HEADER) {
        m->error = "header longer than 8388608 bytes";
        return IK_ELIMIT;
    }
    if (ik_buf_error(&m->field) == IK_ELIMIT) {
        m->error = "header field longer than 1048576 bytes";
        return IK_ELIMIT;
    }
    return ik_buf_error(&m->field);
}

/* Runs header bytes; *used tells how many were consumed (all unless the
 * header ended inside p). */
static ik_status header_bytes(cli_msg *m, const char *p, size_t len, size_t *used)
{
    ik_status st = IK_OK;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        switch (m->state) {
        case ST_LINE_START:
            if ((c == ' ' || c == '\t') && m->field.len > 0) {
                st = field_add(m, c);
                m->state = ST_IN_LINE;
                break;
            }
            st = flush_field(m);
            if (st != IK_OK)
                return st;
            if (c == '\r') {
                m->state = ST_CR_AT_START;
                break;
            }
            st = field_add(m, c);
            m->state = ST_IN_LINE;
            break;
        case ST_CR_AT_START:
            if (c == '\n') {
                m->state = ST_BODY;
                *used = i + 1;
                return m->sink->eoh(m->ud);
            }
            /* A bare CR that begins a line is data of that line. */
            st = field_add(m, '\r');
            if (st == IK_OK)
                st = field_add(m, c);
            m->state = ST_IN_LINE;
            break;
        default: /* ST_IN_LINE */
            st = field_add(m, c);
            if (st == IK_OK && c == '\n')
                st = line_end(m);
            break;
        }
        if (st != IK_OK)
            return st;
    }
    *used = len;
    return IK_OK;
}

ik_status cli_msg_feed(cli_msg *m, const char *p, size_t len)
{
    if (m->state == ST_DONE)
        return IK_ESTATE;
    if (len == 0)
        return IK_OK;
    if (len > (SIZE_MAX - 1) / 2)
        return IK_ELIMIT;
    if (m->scratch_cap < 2 * len) {
        char *n = realloc(m->scratch, 2 * len);
        if (n == NULL)
            return IK_ENOMEM;
        m->scratch = n;
        m->scratch_cap = 2 * len;
    }
    size_t n = normalize(m, p, len, m->scratch);
    size_t off = 0;
    if (m->state != ST_BODY) {
        ik_status st = header_bytes(m, m->scratch, n, &off);
        if (st != IK_OK)
            return st;
    }
    if (off < n && m->state == ST_BODY)
        return m->sink->body(m->ud, m->scratch + off, n - off);
    return IK_OK;
}

ik_status cli_msg_end(cli_msg *m)
{
    ik_status st = IK_OK;
    switch (m->state) {
    case ST_BODY: break;
    case ST_DONE: return IK_ESTATE;
    case ST_CR_AT_START:
        st = field_add(m, '\r');
        /* fall through */
    default:
        if (st == IK_OK)
            st = flush_field(m);
        if (st == IK_OK)
            st = m->sink->eoh(m->ud);
        break;
    }
    m->state = ST_DONE;
    return st;
}
