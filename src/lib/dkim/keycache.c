/*
 * keycache.c - decoded DKIM key records by key name, for their DNS TTL
 * (see inkan/dkim.h).  Decoding an RSA key is the most expensive step of a
 * verification, so a daemon keeps the decoded keys between messages.
 *
 * A chained hash table plus a FIFO list for eviction: when full, expired
 * entries are dropped when looked up, and the oldest entry makes room.
 * Entries hold references to ik_pkey objects; a message that got a key
 * from the cache holds its own reference, so eviction never pulls a key
 * from under a running verification.  An entry keeps each record parsed
 * as well as decoded (ik_dkim_keyrec.parsed), so a hit costs no tag-list
 * parse: one allocation in an entry holds the records and, after the
 * name, one block with every text they point to, which a hit copies into
 * the caller's arena in one piece.
 * Ownership: caller frees the cache (ik_dkim_keycache_free).
 * Threads: every operation takes the cache's mutex; copies into the
 * caller's arena are made under it, key decoding never is.
 */
#include <pthread.h>
#include <string.h>

#include "dkim_int.h"

typedef struct kc_entry kc_entry;
struct kc_entry {
    kc_entry *chain;         /* same bucket */
    kc_entry *older, *newer; /* FIFO */
    char *name;
    size_t name_len;
    int64_t expires;
    size_t n;
    ik_dkim_keyrec *recs; /* texts point into strs */
    char *strs;           /* in this allocation */
    size_t strs_len;
};

struct ik_dkim_keycache {
    const ik_allocator *al;
    pthread_mutex_t mu;
    size_t max, count, nbuckets;
    kc_entry **buckets;
    kc_entry *oldest, *newest;
};

static uint64_t kc_hash(ik_str name)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the lowercased name */
    for (size_t i = 0; i < name.len; i++) {
        unsigned char c = (unsigned char)name.p[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        h = (h ^ c) * 1099511628211ull;
    }
    return h;
}

ik_dkim_keycache *ik_dkim_keycache_new(const ik_allocator *al, size_t max_entries)
{
    if (max_entries == 0)
        max_entries = 1;
    ik_dkim_keycache *c = ik_alloc(al, sizeof(*c));
    if (c == NULL)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->al = al;
    c->max = max_entries;
    c->nbuckets = 16;
    while (c->nbuckets < max_entries && c->nbuckets < (1u << 20))
        c->nbuckets <<= 1;
    c->buckets = ik_alloc(al, c->nbuckets * sizeof(*c->buckets));
    if (c->buckets == NULL || pthread_mutex_init(&c->mu, NULL) != 0) {
        ik_free(al, c->buckets);
        ik_free(al, c);
        return NULL;
    }
    memset(c->buckets, 0, c->nbuckets * sizeof(*c->buckets));
    return c;
}

static void kc_entry_free(ik_dkim_keycache *c, kc_entry *e)
{
    for (size_t i = 0; i < e->n; i++)
        ik_pkey_free(e->recs[i].pkey);
    ik_free(c->al, e);
}

static void kc_unlink(ik_dkim_keycache *c, kc_entry *e)
{
    kc_entry **pp = &c->buckets[kc_hash(ik_str_make(e->name, e->name_len)) & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->chain;
    *pp = e->chain;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    c->count--;
    kc_entry_free(c, e);
}

ik_dkim_keycache *ik_dkim_keycache_free(ik_dkim_keycache *c)
{
    if (c == NULL)
        return NULL;
    while (c->oldest)
        kc_unlink(c, c->oldest);
    pthread_mutex_destroy(&c->mu);
    ik_free(c->al, c->buckets);
    ik_free(c->al, c);
    return NULL;
}

static kc_entry *kc_find(ik_dkim_keycache *c, ik_str name)
{
    kc_entry *e = c->buckets[kc_hash(name) & (c->nbuckets - 1)];
    for (; e; e = e->chain)
        if (ik_str_caseeq(ik_str_make(e->name, e->name_len), name))
            return e;
    return NULL;
}

/* A view moved from one copy of the string block to another. */
static ik_str kc_rebase(ik_str v, const char *from, char *to)
{
    if (v.p == NULL)
        return v;
    return ik_str_make(to + (v.p - from), v.len);
}

static void kc_rebase_rec(ik_dkim_keyrec *r, const char *from, char *to)
{
    r->text = kc_rebase(r->text, from, to);
    r->why = kc_rebase(r->why, from, to);
    r->key.g = kc_rebase(r->key.g, from, to);
    r->key.p = kc_rebase(r->key.p, from, to);
}

ik_status ik_dkim_keycache_get(ik_dkim_keycache *c, ik_str name, int64_t now, ik_arena *a,
                               ik_dkim_keyrec **recs, size_t *n)
{
    *recs = NULL;
    *n = 0;
    pthread_mutex_lock(&c->mu);
    kc_entry *e = kc_find(c, name);
    if (e != NULL && e->expires <= now) {
        kc_unlink(c, e);
        e = NULL;
    }
    if (e == NULL) {
        pthread_mutex_unlock(&c->mu);
        return IK_ENOTFOUND;
    }
    ik_status st = IK_OK;
    size_t count = e->n;
    size_t rsize = (count ? count : 1) * sizeof(ik_dkim_keyrec);
    ik_dkim_keyrec *out = ik_arena_alloc(a, rsize + e->strs_len);
    if (out == NULL) {
        st = IK_ENOMEM;
    } else {
        char *strs = (char *)out + rsize;
        memcpy(out, e->recs, count * sizeof(*out));
        memcpy(strs, e->strs, e->strs_len);
        for (size_t i = 0; i < count; i++)
            kc_rebase_rec(&out[i], e->strs, strs);
        for (size_t i = 0; i < count; i++) {
            out[i].key.pkey = NULL;
            if (out[i].pkey == NULL)
                continue;
            st = ik_pkey_give_arena(a, ik_pkey_ref(out[i].pkey));
            if (st != IK_OK) {
                for (size_t j = i; j < count; j++)
                    out[j].pkey = NULL;
                break;
            }
            if (out[i].parsed && out[i].status == IK_OK)
                out[i].key.pkey = out[i].pkey;
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (st != IK_OK)
        return st;
    *recs = out;
    *n = count;
    return IK_OK;
}

/* Appends v to the string block at *p (NUL-terminated); returns the copy. */
static ik_str kc_copy(char **p, ik_str v)
{
    if (v.p == NULL)
        return v;
    char *d = *p;
    if (v.len)
        memcpy(d, v.p, v.len);
    d[v.len] = '\0';
    *p += v.len + 1;
    return ik_str_make(d, v.len);
}

static size_t kc_size(ik_str v)
{
    return v.p ? v.len + 1 : 0;
}

ik_status ik_dkim_keycache_put(ik_dkim_keycache *c, ik_str name, int64_t expires,
                               const ik_dkim_keyrec *recs, size_t n)
{
    if (n > IK_DKIM_MAX_KEY_RECORDS || name.len > IK_DNS_NAME_MAX)
        return IK_ELIMIT;
    size_t strs_len = 0;
    for (size_t i = 0; i < n; i++) {
        strs_len += recs[i].text.len + 1 + kc_size(recs[i].why);
        if (recs[i].parsed)
            strs_len += kc_size(recs[i].key.g) + kc_size(recs[i].key.p);
    }
    size_t size = sizeof(kc_entry) + n * sizeof(ik_dkim_keyrec) + name.len + 1 + strs_len;
    kc_entry *e = ik_alloc(c->al, size);
    if (e == NULL)
        return IK_ENOMEM;
    memset(e, 0, sizeof(*e));
    e->recs = (ik_dkim_keyrec *)(e + 1);
    char *p = (char *)(e->recs + n);
    e->name = p;
    e->name_len = name.len;
    memcpy(p, name.p, name.len);
    p[name.len] = '\0';
    p += name.len + 1;
    e->strs = p;
    e->strs_len = strs_len;
    for (size_t i = 0; i < n; i++) {
        ik_dkim_keyrec *r = &e->recs[i];
        *r = recs[i];
        if (r->text.p == NULL)
            r->text = IK_STR_LIT("");
        r->text = kc_copy(&p, r->text);
        r->why = kc_copy(&p, r->why);
        if (r->parsed) {
            r->key.g = kc_copy(&p, r->key.g);
            r->key.p = kc_copy(&p, r->key.p);
        } else {
            memset(&r->key, 0, sizeof(r->key));
        }
        /* The entry's own reference; key.pkey is set on the way out. */
        r->pkey = ik_pkey_ref(recs[i].pkey);
        r->key.pkey = NULL;
    }
    e->n = n;
    e->expires = expires;

    pthread_mutex_lock(&c->mu);
    kc_entry *old = kc_find(c, name);
    if (old != NULL)
        kc_unlink(c, old);
    /* Full: the oldest entry goes (expired ones are dropped when looked
     * up; put has no clock of its own). */
    while (c->count >= c->max && c->oldest)
        kc_unlink(c, c->oldest);
    kc_entry **bucket = &c->buckets[kc_hash(name) & (c->nbuckets - 1)];
    e->chain = *bucket;
    *bucket = e;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
    c->count++;
    pthread_mutex_unlock(&c->mu);
    return IK_OK;
}

size_t ik_dkim_keycache_count(ik_dkim_keycache *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->count;
    pthread_mutex_unlock(&c->mu);
    return n;
}
