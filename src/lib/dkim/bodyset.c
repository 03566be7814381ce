/*
 * bodyset.c - the set of body hashes a verifier needs (dkim_shared.h),
 * shared by the DKIM and ARC verifiers.
 *
 * Ownership: canonicalizers live in the arena given to the first tap.
 * Threads: one verifier, one thread.
 */
#include "dkim/dkim_shared.h"

ik_status ik__dkim_bodyset_tap(ik__dkim_bodyset *b, ik_arena *a, int canon, ik_hash_alg alg,
                               uint64_t limit, size_t *tap)
{
    for (size_t i = 0; i < b->ntaps; i++) {
        if (b->taps[i].canon == canon && b->taps[i].alg == alg && b->taps[i].limit == limit) {
            *tap = b->taps[i].tap;
            return IK_OK;
        }
    }
    if (b->ntaps == b->cap)
        return IK_ELIMIT;
    if (b->body[canon] == NULL) {
        b->body[canon] = ik_dkim_body_new(a, (ik_dkim_canon)canon);
        if (b->body[canon] == NULL)
            return IK_ENOMEM;
    }
    ik_status st = ik_dkim_body_add_hash(b->body[canon], alg, limit, tap);
    if (st != IK_OK)
        return st;
    b->taps[b->ntaps++] = (ik__dkim_tap){ canon, alg, limit, *tap };
    return IK_OK;
}

ik_status ik__dkim_bodyset_update(ik__dkim_bodyset *b, const void *p, size_t len)
{
    for (int c = 0; c < 2; c++) {
        if (b->body[c] == NULL)
            continue;
        ik_status st = ik_dkim_body_update(b->body[c], p, len);
        if (st != IK_OK)
            return st;
    }
    return IK_OK;
}

ik_status ik__dkim_bodyset_final(ik__dkim_bodyset *b)
{
    for (int c = 0; c < 2; c++) {
        if (b->body[c] == NULL)
            continue;
        ik_status st = ik_dkim_body_final(b->body[c]);
        if (st != IK_OK)
            return st;
    }
    return IK_OK;
}
