/*
 * address.c - RFC 5322 mailbox, mailbox-list and address-list parser (see
 * inkan/address.h).
 *
 * RFC 5322 sections: 3.2.1 (quoted-pair), 3.2.2 (FWS, comments, CFWS),
 * 3.2.3 (atext, specials), 3.2.4 (quoted-string), 3.4 (address, mailbox,
 * name-addr, angle-addr, group, lists), 3.4.1 (addr-spec, domain-literal),
 * 4.1 (obs-phrase, obs-qp, obs-ctext, obs-qtext), 4.2 (obs-FWS), 4.4
 * (obs-angle-addr, obs-route, obs-*-list, obs-local-part, obs-domain,
 * obs-dtext).  RFC 6532 3.2: UTF-8 is accepted in atext, qtext and ctext.
 *
 * How it works: a tokenizer first turns the text into atoms, quoted
 * strings, domain literals and single specials, swallowing CFWS (and
 * noting where it was, because dot-atom and obs-local-part differ only in
 * that).  The grammar is then parsed over tokens.  Because every quoted
 * string, comment and literal is one token, a ',' or '@' token is always a
 * real separator, which is what makes the ambiguity checks reliable: an '@'
 * token anywhere other than between the local part and the domain of the
 * one addr-spec of a mailbox means the text has more than one reading.
 *
 * Ownership: token arrays, mailbox arrays and strings live in the arena.
 * Threads: no state.  Limits: mailbox count and comment depth (address.h);
 * tokens are at most one per input byte.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inkan/address.h"

typedef enum tk_type {
    TK_ATOM,
    TK_QSTR,
    TK_DLIT,
    TK_DOT,
    TK_AT,
    TK_LT,
    TK_GT,
    TK_COLON,
    TK_SEMI,
    TK_COMMA,
    TK_OTHER, /* a byte that starts no token: ')', ']', '\', controls */
    TK_END
} tk_type;

/* CFWS seen before a token. */
enum { CF_WS = 1, CF_COMMENT = 2 };

typedef struct tk {
    tk_type t;
    size_t s, e;     /* byte range in the text */
    unsigned before; /* CF_* */
} tk;

typedef struct addr_ctx {
    ik_arena *a;
    ik_str text;
    int lenient;
    size_t max_addr;
    unsigned max_depth;
    ik_addr_list *out;
    size_t cap;
    ik_status err;
    unsigned flags; /* flags of the mailbox being parsed */

    tk *tk;
    size_t ntk;
    size_t tcap;
    size_t pos;
} addr_ctx;

/* ---- errors ------------------------------------------------------------ */

static ik_status addr_fail(addr_ctx *c, ik_status st, size_t at, const char *fmt, ...)
    IK_PRINTFLIKE(4, 5);

static ik_status addr_fail(addr_ctx *c, ik_status st, size_t at, const char *fmt, ...)
{
    if (c->err != IK_OK)
        return c->err;
    c->err = st;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *p = ik_arena_printf(c->a, "%s at offset %zu", msg, at);
    c->out->problem = p ? ik_str_c(p) : IK_STR_LIT("out of memory");
    c->out->problem_at = at;
    return st;
}

/* An input with more than one reading (see address.h). */
static ik_status addr_ambiguous(addr_ctx *c, size_t at, const char *what)
{
    c->out->flags |= IK_ADDR_F_AMBIGUOUS;
    c->flags |= IK_ADDR_F_AMBIGUOUS;
    return addr_fail(c, IK_ESYNTAX, at, "ambiguous: %s", what);
}

/* A lenient recovery, or a syntax error in strict mode. */
static int addr_recover(addr_ctx *c, size_t at, const char *what)
{
    if (!c->lenient) {
        addr_fail(c, IK_ESYNTAX, at, "%s", what);
        return 0;
    }
    c->flags |= IK_ADDR_F_LENIENT;
    return 1;
}

/* ---- character classes (RFC 5322 3.2.3, 4.1; RFC 6532 3.2) ----------- */

static int is_wsp(unsigned char ch)
{
    return ch == ' ' || ch == '\t';
}

static int is_atext(unsigned char ch)
{
    if (ch >= 0x80)
        return 1; /* UTF8-non-ascii, RFC 6532 3.2 */
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return 1;
    return ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

/* ---- tokenizer ------------------------------------------------------- */

/*
 * Consumes a line end at text[i] when it is part of FWS: CRLF or LF
 * followed by WSP, or at the very end of the text.  Returns its length, or
 * 0 when the CR/LF is bare (not FWS).
 */
static size_t fws_eol(const addr_ctx *c, size_t i)
{
    const char *p = c->text.p;
    size_t n = c->text.len;
    size_t k = i;
    if (p[k] == '\r') {
        if (k + 1 < n && p[k + 1] == '\n')
            k++;
        else
            return 0;
    }
    if (p[k] != '\n')
        return 0;
    k++;
    if (k == n || is_wsp((unsigned char)p[k]))
        return k - i;
    return 0;
}

/* A bare CR or LF outside FWS: lenient mode reads it as white space. */
static int bare_eol(addr_ctx *c, size_t i)
{
    return addr_recover(c, i, "bare CR or LF");
}

/* Skips a comment starting at text[*i] == '(' (RFC 5322 3.2.2). */
static ik_status skip_comment(addr_ctx *c, size_t *i)
{
    const unsigned char *p = (const unsigned char *)c->text.p;
    size_t n = c->text.len, k = *i, start = *i;
    unsigned depth = 0;
    while (k < n) {
        unsigned char ch = p[k];
        if (ch == '(') {
            if (++depth > c->max_depth)
                return addr_fail(c, IK_ELIMIT, k, "comments nested deeper than %u", c->max_depth);
            k++;
        } else if (ch == ')') {
            k++;
            if (--depth == 0) {
                *i = k;
                return IK_OK;
            }
        } else if (ch == '\\') {
            /* quoted-pair, obs-qp: any byte may follow (3.2.1, 4.1). */
            if (k + 1 >= n)
                break;
            k += 2;
        } else if (ch == 0) {
            return addr_fail(c, IK_ESYNTAX, k, "NUL byte in comment");
        } else if (ch == '\r' || ch == '\n') {
            size_t l = fws_eol(c, k);
            if (l == 0 && !bare_eol(c, k))
                return c->err;
            k += l ? l : 1;
        } else {
            k++; /* ctext, obs-ctext (every control but NUL), WSP, UTF-8 */
        }
    }
    return addr_fail(c, IK_ESYNTAX, start, "unterminated comment");
}

/* Skips CFWS; returns CF_* of what was skipped. */
static unsigned skip_cfws(addr_ctx *c, size_t *i)
{
    const char *p = c->text.p;
    size_t n = c->text.len;
    unsigned seen = 0;
    while (*i < n && c->err == IK_OK) {
        unsigned char ch = (unsigned char)p[*i];
        if (is_wsp(ch)) {
            (*i)++;
            seen |= CF_WS;
        } else if (ch == '\r' || ch == '\n') {
            size_t l = fws_eol(c, *i);
            if (l == 0 && !bare_eol(c, *i))
                break;
            *i += l ? l : 1;
            seen |= CF_WS;
        } else if (ch == '(') {
            if (skip_comment(c, i) != IK_OK)
                break;
            seen |= CF_COMMENT;
        } else {
            break;
        }
    }
    return seen;
}

/*
 * Skips a quoted string or domain literal body from the opening byte to
 * past the closing one (RFC 5322 3.2.4, 3.4.1, obs-qtext, obs-dtext).
 */
static ik_status skip_delimited(addr_ctx *c, size_t *i, char close, const char *what)
{
    const unsigned char *p = (const unsigned char *)c->text.p;
    size_t n = c->text.len, k = *i + 1, start = *i;
    while (k < n) {
        unsigned char ch = p[k];
        if (ch == (unsigned char)close) {
            *i = k + 1;
            return IK_OK;
        }
        if (ch == '\\') {
            if (k + 1 >= n)
                break;
            k += 2;
        } else if (ch == 0) {
            return addr_fail(c, IK_ESYNTAX, k, "NUL byte in %s", what);
        } else if (ch == '\r' || ch == '\n') {
            size_t l = fws_eol(c, k);
            if (l == 0 && !bare_eol(c, k))
                return c->err;
            k += l ? l : 1;
        } else if (close == ']' && ch == '[') {
            return addr_fail(c, IK_ESYNTAX, k, "'[' inside a domain literal");
        } else {
            k++;
        }
    }
    return addr_fail(c, IK_ESYNTAX, start, "unterminated %s", what);
}

static ik_status push_tok(addr_ctx *c, tk_type t, size_t s, size_t e, unsigned before)
{
    if (c->ntk == c->tcap) {
        size_t ncap = c->tcap ? c->tcap * 2 : 16;
        tk *nt = ik_arena_alloc(c->a, ncap * sizeof(*nt));
        if (nt == NULL)
            return addr_fail(c, IK_ENOMEM, s, "out of memory");
        if (c->ntk)
            memcpy(nt, c->tk, c->ntk * sizeof(*nt));
        c->tk = nt;
        c->tcap = ncap;
    }
    c->tk[c->ntk++] = (tk){ t, s, e, before };
    return IK_OK;
}

static ik_status tokenize(addr_ctx *c)
{
    const unsigned char *p = (const unsigned char *)c->text.p;
    size_t n = c->text.len, i = 0;
    for (;;) {
        unsigned before = skip_cfws(c, &i);
        if (c->err != IK_OK)
            return c->err;
        if (before & CF_COMMENT)
            c->out->flags |= IK_ADDR_F_COMMENT;
        if (i >= n)
            return push_tok(c, TK_END, n, n, before);
        size_t s = i;
        unsigned char ch = p[i];
        tk_type t;
        if (is_atext(ch)) {
            while (i < n && is_atext(p[i]))
                i++;
            t = TK_ATOM;
        } else if (ch == '"') {
            if (skip_delimited(c, &i, '"', "quoted string") != IK_OK)
                return c->err;
            t = TK_QSTR;
        } else if (ch == '[') {
            if (skip_delimited(c, &i, ']', "domain literal") != IK_OK)
                return c->err;
            t = TK_DLIT;
        } else {
            i++;
            switch (ch) {
            case '.': t = TK_DOT; break;
            case '@': t = TK_AT; break;
            case '<': t = TK_LT; break;
            case '>': t = TK_GT; break;
            case ':': t = TK_COLON; break;
            case ';': t = TK_SEMI; break;
            case ',': t = TK_COMMA; break;
            case 0: return addr_fail(c, IK_ESYNTAX, s, "NUL byte");
            default: t = TK_OTHER; break;
            }
        }
        if (push_tok(c, t, s, i, before) != IK_OK)
            return c->err;
    }
}

/* ---- helpers over tokens --------------------------------------------- */

static const tk *cur(const addr_ctx *c)
{
    return &c->tk[c->pos];
}

static int has_byte(const addr_ctx *c, size_t s, size_t e, char b)
{
    return e > s && memchr(c->text.p + s, b, e - s) != NULL;
}

static const char *tk_name(tk_type t)
{
    switch (t) {
    case TK_ATOM: return "word";
    case TK_QSTR: return "quoted string";
    case TK_DLIT: return "domain literal";
    case TK_DOT: return "'.'";
    case TK_AT: return "'@'";
    case TK_LT: return "'<'";
    case TK_GT: return "'>'";
    case TK_COLON: return "':'";
    case TK_SEMI: return "';'";
    case TK_COMMA: return "','";
    case TK_OTHER: return "stray character";
    case TK_END: return "end of text";
    }
    return "?";
}

/*
 * Copies the bytes of tokens [from, to) without the CFWS between them and
 * without the line ends of folds inside quoted strings and literals (those
 * CRLFs are "semantically invisible", RFC 5322 3.2.4).
 */
static ik_str join_tokens(addr_ctx *c, size_t from, size_t to)
{
    size_t total = 0;
    for (size_t k = from; k < to; k++)
        total += c->tk[k].e - c->tk[k].s;
    char *r = ik_arena_alloc(c->a, total + 1);
    if (r == NULL) {
        addr_fail(c, IK_ENOMEM, 0, "out of memory");
        return IK_STR_NULL;
    }
    size_t n = 0;
    for (size_t k = from; k < to; k++) {
        const char *s = c->text.p + c->tk[k].s;
        size_t len = c->tk[k].e - c->tk[k].s;
        for (size_t j = 0; j < len; j++) {
            if (s[j] == '\\' && j + 1 < len) {
                r[n++] = s[j++];
                r[n++] = s[j];
                continue;
            }
            if (s[j] == '\r' || s[j] == '\n')
                continue;
            r[n++] = s[j];
        }
    }
    r[n] = '\0';
    return ik_str_make(r, n);
}

static int b64val(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/*
 * True when an RFC 2047 encoded word in s decodes to text holding an '@'
 * (the display name then shows an address to the reader).  Only the B and
 * Q encodings are decoded, byte by byte, with no charset conversion: '@'
 * is 0x40 in every charset an encoded word is used with in practice.
 */
static int encoded_word_has_at(const char *s, size_t len, int *found_ew)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '=' || s[i + 1] != '?')
            continue;
        size_t q1 = i + 2;
        while (q1 < len && s[q1] != '?')
            q1++;
        if (q1 + 2 >= len || s[q1 + 2] != '?')
            continue;
        char enc = s[q1 + 1];
        size_t t = q1 + 3, end = t;
        while (end + 1 < len && !(s[end] == '?' && s[end + 1] == '='))
            end++;
        if (end + 1 >= len)
            continue;
        *found_ew = 1;
        if (enc == 'B' || enc == 'b') {
            unsigned acc = 0, bits = 0;
            for (size_t k = t; k < end; k++) {
                int v = b64val((unsigned char)s[k]);
                if (v < 0)
                    continue;
                acc = (acc << 6) | (unsigned)v;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    if (((acc >> bits) & 0xff) == '@')
                        return 1;
                }
            }
        } else if (enc == 'Q' || enc == 'q') {
            for (size_t k = t; k < end; k++) {
                if (s[k] == '@')
                    return 1;
                if (s[k] == '=' && k + 2 < end && hexval((unsigned char)s[k + 1]) >= 0
                    && hexval((unsigned char)s[k + 2]) >= 0) {
                    if (hexval((unsigned char)s[k + 1]) * 16 + hexval((unsigned char)s[k + 2])
                        == '@')
                        return 1;
                    k += 2;
                }
            }
        }
        i = end + 1;
    }
    return 0;
}

/* ---- grammar ---------------------------------------------------------- */

/*
 * display-name = phrase = 1*word / obs-phrase (RFC 5322 3.2.5, 4.1).
 * Tokens [from, to) are checked; *raw gets the trimmed raw text.
 */
static ik_status parse_phrase(addr_ctx *c, size_t from, size_t to, ik_str *raw)
{
    *raw = ik_str_make(c->text.p + c->tk[from].s, 0);
    if (from == to)
        return IK_OK;
    for (size_t k = from; k < to; k++) {
        const tk *t = &c->tk[k];
        switch (t->t) {
        case TK_ATOM:
        case TK_QSTR: break;
        case TK_DOT:
            /* obs-phrase = word *(word / "." / CFWS): not first (4.1). */
            if (k == from && !addr_recover(c, t->s, "display name starts with '.'"))
                return c->err;
            c->flags |= IK_ADDR_F_OBS_PHRASE;
            break;
        case TK_AT: return addr_ambiguous(c, t->s, "'@' in an unquoted display name");
        case TK_DLIT:
            if (has_byte(c, t->s, t->e, '@'))
                return addr_ambiguous(c, t->s, "'[...@...]' in a display name");
            if (!addr_recover(c, t->s, "'[' in a display name"))
                return c->err;
            break;
        case TK_OTHER:
            if (!addr_recover(c, t->s, "stray character in a display name"))
                return c->err;
            break;
        default:
            return addr_fail(c, IK_ESYNTAX, t->s, "unexpected %s in a display name", tk_name(t->t));
        }
    }
    *raw = ik_str_make(c->text.p + c->tk[from].s, c->tk[to - 1].e - c->tk[from].s);
    int ew = 0;
    if (has_byte(c, raw->p - c->text.p, raw->p - c->text.p + raw->len, '@')
        || encoded_word_has_at(raw->p, raw->len, &ew))
        c->flags |= IK_ADDR_F_DISPLAY_AT;
    if (ew)
        c->flags |= IK_ADDR_F_ENCODED_WORD;
    return IK_OK;
}

/*
 * domain = dot-atom / domain-literal / obs-domain (RFC 5322 3.4.1, 4.4).
 * Stops at the first token that cannot continue the domain.
 */
static ik_status parse_domain(addr_ctx *c, ik_str *out)
{
    const tk *t = cur(c);
    size_t from = c->pos;
    if (t->t == TK_DLIT) {
        c->flags |= IK_ADDR_F_DOMAIN_LITERAL;
        c->pos++;
        *out = join_tokens(c, from, c->pos);
        return c->err;
    }
    if (t->t != TK_ATOM)
        return addr_fail(c, IK_ESYNTAX, t->s, "expected a domain after '@', found %s",
                         tk_name(t->t));
    c->pos++;
    while (cur(c)->t == TK_DOT) {
        const tk *dot = cur(c);
        const tk *next = &c->tk[c->pos + 1];
        if (next->t != TK_ATOM)
            return addr_fail(c, IK_ESYNTAX, dot->s, "domain has an empty label");
        if (dot->before || next->before)
            c->flags |= IK_ADDR_F_OBS_DOMAIN;
        c->pos += 2;
    }
    *out = join_tokens(c, from, c->pos);
    return c->err;
}

/*
 * addr-spec = local-part "@" domain (RFC 5322 3.4.1), local-part being
 * dot-atom / quoted-string / obs-local-part (word *("." word), 4.4).
 * Dots out of place are a lenient recovery: they cannot move the domain.
 */
static ik_status parse_addr_spec(addr_ctx *c, ik_mailbox *m)
{
    size_t from = c->pos;
    size_t words = 0;
    int last_dot = 0, dot_trouble = 0;
    for (;;) {
        const tk *t = cur(c);
        if (t->t == TK_ATOM || t->t == TK_QSTR) {
            if (c->pos > from && !last_dot)
                return addr_fail(c, IK_ESYNTAX, t->s, "local part has words not separated by '.'");
            if (t->t == TK_QSTR)
                c->flags |= IK_ADDR_F_QUOTED_LOCAL;
            if (t->t == TK_ATOM && t->e - t->s >= 4 && c->text.p[t->s] == '='
                && c->text.p[t->s + 1] == '?')
                c->flags |= IK_ADDR_F_ENCODED_LOCAL;
            words++;
            last_dot = 0;
        } else if (t->t == TK_DOT) {
            if (c->pos == from || last_dot)
                dot_trouble = 1;
            last_dot = 1;
        } else {
            break;
        }
        if (c->pos > from && t->before)
            c->flags |= IK_ADDR_F_OBS_LOCAL;
        c->pos++;
    }
    const tk *t = cur(c);
    if (words == 0) {
        if (t->t == TK_AT)
            return addr_fail(c, IK_ESYNTAX, t->s, "address has no local part");
        return addr_fail(c, IK_ESYNTAX, t->s, "expected an address, found %s", tk_name(t->t));
    }
    if (t->t != TK_AT)
        return addr_fail(c, IK_ESYNTAX, t->s, "address has no domain (found %s)", tk_name(t->t));
    if (last_dot)
        dot_trouble = 1;
    if (dot_trouble && !addr_recover(c, c->tk[from].s, "local part has '.' out of place"))
        return c->err;
    if (words > 1 && (c->flags & IK_ADDR_F_QUOTED_LOCAL))
        c->flags |= IK_ADDR_F_OBS_LOCAL;
    m->local = join_tokens(c, from, c->pos);
    if (c->err != IK_OK)
        return c->err;
    c->pos++; /* '@' */
    if (parse_domain(c, &m->domain) != IK_OK)
        return c->err;
    if (cur(c)->t == TK_AT)
        return addr_ambiguous(c, cur(c)->s, "more than one '@' in an address");
    if (cur(c)->t == TK_DOT)
        return addr_fail(c, IK_ESYNTAX, cur(c)->s, "domain ends with '.'");
    /* memcpy, not printf: an obs-qp may have put a NUL in either part. */
    size_t slen = m->local.len + 1 + m->domain.len;
    char *spec = ik_arena_alloc(c->a, slen + 1);
    if (spec == NULL)
        return addr_fail(c, IK_ENOMEM, 0, "out of memory");
    memcpy(spec, m->local.p, m->local.len);
    spec[m->local.len] = '@';
    memcpy(spec + m->local.len + 1, m->domain.p, m->domain.len);
    spec[slen] = '\0';
    m->addr_spec = ik_str_make(spec, slen);
    return IK_OK;
}

/* True for the tokens that end a list member. */
static int is_delim(const addr_ctx *c, int in_group)
{
    tk_type t = cur(c)->t;
    return t == TK_END || t == TK_COMMA || (in_group && t == TK_SEMI);
}

/*
 * Text between the end of a mailbox and the next delimiter.  If it could
 * hold another address it is ambiguous; otherwise it is a lenient recovery
 * after a name-addr's '>', and an error after a bare addr-spec.
 */
static ik_status trailing_text(addr_ctx *c, int in_group, int after_angle)
{
    size_t at = cur(c)->s;
    for (size_t k = c->pos; k < c->ntk; k++) {
        tk_type t = c->tk[k].t;
        if (t == TK_END || t == TK_COMMA || (in_group && t == TK_SEMI))
            break;
        if (t == TK_AT || t == TK_LT || t == TK_COLON
            || (t == TK_DLIT && has_byte(c, c->tk[k].s, c->tk[k].e, '@')))
            return addr_ambiguous(c, c->tk[k].s,
                                  "more text that could be an address "
                                  "follows the address");
    }
    if (!after_angle)
        return addr_fail(c, IK_ESYNTAX, at, "unexpected %s after the address", tk_name(cur(c)->t));
    if (!addr_recover(c, at, "text after '>'"))
        return c->err;
    while (!is_delim(c, in_group))
        c->pos++;
    return IK_OK;
}

static ik_status add_mailbox(addr_ctx *c, const ik_mailbox *m, size_t at)
{
    ik_addr_list *o = c->out;
    if (o->n >= c->max_addr)
        return addr_fail(c, IK_ELIMIT, at, "more than %zu addresses", c->max_addr);
    if (o->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 4;
        ik_mailbox *nm = ik_arena_alloc(c->a, ncap * sizeof(*nm));
        if (nm == NULL)
            return addr_fail(c, IK_ENOMEM, at, "out of memory");
        if (o->n)
            memcpy(nm, o->mbox, o->n * sizeof(*nm));
        o->mbox = nm;
        c->cap = ncap;
    }
    o->mbox[o->n++] = *m;
    o->flags |= m->flags;
    return IK_OK;
}

/*
 * obs-route = obs-domain-list ":" with obs-domain-list =
 * *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain]) (RFC 5322 4.4).
 * The route is parsed for syntax and then ignored, as 4.4 says.
 */
static ik_status parse_route(addr_ctx *c)
{
    /* Flags of the route's domains are not the mailbox's. */
    unsigned keep = c->flags | IK_ADDR_F_OBS_ROUTE;
    while (cur(c)->t == TK_COMMA)
        c->pos++;
    if (cur(c)->t != TK_AT)
        return addr_fail(c, IK_ESYNTAX, cur(c)->s, "malformed route");
    for (;;) {
        ik_str ignored;
        c->pos++; /* '@' */
        if (parse_domain(c, &ignored) != IK_OK)
            return c->err;
        while (cur(c)->t == TK_COMMA)
            c->pos++;
        if (cur(c)->t == TK_COLON) {
            c->pos++;
            c->flags = keep;
            return IK_OK;
        }
        if (cur(c)->t != TK_AT)
            return addr_fail(c, IK_ESYNTAX, cur(c)->s, "malformed route (found %s)",
                             tk_name(cur(c)->t));
    }
}

/*
 * mailbox = name-addr / addr-spec; name-addr = [display-name] angle-addr
 * (RFC 5322 3.4).
 */
static ik_status parse_mailbox(addr_ctx *c, int in_group, ik_str group)
{
    ik_mailbox m;
    memset(&m, 0, sizeof m);
    c->flags = 0;
    size_t start = c->pos, at = cur(c)->s;
    size_t k = start;
    while (c->tk[k].t != TK_LT && c->tk[k].t != TK_COMMA && c->tk[k].t != TK_SEMI
           && c->tk[k].t != TK_END)
        k++;

    if (c->tk[k].t == TK_LT) {
        if (parse_phrase(c, start, k, &m.display) != IK_OK)
            return c->err;
        c->pos = k + 1;
        /* obs-angle-addr: a route before the addr-spec (4.4). */
        if (cur(c)->t == TK_AT || cur(c)->t == TK_COMMA) {
            if (parse_route(c) != IK_OK)
                return c->err;
        }
        if (cur(c)->t == TK_GT)
            return addr_fail(c, IK_ESYNTAX, cur(c)->s, "empty angle address '<>'");
        if (parse_addr_spec(c, &m) != IK_OK)
            return c->err;
        if (cur(c)->t != TK_GT) {
            if (cur(c)->t == TK_END)
                return addr_fail(c, IK_ESYNTAX, c->tk[k].s, "'<' without '>'");
            return addr_fail(c, IK_ESYNTAX, cur(c)->s, "unexpected %s inside '<...>'",
                             tk_name(cur(c)->t));
        }
        c->pos++;
        if (!is_delim(c, in_group) && trailing_text(c, in_group, 1) != IK_OK)
            return c->err;
    } else {
        if (parse_addr_spec(c, &m) != IK_OK)
            return c->err;
        if (!is_delim(c, in_group) && trailing_text(c, in_group, 0) != IK_OK)
            return c->err;
    }
    if (in_group) {
        m.group = group;
        c->flags |= IK_ADDR_F_GROUP;
    }
    /* Comments before the delimiter that ends this mailbox count too. */
    for (size_t j = start; j <= c->pos && j < c->ntk; j++) {
        if (c->tk[j].before & CF_COMMENT)
            c->flags |= IK_ADDR_F_COMMENT;
        for (size_t b = c->tk[j].s; b < c->tk[j].e; b++)
            if ((unsigned char)c->text.p[b] >= 0x80) {
                c->flags |= IK_ADDR_F_UTF8;
                break;
            }
    }
    m.flags = c->flags;
    return add_mailbox(c, &m, at);
}

/* group = display-name ":" [group-list] ";" [CFWS] (RFC 5322 3.4). */
static ik_status parse_group(addr_ctx *c, size_t colon)
{
    ik_str name;
    size_t start = c->pos;
    c->flags = 0;
    if (colon == start)
        return addr_fail(c, IK_ESYNTAX, c->tk[colon].s, "group without a display name");
    if (parse_phrase(c, start, colon, &name) != IK_OK)
        return c->err;
    c->out->flags |= c->flags;
    c->out->ngroups++;
    c->pos = colon + 1;
    int after_item = 0;
    for (;;) {
        const tk *t = cur(c);
        if (t->t == TK_SEMI) {
            c->pos++;
            break;
        }
        if (t->t == TK_END) {
            c->flags = 0;
            if (!addr_recover(c, t->s, "group without its closing ';'"))
                return c->err;
            c->out->flags |= c->flags;
            break;
        }
        if (t->t == TK_COMMA) {
            if (!after_item)
                c->out->flags |= IK_ADDR_F_OBS_LIST; /* obs-group-list, 4.4 */
            after_item = 0;
            c->pos++;
            continue;
        }
        if (after_item)
            return addr_fail(c, IK_ESYNTAX, t->s, "expected ',' or ';' in group");
        /* A nested group would show a ':' before any '<' or '@'. */
        for (size_t k = c->pos; c->tk[k].t != TK_END; k++) {
            tk_type tt = c->tk[k].t;
            if (tt == TK_COLON)
                return addr_fail(c, IK_ESYNTAX, c->tk[k].s, "group inside a group");
            if (tt == TK_LT || tt == TK_AT || tt == TK_COMMA || tt == TK_SEMI)
                break;
        }
        if (parse_mailbox(c, 1, name) != IK_OK)
            return c->err;
        after_item = 1;
    }
    return IK_OK;
}

/*
 * mailbox-list / address-list with their obsolete forms: null members
 * (RFC 5322 3.4, 4.4).
 */
static ik_status parse_list(addr_ctx *c, ik_addr_syntax what)
{
    int after_item = 0, commas = 0;
    for (;;) {
        const tk *t = cur(c);
        if (t->t == TK_END)
            break;
        if (t->t == TK_COMMA) {
            commas++;
            if (!after_item)
                c->out->flags |= IK_ADDR_F_OBS_LIST;
            after_item = 0;
            c->pos++;
            continue;
        }
        if (after_item)
            return addr_fail(c, IK_ESYNTAX, t->s, "expected ',' between addresses");
        /* A group shows its ':' before any '<', '@' or separator. */
        size_t k = c->pos;
        while (c->tk[k].t != TK_COLON && c->tk[k].t != TK_LT && c->tk[k].t != TK_AT
               && c->tk[k].t != TK_COMMA && c->tk[k].t != TK_SEMI && c->tk[k].t != TK_GT
               && c->tk[k].t != TK_END)
            k++;
        if (c->tk[k].t == TK_COLON) {
            if (what != IK_ADDR_ADDRESS_LIST)
                return addr_fail(c, IK_ESYNTAX, c->tk[k].s,
                                 "group syntax where mailboxes are required");
            if (parse_group(c, k) != IK_OK)
                return c->err;
            if (cur(c)->t != TK_END && cur(c)->t != TK_COMMA)
                return trailing_text(c, 0, 0);
        } else if (parse_mailbox(c, 0, IK_STR_NULL) != IK_OK) {
            return c->err;
        }
        after_item = 1;
    }
    if (commas > 0 && !after_item)
        c->out->flags |= IK_ADDR_F_OBS_LIST; /* trailing comma */
    if (c->out->n == 0 && c->out->ngroups == 0)
        return addr_fail(c, IK_ESYNTAX, c->text.len, "no address");
    if (what == IK_ADDR_MAILBOX) {
        if (c->out->n > 1) {
            c->out->flags |= IK_ADDR_F_MULTIPLE;
            return addr_fail(c, IK_ESYNTAX, c->tk[0].s,
                             "%zu mailboxes where exactly one is required", c->out->n);
        }
        if (commas > 0) {
            c->flags = 0;
            if (!addr_recover(c, 0, "',' in a single-mailbox field"))
                return c->err;
            c->out->flags |= c->flags;
        }
    }
    return IK_OK;
}

ik_status ik_addr_parse(ik_arena *a, ik_str text, ik_addr_syntax what, const ik_addr_opts *opts,
                        ik_addr_list *out)
{
    if (out == NULL)
        return IK_EINVAL;
    memset(out, 0, sizeof(*out));
    out->problem = IK_STR_LIT("");
    if (a == NULL || (text.p == NULL && text.len > 0) || what > IK_ADDR_ADDRESS_LIST)
        return IK_EINVAL;
    if (text.p == NULL)
        text = IK_STR_LIT("");
    addr_ctx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.text = text;
    c.out = out;
    c.max_addr = IK_ADDR_MAX_ADDRESSES;
    c.max_depth = IK_ADDR_MAX_COMMENT_DEPTH;
    if (opts != NULL) {
        c.lenient = opts->lenient != 0;
        if (opts->max_addresses)
            c.max_addr = opts->max_addresses;
        if (opts->max_comment_depth)
            c.max_depth = opts->max_comment_depth;
    }
    ik_status st = tokenize(&c);
    /* Recoveries made while tokenizing belong to the whole list. */
    out->flags |= c.flags;
    c.flags = 0;
    if (st != IK_OK)
        return st;
    st = parse_list(&c, what);
    out->flags |= c.flags & (IK_ADDR_F_AMBIGUOUS | IK_ADDR_F_LENIENT);
    return st;
}
