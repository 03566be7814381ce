/*
 * keyset.c - the key records one verifier needs (dkim_shared.h), shared
 * by the DKIM and ARC verifiers.
 *
 * Ownership: slots, names, queries and records live in the arena given to
 * each call; cache hits are copied into it by the cache.
 * Threads: one verifier, one thread (the cache locks itself).
 */
#include <string.h>

#include "dkim/dkim_shared.h"
#include "util/util_int.h"

ik_status ik__dkim_keyset_find(ik__dkim_keyset *ks, ik_arena *a, ik_str selector, ik_str domain,
                               ik_dns_query **pending, ik__dkim_keyslot **out)
{
    /* selector._domainkey.domain, lowercase, built with explicit lengths:
     * a NUL in either part makes a name ik_dns_name_check refuses, never a
     * shorter one */
    size_t len = selector.len + 12 + domain.len;
    char *name = ik_arena_alloc(a, len + 1);
    if (name == NULL)
        return IK_ENOMEM;
    ik__ascii_lower(name, selector.p, selector.len);
    memcpy(name + selector.len, "._domainkey.", 12);
    ik__ascii_lower(name + selector.len + 12, domain.p, domain.len);
    name[len] = '\0';
    ik_str n = ik_str_make(name, len);
    for (size_t i = 0; i < ks->nkeys; i++) {
        if (ik_str_eq(ks->keys[i].name, n)) {
            *out = &ks->keys[i];
            return IK_OK;
        }
    }
    if (ks->nkeys == ks->cap)
        return IK_ELIMIT;
    ik__dkim_keyslot *k = &ks->keys[ks->nkeys++];
    memset(k, 0, sizeof(*k));
    k->name = n;
    *out = k;
    if (ik_dns_name_check(n) != IK_OK) {
        k->resolved = 1;
        k->err = IK_DKIM_PERMERROR;
        k->why = "key name is not a valid DNS name";
        return IK_OK;
    }
    if (ks->cache != NULL) {
        ik_status st = ik_dkim_keycache_get(ks->cache, n, ks->now, a, &k->recs, &k->nrecs);
        if (st == IK_OK) {
            k->resolved = 1;
            return IK_OK;
        }
        if (st != IK_ENOTFOUND)
            return st;
    }
    k->q = ik_dns_query_new(a, n, IK_DNS_T_TXT);
    if (k->q == NULL)
        return IK_ENOMEM;
    k->q->engine_data = k;
    k->q->next = *pending;
    *pending = k->q;
    return IK_OK;
}

ik_dns_query *ik__dkim_keyset_unanswered(ik__dkim_keyset *ks)
{
    ik_dns_query *pending = NULL;
    for (size_t i = ks->nkeys; i-- > 0;) {
        ik__dkim_keyslot *k = &ks->keys[i];
        if (k->q != NULL && k->q->answer == NULL) {
            k->q->next = pending;
            pending = k->q;
        }
    }
    return pending;
}

ik_status ik__dkim_keyset_resolve(ik__dkim_keyset *ks, ik_arena *a, ik__dkim_keyslot *k)
{
    if (k->resolved)
        return IK_OK;
    k->resolved = 1;
    const ik_dns_answer *ans = k->q->answer;
    switch (ans->status) {
    case IK_DNS_OK: break;
    case IK_DNS_NODATA:
    case IK_DNS_NXDOMAIN:
        k->err = IK_DKIM_PERMERROR; /* RFC 6376 6.1.2 step 3 */
        k->why = "no key record";
        return IK_OK;
    case IK_DNS_TEMPFAIL:
        k->err = IK_DKIM_TEMPERROR; /* RFC 6376 6.1.2 step 2 */
        k->why = "key lookup failed temporarily";
        return IK_OK;
    default:
        k->err = IK_DKIM_PERMERROR;
        k->why = "key lookup failed";
        return IK_OK;
    }
    size_t n = 0;
    for (size_t i = 0; i < ans->nrr; i++)
        if (ans->rr[i].type == IK_DNS_T_TXT)
            n++;
    if (n > IK_DKIM_MAX_KEY_RECORDS)
        n = IK_DKIM_MAX_KEY_RECORDS;
    if (n == 0) {
        k->err = IK_DKIM_PERMERROR;
        k->why = "no key record";
        return IK_OK;
    }
    k->recs = ik_arena_calloc(a, n, sizeof(*k->recs));
    if (k->recs == NULL)
        return IK_ENOMEM;
    int decoded = 0;
    for (size_t i = 0; i < ans->nrr && k->nrecs < n; i++) {
        if (ans->rr[i].type != IK_DNS_T_TXT)
            continue;
        ik_dkim_keyrec *r = &k->recs[k->nrecs++];
        r->text = ans->rr[i].u.txt.joined;
        /* Parsed and decoded once here, so that the cache (and every
         * signature using this name) reuses the result. */
        ik_status st = ik__dkim_keyrec_parse(a, r);
        if (st != IK_OK)
            return st;
        if (r->pkey != NULL)
            decoded = 1;
    }
    if (decoded && ks->cache != NULL
        && ik_dkim_keycache_put(ks->cache, k->name, ks->now + (int64_t)ans->ttl, k->recs, k->nrecs)
               == IK_ENOMEM)
        return IK_ENOMEM;
    return IK_OK;
}
