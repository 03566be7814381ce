/*
 * memo.c - one DNS question per (name, type) per message, whichever
 * engines ask it.
 *
 * Engines hand out lists of their own ik_dns_query objects.  The memo never
 * relinks or hands out those: for each distinct question it makes one query
 * of its own for the driver, and when the answer comes back it copies the
 * answer pointer into every engine query that asked (answers are read-only
 * and shareable, dns.h).  A DKIM key and the ARC key of the same selector,
 * or the DMARC policy asked early and again at the end, are then one
 * question, and an answer that came before an engine asked is used at once.
 * Ownership: the verifier's arena.  Threads: one verifier at a time.
 */
#include <string.h>

#include "verify_int.h"

void ik__verify_memo_init(ik__verify_memo *m, ik_arena *a)
{
    memset(m, 0, sizeof(*m));
    m->a = a;
}

static unsigned hash(ik_str name, uint16_t type)
{
    uint32_t h = 2166136261u ^ type;
    for (size_t i = 0; i < name.len; i++) {
        h ^= (unsigned char)name.p[i];
        h *= 16777619u;
    }
    return h % IK__VERIFY_MEMO_BUCKETS;
}

static ik__verify_q *lookup(ik__verify_memo *m, ik_str name, uint16_t type, int add)
{
    unsigned b = hash(name, type);
    for (ik__verify_q *e = m->bucket[b]; e != NULL; e = e->hnext)
        if (e->type == type && ik_str_eq(e->name, name))
            return e;
    if (!add)
        return NULL;
    ik__verify_q *e = ik_arena_calloc(m->a, 1, sizeof(*e));
    if (e == NULL)
        return NULL;
    e->dq = ik_dns_query_new(m->a, name, type);
    if (e->dq == NULL)
        return NULL;
    e->name = e->dq->name;
    e->type = type;
    e->dq->engine_data = e;
    e->hnext = m->bucket[b];
    m->bucket[b] = e;
    e->outnext = m->outstanding;
    m->outstanding = e;
    if (m->outbox_tail)
        m->outbox_tail->next = e->dq;
    else
        m->outbox = e->dq;
    m->outbox_tail = e->dq;
    m->count++;
    return e;
}

ik_status ik__verify_memo_fill(ik__verify_memo *m, ik_dns_query *list, size_t *unanswered)
{
    size_t n = 0;
    for (ik_dns_query *q = list; q != NULL; q = q->next) {
        if (q->answer != NULL)
            continue;
        ik__verify_q *e = lookup(m, q->name, q->type, 1);
        if (e == NULL)
            return IK_ENOMEM;
        if (e->answer != NULL)
            q->answer = e->answer;
        else
            n++;
    }
    *unanswered = n;
    return IK_OK;
}

size_t ik__verify_memo_absorb(ik__verify_memo *m)
{
    size_t got = 0;
    ik__verify_q **pp = &m->outstanding;
    while (*pp != NULL) {
        ik__verify_q *e = *pp;
        if (e->dq->answer != NULL) {
            e->answer = e->dq->answer;
            *pp = e->outnext;
            e->outnext = NULL;
            got++;
        } else {
            pp = &e->outnext;
        }
    }
    return got;
}

ik_dns_query *ik__verify_memo_take(ik__verify_memo *m)
{
    ik_dns_query *l = m->outbox;
    m->outbox = m->outbox_tail = NULL;
    return l;
}

int ik__verify_memo_waiting(const ik__verify_memo *m)
{
    return m->outstanding != NULL;
}
