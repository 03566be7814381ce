/*
 * test_senderid.c - PRA selection (RFC 4407 section 2), the
 * Authentication-Results method, and the Sender ID check (RFC 4406 4),
 * driven by hand through IK_EAGAIN and through a blocking resolver.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/arena.h"
#include "inkan/buf.h"
#include "inkan/dns.h"
#include "inkan/header.h"
#include "inkan/ip.h"
#include "inkan/senderid.h"

typedef struct pra_res {
    ik_arena *a;
    ik_hdr_field *f;
    size_t n;
    ik_pra pra;
} pra_res;

static pra_res pra_of_len(const char *hdrs, size_t len)
{
    pra_res r;
    r.a = ik_arena_new(NULL);
    size_t body;
    ASSERT_OK(ik_hdr_parse_block(r.a, hdrs, len, NULL, &r.f, &r.n, &body));
    ASSERT_OK(ik_pra_select(r.a, r.f, r.n, &r.pra));
    return r;
}

static pra_res pra_of(const char *hdrs)
{
    return pra_of_len(hdrs, strlen(hdrs));
}

static void expect_pra(const char *hdrs, const char *field, unsigned step, const char *addr)
{
    pra_res r = pra_of(hdrs);
    if (r.pra.reason != IK_PRA_FOUND)
        IK_TEST_FAIL_("no PRA (%s): %.*s", ik_pra_reason_name(r.pra.reason), (int)r.pra.problem.len,
                      r.pra.problem.p);
    ASSERT_STR(r.pra.field_name, field);
    ASSERT_EQ(r.pra.step, step);
    ASSERT_STR(r.pra.mailbox.addr_spec, addr);
    ASSERT_TRUE(r.pra.field_index < r.n);
    ik_arena_free(r.a);
}

static void expect_no_pra(const char *hdrs, ik_pra_reason why)
{
    pra_res r = pra_of(hdrs);
    if (r.pra.reason != why)
        IK_TEST_FAIL_("reason %s, want %s (%.*s)", ik_pra_reason_name(r.pra.reason),
                      ik_pra_reason_name(why), (int)r.pra.problem.len, r.pra.problem.p);
    ASSERT_TRUE(r.pra.problem.len > 0);
    ASSERT_TRUE(memcmp(r.pra.problem.p, "RFC 4407 2 step", 15) == 0);
    ik_arena_free(r.a);
}

static void pra_from_alone_is_step4(void)
{
    expect_pra("From: Alice <alice@example.com>\r\nTo: b@example.org\r\n\r\n", "from", 4,
               "alice@example.com");
}

static void pra_sender_wins_over_from_step3(void)
{
    expect_pra("From: a@example.com\r\nSender: list@lists.example.org\r\n\r\n", "sender", 3,
               "list@lists.example.org");
}

static void pra_sender_without_from_is_selected(void)
{
    expect_pra("Sender: s@example.net\r\nSubject: x\r\n\r\n", "sender", 3, "s@example.net");
}

static void pra_multiple_sender_is_step6_even_with_from(void)
{
    expect_no_pra("From: a@example.com\r\nSender: s1@example.net\r\nSender: s2@example.net\r\n\r\n",
                  IK_PRA_MULTIPLE_SENDER);
}

static void pra_whitespace_only_fields_are_absent(void)
{
    /* "non-empty" = any non-whitespace (RFC 4407 2). */
    expect_pra("Sender:   \r\n \t\r\nFrom: a@example.com\r\n\r\n", "from", 4, "a@example.com");
    expect_pra("Sender: \r\nSender: s@example.net\r\nFrom: a@example.com\r\n\r\n", "sender", 3,
               "s@example.net");
    expect_pra("Resent-Sender:\r\nResent-From:  \r\nFrom: a@example.com\r\n\r\n", "from", 4,
               "a@example.com");
    /* A comment is not whitespace: the field counts, and is malformed. */
    expect_no_pra("Sender: (nobody)\r\nFrom: a@example.com\r\n\r\n", IK_PRA_MALFORMED);
}

static void pra_resent_from_block_step2(void)
{
    expect_pra("Resent-From: fwd@forwarder.example\r\nResent-Date: x\r\nReceived: by y\r\n"
               "From: a@example.com\r\nSender: s@example.net\r\n\r\n",
               "resent-from", 2, "fwd@forwarder.example");
}

static void pra_resent_sender_same_block_step1(void)
{
    expect_pra("Resent-From: boss@example.com\r\nResent-Sender: sec@example.com\r\n"
               "Received: by x\r\nFrom: a@example.org\r\n\r\n",
               "resent-sender", 1, "sec@example.com");
    expect_pra("Resent-Sender: sec@example.com\r\nResent-From: boss@example.com\r\n"
               "From: a@example.org\r\n\r\n",
               "resent-sender", 1, "sec@example.com");
}

static void pra_older_resent_sender_loses_to_newer_resent_from(void)
{
    /* Received between the Resent-From and the Resent-Sender: the latter
     * belongs to an older resent block (RFC 4407 2 step 1). */
    expect_pra("Resent-From: new@fwd2.example\r\nReceived: by fwd2\r\n"
               "Resent-Sender: old@fwd1.example\r\nResent-From: oldfrom@fwd1.example\r\n"
               "From: a@example.org\r\n\r\n",
               "resent-from", 2, "new@fwd2.example");
    expect_pra("Resent-From: new@fwd2.example\r\nReturn-Path: <x@y.example>\r\n"
               "Resent-Sender: old@fwd1.example\r\n\r\n",
               "resent-from", 2, "new@fwd2.example");
    /* Trace fields after the Resent-Sender do not matter. */
    expect_pra("Resent-From: new@fwd2.example\r\nResent-Sender: s@fwd2.example\r\n"
               "Received: by x\r\n\r\n",
               "resent-sender", 1, "s@fwd2.example");
    /* An empty Resent-From does not count as preceding. */
    expect_pra("Resent-From: \r\nReceived: by fwd2\r\nResent-Sender: s@fwd1.example\r\n\r\n",
               "resent-sender", 1, "s@fwd1.example");
}

static void pra_selected_malformed_field_never_falls_back(void)
{
    expect_no_pra("Resent-Sender: not an address\r\nFrom: a@example.com\r\n\r\n", IK_PRA_MALFORMED);
    expect_no_pra("Resent-From: broken@\r\nFrom: a@example.com\r\n\r\n", IK_PRA_MALFORMED);
    expect_no_pra("Sender: s@\r\nFrom: a@example.com\r\n\r\n", IK_PRA_MALFORMED);
}

static void pra_from_counts(void)
{
    expect_no_pra("To: b@example.org\r\nSubject: none\r\n\r\n", IK_PRA_NO_FROM);
    expect_no_pra("\r\n", IK_PRA_NO_FROM);
    expect_no_pra("From: a@example.com\r\nFrom: b@example.com\r\n\r\n", IK_PRA_MULTIPLE_FROM);
    /* Same field name in any case (RFC 5322 1.2.2). */
    expect_no_pra("From: a@example.com\r\nFROM: a@example.com\r\n\r\n", IK_PRA_MULTIPLE_FROM);
    expect_pra("fRoM: a@example.com\r\n\r\n", "from", 4, "a@example.com");
    /* Obsolete WSP before the colon (RFC 5322 4.5). */
    expect_pra("From  : a@example.com\r\n\r\n", "from", 4, "a@example.com");
}

static void pra_step5_malformed_classes(void)
{
    expect_no_pra("From: a@example.com, b@example.com\r\n\r\n", IK_PRA_MULTIPLE_MAILBOXES);
    expect_no_pra("Sender: a@example.com, b@example.com\r\n\r\n", IK_PRA_MULTIPLE_MAILBOXES);
    expect_no_pra("From: admin@legit.example <x@attack.example>\r\n\r\n", IK_PRA_AMBIGUOUS);
    expect_no_pra("From: a@legit.example@attack.example\r\n\r\n", IK_PRA_AMBIGUOUS);
    expect_no_pra("From: user@[192.0.2.1]\r\n\r\n", IK_PRA_NO_DOMAIN);
    expect_no_pra("From: user\r\n\r\n", IK_PRA_MALFORMED);
    expect_no_pra("From: Undisclosed recipients:;\r\n\r\n", IK_PRA_MALFORMED);
    expect_no_pra("From: team: a@example.com;\r\n\r\n", IK_PRA_MALFORMED);
}

static void pra_keeps_mailbox_details(void)
{
    pra_res r = pra_of("From: \"Doe, Jane\" <jane(x)@ (y) example.com>\r\n\r\n");
    ASSERT_EQ(r.pra.reason, IK_PRA_FOUND);
    ASSERT_STR(r.pra.mailbox.display, "\"Doe, Jane\"");
    ASSERT_STR(r.pra.mailbox.domain, "example.com");
    ASSERT_TRUE(r.pra.addr_flags & IK_ADDR_F_COMMENT);
    ik_arena_free(r.a);
    /* Lenient recoveries that cannot move the domain are accepted. */
    expect_pra("From: a..b@docomo.example\r\n\r\n", "from", 4, "a..b@docomo.example");
    expect_pra("From: <x@example.com> (Sales) dept\r\n\r\n", "from", 4, "x@example.com");
}

static void pra_survives_odd_header_sections(void)
{
    static const char nul[] = "From: a\0@example.com\r\n\r\n";
    pra_res r = pra_of_len(nul, sizeof nul - 1);
    ASSERT_EQ(r.pra.reason, IK_PRA_MALFORMED);
    ik_arena_free(r.a);
    /* A malformed line named nothing does not count as any field. */
    expect_pra("From a@evil.example\r\nFrom: a@example.com\r\n\r\n", "from", 4, "a@example.com");
    ik_arena *a = ik_arena_new(NULL);
    ik_pra p;
    ASSERT_OK(ik_pra_select(a, NULL, 0, &p));
    ASSERT_EQ(p.reason, IK_PRA_NO_FROM);
    ASSERT_STATUS(ik_pra_select(NULL, NULL, 0, &p), IK_EINVAL);
    ASSERT_STATUS(ik_pra_select(a, NULL, 3, &p), IK_EINVAL);
    ik_arena_free(a);
}

static void pra_survives_arena_exhaustion(void)
{
    static const char h[] = "Resent-From: fwd@forwarder.example\r\nFrom: a@example.com\r\n\r\n";
    ik_arena *big = ik_arena_new(NULL);
    ik_hdr_field *f;
    size_t n, body;
    ASSERT_OK(ik_hdr_parse_block(big, h, sizeof h - 1, NULL, &f, &n, &body));
    for (size_t lim = 1; lim < 2048; lim += 5) {
        ik_arena *a = ik_arena_new(NULL);
        ik_arena_set_limit(a, lim);
        ik_pra p;
        ik_status st = ik_pra_select(a, f, n, &p);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        ik_arena_free(a);
    }
    ik_arena_free(big);
}

static void authres_names_the_selected_field(void)
{
    pra_res r = pra_of("Resent-Sender: s@fwd.example\r\nFrom: a@example.com\r\n\r\n");
    ik_senderid_outcome o;
    memset(&o, 0, sizeof o);
    o.scope = IK_SPF_SCOPE_PRA;
    o.result = IK_SPF_PASS;
    o.pra = r.pra;
    o.evaluated = 1;
    ASSERT_STR(ik_senderid_authres(r.a, &o), "sender-id=pass header.resent-sender=s@fwd.example");
    o.result = IK_SPF_TEMPERROR;
    o.problem = IK_STR_LIT("DNS (timeout)");
    ASSERT_STR(ik_senderid_authres(r.a, &o),
               "sender-id=temperror header.resent-sender=s@fwd.example (DNS \\(timeout\\))");
    ik_arena_free(r.a);

    r = pra_of("From: a@example.com\r\nFrom: b@example.com\r\n\r\n");
    memset(&o, 0, sizeof o);
    o.scope = IK_SPF_SCOPE_PRA;
    o.result = IK_SPF_PERMERROR;
    o.pra = r.pra;
    ASSERT_STR(ik_senderid_authres(r.a, &o),
               "sender-id=permerror (no purported responsible address: multiple-from)");

    memset(&o, 0, sizeof o);
    o.scope = IK_SPF_SCOPE_MFROM;
    o.result = IK_SPF_FAIL;
    o.identity = IK_STR_LIT("bounce@example.com");
    ASSERT_STR(ik_senderid_authres(r.a, &o), "sender-id=fail smtp.mailfrom=bounce@example.com");
    /* A raw MAIL FROM cannot inject header syntax. */
    o.identity = IK_STR_LIT("a b;\r\nX-Evil: 1@example.com");
    ASSERT_STR(ik_senderid_authres(r.a, &o),
               "sender-id=fail smtp.mailfrom=\"a b;X-Evil: 1@example.com\"");
    o.identity = IK_STR_LIT("\"q u\"@example.com");
    ASSERT_STR(ik_senderid_authres(r.a, &o), "sender-id=fail smtp.mailfrom=\"q u\"@example.com");
    ik_arena_free(r.a);
}

/* ---- the check, driven by hand (sans-I/O) and by a resolver ---------- */

/* Answers a TXT query with one record, anything else with NODATA. */
static void answer(ik_arena *a, ik_dns_query *q, const char *txt, ik_dns_status st)
{
    q->answer = ik_dns_answer_new(a, st);
    ASSERT_TRUE(q->answer != NULL);
    if (st == IK_DNS_OK && q->type == IK_DNS_T_TXT && txt != NULL) {
        uint8_t rd[256];
        size_t n = strlen(txt);
        rd[0] = (uint8_t)n;
        memcpy(rd + 1, txt, n);
        ASSERT_OK(ik_dns_answer_add_rdata(a, q->answer, IK_DNS_T_TXT, 60, rd, n + 1));
    } else if (st == IK_DNS_OK) {
        q->answer->status = IK_DNS_NODATA;
    }
}

static ik_senderid_params pra_params(const ik_hdr_field *f, size_t n, const char *ip)
{
    ik_senderid_params p;
    memset(&p, 0, sizeof p);
    p.scope = IK_SPF_SCOPE_PRA;
    ASSERT_OK(ik_ip_parse(ik_str_c(ip), &p.ip));
    p.helo = IK_STR_LIT("mx.example.net");
    p.fields = f;
    p.nfields = n;
    return p;
}

static void senderid_asks_for_the_pra_domain_then_passes(void)
{
    pra_res r = pra_of("Sender: list@lists.example.org\r\nFrom: a@example.com\r\n\r\n");
    ik_senderid_params p = pra_params(r.f, r.n, "192.0.2.1");
    ik_senderid *s;
    ASSERT_OK(ik_senderid_new(r.a, &p, &s));
    ASSERT_TRUE(ik_senderid_outcome_get(s) == NULL);
    ik_dns_query *q;
    ASSERT_STATUS(ik_senderid_run(s, &q), IK_EAGAIN);
    ASSERT_TRUE(q != NULL);
    ASSERT_STR(q->name, "lists.example.org");
    ASSERT_EQ(q->type, IK_DNS_T_TXT);
    for (ik_dns_query *i = q; i != NULL; i = i->next)
        answer(r.a, i, "spf2.0/pra ip4:192.0.2.1 -all", IK_DNS_OK);
    ASSERT_OK(ik_senderid_run(s, &q));
    const ik_senderid_outcome *o = ik_senderid_outcome_get(s);
    ASSERT_TRUE(o != NULL);
    ASSERT_EQ(o->result, IK_SPF_PASS);
    ASSERT_TRUE(o->evaluated);
    ASSERT_STR(o->identity, "list@lists.example.org");
    ASSERT_STR(o->pra.field_name, "sender");
    ASSERT_STR(ik_senderid_authres(r.a, o), "sender-id=pass header.sender=list@lists.example.org");
    /* Running again after the end changes nothing. */
    ASSERT_OK(ik_senderid_run(s, &q));
    ASSERT_TRUE(q == NULL);
    ik_arena_free(r.a);
}

static void senderid_without_pra_is_permerror_without_dns(void)
{
    pra_res r = pra_of("From: a@example.com\r\nFrom: b@example.com\r\n\r\n");
    ik_senderid_params p = pra_params(r.f, r.n, "192.0.2.1");
    ik_senderid *s;
    ASSERT_OK(ik_senderid_new(r.a, &p, &s));
    ik_dns_query *q = (ik_dns_query *)1;
    ASSERT_OK(ik_senderid_run(s, &q));
    ASSERT_TRUE(q == NULL);
    const ik_senderid_outcome *o = ik_senderid_outcome_get(s);
    ASSERT_EQ(o->result, IK_SPF_PERMERROR);
    ASSERT_FALSE(o->evaluated);
    ASSERT_EQ(o->pra.reason, IK_PRA_MULTIPLE_FROM);
    ASSERT_TRUE(o->problem.len > 0);
    ASSERT_EQ(o->identity.len, 0);
    ik_arena_free(r.a);
}

static void senderid_servfail_is_temperror(void)
{
    pra_res r = pra_of("From: a@example.com\r\n\r\n");
    ik_senderid_params p = pra_params(r.f, r.n, "192.0.2.1");
    ik_senderid *s;
    ASSERT_OK(ik_senderid_new(r.a, &p, &s));
    ik_dns_query *q;
    ASSERT_STATUS(ik_senderid_run(s, &q), IK_EAGAIN);
    for (ik_dns_query *i = q; i != NULL; i = i->next)
        answer(r.a, i, NULL, IK_DNS_TEMPFAIL);
    ASSERT_OK(ik_senderid_run(s, &q));
    ASSERT_EQ(ik_senderid_outcome_get(s)->result, IK_SPF_TEMPERROR);
    ik_arena_free(r.a);
}

static void senderid_mfrom_scope_checks_mail_from(void)
{
    pra_res r = pra_of("From: a@example.com\r\nFrom: b@example.com\r\n\r\n");
    ik_senderid_params p = pra_params(r.f, r.n, "192.0.2.9");
    p.scope = IK_SPF_SCOPE_MFROM;
    p.mailfrom = IK_STR_LIT("bounce@mfrom.example");
    ik_senderid *s;
    ASSERT_OK(ik_senderid_new(r.a, &p, &s));
    ik_dns_query *q;
    ASSERT_STATUS(ik_senderid_run(s, &q), IK_EAGAIN);
    ASSERT_STR(q->name, "mfrom.example");
    for (ik_dns_query *i = q; i != NULL; i = i->next)
        answer(r.a, i, "spf2.0/mfrom ip4:192.0.2.1 -all", IK_DNS_OK);
    ASSERT_OK(ik_senderid_run(s, &q));
    const ik_senderid_outcome *o = ik_senderid_outcome_get(s);
    ASSERT_EQ(o->result, IK_SPF_FAIL);
    ASSERT_STR(ik_senderid_authres(r.a, o), "sender-id=fail smtp.mailfrom=bounce@mfrom.example");
    ik_arena_free(r.a);
}

typedef struct one_record {
    const char *txt;
    unsigned calls;
} one_record;

static ik_status one_record_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    one_record *o = self;
    o->calls++;
    answer(a, q, o->txt, IK_DNS_OK);
    return IK_OK;
}

static const ik_resolver_ops one_record_ops = { "test", one_record_resolve, NULL, NULL, NULL, NULL,
                                                NULL };

static void senderid_blocking_check_with_a_resolver(void)
{
    pra_res r = pra_of("Resent-From: fwd@fwd.example\r\nFrom: a@example.com\r\n\r\n");
    ik_senderid_params p = pra_params(r.f, r.n, "2001:db8::5");
    one_record rec = { "v=spf1 ip6:2001:db8::/32 -all", 0 };
    ik_resolver res = { &one_record_ops, &rec };
    ik_senderid_outcome o;
    ASSERT_OK(ik_senderid_check(r.a, &p, &res, &o));
    ASSERT_EQ(o.result, IK_SPF_PASS); /* v=spf1 read as spf2.0/mfrom,pra */
    ASSERT_STR(o.pra.field_name, "resent-from");
    ASSERT_TRUE(rec.calls >= 1);
    ik_arena_free(r.a);
}

static void senderid_rejects_bad_arguments(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_senderid_params p;
    memset(&p, 0, sizeof p);
    ik_senderid *s;
    p.scope = IK_SPF_SCOPE_HELO;
    ASSERT_STATUS(ik_senderid_new(a, &p, &s), IK_EINVAL);
    p.scope = IK_SPF_SCOPE_PRA;
    p.nfields = 2;
    ASSERT_STATUS(ik_senderid_new(a, &p, &s), IK_EINVAL);
    ASSERT_STATUS(ik_senderid_new(NULL, &p, &s), IK_EINVAL);
    ASSERT_STATUS(ik_senderid_run(NULL, NULL), IK_EINVAL);
    ik_senderid_outcome o;
    ASSERT_STATUS(ik_senderid_check(a, &p, NULL, &o), IK_EINVAL);
    ASSERT_TRUE(ik_senderid_authres(a, NULL).p == NULL);
    ik_arena_free(a);
}

/* Like one_record_resolve, but an allocation failure is IK_ENOMEM. */
static ik_status oom_record_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    one_record *o = self;
    o->calls++;
    if ((q->answer = ik_dns_answer_new(a, IK_DNS_NODATA)) == NULL)
        return IK_ENOMEM;
    if (q->type != IK_DNS_T_TXT)
        return IK_OK;
    uint8_t rd[256];
    size_t n = strlen(o->txt);
    rd[0] = (uint8_t)n;
    memcpy(rd + 1, o->txt, n);
    q->answer->status = IK_DNS_OK;
    return ik_dns_answer_add_rdata(a, q->answer, IK_DNS_T_TXT, 60, rd, n + 1);
}

static const ik_resolver_ops oom_record_ops = { "test", oom_record_resolve, NULL, NULL, NULL, NULL,
                                                NULL };

/* The blocking check (PRA selection, the record lookup, evaluation and the
 * A-R text) in an arena whose allocation number n fails, for each n in
 * turn: IK_ENOMEM, never a crash, a leak or a wrong verdict. */
static void senderid_survives_allocation_failures(void)
{
    static const char h[] = "Resent-From: fwd@fwd.example\r\nFrom: a@example.com\r\n\r\n";
    ik_arena *big = ik_arena_new(NULL);
    ik_hdr_field *f;
    size_t n, body;
    ASSERT_OK(ik_hdr_parse_block(big, h, sizeof h - 1, NULL, &f, &n, &body));
    long ok_at = -1;
    for (long fail = 0; fail < 1000 && ok_at < 0; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_senderid_params p = pra_params(f, n, "2001:db8::5");
        one_record rec = { "spf2.0/pra ip6:2001:db8::/32 -all", 0 };
        ik_resolver res = { &oom_record_ops, &rec };
        ik_senderid_outcome o;
        ik_status st = ik_senderid_check(a, &p, &res, &o);
        if (st == IK_OK) {
            ASSERT_EQ(o.result, IK_SPF_PASS);
            ASSERT_STR(o.pra.field_name, "resent-from");
            ik_str ar = ik_senderid_authres(a, &o);
            if (ar.p != NULL) {
                ASSERT_STR(ar, "sender-id=pass header.resent-from=fwd@fwd.example");
                ok_at = fail;
            }
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(ok_at > 0);
    ik_arena_free(big);
}

/* Found by fuzz/pra: a From address of a few KiB (quoted-pairs double when
 * escaped) overflowed the A-R builder's bound, and ik_senderid_authres
 * returned NULL, which callers read as OOM.  An over-long address is now
 * left out with a comment; the text is never NULL but for OOM. */
static void authres_survives_an_overlong_address(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_buf h;
    ik_buf_init(&h, a, 0);
    ik_buf_append_c(&h, "From: \"");
    for (int i = 0; i < 1100; i++)
        ik_buf_append_c(&h, "\\\\");
    /* A TAB inside the quotes: the value must be quoted again, and every
     * backslash escaped, doubling its length. */
    ik_buf_append_c(&h, "\tx\"@example.com\r\n\r\n");
    ASSERT_OK(ik_buf_error(&h));
    ik_hdr_field *f;
    size_t n, body;
    ASSERT_OK(ik_hdr_parse_block(a, h.p, h.len, NULL, &f, &n, &body));
    ik_senderid_outcome o;
    memset(&o, 0, sizeof o);
    o.scope = IK_SPF_SCOPE_PRA;
    ASSERT_OK(ik_pra_select(a, f, n, &o.pra));
    ASSERT_EQ(o.pra.reason, IK_PRA_FOUND);
    o.result = IK_SPF_PERMERROR;
    o.evaluated = 1;
    ik_buf prob;
    ik_buf_init(&prob, a, 0);
    for (int i = 0; i < 3000; i++)
        ik_buf_putc(&prob, i % 2 ? '(' : '\\');
    o.problem = ik_buf_str(&prob);
    ik_str ar = ik_senderid_authres(a, &o);
    ASSERT_TRUE(ar.p != NULL);
    ASSERT_TRUE(memmem(ar.p, ar.len, "(address too long to report)", 28) != NULL);
    ASSERT_TRUE(memchr(ar.p, '\r', ar.len) == NULL && memchr(ar.p, '\n', ar.len) == NULL);
    /* The mfrom scope likewise. */
    o.scope = IK_SPF_SCOPE_MFROM;
    o.identity = ik_str_make(h.p + 6, h.len - 10);
    ar = ik_senderid_authres(a, &o);
    ASSERT_TRUE(ar.p != NULL);
    ASSERT_TRUE(memmem(ar.p, ar.len, "sender-id=permerror (address too long", 37) != NULL);
    ik_arena_free(a);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(pra_from_alone_is_step4),
    IK_TEST_CASE(pra_sender_wins_over_from_step3),
    IK_TEST_CASE(pra_sender_without_from_is_selected),
    IK_TEST_CASE(pra_multiple_sender_is_step6_even_with_from),
    IK_TEST_CASE(pra_whitespace_only_fields_are_absent),
    IK_TEST_CASE(pra_resent_from_block_step2),
    IK_TEST_CASE(pra_resent_sender_same_block_step1),
    IK_TEST_CASE(pra_older_resent_sender_loses_to_newer_resent_from),
    IK_TEST_CASE(pra_selected_malformed_field_never_falls_back),
    IK_TEST_CASE(pra_from_counts),
    IK_TEST_CASE(pra_step5_malformed_classes),
    IK_TEST_CASE(pra_keeps_mailbox_details),
    IK_TEST_CASE(pra_survives_odd_header_sections),
    IK_TEST_CASE(pra_survives_arena_exhaustion),
    IK_TEST_CASE(authres_names_the_selected_field),
    IK_TEST_CASE(senderid_asks_for_the_pra_domain_then_passes),
    IK_TEST_CASE(senderid_without_pra_is_permerror_without_dns),
    IK_TEST_CASE(senderid_servfail_is_temperror),
    IK_TEST_CASE(senderid_mfrom_scope_checks_mail_from),
    IK_TEST_CASE(senderid_blocking_check_with_a_resolver),
    IK_TEST_CASE(senderid_rejects_bad_arguments),
    IK_TEST_CASE(senderid_survives_allocation_failures),
    IK_TEST_CASE(authres_survives_an_overlong_address),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
