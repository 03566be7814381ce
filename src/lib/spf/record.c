/*
 * record.c - SPF record parser (RFC 7208 4.5, 4.6, 5, 6, 12) and the
 * Sender ID version/scope prefix (RFC 4406 3.3).
 *
 * The whole record is checked before any term is evaluated, so a syntax
 * error anywhere makes the result permerror even when an earlier term
 * would have matched (RFC 7208 4.6: "the entire record is checked for
 * syntax errors first"; test detect-errors-anywhere).  Terms are separated
 * by one or more SP only (4.6.1); any other byte, control characters and
 * non-ASCII included, is a syntax error wherever it appears.
 *
 * Pure: no DNS, no I/O; fuzzed by fuzz/spf_record.c.  Terms are views into
 * the record text, so the text must outlive the record (both are normally
 * in the same per-message arena).
 *
 * Ownership: arena.  Threads: no state.  Limits: IK_SPF_MAX_RECORD octets.
 */
#include <string.h>

#include "spf/spf_int.h"

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 7208 4.6.1: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static int is_name_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.';
}

int ik__spf_name_queryable(ik_str d)
{
    return ik_dns_name_check(d) == IK_OK;
}

int ik__spf_domain_is_fqdn(ik_str d)
{
    /* ik_dns_name_check, printable ASCII and the top label in one pass */
    d = ik__spf_strip_dot(d);
    if (d.len == 0 || d.len > IK_DNS_NAME_MAX)
        return 0;
    size_t label = 0, last_dot = d.len;
    for (size_t i = 0; i < d.len; i++) {
        unsigned char c = (unsigned char)d.p[i];
        if (c <= 0x20 || c >= 0x7f)
            return 0;
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            last_dot = i;
        } else if (++label > IK_DNS_LABEL_MAX) {
            return 0;
        }
    }
    if (label == 0 || last_dot == d.len)
        return 0; /* empty last label, or not multi-label (RFC 7208 4.3) */
    return ik__spf_toplabel_ok(ik_str_make(d.p + last_dot + 1, d.len - last_dot - 1));
}

int ik__spf_name_within(ik_str name, ik_str domain)
{
    name = ik__spf_strip_dot(name);
    domain = ik__spf_strip_dot(domain);
    if (name.len < domain.len)
        return 0;
    ik_str tail = ik_str_make(name.p + name.len - domain.len, domain.len);
    if (!ik_str_caseeq(tail, domain))
        return 0;
    return name.len == domain.len || name.p[name.len - domain.len - 1] == '.';
}

/* Parses a cidr-length value: no leading zeros (as for ip4-network), max. */
static int parse_cidr(ik_str digits, unsigned max, unsigned *out)
{
    if (digits.len == 0 || digits.len > 3 || (digits.len > 1 && digits.p[0] == '0'))
        return 0;
    unsigned v = 0;
    for (size_t i = 0; i < digits.len; i++) {
        if (!is_digit(digits.p[i]))
            return 0;
        v = v * 10 + (unsigned)(digits.p[i] - '0');
    }
    if (v > max)
        return 0;
    *out = v;
    return 1;
}

/*
 * Splits "domain-spec dual-cidr-length" from the right: a domain-spec may
 * itself contain '/' (test a-colon-domain: "foo:bar/baz.example.com"), so
 * only a trailing "/digits", "//digits" or "/digits//digits" is cidr.
 */
static void split_dual_cidr(ik_str s, ik_str *dom, ik_str *c4, ik_str *c6)
{
    size_t end = s.len, k = end;
    *c4 = IK_STR_NULL;
    *c6 = IK_STR_NULL;
    while (k > 0 && is_digit(s.p[k - 1]))
        k--;
    if (k < end && k >= 2 && s.p[k - 1] == '/' && s.p[k - 2] == '/') {
        *c6 = ik_str_make(s.p + k, end - k);
        end = k - 2;
        k = end;
        while (k > 0 && is_digit(s.p[k - 1]))
            k--;
    }
    if (k < end && k >= 1 && s.p[k - 1] == '/') {
        *c4 = ik_str_make(s.p + k, end - k);
        end = k - 1;
    }
    *dom = ik_str_make(s.p, end);
}

/*
 * A dotted quad exactly as ik_ip_parse_v4 takes it (1..3 digits per part,
 * no leading zero, at most 255), written out here because ip4 terms are the
 * bulk of big records.
 */
static int parse_quad(const char *p, size_t len, ik_ip *out)
{
    uint8_t b[4];
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || p[i] != '.')
                return 0;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && is_digit(p[i]) && i - start < 3)
            v = v * 10 + (unsigned)(p[i++] - '0');
        size_t n = i - start;
        if (n == 0 || v > 255 || (n > 1 && p[start] == '0'))
            return 0;
        b[part] = (uint8_t)v;
    }
    if (i != len)
        return 0;
    memset(out, 0, sizeof(*out));
    out->family = IK_IP_V4;
    memcpy(out->a, b, 4);
    return 1;
}

typedef struct parse_ctx {
    ik_arena *a;
    ik_str *problem;
    ik_str term;
} parse_ctx;

static ik_status fail(parse_ctx *c, const char *what, const char *why)
{
    if (c->problem) {
        char *t =
            why ? ik_arena_printf(c->a, "%s \"%.*s\": %s", what, (int)c->term.len, c->term.p, why)
                : ik_arena_printf(c->a, "%s \"%.*s\"", what, (int)c->term.len, c->term.p);
        *c->problem = t ? ik_str_c(t) : IK_STR_NULL;
    }
    return IK_ESYNTAX;
}

static ik_status parse_modifier(parse_ctx *c, ik_spf_record *r, ik_str name, ik_str value)
{
    const char *why = NULL;
    int has_macro = 0, uses_p = 0;
    if (ik_str_caseeq_c(name, "redirect") || ik_str_caseeq_c(name, "exp")) {
        int is_redirect = (name.len == 8);
        ik_str *slot = is_redirect ? &r->redirect : &r->exp;
        /* RFC 7208 6: each at most once, anywhere in the record */
        if (slot->p != NULL)
            return fail(c, is_redirect ? "duplicate redirect modifier" : "duplicate exp modifier",
                        NULL);
        if (ik__spf_domain_spec_check(value, &has_macro, &uses_p, &why))
            return fail(c, "invalid modifier", why);
        *slot = value;
        if (is_redirect) {
            r->redirect_has_macro = (uint8_t)has_macro;
            r->redirect_uses_p = (uint8_t)uses_p;
            r->dns_terms++;
        } else {
            r->exp_has_macro = (uint8_t)has_macro;
            r->exp_uses_p = (uint8_t)uses_p;
        }
        return IK_OK;
    }
    /* RFC 7208 6 / A: unknown-modifier = name "=" macro-string; ignored,
     * but its macro syntax must be valid (test unknown-modifier-syntax).
     * All macro letters are accepted, as the grammar has them. */
    if (ik__spf_macro_check(value, 1, NULL, NULL, &why))
        return fail(c, "invalid modifier", why);
    return IK_OK;
}

/* Mechanism name to kind, 0 when unknown; ASCII case-insensitive. */
static int mech_kind(ik_str n)
{
    char b[8];
    if (n.len == 0 || n.len > 7)
        return 0;
    for (size_t i = 0; i < n.len; i++)
        b[i] = (char)(n.p[i] | 0x20); /* letters and digits only reach here */
    switch (n.len) {
    case 1: return b[0] == 'a' ? IK_SPF_MECH_A : 0;
    case 2: return memcmp(b, "mx", 2) == 0 ? IK_SPF_MECH_MX : 0;
    case 3:
        if (memcmp(b, "all", 3) == 0)
            return IK_SPF_MECH_ALL;
        if (memcmp(b, "ptr", 3) == 0)
            return IK_SPF_MECH_PTR;
        if (memcmp(b, "ip4", 3) == 0)
            return IK_SPF_MECH_IP4;
        if (memcmp(b, "ip6", 3) == 0)
            return IK_SPF_MECH_IP6;
        return 0;
    case 6: return memcmp(b, "exists", 6) == 0 ? IK_SPF_MECH_EXISTS : 0;
    case 7: return memcmp(b, "include", 7) == 0 ? IK_SPF_MECH_INCLUDE : 0;
    default: return 0;
    }
}

static ik_status parse_mechanism(parse_ctx *c, ik_spf_record *r, ik_str t, ik__spf_term *m)
{
    size_t i = 0;
    const char *why = NULL;
    memset(m, 0, sizeof(*m));
    m->info.text = t;
    m->info.qualifier = IK_SPF_PASS;
    m->info.cidr4 = 32;
    m->info.cidr6 = 128;
    switch (t.p[0]) {
    case '+':
        m->info.qualifier = IK_SPF_PASS;
        i = 1;
        break;
    case '-':
        m->info.qualifier = IK_SPF_FAIL;
        i = 1;
        break;
    case '~':
        m->info.qualifier = IK_SPF_SOFTFAIL;
        i = 1;
        break;
    case '?':
        m->info.qualifier = IK_SPF_NEUTRAL;
        i = 1;
        break;
    default: break;
    }
    size_t n0 = i;
    while (i < t.len && (is_alpha(t.p[i]) || is_digit(t.p[i])))
        i++;
    ik_str name = ik_str_make(t.p + n0, i - n0);
    ik_str rest = ik_str_make(t.p + i, t.len - i);
    /* mechanism names are case-insensitive (RFC 7208 4.6.1, RFC 5234) */
    int kind = mech_kind(name);
    if (kind == IK_SPF_MECH_ALL) {
        m->info.mech = IK_SPF_MECH_ALL;
        if (rest.len)
            return fail(c, "invalid mechanism", "\"all\" takes no argument");
        r->has_all = 1;
        return IK_OK;
    }
    if (kind == IK_SPF_MECH_IP4 || kind == IK_SPF_MECH_IP6) {
        int v6 = kind == IK_SPF_MECH_IP6;
        m->info.mech = (ik_spf_mech)kind;
        if (rest.len < 2 || rest.p[0] != ':')
            return fail(c, "invalid mechanism", "missing address");
        ik_str net = ik_str_make(rest.p + 1, rest.len - 1);
        const char *slash = memchr(net.p, '/', net.len);
        ik_str digits = IK_STR_NULL;
        if (slash) {
            digits = ik_str_make(slash + 1, (size_t)(net.p + net.len - slash - 1));
            net.len = (size_t)(slash - net.p);
        }
        int ok = v6 ? ik_ip_parse_v6(net, &m->info.network) == IK_OK
                    : parse_quad(net.p, net.len, &m->info.network);
        if (!ok)
            return fail(c, "invalid mechanism", v6 ? "bad IPv6 network" : "bad IPv4 network");
        if (slash) {
            unsigned *len = v6 ? &m->info.cidr6 : &m->info.cidr4;
            if (!parse_cidr(digits, v6 ? 128 : 32, len))
                return fail(c, "invalid mechanism", "bad cidr-length");
        }
        return IK_OK;
    }
    if (kind == 0 || (rest.len && rest.p[0] != ':' && rest.p[0] != '/'))
        return fail(c, "unknown mechanism", NULL);
    m->info.mech = (ik_spf_mech)kind;
    r->dns_terms++;
    int need_domain = (kind == IK_SPF_MECH_INCLUDE || kind == IK_SPF_MECH_EXISTS);
    int takes_cidr = (kind == IK_SPF_MECH_A || kind == IK_SPF_MECH_MX);
    ik_str dom = IK_STR_NULL, c4 = IK_STR_NULL, c6 = IK_STR_NULL;
    if (takes_cidr) {
        split_dual_cidr(rest, &dom, &c4, &c6);
    } else {
        dom = rest;
    }
    if (dom.len > 0) {
        if (dom.p[0] != ':')
            return fail(c, "invalid mechanism",
                        takes_cidr ? "bad dual-cidr-length" : "unexpected characters");
        dom = ik_str_make(dom.p + 1, dom.len - 1);
        int has_macro = 0, uses_p = 0;
        if (ik__spf_domain_spec_check(dom, &has_macro, &uses_p, &why))
            return fail(c, "invalid mechanism", why);
        m->info.domain_spec = dom;
        m->has_macro = (uint8_t)has_macro;
        m->uses_p = (uint8_t)uses_p;
    } else if (need_domain) {
        return fail(c, "invalid mechanism", "missing domain-spec");
    }
    if (c4.p && !parse_cidr(c4, 32, &m->info.cidr4))
        return fail(c, "invalid mechanism", "bad ip4-cidr-length");
    if (c6.p && !parse_cidr(c6, 128, &m->info.cidr6))
        return fail(c, "invalid mechanism", "bad ip6-cidr-length");
    return IK_OK;
}

/* RFC 4406 3.3: "spf2." ver-minor "/" scope-id *( "," scope-id ). */
int ik__spf_v2_prefix(ik_str text, size_t *pos, unsigned *scopes)
{
    if (!ik_str_casestarts(text, "spf2.0/"))
        return 0;
    size_t i = 7;
    *scopes = 0;
    for (;;) {
        size_t s0 = i;
        if (i >= text.len || !is_alpha(text.p[i]))
            return 0;
        while (i < text.len && is_name_char(text.p[i]))
            i++;
        ik_str id = ik_str_make(text.p + s0, i - s0);
        if (ik_str_caseeq_c(id, "mfrom"))
            *scopes |= IK_SPF_SCOPEBIT_MFROM;
        else if (ik_str_caseeq_c(id, "pra"))
            *scopes |= IK_SPF_SCOPEBIT_PRA;
        /* other names are scopes of future documents (RFC 4406 3.3) */
        if (i < text.len && text.p[i] == ',') {
            i++;
            continue;
        }
        break;
    }
    if (i < text.len && text.p[i] != ' ')
        return 0;
    *pos = i;
    return 1;
}

ik_status ik_spf_record_parse(ik_arena *a, ik_str text, ik_spf_record **out, ik_str *problem)
{
    parse_ctx c = { a, problem, text };
    if (problem)
        *problem = IK_STR_NULL;
    if (a == NULL || out == NULL || (text.p == NULL && text.len))
        return IK_EINVAL;
    *out = NULL;
    if (text.len > IK_SPF_MAX_RECORD) {
        if (problem)
            *problem = IK_STR_LIT("record longer than 4096 octets");
        return IK_ESYNTAX;
    }
    ik_spf_record *r = ik_arena_calloc(a, 1, sizeof(*r));
    if (r == NULL)
        return IK_ENOMEM;
    r->text = text;
    size_t pos;
    if (ik_str_casestarts(text, "v=spf1") && (text.len == 6 || text.p[6] == ' ')) {
        r->version = 1;
        r->scopes = IK_SPF_SCOPEBIT_MFROM | IK_SPF_SCOPEBIT_PRA;
        pos = 6;
    } else if (ik_str_casestarts(text, "spf2.0")) {
        r->version = 2;
        if (!ik__spf_v2_prefix(text, &pos, &r->scopes)) {
            c.term = ik_str_make(text.p, 0);
            while (c.term.len < text.len && text.p[c.term.len] != ' ')
                c.term.len++;
            return fail(&c, "invalid version", "expected spf2.0/<scope>,...");
        }
    } else {
        if (problem)
            *problem = IK_STR_LIT("not an SPF record (no \"v=spf1\" version)");
        return IK_ESYNTAX;
    }
    /*
     * Terms go to a local array first and are copied to the arena once the
     * record is known good; records with more terms than it holds grow into
     * the arena.  Terms are separated by SP only (RFC 7208 4.6.1).
     */
    ik__spf_term local[IK_SPF_PARSE_LOCAL_TERMS];
    ik__spf_term *terms = local;
    size_t cap = IK_SPF_PARSE_LOCAL_TERMS;
    const char *p = text.p + pos, *end = text.p + text.len;
    while (p < end) {
        if (*p == ' ') {
            p++;
            continue; /* RFC 7208 4.5: record = version terms *SP */
        }
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *te = sp ? sp : end;
        ik_str t = ik_str_make(p, (size_t)(te - p));
        p = te;
        c.term = t;
        /* modifier: name "=" ...  (RFC 7208 4.6.1); a mechanism name is the
         * alphanumeric run that starts a modifier name as well */
        size_t k = 0;
        if (is_alpha(t.p[0])) {
            while (k < t.len && is_name_char(t.p[k]))
                k++;
        }
        ik_status st;
        if (k > 0 && k < t.len && t.p[k] == '=') {
            st =
                parse_modifier(&c, r, ik_str_make(t.p, k), ik_str_make(t.p + k + 1, t.len - k - 1));
        } else {
            if (r->nterms == cap) {
                ik__spf_term *nt = ik_arena_alloc(a, cap * 2 * sizeof(*nt));
                if (nt == NULL)
                    return IK_ENOMEM;
                memcpy(nt, terms, cap * sizeof(*nt));
                terms = nt;
                cap *= 2;
            }
            st = parse_mechanism(&c, r, t, &terms[r->nterms]);
            if (st == IK_OK)
                r->nterms++;
        }
        if (st)
            return st;
    }
    if (terms == local) {
        r->terms = ik_arena_alloc(a, (r->nterms ? r->nterms : 1) * sizeof(*r->terms));
        if (r->terms == NULL)
            return IK_ENOMEM;
        if (r->nterms)
            memcpy(r->terms, local, r->nterms * sizeof(*r->terms));
    } else {
        r->terms = terms;
    }
    *out = r;
    return IK_OK;
}

int ik_spf_record_version(const ik_spf_record *r)
{
    return r ? r->version : 0;
}

unsigned ik_spf_record_scopes(const ik_spf_record *r)
{
    return r ? r->scopes : 0;
}

size_t ik_spf_record_nterms(const ik_spf_record *r)
{
    return r ? r->nterms : 0;
}

const ik_spf_term_info *ik_spf_record_term(const ik_spf_record *r, size_t i)
{
    if (r == NULL || i >= r->nterms)
        return NULL;
    return &r->terms[i].info;
}

ik_str ik_spf_record_redirect(const ik_spf_record *r)
{
    return r && r->redirect.p ? r->redirect : ik_str_make("", 0);
}

ik_str ik_spf_record_exp(const ik_spf_record *r)
{
    return r && r->exp.p ? r->exp : ik_str_make("", 0);
}

unsigned ik_spf_record_dns_terms(const ik_spf_record *r)
{
    return r ? r->dns_terms : 0;
}
