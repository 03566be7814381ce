/*
 * test_verify.c - the composite verifier (inkan/verify.h): every method
 * through one engine against a static zone; questions asked early (SPF at
 * MAIL FROM, keys and the DMARC policy at end of headers), merged and asked
 * once (a DKIM key and the ARC key of the same selector); answers arriving
 * late and out of order; DNS temperror paths through $TIMEOUT and
 * $SERVFAIL; our own forged Authentication-Results listed for removal; a
 * trusted ARC sealer overriding a DMARC failure; call order; allocation
 * failures.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/base64.h"
#include "inkan/buf.h"
#include "inkan/verify.h"
#include "inkan/zone.h"

static ik_zone *Z;
static ik_resolver R;
static ik_pkey *KEY;  /* example.com, selector s1 (RSA 1024) */
static ik_pkey *SEAL; /* lists.example.org, selector arc (Ed25519) */

static const char zone_text[] =
    "$TTL 300\n"
    "example.com.          TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "_dmarc.example.com.   TXT \"v=DMARC1; p=reject\"\n"
    "lists.example.org.    TXT \"v=spf1 ip4:203.0.113.40 -all\"\n"
    "10.2.0.192.in-addr.arpa. PTR mail.example.com.\n"
    "mail.example.com.     A   192.0.2.10\n"
    /* slow.example: its key lookup times out, its DMARC record is there */
    "slow.example.         TXT \"v=spf1 -all\"\n"
    "_dmarc.slow.example.  TXT \"v=DMARC1; p=quarantine\"\n"
    "$TIMEOUT s1._domainkey.slow.example. TXT\n"
    /* sick.example: the DMARC lookup fails with SERVFAIL */
    "$SERVFAIL _dmarc.sick.example.\n"
    "sick.example.         TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n";

/* Adds "v=DKIM1; k=..; p=.." for key at name, in 255-octet strings. */
static void publish(const char *name, ik_pkey *key)
{
    ik_buf p;
    ik_buf_init_al(&p, NULL, 0);
    ik_buf_printf(&p, "v=DKIM1; k=%s; p=", ik_pkey_type(key) == IK_KEY_RSA ? "rsa" : "ed25519");
    ik_buf der;
    ik_buf_init_al(&der, NULL, 0);
    ASSERT_OK(ik_pkey_public_dkim(key, &der));
    ik_base64_encode_buf(&p, der.p, der.len);
    ik_buf_release(&der);
    unsigned char rd[4096];
    size_t n = 0;
    for (size_t off = 0; off < p.len;) {
        size_t take = p.len - off > 255 ? 255 : p.len - off;
        rd[n++] = (unsigned char)take;
        memcpy(rd + n, p.p + off, take);
        n += take;
        off += take;
    }
    ASSERT_OK(ik_zone_add_rr(Z, ik_str_c(name), IK_DNS_T_TXT, 300, rd, n));
    ik_buf_release(&p);
}

static void setup(void)
{
    char err[256];
    Z = ik_zone_new(NULL);
    ASSERT_OK(ik_zone_load_mem(Z, "<test>", zone_text, sizeof(zone_text) - 1, err, sizeof(err)));
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_RSA, 1024, &KEY));
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_ED25519, 0, &SEAL));
    publish("s1._domainkey.example.com", KEY);
    publish("s1._domainkey.attacker.example", KEY);
    publish("arc._domainkey.lists.example.org", SEAL);
    /* The sealer of the "same selector" case signs with example.com's key. */
    ASSERT_OK(ik_zone_resolver(Z, &R));
}

static void teardown(void)
{
    ik_resolver_close(&R);
    ik_zone_free(Z);
    ik_pkey_free(KEY);
    ik_pkey_free(SEAL);
}

/* ---- messages ---------------------------------------------------------- */

typedef struct msg {
    ik_str h[64];
    size_t n;
    ik_str body;
} msg;

static void msg_init(msg *m, const char *from)
{
    m->n = 0;
    m->h[m->n++] = ik_str_c(from);
    m->h[m->n++] = IK_STR_LIT("To: bob@example.net");
    m->h[m->n++] = IK_STR_LIT("Subject: hello");
    m->h[m->n++] = IK_STR_LIT("Date: Thu, 01 Jan 2026 00:00:00 +0000");
    m->h[m->n++] = IK_STR_LIT("Message-ID: <1@example.com>");
    m->body = IK_STR_LIT("Hello,\r\nthis is the body.\r\n");
}

static void prepend(msg *m, ik_str f)
{
    ASSERT_TRUE(m->n < 64);
    memmove(&m->h[1], &m->h[0], m->n * sizeof(m->h[0]));
    m->h[0] = f;
    m->n++;
}

/* What a mailing list changes: a tag in the Subject, a footer. */
static void list_changes(msg *m)
{
    for (size_t i = 0; i < m->n; i++)
        if (ik_str_casestarts(m->h[i], "Subject:"))
            m->h[i] = IK_STR_LIT("Subject: [list] hello");
    m->body = IK_STR_LIT("Hello,\r\nthis is the body.\r\n-- \r\nthe list\r\n");
}

/* Signs m with KEY as d=domain s=s1 and prepends the signature. */
static void dkim_sign(ik_arena *a, msg *m, const char *domain)
{
    ik_dkim_signer *s = ik_dkim_sign_new(a);
    ik_dkim_sign_params p;
    ik_dkim_sign_params_init(&p);
    p.key = KEY;
    p.domain = ik_str_c(domain);
    p.selector = IK_STR_LIT("s1");
    p.timestamp = 1767225600;
    ASSERT_OK(ik_dkim_sign_add(s, &p));
    for (size_t i = 0; i < m->n; i++)
        ASSERT_OK(ik_dkim_sign_header(s, m->h[i].p, m->h[i].len));
    ASSERT_OK(ik_dkim_sign_eoh(s));
    ASSERT_OK(ik_dkim_sign_body(s, m->body.p, m->body.len));
    ASSERT_OK(ik_dkim_sign_eom(s));
    prepend(m, ik_dkim_sign_field(s, 0));
}

/* Seals m as d=domain s=sel with key, cv and the AAR payload given. */
static void arc_seal(ik_arena *a, msg *m, const char *domain, const char *sel, ik_pkey *key,
                     ik_arc_cv cv, ik_str payload)
{
    ik_arc_seal_params p = { .alg = ik_pkey_type(key) == IK_KEY_RSA ? IK_DKIM_ALG_RSA_SHA256
                                                                    : IK_DKIM_ALG_ED25519_SHA256,
                             .key = key,
                             .domain = ik_str_c(domain),
                             .selector = ik_str_c(sel),
                             .authres = payload,
                             .cv = cv,
                             .timestamp = 1767225600 };
    ik_arc_sealer *s = ik_arc_seal_new(a, &p);
    ASSERT_TRUE(s != NULL);
    for (size_t i = 0; i < m->n; i++)
        ASSERT_OK(ik_arc_seal_header(s, m->h[i].p, m->h[i].len));
    ASSERT_OK(ik_arc_seal_eoh(s));
    ASSERT_OK(ik_arc_seal_body(s, m->body.p, m->body.len));
    ASSERT_OK(ik_arc_seal_eom(s));
    ik_str out[3];
    ASSERT_EQ(ik_arc_seal_fields(s, out), 1);
    prepend(m, out[2]);
    prepend(m, out[1]);
    prepend(m, out[0]);
}

/* ---- the driver ---------------------------------------------------------- */

/* Every question handed out, to check none is asked twice. */
typedef struct asked {
    ik_dns_query *q[512];
    size_t n;
} asked;

static void note(asked *k, ik_dns_query *list)
{
    for (ik_dns_query *q = list; q; q = q->next) {
        for (size_t i = 0; i < k->n; i++)
            ASSERT_FALSE(k->q[i]->type == q->type && ik_str_eq(k->q[i]->name, q->name));
        ASSERT_TRUE(k->n < 512);
        k->q[k->n++] = q;
    }
}

static int was_asked(const asked *k, const char *name, uint16_t type)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->q[i]->type == type && ik_str_caseeq_c(k->q[i]->name, name))
            return 1;
    return 0;
}

/* Blocking: answers each list as it comes. */
static void answer(ik_verify *v, ik_arena *a, ik_status st, ik_dns_query *q, asked *k)
{
    while (st == IK_EAGAIN) {
        ASSERT_TRUE(q != NULL);
        note(k, q);
        ASSERT_OK(ik_resolver_answer_all(&R, a, q));
        st = ik_verify_resume(v, &q);
    }
    ASSERT_OK(st);
    ASSERT_TRUE(q == NULL);
}

typedef struct conn {
    const char *ip, *helo, *mailfrom;
} conn;

static ik_verify *new_verifier(ik_arena *a, const char *const *trusted, size_t ntrusted)
{
    static ik_str tr[4];
    ik_verify_config c;
    ik_verify_config_init(&c);
    c.authserv_id = IK_STR_LIT("mx.test");
    c.now = 1767225600 + 60;
    for (size_t i = 0; i < ntrusted; i++)
        tr[i] = ik_str_c(trusted[i]);
    c.trusted_sealers = tr;
    c.ntrusted = ntrusted;
    ik_verify *v = ik_verify_new(a, &c);
    ASSERT_TRUE(v != NULL);
    return v;
}

/* Runs m through v with the connection (may be NULL); body in chunks. */
static void run(ik_verify *v, ik_arena *a, const conn *c, const msg *m, asked *k)
{
    ik_dns_query *q = NULL;
    if (c) {
        ik_ip ip;
        ASSERT_OK(ik_ip_parse(ik_str_c(c->ip), &ip));
        ik_status st = ik_verify_connect(v, &ip, ik_str_c(c->helo), &q);
        answer(v, a, st, q, k);
        if (c->mailfrom) {
            st = ik_verify_mail_from(v, ik_str_c(c->mailfrom), &q);
            answer(v, a, st, q, k);
        }
    }
    for (size_t i = 0; i < m->n; i++)
        ASSERT_OK(ik_verify_header(v, m->h[i].p, m->h[i].len));
    ik_status st = ik_verify_eoh(v, &q);
    answer(v, a, st, q, k);
    for (size_t off = 0; off < m->body.len; off += 7)
        ASSERT_OK(
            ik_verify_body(v, m->body.p + off, m->body.len - off < 7 ? m->body.len - off : 7));
    st = ik_verify_eom(v, &q);
    answer(v, a, st, q, k);
    ASSERT_TRUE(ik_verify_done(v));
}

/* The A-R unfolded, for substring checks. */
static const char *ar_text(ik_arena *a, const ik_verify *v)
{
    ik_str s;
    ASSERT_OK(ik_hdr_unfold(a, ik_verify_authres(v), &s));
    return ik_arena_strndup(a, s.p, s.len);
}

#define ASSERT_HAS(hay, needle)                                                                    \
    do {                                                                                           \
        if (strstr((hay), (needle)) == NULL)                                                       \
            IK_TEST_FAIL_("\"%s\" not in \"%s\"", (needle), (hay));                                \
    } while (0)
#define ASSERT_HASNT(hay, needle)                                                                  \
    do {                                                                                           \
        if (strstr((hay), (needle)) != NULL)                                                       \
            IK_TEST_FAIL_("\"%s\" unexpectedly in \"%s\"", (needle), (hay));                       \
    } while (0)

static const conn GOOD = { "192.0.2.10", "mail.example.com", "alice@example.com" };

/* ---- cases ----------------------------------------------------------------- */

static void verify_aligned_message_passes_every_method(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    ik_verify *v = new_verifier(a, NULL, 0);
    asked k = { .n = 0 };
    run(v, a, &GOOD, &m, &k);

    ASSERT_EQ(ik_verify_spf(v)->result, IK_SPF_PASS);
    ASSERT_EQ(ik_iprev_get_result(ik_verify_iprev(v)), IK_IPREV_PASS);
    ASSERT_EQ(ik_verify_senderid(v)->result, IK_SPF_PASS);
    ASSERT_EQ(ik_dkim_verify_count(ik_verify_dkim(v)), 1);
    ASSERT_EQ(ik_dkim_verify_get(ik_verify_dkim(v), 0)->result, IK_DKIM_PASS);
    ASSERT_EQ(ik_dk_verify_overall(ik_verify_domainkeys(v)), IK_DK_NONE);
    ASSERT_EQ(ik_verify_adsp(v)->result, IK_ADSP_PASS);
    ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_PASS);
    ASSERT_EQ(ik_verify_dmarc(v)->disposition, IK_DMARC_P_NONE);
    ASSERT_EQ(ik_verify_arc(v)->cv, IK_ARC_CV_NONE);

    const char *t = ar_text(a, v);
    ASSERT_TRUE(strncmp(t, "Authentication-Results: mx.test;", 32) == 0);
    /* The order of the methods, each once. */
    const char *order[] = { "spf=pass",       "sender-id=pass", "dkim=pass", "domainkeys=none",
                            "dkim-adsp=pass", "dmarc=pass",     "arc=none",  "iprev=pass" };
    const char *at = t;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *x = strstr(at, order[i]);
        if (x == NULL)
            IK_TEST_FAIL_("\"%s\" missing or out of order in \"%s\"", order[i], t);
        at = x;
    }
    ASSERT_HAS(t, "smtp.mailfrom=alice@example.com");
    ASSERT_HAS(t, "header.d=example.com");
    ASSERT_HAS(t, "header.s=s1");
    ASSERT_HAS(t, "(p=reject dis=none) header.from=example.com policy.dmarc=none");
    ASSERT_HAS(t, "policy.iprev=192.0.2.10");
    /* Folded at 78 columns with CRLF SP. */
    ik_str f = ik_verify_authres(v);
    size_t col = 0;
    for (size_t i = 0; i < f.len; i++) {
        if (f.p[i] == '\n') {
            ASSERT_TRUE(i > 0 && f.p[i - 1] == '\r' && i + 1 < f.len && f.p[i + 1] == ' ');
            col = 0;
        } else if (f.p[i] != '\r' && ++col > 78) {
            IK_TEST_FAIL_("line over 78 columns in %.*s", (int)f.len, f.p);
        }
    }
    /* The payload re-parses as our A-R. */
    ik_ar ar;
    ASSERT_OK(ik_ar_parse(a, ik_verify_authres_payload(v), 0, &ar, NULL));
    ASSERT_STR(ar.authserv_id, "mx.test");
    ASSERT_EQ(ar.nresults, ik_verify_ar(v)->nresults);
    ASSERT_EQ(ar.nskipped, 0);
    ik_arena_free(a);
    teardown();
}

static void verify_asks_questions_early(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    ik_verify *v = new_verifier(a, NULL, 0);
    ik_ip ip;
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.10"), &ip));
    asked k = { .n = 0 };
    ik_dns_query *q;
    /* connect: iprev's PTR at once. */
    ASSERT_STATUS(ik_verify_connect(v, &ip, IK_STR_LIT("mail.example.com"), &q), IK_EAGAIN);
    note(&k, q);
    ASSERT_TRUE(was_asked(&k, "10.2.0.192.in-addr.arpa", IK_DNS_T_PTR));
    /* MAIL FROM: the SPF record, while the PTR is still unanswered. */
    ASSERT_STATUS(ik_verify_mail_from(v, IK_STR_LIT("alice@example.com"), &q), IK_EAGAIN);
    note(&k, q);
    ASSERT_TRUE(was_asked(&k, "example.com", IK_DNS_T_TXT));
    for (size_t i = 0; i < m.n; i++)
        ASSERT_OK(ik_verify_header(v, m.h[i].p, m.h[i].len));
    /* End of headers: the DKIM key and the DMARC policy, before any body. */
    ASSERT_STATUS(ik_verify_eoh(v, &q), IK_EAGAIN);
    note(&k, q);
    ASSERT_TRUE(was_asked(&k, "s1._domainkey.example.com", IK_DNS_T_TXT));
    ASSERT_TRUE(was_asked(&k, "_dmarc.example.com", IK_DNS_T_TXT));
    ASSERT_OK(ik_verify_body(v, m.body.p, m.body.len));
    ASSERT_STATUS(ik_verify_eom(v, &q), IK_EAGAIN);
    ASSERT_FALSE(ik_verify_done(v));
    /* Answer everything now, last asked first, one at a time. */
    for (;;) {
        note(&k, q);
        ik_dns_query *open = NULL;
        for (size_t i = k.n; i-- > 0;)
            if (k.q[i]->answer == NULL) {
                open = k.q[i];
                break;
            }
        if (open == NULL)
            break;
        ik_dns_query one = *open;
        one.next = NULL;
        ASSERT_OK(ik_resolver_answer_all(&R, a, &one));
        open->answer = one.answer;
        ik_status st = ik_verify_resume(v, &q);
        if (st == IK_OK) {
            note(&k, q);
            break;
        }
        ASSERT_STATUS(st, IK_EAGAIN);
    }
    ASSERT_TRUE(ik_verify_done(v));
    ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_PASS);
    ASSERT_EQ(ik_verify_spf(v)->result, IK_SPF_PASS);
    ASSERT_EQ(ik_dkim_verify_get(ik_verify_dkim(v), 0)->result, IK_DKIM_PASS);
    ASSERT_EQ(ik_iprev_get_result(ik_verify_iprev(v)), IK_IPREV_PASS);
    ASSERT_EQ(ik_verify_dns_questions(v), k.n);
    ik_arena_free(a);
    teardown();
}

static void verify_merges_dkim_and_arc_key_questions(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    /* example.com also seals with the same selector: one key question. */
    arc_seal(a, &m, "example.com", "s1", KEY, IK_ARC_CV_NONE,
             IK_STR_LIT("example.com; dkim=pass header.d=example.com"));
    ik_verify *v = new_verifier(a, NULL, 0);
    asked k = { .n = 0 };
    run(v, a, &GOOD, &m, &k); /* note() fails on any repeated question */
    ASSERT_TRUE(was_asked(&k, "s1._domainkey.example.com", IK_DNS_T_TXT));
    ASSERT_EQ(ik_verify_arc(v)->cv, IK_ARC_CV_PASS);
    ASSERT_EQ(ik_dkim_verify_get(ik_verify_dkim(v), 0)->result, IK_DKIM_PASS);
    ASSERT_HAS(ar_text(a, v), "arc=pass");
    ik_arena_free(a);
    teardown();
}

static void verify_key_timeout_is_temperror(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Sam <sam@slow.example>");
    dkim_sign(a, &m, "slow.example");
    ik_verify *v = new_verifier(a, NULL, 0);
    asked k = { .n = 0 };
    run(v, a, NULL, &m, &k);
    const ik_dkim_sigresult *r = ik_dkim_verify_get(ik_verify_dkim(v), 0);
    ASSERT_EQ(r->result, IK_DKIM_TEMPERROR);
    /* The aligned signature could have passed: DMARC cannot decide. */
    ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_TEMPERROR);
    ASSERT_TRUE(ik_verify_spf(v) == NULL);
    ASSERT_TRUE(ik_verify_iprev(v) == NULL);
    ASSERT_TRUE(ik_verify_senderid(v) == NULL);
    const char *t = ar_text(a, v);
    ASSERT_HAS(t, "dkim=temperror (");
    ASSERT_HAS(t, "dmarc=temperror");
    ASSERT_HASNT(t, "spf=");
    ASSERT_HASNT(t, "iprev=");
    ik_arena_free(a);
    teardown();
}

static void verify_dmarc_servfail_is_temperror(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Sid <sid@sick.example>");
    ik_verify *v = new_verifier(a, NULL, 0);
    asked k = { .n = 0 };
    conn c = { "192.0.2.10", "mail.example.com", "sid@sick.example" };
    run(v, a, &c, &m, &k);
    ASSERT_EQ(ik_verify_spf(v)->result, IK_SPF_PASS);
    ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_TEMPERROR);
    ASSERT_EQ(ik_dkim_verify_count(ik_verify_dkim(v)), 0);
    const char *t = ar_text(a, v);
    ASSERT_HAS(t, "dkim=none (no signature)");
    ASSERT_HAS(t, "dmarc=temperror");
    ik_arena_free(a);
    teardown();
}

static void verify_lists_our_forged_authres(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    prepend(&m, IK_STR_LIT("Authentication-Results: other.example; spf=pass"));
    prepend(&m, IK_STR_LIT("Authentication-Results: (forged) \"MX.Test\"; dmarc=pass"));
    prepend(&m, IK_STR_LIT("X-Note: Authentication-Results: mx.test; dkim=pass"));
    prepend(&m, IK_STR_LIT("Authentication-Results: mx.test.example; dkim=pass"));
    prepend(&m, IK_STR_LIT("authentication-results:mx.test;\r\n dkim=pass header.d=example.com"));
    ik_verify *v = new_verifier(a, NULL, 0);
    asked k = { .n = 0 };
    run(v, a, &GOOD, &m, &k);
    size_t n, nf;
    const size_t *idx = ik_verify_forged(v, &n);
    const ik_hdr_field *f = ik_verify_fields(v, &nf);
    ASSERT_EQ(nf, m.n);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(idx[0], 0);
    ASSERT_EQ(idx[1], 3);
    ASSERT_TRUE(ik_str_casestarts(f[idx[1]].raw, "Authentication-Results: (forged)"));
    /* The forged dkim=pass changes nothing: the message is unsigned. */
    ASSERT_EQ(ik_dkim_verify_count(ik_verify_dkim(v)), 0);
    ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_PASS); /* on SPF alone */
    ASSERT_HAS(ar_text(a, v), "dkim=none");
    ik_arena_free(a);
    teardown();
}

static void verify_trusted_sealer_overrides_dmarc_failure(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    arc_seal(a, &m, "lists.example.org", "arc", SEAL, IK_ARC_CV_NONE,
             IK_STR_LIT("lists.example.org; dkim=pass header.d=example.com"));
    list_changes(&m); /* after sealing: the AMS breaks too */
    conn c = { "203.0.113.40", "mx.lists.example.org", "bounces@lists.example.org" };

    static const char *const trusted[] = { "Lists.Example.Org" };
    for (int t = 0; t < 2; t++) {
        ik_verify *v = new_verifier(a, trusted, (size_t)t);
        asked k = { .n = 0 };
        run(v, a, &c, &m, &k);
        ASSERT_EQ(ik_dkim_verify_get(ik_verify_dkim(v), 0)->result, IK_DKIM_FAIL);
        ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_FAIL);
        ASSERT_EQ(ik_verify_arc(v)->cv, IK_ARC_CV_FAIL);
        ASSERT_EQ(ik_verify_dmarc(v)->disposition, IK_DMARC_P_REJECT);
        ASSERT_EQ(ik_verify_arc_trusted(v), 0);
    }

    /* Sealed after the change, as RFC 8617 5.1 has it. */
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    list_changes(&m);
    arc_seal(a, &m, "lists.example.org", "arc", SEAL, IK_ARC_CV_NONE,
             IK_STR_LIT("lists.example.org; dkim=pass header.d=example.com"));
    for (int t = 0; t < 2; t++) {
        ik_verify *v = new_verifier(a, trusted, (size_t)t);
        asked k = { .n = 0 };
        run(v, a, &c, &m, &k);
        ASSERT_EQ(ik_verify_arc(v)->cv, IK_ARC_CV_PASS);
        ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_FAIL);
        const char *txt = ar_text(a, v);
        if (t) {
            ASSERT_EQ(ik_verify_arc_trusted(v), 1);
            ASSERT_EQ(ik_verify_dmarc(v)->disposition, IK_DMARC_P_NONE);
            ASSERT_EQ(ik_verify_dmarc(v)->override, IK_DMARC_OVR_TRUSTED_ARC);
            ASSERT_TRUE(ik_verify_dmarc_auth(v)->arc_trusted_pass);
            ASSERT_HAS(txt, "arc=pass (trusted sealer lists.example.org i=1)");
            ASSERT_HAS(txt, "dis=none local_policy arc=pass");
        } else {
            ASSERT_EQ(ik_verify_arc_trusted(v), 0);
            ASSERT_EQ(ik_verify_dmarc(v)->disposition, IK_DMARC_P_REJECT);
            ASSERT_HAS(txt, "dis=reject");
        }
    }
    ik_arena_free(a);
    teardown();
}

static void verify_message_without_body_or_connection(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    ik_verify *v = new_verifier(a, NULL, 0);
    ASSERT_OK(ik_verify_header(v, "From: x@nowhere.example\r\n", 25));
    ik_dns_query *q = NULL;
    asked k = { .n = 0 };
    ik_status st = ik_verify_eom(v, &q); /* no eoh: the header ends here */
    answer(v, a, st, q, &k);
    ASSERT_TRUE(ik_verify_done(v));
    ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_NONE);
    ASSERT_EQ(ik_dkim_verify_count(ik_verify_dkim(v)), 0);
    ASSERT_HAS(ar_text(a, v), "dmarc=none");
    ik_arena_free(a);
    teardown();
}

static void verify_blocking_convenience(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    ik_buf b;
    ik_buf_init(&b, a, 0);
    for (size_t i = 0; i < m.n; i++) {
        ik_buf_append_str(&b, m.h[i]);
        ik_buf_append_c(&b, "\r\n");
    }
    ik_buf_append_c(&b, "\r\n");
    ik_buf_append_str(&b, m.body);
    ik_verify *v = new_verifier(a, NULL, 0);
    ik_ip ip;
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("198.51.100.1"), &ip));
    ik_str mf = IK_STR_LIT("alice@example.com");
    ASSERT_OK(ik_verify_message(v, &ip, IK_STR_LIT("h.example"), &mf, b.p, b.len, &R));
    ASSERT_EQ(ik_verify_spf(v)->result, IK_SPF_FAIL);
    ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_PASS); /* DKIM aligned */
    ASSERT_EQ(ik_iprev_get_result(ik_verify_iprev(v)), IK_IPREV_PERMERROR);
    ik_arena_free(a);
    teardown();
}

/* ik_verify_message (one header split, the DMARC policy from a shared
 * cache) reports exactly what the streaming calls report without a cache. */
static void verify_message_equals_streaming_with_a_dmarc_cache(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    ik_buf b;
    ik_buf_init(&b, a, 0);
    for (size_t i = 0; i < m.n; i++) {
        ik_buf_append_str(&b, m.h[i]);
        ik_buf_append_c(&b, "\r\n");
    }
    ik_buf_append_c(&b, "\r\n");
    ik_buf_append_str(&b, m.body);

    conn c = { "198.51.100.1", "h.example", "alice@example.com" };
    asked k = { .n = 0 };
    ik_arena *sa = ik_arena_new(NULL);
    ik_verify *sv = new_verifier(sa, NULL, 0);
    run(sv, sa, &c, &m, &k);
    size_t nsf, nmf;
    const ik_hdr_field *sf = ik_verify_fields(sv, &nsf);

    ik_dmarc_cache *dc = ik_dmarc_cache_new(NULL, 8);
    ASSERT_TRUE(dc != NULL);
    ik_ip ip;
    ASSERT_OK(ik_ip_parse(ik_str_c(c.ip), &ip));
    ik_str mf = ik_str_c(c.mailfrom);
    ik_arena *ma = ik_arena_new(NULL);
    for (int round = 0; round < 2; round++) {
        ik_verify_config cfg;
        ik_verify_config_init(&cfg);
        cfg.authserv_id = IK_STR_LIT("mx.test");
        cfg.now = 1767225600 + 60;
        cfg.dmarc_cache = dc;
        ik_verify *v = ik_verify_new(ma, &cfg);
        ASSERT_TRUE(v != NULL);
        ASSERT_OK(ik_verify_message(v, &ip, ik_str_c(c.helo), &mf, b.p, b.len, &R));
        ASSERT_STR(ik_verify_authres(v),
                   ik_arena_strndup(a, ik_verify_authres(sv).p, ik_verify_authres(sv).len));
        ASSERT_STR(ik_verify_authres_payload(v),
                   ik_arena_strndup(a, ik_verify_authres_payload(sv).p,
                                    ik_verify_authres_payload(sv).len));
        ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_PASS);
        ASSERT_EQ(ik_verify_dmarc(v)->dns_queries, ik_verify_dmarc(sv)->dns_queries);
        const ik_hdr_field *mfl = ik_verify_fields(v, &nmf);
        ASSERT_EQ(nmf, nsf);
        for (size_t i = 0; i < nmf; i++) {
            ASSERT_STR(mfl[i].raw, ik_arena_strndup(a, sf[i].raw.p, sf[i].raw.len));
            ASSERT_EQ(mfl[i].offset, sf[i].offset);
            ASSERT_EQ(mfl[i].flags, sf[i].flags);
        }
        ik_arena_reset(ma);
    }
    ik_dmarc_cache_stats st;
    ik_dmarc_cache_stats_get(dc, &st);
    ASSERT_EQ(st.inserts, 1);
    ASSERT_EQ(st.hits, 1); /* the second message; the first parsed once */
    ik_arena_free(ma);
    ik_dmarc_cache_free(dc);
    ik_arena_free(sa);
    ik_arena_free(a);
    teardown();
}

static void verify_calls_out_of_order_are_refused(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    ik_verify *v = new_verifier(a, NULL, 0);
    ik_dns_query *q;
    ASSERT_OK(ik_verify_header(v, "From: a@example.com", 19));
    ASSERT_STATUS(ik_verify_mail_from(v, IK_STR_LIT("a@example.com"), &q), IK_ESTATE);
    ASSERT_STATUS(ik_verify_body(v, "x", 1), IK_ESTATE);
    ik_status st = ik_verify_eoh(v, &q);
    asked k = { .n = 0 };
    answer(v, a, st, q, &k);
    ASSERT_STATUS(ik_verify_header(v, "To: b@example.com", 17), IK_ESTATE);
    ASSERT_STATUS(ik_verify_eoh(v, &q), IK_ESTATE);

    /* Bad configurations are refused. */
    ik_verify_config c;
    ik_verify_config_init(&c);
    c.authserv_id = IK_STR_NULL;
    ASSERT_TRUE(ik_verify_new(a, &c) == NULL);
    ik_verify_config_init(&c);
    c.dmarc_spec = IK_DMARC_SPEC_7489; /* without a PSL */
    ASSERT_TRUE(ik_verify_new(a, &c) == NULL);
    ik_arena_free(a);
    teardown();
}

static void verify_methods_select_and_imply(void)
{
    unsigned mm;
    ik_str bad;
    ASSERT_OK(ik_verify_methods_parse(IK_STR_LIT("spf, DKIM,sender-id,dkim-adsp"), &mm, &bad));
    ASSERT_EQ(mm, IK_VERIFY_SPF | IK_VERIFY_DKIM | IK_VERIFY_SENDERID | IK_VERIFY_ADSP);
    ASSERT_OK(ik_verify_methods_parse(IK_STR_LIT("all"), &mm, &bad));
    ASSERT_EQ(mm, IK_VERIFY_ALL);
    ASSERT_STATUS(ik_verify_methods_parse(IK_STR_LIT("spf,dkim2"), &mm, &bad), IK_ESYNTAX);
    ASSERT_STR(bad, "dkim2");

    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(a, &m, "example.com");
    ik_verify_config c;
    ik_verify_config_init(&c);
    c.authserv_id = IK_STR_LIT("mx.test");
    c.methods = IK_VERIFY_DMARC; /* implies DKIM and SPF */
    ik_verify *v = ik_verify_new(a, &c);
    asked k = { .n = 0 };
    run(v, a, &GOOD, &m, &k);
    ASSERT_TRUE(ik_verify_spf(v) != NULL);
    ASSERT_TRUE(ik_verify_dkim(v) != NULL);
    ASSERT_TRUE(ik_verify_iprev(v) == NULL);
    ASSERT_TRUE(ik_verify_arc(v) == NULL);
    ASSERT_TRUE(ik_verify_adsp(v) == NULL);
    ASSERT_TRUE(ik_verify_domainkeys(v) == NULL);
    ASSERT_TRUE(ik_verify_senderid(v) == NULL);
    ASSERT_EQ(ik_verify_ar(v)->nresults, 3); /* spf, dkim, dmarc */
    ASSERT_FALSE(was_asked(&k, "10.2.0.192.in-addr.arpa", IK_DNS_T_PTR));
    ik_arena_free(a);
    teardown();
}

static void verify_survives_allocation_failures(void)
{
    setup();
    ik_arena *sa = ik_arena_new(NULL);
    msg m;
    msg_init(&m, "From: Alice <alice@example.com>");
    dkim_sign(sa, &m, "example.com");
    arc_seal(sa, &m, "lists.example.org", "arc", SEAL, IK_ARC_CV_NONE,
             IK_STR_LIT("lists.example.org; dkim=pass"));
    ik_buf b;
    ik_buf_init(&b, sa, 0);
    for (size_t i = 0; i < m.n; i++) {
        ik_buf_append_str(&b, m.h[i]);
        ik_buf_append_c(&b, "\r\n");
    }
    ik_buf_append_c(&b, "\r\n");
    ik_buf_append_str(&b, m.body);
    ik_ip ip;
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.10"), &ip));
    ik_str mf = IK_STR_LIT("alice@example.com");
    long ok = 0;
    for (long fail = 0; fail < 100000; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_verify_config c;
        ik_verify_config_init(&c);
        c.authserv_id = IK_STR_LIT("mx.test");
        ik_verify *v = ik_verify_new(a, &c);
        ik_status st =
            v ? ik_verify_message(v, &ip, IK_STR_LIT("mail.example.com"), &mf, b.p, b.len, &R)
              : IK_ENOMEM;
        if (st == IK_OK) {
            ASSERT_EQ(ik_verify_dmarc(v)->result, IK_DMARC_PASS);
            ASSERT_TRUE(ik_verify_authres(v).len > 0);
            ok = 1;
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
        }
        ik_arena_free(a);
        if (ok)
            break;
    }
    ASSERT_TRUE(ok);
    ik_arena_free(sa);
    teardown();
}

/* Method lists over every prefix, a NUL at each position and an oversized
 * list: IK_OK or IK_ESYNTAX naming a bad word inside the input. */
static void methods_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    unsigned m = 0;
    ik_str bad = IK_STR_NULL;
    ik_status st = ik_verify_methods_parse(ik_str_make(p, n), &m, &bad);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
    if (st == IK_ESYNTAX && bad.len > 0)
        ASSERT_TRUE(bad.p >= p && bad.p + bad.len <= p + n);
}

static void verify_methods_parse_hostile_input(void)
{
    static const char l[] = "spf,iprev, sender-id,dkim,domainkeys,dkim-adsp,adsp,dmarc,arc,all";
    unsigned m = 0;
    ASSERT_OK(ik_verify_methods_parse(IK_STR_LIT(l), &m, NULL));
    ASSERT_EQ(m, IK_VERIFY_ALL);
    ik_test_each_prefix(l, sizeof(l) - 1, methods_cb, NULL);
    ik_test_each_nul(l, sizeof(l) - 1, methods_cb, NULL);
    ik_test_oversized("spf", ",dkim", 1u << 20, "", methods_cb, NULL);
    ik_test_oversized("", "x", 1u << 20, "", methods_cb, NULL);
}

int main(int argc, char **argv)
{
    static const ik_test_case cases[] = {
        IK_TEST_CASE(verify_aligned_message_passes_every_method),
        IK_TEST_CASE(verify_asks_questions_early),
        IK_TEST_CASE(verify_merges_dkim_and_arc_key_questions),
        IK_TEST_CASE(verify_key_timeout_is_temperror),
        IK_TEST_CASE(verify_dmarc_servfail_is_temperror),
        IK_TEST_CASE(verify_lists_our_forged_authres),
        IK_TEST_CASE(verify_trusted_sealer_overrides_dmarc_failure),
        IK_TEST_CASE(verify_message_without_body_or_connection),
        IK_TEST_CASE(verify_blocking_convenience),
        IK_TEST_CASE(verify_message_equals_streaming_with_a_dmarc_cache),
        IK_TEST_CASE(verify_calls_out_of_order_are_refused),
        IK_TEST_CASE(verify_methods_select_and_imply),
        IK_TEST_CASE(verify_survives_allocation_failures),
        IK_TEST_CASE(verify_methods_parse_hostile_input),
    };
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
