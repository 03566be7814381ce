/*
 * dns.c - DNS questions, answers and RDATA decoding (see inkan/dns.h).
 *
 * RDATA decoding is bounded by the RDATA length: every read goes through a
 * cursor whose first error is sticky (the OpenSMTPD unpack_dns idea).  Names
 * inside RDATA must be uncompressed: resolvers hand us expanded RDATA, and a
 * compression pointer here is treated as malformed rather than followed.
 */
#include <stdio.h>
#include <string.h>

#include "inkan/dns.h"
#include "util/util_int.h"

const char *ik_dns_status_name(ik_dns_status st)
{
    switch (st) {
    case IK_DNS_OK: return "ok";
    case IK_DNS_NODATA: return "nodata";
    case IK_DNS_NXDOMAIN: return "nxdomain";
    case IK_DNS_TEMPFAIL: return "tempfail";
    case IK_DNS_PERMFAIL: return "permfail";
    case IK_DNS_INVALID: return "invalid";
    }
    return "unknown";
}

static const struct {
    uint16_t type;
    const char *name;
} type_names[] = {
    { IK_DNS_T_A, "A" },     { IK_DNS_T_NS, "NS" },     { IK_DNS_T_CNAME, "CNAME" },
    { IK_DNS_T_SOA, "SOA" }, { IK_DNS_T_PTR, "PTR" },   { IK_DNS_T_MX, "MX" },
    { IK_DNS_T_TXT, "TXT" }, { IK_DNS_T_AAAA, "AAAA" }, { IK_DNS_T_SPF, "SPF" },
    { IK_DNS_T_ANY, "ANY" },
};

const char *ik_dns_type_name(uint16_t type, char buf[16])
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    snprintf(buf, 16, "TYPE%u", (unsigned)type);
    return buf;
}

uint16_t ik_dns_type_from_name(ik_str name)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (ik_str_caseeq_c(name, type_names[i].name))
            return type_names[i].type;
    if (ik_str_casestarts(name, "TYPE")) {
        uint64_t v;
        if (ik_str_to_u64(ik_str_make(name.p + 4, name.len - 4), 65535, &v) == IK_OK && v > 0)
            return (uint16_t)v;
    }
    return 0;
}

ik_dns_query *ik_dns_query_new(ik_arena *a, ik_str name, uint16_t type)
{
    ik_dns_query *q = ik_arena_calloc(a, 1, sizeof(*q));
    if (q == NULL)
        return NULL;
    if (name.len > 0 && name.p[name.len - 1] == '.')
        name.len--;
    char *n = ik_arena_alloc(a, name.len + 1);
    if (n == NULL)
        return NULL;
    ik__ascii_lower(n, name.p, name.len);
    n[name.len] = '\0';
    q->name = ik_str_make(n, name.len);
    q->type = type;
    return q;
}

ik_status ik_dns_name_check(ik_str name)
{
    if (name.len > 0 && name.p[name.len - 1] == '.')
        name.len--;
    if (name.len == 0 || name.len > IK_DNS_NAME_MAX)
        return IK_ESYNTAX;
    return ik__labels_ok(name.p, name.len) ? IK_OK : IK_ESYNTAX;
}

ik_dns_answer *ik_dns_answer_new(ik_arena *a, ik_dns_status st)
{
    ik_dns_answer *ans = ik_arena_calloc(a, 1, sizeof(*ans));
    if (ans)
        ans->status = st;
    return ans;
}

/* Reads an uncompressed wire name at rdata[*off] as dotted text; a label
 * holding a '.' is refused (IK_ESYNTAX). */
static ik_status read_name(ik_arena *a, const uint8_t *p, size_t len, size_t *off, ik_str *out)
{
    char text[IK_DNS_NAME_MAX + 2];
    size_t n = 0, i = *off;
    for (;;) {
        if (i >= len)
            return IK_ESYNTAX;
        uint8_t l = p[i++];
        if (l == 0)
            break;
        if (l > IK_DNS_LABEL_MAX || l > len - i)
            return IK_ESYNTAX; /* also rejects compression pointers */
        /* the text form, dots included, stays within IK_DNS_NAME_MAX
         * (RFC 1035 2.3.4: 255 octets in wire form) */
        if ((n ? n + 1 : 0) + l > IK_DNS_NAME_MAX)
            return IK_ESYNTAX;
        /* a '.' inside a label has no place in our dotted text: it would
         * read as a label boundary and name another domain */
        if (memchr(p + i, '.', l) != NULL)
            return IK_ESYNTAX;
        if (n)
            text[n++] = '.';
        memcpy(text + n, p + i, l);
        n += l;
        i += l;
    }
    *off = i;
    *out = ik_arena_strlower(a, ik_str_make(text, n));
    return out->p ? IK_OK : IK_ENOMEM;
}

ik_status ik_dns_rdata_decode(ik_arena *a, uint16_t type, const uint8_t *p, size_t len,
                              ik_dns_rr *rr)
{
    size_t off = 0;
    ik_status st;
    memset(&rr->u, 0, sizeof(rr->u));
    rr->type = type;
    switch (type) {
    case IK_DNS_T_A:
        if (len != 4)
            return IK_ESYNTAX;
        rr->u.addr.family = IK_IP_V4;
        memcpy(rr->u.addr.a, p, 4);
        break;
    case IK_DNS_T_AAAA:
        if (len != 16)
            return IK_ESYNTAX;
        rr->u.addr.family = IK_IP_V6;
        memcpy(rr->u.addr.a, p, 16);
        break;
    case IK_DNS_T_MX:
        if (len < 3)
            return IK_ESYNTAX;
        rr->u.mx.pref = (uint16_t)(p[0] << 8 | p[1]);
        off = 2;
        if ((st = read_name(a, p, len, &off, &rr->u.mx.host)))
            return st;
        if (off != len)
            return IK_ESYNTAX;
        break;
    case IK_DNS_T_PTR:
    case IK_DNS_T_CNAME:
    case IK_DNS_T_NS:
        if ((st = read_name(a, p, len, &off, &rr->u.name)))
            return st;
        if (off != len)
            return IK_ESYNTAX;
        break;
    case IK_DNS_T_TXT:
    case IK_DNS_T_SPF: {
        size_t n = 0, total = 0;
        while (off < len) {
            size_t l = p[off];
            if (l > len - off - 1)
                return IK_ESYNTAX;
            off += 1 + l;
            total += l;
            n++;
        }
        ik_str *strs = ik_arena_calloc(a, n ? n : 1, sizeof(ik_str));
        char *joined = ik_arena_alloc(a, total + 1);
        if (strs == NULL || joined == NULL)
            return IK_ENOMEM;
        size_t j = 0, k = 0;
        off = 0;
        while (off < len) {
            size_t l = p[off++];
            memcpy(joined + j, p + off, l);
            strs[k++] = ik_str_make(joined + j, l);
            j += l;
            off += l;
        }
        joined[j] = '\0';
        rr->u.txt.joined = ik_str_make(joined, j);
        rr->u.txt.strings = strs;
        rr->u.txt.nstrings = n;
        break;
    }
    default: break; /* raw RDATA only */
    }
    return IK_OK;
}

ik_status ik_dns_answer_add_rdata(ik_arena *a, ik_dns_answer *ans, uint16_t type, uint32_t ttl,
                                  const uint8_t *rdata, size_t len)
{
    ik_dns_rr rr;
    memset(&rr, 0, sizeof(rr));
    char *copy = ik_arena_alloc(a, len ? len : 1);
    if (copy == NULL)
        return IK_ENOMEM;
    if (len)
        memcpy(copy, rdata, len);
    ik_status st = ik_dns_rdata_decode(a, type, (const uint8_t *)copy, len, &rr);
    if (st)
        return st;
    rr.ttl = ttl;
    rr.rdata = ik_str_make(copy, len);
    /* grow the array geometrically in the arena */
    size_t n = ans->nrr;
    /* capacity is max(4, next power of two): full at 0, 4, 8, 16... */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t ncap = n ? n * 2 : 4;
        ik_dns_rr *nr = ik_arena_alloc(a, ncap * sizeof(*nr));
        if (nr == NULL)
            return IK_ENOMEM;
        if (n)
            memcpy(nr, ans->rr, n * sizeof(*nr));
        ans->rr = nr;
    }
    ans->rr[n] = rr;
    ans->nrr = n + 1;
    if (n == 0 || ttl < ans->ttl)
        ans->ttl = ttl;
    ans->status = IK_DNS_OK;
    return IK_OK;
}

typedef struct drive_state {
    size_t outstanding;
} drive_state;

static void drive_done(void *arg, ik_dns_query *q)
{
    (void)q;
    drive_state *ds = arg;
    ds->outstanding--;
}

ik_status ik_resolver_answer_all(ik_resolver *r, ik_arena *a, ik_dns_query *list)
{
    if (r == NULL || r->ops == NULL)
        return IK_EINVAL;
    if (r->ops->submit == NULL || r->ops->wait == NULL) {
        for (ik_dns_query *q = list; q; q = q->next) {
            if (q->answer)
                continue;
            ik_status st = r->ops->resolve(r->self, a, q);
            if (st)
                return st;
        }
        return IK_OK;
    }
    drive_state ds = { 0 };
    ik_status first = IK_OK;
    for (ik_dns_query *q = list; q; q = q->next) {
        if (q->answer)
            continue;
        ik_status st = r->ops->submit(r->self, a, q, drive_done, &ds);
        if (st) {
            /* The ones already submitted hold &ds: wait for them before
             * returning, or their callbacks would write to a dead frame. */
            first = st;
            break;
        }
        ds.outstanding++;
    }
    while (ds.outstanding > 0) {
        ik_status st = r->ops->wait(r->self);
        if (st)
            return st; /* the resolver is broken; the caller must close it */
    }
    return first;
}

void ik_resolver_close(ik_resolver *r)
{
    if (r && r->ops && r->ops->destroy)
        r->ops->destroy(r->self);
    if (r) {
        r->ops = NULL;
        r->self = NULL;
    }
}
