/*
 * spf_eval.c - fuzz target for SPF evaluation with DNS answers taken from
 * the input.
 *
 * Input: a first line of flags, then one DNS record per line,
 *   <name> <type> <value>
 * type: T (TXT), A, 6 (AAAA), M (MX "pref host"), P (PTR), F (fails:
 * SERVFAIL for every type of that name).  A name "*" answers questions for
 * names absent from the input.  The sender is u@example.com; flag bits
 * choose the client family, HELO scope and Sender ID selection.  The
 * number of lines is capped, and the engine bounds everything else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct frec {
    ik_str name;
    char type;
    ik_str value;
} frec;

typedef struct fzone {
    frec r[512];
    size_t n;
    unsigned queries;
} fzone;

static uint16_t frec_type(char t)
{
    switch (t) {
    case 'T': return IK_DNS_T_TXT;
    case 'A': return IK_DNS_T_A;
    case '6': return IK_DNS_T_AAAA;
    case 'M': return IK_DNS_T_MX;
    case 'P': return IK_DNS_T_PTR;
    default: return 0;
    }
}

static ik_status fz_answer(fzone *z, ik_arena *a, ik_dns_query *q, ik_str name)
{
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NXDOMAIN);
    if (ans == NULL)
        return IK_ENOMEM;
    q->answer = ans;
    size_t cap = 0;
    for (size_t i = 0; i < z->n; i++) {
        frec *r = &z->r[i];
        if (!ik_str_caseeq(r->name, name))
            continue;
        if (r->type == 'F') {
            ans->status = IK_DNS_TEMPFAIL;
            ans->nrr = 0;
            return IK_OK;
        }
        if (ans->status == IK_DNS_NXDOMAIN)
            ans->status = IK_DNS_NODATA;
        if (frec_type(r->type) != q->type)
            continue;
        ik_dns_rr rr;
        memset(&rr, 0, sizeof(rr));
        rr.type = q->type;
        switch (q->type) {
        case IK_DNS_T_TXT: rr.u.txt.joined = r->value; break;
        case IK_DNS_T_A:
        case IK_DNS_T_AAAA:
            if (ik_ip_parse(r->value, &rr.u.addr)
                || (rr.u.addr.family == IK_IP_V4) != (q->type == IK_DNS_T_A))
                continue;
            break;
        case IK_DNS_T_MX: {
            long sp = ik_str_chr(r->value, ' ');
            rr.u.mx.host =
                sp < 0 ? r->value : ik_str_make(r->value.p + sp + 1, r->value.len - (size_t)sp - 1);
            break;
        }
        default: rr.u.name = r->value; break;
        }
        if (ans->nrr == cap) {
            cap = cap ? cap * 2 : 4;
            ik_dns_rr *nr = ik_arena_alloc(a, cap * sizeof(*nr));
            if (nr == NULL)
                return IK_ENOMEM;
            if (ans->nrr)
                memcpy(nr, ans->rr, ans->nrr * sizeof(*nr));
            ans->rr = nr;
        }
        ans->rr[ans->nrr++] = rr;
        ans->status = IK_DNS_OK;
    }
    return IK_OK;
}

static ik_status fz_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    fzone *z = self;
    z->queries++;
    ik_status st = fz_answer(z, a, q, q->name);
    if (st == IK_OK && q->answer->status == IK_DNS_NXDOMAIN)
        st = fz_answer(z, a, q, IK_STR_LIT("*"));
    return st;
}

static const ik_resolver_ops fz_ops = { "fuzz", fz_resolve, NULL, NULL, NULL, NULL, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fzone *z = calloc(1, sizeof(*z));
    if (z == NULL)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    unsigned flags = 0;
    const char *nl = memchr(p, '\n', size);
    for (const char *c = p; c < (nl ? nl : end); c++)
        flags = flags * 31 + (unsigned char)*c;
    p = nl ? nl + 1 : end;
    while (p < end && z->n < sizeof(z->r) / sizeof(z->r[0])) {
        nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *s1 = memchr(p, ' ', (size_t)(le - p));
        if (s1 && s1 + 2 <= le) {
            frec *r = &z->r[z->n++];
            r->name = ik_str_make(p, (size_t)(s1 - p));
            r->type = s1[1];
            const char *v = s1 + 2 < le ? s1 + 3 : le;
            r->value = ik_str_make(v, (size_t)(le - v));
        }
        p = nl ? nl + 1 : end;
    }
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL) {
        free(z);
        return 0;
    }
    ik_arena_set_limit(a, 64u << 20);
    ik_spf_params prm;
    memset(&prm, 0, sizeof(prm));
    ik_ip_parse((flags & 1) ? IK_STR_LIT("2001:db8::1") : IK_STR_LIT("192.0.2.1"), &prm.ip);
    prm.sender = (flags & 2) ? IK_STR_LIT("") : IK_STR_LIT("u@example.com");
    prm.helo = IK_STR_LIT("helo.example.com");
    prm.scope =
        (flags & 4) ? IK_SPF_SCOPE_HELO : ((flags & 8) ? IK_SPF_SCOPE_PRA : IK_SPF_SCOPE_MFROM);
    prm.records = (flags & 16) ? IK_SPF_RECORDS_SENDERID : IK_SPF_RECORDS_SPF1;
    prm.now = 1400000000;
    ik_resolver r = { &fz_ops, z };
    ik_spf_outcome o;
    if (ik_spf_check(a, &prm, &r, &o) == IK_OK) {
        /* the RFC 7208 4.6.4 limits hold whatever DNS said */
        if (o.dns_lookups > IK_SPF_MAX_DNS_MECH || z->queries > 200)
            __builtin_trap();
        ik_spf_received_spf(a, &prm, &o);
        ik_spf_authres(a, &prm, &o);
    }
    ik_arena_free(a);
    free(z);
    return 0;
}
