/*
 * test_address.c - RFC 5322 address parsing: the 3.4 grammar, the obsolete
 * forms of 4.4, CFWS, groups, strict and lenient modes, ambiguity, limits.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/address.h"
#include "inkan/arena.h"

typedef struct res {
    ik_arena *a;
    ik_addr_list l;
    ik_status st;
} res;

static res parse_len(const char *s, size_t len, ik_addr_syntax what, int lenient)
{
    res r;
    r.a = ik_arena_new(NULL);
    ASSERT_TRUE(r.a != NULL);
    ik_addr_opts o;
    memset(&o, 0, sizeof o);
    o.lenient = lenient;
    r.st = ik_addr_parse(r.a, ik_str_make(s, len), what, &o, &r.l);
    return r;
}

static res parse(const char *s, ik_addr_syntax what, int lenient)
{
    return parse_len(s, strlen(s), what, lenient);
}

/* One mailbox in both modes, with the expected parts. */
static void expect_one(const char *s, const char *display, const char *local, const char *domain,
                       unsigned flags)
{
    for (int lenient = 0; lenient < 2; lenient++) {
        res r = parse(s, IK_ADDR_MAILBOX, lenient);
        if (r.st != IK_OK)
            IK_TEST_FAIL_("%s: %s: %.*s", s, ik_status_name(r.st), (int)r.l.problem.len,
                          r.l.problem.p);
        ASSERT_EQ(r.l.n, 1);
        ASSERT_STR(r.l.mbox[0].display, display);
        ASSERT_STR(r.l.mbox[0].local, local);
        ASSERT_STR(r.l.mbox[0].domain, domain);
        char spec[256];
        snprintf(spec, sizeof spec, "%s@%s", local, domain);
        ASSERT_STR(r.l.mbox[0].addr_spec, spec);
        if ((r.l.mbox[0].flags & flags) != flags)
            IK_TEST_FAIL_("%s: flags 0x%x lack 0x%x", s, r.l.mbox[0].flags, flags);
        ASSERT_FALSE(r.l.flags & IK_ADDR_F_LENIENT);
        ik_arena_free(r.a);
    }
}

/* Refused in both modes; ambiguous says whether it must be flagged so. */
static void expect_error(const char *s, ik_addr_syntax what, int ambiguous)
{
    for (int lenient = 0; lenient < 2; lenient++) {
        res r = parse(s, what, lenient);
        if (r.st != IK_ESYNTAX)
            IK_TEST_FAIL_("%s (lenient=%d): got %s", s, lenient, ik_status_name(r.st));
        ASSERT_TRUE(r.l.problem.len > 0);
        int amb = (r.l.flags & IK_ADDR_F_AMBIGUOUS) != 0;
        if (amb != ambiguous)
            IK_TEST_FAIL_("%s: ambiguous=%d, want %d (%.*s)", s, amb, ambiguous,
                          (int)r.l.problem.len, r.l.problem.p);
        if (ambiguous)
            ASSERT_TRUE(r.l.problem.len > 10 && memcmp(r.l.problem.p, "ambiguous:", 10) == 0);
        ik_arena_free(r.a);
    }
}

/* Refused in strict mode, accepted with IK_ADDR_F_LENIENT in lenient. */
static void expect_lenient_only(const char *s, ik_addr_syntax what, const char *domain)
{
    res r = parse(s, what, 0);
    if (r.st != IK_ESYNTAX)
        IK_TEST_FAIL_("%s strict: got %s", s, ik_status_name(r.st));
    ASSERT_FALSE(r.l.flags & IK_ADDR_F_AMBIGUOUS);
    ik_arena_free(r.a);
    r = parse(s, what, 1);
    if (r.st != IK_OK)
        IK_TEST_FAIL_("%s lenient: %s: %.*s", s, ik_status_name(r.st), (int)r.l.problem.len,
                      r.l.problem.p);
    ASSERT_TRUE(r.l.flags & IK_ADDR_F_LENIENT);
    if (domain != NULL) {
        ASSERT_TRUE(r.l.n >= 1);
        ASSERT_STR(r.l.mbox[0].domain, domain);
    }
    ik_arena_free(r.a);
}

static void address_plain_addr_spec(void)
{
    expect_one("user@example.com", "", "user", "example.com", 0);
    expect_one("  first.last@sub.example.com  ", "", "first.last", "sub.example.com", 0);
}

static void address_name_addr_forms(void)
{
    expect_one("John Doe <jdoe@machine.example>", "John Doe", "jdoe", "machine.example", 0);
    expect_one("\"Joe Q. Public\" <john.q.public@example.com>", "\"Joe Q. Public\"",
               "john.q.public", "example.com", 0);
    expect_one("<boss@nil.test>", "", "boss", "nil.test", 0);
    expect_one("\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>", "\"Giant; \\\"Big\\\" Box\"",
               "sysservices", "example.net", 0);
    /* Period in an unquoted display name: obs-phrase (RFC 5322 4.1). */
    expect_one("Joe Q. Public <john.q.public@example.com>", "Joe Q. Public", "john.q.public",
               "example.com", IK_ADDR_F_OBS_PHRASE);
}

static void address_comments_are_cfws(void)
{
    /* RFC 5322 A.5. */
    expect_one("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", "Pete", "pete",
               "silly.test", IK_ADDR_F_COMMENT);
    expect_one("john.q.public@example.com (John Q. Public)", "", "john.q.public", "example.com",
               IK_ADDR_F_COMMENT);
    /* A comment may hide an '@' but the grammar is unambiguous. */
    expect_one("admin@(legit.example)attack.example", "", "admin", "attack.example",
               IK_ADDR_F_COMMENT);
    expect_one("a@(x(y(z\\(q)))example.com", "", "a", "example.com", IK_ADDR_F_COMMENT);
}

static void address_folding_is_fws(void)
{
    expect_one("John\r\n Doe <jdoe@example.com>", "John\r\n Doe", "jdoe", "example.com", 0);
    expect_one("Mary Smith\n\t<mary@x.test>", "Mary Smith", "mary", "x.test", 0);
    expect_one("\"Folded\r\n name\"@example.com", "", "\"Folded name\"", "example.com",
               IK_ADDR_F_QUOTED_LOCAL);
    expect_one(" a@b.example\r\n", "", "a", "b.example", 0);
}

static void address_quoted_local_and_literals(void)
{
    expect_one("\"quoted local\"@example.com", "", "\"quoted local\"", "example.com",
               IK_ADDR_F_QUOTED_LOCAL);
    /* An '@' inside a quoted local part is not a separator. */
    expect_one("\"admin@legit.example\"@attack.example", "", "\"admin@legit.example\"",
               "attack.example", IK_ADDR_F_QUOTED_LOCAL);
    expect_one("user@[192.0.2.1]", "", "user", "[192.0.2.1]", IK_ADDR_F_DOMAIN_LITERAL);
    expect_one("user@[IPv6:2001:db8::1]", "", "user", "[IPv6:2001:db8::1]",
               IK_ADDR_F_DOMAIN_LITERAL);
}

static void address_obsolete_forms(void)
{
    expect_one("<@route1.example,@route2.example:user@example.com>", "", "user", "example.com",
               IK_ADDR_F_OBS_ROUTE);
    expect_one("Name <,@a.example,,@[10.0.0.1]:x@y.example>", "Name", "x", "y.example",
               IK_ADDR_F_OBS_ROUTE);
    expect_one("john . doe @ example . com", "", "john.doe", "example.com",
               IK_ADDR_F_OBS_LOCAL | IK_ADDR_F_OBS_DOMAIN);
    expect_one("\"john\".doe@example.com", "", "\"john\".doe", "example.com",
               IK_ADDR_F_OBS_LOCAL | IK_ADDR_F_QUOTED_LOCAL);
    /* The route never supplies the domain (RFC 5322 4.4). */
    res r = parse("<@legit.example:admin@attack.example>", IK_ADDR_MAILBOX, 0);
    ASSERT_OK(r.st);
    ASSERT_STR(r.l.mbox[0].domain, "attack.example");
    ik_arena_free(r.a);
}

static void address_lists_and_null_members(void)
{
    res r = parse("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
                  IK_ADDR_MAILBOX_LIST, 0);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.l.n, 3);
    ASSERT_STR(r.l.mbox[2].display, "Who?");
    ASSERT_STR(r.l.mbox[1].addr_spec, "jdoe@example.org");
    ASSERT_FALSE(r.l.flags & IK_ADDR_F_OBS_LIST);
    ik_arena_free(r.a);

    r = parse(", a@b.example,,(c) ,c@d.example,", IK_ADDR_MAILBOX_LIST, 0);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.l.n, 2);
    ASSERT_TRUE(r.l.flags & IK_ADDR_F_OBS_LIST);
    ik_arena_free(r.a);

    r = parse("a@b.example, c@d.example", IK_ADDR_MAILBOX, 0);
    ASSERT_STATUS(r.st, IK_ESYNTAX);
    ASSERT_TRUE(r.l.flags & IK_ADDR_F_MULTIPLE);
    ASSERT_EQ(r.l.n, 2);
    ik_arena_free(r.a);
}

static void address_groups(void)
{
    res r = parse("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
                  IK_ADDR_ADDRESS_LIST, 0);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.l.n, 3);
    ASSERT_EQ(r.l.ngroups, 1);
    ASSERT_STR(r.l.mbox[0].group, "A Group");
    ASSERT_TRUE(r.l.mbox[1].flags & IK_ADDR_F_GROUP);
    ik_arena_free(r.a);

    r = parse("Undisclosed recipients:;", IK_ADDR_ADDRESS_LIST, 0);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.l.n, 0);
    ASSERT_EQ(r.l.ngroups, 1);
    ik_arena_free(r.a);

    r = parse("empty: (nothing) ;, x@y.example, g2: , ,;", IK_ADDR_ADDRESS_LIST, 0);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.l.n, 1);
    ASSERT_EQ(r.l.ngroups, 2);
    ASSERT_EQ(r.l.mbox[0].group.len, 0);
    ik_arena_free(r.a);

    /* Groups are not mailboxes: From and Sender refuse them. */
    expect_error("Undisclosed recipients:;", IK_ADDR_MAILBOX_LIST, 0);
    expect_error("team: a@b.example;", IK_ADDR_MAILBOX, 0);
    expect_error("outer: inner: a@b.example;;", IK_ADDR_ADDRESS_LIST, 0);
    expect_error(": a@b.example;", IK_ADDR_ADDRESS_LIST, 0);
    expect_error("g: a@b.example; junk", IK_ADDR_ADDRESS_LIST, 0);
    expect_lenient_only("g: a@b.example", IK_ADDR_ADDRESS_LIST, "b.example");
}

static void address_encoded_words_stay_raw_and_are_flagged(void)
{
    /* "admin@legit.example" in base64 and Q: the reader sees an address. */
    res r =
        parse("=?utf-8?B?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?= <x@attack.example>", IK_ADDR_MAILBOX, 0);
    ASSERT_OK(r.st);
    ASSERT_STR(r.l.mbox[0].display, "=?utf-8?B?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?=");
    ASSERT_TRUE(r.l.mbox[0].flags & IK_ADDR_F_ENCODED_WORD);
    ASSERT_TRUE(r.l.mbox[0].flags & IK_ADDR_F_DISPLAY_AT);
    ASSERT_STR(r.l.mbox[0].domain, "attack.example");
    ik_arena_free(r.a);

    r = parse("=?iso-8859-1?Q?admin=40legit.example?= <x@attack.example>", IK_ADDR_MAILBOX, 0);
    ASSERT_OK(r.st);
    ASSERT_TRUE(r.l.mbox[0].flags & IK_ADDR_F_DISPLAY_AT);
    ik_arena_free(r.a);

    r = parse("=?utf-8?Q?J=C3=B6rg?= <j@example.de>", IK_ADDR_MAILBOX, 0);
    ASSERT_OK(r.st);
    ASSERT_TRUE(r.l.mbox[0].flags & IK_ADDR_F_ENCODED_WORD);
    ASSERT_FALSE(r.l.mbox[0].flags & IK_ADDR_F_DISPLAY_AT);
    ik_arena_free(r.a);

    r = parse("\"admin@legit.example\" <x@attack.example>", IK_ADDR_MAILBOX, 0);
    ASSERT_OK(r.st);
    ASSERT_TRUE(r.l.mbox[0].flags & IK_ADDR_F_DISPLAY_AT);
    ik_arena_free(r.a);

    /* An encoded word as local part: the domain is still the grammar's. */
    expect_one("=?utf-8?B?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?=@attack.example", "",
               "=?utf-8?B?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?=", "attack.example",
               IK_ADDR_F_ENCODED_LOCAL);
}

static void address_utf8_is_accepted(void)
{
    expect_one("J\xc3\xb6rg <j\xc3\xb6rg@ex\xc3\xa4mple.de>", "J\xc3\xb6rg", "j\xc3\xb6rg",
               "ex\xc3\xa4mple.de", IK_ADDR_F_UTF8);
}

static void address_ambiguous_inputs_are_refused(void)
{
    expect_error("admin@legit.example <x@attack.example>", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("a@legit.example@attack.example", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("<a@legit.example> <b@attack.example>", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("<a@legit.example>b@attack.example", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("<a@legit.example@attack.example>", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("x@attack.example [y@legit.example]", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("Name [a@legit.example] <b@attack.example>", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("<a@legit.example> : b@attack.example", IK_ADDR_MAILBOX_LIST, 1);
    expect_error("a@legit.example > <b@attack.example>", IK_ADDR_MAILBOX_LIST, 1);
}

static void address_malformed_inputs_are_refused(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        " (only a comment) ",
        ",,",
        "a",
        "@example.com",
        "a@",
        "a@b..c",
        "a@b.",
        "a@.b",
        "<>",
        "<a@b.example",
        "a@b.example>",
        "a@b.example (open",
        "\"unterminated@b.example",
        "a@[1.2.3.4",
        "a@[1.[2].3]",
        "john doe@example.com",
        "a@b.example trailing",
        "a\\b@example.com",
        "Name <a>",
        "<@:a@b.example>",
        "<@a.example b@c.example>",
        "a@b.example;",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(bad[i], IK_ADDR_MAILBOX_LIST, 0);
}

static void address_nul_bytes_are_refused(void)
{
    static const char s1[] = "a\0b@example.com";
    static const char s2[] = "a@example.com (x\0y)";
    static const char s3[] = "\"a\0b\"@example.com";
    /* obs-qp allows a quoted NUL: "\" %d0 (RFC 5322 4.1). */
    static const char s4[] = "\"a\\\0b\"@example.com";
    res r = parse_len(s1, sizeof s1 - 1, IK_ADDR_MAILBOX, 1);
    ASSERT_STATUS(r.st, IK_ESYNTAX);
    ik_arena_free(r.a);
    r = parse_len(s2, sizeof s2 - 1, IK_ADDR_MAILBOX, 1);
    ASSERT_STATUS(r.st, IK_ESYNTAX);
    ik_arena_free(r.a);
    r = parse_len(s3, sizeof s3 - 1, IK_ADDR_MAILBOX, 1);
    ASSERT_STATUS(r.st, IK_ESYNTAX);
    ik_arena_free(r.a);
    r = parse_len(s4, sizeof s4 - 1, IK_ADDR_MAILBOX, 0);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.l.mbox[0].local.len, 6);
    /* The addr-spec keeps the NUL too: built by length, not by printf. */
    ASSERT_EQ(r.l.mbox[0].addr_spec.len, 6 + 1 + 11);
    ASSERT_TRUE(memcmp(r.l.mbox[0].addr_spec.p + 7, "example.com", 11) == 0);
    ik_arena_free(r.a);
}

static void address_lenient_recoveries(void)
{
    expect_lenient_only("a..b@docomo.example", IK_ADDR_MAILBOX, "docomo.example");
    expect_lenient_only("a.@docomo.example", IK_ADDR_MAILBOX, "docomo.example");
    expect_lenient_only(".a@docomo.example", IK_ADDR_MAILBOX, "docomo.example");
    expect_lenient_only("<x@example.com> (Sales) dept", IK_ADDR_MAILBOX, "example.com");
    expect_lenient_only("John [Sales] <j@example.com>", IK_ADDR_MAILBOX, "example.com");
    expect_lenient_only(". Dot <j@example.com>", IK_ADDR_MAILBOX, "example.com");
    expect_lenient_only("Back\\slash <j@example.com>", IK_ADDR_MAILBOX, "example.com");
    expect_lenient_only("John\nDoe <j@example.com>", IK_ADDR_MAILBOX, "example.com");
    expect_lenient_only("a@b.example,", IK_ADDR_MAILBOX, "b.example");
}

static void address_comment_depth_is_bounded(void)
{
    char s[256];
    size_t n = 0;
    for (int i = 0; i < 32; i++)
        s[n++] = '(';
    for (int i = 0; i < 32; i++)
        s[n++] = ')';
    memcpy(s + n, "a@b.example", 12);
    res r = parse(s, IK_ADDR_MAILBOX, 0);
    ASSERT_OK(r.st);
    ik_arena_free(r.a);
    n = 0;
    for (int i = 0; i < 33; i++)
        s[n++] = '(';
    for (int i = 0; i < 33; i++)
        s[n++] = ')';
    memcpy(s + n, "a@b.example", 12);
    r = parse(s, IK_ADDR_MAILBOX, 1);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);
}

static void address_count_is_bounded(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_addr_opts o = { 0, 2, 0 };
    ik_addr_list l;
    ASSERT_OK(
        ik_addr_parse(a, IK_STR_LIT("a@b.example, c@d.example"), IK_ADDR_MAILBOX_LIST, &o, &l));
    ASSERT_STATUS(ik_addr_parse(a, IK_STR_LIT("a@b.example, c@d.example, e@f.example"),
                                IK_ADDR_MAILBOX_LIST, &o, &l),
                  IK_ELIMIT);
    ik_arena_free(a);
}

static void address_truncations_never_crash(void)
{
    static const char *const full[] = {
        "\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
        "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
        "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
        "<@route1.example,@[10.0.0.1]:user@[IPv6:2001:db8::1]>",
    };
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
        size_t len = strlen(full[i]);
        for (size_t cut = 0; cut <= len; cut++) {
            for (int mode = 0; mode < 2; mode++) {
                /* An exact-size copy so ASan sees reads past the end. */
                char *c = malloc(cut ? cut : 1);
                memcpy(c, full[i], cut);
                res r = parse_len(c, cut, IK_ADDR_ADDRESS_LIST, mode);
                ASSERT_TRUE(r.st == IK_OK || r.st == IK_ESYNTAX);
                if (r.st == IK_ESYNTAX)
                    ASSERT_TRUE(r.l.problem.len > 0);
                ik_arena_free(r.a);
                free(c);
            }
        }
    }
}

static void address_survives_arena_exhaustion(void)
{
    const char *s = "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, x@y.z";
    for (size_t lim = 1; lim < 4096; lim += 13) {
        ik_arena *a = ik_arena_new(NULL);
        ik_arena_set_limit(a, lim);
        ik_addr_list l;
        ik_status st = ik_addr_parse(a, ik_str_c(s), IK_ADDR_ADDRESS_LIST, NULL, &l);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        if (st == IK_OK)
            ASSERT_EQ(l.n, 4);
        ik_arena_free(a);
    }
}

static void address_rejects_bad_arguments(void)
{
    ik_addr_list l;
    ASSERT_STATUS(ik_addr_parse(NULL, IK_STR_LIT("a@b"), IK_ADDR_MAILBOX, NULL, &l), IK_EINVAL);
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_STATUS(ik_addr_parse(a, ik_str_make(NULL, 3), IK_ADDR_MAILBOX, NULL, &l), IK_EINVAL);
    ASSERT_STATUS(ik_addr_parse(a, IK_STR_LIT("a@b"), (ik_addr_syntax)7, NULL, &l), IK_EINVAL);
    ASSERT_STATUS(ik_addr_parse(a, IK_STR_LIT("a@b"), IK_ADDR_MAILBOX, NULL, NULL), IK_EINVAL);
    ik_arena_free(a);
}

/* An address list with groups, comments and quoted parts, parsed in an
 * arena whose allocation number n fails, for each n in turn: IK_ENOMEM,
 * never a crash or a leak. */
static void addr_survives_allocation_failures(void)
{
    static const char text[] =
        "\"Alice, A.\" <alice@example.com> (home), team: bob@example.org,\r\n"
        " \"c d\"@[192.0.2.1];, Eve <eve@ex.example>, undisclosed:;";
    long ok_at = -1;
    for (long fail = 0; fail < 500 && ok_at < 0; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_addr_list l;
        ik_status st =
            ik_addr_parse(a, ik_str_make(text, sizeof(text) - 1), IK_ADDR_ADDRESS_LIST, NULL, &l);
        if (st == IK_OK) {
            ASSERT_EQ(l.n, 4);
            ok_at = fail;
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(ok_at > 0);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(address_plain_addr_spec),
    IK_TEST_CASE(address_name_addr_forms),
    IK_TEST_CASE(address_comments_are_cfws),
    IK_TEST_CASE(address_folding_is_fws),
    IK_TEST_CASE(address_quoted_local_and_literals),
    IK_TEST_CASE(address_obsolete_forms),
    IK_TEST_CASE(address_lists_and_null_members),
    IK_TEST_CASE(address_groups),
    IK_TEST_CASE(address_encoded_words_stay_raw_and_are_flagged),
    IK_TEST_CASE(address_utf8_is_accepted),
    IK_TEST_CASE(address_ambiguous_inputs_are_refused),
    IK_TEST_CASE(address_malformed_inputs_are_refused),
    IK_TEST_CASE(address_nul_bytes_are_refused),
    IK_TEST_CASE(address_lenient_recoveries),
    IK_TEST_CASE(address_comment_depth_is_bounded),
    IK_TEST_CASE(address_count_is_bounded),
    IK_TEST_CASE(address_truncations_never_crash),
    IK_TEST_CASE(address_survives_arena_exhaustion),
    IK_TEST_CASE(address_rejects_bad_arguments),
    IK_TEST_CASE(addr_survives_allocation_failures),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
