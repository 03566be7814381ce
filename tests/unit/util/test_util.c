/*
 * test_util.c - arena, buffer, string views, IP addresses.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/arena.h"
#include "inkan/buf.h"
#include "inkan/ip.h"

static void arena_allocates_and_frees_everything(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_TRUE(a != NULL);
    for (int i = 0; i < 10000; i++) {
        char *p = ik_arena_alloc(a, (size_t)(i % 300) + 1);
        ASSERT_TRUE(p != NULL);
        ASSERT_EQ(((uintptr_t)p) % 16, 0);
        memset(p, 0xab, (size_t)(i % 300) + 1);
    }
    char *big = ik_arena_alloc(a, 1 << 20);
    ASSERT_TRUE(big != NULL);
    memset(big, 1, 1 << 20);
    ik_arena_reset(a);
    ASSERT_EQ(ik_arena_used(a), 0);
    ASSERT_TRUE(ik_arena_alloc(a, 10) != NULL);
    ASSERT_TRUE(ik_arena_free(a) == NULL);
    ASSERT_TRUE(ik_arena_free(NULL) == NULL);
}

static void arena_limit_refuses_growth(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_arena_set_limit(a, 1000);
    ASSERT_TRUE(ik_arena_alloc(a, 500) != NULL);
    ASSERT_TRUE(ik_arena_alloc(a, 600) == NULL);
    ASSERT_TRUE(ik_arena_alloc(a, SIZE_MAX) == NULL);
    ik_arena_free(a);
}

static int cleanup_count;
static void count_cleanup(void *arg)
{
    (void)arg;
    cleanup_count++;
}

static void arena_runs_cleanups_at_free(void)
{
    ik_arena *a = ik_arena_new(NULL);
    cleanup_count = 0;
    ASSERT_OK(ik_arena_defer(a, count_cleanup, NULL));
    ASSERT_OK(ik_arena_defer(a, count_cleanup, NULL));
    ik_arena_free(a);
    ASSERT_EQ(cleanup_count, 2);
}

static int fail_after;
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

static void arena_survives_allocator_failure(void)
{
    ik_allocator al = { failing_alloc, failing_realloc, plain_free, NULL };
    for (int n = 0; n < 5; n++) {
        fail_after = n;
        ik_arena *a = ik_arena_new(&al);
        if (a == NULL)
            continue;
        int got = 0;
        for (int i = 0; i < 100; i++)
            if (ik_arena_alloc(a, 2000))
                got++;
        ASSERT_TRUE(got < 100);
        ik_arena_free(a);
    }
}

static void buf_survives_every_allocation_failure(void)
{
    /* Learn how many allocations the job makes, then fail each in turn. */
    ik_test_alloc t;
    ik_test_alloc_init(&t, -1);
    long total = -1;
    for (long fail = -1; fail < total || total < 0; fail++) {
        ik_test_alloc_init(&t, fail);
        ik_buf b;
        ik_buf_init_al(&b, &t.al, 0);
        for (int i = 0; i < 200; i++)
            ik_buf_printf(&b, "line %d\n", i);
        if (fail < 0) {
            ASSERT_OK(ik_buf_error(&b));
            total = t.calls;
        } else {
            ASSERT_STATUS(ik_buf_error(&b), IK_ENOMEM);
        }
        ik_buf_release(&b);
    }
    ASSERT_TRUE(total > 1);
}

static void buf_error_is_sticky(void)
{
    ik_buf b;
    ik_buf_init_al(&b, NULL, 8);
    ik_buf_append_c(&b, "12345");
    ASSERT_OK(ik_buf_error(&b));
    ik_buf_append_c(&b, "6789");
    ASSERT_STATUS(ik_buf_error(&b), IK_ELIMIT);
    ik_buf_append_c(&b, "x");
    ASSERT_STR(ik_buf_str(&b), "12345");
    ik_buf_release(&b);

    ik_arena *a = ik_arena_new(NULL);
    ik_buf_init(&b, a, 0);
    for (int i = 0; i < 1000; i++)
        ik_buf_printf(&b, "%d,", i % 10);
    ASSERT_EQ(b.len, 2000);
    ASSERT_OK(ik_buf_error(&b));
    ik_arena_free(a);
}

static void str_to_u64_checks_overflow(void)
{
    uint64_t v;
    ASSERT_OK(ik_str_to_u64(IK_STR_LIT("18446744073709551615"), UINT64_MAX, &v));
    ASSERT_TRUE(v == UINT64_MAX);
    ASSERT_STATUS(ik_str_to_u64(IK_STR_LIT("18446744073709551616"), UINT64_MAX, &v), IK_ELIMIT);
    ASSERT_STATUS(ik_str_to_u64(IK_STR_LIT("33"), 32, &v), IK_ELIMIT);
    ASSERT_STATUS(ik_str_to_u64(IK_STR_LIT(""), 32, &v), IK_ESYNTAX);
    ASSERT_STATUS(ik_str_to_u64(IK_STR_LIT("1a"), 32, &v), IK_ESYNTAX);
    ASSERT_STATUS(ik_str_to_u64(ik_str_make("1\0", 2), 32, &v), IK_ESYNTAX);
}

static void ip_parses_strictly(void)
{
    ik_ip ip;
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.1"), &ip));
    ASSERT_EQ(ip.family, IK_IP_V4);
    const char *bad[] = { "1.2.3",        "1.2.3.4.",
                          "01.2.3.4",     "256.1.1.1",
                          "1..2.3",       "",
                          ":::",          "1::2::3",
                          "12345::",      "1:2:3:4:5:6:7:8:9",
                          "::1.2.3",      "1:2:3:4:5:6:7:1.2.3.4",
                          "fe80::1%eth0", "1:" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ik_ip_parse(ik_str_c(bad[i]), &ip) == IK_OK)
            IK_TEST_FAIL_("accepted bad address \"%s\"", bad[i]);
    ASSERT_STATUS(ik_ip_parse(ik_str_make("1.2.3.4\0", 8), &ip), IK_ESYNTAX);
}

static void ip_formats_rfc5952(void)
{
    struct {
        const char *in, *out;
    } t[] = {
        { "CAFE:BABE::1", "cafe:babe::1" },
        { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
        { "::", "::" },
        { "::1", "::1" },
        { "1::", "1::" },
        { "2001:db8::", "2001:db8::" },
        { "1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0" },
        { "::ffff:1.2.3.4", "::ffff:1.2.3.4" },
        { "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ik_ip ip;
        char buf[IK_IP_TEXT_MAX];
        ASSERT_OK(ik_ip_parse(ik_str_c(t[i].in), &ip));
        ik_ip_format(&ip, buf);
        ASSERT_CSTR(buf, t[i].out);
    }
}

static void ip_prefix_match_and_unmap(void)
{
    ik_ip net, a;
    unsigned plen;
    ASSERT_OK(ik_ip_parse_prefix(IK_STR_LIT("192.0.2.0/24"), &net, &plen));
    ASSERT_EQ(plen, 24);
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("::ffff:192.0.2.77"), &a));
    ASSERT_FALSE(ik_ip_match(&net, &a, plen));
    ik_ip u = ik_ip_unmap(&a);
    ASSERT_TRUE(ik_ip_match(&net, &u, plen));
    ASSERT_STATUS(ik_ip_parse_prefix(IK_STR_LIT("192.0.2.0/33"), &net, &plen), IK_ESYNTAX);
    ASSERT_STATUS(ik_ip_parse_prefix(IK_STR_LIT("192.0.2.0/"), &net, &plen), IK_ESYNTAX);
    ASSERT_OK(ik_ip_parse_prefix(IK_STR_LIT("2001:db8::/32"), &net, &plen));
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("2001:db8:ffff::1"), &a));
    ASSERT_TRUE(ik_ip_match(&net, &a, plen));
    ASSERT_TRUE(ik_ip_match(&net, &a, 0));
}

static void ip_reverse_and_dotted_names(void)
{
    ik_ip ip;
    char buf[IK_IP_TEXT_MAX];
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.3"), &ip));
    ik_ip_reverse_name(&ip, buf);
    ASSERT_CSTR(buf, "3.2.0.192.in-addr.arpa");
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("cafe:babe::1"), &ip));
    ik_ip_format_dotted(&ip, 1, buf);
    ASSERT_CSTR(buf, "C.A.F.E.B.A.B.E.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1");
    ik_ip_reverse_name(&ip, buf);
    ASSERT_CSTR(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e.f.a.c.ip6.arpa");
}

/* Address parsing over every prefix, a NUL at each position and oversized
 * text: IK_OK or IK_ESYNTAX, never a read past the length. */
static void ip_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_ip ip;
    unsigned plen;
    ik_status st = ik_ip_parse(ik_str_make(p, n), &ip);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
    st = ik_ip_parse_prefix(ik_str_make(p, n), &ip, &plen);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
}

static void ip_parse_hostile_input(void)
{
    static const char *const good[] = { "2001:db8:0:0:1:0:0:1/64", "::ffff:192.0.2.1",
                                        "192.0.2.0/24", "fe80::1:2:3:4" };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ik_test_each_prefix(good[i], strlen(good[i]), ip_cb, NULL);
        ik_test_each_nul(good[i], strlen(good[i]), ip_cb, NULL);
    }
    ik_test_oversized("192.0.2.", "1", 1u << 16, "", ip_cb, NULL);
    ik_test_oversized("2001:db8", ":0", 1u << 16, "", ip_cb, NULL);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(arena_allocates_and_frees_everything),
    IK_TEST_CASE(arena_limit_refuses_growth),
    IK_TEST_CASE(arena_runs_cleanups_at_free),
    IK_TEST_CASE(arena_survives_allocator_failure),
    IK_TEST_CASE(buf_error_is_sticky),
    IK_TEST_CASE(buf_survives_every_allocation_failure),
    IK_TEST_CASE(str_to_u64_checks_overflow),
    IK_TEST_CASE(ip_parses_strictly),
    IK_TEST_CASE(ip_formats_rfc5952),
    IK_TEST_CASE(ip_prefix_match_and_unmap),
    IK_TEST_CASE(ip_reverse_and_dotted_names),
    IK_TEST_CASE(ip_parse_hostile_input),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
