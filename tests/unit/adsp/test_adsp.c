/*
 * test_adsp.c - ADSP (RFC 5617): the record syntax of 4.2.1, and every
 * result of 5.4 reached through the lookup procedure of 4.3 against a
 * static zone: pass, none, unknown, fail, discard, nxdomain (NXDOMAIN and
 * "no MX, A or AAAA"), temperror (ADSP record and scope check), permerror
 * (several records, refused lookup, bad author domain), plus the DNS
 * economy rules (no lookup for pass, A/AAAA only after MX NODATA) and OOM.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/adsp.h"
#include "inkan/zone.h"

static const char zone_text[] = "$ORIGIN example.\n"
                                "unknown        MX 10 mx.unknown\n"
                                "_adsp._domainkey.unknown TXT \"dkim=unknown\"\n"
                                "all            MX 10 mx.all\n"
                                "_adsp._domainkey.all TXT \"dkim=all\"\n"
                                "discard        MX 10 mx.discard\n"
                                "_adsp._domainkey.discard TXT \"dkim=discardable; x=future\"\n"
                                "future         MX 10 mx.future\n"
                                "_adsp._domainkey.future TXT \"dkim=some-new-practice\"\n"
                                "split          MX 10 mx.split\n"
                                "_adsp._domainkey.split TXT \"dki\" \"m=all\"\n"
                                "norecord       MX 10 mx.norecord\n"
                                "invalid        MX 10 mx.invalid\n"
                                "_adsp._domainkey.invalid TXT \"DKIM=all\"\n"
                                "_adsp._domainkey.invalid TXT \"v=spf1 -all\"\n"
                                "twice          MX 10 mx.twice\n"
                                "_adsp._domainkey.twice TXT \"dkim=all\"\n"
                                "_adsp._domainkey.twice TXT \"dkim=discardable\"\n"
                                "oneofmany      MX 10 mx.oneofmany\n"
                                "_adsp._domainkey.oneofmany TXT \"dkim=discardable\"\n"
                                "_adsp._domainkey.oneofmany TXT \"not adsp\"\n"
                                "aonly          A 192.0.2.1\n"
                                "_adsp._domainkey.aonly TXT \"dkim=all\"\n"
                                "aaaaonly       AAAA 2001:db8::1\n"
                                "_adsp._domainkey.aaaaonly TXT \"dkim=discardable\"\n"
                                "txtonly        TXT \"v=spf1 -all\"\n"
                                "_adsp._domainkey.txtonly TXT \"dkim=all\"\n"
                                "_adsp._domainkey.ghost TXT \"dkim=all\"\n"
                                "slow           MX 10 mx.slow\n"
                                "$SERVFAIL _adsp._domainkey.slow.example.\n"
                                "$SERVFAIL scopefail.example. MX\n"
                                "_adsp._domainkey.scopefail TXT \"dkim=all\"\n"
                                "addrfail       TXT \"x\"\n"
                                "$TIMEOUT addrfail.example. A\n";

typedef struct counting {
    ik_resolver inner;
    size_t calls, mx, a, aaaa, txt;
} counting;

static ik_status count_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    counting *c = self;
    c->calls++;
    c->mx += q->type == IK_DNS_T_MX;
    c->a += q->type == IK_DNS_T_A;
    c->aaaa += q->type == IK_DNS_T_AAAA;
    c->txt += q->type == IK_DNS_T_TXT;
    return c->inner.ops->resolve(c->inner.self, a, q);
}

static const ik_resolver_ops counting_ops = { "counting", count_resolve, NULL, NULL,
                                              NULL,       NULL,          NULL };

typedef struct fixture {
    ik_zone *z;
    counting cnt;
    ik_resolver r;
} fixture;

static void fx_open(fixture *f)
{
    char err[256];
    memset(f, 0, sizeof(*f));
    f->z = ik_zone_new(NULL);
    ASSERT_TRUE(f->z != NULL);
    ik_status st =
        ik_zone_load_mem(f->z, "<adsp>", zone_text, sizeof(zone_text) - 1, err, sizeof(err));
    if (st != IK_OK)
        IK_TEST_FAIL_("zone: %s", err);
    ASSERT_OK(ik_zone_resolver(f->z, &f->cnt.inner));
    f->r.ops = &counting_ops;
    f->r.self = &f->cnt;
}

static void fx_close(fixture *f)
{
    ik_resolver_close(&f->cnt.inner);
    ik_zone_free(f->z);
}

/* Runs a check; returns the outcome (arena a). */
static const ik_adsp_outcome *run(fixture *f, ik_arena *a, const char *domain,
                                  const char *const *pass, size_t npass)
{
    ik_str doms[8];
    for (size_t i = 0; i < npass; i++)
        doms[i] = ik_str_c(pass[i]);
    ik_adsp *c = ik_adsp_new(a, ik_str_c(domain), doms, npass);
    ASSERT_TRUE(c != NULL);
    ASSERT_TRUE(ik_adsp_get(c) == NULL);
    for (int round = 0; round < 5; round++) {
        ik_dns_query *q;
        ik_status st = ik_adsp_eval(c, &q);
        if (st == IK_OK)
            return ik_adsp_get(c);
        ASSERT_STATUS(st, IK_EAGAIN);
        ASSERT_TRUE(q != NULL);
        ASSERT_OK(ik_resolver_answer_all(&f->r, a, q));
    }
    IK_TEST_FAIL_("no result after 5 rounds");
}

static void expect(const char *domain, ik_adsp_result want, const char *reason_part)
{
    fixture f;
    fx_open(&f);
    ik_arena *a = ik_arena_new(NULL);
    const ik_adsp_outcome *o = run(&f, a, domain, NULL, 0);
    if (o->result != want)
        IK_TEST_FAIL_("%s: got %s (%s), want %s", domain, ik_adsp_result_name(o->result), o->reason,
                      ik_adsp_result_name(want));
    if (reason_part && strstr(o->reason, reason_part) == NULL)
        IK_TEST_FAIL_("%s: reason \"%s\" lacks \"%s\"", domain, o->reason, reason_part);
    ik_arena_free(a);
    fx_close(&f);
}

/* ---- record syntax (4.2.1) ---------------------------------------------- */

static void record(const char *text, ik_status want, ik_adsp_practice p)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_adsp_practice got;
    ik_str why;
    ik_status st = ik_adsp_record_parse(a, ik_str_c(text), &got, &why);
    if (st != want)
        IK_TEST_FAIL_("\"%s\": got %s (%.*s), want %s", text, ik_status_name(st), (int)why.len,
                      why.p ? why.p : "", ik_status_name(want));
    if (st == IK_OK)
        ASSERT_EQ(got, p);
    else
        ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);
}

static void adsp_record_syntax(void)
{
    record("dkim=unknown", IK_OK, IK_ADSP_PRACTICE_UNKNOWN);
    record("dkim=all", IK_OK, IK_ADSP_PRACTICE_ALL);
    record("dkim=discardable", IK_OK, IK_ADSP_PRACTICE_DISCARDABLE);
    record("dkim \t= all ;", IK_OK, IK_ADSP_PRACTICE_ALL);
    record("dkim=all; foo=bar", IK_OK, IK_ADSP_PRACTICE_ALL);
    /* Any other hyphenated word is "unknown" (4.2.1). */
    record("dkim=x-new-thing9", IK_OK, IK_ADSP_PRACTICE_UNKNOWN);
    /* Values are case-sensitive tokens: "ALL" is another word, so unknown. */
    record("dkim=ALL", IK_OK, IK_ADSP_PRACTICE_UNKNOWN);
    /* Must start with lowercase "dkim" (4.2.1). */
    record("DKIM=all", IK_ESYNTAX, 0);
    record(" dkim=all", IK_ESYNTAX, 0);
    record("foo=bar; dkim=all", IK_ESYNTAX, 0);
    record("dkimx=all", IK_ESYNTAX, 0);
    record("dkim", IK_ESYNTAX, 0);
    record("", IK_ESYNTAX, 0);
    /* Not a hyphenated-word. */
    record("dkim=", IK_ESYNTAX, 0);
    record("dkim=-all", IK_ESYNTAX, 0);
    record("dkim=all-", IK_ESYNTAX, 0);
    record("dkim=1all", IK_ESYNTAX, 0);
    record("dkim=al l", IK_ESYNTAX, 0);
    /* WSP only, not FWS (4.1). */
    record("dkim=all;\r\n foo=bar", IK_ESYNTAX, 0);
    /* Tag-list syntax and duplicates. */
    record("dkim=all; dkim=unknown", IK_ESYNTAX, 0);
    record("dkim=all; =x", IK_ESYNTAX, 0);
}

/* ---- results (5.4) ------------------------------------------------------ */

static void adsp_author_signature_is_pass_without_dns(void)
{
    fixture f;
    fx_open(&f);
    ik_arena *a = ik_arena_new(NULL);
    static const char *const pass[] = { "other.example", "ALL.Example." };
    const ik_adsp_outcome *o = run(&f, a, "all.example", pass, 2);
    ASSERT_EQ(o->result, IK_ADSP_PASS);
    ASSERT_EQ(f.cnt.calls, 0);
    ik_arena_free(a);
    fx_close(&f);
}

static void adsp_third_party_signature_is_not_author(void)
{
    fixture f;
    fx_open(&f);
    ik_arena *a = ik_arena_new(NULL);
    /* A parent or a sub-domain of the author domain is not the author
     * domain (RFC 5617 3.1: no connection between parent and child). */
    static const char *const pass[] = { "example", "sub.all.example" };
    const ik_adsp_outcome *o = run(&f, a, "all.example", pass, 2);
    ASSERT_EQ(o->result, IK_ADSP_FAIL);
    ik_arena_free(a);
    fx_close(&f);
}

static void adsp_practices(void)
{
    expect("unknown.example", IK_ADSP_UNKNOWN, "dkim=unknown");
    expect("future.example", IK_ADSP_UNKNOWN, NULL);
    expect("all.example", IK_ADSP_FAIL, "dkim=all");
    expect("split.example", IK_ADSP_FAIL, NULL);
    expect("discard.example", IK_ADSP_DISCARD, "discardable");
    expect("Discard.Example.", IK_ADSP_DISCARD, NULL);
}

static void adsp_outcome_fields(void)
{
    fixture f;
    fx_open(&f);
    ik_arena *a = ik_arena_new(NULL);
    const ik_adsp_outcome *o = run(&f, a, "Discard.EXAMPLE", NULL, 0);
    ASSERT_EQ(o->result, IK_ADSP_DISCARD);
    ASSERT_TRUE(o->has_record);
    ASSERT_EQ(o->practice, IK_ADSP_PRACTICE_DISCARDABLE);
    ASSERT_STR(o->record, "dkim=discardable; x=future");
    ASSERT_STR(o->domain, "discard.example");
    /* MX existed, so A and AAAA were never asked (4.3 "SHOULD avoid
     * unnecessary DNS lookups"). */
    ASSERT_EQ(f.cnt.mx, 1);
    ASSERT_EQ(f.cnt.txt, 1);
    ASSERT_EQ(f.cnt.a + f.cnt.aaaa, 0);
    ik_arena_free(a);
    fx_close(&f);
}

static void adsp_none(void)
{
    expect("norecord.example", IK_ADSP_NONE, "no ADSP record");
    /* Invalid records are ignored as NODATA (4.1). */
    expect("invalid.example", IK_ADSP_NONE, "invalid records are ignored");
    /* One valid record among non-ADSP TXT records is used. */
    expect("oneofmany.example", IK_ADSP_DISCARD, NULL);
}

static void adsp_nxdomain(void)
{
    expect("nowhere.invalid", IK_ADSP_NXDOMAIN, "NXDOMAIN");
    /* An ADSP record under a domain with no records of its own (an empty
     * non-terminal, NODATA): out of scope whatever the record says
     * (4.3: the scope check comes first). */
    expect("ghost.example", IK_ADSP_NXDOMAIN, "no MX, A or AAAA");
    /* Exists, but no MX, A or AAAA: out of scope (4.3 SHOULD). */
    expect("txtonly.example", IK_ADSP_NXDOMAIN, "no MX, A or AAAA");
}

static void adsp_address_records_count_as_mail_domain(void)
{
    fixture f;
    fx_open(&f);
    ik_arena *a = ik_arena_new(NULL);
    const ik_adsp_outcome *o = run(&f, a, "aonly.example", NULL, 0);
    ASSERT_EQ(o->result, IK_ADSP_FAIL);
    ASSERT_EQ(f.cnt.a, 1);
    ASSERT_EQ(f.cnt.aaaa, 1);
    ik_arena_free(a);
    fx_close(&f);
    expect("aaaaonly.example", IK_ADSP_DISCARD, NULL);
}

static void adsp_temperror(void)
{
    expect("slow.example", IK_ADSP_TEMPERROR, "ADSP record");
    expect("scopefail.example", IK_ADSP_TEMPERROR, "author domain");
    expect("addrfail.example", IK_ADSP_TEMPERROR, "address");
}

static void adsp_permerror(void)
{
    expect("twice.example", IK_ADSP_PERMERROR, "more than one");
    expect("bad..example", IK_ADSP_PERMERROR, "not a valid DNS name");
    expect("", IK_ADSP_PERMERROR, NULL);
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    expect(longname, IK_ADSP_PERMERROR, NULL);
}

static void adsp_refused_lookup_is_permerror(void)
{
    fixture f;
    fx_open(&f);
    ASSERT_OK(ik_zone_add_failure(f.z, ik_str_c("_adsp._domainkey.norecord.example"), 0,
                                  IK_DNS_PERMFAIL));
    ik_arena *a = ik_arena_new(NULL);
    const ik_adsp_outcome *o = run(&f, a, "norecord.example", NULL, 0);
    ASSERT_EQ(o->result, IK_ADSP_PERMERROR);
    ik_arena_free(a);
    fx_close(&f);
}

static void adsp_partial_answers_are_asked_again(void)
{
    fixture f;
    fx_open(&f);
    ik_arena *a = ik_arena_new(NULL);
    ik_adsp *c = ik_adsp_new(a, ik_str_c("all.example"), NULL, 0);
    ik_dns_query *q;
    ASSERT_STATUS(ik_adsp_eval(c, &q), IK_EAGAIN);
    ASSERT_TRUE(q != NULL && q->next != NULL && q->next->next == NULL);
    /* Answer only the first; the second must come back alone. */
    ik_dns_query *second = q->next;
    q->next = NULL;
    ASSERT_OK(ik_resolver_answer_all(&f.r, a, q));
    ASSERT_STATUS(ik_adsp_eval(c, &q), IK_EAGAIN);
    ASSERT_TRUE(q == second && q->next == NULL);
    ASSERT_OK(ik_resolver_answer_all(&f.r, a, q));
    ASSERT_OK(ik_adsp_eval(c, &q));
    ASSERT_EQ(ik_adsp_get(c)->result, IK_ADSP_FAIL);
    /* Done stays done. */
    ASSERT_OK(ik_adsp_eval(c, &q));
    ASSERT_TRUE(q == NULL);
    ik_arena_free(a);
    fx_close(&f);
}

static void adsp_oom_is_reported(void)
{
    fixture f;
    fx_open(&f);
    for (long n = 0;; n++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, n);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_adsp *c = ik_adsp_new(a, ik_str_c("txtonly.example"), NULL, 0);
        ik_status st = IK_ENOMEM;
        if (c != NULL) {
            for (int round = 0; round < 5; round++) {
                ik_dns_query *q;
                st = ik_adsp_eval(c, &q);
                if (st != IK_EAGAIN)
                    break;
                st = ik_resolver_answer_all(&f.r, a, q);
                if (st != IK_OK)
                    break;
            }
        }
        ik_arena_free(a);
        if (st == IK_OK)
            break;
        ASSERT_STATUS(st, IK_ENOMEM);
        ASSERT_TRUE(n < 10000);
    }
    fx_close(&f);
}

static void adsp_names(void)
{
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_NONE), "none");
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_PASS), "pass");
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_UNKNOWN), "unknown");
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_FAIL), "fail");
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_DISCARD), "discard");
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_NXDOMAIN), "nxdomain");
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_TEMPERROR), "temperror");
    ASSERT_CSTR(ik_adsp_result_name(IK_ADSP_PERMERROR), "permerror");
    ASSERT_CSTR(ik_adsp_practice_name(IK_ADSP_PRACTICE_DISCARDABLE), "discardable");
}

/* ADSP records over every prefix, a NUL at each position and oversized
 * input: IK_OK, or IK_ESYNTAX with a reason. */
static void adsp_record_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_adsp_practice pr;
    ik_str why = IK_STR_NULL;
    ik_status st = ik_adsp_record_parse(a, ik_str_make(p, n), &pr, &why);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);
}

static void adsp_record_hostile_input(void)
{
    static const char r[] = "dkim = discardable; x=unknown-tag ;";
    ik_test_each_prefix(r, sizeof(r) - 1, adsp_record_cb, NULL);
    ik_test_each_nul(r, sizeof(r) - 1, adsp_record_cb, NULL);
    ik_test_oversized("dkim=all; x=", "y", 1u << 20, "", adsp_record_cb, NULL);
    ik_test_oversized("dkim=", "all-", 1u << 20, "x", adsp_record_cb, NULL);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(adsp_record_syntax),
    IK_TEST_CASE(adsp_author_signature_is_pass_without_dns),
    IK_TEST_CASE(adsp_third_party_signature_is_not_author),
    IK_TEST_CASE(adsp_practices),
    IK_TEST_CASE(adsp_outcome_fields),
    IK_TEST_CASE(adsp_none),
    IK_TEST_CASE(adsp_nxdomain),
    IK_TEST_CASE(adsp_address_records_count_as_mail_domain),
    IK_TEST_CASE(adsp_temperror),
    IK_TEST_CASE(adsp_permerror),
    IK_TEST_CASE(adsp_refused_lookup_is_permerror),
    IK_TEST_CASE(adsp_partial_answers_are_asked_again),
    IK_TEST_CASE(adsp_oom_is_reported),
    IK_TEST_CASE(adsp_names),
    IK_TEST_CASE(adsp_record_hostile_input),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
