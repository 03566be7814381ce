/*
 * test_iprev.c - iprev (RFC 8601 3, 2.7.3) against a static zone: pass
 * through any of several PTR names, IPv6 and IPv4-mapped clients, fail,
 * temperror and permerror from each lookup, the name bound, and the
 * Authentication-Results text.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/iprev.h"
#include "inkan/zone.h"

static const char zone_text[] =
    "$ORIGIN example.\n"
    "1.2.0.192.in-addr.arpa. PTR mail.good\n"
    "mail.good A 192.0.2.1\n"
    "2.2.0.192.in-addr.arpa. PTR liar\n"
    "2.2.0.192.in-addr.arpa. PTR other\n"
    "2.2.0.192.in-addr.arpa. PTR mail.second\n"
    "liar A 198.51.100.7\n"
    "other AAAA 2001:db8::2\n"
    "mail.second A 192.0.2.2\n"
    "3.2.0.192.in-addr.arpa. PTR nowhere\n"
    "4.2.0.192.in-addr.arpa. TXT \"no ptr here\"\n"
    "5.2.0.192.in-addr.arpa. PTR slow\n"
    "$TIMEOUT slow.example.\n"
    "$SERVFAIL 6.2.0.192.in-addr.arpa.\n"
    "7.2.0.192.in-addr.arpa. PTR slow\n"
    "7.2.0.192.in-addr.arpa. PTR mail.seven\n"
    "mail.seven A 192.0.2.7\n"
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR v6host\n"
    "v6host AAAA 2001:db8::1\n"
    "v6host A 192.0.2.99\n";

static ik_zone *Z;
static ik_resolver R;

static void setup(void)
{
    Z = ik_zone_new(NULL);
    char err[256];
    ASSERT_OK(ik_zone_load_mem(Z, "<iprev>", zone_text, strlen(zone_text), err, sizeof(err)));
    /* Eleven PTR names, only the last maps back: beyond the bound. */
    for (int i = 0; i < 11; i++) {
        char name[64];
        snprintf(name, sizeof(name), "n%d.example", i);
        unsigned char rd[70];
        size_t n = 0;
        const char *l = name;
        while (*l) {
            const char *dot = strchr(l, '.');
            size_t len = dot ? (size_t)(dot - l) : strlen(l);
            rd[n++] = (unsigned char)len;
            memcpy(rd + n, l, len);
            n += len;
            l += len + (dot ? 1 : 0);
        }
        rd[n++] = 0;
        ASSERT_OK(ik_zone_add_rr(Z, IK_STR_LIT("8.2.0.192.in-addr.arpa"), IK_DNS_T_PTR, 60, rd, n));
        unsigned char a[4] = { 192, 0, 2, i == 10 ? 8 : 200 };
        ASSERT_OK(ik_zone_add_rr(Z, ik_str_c(name), IK_DNS_T_A, 60, a, 4));
    }
    ASSERT_OK(ik_zone_resolver(Z, &R));
}

static void teardown(void)
{
    ik_resolver_close(&R);
    ik_zone_free(Z);
}

static ik_iprev *run(ik_arena *a, const char *ip, unsigned max, int *rounds)
{
    ik_ip addr;
    ASSERT_OK(ik_ip_parse(ik_str_c(ip), &addr));
    ik_iprev *e = ik_iprev_new(a, &addr, max);
    ASSERT_TRUE(e != NULL);
    ik_dns_query *q;
    ik_status st;
    *rounds = 0;
    while ((st = ik_iprev_eval(e, &q)) == IK_EAGAIN) {
        ASSERT_TRUE(q != NULL);
        ASSERT_OK(ik_resolver_answer_all(&R, a, q));
        (*rounds)++;
        ASSERT_TRUE(*rounds < 5);
    }
    ASSERT_OK(st);
    return e;
}

static void expect(const char *ip, ik_iprev_result want, const char *name)
{
    ik_arena *a = ik_arena_new(NULL);
    int rounds;
    ik_iprev *e = run(a, ip, 0, &rounds);
    if (ik_iprev_get_result(e) != want)
        IK_TEST_FAIL_("%s: got %s (%s), want %s", ip, ik_iprev_result_name(ik_iprev_get_result(e)),
                      ik_iprev_reason(e), ik_iprev_result_name(want));
    ASSERT_STR(ik_iprev_name(e), name);
    ik_arena_free(a);
}

static void iprev_passes_when_the_name_maps_back(void)
{
    setup();
    expect("192.0.2.1", IK_IPREV_PASS, "mail.good.example");
    teardown();
}

static void iprev_passes_through_any_of_several_names(void)
{
    setup();
    expect("192.0.2.2", IK_IPREV_PASS, "mail.second.example");
    teardown();
}

static void iprev_fails_when_no_name_maps_back(void)
{
    setup();
    expect("192.0.2.3", IK_IPREV_FAIL, ""); /* forward NXDOMAIN */
    teardown();
}

static void iprev_permerror_without_ptr(void)
{
    setup();
    expect("192.0.2.4", IK_IPREV_PERMERROR, "");  /* NODATA */
    expect("192.0.2.99", IK_IPREV_PERMERROR, ""); /* NXDOMAIN */
    teardown();
}

static void iprev_temperror_on_dns_trouble(void)
{
    setup();
    expect("192.0.2.5", IK_IPREV_TEMPERROR, ""); /* forward timeout */
    expect("192.0.2.6", IK_IPREV_TEMPERROR, ""); /* PTR SERVFAIL */
    /* A timeout on one name does not matter when another confirms. */
    expect("192.0.2.7", IK_IPREV_PASS, "mail.seven.example");
    teardown();
}

static void iprev_handles_ipv6_and_mapped_clients(void)
{
    setup();
    expect("2001:db8::1", IK_IPREV_PASS, "v6host.example");
    expect("::ffff:192.0.2.1", IK_IPREV_PASS, "mail.good.example");
    teardown();
}

static void iprev_bounds_the_names_looked_up(void)
{
    setup();
    /* The eleventh name would confirm, but only ten are looked up. */
    expect("192.0.2.8", IK_IPREV_FAIL, "");
    ik_arena *a = ik_arena_new(NULL);
    int rounds;
    ik_iprev *e = run(a, "192.0.2.8", 11, &rounds);
    ASSERT_EQ(ik_iprev_get_result(e), IK_IPREV_PASS);
    ASSERT_EQ(rounds, 2); /* PTR, then all forward lookups at once */
    ik_arena_free(a);
    teardown();
}

static void iprev_writes_authres(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    int rounds;
    ik_iprev *e = run(a, "192.0.2.1", 0, &rounds);
    ik_ar ar;
    ik_ar_init(&ar, IK_STR_LIT("mx.example.org"));
    ASSERT_OK(ik_iprev_authres(a, e, &ar));
    ik_str out;
    ASSERT_OK(ik_ar_format(a, &ar, "Authentication-Results", &out));
    ASSERT_STR(out, "Authentication-Results: mx.example.org;\r\n iprev=pass (mail.good.example) "
                    "policy.iprev=192.0.2.1");
    ik_ip ip;
    ik_ip_parse(IK_STR_LIT("192.0.2.1"), &ip);
    ik_iprev *fresh = ik_iprev_new(a, &ip, 0);
    ASSERT_STATUS(ik_iprev_authres(a, fresh, &ar), IK_ESTATE);
    ik_ip none = { 0 };
    ASSERT_TRUE(ik_iprev_new(a, &none, 0) == NULL);
    ik_arena_free(a);
    teardown();
}

static void iprev_asks_again_for_unanswered_queries(void)
{
    setup();
    ik_arena *a = ik_arena_new(NULL);
    ik_ip ip;
    ik_ip_parse(IK_STR_LIT("192.0.2.1"), &ip);
    ik_iprev *e = ik_iprev_new(a, &ip, 0);
    ik_dns_query *q, *q2;
    ASSERT_STATUS(ik_iprev_eval(e, &q), IK_EAGAIN);
    ASSERT_STATUS(ik_iprev_eval(e, &q2), IK_EAGAIN);
    ASSERT_TRUE(q == q2);
    ASSERT_STR(q->name, "1.2.0.192.in-addr.arpa");
    ASSERT_EQ(q->type, IK_DNS_T_PTR);
    ik_arena_free(a);
    teardown();
}

/* A pass through several PTR names with allocation number n failing for
 * each n in turn: IK_ENOMEM from new, eval or the answers, never a crash,
 * a leak or a wrong verdict. */
static void iprev_survives_allocation_failures(void)
{
    setup();
    ik_ip addr;
    ASSERT_OK(ik_ip_parse(IK_STR_LIT("192.0.2.2"), &addr));
    long ok_at = -1;
    for (long fail = 0; fail < 1000 && ok_at < 0; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_iprev *e = ik_iprev_new(a, &addr, 0);
        ik_status st = e ? IK_OK : IK_ENOMEM;
        ik_dns_query *q = NULL;
        int rounds = 0;
        while (st == IK_OK && (st = ik_iprev_eval(e, &q)) == IK_EAGAIN) {
            ASSERT_TRUE(q != NULL && ++rounds < 5);
            st = ik_resolver_answer_all(&R, a, q);
        }
        ik_ar ar;
        ik_ar_init(&ar, IK_STR_LIT("mx.test"));
        if (st == IK_OK)
            st = ik_iprev_authres(a, e, &ar);
        if (st == IK_OK) {
            ASSERT_EQ(ik_iprev_get_result(e), IK_IPREV_PASS);
            ASSERT_STR(ik_iprev_name(e), "mail.second.example");
            ok_at = fail;
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(ok_at > 0);
    teardown();
}

int main(int argc, char **argv)
{
    static const ik_test_case cases[] = {
        IK_TEST_CASE(iprev_passes_when_the_name_maps_back),
        IK_TEST_CASE(iprev_passes_through_any_of_several_names),
        IK_TEST_CASE(iprev_fails_when_no_name_maps_back),
        IK_TEST_CASE(iprev_permerror_without_ptr),
        IK_TEST_CASE(iprev_temperror_on_dns_trouble),
        IK_TEST_CASE(iprev_handles_ipv6_and_mapped_clients),
        IK_TEST_CASE(iprev_bounds_the_names_looked_up),
        IK_TEST_CASE(iprev_writes_authres),
        IK_TEST_CASE(iprev_asks_again_for_unanswered_queries),
        IK_TEST_CASE(iprev_survives_allocation_failures),
    };
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
