/*
 * parse.c - DKIM-Signature fields (RFC 6376 3.5, 6.1.1) and key records
 * (RFC 6376 3.6.1, RFC 8463 4): pure parsing, no clock, no DNS.
 *
 * Both go through the shared tag=value parser (RFC 6376 3.2).  Every error
 * names the tag so the permerror reason tells an operator what to fix.
 * Ownership: everything is arena memory; views point into the caller's
 * field or record, which must outlive the result.  Threads: no state.
 * Limits: IK_DKIM_MAX_TAGS tags, IK_DKIM_MAX_H h= entries,
 * IK_DKIM_MAX_DIGITS digits in numbers.
 */
#include <string.h>

#include "dkim_int.h"
#include "inkan/base64.h"
#include "inkan/tagvalue.h"

const char *ik_dkim_result_name(ik_dkim_result r)
{
    switch (r) {
    case IK_DKIM_NONE: return "none";
    case IK_DKIM_PASS: return "pass";
    case IK_DKIM_FAIL: return "fail";
    case IK_DKIM_NEUTRAL: return "neutral";
    case IK_DKIM_POLICY: return "policy";
    case IK_DKIM_TEMPERROR: return "temperror";
    case IK_DKIM_PERMERROR: return "permerror";
    }
    return "unknown";
}

const char *ik_dkim_alg_name(ik_dkim_alg alg)
{
    switch (alg) {
    case IK_DKIM_ALG_RSA_SHA1: return "rsa-sha1";
    case IK_DKIM_ALG_RSA_SHA256: return "rsa-sha256";
    case IK_DKIM_ALG_ED25519_SHA256: return "ed25519-sha256";
    }
    return "unknown";
}

ik_hash_alg ik_dkim_alg_hash(ik_dkim_alg alg)
{
    return alg == IK_DKIM_ALG_RSA_SHA1 ? IK_HASH_SHA1 : IK_HASH_SHA256;
}

ik_key_type ik_dkim_alg_key(ik_dkim_alg alg)
{
    return alg == IK_DKIM_ALG_ED25519_SHA256 ? IK_KEY_ED25519 : IK_KEY_RSA;
}

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int ik__dkim_domain_ok(ik_str d, int selector)
{
    /* RFC 6376 3.5: domain-name = sub-domain 1*("." sub-domain) and
     * selector = sub-domain *("." sub-domain); sub-domain (RFC 5321) is
     * Let-dig [Ldh-str].  Selectors also get "_", which real ones use. */
    if (d.len == 0 || d.len > IK_DNS_NAME_MAX)
        return 0;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= d.len; i++) {
        if (i < d.len && d.p[i] != '.') {
            unsigned char c = (unsigned char)d.p[i];
            if (!is_alnum(c) && c != '-' && !(selector && c == '_'))
                return 0;
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > IK_DNS_LABEL_MAX)
            return 0;
        if (d.p[start] == '-' || d.p[i - 1] == '-')
            return 0;
        labels++;
        start = i + 1;
    }
    return selector || labels >= 2;
}

static ik_status fail(ik_arena *a, ik_str *why, const char *fmt, ik_str tag)
{
    if (why != NULL) {
        int n = (int)(tag.len > 60 ? 60 : tag.len);
        char *m = ik_arena_printf(a, fmt, n, tag.p ? tag.p : "");
        *why = m ? ik_str_c(m) : IK_STR_LIT("out of memory");
    }
    return IK_ESYNTAX;
}

/* Unsigned decimal, 1..IK_DKIM_MAX_DIGITS digits; UINT64_MAX on overflow. */
static int parse_number(ik_str v, uint64_t *out)
{
    if (v.len == 0 || v.len > IK_DKIM_MAX_DIGITS)
        return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c < '0' || c > '9')
            return 0;
        if (x > (UINT64_MAX - (c - '0')) / 10)
            x = UINT64_MAX;
        else if (x != UINT64_MAX)
            x = x * 10 + (c - '0');
    }
    *out = x;
    return 1;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* RFC 6376 2.11 dkim-quoted-printable: "=XX" escapes, FWS dropped. */
static int qp_decode(ik_arena *a, ik_str v, ik_str *out)
{
    char *d = ik_arena_alloc(a, v.len + 1);
    if (d == NULL)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (is_ws(c))
            continue;
        if (c == '=') {
            if (v.len - i < 3)
                return 0; /* "=" needs two hex digits */
            int h = hexval((unsigned char)v.p[i + 1]), l = hexval((unsigned char)v.p[i + 2]);
            if (h < 0 || l < 0)
                return 0;
            d[n++] = (char)(h * 16 + l);
            i += 2;
            continue;
        }
        if (c < 0x21 || c > 0x7e || c == ';')
            return 0;
        d[n++] = (char)c;
    }
    d[n] = '\0';
    *out = ik_str_make(d, n);
    return 1;
}

/* d is sub equal to or a subdomain of parent (ASCII case-insensitive). */
static int domain_within(ik_str sub, ik_str parent)
{
    if (sub.len < parent.len)
        return 0;
    ik_str tail = ik_str_make(sub.p + sub.len - parent.len, parent.len);
    if (!ik_str_caseeq(tail, parent))
        return 0;
    return sub.len == parent.len || sub.p[sub.len - parent.len - 1] == '.';
}

static ik_status parse_canon(ik_str v, ik_dkim_canon *h, ik_dkim_canon *b)
{
    long slash = ik_str_chr(v, '/');
    ik_str hs = slash < 0 ? v : ik_str_make(v.p, (size_t)slash);
    ik_str bs =
        slash < 0 ? IK_STR_LIT("simple") : ik_str_make(v.p + slash + 1, v.len - (size_t)slash - 1);
    ik_str parts[2] = { hs, bs };
    ik_dkim_canon *outs[2] = { h, b };
    for (int i = 0; i < 2; i++) {
        if (ik_str_caseeq_c(parts[i], "simple"))
            *outs[i] = IK_DKIM_CANON_SIMPLE;
        else if (ik_str_caseeq_c(parts[i], "relaxed"))
            *outs[i] = IK_DKIM_CANON_RELAXED;
        else
            return IK_ESYNTAX;
    }
    return IK_OK;
}

/* RFC 5322 ftext: printable US-ASCII except ':'. */
static int field_name_ok(ik_str n)
{
    if (n.len == 0)
        return 0;
    for (size_t i = 0; i < n.len; i++) {
        unsigned char c = (unsigned char)n.p[i];
        if (c < 33 || c > 126 || c == ':')
            return 0;
    }
    return 1;
}

/* Slots of the DKIM-Signature tags (RFC 6376 3.5) that the parser reads. */
enum { T_V, T_A, T_B, T_BH, T_C, T_D, T_H, T_I, T_L, T_Q, T_S, T_T, T_X, T_Z, T_COUNT };

static int sig_tag_slot(ik_str n)
{
    if (n.len == 2)
        return n.p[0] == 'b' && n.p[1] == 'h' ? T_BH : -1;
    if (n.len != 1)
        return -1;
    switch (n.p[0]) {
    case 'v': return T_V;
    case 'a': return T_A;
    case 'b': return T_B;
    case 'c': return T_C;
    case 'd': return T_D;
    case 'h': return T_H;
    case 'i': return T_I;
    case 'l': return T_L;
    case 'q': return T_Q;
    case 's': return T_S;
    case 't': return T_T;
    case 'x': return T_X;
    case 'z': return T_Z;
    }
    return -1;
}

/* value without whitespace: the value itself when it has none (most b=
 * values are folded, so most are copied), else an arena copy. */
static ik_str value_nows(ik_arena *a, ik_str v)
{
    for (size_t i = 0; i < v.len; i++)
        if (is_ws((unsigned char)v.p[i]))
            return ik_tag_value_nows(a, v);
    return v;
}

ik_status ik_dkim_sig_parse(ik_arena *a, ik_str field, unsigned flags, ik_dkim_sig *out,
                            ik_str *why)
{
    memset(out, 0, sizeof(*out));
    if (why)
        *why = IK_STR_NULL;
    field = ik__dkim_strip_eol(field);
    out->field = field;
    if (field.len > IK_DKIM_MAX_FIELD)
        return fail(a, why, "signature field too long%.*s", IK_STR_NULL), IK_ELIMIT;
    ik__dkim_hdr hdr;
    if (ik__dkim_hdr_init(&hdr, field) != IK_OK)
        return fail(a, why, "not a header field%.*s", IK_STR_NULL);
    size_t voff = hdr.name.len;
    while (field.p[voff] != ':')
        voff++;
    voff++;
    ik_str value = ik_str_make(field.p + voff, field.len - voff);

    ik_taglist tl;
    ik_str problem;
    ik_status st = ik_taglist_parse(a, value, 0, IK_DKIM_MAX_TAGS, &tl, &problem);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "signature tag list: %.*s", problem);

    int legacy = (flags & IK_DKIM_LEGACY) != 0;
    const ik_tag *t;
    /* Each known tag's place, found in one pass (names are unique). */
    const ik_tag *tag[T_COUNT] = { NULL };
    for (size_t i = 0; i < tl.n; i++) {
        int slot = sig_tag_slot(tl.tags[i].name);
        if (slot >= 0)
            tag[slot] = &tl.tags[i];
    }

    /* v= (RFC 6376 3.5: required, "1"). */
    t = tag[T_V];
    if (t == NULL) {
        if (!legacy)
            return fail(a, why, "v= tag missing%.*s", IK_STR_NULL);
        out->version_legacy = 1;
    } else if (!ik_str_eq(t->value, IK_STR_LIT("1"))) {
        if (!(legacy && ik_str_eq(t->value, IK_STR_LIT("0.5"))))
            return fail(a, why, "unsupported v=%.*s", t->value);
        out->version_legacy = 1;
    }

    /* a= */
    t = tag[T_A];
    if (t == NULL)
        return fail(a, why, "a= tag missing%.*s", IK_STR_NULL);
    if (ik_str_caseeq_c(t->value, "rsa-sha256"))
        out->alg = IK_DKIM_ALG_RSA_SHA256;
    else if (ik_str_caseeq_c(t->value, "ed25519-sha256"))
        out->alg = IK_DKIM_ALG_ED25519_SHA256;
    else if (ik_str_caseeq_c(t->value, "rsa-sha1"))
        out->alg = IK_DKIM_ALG_RSA_SHA1;
    else
        return fail(a, why, "unsupported a=%.*s", t->value);

    /* b= and bh= (base64, FWS allowed inside). */
    t = tag[T_B];
    if (t == NULL)
        return fail(a, why, "b= tag missing%.*s", IK_STR_NULL);
    {
        size_t vs = (size_t)(t->value.p - field.p);
        size_t s0 = vs;
        while (s0 > 0 && field.p[s0 - 1] != '=')
            s0--;
        size_t e0 = vs + t->value.len;
        while (e0 < field.len && field.p[e0] != ';')
            e0++;
        out->b_start = s0;
        out->b_end = e0;
    }
    out->b_text = value_nows(a, t->value);
    if (out->b_text.p == NULL)
        return IK_ENOMEM;
    if (out->b_text.len == 0)
        return fail(a, why, "b= is empty%.*s", IK_STR_NULL);
    st = ik_base64_decode_arena(a, t->value, IK_BASE64_TOLERANT, &out->b);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "b= is not valid base64%.*s", IK_STR_NULL);

    t = tag[T_BH];
    if (t == NULL)
        return fail(a, why, "bh= tag missing%.*s", IK_STR_NULL);
    st = ik_base64_decode_arena(a, t->value, IK_BASE64_TOLERANT, &out->bh);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK || out->bh.len == 0)
        return fail(a, why, "bh= is not valid base64%.*s", IK_STR_NULL);

    /* c= */
    out->hcanon = out->bcanon = IK_DKIM_CANON_SIMPLE;
    t = tag[T_C];
    if (t != NULL && parse_canon(t->value, &out->hcanon, &out->bcanon) != IK_OK)
        return fail(a, why, "unsupported c=%.*s", t->value);

    /* d= (RFC 6376 3.5; "legitimate.com(.attacker.com" must not pass). */
    t = tag[T_D];
    if (t == NULL)
        return fail(a, why, "d= tag missing%.*s", IK_STR_NULL);
    if (!ik__dkim_domain_ok(t->value, 0))
        return fail(a, why, "d= is not a valid domain name: %.*s", t->value);
    out->domain = t->value;

    /* s= */
    t = tag[T_S];
    if (t == NULL)
        return fail(a, why, "s= tag missing%.*s", IK_STR_NULL);
    if (!ik__dkim_domain_ok(t->value, 1))
        return fail(a, why, "s= is not a valid selector: %.*s", t->value);
    out->selector = t->value;

    /* h= must include From (RFC 6376 5.4, 6.1.1). */
    t = tag[T_H];
    if (t == NULL)
        return fail(a, why, "h= tag missing%.*s", IK_STR_NULL);
    st = ik_tag_value_split(a, t->value, ':', IK_DKIM_MAX_H, &out->h, &out->nh);
    if (st == IK_ELIMIT)
        return fail(a, why, "h= lists too many fields%.*s", IK_STR_NULL), IK_ELIMIT;
    if (st != IK_OK)
        return st;
    int from = 0;
    for (size_t i = 0; i < out->nh; i++) {
        if (!field_name_ok(out->h[i]))
            return fail(a, why, "h= holds an invalid field name: %.*s", out->h[i]);
        if (ik_str_caseeq_c(out->h[i], "from"))
            from = 1;
    }
    if (!from)
        return fail(a, why, "h= does not include From%.*s", IK_STR_NULL);

    /* i= (dkim-quoted-printable; its domain within d=, RFC 6376 3.5). */
    t = tag[T_I];
    if (t != NULL) {
        int r = qp_decode(a, t->value, &out->auid);
        if (r < 0)
            return IK_ENOMEM;
        if (r == 0)
            return fail(a, why, "i= is not valid: %.*s", t->value);
        const char *at = NULL;
        for (size_t i = 0; i < out->auid.len; i++)
            if (out->auid.p[i] == '@')
                at = out->auid.p + i;
        if (at == NULL)
            return fail(a, why, "i= has no \"@\": %.*s", out->auid);
        out->auid_domain = ik_str_make(at + 1, (size_t)(out->auid.p + out->auid.len - at - 1));
        if (!ik__dkim_domain_ok(out->auid_domain, 0)
            && !(out->auid_domain.len > 0 && ik__dkim_domain_ok(out->auid_domain, 1)))
            return fail(a, why, "i= domain is not valid: %.*s", out->auid_domain);
        if (!domain_within(out->auid_domain, out->domain))
            return fail(a, why, "i= domain is not d= or a subdomain of it: %.*s", out->auid_domain);
    } else {
        char *s = ik_arena_alloc(a, out->domain.len + 2);
        if (s == NULL)
            return IK_ENOMEM;
        s[0] = '@';
        memcpy(s + 1, out->domain.p, out->domain.len);
        s[out->domain.len + 1] = '\0';
        out->auid = ik_str_make(s, out->domain.len + 1);
        out->auid_domain = ik_str_make(s + 1, out->domain.len);
    }

    /* l=, t=, x= */
    t = tag[T_L];
    if (t != NULL) {
        if (!parse_number(t->value, &out->l))
            return fail(a, why, "l= is not a number: %.*s", t->value);
        out->has_l = 1;
    }
    t = tag[T_T];
    if (t != NULL) {
        if (!parse_number(t->value, &out->t))
            return fail(a, why, "t= is not a number: %.*s", t->value);
        out->has_t = 1;
    }
    t = tag[T_X];
    if (t != NULL) {
        if (!parse_number(t->value, &out->x))
            return fail(a, why, "x= is not a number: %.*s", t->value);
        out->has_x = 1;
    }
    if (out->has_t && out->has_x && out->x < out->t)
        return fail(a, why, "x= is earlier than t=%.*s", IK_STR_NULL);

    /* q= (RFC 6376 3.5: a list; dns/txt is the only method defined). */
    t = tag[T_Q];
    if (t != NULL) {
        ik_str *items;
        size_t n;
        st = ik_tag_value_split(a, t->value, ':', IK_DKIM_MAX_TAGS, &items, &n);
        if (st == IK_ENOMEM)
            return st;
        int ok = 0;
        for (size_t i = 0; st == IK_OK && i < n; i++)
            if (ik_str_caseeq_c(items[i], "dns/txt")
                || (legacy && ik_str_caseeq_c(items[i], "dns")))
                ok = 1;
        if (!ok)
            return fail(a, why, "unsupported q=%.*s", t->value);
    }

    t = tag[T_Z];
    if (t != NULL)
        out->z = t->value;
    return IK_OK;
}

ik_status ik_dkim_key_parse(ik_arena *a, ik_str record, ik_pkey *decoded, ik_dkim_key *out,
                            ik_str *why)
{
    memset(out, 0, sizeof(*out));
    if (why)
        *why = IK_STR_NULL;
    ik_taglist tl;
    ik_str problem;
    ik_status st = ik_taglist_parse(a, record, 0, IK_DKIM_MAX_TAGS, &tl, &problem);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "key record syntax error: %.*s", problem);
    const ik_tag *t;

    /* v= (RFC 6376 3.6.1: if present, first, and "DKIM1"). */
    t = ik_taglist_get(&tl, "v", 0);
    if (t != NULL && (t != &tl.tags[0] || !ik_str_eq(t->value, IK_STR_LIT("DKIM1"))))
        return fail(a, why, "key record has an unsupported v=%.*s", t->value);

    out->type = IK_KEY_RSA;
    t = ik_taglist_get(&tl, "k", 0);
    if (t != NULL) {
        if (ik_str_caseeq_c(t->value, "rsa"))
            out->type = IK_KEY_RSA;
        else if (ik_str_caseeq_c(t->value, "ed25519"))
            out->type = IK_KEY_ED25519;
        else
            return fail(a, why, "key record has an unknown k=%.*s", t->value);
    }

    out->hashes = (1u << IK_HASH_SHA1) | (1u << IK_HASH_SHA256);
    t = ik_taglist_get(&tl, "h", 0);
    if (t != NULL) {
        ik_str *items;
        size_t n;
        st = ik_tag_value_split(a, t->value, ':', IK_DKIM_MAX_TAGS, &items, &n);
        if (st == IK_ENOMEM)
            return st;
        out->hashes = 0;
        for (size_t i = 0; st == IK_OK && i < n; i++) {
            if (ik_str_caseeq_c(items[i], "sha1"))
                out->hashes |= 1u << IK_HASH_SHA1;
            else if (ik_str_caseeq_c(items[i], "sha256"))
                out->hashes |= 1u << IK_HASH_SHA256;
        }
    }

    t = ik_taglist_get(&tl, "s", 0);
    if (t != NULL) {
        ik_str *items;
        size_t n;
        st = ik_tag_value_split(a, t->value, ':', IK_DKIM_MAX_TAGS, &items, &n);
        if (st == IK_ENOMEM)
            return st;
        int ok = 0;
        for (size_t i = 0; st == IK_OK && i < n; i++)
            if (ik_str_eq(items[i], IK_STR_LIT("*")) || ik_str_caseeq_c(items[i], "email"))
                ok = 1;
        if (!ok)
            return fail(a, why, "key record is not for email (s=%.*s)", t->value);
    }

    t = ik_taglist_get(&tl, "t", 0);
    if (t != NULL) {
        ik_str *items;
        size_t n;
        st = ik_tag_value_split(a, t->value, ':', IK_DKIM_MAX_TAGS, &items, &n);
        if (st == IK_ENOMEM)
            return st;
        for (size_t i = 0; st == IK_OK && i < n; i++) {
            if (ik_str_eq(items[i], IK_STR_LIT("y")))
                out->flags |= IK_DKIM_KEY_TESTING;
            else if (ik_str_eq(items[i], IK_STR_LIT("s")))
                out->flags |= IK_DKIM_KEY_STRICT;
        }
    }

    t = ik_taglist_get(&tl, "g", 0);
    if (t != NULL) {
        out->has_g = 1;
        out->g = t->value;
    }

    t = ik_taglist_get(&tl, "p", 0);
    if (t == NULL)
        return fail(a, why, "key record has no p=%.*s", IK_STR_NULL);
    out->p = ik_tag_value_nows(a, t->value);
    if (out->p.p == NULL)
        return IK_ENOMEM;
    if (out->p.len == 0) {
        out->revoked = 1; /* RFC 6376 3.6.1: empty p= means revoked */
        return IK_OK;
    }
    if (decoded != NULL) {
        if (ik_pkey_type(decoded) != out->type)
            return fail(a, why, "cached key type mismatch%.*s", IK_STR_NULL);
        out->pkey = ik_pkey_ref(decoded);
        return ik_pkey_give_arena(a, out->pkey);
    }
    ik_str der;
    st = ik_base64_decode_arena(a, out->p, IK_BASE64_TOLERANT, &der);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "key record p= is not valid base64%.*s", IK_STR_NULL);
    const char *kwhy = NULL;
    st = ik_pkey_from_dkim(NULL, out->type, (const unsigned char *)der.p, der.len, &out->pkey,
                           &kwhy);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK) {
        ik_str w = ik_str_c(kwhy ? kwhy : "bad public key");
        return fail(a, why, "key record p=: %.*s", w);
    }
    return ik_pkey_give_arena(a, out->pkey);
}

ik_status ik__dkim_keyrec_parse(ik_arena *a, ik_dkim_keyrec *r)
{
    ik_status st = ik_dkim_key_parse(a, r->text, NULL, &r->key, &r->why);
    if (st == IK_ENOMEM)
        return st;
    r->parsed = 1;
    r->status = st;
    r->pkey = st == IK_OK ? r->key.pkey : NULL;
    return IK_OK;
}

ik_status ik__dkim_keyrec_key(ik_arena *a, const ik_dkim_keyrec *r, ik_dkim_key *key, ik_str *why)
{
    if (!r->parsed)
        return ik_dkim_key_parse(a, r->text, r->pkey, key, why);
    *key = r->key;
    if (why != NULL)
        *why = r->status == IK_OK ? IK_STR_NULL : r->why;
    return r->status;
}
