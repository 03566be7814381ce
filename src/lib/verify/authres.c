/*
 * authres.c - the Authentication-Results field of the composite verifier
 * (RFC 8601 2.7), one result per method run and per signature, each with a
 * comment saying why, written by ik_ar_format (folded, values quoted as
 * needed).
 *
 * Methods and properties:
 *   spf        smtp.mailfrom                          RFC 7208 9.1, 8601 2.7.2
 *   sender-id  header.<the PRA field name>            RFC 4406, 8601 2.7.2
 *   dkim       header.d, header.i, header.s, header.a, header.b
 *                                                     RFC 8601 2.7.1, 6008
 *   domainkeys header.d, header.from or header.sender RFC 4870, 8601 2.7.1
 *   dkim-adsp  header.from (the author domain)        RFC 5617 5.4
 *   dmarc      header.from, policy.dmarc              RFC 9989 9.1
 *   arc        header.oldest-pass, smtp.remote-ip     RFC 8617 10.2
 *   iprev      policy.iprev                           RFC 8601 2.7.3
 * A signed method with no signature reports "none" (RFC 8601 2.7.1).
 *
 * Ownership: strings in the verifier's arena.  Threads: one verifier.
 */
#include <string.h>

#include "verify_int.h"

#define SV(s) (int)(s).len, (s).p

static ik_status prop(ik_verify *v, ik_ar_result *r, const char *ptype, const char *name,
                      ik_str value)
{
    if (value.len == 0)
        return IK_OK;
    return ik_ar_add_prop(v->a, r, ik_str_c(ptype), ik_str_c(name), value);
}

static ik_ar_result *add(ik_verify *v, const char *method, const char *result)
{
    return ik_ar_add(v->a, &v->ar, ik_str_c(method), ik_str_c(result));
}

/* Up to the first NUL, as printf's "%.*s" takes it. */
static ik_str upto_nul(ik_str s)
{
    const char *z = s.len ? memchr(s.p, '\0', s.len) : NULL;
    return z ? ik_str_make(s.p, (size_t)(z - s.p)) : s;
}

/* a mid b tail, NUL-terminated in the arena; NULL on OOM. */
static const char *join(ik_verify *v, ik_str a, const char *mid, ik_str b, const char *tail)
{
    a = upto_nul(a);
    b = upto_nul(b);
    size_t lm = strlen(mid), lt = strlen(tail);
    char *p = ik_arena_alloc(v->a, a.len + lm + b.len + lt + 1);
    if (p == NULL)
        return NULL;
    char *w = p;
    if (a.len)
        memcpy(w, a.p, a.len);
    w += a.len;
    memcpy(w, mid, lm);
    w += lm;
    if (b.len)
        memcpy(w, b.p, b.len);
    w += b.len;
    memcpy(w, tail, lt);
    w[lt] = '\0';
    return p;
}

static ik_status add_spf(ik_verify *v)
{
    const ik_spf_outcome *o = ik_verify_spf(v);
    const ik_spf_params *p = &v->spf_params;
    ik_ar_result *r = add(v, "spf", ik_spf_result_name(o->result));
    if (r == NULL)
        return IK_ENOMEM;
    /* The usual comments are joined rather than printed: A-R is built for
     * every message. */
    ik_str dom = o->domain, ip = ik_str_c(v->client_text);
    const char *c = NULL;
    switch (o->result) {
    case IK_SPF_PASS: c = join(v, dom, " designates ", ip, " as permitted sender"); break;
    case IK_SPF_FAIL: c = join(v, dom, " does not designate ", ip, " as permitted sender"); break;
    case IK_SPF_SOFTFAIL:
        c = join(v, dom, " discourages use of ", ip, " as permitted sender");
        break;
    case IK_SPF_NEUTRAL: c = join(v, ip, " is neither permitted nor denied by ", dom, ""); break;
    case IK_SPF_NONE:
        c = o->domain.len ? join(v, dom, " has no SPF record", IK_STR_NULL, "") : "no SPF domain";
        break;
    default: c = o->problem.len ? join(v, o->problem, "", IK_STR_NULL, "") : ""; break;
    }
    if (c == NULL)
        return IK_ENOMEM;
    r->comment = ik_str_c(c);
    /* The address as given; without a local-part, the domain alone (as
     * ik_spf_authres writes it). */
    ik_str mf = o->identity;
    if (p->sender.len && (p->sender.p[0] == '@' || ik_str_chr(p->sender, '@') < 0))
        mf = o->domain;
    return prop(v, r, "smtp", "mailfrom", mf);
}

static ik_status add_senderid(ik_verify *v)
{
    const ik_senderid_outcome *o = ik_verify_senderid(v);
    ik_ar_result *r = add(v, "sender-id", ik_spf_result_name(o->result));
    if (r == NULL)
        return IK_ENOMEM;
    if (o->pra.reason != IK_PRA_FOUND) {
        const char *c =
            ik_arena_printf(v->a, "no purported responsible address: %.*s", SV(o->pra.problem));
        if (c == NULL)
            return IK_ENOMEM;
        r->comment = ik_str_c(c);
        return IK_OK;
    }
    if (o->problem.len)
        r->comment = o->problem;
    else if (o->evaluated && ik_str_eq(o->spf.mechanism, IK_STR_LIT("default")))
        r->comment = IK_STR_LIT("no mechanism matched");
    else if (o->evaluated && o->spf.mechanism.len) {
        const char *c = ik_arena_printf(v->a, "mechanism %.*s matched", SV(o->spf.mechanism));
        if (c == NULL)
            return IK_ENOMEM;
        r->comment = ik_str_c(c);
    }
    char *name = ik_arena_strndup(v->a, o->pra.field_name.p, o->pra.field_name.len);
    if (name == NULL)
        return IK_ENOMEM;
    return prop(v, r, "header", name, o->identity);
}

static ik_status add_dkim(ik_verify *v)
{
    const ik_dkim_verifier *d = ik_verify_dkim(v);
    size_t n = ik_dkim_verify_count(d);
    if (n == 0) {
        ik_ar_result *r = add(v, "dkim", "none");
        if (r == NULL)
            return IK_ENOMEM;
        r->comment = IK_STR_LIT("no signature");
        return IK_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const ik_dkim_sigresult *s = ik_dkim_verify_get(d, i);
        if (s == NULL)
            continue;
        ik_ar_result *r = add(v, "dkim", ik_dkim_result_name(s->result));
        if (r == NULL)
            return IK_ENOMEM;
        const char *c = s->reason;
        if (c[0] == '\0' && s->key_bits)
            c = ik_arena_printf(v->a, "%u-bit %s key%s", s->key_bits,
                                s->sig && s->sig->alg == IK_DKIM_ALG_ED25519_SHA256 ? "ed25519"
                                                                                    : "rsa",
                                s->key_testing ? ", testing" : "");
        if (c == NULL)
            return IK_ENOMEM;
        r->comment = ik_str_c(c);
        ik_status st;
        if ((st = prop(v, r, "header", "d", s->header_d)) != IK_OK
            || (st = prop(v, r, "header", "i", s->header_i)) != IK_OK
            || (st = prop(v, r, "header", "s", s->header_s)) != IK_OK
            || (st = prop(v, r, "header", "a", s->header_a)) != IK_OK
            || (st = prop(v, r, "header", "b", s->header_b)) != IK_OK)
            return st;
    }
    return IK_OK;
}

static ik_status add_domainkeys(ik_verify *v)
{
    const ik_dk_verifier *d = ik_verify_domainkeys(v);
    size_t n = ik_dk_verify_count(d);
    if (n == 0) {
        ik_ar_result *r = add(v, "domainkeys", "none");
        if (r == NULL)
            return IK_ENOMEM;
        r->comment = IK_STR_LIT("no signature");
        return IK_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const ik_dk_sigresult *s = ik_dk_verify_get(d, i);
        if (s == NULL)
            continue;
        ik_ar_result *r = add(v, "domainkeys", ik_dk_result_name(s->result));
        if (r == NULL)
            return IK_ENOMEM;
        const char *c = s->reason;
        if (c[0] == '\0' && s->key_bits)
            c = ik_arena_printf(v->a, "%u-bit rsa key%s", s->key_bits,
                                s->key_testing ? ", testing" : "");
        if (c == NULL)
            return IK_ENOMEM;
        r->comment = ik_str_c(c);
        ik_status st = prop(v, r, "header", "d", s->domain);
        if (st == IK_OK && s->identity_header && s->identity_header[0])
            st = prop(v, r, "header", s->identity_header, s->identity);
        if (st != IK_OK)
            return st;
    }
    return IK_OK;
}

static ik_status add_adsp(ik_verify *v)
{
    const ik_adsp_outcome *o = ik_verify_adsp(v);
    ik_ar_result *r = add(v, "dkim-adsp", ik_adsp_result_name(o->result));
    if (r == NULL)
        return IK_ENOMEM;
    r->comment = o->reason ? ik_str_c(o->reason) : IK_STR_NULL;
    return prop(v, r, "header", "from", o->domain);
}

static ik_status add_dmarc(ik_verify *v)
{
    const ik_dmarc_outcome *o = ik_verify_dmarc(v);
    if (o->ndomains == 0) {
        ik_ar_result *r = add(v, "dmarc", ik_dmarc_result_name(o->result));
        if (r == NULL)
            return IK_ENOMEM;
        r->comment = o->from.status != IK_DMARC_FROM_OK
                         ? ik_str_c(ik_dmarc_from_status_name(o->from.status))
                         : o->reason;
        return IK_OK;
    }
    for (size_t i = 0; i < o->ndomains; i++) {
        const ik_dmarc_domain_outcome *x = &o->domains[i];
        ik_ar_result *r = add(v, "dmarc", ik_dmarc_result_name(x->result));
        if (r == NULL)
            return IK_ENOMEM;
        int verdict = x->record && (x->result == IK_DMARC_PASS || x->result == IK_DMARC_FAIL);
        if (verdict) {
            /* The customary comment (OpenDMARC, rspamd, RFC 9989 9.1):
             * published policy and the disposition enacted. */
            ik_buf b;
            ik_buf_init(&b, v->a, 0);
            ik_dmarc_policy p = x->record_broken ? IK_DMARC_P_NONE : x->record->p;
            ik_buf_append_c(&b, "p=");
            ik_buf_append_c(&b, ik_dmarc_policy_name(p));
            if (x->policy_tag.len && !ik_str_caseeq_c(x->policy_tag, "p")) {
                ik_buf_putc(&b, ' ');
                ik_buf_append_str(&b, x->policy_tag);
                ik_buf_putc(&b, '=');
                ik_buf_append_c(&b, ik_dmarc_policy_name(x->published));
            }
            ik_buf_append_c(&b, " dis=");
            ik_buf_append_c(&b, ik_dmarc_policy_name(x->disposition));
            if (x->override != IK_DMARC_OVR_NONE) {
                ik_buf_putc(&b, ' ');
                ik_buf_append_c(&b, ik_dmarc_override_report_type(x->override));
                if (x->override == IK_DMARC_OVR_TRUSTED_ARC)
                    ik_buf_append_c(&b, " arc=pass");
            }
            if (ik_buf_error(&b) != IK_OK)
                return IK_ENOMEM;
            r->comment = ik_buf_str(&b);
        } else {
            r->comment = x->reason;
        }
        ik_status st = prop(v, r, "header", "from", x->author);
        if (st == IK_OK && verdict)
            st = prop(v, r, "policy", "dmarc", ik_str_c(ik_dmarc_policy_name(x->disposition)));
        if (st != IK_OK)
            return st;
    }
    return IK_OK;
}

static ik_status add_arc(ik_verify *v)
{
    const ik_arc_result *res = ik_verify_arc(v);
    ik_status st =
        ik_arc_authres(v->a, res, v->has_client ? ik_str_c(v->client_text) : IK_STR_NULL, &v->ar);
    if (st != IK_OK)
        return st;
    if (v->arc_trusted && v->ar.nresults) {
        ik_ar_result *r = &v->ar.results[v->ar.nresults - 1];
        const char *c =
            ik_arena_printf(v->a, "trusted sealer %.*s i=%u",
                            SV(res->sets[v->arc_trusted - 1].seal_domain), v->arc_trusted);
        if (c == NULL)
            return IK_ENOMEM;
        r->comment = ik_str_c(c);
    }
    return IK_OK;
}

ik_status ik__verify_build_authres(ik_verify *v)
{
    ik_ar_init(&v->ar, v->cfg.authserv_id);
    ik_status st = IK_OK;
    if (st == IK_OK && ik_verify_spf(v))
        st = add_spf(v);
    if (st == IK_OK && ik_verify_senderid(v))
        st = add_senderid(v);
    if (st == IK_OK && ik_verify_dkim(v))
        st = add_dkim(v);
    if (st == IK_OK && ik_verify_domainkeys(v))
        st = add_domainkeys(v);
    if (st == IK_OK && ik_verify_adsp(v))
        st = add_adsp(v);
    if (st == IK_OK && ik_verify_dmarc(v))
        st = add_dmarc(v);
    if (st == IK_OK && ik_verify_arc(v))
        st = add_arc(v);
    if (st == IK_OK && ik_verify_iprev(v))
        st = ik_iprev_authres(v->a, ik_verify_iprev(v), &v->ar);
    if (st == IK_OK)
        st = ik_ar_format(v->a, &v->ar, "Authentication-Results", &v->authres);
    if (st != IK_OK)
        return st;
    /* ik_ar_format lays the payload out as if it followed the field name,
     * and the field is "Name: payload" (inkan/authres.h): the payload is
     * the field's tail, no second rendering needed. */
    static const char prefix[] = "Authentication-Results: ";
    size_t pl = sizeof(prefix) - 1;
    if (v->authres.len >= pl && memcmp(v->authres.p, prefix, pl) == 0) {
        v->payload = ik_str_make(v->authres.p + pl, v->authres.len - pl);
        return IK_OK;
    }
    return ik_ar_format(v->a, &v->ar, NULL, &v->payload);
}
