/*
 * inkan/dns.h - sans-I/O DNS: questions, answers and the resolver interface.
 *
 * Protocol engines never do I/O.  When an engine needs DNS it returns
 * IK_EAGAIN together with a list of ik_dns_query objects (allocated in the
 * engine's arena).  The driver sets query->answer on every one of them, then
 * calls the engine again.  Three drivers use this unchanged: the CLI (a
 * blocking loop: ik_resolver_answer_all), the daemon (asynchronous submit +
 * process from an event loop), and tests (a static zone, instant).
 *
 * DNS outcomes are classified once, here, into ik_dns_status (the Postfix
 * dns.h idea); protocol modules map the classes to their own verdicts.
 *
 * Ownership: answers live in the arena passed to the resolver.
 * Threads: a resolver object is used by one thread at a time unless its own
 * header says otherwise.
 */
#ifndef INKAN_DNS_H
#define INKAN_DNS_H

#include "arena.h"
#include "common.h"
#include "ip.h"

enum {
    IK_DNS_T_A = 1,
    IK_DNS_T_NS = 2,
    IK_DNS_T_CNAME = 5,
    IK_DNS_T_SOA = 6,
    IK_DNS_T_PTR = 12,
    IK_DNS_T_MX = 15,
    IK_DNS_T_TXT = 16,
    IK_DNS_T_AAAA = 28,
    IK_DNS_T_SPF = 99,
    IK_DNS_T_ANY = 255
};

/* Longest domain name in text form without trailing dot (RFC 1035 2.3.4). */
#define IK_DNS_NAME_MAX 253
#define IK_DNS_LABEL_MAX 63

typedef enum ik_dns_status {
    IK_DNS_OK = 0,   /* records of the asked type exist (nrr > 0) */
    IK_DNS_NODATA,   /* the name exists, no records of this type */
    IK_DNS_NXDOMAIN, /* the name does not exist */
    IK_DNS_TEMPFAIL, /* SERVFAIL, timeout, network trouble: try later */
    IK_DNS_PERMFAIL, /* REFUSED, FORMERR, DNSSEC bogus: will not change */
    IK_DNS_INVALID   /* the question itself is malformed (bad name) */
} ik_dns_status;

IK_EXTERN const char *ik_dns_status_name(ik_dns_status st);
/* "TXT", "A", ... or "TYPE123" into buf[16] when unknown. */
IK_EXTERN const char *ik_dns_type_name(uint16_t type, char buf[16]);
/* Name or TYPEnnn to number; 0 if unknown. Case-insensitive. */
IK_EXTERN uint16_t ik_dns_type_from_name(ik_str name);

typedef struct ik_dns_txt {
    ik_str joined;   /* all character-strings concatenated (RFC 7208 3.3) */
    ik_str *strings; /* each character-string */
    size_t nstrings;
} ik_dns_txt;

typedef struct ik_dns_rr {
    uint16_t type;
    uint32_t ttl;
    ik_str rdata; /* raw RDATA in wire form (names uncompressed) */
    union {
        ik_ip addr; /* A, AAAA */
        struct {
            uint16_t pref;
            ik_str host;
        } mx;           /* MX */
        ik_str name;    /* PTR, CNAME, NS */
        ik_dns_txt txt; /* TXT, SPF */
    } u;
} ik_dns_rr;

typedef struct ik_dns_answer {
    ik_dns_status status;
    ik_dns_rr *rr;
    size_t nrr;
    uint32_t ttl;     /* smallest TTL, or the negative-caching TTL */
    int secure;       /* DNSSEC validated */
    ik_str canonical; /* owner after CNAMEs (may equal the query name) */
    ik_str why;       /* text for failures, e.g. "SERVFAIL from 127.0.0.1" */
} ik_dns_answer;

typedef struct ik_dns_query ik_dns_query;
struct ik_dns_query {
    ik_str name; /* lowercase, no trailing dot */
    uint16_t type;
    ik_dns_answer *answer; /* NULL until the driver answers; read-only:
                               a resolver may share one answer between
                               queries (the static zone does) */
    ik_dns_query *next;    /* the engine's pending list */
    void *engine_data;     /* for the engine that asked */
};

/*
 * Builds a query in arena a: copies and lowercases name, strips one trailing
 * dot.  NULL on OOM.  Name validity is not checked (see ik_dns_name_check).
 */
IK_EXTERN ik_dns_query *ik_dns_query_new(ik_arena *a, ik_str name, uint16_t type);

/*
 * IK_OK if name is a plausible query name: 1..253 octets, labels 1..63
 * (one trailing dot allowed).  IK_ESYNTAX otherwise.
 */
IK_EXTERN ik_status ik_dns_name_check(ik_str name);

/* Answer builders for resolvers (arena a).  NULL / IK_ENOMEM on OOM. */
IK_EXTERN ik_dns_answer *ik_dns_answer_new(ik_arena *a, ik_dns_status st);
/* Adds an RR from wire RDATA, decoding the typed fields; IK_ESYNTAX if the
 * RDATA is malformed for its type (then nothing is added). */
IK_EXTERN ik_status ik_dns_answer_add_rdata(ik_arena *a, ik_dns_answer *ans, uint16_t type,
                                            uint32_t ttl, const uint8_t *rdata, size_t len);
/* Decode an RDATA of a known type into rr (arena for strings). */
IK_EXTERN ik_status ik_dns_rdata_decode(ik_arena *a, uint16_t type, const uint8_t *rdata,
                                        size_t len, ik_dns_rr *rr);

typedef void (*ik_dns_done_fn)(void *arg, ik_dns_query *q);

/*
 * Resolver interface: a method table plus its object (the sqlite3_vfs /
 * Postfix DICT idea).  resolve is required; the asynchronous members are
 * optional (NULL when the resolver only blocks).
 */
typedef struct ik_resolver_ops {
    const char *name;
    /*
     * Blocking.  Sets q->answer (allocated in a).  Every DNS outcome,
     * including timeouts, is reported in the answer with IK_OK returned;
     * only IK_ENOMEM / IK_EINVAL are returned as errors.
     */
    ik_status (*resolve)(void *self, ik_arena *a, ik_dns_query *q);
    /*
     * Asynchronous.  Starts q; later, from inside process() or wait() and
     * never from inside submit(), sets q->answer and calls done(arg, q).
     */
    ik_status (*submit)(void *self, ik_arena *a, ik_dns_query *q, ik_dns_done_fn done, void *arg);
    /* File descriptor to poll for readability, or -1. */
    int (*fd)(void *self);
    /* Delivers finished answers without blocking. */
    ik_status (*process)(void *self);
    /* Blocks until at least one outstanding query has finished. */
    ik_status (*wait)(void *self);
    /* Frees the resolver object. */
    void (*destroy)(void *self);
} ik_resolver_ops;

typedef struct ik_resolver {
    const ik_resolver_ops *ops;
    void *self;
} ik_resolver;

/*
 * Blocking driver helper: answers every query in the list that has no answer
 * yet (in parallel when the resolver is asynchronous).  Answers go to a.
 * If a submit fails, the queries already submitted are still waited for, and
 * then that error is returned.  If wait itself fails, its error is returned
 * at once and the resolver must be closed (it may hold unfinished queries).
 */
IK_EXTERN ik_status ik_resolver_answer_all(ik_resolver *r, ik_arena *a, ik_dns_query *list);
/* Calls destroy; accepts a zeroed resolver. */
IK_EXTERN void ik_resolver_close(ik_resolver *r);

#endif
