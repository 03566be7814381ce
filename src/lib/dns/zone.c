/*
 * zone.c - the static zone: record store, lookup, and the resolver that
 * answers from it (see inkan/zone.h; the master-file reader is
 * zone_parse.c).
 *
 * Store: an open-addressing hash table (linear probing, power-of-two size,
 * at most 70% full) keyed by the lowercased owner name, so a lookup costs
 * one hash and, usually, one comparison; the benchmarks answer many
 * thousands of queries per second from it.  Each node keeps its records in
 * insertion order and its failure rules.  Adding a record also creates the
 * node's ancestors as "existing" nodes, which is what makes an empty
 * non-terminal answer NODATA rather than NXDOMAIN (RFC 8020 2, RFC 4592 2.2.2).
 *
 * Lookup follows RFC 1034 4.3.2 step 3 as far as a zone without delegations
 * needs it: records of the type, else a CNAME to follow, else NODATA or
 * NXDOMAIN.  Negative TTLs follow RFC 2308 5 when an SOA encloses the name.
 *
 * Speed: each node also keeps, per type, the answer to a query of that type
 * already decoded (zset), built as records are added.  A lookup that hits
 * records directly hands out that answer itself, shared and immutable, with
 * no copying or decoding; one that follows CNAMEs copies only the answer
 * header.  The query name is validated, lowercased and hashed in one pass.
 *
 * Ownership: nodes, records, names and the precomputed answers live in the
 * zone's arena; the table and resolver objects come from the zone's
 * allocator.  Negative and failure answers go to the caller's arena; see
 * inkan/zone.h for how long shared answers live.  Threads: see inkan/zone.h
 * (read-only after loading).
 * Limits: IK_ZONE_MAX_RECORDS, IK_ZONE_MAX_CNAME_CHAIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dns/zone_int.h"
#include "util/util_int.h"

typedef struct zrr {
    struct zrr *next;
    const uint8_t *rdata;
    uint32_t ttl;
    uint16_t type;
    uint16_t len;
} zrr;

typedef struct zfail {
    struct zfail *next;
    uint16_t type; /* 0 = every type */
    int always;    /* else only when no records of the asked type */
    ik_dns_status status;
    const char *why;
} zfail;

/* The decoded answer to a query of one type at one node (no CNAME). */
typedef struct zset {
    struct zset *next;
    uint16_t type;
    size_t cap;        /* slots in ans.rr */
    ik_dns_answer ans; /* IK_DNS_OK, canonical = the node's name */
} zset;

typedef struct znode {
    ik_str name; /* lowercase, no trailing dot; "" is the root */
    uint32_t hash;
    int exists; /* has records, or is an ancestor of a node that has */
    zrr *rrs, *tail;
    zset *sets;
    zfail *fails;
} znode;

struct ik_zone {
    ik_allocator al;
    int has_al;
    int allow_include;
    ik_arena *arena;
    znode **tab;
    size_t cap; /* slots, a power of two (0 before the first insert) */
    size_t nnodes;
    size_t nrr;
    size_t nsoa; /* SOA records: none means every negative TTL is the default */
};

const ik_allocator *ik__zone_allocator(const ik_zone *z)
{
    return z->has_al ? &z->al : NULL;
}

int ik__zone_include_allowed(const ik_zone *z)
{
    return z->allow_include;
}

ik_zone *ik_zone_new(const ik_allocator *al)
{
    ik_zone *z = ik_alloc(al, sizeof(*z));
    if (z == NULL)
        return NULL;
    memset(z, 0, sizeof(*z));
    if (al) {
        z->al = *al;
        z->has_al = 1;
    }
    z->allow_include = 1;
    z->arena = ik_arena_new(al);
    if (z->arena == NULL) {
        ik_free(al, z);
        return NULL;
    }
    return z;
}

ik_zone *ik_zone_free(ik_zone *z)
{
    if (z == NULL)
        return NULL;
    ik_allocator copy = z->al;
    const ik_allocator *al = z->has_al ? &copy : NULL;
    ik_arena_free(z->arena);
    ik_free(al, z->tab);
    ik_free(al, z);
    return NULL;
}

void ik_zone_allow_include(ik_zone *z, int allow)
{
    z->allow_include = allow != 0;
}

size_t ik_zone_count(const ik_zone *z)
{
    return z->nrr;
}

/* ---- names and the hash table ---------------------------------------- */

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Hash of an (already lowercase) name. */
static uint32_t name_hash(const char *p, size_t len)
{
    return ik__hash_bytes(p, len, 0);
}

/*
 * Lowercases name into out (IK_DNS_NAME_MAX + 1 bytes), dropping one
 * trailing dot.  The root ("." or "") gives length 0.  -1 if too long.
 */
static int name_norm(ik_str name, char *out, size_t *outlen)
{
    if (name.len > 0 && name.p[name.len - 1] == '.')
        name.len--;
    if (name.len > IK_DNS_NAME_MAX)
        return -1;
    for (size_t i = 0; i < name.len; i++)
        out[i] = (char)lower((unsigned char)name.p[i]);
    *outlen = name.len;
    return 0;
}

/*
 * ik_dns_name_check and name_norm in one pass, for lookups: 0 with the
 * lowercase name in out, -1 when the name is not a valid query name.
 */
static int name_check_norm(ik_str name, char *out, size_t *outlen)
{
    if (name.len > 0 && name.p[name.len - 1] == '.')
        name.len--;
    if (name.len == 0 || name.len > IK_DNS_NAME_MAX || !ik__labels_ok(name.p, name.len))
        return -1;
    ik__ascii_lower(out, name.p, name.len);
    *outlen = name.len;
    return 0;
}

static znode *node_find(const ik_zone *z, const char *name, size_t len, uint32_t h)
{
    if (z->cap == 0)
        return NULL;
    size_t mask = z->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        znode *n = z->tab[i];
        if (n == NULL)
            return NULL;
        if (n->hash == h && n->name.len == len && memcmp(n->name.p, name, len) == 0)
            return n;
    }
}

static ik_status table_grow(ik_zone *z)
{
    size_t ncap = z->cap ? z->cap * 2 : 64;
    if (ncap > SIZE_MAX / sizeof(znode *))
        return IK_ENOMEM;
    znode **nt = ik_alloc(ik__zone_allocator(z), ncap * sizeof(*nt));
    if (nt == NULL)
        return IK_ENOMEM;
    memset(nt, 0, ncap * sizeof(*nt));
    for (size_t i = 0; i < z->cap; i++) {
        znode *n = z->tab[i];
        if (n == NULL)
            continue;
        size_t j = n->hash & (ncap - 1);
        while (nt[j])
            j = (j + 1) & (ncap - 1);
        nt[j] = n;
    }
    ik_free(ik__zone_allocator(z), z->tab);
    z->tab = nt;
    z->cap = ncap;
    return IK_OK;
}

/* Finds or inserts the node for a normalized name; NULL on OOM. */
static znode *node_get(ik_zone *z, const char *name, size_t len)
{
    uint32_t h = name_hash(name, len);
    znode *n = node_find(z, name, len, h);
    if (n)
        return n;
    /* keep the table at most 70% full so probe runs stay short */
    if ((z->nnodes + 1) * 10 > z->cap * 7 && table_grow(z) != IK_OK)
        return NULL;
    n = ik_arena_calloc(z->arena, 1, sizeof(*n));
    if (n == NULL)
        return NULL;
    n->name = ik_arena_strdup_str(z->arena, ik_str_make(name, len));
    if (n->name.p == NULL)
        return NULL;
    n->hash = h;
    size_t mask = z->cap - 1;
    size_t i = h & mask;
    while (z->tab[i])
        i = (i + 1) & mask;
    z->tab[i] = n;
    z->nnodes++;
    return n;
}

/*
 * Marks n and every ancestor as existing.  An existing node's ancestors
 * always exist already, so the walk stops at the first one found.
 */
static ik_status node_mark_exists(ik_zone *z, znode *n)
{
    if (n->exists)
        return IK_OK;
    n->exists = 1;
    const char *p = n->name.p;
    size_t len = n->name.len;
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '.')
            continue;
        znode *anc = node_get(z, p + i + 1, len - i - 1);
        if (anc == NULL)
            return IK_ENOMEM;
        if (anc->exists)
            break;
        anc->exists = 1;
    }
    return IK_OK;
}

/* ---- adding records and rules ---------------------------------------- */

/* Validates an uncompressed wire name at p[*off]; -1 if malformed. */
static int wire_name_skip(const uint8_t *p, size_t len, size_t *off)
{
    size_t i = *off, total = 0;
    for (;;) {
        if (i >= len)
            return -1;
        uint8_t l = p[i++];
        total += 1u + l;
        if (l == 0)
            break;
        /* 255 octets at most, the final zero included (RFC 1035 3.1) */
        if (l > IK_DNS_LABEL_MAX || l > len - i || total >= 255)
            return -1;
        i += l;
    }
    *off = i;
    return 0;
}

/* SOA RDATA (RFC 1035 3.3.13): MNAME RNAME and five 32-bit numbers. */
static int soa_valid(const uint8_t *p, size_t len)
{
    size_t off = 0;
    if (wire_name_skip(p, len, &off) || wire_name_skip(p, len, &off))
        return 0;
    return len - off == 20;
}

/* The precomputed answer of n for type, or NULL. */
static const zset *set_for(const znode *n, uint16_t type)
{
    for (const zset *t = n ? n->sets : NULL; t; t = t->next)
        if (t->type == type)
            return t;
    return NULL;
}

/* Appends a decoded record to n's answer for its type. */
static ik_status set_add(ik_zone *z, znode *n, const ik_dns_rr *rr)
{
    zset *t = (zset *)set_for(n, rr->type);
    if (t == NULL) {
        t = ik_arena_calloc(z->arena, 1, sizeof(*t));
        if (t == NULL)
            return IK_ENOMEM;
        t->type = rr->type;
        t->ans.status = IK_DNS_OK;
        t->ans.canonical = n->name;
        t->next = n->sets;
        n->sets = t;
    }
    if (t->ans.nrr == t->cap) {
        /* the old array stays in the arena: records are few per name */
        size_t ncap = t->cap ? t->cap * 2 : 1;
        ik_dns_rr *nr = ik_arena_alloc(z->arena, ncap * sizeof(*nr));
        if (nr == NULL)
            return IK_ENOMEM;
        if (t->ans.nrr)
            memcpy(nr, t->ans.rr, t->ans.nrr * sizeof(*nr));
        t->ans.rr = nr;
        t->cap = ncap;
    }
    if (t->ans.nrr == 0 || rr->ttl < t->ans.ttl)
        t->ans.ttl = rr->ttl;
    t->ans.rr[t->ans.nrr++] = *rr;
    return IK_OK;
}

static ik_status owner_norm(ik_str owner, char *buf, size_t *len)
{
    int root = owner.len == 0 || (owner.len == 1 && owner.p[0] == '.');
    if (!root && ik_dns_name_check(owner) != IK_OK)
        return IK_EINVAL;
    if (root) {
        *len = 0;
        return IK_OK;
    }
    return name_norm(owner, buf, len) ? IK_EINVAL : IK_OK;
}

ik_status ik_zone_add_rr(ik_zone *z, ik_str owner, uint16_t type, uint32_t ttl,
                         const uint8_t *rdata, size_t rdlen)
{
    char name[IK_DNS_NAME_MAX + 1];
    size_t nlen;
    if (type == 0 || type == IK_DNS_T_ANY || rdlen > 65535 || (rdlen && rdata == NULL))
        return IK_EINVAL;
    if (owner_norm(owner, name, &nlen) != IK_OK)
        return IK_EINVAL;
    if (z->nrr >= IK_ZONE_MAX_RECORDS)
        return IK_ELIMIT;
    if (type == IK_DNS_T_SOA && !soa_valid(rdata, rdlen))
        return IK_ESYNTAX;

    zrr *r = ik_arena_alloc(z->arena, sizeof(*r));
    uint8_t *copy = ik_arena_alloc(z->arena, rdlen ? rdlen : 1);
    if (r == NULL || copy == NULL)
        return IK_ENOMEM;
    if (rdlen)
        memcpy(copy, rdata, rdlen);
    /*
     * Decode now, into the zone, so that lookups never meet RDATA that
     * ik_dns_answer_add_rdata would refuse and never decode anything.
     */
    ik_dns_rr rr;
    memset(&rr, 0, sizeof(rr));
    ik_status st = ik_dns_rdata_decode(z->arena, type, copy, rdlen, &rr);
    if (st != IK_OK)
        return st;
    rr.ttl = ttl;
    rr.rdata = ik_str_make((const char *)copy, rdlen);
    znode *n = node_get(z, name, nlen);
    if (n == NULL)
        return IK_ENOMEM;
    if ((st = set_add(z, n, &rr)) != IK_OK)
        return st;
    r->next = NULL;
    r->rdata = copy;
    r->len = (uint16_t)rdlen;
    r->type = type;
    r->ttl = ttl;
    if (n->tail)
        n->tail->next = r;
    else
        n->rrs = r;
    n->tail = r;
    z->nrr++;
    if (type == IK_DNS_T_SOA)
        z->nsoa++;
    return node_mark_exists(z, n);
}

static ik_status add_rule(ik_zone *z, ik_str owner, uint16_t type, int always, ik_dns_status st,
                          const char *why)
{
    char name[IK_DNS_NAME_MAX + 1];
    size_t nlen;
    if (type == IK_DNS_T_ANY)
        type = 0;
    if (owner_norm(owner, name, &nlen) != IK_OK)
        return IK_EINVAL;
    znode *n = node_get(z, name, nlen);
    zfail *f = ik_arena_alloc(z->arena, sizeof(*f));
    if (n == NULL || f == NULL)
        return IK_ENOMEM;
    f->type = type;
    f->always = always;
    f->status = st;
    f->why = why;
    f->next = n->fails;
    n->fails = f;
    return IK_OK;
}

ik_status ik_zone_add_failure(ik_zone *z, ik_str owner, uint16_t type, ik_dns_status st)
{
    if (st == IK_DNS_TEMPFAIL)
        return add_rule(z, owner, type, 0, st, "timeout");
    if (st == IK_DNS_PERMFAIL)
        return add_rule(z, owner, type, 1, st, "REFUSED");
    return IK_EINVAL;
}

ik_status ik_zone_add_servfail(ik_zone *z, ik_str owner, uint16_t type)
{
    return add_rule(z, owner, type, 1, IK_DNS_TEMPFAIL, "SERVFAIL");
}

/* ---- lookup ----------------------------------------------------------- */

/* The first failure rule of n that applies to qtype, or NULL. */
static const zfail *rule_for(const znode *n, uint16_t qtype, int always)
{
    for (const zfail *f = n ? n->fails : NULL; f; f = f->next)
        if (f->always == always && (f->type == 0 || f->type == qtype))
            return f;
    return NULL;
}

static const zrr *first_of(const znode *n, uint16_t type)
{
    for (const zrr *r = n ? n->rrs : NULL; r; r = r->next)
        if (type == IK_DNS_T_ANY || r->type == type)
            return r;
    return NULL;
}

/* A validated wire name as lowercase dotted text (out: 254 bytes). */
static size_t wire_name_text(const uint8_t *p, size_t len, char *out)
{
    size_t i = 0, n = 0;
    while (i < len && p[i] != 0) {
        uint8_t l = p[i++];
        if (n)
            out[n++] = '.';
        for (uint8_t k = 0; k < l && i < len && n < IK_DNS_NAME_MAX; k++)
            out[n++] = (char)lower(p[i++]);
    }
    return n;
}

/* RFC 2308 5: the SOA's own TTL or its MINIMUM field, whichever is less. */
static uint32_t negative_ttl(const ik_zone *z, const char *name, size_t len)
{
    if (z->nsoa == 0)
        return IK_ZONE_NEGATIVE_TTL; /* nothing to find: skip the walk */
    for (size_t i = 0;; i++) {
        if (i == 0 || i == len || name[i - 1] == '.') {
            const char *s = name + i;
            size_t sl = len - i;
            const znode *n = node_find(z, s, sl, name_hash(s, sl));
            const zrr *soa = first_of(n, IK_DNS_T_SOA);
            if (soa) {
                const uint8_t *m = soa->rdata + soa->len - 4;
                uint32_t min =
                    (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
                return min < soa->ttl ? min : soa->ttl;
            }
        }
        if (i >= len)
            break;
    }
    return IK_ZONE_NEGATIVE_TTL;
}

static ik_status fail_answer(ik_dns_answer *ans, ik_dns_status st, const char *why)
{
    ans->status = st;
    ans->ttl = 0;
    ans->why = ik_str_c(why); /* static text */
    return IK_OK;
}

/* canonical of an answer made in a: the node's name, else a copy of cur. */
static ik_status set_canonical(ik_arena *a, ik_dns_answer *ans, const znode *n, const char *cur,
                               size_t curlen)
{
    if (n) {
        ans->canonical = n->name;
        return IK_OK;
    }
    ans->canonical = ik_arena_strdup_str(a, ik_str_make(cur, curlen));
    return ans->canonical.p ? IK_OK : IK_ENOMEM;
}

/* Every record at n (type ANY), copied into a in insertion order. */
static ik_status answer_any(ik_arena *a, ik_dns_answer *ans, const znode *n)
{
    for (const zrr *r = n->rrs; r; r = r->next) {
        ik_status st = ik_dns_answer_add_rdata(a, ans, r->type, r->ttl, r->rdata, r->len);
        if (st == IK_ENOMEM)
            return st; /* other errors cannot happen: RDATA was validated */
    }
    return IK_OK;
}

ik_status ik_zone_lookup(const ik_zone *z, ik_arena *a, ik_str qname, uint16_t type,
                         ik_dns_answer **out)
{
    char cur[IK_DNS_NAME_MAX + 1];
    size_t curlen;
    const znode *seen[IK_ZONE_MAX_CNAME_CHAIN + 1];
    ik_dns_answer *ans;
    *out = NULL;
    if (name_check_norm(qname, cur, &curlen)) {
        if ((ans = ik_dns_answer_new(a, IK_DNS_INVALID)) == NULL)
            return IK_ENOMEM;
        *out = ans;
        ans->why = IK_STR_LIT("invalid query name");
        ans->canonical = ik_arena_strdup_str(a, qname);
        return ans->canonical.p || qname.len == 0 ? IK_OK : IK_ENOMEM;
    }
    const znode *n = node_find(z, cur, curlen, name_hash(cur, curlen));
    /* the common case: records of the type, no rules: the shared answer */
    if (n && n->fails == NULL && type != IK_DNS_T_ANY) {
        const zset *t = set_for(n, type);
        if (t) {
            *out = (ik_dns_answer *)&t->ans;
            return IK_OK;
        }
    }
    if ((ans = ik_dns_answer_new(a, IK_DNS_NXDOMAIN)) == NULL)
        return IK_ENOMEM;
    *out = ans;
    for (size_t hops = 0;; hops++) {
        const zfail *f = rule_for(n, type, 1);
        if (f) {
            fail_answer(ans, f->status, f->why);
            break;
        }
        const zset *t = type == IK_DNS_T_ANY ? NULL : set_for(n, type);
        const zrr *any = type == IK_DNS_T_ANY ? first_of(n, type) : NULL;
        const zrr *cname = NULL;
        if (t == NULL && any == NULL && type != IK_DNS_T_CNAME && type != IK_DNS_T_ANY)
            cname = first_of(n, IK_DNS_T_CNAME);
        if (t == NULL && any == NULL && cname == NULL && (f = rule_for(n, type, 0)) != NULL) {
            fail_answer(ans, f->status, f->why);
            break;
        }
        if (t) {
            /* a copy of the header; the records stay shared */
            *ans = t->ans;
            break;
        }
        if (any) {
            if (answer_any(a, ans, n) != IK_OK)
                return IK_ENOMEM;
            break;
        }
        if (cname) {
            seen[hops] = n;
            for (size_t k = 0; k < hops; k++) {
                if (seen[k] == n) {
                    fail_answer(ans, IK_DNS_TEMPFAIL, "CNAME loop");
                    return set_canonical(a, ans, n, cur, curlen);
                }
            }
            if (hops == IK_ZONE_MAX_CNAME_CHAIN) {
                fail_answer(ans, IK_DNS_TEMPFAIL, "CNAME chain too long");
                break;
            }
            curlen = wire_name_text(cname->rdata, cname->len, cur);
            n = node_find(z, cur, curlen, name_hash(cur, curlen));
            continue;
        }
        ans->status = (n && n->exists) ? IK_DNS_NODATA : IK_DNS_NXDOMAIN;
        ans->ttl = negative_ttl(z, cur, curlen);
        break;
    }
    return set_canonical(a, ans, n, cur, curlen);
}

/* ---- the resolver ------------------------------------------------------ */

typedef struct zpending {
    struct zpending *next;
    ik_arena *a;
    ik_dns_query *q;
    ik_dns_done_fn done;
    void *arg;
} zpending;

typedef struct zresolver {
    const ik_zone *z;
    ik_allocator al;
    int has_al;
    zpending *head, *tail; /* submitted, not yet delivered */
    zpending *spare;       /* recycled entries */
    int pipefd[2];         /* made on the first fd() call */
    int signalled;         /* a byte sits in the pipe */
} zresolver;

static const ik_allocator *zr_al(const zresolver *r)
{
    return r->has_al ? &r->al : NULL;
}

static void zr_signal(zresolver *r)
{
    if (r->pipefd[1] >= 0 && !r->signalled && r->head) {
        char c = 1;
        if (write(r->pipefd[1], &c, 1) == 1)
            r->signalled = 1;
    }
}

static void zr_unsignal(zresolver *r)
{
    if (r->pipefd[0] >= 0 && r->signalled && r->head == NULL) {
        char c[16];
        while (read(r->pipefd[0], c, sizeof(c)) > 0)
            ;
        r->signalled = 0;
    }
}

static ik_status zr_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    zresolver *r = self;
    if (a == NULL || q == NULL)
        return IK_EINVAL;
    return ik_zone_lookup(r->z, a, q->name, q->type, &q->answer);
}

static ik_status zr_submit(void *self, ik_arena *a, ik_dns_query *q, ik_dns_done_fn done, void *arg)
{
    zresolver *r = self;
    if (a == NULL || q == NULL || done == NULL)
        return IK_EINVAL;
    zpending *p = r->spare;
    if (p)
        r->spare = p->next;
    else if ((p = ik_alloc(zr_al(r), sizeof(*p))) == NULL)
        return IK_ENOMEM;
    p->next = NULL;
    p->a = a;
    p->q = q;
    p->done = done;
    p->arg = arg;
    if (r->tail)
        r->tail->next = p;
    else
        r->head = p;
    r->tail = p;
    zr_signal(r);
    return IK_OK;
}

static int zr_fd(void *self)
{
    zresolver *r = self;
    if (r->pipefd[0] < 0) {
        if (pipe2(r->pipefd, O_CLOEXEC | O_NONBLOCK) != 0) {
            r->pipefd[0] = r->pipefd[1] = -1;
            return -1;
        }
        zr_signal(r);
    }
    return r->pipefd[0];
}

/*
 * Delivers the queries queued when called.  Ones submitted from inside a
 * done callback wait for the next call, so a callback that keeps asking
 * cannot keep one process() call running forever.
 */
static ik_status zr_process(void *self)
{
    zresolver *r = self;
    zpending *batch = r->head, *last = r->tail;
    r->head = r->tail = NULL;
    while (batch) {
        zpending *p = batch;
        ik_dns_answer *ans;
        if (ik_zone_lookup(r->z, p->a, p->q->name, p->q->type, &ans) != IK_OK) {
            /* put the undelivered ones back in front, in order */
            if (r->head == NULL)
                r->tail = last;
            last->next = r->head;
            r->head = batch;
            return IK_ENOMEM;
        }
        batch = p->next;
        if (p == last)
            batch = NULL;
        ik_dns_query *q = p->q;
        ik_dns_done_fn done = p->done;
        void *arg = p->arg;
        p->next = r->spare;
        r->spare = p;
        q->answer = ans;
        done(arg, q);
    }
    if (r->head == NULL)
        zr_unsignal(r);
    return IK_OK;
}

static ik_status zr_wait(void *self)
{
    zresolver *r = self;
    if (r->head == NULL)
        return IK_ESTATE; /* nothing outstanding: waiting would never end */
    return zr_process(self);
}

static void zr_destroy(void *self)
{
    zresolver *r = self;
    if (r == NULL)
        return;
    const ik_allocator *al = zr_al(r);
    ik_allocator copy = r->al;
    if (r->has_al)
        al = &copy;
    for (int pass = 0; pass < 2; pass++) {
        zpending *p = pass ? r->spare : r->head;
        while (p) {
            zpending *n = p->next;
            ik_free(al, p);
            p = n;
        }
    }
    if (r->pipefd[0] >= 0) {
        close(r->pipefd[0]);
        close(r->pipefd[1]);
    }
    ik_free(al, r);
}

static const ik_resolver_ops zone_ops = {
    .name = "zone",
    .resolve = zr_resolve,
    .submit = zr_submit,
    .fd = zr_fd,
    .process = zr_process,
    .wait = zr_wait,
    .destroy = zr_destroy,
};

ik_status ik_zone_resolver(ik_zone *z, ik_resolver *out)
{
    out->ops = NULL;
    out->self = NULL;
    zresolver *r = ik_alloc(ik__zone_allocator(z), sizeof(*r));
    if (r == NULL)
        return IK_ENOMEM;
    memset(r, 0, sizeof(*r));
    r->z = z;
    if (z->has_al) {
        r->al = z->al;
        r->has_al = 1;
    }
    r->pipefd[0] = r->pipefd[1] = -1;
    out->ops = &zone_ops;
    out->self = r;
    return IK_OK;
}
