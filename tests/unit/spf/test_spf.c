/*
 * test_spf.c - SPF (RFC 7208) and Sender ID record selection (RFC 4406):
 * record parser, macro expander (the RFC 7208 7.4 examples), evaluation
 * limits and semantics against a tiny table-driven resolver, hostile DNS
 * answers, OOM, and the Received-SPF / Authentication-Results text.
 */
#include <stdlib.h>
#include <string.h>

#include "ik_test.h"
#include "inkan/arena.h"
#include "inkan/dns.h"
#include "inkan/spf.h"

/* ---- a tiny resolver answering from a table ------------------------------ */

enum { ZT_TIMEOUT = 0 };

typedef struct zrec {
    const char *name;
    uint16_t type; /* ZT_TIMEOUT: every question for name fails */
    const char *v; /* TXT text, A/AAAA address, "pref host" for MX, PTR name */
    size_t vlen;   /* TXT only; 0 = strlen */
} zrec;

#define ZTXT(n, v)                                                                                 \
    {                                                                                              \
        n, IK_DNS_T_TXT, v, sizeof(v) - 1                                                          \
    }
#define ZA(n, v)                                                                                   \
    {                                                                                              \
        n, IK_DNS_T_A, v, 0                                                                        \
    }
#define ZAAAA(n, v)                                                                                \
    {                                                                                              \
        n, IK_DNS_T_AAAA, v, 0                                                                     \
    }
#define ZMX(n, v)                                                                                  \
    {                                                                                              \
        n, IK_DNS_T_MX, v, 0                                                                       \
    }
#define ZPTR(n, v)                                                                                 \
    {                                                                                              \
        n, IK_DNS_T_PTR, v, 0                                                                      \
    }
#define ZTIMEOUT(n)                                                                                \
    {                                                                                              \
        n, ZT_TIMEOUT, NULL, 0                                                                     \
    }

typedef struct tzone {
    const zrec *r;
    size_t n;
    unsigned queries;
    unsigned txt_queries;
} tzone;

static ik_status tz_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    tzone *z = self;
    z->queries++;
    if (q->type == IK_DNS_T_TXT)
        z->txt_queries++;
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NXDOMAIN);
    if (ans == NULL)
        return IK_ENOMEM;
    size_t cap = 0;
    for (size_t i = 0; i < z->n; i++) {
        const zrec *r = &z->r[i];
        if (!ik_str_caseeq(ik_str_c(r->name), q->name))
            continue;
        if (r->type == ZT_TIMEOUT) {
            ans->status = IK_DNS_TEMPFAIL;
            ans->nrr = 0;
            ans->why = IK_STR_LIT("timeout");
            return q->answer = ans, IK_OK;
        }
        if (ans->status == IK_DNS_NXDOMAIN)
            ans->status = IK_DNS_NODATA;
        if (r->type != q->type)
            continue;
        if (ans->nrr == cap) {
            cap = cap ? cap * 2 : 4;
            ik_dns_rr *nr = ik_arena_alloc(a, cap * sizeof(*nr));
            if (nr == NULL)
                return IK_ENOMEM;
            if (ans->nrr)
                memcpy(nr, ans->rr, ans->nrr * sizeof(*nr));
            ans->rr = nr;
        }
        ik_dns_rr *rr = &ans->rr[ans->nrr++];
        memset(rr, 0, sizeof(*rr));
        rr->type = r->type;
        switch (r->type) {
        case IK_DNS_T_TXT: {
            ik_str v = ik_str_make(r->v, r->vlen ? r->vlen : strlen(r->v));
            if (v.len == 0 || v.p[0] != '|') {
                rr->u.txt.joined = v;
                break;
            }
            /* "|a|b": character-strings only, no joined text */
            ik_str *strs = ik_arena_calloc(a, v.len, sizeof(ik_str));
            size_t k = 0, i0 = 1;
            for (size_t j = 1; j <= v.len; j++) {
                if (j == v.len || v.p[j] == '|') {
                    strs[k++] = ik_str_make(v.p + i0, j - i0);
                    i0 = j + 1;
                }
            }
            rr->u.txt.strings = strs;
            rr->u.txt.nstrings = k;
            break;
        }
        case IK_DNS_T_A:
        case IK_DNS_T_AAAA:
            if (ik_ip_parse(ik_str_c(r->v), &rr->u.addr))
                return IK_EINVAL;
            break;
        case IK_DNS_T_MX: {
            const char *sp = strchr(r->v, ' ');
            rr->u.mx.pref = (uint16_t)atoi(r->v);
            rr->u.mx.host = ik_str_c(sp ? sp + 1 : "");
            break;
        }
        default: rr->u.name = ik_str_c(r->v); break;
        }
        ans->status = IK_DNS_OK;
    }
    q->answer = ans;
    return IK_OK;
}

static const ik_resolver_ops tz_ops = { "table", tz_resolve, NULL, NULL, NULL, NULL, NULL };

/* One MAIL FROM check; the outcome's strings live in *arena (caller frees). */
static ik_spf_result check_full(tzone *z, const char *ip, const char *sender, const char *helo,
                                ik_spf_params *pin, ik_spf_outcome *o, ik_arena **arena)
{
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_TRUE(a != NULL);
    ik_spf_params p;
    if (pin)
        p = *pin;
    else
        memset(&p, 0, sizeof(p));
    ASSERT_OK(ik_ip_parse(ik_str_c(ip), &p.ip));
    p.sender = ik_str_c(sender);
    p.helo = ik_str_c(helo);
    if (p.default_exp.len == 0)
        p.default_exp = IK_STR_LIT("DEFAULT");
    p.now = 1400000000;
    ik_resolver r = { &tz_ops, z };
    ASSERT_OK(ik_spf_check(a, &p, &r, o));
    *arena = a;
    return o->result;
}

static ik_spf_result check(const zrec *zr, size_t n, const char *ip, const char *sender)
{
    tzone z = { zr, n, 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ik_spf_result r = check_full(&z, ip, sender, "helo.example.org", NULL, &o, &a);
    ik_arena_free(a);
    return r;
}

#define N(x) (sizeof(x) / sizeof((x)[0]))
#define RES(r) ik_spf_result_name(r)
#define ASSERT_RESULT(got, want)                                                                   \
    do {                                                                                           \
        ik_spf_result g_ = (got), w_ = (want);                                                     \
        if (g_ != w_)                                                                              \
            IK_TEST_FAIL_("%s: got %s, want %s", #got, RES(g_), RES(w_));                          \
    } while (0)

/* Does str contain lit? */
static int has(ik_str s, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t i = 0; i + n <= s.len; i++)
        if (memcmp(s.p + i, lit, n) == 0)
            return 1;
    return 0;
}

/* ---- parser ------------------------------------------------------------------ */

static ik_status parse(ik_arena *a, const char *text, ik_spf_record **r, ik_str *problem)
{
    return ik_spf_record_parse(a, ik_str_c(text), r, problem);
}

static void record_parses_every_mechanism_and_modifier(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_record *r;
    ik_str problem;
    ASSERT_OK(parse(a,
                    "v=spf1 +all -include:i.example.com ~a ?a:b.example.com/24 "
                    "a/24//64 mx mx:c.example.com//64 ptr ptr:d.example.com "
                    "ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}.x.example.com "
                    "redirect=r.example.com exp=e.%{d} foo=bar  ",
                    &r, &problem));
    ASSERT_EQ(ik_spf_record_version(r), 1);
    ASSERT_EQ(ik_spf_record_nterms(r), 12);
    static const ik_spf_mech kinds[] = {
        IK_SPF_MECH_ALL, IK_SPF_MECH_INCLUDE, IK_SPF_MECH_A,   IK_SPF_MECH_A,
        IK_SPF_MECH_A,   IK_SPF_MECH_MX,      IK_SPF_MECH_MX,  IK_SPF_MECH_PTR,
        IK_SPF_MECH_PTR, IK_SPF_MECH_IP4,     IK_SPF_MECH_IP6, IK_SPF_MECH_EXISTS,
    };
    for (size_t i = 0; i < N(kinds); i++)
        ASSERT_EQ(ik_spf_record_term(r, i)->mech, kinds[i]);
    ASSERT_TRUE(ik_spf_record_term(r, 12) == NULL);
    ASSERT_EQ(ik_spf_record_term(r, 0)->qualifier, IK_SPF_PASS);
    ASSERT_EQ(ik_spf_record_term(r, 1)->qualifier, IK_SPF_FAIL);
    ASSERT_EQ(ik_spf_record_term(r, 2)->qualifier, IK_SPF_SOFTFAIL);
    ASSERT_EQ(ik_spf_record_term(r, 3)->qualifier, IK_SPF_NEUTRAL);
    ASSERT_STR(ik_spf_record_term(r, 1)->domain_spec, "i.example.com");
    ASSERT_STR(ik_spf_record_term(r, 3)->text, "?a:b.example.com/24");
    ASSERT_STR(ik_spf_record_term(r, 3)->domain_spec, "b.example.com");
    ASSERT_EQ(ik_spf_record_term(r, 3)->cidr4, 24);
    ASSERT_EQ(ik_spf_record_term(r, 3)->cidr6, 128);
    ASSERT_EQ(ik_spf_record_term(r, 4)->cidr4, 24);
    ASSERT_EQ(ik_spf_record_term(r, 4)->cidr6, 64);
    ASSERT_EQ(ik_spf_record_term(r, 6)->cidr4, 32);
    ASSERT_EQ(ik_spf_record_term(r, 6)->cidr6, 64);
    ASSERT_EQ(ik_spf_record_term(r, 9)->cidr4, 24);
    ASSERT_EQ(ik_spf_record_term(r, 10)->cidr6, 32);
    ASSERT_EQ(ik_spf_record_term(r, 10)->network.family, IK_IP_V6);
    ASSERT_STR(ik_spf_record_redirect(r), "r.example.com");
    ASSERT_STR(ik_spf_record_exp(r), "e.%{d}");
    /* include a a a mx mx ptr ptr exists + redirect */
    ASSERT_EQ(ik_spf_record_dns_terms(r), 10);
    ik_arena_free(a);
}

static void record_parse_is_case_insensitive(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_record *r;
    ik_str problem;
    ASSERT_OK(
        parse(a, "V=SpF1 A:Example.COM MX IP4:192.0.2.1 Redirect=x.example.com", &r, &problem));
    ASSERT_EQ(ik_spf_record_nterms(r), 3);
    ASSERT_STR(ik_spf_record_redirect(r), "x.example.com");
    ASSERT_OK(parse(a, "v=spf1", &r, &problem));
    ASSERT_EQ(ik_spf_record_nterms(r), 0);
    ASSERT_OK(parse(a, "v=spf1    -all   ", &r, &problem));
    ASSERT_EQ(ik_spf_record_nterms(r), 1);
    ik_arena_free(a);
}

static void record_parse_names_the_offending_term(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_record *r;
    ik_str problem;
    ASSERT_STATUS(parse(a, "v=spf1 ip4:192.0.2.1 foo:bar -all", &r, &problem), IK_ESYNTAX);
    ASSERT_STR(problem, "unknown mechanism \"foo:bar\"");
    ASSERT_STATUS(parse(a, "v=spf1 a:museum", &r, &problem), IK_ESYNTAX);
    ASSERT_TRUE(has(problem, "\"a:museum\""));
    ik_arena_free(a);
}

static void record_parse_rejects_malformed_terms(void)
{
    static const char *bad[] = {
        "v=spf1 -all.",
        "v=spf1 -all:foo",
        "v=spf1 all/8",
        "v=spf1 ip4",
        "v=spf1 ip4:",
        "v=spf1 ip4:1.2.3",
        "v=spf1 ip4:1.2.3.4/33",
        "v=spf1 ip4:1.2.3.4/032",
        "v=spf1 ip4:1.2.3.4//32",
        "v=spf1 ip4:1.2.3.4:8080",
        "v=spf1 ip4:01.2.3.4",
        "v=spf1 ip6",
        "v=spf1 ip6:::1/129",
        "v=spf1 ip6::CAFE::BABE",
        "v=spf1 ip6:::1//33",
        "v=spf1 a:museum",
        "v=spf1 a:museum.",
        "v=spf1 a:111.222.33.44",
        "v=spf1 a:abc.123",
        "v=spf1 a:example.-com",
        "v=spf1 a:example.com:8080",
        "v=spf1 a:foo-bar",
        "v=spf1 a/24/64",
        "v=spf1 a//129",
        "v=spf1 a/33",
        "v=spf1 a:",
        "v=spf1 mx:",
        "v=spf1 include",
        "v=spf1 include:",
        "v=spf1 include:a.example.com/24",
        "v=spf1 exists",
        "v=spf1 exists:",
        "v=spf1 exists:a.example.com/24",
        "v=spf1 ptr/0",
        "v=spf1 ptr:",
        "v=spf1 redirect=",
        "v=spf1 exp=",
        "v=spf1 exp=-all",
        "v=spf1 redirect=a.example.com redirect=b.example.com",
        "v=spf1 exp=a.example.com exp=b.example.com",
        "v=spf1 1up=foo",
        "v=spf1 =all",
        "v=spf1 redirect:a.example.com",
        "v=spf1 moo.cow/far_out=man:dog/cat",
        "v=spf1 foo=%abc",
        "v=spf1 a:%{x}.example.com",
        "v=spf1 a:%{r}.example.com",
        "v=spf1 a:%{d0}.example.com",
        "v=spf1 exists:foo%.example.com",
        "v=spf1 exists:%(ir).example.com",
        "v=spf1 a:ex\x01"
        "mple.com",
        "v=spf1 \x80"
        "a -all",
        "v=spf1 a:\xc3\xa9"
        ".example.com",
        "v=spf1 a\t-all",
        "v=spf1 a:b.example.com\r",
        "v=spf1 ip4:192.0.2.5\n",
        "v=spf1 unknown",
        "v=spf1 +",
        "v=spf1 -",
    };
    ik_arena *a = ik_arena_new(NULL);
    for (size_t i = 0; i < N(bad); i++) {
        ik_spf_record *r = NULL;
        ik_str problem = IK_STR_NULL;
        ik_status st = parse(a, bad[i], &r, &problem);
        if (st != IK_ESYNTAX)
            IK_TEST_FAIL_("accepted \"%s\"", bad[i]);
        ASSERT_TRUE(problem.len > 0);
        ASSERT_TRUE(r == NULL);
    }
    ik_arena_free(a);
}

static void record_parse_accepts_unusual_but_valid_terms(void)
{
    static const char *good[] = {
        "v=spf1 a:foo:bar/baz.example.com",
        "v=spf1 a:foo.example.xn--zckzah",
        "v=spf1 moo.cow-far_out=man:dog/cat",
        "v=spf1 default=+",
        "v=spf1 a:%{d}",
        "v=spf1 a:macro%%percent%_%_space%-url-space.example.com",
        "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d}",
        "v=spf1 ip6:::1.1.1.1/0",
        "v=spf1 ip6:Cafe:Babe:8000::/33",
        "v=spf1 a:.example.com",
        "v=spf1 x=%{c}%{r}%{t}",
        "v=spf1 include:o.spf.example.com.",
        "v=spf1 a:123-4.example.123-4",
    };
    ik_arena *a = ik_arena_new(NULL);
    for (size_t i = 0; i < N(good); i++) {
        ik_spf_record *r;
        ik_str problem = IK_STR_NULL;
        if (parse(a, good[i], &r, &problem) != IK_OK)
            IK_TEST_FAIL_("rejected \"%s\": %.*s", good[i], (int)problem.len, problem.p);
    }
    ik_arena_free(a);
}

static void record_parse_handles_truncated_input(void)
{
    static const char *full = "v=spf1 a:%{d2}.example.com/24//64 ip4:192.0.2.0/24 "
                              "ip6:2001:db8::/32 include:x.example.com -all";
    ik_arena *a = ik_arena_new(NULL);
    size_t n = strlen(full);
    /* every prefix, as an exact-size heap copy so reads past the end trap */
    for (size_t len = 0; len <= n; len++) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, full, len);
        ik_spf_record *r;
        ik_str problem;
        ik_status st = ik_spf_record_parse(a, ik_str_make(copy, len), &r, &problem);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
        free(copy);
    }
    ik_spf_record *r;
    ik_str problem;
    ASSERT_STATUS(parse(a, "v=spf1 a:%{d", &r, &problem), IK_ESYNTAX);
    ASSERT_STATUS(parse(a, "v=spf1 ip4:192.0.2.", &r, &problem), IK_ESYNTAX);
    ASSERT_STATUS(parse(a, "v=spf", &r, &problem), IK_ESYNTAX);
    ASSERT_STATUS(parse(a, "", &r, &problem), IK_ESYNTAX);
    ik_arena_free(a);
}

static void record_parse_rejects_embedded_nul(void)
{
    static const char text[] = "v=spf1 a:foo.example.com\0 -all";
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_record *r;
    ik_str problem;
    ASSERT_STATUS(ik_spf_record_parse(a, ik_str_make(text, sizeof(text) - 1), &r, &problem),
                  IK_ESYNTAX);
    static const char text2[] = "v=spf1\0 -all";
    ASSERT_STATUS(ik_spf_record_parse(a, ik_str_make(text2, sizeof(text2) - 1), &r, &problem),
                  IK_ESYNTAX);
    ik_arena_free(a);
}

static void record_parse_limits_size(void)
{
    ik_arena *a = ik_arena_new(NULL);
    char *big = malloc(5000);
    memcpy(big, "v=spf1", 6);
    for (size_t i = 6; i + 2 <= 5000; i += 2)
        memcpy(big + i, " a", 2);
    ik_spf_record *r;
    ik_str problem;
    ASSERT_STATUS(ik_spf_record_parse(a, ik_str_make(big, 5000), &r, &problem), IK_ESYNTAX);
    ASSERT_TRUE(has(problem, "longer"));
    ASSERT_OK(ik_spf_record_parse(a, ik_str_make(big, 4096), &r, &problem));
    ASSERT_EQ(ik_spf_record_nterms(r), 2045);
    free(big);
    ik_arena_free(a);
}

static void record_parse_sender_id_versions(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_record *r;
    ik_str problem;
    ASSERT_OK(parse(a, "spf2.0/mfrom,pra mx -all", &r, &problem));
    ASSERT_EQ(ik_spf_record_version(r), 2);
    ASSERT_EQ(ik_spf_record_scopes(r), IK_SPF_SCOPEBIT_MFROM | IK_SPF_SCOPEBIT_PRA);
    ASSERT_OK(parse(a, "SPF2.0/PRA", &r, &problem));
    ASSERT_EQ(ik_spf_record_scopes(r), IK_SPF_SCOPEBIT_PRA);
    ASSERT_OK(parse(a, "spf2.0/future-scope ?all", &r, &problem));
    ASSERT_EQ(ik_spf_record_scopes(r), 0);
    ASSERT_OK(parse(a, "v=spf1 -all", &r, &problem));
    ASSERT_EQ(ik_spf_record_scopes(r), IK_SPF_SCOPEBIT_MFROM | IK_SPF_SCOPEBIT_PRA);
    ASSERT_STATUS(parse(a, "spf2.0/ -all", &r, &problem), IK_ESYNTAX);
    ASSERT_STATUS(parse(a, "spf2.0 -all", &r, &problem), IK_ESYNTAX);
    ASSERT_STATUS(parse(a, "spf2.0/pra, -all", &r, &problem), IK_ESYNTAX);
    ASSERT_STATUS(parse(a, "spf2.0/pra,,mfrom", &r, &problem), IK_ESYNTAX);
    ik_arena_free(a);
}

/* ---- macros ------------------------------------------------------------------- */

static ik_spf_macro_env rfc_env(const char *ip)
{
    ik_spf_macro_env env;
    memset(&env, 0, sizeof(env));
    env.sender = IK_STR_LIT("strong-bad@email.example.com");
    env.local = IK_STR_LIT("strong-bad");
    env.sender_domain = IK_STR_LIT("email.example.com");
    env.domain = IK_STR_LIT("email.example.com");
    env.helo = IK_STR_LIT("mx.example.org");
    env.ptr = IK_STR_LIT("mx.example.org");
    env.now = 1400000000;
    if (ik_ip_parse(ik_str_c(ip), &env.ip))
        abort();
    return env;
}

static void expect_expand(const ik_spf_macro_env *env, const char *spec, int explain, int domain,
                          const char *want)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_str out, problem;
    ik_status st = ik_spf_macro_expand(a, ik_str_c(spec), env, explain, domain, &out, &problem);
    if (st != IK_OK)
        IK_TEST_FAIL_("%s: %s (%.*s)", spec, ik_status_name(st), (int)problem.len, problem.p);
    if (out.len != strlen(want) || memcmp(out.p, want, out.len) != 0)
        IK_TEST_FAIL_("%s: got \"%.*s\", want \"%s\"", spec, (int)out.len, out.p, want);
    ik_arena_free(a);
}

static void macro_rfc7208_section_7_4_examples(void)
{
    ik_spf_macro_env env = rfc_env("192.0.2.3");
    static const char *const tab[][2] = {
        { "%{s}", "strong-bad@email.example.com" },
        { "%{o}", "email.example.com" },
        { "%{d}", "email.example.com" },
        { "%{d4}", "email.example.com" },
        { "%{d3}", "email.example.com" },
        { "%{d2}", "example.com" },
        { "%{d1}", "com" },
        { "%{dr}", "com.example.email" },
        { "%{d2r}", "example.email" },
        { "%{l}", "strong-bad" },
        { "%{l-}", "strong.bad" },
        { "%{lr}", "strong-bad" },
        { "%{lr-}", "bad.strong" },
        { "%{l1r-}", "strong" },
        { "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
        { "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
        { "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
        { "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com" },
        { "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net" },
    };
    for (size_t i = 0; i < N(tab); i++)
        expect_expand(&env, tab[i][0], 0, 1, tab[i][1]);
    ik_spf_macro_env env6 = rfc_env("2001:db8::cb01");
    expect_expand(&env6, "%{ir}.%{v}._spf.%{d2}", 0, 1,
                  "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf."
                  "example.com");
}

static void macro_other_letters_and_escapes(void)
{
    ik_spf_macro_env env = rfc_env("192.0.2.3");
    expect_expand(&env, "%{h}", 0, 1, "mx.example.org");
    expect_expand(&env, "%{p}", 0, 1, "mx.example.org");
    expect_expand(&env, "%{i}", 0, 1, "192.0.2.3");
    expect_expand(&env, "%{c} %{r} %{t}", 1, 0, "192.0.2.3 unknown 1400000000");
    expect_expand(&env, "%% %_ %-", 1, 0, "%   %20");
    expect_expand(&env, "a%%b%_c%-d.example.com", 0, 1, "a%b c%20d.example.com");
    expect_expand(&env, "%{S}", 1, 0, "strong-bad%40email.example.com");
    expect_expand(&env, "%{l2r+-}", 0, 0, "bad.strong");
    expect_expand(&env, "%{d200}", 0, 0, "email.example.com");
    env.local = IK_STR_LIT("~jack&jill=up-a_b3.c");
    expect_expand(&env, "%{L}", 1, 0, "~jack%26jill%3Dup-a_b3.c");
    env.local = IK_STR_LIT("foo-bar+zip+quux");
    expect_expand(&env, "%{l2r+-}", 0, 0, "bar.foo");
    env.ptr = IK_STR_NULL;
    expect_expand(&env, "%{p}", 0, 0, "unknown");
    ik_spf_macro_env env6 = rfc_env("cafe:babe::1");
    expect_expand(&env6, "%{c}", 1, 0, "cafe:babe::1");
    expect_expand(&env6, "%{v}", 1, 0, "ip6");
    /* explanations use uppercase nibbles, as the openspf suite expects */
    expect_expand(&env6, "%{ir}", 1, 0,
                  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C");
    expect_expand(&env6, "%{ir}", 0, 0,
                  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e.f.a.c");
}

static void macro_rejects_bad_syntax(void)
{
    static const char *bad[] = {
        "%",   "%x",  "%{",   "%{d",  "%{x}", "%{d0}", "%{d2r", "%{d:}",
        "%{}", "a b", "%{c}", "%{r}", "%{t}", "\x80",  "a\tb",
    };
    ik_spf_macro_env env = rfc_env("192.0.2.3");
    ik_arena *a = ik_arena_new(NULL);
    for (size_t i = 0; i < N(bad); i++) {
        ik_str out, problem = IK_STR_NULL;
        if (ik_spf_macro_expand(a, ik_str_c(bad[i]), &env, 0, 1, &out, &problem) != IK_ESYNTAX)
            IK_TEST_FAIL_("accepted \"%s\"", bad[i]);
        ASSERT_TRUE(problem.len > 0);
    }
    ik_arena_free(a);
}

static void macro_truncates_long_domains_from_the_left(void)
{
    ik_spf_macro_env env = rfc_env("192.0.2.3");
    env.sender_domain = IK_STR_LIT("somewhat.long.exp.example.com");
    ik_arena *a = ik_arena_new(NULL);
    ik_str out, problem;
    ASSERT_OK(ik_spf_macro_expand(a,
                                  IK_STR_LIT("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}."
                                             "%{o}.example.com"),
                                  &env, 0, 1, &out, &problem));
    ASSERT_TRUE(out.len <= 253);
    ASSERT_TRUE(out.len > 240);
    ASSERT_TRUE(ik_str_casestarts(out, "somewhat.long."));
    /* no truncation for explanations */
    ASSERT_OK(ik_spf_macro_expand(a,
                                  IK_STR_LIT("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}."
                                             "%{o}.example.com"),
                                  &env, 1, 0, &out, &problem));
    ASSERT_EQ(out.len, 258);
    /* trailing dot dropped for domains, kept for text */
    ASSERT_OK(ik_spf_macro_expand(a, IK_STR_LIT("%{d}."), &env, 0, 1, &out, &problem));
    ASSERT_STR(out, "email.example.com");
    ASSERT_OK(ik_spf_macro_expand(a, IK_STR_LIT("a test."), &env, 1, 0, &out, &problem));
    ASSERT_STR(out, "a test.");
    ik_arena_free(a);
}

static void macro_output_is_bounded(void)
{
    ik_spf_macro_env env = rfc_env("192.0.2.3");
    char *spec = malloc(4000);
    for (size_t i = 0; i + 4 <= 4000; i += 4)
        memcpy(spec + i, "%{s}", 4);
    ik_arena *a = ik_arena_new(NULL);
    ik_str out, problem;
    ASSERT_STATUS(ik_spf_macro_expand(a, ik_str_make(spec, 4000), &env, 1, 0, &out, &problem),
                  IK_ELIMIT);
    free(spec);
    ik_arena_free(a);
}

/* ---- evaluation ------------------------------------------------------------------ */

static void eval_basic_results_and_outcome(void)
{
    static const zrec zr[] = {
        ZTXT("example.com", "v=spf1 ip4:192.0.2.0/24 ~ip4:198.51.100.1 ?ip4:198.51.100.2 -all"),
        ZTXT("example.com", "google-site-verification=xyz"),
    };
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.77", "u@example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "198.51.100.1", "u@example.com"), IK_SPF_SOFTFAIL);
    ASSERT_RESULT(check(zr, N(zr), "198.51.100.2", "u@example.com"), IK_SPF_NEUTRAL);
    ASSERT_RESULT(check(zr, N(zr), "203.0.113.1", "u@example.com"), IK_SPF_FAIL);
    ASSERT_RESULT(check(zr, N(zr), "203.0.113.1", "u@nothing.example"), IK_SPF_NONE);
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    check_full(&z, "203.0.113.1", "u@Example.com", "h.example.org", NULL, &o, &a);
    ASSERT_STR(o.identity, "u@Example.com");
    ASSERT_STR(o.domain, "Example.com");
    ASSERT_STR(o.mechanism, "-all");
    ASSERT_STR(o.explanation, "DEFAULT");
    ASSERT_STR(o.record, "v=spf1 ip4:192.0.2.0/24 ~ip4:198.51.100.1 ?ip4:198.51.100.2 -all");
    ASSERT_EQ(o.dns_lookups, 0);
    ASSERT_EQ(z.queries, 1);
    ik_arena_free(a);
}

static void eval_joins_txt_strings_without_separator(void)
{
    static const zrec zr[] = {
        ZTXT("s.example.com", "|v=spf1 ip4:|192.0.2.1 |-all"),
        ZTXT("n.example.com", "|v=spf1|mx"), /* "v=spf1mx": not a record */
        ZTXT("e.example.com", "v=spf1 -all exp=x.example.com"),
        ZTXT("x.example.com", "|Not |allowed|."),
    };
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@s.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.2", "u@s.example.com"), IK_SPF_FAIL);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@n.example.com"), IK_SPF_NONE);
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    check_full(&z, "192.0.2.1", "u@e.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.explanation, "Not allowed.");
    ik_arena_free(a);
}

static void eval_syntax_error_anywhere_is_permerror(void)
{
    static const zrec zr[] = {
        ZTXT("example.com", "v=spf1 +all foo:bar"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@example.com", "h", NULL, &o, &a),
                  IK_SPF_PERMERROR);
    ASSERT_STR(o.problem, "unknown mechanism \"foo:bar\" in record of example.com");
    ASSERT_EQ(o.mechanism.len, 0);
    ik_arena_free(a);
}

static void eval_record_selection(void)
{
    static const zrec zr[] = {
        ZTXT("two.example.com", "v=spf1 -all"),
        ZTXT("two.example.com", "v=spf1 +all"),
        ZTXT("v10.example.com", "v=spf10 +all"),
        ZTXT("empty.example.com", "v=spf1"),
        ZTXT("upper.example.com", "V=SPF1 +all"),
        { "spf99.example.com", IK_DNS_T_SPF, "v=spf1 +all", 0 },
        ZTXT("timeout.example.com", "v=spf1 +all"),
        ZTIMEOUT("timeout.example.com"),
    };
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@two.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@v10.example.com"), IK_SPF_NONE);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@empty.example.com"), IK_SPF_NEUTRAL);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@upper.example.com"), IK_SPF_PASS);
    /* type 99 is never used (RFC 7208 3.1) */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@spf99.example.com"), IK_SPF_NONE);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@timeout.example.com"), IK_SPF_TEMPERROR);
}

static void eval_invalid_domain_is_none_without_dns(void)
{
    static const char *bad[] = {
        "u@a..example.com",
        "u@single",
        "u@[192.0.2.1]",
        "u@192.0.2.1",
        "u@a1234567890123456789012345678901234567890123456789012345678901234.example.com",
        "u@exa mple.com",
        "u@",
    };
    static const zrec zr[] = { ZTXT("single", "v=spf1 +all") };
    for (size_t i = 0; i < N(bad); i++) {
        tzone z = { zr, N(zr), 0, 0 };
        ik_spf_outcome o;
        ik_arena *a;
        ik_spf_result r = check_full(&z, "192.0.2.1", bad[i], "h.example.org", NULL, &o, &a);
        if (r != IK_SPF_NONE || z.queries != 0)
            IK_TEST_FAIL_("%s: %s after %u queries", bad[i], RES(r), z.queries);
        ik_arena_free(a);
    }
}

static void eval_identity_rules(void)
{
    static const zrec zr[] = {
        ZTXT("helo.example.org", "v=spf1 -all exp=e.example.org"),
        ZTXT("e.example.org", "%{s} %{l} %{o} %{d} %{h}"),
        ZTXT("example.com", "v=spf1 -all exp=e.example.org"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    /* null reverse-path: postmaster@helo (RFC 7208 2.4) */
    check_full(&z, "192.0.2.1", "", "helo.example.org", NULL, &o, &a);
    ASSERT_STR(o.identity, "postmaster@helo.example.org");
    ASSERT_STR(o.explanation, "postmaster@helo.example.org postmaster helo.example.org "
                              "helo.example.org helo.example.org");
    ik_arena_free(a);
    /* no local-part: postmaster (RFC 7208 4.3) */
    check_full(&z, "192.0.2.1", "@example.com", "helo.example.org", NULL, &o, &a);
    ASSERT_STR(o.identity, "postmaster@example.com");
    ASSERT_STR(o.explanation, "postmaster@example.com postmaster example.com example.com "
                              "helo.example.org");
    ik_arena_free(a);
    /* HELO scope checks the HELO name whatever the sender */
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    p.scope = IK_SPF_SCOPE_HELO;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "x@nowhere.example", "helo.example.org", &p, &o, &a),
                  IK_SPF_FAIL);
    ASSERT_STR(o.domain, "helo.example.org");
    ik_arena_free(a);
}

static void eval_include_result_table(void)
{
    static const zrec zr[] = {
        ZTXT("pass.example.com", "v=spf1 +all"),
        ZTXT("fail.example.com", "v=spf1 -all"),
        ZTXT("soft.example.com", "v=spf1 ~all"),
        ZTXT("neutral.example.com", "v=spf1 ?all"),
        ZTXT("perm.example.com", "v=spf1 bogus"),
        ZTIMEOUT("temp.example.com"),
        ZTXT("t1.example.com", "v=spf1 include:pass.example.com -all"),
        ZTXT("t2.example.com", "v=spf1 include:fail.example.com include:soft.example.com "
                               "include:neutral.example.com ~all"),
        ZTXT("t3.example.com", "v=spf1 include:none.example.com +all"),
        ZTXT("t4.example.com", "v=spf1 include:temp.example.com +all"),
        ZTXT("t5.example.com", "v=spf1 include:perm.example.com +all"),
        ZTXT("t6.example.com", "v=spf1 -include:pass.example.com +all"),
    };
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@t1.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@t2.example.com"), IK_SPF_SOFTFAIL);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@t3.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@t4.example.com"), IK_SPF_TEMPERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@t5.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@t6.example.com"), IK_SPF_FAIL);
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    check_full(&z, "192.0.2.1", "u@t3.example.com", "h", NULL, &o, &a);
    ASSERT_TRUE(has(o.problem, "none.example.com has no SPF record"));
    ik_arena_free(a);
    check_full(&z, "192.0.2.1", "u@t5.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.problem, "unknown mechanism \"bogus\" in record of perm.example.com");
    ik_arena_free(a);
    check_full(&z, "192.0.2.1", "u@t1.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.mechanism, "include:pass.example.com");
    ASSERT_EQ(o.dns_lookups, 1);
    ik_arena_free(a);
}

static void eval_redirect_rules(void)
{
    static const zrec zr[] = {
        ZTXT("r1.example.com", "v=spf1 redirect=target.example.com exp=x.example.com"),
        ZTXT("target.example.com", "v=spf1 a -all exp=why.example.com"),
        ZA("target.example.com", "192.0.2.9"),
        ZTXT("why.example.com", "target says no to %{i} (%{d})"),
        ZTXT("r2.example.com", "v=spf1 redirect=nothing.example.com"),
        ZTXT("r3.example.com", "v=spf1 redirect=target.example.com ?all"),
        ZTXT("r4.example.com", "v=spf1 redirect=%{l}.example.com"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    /* redirect target's exp is used, %{d} is the target (RFC 7208 6.2) */
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@r1.example.com", "h", NULL, &o, &a), IK_SPF_FAIL);
    ASSERT_STR(o.explanation, "target says no to 192.0.2.1 (target.example.com)");
    ASSERT_STR(o.domain, "r1.example.com");
    ASSERT_STR(o.record, "v=spf1 redirect=target.example.com exp=x.example.com");
    ASSERT_EQ(o.dns_lookups, 2);
    ik_arena_free(a);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.9", "u@r1.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.9", "u@r2.example.com"), IK_SPF_PERMERROR);
    /* ignored when the record has an all mechanism (RFC 7208 6.1) */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.9", "u@r3.example.com"), IK_SPF_NEUTRAL);
    /* a malformed expanded target is permerror, not none */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.9", "a..b@r4.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.9", "target@r4.example.com"), IK_SPF_PASS);
}

static void eval_include_loop_is_stopped_by_lookup_limit(void)
{
    static const zrec zr[] = {
        ZTXT("a.example.com", "v=spf1 include:b.example.com -all"),
        ZTXT("b.example.com", "v=spf1 include:a.example.com -all"),
        ZTXT("self.example.com", "v=spf1 redirect=self.example.com"),
        ZTXT("m.example.com", "v=spf1 include:%{l}.example.com -all"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@a.example.com", "h", NULL, &o, &a),
                  IK_SPF_PERMERROR);
    ASSERT_EQ(o.dns_lookups, 10);
    ASSERT_TRUE(has(o.problem, "more than 10 DNS-querying terms"));
    /* each domain's TXT asked once: answers are reused */
    ASSERT_EQ(z.txt_queries, 2);
    ik_arena_free(a);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@self.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "m@m.example.com"), IK_SPF_PERMERROR);
}

static void eval_lookup_limit_counts_every_dns_term(void)
{
    static const zrec zr[] = {
        ZTXT("ten.example.com", "v=spf1 a mx ptr exists:x.example.com a a a a a "
                                "include:inc.example.com ip4:192.0.2.1 -all"),
        ZTXT("inc.example.com", "v=spf1 ?all"),
        ZA("x.example.com", "127.0.0.2"),
        ZA("ten.example.com", "198.51.100.1"),
        ZTXT("eleven.example.com", "v=spf1 a a a a a a a a a a a ip4:192.0.2.1 -all"),
        ZA("eleven.example.com", "198.51.100.1"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@ten.example.com", "h", NULL, &o, &a),
                  IK_SPF_PASS); /* exists matched: the fourth DNS term */
    ASSERT_EQ(o.dns_lookups, 4);
    ik_arena_free(a);
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@ten.example.com", "h", NULL, &o, &a), IK_SPF_PASS);
    ik_arena_free(a);
    ASSERT_RESULT(check_full(&z, "192.0.2.2", "u@eleven.example.com", "h", NULL, &o, &a),
                  IK_SPF_PERMERROR);
    ASSERT_EQ(o.dns_lookups, 10);
    ik_arena_free(a);
    /* a configured limit */
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    p.max_dns_mech = 3;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@eleven.example.com", "h", &p, &o, &a),
                  IK_SPF_PERMERROR);
    ASSERT_EQ(o.dns_lookups, 3);
    ik_arena_free(a);
}

static void eval_void_lookup_limit(void)
{
    static const zrec zr[] = {
        ZTXT("two.example.com", "v=spf1 a:n1.example.com a:n2.example.com ?all"),
        ZTXT("three.example.com", "v=spf1 a:n1.example.com mx:n2.example.com "
                                  "exists:n3.example.com ?all"),
        ZTXT("n3.example.com", "exists but no A"),
        ZTXT("expvoid.example.com", "v=spf1 a:n1.example.com a:n2.example.com "
                                    "exp=n3.example.com -all"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@two.example.com", "h", NULL, &o, &a),
                  IK_SPF_NEUTRAL);
    ASSERT_EQ(o.void_lookups, 2);
    ik_arena_free(a);
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@three.example.com", "h", NULL, &o, &a),
                  IK_SPF_PERMERROR);
    ASSERT_EQ(o.void_lookups, 3);
    ASSERT_TRUE(has(o.problem, "void"));
    ik_arena_free(a);
    /* the exp= lookup is not a void lookup */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@expvoid.example.com"), IK_SPF_FAIL);
}

static void eval_mx_rules(void)
{
    static const zrec zr[] = {
        ZTXT("m.example.com", "v=spf1 mx -all"),
        ZMX("m.example.com", "10 mx1.example.com"),
        ZMX("m.example.com", "20 mx2.example.com"),
        ZMX("m.example.com", "30 mx3.example.com"),
        ZA("mx1.example.com", "198.51.100.1"),
        ZA("mx2.example.com", "198.51.100.2"),
        ZAAAA("mx3.example.com", "2001:db8::3"),
        ZTXT("eleven.example.com", "v=spf1 mx"),
        ZMX("eleven.example.com", "1 a.example.com"),
        ZMX("eleven.example.com", "2 b.example.com"),
        ZMX("eleven.example.com", "3 c.example.com"),
        ZMX("eleven.example.com", "4 d.example.com"),
        ZMX("eleven.example.com", "5 e.example.com"),
        ZMX("eleven.example.com", "6 f.example.com"),
        ZMX("eleven.example.com", "7 g.example.com"),
        ZMX("eleven.example.com", "8 h.example.com"),
        ZMX("eleven.example.com", "9 i.example.com"),
        ZMX("eleven.example.com", "10 j.example.com"),
        ZMX("eleven.example.com", "11 k.example.com"),
        ZTXT("null.example.com", "v=spf1 mx ?all"),
        ZMX("null.example.com", "0 "),
        ZTXT("implicit.example.com", "v=spf1 mx -all"),
        ZA("implicit.example.com", "192.0.2.1"),
        ZTXT("broken.example.com", "v=spf1 mx -all"),
        ZMX("broken.example.com", "10 dead.example.com"),
        ZTIMEOUT("dead.example.com"),
    };
    ASSERT_RESULT(check(zr, N(zr), "198.51.100.2", "u@m.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "2001:db8::3", "u@m.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "198.51.100.3", "u@m.example.com"), IK_SPF_FAIL);
    /* RFC 7208 4.6.4: more than 10 MX names is permerror */
    ASSERT_RESULT(check(zr, N(zr), "198.51.100.3", "u@eleven.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, N(zr), "198.51.100.3", "u@null.example.com"), IK_SPF_NEUTRAL);
    /* no MX: no implicit A fallback (RFC 7208 5.4) */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@implicit.example.com"), IK_SPF_FAIL);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@broken.example.com"), IK_SPF_TEMPERROR);
}

static void eval_mx_hosts_are_asked_in_parallel(void)
{
    static const zrec zr[] = {
        ZTXT("m.example.com", "v=spf1 mx -all"),    ZMX("m.example.com", "10 mx1.example.com"),
        ZMX("m.example.com", "20 mx2.example.com"), ZMX("m.example.com", "30 mx3.example.com"),
        ZA("mx3.example.com", "192.0.2.3"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.3"), &p.ip));
    p.sender = IK_STR_LIT("u@m.example.com");
    ik_spf *s;
    ASSERT_OK(ik_spf_new(a, &p, &s));
    ik_resolver r = { &tz_ops, &z };
    unsigned rounds = 0, sizes[8] = { 0 };
    ik_dns_query *pend;
    ik_status st;
    while ((st = ik_spf_run(s, &pend)) == IK_EAGAIN) {
        for (ik_dns_query *q = pend; q; q = q->next)
            sizes[rounds]++;
        ASSERT_OK(ik_resolver_answer_all(&r, a, pend));
        rounds++;
        ASSERT_TRUE(rounds < 8);
    }
    ASSERT_OK(st);
    ASSERT_EQ(rounds, 3); /* TXT, MX, then the three A questions together */
    ASSERT_EQ(sizes[0], 1);
    ASSERT_EQ(sizes[1], 1);
    ASSERT_EQ(sizes[2], 3);
    ASSERT_RESULT(ik_spf_outcome_get(s)->result, IK_SPF_PASS);
    ik_arena_free(a);
}

static void eval_answers_in_any_order(void)
{
    /* the driver answers pending questions back to front */
    static const zrec zr[] = {
        ZTXT("m.example.com", "v=spf1 mx a:x.example.com -all"),
        ZMX("m.example.com", "10 mx1.example.com"),
        ZMX("m.example.com", "20 mx2.example.com"),
        ZA("mx1.example.com", "192.0.2.1"),
        ZA("x.example.com", "192.0.2.7"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.7"), &p.ip));
    p.sender = IK_STR_LIT("u@m.example.com");
    ik_spf *s;
    ASSERT_OK(ik_spf_new(a, &p, &s));
    ik_dns_query *pend;
    ik_status st;
    while ((st = ik_spf_run(s, &pend)) == IK_EAGAIN) {
        ik_dns_query *v[32];
        size_t n = 0;
        for (ik_dns_query *q = pend; q && n < 32; q = q->next)
            v[n++] = q;
        while (n > 0)
            ASSERT_OK(tz_resolve(&z, a, v[--n]));
    }
    ASSERT_OK(st);
    ASSERT_RESULT(ik_spf_outcome_get(s)->result, IK_SPF_PASS);
    ASSERT_STR(ik_spf_outcome_get(s)->mechanism, "a:x.example.com");
    /* calling again after completion is harmless */
    ASSERT_OK(ik_spf_run(s, &pend));
    ASSERT_TRUE(pend == NULL);
    ik_arena_free(a);
}

static void eval_ptr_rules(void)
{
    static const zrec zr[] = {
        ZTXT("p.example.com", "v=spf1 ptr -all"),
        ZTXT("q.example.com", "v=spf1 ptr:Example.ORG -all"),
        ZPTR("1.2.0.192.in-addr.arpa", "mail.example.com"),
        ZPTR("1.2.0.192.in-addr.arpa", "host.example.org"),
        ZA("mail.example.com", "192.0.2.1"),
        ZA("host.example.org", "192.0.2.99"),
        ZPTR("2.2.0.192.in-addr.arpa", "fake.p.example.com"),
        ZTXT("limit.example.com", "v=spf1 ptr -all"),
        ZPTR("3.2.0.192.in-addr.arpa", "n1.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n2.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n3.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n4.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n5.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n6.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n7.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n8.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n9.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "n10.example.net"),
        ZPTR("3.2.0.192.in-addr.arpa", "mx.limit.example.com"),
        ZA("mx.limit.example.com", "192.0.2.3"),
        ZTIMEOUT("4.2.0.192.in-addr.arpa"),
    };
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@p.example.com"), IK_SPF_FAIL);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@mail.example.com"), IK_SPF_NONE);
    /* mail.example.com is validated but not within example.org */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@q.example.com"), IK_SPF_FAIL);
    /* fake.p.example.com has no address: not validated */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.2", "u@p.example.com"), IK_SPF_FAIL);
    /* only the first 10 PTR names count (RFC 7208 4.6.4) */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.3", "u@limit.example.com"), IK_SPF_FAIL);
    /* a DNS error on the PTR lookup is no match (RFC 7208 5.5) */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.4", "u@p.example.com"), IK_SPF_FAIL);
    static const zrec zr2[] = {
        ZTXT("p.example.com", "v=spf1 ptr -all"),
        ZPTR("1.2.0.192.in-addr.arpa", "MAIL.P.Example.com."),
        ZA("mail.p.example.com", "192.0.2.1"),
    };
    ASSERT_RESULT(check(zr2, N(zr2), "192.0.2.1", "u@p.example.com"), IK_SPF_PASS);
}

static void eval_p_macro_validation(void)
{
    static const zrec zr[] = {
        ZTXT("e.example.com", "v=spf1 -all exp=msg.example.com"),
        ZTXT("msg.example.com", "from %{p}"),
        ZPTR("7.2.0.192.in-addr.arpa", "other.example.net"),
        ZPTR("7.2.0.192.in-addr.arpa", "mx.e.example.com"),
        ZA("other.example.net", "192.0.2.7"),
        ZA("mx.e.example.com", "192.0.2.7"),
        ZPTR("8.2.0.192.in-addr.arpa", "liar.example.net"),
        ZTXT("x.example.com", "v=spf1 exists:%{p}.ok.example.com -all"),
        ZA("mx.e.example.com.ok.example.com", "127.0.0.2"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    check_full(&z, "192.0.2.7", "u@e.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.explanation, "from mx.e.example.com"); /* subdomain preferred */
    ik_arena_free(a);
    check_full(&z, "192.0.2.8", "u@e.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.explanation, "from unknown");
    ik_arena_free(a);
    check_full(&z, "192.0.2.9", "u@e.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.explanation, "from unknown");
    ik_arena_free(a);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.8", "u@x.example.com"), IK_SPF_FAIL);
}

static void eval_ipv6_and_mapped_clients(void)
{
    static const zrec zr[] = {
        ZTXT("d.example.com", "v=spf1 ip6:2001:db8::/32 ip4:192.0.2.0/24 -all"),
        ZTXT("m.example.com", "v=spf1 ip6:::ffff:0:0/96 -all"),
        ZTXT("a.example.com", "v=spf1 a/24//64 -all"),
        ZA("a.example.com", "192.0.2.200"),
        ZAAAA("a.example.com", "2001:db8:1:2::1"),
        ZTXT("x.example.com", "v=spf1 exists:%{ir}.%{v}.x.example.com -all"),
        ZA("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.x.example.com",
           "127.0.0.2"),
    };
    ASSERT_RESULT(check(zr, N(zr), "2001:db8::1", "u@d.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "::ffff:192.0.2.1", "u@d.example.com"), IK_SPF_PASS);
    /* a mapped client is IPv4: it never matches ip6 (RFC 7208 5) */
    ASSERT_RESULT(check(zr, N(zr), "::ffff:192.0.2.1", "u@m.example.com"), IK_SPF_FAIL);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.9", "u@a.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "2001:db8:1:2:ffff::9", "u@a.example.com"), IK_SPF_PASS);
    ASSERT_RESULT(check(zr, N(zr), "2001:db8:1:3::9", "u@a.example.com"), IK_SPF_FAIL);
    ASSERT_RESULT(check(zr, N(zr), "2001:db8::1", "u@x.example.com"), IK_SPF_PASS);
}

static void eval_explanation_rules(void)
{
    static const zrec zr[] = {
        ZTXT("ok.example.com", "v=spf1 -all exp=ok.exp.example.com"),
        ZTXT("ok.exp.example.com", "%{i} is not allowed for %{d} (see %{r}); now=%{t}"),
        ZTXT("two.example.com", "v=spf1 -all exp=two.exp.example.com"),
        ZTXT("two.exp.example.com", "one"),
        ZTXT("two.exp.example.com", "two"),
        ZTXT("err.example.com", "v=spf1 -all exp=err.exp.example.com"),
        ZTIMEOUT("err.exp.example.com"),
        ZTXT("syn.example.com", "v=spf1 -all exp=syn.exp.example.com"),
        ZTXT("syn.exp.example.com", "The %{x}-files"),
        ZTXT("soft.example.com", "v=spf1 ~all exp=ok.exp.example.com"),
        ZTXT("def.example.com", "v=spf1 -all"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    p.receiver = IK_STR_LIT("mx.receiver.example");
    check_full(&z, "192.0.2.1", "u@ok.example.com", "h", &p, &o, &a);
    ASSERT_STR(o.explanation, "192.0.2.1 is not allowed for ok.example.com (see "
                              "mx.receiver.example); now=1400000000");
    ik_arena_free(a);
    check_full(&z, "192.0.2.1", "u@two.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.explanation, "DEFAULT");
    ik_arena_free(a);
    check_full(&z, "192.0.2.1", "u@err.example.com", "h", NULL, &o, &a);
    ASSERT_RESULT(o.result, IK_SPF_FAIL);
    ASSERT_STR(o.explanation, "DEFAULT");
    ik_arena_free(a);
    check_full(&z, "192.0.2.1", "u@syn.example.com", "h", NULL, &o, &a);
    ASSERT_STR(o.explanation, "DEFAULT");
    ik_arena_free(a);
    /* explanations only for fail */
    check_full(&z, "192.0.2.1", "u@soft.example.com", "h", NULL, &o, &a);
    ASSERT_EQ(o.explanation.len, 0);
    ik_arena_free(a);
    /* the default explanation is a macro-string too */
    memset(&p, 0, sizeof(p));
    p.default_exp = IK_STR_LIT("%{o} does not allow %{c}");
    check_full(&z, "2001:db8::1", "u@def.example.com", "h", &p, &o, &a);
    ASSERT_STR(o.explanation, "def.example.com does not allow 2001:db8::1");
    ik_arena_free(a);
}

static void eval_temperror_paths(void)
{
    static const zrec zr[] = {
        ZTXT("a.example.com", "v=spf1 a:dead.example.com -all"),
        ZTXT("e.example.com", "v=spf1 exists:dead.example.com -all"),
        ZTXT("m.example.com", "v=spf1 mx:dead.example.com -all"),
        ZTIMEOUT("dead.example.com"),
        ZTIMEOUT("txt.example.com"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@a.example.com", "h", NULL, &o, &a),
                  IK_SPF_TEMPERROR);
    ASSERT_TRUE(has(o.problem, "dead.example.com"));
    ik_arena_free(a);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@e.example.com"), IK_SPF_TEMPERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@m.example.com"), IK_SPF_TEMPERROR);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@txt.example.com"), IK_SPF_TEMPERROR);
}

static void senderid_record_selection(void)
{
    static const zrec zr[] = {
        ZTXT("both.example.com", "v=spf1 -all"),
        ZTXT("both.example.com", "spf2.0/pra +all"),
        ZTXT("v1only.example.com", "v=spf1 -all"),
        ZTXT("mfromonly.example.com", "spf2.0/mfrom +all"),
        ZTXT("mfromonly.example.com", "v=spf1 -all"),
        ZTXT("dup.example.com", "spf2.0/pra +all"),
        ZTXT("dup.example.com", "spf2.0/mfrom,pra -all"),
        ZTXT("case.example.com", "SPF2.0/MFrom,PRA ~all"),
        ZTXT("bad.example.com", "spf2.0/ +all"),
        ZTXT("bad.example.com", "v=spf1 +all"),
        ZTXT("future.example.com", "spf2.0/future +all"),
    };
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    p.records = IK_SPF_RECORDS_SENDERID;
    p.scope = IK_SPF_SCOPE_PRA;
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    struct {
        const char *sender;
        ik_spf_scope scope;
        ik_spf_result want;
    } tab[] = {
        { "u@both.example.com", IK_SPF_SCOPE_PRA, IK_SPF_PASS },
        { "u@both.example.com", IK_SPF_SCOPE_MFROM, IK_SPF_NONE },
        { "u@v1only.example.com", IK_SPF_SCOPE_PRA, IK_SPF_FAIL },
        { "u@v1only.example.com", IK_SPF_SCOPE_MFROM, IK_SPF_FAIL },
        { "u@mfromonly.example.com", IK_SPF_SCOPE_MFROM, IK_SPF_PASS },
        { "u@mfromonly.example.com", IK_SPF_SCOPE_PRA, IK_SPF_NONE },
        { "u@dup.example.com", IK_SPF_SCOPE_PRA, IK_SPF_PERMERROR },
        { "u@dup.example.com", IK_SPF_SCOPE_MFROM, IK_SPF_FAIL },
        { "u@case.example.com", IK_SPF_SCOPE_PRA, IK_SPF_SOFTFAIL },
        { "u@bad.example.com", IK_SPF_SCOPE_PRA, IK_SPF_PERMERROR },
        { "u@future.example.com", IK_SPF_SCOPE_PRA, IK_SPF_NONE },
    };
    for (size_t i = 0; i < N(tab); i++) {
        p.scope = tab[i].scope;
        ik_spf_result r = check_full(&z, "192.0.2.1", tab[i].sender, "h", &p, &o, &a);
        if (r != tab[i].want)
            IK_TEST_FAIL_("%s scope %d: got %s want %s", tab[i].sender, tab[i].scope, RES(r),
                          RES(tab[i].want));
        ik_arena_free(a);
    }
    /* plain SPF ignores spf2.0 records */
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@both.example.com"), IK_SPF_FAIL);
    ASSERT_RESULT(check(zr, N(zr), "192.0.2.1", "u@dup.example.com"), IK_SPF_NONE);
}

/* ---- hostile DNS ---------------------------------------------------------------- */

static void hostile_dns_answers_are_survived(void)
{
    /* a 100 kB TXT, 1000 MX, 1000 PTR, NULs, wrong RR types */
    size_t big = 100000;
    char *huge = malloc(big);
    memcpy(huge, "v=spf1", 6);
    for (size_t i = 6; i < big; i++)
        huge[i] = (i % 2 == 0) ? ' ' : 'a';
    size_t nz = 2100, k = 0;
    zrec *zr = calloc(nz + 32, sizeof(zrec));
    char(*names)[32] = calloc(nz, 32);
    zr[k++] = (zrec){ "huge.example.com", IK_DNS_T_TXT, huge, big };
    zr[k++] = (zrec){ "mx.example.com", IK_DNS_T_TXT, "v=spf1 mx -all", 0 };
    zr[k++] = (zrec){ "ptr.example.com", IK_DNS_T_TXT, "v=spf1 ptr -all", 0 };
    zr[k++] = (zrec){ "nul.example.com", IK_DNS_T_TXT, "v=spf1 \0+all", 12 };
    zr[k++] = (zrec){ "wrong.example.com", IK_DNS_T_TXT, "v=spf1 a mx -all", 0 };
    zr[k++] = (zrec){ "wrong.example.com", IK_DNS_T_PTR, "x.example.com", 0 };
    zr[k++] = (zrec){ "exp.example.com", IK_DNS_T_TXT, "v=spf1 -all exp=e.example.com", 0 };
    char *expbig = malloc(60000);
    for (size_t i = 0; i + 4 <= 60000; i += 4)
        memcpy(expbig + i, "%{s}", 4);
    zr[k++] = (zrec){ "e.example.com", IK_DNS_T_TXT, expbig, 60000 };
    for (size_t i = 0; i < 1000; i++) {
        snprintf(names[i], 32, "%zu h%zu.example.com", i, i);
        zr[k++] = (zrec){ "mx.example.com", IK_DNS_T_MX, names[i], 0 };
    }
    for (size_t i = 0; i < 1000; i++) {
        snprintf(names[1000 + i], 32, "p%zu.ptr.example.com", i);
        zr[k++] = (zrec){ "1.2.0.192.in-addr.arpa", IK_DNS_T_PTR, names[1000 + i], 0 };
    }
    ASSERT_RESULT(check(zr, k, "192.0.2.1", "u@huge.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, k, "192.0.2.1", "u@mx.example.com"), IK_SPF_PERMERROR);
    tzone z = { zr, k, 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@ptr.example.com", "h", NULL, &o, &a), IK_SPF_FAIL);
    ASSERT_TRUE(z.queries <= 13); /* TXT, PTR, 10 validations, exp */
    ik_arena_free(a);
    ASSERT_RESULT(check(zr, k, "192.0.2.1", "u@nul.example.com"), IK_SPF_PERMERROR);
    ASSERT_RESULT(check(zr, k, "192.0.2.1", "u@wrong.example.com"), IK_SPF_FAIL);
    z.queries = 0;
    check_full(&z, "192.0.2.1", "u@exp.example.com", "h", NULL, &o, &a);
    ASSERT_RESULT(o.result, IK_SPF_FAIL);
    ASSERT_STR(o.explanation, "DEFAULT"); /* over-long: ignored */
    ik_arena_free(a);
    free(names);
    free(zr);
    free(huge);
    free(expbig);
}

static void hostile_include_chain_via_macros_is_bounded(void)
{
    /* every level includes a new name: stopped by the lookup limit */
    static const zrec zr[] = {
        ZTXT("x.example.com", "v=spf1 include:x.%{d} -all"),
    };
    /* the wildcard-like zone: answer the same record for every x.x.x... name */
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ASSERT_RESULT(check_full(&z, "192.0.2.1", "u@x.example.com", "h", NULL, &o, &a),
                  IK_SPF_PERMERROR); /* x.x.example.com has no record */
    ik_arena_free(a);
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    p.max_dns_mech = 100000; /* a careless configuration: depth still bounded */
    static const zrec loop[] = {
        ZTXT("a.example.com", "v=spf1 include:a.example.com"),
    };
    tzone z2 = { loop, N(loop), 0, 0 };
    ASSERT_RESULT(check_full(&z2, "192.0.2.1", "u@a.example.com", "h", &p, &o, &a),
                  IK_SPF_PERMERROR);
    ASSERT_TRUE(has(o.problem, "nested") || has(o.problem, "more than"));
    ik_arena_free(a);
}

static void eval_survives_allocation_failure(void)
{
    static const zrec zr[] = {
        ZTXT("m.example.com", "v=spf1 mx include:i.example.com ptr -all exp=e.example.com"),
        ZMX("m.example.com", "10 mx1.example.com"),
        ZA("mx1.example.com", "192.0.2.10"),
        ZTXT("i.example.com", "v=spf1 a:%{l}.%{d} ?all"),
        ZTXT("e.example.com", "no %{p} for %{s}"),
    };
    int saw_ok = 0, saw_oom = 0;
    for (size_t limit = 256; limit < 65536; limit += 256) {
        ik_arena *a = ik_arena_new(NULL);
        ik_arena_set_limit(a, limit);
        ik_spf_params p;
        memset(&p, 0, sizeof(p));
        ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.1"), &p.ip));
        p.sender = IK_STR_LIT("user@m.example.com");
        p.now = 1;
        tzone z = { zr, N(zr), 0, 0 };
        ik_resolver r = { &tz_ops, &z };
        ik_spf_outcome o;
        ik_status st = ik_spf_check(a, &p, &r, &o);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        if (st == IK_OK) {
            saw_ok = 1;
            ASSERT_RESULT(o.result, IK_SPF_FAIL);
        } else {
            saw_oom = 1;
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(saw_ok && saw_oom);
}

static void api_misuse_is_reported(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    ik_spf *s;
    ASSERT_STATUS(ik_spf_new(a, &p, &s), IK_EINVAL); /* no client address */
    ASSERT_STATUS(ik_spf_new(NULL, &p, &s), IK_EINVAL);
    ASSERT_STATUS(ik_spf_run(NULL, NULL), IK_EINVAL);
    ASSERT_STATUS(ik_spf_record_parse(a, IK_STR_LIT("v=spf1"), NULL, NULL), IK_EINVAL);
    ASSERT_CSTR(ik_spf_result_name(IK_SPF_TEMPERROR), "temperror");
    ASSERT_CSTR(ik_spf_result_name(IK_SPF_NONE), "none");
    ik_arena_free(a);
}

/* ---- headers ---------------------------------------------------------------- */

static void received_spf_header_is_folded_and_complete(void)
{
    static const zrec zr[] = {
        ZTXT("example.com", "v=spf1 ip4:192.0.2.0/24 include:bad.example.com -all"),
        ZTXT("bad.example.com", "v=spf1 foo"),
        ZTXT("ok.example.com", "v=spf1 ip4:192.0.2.0/24 -all"),
    };
    tzone z = { zr, N(zr), 0, 0 };
    ik_spf_outcome o;
    ik_arena *a;
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    p.receiver = IK_STR_LIT("mx.receiver.example");
    check_full(&z, "192.0.2.1", "someone@ok.example.com", "mail.ok.example.com", &p, &o, &a);
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.1"), &p.ip));
    p.sender = IK_STR_LIT("someone@ok.example.com");
    p.helo = IK_STR_LIT("mail.ok.example.com");
    ik_str h = ik_spf_received_spf(a, &p, &o);
    ASSERT_TRUE(ik_str_casestarts(h, "Received-SPF: pass (mx.receiver.example: domain of "));
    ASSERT_TRUE(has(h, "client-ip=192.0.2.1;"));
    ASSERT_TRUE(has(h, "envelope-from=\"someone@ok.example.com\";"));
    ASSERT_TRUE(has(h, "helo=mail.ok.example.com;"));
    ASSERT_TRUE(has(h, "receiver=mx.receiver.example;"));
    ASSERT_TRUE(has(h, "identity=mailfrom;"));
    ASSERT_TRUE(has(h, "mechanism=\"ip4:192.0.2.0/24\";"));
    /* every line within 78 columns, folded with CRLF SP */
    size_t col = 0;
    for (size_t i = 0; i < h.len; i++) {
        if (h.p[i] == '\r') {
            ASSERT_TRUE(i + 2 < h.len && h.p[i + 1] == '\n' && h.p[i + 2] == ' ');
            col = 0;
            i++;
            continue;
        }
        col++;
        ASSERT_TRUE(col <= 78);
    }
    ik_str ar = ik_spf_authres(a, &p, &o);
    ASSERT_STR(ar, "spf=pass smtp.mailfrom=someone@ok.example.com");
    ik_arena_free(a);

    p.sender = IK_STR_LIT("x@example.com");
    check_full(&z, "198.51.100.1", "x@example.com", "mail.ok.example.com", &p, &o, &a);
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("198.51.100.1"), &p.ip));
    ASSERT_RESULT(o.result, IK_SPF_PERMERROR);
    h = ik_spf_received_spf(a, &p, &o);
    ASSERT_TRUE(has(h, "problem=\"unknown mechanism \\\"foo\\\" in record of"));
    ar = ik_spf_authres(a, &p, &o);
    ASSERT_TRUE(ik_str_casestarts(ar, "spf=permerror reason=\"unknown mechanism"));
    ik_arena_free(a);

    p.scope = IK_SPF_SCOPE_HELO;
    check_full(&z, "192.0.2.1", "", "ok.example.com", &p, &o, &a);
    p.helo = IK_STR_LIT("ok.example.com");
    p.sender = IK_STR_LIT("");
    ar = ik_spf_authres(a, &p, &o);
    ASSERT_STR(ar, "spf=pass smtp.helo=ok.example.com");
    h = ik_spf_received_spf(a, &p, &o);
    ASSERT_TRUE(has(h, "identity=helo;"));
    ik_arena_free(a);
}

static void received_spf_escapes_hostile_values(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("2001:db8::1"), &p.ip));
    p.helo = IK_STR_LIT("evil\r\nX-Injected: yes");
    p.sender = IK_STR_LIT("a\"b\\c(d)@example.com");
    ik_spf_outcome o;
    memset(&o, 0, sizeof(o));
    o.result = IK_SPF_FAIL;
    o.identity = p.sender;
    ik_str h = ik_spf_received_spf(a, &p, &o);
    ASSERT_FALSE(has(h, "\r\nX-Injected"));
    ASSERT_TRUE(has(h, "client-ip=\"2001:db8::1\";"));
    ASSERT_TRUE(has(h, "a\\\"b\\\\c(d)@example.com"));
    ASSERT_TRUE(has(h, "a\"b\\\\c\\(d\\)@example.com")); /* comment form */
    ik_arena_free(a);
}

/* Records and macro-strings with a NUL at each position, over every prefix
 * (macros) and oversized: IK_OK or IK_ESYNTAX/IK_ELIMIT with a problem,
 * never a read past the length (exact-size copies). */
static void spf_record_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_record *r;
    ik_str problem = IK_STR_NULL;
    ik_status st = ik_spf_record_parse(a, ik_str_make(p, n), &r, &problem);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(problem.len > 0);
    ik_arena_free(a);
}

static void spf_macro_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_macro_env env;
    memset(&env, 0, sizeof(env));
    env.sender = IK_STR_LIT("strong-bad@email.example.com");
    env.local = IK_STR_LIT("strong-bad");
    env.sender_domain = IK_STR_LIT("email.example.com");
    env.domain = IK_STR_LIT("email.example.com");
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("2001:db8::cb01"), &env.ip));
    env.helo = IK_STR_LIT("mx.example.org");
    env.receiver = IK_STR_LIT("mx.example.net");
    env.now = 1700000000;
    for (int explain = 0; explain < 2; explain++) {
        ik_str out = IK_STR_NULL, problem = IK_STR_NULL;
        ik_status st =
            ik_spf_macro_expand(a, ik_str_make(p, n), &env, explain, !explain, &out, &problem);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
        if (st == IK_ESYNTAX)
            ASSERT_TRUE(problem.len > 0);
        if (st == IK_OK && !explain)
            ASSERT_TRUE(out.len <= 253);
    }
    ik_arena_free(a);
}

static void record_and_macro_hostile_input(void)
{
    static const char rec[] = "v=spf1 a:%{d2}.example.com/24//64 ip4:192.0.2.0/24 "
                              "ip6:2001:db8::/32 include:x.example.com exp=e.%{d} -all";
    static const char mac[] = "%{ir}.%{v}._spf.%{d2}.%{l1r-}.%{o}.%{s}.%{p}.%{h}%%%_%-x";
    ik_test_each_nul(rec, sizeof(rec) - 1, spf_record_cb, NULL);
    ik_test_oversized("v=spf1", " ip4:192.0.2.1", 1u << 20, " -all", spf_record_cb, NULL);
    ik_test_oversized("v=spf1 a:", "x", 1u << 20, " -all", spf_record_cb, NULL);
    ik_test_each_prefix(mac, sizeof(mac) - 1, spf_macro_cb, NULL);
    ik_test_each_nul(mac, sizeof(mac) - 1, spf_macro_cb, NULL);
    ik_test_oversized("", "%{ir}.", 1u << 16, "example.com", spf_macro_cb, NULL);
    ik_test_oversized("%{d", "9", 1u << 16, "r}", spf_macro_cb, NULL);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(record_parses_every_mechanism_and_modifier),
    IK_TEST_CASE(record_parse_is_case_insensitive),
    IK_TEST_CASE(record_parse_names_the_offending_term),
    IK_TEST_CASE(record_parse_rejects_malformed_terms),
    IK_TEST_CASE(record_parse_accepts_unusual_but_valid_terms),
    IK_TEST_CASE(record_parse_handles_truncated_input),
    IK_TEST_CASE(record_parse_rejects_embedded_nul),
    IK_TEST_CASE(record_parse_limits_size),
    IK_TEST_CASE(record_parse_sender_id_versions),
    IK_TEST_CASE(macro_rfc7208_section_7_4_examples),
    IK_TEST_CASE(macro_other_letters_and_escapes),
    IK_TEST_CASE(macro_rejects_bad_syntax),
    IK_TEST_CASE(macro_truncates_long_domains_from_the_left),
    IK_TEST_CASE(macro_output_is_bounded),
    IK_TEST_CASE(eval_basic_results_and_outcome),
    IK_TEST_CASE(eval_joins_txt_strings_without_separator),
    IK_TEST_CASE(eval_syntax_error_anywhere_is_permerror),
    IK_TEST_CASE(eval_record_selection),
    IK_TEST_CASE(eval_invalid_domain_is_none_without_dns),
    IK_TEST_CASE(eval_identity_rules),
    IK_TEST_CASE(eval_include_result_table),
    IK_TEST_CASE(eval_redirect_rules),
    IK_TEST_CASE(eval_include_loop_is_stopped_by_lookup_limit),
    IK_TEST_CASE(eval_lookup_limit_counts_every_dns_term),
    IK_TEST_CASE(eval_void_lookup_limit),
    IK_TEST_CASE(eval_mx_rules),
    IK_TEST_CASE(eval_mx_hosts_are_asked_in_parallel),
    IK_TEST_CASE(eval_answers_in_any_order),
    IK_TEST_CASE(eval_ptr_rules),
    IK_TEST_CASE(eval_p_macro_validation),
    IK_TEST_CASE(eval_ipv6_and_mapped_clients),
    IK_TEST_CASE(eval_explanation_rules),
    IK_TEST_CASE(eval_temperror_paths),
    IK_TEST_CASE(senderid_record_selection),
    IK_TEST_CASE(hostile_dns_answers_are_survived),
    IK_TEST_CASE(hostile_include_chain_via_macros_is_bounded),
    IK_TEST_CASE(eval_survives_allocation_failure),
    IK_TEST_CASE(api_misuse_is_reported),
    IK_TEST_CASE(received_spf_header_is_folded_and_complete),
    IK_TEST_CASE(received_spf_escapes_hostile_values),
    IK_TEST_CASE(record_and_macro_hostile_input),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
