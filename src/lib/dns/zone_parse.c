/*
 * zone_parse.c - the master-file reader of the static zone (see
 * inkan/zone.h and docs/zone.md for the dialect).
 *
 * RFC 1035 5.1 (format), 5.1 $ORIGIN/$INCLUDE, RFC 2308 4 ($TTL), RFC 3597 5
 * (`TYPEnnn \# len hex`), RFC 1035 3.3 for the RDATA wire forms; plus the
 * test directives $TIMEOUT and $SERVFAIL.
 *
 * Reading is two steps per entry.  The lexer cuts one entry (a line, or
 * several joined by parentheses) into tokens: raw views into the text, with
 * escapes left in place, never past the text's length; the text need not
 * be NUL-terminated.  The entry is then interpreted token by token and the
 * record handed to ik_zone_add_rr in wire form, which is where RDATA is
 * validated once for every way of adding records.  The first error stops
 * the load and is reported as "file:line: message 'token'".
 *
 * Ownership: tokens and RDATA of one entry live in a scratch arena reset per
 * entry; file contents come from the zone's allocator and are freed after
 * reading.  Threads: a load owns the zone.
 * Limits: IK_ZONE_MAX_LINE, IK_ZONE_MAX_ENTRY, IK_ZONE_MAX_FILE (all files
 * of one load together), IK_ZONE_MAX_INCLUDE_DEPTH; $INCLUDE loops are
 * recognised by the real path of every file being read.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns/zone_int.h"
#include "inkan/buf.h"
#include "inkan/ip.h"

typedef struct ztok {
    const char *p; /* raw text, escapes not yet applied */
    size_t len;
    unsigned line;
    int quoted;
} ztok;

/* One file being read; the chain of them is the $INCLUDE stack. */
typedef struct zfile {
    const struct zfile *parent;
    const char *name; /* as given, for messages and relative includes */
    const char *real; /* realpath, NULL for text from memory */
    const char *text;
    size_t len;
    size_t off;
    unsigned line;
    int depth;
} zfile;

/* What an entry inherits from the ones before; saved around $INCLUDE. */
typedef struct zstate {
    char origin[IK_DNS_NAME_MAX + 1];
    size_t originlen;
    char owner[IK_DNS_NAME_MAX + 1];
    size_t ownerlen;
    int have_owner;
    uint32_t ttl;     /* for entries without one */
    int ttl_from_dir; /* set by $TTL: explicit record TTLs do not change it */
} zstate;

typedef struct zparser {
    ik_zone *z;
    ik_arena *tmp;
    char *err;
    size_t errlen;
    size_t total; /* bytes of all files read so far */
    zstate st;
} zparser;

#define TOK_SHOW 48

/* Printable excerpt of a token for messages. */
static void tok_show(const char *p, size_t len, char out[TOK_SHOW + 4])
{
    size_t n = len < TOK_SHOW ? len : TOK_SHOW;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (len > TOK_SHOW) {
        memcpy(out + n, "...", 4);
    } else {
        out[n] = '\0';
    }
}

static ik_status zerr(zparser *zp, const zfile *f, unsigned line, ik_status st, const char *fmt,
                      ...) IK_PRINTFLIKE(5, 6);

static ik_status zerr(zparser *zp, const zfile *f, unsigned line, ik_status st, const char *fmt,
                      ...)
{
    if (zp->err && zp->errlen) {
        int n = snprintf(zp->err, zp->errlen, "%s:%u: ", f->name, line);
        if (n >= 0 && (size_t)n < zp->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(zp->err + n, zp->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return st;
}

/* An error naming a token: "<what> 'token'". */
static ik_status tok_err(zparser *zp, const zfile *f, const ztok *t, ik_status st, const char *what)
{
    char show[TOK_SHOW + 4];
    tok_show(t->p, t->len, show);
    return zerr(zp, f, t->line, st, "%s '%s'", what, show);
}

/* ---- lexer ------------------------------------------------------------- */

static int is_delim(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')'
           || c == '"';
}

static int is_ctl(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static ik_status bad_byte(zparser *zp, const zfile *f, unsigned char c)
{
    if (c == 0)
        return zerr(zp, f, f->line, IK_ESYNTAX, "NUL byte in zone text");
    return zerr(zp, f, f->line, IK_ESYNTAX, "control character 0x%02x in zone text", c);
}

static ik_status tok_push(zparser *zp, ztok **toks, size_t *n, size_t *cap, ztok t)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        ztok *nt = ik_arena_alloc(zp->tmp, ncap * sizeof(*nt));
        if (nt == NULL)
            return IK_ENOMEM;
        if (*n)
            memcpy(nt, *toks, *n * sizeof(*nt));
        *toks = nt;
        *cap = ncap;
    }
    (*toks)[(*n)++] = t;
    return IK_OK;
}

/*
 * Cuts the next entry into tokens.  *got is 0 at the end of the file.
 * owner_omitted is set when the entry's first line starts with a blank
 * (RFC 1035 5.1: the owner is then the previous one).
 */
static ik_status lex_entry(zparser *zp, zfile *f, ztok **toks, size_t *ntok, int *owner_omitted,
                           unsigned *entry_line, int *got)
{
    size_t cap = 0, entry_start = f->off;
    int paren = 0, line_start = 1;
    unsigned paren_line = 0;
    ik_status st;
    *ntok = 0;
    *got = 0;
    *toks = NULL;
    for (;;) {
        if (line_start) {
            if (f->off >= f->len)
                break;
            const char *nl = memchr(f->text + f->off, '\n', f->len - f->off);
            size_t ll = nl ? (size_t)(nl - (f->text + f->off)) : f->len - f->off;
            if (ll > IK_ZONE_MAX_LINE)
                return zerr(zp, f, f->line, IK_ELIMIT, "line longer than %d bytes",
                            IK_ZONE_MAX_LINE);
            if (!paren && *ntok == 0) {
                char c = f->text[f->off];
                *owner_omitted = (c == ' ' || c == '\t');
                *entry_line = f->line;
                entry_start = f->off;
            }
            line_start = 0;
        }
        if (f->off >= f->len)
            break;
        if (f->off - entry_start > IK_ZONE_MAX_ENTRY)
            return zerr(zp, f, f->line, IK_ELIMIT, "entry longer than %d bytes", IK_ZONE_MAX_ENTRY);
        char c = f->text[f->off];
        switch (c) {
        case '\n':
            f->off++;
            f->line++;
            line_start = 1;
            if (!paren && *ntok > 0) {
                *got = 1;
                return IK_OK;
            }
            continue;
        case ' ':
        case '\t':
        case '\r': f->off++; continue;
        case ';':
            while (f->off < f->len && f->text[f->off] != '\n') {
                unsigned char cc = (unsigned char)f->text[f->off];
                if (cc == 0)
                    return bad_byte(zp, f, cc);
                f->off++;
            }
            continue;
        case '(':
            if (paren)
                return zerr(zp, f, f->line, IK_ESYNTAX, "nested '('");
            paren = 1;
            paren_line = f->line;
            f->off++;
            continue;
        case ')':
            if (!paren)
                return zerr(zp, f, f->line, IK_ESYNTAX, "')' without '('");
            paren = 0;
            f->off++;
            continue;
        default: break;
        }
        ztok t = { NULL, 0, f->line, 0 };
        if (c == '"') {
            size_t start = ++f->off;
            for (;;) {
                if (f->off >= f->len || f->text[f->off] == '\n')
                    return zerr(zp, f, t.line, IK_ESYNTAX, "unterminated quoted string");
                unsigned char cc = (unsigned char)f->text[f->off];
                if (cc == '"')
                    break;
                if (is_ctl(cc))
                    return bad_byte(zp, f, cc);
                if (cc == '\\') {
                    f->off++;
                    if (f->off >= f->len || f->text[f->off] == '\n')
                        return zerr(zp, f, t.line, IK_ESYNTAX, "unterminated quoted string");
                    if (is_ctl((unsigned char)f->text[f->off]))
                        return bad_byte(zp, f, (unsigned char)f->text[f->off]);
                }
                f->off++;
            }
            t.p = f->text + start;
            t.len = f->off - start;
            t.quoted = 1;
            f->off++; /* the closing quote */
        } else {
            size_t start = f->off;
            while (f->off < f->len && !is_delim(f->text[f->off])) {
                unsigned char cc = (unsigned char)f->text[f->off];
                if (is_ctl(cc))
                    return bad_byte(zp, f, cc);
                if (cc == '\\') {
                    f->off++;
                    if (f->off >= f->len || f->text[f->off] == '\n')
                        return zerr(zp, f, t.line, IK_ESYNTAX, "backslash at end of line");
                    if (is_ctl((unsigned char)f->text[f->off]))
                        return bad_byte(zp, f, (unsigned char)f->text[f->off]);
                }
                f->off++;
            }
            t.p = f->text + start;
            t.len = f->off - start;
        }
        if ((st = tok_push(zp, toks, ntok, &cap, t)) != IK_OK)
            return st;
    }
    if (paren)
        return zerr(zp, f, paren_line, IK_ESYNTAX, "'(' not closed before the end of the file");
    *got = *ntok > 0;
    return IK_OK;
}

/* ---- token interpretation ---------------------------------------------- */

/*
 * Applies \X and \DDD (RFC 1035 5.1) to a token.  out has room for t->len
 * bytes (escapes only shrink).  -1 for a bad \DDD.
 */
static int unescape(const ztok *t, uint8_t *out, size_t *outlen, int *escaped_dot)
{
    size_t n = 0;
    if (escaped_dot)
        *escaped_dot = 0;
    for (size_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->p[i];
        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        i++; /* the lexer guarantees a byte after each backslash */
        c = (unsigned char)t->p[i];
        if (c >= '0' && c <= '9') {
            if (t->len - i < 3)
                return -1;
            unsigned v = 0;
            for (int k = 0; k < 3; k++) {
                unsigned char d = (unsigned char)t->p[i + (size_t)k];
                if (d < '0' || d > '9')
                    return -1;
                v = v * 10 + (unsigned)(d - '0');
            }
            if (v > 255)
                return -1;
            i += 2;
            c = (unsigned char)v;
        }
        if (c == '.' && escaped_dot)
            *escaped_dot = 1;
        out[n++] = c;
    }
    *outlen = n;
    return 0;
}

static int tok_is(const ztok *t, const char *lit)
{
    return !t->quoted && ik_str_caseeq_c(ik_str_make(t->p, t->len), lit);
}

/*
 * A domain name token: "@", absolute (trailing dot) or relative to the
 * origin.  Result: lowercase, no trailing dot, "" for the root.
 */
static ik_status parse_name(zparser *zp, const zfile *f, const ztok *t, char *out, size_t *outlen)
{
    if (t->len == 1 && t->p[0] == '@' && !t->quoted) {
        memcpy(out, zp->st.origin, zp->st.originlen);
        *outlen = zp->st.originlen;
        return IK_OK;
    }
    if (t->len == 0)
        return tok_err(zp, f, t, IK_ESYNTAX, "empty domain name");
    if (t->len == 1 && t->p[0] == '.') {
        *outlen = 0;
        return IK_OK;
    }
    size_t n = 0, label = 0;
    int absolute = 0;
    for (size_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->p[i];
        if (c == '.') {
            if (label == 0)
                return tok_err(zp, f, t, IK_ESYNTAX, "empty label in domain name");
            if (i + 1 == t->len) {
                absolute = 1;
                break;
            }
            if (n >= IK_DNS_NAME_MAX)
                return tok_err(zp, f, t, IK_ESYNTAX, "domain name longer than 253 octets");
            out[n++] = '.';
            label = 0;
            continue;
        }
        if (c == '\\') {
            c = (unsigned char)t->p[++i];
            if (c >= '0' && c <= '9') {
                unsigned v = 0;
                for (int k = 0; k < 3; k++, i++) {
                    unsigned char d = i < t->len ? (unsigned char)t->p[i] : 0;
                    if (d < '0' || d > '9')
                        return tok_err(zp, f, t, IK_ESYNTAX, "bad \\DDD escape in");
                    v = v * 10 + (unsigned)(d - '0');
                }
                i--;
                if (v > 255)
                    return tok_err(zp, f, t, IK_ESYNTAX, "bad \\DDD escape in");
                c = (unsigned char)v;
            }
            if (c == '.')
                return tok_err(zp, f, t, IK_ESYNTAX,
                               "escaped '.' inside a label is not supported in");
        }
        if (++label > IK_DNS_LABEL_MAX)
            return tok_err(zp, f, t, IK_ESYNTAX, "label longer than 63 octets in");
        if (n >= IK_DNS_NAME_MAX)
            return tok_err(zp, f, t, IK_ESYNTAX, "domain name longer than 253 octets");
        out[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    if (!absolute && zp->st.originlen) {
        if (n + 1 + zp->st.originlen > IK_DNS_NAME_MAX)
            return tok_err(zp, f, t, IK_ESYNTAX,
                           "domain name longer than 253 octets with the origin:");
        out[n++] = '.';
        memcpy(out + n, zp->st.origin, zp->st.originlen);
        n += zp->st.originlen;
    }
    *outlen = n;
    return IK_OK;
}

/* Text name to uncompressed wire form. */
static void name_to_wire(ik_buf *b, const char *name, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || name[i] == '.') {
            if (i > start) {
                ik_buf_putc(b, (char)(i - start));
                ik_buf_append(b, name + start, i - start);
            }
            start = i + 1;
        }
    }
    ik_buf_putc(b, 0);
}

/*
 * A TTL: decimal seconds, or BIND-style units ("1h30m", "2d"; w d h m s).
 * RFC 2181 8: at most 2^31 - 1.
 */
static int parse_ttl(const ztok *t, uint32_t *out)
{
    uint64_t total = 0, cur = 0;
    int digits = 0, units = 0;
    if (t->quoted || t->len == 0)
        return -1;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->p[i];
        if (c >= '0' && c <= '9') {
            cur = cur * 10 + (uint64_t)(c - '0');
            digits = 1;
            if (cur > 0x7fffffff)
                return -1;
            continue;
        }
        uint64_t mul;
        switch (c) {
        case 's':
        case 'S': mul = 1; break;
        case 'm':
        case 'M': mul = 60; break;
        case 'h':
        case 'H': mul = 3600; break;
        case 'd':
        case 'D': mul = 86400; break;
        case 'w':
        case 'W': mul = 604800; break;
        default: return -1;
        }
        if (!digits)
            return -1;
        total += cur * mul;
        if (total > 0x7fffffff)
            return -1;
        cur = 0;
        digits = 0;
        units = 1;
    }
    if (digits)
        total += cur;
    else if (!units)
        return -1;
    if (total > 0x7fffffff)
        return -1;
    *out = (uint32_t)total;
    return 0;
}

static int parse_u32(const ztok *t, uint64_t max, uint64_t *out)
{
    if (t->quoted)
        return -1;
    return ik_str_to_u64(ik_str_make(t->p, t->len), max, out) == IK_OK ? 0 : -1;
}

/* The token at *i, or an error naming what is missing after the type. */
static ik_status need(zparser *zp, const zfile *f, const ztok *toks, size_t n, size_t *i,
                      const char *tname, const char *what, unsigned line, const ztok **out)
{
    if (*i >= n)
        return zerr(zp, f, line, IK_ESYNTAX, "%s record: missing %s", tname, what);
    *out = &toks[(*i)++];
    return IK_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 3597 5: \# length hex... (the \# token already consumed). */
static ik_status parse_generic(zparser *zp, const zfile *f, const ztok *toks, size_t n, size_t *i,
                               const char *tname, unsigned line, ik_buf *b)
{
    const ztok *t = NULL;
    uint64_t want;
    ik_status st;
    if ((st = need(zp, f, toks, n, i, tname, "RDATA length after \\#", line, &t)))
        return st;
    if (parse_u32(t, 65535, &want))
        return tok_err(zp, f, t, IK_ESYNTAX, "bad RFC 3597 RDATA length");
    size_t got = 0;
    int half = -1;
    for (; *i < n; (*i)++) {
        t = &toks[*i];
        for (size_t k = 0; k < t->len; k++) {
            int v = t->quoted ? -1 : hexval(t->p[k]);
            if (v < 0)
                return tok_err(zp, f, t, IK_ESYNTAX, "bad hex in RFC 3597 RDATA");
            if (half < 0) {
                half = v;
            } else {
                ik_buf_putc(b, (char)(half << 4 | v));
                half = -1;
                got++;
            }
            if (got > want)
                return tok_err(zp, f, t, IK_ESYNTAX, "more RDATA than its RFC 3597 length at");
        }
    }
    if (half >= 0)
        return zerr(zp, f, line, IK_ESYNTAX, "odd number of hex digits in RFC 3597 RDATA");
    if (got != want)
        return zerr(zp, f, line, IK_ESYNTAX, "RFC 3597 RDATA length %llu but %zu octets given",
                    (unsigned long long)want, got);
    return IK_OK;
}

static ik_status rdata_name(zparser *zp, const zfile *f, const ztok *t, ik_buf *b)
{
    char name[IK_DNS_NAME_MAX + 1];
    size_t len;
    ik_status st = parse_name(zp, f, t, name, &len);
    if (st == IK_OK)
        name_to_wire(b, name, len);
    return st;
}

/* TXT and SPF: one or more character-strings (RFC 1035 3.3.14). */
static ik_status parse_txt(zparser *zp, const zfile *f, const ztok *toks, size_t n, size_t *i,
                           const char *tname, unsigned line, ik_buf *b)
{
    if (*i >= n)
        return zerr(zp, f, line, IK_ESYNTAX, "%s record: missing character-string", tname);
    for (; *i < n; (*i)++) {
        const ztok *t = &toks[*i];
        uint8_t *s = ik_arena_alloc(zp->tmp, t->len ? t->len : 1);
        size_t slen;
        if (s == NULL)
            return IK_ENOMEM;
        if (unescape(t, s, &slen, NULL))
            return tok_err(zp, f, t, IK_ESYNTAX, "bad \\DDD escape in");
        if (slen > 255)
            return tok_err(zp, f, t, IK_ESYNTAX, "character-string longer than 255 octets:");
        ik_buf_putc(b, (char)slen);
        ik_buf_append(b, s, slen);
    }
    return IK_OK;
}

static ik_status parse_rdata(zparser *zp, const zfile *f, uint16_t type, const char *tname,
                             const ztok *toks, size_t n, size_t *i, unsigned line, ik_buf *b)
{
    const ztok *t = NULL;
    ik_status st;
    uint64_t v;
    ik_ip ip;
    if (*i < n && toks[*i].len == 2 && !toks[*i].quoted && memcmp(toks[*i].p, "\\#", 2) == 0) {
        (*i)++;
        return parse_generic(zp, f, toks, n, i, tname, line, b);
    }
    switch (type) {
    case IK_DNS_T_A:
    case IK_DNS_T_AAAA:
        if ((st = need(zp, f, toks, n, i, tname, "address", line, &t)))
            return st;
        if (t->quoted
            || (type == IK_DNS_T_A ? ik_ip_parse_v4(ik_str_make(t->p, t->len), &ip)
                                   : ik_ip_parse_v6(ik_str_make(t->p, t->len), &ip)))
            return tok_err(zp, f, t, IK_ESYNTAX,
                           type == IK_DNS_T_A ? "bad IPv4 address" : "bad IPv6 address");
        ik_buf_append(b, ip.a, type == IK_DNS_T_A ? 4 : 16);
        return IK_OK;
    case IK_DNS_T_MX:
        if ((st = need(zp, f, toks, n, i, tname, "preference", line, &t)))
            return st;
        if (parse_u32(t, 65535, &v))
            return tok_err(zp, f, t, IK_ESYNTAX, "bad MX preference");
        ik_buf_putc(b, (char)(v >> 8));
        ik_buf_putc(b, (char)(v & 0xff));
        if ((st = need(zp, f, toks, n, i, tname, "exchange name", line, &t)))
            return st;
        return rdata_name(zp, f, t, b);
    case IK_DNS_T_NS:
    case IK_DNS_T_CNAME:
    case IK_DNS_T_PTR:
        if ((st = need(zp, f, toks, n, i, tname, "domain name", line, &t)))
            return st;
        return rdata_name(zp, f, t, b);
    case IK_DNS_T_SOA: {
        static const char *const what[] = { "MNAME", "RNAME",  "SERIAL", "REFRESH",
                                            "RETRY", "EXPIRE", "MINIMUM" };
        for (int k = 0; k < 7; k++) {
            if ((st = need(zp, f, toks, n, i, tname, what[k], line, &t)))
                return st;
            if (k < 2) {
                if ((st = rdata_name(zp, f, t, b)))
                    return st;
                continue;
            }
            uint32_t u;
            if (k == 2 ? parse_u32(t, 0xffffffffu, &v) : parse_ttl(t, &u)) {
                char msg[32];
                snprintf(msg, sizeof(msg), "bad SOA %s", what[k]);
                return tok_err(zp, f, t, IK_ESYNTAX, msg);
            }
            if (k == 2)
                u = (uint32_t)v;
            uint8_t w[4] = { (uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8),
                             (uint8_t)u };
            ik_buf_append(b, w, 4);
        }
        return IK_OK;
    }
    case IK_DNS_T_TXT:
    case IK_DNS_T_SPF: return parse_txt(zp, f, toks, n, i, tname, line, b);
    default:
        return zerr(zp, f, line, IK_ESYNTAX,
                    "%s record: RDATA must be in RFC 3597 form (\\# length hex)", tname);
    }
}

/* ---- entries and directives --------------------------------------------- */

static ik_status parse_text(zparser *zp, zfile *f);

static ik_status read_file(zparser *zp, const zfile *from, unsigned line, const char *path,
                           char **text, size_t *len)
{
    const ik_allocator *al = ik__zone_allocator(zp->z);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        if (from)
            return zerr(zp, from, line, IK_EIO, "cannot read '%s': %s", path, strerror(e));
        if (zp->err && zp->errlen)
            snprintf(zp->err, zp->errlen, "%s: %s", path, strerror(e));
        return IK_EIO;
    }
    /* regular files only: a device or FIFO could be endless */
    if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > IK_ZONE_MAX_FILE - zp->total) {
        close(fd);
        ik_status st = S_ISREG(sb.st_mode) ? IK_ELIMIT : IK_EIO;
        const char *why =
            S_ISREG(sb.st_mode) ? "zone text over the size limit" : "not a regular file";
        if (from)
            return zerr(zp, from, line, st, "cannot read '%s': %s", path, why);
        if (zp->err && zp->errlen)
            snprintf(zp->err, zp->errlen, "%s: %s", path, why);
        return st;
    }
    size_t size = (size_t)sb.st_size;
    char *buf = ik_alloc(al, size ? size : 1);
    if (buf == NULL) {
        close(fd);
        return IK_ENOMEM;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* a file that shrank is read as far as it goes */
        got += (size_t)r;
    }
    close(fd);
    zp->total += got;
    *text = buf;
    *len = got;
    return IK_OK;
}

static ik_status do_include(zparser *zp, zfile *f, const ztok *toks, size_t n)
{
    const ztok *t = &toks[1];
    char path[PATH_MAX], rel[PATH_MAX];
    size_t plen;
    ik_status st;
    if (!ik__zone_include_allowed(zp->z))
        return zerr(zp, f, toks[0].line, IK_ESYNTAX, "$INCLUDE is disabled");
    if (n < 2)
        return zerr(zp, f, toks[0].line, IK_ESYNTAX, "$INCLUDE: missing file name");
    if (n > 3)
        return tok_err(zp, f, &toks[3], IK_ESYNTAX, "$INCLUDE: unexpected");
    if (t->len >= sizeof(rel))
        return tok_err(zp, f, t, IK_ELIMIT, "$INCLUDE: path too long:");
    if (unescape(t, (uint8_t *)rel, &plen, NULL) || plen == 0 || memchr(rel, 0, plen))
        return tok_err(zp, f, t, IK_ESYNTAX, "$INCLUDE: bad file name");
    rel[plen] = '\0';
    /* a relative path is taken from the including file's directory */
    const char *slash = strrchr(f->name, '/');
    if (rel[0] != '/' && slash) {
        int w = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - f->name), f->name, rel);
        if (w < 0 || (size_t)w >= sizeof(path))
            return tok_err(zp, f, t, IK_ELIMIT, "$INCLUDE: path too long:");
    } else {
        memcpy(path, rel, plen + 1);
    }
    if (f->depth + 1 > IK_ZONE_MAX_INCLUDE_DEPTH)
        return tok_err(zp, f, t, IK_ELIMIT, "$INCLUDE nested deeper than 8 files at");

    zstate saved = zp->st;
    if (n == 3) {
        char origin[IK_DNS_NAME_MAX + 1];
        size_t olen;
        if ((st = parse_name(zp, f, &toks[2], origin, &olen)))
            return st;
        memcpy(zp->st.origin, origin, olen);
        zp->st.originlen = olen;
    }
    char *real = realpath(path, NULL);
    if (real == NULL)
        return zerr(zp, f, t->line, IK_EIO, "cannot read '%s': %s", path, strerror(errno));
    for (const zfile *up = f; up; up = up->parent) {
        if (up->real && strcmp(up->real, real) == 0) {
            free(real);
            return tok_err(zp, f, t, IK_ESYNTAX, "$INCLUDE loop: this file is already being read:");
        }
    }
    char *text = NULL;
    size_t len = 0;
    st = read_file(zp, f, t->line, path, &text, &len);
    if (st == IK_OK) {
        zfile sub = { f, path, real, text, len, 0, 1, f->depth + 1 };
        st = parse_text(zp, &sub);
        ik_free(ik__zone_allocator(zp->z), text);
    }
    free(real); /* realpath's buffer comes from malloc */
    /* RFC 1035 5.1: an included file does not change the parent's origin */
    zp->st = saved;
    return st;
}

static ik_status do_failure(zparser *zp, const zfile *f, const ztok *toks, size_t n, int servfail)
{
    const char *dir = servfail ? "$SERVFAIL" : "$TIMEOUT";
    char name[IK_DNS_NAME_MAX + 1];
    size_t len;
    uint16_t type = 0;
    ik_status st;
    if (n < 2)
        return zerr(zp, f, toks[0].line, IK_ESYNTAX, "%s: missing domain name", dir);
    if (n > 3)
        return tok_err(zp, f, &toks[3], IK_ESYNTAX, "unexpected");
    if ((st = parse_name(zp, f, &toks[1], name, &len)))
        return st;
    if (n == 3) {
        type = toks[2].quoted ? 0 : ik_dns_type_from_name(ik_str_make(toks[2].p, toks[2].len));
        if (type == 0)
            return tok_err(zp, f, &toks[2], IK_ESYNTAX, "unknown type");
    }
    ik_str owner = len ? ik_str_make(name, len) : IK_STR_LIT(".");
    st = servfail ? ik_zone_add_servfail(zp->z, owner, type)
                  : ik_zone_add_failure(zp->z, owner, type, IK_DNS_TEMPFAIL);
    if (st == IK_EINVAL)
        return tok_err(zp, f, &toks[1], IK_ESYNTAX, "bad domain name");
    return st;
}

static ik_status do_directive(zparser *zp, zfile *f, const ztok *toks, size_t n)
{
    const ztok *d = &toks[0];
    ik_status st;
    if (tok_is(d, "$ORIGIN")) {
        char name[IK_DNS_NAME_MAX + 1];
        size_t len;
        if (n != 2)
            return n < 2 ? zerr(zp, f, d->line, IK_ESYNTAX, "$ORIGIN: missing domain name")
                         : tok_err(zp, f, &toks[2], IK_ESYNTAX, "unexpected");
        if ((st = parse_name(zp, f, &toks[1], name, &len)))
            return st;
        memcpy(zp->st.origin, name, len);
        zp->st.originlen = len;
        return IK_OK;
    }
    if (tok_is(d, "$TTL")) {
        uint32_t ttl;
        if (n != 2)
            return n < 2 ? zerr(zp, f, d->line, IK_ESYNTAX, "$TTL: missing TTL")
                         : tok_err(zp, f, &toks[2], IK_ESYNTAX, "unexpected");
        if (parse_ttl(&toks[1], &ttl))
            return tok_err(zp, f, &toks[1], IK_ESYNTAX, "bad TTL");
        zp->st.ttl = ttl;
        zp->st.ttl_from_dir = 1;
        return IK_OK;
    }
    if (tok_is(d, "$INCLUDE"))
        return do_include(zp, f, toks, n);
    if (tok_is(d, "$TIMEOUT"))
        return do_failure(zp, f, toks, n, 0);
    if (tok_is(d, "$SERVFAIL"))
        return do_failure(zp, f, toks, n, 1);
    return tok_err(zp, f, d, IK_ESYNTAX, "unknown directive");
}

static ik_status do_record(zparser *zp, zfile *f, const ztok *toks, size_t n, int owner_omitted,
                           unsigned line)
{
    char owner[IK_DNS_NAME_MAX + 1];
    size_t ownerlen, i = 0;
    ik_status st;
    if (owner_omitted) {
        if (!zp->st.have_owner)
            return tok_err(zp, f, &toks[0], IK_ESYNTAX,
                           "no owner name before the indented entry at");
        memcpy(owner, zp->st.owner, zp->st.ownerlen);
        ownerlen = zp->st.ownerlen;
    } else {
        if ((st = parse_name(zp, f, &toks[0], owner, &ownerlen)))
            return st;
        i = 1;
    }
    /* RFC 1035 5.1: [TTL] [class] or [class] [TTL], both optional */
    uint32_t ttl = zp->st.ttl;
    int have_ttl = 0, have_class = 0;
    while (i < n) {
        const ztok *t = &toks[i];
        if (!t->quoted && t->len && t->p[0] >= '0' && t->p[0] <= '9') {
            if (have_ttl || parse_ttl(t, &ttl))
                return tok_err(zp, f, t, IK_ESYNTAX, "bad TTL");
            have_ttl = 1;
        } else if (tok_is(t, "IN")) {
            if (have_class)
                return tok_err(zp, f, t, IK_ESYNTAX, "class given twice:");
            have_class = 1;
        } else if (tok_is(t, "CH") || tok_is(t, "HS") || tok_is(t, "CS")) {
            return tok_err(zp, f, t, IK_ESYNTAX, "only class IN is supported, not");
        } else {
            break;
        }
        i++;
    }
    if (i >= n)
        return tok_err(zp, f, &toks[n - 1], IK_ESYNTAX, "missing record type after");
    const ztok *tt = &toks[i++];
    uint16_t type = tt->quoted ? 0 : ik_dns_type_from_name(ik_str_make(tt->p, tt->len));
    if (type == 0 || type == IK_DNS_T_ANY)
        return tok_err(zp, f, tt, IK_ESYNTAX, "unknown record type");
    char tbuf[16];
    const char *tname = ik_dns_type_name(type, tbuf);

    ik_buf b;
    ik_buf_init(&b, zp->tmp, 65535);
    if ((st = parse_rdata(zp, f, type, tname, toks, n, &i, tt->line, &b)))
        return st;
    if (i < n)
        return tok_err(zp, f, &toks[i], IK_ESYNTAX, "unexpected text after the RDATA:");
    if ((st = ik_buf_error(&b)) != IK_OK) {
        if (st == IK_ELIMIT)
            return zerr(zp, f, line, IK_ESYNTAX, "%s record: RDATA longer than 65535 octets",
                        tname);
        return st;
    }
    /* RFC 1035 5.1: without $TTL, an omitted TTL is the last one given */
    if (have_ttl && !zp->st.ttl_from_dir)
        zp->st.ttl = ttl;
    ik_str o = ownerlen ? ik_str_make(owner, ownerlen) : IK_STR_LIT(".");
    ik_str rd = ik_buf_str(&b);
    st = ik_zone_add_rr(zp->z, o, type, ttl, (const uint8_t *)rd.p, rd.len);
    if (st == IK_ESYNTAX)
        return zerr(zp, f, line, IK_ESYNTAX, "%s record: RDATA is malformed for the type", tname);
    if (st == IK_EINVAL)
        return zerr(zp, f, line, IK_ESYNTAX, "bad owner name");
    if (st == IK_ELIMIT)
        return zerr(zp, f, line, IK_ELIMIT, "more than %d records", IK_ZONE_MAX_RECORDS);
    if (st != IK_OK)
        return st;
    memcpy(zp->st.owner, owner, ownerlen);
    zp->st.ownerlen = ownerlen;
    zp->st.have_owner = 1;
    return IK_OK;
}

static ik_status parse_text(zparser *zp, zfile *f)
{
    for (;;) {
        ztok *toks;
        size_t n;
        int omitted = 0, got;
        unsigned line = f->line;
        ik_arena_reset(zp->tmp);
        ik_status st = lex_entry(zp, f, &toks, &n, &omitted, &line, &got);
        if (st != IK_OK)
            return st;
        if (!got)
            return IK_OK;
        if (!omitted && !toks[0].quoted && toks[0].p[0] == '$')
            st = do_directive(zp, f, toks, n);
        else
            st = do_record(zp, f, toks, n, omitted, line);
        if (st != IK_OK)
            return st;
    }
}

static ik_status load(ik_zone *z, zfile *f, char *err, size_t errlen, size_t preread)
{
    zparser zp;
    memset(&zp, 0, sizeof(zp));
    zp.z = z;
    zp.err = err;
    zp.errlen = errlen;
    zp.total = preread;
    zp.st.ttl = IK_ZONE_DEFAULT_TTL;
    zp.tmp = ik_arena_new(ik__zone_allocator(z));
    if (zp.tmp == NULL)
        return IK_ENOMEM;
    ik_status st = parse_text(&zp, f);
    ik_arena_free(zp.tmp);
    if (st == IK_ENOMEM && err && errlen)
        snprintf(err, errlen, "%s: out of memory", f->name);
    return st;
}

ik_status ik_zone_load_mem(ik_zone *z, const char *name_for_errors, const char *text, size_t len,
                           char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (z == NULL || (text == NULL && len > 0))
        return IK_EINVAL;
    zfile f = { NULL, name_for_errors ? name_for_errors : "<zone>", NULL, text, len, 0, 1, 0 };
    if (len > IK_ZONE_MAX_FILE) {
        if (err && errlen)
            snprintf(err, errlen, "%s: zone text over the size limit", f.name);
        return IK_ELIMIT;
    }
    return load(z, &f, err, errlen, len);
}

ik_status ik_zone_load_file(ik_zone *z, const char *path, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (z == NULL || path == NULL)
        return IK_EINVAL;
    zparser probe;
    memset(&probe, 0, sizeof(probe));
    probe.z = z;
    probe.err = err;
    probe.errlen = errlen;
    char *text = NULL;
    size_t len = 0;
    ik_status st = read_file(&probe, NULL, 0, path, &text, &len);
    if (st != IK_OK)
        return st;
    char *real = realpath(path, NULL);
    zfile f = { NULL, path, real, text, len, 0, 1, 0 };
    st = load(z, &f, err, errlen, len);
    free(real);
    ik_free(ik__zone_allocator(z), text);
    return st;
}
