/*
 * test_arc.c - ARC (RFC 8617): seal and validate chains across several
 * hops with RSA and Ed25519 keys, oldest-pass, cv=fail sealing (5.1.2) and
 * the sealer's refusal to extend a failed chain (5.1 step 2), instance
 * limits, DNS failures as fail (5.2.1), trusted sealers, the A-R result,
 * the AMS/AS parsers, and allocation failures.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/arc.h"
#include "inkan/base64.h"
#include "inkan/buf.h"
#include "inkan/zone.h"

static ik_zone *Z;
static ik_resolver R;
static ik_pkey *RSA, *ED;

/* Adds "v=DKIM1; k=..; p=.." for key at sel._domainkey.dom, in 255-octet
 * strings. */
static void publish(const char *sel, const char *dom, ik_pkey *key)
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
    char name[256];
    snprintf(name, sizeof(name), "%s._domainkey.%s", sel, dom);
    ASSERT_OK(ik_zone_add_rr(Z, ik_str_c(name), IK_DNS_T_TXT, 300, rd, n));
    ik_buf_release(&p);
}

static void setup(void)
{
    Z = ik_zone_new(NULL);
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_RSA, 1024, &RSA));
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_ED25519, 0, &ED));
    publish("rsa", "hop1.example", RSA);
    publish("ed", "hop2.example", ED);
    publish("rsa", "hop3.example", RSA);
    ASSERT_OK(ik_zone_add_servfail(Z, IK_STR_LIT("broken._domainkey.hop4.example"), 0));
    ASSERT_OK(ik_zone_resolver(Z, &R));
}

static void teardown(void)
{
    ik_resolver_close(&R);
    ik_zone_free(Z);
    ik_pkey_free(RSA);
    ik_pkey_free(ED);
}

/* A message as a list of header fields (top first) and a body. */
typedef struct msg {
    ik_str h[200];
    size_t n;
    ik_str body;
} msg;

static void msg_init(msg *m)
{
    static const char *const base[] = {
        "Received: from a.example by b.example; Thu, 1 Jan 2026 00:00:00 +0000",
        "From: Alice <alice@origin.example>",
        "To: list@hop1.example",
        "Subject: hello",
        "Date: Thu, 1 Jan 2026 00:00:00 +0000",
        "Message-ID: <1@origin.example>",
        "MIME-Version: 1.0",
    };
    m->n = 0;
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
        m->h[m->n++] = ik_str_c(base[i]);
    m->body = IK_STR_LIT("Hello,\r\n  this is   the body.\r\n\r\n\r\n");
}

static void prepend(msg *m, ik_str f)
{
    ASSERT_TRUE(m->n < 200);
    memmove(&m->h[1], &m->h[0], m->n * sizeof(m->h[0]));
    m->h[0] = f;
    m->n++;
}

static const ik_arc_result *validate(ik_arena *a, const msg *m, size_t chunk)
{
    ik_arc_verifier *v = ik_arc_verify_new(a, NULL);
    ASSERT_TRUE(v != NULL);
    for (size_t i = 0; i < m->n; i++)
        ASSERT_OK(ik_arc_verify_header(v, m->h[i].p, m->h[i].len));
    ik_dns_query *q;
    ik_status st = ik_arc_verify_eoh(v, &q);
    if (st == IK_EAGAIN)
        ASSERT_OK(ik_resolver_answer_all(&R, a, q));
    else
        ASSERT_OK(st);
    for (size_t off = 0; off < m->body.len; off += chunk) {
        size_t take = m->body.len - off < chunk ? m->body.len - off : chunk;
        ASSERT_OK(ik_arc_verify_body(v, m->body.p + off, take));
    }
    while ((st = ik_arc_verify_eom(v, &q)) == IK_EAGAIN)
        ASSERT_OK(ik_resolver_answer_all(&R, a, q));
    ASSERT_OK(st);
    const ik_arc_result *r = ik_arc_verify_result(v);
    ASSERT_TRUE(r != NULL);
    return r;
}

/* Validates, then seals as hop (sel, dom, key) with the result; returns
 * the instance added (0: none). */
static unsigned seal_as(ik_arena *a, msg *m, const char *sel, const char *dom, ik_pkey *key,
                        const ik_arc_result *r)
{
    ik_ar ar;
    ik_ar_init(&ar, ik_str_c(dom));
    ASSERT_OK(ik_arc_authres(a, r, IK_STR_LIT("192.0.2.1"), &ar));
    ik_str payload;
    ASSERT_OK(ik_ar_format(a, &ar, NULL, &payload));
    ik_arc_seal_params p = {
        .alg =
            ik_pkey_type(key) == IK_KEY_RSA ? IK_DKIM_ALG_RSA_SHA256 : IK_DKIM_ALG_ED25519_SHA256,
        .key = key,
        .domain = ik_str_c(dom),
        .selector = ik_str_c(sel),
        .headers = NULL,
        .authres = payload,
        .cv = r->cv,
        .timestamp = 1700000000,
    };
    ik_arc_sealer *s = ik_arc_seal_new(a, &p);
    for (size_t i = 0; i < m->n; i++)
        ASSERT_OK(ik_arc_seal_header(s, m->h[i].p, m->h[i].len));
    ASSERT_OK(ik_arc_seal_eoh(s));
    ASSERT_OK(ik_arc_seal_body(s, m->body.p, m->body.len));
    ASSERT_OK(ik_arc_seal_eom(s));
    ik_str out[3];
    unsigned inst = ik_arc_seal_fields(s, out);
    if (inst) {
        prepend(m, out[2]);
        prepend(m, out[1]);
        prepend(m, out[0]);
    }
    return inst;
}

static unsigned hop(ik_arena *a, msg *m, const char *sel, const char *dom, ik_pkey *key,
                    ik_arc_cv *seen)
{
    const ik_arc_result *r = validate(a, m, 7);
    if (seen)
        *seen = r->cv;
    return seal_as(a, m, sel, dom, key, r);
}

static void arc_unsealed_message_is_none(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    const ik_arc_result *r = validate(a, &m, 5);
    ASSERT_EQ(r->cv, IK_ARC_CV_NONE);
    ASSERT_EQ(r->n, 0);
    ik_arena_free(a);
    teardown();
}

static void arc_three_hops_rsa_and_ed25519_pass(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    ik_arc_cv seen;
    ASSERT_EQ(hop(a, &m, "rsa", "hop1.example", RSA, &seen), 1);
    ASSERT_EQ(seen, IK_ARC_CV_NONE);
    ASSERT_EQ(hop(a, &m, "ed", "hop2.example", ED, &seen), 2);
    ASSERT_EQ(seen, IK_ARC_CV_PASS);
    ASSERT_EQ(hop(a, &m, "rsa", "hop3.example", RSA, &seen), 3);
    ASSERT_EQ(seen, IK_ARC_CV_PASS);
    for (size_t chunk = 1; chunk < 40; chunk += 13) {
        const ik_arc_result *r = validate(a, &m, chunk);
        ASSERT_EQ(r->cv, IK_ARC_CV_PASS);
        ASSERT_EQ(r->n, 3);
        ASSERT_EQ(r->oldest_pass, 0);
        ASSERT_EQ(r->nsets, 3);
        ASSERT_STR(r->sets[1].seal_domain, "hop2.example");
        ASSERT_STR(r->sets[1].aar_authserv_id, "hop2.example");
        ASSERT_EQ(r->sets[2].seal_cv, IK_ARC_CV_PASS);
        ASSERT_EQ(r->sets[0].ams_valid, 1);
        ASSERT_EQ(r->sets[0].seal_valid, 1);
    }
    /* The AAR carries what each hop saw. */
    const ik_arc_result *r = validate(a, &m, 64);
    ASSERT_TRUE(memmem(r->sets[2].aar.p, r->sets[2].aar.len, "arc=pass", 8) != NULL);
    ASSERT_TRUE(memmem(r->sets[0].aar.p, r->sets[0].aar.len, "arc=none", 8) != NULL);
    /* Trusted sealers: the newest trusted instance, only on pass. */
    ik_str trusted[] = { IK_STR_LIT("HOP2.example"), IK_STR_LIT("elsewhere.example") };
    ASSERT_EQ(ik_arc_trusted_sealer(r, trusted, 2), 2);
    ASSERT_EQ(ik_arc_trusted_sealer(r, trusted + 1, 1), 0);
    /* The A-R result. */
    ik_ar ar;
    ik_ar_init(&ar, IK_STR_LIT("mx.example"));
    ASSERT_OK(ik_arc_authres(a, r, IK_STR_LIT("192.0.2.9"), &ar));
    ik_str out;
    ASSERT_OK(ik_ar_format(a, &ar, "Authentication-Results", &out));
    ASSERT_STR(out, "Authentication-Results: mx.example;\r\n arc=pass header.oldest-pass=0 "
                    "smtp.remote-ip=192.0.2.9");
    ik_arena_free(a);
    teardown();
}

static void arc_modified_message_moves_oldest_pass(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    hop(a, &m, "rsa", "hop1.example", RSA, NULL);
    /* A list validates on arrival, rewrites the subject, then seals. */
    const ik_arc_result *arrival = validate(a, &m, 3);
    ASSERT_EQ(arrival->cv, IK_ARC_CV_PASS);
    for (size_t i = 0; i < m.n; i++)
        if (ik_str_casestarts(m.h[i], "Subject:"))
            m.h[i] = IK_STR_LIT("Subject: [list] hello");
    seal_as(a, &m, "ed", "hop2.example", ED, arrival);
    ik_arc_cv seen;
    hop(a, &m, "rsa", "hop3.example", RSA, &seen);
    ASSERT_EQ(seen, IK_ARC_CV_PASS); /* the seals still hold */
    const ik_arc_result *r = validate(a, &m, 10);
    ASSERT_EQ(r->cv, IK_ARC_CV_PASS);
    ASSERT_EQ(r->oldest_pass, 2);
    ASSERT_EQ(r->sets[0].ams_valid, 0);
    ASSERT_EQ(r->sets[1].ams_valid, 1);
    /* Changing the body now breaks the newest AMS: fail. */
    m.body = IK_STR_LIT("Hello,\r\n  this is another body.\r\n");
    r = validate(a, &m, 10);
    ASSERT_EQ(r->cv, IK_ARC_CV_FAIL);
    ASSERT_EQ(r->failed_instance, 3);
    ik_arena_free(a);
    teardown();
}

static void arc_failed_chain_is_sealed_alone_then_never_again(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    hop(a, &m, "rsa", "hop1.example", RSA, NULL);
    /* Tamper with the AAR of set 1: its seal breaks. */
    for (size_t i = 0; i < m.n; i++)
        if (ik_str_casestarts(m.h[i], "ARC-Authentication-Results:"))
            m.h[i] = IK_STR_LIT("ARC-Authentication-Results: i=1; hop1.example; spf=pass");
    ik_arc_cv seen;
    ASSERT_EQ(hop(a, &m, "ed", "hop2.example", ED, &seen), 2);
    ASSERT_EQ(seen, IK_ARC_CV_FAIL);
    /* The new seal says cv=fail and covers only set 2 (RFC 8617 5.1.2). */
    const ik_arc_result *r = validate(a, &m, 10);
    ASSERT_EQ(r->cv, IK_ARC_CV_FAIL);
    ASSERT_STR(ik_str_c(r->reason), "the newest ARC-Seal says cv=fail");
    /* Nobody extends it (5.1 step 2). */
    ASSERT_EQ(hop(a, &m, "rsa", "hop3.example", RSA, NULL), 0);
    ik_arena_free(a);
    teardown();
}

static void arc_dns_failure_is_fail(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    /* Seal as a selector whose lookup fails with SERVFAIL. */
    msg m2;
    msg_init(&m2);
    ik_arc_seal_params p = { .alg = IK_DKIM_ALG_RSA_SHA256,
                             .key = RSA,
                             .domain = IK_STR_LIT("hop4.example"),
                             .selector = IK_STR_LIT("broken"),
                             .authres = IK_STR_LIT("hop4.example; none"),
                             .cv = IK_ARC_CV_NONE,
                             .timestamp = 1 };
    ik_arc_sealer *s = ik_arc_seal_new(a, &p);
    for (size_t i = 0; i < m2.n; i++)
        ASSERT_OK(ik_arc_seal_header(s, m2.h[i].p, m2.h[i].len));
    ASSERT_STATUS(ik_arc_seal_body(s, m2.body.p, m2.body.len), IK_ESTATE); /* before eoh */
    ASSERT_OK(ik_arc_seal_eoh(s));
    ASSERT_OK(ik_arc_seal_body(s, m2.body.p, m2.body.len));
    ASSERT_OK(ik_arc_seal_eom(s));
    ik_str out[3];
    ASSERT_EQ(ik_arc_seal_fields(s, out), 1);
    prepend(&m2, out[2]);
    prepend(&m2, out[1]);
    prepend(&m2, out[0]);
    const ik_arc_result *r = validate(a, &m2, 10);
    ASSERT_EQ(r->cv, IK_ARC_CV_FAIL); /* RFC 8617 5.2.1: temporary is permanent */
    ASSERT_TRUE(strstr(r->reason, "temporarily") != NULL);
    ik_arena_free(a);
    teardown();
}

static void arc_structure_rules(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    hop(a, &m, "rsa", "hop1.example", RSA, NULL);
    hop(a, &m, "ed", "hop2.example", ED, NULL);
    /* Drop the AMS of set 1: a gap. */
    msg g = m;
    for (size_t i = 0; i < g.n; i++)
        if (ik_str_casestarts(g.h[i], "ARC-Message-Signature:")
            && memmem(g.h[i].p, g.h[i].len, "i=1;", 4) != NULL) {
            memmove(&g.h[i], &g.h[i + 1], (g.n - i - 1) * sizeof(g.h[0]));
            g.n--;
            break;
        }
    const ik_arc_result *r = validate(a, &g, 10);
    ASSERT_EQ(r->cv, IK_ARC_CV_FAIL);
    ASSERT_EQ(r->failed_instance, 1);
    /* A stray ARC field with i=51 or without i=: fail. */
    msg s = m;
    prepend(&s, IK_STR_LIT("ARC-Authentication-Results: i=51; x.example; none"));
    ASSERT_EQ(validate(a, &s, 10)->cv, IK_ARC_CV_FAIL);
    s = m;
    prepend(&s, IK_STR_LIT("ARC-Seal: a=rsa-sha256; b=AAAA; cv=pass; d=x.example; s=x"));
    ASSERT_EQ(validate(a, &s, 10)->cv, IK_ARC_CV_FAIL);
    /* A lone unparsable ARC field is a (broken) chain, not none. */
    msg lone;
    msg_init(&lone);
    prepend(&lone, IK_STR_LIT("ARC-Seal: garbage"));
    ASSERT_EQ(validate(a, &lone, 10)->cv, IK_ARC_CV_FAIL);
    ik_arena_free(a);
    teardown();
}

static void arc_sealer_stops_at_fifty(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    for (unsigned i = 1; i <= IK_ARC_MAX_INSTANCES; i++) {
        ik_arc_cv seen = i == 1 ? IK_ARC_CV_NONE : IK_ARC_CV_PASS;
        ik_arc_seal_params p = { .alg = IK_DKIM_ALG_ED25519_SHA256,
                                 .key = ED,
                                 .domain = IK_STR_LIT("hop2.example"),
                                 .selector = IK_STR_LIT("ed"),
                                 .authres = IK_STR_LIT("hop2.example; none"),
                                 .cv = seen,
                                 .timestamp = 5 };
        ik_arc_sealer *s = ik_arc_seal_new(a, &p);
        for (size_t k = 0; k < m.n; k++)
            ASSERT_OK(ik_arc_seal_header(s, m.h[k].p, m.h[k].len));
        ASSERT_OK(ik_arc_seal_eoh(s));
        ASSERT_OK(ik_arc_seal_body(s, m.body.p, m.body.len));
        ASSERT_OK(ik_arc_seal_eom(s));
        ik_str out[3];
        ASSERT_EQ(ik_arc_seal_fields(s, out), i);
        prepend(&m, out[2]);
        prepend(&m, out[1]);
        prepend(&m, out[0]);
    }
    const ik_arc_result *r = validate(a, &m, 100);
    ASSERT_EQ(r->cv, IK_ARC_CV_PASS);
    ASSERT_EQ(r->n, 50);
    ik_arc_seal_params p = { .alg = IK_DKIM_ALG_ED25519_SHA256,
                             .key = ED,
                             .domain = IK_STR_LIT("hop2.example"),
                             .selector = IK_STR_LIT("ed"),
                             .authres = IK_STR_LIT("hop2.example; none"),
                             .cv = IK_ARC_CV_PASS,
                             .timestamp = 5 };
    ik_arc_sealer *s = ik_arc_seal_new(a, &p);
    for (size_t k = 0; k < m.n; k++)
        ASSERT_OK(ik_arc_seal_header(s, m.h[k].p, m.h[k].len));
    ASSERT_STATUS(ik_arc_seal_eoh(s), IK_ELIMIT);
    ik_arena_free(a);
    teardown();
}

static void arc_sealer_refuses_bad_parameters(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    ik_arc_seal_params base = { .alg = IK_DKIM_ALG_RSA_SHA256,
                                .key = RSA,
                                .domain = IK_STR_LIT("hop1.example"),
                                .selector = IK_STR_LIT("rsa"),
                                .authres = IK_STR_LIT("hop1.example; none"),
                                .cv = IK_ARC_CV_NONE,
                                .timestamp = 5 };
    ik_arc_seal_params bad[6];
    for (int i = 0; i < 6; i++)
        bad[i] = base;
    bad[0].alg = IK_DKIM_ALG_ED25519_SHA256;        /* key mismatch */
    bad[1].headers = "from:authentication-results"; /* RFC 8617 4.1.2 */
    bad[2].headers = "from:arc-seal";
    bad[3].cv = IK_ARC_CV_PASS; /* pass on no chain */
    bad[4].domain = IK_STR_LIT("not a domain");
    bad[5].authres = IK_STR_NULL;
    for (int i = 0; i < 6; i++) {
        ik_arc_sealer *s = ik_arc_seal_new(a, &bad[i]);
        for (size_t k = 0; k < m.n; k++)
            ASSERT_OK(ik_arc_seal_header(s, m.h[k].p, m.h[k].len));
        ASSERT_STATUS(ik_arc_seal_eoh(s), IK_EINVAL);
        /* Sticky: the body and eom never run over the refused state. */
        ASSERT_STATUS(ik_arc_seal_body(s, m.body.p, m.body.len), IK_EINVAL);
        ASSERT_STATUS(ik_arc_seal_eom(s), IK_EINVAL);
        ik_str out[3];
        ASSERT_EQ(ik_arc_seal_fields(s, out), 0);
        ASSERT_EQ(out[0].len, 0);
    }
    ik_arena_free(a);
    teardown();
}

static void arc_sig_parse_rules(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_arc_sig s;
    ik_str why;
    ASSERT_OK(ik_arc_sig_parse(a,
                               IK_STR_LIT("ARC-Message-Signature: i=3; a=rsa-sha256; "
                                          "b=AAAA; bh=AAAA; d=x.example; s=sel; h=; v=9"),
                               0, 0, &s, &why));
    ASSERT_EQ(s.instance, 3);
    ASSERT_EQ(s.nh, 0);
    ASSERT_EQ(s.hcanon, IK_DKIM_CANON_SIMPLE); /* RFC 6376 3.5 default */
    ASSERT_OK(ik_arc_sig_parse(a,
                               IK_STR_LIT("ARC-Seal: i=1; a=ed25519-sha256; b=AAAA; "
                                          "cv=none; d=x.example; s=sel; t=5; zz=ignored"),
                               1, 0, &s, &why));
    ASSERT_EQ(s.alg, IK_DKIM_ALG_ED25519_SHA256);
    ASSERT_EQ(s.cv, IK_ARC_CV_NONE);
    static const char *const bad_as[] = {
        "ARC-Seal: i=1; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=sel; h=from",
        "ARC-Seal: i=1; a=rsa-sha1; b=AAAA; cv=none; d=x.example; s=sel",
        "ARC-Seal: i=1; a=rsa-sha256; b=AAAA; cv=None; d=x.example; s=sel",
        "ARC-Seal: i=0; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=sel",
        "ARC-Seal: i=1; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=sel; t=1.5",
        "ARC-Seal: i=1; a=rsa-sha256; b=; cv=none; d=x.example; s=sel",
        "ARC-Seal: i=1; a=rsa-sha256; b=AAAA; cv=none; d=x..example; s=sel",
    };
    for (size_t i = 0; i < sizeof(bad_as) / sizeof(bad_as[0]); i++)
        ASSERT_STATUS(ik_arc_sig_parse(a, ik_str_c(bad_as[i]), 1, 0, &s, NULL), IK_ESYNTAX);
    ASSERT_OK(ik_arc_sig_parse(a, ik_str_c(bad_as[1]), 1, IK_DKIM_ALLOW_SHA1, &s, NULL));
    static const char *const bad_ams[] = {
        "ARC-Message-Signature: i=1; a=rsa-sha256; b=AAAA; bh=AAAA; d=x.example; s=sel",
        "ARC-Message-Signature: i=1; a=rsa-sha256; b=AAAA; bh=AAAA; d=x.example; s=sel; "
        "h=from:ARC-Seal",
        "ARC-Message-Signature: i=1; a=rsa-sha256; b=AAAA; bh=AAAA; d=x.example; s=sel; "
        "h=from; c=",
        "ARC-Message-Signature: i=1; a=rsa-sha256; b=AAAA; d=x.example; s=sel; h=from",
        "ARC-Message-Signature: i=1; a=rsa-sha256; b=AAAA; bh=AAAA; d=x.example; s=sel; "
        "h=from; t=5; x=4",
    };
    for (size_t i = 0; i < sizeof(bad_ams) / sizeof(bad_ams[0]); i++)
        ASSERT_STATUS(ik_arc_sig_parse(a, ik_str_c(bad_ams[i]), 0, 0, &s, NULL), IK_ESYNTAX);
    ik_arena_free(a);
}

static void arc_verify_survives_allocation_failures(void)
{
    setup();
    ik_arena *a0 = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    hop(a0, &m, "rsa", "hop1.example", RSA, NULL);
    hop(a0, &m, "ed", "hop2.example", ED, NULL);
    long ok_at = -1;
    for (long fail = 0; fail < 2000 && ok_at < 0; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_arc_verifier *v = ik_arc_verify_new(a, NULL);
        ik_status st = v ? IK_OK : IK_ENOMEM;
        for (size_t i = 0; i < m.n && st == IK_OK; i++)
            st = ik_arc_verify_header(v, m.h[i].p, m.h[i].len);
        ik_dns_query *q = NULL;
        if (st == IK_OK)
            st = ik_arc_verify_eoh(v, &q);
        if (st == IK_EAGAIN)
            st = ik_resolver_answer_all(&R, a, q);
        if (st == IK_OK)
            st = ik_arc_verify_body(v, m.body.p, m.body.len);
        while (st == IK_OK && (st = ik_arc_verify_eom(v, &q)) == IK_EAGAIN)
            st = ik_resolver_answer_all(&R, a, q);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        if (st == IK_OK) {
            ASSERT_EQ(ik_arc_verify_result(v)->cv, IK_ARC_CV_PASS);
            ok_at = fail;
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(ok_at > 0);
    ik_arena_free(a0);
    teardown();
}

/* Sealing a message that already carries one set (ARC-Seal i=2 with RSA),
 * in an arena whose allocation number n fails, for each n in turn:
 * IK_ENOMEM from new or any step, never a crash or a leak; once nothing
 * fails, the sealed message validates. */
static void arc_seal_survives_allocation_failures(void)
{
    setup();
    ik_arena *a0 = ik_arena_new(NULL);
    msg m;
    msg_init(&m);
    hop(a0, &m, "ed", "hop2.example", ED, NULL);
    ik_arc_seal_params p = { .alg = IK_DKIM_ALG_RSA_SHA256,
                             .key = RSA,
                             .domain = IK_STR_LIT("hop3.example"),
                             .selector = IK_STR_LIT("rsa"),
                             .authres = IK_STR_LIT("hop3.example; arc=pass"),
                             .cv = IK_ARC_CV_PASS,
                             .timestamp = 1700000000 };
    long ok_at = -1;
    for (long fail = 0; fail < 2000 && ok_at < 0; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_arc_sealer *s = ik_arc_seal_new(a, &p);
        ik_status st = s ? IK_OK : IK_ENOMEM;
        for (size_t i = 0; i < m.n && st == IK_OK; i++)
            st = ik_arc_seal_header(s, m.h[i].p, m.h[i].len);
        if (st == IK_OK)
            st = ik_arc_seal_eoh(s);
        if (st == IK_OK)
            st = ik_arc_seal_body(s, m.body.p, m.body.len);
        if (st == IK_OK)
            st = ik_arc_seal_eom(s);
        if (st == IK_OK) {
            ik_str out[3];
            ASSERT_EQ(ik_arc_seal_fields(s, out), 2);
            msg sealed = m;
            prepend(&sealed, out[2]);
            prepend(&sealed, out[1]);
            prepend(&sealed, out[0]);
            ASSERT_EQ(validate(a0, &sealed, 64)->cv, IK_ARC_CV_PASS);
            ok_at = fail;
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
            /* the error is sticky: later steps refuse, they do not go on */
            if (s != NULL)
                ASSERT_TRUE(ik_arc_seal_eom(s) != IK_OK);
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(ok_at > 0);
    ik_arena_free(a0);
    teardown();
}

/* ARC-Message-Signature and ARC-Seal parsing over every prefix, a NUL at
 * each position and an oversized field: IK_OK, or IK_ESYNTAX/IK_ELIMIT with
 * a reason, and never a read past the length (exact-size copies). */
static void arc_sig_cb(const char *p, size_t n, void *ud)
{
    int seal = *(const int *)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_arc_sig s;
    ik_str why = IK_STR_NULL;
    ik_status st = ik_arc_sig_parse(a, ik_str_make(p, n), seal, 0, &s, &why);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);
}

static void arc_sig_parse_hostile_input(void)
{
    static const char ams[] = "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
                              "\td=x.example; s=sel; t=1700000000; h=from:to:subject;\r\n"
                              "\tbh=AAAA; b=AAAA\r\n\t BBBB";
    static const char as[] = "ARC-Seal: i=2; a=ed25519-sha256; cv=pass; d=x.example; s=sel;"
                             " t=1700000000; b=AAAA";
    ik_arena *a = ik_arena_new(NULL);
    ik_arc_sig s;
    ASSERT_OK(ik_arc_sig_parse(a, IK_STR_LIT(ams), 0, 0, &s, NULL));
    ASSERT_OK(ik_arc_sig_parse(a, IK_STR_LIT(as), 1, 0, &s, NULL));
    ik_arena_free(a);
    int seal = 0;
    ik_test_each_prefix(ams, sizeof(ams) - 1, arc_sig_cb, &seal);
    ik_test_each_nul(ams, sizeof(ams) - 1, arc_sig_cb, &seal);
    ik_test_oversized("ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; s=sel; bh=AAAA; "
                      "b=AAAA; h=from",
                      ":subject", 1u << 20, "", arc_sig_cb, &seal);
    seal = 1;
    ik_test_each_prefix(as, sizeof(as) - 1, arc_sig_cb, &seal);
    ik_test_each_nul(as, sizeof(as) - 1, arc_sig_cb, &seal);
    ik_test_oversized("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=sel; b=", "AAAA",
                      1u << 20, "", arc_sig_cb, &seal);
}

int main(int argc, char **argv)
{
    static const ik_test_case cases[] = {
        IK_TEST_CASE(arc_unsealed_message_is_none),
        IK_TEST_CASE(arc_three_hops_rsa_and_ed25519_pass),
        IK_TEST_CASE(arc_modified_message_moves_oldest_pass),
        IK_TEST_CASE(arc_failed_chain_is_sealed_alone_then_never_again),
        IK_TEST_CASE(arc_dns_failure_is_fail),
        IK_TEST_CASE(arc_structure_rules),
        IK_TEST_CASE(arc_sealer_stops_at_fifty),
        IK_TEST_CASE(arc_sealer_refuses_bad_parameters),
        IK_TEST_CASE(arc_sig_parse_rules),
        IK_TEST_CASE(arc_verify_survives_allocation_failures),
        IK_TEST_CASE(arc_seal_survives_allocation_failures),
        IK_TEST_CASE(arc_sig_parse_hostile_input),
    };
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
