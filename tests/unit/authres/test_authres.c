/*
 * test_authres.c - Authentication-Results (RFC 8601): the parser on
 * real-world header shapes, the writer's quoting and folding, the forged
 * field finder (RFC 8601 5) and the AAR merge (RFC 8617 4.1.1), with
 * allocation failures.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/authres.h"
#include "inkan/buf.h"
#include "inkan/header.h"

static ik_arena *A;

static ik_ar parse_ok(const char *v)
{
    ik_ar ar;
    ik_str why;
    ik_status st = ik_ar_parse(A, ik_str_c(v), 0, &ar, &why);
    if (st != IK_OK)
        IK_TEST_FAIL_("parse(%s): %s %.*s", v, ik_status_name(st), (int)why.len,
                      why.p ? why.p : "");
    return ar;
}

static void setup(void)
{
    A = ik_arena_new(NULL);
    ASSERT_TRUE(A != NULL);
}

/* ---- parser ---------------------------------------------------------------- */

static void authres_parses_gmail_shape(void)
{
    setup();
    ik_ar ar =
        parse_ok(" mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20161025 "
                 "header.b=AbCdEf12;\r\n       spf=pass (google.com: domain of x@example.com "
                 "designates 192.0.2.1 as permitted sender) smtp.mailfrom=x@example.com;\r\n"
                 "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com");
    ASSERT_STR(ar.authserv_id, "mx.google.com");
    ASSERT_EQ(ar.version, 0);
    ASSERT_EQ(ar.nresults, 3);
    ASSERT_STR(ar.results[0].method, "dkim");
    ASSERT_STR(ar.results[0].result, "pass");
    ASSERT_STR(ik_ar_prop_get(&ar.results[0], "header", "i"), "@example.com");
    ASSERT_STR(ik_ar_prop_get(&ar.results[0], "header", "b"), "AbCdEf12");
    ASSERT_STR(ar.results[1].comment,
               "google.com: domain of x@example.com designates 192.0.2.1 as permitted sender");
    ASSERT_STR(ik_ar_prop_get(&ar.results[1], "smtp", "mailfrom"), "x@example.com");
    ASSERT_STR(ar.results[2].comment, "p=NONE sp=NONE dis=NONE");
    ASSERT_EQ(ar.nskipped, 0);
    ik_arena_free(A);
}

static void authres_parses_microsoft_shape(void)
{
    setup();
    /* Properties without a ptype, "none" as a header.d value, a
     * compauth reason=, no spaces after ';'. */
    ik_ar ar = parse_ok(" mx.microsoft.com; spf=pass (sender IP is 192.0.2.1) "
                        "smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;"
                        "dmarc=none action=none header.from=example.com;compauth=pass reason=100");
    ASSERT_EQ(ar.nresults, 4);
    ASSERT_STR(ar.results[1].method, "dkim");
    ASSERT_STR(ik_ar_prop_get(&ar.results[1], "header", "d"), "none");
    ASSERT_STR(ik_ar_prop_get(&ar.results[2], "", "action"), "none");
    ASSERT_STR(ar.results[3].method, "compauth");
    ASSERT_STR(ar.results[3].reason, "100");
    ik_arena_free(A);
}

static void authres_parse_rejects_junk_after_id(void)
{
    setup();
    ik_ar ar;
    ASSERT_STATUS(ik_ar_parse(A, ik_str_c(" spf=pass (x) smtp.mailfrom=e.com"), 0, &ar, NULL),
                  IK_ESYNTAX);
    ik_arena_free(A);
}

static void authres_parses_version_none_and_comments(void)
{
    setup();
    ik_ar ar = parse_ok(" (leading comment) example.org (c2) 1 (c3); none");
    ASSERT_STR(ar.authserv_id, "example.org");
    ASSERT_EQ(ar.version, 1);
    ASSERT_EQ(ar.nresults, 0);
    ar = parse_ok("example.com; none (nothing to report)");
    ASSERT_EQ(ar.nresults, 0);
    ar = parse_ok("example.com");
    ASSERT_EQ(ar.nresults, 0);
    ar = parse_ok("example.com;");
    ASSERT_EQ(ar.nresults, 0);
    ik_arena_free(A);
}

static void authres_parses_rfc8601_appendix_examples(void)
{
    setup();
    /* RFC 8601 B.3, B.4, B.5, B.6. */
    ik_ar ar = parse_ok(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
    ASSERT_STR(ik_ar_prop_get(&ar.results[0], "smtp", "mailfrom"), "example.net");
    ar = parse_ok(" example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;"
                  "\r\n          spf=pass smtp.mailfrom=example.net");
    ASSERT_EQ(ar.nresults, 2);
    ASSERT_STR(ar.results[0].comment, "cram-md5");
    ASSERT_STR(ik_ar_prop_get(&ar.results[0], "smtp", "auth"), "sender@example.net");
    ar = parse_ok(" example.com;\r\n          sender-id=fail header.from=example.com;\r\n"
                  "          dkim=pass (good signature) header.d=example.com");
    ASSERT_STR(ar.results[0].method, "sender-id");
    ASSERT_STR(ar.results[1].comment, "good signature");
    ar = parse_ok(" mail-router.example.net;\r\n          dkim=pass (good signature) "
                  "header.d=newyork.example.com\r\n                header.b=oINEO8hg;\r\n"
                  "          dkim=fail (bad signature) header.d=newyork.example.com\r\n"
                  "                header.b=EToRSuvU");
    ASSERT_EQ(ar.nresults, 2);
    ASSERT_STR(ik_ar_prop_get(&ar.results[1], "header", "b"), "EToRSuvU");
    ik_arena_free(A);
}

static void authres_parses_quoted_values_and_reason(void)
{
    setup();
    ik_ar ar = parse_ok("\"quoted\\\"id\" 1; dkim/1=pass reason=\"good \\\"sig\\\"\" "
                        "header.b=\"ab/c+d=\" header.i=\"@x.example\"");
    ASSERT_STR(ar.authserv_id, "quoted\"id");
    ASSERT_EQ(ar.results[0].version, 1);
    ASSERT_STR(ar.results[0].reason, "good \"sig\"");
    ASSERT_STR(ik_ar_prop_get(&ar.results[0], "header", "b"), "ab/c+d=");
    ASSERT_STR(ik_ar_prop_get(&ar.results[0], "HEADER", "I"), "@x.example");
    ik_arena_free(A);
}

static void authres_parse_is_lenient_with_junk_results(void)
{
    setup();
    /* Yahoo's comment glued to the result, an unknown method, junk words,
     * an unterminated comment at the end. */
    ik_ar ar = parse_ok(" atlas.example.com; dkim=pass header.i=@example.com; "
                        "dmarc=pass(p=REJECT) header.from=example.com; x-foo=bar baz qux; "
                        "=broken; spf=pass smtp.mailfrom=<>; arc=none (unterminated");
    ASSERT_EQ(ar.nresults, 5);
    ASSERT_STR(ar.results[1].comment, "p=REJECT");
    ASSERT_STR(ar.results[2].method, "x-foo");
    ASSERT_TRUE(ar.results[2].malformed);
    ASSERT_EQ(ar.nskipped, 1);
    ASSERT_STR(ik_ar_prop_get(&ar.results[3], "smtp", "mailfrom"), "<>");
    ASSERT_STR(ar.results[4].method, "arc");
    ASSERT_TRUE(ik_ar_find(&ar, "SPF", 0) == &ar.results[3]);
    ASSERT_TRUE(ik_ar_find(&ar, "iprev", 0) == NULL);
    ik_arena_free(A);
}

static void authres_parse_aar_needs_instance(void)
{
    setup();
    ik_ar ar;
    ASSERT_OK(
        ik_ar_parse(A, ik_str_c(" i=2; lists.example.org; arc=pass"), IK_AR_PARSE_AAR, &ar, NULL));
    ASSERT_EQ(ar.instance, 2);
    ASSERT_STR(ar.authserv_id, "lists.example.org");
    const char *bad[] = { " lists.example.org; i=1; spf=pass",
                          " i=1 lists.example.org;",
                          " i=0; x.example;",
                          " i=51; x.example;",
                          " i=; x.example;",
                          " i=squanch; x.example;",
                          "" };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
        ASSERT_STATUS(ik_ar_parse(A, ik_str_c(bad[k]), IK_AR_PARSE_AAR, &ar, NULL), IK_ESYNTAX);
    ik_arena_free(A);
}

static void authres_parse_never_reads_past_length(void)
{
    setup();
    const char *v = " example.org; dkim=pass (comment) header.d=\"quoted\" x.y=z";
    size_t len = strlen(v);
    for (size_t n = 0; n <= len; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, v, n);
        ik_ar ar;
        ik_status st = ik_ar_parse(A, ik_str_make(copy, n), 0, &ar, NULL);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
        (void)ik_ar_is_ours(ik_str_make(copy, n), IK_STR_LIT("example.org"));
        free(copy);
    }
    ik_arena_free(A);
}

static void authres_parse_bounds_results(void)
{
    setup();
    ik_buf b;
    ik_buf_init(&b, A, 0);
    ik_buf_append_c(&b, "x.example");
    for (int i = 0; i < IK_AR_MAX_RESULTS + 10; i++)
        ik_buf_append_c(&b, "; spf=pass");
    ik_ar ar;
    ASSERT_OK(ik_ar_parse(A, ik_buf_str(&b), 0, &ar, NULL));
    ASSERT_EQ(ar.nresults, IK_AR_MAX_RESULTS);
    ASSERT_EQ(ar.nskipped, 10);
    /* Deeply nested comments do not recurse. */
    ik_buf_reset(&b);
    for (int i = 0; i < 10000; i++)
        ik_buf_putc(&b, '(');
    ik_buf_append_c(&b, "x.example; spf=pass");
    ASSERT_STATUS(ik_ar_parse(A, ik_buf_str(&b), 0, &ar, NULL), IK_ESYNTAX);
    ik_arena_free(A);
}

/* ---- forged-field finder -------------------------------------------------- */

static void authres_find_ours_finds_every_one_and_nothing_else(void)
{
    setup();
    const char *msg =
        "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=a@b.example\r\n"
        "authentication-results: MX.Example.ORG; dkim=pass\r\n"
        "Authentication-Results: (sneaky comment)\r\n (nested (one)) mx.example.org ; arc=pass\r\n"
        "Authentication-Results: \"mx.example.org\"; dmarc=pass\r\n"
        "Authentication-Results: \"mx.exam\\ple.org\"; dmarc=pass\r\n"
        "Authentication-Results:mx.example.org 1; none\r\n"
        "Authentication-Results: mx.example.org\r\n"
        "Authentication-Results: mx.example.org/x; junk\r\n"
        "Authentication-Results: mx.example.org.evil.example; spf=pass\r\n"
        "Authentication-Results: evil.mx.example.org; spf=pass\r\n"
        "Authentication-Results: notmx.example.org; spf=pass\r\n"
        "Authentication-Results: mx.example.or; spf=pass\r\n"
        "Authentication-Results: \"mx.example.org \"; spf=pass\r\n"
        "Authentication-Results: ; spf=pass\r\n"
        "ARC-Authentication-Results: i=1; mx.example.org; spf=pass\r\n"
        "X-Authentication-Results: mx.example.org; spf=pass\r\n"
        "Authentication-Results-Original: mx.example.org; spf=pass\r\n"
        "Received: from mx.example.org\r\n"
        "\r\n";
    ik_hdr_field *f;
    size_t n, body;
    ASSERT_OK(ik_hdr_parse_block(A, msg, strlen(msg), NULL, &f, &n, &body));
    size_t *idx, nidx;
    ASSERT_OK(ik_ar_find_ours(A, f, n, IK_STR_LIT("mx.example.org"), &idx, &nidx));
    size_t want[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    ASSERT_EQ(nidx, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < nidx; i++)
        ASSERT_EQ(idx[i], want[i]);
    ASSERT_STATUS(ik_ar_find_ours(A, f, n, IK_STR_NULL, &idx, &nidx), IK_EINVAL);
    ASSERT_OK(ik_ar_find_ours(A, f, n, IK_STR_LIT("absent.example"), &idx, &nidx));
    ASSERT_EQ(nidx, 0);
    ik_arena_free(A);
}

/* ---- writer ---------------------------------------------------------------- */

static void authres_format_short_field_is_one_line(void)
{
    setup();
    ik_ar ar;
    ik_ar_init(&ar, IK_STR_LIT("mx.example.org"));
    ik_ar_result *r = ik_ar_add(A, &ar, IK_STR_LIT("spf"), IK_STR_LIT("pass"));
    ASSERT_OK(ik_ar_add_prop(A, r, IK_STR_LIT("smtp"), IK_STR_LIT("mailfrom"),
                             IK_STR_LIT("a@b.example")));
    ik_str out;
    ASSERT_OK(ik_ar_format(A, &ar, "Authentication-Results", &out));
    ASSERT_STR(out, "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=a@b.example");
    ik_ar_init(&ar, IK_STR_LIT("mx.example.org"));
    ASSERT_OK(ik_ar_format(A, &ar, "Authentication-Results", &out));
    ASSERT_STR(out, "Authentication-Results: mx.example.org; none");
    ar.version = 1;
    ar.instance = 3;
    ASSERT_OK(ik_ar_format(A, &ar, NULL, &out));
    ASSERT_STR(out, "i=3; mx.example.org 1; none");
    ik_arena_free(A);
}

static void authres_format_quotes_and_escapes(void)
{
    setup();
    ik_ar ar;
    ik_ar_init(&ar, IK_STR_LIT("mx.example.org"));
    ik_ar_result *r = ik_ar_add(A, &ar, IK_STR_LIT("dkim"), IK_STR_LIT("fail"));
    r->reason = IK_STR_LIT("bad \"sig\"");
    r->comment = IK_STR_LIT("x (y) \\z\r\nInjected: yes");
    ASSERT_OK(ik_ar_add_prop(A, r, IK_STR_LIT("header"), IK_STR_LIT("b"), IK_STR_LIT("ab/c+d=")));
    ASSERT_OK(
        ik_ar_add_prop(A, r, IK_STR_LIT("header"), IK_STR_LIT("i"), IK_STR_LIT("@d.example")));
    ASSERT_OK(ik_ar_add_prop(A, r, IK_STR_LIT("smtp"), IK_STR_LIT("mailfrom"),
                             IK_STR_LIT("\"odd local\"@d.example")));
    ik_str out;
    ASSERT_OK(ik_ar_format(A, &ar, NULL, &out));
    /* Unfolding the output and parsing it gives the values back. */
    ik_str unf;
    ASSERT_OK(ik_hdr_unfold(A, out, &unf));
    ik_ar back;
    ASSERT_OK(ik_ar_parse(A, unf, 0, &back, NULL));
    ASSERT_STR(back.results[0].reason, "bad \"sig\"");
    ASSERT_STR(back.results[0].comment, "x \\(y\\) \\\\z  Injected: yes");
    ASSERT_STR(ik_ar_prop_get(&back.results[0], "header", "b"), "ab/c+d=");
    ASSERT_STR(ik_ar_prop_get(&back.results[0], "header", "i"), "@d.example");
    ASSERT_STR(ik_ar_prop_get(&back.results[0], "smtp", "mailfrom"), "\"odd local\"@d.example");
    /* No CR or LF except as CRLF HTAB folds. */
    for (size_t i = 0; i < out.len; i++)
        if (out.p[i] == '\r')
            ASSERT_TRUE(i + 2 < out.len && out.p[i + 1] == '\n' && out.p[i + 2] == ' ');
    ik_arena_free(A);
}

static void authres_format_folds_at_78(void)
{
    setup();
    ik_ar ar;
    ik_ar_init(&ar, IK_STR_LIT("mx.example.org"));
    static const char *const methods[] = { "spf",       "sender-id", "dkim", "domainkeys",
                                           "dkim-adsp", "dmarc",     "arc",  "iprev" };
    for (size_t i = 0; i < 8; i++) {
        ik_ar_result *r = ik_ar_add(A, &ar, ik_str_c(methods[i]), IK_STR_LIT("pass"));
        r->comment = IK_STR_LIT("a reasonably long reason comment with several words in it");
        ASSERT_OK(ik_ar_add_prop(A, r, IK_STR_LIT("header"), IK_STR_LIT("d"),
                                 IK_STR_LIT("a-rather-long-subdomain.of.an.example.com")));
    }
    ik_str out;
    ASSERT_OK(ik_ar_format(A, &ar, "Authentication-Results", &out));
    size_t col = 0, lines = 1;
    for (size_t i = 0; i < out.len; i++) {
        if (out.p[i] == '\r') {
            ASSERT_EQ(out.p[i + 1], '\n');
            ASSERT_EQ(out.p[i + 2], ' ');
            ASSERT_TRUE(col <= IK_AR_FOLD_WIDTH);
            col = 1;
            lines++;
            i += 2;
            continue;
        }
        col++;
    }
    ASSERT_TRUE(col <= IK_AR_FOLD_WIDTH);
    ASSERT_TRUE(lines >= 16);
    /* Each result starts a line. */
    for (size_t i = 0; i < 8; i++) {
        char *needle = ik_arena_printf(A, "\r\n %s=pass", methods[i]);
        ASSERT_TRUE(memmem(out.p, out.len, needle, strlen(needle)) != NULL);
    }
    /* And it reads back the same. */
    ik_str unf;
    ASSERT_OK(ik_hdr_unfold(A, out, &unf));
    ik_ar back;
    ASSERT_OK(ik_ar_parse(A, ik_str_make(unf.p + 23, unf.len - 23), 0, &back, NULL));
    ASSERT_EQ(back.nresults, 8);
    ASSERT_STR(back.results[7].method, "iprev");
    ik_arena_free(A);
}

static void authres_format_refuses_bad_keywords(void)
{
    setup();
    ik_ar ar;
    ik_str out;
    ik_ar_init(&ar, IK_STR_NULL);
    ASSERT_STATUS(ik_ar_format(A, &ar, NULL, &out), IK_EINVAL);
    ik_ar_init(&ar, IK_STR_LIT("x.example"));
    ik_ar_add(A, &ar, IK_STR_LIT("sp f"), IK_STR_LIT("pass"));
    ASSERT_STATUS(ik_ar_format(A, &ar, NULL, &out), IK_EINVAL);
    ik_ar_init(&ar, IK_STR_LIT("x.example"));
    ik_ar_result *r = ik_ar_add(A, &ar, IK_STR_LIT("spf"), IK_STR_LIT("pass;x"));
    (void)r;
    ASSERT_STATUS(ik_ar_format(A, &ar, NULL, &out), IK_EINVAL);
    /* A non-token authserv-id is quoted. */
    ik_ar_init(&ar, IK_STR_LIT("odd id"));
    ASSERT_OK(ik_ar_format(A, &ar, NULL, &out));
    ASSERT_STR(out, "\"odd id\"; none");
    ik_arena_free(A);
}

/* ---- merge ----------------------------------------------------------------- */

static void authres_merge_builds_one_payload(void)
{
    setup();
    ik_str vals[] = {
        IK_STR_LIT(" lists.example.org; arc=none"),
        IK_STR_LIT(" nobody.example.org; something=ignored"),
        IK_STR_LIT(" LISTS.example.org; spf=pass smtp.mfrom=jqd@d1.example;  "),
        IK_STR_LIT(" lists.example.org; none"),
        IK_STR_LIT(" (c) lists.example.org 1; dkim=pass (1024-bit key) header.i=@d1.example"),
    };
    ik_str out;
    ASSERT_OK(ik_ar_merge(A, vals, 5, IK_STR_LIT("lists.example.org"), &out));
    ASSERT_STR(out, "lists.example.org; arc=none; spf=pass smtp.mfrom=jqd@d1.example; "
                    "dkim=pass (1024-bit key) header.i=@d1.example");
    ASSERT_OK(ik_ar_merge(A, vals, 2, IK_STR_LIT("other.example"), &out));
    ASSERT_STR(out, "other.example; none");
    ik_arena_free(A);
}

static void authres_survives_allocation_failures(void)
{
    const char *v = " mx.example.org; dkim=pass reason=\"a\\\"b\" header.d=\"x\\y\"; spf=pass "
                    "smtp.mailfrom=a@b; dmarc=fail";
    for (long fail = 0; fail < 200; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_ar ar;
        ik_status st = ik_ar_parse(a, ik_str_c(v), 0, &ar, NULL);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        if (st == IK_OK) {
            ik_str out;
            st = ik_ar_format(a, &ar, "Authentication-Results", &out);
            ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        }
        ik_str vals[1] = { ik_str_c(v) };
        ik_str out;
        st = ik_ar_merge(a, vals, 1, IK_STR_LIT("mx.example.org"), &out);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        ik_arena_free(a);
    }
}

/* Authentication-Results parsing over every prefix, a NUL at each
 * position and an oversized value: a defined status (IK_ESYNTAX with a
 * reason), never a read past the length (exact-size copies). */
static void ar_parse_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_ar ar;
    ik_str why = IK_STR_NULL;
    ik_status st = ik_ar_parse(a, ik_str_make(p, n), 0, &ar, &why);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);
}

static void authres_parse_hostile_input(void)
{
    static const char v[] =
        " mx.example.org 1; spf=pass (sender ok) smtp.mailfrom=a@example.com;\r\n"
        "\tdkim=fail reason=\"bad \\\"sig\\\"\" header.d=example.com\r\n"
        " header.b=abcd; arc=none; dmarc=pass header.from=example.com\r\n";
    ik_arena *a = ik_arena_new(NULL);
    ik_ar ar;
    ASSERT_OK(ik_ar_parse(a, IK_STR_LIT(v), 0, &ar, NULL));
    ASSERT_EQ(ar.nresults, 4);
    ik_arena_free(a);
    ik_test_each_prefix(v, sizeof(v) - 1, ar_parse_cb, NULL);
    ik_test_each_nul(v, sizeof(v) - 1, ar_parse_cb, NULL);
    ik_test_oversized("mx.example.org", "; dkim=pass header.d=x.example", 1u << 20, "", ar_parse_cb,
                      NULL);
    ik_test_oversized("mx.example.org; spf=pass (", "((", 1u << 16, ")", ar_parse_cb, NULL);
}

/* Found by fuzz/verify: a From local part with a NUL byte (a DomainKeys
 * header.from) was written bare, NUL included, because strchr() finds the
 * terminating NUL of its character set.  Control bytes in an address now
 * make it quoted, with each one replaced by a space. */
static void authres_format_never_writes_a_nul_or_control(void)
{
    setup();
    static const char *const bad[] = { "al\0ice@example.com", "al\rice@example.com",
                                       "alice@exa\nmple.com", "\x01@example.com",
                                       "al\x7fice@example.com" };
    static const size_t len[] = { 18, 18, 18, 13, 18 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ik_ar ar;
        ik_ar_init(&ar, IK_STR_LIT("mx.example.org"));
        ik_ar_result *r = ik_ar_add(A, &ar, IK_STR_LIT("domainkeys"), IK_STR_LIT("fail"));
        ASSERT_OK(ik_ar_add_prop(A, r, IK_STR_LIT("header"), IK_STR_LIT("from"),
                                 ik_str_make(bad[i], len[i])));
        ik_str out;
        ASSERT_OK(ik_ar_format(A, &ar, "Authentication-Results", &out));
        for (size_t k = 0; k < out.len; k++) {
            unsigned char c = (unsigned char)out.p[k];
            if (c == '\r')
                ASSERT_TRUE(k + 2 < out.len && out.p[k + 1] == '\n' && out.p[k + 2] == ' ');
            else if (c == '\n')
                ASSERT_TRUE(k > 0 && out.p[k - 1] == '\r');
            else
                ASSERT_TRUE(c >= 0x20 && c != 0x7f);
        }
        ASSERT_TRUE(memmem(out.p, out.len, "header.from=\"", 13) != NULL);
    }
    ik_arena_free(A);
}

int main(int argc, char **argv)
{
    static const ik_test_case cases[] = {
        IK_TEST_CASE(authres_parses_gmail_shape),
        IK_TEST_CASE(authres_parses_microsoft_shape),
        IK_TEST_CASE(authres_parse_rejects_junk_after_id),
        IK_TEST_CASE(authres_parses_version_none_and_comments),
        IK_TEST_CASE(authres_parses_rfc8601_appendix_examples),
        IK_TEST_CASE(authres_parses_quoted_values_and_reason),
        IK_TEST_CASE(authres_parse_is_lenient_with_junk_results),
        IK_TEST_CASE(authres_parse_aar_needs_instance),
        IK_TEST_CASE(authres_parse_never_reads_past_length),
        IK_TEST_CASE(authres_parse_bounds_results),
        IK_TEST_CASE(authres_find_ours_finds_every_one_and_nothing_else),
        IK_TEST_CASE(authres_format_short_field_is_one_line),
        IK_TEST_CASE(authres_format_quotes_and_escapes),
        IK_TEST_CASE(authres_format_folds_at_78),
        IK_TEST_CASE(authres_format_refuses_bad_keywords),
        IK_TEST_CASE(authres_merge_builds_one_payload),
        IK_TEST_CASE(authres_survives_allocation_failures),
        IK_TEST_CASE(authres_parse_hostile_input),
        IK_TEST_CASE(authres_format_never_writes_a_nul_or_control),
    };
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
