/*
 * test_zone.c - the static zone: master-file reader, lookup semantics, test
 * directives, errors with file:line, and the resolver in both its blocking
 * and its asynchronous form.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ik_test.h"
#include "inkan/dns.h"
#include "inkan/zone.h"

/* ---- helpers ------------------------------------------------------------ */

static ik_zone *zone_from(const char *text)
{
    char err[256];
    ik_zone *z = ik_zone_new(NULL);
    ASSERT_TRUE(z != NULL);
    ik_status st = ik_zone_load_mem(z, "<t>", text, strlen(text), err, sizeof(err));
    if (st != IK_OK)
        IK_TEST_FAIL_("load failed: %s: %s", ik_status_name(st), err);
    return z;
}

static ik_dns_answer *ask(const ik_zone *z, ik_arena *a, const char *name, uint16_t type)
{
    ik_dns_answer *ans = NULL;
    ASSERT_OK(ik_zone_lookup(z, a, ik_str_c(name), type, &ans));
    ASSERT_TRUE(ans != NULL);
    return ans;
}

#define ASSERT_DNS(ans, want)                                                                      \
    do {                                                                                           \
        ik_dns_status g_ = (ans)->status, w_ = (want);                                             \
        if (g_ != w_)                                                                              \
            IK_TEST_FAIL_("%s: got %s, want %s", #ans, ik_dns_status_name(g_),                     \
                          ik_dns_status_name(w_));                                                 \
    } while (0)

/* Loads text expecting failure; checks the status and the error text. */
static void expect_error(const char *text, size_t len, ik_status want, const char *msg)
{
    char err[256];
    ik_zone *z = ik_zone_new(NULL);
    ik_zone_allow_include(z, 0);
    ik_status st = ik_zone_load_mem(z, "<t>", text, len, err, sizeof(err));
    if (st != want)
        IK_TEST_FAIL_("zone \"%.60s\": got %s (%s), want %s", text, ik_status_name(st), err,
                      ik_status_name(want));
    if (strcmp(err, msg) != 0)
        IK_TEST_FAIL_("zone \"%.60s\": message \"%s\", want \"%s\"", text, err, msg);
    ik_zone_free(z);
}

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ik_zone_XXXXXX");
    ASSERT_TRUE(mkdtemp(tmpdir) != NULL);
}

static const char *write_file(const char *rel, const char *text)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    fputs(text, f);
    fclose(f);
    return path;
}

static void remove_tmpdir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ASSERT_EQ(system(cmd), 0);
}

/* ---- record types -------------------------------------------------------- */

static void zone_reads_every_record_type(void)
{
    ik_zone *z = zone_from("$ORIGIN example.\n"
                           "@ 300 IN SOA ns1 hostmaster.example. 1 7200 3600 1209600 60\n"
                           "@ IN NS ns1\n"
                           "ns1 IN A 192.0.2.1\n"
                           "v6 IN AAAA 2001:db8::1\n"
                           "@ IN MX 10 mail\n"
                           "@ IN MX 20 mail.other.\n"
                           "1.2.0.192.in-addr.arpa. IN PTR ns1.example.\n"
                           "www IN CNAME @\n"
                           "@ IN TXT \"v=spf1 -all\"\n"
                           "@ IN SPF \"v=spf1 -all\"\n"
                           "gen IN TYPE65400 \\# 3 abcdef\n"
                           "gen IN A \\# 4 C0000202\n"
                           "empty IN TYPE65401 \\# 0\n");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans;
    char ipbuf[IK_IP_TEXT_MAX];

    ans = ask(z, a, "ns1.example", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->nrr, 1);
    ik_ip_format(&ans->rr[0].u.addr, ipbuf);
    ASSERT_CSTR(ipbuf, "192.0.2.1");
    ASSERT_EQ(ans->ttl, 300); /* no $TTL: the SOA's explicit TTL carries over */

    ans = ask(z, a, "v6.example", IK_DNS_T_AAAA);
    ASSERT_DNS(ans, IK_DNS_OK);
    ik_ip_format(&ans->rr[0].u.addr, ipbuf);
    ASSERT_CSTR(ipbuf, "2001:db8::1");

    ans = ask(z, a, "example", IK_DNS_T_MX);
    ASSERT_EQ(ans->nrr, 2);
    ASSERT_EQ(ans->rr[0].u.mx.pref, 10);
    ASSERT_STR(ans->rr[0].u.mx.host, "mail.example");
    ASSERT_EQ(ans->rr[1].u.mx.pref, 20);
    ASSERT_STR(ans->rr[1].u.mx.host, "mail.other");

    ans = ask(z, a, "1.2.0.192.in-addr.arpa", IK_DNS_T_PTR);
    ASSERT_STR(ans->rr[0].u.name, "ns1.example");
    ans = ask(z, a, "example", IK_DNS_T_NS);
    ASSERT_STR(ans->rr[0].u.name, "ns1.example");
    ans = ask(z, a, "www.example", IK_DNS_T_CNAME);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_STR(ans->rr[0].u.name, "example");

    ans = ask(z, a, "example", IK_DNS_T_SOA);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->rr[0].ttl, 300);
    /* ns1.example, hostmaster.example, then five 32-bit numbers */
    ASSERT_EQ(ans->rr[0].rdata.len, 13 + 20 + 20);

    ans = ask(z, a, "example", IK_DNS_T_TXT);
    ASSERT_STR(ans->rr[0].u.txt.joined, "v=spf1 -all");
    ans = ask(z, a, "example", IK_DNS_T_SPF);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_STR(ans->rr[0].u.txt.joined, "v=spf1 -all");

    ans = ask(z, a, "gen.example", 65400);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->rr[0].rdata.len, 3);
    ASSERT_EQ((uint8_t)ans->rr[0].rdata.p[0], 0xab);
    ASSERT_EQ((uint8_t)ans->rr[0].rdata.p[2], 0xef);
    ans = ask(z, a, "gen.example", IK_DNS_T_A);
    ik_ip_format(&ans->rr[0].u.addr, ipbuf);
    ASSERT_CSTR(ipbuf, "192.0.2.2");
    ans = ask(z, a, "empty.example", 65401);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->rr[0].rdata.len, 0);

    ASSERT_EQ(ik_zone_count(z), 13);
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_txt_joins_strings_and_applies_escapes(void)
{
    ik_zone *z = zone_from("multi.example. TXT \"v=spf1 ip4:192.0.2.0/24 \" \"-all\"\n"
                           "esc.example. TXT \"a\\\"b\\\\c\\059d\\;e\" unquoted\\032word\n"
                           "semi.example. TXT \"x ; not a comment\" ; a comment\n"
                           "empty.example. TXT \"\"\n"
                           "utf8.example. TXT \"caf\xc3\xa9\"\n");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "multi.example", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->nrr, 1);
    ASSERT_EQ(ans->rr[0].u.txt.nstrings, 2);
    ASSERT_STR(ans->rr[0].u.txt.strings[0], "v=spf1 ip4:192.0.2.0/24 ");
    ASSERT_STR(ans->rr[0].u.txt.strings[1], "-all");
    ASSERT_STR(ans->rr[0].u.txt.joined, "v=spf1 ip4:192.0.2.0/24 -all");
    ASSERT_EQ(ans->ttl, IK_ZONE_DEFAULT_TTL); /* no TTL anywhere */

    ans = ask(z, a, "esc.example", IK_DNS_T_TXT);
    ASSERT_EQ(ans->rr[0].u.txt.nstrings, 2);
    ASSERT_STR(ans->rr[0].u.txt.strings[0], "a\"b\\c;d;e");
    ASSERT_STR(ans->rr[0].u.txt.strings[1], "unquoted word");

    ans = ask(z, a, "semi.example", IK_DNS_T_TXT);
    ASSERT_STR(ans->rr[0].u.txt.joined, "x ; not a comment");
    ans = ask(z, a, "empty.example", IK_DNS_T_TXT);
    ASSERT_EQ(ans->rr[0].u.txt.nstrings, 1);
    ASSERT_STR(ans->rr[0].u.txt.joined, "");
    ans = ask(z, a, "utf8.example", IK_DNS_T_TXT);
    ASSERT_STR(ans->rr[0].u.txt.joined, "caf\xc3\xa9");
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_txt_string_of_255_octets_is_accepted(void)
{
    char text[400];
    char s255[256];
    memset(s255, 'x', 255);
    s255[255] = '\0';
    snprintf(text, sizeof(text), "long.example. TXT \"%s\" \"%s\"\n", s255, "tail");
    ik_zone *z = zone_from(text);
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "long.example", IK_DNS_T_TXT);
    ASSERT_EQ(ans->rr[0].u.txt.strings[0].len, 255);
    ASSERT_EQ(ans->rr[0].u.txt.joined.len, 259);
    ik_arena_free(a);
    ik_zone_free(z);
}

/* ---- names, TTLs, owners -------------------------------------------------- */

static void zone_origin_ttl_and_owner_rules(void)
{
    ik_zone *z = zone_from("; no $TTL yet: the last explicit TTL carries over\n"
                           "a.example. 120 IN A 192.0.2.1\n"
                           "b.example. IN A 192.0.2.2\n"
                           "$ORIGIN Example.\n"
                           "c IN 60 A 192.0.2.3\n"  /* class then TTL */
                           "  TXT \"owner is c\"\n" /* omitted owner */
                           "$TTL 1h30m\n"
                           "d A 192.0.2.4\n"
                           "e 10 A 192.0.2.5\n"
                           "f A 192.0.2.6\n" /* $TTL, not 10 */
                           "$ORIGIN sub\n"   /* relative to example */
                           "g A 192.0.2.7\n"
                           "@ TXT apex\n"
                           "h.other. A 192.0.2.8\n"
                           "$ORIGIN .\n"
                           "plain A 192.0.2.9\n");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans;
    ans = ask(z, a, "a.example", IK_DNS_T_A);
    ASSERT_EQ(ans->ttl, 120);
    ans = ask(z, a, "b.example", IK_DNS_T_A);
    ASSERT_EQ(ans->ttl, 120);
    ans = ask(z, a, "c.example", IK_DNS_T_A);
    ASSERT_EQ(ans->ttl, 60);
    ans = ask(z, a, "c.example", IK_DNS_T_TXT);
    ASSERT_STR(ans->rr[0].u.txt.joined, "owner is c");
    ASSERT_EQ(ans->ttl, 60);
    ans = ask(z, a, "d.example", IK_DNS_T_A);
    ASSERT_EQ(ans->ttl, 5400);
    ans = ask(z, a, "e.example", IK_DNS_T_A);
    ASSERT_EQ(ans->ttl, 10);
    ans = ask(z, a, "f.example", IK_DNS_T_A);
    ASSERT_EQ(ans->ttl, 5400);
    ASSERT_DNS(ask(z, a, "g.sub.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "sub.example", IK_DNS_T_TXT), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "h.other", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "plain", IK_DNS_T_A), IK_DNS_OK);
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_parentheses_span_lines(void)
{
    ik_zone *z = zone_from("example. IN SOA ns.example. host.example. (\n"
                           "        2026010101 ; serial\n"
                           "        7200       ; refresh\n"
                           "        3600 1209600\n"
                           "        120 )      ; minimum\n"
                           "txt.example. TXT ( \"one\"\n"
                           "                   \"two\" )\n"
                           "after.example. A 192.0.2.1\n");
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_DNS(ask(z, a, "example", IK_DNS_T_SOA), IK_DNS_OK);
    ik_dns_answer *ans = ask(z, a, "txt.example", IK_DNS_T_TXT);
    ASSERT_STR(ans->rr[0].u.txt.joined, "onetwo");
    ASSERT_DNS(ask(z, a, "after.example", IK_DNS_T_A), IK_DNS_OK);
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_crlf_and_missing_final_newline_are_fine(void)
{
    ik_zone *z = zone_from("a.example. A 192.0.2.1\r\n\r\nb.example. TXT \"x\"");
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_DNS(ask(z, a, "a.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_STR(ask(z, a, "b.example", IK_DNS_T_TXT)->rr[0].u.txt.joined, "x");
    ik_arena_free(a);
    ik_zone_free(z);
}

/* ---- $INCLUDE ---------------------------------------------------------------- */

static void zone_include_is_relative_to_the_including_file(void)
{
    make_tmpdir();
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
    ASSERT_EQ(mkdir(sub, 0700), 0);
    write_file("sub/inner.zone", "inner A 192.0.2.20\n$ORIGIN changed.\nx A 192.0.2.21\n");
    write_file("sub/mid.zone", "$INCLUDE inner.zone\nmid A 192.0.2.22\n");
    const char *top = write_file("top.zone", "$ORIGIN example.\n"
                                             "$INCLUDE sub/mid.zone\n"
                                             "$INCLUDE \"sub/inner.zone\" other.\n"
                                             "after A 192.0.2.23\n");
    char err[256];
    ik_zone *z = ik_zone_new(NULL);
    ik_status st = ik_zone_load_file(z, top, err, sizeof(err));
    if (st)
        IK_TEST_FAIL_("%s", err);
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_DNS(ask(z, a, "inner.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "x.changed", IK_DNS_T_A), IK_DNS_OK);
    /* mid.zone's origin is still example. after its include changed it */
    ASSERT_DNS(ask(z, a, "mid.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "inner.other", IK_DNS_T_A), IK_DNS_OK);
    /* and the top file's origin survives both includes */
    ASSERT_DNS(ask(z, a, "after.example", IK_DNS_T_A), IK_DNS_OK);
    ik_arena_free(a);
    ik_zone_free(z);
    remove_tmpdir();
}

static void zone_include_loop_is_an_error_with_file_and_line(void)
{
    make_tmpdir();
    char b_path[300], want[700];
    write_file("a.zone", "a.example. A 192.0.2.1\n$INCLUDE b.zone\n");
    snprintf(b_path, sizeof(b_path), "%s/b.zone", tmpdir);
    write_file("b.zone", "; b includes a again\n\n$INCLUDE a.zone\n");
    char a_path[300];
    snprintf(a_path, sizeof(a_path), "%s/a.zone", tmpdir);
    char err[512];
    ik_zone *z = ik_zone_new(NULL);
    ASSERT_STATUS(ik_zone_load_file(z, a_path, err, sizeof(err)), IK_ESYNTAX);
    snprintf(want, sizeof(want), "%s:3: $INCLUDE loop: this file is already being read: 'a.zone'",
             b_path);
    ASSERT_CSTR(err, want);
    ik_zone_free(z);
    remove_tmpdir();
}

static void zone_include_depth_is_bounded(void)
{
    make_tmpdir();
    char name[32], text[64];
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof(name), "z%d.zone", i);
        snprintf(text, sizeof(text), "n%d.example. A 192.0.2.1\n$INCLUDE z%d.zone\n", i, i + 1);
        write_file(name, text);
    }
    char top[300], err[512];
    snprintf(top, sizeof(top), "%s/z0.zone", tmpdir);
    ik_zone *z = ik_zone_new(NULL);
    ASSERT_STATUS(ik_zone_load_file(z, top, err, sizeof(err)), IK_ELIMIT);
    ASSERT_TRUE(strstr(err, "/z8.zone:2: $INCLUDE nested deeper than 8 files at 'z9.zone'")
                != NULL);
    ik_zone_free(z);
    remove_tmpdir();
}

static void zone_include_can_be_disabled_and_missing_files_are_eio(void)
{
    char err[256];
    ik_zone *z = ik_zone_new(NULL);
    ik_zone_allow_include(z, 0);
    const char *t = "$INCLUDE /etc/hostname\n";
    ASSERT_STATUS(ik_zone_load_mem(z, "<t>", t, strlen(t), err, sizeof(err)), IK_ESYNTAX);
    ASSERT_CSTR(err, "<t>:1: $INCLUDE is disabled");
    ik_zone_allow_include(z, 1);
    t = "\n$INCLUDE /nonexistent/zone/file\n";
    ASSERT_STATUS(ik_zone_load_mem(z, "<t>", t, strlen(t), err, sizeof(err)), IK_EIO);
    ASSERT_CSTR(err, "<t>:2: cannot read '/nonexistent/zone/file': No such file or directory");
    ASSERT_STATUS(ik_zone_load_file(z, "/nonexistent.zone", err, sizeof(err)), IK_EIO);
    ASSERT_CSTR(err, "/nonexistent.zone: No such file or directory");
    ASSERT_STATUS(ik_zone_load_file(z, "/dev/zero", err, sizeof(err)), IK_EIO);
    ASSERT_CSTR(err, "/dev/zero: not a regular file");
    ik_zone_free(z);
}

/* ---- errors --------------------------------------------------------------- */

static void zone_errors_name_line_and_token(void)
{
    static const struct {
        const char *text;
        ik_status st;
        const char *msg;
    } cases[] = {
        { "a.example. A 192.0.2.300\n", IK_ESYNTAX, "<t>:1: bad IPv4 address '192.0.2.300'" },
        { "ok.example. A 192.0.2.1\n; comment\n\nbad.example. A x\n", IK_ESYNTAX,
          "<t>:4: bad IPv4 address 'x'" },
        { "a.example. AAAA 2001:db8::g\n", IK_ESYNTAX, "<t>:1: bad IPv6 address '2001:db8::g'" },
        { "a.example. AAAA 192.0.2.1\n", IK_ESYNTAX, "<t>:1: bad IPv6 address '192.0.2.1'" },
        { "a.example. FOO x\n", IK_ESYNTAX, "<t>:1: unknown record type 'FOO'" },
        { "a.example. ANY x\n", IK_ESYNTAX, "<t>:1: unknown record type 'ANY'" },
        { "a.example. TXT \"abc\n", IK_ESYNTAX, "<t>:1: unterminated quoted string" },
        { "a.example. TXT \"abc", IK_ESYNTAX, "<t>:1: unterminated quoted string" },
        { "x. A 192.0.2.1\na.example. TXT ( \"abc\"\n\n", IK_ESYNTAX,
          "<t>:2: '(' not closed before the end of the file" },
        { "a.example. TXT ( ( \"abc\" ) )\n", IK_ESYNTAX, "<t>:1: nested '('" },
        { "a.example. TXT \"abc\" )\n", IK_ESYNTAX, "<t>:1: ')' without '('" },
        { "a.example. MX 10\n", IK_ESYNTAX, "<t>:1: MX record: missing exchange name" },
        { "a.example. MX\n", IK_ESYNTAX, "<t>:1: MX record: missing preference" },
        { "a.example. A\n", IK_ESYNTAX, "<t>:1: A record: missing address" },
        { "a.example. TXT\n", IK_ESYNTAX, "<t>:1: TXT record: missing character-string" },
        { "a.example. SOA ns. host. 1 2 3\n", IK_ESYNTAX, "<t>:1: SOA record: missing EXPIRE" },
        { "a.example. SOA ns. host. 1 2 3 4 x\n", IK_ESYNTAX, "<t>:1: bad SOA MINIMUM 'x'" },
        { "a.example. 300 IN\n", IK_ESYNTAX, "<t>:1: missing record type after 'IN'" },
        { "a.example.\n", IK_ESYNTAX, "<t>:1: missing record type after 'a.example.'" },
        { "a.example. MX 70000 b.\n", IK_ESYNTAX, "<t>:1: bad MX preference '70000'" },
        { "a.example. CH TXT x\n", IK_ESYNTAX, "<t>:1: only class IN is supported, not 'CH'" },
        { "a.example. IN IN TXT x\n", IK_ESYNTAX, "<t>:1: class given twice: 'IN'" },
        { "a.example. 1 2 TXT x\n", IK_ESYNTAX, "<t>:1: bad TTL '2'" },
        { "a.example. 99999999999 TXT x\n", IK_ESYNTAX, "<t>:1: bad TTL '99999999999'" },
        { "a.example. 1x TXT x\n", IK_ESYNTAX, "<t>:1: bad TTL '1x'" },
        { "$GENERATE 1-10 a$ A 192.0.2.$\n", IK_ESYNTAX, "<t>:1: unknown directive '$GENERATE'" },
        { "$ORIGIN\n", IK_ESYNTAX, "<t>:1: $ORIGIN: missing domain name" },
        { "$ORIGIN a. b.\n", IK_ESYNTAX, "<t>:1: unexpected 'b.'" },
        { "$TTL abc\n", IK_ESYNTAX, "<t>:1: bad TTL 'abc'" },
        { "$TTL\n", IK_ESYNTAX, "<t>:1: $TTL: missing TTL" },
        { "$TIMEOUT\n", IK_ESYNTAX, "<t>:1: $TIMEOUT: missing domain name" },
        { "$TIMEOUT a.example. BOGUS\n", IK_ESYNTAX, "<t>:1: unknown type 'BOGUS'" },
        { "$SERVFAIL a.example. TXT extra\n", IK_ESYNTAX, "<t>:1: unexpected 'extra'" },
        { "  A 192.0.2.1\n", IK_ESYNTAX, "<t>:1: no owner name before the indented entry at 'A'" },
        { "a..example. A 192.0.2.1\n", IK_ESYNTAX,
          "<t>:1: empty label in domain name 'a..example.'" },
        { ".a. A 192.0.2.1\n", IK_ESYNTAX, "<t>:1: empty label in domain name '.a.'" },
        { "a\\.b.example. A 192.0.2.1\n", IK_ESYNTAX,
          "<t>:1: escaped '.' inside a label is not supported in 'a\\.b.example.'" },
        { "a\\3.example. A 192.0.2.1\n", IK_ESYNTAX, "<t>:1: bad \\DDD escape in 'a\\3.example.'" },
        { "a.example. TYPE65280 abc\n", IK_ESYNTAX,
          "<t>:1: TYPE65280 record: RDATA must be in RFC 3597 form (\\# length hex)" },
        { "a.example. TYPE65280 \\# 3 abcd\n", IK_ESYNTAX,
          "<t>:1: RFC 3597 RDATA length 3 but 2 octets given" },
        { "a.example. TYPE65280 \\# 1 abc\n", IK_ESYNTAX,
          "<t>:1: odd number of hex digits in RFC 3597 RDATA" },
        { "a.example. TYPE65280 \\# 1 abcd\n", IK_ESYNTAX,
          "<t>:1: more RDATA than its RFC 3597 length at 'abcd'" },
        { "a.example. TYPE65280 \\# 2 zz00\n", IK_ESYNTAX,
          "<t>:1: bad hex in RFC 3597 RDATA 'zz00'" },
        { "a.example. TYPE65280 \\# x\n", IK_ESYNTAX, "<t>:1: bad RFC 3597 RDATA length 'x'" },
        { "a.example. TYPE65280 \\#\n", IK_ESYNTAX,
          "<t>:1: TYPE65280 record: missing RDATA length after \\#" },
        { "a.example. A \\# 3 c00002\n", IK_ESYNTAX,
          "<t>:1: A record: RDATA is malformed for the type" },
        { "a.example. MX \\# 3 000a05\n", IK_ESYNTAX,
          "<t>:1: MX record: RDATA is malformed for the type" },
        { "a.example. A 192.0.2.1 extra\n", IK_ESYNTAX,
          "<t>:1: unexpected text after the RDATA: 'extra'" },
        { "a.example. TXT \"\\300\"\n", IK_ESYNTAX, "<t>:1: bad \\DDD escape in '\\300'" },
        { "a.example. TXT \"\\2x\"\n", IK_ESYNTAX, "<t>:1: bad \\DDD escape in '\\2x'" },
        { "a.example. TXT abc\\", IK_ESYNTAX, "<t>:1: backslash at end of line" },
        { "a.example. TXT \"a\x01\"\n", IK_ESYNTAX, "<t>:1: control character 0x01 in zone text" },
        { "a.example. TXT ab\x7f\n", IK_ESYNTAX, "<t>:1: control character 0x7f in zone text" },
        { "a.example. MX 10 a..b.\n", IK_ESYNTAX, "<t>:1: empty label in domain name 'a..b.'" },
        { "a.example. CNAME \"\"\n", IK_ESYNTAX, "<t>:1: empty domain name ''" },
        /* the token is on line 3 of a parenthesised entry */
        { "a.example. SOA ns. host. (\n 1 2 3\n 4 bad )\n", IK_ESYNTAX,
          "<t>:3: bad SOA MINIMUM 'bad'" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_error(cases[i].text, strlen(cases[i].text), cases[i].st, cases[i].msg);
}

static void zone_rejects_nul_bytes(void)
{
    static const char t1[] = "a.example. TXT \"a\0b\"\n";
    expect_error(t1, sizeof(t1) - 1, IK_ESYNTAX, "<t>:1: NUL byte in zone text");
    static const char t2[] = "ok. A 192.0.2.1\n; comment \0 with NUL\n";
    expect_error(t2, sizeof(t2) - 1, IK_ESYNTAX, "<t>:2: NUL byte in zone text");
    static const char t3[] = "a.example\0. A 192.0.2.1\n";
    expect_error(t3, sizeof(t3) - 1, IK_ESYNTAX, "<t>:1: NUL byte in zone text");
}

static void zone_rejects_oversized_strings_labels_and_lines(void)
{
    char *text = malloc(IK_ZONE_MAX_LINE + 100);
    char msg[200];
    /* a 256-octet character-string */
    char s256[257];
    memset(s256, 'y', 256);
    s256[256] = '\0';
    snprintf(text, 400, "ok. A 192.0.2.1\nlong.example. TXT \"short\" \"%s\"\n", s256);
    snprintf(msg, sizeof(msg), "<t>:2: character-string longer than 255 octets: '%.48s...'", s256);
    expect_error(text, strlen(text), IK_ESYNTAX, msg);
    /* 256 octets only after escapes: 255 x plus \065 */
    memset(s256, 'x', 255);
    s256[255] = '\0';
    snprintf(text, 400, "e.example. TXT %s\\065\n", s256);
    expect_error(text, strlen(text), IK_ESYNTAX,
                 "<t>:1: character-string longer than 255 octets: "
                 "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
    /* a 64-octet label */
    char label[65];
    memset(label, 'l', 64);
    label[64] = '\0';
    snprintf(text, 400, "%s.example. A 192.0.2.1\n", label);
    snprintf(msg, sizeof(msg), "<t>:1: label longer than 63 octets in '%.48s...'", text);
    expect_error(text, strlen(text), IK_ESYNTAX, msg);
    /* a name over 253 octets once the origin is added */
    snprintf(text, 400, "$ORIGIN %s.%s.%s.\n%s A 192.0.2.1\n", label + 1, label + 1, label + 1,
             label + 1);
    snprintf(msg, sizeof(msg),
             "<t>:2: domain name longer than 253 octets with the origin: '%.48s...'", label + 1);
    expect_error(text, strlen(text), IK_ESYNTAX, msg);
    /* a physical line over the limit */
    memset(text, 'a', IK_ZONE_MAX_LINE + 10);
    memcpy(text, "\nx TXT ", 7);
    text[IK_ZONE_MAX_LINE + 10] = '\n';
    text[IK_ZONE_MAX_LINE + 11] = '\0';
    snprintf(msg, sizeof(msg), "<t>:2: line longer than %d bytes", IK_ZONE_MAX_LINE);
    expect_error(text, strlen(text), IK_ELIMIT, msg);
    free(text);
}

static void zone_rdata_over_64k_is_an_error(void)
{
    /* 260 strings of 255 octets: 66560 octets of RDATA */
    size_t cap = 300 * 260 + 100;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "big.example. TXT (\n");
    for (int i = 0; i < 260; i++) {
        text[n++] = '"';
        memset(text + n, 'z', 255);
        n += 255;
        text[n++] = '"';
        text[n++] = '\n';
    }
    n += (size_t)snprintf(text + n, cap - n, ")\n");
    expect_error(text, n, IK_ESYNTAX, "<t>:1: TXT record: RDATA longer than 65535 octets");
    free(text);
}

/* ---- lookup semantics -------------------------------------------------------- */

static void zone_nodata_nxdomain_and_empty_non_terminals(void)
{
    ik_zone *z = zone_from("a.b.c.example. A 192.0.2.1\n"
                           "c.example. TXT \"x\"\n");
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_DNS(ask(z, a, "a.b.c.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "a.b.c.example", IK_DNS_T_TXT), IK_DNS_NODATA);
    /* b.c.example holds nothing but is the parent of a name that does */
    ASSERT_DNS(ask(z, a, "b.c.example", IK_DNS_T_A), IK_DNS_NODATA);
    ASSERT_DNS(ask(z, a, "example", IK_DNS_T_TXT), IK_DNS_NODATA);
    ASSERT_DNS(ask(z, a, "c.example", IK_DNS_T_A), IK_DNS_NODATA);
    ASSERT_DNS(ask(z, a, "x.b.c.example", IK_DNS_T_A), IK_DNS_NXDOMAIN);
    ASSERT_DNS(ask(z, a, "d.example", IK_DNS_T_A), IK_DNS_NXDOMAIN);
    ASSERT_DNS(ask(z, a, "b.example", IK_DNS_T_A), IK_DNS_NXDOMAIN);
    ik_dns_answer *ans = ask(z, a, "d.example", IK_DNS_T_A);
    ASSERT_EQ(ans->nrr, 0);
    ASSERT_EQ(ans->ttl, IK_ZONE_NEGATIVE_TTL);
    ASSERT_STR(ans->canonical, "d.example");
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_negative_ttl_comes_from_the_enclosing_soa(void)
{
    ik_zone *z = zone_from("example. 600 SOA ns. host. 1 2 3 4 120\n"
                           "a.example. A 192.0.2.1\n"
                           "other. 60 SOA ns. host. 1 2 3 4 900\n");
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_EQ(ask(z, a, "x.a.example", IK_DNS_T_A)->ttl, 120);
    ASSERT_EQ(ask(z, a, "a.example", IK_DNS_T_TXT)->ttl, 120);
    ASSERT_EQ(ask(z, a, "y.other", IK_DNS_T_A)->ttl, 60); /* SOA TTL below MINIMUM */
    ASSERT_EQ(ask(z, a, "unrelated", IK_DNS_T_A)->ttl, IK_ZONE_NEGATIVE_TTL);
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_names_are_case_insensitive_and_checked(void)
{
    ik_zone *z = zone_from("MiXeD.Example. A 192.0.2.1\n");
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_DNS(ask(z, a, "mixed.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "MIXED.EXAMPLE.", IK_DNS_T_A), IK_DNS_OK);
    ik_dns_answer *ans = ask(z, a, "MIXED.EXAMPLE.", IK_DNS_T_A);
    ASSERT_STR(ans->canonical, "mixed.example");
    ASSERT_DNS(ask(z, a, "mixed..example", IK_DNS_T_A), IK_DNS_INVALID);
    ASSERT_DNS(ask(z, a, "", IK_DNS_T_A), IK_DNS_INVALID);
    ASSERT_DNS(ask(z, a, ".", IK_DNS_T_A), IK_DNS_INVALID);
    ASSERT_DNS(ask(z, a, "mixed.example..", IK_DNS_T_A), IK_DNS_INVALID);
    char longlabel[80];
    memset(longlabel, 'q', 64);
    strcpy(longlabel + 64, ".example");
    ASSERT_DNS(ask(z, a, longlabel, IK_DNS_T_A), IK_DNS_INVALID);
    ans = ask(z, a, "bad..name", IK_DNS_T_A);
    ASSERT_STR(ans->why, "invalid query name");
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_cname_chain_is_followed(void)
{
    ik_zone *z = zone_from("www.example. CNAME web.example.\n"
                           "web.example. CNAME host.example.\n"
                           "host.example. A 192.0.2.80\n"
                           "host.example. A 192.0.2.81\n"
                           "dangling.example. CNAME nowhere.example.\n"
                           "empty.example. CNAME host.example.\n"
                           "both.example. CNAME host.example.\n"
                           "both.example. TXT \"own\"\n");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "WWW.example", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_EQ(ans->nrr, 2);
    ASSERT_STR(ans->canonical, "host.example");
    ans = ask(z, a, "www.example", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_NODATA);
    ASSERT_STR(ans->canonical, "host.example");
    ans = ask(z, a, "dangling.example", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_NXDOMAIN);
    ASSERT_STR(ans->canonical, "nowhere.example");
    /* asking for the CNAME itself does not follow it */
    ans = ask(z, a, "www.example", IK_DNS_T_CNAME);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_STR(ans->canonical, "www.example");
    ASSERT_STR(ans->rr[0].u.name, "web.example");
    /* records of the asked type at the name win over its CNAME */
    ans = ask(z, a, "both.example", IK_DNS_T_TXT);
    ASSERT_STR(ans->rr[0].u.txt.joined, "own");
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_cname_loops_and_long_chains_are_tempfail(void)
{
    ik_zone *z = zone_from("a.example. CNAME b.example.\n"
                           "b.example. CNAME c.example.\n"
                           "c.example. CNAME a.example.\n"
                           "self.example. CNAME self.example.\n"
                           "l0.example. CNAME l1.example.\n"
                           "l1.example. CNAME l2.example.\n"
                           "l2.example. CNAME l3.example.\n"
                           "l3.example. CNAME l4.example.\n"
                           "l4.example. CNAME l5.example.\n"
                           "l5.example. CNAME l6.example.\n"
                           "l6.example. CNAME l7.example.\n"
                           "l7.example. CNAME l8.example.\n"
                           "l8.example. CNAME l9.example.\n"
                           "l9.example. A 192.0.2.9\n");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "a.example", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_TEMPFAIL);
    ASSERT_STR(ans->why, "CNAME loop");
    ans = ask(z, a, "self.example", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_TEMPFAIL);
    ASSERT_STR(ans->why, "CNAME loop");
    /* eight links are followed, nine are too many */
    ASSERT_DNS(ask(z, a, "l1.example", IK_DNS_T_A), IK_DNS_OK);
    ans = ask(z, a, "l0.example", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_TEMPFAIL);
    ASSERT_STR(ans->why, "CNAME chain too long");
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_any_returns_every_record(void)
{
    ik_zone *z = zone_from("x.example. A 192.0.2.1\nx.example. TXT t\nx.example. MX 0 .\n");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "x.example", IK_DNS_T_ANY);
    ASSERT_EQ(ans->nrr, 3);
    ASSERT_EQ(ans->rr[2].type, IK_DNS_T_MX);
    ASSERT_STR(ans->rr[2].u.mx.host, ""); /* the null MX of RFC 7505 */
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_many_names_resize_the_table(void)
{
    ik_zone *z = ik_zone_new(NULL);
    char name[64];
    uint8_t addr[4] = { 192, 0, 2, 0 };
    for (int i = 0; i < 20000; i++) {
        snprintf(name, sizeof(name), "h%d.n%d.example", i, i % 97);
        addr[3] = (uint8_t)i;
        ASSERT_OK(ik_zone_add_rr(z, ik_str_c(name), IK_DNS_T_A, 60, addr, 4));
    }
    ik_arena *a = ik_arena_new(NULL);
    for (int i = 0; i < 20000; i++) {
        snprintf(name, sizeof(name), "H%d.N%d.example", i, i % 97);
        ik_dns_answer *ans = ask(z, a, name, IK_DNS_T_A);
        ASSERT_DNS(ans, IK_DNS_OK);
        ASSERT_EQ((uint8_t)ans->rr[0].rdata.p[3], (uint8_t)i);
        if (i % 1000 == 0)
            ik_arena_reset(a);
    }
    ASSERT_DNS(ask(z, a, "n5.example", IK_DNS_T_A), IK_DNS_NODATA);
    ASSERT_DNS(ask(z, a, "n97.example", IK_DNS_T_A), IK_DNS_NXDOMAIN);
    ASSERT_EQ(ik_zone_count(z), 20000);
    ik_arena_free(a);
    ik_zone_free(z);
}

/* ---- test directives ---------------------------------------------------------- */

static void zone_timeout_applies_only_without_records(void)
{
    ik_zone *z = zone_from("both.example. A 192.0.2.1\n"
                           "$TIMEOUT both.example.\n"
                           "$TIMEOUT txtonly.example. TXT\n"
                           "txtonly.example. A 192.0.2.2\n"
                           "$TIMEOUT gone.example\n"
                           "alias.example. CNAME both.example.\n"
                           "$TIMEOUT alias.example.\n");
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_DNS(ask(z, a, "both.example", IK_DNS_T_A), IK_DNS_OK);
    ik_dns_answer *ans = ask(z, a, "both.example", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_TEMPFAIL);
    ASSERT_STR(ans->why, "timeout");
    ASSERT_DNS(ask(z, a, "txtonly.example", IK_DNS_T_TXT), IK_DNS_TEMPFAIL);
    ASSERT_DNS(ask(z, a, "txtonly.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "txtonly.example", IK_DNS_T_MX), IK_DNS_NODATA);
    ASSERT_DNS(ask(z, a, "gone.example", IK_DNS_T_MX), IK_DNS_TEMPFAIL);
    ASSERT_DNS(ask(z, a, "GONE.example.", IK_DNS_T_A), IK_DNS_TEMPFAIL);
    /* a CNAME counts as records: followed, then the target's rule applies */
    ASSERT_DNS(ask(z, a, "alias.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "alias.example", IK_DNS_T_TXT), IK_DNS_TEMPFAIL);
    /* a name with only a rule does not exist for other purposes */
    ASSERT_DNS(ask(z, a, "sub.gone.example", IK_DNS_T_A), IK_DNS_NXDOMAIN);
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_servfail_applies_always(void)
{
    ik_zone *z = zone_from("sf.example. A 192.0.2.1\n"
                           "sf.example. TXT \"v=spf1 -all\"\n"
                           "$SERVFAIL sf.example. TXT\n"
                           "$SERVFAIL all.example.\n"
                           "all.example. MX 10 sf.example.\n"
                           "via.example. CNAME sf.example.\n");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "sf.example", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_TEMPFAIL);
    ASSERT_STR(ans->why, "SERVFAIL");
    ASSERT_EQ(ans->nrr, 0);
    ASSERT_DNS(ask(z, a, "sf.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "all.example", IK_DNS_T_MX), IK_DNS_TEMPFAIL);
    ASSERT_DNS(ask(z, a, "all.example", IK_DNS_T_A), IK_DNS_TEMPFAIL);
    ASSERT_DNS(ask(z, a, "via.example", IK_DNS_T_TXT), IK_DNS_TEMPFAIL);
    ASSERT_DNS(ask(z, a, "via.example", IK_DNS_T_A), IK_DNS_OK);
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_programmatic_records_and_rules(void)
{
    ik_zone *z = ik_zone_new(NULL);
    static const uint8_t txt[] = { 5, 'h', 'e', 'l', 'l', 'o', 3, 'w', 'l', 'd' };
    static const uint8_t mx[] = { 0, 10, 4, 'm', 'a', 'i', 'l', 2, 'e', 'x', 0 };
    static const uint8_t bad_mx[] = { 0, 10, 4, 'm', 'a' };
    static const uint8_t bad_txt[] = { 9, 'a' };
    static const uint8_t addr[] = { 192, 0, 2, 1 };
    ASSERT_OK(ik_zone_add_rr(z, IK_STR_LIT("Prog.Example."), IK_DNS_T_TXT, 42, txt, sizeof(txt)));
    ASSERT_OK(ik_zone_add_rr(z, IK_STR_LIT("prog.example"), IK_DNS_T_MX, 42, mx, sizeof(mx)));
    ASSERT_STATUS(
        ik_zone_add_rr(z, IK_STR_LIT("prog.example"), IK_DNS_T_MX, 1, bad_mx, sizeof(bad_mx)),
        IK_ESYNTAX);
    ASSERT_STATUS(
        ik_zone_add_rr(z, IK_STR_LIT("prog.example"), IK_DNS_T_TXT, 1, bad_txt, sizeof(bad_txt)),
        IK_ESYNTAX);
    ASSERT_STATUS(ik_zone_add_rr(z, IK_STR_LIT("prog.example"), IK_DNS_T_A, 1, addr, 3),
                  IK_ESYNTAX);
    ASSERT_STATUS(ik_zone_add_rr(z, IK_STR_LIT("prog.example"), IK_DNS_T_SOA, 1, addr, 4),
                  IK_ESYNTAX);
    ASSERT_STATUS(ik_zone_add_rr(z, IK_STR_LIT("a..b"), IK_DNS_T_A, 1, addr, 4), IK_EINVAL);
    ASSERT_STATUS(ik_zone_add_rr(z, IK_STR_LIT("a.b"), 0, 1, addr, 4), IK_EINVAL);
    ASSERT_STATUS(ik_zone_add_rr(z, IK_STR_LIT("a.b"), IK_DNS_T_ANY, 1, addr, 4), IK_EINVAL);
    ASSERT_STATUS(ik_zone_add_rr(z, IK_STR_LIT("a.b"), 99, 1, NULL, 70000), IK_EINVAL);
    ASSERT_OK(ik_zone_add_failure(z, IK_STR_LIT("to.example"), IK_DNS_T_TXT, IK_DNS_TEMPFAIL));
    ASSERT_OK(ik_zone_add_failure(z, IK_STR_LIT("ref.example"), 0, IK_DNS_PERMFAIL));
    ASSERT_OK(ik_zone_add_servfail(z, IK_STR_LIT("sf.example"), 0));
    ASSERT_STATUS(ik_zone_add_failure(z, IK_STR_LIT("x.example"), 0, IK_DNS_NXDOMAIN), IK_EINVAL);
    ASSERT_STATUS(ik_zone_add_servfail(z, IK_STR_LIT("x..example"), 0), IK_EINVAL);
    ASSERT_EQ(ik_zone_count(z), 2);

    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "prog.example", IK_DNS_T_TXT);
    ASSERT_STR(ans->rr[0].u.txt.joined, "hellowld");
    ASSERT_EQ(ans->ttl, 42);
    ans = ask(z, a, "prog.example", IK_DNS_T_MX);
    ASSERT_STR(ans->rr[0].u.mx.host, "mail.ex");
    ans = ask(z, a, "to.example", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_TEMPFAIL);
    ASSERT_STR(ans->why, "timeout");
    ASSERT_DNS(ask(z, a, "to.example", IK_DNS_T_A), IK_DNS_NXDOMAIN);
    ans = ask(z, a, "ref.example", IK_DNS_T_A);
    ASSERT_DNS(ans, IK_DNS_PERMFAIL);
    ASSERT_STR(ans->why, "REFUSED");
    ans = ask(z, a, "sf.example", IK_DNS_T_A);
    ASSERT_STR(ans->why, "SERVFAIL");
    ik_arena_free(a);
    ik_zone_free(z);
}

/* ---- resolver -------------------------------------------------------------- */

typedef struct done_log {
    int calls;
    int in_submit;
    int called_in_submit;
    ik_dns_query *order[8];
} done_log;

static void log_done(void *arg, ik_dns_query *q)
{
    done_log *l = arg;
    if (l->in_submit)
        l->called_in_submit = 1;
    ASSERT_TRUE(q->answer != NULL);
    if (l->calls < 8)
        l->order[l->calls] = q;
    l->calls++;
}

static void zone_resolver_blocking_and_answer_all(void)
{
    ik_zone *z = zone_from("a.example. A 192.0.2.1\n"
                           "a.example. TXT \"v=spf1 a -all\"\n"
                           "$TIMEOUT slow.example.\n");
    ik_resolver r;
    ASSERT_OK(ik_zone_resolver(z, &r));
    ASSERT_CSTR(r.ops->name, "zone");
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_query *q = ik_dns_query_new(a, IK_STR_LIT("A.Example."), IK_DNS_T_A);
    ASSERT_OK(r.ops->resolve(r.self, a, q));
    ASSERT_DNS(q->answer, IK_DNS_OK);

    /* a list, answered through submit + wait since the zone is async too */
    ik_dns_query *q1 = ik_dns_query_new(a, IK_STR_LIT("a.example"), IK_DNS_T_TXT);
    ik_dns_query *q2 = ik_dns_query_new(a, IK_STR_LIT("slow.example"), IK_DNS_T_TXT);
    ik_dns_query *q3 = ik_dns_query_new(a, IK_STR_LIT("no.example"), IK_DNS_T_A);
    ik_dns_query *q4 = ik_dns_query_new(a, IK_STR_LIT("a.example"), IK_DNS_T_MX);
    q1->next = q2;
    q2->next = q3;
    q3->next = q4;
    q4->answer = ik_dns_answer_new(a, IK_DNS_PERMFAIL); /* already answered: kept */
    ASSERT_OK(ik_resolver_answer_all(&r, a, q1));
    ASSERT_DNS(q1->answer, IK_DNS_OK);
    ASSERT_STR(q1->answer->rr[0].u.txt.joined, "v=spf1 a -all");
    ASSERT_DNS(q2->answer, IK_DNS_TEMPFAIL);
    ASSERT_DNS(q3->answer, IK_DNS_NXDOMAIN);
    ASSERT_DNS(q4->answer, IK_DNS_PERMFAIL);
    /* nothing outstanding: wait says so instead of blocking forever */
    ASSERT_STATUS(r.ops->wait(r.self), IK_ESTATE);
    ik_resolver_close(&r);
    ASSERT_TRUE(r.ops == NULL);
    ik_resolver_close(&r); /* a closed (zeroed) resolver is accepted */
    ik_arena_free(a);
    ik_zone_free(z);
}

static void zone_resolver_delivers_from_process_via_its_fd(void)
{
    ik_zone *z = zone_from("a.example. A 192.0.2.1\n");
    ik_resolver r;
    ASSERT_OK(ik_zone_resolver(z, &r));
    ik_arena *a = ik_arena_new(NULL);
    done_log log;
    memset(&log, 0, sizeof(log));
    int fd = r.ops->fd(r.self);
    ASSERT_TRUE(fd >= 0);
    struct pollfd pfd = { fd, POLLIN, 0 };
    ASSERT_EQ(poll(&pfd, 1, 0), 0); /* idle: not readable */

    ik_dns_query *q1 = ik_dns_query_new(a, IK_STR_LIT("a.example"), IK_DNS_T_A);
    ik_dns_query *q2 = ik_dns_query_new(a, IK_STR_LIT("b.example"), IK_DNS_T_A);
    log.in_submit = 1;
    ASSERT_OK(r.ops->submit(r.self, a, q1, log_done, &log));
    ASSERT_OK(r.ops->submit(r.self, a, q2, log_done, &log));
    log.in_submit = 0;
    ASSERT_EQ(log.calls, 0);
    ASSERT_FALSE(log.called_in_submit);
    ASSERT_TRUE(q1->answer == NULL);
    ASSERT_EQ(poll(&pfd, 1, 1000), 1);
    ASSERT_OK(r.ops->process(r.self));
    ASSERT_EQ(log.calls, 2);
    ASSERT_TRUE(log.order[0] == q1 && log.order[1] == q2);
    ASSERT_DNS(q1->answer, IK_DNS_OK);
    ASSERT_DNS(q2->answer, IK_DNS_NXDOMAIN);
    ASSERT_EQ(poll(&pfd, 1, 0), 0);    /* drained */
    ASSERT_OK(r.ops->process(r.self)); /* nothing to do is fine */

    /* queued before the fd existed: a fresh resolver's fd is readable at once */
    ik_resolver r2;
    ASSERT_OK(ik_zone_resolver(z, &r2));
    ik_dns_query *q3 = ik_dns_query_new(a, IK_STR_LIT("a.example"), IK_DNS_T_A);
    ASSERT_OK(r2.ops->submit(r2.self, a, q3, log_done, &log));
    struct pollfd pfd2 = { r2.ops->fd(r2.self), POLLIN, 0 };
    ASSERT_EQ(poll(&pfd2, 1, 1000), 1);
    ASSERT_OK(r2.ops->wait(r2.self));
    ASSERT_EQ(log.calls, 3);
    /* closing with queries still queued drops them without callbacks */
    ik_dns_query *q4 = ik_dns_query_new(a, IK_STR_LIT("a.example"), IK_DNS_T_A);
    ASSERT_OK(r2.ops->submit(r2.self, a, q4, log_done, &log));
    ik_resolver_close(&r2);
    ASSERT_EQ(log.calls, 3);
    ik_resolver_close(&r);
    ik_arena_free(a);
    ik_zone_free(z);
}

/* A done callback that asks again, as an engine resuming would. */
typedef struct chain_ctx {
    ik_resolver *r;
    ik_arena *a;
    int calls;
} chain_ctx;

static void chain_done(void *arg, ik_dns_query *q)
{
    chain_ctx *c = arg;
    (void)q;
    if (c->calls++ < 3) {
        ik_dns_query *nq = ik_dns_query_new(c->a, IK_STR_LIT("a.example"), IK_DNS_T_A);
        ASSERT_OK(c->r->ops->submit(c->r->self, c->a, nq, chain_done, c));
    }
}

static void zone_resolver_submit_from_callback_waits_for_next_round(void)
{
    ik_zone *z = zone_from("a.example. A 192.0.2.1\n");
    ik_resolver r;
    ASSERT_OK(ik_zone_resolver(z, &r));
    ik_arena *a = ik_arena_new(NULL);
    chain_ctx c = { &r, a, 0 };
    ik_dns_query *q = ik_dns_query_new(a, IK_STR_LIT("a.example"), IK_DNS_T_A);
    ASSERT_OK(r.ops->submit(r.self, a, q, chain_done, &c));
    ASSERT_OK(r.ops->process(r.self));
    ASSERT_EQ(c.calls, 1);
    ASSERT_OK(r.ops->wait(r.self));
    ASSERT_EQ(c.calls, 2);
    ASSERT_OK(r.ops->wait(r.self));
    ASSERT_OK(r.ops->wait(r.self));
    ASSERT_EQ(c.calls, 4);
    ASSERT_STATUS(r.ops->wait(r.self), IK_ESTATE);
    ik_resolver_close(&r);
    ik_arena_free(a);
    ik_zone_free(z);
}

/* ---- demo zone and allocator failure ------------------------------------------- */

static void zone_demo_file_loads_and_answers(void)
{
    char err[512];
    ik_zone *z = ik_zone_new(NULL);
    ik_status st = ik_zone_load_file(z, ik_test_path("examples/demo.zone"), err, sizeof(err));
    if (st)
        IK_TEST_FAIL_("%s", err);
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ask(z, a, "example.com", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_OK);
    ASSERT_STR(ans->rr[0].u.txt.joined,
               "v=spf1 ip4:192.0.2.0/25 a mx include:_spf.provider.example -all");
    ans = ask(z, a, "_spf.provider.example", IK_DNS_T_TXT);
    ASSERT_EQ(ans->rr[0].u.txt.nstrings, 2);
    ASSERT_STR(ans->rr[0].u.txt.joined, "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:100::/48 -all");
    ASSERT_EQ(ask(z, a, "broken.example", IK_DNS_T_TXT)->nrr, 2);
    ASSERT_DNS(ask(z, a, "timeout.example", IK_DNS_T_TXT), IK_DNS_TEMPFAIL);
    ASSERT_DNS(ask(z, a, "timeout.example", IK_DNS_T_A), IK_DNS_OK);
    ASSERT_DNS(ask(z, a, "servfail.example", IK_DNS_T_TXT), IK_DNS_TEMPFAIL);
    ans = ask(z, a, "77.2.0.192.in-addr.arpa", IK_DNS_T_PTR);
    ASSERT_STR(ans->rr[0].u.name, "host.ptr.example");
    ans = ask(z, a, "example.com", IK_DNS_T_MX);
    ASSERT_STR(ans->rr[0].u.mx.host, "mail.example.com");
    ans = ask(z, a, "www.example.com", IK_DNS_T_A);
    ASSERT_STR(ans->canonical, "example.com");
    ans = ask(z, a, "explain._spf.explain.example", IK_DNS_T_TXT);
    ASSERT_DNS(ans, IK_DNS_OK);
    ans = ask(z, a, "senderid.example", IK_DNS_T_TXT);
    ASSERT_EQ(ans->nrr, 2);
    ASSERT_STR(ans->rr[0].u.txt.joined, "spf2.0/pra ip4:198.51.100.20 -all");
    ASSERT_DNS(ask(z, a, "nospf.example", IK_DNS_T_MX), IK_DNS_NODATA);
    ASSERT_DNS(ask(z, a, "unknown.example", IK_DNS_T_TXT), IK_DNS_NXDOMAIN);
    ASSERT_EQ(ask(z, a, "nx.example.com", IK_DNS_T_A)->ttl, 300); /* SOA MINIMUM */
    ik_arena_free(a);
    ik_zone_free(z);
}

static long fail_after;
static void *failing_alloc(void *ud, size_t n)
{
    (void)ud;
    if (fail_after-- <= 0)
        return NULL;
    return malloc(n);
}
static void *failing_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    if (fail_after-- <= 0)
        return NULL;
    return realloc(p, n);
}
static void plain_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

static void zone_survives_allocator_failure(void)
{
    const ik_allocator al = { failing_alloc, failing_realloc, plain_free, NULL };
    static const char text[] = "$ORIGIN example.\n"
                               "@ SOA ns host 1 2 3 4 5\n"
                               "a A 192.0.2.1\n"
                               "b.c.d TXT \"one\" \"two\"\n"
                               "w CNAME a\n"
                               "$TIMEOUT t\n";
    int succeeded = 0;
    for (long n = 0; n < 200 && !succeeded; n++) {
        fail_after = n;
        char err[256];
        ik_zone *z = ik_zone_new(&al);
        if (z == NULL)
            continue;
        ik_status st = ik_zone_load_mem(z, "<t>", text, sizeof(text) - 1, err, sizeof(err));
        if (st == IK_OK) {
            ik_arena *a = ik_arena_new(&al);
            ik_resolver r;
            if (a && ik_zone_resolver(z, &r) == IK_OK) {
                ik_dns_query *q = ik_dns_query_new(a, IK_STR_LIT("w.example"), IK_DNS_T_A);
                if (q && r.ops->resolve(r.self, a, q) == IK_OK) {
                    ASSERT_DNS(q->answer, IK_DNS_OK);
                    succeeded = 1;
                }
                ik_resolver_close(&r);
            }
            ik_arena_free(a);
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
        }
        ik_zone_free(z);
    }
    ASSERT_TRUE(succeeded);
}

/* Zone text over every prefix, a NUL at each position and oversized lines
 * and entries: IK_OK or IK_ESYNTAX/IK_ELIMIT naming the line, never a read
 * past the length (exact-size copies). */
static void zone_text_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_zone *z = ik_zone_new(NULL);
    ik_zone_allow_include(z, 0);
    char err[256] = "";
    ik_status st = ik_zone_load_mem(z, "<t>", p, n, err, sizeof(err));
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st != IK_OK)
        ASSERT_TRUE(strncmp(err, "<t>:", 4) == 0);
    ik_zone_free(z);
}

static void zone_hostile_input(void)
{
    static const char text[] = "$ORIGIN example.\n$TTL 300\n"
                               "@ IN SOA ns host ( 1 2 3\n 4 5 ) ; serial\n"
                               "a 60 A 192.0.2.1\nb AAAA 2001:db8::1\n"
                               "c TXT \"one \\\"q\\\" \\065\" two\nd MX 10 a\n"
                               "e TYPE99 \\# 3 616263\n$TIMEOUT t TXT\n$SERVFAIL s\n";
    zone_text_cb(text, sizeof(text) - 1, NULL);
    ik_test_each_prefix(text, sizeof(text) - 1, zone_text_cb, NULL);
    ik_test_each_nul(text, sizeof(text) - 1, zone_text_cb, NULL);
    /* A line past IK_ZONE_MAX_LINE, and an entry past IK_ZONE_MAX_ENTRY. */
    ik_test_oversized("a TXT \"", "x", IK_ZONE_MAX_LINE + 10, "\"\n", zone_text_cb, NULL);
    ik_test_oversized("a TXT ( \"x\"\n", "\"yyyyyyyy\"\n", IK_ZONE_MAX_ENTRY + 100, ")\n",
                      zone_text_cb, NULL);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(zone_reads_every_record_type),
    IK_TEST_CASE(zone_txt_joins_strings_and_applies_escapes),
    IK_TEST_CASE(zone_txt_string_of_255_octets_is_accepted),
    IK_TEST_CASE(zone_origin_ttl_and_owner_rules),
    IK_TEST_CASE(zone_parentheses_span_lines),
    IK_TEST_CASE(zone_crlf_and_missing_final_newline_are_fine),
    IK_TEST_CASE(zone_include_is_relative_to_the_including_file),
    IK_TEST_CASE(zone_include_loop_is_an_error_with_file_and_line),
    IK_TEST_CASE(zone_include_depth_is_bounded),
    IK_TEST_CASE(zone_include_can_be_disabled_and_missing_files_are_eio),
    IK_TEST_CASE(zone_errors_name_line_and_token),
    IK_TEST_CASE(zone_rejects_nul_bytes),
    IK_TEST_CASE(zone_rejects_oversized_strings_labels_and_lines),
    IK_TEST_CASE(zone_rdata_over_64k_is_an_error),
    IK_TEST_CASE(zone_nodata_nxdomain_and_empty_non_terminals),
    IK_TEST_CASE(zone_negative_ttl_comes_from_the_enclosing_soa),
    IK_TEST_CASE(zone_names_are_case_insensitive_and_checked),
    IK_TEST_CASE(zone_cname_chain_is_followed),
    IK_TEST_CASE(zone_cname_loops_and_long_chains_are_tempfail),
    IK_TEST_CASE(zone_any_returns_every_record),
    IK_TEST_CASE(zone_many_names_resize_the_table),
    IK_TEST_CASE(zone_timeout_applies_only_without_records),
    IK_TEST_CASE(zone_servfail_applies_always),
    IK_TEST_CASE(zone_programmatic_records_and_rules),
    IK_TEST_CASE(zone_resolver_blocking_and_answer_all),
    IK_TEST_CASE(zone_resolver_delivers_from_process_via_its_fd),
    IK_TEST_CASE(zone_resolver_submit_from_callback_waits_for_next_round),
    IK_TEST_CASE(zone_demo_file_loads_and_answers),
    IK_TEST_CASE(zone_survives_allocator_failure),
    IK_TEST_CASE(zone_hostile_input),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
