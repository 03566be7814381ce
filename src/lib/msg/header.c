/*
 * header.c - RFC 5322 header section splitter (see inkan/header.h).
 *
 * RFC 5322 sections: 2.1 (lines, CRLF), 2.2 (header fields), 2.2.3
 * (folding and unfolding), 3.5 (the empty line before the body), 3.6.8
 * (field names are ftext), 4.1 (bare CR, bare LF and NUL in obsolete
 * unstructured text), 4.5 (WSP before the colon).
 *
 * How it works: a byte state machine over chunks.  The current field is
 * collected in a scratch buffer, folding line ends included, because a
 * field only ends when the first byte of the following line is known not to
 * be WSP.  The line end that turned out to end the field is dropped, the
 * field is copied to the arena at its exact size and appended to the field
 * array.  The scratch buffer is reused, so memory per field is its size.
 *
 * Ownership: all memory comes from the arena given to ik_hdr_parser_new().
 * Threads: one splitter per thread at a time; no global state.
 * Limits: field length and field count (header.h), checked before growing.
 */
#include <string.h>

#include "inkan/header.h"

typedef enum hdr_state {
    HDR_LINE_START = 0, /* at the first byte of a line */
    HDR_IN_LINE,        /* inside a line of the current field */
    HDR_BLANK_CR,       /* a line began with CR: empty line or bare CR? */
    HDR_DONE            /* the header section has ended */
} hdr_state;

struct ik_hdr_parser {
    ik_arena *a;
    size_t max_len;
    size_t max_fields;
    int strict;

    hdr_state st;
    /* The field being collected. */
    char *cur;
    size_t cur_len;
    size_t cur_cap;
    int have_cur;       /* bytes of a field are pending */
    size_t cur_offset;  /* stream offset of cur[0] */
    size_t line_start;  /* index in cur where the current line began */
    size_t eol;         /* length of the line end at the tail of cur */
    unsigned cur_flags; /* flags known before the flush (ORPHAN) */

    ik_hdr_field *fields;
    size_t nfields;
    size_t cap;
    size_t next; /* cursor of ik_hdr_parser_next() */

    size_t offset; /* bytes consumed */
    int empty_line;
    unsigned all_flags;
    ik_status err;
    ik_str reason;
};

/* ftext = %d33-57 / %d59-126 (RFC 5322 3.6.8). */
static int hdr_is_ftext(unsigned char c)
{
    return c >= 33 && c <= 126 && c != ':';
}

static int hdr_is_wsp(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static ik_status hdr_fail(ik_hdr_parser *p, ik_status st, const char *what)
{
    if (p->err == IK_OK) {
        p->err = st;
        const char *r = ik_arena_printf(p->a, "%s at offset %zu", what, p->cur_offset);
        p->reason = r ? ik_str_c(r) : IK_STR_LIT("out of memory");
    }
    return p->err;
}

ik_status ik_hdr_parser_new(ik_arena *a, const ik_hdr_opts *opts, ik_hdr_parser **out)
{
    if (a == NULL || out == NULL)
        return IK_EINVAL;
    *out = NULL;
    ik_hdr_parser *p = ik_arena_calloc(a, 1, sizeof(*p));
    if (p == NULL)
        return IK_ENOMEM;
    p->a = a;
    p->max_len = IK_HDR_MAX_FIELD_LEN;
    p->max_fields = IK_HDR_MAX_FIELDS;
    if (opts != NULL) {
        if (opts->max_field_len != 0)
            p->max_len = opts->max_field_len;
        if (opts->max_fields != 0)
            p->max_fields = opts->max_fields;
        p->strict = opts->strict != 0;
    }
    p->reason = IK_STR_LIT("");
    *out = p;
    return IK_OK;
}

/* Makes room for n more bytes in the scratch buffer. */
static ik_status hdr_reserve(ik_hdr_parser *p, size_t n)
{
    if (p->cur_cap - p->cur_len >= n)
        return IK_OK;
    size_t need = p->cur_len + n;
    size_t cap = p->cur_cap ? p->cur_cap : 256;
    while (cap < need)
        cap *= 2;
    /* Never more than the limit plus a CRLF: longer fields are refused. */
    if (cap > p->max_len + 2)
        cap = p->max_len + 2 > need ? p->max_len + 2 : need;
    char *nb = ik_arena_alloc(p->a, cap);
    if (nb == NULL)
        return hdr_fail(p, IK_ENOMEM, "out of memory");
    if (p->cur_len)
        memcpy(nb, p->cur, p->cur_len);
    p->cur = nb;
    p->cur_cap = cap;
    return IK_OK;
}

/*
 * Appends line bytes (no LF) to the current field.  The field's raw length
 * is the buffer length, except that a trailing CR may still turn out to be
 * half of the CRLF that ends the field, so it is not counted yet.
 */
static ik_status hdr_append(ik_hdr_parser *p, const char *s, size_t n)
{
    size_t after = p->cur_len + n;
    size_t counted = (n > 0 && s[n - 1] == '\r') ? after - 1 : after;
    if (counted > p->max_len)
        return hdr_fail(p, IK_ELIMIT, "header field longer than the limit");
    if (hdr_reserve(p, n) != IK_OK)
        return p->err;
    memcpy(p->cur + p->cur_len, s, n);
    p->cur_len += n;
    return IK_OK;
}

static ik_status hdr_start_field(ik_hdr_parser *p, unsigned flags)
{
    if (p->nfields >= p->max_fields)
        return hdr_fail(p, IK_ELIMIT, "more header fields than the limit");
    p->have_cur = 1;
    p->cur_len = 0;
    p->cur_offset = p->offset;
    p->line_start = 0;
    p->eol = 0;
    p->cur_flags = flags;
    return IK_OK;
}

/* Scans raw for the byte-level flags. */
static unsigned hdr_scan_flags(const char *r, size_t n)
{
    unsigned f = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)r[i];
        if (c == 0)
            f |= IK_HDR_F_NUL;
        else if (c >= 0x80)
            f |= IK_HDR_F_8BIT;
        else if (c == '\r' && (i + 1 >= n || r[i + 1] != '\n'))
            f |= IK_HDR_F_BARE_CR;
        else if (c == '\n' && (i == 0 || r[i - 1] != '\r'))
            f |= IK_HDR_F_BARE_LF;
    }
    return f;
}

static const char *hdr_malformed_text(unsigned f)
{
    if (f & IK_HDR_F_ORPHAN)
        return "continuation line without a header field";
    if (f & IK_HDR_F_NOCOLON)
        return "header line without a colon";
    if (f & IK_HDR_F_BADNAME)
        return "invalid header field name";
    if (f & IK_HDR_F_NUL)
        return "NUL byte in header field";
    return "header field cut off before its line end";
}

/* Ends the current field: drops its final line end and stores it. */
static ik_status hdr_flush(ik_hdr_parser *p, int truncated)
{
    if (!p->have_cur)
        return IK_OK;
    p->have_cur = 0;
    size_t rawlen = p->cur_len - p->eol;
    /* A trailing CR was not counted in case it began a CRLF; it did not. */
    if (rawlen > p->max_len)
        return hdr_fail(p, IK_ELIMIT, "header field longer than the limit");
    unsigned flags = p->cur_flags | hdr_scan_flags(p->cur, rawlen);
    if (p->eol == 1)
        flags |= IK_HDR_F_BARE_LF;
    if (truncated)
        flags |= IK_HDR_F_TRUNCATED;

    char *raw = ik_arena_alloc(p->a, rawlen ? rawlen : 1);
    if (raw == NULL)
        return hdr_fail(p, IK_ENOMEM, "out of memory");
    memcpy(raw, p->cur, rawlen);

    ik_hdr_field f;
    f.raw = ik_str_make(raw, rawlen);
    f.offset = p->cur_offset;
    f.name = ik_str_make(raw, 0);
    f.value = ik_str_make(raw + rawlen, 0);

    /* field-name *WSP ":" (RFC 5322 3.6.8, WSP from 4.5). */
    size_t j = 0;
    while (j < rawlen && hdr_is_ftext((unsigned char)raw[j]))
        j++;
    size_t name_end = j;
    while (j < rawlen && hdr_is_wsp((unsigned char)raw[j]))
        j++;
    if (j < rawlen && raw[j] == ':' && name_end > 0 && !(flags & IK_HDR_F_ORPHAN)) {
        if (j > name_end)
            flags |= IK_HDR_F_OBS_WSP;
        f.name = ik_str_make(raw, name_end);
        f.value = ik_str_make(raw + j + 1, rawlen - j - 1);
    } else if (memchr(raw, ':', rawlen) != NULL) {
        flags |= IK_HDR_F_BADNAME;
    } else {
        flags |= IK_HDR_F_NOCOLON;
    }
    f.flags = flags;
    p->all_flags |= flags;

    if (p->strict && (flags & IK_HDR_F_MALFORMED))
        return hdr_fail(p, IK_ESYNTAX, hdr_malformed_text(flags));

    if (p->nfields == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 32;
        if (ncap > p->max_fields)
            ncap = p->max_fields;
        ik_hdr_field *nf = ik_arena_alloc(p->a, ncap * sizeof(*nf));
        if (nf == NULL)
            return hdr_fail(p, IK_ENOMEM, "out of memory");
        if (p->nfields)
            memcpy(nf, p->fields, p->nfields * sizeof(*nf));
        p->fields = nf;
        p->cap = ncap;
    }
    p->fields[p->nfields++] = f;
    return IK_OK;
}

/* The header section ended with an empty line (RFC 5322 3.5). */
static ik_status hdr_end(ik_hdr_parser *p)
{
    ik_status st = hdr_flush(p, 0);
    p->st = HDR_DONE;
    p->empty_line = 1;
    return st;
}

/*
 * The first byte of a line that is neither empty nor a continuation:
 * the pending field is complete, and a new one starts.
 */
static ik_status hdr_new_line(ik_hdr_parser *p, unsigned char c)
{
    if (hdr_is_wsp(c) && p->have_cur) {
        /* Folded continuation (RFC 5322 2.2.3): the line end stays. */
        p->eol = 0;
        p->line_start = p->cur_len;
        return IK_OK;
    }
    if (hdr_flush(p, 0) != IK_OK)
        return p->err;
    return hdr_start_field(p, hdr_is_wsp(c) ? IK_HDR_F_ORPHAN : 0);
}

ik_status ik_hdr_parser_feed(ik_hdr_parser *p, const void *data, size_t len, size_t *used)
{
    if (used != NULL)
        *used = 0;
    if (p == NULL || (data == NULL && len > 0))
        return IK_EINVAL;
    if (p->err != IK_OK)
        return p->err;
    if (p->st == HDR_DONE)
        return IK_ESTATE;
    const char *d = data;
    size_t i = 0;
    while (i < len && p->st != HDR_DONE && p->err == IK_OK) {
        unsigned char c = (unsigned char)d[i];
        switch (p->st) {
        case HDR_LINE_START:
            if (c == '\n') {
                /* An empty line ended by a bare LF, accepted as CRLF. */
                i++;
                p->offset++;
                hdr_end(p);
                break;
            }
            if (c == '\r') {
                /* Empty line or a line starting with a bare CR: either way
                 * the pending field is complete. */
                if (hdr_flush(p, 0) != IK_OK)
                    break;
                i++;
                p->offset++;
                p->st = HDR_BLANK_CR;
                break;
            }
            if (hdr_new_line(p, c) != IK_OK)
                break;
            p->st = HDR_IN_LINE;
            break;
        case HDR_BLANK_CR:
            if (c == '\n') {
                i++;
                p->offset++;
                hdr_end(p);
                break;
            }
            /* A bare CR opens a line: it is data (RFC 5322 4.1). */
            p->offset--;
            if (hdr_new_line(p, '\r') != IK_OK)
                break;
            p->offset++;
            if (hdr_append(p, "\r", 1) != IK_OK)
                break;
            p->st = HDR_IN_LINE;
            break;
        case HDR_IN_LINE: {
            const char *nl = memchr(d + i, '\n', len - i);
            size_t run = nl ? (size_t)(nl - (d + i)) : len - i;
            if (run > 0) {
                if (hdr_append(p, d + i, run) != IK_OK)
                    break;
                i += run;
                p->offset += run;
            }
            if (nl != NULL) {
                if (hdr_reserve(p, 1) != IK_OK)
                    break;
                p->cur[p->cur_len++] = '\n';
                int crlf = p->cur_len >= 2 && p->cur_len - 2 >= p->line_start
                           && p->cur[p->cur_len - 2] == '\r';
                p->eol = crlf ? 2 : 1;
                i++;
                p->offset++;
                p->st = HDR_LINE_START;
            }
            break;
        }
        case HDR_DONE: break;
        }
    }
    if (used != NULL)
        *used = i;
    return p->err;
}

ik_status ik_hdr_parser_finish(ik_hdr_parser *p)
{
    if (p == NULL)
        return IK_EINVAL;
    if (p->err != IK_OK || p->st == HDR_DONE)
        return p->err;
    if (p->st == HDR_BLANK_CR) {
        /* A lone CR at the very end: a line cut off after one byte. */
        p->offset--;
        if (hdr_new_line(p, '\r') == IK_OK) {
            p->offset++;
            if (hdr_append(p, "\r", 1) == IK_OK)
                hdr_flush(p, 1);
        }
    } else {
        hdr_flush(p, p->st == HDR_IN_LINE);
    }
    p->st = HDR_DONE;
    return p->err;
}

ik_status ik_hdr_parser_next(ik_hdr_parser *p, const ik_hdr_field **f)
{
    if (p == NULL || f == NULL)
        return IK_EINVAL;
    if (p->next >= p->nfields) {
        *f = NULL;
        return IK_ENOTFOUND;
    }
    *f = &p->fields[p->next++];
    return IK_OK;
}

const ik_hdr_field *ik_hdr_parser_fields(const ik_hdr_parser *p, size_t *n)
{
    if (n != NULL)
        *n = p ? p->nfields : 0;
    return p ? p->fields : NULL;
}

int ik_hdr_parser_done(const ik_hdr_parser *p)
{
    return p != NULL && p->st == HDR_DONE;
}

int ik_hdr_parser_saw_empty_line(const ik_hdr_parser *p)
{
    return p != NULL && p->empty_line;
}

size_t ik_hdr_parser_offset(const ik_hdr_parser *p)
{
    return p ? p->offset : 0;
}

unsigned ik_hdr_parser_flags(const ik_hdr_parser *p)
{
    return p ? p->all_flags : 0;
}

ik_status ik_hdr_parser_status(const ik_hdr_parser *p, ik_str *reason)
{
    if (p == NULL)
        return IK_EINVAL;
    if (reason != NULL)
        *reason = p->reason;
    return p->err;
}

ik_status ik_hdr_parse_block(ik_arena *a, const void *data, size_t len, const ik_hdr_opts *opts,
                             ik_hdr_field **fields, size_t *nfields, size_t *body_offset)
{
    if (fields == NULL || nfields == NULL || (data == NULL && len > 0))
        return IK_EINVAL;
    *fields = NULL;
    *nfields = 0;
    if (body_offset != NULL)
        *body_offset = len;
    ik_hdr_parser *p;
    ik_status st = ik_hdr_parser_new(a, opts, &p);
    if (st != IK_OK)
        return st;
    size_t used = 0;
    st = ik_hdr_parser_feed(p, data, len, &used);
    if (st == IK_OK)
        st = ik_hdr_parser_finish(p);
    *fields = p->fields;
    *nfields = p->nfields;
    if (body_offset != NULL)
        *body_offset = p->empty_line ? used : len;
    return st;
}

ik_status ik_hdr_unfold(ik_arena *a, ik_str value, ik_str *out)
{
    if (out == NULL)
        return IK_EINVAL;
    *out = value;
    if (value.len == 0 || memchr(value.p, '\n', value.len) == NULL)
        return IK_OK;
    char *r = ik_arena_alloc(a, value.len);
    if (r == NULL)
        return IK_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < value.len; i++) {
        char c = value.p[i];
        if (c == '\n' && i + 1 < value.len && hdr_is_wsp((unsigned char)value.p[i + 1])) {
            /* Drop the LF and the CR before it, if any, of this fold. */
            if (n > 0 && r[n - 1] == '\r' && i > 0 && value.p[i - 1] == '\r')
                n--;
            continue;
        }
        r[n++] = c;
    }
    *out = ik_str_make(r, n);
    return IK_OK;
}

size_t ik_hdr_find(const ik_hdr_field *fields, size_t n, size_t from, ik_str name)
{
    for (size_t i = from; i < n; i++)
        if (fields[i].name.len > 0 && ik_str_caseeq(fields[i].name, name))
            return i;
    return n;
}

size_t ik_hdr_find_c(const ik_hdr_field *fields, size_t n, size_t from, const char *name)
{
    return ik_hdr_find(fields, n, from, ik_str_c(name));
}

size_t ik_hdr_count(const ik_hdr_field *fields, size_t n, ik_str name)
{
    size_t c = 0;
    for (size_t i = ik_hdr_find(fields, n, 0, name); i < n; i = ik_hdr_find(fields, n, i + 1, name))
        c++;
    return c;
}

int ik_hdr_value_nonempty(ik_str value)
{
    for (size_t i = 0; i < value.len; i++) {
        char c = value.p[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return 1;
    }
    return 0;
}
