/*
 * test_dmarc_cache.c - the parsed DMARC policy cache (ik_dmarc_cache,
 * dmarc.h; src/lib/dmarc/cache.c): hits, TTL expiry on an injected clock,
 * changed record text, the parse options in the key, records ignored as a
 * whole, the entry bound, entries in use surviving eviction, allocation
 * failure, and two threads sharing one cache.
 */
#include <pthread.h>

#include "ik_test.h"
#include "inkan/dmarc.h"
#include "inkan/zone.h"

static const char zone_text[] =
    "$TTL 60\n"
    "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:agg@example.com\"\n"
    "_dmarc.twice.example.net. TXT \"v=DMARC1; p=reject; p=none\"\n"
    "_dmarc.zero.example.com. 0 TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.d0.example.org. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.d1.example.org. TXT \"v=DMARC1; p=quarantine; rua=mailto:r@d1.example.org\"\n"
    "_dmarc.d2.example.org. TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.d3.example.org. TXT \"v=DMARC1; p=reject; t=y\"\n";

/* The same name with another record. */
static const char zone_changed[] = "$TTL 60\n"
                                   "_dmarc.example.com. TXT \"v=DMARC1; p=none\"\n";

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

/* No SPF, no DKIM: every domain with a policy fails, and the disposition
 * shows which policy was read. */
static ik_status check_flags(ik_resolver *r, ik_arena *a, const char *author, ik_dmarc_cache *c,
                             unsigned flags, ik_dmarc_outcome *o)
{
    ik_dmarc_from from;
    ik_status st = ik_dmarc_author_from_domain(a, ik_str_c(author), &from);
    if (st != IK_OK)
        return st;
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    auth.spf_result = IK_SPF_NONE;
    ik_dmarc_params p;
    memset(&p, 0, sizeof(p));
    p.spec = IK_DMARC_SPEC_9989;
    p.flags = flags;
    p.sample = 0;
    p.cache = c;
    return ik_dmarc_check(a, &p, &from, &auth, r, o);
}

static ik_dmarc_policy check(fixture *fx, ik_arena *a, const char *author, ik_dmarc_cache *c,
                             ik_dmarc_outcome *o)
{
    ASSERT_OK(check_flags(&fx->res, a, author, c, 0, o));
    return o->disposition;
}

static ik_dmarc_cache_stats stats(ik_dmarc_cache *c)
{
    ik_dmarc_cache_stats st;
    ik_dmarc_cache_stats_get(c, &st);
    return st;
}

/* An injected clock: a counter the test moves. */
static int64_t test_clock(void *ud)
{
    return *(const int64_t *)ud;
}

static void dmarc_cache_hit_gives_the_same_outcome(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_dmarc_cache *c = ik_dmarc_cache_new(NULL, 16);
    ASSERT_TRUE(c != NULL);
    ik_arena *a = ik_arena_new(NULL), *b = ik_arena_new(NULL);
    ik_dmarc_outcome o1, o2, o3;
    ASSERT_EQ(check(&fx, a, "example.com", NULL, &o1), IK_DMARC_P_REJECT); /* no cache */
    ASSERT_EQ(check(&fx, b, "example.com", c, &o2), IK_DMARC_P_REJECT);    /* miss, stored */
    ik_dmarc_cache_stats st = stats(c);
    ASSERT_EQ(st.misses, 1);
    ASSERT_EQ(st.inserts, 1);
    ASSERT_EQ(st.entries, 1);
    ik_arena_reset(b);
    ASSERT_EQ(check(&fx, b, "EXAMPLE.com", c, &o3), IK_DMARC_P_REJECT); /* hit: names fold */
    st = stats(c);
    ASSERT_EQ(st.hits, 1);
    ASSERT_EQ(o3.result, o1.result);
    ASSERT_EQ(o3.ndomains, 1);
    const ik_dmarc_record *r1 = o1.domains[0].record, *r3 = o3.domains[0].record;
    ASSERT_TRUE(r1 != NULL && r3 != NULL);
    ASSERT_EQ(r3->p, r1->p);
    ASSERT_STR(r3->text, "v=DMARC1; p=reject; rua=mailto:agg@example.com");
    ASSERT_EQ(r3->nrua, 1);
    ASSERT_STR(r3->rua[0].host, "example.com");
    ASSERT_STR(r3->rua[0].address, "agg@example.com");
    ASSERT_STR(r3->rua[0].text, "mailto:agg@example.com");
    ik_arena_free(a);
    ik_arena_free(b); /* releases the entry the outcome held */
    ik_dmarc_cache_free(c);
    fixture_close(&fx);
}

static void dmarc_cache_keeps_records_ignored_as_a_whole(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_dmarc_cache *c = ik_dmarc_cache_new(NULL, 16);
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_outcome o1, o2;
    /* a repeated tag: the record is ignored (RFC 6376 3.2), no policy */
    check(&fx, a, "twice.example.net", c, &o1);
    ASSERT_TRUE(o1.domains[0].record == NULL);
    ik_arena_reset(a);
    check(&fx, a, "twice.example.net", c, &o2);
    ASSERT_EQ(stats(c).hits, 1);
    ASSERT_EQ(o2.result, o1.result);
    ASSERT_TRUE(o2.domains[0].record == NULL);
    /* the parse options are part of the key: keeping the first p= is a
     * different parse of the same text, so it is not served from the entry
     * above */
    ik_arena_reset(a);
    ASSERT_OK(check_flags(&fx.res, a, "twice.example.net", c, IK_DMARC_OPT_DUP_TAG_FIRST, &o2));
    ASSERT_EQ(o2.disposition, IK_DMARC_P_REJECT);
    ASSERT_EQ(stats(c).inserts, 2);
    ik_arena_free(a);
    ik_dmarc_cache_free(c);
    fixture_close(&fx);
}

static void dmarc_cache_entry_expires_after_its_ttl(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_dmarc_cache *c = ik_dmarc_cache_new(NULL, 16);
    int64_t now = 1000;
    ik_dmarc_cache_set_clock(c, test_clock, &now);
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_outcome o;
    check(&fx, a, "example.com", c, &o);
    ik_arena_reset(a);
    now += 59;
    check(&fx, a, "example.com", c, &o);
    ASSERT_EQ(stats(c).hits, 1);
    ik_arena_reset(a);
    now += 1; /* TTL 60 has passed */
    ASSERT_EQ(check(&fx, a, "example.com", c, &o), IK_DMARC_P_REJECT);
    ik_dmarc_cache_stats st = stats(c);
    ASSERT_EQ(st.expirations, 1);
    ASSERT_EQ(st.misses, 2);
    ASSERT_EQ(st.inserts, 2);
    ASSERT_EQ(st.entries, 1);
    /* an answer with TTL 0 is not kept */
    ik_arena_reset(a);
    ASSERT_EQ(check(&fx, a, "zero.example.com", c, &o), IK_DMARC_P_QUARANTINE);
    ASSERT_EQ(stats(c).inserts, 2);
    ik_arena_free(a);
    ik_dmarc_cache_free(c);
    fixture_close(&fx);
}

static void dmarc_cache_changed_record_text_is_not_served(void)
{
    fixture f1, f2;
    fixture_open(&f1, zone_text);
    fixture_open(&f2, zone_changed);
    ik_dmarc_cache *c = ik_dmarc_cache_new(NULL, 16);
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_outcome o;
    ASSERT_EQ(check(&f1, a, "example.com", c, &o), IK_DMARC_P_REJECT);
    ik_arena_reset(a);
    ASSERT_EQ(check(&f2, a, "example.com", c, &o), IK_DMARC_P_NONE); /* the new text */
    ik_dmarc_cache_stats st = stats(c);
    ASSERT_EQ(st.hits, 0);
    ASSERT_EQ(st.inserts, 2);
    ik_arena_reset(a);
    ASSERT_EQ(check(&f1, a, "example.com", c, &o), IK_DMARC_P_REJECT); /* the old, still held */
    ASSERT_EQ(stats(c).hits, 1);
    ik_arena_free(a);
    ik_dmarc_cache_free(c);
    fixture_close(&f1);
    fixture_close(&f2);
}

static void dmarc_cache_holds_at_most_max_entries(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_dmarc_cache *c = ik_dmarc_cache_new(NULL, 2);
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_outcome o;
    static const char *const doms[] = { "d0.example.org", "d1.example.org", "d2.example.org",
                                        "d3.example.org" };
    static const ik_dmarc_policy want[] = { IK_DMARC_P_REJECT, IK_DMARC_P_QUARANTINE,
                                            IK_DMARC_P_NONE, IK_DMARC_P_QUARANTINE };
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < 4; i++) {
            ASSERT_EQ(check(&fx, a, doms[i], c, &o), want[i]);
            ik_arena_reset(a);
        }
    ik_dmarc_cache_stats st = stats(c);
    ASSERT_EQ(st.entries, 2);
    ASSERT_EQ(st.evictions, 6); /* LRU order: every lookup misses */
    ASSERT_EQ(st.hits, 0);
    /* the most recent ones are held */
    ASSERT_EQ(check(&fx, a, "d3.example.org", c, &o), IK_DMARC_P_QUARANTINE);
    ASSERT_EQ(stats(c).hits, 1);
    ik_arena_free(a);
    ik_dmarc_cache_free(c);
    fixture_close(&fx);
}

static void dmarc_cache_record_in_use_survives_eviction(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    ik_dmarc_cache *c = ik_dmarc_cache_new(NULL, 1);
    ik_arena *a1 = ik_arena_new(NULL), *a2 = ik_arena_new(NULL);
    ik_dmarc_outcome o1, o2;
    check(&fx, a1, "d1.example.org", c, &o1);
    ik_arena_reset(a1);
    check(&fx, a1, "d1.example.org", c, &o1); /* served from the cache */
    ASSERT_EQ(stats(c).hits, 1);
    /* a1 still uses the cached d1 record while a2 evicts it */
    ASSERT_EQ(check(&fx, a2, "d2.example.org", c, &o2), IK_DMARC_P_NONE);
    ASSERT_EQ(stats(c).evictions, 1);
    const ik_dmarc_record *r = o1.domains[0].record;
    ASSERT_EQ(r->p, IK_DMARC_P_QUARANTINE);
    ASSERT_STR(r->rua[0].address, "r@d1.example.org"); /* the cached copy */
    ik_arena_free(a1);                                 /* the last reference frees it */
    ik_arena_free(a2);
    ik_dmarc_cache_free(c);
    fixture_close(&fx);
}

static void dmarc_cache_allocation_failure_is_not_an_evaluation_failure(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    for (long n = 0; n <= 4; n++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, n);
        ik_dmarc_cache *c = ik_dmarc_cache_new(&ta.al, 8);
        if (c == NULL)
            continue; /* failing while making the cache is reported as NULL */
        ik_arena *a = ik_arena_new(NULL);
        ik_dmarc_outcome o;
        for (int i = 0; i < 3; i++) {
            ASSERT_EQ(check(&fx, a, "d1.example.org", c, &o), IK_DMARC_P_QUARANTINE);
            ASSERT_STR(o.domains[0].record->rua[0].host, "d1.example.org");
            ik_arena_reset(a);
        }
        ik_arena_free(a);
        ik_dmarc_cache_free(c);
    }
    ASSERT_TRUE(ik_dmarc_cache_free(NULL) == NULL);
    fixture_close(&fx);
}

/* ---- two threads, one cache ---------------------------------------------- */

typedef struct worker {
    ik_zone *zone;
    ik_dmarc_cache *cache;
    int seed;
    int bad; /* results that differ from the expected */
} worker;

static void *worker_run(void *arg)
{
    static const ik_dmarc_policy want[] = { IK_DMARC_P_REJECT, IK_DMARC_P_QUARANTINE,
                                            IK_DMARC_P_NONE, IK_DMARC_P_QUARANTINE };
    static const ik_dmarc_policy published[] = { IK_DMARC_P_REJECT, IK_DMARC_P_QUARANTINE,
                                                 IK_DMARC_P_NONE, IK_DMARC_P_REJECT };
    worker *w = arg;
    ik_resolver res;
    if (ik_zone_resolver(w->zone, &res) != IK_OK) {
        w->bad = -1;
        return NULL;
    }
    ik_arena *a = ik_arena_new(NULL);
    char author[64];
    for (int i = 0; i < 4000 && a; i++) {
        int d = ((i / 2) * 3 + w->seed) % 4; /* each domain twice in a row */
        snprintf(author, sizeof(author), "d%d.example.org", d);
        /* every other evaluation keeps its arena, and so its references,
         * across the next one */
        if (i % 2 == 0)
            ik_arena_reset(a);
        ik_dmarc_outcome o;
        if (check_flags(&res, a, author, w->cache, 0, &o) != IK_OK || o.disposition != want[d]
            || o.domains[0].record == NULL || o.domains[0].record->p != published[d])
            w->bad++;
    }
    ik_arena_free(a);
    ik_resolver_close(&res);
    return NULL;
}

static void dmarc_cache_is_shared_by_two_threads(void)
{
    fixture fx;
    fixture_open(&fx, zone_text);
    /* fewer entries than domains: the threads evict each other's entries */
    ik_dmarc_cache *c = ik_dmarc_cache_new(NULL, 3);
    worker w[2] = { { fx.zone, c, 0, 0 }, { fx.zone, c, 1, 0 } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(pthread_join(t[i], NULL), 0);
    ASSERT_EQ(w[0].bad, 0);
    ASSERT_EQ(w[1].bad, 0);
    ik_dmarc_cache_stats st = stats(c);
    ASSERT_EQ(st.hits + st.misses, 8000);
    ASSERT_TRUE(st.hits > 0);
    ASSERT_TRUE(st.entries <= 3);
    ASSERT_TRUE(st.evictions > 0);
    ik_dmarc_cache_free(c);
    fixture_close(&fx);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(dmarc_cache_hit_gives_the_same_outcome),
    IK_TEST_CASE(dmarc_cache_keeps_records_ignored_as_a_whole),
    IK_TEST_CASE(dmarc_cache_entry_expires_after_its_ttl),
    IK_TEST_CASE(dmarc_cache_changed_record_text_is_not_served),
    IK_TEST_CASE(dmarc_cache_holds_at_most_max_entries),
    IK_TEST_CASE(dmarc_cache_record_in_use_survives_eviction),
    IK_TEST_CASE(dmarc_cache_allocation_failure_is_not_an_evaluation_failure),
    IK_TEST_CASE(dmarc_cache_is_shared_by_two_threads),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
