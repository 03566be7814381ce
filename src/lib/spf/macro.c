/*
 * macro.c - SPF macro-string checking and expansion (RFC 7208 7).
 *
 * Implements RFC 7208 7.1 (syntax: macro-expand, macro-literal, the letters
 * and transformers), 7.2 (which letters exist and that c, r, t belong to
 * explanation strings only), 7.3 (transformers, delimiters, URL escaping of
 * uppercase letters, the 253-octet left truncation of expanded domain
 * names) and the %% %_ %- escapes.
 *
 * Input is always (pointer, length): macro-strings come from DNS and may
 * hold any byte.  Output goes to an ik_buf with a cap, so a string of many
 * %{s} cannot grow without bound.
 *
 * Ownership: results live in the caller's arena.  Threads: no state.
 * Limits: IK_SPF_MAX_EXPANSION octets of output; digit transformers above
 * 128 act as "all parts" (no domain has that many labels).
 *
 * One deliberate case choice: RFC 7208 7.4 shows lowercase nibbles for an
 * IPv6 %{i} in a domain-spec, while the reference implementation (pyspf)
 * and the openspf suite (test v-macro-ip6) expect uppercase nibbles in
 * explanation text.  DNS is case-insensitive, so only explanations can
 * tell; we follow 7.4 in domain-specs and the suite in explanations.
 */
#include <stdio.h>
#include <string.h>

#include "spf/spf_int.h"

static int is_delim(char c)
{
    /* RFC 7208 7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "=" */
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

static int is_letter(char c, int explain)
{
    switch (c | 0x20) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v': return 1;
    case 'c':
    case 'r':
    case 't': return explain; /* RFC 7208 7.2: explanation strings only */
    default: return 0;
    }
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One parsed %{...} expand. */
typedef struct macro_item {
    char letter;     /* as written; uppercase = URL-escape */
    unsigned digits; /* 0 = keep all parts */
    int reverse;
    ik_str delims; /* empty = "." */
} macro_item;

/*
 * Parses the macro-expand that starts at s.p[*i] == '%'.  Returns 0 on a
 * syntax error.  kind: 'm' for %{..}, or '%', '_', '-' for the escapes.
 */
static int parse_expand(ik_str s, size_t *i, int explain, char *kind, macro_item *m,
                        const char **why)
{
    size_t k = *i + 1;
    if (k >= s.len) {
        *why = "'%' at the end of a macro-string";
        return 0;
    }
    char c = s.p[k];
    if (c == '%' || c == '_' || c == '-') {
        *kind = c;
        *i = k + 1;
        return 1;
    }
    if (c != '{') {
        *why = "'%' not followed by '{', '%', '_' or '-'";
        return 0;
    }
    k++;
    if (k >= s.len || !is_alpha(s.p[k])) {
        *why = "missing macro letter";
        return 0;
    }
    if (!is_letter(s.p[k], explain)) {
        *why = is_letter(s.p[k], 1) ? "macro letters c, r and t are only allowed in "
                                      "explanations"
                                    : "unknown macro letter";
        return 0;
    }
    m->letter = s.p[k++];
    m->digits = 0;
    m->reverse = 0;
    size_t d0 = k;
    while (k < s.len && s.p[k] >= '0' && s.p[k] <= '9') {
        if (m->digits < 1000)
            m->digits = m->digits * 10 + (unsigned)(s.p[k] - '0');
        k++;
    }
    if (k > d0 && m->digits == 0) {
        /* RFC 7208 7.3: "If a DIGIT is specified, the value MUST be nonzero." */
        *why = "zero digit transformer";
        return 0;
    }
    if (k < s.len && (s.p[k] == 'r' || s.p[k] == 'R')) {
        m->reverse = 1;
        k++;
    }
    size_t dstart = k;
    while (k < s.len && is_delim(s.p[k]))
        k++;
    m->delims = ik_str_make(s.p + dstart, k - dstart);
    if (k >= s.len || s.p[k] != '}') {
        *why = "malformed macro (expected '}')";
        return 0;
    }
    *kind = 'm';
    *i = k + 1;
    return 1;
}

/* RFC 7208 7.1 macro-literal = %x21-24 / %x26-7E; explain-string adds SP. */
static int literal_ok(unsigned char c, int explain)
{
    if (c == ' ')
        return explain;
    return c >= 0x21 && c <= 0x7e && c != '%';
}

ik_status ik__spf_macro_check(ik_str spec, int explain, size_t *last_expand_end, int *uses_p,
                              const char **why)
{
    size_t i = 0, last = 0;
    int p = 0;
    while (i < spec.len) {
        unsigned char c = (unsigned char)spec.p[i];
        if (c == '%') {
            char kind;
            macro_item m;
            if (!parse_expand(spec, &i, explain, &kind, &m, why))
                return IK_ESYNTAX;
            if (kind == 'm' && (m.letter | 0x20) == 'p')
                p = 1;
            last = i;
        } else if (literal_ok(c, explain)) {
            i++;
        } else {
            *why = c >= 0x80 ? "non-ASCII character" : "invalid character";
            return IK_ESYNTAX;
        }
    }
    if (last_expand_end)
        *last_expand_end = last;
    if (uses_p)
        *uses_p = p;
    return IK_OK;
}

int ik__spf_toplabel_ok(ik_str l)
{
    /* toplabel = ( *alphanum ALPHA *alphanum ) /
     *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
    if (l.len == 0 || l.p[0] == '-' || l.p[l.len - 1] == '-')
        return 0;
    int alpha = 0, dash = 0;
    for (size_t i = 0; i < l.len; i++) {
        char c = l.p[i];
        if (is_alpha(c))
            alpha = 1;
        else if (c == '-')
            dash = 1;
        else if (c < '0' || c > '9')
            return 0;
    }
    return alpha || dash;
}

ik_status ik__spf_domain_spec_check(ik_str spec, int *has_macro, int *uses_p, const char **why)
{
    size_t last = 0;
    int p = 0;
    if (spec.len == 0) {
        *why = "empty domain-spec";
        return IK_ESYNTAX;
    }
    const char *pct = memchr(spec.p, '%', spec.len);
    if (pct != NULL) {
        if (ik__spf_macro_check(spec, 0, &last, &p, why))
            return IK_ESYNTAX;
    } else {
        /* no macro: every octet must be a macro-literal (RFC 7208 7.1) */
        for (size_t i = 0; i < spec.len; i++) {
            unsigned char c = (unsigned char)spec.p[i];
            if (c < 0x21 || c > 0x7e) {
                *why = c >= 0x80 ? "non-ASCII character" : "invalid character";
                return IK_ESYNTAX;
            }
        }
    }
    if (has_macro)
        *has_macro = pct != NULL;
    if (uses_p)
        *uses_p = p;
    if (last == spec.len)
        return IK_OK; /* domain-end = macro-expand */
    /* domain-end = "." toplabel [ "." ], all literal, after the last expand */
    ik_str tail = ik_str_make(spec.p + last, spec.len - last);
    tail = ik__spf_strip_dot(tail);
    size_t dot = tail.len;
    while (dot > 0 && tail.p[dot - 1] != '.')
        dot--;
    if (dot == 0) {
        *why = "domain-spec does not end in a macro or \".\" toplabel";
        return IK_ESYNTAX;
    }
    if (!ik__spf_toplabel_ok(ik_str_make(tail.p + dot, tail.len - dot))) {
        *why = "invalid top label in domain-spec";
        return IK_ESYNTAX;
    }
    return IK_OK;
}

static const char unreserved_tab[] = "-._~";

static void put_escaped(ik_buf *b, const char *p, size_t n, int escape)
{
    if (!escape) {
        ik_buf_append(b, p, n);
        return;
    }
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        /* RFC 7208 7.3 uses RFC 3986 unreserved: ALPHA DIGIT - . _ ~ */
        if (is_alpha((char)c) || (c >= '0' && c <= '9') || (c && strchr(unreserved_tab, c))) {
            ik_buf_putc(b, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            ik_buf_append(b, e, 3);
        }
    }
}

static int in_set(char c, ik_str set)
{
    if (set.len == 0)
        return c == '.';
    for (size_t i = 0; i < set.len; i++)
        if (set.p[i] == c)
            return 1;
    return 0;
}

/*
 * RFC 7208 7.3: split value on the delimiters, reverse if asked, keep the
 * rightmost `digits` parts, join with ".".  Done in place without a parts
 * array: the rightmost N parts of the reversed list are the first N parts
 * of the original, emitted back to front.
 */
static void transform(ik_buf *b, ik_str v, const macro_item *m, int escape)
{
    /* the usual %{d}, %{i}: split on "." and joined with "." is the value */
    if (!m->reverse && m->digits == 0
        && (m->delims.len == 0 || (m->delims.len == 1 && m->delims.p[0] == '.'))) {
        put_escaped(b, v.p, v.len, escape);
        return;
    }
    size_t nparts = 1;
    for (size_t i = 0; i < v.len; i++)
        if (in_set(v.p[i], m->delims))
            nparts++;
    size_t keep = (m->digits == 0 || m->digits >= nparts) ? nparts : m->digits;
    if (!m->reverse) {
        /* skip the first nparts-keep parts */
        size_t skip = nparts - keep, i = 0;
        while (skip > 0 && i < v.len) {
            if (in_set(v.p[i], m->delims))
                skip--;
            i++;
        }
        size_t start = i;
        for (; i <= v.len; i++) {
            if (i == v.len || in_set(v.p[i], m->delims)) {
                put_escaped(b, v.p + start, i - start, escape);
                if (i < v.len)
                    ik_buf_putc(b, '.');
                start = i + 1;
            }
        }
        return;
    }
    /* find the end of the first `keep` parts */
    size_t end = 0, seen = 0;
    for (end = 0; end < v.len; end++) {
        if (in_set(v.p[end], m->delims) && ++seen == keep)
            break;
    }
    /* emit parts of v[0..end) from right to left */
    size_t stop = end, i = end;
    for (;;) {
        if (i == 0 || in_set(v.p[i - 1], m->delims)) {
            put_escaped(b, v.p + i, stop - i, escape);
            if (i == 0)
                break;
            ik_buf_putc(b, '.');
            stop = i - 1;
        }
        i--;
    }
}

ik_status ik__spf_macro_expand_buf(ik_buf *b, ik_str spec, const ik_spf_macro_env *env, int explain,
                                   const char **why)
{
    size_t i = 0;
    while (i < spec.len) {
        unsigned char c = (unsigned char)spec.p[i];
        if (c != '%') {
            if (!literal_ok(c, explain)) {
                *why = c >= 0x80 ? "non-ASCII character" : "invalid character";
                return IK_ESYNTAX;
            }
            /* copy the literal run in one go */
            size_t j = i + 1;
            while (j < spec.len && spec.p[j] != '%'
                   && literal_ok((unsigned char)spec.p[j], explain))
                j++;
            ik_buf_append(b, spec.p + i, j - i);
            i = j;
            continue;
        }
        char kind;
        macro_item m;
        if (!parse_expand(spec, &i, explain, &kind, &m, why))
            return IK_ESYNTAX;
        if (kind == '%') {
            ik_buf_putc(b, '%');
            continue;
        }
        if (kind == '_') {
            ik_buf_putc(b, ' ');
            continue;
        }
        if (kind == '-') {
            ik_buf_append(b, "%20", 3);
            continue;
        }
        char tmp[IK_IP_TEXT_MAX];
        ik_str v = IK_STR_NULL;
        char lc = (char)(m.letter | 0x20);
        switch (lc) {
        case 's': v = env->sender; break;
        case 'l': v = env->local; break;
        case 'o': v = env->sender_domain; break;
        case 'd': v = env->domain; break;
        case 'h': v = env->helo; break;
        case 'p': v = env->ptr.len ? env->ptr : IK_STR_LIT("unknown"); break;
        case 'r': v = env->receiver.len ? env->receiver : IK_STR_LIT("unknown"); break;
        case 'v': v = env->ip.family == IK_IP_V6 ? IK_STR_LIT("ip6") : IK_STR_LIT("in-addr"); break;
        case 'i': {
            size_t n = ik_ip_format_dotted(&env->ip, explain, tmp);
            v = ik_str_make(tmp, n);
            break;
        }
        case 'c': {
            size_t n = ik_ip_format(&env->ip, tmp);
            v = ik_str_make(tmp, n);
            break;
        }
        case 't': {
            int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)env->now);
            v = ik_str_make(tmp, n > 0 ? (size_t)n : 0);
            break;
        }
        default: *why = "unknown macro letter"; return IK_ESYNTAX;
        }
        if (v.p == NULL)
            v = ik_str_make("", 0);
        transform(b, v, &m, m.letter != lc);
    }
    if (ik_buf_error(b)) {
        *why = "macro expansion too long";
        return ik_buf_error(b) == IK_ENOMEM ? IK_ENOMEM : IK_ELIMIT;
    }
    return IK_OK;
}

/* RFC 7208 7.3: drop labels from the left until at most 253 octets remain. */
static ik_str truncate_left(ik_str s)
{
    s = ik__spf_strip_dot(s);
    while (s.len > IK_DNS_NAME_MAX) {
        const char *dot = memchr(s.p, '.', s.len);
        if (dot == NULL)
            return ik_str_make(s.p + s.len, 0);
        s.len -= (size_t)(dot + 1 - s.p);
        s.p = dot + 1;
    }
    return s;
}

ik_status ik_spf_macro_expand(ik_arena *a, ik_str spec, const ik_spf_macro_env *env, int explain,
                              int domain_spec, ik_str *out, ik_str *problem)
{
    const char *why = NULL;
    if (a == NULL || env == NULL || out == NULL || (spec.p == NULL && spec.len))
        return IK_EINVAL;
    *out = ik_str_make("", 0);
    if (problem)
        *problem = IK_STR_NULL;
    ik_buf b;
    ik_buf_init(&b, a, IK_SPF_MAX_EXPANSION);
    ik_status st = ik__spf_macro_expand_buf(&b, spec, env, explain, &why);
    if (st) {
        if (problem && why)
            *problem = ik_str_c(why);
        return st;
    }
    ik_str r = ik_buf_str(&b);
    if (domain_spec)
        r = truncate_left(r);
    *out = r;
    return IK_OK;
}

ik_str ik__spf_truncate_domain(ik_str s)
{
    return truncate_left(s);
}
