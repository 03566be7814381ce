/*
 * parse.c - reading Authentication-Results (RFC 8601 2.2) and
 * ARC-Authentication-Results (RFC 8617 4.1.1) values; finding the fields
 * that carry our authserv-id (RFC 8601 5); merging our results into one
 * AAR payload.
 *
 *   authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
 *                     ( no-result / 1*resinfo ) [CFWS] CRLF
 *   resinfo    = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
 *   methodspec = [CFWS] method [CFWS] "=" [CFWS] result
 *   propspec   = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *
 * Leniency and strictness are described in inkan/authres.h.  Every loop
 * advances the cursor by at least one byte or ends, so hostile input costs
 * linear time.
 * Ownership: views into the value, arena copies for unescaped strings.
 * Threads: no state.  Limits: IK_AR_MAX_* in inkan/authres.h.
 */
#include <string.h>

#include "authres_int.h"
#include "inkan/buf.h"

/* ---- lexical helpers ------------------------------------------------------ */

int ik__ar_is_tchar(unsigned char c)
{
    if (c >= 0x80)
        return 1;
    if (c <= 0x20 || c == 0x7f)
        return 0;
    return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

int ik__ar_is_kchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
           || c == '_';
}

static int at_end(const ik__ar_cur *c)
{
    return c->pos >= c->len;
}

static unsigned char peek(const ik__ar_cur *c)
{
    return c->pos < c->len ? (unsigned char)c->p[c->pos] : 0;
}

void ik__ar_skip_cfws(ik__ar_cur *c, ik_str *comment)
{
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->p[c->pos];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            c->pos++;
            continue;
        }
        if (ch != '(')
            return;
        /* RFC 5322 3.2.2: comments nest; a quoted-pair escapes one byte. */
        size_t start = c->pos + 1;
        int depth = 0;
        while (c->pos < c->len) {
            ch = (unsigned char)c->p[c->pos++];
            if (ch == '\\') {
                if (c->pos < c->len)
                    c->pos++;
            } else if (ch == '(') {
                if (++depth > IK_AR_MAX_COMMENT_DEPTH) {
                    c->pos = c->len;
                    return;
                }
            } else if (ch == ')') {
                if (--depth == 0)
                    break;
            }
        }
        if (depth != 0)
            return; /* unterminated: the rest was comment */
        if (comment != NULL && comment->len == 0)
            *comment = ik_str_trim(ik_str_make(c->p + start, c->pos - 1 - start));
    }
}

int ik__ar_quoted_raw(ik__ar_cur *c, ik_str *raw)
{
    size_t i = c->pos + 1;
    while (i < c->len) {
        unsigned char ch = (unsigned char)c->p[i];
        if (ch == '\\') {
            i += 2;
            continue;
        }
        if (ch == '"') {
            *raw = ik_str_make(c->p + c->pos + 1, i - c->pos - 1);
            c->pos = i + 1;
            return 1;
        }
        i++;
    }
    return 0;
}

int ik__ar_read_id(ik__ar_cur *c, ik_str *id, int *quoted)
{
    *quoted = 0;
    if (peek(c) == '"') {
        if (!ik__ar_quoted_raw(c, id))
            return 0;
        *quoted = 1;
        return 1;
    }
    size_t s = c->pos;
    while (c->pos < c->len && ik__ar_is_tchar((unsigned char)c->p[c->pos]))
        c->pos++;
    *id = ik_str_make(c->p + s, c->pos - s);
    return id->len > 0;
}

static unsigned char lower(unsigned char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch;
}

int ik__ar_id_eq(ik_str id, int quoted, ik_str want)
{
    if (!quoted)
        return ik_str_caseeq(id, want);
    /* Compare the content of a quoted-string: quoted-pairs stand for the
     * byte they escape, folding line ends are invisible (RFC 5322 3.2.4). */
    size_t j = 0;
    for (size_t i = 0; i < id.len; i++) {
        unsigned char ch = (unsigned char)id.p[i];
        if (ch == '\r' || ch == '\n')
            continue;
        if (ch == '\\' && i + 1 < id.len)
            ch = (unsigned char)id.p[++i];
        if (j >= want.len || lower(ch) != lower((unsigned char)want.p[j]))
            return 0;
        j++;
    }
    return j == want.len;
}

/* Unescaped copy of a quoted-string's raw content (or the view itself when
 * nothing needs removing).  .p NULL on OOM. */
static ik_str unquote(ik_arena *a, ik_str raw)
{
    int plain = 1;
    for (size_t i = 0; i < raw.len && plain; i++)
        if (raw.p[i] == '\\' || raw.p[i] == '\r' || raw.p[i] == '\n')
            plain = 0;
    if (plain)
        return raw;
    char *d = ik_arena_alloc(a, raw.len + 1);
    if (d == NULL)
        return IK_STR_NULL;
    size_t n = 0;
    for (size_t i = 0; i < raw.len; i++) {
        char ch = raw.p[i];
        if (ch == '\r' || ch == '\n')
            continue;
        if (ch == '\\' && i + 1 < raw.len)
            ch = raw.p[++i];
        d[n++] = ch;
    }
    d[n] = '\0';
    return ik_str_make(d, n);
}

static ik_str read_keyword(ik__ar_cur *c)
{
    size_t s = c->pos;
    while (c->pos < c->len && ik__ar_is_kchar((unsigned char)c->p[c->pos]))
        c->pos++;
    return ik_str_make(c->p + s, c->pos - s);
}

static int read_digits(ik__ar_cur *c, unsigned max, unsigned *out)
{
    size_t s = c->pos;
    unsigned v = 0;
    while (c->pos < c->len && peek(c) >= '0' && peek(c) <= '9') {
        unsigned d = peek(c) - '0';
        if (v > (max - d) / 10)
            v = max + 1; /* saturate: the caller reports the limit */
        else
            v = v * 10 + d;
        c->pos++;
    }
    *out = v;
    return c->pos > s;
}

/*
 * pvalue (RFC 8601 2.2): a quoted-string, or leniently any run of bytes
 * that is not whitespace, ";", a comment or a quote.  This covers token,
 * [local-part] "@" domain and what real writers produce ("<>", "a/b").
 */
static int read_pvalue(ik_arena *a, ik__ar_cur *c, ik_str *out, int *oom)
{
    if (peek(c) == '"') {
        ik_str raw;
        if (!ik__ar_quoted_raw(c, &raw))
            return 0;
        *out = unquote(a, raw);
        if (out->p == NULL)
            *oom = 1;
        return out->p != NULL;
    }
    size_t s = c->pos;
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->p[c->pos];
        if (ch <= 0x20 || ch == 0x7f || ch == ';' || ch == '(' || ch == ')' || ch == '"')
            break;
        c->pos++;
    }
    *out = ik_str_make(c->p + s, c->pos - s);
    return out->len > 0;
}

/* Skips to the next ';' at top level (not inside a quoted-string or a
 * comment), leaving the cursor on it or at the end. */
static void skip_to_semicolon(ik__ar_cur *c)
{
    while (c->pos < c->len) {
        unsigned char ch = peek(c);
        if (ch == ';')
            return;
        if (ch == '(') {
            ik__ar_skip_cfws(c, NULL);
            continue;
        }
        if (ch == '"') {
            ik_str raw;
            if (ik__ar_quoted_raw(c, &raw))
                continue;
        }
        c->pos++;
    }
}

/* Skips one junk word: up to whitespace, ';', '(' or a quote, at least one
 * byte. */
static void skip_word(ik__ar_cur *c)
{
    size_t s = c->pos;
    while (c->pos < c->len) {
        unsigned char ch = peek(c);
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ';' || ch == '('
            || ch == '"')
            break;
        c->pos++;
    }
    if (c->pos == s)
        c->pos++;
}

/* ---- result lists -------------------------------------------------------- */

static void *grow(ik_arena *a, void *arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *na = ik_arena_alloc(a, ncap * elem);
    if (na == NULL)
        return NULL;
    if (n)
        memcpy(na, arr, n * elem);
    *cap = ncap;
    return na;
}

void ik_ar_init(ik_ar *ar, ik_str authserv_id)
{
    memset(ar, 0, sizeof(*ar));
    ar->authserv_id = authserv_id;
}

ik_ar_result *ik_ar_add(ik_arena *a, ik_ar *ar, ik_str method, ik_str result)
{
    if (ar->nresults >= IK_AR_MAX_RESULTS)
        return NULL;
    ik_ar_result *r = grow(a, ar->results, ar->nresults, &ar->capresults, sizeof(*r));
    if (r == NULL)
        return NULL;
    ar->results = r;
    r = &ar->results[ar->nresults++];
    memset(r, 0, sizeof(*r));
    r->method = method;
    r->result = result;
    return r;
}

ik_status ik_ar_add_prop(ik_arena *a, ik_ar_result *r, ik_str ptype, ik_str property, ik_str value)
{
    if (r->nprops >= IK_AR_MAX_PROPS)
        return IK_ELIMIT;
    ik_ar_prop *p = grow(a, r->props, r->nprops, &r->capprops, sizeof(*p));
    if (p == NULL)
        return IK_ENOMEM;
    r->props = p;
    r->props[r->nprops++] = (ik_ar_prop){ ptype, property, value };
    return IK_OK;
}

const ik_ar_result *ik_ar_find(const ik_ar *ar, const char *method, size_t from)
{
    for (size_t i = from; i < ar->nresults; i++)
        if (ik_str_caseeq_c(ar->results[i].method, method))
            return &ar->results[i];
    return NULL;
}

ik_str ik_ar_prop_get(const ik_ar_result *r, const char *ptype, const char *property)
{
    for (size_t i = 0; i < r->nprops; i++)
        if (ik_str_caseeq_c(r->props[i].ptype, ptype)
            && ik_str_caseeq_c(r->props[i].property, property))
            return r->props[i].value;
    return IK_STR_NULL;
}

/* ---- the parser ----------------------------------------------------------- */

static ik_status syntax(ik_str *why, const char *msg)
{
    if (why != NULL)
        *why = ik_str_c(msg);
    return IK_ESYNTAX;
}

/* One resinfo after its ';'.  Returns IK_OK (possibly having skipped it),
 * or IK_ENOMEM. */
static ik_status parse_resinfo(ik_arena *a, ik__ar_cur *c, ik_ar *out)
{
    ik_str method = read_keyword(c);
    if (method.len == 0) {
        out->nskipped++;
        skip_to_semicolon(c);
        return IK_OK;
    }
    ik__ar_skip_cfws(c, NULL);
    unsigned version = 0;
    if (peek(c) == '/') {
        c->pos++;
        ik__ar_skip_cfws(c, NULL);
        if (!read_digits(c, 999999, &version)) {
            out->nskipped++;
            skip_to_semicolon(c);
            return IK_OK;
        }
        ik__ar_skip_cfws(c, NULL);
    }
    if (peek(c) != '=') {
        out->nskipped++;
        skip_to_semicolon(c);
        return IK_OK;
    }
    c->pos++;
    ik__ar_skip_cfws(c, NULL);
    ik_str result = read_keyword(c);
    if (result.len == 0) {
        out->nskipped++;
        skip_to_semicolon(c);
        return IK_OK;
    }
    ik_ar_result *r = NULL;
    if (out->nresults < IK_AR_MAX_RESULTS) {
        r = ik_ar_add(a, out, method, result);
        if (r == NULL)
            return IK_ENOMEM;
        r->version = version;
    } else {
        out->nskipped++;
        skip_to_semicolon(c);
        return IK_OK;
    }
    for (;;) {
        ik__ar_skip_cfws(c, &r->comment);
        if (at_end(c) || peek(c) == ';')
            return IK_OK;
        size_t wstart = c->pos;
        ik_str k = read_keyword(c);
        if (k.len == 0) {
            r->malformed = 1;
            skip_word(c);
            continue;
        }
        ik__ar_skip_cfws(c, NULL);
        ik_str ptype = IK_STR_NULL, prop = k;
        if (peek(c) == '.') {
            c->pos++;
            ik__ar_skip_cfws(c, NULL);
            ptype = k;
            /* RFC 8601 2.2: property = special-smtp-verb / Keyword; the
             * verbs ("mailfrom", "rcptto") are Keywords lexically. */
            prop = read_keyword(c);
            ik__ar_skip_cfws(c, NULL);
            if (prop.len == 0) {
                r->malformed = 1;
                if (c->pos == wstart)
                    skip_word(c);
                continue;
            }
        }
        if (peek(c) != '=') {
            r->malformed = 1;
            if (c->pos == wstart)
                skip_word(c);
            continue;
        }
        c->pos++;
        ik__ar_skip_cfws(c, NULL);
        ik_str v = IK_STR_NULL;
        int oom = 0;
        if (!read_pvalue(a, c, &v, &oom)) {
            if (oom)
                return IK_ENOMEM;
            r->malformed = 1;
            continue;
        }
        if (ptype.len == 0 && ik_str_caseeq_c(prop, "reason") && r->reason.len == 0) {
            r->reason = v;
            continue;
        }
        ik_status st = ik_ar_add_prop(a, r, ptype, prop, v);
        if (st == IK_ENOMEM)
            return st;
        if (st != IK_OK)
            out->nskipped++;
    }
}

ik_status ik_ar_parse(ik_arena *a, ik_str value, unsigned flags, ik_ar *out, ik_str *why)
{
    memset(out, 0, sizeof(*out));
    if (why != NULL)
        *why = IK_STR_NULL;
    if (value.len > IK_AR_MAX_VALUE) {
        if (why != NULL)
            *why = IK_STR_LIT("field too long");
        return IK_ELIMIT;
    }
    ik__ar_cur c = { value.p, value.len, 0 };
    ik__ar_skip_cfws(&c, NULL);

    if (flags & IK_AR_PARSE_AAR) {
        /* RFC 8617 4.1.1: arc-info = instance [CFWS] ";" authres-payload,
         * instance = [FWS] "i" [FWS] "=" [FWS] inst-num (4.2.1). */
        if (peek(&c) != 'i')
            return syntax(why, "AAR does not start with i=");
        c.pos++;
        ik__ar_skip_cfws(&c, NULL);
        if (peek(&c) != '=')
            return syntax(why, "AAR does not start with i=");
        c.pos++;
        ik__ar_skip_cfws(&c, NULL);
        unsigned inst;
        if (!read_digits(&c, 1000, &inst))
            return syntax(why, "AAR i= is not a number");
        if (inst < 1 || inst > 50)
            return syntax(why, "AAR i= is outside 1..50");
        ik__ar_skip_cfws(&c, NULL);
        if (peek(&c) != ';')
            return syntax(why, "AAR i= is not followed by ';'");
        c.pos++;
        ik__ar_skip_cfws(&c, NULL);
        out->instance = inst;
    }

    ik_str id;
    int quoted;
    if (!ik__ar_read_id(&c, &id, &quoted))
        return syntax(why, "no authserv-id");
    if (quoted) {
        id = unquote(a, id);
        if (id.p == NULL)
            return IK_ENOMEM;
        if (id.len == 0)
            return syntax(why, "empty authserv-id");
    }
    out->authserv_id = id;
    size_t after_id = c.pos;
    ik__ar_skip_cfws(&c, NULL);
    if (c.pos > after_id && peek(&c) >= '0' && peek(&c) <= '9') {
        /* RFC 8601 2.2: authres-version, after CFWS. */
        unsigned v;
        read_digits(&c, 999999, &v);
        out->version = v;
        ik__ar_skip_cfws(&c, NULL);
    }
    if (at_end(&c))
        return IK_OK; /* lenient: no ";" at all reads as no result */
    if (peek(&c) != ';')
        return syntax(why, "authserv-id is not followed by ';'");

    while (!at_end(&c)) {
        if (peek(&c) != ';') {
            /* Only after a skipped result; resynchronize. */
            skip_to_semicolon(&c);
            continue;
        }
        c.pos++;
        ik__ar_skip_cfws(&c, NULL);
        if (at_end(&c) || peek(&c) == ';')
            continue; /* trailing or doubled ';' */
        size_t save = c.pos;
        ik_str k = read_keyword(&c);
        if (ik_str_caseeq_c(k, "none")) {
            /* RFC 8601 2.2 no-result. */
            ik__ar_skip_cfws(&c, NULL);
            if (at_end(&c) || peek(&c) == ';')
                continue;
        }
        c.pos = save;
        ik_status st = parse_resinfo(a, &c, out);
        if (st != IK_OK)
            return st;
    }
    return IK_OK;
}

/* ---- our own fields ------------------------------------------------------- */

int ik_ar_is_ours(ik_str value, ik_str our_id)
{
    if (our_id.len == 0)
        return 0;
    ik__ar_cur c = { value.p, value.len, 0 };
    ik__ar_skip_cfws(&c, NULL);
    ik_str id;
    int quoted;
    if (!ik__ar_read_id(&c, &id, &quoted))
        return 0;
    return ik__ar_id_eq(id, quoted, our_id);
}

ik_status ik_ar_find_ours(ik_arena *a, const ik_hdr_field *fields, size_t n, ik_str our_id,
                          size_t **idx, size_t *nidx)
{
    *idx = NULL;
    *nidx = 0;
    if (our_id.len == 0)
        return IK_EINVAL;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (ik_str_caseeq_c(fields[i].name, "Authentication-Results")
            && ik_ar_is_ours(fields[i].value, our_id))
            count++;
    if (count == 0)
        return IK_OK;
    size_t *out = ik_arena_alloc(a, count * sizeof(*out));
    if (out == NULL)
        return IK_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (ik_str_caseeq_c(fields[i].name, "Authentication-Results")
            && ik_ar_is_ours(fields[i].value, our_id))
            out[(*nidx)++] = i;
    *idx = out;
    return IK_OK;
}

static int is_fws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

ik_status ik_ar_merge(ik_arena *a, const ik_str *values, size_t n, ik_str our_id, ik_str *payload)
{
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ik_buf_append_str(&b, our_id);
    size_t parts = 0;
    for (size_t i = 0; i < n; i++) {
        ik_str v = values[i];
        ik__ar_cur c = { v.p, v.len, 0 };
        ik__ar_skip_cfws(&c, NULL);
        ik_str id;
        int quoted;
        if (!ik__ar_read_id(&c, &id, &quoted) || !ik__ar_id_eq(id, quoted, our_id))
            continue;
        ik__ar_skip_cfws(&c, NULL);
        if (peek(&c) >= '0' && peek(&c) <= '9') {
            unsigned ver;
            read_digits(&c, 999999, &ver);
            ik__ar_skip_cfws(&c, NULL);
        }
        if (peek(&c) != ';')
            continue; /* no results, or not a payload we can vouch for */
        c.pos++;
        ik_str rest = ik_str_make(c.p + c.pos, c.len - c.pos);
        for (;;) {
            rest = ik_str_trim(rest);
            if (rest.len && rest.p[rest.len - 1] == ';') {
                rest.len--;
                continue;
            }
            break;
        }
        while (rest.len && (is_fws(rest.p[0]) || rest.p[0] == ';'))
            rest = ik_str_make(rest.p + 1, rest.len - 1);
        if (rest.len == 0 || ik_str_caseeq_c(rest, "none"))
            continue;
        ik_buf_append(&b, "; ", 2);
        ik_buf_append_str(&b, rest);
        parts++;
    }
    if (parts == 0)
        ik_buf_append_c(&b, "; none");
    if (ik_buf_error(&b) != IK_OK)
        return ik_buf_error(&b);
    *payload = ik_buf_str(&b);
    return IK_OK;
}
