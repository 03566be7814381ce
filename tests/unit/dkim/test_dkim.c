/*
 * test_dkim.c - DKIM canonicalization (RFC 6376 3.4, including the 3.4.5
 * examples), chunk-split invariance, signature and key record parsing with
 * malformed, truncated and oversized input, sign -> verify round trips with
 * mutations, key cache, the signature bound, DNS failures, and OOM.
 */
#include <string.h>

#include "ik_dkim_fixture.h"
#include "ik_test.h"
#include "inkan/base64.h"
#include "inkan/dkim.h"

static ik_str canon_body(ik_arena *a, ik_dkim_canon c, const char *in, size_t len, size_t chunk)
{
    ik_dkim_body *b = ik_dkim_body_new(a, c);
    ik_buf *out = ik_arena_alloc(a, sizeof(*out));
    ik_buf_init(out, a, 0);
    size_t tap;
    ASSERT_OK(ik_dkim_body_add_buf(b, out, IK_DKIM_NO_LIMIT, &tap));
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk)
        ASSERT_OK(ik_dkim_body_update(b, in + off, len - off < chunk ? len - off : chunk));
    ASSERT_OK(ik_dkim_body_final(b));
    ASSERT_EQ(ik_dkim_body_length(b), out->len);
    return ik_buf_str(out);
}

static void expect_body(ik_dkim_canon c, const char *in, const char *want)
{
    ik_arena *a = ik_arena_new(NULL);
    for (size_t chunk = 0; chunk < 4; chunk++) {
        ik_str got = canon_body(a, c, in, strlen(in), chunk);
        if (got.len != strlen(want) || memcmp(got.p, want, got.len) != 0)
            IK_TEST_FAIL_("%s canon of \"%s\" (chunk %zu): got \"%.*s\", want \"%s\"",
                          c ? "relaxed" : "simple", in, chunk, (int)got.len, got.p, want);
    }
    ik_arena_free(a);
}

static void body_canon_rfc6376_rules(void)
{
    /* RFC 6376 3.4.5 example. */
    expect_body(IK_DKIM_CANON_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n");
    expect_body(IK_DKIM_CANON_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n");
    /* Empty bodies: CRLF for simple, nothing for relaxed (3.4.3, 3.4.4). */
    expect_body(IK_DKIM_CANON_SIMPLE, "", "\r\n");
    expect_body(IK_DKIM_CANON_RELAXED, "", "");
    expect_body(IK_DKIM_CANON_SIMPLE, "\r\n\r\n\r\n", "\r\n");
    expect_body(IK_DKIM_CANON_RELAXED, "\r\n \r\n\t\r\n", "");
    /* A missing final CRLF is added. */
    expect_body(IK_DKIM_CANON_SIMPLE, "abc", "abc\r\n");
    expect_body(IK_DKIM_CANON_RELAXED, "abc  ", "abc\r\n");
    /* Inner empty lines stay; trailing ones go. */
    expect_body(IK_DKIM_CANON_SIMPLE, "a\r\n\r\nb\r\n\r\n", "a\r\n\r\nb\r\n");
    expect_body(IK_DKIM_CANON_RELAXED, "a \r\n  \r\n\tb\r\n\r\n", "a\r\n\r\n b\r\n");
    /* Lone CR and LF are content, not line ends. */
    expect_body(IK_DKIM_CANON_SIMPLE, "a\rb\nc\r\n", "a\rb\nc\r\n");
    expect_body(IK_DKIM_CANON_SIMPLE, "a\r", "a\r\r\n");
    expect_body(IK_DKIM_CANON_RELAXED, "a \r b\r\n", "a \r b\r\n");
}

static void header_canon(ik_dkim_canon c, const char *in, const char *want)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ASSERT_OK(ik_dkim_canon_header(c, ik_str_c(in), &b));
    ASSERT_STR(ik_buf_str(&b), want);
    ik_arena_free(a);
}

static void header_canon_rfc6376_rules(void)
{
    header_canon(IK_DKIM_CANON_RELAXED, "A: X\r\n", "a:X\r\n");
    header_canon(IK_DKIM_CANON_RELAXED, "B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n");
    header_canon(IK_DKIM_CANON_SIMPLE, "B : Y\t\r\n\tZ  \r\n", "B : Y\t\r\n\tZ  \r\n");
    header_canon(IK_DKIM_CANON_SIMPLE, "B : Y\t\r\n\tZ  ", "B : Y\t\r\n\tZ  \r\n");
    header_canon(IK_DKIM_CANON_RELAXED, "Subject:", "subject:\r\n");
    header_canon(IK_DKIM_CANON_RELAXED, "X-Tab:\t\r\n \r\n a", "x-tab:a\r\n");
}

/*
 * A model of RFC 6376 3.4.3 / 3.4.4 that holds the whole body: split into
 * lines at CRLF (a lone CR or LF is content), relaxed squeezes each WSP run
 * to one SP and drops WSP at the end of a line, then trailing empty lines
 * go.  The streaming canonicalizer, with its fast paths, must agree.
 */
static ik_str model_body(ik_arena *a, ik_dkim_canon c, const char *in, size_t len)
{
    ik_buf *out = ik_arena_alloc(a, sizeof(*out));
    ik_buf_init(out, a, 0);
    size_t keep = 0; /* output length after the last non-empty line */
    size_t start = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && !(in[end] == '\r' && end + 1 < len && in[end + 1] == '\n'))
            end++;
        size_t before = out->len;
        for (size_t i = start; i < end; i++) {
            char ch = in[i];
            if (c == IK_DKIM_CANON_RELAXED && (ch == ' ' || ch == '\t')) {
                size_t j = i;
                while (j < end && (in[j] == ' ' || in[j] == '\t'))
                    j++;
                if (j < end)
                    ik_buf_putc(out, ' ');
                i = j - 1;
                continue;
            }
            ik_buf_putc(out, ch);
        }
        int nonempty = out->len > before;
        ik_buf_append(out, "\r\n", 2);
        if (nonempty)
            keep = out->len;
        start = end < len ? end + 2 : len;
    }
    out->len = keep;
    if (c == IK_DKIM_CANON_SIMPLE && keep == 0)
        ik_buf_append(out, "\r\n", 2);
    return ik_buf_str(out);
}

static void body_canon_matches_model(void)
{
    ik_arena *a = ik_arena_new(NULL);
    uint32_t x = 777;
    /* Text-like bodies (long clean runs, for the vector scan) and bodies
     * dense in SP, HTAB, CR, LF. */
    static const char *const alphabets[] = { "abcdefgh ijk.\r\n", "\r\n\r\n \t ab", "a \r\n",
                                             "  \t\r\nx" };
    for (int round = 0; round < 400; round++) {
        char body[700];
        const char *al = alphabets[round % 4];
        size_t nal = strlen(al);
        x = x * 1103515245 + 12345;
        size_t len = (x >> 8) % sizeof(body);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245 + 12345;
            body[i] = al[(x >> 16) % nal];
        }
        for (int c = 0; c < 2; c++) {
            ik_str want = model_body(a, (ik_dkim_canon)c, body, len);
            size_t chunks[] = { 0, 1, 2, 3, 16, 17, 33, 64, 100 };
            for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
                ik_str got = canon_body(a, (ik_dkim_canon)c, body, len, chunks[k]);
                if (got.len != want.len || memcmp(got.p, want.p, want.len) != 0)
                    IK_TEST_FAIL_("%s canon, round %d, chunk %zu: got %zu octets, model %zu",
                                  c ? "relaxed" : "simple", round, chunks[k], got.len, want.len);
            }
        }
        ik_arena_reset(a);
    }
    ik_arena_free(a);
}

static void body_hash_is_chunk_split_invariant(void)
{
    /* A body dense in the bytes that matter: CR, LF, SP, HTAB. */
    char body[600];
    uint32_t x = 12345;
    static const char alphabet[] = "\r\n\r\n \t ab";
    for (size_t i = 0; i < sizeof(body); i++) {
        x = x * 1103515245 + 12345;
        body[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
    }
    ik_arena *a = ik_arena_new(NULL);
    for (int c = 0; c < 2; c++) {
        ik_str ref = canon_body(a, (ik_dkim_canon)c, body, sizeof(body), 0);
        for (size_t chunk = 1; chunk < 20; chunk++) {
            ik_str got = canon_body(a, (ik_dkim_canon)c, body, sizeof(body), chunk);
            ASSERT_EQ(got.len, ref.len);
            ASSERT_TRUE(memcmp(got.p, ref.p, ref.len) == 0);
        }
        /* Random split points, and hashes with l= limits alongside. */
        for (int round = 0; round < 50; round++) {
            ik_dkim_body *b = ik_dkim_body_new(a, (ik_dkim_canon)c);
            size_t t_all, t_l;
            ASSERT_OK(ik_dkim_body_add_hash(b, IK_HASH_SHA256, IK_DKIM_NO_LIMIT, &t_all));
            ASSERT_OK(ik_dkim_body_add_hash(b, IK_HASH_SHA1, 100, &t_l));
            size_t off = 0;
            while (off < sizeof(body)) {
                x = x * 1103515245 + 12345;
                size_t take = (x >> 16) % 9;
                if (take > sizeof(body) - off)
                    take = sizeof(body) - off;
                ASSERT_OK(ik_dkim_body_update(b, body + off, take));
                off += take;
            }
            ASSERT_OK(ik_dkim_body_final(b));
            ASSERT_STATUS(ik_dkim_body_update(b, "x", 1), IK_ESTATE);
            unsigned char d1[32], d2[32], e1[32], e2[32];
            ASSERT_OK(ik_dkim_body_digest(b, t_all, d1));
            ASSERT_OK(ik_dkim_body_digest(b, t_all, d2)); /* readable twice */
            ASSERT_TRUE(memcmp(d1, d2, 32) == 0);
            ASSERT_OK(ik_hash_digest(IK_HASH_SHA256, ref.p, ref.len, e1));
            ASSERT_TRUE(memcmp(d1, e1, 32) == 0);
            ASSERT_OK(ik_dkim_body_digest(b, t_l, d2));
            ASSERT_OK(ik_hash_digest(IK_HASH_SHA1, ref.p, ref.len < 100 ? ref.len : 100, e2));
            ASSERT_TRUE(memcmp(d2, e2, 20) == 0);
        }
    }
    ik_arena_free(a);
}

#define GOOD_SIG                                                                                   \
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=example.com;\r\n"                      \
    " i=joe@sub.example.com; s=sel; t=100; x=200; l=5; q=dns/txt; z=From:a;\r\n"                   \
    " h=From : To; bh=MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=;\r\n"                           \
    " b=dGVzdA=="

static ik_status parse_sig(ik_arena *a, const char *f, unsigned flags, ik_dkim_sig *s, ik_str *why)
{
    return ik_dkim_sig_parse(a, ik_str_c(f), flags, s, why);
}

static void sig_parse_reads_every_tag(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_sig s;
    ik_str why;
    ASSERT_OK(parse_sig(a, GOOD_SIG, 0, &s, &why));
    ASSERT_EQ(s.alg, IK_DKIM_ALG_RSA_SHA256);
    ASSERT_EQ(s.hcanon, IK_DKIM_CANON_RELAXED);
    ASSERT_EQ(s.bcanon, IK_DKIM_CANON_SIMPLE);
    ASSERT_STR(s.domain, "example.com");
    ASSERT_STR(s.selector, "sel");
    ASSERT_STR(s.auid, "joe@sub.example.com");
    ASSERT_STR(s.auid_domain, "sub.example.com");
    ASSERT_EQ(s.nh, 2);
    ASSERT_STR(s.h[1], "To");
    ASSERT_STR(s.b, "test");
    ASSERT_EQ(s.bh.len, 32);
    ASSERT_TRUE(s.has_l && s.l == 5);
    ASSERT_TRUE(s.has_t && s.t == 100 && s.has_x && s.x == 200);
    ASSERT_STR(s.z, "From:a");
    /* b= value and its FWS are what hashing deletes. */
    ASSERT_EQ(s.b_end, strlen(GOOD_SIG));
    ASSERT_TRUE(memcmp(&GOOD_SIG[s.b_start - 2], "b=", 2) == 0);
    /* Quoted-printable i=, default i=. */
    ASSERT_OK(parse_sig(a,
                        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; "
                        "i=j=6Fe@example.com; bh=YQ==; b=YQ==",
                        0, &s, &why));
    ASSERT_STR(s.auid, "joe@example.com");
    ASSERT_OK(parse_sig(a,
                        "DKIM-Signature: v=1; a=ed25519-sha256; d=Example.COM; s=s; h=from; "
                        "bh=YQ==; b=YQ==",
                        0, &s, &why));
    ASSERT_STR(s.auid, "@Example.COM");
    ASSERT_EQ(s.bcanon, IK_DKIM_CANON_SIMPLE);
    ik_arena_free(a);
}

static void sig_parse_rejects_bad_signatures(void)
{
    static const struct {
        const char *f;
        const char *word;
    } bad[] = {
        { "DKIM-Signature: a=rsa-sha256; d=example.com; s=s; h=from; bh=YQ==; b=YQ==", "v=" },
        { "DKIM-Signature: v=2; a=rsa-sha256; d=example.com; s=s; h=from; bh=YQ==; b=YQ==", "v=" },
        { "DKIM-Signature: v=1; d=example.com; s=s; h=from; bh=YQ==; b=YQ==", "a=" },
        { "DKIM-Signature: v=1; a=rsa-md5; d=example.com; s=s; h=from; bh=YQ==; b=YQ==", "a=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; s=s; h=from; bh=YQ==; b=YQ==", "d=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=s; h=from; "
          "bh=YQ==; b=YQ==",
          "d=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=com; s=s; h=from; bh=YQ==; b=YQ==", "d=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=-a.com; s=s; h=from; bh=YQ==; b=YQ==", "d=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; h=from; bh=YQ==; b=YQ==", "s=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=a b; h=from; bh=YQ==; b=YQ==",
          "s=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; bh=YQ==; b=YQ==", "h=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=to:subject; bh=YQ==; "
          "b=YQ==",
          "From" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from::to; bh=YQ==; b=YQ==",
          "h=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; b=YQ==", "bh=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=Y!==; b=YQ==", "bh=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=YQ==", "b=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=YQ==; b=", "b=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=YQ==; b=Y", "b=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; c=future; d=example.com; s=s; h=from; bh=YQ==; "
          "b=YQ==",
          "c=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; q=http; d=example.com; s=s; h=from; bh=YQ==; "
          "b=YQ==",
          "q=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; i=@example.org; s=s; h=from; "
          "bh=YQ==; b=YQ==",
          "i=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; i=@badexample.com; s=s; h=from; "
          "bh=YQ==; b=YQ==",
          "i=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; i=joe; s=s; h=from; "
          "bh=YQ==; b=YQ==",
          "i=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; i=j=6@example.com; s=s; h=from; "
          "bh=YQ==; b=YQ==",
          "i=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; l=-1; bh=YQ==; "
          "b=YQ==",
          "l=" },
        { "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; t=10; x=9; "
          "bh=YQ==; b=YQ==",
          "x=" },
        { "DKIM-Signature: v=1; v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=YQ==; b=YQ==",
          "twice" },
        { "DKIM-Signature v=1", "field" },
    };
    ik_arena *a = ik_arena_new(NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ik_dkim_sig s;
        ik_str why;
        ik_status st = parse_sig(a, bad[i].f, 0, &s, &why);
        if (st != IK_ESYNTAX)
            IK_TEST_FAIL_("accepted (%s): %s", ik_status_name(st), bad[i].f);
        if (why.p == NULL || strstr(why.p, bad[i].word) == NULL)
            IK_TEST_FAIL_("reason \"%s\" does not name %s", why.p ? why.p : "", bad[i].word);
    }
    /* Legacy accepts the pre-RFC forms. */
    ik_dkim_sig s;
    ASSERT_OK(parse_sig(a, bad[0].f, IK_DKIM_LEGACY, &s, NULL));
    ASSERT_OK(parse_sig(a,
                        "DKIM-Signature: v=0.5; a=rsa-sha1; q=dns; d=example.com; s=s; h=from; "
                        "bh=YQ==; b=YQ==",
                        IK_DKIM_LEGACY, &s, NULL));
    ik_arena_free(a);
}

static void sig_parse_bounds_truncated_and_oversized_input(void)
{
    ik_arena *a = ik_arena_new(NULL);
    /* Every truncation parses or fails cleanly, never reads past len. */
    size_t n = strlen(GOOD_SIG);
    for (size_t cut = 0; cut <= n; cut++) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, GOOD_SIG, cut);
        ik_dkim_sig s;
        (void)ik_dkim_sig_parse(a, ik_str_make(copy, cut), 0, &s, NULL);
        free(copy);
    }
    /* Too many h= entries. */
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ik_buf_append_c(&b, "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; bh=YQ==; "
                        "b=YQ==; h=from");
    for (int i = 0; i < IK_DKIM_MAX_H; i++)
        ik_buf_append_c(&b, ":to");
    ik_dkim_sig s;
    ASSERT_STATUS(ik_dkim_sig_parse(a, ik_buf_str(&b), 0, &s, NULL), IK_ELIMIT);
    /* A field beyond the bound. */
    ik_buf_reset(&b);
    ik_buf_append_c(&b, "DKIM-Signature: v=1; z=");
    for (int i = 0; i < IK_DKIM_MAX_FIELD; i++)
        ik_buf_putc(&b, 'a');
    ASSERT_STATUS(ik_dkim_sig_parse(a, ik_buf_str(&b), 0, &s, NULL), IK_ELIMIT);
    /* Too many tags. */
    ik_buf_reset(&b);
    ik_buf_append_c(&b, "DKIM-Signature: v=1");
    for (int i = 0; i < IK_DKIM_MAX_TAGS + 1; i++)
        ik_buf_printf(&b, "; x%d=1", i);
    ASSERT_TRUE(ik_dkim_sig_parse(a, ik_buf_str(&b), 0, &s, NULL) != IK_OK);
    /* l= with more digits than uint64 holds saturates instead of wrapping. */
    ASSERT_OK(parse_sig(a,
                        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; "
                        "l=99999999999999999999999999; bh=YQ==; b=YQ==",
                        0, &s, NULL));
    ASSERT_TRUE(s.l == UINT64_MAX);
    ik_arena_free(a);
}

static const char rsa1024_p[] =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYL"
    "zBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

static void key_parse_records(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_key k;
    ik_str why;
    char rec[1024];
    snprintf(rec, sizeof(rec), "v=DKIM1; k=rsa; h=sha256; t=y:s:x; s=email; p=%s", rsa1024_p);
    ASSERT_OK(ik_dkim_key_parse(a, ik_str_c(rec), NULL, &k, &why));
    ASSERT_EQ(k.type, IK_KEY_RSA);
    ASSERT_EQ(k.hashes, 1u << IK_HASH_SHA256);
    ASSERT_EQ(k.flags, IK_DKIM_KEY_TESTING | IK_DKIM_KEY_STRICT);
    ASSERT_EQ(ik_pkey_bits(k.pkey), 1024);
    ASSERT_OK(ik_dkim_key_parse(a,
                                IK_STR_LIT("v=DKIM1; k=ed25519; "
                                           "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="),
                                NULL, &k, &why));
    ASSERT_EQ(k.type, IK_KEY_ED25519);
    ASSERT_OK(ik_dkim_key_parse(a, IK_STR_LIT("v=DKIM1; p="), NULL, &k, &why));
    ASSERT_TRUE(k.revoked && k.pkey == NULL);
    static const struct {
        const char *rec, *word;
    } bad[] = {
        { "k=rsa; v=DKIM1; p=YQ==", "v=" },
        { "v=DKIM1:; p=YQ==", "v=" },
        { "v=DKIM3; p=YQ==", "v=" },
        { "v=DKIM1; k=foobar; p=YQ==", "k=" },
        { "v=DKIM1; s=chat; p=YQ==", "s=" },
        { "v=DKIM1; k=rsa", "p=" },
        { "v=DKIM1; p=!!!", "p=" },
        { "v=DKIM1; p=YWJjZA==", "p=" },
        { "v=DKIM1; k=ed25519; p=YWJjZA==", "p=" },
        { "k=rsa; t; p=YQ==", "syntax" },
        { "", "p=" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ik_status st = ik_dkim_key_parse(a, ik_str_c(bad[i].rec), NULL, &k, &why);
        if (st != IK_ESYNTAX)
            IK_TEST_FAIL_("accepted key (%s): %s", ik_status_name(st), bad[i].rec);
        if (why.p == NULL || strstr(why.p, bad[i].word) == NULL)
            IK_TEST_FAIL_("reason \"%s\" does not name %s", why.p ? why.p : "", bad[i].word);
    }
    ik_arena_free(a);
}

/* ---- sign -> verify ----------------------------------------------------- */

static const char base_msg[] = "From: Joe <joe@example.com>\r\n"
                               "To: Suzie <suzie@example.net>\r\n"
                               "Subject: Is   dinner ready?\r\n"
                               "Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n"
                               "Message-ID: <1@example.com>\r\n"
                               "\r\n"
                               "Hi.\r\n"
                               "\r\n"
                               "We lost the game.  Are you hungry yet?\r\n";

typedef struct keys {
    ik_pkey *rsa, *ed;
    fx_zone zone;
} keys;

static void keys_init(keys *k)
{
    memset(k, 0, sizeof(*k));
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_RSA, 2048, &k->rsa));
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_ED25519, 0, &k->ed));
    ik_arena *a = ik_arena_new(NULL);
    ik_pkey *both[2] = { k->rsa, k->ed };
    const char *names[2] = { "rsa._domainkey.example.com", "ed._domainkey.example.com" };
    for (int i = 0; i < 2; i++) {
        ik_buf der, rec;
        ik_buf_init(&der, a, 0);
        ik_buf_init(&rec, a, 0);
        ASSERT_OK(ik_pkey_public_dkim(both[i], &der));
        ik_buf_printf(&rec, "v=DKIM1; k=%s; p=", i ? "ed25519" : "rsa");
        ik_base64_encode_buf(&rec, der.p, der.len);
        fx_zone_add(&k->zone, names[i], FX_TXT, rec.p, rec.len);
    }
    fx_zone_add(&k->zone, "temp._domainkey.example.com", FX_SERVFAIL, "", 0);
    ik_arena_free(a);
}

static void keys_free(keys *k)
{
    ik_pkey_free(k->rsa);
    ik_pkey_free(k->ed);
    fx_zone_free(&k->zone);
}

/* Signs msg with both keys; returns a malloc'd signed message. */
static char *sign_both(keys *k, const char *msg, ik_dkim_canon hc, ik_dkim_canon bc)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_signer *s = ik_dkim_sign_new(a);
    ik_dkim_sign_params p;
    ik_dkim_sign_params_init(&p);
    p.domain = IK_STR_LIT("example.com");
    p.hcanon = hc;
    p.bcanon = bc;
    p.selector = IK_STR_LIT("rsa");
    p.key = k->rsa;
    ASSERT_OK(ik_dkim_sign_add(s, &p));
    p.alg = IK_DKIM_ALG_ED25519_SHA256;
    p.selector = IK_STR_LIT("ed");
    p.key = k->ed;
    ASSERT_OK(ik_dkim_sign_add(s, &p));
    const char *body = strstr(msg, "\r\n\r\n") + 2;
    for (const char *l = msg; l < body;) {
        const char *e = strstr(l, "\r\n") + 2;
        while (*e == ' ' || *e == '\t')
            e = strstr(e, "\r\n") + 2;
        ASSERT_OK(ik_dkim_sign_header(s, l, (size_t)(e - l)));
        l = e;
    }
    ASSERT_OK(ik_dkim_sign_eoh(s));
    ASSERT_OK(ik_dkim_sign_body(s, body + 2, strlen(body + 2)));
    ASSERT_OK(ik_dkim_sign_eom(s));
    ik_buf out;
    ik_buf_init_al(&out, NULL, 0);
    for (size_t i = 0; i < 2; i++) {
        ik_str f = ik_dkim_sign_field(s, i);
        /* Folded at 78 columns. */
        for (size_t j = 0, col = 0; j < f.len; j++) {
            col = f.p[j] == '\n' ? 0 : col + 1;
            ASSERT_TRUE(col <= 79);
        }
        ik_buf_append_str(&out, f);
        ik_buf_append_c(&out, "\r\n");
    }
    ik_buf_append_c(&out, msg);
    ik_arena_free(a);
    return out.p;
}

static void verify_msg(keys *k, const char *msg, ik_dkim_keycache *cache, size_t chunk,
                       ik_dkim_result want0, ik_dkim_result want1)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_resolver r = { &fx_resolver_ops, &k->zone };
    ik_dkim_verify_config cfg = { 0 };
    cfg.cache = cache;
    ik_dkim_verifier *v = ik_dkim_verify_new(a, &cfg);
    ASSERT_OK(fx_verify_message(v, a, &r, msg, strlen(msg), chunk));
    ASSERT_EQ(ik_dkim_verify_count(v), 2);
    const ik_dkim_sigresult *r0 = ik_dkim_verify_get(v, 0), *r1 = ik_dkim_verify_get(v, 1);
    if (r0->result != want0 || r1->result != want1)
        IK_TEST_FAIL_("got %s (%s) / %s (%s), want %s / %s", ik_dkim_result_name(r0->result),
                      r0->reason, ik_dkim_result_name(r1->result), r1->reason,
                      ik_dkim_result_name(want0), ik_dkim_result_name(want1));
    ASSERT_STR(r0->header_d, "example.com");
    ASSERT_STR(r0->header_s, "rsa");
    ASSERT_STR(r1->header_a, "ed25519-sha256");
    ASSERT_EQ(r1->header_b.len, 8);
    ik_arena_free(a);
}

static char *replace(const char *msg, const char *from, const char *to)
{
    const char *p = strstr(msg, from);
    ASSERT_TRUE(p != NULL);
    size_t n = strlen(msg) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    size_t pre = (size_t)(p - msg);
    memcpy(out, msg, pre);
    strcpy(out + pre, to);
    strcat(out, p + strlen(from));
    return out;
}

static void sign_then_verify_with_mutations(void)
{
    keys k;
    keys_init(&k);
    char *m = sign_both(&k, base_msg, IK_DKIM_CANON_RELAXED, IK_DKIM_CANON_RELAXED);
    for (size_t chunk = 0; chunk < 5; chunk++)
        verify_msg(&k, m, NULL, chunk, IK_DKIM_PASS, IK_DKIM_PASS);
    /* Whitespace that relaxed canonicalization forgives. */
    char *w = replace(m, "Is   dinner", "Is dinner");
    verify_msg(&k, w, NULL, 0, IK_DKIM_PASS, IK_DKIM_PASS);
    free(w);
    w = replace(m, "game.  Are", "game. \t Are");
    verify_msg(&k, w, NULL, 0, IK_DKIM_PASS, IK_DKIM_PASS);
    free(w);
    /* Appended trailing blank lines. */
    size_t n = strlen(m);
    w = malloc(n + 7);
    memcpy(w, m, n);
    strcpy(w + n, "\r\n\r\n\r\n");
    verify_msg(&k, w, NULL, 3, IK_DKIM_PASS, IK_DKIM_PASS);
    free(w);
    /* Body and header changes fail. */
    w = replace(m, "lost", "won");
    verify_msg(&k, w, NULL, 0, IK_DKIM_FAIL, IK_DKIM_FAIL);
    free(w);
    w = replace(m, "Subject: Is", "Subject: Was");
    verify_msg(&k, w, NULL, 0, IK_DKIM_FAIL, IK_DKIM_FAIL);
    free(w);
    /* A second From prepended: over-signing makes it fail. */
    w = replace(m, "From: Joe", "From: Mallory <m@evil.example>\r\nFrom: Joe");
    verify_msg(&k, w, NULL, 0, IK_DKIM_FAIL, IK_DKIM_FAIL);
    free(w);
    free(m);
    /* simple/simple: any whitespace change breaks it. */
    m = sign_both(&k, base_msg, IK_DKIM_CANON_SIMPLE, IK_DKIM_CANON_SIMPLE);
    verify_msg(&k, m, NULL, 1, IK_DKIM_PASS, IK_DKIM_PASS);
    w = replace(m, "game.  Are", "game. Are");
    verify_msg(&k, w, NULL, 0, IK_DKIM_FAIL, IK_DKIM_FAIL);
    free(w);
    free(m);
    keys_free(&k);
}

static void key_cache_saves_dns_and_decoding(void)
{
    keys k;
    keys_init(&k);
    char *m = sign_both(&k, base_msg, IK_DKIM_CANON_RELAXED, IK_DKIM_CANON_SIMPLE);
    ik_dkim_keycache *c = ik_dkim_keycache_new(NULL, 16);
    verify_msg(&k, m, c, 0, IK_DKIM_PASS, IK_DKIM_PASS);
    ASSERT_EQ(k.zone.queries, 2);
    ASSERT_EQ(ik_dkim_keycache_count(c), 2);
    verify_msg(&k, m, c, 0, IK_DKIM_PASS, IK_DKIM_PASS);
    ASSERT_EQ(k.zone.queries, 2); /* both keys came from the cache */
    /* Expiry: looked up after the TTL, the entry is gone. */
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_keyrec *recs;
    size_t n;
    ASSERT_OK(ik_dkim_keycache_get(c, IK_STR_LIT("RSA._domainkey.example.com"), 0, a, &recs, &n));
    ASSERT_EQ(n, 1);
    ASSERT_TRUE(recs[0].pkey != NULL);
    /* The record comes back parsed: no tag-list parse on a hit. */
    ASSERT_TRUE(recs[0].parsed);
    ASSERT_OK(recs[0].status);
    ASSERT_TRUE(recs[0].key.pkey == recs[0].pkey);
    ASSERT_EQ(recs[0].key.type, IK_KEY_RSA);
    ASSERT_TRUE(recs[0].key.p.len > 0 && recs[0].text.len > recs[0].key.p.len);
    ASSERT_STATUS(
        ik_dkim_keycache_get(c, IK_STR_LIT("rsa._domainkey.example.com"), INT64_MAX, a, &recs, &n),
        IK_ENOTFOUND);
    ik_arena_free(a);
    ASSERT_EQ(ik_dkim_keycache_count(c), 1);
    /* Capacity: the oldest entry makes room. */
    ik_dkim_keyrec rec = { .text = IK_STR_LIT("v=DKIM1; p="), .pkey = NULL };
    for (int i = 0; i < 40; i++) {
        char name[64];
        snprintf(name, sizeof(name), "s%d._domainkey.example.com", i);
        ASSERT_OK(ik_dkim_keycache_put(c, ik_str_c(name), INT64_MAX, &rec, 1));
    }
    ASSERT_EQ(ik_dkim_keycache_count(c), 16);
    ASSERT_TRUE(ik_dkim_keycache_free(c) == NULL);
    free(m);
    keys_free(&k);
}

static void verifier_reports_dns_failure_and_bounds_signatures(void)
{
    keys k;
    keys_init(&k);
    ik_arena *a = ik_arena_new(NULL);
    ik_resolver r = { &fx_resolver_ops, &k.zone };
    /* 10 signatures with a temporarily failing key: 8 evaluated. */
    ik_buf msg;
    ik_buf_init(&msg, a, 0);
    for (int i = 0; i < 10; i++)
        ik_buf_append_c(&msg, "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=temp; "
                              "h=from; bh=YQ==; b=YQ==\r\n");
    ik_buf_append_c(&msg, base_msg);
    ik_dkim_verifier *v = ik_dkim_verify_new(a, NULL);
    ASSERT_OK(fx_verify_message(v, a, &r, msg.p, msg.len, 0));
    ASSERT_EQ(ik_dkim_verify_count(v), 10);
    for (size_t i = 0; i < 10; i++)
        ASSERT_EQ(ik_dkim_verify_get(v, i)->result,
                  i < IK_DKIM_MAX_SIGS ? IK_DKIM_TEMPERROR : IK_DKIM_POLICY);
    ASSERT_EQ(ik_dkim_verify_overall(v), IK_DKIM_TEMPERROR);
    ASSERT_EQ(k.zone.queries, 1); /* one name, one query */
    /* Unsigned message: none, no DNS. */
    v = ik_dkim_verify_new(a, NULL);
    ASSERT_OK(fx_verify_message(v, a, &r, base_msg, strlen(base_msg), 0));
    ASSERT_EQ(ik_dkim_verify_overall(v), IK_DKIM_NONE);
    ASSERT_EQ(k.zone.queries, 1);
    /* Calls out of order are refused, not crashes. */
    ik_dns_query *q;
    ASSERT_STATUS(ik_dkim_verify_eoh(v, &q), IK_ESTATE);
    ASSERT_STATUS(ik_dkim_verify_header(v, "A: b", 4), IK_ESTATE);
    ik_arena_free(a);
    keys_free(&k);
}

static void sign_and_verify_survive_oom(void)
{
    keys k;
    keys_init(&k);
    char *m = sign_both(&k, base_msg, IK_DKIM_CANON_RELAXED, IK_DKIM_CANON_RELAXED);
    ik_resolver r = { &fx_resolver_ops, &k.zone };
    int completed = 0;
    for (long fail = 0; fail < 400 && !completed; fail++) {
        ik_test_alloc t;
        ik_test_alloc_init(&t, fail);
        ik_arena *a = ik_arena_new(&t.al);
        if (a == NULL)
            continue;
        ik_dkim_verifier *v = ik_dkim_verify_new(a, NULL);
        if (v != NULL) {
            ik_status st = fx_verify_message(v, a, &r, m, strlen(m), 7);
            ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
            if (st == IK_OK) {
                completed = 1;
                ASSERT_EQ(ik_dkim_verify_overall(v), IK_DKIM_PASS);
            }
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(completed);
    free(m);
    keys_free(&k);
}

static void signer_refuses_bad_parameters(void)
{
    keys k;
    keys_init(&k);
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_signer *s = ik_dkim_sign_new(a);
    ik_dkim_sign_params p;
    ik_dkim_sign_params_init(&p);
    p.domain = IK_STR_LIT("example.com");
    p.selector = IK_STR_LIT("s");
    p.key = k.ed; /* wrong type for rsa-sha256 */
    ASSERT_STATUS(ik_dkim_sign_add(s, &p), IK_EINVAL);
    p.key = k.rsa;
    p.alg = IK_DKIM_ALG_RSA_SHA1;
    ASSERT_STATUS(ik_dkim_sign_add(s, &p), IK_EINVAL);
    p.alg = IK_DKIM_ALG_RSA_SHA256;
    p.identity = IK_STR_LIT("joe@example.org");
    ASSERT_STATUS(ik_dkim_sign_add(s, &p), IK_EINVAL);
    p.identity = IK_STR_NULL;
    p.domain = IK_STR_LIT("legitimate.com(.attacker.com");
    ASSERT_STATUS(ik_dkim_sign_add(s, &p), IK_EINVAL);
    p.domain = IK_STR_LIT("example.com");
    p.headers = "to:subject";
    ASSERT_OK(ik_dkim_sign_add(s, &p));
    ASSERT_OK(ik_dkim_sign_header(s, "From: a@example.com", 19));
    ASSERT_STATUS(ik_dkim_sign_eoh(s), IK_EINVAL); /* From must be signed */
    ik_arena_free(a);
    keys_free(&k);
}

/* DKIM key records and signatures over every prefix, a NUL at each
 * position and oversized input: a defined status with a reason, never a
 * read past the length (exact-size copies). */
static void dkim_key_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_key k;
    ik_str why = IK_STR_NULL;
    ik_status st = ik_dkim_key_parse(a, ik_str_make(p, n), NULL, &k, &why);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);
}

static void dkim_sig_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_sig s;
    ik_str why = IK_STR_NULL;
    ik_status st = ik_dkim_sig_parse(a, ik_str_make(p, n), 0, &s, &why);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);
}

static void dkim_parsers_hostile_input(void)
{
    static const char key[] = "v=DKIM1; h=sha256; k=ed25519; s=email; t=y:s; n=note;"
                              " p=ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=";
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_key k;
    ASSERT_OK(ik_dkim_key_parse(a, IK_STR_LIT(key), NULL, &k, NULL));
    ik_arena_free(a);
    ik_test_each_prefix(key, sizeof(key) - 1, dkim_key_cb, NULL);
    ik_test_each_nul(key, sizeof(key) - 1, dkim_key_cb, NULL);
    ik_test_oversized("v=DKIM1; k=rsa; p=", "MIGf", 1u << 20, "", dkim_key_cb, NULL);
    ik_test_oversized("v=DKIM1; k=ed25519; n=", "x", 1u << 20,
                      "; p=ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=", dkim_key_cb, NULL);
    ik_test_each_nul(GOOD_SIG, strlen(GOOD_SIG), dkim_sig_cb, NULL);
    ik_test_oversized("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=YQ==; b=",
                      "YQ==", 1u << 20, "", dkim_sig_cb, NULL);
}

int main(int argc, char **argv)
{
    static const ik_test_case cases[] = {
        IK_TEST_CASE(body_canon_rfc6376_rules),
        IK_TEST_CASE(header_canon_rfc6376_rules),
        IK_TEST_CASE(body_hash_is_chunk_split_invariant),
        IK_TEST_CASE(body_canon_matches_model),
        IK_TEST_CASE(sig_parse_reads_every_tag),
        IK_TEST_CASE(sig_parse_rejects_bad_signatures),
        IK_TEST_CASE(sig_parse_bounds_truncated_and_oversized_input),
        IK_TEST_CASE(key_parse_records),
        IK_TEST_CASE(sign_then_verify_with_mutations),
        IK_TEST_CASE(key_cache_saves_dns_and_decoding),
        IK_TEST_CASE(verifier_reports_dns_failure_and_bounds_signatures),
        IK_TEST_CASE(sign_and_verify_survive_oom),
        IK_TEST_CASE(signer_refuses_bad_parameters),
        IK_TEST_CASE(dkim_parsers_hostile_input),
    };
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
