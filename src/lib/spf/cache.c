/*
 * cache.c - the parsed SPF record cache (see ik_spf_cache in inkan/spf.h;
 * ARCHITECTURE.md "Caches that matter for speed", RS:src/libserver/spf.c
 * caches the same way).
 *
 * An entry is one allocation from the cache's allocator: the header, the
 * record, its terms, and copies of the record text, the lowercase domain and
 * the problem text, with every view of the record rebased onto the copy.  So
 * a cached record depends on nothing of the evaluation that parsed it.
 *
 * Key: lowercase domain plus exact record text, in a chained hash table
 * sized once for max_entries.  Entries sit on an LRU list; the least
 * recently used is evicted when the cache is full, and an entry whose TTL
 * (from the TXT answer, RFC 7208 4.4 leaves caching to DNS) has passed is
 * dropped when it is next looked up.
 *
 * Lifetime: an entry counts one reference for being in the table and one
 * per evaluation using it; an evaluation's reference is released by a
 * cleanup registered in its arena.  An entry dropped while in use is freed
 * by the last release, so a record never disappears under an evaluation.
 *
 * Ownership: the cache and its entries come from the allocator given to
 * ik_spf_cache_new.  Threads: one mutex guards the table, the list and the
 * counters; parsing and copying happen outside it.  Cached records are
 * never written after insertion.
 * Limits: max_entries entries; records are at most IK_SPF_MAX_RECORD octets.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "spf/spf_int.h"
#include "util/util_int.h"

#define CACHE_DEFAULT_ENTRIES 10000

typedef struct centry {
    struct centry *hnext;       /* hash chain */
    struct centry *prev, *next; /* LRU list, most recent first */
    ik_spf_cache *cache;
    uint32_t hash;
    unsigned refs; /* 1 while in the table, + evaluations */
    int64_t expires;
    ik_str domain; /* lowercase */
    ik_str text;
    ik_str problem;     /* malformed records: why */
    ik_spf_record *rec; /* NULL when malformed; else &recbuf */
    ik_spf_record recbuf;
} centry;

struct ik_spf_cache {
    ik_allocator al;
    int has_al;
    pthread_mutex_t mu;
    ik_spf_cache_clock_fn clock;
    void *clock_ud;
    centry **tab;
    size_t mask;
    size_t max, n;
    centry *head, *tail; /* LRU list */
    ik_spf_cache_stats st;
};

static const ik_allocator *cache_al(const ik_spf_cache *c)
{
    return c->has_al ? &c->al : NULL;
}

static int64_t mono_clock(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

ik_spf_cache *ik_spf_cache_new(const ik_allocator *al, size_t max_entries)
{
    if (max_entries == 0)
        max_entries = CACHE_DEFAULT_ENTRIES;
    if (max_entries > (SIZE_MAX / sizeof(centry *)) / 4)
        return NULL;
    ik_spf_cache *c = ik_alloc(al, sizeof(*c));
    if (c == NULL)
        return NULL;
    memset(c, 0, sizeof(*c));
    if (al) {
        c->al = *al;
        c->has_al = 1;
    }
    size_t slots = 16;
    while (slots < max_entries)
        slots *= 2; /* load factor at most 1 */
    c->tab = ik_alloc(al, slots * sizeof(*c->tab));
    if (c->tab == NULL || pthread_mutex_init(&c->mu, NULL) != 0) {
        ik_free(al, c->tab);
        ik_free(al, c);
        return NULL;
    }
    memset(c->tab, 0, slots * sizeof(*c->tab));
    c->mask = slots - 1;
    c->max = max_entries;
    c->clock = mono_clock;
    return c;
}

ik_spf_cache *ik_spf_cache_free(ik_spf_cache *c)
{
    if (c == NULL)
        return NULL;
    ik_allocator copy = c->al;
    const ik_allocator *al = c->has_al ? &copy : NULL;
    centry *e = c->head;
    while (e) {
        centry *n = e->next;
        ik_free(al, e);
        e = n;
    }
    pthread_mutex_destroy(&c->mu);
    ik_free(al, c->tab);
    ik_free(al, c);
    return NULL;
}

void ik_spf_cache_set_clock(ik_spf_cache *c, ik_spf_cache_clock_fn fn, void *ud)
{
    pthread_mutex_lock(&c->mu);
    c->clock = fn ? fn : mono_clock;
    c->clock_ud = fn ? ud : NULL;
    pthread_mutex_unlock(&c->mu);
}

void ik_spf_cache_stats_get(ik_spf_cache *c, ik_spf_cache_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    out->entries = c->n;
    pthread_mutex_unlock(&c->mu);
}

/* ---- table and list (caller holds the mutex) --------------------------- */

static uint32_t key_hash(const char *lowdom, size_t dlen, ik_str text)
{
    return ik__hash_bytes(text.p, text.len, ik__hash_bytes(lowdom, dlen, 0));
}

static void lru_unlink(ik_spf_cache *c, centry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(ik_spf_cache *c, centry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    else
        c->tail = e;
    c->head = e;
}

/* Takes e out of the table and the list; frees it unless in use. */
static void drop(ik_spf_cache *c, centry *e)
{
    centry **pp = &c->tab[e->hash & c->mask];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(c, e);
    c->n--;
    if (--e->refs == 0)
        ik_free(cache_al(c), e);
}

static centry *find(ik_spf_cache *c, uint32_t h, const char *lowdom, size_t dlen, ik_str text)
{
    for (centry *e = c->tab[h & c->mask]; e; e = e->hnext)
        if (e->hash == h && e->domain.len == dlen && e->text.len == text.len
            && memcmp(e->domain.p, lowdom, dlen) == 0 && memcmp(e->text.p, text.p, text.len) == 0)
            return e;
    return NULL;
}

/* ---- evaluation side ------------------------------------------------------ */

static void release(void *arg)
{
    centry *e = arg;
    ik_spf_cache *c = e->cache;
    pthread_mutex_lock(&c->mu);
    int last = --e->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        ik_free(cache_al(c), e); /* already out of the table */
}

/* Lowercase, dotless domain into buf; 0 when it cannot be a key. */
static int key_domain(ik_str domain, char *buf, size_t *len)
{
    domain = ik__spf_strip_dot(domain);
    if (domain.len > IK_DNS_NAME_MAX)
        return 0;
    ik__ascii_lower(buf, domain.p, domain.len);
    *len = domain.len;
    return 1;
}

ik_status ik__spf_cache_get(ik_spf_cache *c, ik_arena *a, ik_str domain, ik_str text,
                            const ik_spf_record **rec, ik_str *problem, int *hit)
{
    char dom[IK_DNS_NAME_MAX + 1];
    size_t dlen;
    *hit = 0;
    if (!key_domain(domain, dom, &dlen))
        return IK_OK;
    uint32_t h = key_hash(dom, dlen, text);
    pthread_mutex_lock(&c->mu);
    centry *e = find(c, h, dom, dlen, text);
    if (e && c->clock(c->clock_ud) >= e->expires) {
        drop(c, e);
        c->st.expirations++;
        e = NULL;
    }
    if (e == NULL) {
        c->st.misses++;
        pthread_mutex_unlock(&c->mu);
        return IK_OK;
    }
    e->refs++;
    lru_unlink(c, e);
    lru_push_front(c, e);
    c->st.hits++;
    pthread_mutex_unlock(&c->mu);
    if (ik_arena_defer(a, release, e) != IK_OK) {
        release(e);
        return IK_ENOMEM;
    }
    *rec = e->rec;
    *problem = e->problem;
    *hit = 1;
    return IK_OK;
}

/* Rebases a view into the old text onto the entry's copy. */
static ik_str rebase(ik_str v, ik_str from, const char *to)
{
    if (v.p == NULL)
        return v;
    return ik_str_make(to + (v.p - from.p), v.len);
}

/* One allocation holding a deep copy of the parse result. */
static centry *entry_make(ik_spf_cache *c, const char *dom, size_t dlen, ik_str text,
                          const ik_spf_record *rec, ik_str problem)
{
    size_t nterms = rec ? rec->nterms : 0;
    size_t size = sizeof(centry) + nterms * sizeof(ik__spf_term) + text.len + 1 + dlen + 1
                  + (rec ? 0 : problem.len + 1);
    centry *e = ik_alloc(cache_al(c), size);
    if (e == NULL)
        return NULL;
    memset(e, 0, sizeof(*e));
    ik__spf_term *terms = (ik__spf_term *)(e + 1);
    char *p = (char *)(terms + nterms);
    memcpy(p, text.p, text.len);
    p[text.len] = '\0';
    e->text = ik_str_make(p, text.len);
    p += text.len + 1;
    memcpy(p, dom, dlen);
    p[dlen] = '\0';
    e->domain = ik_str_make(p, dlen);
    p += dlen + 1;
    if (rec == NULL) {
        if (problem.len)
            memcpy(p, problem.p, problem.len);
        p[problem.len] = '\0';
        e->problem = ik_str_make(p, problem.len);
        return e;
    }
    e->problem = ik_str_make("", 0);
    ik_spf_record *r = &e->recbuf;
    *r = *rec;
    r->text = e->text;
    r->redirect = rebase(rec->redirect, rec->text, e->text.p);
    r->exp = rebase(rec->exp, rec->text, e->text.p);
    for (size_t i = 0; i < nterms; i++) {
        terms[i] = rec->terms[i];
        terms[i].info.text = rebase(rec->terms[i].info.text, rec->text, e->text.p);
        terms[i].info.domain_spec = rebase(rec->terms[i].info.domain_spec, rec->text, e->text.p);
    }
    r->terms = terms;
    e->rec = r;
    return e;
}

void ik__spf_cache_put(ik_spf_cache *c, ik_str domain, ik_str text, uint32_t ttl,
                       const ik_spf_record *rec, ik_str problem)
{
    char dom[IK_DNS_NAME_MAX + 1];
    size_t dlen;
    if (ttl == 0 || !key_domain(domain, dom, &dlen))
        return; /* nothing to keep, or no usable key */
    uint32_t h = key_hash(dom, dlen, text);
    centry *e = entry_make(c, dom, dlen, text, rec, problem);
    if (e == NULL)
        return;
    e->cache = c;
    e->hash = h;
    e->refs = 1;
    pthread_mutex_lock(&c->mu);
    e->expires = c->clock(c->clock_ud) + (int64_t)ttl;
    centry *old = find(c, h, dom, dlen, text);
    if (old)
        drop(c, old); /* another evaluation stored it meanwhile: keep the newer */
    while (c->n >= c->max && c->tail) {
        drop(c, c->tail);
        c->st.evictions++;
    }
    e->hnext = c->tab[h & c->mask];
    c->tab[h & c->mask] = e;
    lru_push_front(c, e);
    c->n++;
    c->st.inserts++;
    pthread_mutex_unlock(&c->mu);
}
