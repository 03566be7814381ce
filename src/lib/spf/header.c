/*
 * header.c - SPF result names (RFC 7208 2.6), the Received-SPF header
 * field (RFC 7208 9.1) and the spf part of Authentication-Results
 * (RFC 8601 2.7.2).
 *
 * Every value that reaches a header comes from the SMTP peer or from DNS,
 * so it is written as a dot-atom only when it is one, otherwise as a
 * quoted-string; comments escape '(' ')' '\'.  Control characters and
 * non-ASCII bytes become '?', so the result is always a well-formed,
 * 7-bit header.  Folding inserts CRLF before an existing space only, so
 * unfolding (RFC 5322 2.2.3) restores the text exactly.
 *
 * Ownership: results are arena strings.  Threads: no state.
 */
#include <string.h>

#include "spf/spf_int.h"

#define FOLD_AT 78

const char *ik_spf_result_name(ik_spf_result r)
{
    switch (r) {
    case IK_SPF_NONE: return "none";
    case IK_SPF_NEUTRAL: return "neutral";
    case IK_SPF_PASS: return "pass";
    case IK_SPF_FAIL: return "fail";
    case IK_SPF_SOFTFAIL: return "softfail";
    case IK_SPF_TEMPERROR: return "temperror";
    case IK_SPF_PERMERROR: return "permerror";
    }
    return "permerror";
}

static int is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* RFC 5322 3.2.3 dot-atom-text. */
static int is_dot_atom(ik_str s)
{
    if (s.len == 0 || s.p[0] == '.' || s.p[s.len - 1] == '.')
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '.') {
            if (s.p[i - 1] == '.')
                return 0;
        } else if (!is_atext(c)) {
            return 0;
        }
    }
    return 1;
}

static char safe(unsigned char c)
{
    return (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
}

static void put_quoted(ik_buf *b, ik_str s)
{
    ik_buf_putc(b, '"');
    for (size_t i = 0; i < s.len; i++) {
        char c = safe((unsigned char)s.p[i]);
        if (c == '"' || c == '\\')
            ik_buf_putc(b, '\\');
        ik_buf_putc(b, c);
    }
    ik_buf_putc(b, '"');
}

static void put_value(ik_buf *b, ik_str s)
{
    if (is_dot_atom(s))
        ik_buf_append_str(b, s);
    else
        put_quoted(b, s);
}

static void put_comment_text(ik_buf *b, ik_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = safe((unsigned char)s.p[i]);
        if (c == '(' || c == ')' || c == '\\')
            ik_buf_putc(b, '\\');
        ik_buf_putc(b, c);
    }
}

static void put_comment_c(ik_buf *b, const char *s)
{
    put_comment_text(b, ik_str_c(s));
}

static void kv(ik_buf *b, const char *key, ik_str value)
{
    ik_buf_putc(b, ' ');
    ik_buf_append_c(b, key);
    ik_buf_putc(b, '=');
    put_value(b, value);
    ik_buf_putc(b, ';');
}

/* Greedy folding before spaces so that no line passes FOLD_AT columns
 * unless a single word is longer. */
static ik_str fold(ik_arena *a, ik_str line)
{
    ik_buf b;
    ik_buf_init(&b, a, 0);
    size_t col = 0, i = 0;
    while (i <= line.len) {
        size_t j = i;
        while (j < line.len && line.p[j] != ' ')
            j++;
        size_t wlen = j - i;
        if (i == 0) {
            ik_buf_append(&b, line.p, wlen);
            col = wlen;
        } else if (col + 1 + wlen > FOLD_AT && col > 1) {
            ik_buf_append(&b, "\r\n ", 3);
            ik_buf_append(&b, line.p + i, wlen);
            col = 1 + wlen;
        } else {
            ik_buf_putc(&b, ' ');
            ik_buf_append(&b, line.p + i, wlen);
            col += 1 + wlen;
        }
        if (j >= line.len)
            break;
        i = j + 1;
    }
    if (ik_buf_error(&b))
        return IK_STR_NULL;
    return ik_buf_str(&b);
}

static const char *identity_key(ik_spf_scope scope)
{
    switch (scope) {
    case IK_SPF_SCOPE_HELO: return "helo";
    case IK_SPF_SCOPE_PRA: return "pra";
    default: return "mailfrom";
    }
}

ik_str ik_spf_received_spf(ik_arena *a, const ik_spf_params *p, const ik_spf_outcome *o)
{
    if (a == NULL || p == NULL || o == NULL)
        return IK_STR_NULL;
    ik_buf b;
    ik_buf_init(&b, a, 0);
    char ipt[IK_IP_TEXT_MAX];
    ik_ip ip = ik_ip_unmap(&p->ip);
    ik_str ips = ik_str_make(ipt, ik_ip_format(&ip, ipt));
    ik_str who = o->identity;
    if (p->scope == IK_SPF_SCOPE_HELO)
        who = p->helo;

    ik_buf_append_c(&b, "Received-SPF: ");
    ik_buf_append_c(&b, ik_spf_result_name(o->result));
    /* RFC 7208 9.1: the comment says, in words, what was decided */
    ik_buf_append_c(&b, " (");
    if (p->receiver.len) {
        put_comment_text(&b, p->receiver);
        ik_buf_append_c(&b, ": ");
    }
    switch (o->result) {
    case IK_SPF_PASS:
        put_comment_c(&b, "domain of ");
        put_comment_text(&b, who);
        put_comment_c(&b, " designates ");
        put_comment_text(&b, ips);
        put_comment_c(&b, " as permitted sender");
        break;
    case IK_SPF_FAIL:
    case IK_SPF_SOFTFAIL:
        put_comment_c(&b, o->result == IK_SPF_SOFTFAIL ? "domain of transitioning " : "domain of ");
        put_comment_text(&b, who);
        put_comment_c(&b, " does not designate ");
        put_comment_text(&b, ips);
        put_comment_c(&b, " as permitted sender");
        break;
    case IK_SPF_NEUTRAL:
        put_comment_text(&b, ips);
        put_comment_c(&b, " is neither permitted nor denied by domain of ");
        put_comment_text(&b, who);
        break;
    case IK_SPF_NONE:
        put_comment_c(&b, "domain of ");
        put_comment_text(&b, who);
        put_comment_c(&b, " does not designate permitted sender hosts");
        break;
    case IK_SPF_TEMPERROR:
        put_comment_c(&b, "temporary error in processing during lookup of ");
        put_comment_text(&b, who);
        break;
    case IK_SPF_PERMERROR:
        put_comment_c(&b, "permanent error in processing domain of ");
        put_comment_text(&b, o->domain.len ? o->domain : who);
        break;
    }
    ik_buf_putc(&b, ')');
    if (p->receiver.len)
        kv(&b, "receiver", p->receiver);
    kv(&b, "client-ip", ips);
    kv(&b, "envelope-from", p->scope == IK_SPF_SCOPE_HELO ? p->sender : o->identity);
    if (p->helo.len)
        kv(&b, "helo", p->helo);
    kv(&b, "identity", ik_str_c(identity_key(p->scope)));
    if (o->mechanism.len)
        kv(&b, "mechanism", o->mechanism);
    if (o->problem.len && (o->result == IK_SPF_PERMERROR || o->result == IK_SPF_TEMPERROR))
        kv(&b, "problem", o->problem);
    if (ik_buf_error(&b))
        return IK_STR_NULL;
    return fold(a, ik_buf_str(&b));
}

/* RFC 8601 2.7.2 pvalue: [local-part "@"] domain, else a quoted-string. */
static void put_pvalue(ik_buf *b, ik_str v)
{
    size_t at = v.len;
    while (at > 0 && v.p[at - 1] != '@')
        at--;
    ik_str local = at ? ik_str_make(v.p, at - 1) : IK_STR_NULL;
    ik_str dom = ik_str_make(v.p + at, v.len - at);
    if (is_dot_atom(dom) && (at == 0 || is_dot_atom(local)))
        ik_buf_append_str(b, v);
    else
        put_quoted(b, v);
}

ik_str ik_spf_authres(ik_arena *a, const ik_spf_params *p, const ik_spf_outcome *o)
{
    if (a == NULL || p == NULL || o == NULL)
        return IK_STR_NULL;
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ik_buf_append_c(&b, "spf=");
    ik_buf_append_c(&b, ik_spf_result_name(o->result));
    if (o->problem.len && (o->result == IK_SPF_PERMERROR || o->result == IK_SPF_TEMPERROR)) {
        ik_buf_append_c(&b, " reason=");
        put_quoted(&b, o->problem);
    }
    if (p->scope == IK_SPF_SCOPE_HELO) {
        ik_buf_append_c(&b, " smtp.helo=");
        put_pvalue(&b, p->helo);
    } else {
        ik_buf_append_c(&b, " smtp.mailfrom=");
        /* the address as given; without a local-part, the domain alone */
        ik_str v = o->identity;
        if (p->sender.len && (p->sender.p[0] == '@' || ik_str_chr(p->sender, '@') < 0))
            v = o->domain;
        put_pvalue(&b, v);
    }
    if (ik_buf_error(&b))
        return IK_STR_NULL;
    return ik_buf_str(&b);
}
