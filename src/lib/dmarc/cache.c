/*
 * cache.c - the parsed DMARC policy cache (see ik_dmarc_cache in
 * inkan/dmarc.h; ARCHITECTURE.md "Caches that matter for speed").
 *
 * An entry is one allocation from the cache's allocator: the header, the
 * record with its rua= and ruf= arrays, and copies of every string the
 * record points to (the record text, URIs, addresses, hosts, rf= and the
 * problem notes), so a cached record depends on nothing of the evaluation
 * that parsed it.  Records that must be ignored as a whole (IK_ESYNTAX:
 * a repeated tag, too long) are kept with their problem text and no record.
 *
 * Key: the lowercase name queried, the exact record text and the parse
 * flags (they change what the parser keeps).  The table, LRU bound, TTL
 * expiry, reference counting and locking are the shared core in
 * util/rcache.c (also under the SPF record cache).
 *
 * Ownership: the cache and its entries come from the allocator given to
 * ik_dmarc_cache_new.  Cached records are never written after insertion.
 * Limits: max_entries entries; names at most IK_DNS_NAME_MAX octets,
 * records at most IK_DMARC_MAX_RECORD (longer ones never parse).
 */
#include <string.h>

#include "dmarc/dmarc_int.h"
#include "util/rcache_int.h"

#define CACHE_DEFAULT_ENTRIES 10000

/* The payload of a cache entry (util/rcache_int.h). */
typedef struct dmarc_payload {
    ik_status st; /* IK_OK (rec) or IK_ESYNTAX */
    ik_str problem;
    ik_dmarc_record *rec; /* NULL unless st is IK_OK; else &recbuf */
    ik_dmarc_record recbuf;
} dmarc_payload;

struct ik_dmarc_cache {
    ik__rcache rc;
};

ik_dmarc_cache *ik_dmarc_cache_new(const ik_allocator *al, size_t max_entries)
{
    ik_dmarc_cache *c = ik_alloc(al, sizeof(*c));
    if (c == NULL)
        return NULL;
    if (ik__rcache_init(&c->rc, al, max_entries, CACHE_DEFAULT_ENTRIES) != IK_OK) {
        ik_free(al, c);
        return NULL;
    }
    return c;
}

ik_dmarc_cache *ik_dmarc_cache_free(ik_dmarc_cache *c)
{
    if (c == NULL)
        return NULL;
    ik_allocator copy = c->rc.al;
    const ik_allocator *al = c->rc.has_al ? &copy : NULL;
    ik__rcache_fini(&c->rc);
    ik_free(al, c);
    return NULL;
}

void ik_dmarc_cache_set_clock(ik_dmarc_cache *c, ik_dmarc_cache_clock_fn fn, void *ud)
{
    ik__rcache_set_clock(&c->rc, fn, ud);
}

void ik_dmarc_cache_stats_get(ik_dmarc_cache *c, ik_dmarc_cache_stats *out)
{
    ik__rcache_stats_get(&c->rc, out);
}

ik_status ik__dmarc_cache_get(ik_dmarc_cache *c, ik_arena *a, ik_str qname, ik_str text,
                              unsigned flags, int *hit, ik_status *st, const ik_dmarc_record **rec,
                              ik_str *problem)
{
    const ik__rc_entry *e;
    *hit = 0;
    ik_status s = ik__rcache_get(&c->rc, a, qname, text, flags, &e);
    if (s != IK_OK || e == NULL)
        return s;
    const dmarc_payload *pl = ik__rc_payload(e);
    *st = pl->st;
    *rec = pl->rec;
    *problem = pl->problem;
    *hit = 1;
    return IK_OK;
}

/* Copies of strings into the entry's tail. */
typedef struct packer {
    char *p;
} packer;

static ik_str pack(packer *k, ik_str s)
{
    if (s.p == NULL)
        return s;
    char *d = k->p;
    if (s.len)
        memcpy(d, s.p, s.len);
    d[s.len] = '\0';
    k->p += s.len + 1;
    return ik_str_make(d, s.len);
}

static size_t str_size(ik_str s)
{
    return s.p ? s.len + 1 : 0;
}

static size_t uris_size(const ik_dmarc_uri *u, size_t n)
{
    size_t z = 0;
    for (size_t i = 0; i < n; i++)
        z +=
            str_size(u[i].text) + str_size(u[i].uri) + str_size(u[i].address) + str_size(u[i].host);
    return z;
}

static void pack_uris(packer *k, ik_dmarc_uri *to, const ik_dmarc_uri *from, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        to[i] = from[i];
        to[i].text = pack(k, from[i].text);
        to[i].uri = pack(k, from[i].uri);
        to[i].address = pack(k, from[i].address);
        to[i].host = pack(k, from[i].host);
    }
}

void ik__dmarc_cache_put(ik_dmarc_cache *c, ik_str qname, ik_str text, unsigned flags, uint32_t ttl,
                         ik_status st, const ik_dmarc_record *rec, ik_str problem)
{
    if (ttl == 0 || (st != IK_OK && st != IK_ESYNTAX) || (st == IK_OK && rec == NULL))
        return; /* nothing to keep */
    if (st != IK_OK)
        rec = NULL;
    size_t nrua = rec ? rec->nrua : 0, nruf = rec ? rec->nruf : 0;
    if (nrua > IK_DMARC_MAX_URIS * 4 || nruf > IK_DMARC_MAX_URIS * 4)
        return; /* never from our parser; no sizes to trust */
    /* one allocation: the payload, the URI arrays, then every string the
     * record points to; the key (and so the record text) is copied by
     * rcache */
    size_t size = sizeof(dmarc_payload) + (nrua + nruf) * sizeof(ik_dmarc_uri) + str_size(problem);
    if (rec)
        size += uris_size(rec->rua, nrua) + uris_size(rec->ruf, nruf) + str_size(rec->rf)
                + str_size(rec->problems);
    ik__rc_entry *e =
        ik__rcache_entry_new(&c->rc, qname, text.p ? text : ik_str_make("", 0), flags, size);
    if (e == NULL)
        return; /* no memory, or no usable key */
    dmarc_payload *pl = ik__rc_payload(e);
    memset(pl, 0, sizeof(*pl));
    ik_dmarc_uri *uris = (ik_dmarc_uri *)(pl + 1);
    packer k = { (char *)(uris + nrua + nruf) };
    pl->problem = pack(&k, problem);
    pl->st = st;
    if (rec) {
        ik_dmarc_record *r = &pl->recbuf;
        *r = *rec;
        r->text = e->text;
        r->rf = pack(&k, rec->rf);
        r->problems = pack(&k, rec->problems);
        r->rua = nrua ? uris : NULL;
        r->ruf = nruf ? uris + nrua : NULL;
        pack_uris(&k, uris, rec->rua, nrua);
        pack_uris(&k, uris + nrua, rec->ruf, nruf);
        pl->rec = r;
    }
    ik__rcache_insert(&c->rc, e, ttl);
}
