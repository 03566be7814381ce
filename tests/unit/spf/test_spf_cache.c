/*
 * test_spf_cache.c - the parsed SPF record cache (ik_spf_cache, spf.h;
 * src/lib/spf/cache.c): hits, TTL expiry on an injected clock, the entry
 * bound, entries in use surviving eviction, malformed records, allocation
 * failure, and two threads sharing one cache.
 */
#include <pthread.h>

#include "ik_test.h"
#include "inkan/spf.h"
#include "inkan/zone.h"

static const char zone_text[] =
    "$TTL 60\n"
    "example.com. TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all\"\n"
    "_spf.example.net. 300 TXT \"v=spf1 ip4:198.51.100.0/24 ~all\"\n"
    "bad.example.com. TXT \"v=spf1 ip4:192.0.2.0/33 -all\"\n"
    "d0.example.org. TXT \"v=spf1 ip4:10.0.0.0/24 -all\"\n"
    "d1.example.org. TXT \"v=spf1 ip4:10.0.1.0/24 -all\"\n"
    "d2.example.org. TXT \"v=spf1 ip4:10.0.2.0/24 -all\"\n"
    "d3.example.org. TXT \"v=spf1 ip4:10.0.3.0/24 -all\"\n"
    "d4.example.org. TXT \"v=spf1 ip4:10.0.4.0/24 -all\"\n"
    "d5.example.org. TXT \"v=spf1 ip4:10.0.5.0/24 -all\"\n"
    "d6.example.org. TXT \"v=spf1 ip4:10.0.6.0/24 -all\"\n"
    "d7.example.org. TXT \"v=spf1 ip4:10.0.7.0/24 -all\"\n"
    "zero.example.com. 0 TXT \"v=spf1 -all\"\n";

typedef struct fixture {
    ik_zone *zone;
    ik_resolver res;
} fixture;

static void fixture_open(fixture *fx, const char *text)
{
    char err[256];
    fx->zone = ik_zone_new(NULL);
    ASSERT_TRUE(fx->zone != NULL);
    ASSERT_OK(ik_zone_load_mem(fx->zone, "<test>", text, strlen(text), err, sizeof(err)));
    ASSERT_OK(ik_zone_resolver(fx->zone, &fx->res));
}

static void fixture_close(fixture *fx)
{
    ik_resolver_close(&fx->res);
    ik_zone_free(fx->zone);
}

static ik_spf_params params(const char *ip, const char *sender, ik_spf_cache *c)
{
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    ASSERT_OK(ik_ip_parse(ik_str_c(ip), &p.ip));
    p.sender = ik_str_c(sender);
    p.helo = ik_str_c("mail.example.com");
    p.now = 1700000000;
    p.cache = c;
    return p;
}

static ik_spf_result check(fixture *fx, ik_arena *a, const char *ip, const char *sender,
                           ik_spf_cache *c, ik_spf_outcome *o)
{
    ik_spf_params p = params(ip, sender, c);
    ASSERT_OK(ik_spf_check(a, &p, &fx->res, o));
    return o->result;
}

/* An injected clock: a counter the test moves. */
static int64_t test_clock(void *ud)
{
    return *(const int64_t *)ud;
}

static void cache_hit_gives_the_same_outcome(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_spf_cache *c = ik_spf_cache_new(NULL, 16);
    ASSERT_TRUE(c != NULL);
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_outcome plain, first, second;
    ik_spf_cache_stats st;

    ASSERT_EQ(check(&fx, a, "198.51.100.7", "u@example.com", NULL, &plain), IK_SPF_PASS);
    ASSERT_STR(plain.mechanism, "include:_spf.example.net");
    ik_arena_reset(a);

    /* first use: both records (example.com and the include) are parsed */
    ASSERT_EQ(check(&fx, a, "198.51.100.7", "u@example.com", c, &first), IK_SPF_PASS);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.misses, 2);
    ASSERT_EQ(st.hits, 0);
    ASSERT_EQ(st.inserts, 2);
    ASSERT_EQ(st.entries, 2);
    ik_arena_reset(a);

    /* second use: both come from the cache, with the same outcome */
    ASSERT_EQ(check(&fx, a, "198.51.100.7", "u@example.com", c, &second), IK_SPF_PASS);
    ASSERT_STR(second.mechanism, "include:_spf.example.net");
    ASSERT_EQ(second.dns_lookups, plain.dns_lookups);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits, 2);
    ASSERT_EQ(st.misses, 2);
    ASSERT_EQ(st.entries, 2);

    /* a fail with its explanation, through the cached records */
    ik_arena_reset(a);
    ASSERT_EQ(check(&fx, a, "203.0.113.9", "u@example.com", c, &second), IK_SPF_FAIL);
    ASSERT_STR(second.mechanism, "-all");
    ASSERT_STR(second.explanation,
               "example.com does not designate 203.0.113.9 as a permitted sender");

    /* the domain is matched without regard to case */
    ik_arena_reset(a);
    ASSERT_EQ(check(&fx, a, "192.0.2.1", "u@EXAMPLE.com", c, &second), IK_SPF_PASS);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.misses, 2);

    ik_arena_free(a);
    ik_spf_cache_free(c);
    fixture_close(&fx);
}

static void cache_malformed_record_keeps_its_problem(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_spf_cache *c = ik_spf_cache_new(NULL, 16);
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_outcome o1, o2;
    ik_spf_cache_stats st;

    ASSERT_EQ(check(&fx, a, "192.0.2.1", "u@bad.example.com", c, &o1), IK_SPF_PERMERROR);
    ASSERT_EQ(check(&fx, a, "192.0.2.1", "u@bad.example.com", c, &o2), IK_SPF_PERMERROR);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits, 1);
    ASSERT_EQ(st.misses, 1);
    ASSERT_TRUE(o1.problem.len > 0);
    ASSERT_EQ(o1.problem.len, o2.problem.len);
    ASSERT_TRUE(memcmp(o1.problem.p, o2.problem.p, o1.problem.len) == 0);
    ASSERT_TRUE(strstr(o2.problem.p, "ip4:192.0.2.0/33") != NULL);

    ik_arena_free(a);
    ik_spf_cache_free(c);
    fixture_close(&fx);
}

static void cache_entry_expires_after_its_ttl(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_spf_cache *c = ik_spf_cache_new(NULL, 16);
    int64_t now = 1000;
    ik_spf_cache_set_clock(c, test_clock, &now);
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_outcome o;
    ik_spf_cache_stats st;

    /* d0.example.org has TTL 60 ($TTL) */
    ASSERT_EQ(check(&fx, a, "10.0.0.1", "u@d0.example.org", c, &o), IK_SPF_PASS);
    now = 1059; /* one second before expiry: a hit */
    ik_arena_reset(a);
    ASSERT_EQ(check(&fx, a, "10.0.0.1", "u@d0.example.org", c, &o), IK_SPF_PASS);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits, 1);
    ASSERT_EQ(st.expirations, 0);

    now = 1060; /* expired: dropped, parsed again and stored again */
    ik_arena_reset(a);
    ASSERT_EQ(check(&fx, a, "10.0.0.1", "u@d0.example.org", c, &o), IK_SPF_PASS);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits, 1);
    ASSERT_EQ(st.misses, 2);
    ASSERT_EQ(st.expirations, 1);
    ASSERT_EQ(st.inserts, 2);
    ASSERT_EQ(st.entries, 1);

    /* a TTL of 0 is never stored */
    ik_arena_reset(a);
    ASSERT_EQ(check(&fx, a, "10.0.0.1", "u@zero.example.com", c, &o), IK_SPF_FAIL);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.entries, 1);
    ASSERT_EQ(st.inserts, 2);

    ik_arena_free(a);
    ik_spf_cache_free(c);
    fixture_close(&fx);
}

static void cache_changed_record_text_is_not_served(void)
{
    fixture fx1, fx2;
    fixture_open(&fx1, "d0.example.org. 60 TXT \"v=spf1 -all\"\n");
    fixture_open(&fx2, "d0.example.org. 60 TXT \"v=spf1 +all\"\n");
    ik_spf_cache *c = ik_spf_cache_new(NULL, 16);
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_outcome o;
    ASSERT_EQ(check(&fx1, a, "10.0.0.1", "u@d0.example.org", c, &o), IK_SPF_FAIL);
    ASSERT_EQ(check(&fx2, a, "10.0.0.1", "u@d0.example.org", c, &o), IK_SPF_PASS);
    ASSERT_EQ(check(&fx1, a, "10.0.0.1", "u@d0.example.org", c, &o), IK_SPF_FAIL);
    ik_spf_cache_stats st;
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits, 1);
    ASSERT_EQ(st.entries, 2);
    ik_arena_free(a);
    ik_spf_cache_free(c);
    fixture_close(&fx1);
    fixture_close(&fx2);
}

static void cache_holds_at_most_max_entries(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_spf_cache *c = ik_spf_cache_new(NULL, 4);
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_outcome o;
    ik_spf_cache_stats st;
    char sender[64];
    for (int i = 0; i < 8; i++) {
        snprintf(sender, sizeof(sender), "u@d%d.example.org", i);
        ik_arena_reset(a);
        ASSERT_EQ(check(&fx, a, "10.0.0.1", sender, c, &o), i == 0 ? IK_SPF_PASS : IK_SPF_FAIL);
        ik_spf_cache_stats_get(c, &st);
        ASSERT_TRUE(st.entries <= 4);
    }
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.entries, 4);
    ASSERT_EQ(st.evictions, 4);
    /* the least recently used went first: d7 is held, d0 is not */
    ik_arena_reset(a);
    check(&fx, a, "10.0.0.1", "u@d7.example.org", c, &o);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits, 1);
    ik_arena_reset(a);
    check(&fx, a, "10.0.0.1", "u@d0.example.org", c, &o);
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits, 1);
    ASSERT_EQ(st.evictions, 5);
    ik_arena_free(a);
    ik_spf_cache_free(c);
    fixture_close(&fx);
}

static void cache_record_in_use_survives_eviction(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_spf_cache *c = ik_spf_cache_new(NULL, 1);
    ik_arena *a1 = ik_arena_new(NULL), *a2 = ik_arena_new(NULL);
    ik_spf_outcome o1, o2;
    /* stored by the first evaluation, then served to the second */
    check(&fx, a1, "10.0.1.1", "u@d1.example.org", c, &o1);
    ik_arena_reset(a1);
    ASSERT_EQ(check(&fx, a1, "10.0.1.1", "u@d1.example.org", c, &o1), IK_SPF_PASS);
    /* a1 still uses the cached d1 record while a2 evicts it */
    ASSERT_EQ(check(&fx, a2, "10.0.1.1", "u@d2.example.org", c, &o2), IK_SPF_FAIL);
    ik_spf_cache_stats st;
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.evictions, 1);
    ASSERT_STR(o1.mechanism, "ip4:10.0.1.0/24"); /* a view into the cached copy */
    ik_arena_free(a1);                           /* the last reference frees it */
    ik_arena_free(a2);
    ik_spf_cache_free(c);
    fixture_close(&fx);
}

static void cache_allocation_failure_is_not_an_evaluation_failure(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    for (long n = 1; n <= 3; n++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, n);
        ik_spf_cache *c = ik_spf_cache_new(&ta.al, 8);
        if (c == NULL)
            continue; /* failing while making the cache is reported as NULL */
        ik_arena *a = ik_arena_new(NULL);
        ik_spf_outcome o;
        ASSERT_EQ(check(&fx, a, "198.51.100.7", "u@example.com", c, &o), IK_SPF_PASS);
        ik_arena_reset(a);
        ASSERT_EQ(check(&fx, a, "198.51.100.7", "u@example.com", c, &o), IK_SPF_PASS);
        ik_arena_free(a);
        ik_spf_cache_free(c);
    }
    ASSERT_TRUE(ik_spf_cache_free(NULL) == NULL);
    fixture_close(&fx);
}

/* ---- two threads, one cache ---------------------------------------------- */

typedef struct worker {
    ik_zone *zone;
    ik_spf_cache *cache;
    int seed;
    int bad; /* results that differ from the expected */
} worker;

static void *worker_run(void *arg)
{
    worker *w = arg;
    ik_resolver res;
    if (ik_zone_resolver(w->zone, &res) != IK_OK) {
        w->bad = -1;
        return NULL;
    }
    ik_arena *a = ik_arena_new(NULL);
    char sender[64], ip[32];
    for (int i = 0; i < 4000 && a; i++) {
        /* three of every four evaluations go to the thread's own hot
         * domain, so hits happen even when the scheduler runs the two
         * threads one after the other; the fourth walks all eight
         * domains, more than the cache holds, so entries are evicted */
        int d = i % 4 != 3 ? w->seed : (i / 4 + w->seed) % 8;
        int pass = (i / 4 + w->seed) % 2;
        snprintf(sender, sizeof(sender), "u@d%d.example.org", d);
        snprintf(ip, sizeof(ip), "10.0.%d.9", pass ? d : (d + 1) % 8);
        ik_spf_params p;
        memset(&p, 0, sizeof(p));
        ik_ip_parse(ik_str_c(ip), &p.ip);
        p.sender = ik_str_c(sender);
        p.now = 1700000000;
        p.cache = w->cache;
        ik_spf_outcome o;
        /* every other evaluation keeps its arena, and so its references,
         * across the next one */
        if (i % 2 == 0)
            ik_arena_reset(a);
        if (ik_spf_check(a, &p, &res, &o) != IK_OK
            || o.result != (pass ? IK_SPF_PASS : IK_SPF_FAIL))
            w->bad++;
    }
    ik_arena_free(a);
    ik_resolver_close(&res);
    return NULL;
}

static void cache_is_shared_by_two_threads(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    /* fewer entries than domains: the threads evict each other's entries */
    ik_spf_cache *c = ik_spf_cache_new(NULL, 5);
    worker w[2] = { { fx.zone, c, 0, 0 }, { fx.zone, c, 3, 0 } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_join(t[i], NULL), 0);
    ASSERT_EQ(w[0].bad, 0);
    ASSERT_EQ(w[1].bad, 0);
    ik_spf_cache_stats st;
    ik_spf_cache_stats_get(c, &st);
    ASSERT_EQ(st.hits + st.misses, 8000);
    ASSERT_TRUE(st.hits > 0);
    ASSERT_TRUE(st.entries <= 5);
    ASSERT_TRUE(st.evictions > 0);
    ik_spf_cache_free(c);
    fixture_close(&fx);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(cache_hit_gives_the_same_outcome),
    IK_TEST_CASE(cache_malformed_record_keeps_its_problem),
    IK_TEST_CASE(cache_entry_expires_after_its_ttl),
    IK_TEST_CASE(cache_changed_record_text_is_not_served),
    IK_TEST_CASE(cache_holds_at_most_max_entries),
    IK_TEST_CASE(cache_record_in_use_survives_eviction),
    IK_TEST_CASE(cache_allocation_failure_is_not_an_evaluation_failure),
    IK_TEST_CASE(cache_is_shared_by_two_threads),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
