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
 * Key: lowercase domain plus exact record text.  The table, LRU bound,
 * TTL expiry, reference counting and locking are the shared core in
 * util/rcache.c (also under the DMARC policy cache), which copies the key,
 * and with it the record text every view of a cached record points into.
 *
 * Ownership: the cache and its entries come from the allocator given to
 * ik_spf_cache_new.  Cached records are never written after insertion.
 * Limits: max_entries entries; records are at most IK_SPF_MAX_RECORD octets.
 */
#include <string.h>

#include "spf/spf_int.h"
#include "util/rcache_int.h"

#define CACHE_DEFAULT_ENTRIES 10000

/* The payload of a cache entry (util/rcache_int.h). */
typedef struct spf_payload {
    ik_str problem;     /* malformed records: why */
    ik_spf_record *rec; /* NULL when malformed; else &recbuf */
    ik_spf_record recbuf;
} spf_payload;

struct ik_spf_cache {
    ik__rcache rc;
};

ik_spf_cache *ik_spf_cache_new(const ik_allocator *al, size_t max_entries)
{
    ik_spf_cache *c = ik_alloc(al, sizeof(*c));
    if (c == NULL)
        return NULL;
    if (ik__rcache_init(&c->rc, al, max_entries, CACHE_DEFAULT_ENTRIES) != IK_OK) {
        ik_free(al, c);
        return NULL;
    }
    return c;
}

ik_spf_cache *ik_spf_cache_free(ik_spf_cache *c)
{
    if (c == NULL)
        return NULL;
    ik_allocator copy = c->rc.al;
    const ik_allocator *al = c->rc.has_al ? &copy : NULL;
    ik__rcache_fini(&c->rc);
    ik_free(al, c);
    return NULL;
}

void ik_spf_cache_set_clock(ik_spf_cache *c, ik_spf_cache_clock_fn fn, void *ud)
{
    ik__rcache_set_clock(&c->rc, fn, ud);
}

void ik_spf_cache_stats_get(ik_spf_cache *c, ik_spf_cache_stats *out)
{
    ik__rcache_stats_get(&c->rc, out);
}

ik_status ik__spf_cache_get(ik_spf_cache *c, ik_arena *a, ik_str domain, ik_str text,
                            const ik_spf_record **rec, ik_str *problem, int *hit)
{
    const ik__rc_entry *e;
    *hit = 0;
    ik_status st = ik__rcache_get(&c->rc, a, domain, text, 0, &e);
    if (st != IK_OK || e == NULL)
        return st;
    const spf_payload *pl = ik__rc_payload(e);
    *rec = pl->rec;
    *problem = pl->problem;
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

void ik__spf_cache_put(ik_spf_cache *c, ik_str domain, ik_str text, uint32_t ttl,
                       const ik_spf_record *rec, ik_str problem)
{
    if (ttl == 0)
        return; /* nothing to keep */
    /* one allocation: the payload, the terms, the problem text; the key
     * (and so the record text every view points into) is copied by rcache */
    size_t nterms = rec ? rec->nterms : 0;
    size_t size = sizeof(spf_payload) + nterms * sizeof(ik__spf_term) + (rec ? 0 : problem.len + 1);
    ik__rc_entry *e = ik__rcache_entry_new(&c->rc, domain, text, 0, size);
    if (e == NULL)
        return; /* no memory, or no usable key */
    spf_payload *pl = ik__rc_payload(e);
    ik__spf_term *terms = (ik__spf_term *)(pl + 1);
    memset(pl, 0, sizeof(*pl));
    if (rec == NULL) {
        char *p = (char *)(terms + nterms);
        if (problem.len)
            memcpy(p, problem.p, problem.len);
        p[problem.len] = '\0';
        pl->problem = ik_str_make(p, problem.len);
    } else {
        pl->problem = ik_str_make("", 0);
        ik_spf_record *r = &pl->recbuf;
        *r = *rec;
        r->text = e->text;
        r->redirect = rebase(rec->redirect, rec->text, e->text.p);
        r->exp = rebase(rec->exp, rec->text, e->text.p);
        for (size_t i = 0; i < nterms; i++) {
            terms[i] = rec->terms[i];
            terms[i].info.text = rebase(rec->terms[i].info.text, rec->text, e->text.p);
            terms[i].info.domain_spec =
                rebase(rec->terms[i].info.domain_spec, rec->text, e->text.p);
        }
        r->terms = terms;
        pl->rec = r;
    }
    ik__rcache_insert(&c->rc, e, ttl);
}
