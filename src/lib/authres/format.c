/*
 * format.c - writing Authentication-Results (RFC 8601 2.2) and the
 * ARC-Authentication-Results payload (RFC 8617 4.1.1).
 *
 * The field is first laid out as a list of words (each a run that must not
 * be broken), each word marked with whether a result starts there.  Then
 * the words are placed greedily on lines of at most IK_AR_FOLD_WIDTH
 * columns (RFC 5322 2.1.1); a fold is CRLF SP, so it only ever replaces
 * one space, and unfolding (RFC 5322 2.2.3) restores the text byte for byte,
 * even inside a quoted-string or a comment.  A word longer than a line stays whole: breaking it
 * would change it.
 *
 * Quoting: a pvalue that is a token, or [local-part] "@" domain, is written
 * as is (RFC 8601 2.2); anything else becomes a quoted-string with '"' and
 * '\' escaped.  Comments escape '(', ')' and '\'.  CR, LF and other
 * controls in values or comments are replaced by a space, so no value can
 * end the field early or inject another one.
 * Ownership: output in the arena.  Threads: no state.
 */
#include <string.h>

#include "authres_int.h"
#include "inkan/buf.h"

/* RFC 8601 2.2 Keyword = ldh-str (RFC 5321): letters, digits, hyphens, not
 * ending in a hyphen. */
static int keyword_ok(ik_str k)
{
    if (k.len == 0 || k.p[k.len - 1] == '-' || k.p[0] == '-')
        return 0;
    for (size_t i = 0; i < k.len; i++) {
        unsigned char c = (unsigned char)k.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-'))
            return 0;
    }
    return 1;
}

static int is_token(ik_str v)
{
    if (v.len == 0)
        return 0;
    for (size_t i = 0; i < v.len; i++)
        if (!ik__ar_is_tchar((unsigned char)v.p[i]))
            return 0;
    return 1;
}

/* RFC 5322 dot-atom-text (atext runs separated by single dots). */
static int dot_atom(ik_str v)
{
    if (v.len == 0 || v.p[0] == '.' || v.p[v.len - 1] == '.')
        return 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c == '.') {
            if (v.p[i - 1] == '.')
                return 0;
            continue;
        }
        /* c != 0: strchr finds the terminating NUL of its set. */
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL))
            continue;
        return 0;
    }
    return 1;
}

/* pvalue without quotes: token, or [ [ local-part ] "@" ] domain-name. */
static int pvalue_bare(ik_str v)
{
    if (is_token(v))
        return 1;
    long at = -1;
    for (size_t i = 0; i < v.len; i++)
        if (v.p[i] == '@')
            at = (long)i;
    if (at < 0)
        return 0;
    ik_str local = ik_str_make(v.p, (size_t)at);
    ik_str dom = ik_str_make(v.p + at + 1, v.len - (size_t)at - 1);
    if (local.len && !dot_atom(local))
        return 0;
    for (size_t i = 0; i < dom.len; i++) {
        unsigned char c = (unsigned char)dom.p[i];
        if (!(c >= 0x80 || c == '.' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')))
            return 0;
    }
    return dot_atom(dom);
}

static char safe(char c)
{
    unsigned char u = (unsigned char)c;
    return (u < 0x20 || u == 0x7f) ? ' ' : c;
}

static void put_quoted(ik_buf *b, ik_str v)
{
    ik_buf_putc(b, '"');
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] == '"' || v.p[i] == '\\')
            ik_buf_putc(b, '\\');
        ik_buf_putc(b, safe(v.p[i]));
    }
    ik_buf_putc(b, '"');
}

static void put_value(ik_buf *b, ik_str v, int allow_at)
{
    if (allow_at ? pvalue_bare(v) : is_token(v))
        ik_buf_append_str(b, v);
    else
        put_quoted(b, v);
}

/* The unfolded text of the field is built in one buffer; word boundaries
 * are the spaces in it, result starts are recorded separately. */
typedef struct layout {
    ik_buf text;
    size_t *starts; /* offsets where a result begins */
    size_t nstarts;
} layout;

static void put_comment(ik_buf *b, ik_str c)
{
    ik_buf_putc(b, '(');
    for (size_t i = 0; i < c.len; i++) {
        char ch = safe(c.p[i]);
        if (ch == '(' || ch == ')' || ch == '\\')
            ik_buf_putc(b, '\\');
        ik_buf_putc(b, ch);
    }
    ik_buf_putc(b, ')');
}

static int is_break(const char *p, size_t i)
{
    /* A space is a fold point unless a quoted-pair made it literal. */
    return p[i] == ' ' && (i == 0 || p[i - 1] != '\\');
}

ik_status ik_ar_format(ik_arena *a, const ik_ar *ar, const char *field_name, ik_str *out)
{
    *out = IK_STR_NULL;
    if (ar->authserv_id.len == 0)
        return IK_EINVAL;
    /* Our authserv-id is configuration: controls in it are a mistake to
     * report, not to paper over (values get CTLs replaced by spaces). */
    for (size_t i = 0; i < ar->authserv_id.len; i++) {
        unsigned char c = (unsigned char)ar->authserv_id.p[i];
        if (c < 0x20 || c == 0x7f)
            return IK_EINVAL;
    }
    for (size_t i = 0; i < ar->nresults; i++) {
        const ik_ar_result *r = &ar->results[i];
        if (!keyword_ok(r->method) || !keyword_ok(r->result))
            return IK_EINVAL;
        for (size_t k = 0; k < r->nprops; k++)
            if (!keyword_ok(r->props[k].ptype) || !keyword_ok(r->props[k].property))
                return IK_EINVAL;
    }
    layout L;
    ik_buf_init(&L.text, a, 0);
    L.nstarts = 0;
    L.starts = ik_arena_alloc(a, (ar->nresults + 1) * sizeof(size_t));
    if (L.starts == NULL)
        return IK_ENOMEM;

    ik_buf *t = &L.text;
    if (ar->instance > 0)
        ik_buf_printf(t, "i=%u; ", ar->instance);
    put_value(t, ar->authserv_id, 0);
    if (ar->version > 0)
        ik_buf_printf(t, " %u", ar->version);
    if (ar->nresults == 0)
        ik_buf_append_c(t, "; none");
    for (size_t i = 0; i < ar->nresults; i++) {
        const ik_ar_result *r = &ar->results[i];
        ik_buf_append(t, "; ", 2);
        L.starts[L.nstarts++] = t->len;
        ik_buf_append_str(t, r->method);
        if (r->version > 0)
            ik_buf_printf(t, "/%u", r->version);
        ik_buf_putc(t, '=');
        ik_buf_append_str(t, r->result);
        if (r->reason.len) {
            ik_buf_append_c(t, " reason=");
            put_value(t, r->reason, 0);
        }
        if (r->comment.len) {
            ik_buf_putc(t, ' ');
            put_comment(t, r->comment);
        }
        for (size_t k = 0; k < r->nprops; k++) {
            const ik_ar_prop *p = &r->props[k];
            ik_buf_putc(t, ' ');
            ik_buf_append_str(t, p->ptype);
            ik_buf_putc(t, '.');
            ik_buf_append_str(t, p->property);
            ik_buf_putc(t, '=');
            put_value(t, p->value, 1);
        }
    }
    if (ik_buf_error(t) != IK_OK)
        return ik_buf_error(t);

    /* Fold. */
    size_t namelen = field_name ? strlen(field_name) : strlen("Authentication-Results");
    size_t col = namelen + 1; /* "Name:" */
    ik_buf o;
    ik_buf_init(&o, a, 0);
    if (field_name != NULL) {
        ik_buf_append_c(&o, field_name);
        ik_buf_putc(&o, ':');
    }
    int one_line = col + 1 + t->len <= IK_AR_FOLD_WIDTH;
    size_t next_start = 0;
    size_t i = 0;
    int first = 1;
    while (i < t->len) {
        size_t j = i;
        while (j < t->len && !is_break(t->p, j))
            j++;
        size_t wlen = j - i;
        int starts_result = next_start < L.nstarts && L.starts[next_start] == i;
        if (starts_result)
            next_start++;
        if (first && field_name == NULL) {
            /* Payload only: the caller writes "Name:" and a space. */
            col++;
        } else if (!one_line && !first && (starts_result || col + 1 + wlen > IK_AR_FOLD_WIDTH)) {
            /* CRLF SP stands for exactly the one space it replaces. */
            ik_buf_append(&o, "\r\n ", 3);
            col = 1;
        } else {
            ik_buf_putc(&o, ' ');
            col++;
        }
        ik_buf_append(&o, t->p + i, wlen);
        col += wlen;
        first = 0;
        i = j;
        if (i < t->len)
            i++; /* exactly one separating space; more stay in the next word */
    }
    if (ik_buf_error(&o) != IK_OK)
        return ik_buf_error(&o);
    *out = ik_buf_str(&o);
    return IK_OK;
}
