/*
 * test_domainkeys.c - DomainKeys (RFC 4870): simple and nofws
 * canonicalization with chunk-split invariance, DomainKey-Signature, key
 * and policy parsing with malformed, truncated and oversized input, h=
 * selection, the Sender/From identity rule, granularity, sign -> verify
 * round trips with mutations, DNS failures, the sender policy, the
 * signature bound, and OOM.
 */
#include <string.h>

#include "ik_dk_fixture.h"
#include "ik_test.h"
#include "inkan/base64.h"
#include "inkan/domainkeys.h"

/* ---- canonicalization ---------------------------------------------------- */

static ik_str canon_body(ik_arena *a, ik_dk_canon c, const char *in, size_t len, size_t chunk)
{
    ik_dk_body *b = ik_dk_body_new(a, c);
    ik_buf *out = ik_arena_alloc(a, sizeof(*out));
    ik_buf_init(out, a, 0);
    ASSERT_OK(ik_dk_body_add_buf(b, out));
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk)
        ASSERT_OK(ik_dk_body_update(b, in + off, len - off < chunk ? len - off : chunk));
    ASSERT_OK(ik_dk_body_final(b));
    ASSERT_EQ(ik_dk_body_length(b), out->len);
    ASSERT_STATUS(ik_dk_body_update(b, "x", 1), IK_ESTATE);
    return ik_buf_str(out);
}

static void expect_body(ik_dk_canon c, const char *in, const char *want)
{
    ik_arena *a = ik_arena_new(NULL);
    for (size_t chunk = 0; chunk < 5; chunk++) {
        ik_str got = canon_body(a, c, in, strlen(in), chunk);
        if (got.len != strlen(want) || memcmp(got.p, want, got.len) != 0)
            IK_TEST_FAIL_("%s canon of \"%s\" (chunk %zu): got \"%.*s\", want \"%s\"",
                          ik_dk_canon_name(c), in, chunk, (int)got.len, got.p, want);
    }
    ik_arena_free(a);
}

static void body_canon_simple(void)
{
    /* The output starts with the header/body separator line. */
    expect_body(IK_DK_CANON_SIMPLE, "a\r\n", "\r\na\r\n");
    expect_body(IK_DK_CANON_SIMPLE, " a  b \r\n\tc\r\n", "\r\n a  b \r\n\tc\r\n");
    /* Trailing empty lines go; with an empty body the separator goes too. */
    expect_body(IK_DK_CANON_SIMPLE, "a\r\n\r\n\r\n", "\r\na\r\n");
    expect_body(IK_DK_CANON_SIMPLE, "", "");
    expect_body(IK_DK_CANON_SIMPLE, "\r\n\r\n", "");
    /* A whitespace line is not empty for simple. */
    expect_body(IK_DK_CANON_SIMPLE, "a\r\n \r\n", "\r\na\r\n \r\n");
    /* Leading and inner empty lines stay. */
    expect_body(IK_DK_CANON_SIMPLE, "\r\n\r\na\r\n\r\nb\r\n", "\r\n\r\n\r\na\r\n\r\nb\r\n");
    /* Lone CR and LF are content; a last line without a line end is left
     * without one (Mail::DKIM). */
    expect_body(IK_DK_CANON_SIMPLE, "a\rb\nc", "\r\na\rb\nc");
    expect_body(IK_DK_CANON_SIMPLE, "a\r", "\r\na\r");
    expect_body(IK_DK_CANON_SIMPLE, "\r", "\r\n\r");
    expect_body(IK_DK_CANON_SIMPLE, "a\r\n\r\nb", "\r\na\r\n\r\nb");
}

static void body_canon_nofws(void)
{
    expect_body(IK_DK_CANON_NOFWS, " a  b \r\n\tc\r\n", "\r\nab\r\nc\r\n");
    /* A line of only whitespace is empty after removal, so trailing. */
    expect_body(IK_DK_CANON_NOFWS, "a\r\n \t \r\n\r\n", "\r\na\r\n");
    expect_body(IK_DK_CANON_NOFWS, "  \r\n\t\r\n", "");
    /* ...but an inner one stays as an empty line. */
    expect_body(IK_DK_CANON_NOFWS, "a\r\n  \r\nb\r\n", "\r\na\r\n\r\nb\r\n");
    /* Lone CR and LF are deleted (Mail::DKIM). */
    expect_body(IK_DK_CANON_NOFWS, "a\rb\nc\r\n", "\r\nabc\r\n");
    expect_body(IK_DK_CANON_NOFWS, "a\r", "\r\na");
    expect_body(IK_DK_CANON_NOFWS, "x y", "\r\nxy");
    expect_body(IK_DK_CANON_NOFWS, "a\r\n \t", "\r\na\r\n");
}

static void body_canon_chunk_invariant(void)
{
    static const char msg[] =
        "Hello  world \r\n\r\n \t\r\nlone\rcr and\nlf\r\n\r\n\r\r\n\r\n  end  \r\n\r\n\r\n";
    ik_arena *a = ik_arena_new(NULL);
    for (int c = 0; c < 2; c++) {
        ik_str whole = canon_body(a, (ik_dk_canon)c, msg, sizeof(msg) - 1, 0);
        for (size_t chunk = 1; chunk < sizeof(msg); chunk++) {
            ik_str part = canon_body(a, (ik_dk_canon)c, msg, sizeof(msg) - 1, chunk);
            ASSERT_EQ(part.len, whole.len);
            ASSERT_TRUE(memcmp(part.p, whole.p, whole.len) == 0);
        }
    }
    ik_arena_free(a);
}

static void header_canon(ik_dk_canon c, const char *in, const char *want)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ASSERT_OK(ik_dk_canon_header(c, ik_str_c(in), &b));
    ASSERT_STR(ik_buf_str(&b), want);
    ik_arena_free(a);
}

static void header_canon_rules(void)
{
    header_canon(IK_DK_CANON_SIMPLE, "Subject : a  b\r\n\tc \r\n", "Subject : a  b\r\n\tc \r\n");
    header_canon(IK_DK_CANON_SIMPLE, "Subject: x", "Subject: x\r\n");
    header_canon(IK_DK_CANON_NOFWS, "Subject : a  b\r\n\tc \r\n", "Subject:abc\r\n");
    header_canon(IK_DK_CANON_NOFWS, "From: \"J L\" <j@x.test>", "From:\"JL\"<j@x.test>\r\n");
}

/* ---- DomainKey-Signature ------------------------------------------------- */

#define GOOD_SIG                                                                                   \
    "DomainKey-Signature: a=rsa-sha1; c=nofws; d=example.com; h=from:to:\r\n"                      \
    "\tsubject; q=dns; s=sel; b=dGVzdA\r\n\t=="

static ik_status parse_sig(ik_arena *a, const char *f, size_t len, ik_dk_sig *s, ik_str *why)
{
    return ik_dk_sig_parse(a, ik_str_make(f, len), s, why);
}

static void sig_expect(const char *field, ik_status want, const char *why_part)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dk_sig s;
    ik_str why;
    ik_status st = parse_sig(a, field, strlen(field), &s, &why);
    if (st != want)
        IK_TEST_FAIL_("\"%s\": got %s (%.*s), want %s", field, ik_status_name(st), (int)why.len,
                      why.p ? why.p : "", ik_status_name(want));
    if (why_part != NULL && (why.p == NULL || strstr(why.p, why_part) == NULL))
        IK_TEST_FAIL_("\"%s\": reason \"%.*s\" lacks \"%s\"", field, (int)why.len,
                      why.p ? why.p : "", why_part);
    ik_arena_free(a);
}

static void sig_parse_good(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dk_sig s;
    ik_str why;
    ASSERT_OK(parse_sig(a, GOOD_SIG, strlen(GOOD_SIG), &s, &why));
    ASSERT_EQ(s.canon, IK_DK_CANON_NOFWS);
    ASSERT_STR(s.domain, "example.com");
    ASSERT_STR(s.selector, "sel");
    ASSERT_TRUE(s.has_h);
    ASSERT_EQ(s.nh, 3);
    ASSERT_STR(s.h[2], "subject");
    ASSERT_STR(s.b, "test");
    ASSERT_STR(s.b_text, "dGVzdA==");
    /* Defaults: a= rsa-sha1, c= simple, q= dns, no h=. */
    static const char minimal[] = "domainkey-signature:d=example.com;s=s;b=dGVzdA==";
    ASSERT_OK(parse_sig(a, minimal, sizeof(minimal) - 1, &s, &why));
    ASSERT_EQ(s.canon, IK_DK_CANON_SIMPLE);
    ASSERT_FALSE(s.has_h);
    ik_arena_free(a);
}

static void sig_parse_malformed(void)
{
    sig_expect("DKIM-Signature: d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX, "not a DomainKey");
    sig_expect("no colon here", IK_ESYNTAX, "not a header field");
    sig_expect("DomainKey-Signature: d=example.com; s=s", IK_ESYNTAX, "b= tag missing");
    sig_expect("DomainKey-Signature: d=example.com; s=s; b=", IK_ESYNTAX, "b= is empty");
    sig_expect("DomainKey-Signature: d=example.com; s=s; b=dGV*", IK_ESYNTAX, "base64");
    sig_expect("DomainKey-Signature: s=s; b=dGVzdA==", IK_ESYNTAX, "d= tag missing");
    sig_expect("DomainKey-Signature: d=com; s=s; b=dGVzdA==", IK_ESYNTAX, "d= is not");
    sig_expect("DomainKey-Signature: d=ex(ample.com; s=s; b=dGVzdA==", IK_ESYNTAX, "d= is not");
    sig_expect("DomainKey-Signature: d=example.com; b=dGVzdA==", IK_ESYNTAX, "s= tag missing");
    sig_expect("DomainKey-Signature: d=example.com; s=a..b; b=dGVzdA==", IK_ESYNTAX, "s= is");
    sig_expect("DomainKey-Signature: a=rsa-sha256; d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX,
               "unsupported a=");
    sig_expect("DomainKey-Signature: c=relaxed; d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX,
               "unsupported c=");
    sig_expect("DomainKey-Signature: q=; d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX,
               "q= is empty");
    sig_expect("DomainKey-Signature: q=bogus; d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX,
               "unsupported q=");
    sig_expect("DomainKey-Signature: h=; d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX, "empty name");
    sig_expect("DomainKey-Signature: h=from::to; d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX,
               "empty name");
    sig_expect("DomainKey-Signature: h=fr om; d=example.com; s=s; b=dGVzdA==", IK_ESYNTAX,
               "bad field name");
    sig_expect("DomainKey-Signature: d=example.com; d=example.org; s=s; b=dGVzdA==", IK_ESYNTAX,
               NULL);
    sig_expect("DomainKey-Signature: d=example.com; s=s; b=dGVzdA==; =x", IK_ESYNTAX, NULL);
    /* Case of the algorithm and canonicalization names does not matter. */
    sig_expect("DomainKey-Signature: a=RSA-SHA1; c=NoFWS; q=DNS; d=example.com; s=s; "
               "b=dGVzdA==",
               IK_OK, NULL);
    /* Unknown tags are ignored. */
    sig_expect("DomainKey-Signature: x=1; d=example.com; s=s; b=dGVzdA==", IK_OK, NULL);
}

static void sig_parse_truncated_never_crashes(void)
{
    ik_arena *a = ik_arena_new(NULL);
    size_t len = strlen(GOOD_SIG);
    for (size_t n = 0; n <= len; n++) {
        ik_dk_sig s;
        ik_str why;
        /* A heap copy of exactly n bytes, so ASan catches any overread. */
        char *copy = malloc(n ? n : 1);
        memcpy(copy, GOOD_SIG, n);
        ik_status st = parse_sig(a, copy, n, &s, &why);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
        if (st != IK_OK)
            ASSERT_TRUE(why.len > 0);
        free(copy);
    }
    ik_arena_free(a);
}

static void sig_parse_oversized(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ik_dk_sig s;
    ik_str why;
    /* A field over IK_DK_MAX_FIELD. */
    ik_buf_append_c(&b, "DomainKey-Signature: d=example.com; s=s; n=");
    while (b.len <= IK_DK_MAX_FIELD)
        ik_buf_append_c(&b, "xxxxxxxxxxxxxxxx");
    ik_buf_append_c(&b, "; b=dGVzdA==");
    ASSERT_STATUS(ik_dk_sig_parse(a, ik_buf_str(&b), &s, &why), IK_ELIMIT);
    /* Too many tags. */
    ik_buf_reset(&b);
    ik_buf_append_c(&b, "DomainKey-Signature: d=example.com; s=s; b=dGVzdA==");
    for (int i = 0; i < IK_DK_MAX_TAGS + 5; i++)
        ik_buf_printf(&b, "; x%d=1", i);
    ASSERT_STATUS(ik_dk_sig_parse(a, ik_buf_str(&b), &s, &why), IK_ELIMIT);
    /* Too many h= names. */
    ik_buf_reset(&b);
    ik_buf_append_c(&b, "DomainKey-Signature: d=example.com; s=s; b=dGVzdA==; h=from");
    for (int i = 0; i < IK_DK_MAX_H + 1; i++)
        ik_buf_append_c(&b, ":to");
    ASSERT_STATUS(ik_dk_sig_parse(a, ik_buf_str(&b), &s, &why), IK_ELIMIT);
    /* A b= longer than any RSA signature. */
    ik_buf_reset(&b);
    ik_buf_append_c(&b, "DomainKey-Signature: d=example.com; s=s; b=");
    for (int i = 0; i < IK_PKEY_MAX_SIG; i++)
        ik_buf_append_c(&b, "AAAA");
    ASSERT_STATUS(ik_dk_sig_parse(a, ik_buf_str(&b), &s, &why), IK_ESYNTAX);
    /* A key name over 253 octets. */
    ik_buf_reset(&b);
    ik_buf_append_c(&b, "DomainKey-Signature: b=dGVzdA==; d=");
    for (int i = 0; i < 4; i++)
        ik_buf_append_c(&b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
    ik_buf_append_c(&b, "com; s=sel");
    ASSERT_STATUS(ik_dk_sig_parse(a, ik_buf_str(&b), &s, &why), IK_ESYNTAX);
    ik_arena_free(a);
}

/* ---- key and policy records ---------------------------------------------- */

typedef struct keys {
    ik_pkey *rsa; /* 1024-bit */
    char *p64;    /* its p= */
} keys;

static void keys_init(keys *k)
{
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_RSA, 1024, &k->rsa));
    ik_arena *a = ik_arena_new(NULL);
    ik_buf der, b64;
    ik_buf_init(&der, a, 0);
    ik_buf_init(&b64, a, 0);
    ASSERT_OK(ik_pkey_public_dkim(k->rsa, &der));
    ik_base64_encode_buf(&b64, der.p, der.len);
    k->p64 = strdup(b64.p);
    ik_arena_free(a);
}

static void keys_free(keys *k)
{
    ik_pkey_free(k->rsa);
    free(k->p64);
}

static void key_expect(const char *rec, ik_status want, const char *why_part)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dk_key k;
    ik_str why;
    ik_status st = ik_dk_key_parse(a, ik_str_c(rec), &k, &why);
    if (st != want)
        IK_TEST_FAIL_("\"%.60s\": got %s (%.*s), want %s", rec, ik_status_name(st), (int)why.len,
                      why.p ? why.p : "", ik_status_name(want));
    if (why_part != NULL && (why.p == NULL || strstr(why.p, why_part) == NULL))
        IK_TEST_FAIL_("\"%.60s\": reason \"%.*s\" lacks \"%s\"", rec, (int)why.len,
                      why.p ? why.p : "", why_part);
    ik_arena_free(a);
}

static void key_parse_records(void)
{
    keys ks;
    keys_init(&ks);
    ik_arena *a = ik_arena_new(NULL);
    char *rec = ik_arena_printf(a, "k=rsa; t=y; g=jo*n; n=notes here; p=%s", ks.p64);
    ik_dk_key k;
    ik_str why;
    ASSERT_OK(ik_dk_key_parse(a, ik_str_c(rec), &k, &why));
    ASSERT_TRUE(k.testing);
    ASSERT_TRUE(k.has_g);
    ASSERT_STR(k.g, "jo*n");
    ASSERT_STR(k.n, "notes here");
    ASSERT_FALSE(k.revoked);
    ASSERT_EQ(ik_pkey_bits(k.pkey), 1024);
    /* DKIM-style records are accepted when they suit DomainKeys. */
    key_expect(ik_arena_printf(a, "v=DKIM1; h=sha1:sha256; s=email; p=%s", ks.p64), IK_OK, NULL);
    key_expect(ik_arena_printf(a, "t=s:y; p=%s", ks.p64), IK_OK, NULL);
    key_expect("k=rsa; p=", IK_OK, NULL);
    key_expect("p=", IK_OK, NULL);
    key_expect(ik_arena_printf(a, "v=DKIM3; p=%s", ks.p64), IK_ESYNTAX, "v=");
    key_expect(ik_arena_printf(a, "k=ed25519; p=%s", ks.p64), IK_ESYNTAX, "k=");
    key_expect(ik_arena_printf(a, "h=sha256; p=%s", ks.p64), IK_ESYNTAX, "sha1");
    key_expect(ik_arena_printf(a, "s=chat; p=%s", ks.p64), IK_ESYNTAX, "email");
    key_expect("k=rsa; t=y", IK_ESYNTAX, "p= tag missing");
    key_expect("k=rsa; t; p=", IK_ESYNTAX, "tag list");
    key_expect("p=!!!!", IK_ESYNTAX, "base64");
    key_expect("p=dGVzdA==", IK_ESYNTAX, "RSA public key");
    /* Every truncation of a good record parses or fails cleanly. */
    size_t len = strlen(rec);
    for (size_t n = 0; n < len; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, rec, n);
        ik_status st = ik_dk_key_parse(a, ik_str_make(copy, n), &k, &why);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
        free(copy);
    }
    /* Oversized p=. */
    ik_buf big;
    ik_buf_init(&big, a, 0);
    ik_buf_append_c(&big, "p=");
    for (int i = 0; i < IK_PKEY_MAX_DER; i++)
        ik_buf_append_c(&big, "AAAA");
    ASSERT_STATUS(ik_dk_key_parse(a, ik_buf_str(&big), &k, &why), IK_ESYNTAX);
    ik_arena_free(a);
    keys_free(&ks);
}

static void policy_parse_records(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dk_policy p;
    ik_str why;
    ASSERT_OK(ik_dk_policy_parse(a, ik_str_c("o=-; t=y; r=abuse@example.com; n=hi"), &p, &why));
    ASSERT_TRUE(p.sign_all);
    ASSERT_TRUE(p.testing);
    ASSERT_STR(p.r, "abuse@example.com");
    ASSERT_STR(p.n, "hi");
    ASSERT_OK(ik_dk_policy_parse(a, ik_str_c("o=~"), &p, &why));
    ASSERT_FALSE(p.sign_all);
    ASSERT_OK(ik_dk_policy_parse(a, ik_str_c(""), &p, &why));
    ASSERT_FALSE(p.sign_all);
    ASSERT_STATUS(ik_dk_policy_parse(a, ik_str_c("o=x"), &p, &why), IK_ESYNTAX);
    ASSERT_STATUS(ik_dk_policy_parse(a, ik_str_c("o=-; o=~"), &p, &why), IK_ESYNTAX);
    ik_arena_free(a);
}

static void granularity_rules(void)
{
    ASSERT_TRUE(ik_dk_granularity_match(ik_str_c(""), ik_str_c("anyone")));
    ASSERT_TRUE(ik_dk_granularity_match(ik_str_c("*"), ik_str_c("anyone")));
    ASSERT_TRUE(ik_dk_granularity_match(ik_str_c("jlong"), ik_str_c("jlong")));
    ASSERT_FALSE(ik_dk_granularity_match(ik_str_c("jlong"), ik_str_c("jlong2")));
    ASSERT_TRUE(ik_dk_granularity_match(ik_str_c("jl*g"), ik_str_c("jlong")));
    ASSERT_TRUE(ik_dk_granularity_match(ik_str_c("jl*g"), ik_str_c("jlg")));
    ASSERT_FALSE(ik_dk_granularity_match(ik_str_c("jl*g"), ik_str_c("jg")));
    ASSERT_FALSE(ik_dk_granularity_match(ik_str_c("*poe"), ik_str_c("jlong")));
}

static void mailbox_extraction(void)
{
    static const struct {
        const char *in, *addr, *domain;
    } cases[] = {
        { " Jason Long <jlong@messiah.edu>", "jlong@messiah.edu", "messiah.edu" },
        { " \"Long, Jason\" <jlong@messiah.edu>, x@y.z", "jlong@messiah.edu", "messiah.edu" },
        { " jlong@messiah.edu (Jason <Long>)", "jlong@messiah.edu", "messiah.edu" },
        { " a@b.c, d@e.f", "a@b.c", "b.c" },
        { " group: a@b.c;", "a@b.c", "b.c" },
        { " (c) <a@B.C> (d)", "a@B.C", "B.C" },
        { "\r\n\t<a@b.c>", "a@b.c", "b.c" },
    };
    ik_arena *a = ik_arena_new(NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ik_str addr, local, domain;
        ASSERT_OK(ik_dk_mailbox(a, ik_str_c(cases[i].in), &addr, &local, &domain));
        ASSERT_STR(addr, cases[i].addr);
        ASSERT_STR(domain, cases[i].domain);
    }
    static const char *const bad[] = { " evil doer", "",         " <a@b.c",         " @b.c",
                                       " a@",        " (x@y.z)", " <\"a\tb\"@c.d>", " <a@b\x01.c>",
                                       " a\x7f@b.c" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ik_str addr, local, domain;
        ASSERT_STATUS(ik_dk_mailbox(a, ik_str_c(bad[i]), &addr, &local, &domain), IK_ENOTFOUND);
    }
    /* explicit lengths: a NUL inside the value, quoted or bare */
    static const char nul_quoted[] = " <\"a\0b\"@c.d>", nul_bare[] = " a@b\0c.d";
    ik_str addr, local, domain;
    ASSERT_STATUS(
        ik_dk_mailbox(a, ik_str_make(nul_quoted, sizeof(nul_quoted) - 1), &addr, &local, &domain),
        IK_ENOTFOUND);
    ASSERT_STATUS(
        ik_dk_mailbox(a, ik_str_make(nul_bare, sizeof(nul_bare) - 1), &addr, &local, &domain),
        IK_ENOTFOUND);
    ik_arena_free(a);
}

/* ---- sign -> verify ------------------------------------------------------ */

static const char base_msg[] = "Received: from relay.example.net\r\n"
                               "From: Jo Hn <john@mail.example.com>\r\n"
                               "To: someone@example.org\r\n"
                               "Subject: a test\r\n"
                               " folded\r\n"
                               "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                               "\r\n"
                               "Hello  there,\r\n"
                               "\r\n"
                               "  indented line\r\n"
                               "\r\n"
                               "\r\n";

typedef struct world {
    keys k;
    fx_zone z;
    ik_resolver r;
} world;

static void world_init(world *w)
{
    memset(w, 0, sizeof(*w));
    keys_init(&w->k);
    char rec[2048];
    snprintf(rec, sizeof(rec), "k=rsa; p=%s", w->k.p64);
    fx_zone_add(&w->z, "sel._domainkey.example.com", FX_TXT, rec, strlen(rec));
    snprintf(rec, sizeof(rec), "k=rsa; t=y; p=%s", w->k.p64);
    fx_zone_add(&w->z, "testing._domainkey.example.com", FX_TXT, rec, strlen(rec));
    snprintf(rec, sizeof(rec), "g=bob; p=%s", w->k.p64);
    fx_zone_add(&w->z, "gbob._domainkey.example.com", FX_TXT, rec, strlen(rec));
    fx_zone_add(&w->z, "revoked._domainkey.example.com", FX_TXT, "k=rsa; p=", 9);
    fx_zone_add(&w->z, "broken._domainkey.example.com", FX_TXT, "k=rsa; p=!!", 11);
    fx_zone_add(&w->z, "slow._domainkey.example.com", FX_SERVFAIL, "", 0);
    w->r.ops = &fx_resolver_ops;
    w->r.self = &w->z;
}

static void world_free(world *w)
{
    keys_free(&w->k);
    fx_zone_free(&w->z);
}

/* Signs msg; returns "field CRLF msg" (arena a). */
static char *sign_msg(world *w, ik_arena *a, const char *msg, const char *selector, ik_dk_canon c,
                      const char *headers, size_t chunk)
{
    ik_dk_sign_params p;
    ik_dk_sign_params_init(&p);
    p.key = w->k.rsa;
    p.domain = ik_str_c("example.com");
    p.selector = ik_str_c(selector);
    p.canon = c;
    p.headers = headers;
    ik_dk_signer *s = ik_dk_sign_new(a, &p);
    ASSERT_TRUE(s != NULL);
    ik_str field;
    ik_status st = dkfx_sign(s, msg, strlen(msg), chunk, &field);
    if (st != IK_OK)
        IK_TEST_FAIL_("sign: %s: %s", ik_status_name(st), ik_dk_sign_error(s));
    ASSERT_CSTR(ik_dk_sign_error(s), "");
    return ik_arena_printf(a, "%.*s\r\n%s", (int)field.len, field.p, msg);
}

typedef struct vres {
    ik_dk_result result;
    char reason[256];
    ik_dk_policy_verdict policy;
} vres;

static vres verify_msg(world *w, const char *msg, size_t chunk, int policy)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dk_verify_config cfg = { 0 };
    cfg.check_policy = policy;
    ik_dk_verifier *v = ik_dk_verify_new(a, &cfg);
    ASSERT_OK(dkfx_verify(v, a, &w->r, msg, strlen(msg), chunk));
    vres r;
    memset(&r, 0, sizeof(r));
    r.result = ik_dk_verify_overall(v);
    if (ik_dk_verify_count(v) > 0)
        snprintf(r.reason, sizeof(r.reason), "%s", ik_dk_verify_get(v, 0)->reason);
    r.policy = ik_dk_verify_policy(v)->verdict;
    ik_arena_free(a);
    return r;
}

static void expect_verify(world *w, const char *msg, ik_dk_result want, const char *why_part)
{
    for (size_t chunk = 0; chunk < 4; chunk++) {
        vres r = verify_msg(w, msg, chunk ? chunk * 7 - 6 : 0, 0);
        if (r.result != want)
            IK_TEST_FAIL_("chunk %zu: got %s (%s), want %s\n%s", chunk, ik_dk_result_name(r.result),
                          r.reason, ik_dk_result_name(want), msg);
        if (why_part != NULL && strstr(r.reason, why_part) == NULL)
            IK_TEST_FAIL_("reason \"%s\" lacks \"%s\"", r.reason, why_part);
    }
}

/* Replaces the first occurrence of from by to (arena). */
static char *replace(ik_arena *a, const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    ASSERT_TRUE(at != NULL);
    return ik_arena_printf(a, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void sign_verify_round_trips(void)
{
    world w;
    world_init(&w);
    ik_arena *a = ik_arena_new(NULL);
    for (int c = 0; c < 2; c++) {
        for (int with_h = 0; with_h < 2; with_h++) {
            const char *hl = with_h ? "from:to:subject:date" : NULL;
            for (size_t chunk = 0; chunk < 3; chunk++) {
                char *m = sign_msg(&w, a, base_msg, "sel", (ik_dk_canon)c, hl, chunk * 5);
                expect_verify(&w, m, IK_DK_PASS, NULL);
                if (with_h)
                    ASSERT_TRUE(strstr(m, "h=From:To:") != NULL);
                else
                    ASSERT_TRUE(strstr(m, "h=") == NULL);
            }
        }
    }
    ik_arena_free(a);
    world_free(&w);
}

static void sign_verify_mutations(void)
{
    world w;
    world_init(&w);
    ik_arena *a = ik_arena_new(NULL);
    char *simple = sign_msg(&w, a, base_msg, "sel", IK_DK_CANON_SIMPLE, NULL, 0);
    char *nofws = sign_msg(&w, a, base_msg, "sel", IK_DK_CANON_NOFWS, NULL, 0);
    char *with_h = sign_msg(&w, a, base_msg, "sel", IK_DK_CANON_NOFWS, "from:subject", 0);

    /* A changed body fails for both. */
    expect_verify(&w, replace(a, simple, "there", "thera"), IK_DK_FAIL, "did not verify");
    expect_verify(&w, replace(a, nofws, "there", "thera"), IK_DK_FAIL, NULL);
    /* Whitespace changes: nofws forgives, simple does not. */
    expect_verify(&w, replace(a, nofws, "Hello  there", "Hello there"), IK_DK_PASS, NULL);
    expect_verify(&w, replace(a, nofws, "Subject: a test\r\n folded", "Subject:a test folded"),
                  IK_DK_PASS, NULL);
    expect_verify(&w, replace(a, simple, "Hello  there", "Hello there"), IK_DK_FAIL, NULL);
    /* Trailing empty lines are not signed. */
    char *more = ik_arena_printf(a, "%s\r\n\r\n", simple);
    expect_verify(&w, more, IK_DK_PASS, NULL);
    /* A field added above the signature is not signed. */
    expect_verify(&w, ik_arena_printf(a, "Received: by mx\r\n%s", simple), IK_DK_PASS, NULL);
    /* Without h= a field added below the signature breaks it... */
    expect_verify(&w, replace(a, simple, "To: ", "X-Added: 1\r\nTo: "), IK_DK_FAIL, NULL);
    /* ...with h= one not listed does not. */
    expect_verify(&w, replace(a, with_h, "To: ", "X-Added: 1\r\nTo: "), IK_DK_PASS, NULL);
    expect_verify(&w, replace(a, with_h, "To: someone", "To: other"), IK_DK_PASS, NULL);
    expect_verify(&w, replace(a, with_h, "a test", "b test"), IK_DK_FAIL, NULL);
    /* A Sender added and signed (no h=) makes the identity foreign
     * (Mail::DKIM bad_dk_2). */
    expect_verify(&w, replace(a, simple, "To: ", "Sender: x@evil.test\r\nTo: "), IK_DK_PERMERROR,
                  "neither the signing address");
    /* A From in another domain. */
    expect_verify(&w, replace(a, simple, "mail.example.com", "example.org"), IK_DK_PERMERROR, NULL);
    /* A From in a sibling domain that merely ends the same way. */
    expect_verify(&w, replace(a, simple, "mail.example.com", "notexample.com"), IK_DK_PERMERROR,
                  NULL);
    /* A broken b=. */
    expect_verify(&w, replace(a, simple, "b=", "b=*"), IK_DK_PERMERROR, "b=");
    ik_arena_free(a);
    world_free(&w);
}

static void sign_with_sender_identity(void)
{
    world w;
    world_init(&w);
    ik_arena *a = ik_arena_new(NULL);
    /* The From is foreign, but the Sender is ours: Sender wins (3.2). */
    char *m0 = replace(a, base_msg, "mail.example.com", "elsewhere.org");
    m0 = replace(a, m0, "To: ", "Sender: list@example.com\r\nTo: ");
    char *m = sign_msg(&w, a, m0, "sel", IK_DK_CANON_NOFWS, NULL, 0);
    expect_verify(&w, m, IK_DK_PASS, NULL);
    /* h= that leaves the Sender out: From is used, and is foreign. */
    ik_dk_sign_params p;
    ik_dk_sign_params_init(&p);
    p.key = w.k.rsa;
    p.domain = ik_str_c("example.com");
    p.selector = ik_str_c("sel");
    p.headers = "from:to";
    ik_dk_signer *s = ik_dk_sign_new(a, &p);
    ik_str field;
    ASSERT_STATUS(dkfx_sign(s, m0, strlen(m0), 0, &field), IK_EINVAL);
    ASSERT_TRUE(strstr(ik_dk_sign_error(s), "From") != NULL);
    ASSERT_TRUE(ik_dk_sign_field(s).p == NULL);
    ik_arena_free(a);
    world_free(&w);
}

static void signer_refuses_what_cannot_verify(void)
{
    world w;
    world_init(&w);
    ik_arena *a = ik_arena_new(NULL);
    ik_dk_sign_params p;
    ik_dk_sign_params_init(&p);
    p.key = w.k.rsa;
    p.domain = ik_str_c("example.org");
    p.selector = ik_str_c("sel");
    ik_str field;
    ik_dk_signer *s = ik_dk_sign_new(a, &p);
    ASSERT_STATUS(dkfx_sign(s, base_msg, strlen(base_msg), 0, &field), IK_EINVAL);
    ASSERT_TRUE(strstr(ik_dk_sign_error(s), "d=example.org") != NULL);
    /* No From among the listed fields. */
    p.domain = ik_str_c("example.com");
    p.headers = "to:subject";
    s = ik_dk_sign_new(a, &p);
    ASSERT_STATUS(dkfx_sign(s, base_msg, strlen(base_msg), 0, &field), IK_EINVAL);
    /* None of the listed fields present. */
    p.headers = "x-none";
    s = ik_dk_sign_new(a, &p);
    ASSERT_STATUS(dkfx_sign(s, base_msg, strlen(base_msg), 0, &field), IK_EINVAL);
    /* An Ed25519 key. */
    ik_pkey *ed;
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_ED25519, 0, &ed));
    p.headers = NULL;
    p.key = ed;
    s = ik_dk_sign_new(a, &p);
    ASSERT_STATUS(dkfx_sign(s, base_msg, strlen(base_msg), 0, &field), IK_EINVAL);
    ASSERT_TRUE(strstr(ik_dk_sign_error(s), "RSA") != NULL);
    /* A public key only. */
    ik_dk_key k;
    ik_str why;
    ASSERT_OK(ik_dk_key_parse(a, ik_str_c(ik_arena_printf(a, "p=%s", w.k.p64)), &k, &why));
    p.key = k.pkey;
    s = ik_dk_sign_new(a, &p);
    ASSERT_STATUS(dkfx_sign(s, base_msg, strlen(base_msg), 0, &field), IK_EINVAL);
    /* Bad selector. */
    p.key = w.k.rsa;
    p.selector = ik_str_c("a b");
    s = ik_dk_sign_new(a, &p);
    ASSERT_STATUS(dkfx_sign(s, base_msg, strlen(base_msg), 0, &field), IK_EINVAL);
    ik_pkey_free(ed);
    ik_arena_free(a);
    world_free(&w);
}

static void signed_field_is_folded(void)
{
    world w;
    world_init(&w);
    ik_arena *a = ik_arena_new(NULL);
    char *m = sign_msg(&w, a, base_msg, "sel", IK_DK_CANON_NOFWS, "from:to:subject:date", 0);
    /* Lines of the field stay within 78 columns (tab counted as 8). */
    const char *end = strstr(m, "\r\nFrom:");
    ASSERT_TRUE(end != NULL);
    size_t col = 0;
    for (const char *p = m; p < end; p++) {
        if (*p == '\r' || *p == '\n') {
            col = 0;
            continue;
        }
        col += *p == '\t' ? 8 : 1;
        ASSERT_TRUE(col <= 78);
    }
    ASSERT_TRUE(strncmp(m, "DomainKey-Signature: a=rsa-sha1; c=nofws; d=example.com;", 56) == 0);
    ASSERT_TRUE(strstr(m, "q=dns; s=sel;") != NULL);
    ik_arena_free(a);
    world_free(&w);
}

static void key_problems(void)
{
    world w;
    world_init(&w);
    ik_arena *a = ik_arena_new(NULL);
    char *m = sign_msg(&w, a, base_msg, "sel", IK_DK_CANON_SIMPLE, NULL, 0);
    expect_verify(&w, replace(a, m, "s=sel", "s=revoked"), IK_DK_PERMERROR, "revoked");
    expect_verify(&w, replace(a, m, "s=sel", "s=broken"), IK_DK_PERMERROR, "base64");
    expect_verify(&w, replace(a, m, "s=sel", "s=missing"), IK_DK_PERMERROR, "no key");
    expect_verify(&w, replace(a, m, "s=sel", "s=slow"), IK_DK_TEMPERROR, "temporar");
    expect_verify(&w, replace(a, m, "s=sel", "s=gbob"), IK_DK_PERMERROR, "g=bob");
    /* A testing key that does not verify is neutral (4870 3.2.3 t=y). */
    char *t = sign_msg(&w, a, base_msg, "testing", IK_DK_CANON_SIMPLE, NULL, 0);
    expect_verify(&w, t, IK_DK_PASS, NULL);
    expect_verify(&w, replace(a, t, "there", "thera"), IK_DK_NEUTRAL, "testing");
    /* A key below the configured minimum. */
    ik_arena *va = ik_arena_new(NULL);
    ik_dk_verify_config cfg = { 0 };
    cfg.min_rsa_bits = 2048;
    ik_dk_verifier *v = ik_dk_verify_new(va, &cfg);
    ASSERT_OK(dkfx_verify(v, va, &w.r, m, strlen(m), 0));
    ASSERT_EQ(ik_dk_verify_overall(v), IK_DK_PERMERROR);
    ASSERT_TRUE(strstr(ik_dk_verify_get(v, 0)->reason, "1024 bits") != NULL);
    ik_arena_free(va);
    ik_arena_free(a);
    world_free(&w);
}

static void unsigned_is_none(void)
{
    world w;
    world_init(&w);
    vres r = verify_msg(&w, base_msg, 0, 0);
    ASSERT_EQ(r.result, IK_DK_NONE);
    ASSERT_EQ(r.policy, IK_DK_POLICY_UNCHECKED);
    world_free(&w);
}

static void sender_policy(void)
{
    world w;
    world_init(&w);
    fx_zone_add(&w.z, "_domainkey.mail.example.com", FX_TXT, "o=-; r=dk@example.com", 21);
    fx_zone_add(&w.z, "_domainkey.testing.example", FX_TXT, "o=-; t=y", 8);
    fx_zone_add(&w.z, "_domainkey.some.example", FX_TXT, "o=~", 3);
    fx_zone_add(&w.z, "_domainkey.bad.example", FX_TXT, "o=x", 3);
    fx_zone_add(&w.z, "_domainkey.slow.example", FX_SERVFAIL, "", 0);
    ik_arena *a = ik_arena_new(NULL);
    static const struct {
        const char *domain;
        ik_dk_policy_verdict want;
    } cases[] = {
        { "mail.example.com", IK_DK_POLICY_REJECT }, { "testing.example", IK_DK_POLICY_NEUTRAL },
        { "some.example", IK_DK_POLICY_NEUTRAL },    { "bad.example", IK_DK_POLICY_NEUTRAL },
        { "none.example", IK_DK_POLICY_NEUTRAL },    { "slow.example", IK_DK_POLICY_TEMPERROR },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *m = replace(a, base_msg, "mail.example.com", cases[i].domain);
        for (size_t chunk = 0; chunk < 2; chunk++) {
            vres r = verify_msg(&w, m, chunk, 1);
            ASSERT_EQ(r.result, IK_DK_NONE);
            if (r.policy != cases[i].want)
                IK_TEST_FAIL_("%s: got %s, want %s", cases[i].domain,
                              ik_dk_policy_verdict_name(r.policy),
                              ik_dk_policy_verdict_name(cases[i].want));
        }
    }
    /* The outcome carries the record's tags. */
    ik_dk_verify_config cfg = { 0 };
    cfg.check_policy = 1;
    ik_dk_verifier *v = ik_dk_verify_new(a, &cfg);
    ASSERT_OK(dkfx_verify(v, a, &w.r, base_msg, strlen(base_msg), 0));
    const ik_dk_policy_outcome *po = ik_dk_verify_policy(v);
    ASSERT_TRUE(po->found);
    ASSERT_TRUE(po->policy.sign_all);
    ASSERT_STR(po->policy.r, "dk@example.com");
    ASSERT_STR(po->sender, "john@mail.example.com");
    ASSERT_STR(po->domain, "mail.example.com");
    /* A passing signature of the sender: accept, no policy lookup. */
    char *m = sign_msg(&w, a, base_msg, "sel", IK_DK_CANON_NOFWS, NULL, 0);
    size_t before = w.z.queries;
    vres r = verify_msg(&w, m, 0, 1);
    ASSERT_EQ(r.result, IK_DK_PASS);
    ASSERT_EQ(r.policy, IK_DK_POLICY_ACCEPT);
    ASSERT_EQ(w.z.queries, before + 1); /* the key only */
    /* A failing one: the policy decides (o=- → reject). */
    r = verify_msg(&w, replace(a, m, "there", "thera"), 0, 1);
    ASSERT_EQ(r.result, IK_DK_FAIL);
    ASSERT_EQ(r.policy, IK_DK_POLICY_REJECT);
    ik_arena_free(a);
    world_free(&w);
}

static void signature_bound(void)
{
    world w;
    world_init(&w);
    ik_arena *a = ik_arena_new(NULL);
    char *m = sign_msg(&w, a, base_msg, "sel", IK_DK_CANON_NOFWS, NULL, 0);
    const char *body = strstr(m, "\r\nReceived:");
    char *many = ik_arena_printf(a, "%.*s", (int)(body - m + 2), m);
    for (int i = 0; i < IK_DK_MAX_SIGS + 2; i++)
        many = ik_arena_printf(a, "%.*s%s", (int)(body - m + 2), m, many);
    many = ik_arena_printf(a, "%s%s", many, body + 2);
    ik_dk_verifier *v = ik_dk_verify_new(a, NULL);
    ASSERT_OK(dkfx_verify(v, a, &w.r, many, strlen(many), 0));
    ASSERT_EQ(ik_dk_verify_count(v), IK_DK_MAX_SIGS + 3);
    /* Each signature covers only what is below it: the bottom one passes. */
    ASSERT_EQ(ik_dk_verify_get(v, IK_DK_MAX_SIGS - 1)->result, IK_DK_FAIL);
    ASSERT_EQ(ik_dk_verify_get(v, IK_DK_MAX_SIGS)->result, IK_DK_PERMERROR);
    ASSERT_TRUE(strstr(ik_dk_verify_get(v, IK_DK_MAX_SIGS)->reason, "not evaluated") != NULL);
    ASSERT_TRUE(ik_dk_verify_get(v, IK_DK_MAX_SIGS + 3) == NULL);
    /* With a higher bound the bottom one is reached and passes. */
    ik_dk_verify_config cfg = { 0 };
    cfg.max_signatures = 20;
    v = ik_dk_verify_new(a, &cfg);
    ASSERT_OK(dkfx_verify(v, a, &w.r, many, strlen(many), 0));
    ASSERT_EQ(ik_dk_verify_get(v, IK_DK_MAX_SIGS + 2)->result, IK_DK_PASS);
    ASSERT_EQ(ik_dk_verify_overall(v), IK_DK_PASS);
    ik_arena_free(a);
    world_free(&w);
}

static void state_errors(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dk_verifier *v = ik_dk_verify_new(a, NULL);
    ik_dns_query *q;
    ASSERT_STATUS(ik_dk_verify_body(v, "x", 1), IK_ESTATE);
    ASSERT_STATUS(ik_dk_verify_eom(v, &q), IK_ESTATE);
    ASSERT_OK(ik_dk_verify_header(v, "not a field", 11));
    ASSERT_OK(ik_dk_verify_eoh(v, &q));
    ASSERT_STATUS(ik_dk_verify_header(v, "A: b", 4), IK_ESTATE);
    ASSERT_STATUS(ik_dk_verify_eoh(v, &q), IK_ESTATE);
    ASSERT_OK(ik_dk_verify_eom(v, &q));
    ASSERT_OK(ik_dk_verify_eom(v, &q));
    ASSERT_EQ(ik_dk_verify_overall(v), IK_DK_NONE);
    ik_arena_free(a);
}

static void oom_is_reported(void)
{
    world w;
    world_init(&w);
    ik_arena *sa = ik_arena_new(NULL);
    char *m = sign_msg(&w, sa, base_msg, "sel", IK_DK_CANON_NOFWS, "from:to:subject", 0);
    for (long n = 0;; n++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, n);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_dk_verify_config cfg = { 0 };
        cfg.check_policy = 1;
        ik_dk_verifier *v = ik_dk_verify_new(a, &cfg);
        ik_status st = v ? dkfx_verify(v, a, &w.r, m, strlen(m), 13) : IK_ENOMEM;
        int done = st == IK_OK;
        if (done)
            ASSERT_EQ(ik_dk_verify_overall(v), IK_DK_PASS);
        else
            ASSERT_STATUS(st, IK_ENOMEM);
        ik_arena_free(a);
        if (done)
            break;
        ASSERT_TRUE(n < 100000);
    }
    for (long n = 0;; n++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, n);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_dk_sign_params p;
        ik_dk_sign_params_init(&p);
        p.key = w.k.rsa;
        p.domain = ik_str_c("example.com");
        p.selector = ik_str_c("sel");
        ik_dk_signer *s = ik_dk_sign_new(a, &p);
        ik_str field;
        ik_status st = s ? dkfx_sign(s, base_msg, strlen(base_msg), 0, &field) : IK_ENOMEM;
        ik_arena_free(a);
        if (st == IK_OK)
            break;
        ASSERT_STATUS(st, IK_ENOMEM);
        ASSERT_TRUE(n < 100000);
    }
    ik_arena_free(sa);
    world_free(&w);
}

/* DomainKeys key records, policy records and signatures over every prefix,
 * a NUL at each position and oversized input: a defined status with a
 * reason, never a read past the length (exact-size copies). */
static void dk_cb(const char *p, size_t n, void *ud)
{
    int which = *(const int *)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_str why = IK_STR_NULL;
    ik_status st;
    if (which == 0) {
        ik_dk_key k;
        st = ik_dk_key_parse(a, ik_str_make(p, n), &k, &why);
    } else if (which == 1) {
        ik_dk_policy pol;
        st = ik_dk_policy_parse(a, ik_str_make(p, n), &pol, &why);
    } else {
        ik_dk_sig s;
        st = ik_dk_sig_parse(a, ik_str_make(p, n), &s, &why);
    }
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);
}

static void dk_parsers_hostile_input(void)
{
    static const char key[] = "g=*; k=rsa; t=y; n=a note;"
                              " p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKJ2lzDLZ8XlVambQfMXn3LRGKOD5o6l";
    static const char pol[] = "o=-; n=note; t=y; r=postmaster@example.com";
    int which = 0;
    ik_test_each_prefix(key, sizeof(key) - 1, dk_cb, &which);
    ik_test_each_nul(key, sizeof(key) - 1, dk_cb, &which);
    ik_test_oversized("k=rsa; p=", "MFww", 1u << 20, "", dk_cb, &which);
    which = 1;
    ik_test_each_prefix(pol, sizeof(pol) - 1, dk_cb, &which);
    ik_test_each_nul(pol, sizeof(pol) - 1, dk_cb, &which);
    ik_test_oversized("o=~; r=", "a", 1u << 20, "@example.com", dk_cb, &which);
    which = 2;
    ik_test_each_nul(GOOD_SIG, strlen(GOOD_SIG), dk_cb, &which);
    ik_test_oversized("DomainKey-Signature: a=rsa-sha1; d=example.com; s=s; h=from", ":to",
                      1u << 20, "; b=dGVzdA==", dk_cb, &which);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(body_canon_simple),
    IK_TEST_CASE(body_canon_nofws),
    IK_TEST_CASE(body_canon_chunk_invariant),
    IK_TEST_CASE(header_canon_rules),
    IK_TEST_CASE(sig_parse_good),
    IK_TEST_CASE(sig_parse_malformed),
    IK_TEST_CASE(sig_parse_truncated_never_crashes),
    IK_TEST_CASE(sig_parse_oversized),
    IK_TEST_CASE(key_parse_records),
    IK_TEST_CASE(policy_parse_records),
    IK_TEST_CASE(granularity_rules),
    IK_TEST_CASE(mailbox_extraction),
    IK_TEST_CASE(sign_verify_round_trips),
    IK_TEST_CASE(sign_verify_mutations),
    IK_TEST_CASE(sign_with_sender_identity),
    IK_TEST_CASE(signer_refuses_what_cannot_verify),
    IK_TEST_CASE(signed_field_is_folded),
    IK_TEST_CASE(key_problems),
    IK_TEST_CASE(unsigned_is_none),
    IK_TEST_CASE(sender_policy),
    IK_TEST_CASE(signature_bound),
    IK_TEST_CASE(state_errors),
    IK_TEST_CASE(oom_is_reported),
    IK_TEST_CASE(dk_parsers_hostile_input),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
