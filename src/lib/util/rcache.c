/*
 * rcache.c - reference-counted LRU/TTL table under the parsed-record
 * caches (see rcache_int.h; ARCHITECTURE.md "Caches that matter for
 * speed").
 *
 * Key: lowercase name, exact record text and parse flags, hashed into a
 * chained table sized once for max_entries (load factor at most 1).  An
 * entry whose TTL has passed is dropped when it is next looked up; the
 * least recently used one makes room when the table is full.
 */
#include <string.h>
#include <time.h>

#include "inkan/dns.h"
#include "util/rcache_int.h"
#include "util/util_int.h"

#define RC_HDR ((sizeof(ik__rc_entry) + 15) & ~(size_t)15)

static const ik_allocator *rc_al(const ik__rcache *c)
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

ik_status ik__rcache_init(ik__rcache *c, const ik_allocator *al, size_t max_entries,
                          size_t default_entries)
{
    memset(c, 0, sizeof(*c));
    if (max_entries == 0)
        max_entries = default_entries;
    if (max_entries == 0 || max_entries > (SIZE_MAX / sizeof(ik__rc_entry *)) / 4)
        return IK_EINVAL;
    if (al) {
        c->al = *al;
        c->has_al = 1;
    }
    size_t slots = 16;
    while (slots < max_entries)
        slots *= 2;
    c->tab = ik_alloc(al, slots * sizeof(*c->tab));
    if (c->tab == NULL)
        return IK_ENOMEM;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        ik_free(al, c->tab);
        c->tab = NULL;
        return IK_ENOMEM;
    }
    memset(c->tab, 0, slots * sizeof(*c->tab));
    c->mask = slots - 1;
    c->max = max_entries;
    c->clock = mono_clock;
    return IK_OK;
}

void ik__rcache_fini(ik__rcache *c)
{
    for (ik__rc_entry *e = c->head; e != NULL;) {
        ik__rc_entry *next = e->next;
        ik_free(rc_al(c), e);
        e = next;
    }
    pthread_mutex_destroy(&c->mu);
    ik_free(rc_al(c), c->tab);
    c->tab = NULL;
    c->head = c->tail = NULL;
    c->n = 0;
}

void ik__rcache_set_clock(ik__rcache *c, int64_t (*fn)(void *ud), void *ud)
{
    pthread_mutex_lock(&c->mu);
    c->clock = fn ? fn : mono_clock;
    c->clock_ud = fn ? ud : NULL;
    pthread_mutex_unlock(&c->mu);
}

void ik__rcache_stats_get(ik__rcache *c, ik_cache_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    out->entries = c->n;
    pthread_mutex_unlock(&c->mu);
}

/* ---- table and list (caller holds the mutex) --------------------------- */

static uint32_t key_hash(const char *name, size_t nlen, ik_str text, unsigned flags)
{
    return ik__hash_bytes(text.p, text.len, ik__hash_bytes(name, nlen, flags));
}

static void lru_unlink(ik__rcache *c, ik__rc_entry *e)
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

static void lru_push_front(ik__rcache *c, ik__rc_entry *e)
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
static void drop(ik__rcache *c, ik__rc_entry *e)
{
    ik__rc_entry **pp = &c->tab[e->hash & c->mask];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(c, e);
    c->n--;
    if (--e->refs == 0)
        ik_free(rc_al(c), e);
}

static ik__rc_entry *find(ik__rcache *c, uint32_t h, const char *name, size_t nlen, ik_str text,
                          unsigned flags)
{
    for (ik__rc_entry *e = c->tab[h & c->mask]; e != NULL; e = e->hnext)
        if (e->hash == h && e->flags == flags && e->name.len == nlen && e->text.len == text.len
            && memcmp(e->name.p, name, nlen) == 0
            && (text.len == 0 || memcmp(e->text.p, text.p, text.len) == 0))
            return e;
    return NULL;
}

/* ---- evaluation side ------------------------------------------------------ */

static void release(void *arg)
{
    ik__rc_entry *e = arg;
    ik__rcache *c = e->cache;
    pthread_mutex_lock(&c->mu);
    int last = --e->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        ik_free(rc_al(c), e); /* already out of the table */
}

/* Lowercase name without one trailing dot into buf; 0 when it cannot be a
 * key. */
static int key_name(ik_str name, char *buf, size_t *len)
{
    if (name.len && name.p[name.len - 1] == '.')
        name.len--;
    if (name.len == 0 || name.len > IK_DNS_NAME_MAX)
        return 0;
    ik__ascii_lower(buf, name.p, name.len);
    *len = name.len;
    return 1;
}

ik_status ik__rcache_get(ik__rcache *c, ik_arena *a, ik_str name, ik_str text, unsigned flags,
                         const ik__rc_entry **out)
{
    char key[IK_DNS_NAME_MAX + 1];
    size_t klen;
    *out = NULL;
    if (!key_name(name, key, &klen))
        return IK_OK;
    uint32_t h = key_hash(key, klen, text, flags);
    pthread_mutex_lock(&c->mu);
    ik__rc_entry *e = find(c, h, key, klen, text, flags);
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
    *out = e;
    return IK_OK;
}

ik__rc_entry *ik__rcache_entry_new(ik__rcache *c, ik_str name, ik_str text, unsigned flags,
                                   size_t payload_size)
{
    char key[IK_DNS_NAME_MAX + 1];
    size_t klen;
    if (!key_name(name, key, &klen))
        return NULL;
    payload_size = (payload_size + 15) & ~(size_t)15;
    if (text.len > SIZE_MAX / 2 || payload_size > SIZE_MAX / 4)
        return NULL;
    ik__rc_entry *e = ik_alloc(rc_al(c), RC_HDR + payload_size + klen + 1 + text.len + 1);
    if (e == NULL)
        return NULL;
    memset(e, 0, RC_HDR);
    char *p = (char *)e + RC_HDR + payload_size;
    memcpy(p, key, klen);
    p[klen] = '\0';
    e->name = ik_str_make(p, klen);
    p += klen + 1;
    if (text.len)
        memcpy(p, text.p, text.len);
    p[text.len] = '\0';
    e->text = ik_str_make(p, text.len);
    e->cache = c;
    e->flags = flags;
    e->hash = key_hash(key, klen, text, flags);
    e->refs = 1;
    return e;
}

void ik__rcache_insert(ik__rcache *c, ik__rc_entry *e, uint32_t ttl)
{
    if (ttl == 0) {
        ik_free(rc_al(c), e);
        return;
    }
    pthread_mutex_lock(&c->mu);
    e->expires = c->clock(c->clock_ud) + (int64_t)ttl;
    ik__rc_entry *old = find(c, e->hash, e->name.p, e->name.len, e->text, e->flags);
    if (old != NULL)
        drop(c, old); /* another evaluation stored it meanwhile: keep the newer */
    while (c->n >= c->max && c->tail != NULL) {
        drop(c, c->tail);
        c->st.evictions++;
    }
    e->hnext = c->tab[e->hash & c->mask];
    c->tab[e->hash & c->mask] = e;
    lru_push_front(c, e);
    c->n++;
    c->st.inserts++;
    pthread_mutex_unlock(&c->mu);
}
