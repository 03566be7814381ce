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
 * flags (they change what the parser keeps), in a chained hash table sized
 * once for max_entries.  Entries sit on an LRU list; the least recently
 * used is evicted when the cache is full, and an entry whose TTL (from the
 * TXT answer; RFC 9989 leaves caching to DNS) has passed is dropped when it
 * is next looked up.
 *
 * Lifetime: an entry counts one reference for being in the table and one
 * per evaluation using it; an evaluation's reference is released by a
 * cleanup registered in its arena.  An entry dropped while in use is freed
 * by the last release, so a record never disappears under an evaluation.
 *
 * Ownership: the cache and its entries come from the allocator given to
 * ik_dmarc_cache_new.  Threads: one mutex guards the table, the list and
 * the counters; parsing and copying happen outside it.  Cached records are
 * never written after insertion.
 * Limits: max_entries entries; names at most IK_DNS_NAME_MAX octets,
 * records at most IK_DMARC_MAX_RECORD (longer ones never parse).
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "dmarc/dmarc_int.h"

#define CACHE_DEFAULT_ENTRIES 10000

typedef struct dentry {
    struct dentry *hnext;       /* hash chain */
    struct dentry *prev, *next; /* LRU list, most recent first */
    ik_dmarc_cache *cache;
    uint32_t hash;
    unsigned flags; /* parse flags of the key */
    unsigned refs;  /* 1 while in the table, + evaluations */
    int64_t expires;
    ik_str qname; /* lowercase */
    ik_str text;
    ik_status st; /* IK_OK (rec) or IK_ESYNTAX */
    ik_str problem;
    ik_dmarc_record *rec; /* NULL unless st is IK_OK; else &recbuf */
    ik_dmarc_record recbuf;
} dentry;

struct ik_dmarc_cache {
    ik_allocator al;
    int has_al;
    pthread_mutex_t mu;
    ik_dmarc_cache_clock_fn clock;
    void *clock_ud;
    dentry **tab;
    size_t mask;
    size_t max, n;
    dentry *head, *tail; /* LRU list */
    ik_dmarc_cache_stats st;
};

static const ik_allocator *cache_al(const ik_dmarc_cache *c)
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

ik_dmarc_cache *ik_dmarc_cache_new(const ik_allocator *al, size_t max_entries)
{
    if (max_entries == 0)
        max_entries = CACHE_DEFAULT_ENTRIES;
    if (max_entries > (SIZE_MAX / sizeof(dentry *)) / 4)
        return NULL;
    ik_dmarc_cache *c = ik_alloc(al, sizeof(*c));
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

ik_dmarc_cache *ik_dmarc_cache_free(ik_dmarc_cache *c)
{
    if (c == NULL)
        return NULL;
    ik_allocator copy = c->al;
    const ik_allocator *al = c->has_al ? &copy : NULL;
    for (dentry *e = c->head; e != NULL;) {
        dentry *next = e->next;
        ik_free(al, e);
        e = next;
    }
    pthread_mutex_destroy(&c->mu);
    ik_free(al, c->tab);
    ik_free(al, c);
    return NULL;
}

void ik_dmarc_cache_set_clock(ik_dmarc_cache *c, ik_dmarc_cache_clock_fn fn, void *ud)
{
    pthread_mutex_lock(&c->mu);
    c->clock = fn ? fn : mono_clock;
    c->clock_ud = fn ? ud : NULL;
    pthread_mutex_unlock(&c->mu);
}

void ik_dmarc_cache_stats_get(ik_dmarc_cache *c, ik_dmarc_cache_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    out->entries = c->n;
    pthread_mutex_unlock(&c->mu);
}

/* ---- table and list (caller holds the mutex) --------------------------- */

/* FNV-1a over the key parts. */
static uint32_t hash_bytes(uint32_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t key_hash(const char *qname, size_t qlen, ik_str text, unsigned flags)
{
    uint32_t h = 2166136261u ^ flags;
    h = hash_bytes(h, qname, qlen);
    return hash_bytes(h, text.p, text.len);
}

static void lru_unlink(ik_dmarc_cache *c, dentry *e)
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

static void lru_push_front(ik_dmarc_cache *c, dentry *e)
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
static void drop(ik_dmarc_cache *c, dentry *e)
{
    dentry **pp = &c->tab[e->hash & c->mask];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(c, e);
    c->n--;
    if (--e->refs == 0)
        ik_free(cache_al(c), e);
}

static dentry *find(ik_dmarc_cache *c, uint32_t h, const char *qname, size_t qlen, ik_str text,
                    unsigned flags)
{
    for (dentry *e = c->tab[h & c->mask]; e != NULL; e = e->hnext)
        if (e->hash == h && e->flags == flags && e->qname.len == qlen && e->text.len == text.len
            && memcmp(e->qname.p, qname, qlen) == 0 && memcmp(e->text.p, text.p, text.len) == 0)
            return e;
    return NULL;
}

/* ---- evaluation side ------------------------------------------------------ */

static void release(void *arg)
{
    dentry *e = arg;
    ik_dmarc_cache *c = e->cache;
    pthread_mutex_lock(&c->mu);
    int last = --e->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        ik_free(cache_al(c), e); /* already out of the table */
}

/* Lowercase name without a trailing dot into buf; 0 when it cannot be a key. */
static int key_name(ik_str name, char *buf, size_t *len)
{
    if (name.len && name.p[name.len - 1] == '.')
        name.len--;
    if (name.len == 0 || name.len > IK_DNS_NAME_MAX)
        return 0;
    for (size_t i = 0; i < name.len; i++) {
        char ch = name.p[i];
        buf[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    *len = name.len;
    return 1;
}

ik_status ik__dmarc_cache_get(ik_dmarc_cache *c, ik_arena *a, ik_str qname, ik_str text,
                              unsigned flags, int *hit, ik_status *st, const ik_dmarc_record **rec,
                              ik_str *problem)
{
    char name[IK_DNS_NAME_MAX + 1];
    size_t nlen;
    *hit = 0;
    if (!key_name(qname, name, &nlen))
        return IK_OK;
    uint32_t h = key_hash(name, nlen, text, flags);
    pthread_mutex_lock(&c->mu);
    dentry *e = find(c, h, name, nlen, text, flags);
    if (e != NULL && c->clock(c->clock_ud) >= e->expires) {
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
    *st = e->st;
    *rec = e->rec;
    *problem = e->problem;
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

/* One allocation holding a deep copy of the parse result. */
static dentry *entry_make(ik_dmarc_cache *c, const char *name, size_t nlen, ik_str text,
                          ik_status st, const ik_dmarc_record *rec, ik_str problem)
{
    size_t nrua = rec ? rec->nrua : 0, nruf = rec ? rec->nruf : 0;
    if (nrua > IK_DMARC_MAX_URIS * 4 || nruf > IK_DMARC_MAX_URIS * 4)
        return NULL; /* never from our parser; no sizes to trust */
    size_t size = sizeof(dentry) + (nrua + nruf) * sizeof(ik_dmarc_uri) + nlen + 1 + text.len + 1
                  + str_size(problem);
    if (rec)
        size += uris_size(rec->rua, nrua) + uris_size(rec->ruf, nruf) + str_size(rec->rf)
                + str_size(rec->problems);
    dentry *e = ik_alloc(cache_al(c), size);
    if (e == NULL)
        return NULL;
    memset(e, 0, sizeof(*e));
    ik_dmarc_uri *uris = (ik_dmarc_uri *)(e + 1);
    packer k = { (char *)(uris + nrua + nruf) };
    e->qname = pack(&k, ik_str_make(name, nlen));
    e->text = pack(&k, text.p ? text : ik_str_make("", 0));
    e->problem = pack(&k, problem);
    e->st = st;
    if (rec == NULL)
        return e;
    ik_dmarc_record *r = &e->recbuf;
    *r = *rec;
    r->text = e->text;
    r->rf = pack(&k, rec->rf);
    r->problems = pack(&k, rec->problems);
    r->rua = nrua ? uris : NULL;
    r->ruf = nruf ? uris + nrua : NULL;
    pack_uris(&k, uris, rec->rua, nrua);
    pack_uris(&k, uris + nrua, rec->ruf, nruf);
    e->rec = r;
    return e;
}

void ik__dmarc_cache_put(ik_dmarc_cache *c, ik_str qname, ik_str text, unsigned flags, uint32_t ttl,
                         ik_status st, const ik_dmarc_record *rec, ik_str problem)
{
    char name[IK_DNS_NAME_MAX + 1];
    size_t nlen;
    if (ttl == 0 || (st != IK_OK && st != IK_ESYNTAX) || (st == IK_OK && rec == NULL)
        || !key_name(qname, name, &nlen))
        return; /* nothing to keep, or no usable key */
    uint32_t h = key_hash(name, nlen, text, flags);
    dentry *e = entry_make(c, name, nlen, text, st, st == IK_OK ? rec : NULL, problem);
    if (e == NULL)
        return;
    e->cache = c;
    e->hash = h;
    e->flags = flags;
    e->refs = 1;
    pthread_mutex_lock(&c->mu);
    e->expires = c->clock(c->clock_ud) + (int64_t)ttl;
    dentry *old = find(c, h, name, nlen, text, flags);
    if (old != NULL)
        drop(c, old); /* another evaluation stored it meanwhile: keep the newer */
    while (c->n >= c->max && c->tail != NULL) {
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
