/*
 * test_dns.c - dns.c: name checks, type and status names, query building,
 * RDATA decoding of good, truncated and malformed data, answer building and
 * the ik_resolver_answer_all driver against fake resolvers.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/dns.h"

static void dns_name_check_enforces_rfc1035_lengths(void)
{
    char name[300];
    ASSERT_OK(ik_dns_name_check(IK_STR_LIT("example.com")));
    ASSERT_OK(ik_dns_name_check(IK_STR_LIT("example.com.")));
    ASSERT_OK(ik_dns_name_check(IK_STR_LIT("a")));
    ASSERT_OK(ik_dns_name_check(IK_STR_LIT("_spf.example")));
    ASSERT_STATUS(ik_dns_name_check(IK_STR_LIT("")), IK_ESYNTAX);
    ASSERT_STATUS(ik_dns_name_check(IK_STR_LIT(".")), IK_ESYNTAX);
    ASSERT_STATUS(ik_dns_name_check(IK_STR_LIT("..")), IK_ESYNTAX);
    ASSERT_STATUS(ik_dns_name_check(IK_STR_LIT(".example")), IK_ESYNTAX);
    ASSERT_STATUS(ik_dns_name_check(IK_STR_LIT("a..b")), IK_ESYNTAX);
    ASSERT_STATUS(ik_dns_name_check(IK_STR_LIT("example.com..")), IK_ESYNTAX);
    ASSERT_STATUS(ik_dns_name_check(ik_str_make(NULL, 0)), IK_ESYNTAX);
    /* labels: 63 octets fit, 64 do not */
    memset(name, 'a', 63);
    memcpy(name + 63, ".b", 3);
    ASSERT_OK(ik_dns_name_check(ik_str_c(name)));
    memset(name, 'a', 64);
    memcpy(name + 64, ".b", 3);
    ASSERT_STATUS(ik_dns_name_check(ik_str_c(name)), IK_ESYNTAX);
    /* names: 253 octets fit (with or without the trailing dot), 254 do not */
    for (int i = 0; i < 253; i++)
        name[i] = (i % 2) ? '.' : 'x';
    name[253] = '\0';
    ASSERT_OK(ik_dns_name_check(ik_str_make(name, 253)));
    name[253] = '.';
    ASSERT_OK(ik_dns_name_check(ik_str_make(name, 254)));
    name[253] = 'y';
    name[252] = 'y';
    ASSERT_STATUS(ik_dns_name_check(ik_str_make(name, 254)), IK_ESYNTAX);
    /* the view's length is what counts: no NUL is looked for */
    ASSERT_OK(ik_dns_name_check(ik_str_make("abc.def-garbage", 7)));
}

static void dns_type_and_status_names(void)
{
    char buf[16];
    ASSERT_CSTR(ik_dns_type_name(IK_DNS_T_TXT, buf), "TXT");
    ASSERT_CSTR(ik_dns_type_name(IK_DNS_T_SPF, buf), "SPF");
    ASSERT_CSTR(ik_dns_type_name(65535, buf), "TYPE65535");
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("txt")), IK_DNS_T_TXT);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("Aaaa")), IK_DNS_T_AAAA);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("TYPE16")), IK_DNS_T_TXT);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("type65535")), 65535);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("TYPE65536")), 0);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("TYPE0")), 0);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("TYPE")), 0);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("TYPE-1")), 0);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("SRV")), 0);
    ASSERT_EQ(ik_dns_type_from_name(IK_STR_LIT("")), 0);
    ASSERT_CSTR(ik_dns_status_name(IK_DNS_NXDOMAIN), "nxdomain");
    ASSERT_CSTR(ik_dns_status_name(IK_DNS_TEMPFAIL), "tempfail");
    ASSERT_CSTR(ik_dns_status_name((ik_dns_status)42), "unknown");
}

static void dns_query_new_lowercases_and_strips_one_dot(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_query *q = ik_dns_query_new(a, IK_STR_LIT("MiXeD.Example.COM."), IK_DNS_T_TXT);
    ASSERT_TRUE(q != NULL);
    ASSERT_STR(q->name, "mixed.example.com");
    ASSERT_EQ(q->type, IK_DNS_T_TXT);
    ASSERT_TRUE(q->answer == NULL && q->next == NULL);
    q = ik_dns_query_new(a, IK_STR_LIT("a.."), IK_DNS_T_A);
    ASSERT_STR(q->name, "a.");
    ik_arena_free(a);
}

/* Decodes and checks that RDATA is refused, from an exact-size copy. */
static void expect_bad(uint16_t type, const uint8_t *p, size_t len)
{
    ik_arena *a = ik_arena_new(NULL);
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, p, len);
    ik_dns_rr rr;
    ik_status st = ik_dns_rdata_decode(a, type, copy, len, &rr);
    if (st != IK_ESYNTAX)
        IK_TEST_FAIL_("type %u, %zu octets: got %s, want IK_ESYNTAX", type, len,
                      ik_status_name(st));
    free(copy);
    ik_arena_free(a);
}

static void dns_rdata_decodes_addresses_strictly(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_rr rr;
    static const uint8_t v4[] = { 192, 0, 2, 1 };
    static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    char buf[IK_IP_TEXT_MAX];
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_A, v4, 4, &rr));
    ik_ip_format(&rr.u.addr, buf);
    ASSERT_CSTR(buf, "192.0.2.1");
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_AAAA, v6, 16, &rr));
    ik_ip_format(&rr.u.addr, buf);
    ASSERT_CSTR(buf, "2001:db8::1");
    expect_bad(IK_DNS_T_A, v4, 3);
    expect_bad(IK_DNS_T_A, v6, 5);
    expect_bad(IK_DNS_T_A, v4, 0);
    expect_bad(IK_DNS_T_AAAA, v6, 15);
    expect_bad(IK_DNS_T_AAAA, v4, 4);
    ik_arena_free(a);
}

static void dns_rdata_decodes_names_and_refuses_malformed_ones(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_rr rr;
    static const uint8_t mx[] = { 0,   10,  4,   'M', 'a', 'i', 'l', 7,
                                  'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_MX, mx, sizeof(mx), &rr));
    ASSERT_EQ(rr.u.mx.pref, 10);
    ASSERT_STR(rr.u.mx.host, "mail.example");
    static const uint8_t nullmx[] = { 0, 0, 0 };
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_MX, nullmx, sizeof(nullmx), &rr));
    ASSERT_STR(rr.u.mx.host, "");
    static const uint8_t ptr[] = { 1, 'x', 0 };
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_PTR, ptr, sizeof(ptr), &rr));
    ASSERT_STR(rr.u.name, "x");
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_CNAME, ptr, sizeof(ptr), &rr));
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_NS, ptr, sizeof(ptr), &rr));

    /* truncated at every length */
    for (size_t n = 0; n < sizeof(mx); n++)
        expect_bad(IK_DNS_T_MX, mx, n);
    for (size_t n = 0; n < sizeof(ptr); n++)
        expect_bad(IK_DNS_T_PTR, ptr, n);
    /* trailing bytes after the name */
    static const uint8_t trail[] = { 1, 'x', 0, 'z' };
    expect_bad(IK_DNS_T_PTR, trail, sizeof(trail));
    static const uint8_t mxtrail[] = { 0, 1, 1, 'x', 0, 0 };
    expect_bad(IK_DNS_T_MX, mxtrail, sizeof(mxtrail));
    /* a compression pointer is not followed */
    static const uint8_t comp[] = { 0xc0, 0x00 };
    expect_bad(IK_DNS_T_CNAME, comp, sizeof(comp));
    static const uint8_t comp2[] = { 1, 'a', 0xc0, 0x00 };
    expect_bad(IK_DNS_T_NS, comp2, sizeof(comp2));
    /* a label longer than 63, a label running past the end */
    uint8_t big[80] = { 64 };
    memset(big + 1, 'q', 64);
    big[65] = 0;
    expect_bad(IK_DNS_T_PTR, big, 66);
    static const uint8_t over[] = { 9, 'a', 'b', 0 };
    expect_bad(IK_DNS_T_PTR, over, sizeof(over));
    /* a '.' inside a label: as text it would be two labels, another name
     * ("mail.bank" + "example" is not mail.bank.example) */
    static const uint8_t dotted[] = { 9, 'm', 'a', 'i', 'l', '.', 'b', 'a', 'n', 'k',
                                      7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
    expect_bad(IK_DNS_T_PTR, dotted, sizeof(dotted));
    static const uint8_t mxdotted[] = { 0, 5, 3, 'a', '.', 'b', 0 };
    expect_bad(IK_DNS_T_MX, mxdotted, sizeof(mxdotted));
    /* other octets are label data, kept as they are */
    static const uint8_t odd[] = { 3, 'a', 0, '\\', 1, 'x', 0 };
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_PTR, odd, sizeof(odd), &rr));
    ASSERT_EQ(rr.u.name.len, 5);
    ASSERT_TRUE(memcmp(rr.u.name.p, "a\0\\.x", 5) == 0);

    /* a name of 253 text octets decodes; one of 254 does not */
    for (int last = 61; last <= 62; last++) {
        uint8_t wire[300];
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            int l = i < 3 ? 63 : last;
            wire[n++] = (uint8_t)l;
            memset(wire + n, 'a' + i, (size_t)l);
            n += (size_t)l;
        }
        wire[n++] = 0;
        if (last == 61) {
            ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_PTR, wire, n, &rr));
            ASSERT_EQ(rr.u.name.len, 253);
        } else {
            expect_bad(IK_DNS_T_PTR, wire, n);
        }
    }
    ik_arena_free(a);
}

static void dns_rdata_decodes_txt_strings(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_rr rr;
    static const uint8_t txt[] = { 3, 'a', 'b', 'c', 0, 2, 'd', 'e' };
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_TXT, txt, sizeof(txt), &rr));
    ASSERT_EQ(rr.u.txt.nstrings, 3);
    ASSERT_STR(rr.u.txt.strings[0], "abc");
    ASSERT_STR(rr.u.txt.strings[1], "");
    ASSERT_STR(rr.u.txt.strings[2], "de");
    ASSERT_STR(rr.u.txt.joined, "abcde");
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_SPF, txt, sizeof(txt), &rr));
    ASSERT_STR(rr.u.txt.joined, "abcde");
    /* binary content, NUL included, is kept as is */
    static const uint8_t bin[] = { 3, 'a', 0, 'b' };
    ASSERT_OK(ik_dns_rdata_decode(a, IK_DNS_T_TXT, bin, sizeof(bin), &rr));
    ASSERT_EQ(rr.u.txt.joined.len, 3);
    ASSERT_EQ(rr.u.txt.joined.p[1], 0);
    /* every truncation that cuts a string short */
    for (size_t n = 1; n < sizeof(txt); n++) {
        if (n == 4 || n == 5)
            continue; /* these end exactly between strings */
        expect_bad(IK_DNS_T_TXT, txt, n);
    }
    static const uint8_t over[] = { 255, 'x' };
    expect_bad(IK_DNS_T_TXT, over, sizeof(over));
    /* unknown types keep raw RDATA only and never fail */
    ASSERT_OK(ik_dns_rdata_decode(a, 65000, over, sizeof(over), &rr));
    ASSERT_OK(ik_dns_rdata_decode(a, 65000, NULL, 0, &rr));
    ik_arena_free(a);
}

static void dns_answer_add_rdata_grows_and_keeps_min_ttl(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NODATA);
    ASSERT_TRUE(ans != NULL);
    uint8_t addr[4] = { 198, 51, 100, 0 };
    for (int i = 0; i < 40; i++) {
        addr[3] = (uint8_t)i;
        ASSERT_OK(
            ik_dns_answer_add_rdata(a, ans, IK_DNS_T_A, (uint32_t)(1000 - i * 7 % 13), addr, 4));
    }
    ASSERT_EQ(ans->nrr, 40);
    ASSERT_EQ(ans->status, IK_DNS_OK);
    for (int i = 0; i < 40; i++) {
        ASSERT_EQ(ans->rr[i].u.addr.a[3], i);
        ASSERT_EQ(ans->rr[i].rdata.len, 4);
    }
    ASSERT_EQ(ans->ttl, 1000 - 12);
    /* malformed RDATA adds nothing and keeps the answer as it was */
    ASSERT_STATUS(ik_dns_answer_add_rdata(a, ans, IK_DNS_T_A, 1, addr, 3), IK_ESYNTAX);
    ASSERT_EQ(ans->nrr, 40);
    ASSERT_EQ(ans->ttl, 988);
    /* the RDATA is copied: changing the caller's buffer changes nothing */
    addr[3] = 99;
    ASSERT_EQ((uint8_t)ans->rr[39].rdata.p[3], 39);
    ik_arena_free(a);
}

static void dns_answer_add_rdata_reports_oom(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NODATA);
    ik_arena_set_limit(a, ik_arena_used(a) + 64);
    static const uint8_t txt[200] = { 199 };
    ASSERT_STATUS(ik_dns_answer_add_rdata(a, ans, IK_DNS_T_TXT, 1, txt, sizeof(txt)), IK_ENOMEM);
    ASSERT_EQ(ans->nrr, 0);
    ik_arena_free(a);
}

/* ---- the answer_all driver ----------------------------------------------------- */

typedef struct fake {
    int fail_submit_at; /* submit number that fails, or -1 */
    int submits;
    int resolves;
    struct {
        ik_dns_query *q;
        ik_arena *a;
        ik_dns_done_fn done;
        void *arg;
    } pend[8];
    int npend;
} fake;

static ik_status fake_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    fake *f = self;
    f->resolves++;
    q->answer = ik_dns_answer_new(a, IK_DNS_NXDOMAIN);
    return q->answer ? IK_OK : IK_ENOMEM;
}

static ik_status fake_submit(void *self, ik_arena *a, ik_dns_query *q, ik_dns_done_fn done,
                             void *arg)
{
    fake *f = self;
    if (f->submits++ == f->fail_submit_at)
        return IK_ENOMEM;
    f->pend[f->npend].q = q;
    f->pend[f->npend].a = a;
    f->pend[f->npend].done = done;
    f->pend[f->npend].arg = arg;
    f->npend++;
    return IK_OK;
}

/* Finishes the oldest query only, so the driver has to wait repeatedly. */
static ik_status fake_wait(void *self)
{
    fake *f = self;
    if (f->npend == 0)
        return IK_ESTATE;
    f->npend--;
    ik_dns_query *q = f->pend[0].q;
    ik_dns_done_fn done = f->pend[0].done;
    void *arg = f->pend[0].arg;
    q->answer = ik_dns_answer_new(f->pend[0].a, IK_DNS_NODATA);
    memmove(&f->pend[0], &f->pend[1], (size_t)f->npend * sizeof(f->pend[0]));
    done(arg, q);
    return IK_OK;
}

static const ik_resolver_ops sync_ops = { "sync", fake_resolve, NULL, NULL, NULL, NULL, NULL };
static const ik_resolver_ops async_ops = { "async", fake_resolve, fake_submit, NULL,
                                           NULL,    fake_wait,    NULL };

static ik_dns_query *make_list(ik_arena *a, int n)
{
    ik_dns_query *head = NULL;
    for (int i = 0; i < n; i++) {
        ik_dns_query *q = ik_dns_query_new(a, IK_STR_LIT("x.example"), IK_DNS_T_A);
        q->next = head;
        head = q;
    }
    return head;
}

static void dns_answer_all_uses_resolve_when_not_async(void)
{
    ik_arena *a = ik_arena_new(NULL);
    fake f = { .fail_submit_at = -1 };
    ik_resolver r = { &sync_ops, &f };
    ik_dns_query *list = make_list(a, 3);
    list->answer = ik_dns_answer_new(a, IK_DNS_OK);
    ASSERT_OK(ik_resolver_answer_all(&r, a, list));
    ASSERT_EQ(f.resolves, 2);
    ASSERT_EQ(list->answer->status, IK_DNS_OK);
    ASSERT_EQ(list->next->answer->status, IK_DNS_NXDOMAIN);
    ASSERT_STATUS(ik_resolver_answer_all(NULL, a, list), IK_EINVAL);
    ik_resolver_close(&r); /* no destroy member: fine */
    ik_arena_free(a);
}

static void dns_answer_all_waits_for_every_submitted_query(void)
{
    ik_arena *a = ik_arena_new(NULL);
    fake f = { .fail_submit_at = -1 };
    ik_resolver r = { &async_ops, &f };
    ik_dns_query *list = make_list(a, 5);
    ASSERT_OK(ik_resolver_answer_all(&r, a, list));
    ASSERT_EQ(f.submits, 5);
    ASSERT_EQ(f.resolves, 0);
    for (ik_dns_query *q = list; q; q = q->next)
        ASSERT_EQ(q->answer->status, IK_DNS_NODATA);
    ik_arena_free(a);
}

static void dns_answer_all_drains_before_reporting_a_submit_failure(void)
{
    ik_arena *a = ik_arena_new(NULL);
    fake f = { .fail_submit_at = 2 };
    ik_resolver r = { &async_ops, &f };
    ik_dns_query *list = make_list(a, 4);
    ASSERT_STATUS(ik_resolver_answer_all(&r, a, list), IK_ENOMEM);
    /* the two accepted queries were finished before the call returned */
    ASSERT_EQ(f.npend, 0);
    ASSERT_TRUE(list->answer != NULL && list->next->answer != NULL);
    ASSERT_TRUE(list->next->next->answer == NULL);
    ik_arena_free(a);
}

/* Decoding TXT (several strings), MX and SOA RDATA with allocation number
 * n failing for each n in turn: IK_ENOMEM, never a crash, a leak or a
 * half-filled RR. */
static void dns_rdata_decode_survives_allocation_failures(void)
{
    static const uint8_t txt[] = { 5,   'v', '=', 's', 'p', 'f', 3,  '1',
                                   ' ', 'a', 4,   ' ', '-', 'a', 'l' };
    static const uint8_t mx[] = { 0,   10,  4,   'm', 'a', 'i', 'l', 7,
                                  'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
    static const struct {
        uint16_t type;
        const uint8_t *p;
        size_t len;
    } rd[] = { { IK_DNS_T_TXT, txt, sizeof(txt) }, { IK_DNS_T_MX, mx, sizeof(mx) } };
    for (size_t i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
        long ok_at = -1;
        for (long fail = 0; fail < 100 && ok_at < 0; fail++) {
            ik_test_alloc ta;
            ik_test_alloc_init(&ta, fail);
            ik_arena *a = ik_arena_new(&ta.al);
            if (a == NULL)
                continue;
            ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NODATA);
            ik_status st = ans ? ik_dns_answer_add_rdata(a, ans, rd[i].type, 60, rd[i].p, rd[i].len)
                               : IK_ENOMEM;
            if (st == IK_OK) {
                ASSERT_EQ(ans->nrr, 1);
                ok_at = fail;
            } else {
                ASSERT_STATUS(st, IK_ENOMEM);
                ASSERT_TRUE(ans == NULL || ans->nrr == 0);
            }
            ik_arena_free(a);
        }
        ASSERT_TRUE(ok_at > 0);
    }
    /* The same through an arena byte limit, each limit in turn. */
    for (size_t lim = 0; lim < 4096; lim += 8) {
        ik_arena *a = ik_arena_new(NULL);
        ik_arena_set_limit(a, lim);
        ik_dns_rr rr;
        ik_status st = ik_dns_rdata_decode(a, IK_DNS_T_TXT, txt, sizeof(txt), &rr);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        ik_arena_free(a);
    }
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(dns_name_check_enforces_rfc1035_lengths),
    IK_TEST_CASE(dns_type_and_status_names),
    IK_TEST_CASE(dns_query_new_lowercases_and_strips_one_dot),
    IK_TEST_CASE(dns_rdata_decodes_addresses_strictly),
    IK_TEST_CASE(dns_rdata_decodes_names_and_refuses_malformed_ones),
    IK_TEST_CASE(dns_rdata_decodes_txt_strings),
    IK_TEST_CASE(dns_answer_add_rdata_grows_and_keeps_min_ttl),
    IK_TEST_CASE(dns_answer_add_rdata_reports_oom),
    IK_TEST_CASE(dns_answer_all_uses_resolve_when_not_async),
    IK_TEST_CASE(dns_answer_all_waits_for_every_submitted_query),
    IK_TEST_CASE(dns_answer_all_drains_before_reporting_a_submit_failure),
    IK_TEST_CASE(dns_rdata_decode_survives_allocation_failures),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
