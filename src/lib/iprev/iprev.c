/*
 * iprev.c - forward-confirmed reverse DNS (RFC 8601 3, 2.7.3).
 *
 *   START --PTR query--> WAIT_PTR --A/AAAA per name--> WAIT_FWD --> DONE
 *
 * The forward questions for all usable names go out at once so a daemon
 * can have them in flight together.  Names are compared and looked up as
 * given in the PTR answer (lowercased by ik_dns_query_new); a name that is
 * not a valid DNS name is skipped and does not count against the bound.
 * Ownership: arena.  Threads: one engine per thread at a time.
 */
#include <string.h>

#include "inkan/iprev.h"

enum { S_START, S_PTR, S_FWD, S_DONE };

struct ik_iprev {
    ik_arena *a;
    ik_ip client;
    char client_text[IK_IP_TEXT_MAX];
    unsigned max_names;
    int state;
    ik_dns_query *ptr;
    ik_dns_query **fwd;
    size_t nfwd;
    ik_iprev_result result;
    const char *reason;
    ik_str name;
};

const char *ik_iprev_result_name(ik_iprev_result r)
{
    switch (r) {
    case IK_IPREV_PASS: return "pass";
    case IK_IPREV_FAIL: return "fail";
    case IK_IPREV_TEMPERROR: return "temperror";
    case IK_IPREV_PERMERROR: return "permerror";
    case IK_IPREV_PENDING: break;
    }
    return "none";
}

ik_iprev *ik_iprev_new(ik_arena *a, const ik_ip *client, unsigned max_names)
{
    if (client == NULL || (client->family != IK_IP_V4 && client->family != IK_IP_V6))
        return NULL;
    ik_iprev *e = ik_arena_calloc(a, 1, sizeof(*e));
    if (e == NULL)
        return NULL;
    e->a = a;
    /* An IPv4 client seen over an IPv6 socket: its PTR lives in
     * in-addr.arpa and its forward records are A records. */
    e->client = ik_ip_unmap(client);
    ik_ip_format(&e->client, e->client_text);
    e->max_names = max_names ? max_names : IK_IPREV_MAX_NAMES;
    e->reason = "";
    return e;
}

static ik_status finish(ik_iprev *e, ik_iprev_result r, const char *why)
{
    e->result = r;
    e->reason = why;
    e->state = S_DONE;
    return IK_OK;
}

static ik_status start(ik_iprev *e, ik_dns_query **queries)
{
    char rev[IK_IP_TEXT_MAX];
    size_t n = ik_ip_reverse_name(&e->client, rev);
    e->ptr = ik_dns_query_new(e->a, ik_str_make(rev, n), IK_DNS_T_PTR);
    if (e->ptr == NULL)
        return IK_ENOMEM;
    e->state = S_PTR;
    *queries = e->ptr;
    return IK_EAGAIN;
}

static ik_status after_ptr(ik_iprev *e, ik_dns_query **queries)
{
    const ik_dns_answer *ans = e->ptr->answer;
    switch (ans->status) {
    case IK_DNS_OK: break;
    case IK_DNS_NXDOMAIN:
    case IK_DNS_NODATA: return finish(e, IK_IPREV_PERMERROR, "no PTR record");
    case IK_DNS_TEMPFAIL: return finish(e, IK_IPREV_TEMPERROR, "PTR lookup failed temporarily");
    default: return finish(e, IK_IPREV_PERMERROR, "PTR lookup failed");
    }
    e->fwd = ik_arena_calloc(e->a, e->max_names, sizeof(*e->fwd));
    if (e->fwd == NULL)
        return IK_ENOMEM;
    uint16_t type = e->client.family == IK_IP_V4 ? IK_DNS_T_A : IK_DNS_T_AAAA;
    ik_dns_query *list = NULL, **tail = &list;
    for (size_t i = 0; i < ans->nrr && e->nfwd < e->max_names; i++) {
        if (ans->rr[i].type != IK_DNS_T_PTR)
            continue;
        ik_str name = ans->rr[i].u.name;
        if (ik_dns_name_check(name) != IK_OK)
            continue;
        /* The same name twice in one answer needs one lookup. */
        int dup = 0;
        for (size_t k = 0; k < e->nfwd && !dup; k++)
            dup = ik_str_caseeq(e->fwd[k]->name, name)
                  || (name.len && name.p[name.len - 1] == '.'
                      && ik_str_caseeq(e->fwd[k]->name, ik_str_make(name.p, name.len - 1)));
        if (dup)
            continue;
        ik_dns_query *q = ik_dns_query_new(e->a, name, type);
        if (q == NULL)
            return IK_ENOMEM;
        e->fwd[e->nfwd++] = q;
        *tail = q;
        tail = &q->next;
    }
    if (e->nfwd == 0)
        return finish(e, IK_IPREV_FAIL, "no usable PTR name");
    e->state = S_FWD;
    *queries = list;
    return IK_EAGAIN;
}

static ik_status after_fwd(ik_iprev *e)
{
    int temp = 0;
    for (size_t i = 0; i < e->nfwd; i++) {
        const ik_dns_answer *ans = e->fwd[i]->answer;
        if (ans->status == IK_DNS_TEMPFAIL)
            temp = 1;
        if (ans->status != IK_DNS_OK)
            continue;
        for (size_t k = 0; k < ans->nrr; k++) {
            uint16_t t = ans->rr[k].type;
            if ((t == IK_DNS_T_A || t == IK_DNS_T_AAAA)
                && ik_ip_eq(&ans->rr[k].u.addr, &e->client)) {
                e->name = e->fwd[i]->name;
                return finish(e, IK_IPREV_PASS, "");
            }
        }
    }
    if (temp)
        return finish(e, IK_IPREV_TEMPERROR, "forward lookup failed temporarily");
    return finish(e, IK_IPREV_FAIL, "no PTR name maps back to the address");
}

static ik_dns_query *unanswered(ik_iprev *e)
{
    ik_dns_query *list = NULL, **tail = &list;
    if (e->state == S_PTR) {
        if (e->ptr->answer == NULL) {
            e->ptr->next = NULL;
            return e->ptr;
        }
        return NULL;
    }
    for (size_t i = 0; i < e->nfwd; i++) {
        if (e->fwd[i]->answer != NULL)
            continue;
        e->fwd[i]->next = NULL;
        *tail = e->fwd[i];
        tail = &e->fwd[i]->next;
    }
    return list;
}

ik_status ik_iprev_eval(ik_iprev *e, ik_dns_query **queries)
{
    *queries = NULL;
    switch (e->state) {
    case S_START: return start(e, queries);
    case S_PTR:
    case S_FWD: {
        ik_dns_query *pending = unanswered(e);
        if (pending != NULL) {
            *queries = pending;
            return IK_EAGAIN;
        }
        return e->state == S_PTR ? after_ptr(e, queries) : after_fwd(e);
    }
    default: return IK_OK;
    }
}

ik_iprev_result ik_iprev_get_result(const ik_iprev *e)
{
    return e->result;
}

const char *ik_iprev_reason(const ik_iprev *e)
{
    return e->reason;
}

ik_str ik_iprev_name(const ik_iprev *e)
{
    return e->name;
}

ik_status ik_iprev_authres(ik_arena *a, const ik_iprev *e, ik_ar *ar)
{
    if (e->state != S_DONE)
        return IK_ESTATE;
    ik_ar_result *r =
        ik_ar_add(a, ar, IK_STR_LIT("iprev"), ik_str_c(ik_iprev_result_name(e->result)));
    if (r == NULL)
        return IK_ENOMEM;
    r->comment = e->result == IK_IPREV_PASS ? e->name : ik_str_c(e->reason);
    ik_str ip = ik_arena_strdup_str(a, ik_str_c(e->client_text));
    if (ip.p == NULL)
        return IK_ENOMEM;
    return ik_ar_add_prop(a, r, IK_STR_LIT("policy"), IK_STR_LIT("iprev"), ip);
}
