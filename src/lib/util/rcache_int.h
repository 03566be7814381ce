/*
 * rcache_int.h - the core shared by the parsed-record caches (ik_spf_cache,
 * ik_dmarc_cache): a table of reference-counted entries keyed by (lowercase
 * DNS name, exact record text, parse flags), with an LRU bound and a TTL.
 *
 * What a module caches (its parsed record, deep-copied) is the entry's
 * payload: ik__rcache_entry_new allocates the entry with room for it, the
 * module fills ik__rc_payload(e), then ik__rcache_insert publishes it.
 * Entries are immutable once inserted.
 *
 * Lifetime: an entry counts one reference for being in the table and one
 * per evaluation using it; ik__rcache_get registers the release of the
 * evaluation's reference as a cleanup of its arena, so an entry evicted or
 * expired while in use is freed by the last release and a record never
 * disappears under an evaluation.
 *
 * Ownership: the cache's memory and its entries come from the allocator
 * given to ik__rcache_init (copied; NULL = malloc).  The structure itself
 * is embedded in the module's public cache object.
 * Threads: one mutex guards the table, the LRU list and the counters;
 * entry allocation and the module's copying happen outside it.
 * Limits: max_entries entries; names at most IK_DNS_NAME_MAX octets.
 */
#ifndef IK_RCACHE_INT_H
#define IK_RCACHE_INT_H

#include <pthread.h>
#include <stdint.h>

#include "inkan/arena.h"
#include "inkan/common.h"

typedef struct ik__rc_entry {
    struct ik__rc_entry *hnext;       /* hash chain */
    struct ik__rc_entry *prev, *next; /* LRU list, most recent first */
    struct ik__rcache *cache;
    uint32_t hash;
    unsigned flags; /* parse flags of the key */
    unsigned refs;  /* 1 while in the table, + evaluations */
    int64_t expires;
    ik_str name; /* lowercase, no trailing dot; NUL-terminated copy */
    ik_str text; /* the record text; NUL-terminated copy */
    /* the payload follows, aligned for any object */
} ik__rc_entry;

typedef struct ik__rcache {
    ik_allocator al;
    int has_al;
    pthread_mutex_t mu;
    int64_t (*clock)(void *ud); /* seconds from any fixed origin */
    void *clock_ud;
    ik__rc_entry **tab;
    size_t mask;
    size_t max, n;
    ik__rc_entry *head, *tail; /* LRU list */
    ik_cache_stats st;
} ik__rcache;

/* max_entries 0 = default_entries.  IK_ENOMEM (or IK_EINVAL for a bound
 * that cannot be sized); nothing to undo on failure. */
ik_status ik__rcache_init(ik__rcache *c, const ik_allocator *al, size_t max_entries,
                          size_t default_entries);
/* Frees every entry (the caller guarantees none is in use) and the table. */
void ik__rcache_fini(ik__rcache *c);
/* fn NULL = the monotonic clock. */
void ik__rcache_set_clock(ik__rcache *c, int64_t (*fn)(void *ud), void *ud);
/* A consistent snapshot of the counters. */
void ik__rcache_stats_get(ik__rcache *c, ik_cache_stats *out);

/* The module's part of an entry. */
static inline void *ik__rc_payload(const ik__rc_entry *e)
{
    return (char *)e + ((sizeof(ik__rc_entry) + 15) & ~(size_t)15);
}

/*
 * Looks up (name, text, flags).  On a hit *out is the entry, held for the
 * life of the arena's current contents; otherwise *out is NULL (also when
 * the name cannot be a key).  IK_ENOMEM when the arena cannot take the
 * cleanup (then *out is NULL and nothing is held).
 */
ik_status ik__rcache_get(ik__rcache *c, ik_arena *a, ik_str name, ik_str text, unsigned flags,
                         const ik__rc_entry **out);

/*
 * A new, unpublished entry with payload_size bytes of payload and copies of
 * the key; NULL when out of memory or when the name cannot be a key (empty
 * or longer than IK_DNS_NAME_MAX after one trailing dot is dropped).
 */
ik__rc_entry *ik__rcache_entry_new(ik__rcache *c, ik_str name, ik_str text, unsigned flags,
                                   size_t payload_size);

/* Publishes e for ttl seconds, replacing an entry of the same key and
 * evicting the least recently used to stay within max_entries.  ttl 0
 * frees e instead. */
void ik__rcache_insert(ik__rcache *c, ik__rc_entry *e, uint32_t ttl);

#endif
