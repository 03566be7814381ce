/*
 * inkan/spf.h - Sender Policy Framework (RFC 7208), also the evaluation core
 * of Sender ID (RFC 4406/4407, see senderid.h).
 *
 * The evaluator is a resumable state machine (see dns.h): ik_spf_run()
 * returns IK_EAGAIN with the DNS questions it needs; answer them and call it
 * again.  It never does I/O.  Record parsing and macro expansion are pure and
 * usable on their own (fuzz targets, linting).
 *
 * An SPF permerror or temperror is a successful evaluation: ik_spf_run()
 * returns IK_OK and the verdict is in the outcome.  Only resource problems
 * (IK_ENOMEM) and misuse (IK_EINVAL, IK_ESTATE) are returned as status.
 *
 * Ownership: every object and string lives in the arena given to
 * ik_spf_new(), except records served by an ik_spf_cache, which the arena
 * holds a reference to until it is reset or freed.  Threads: one evaluation
 * belongs to one thread at a time; an ik_spf_cache may be shared.
 */
#ifndef INKAN_SPF_H
#define INKAN_SPF_H

#include <time.h>

#include "arena.h"
#include "common.h"
#include "dns.h"
#include "ip.h"

typedef enum ik_spf_result {
    IK_SPF_NONE = 0,
    IK_SPF_NEUTRAL,
    IK_SPF_PASS,
    IK_SPF_FAIL,
    IK_SPF_SOFTFAIL,
    IK_SPF_TEMPERROR,
    IK_SPF_PERMERROR
} ik_spf_result;

/* "none", "neutral", "pass", ... (RFC 7208 2.6 keywords). */
IK_EXTERN const char *ik_spf_result_name(ik_spf_result r);

typedef enum ik_spf_scope {
    IK_SPF_SCOPE_MFROM = 0, /* MAIL FROM identity (RFC 7208 2.4) */
    IK_SPF_SCOPE_HELO,      /* HELO identity (RFC 7208 2.3) */
    IK_SPF_SCOPE_PRA        /* Sender ID purported responsible address */
} ik_spf_scope;

/* Record selection (which records count for this check). */
typedef enum ik_spf_records {
    IK_SPF_RECORDS_SPF1 = 0, /* RFC 7208: v=spf1 TXT records only */
    IK_SPF_RECORDS_SENDERID  /* RFC 4406 4.4 / RFC 4407: spf2.0/<scopes>
                                 first, else v=spf1 as spf2.0/mfrom,pra */
} ik_spf_records;

/* Defaults of RFC 7208 4.6.4 and the usual operator settings. */
#define IK_SPF_MAX_DNS_MECH 10
#define IK_SPF_MAX_VOID 2
#define IK_SPF_MAX_MX_PTR_NAMES 10

/*
 * Parsed-record cache (ARCHITECTURE.md, "Caches that matter for speed").
 * Optional: pass one in ik_spf_params.cache and evaluations reuse parsed
 * records instead of parsing the same record text again.  Entries are keyed
 * by domain and exact record text, so a changed record is never served from
 * the cache; an entry also expires after the TTL of the TXT answer it came
 * from, and the least recently used entry is evicted when max_entries are
 * held.  Malformed records are cached too, with their problem text.
 *
 * Ownership: made with ik_spf_cache_new (memory from the allocator given
 * there, never from per-message arenas); caller frees with ik_spf_cache_free
 * after every arena that served an evaluation using it has been reset or
 * freed (an evaluation holds a reference to each cached record it uses until
 * its arena is reset or freed).
 * Threads: any number of threads may use one cache at once; it locks
 * internally.  Cached records are immutable and shared.
 */
typedef struct ik_spf_cache ik_spf_cache;

/* The cache's clock: seconds from any fixed origin.  Tests inject one. */
typedef int64_t (*ik_spf_cache_clock_fn)(void *ud);

/*
 * New cache holding at most max_entries records (0 = 10000).  al may be NULL
 * (malloc).  NULL on OOM.
 */
IK_EXTERN ik_spf_cache *ik_spf_cache_new(const ik_allocator *al, size_t max_entries);
/* Frees the cache; accepts NULL; returns NULL.  See Ownership above. */
IK_EXTERN ik_spf_cache *ik_spf_cache_free(ik_spf_cache *c);
/* Replaces the clock (default: CLOCK_MONOTONIC).  Call before sharing. */
IK_EXTERN void ik_spf_cache_set_clock(ik_spf_cache *c, ik_spf_cache_clock_fn fn, void *ud);

typedef ik_cache_stats ik_spf_cache_stats; /* see inkan/common.h */

/* A consistent snapshot of the counters. */
IK_EXTERN void ik_spf_cache_stats_get(ik_spf_cache *c, ik_spf_cache_stats *out);

typedef struct ik_spf_params {
    ik_ip ip;      /* client address; IPv4-mapped is unmapped */
    ik_str helo;   /* HELO/EHLO argument (may be empty) */
    ik_str sender; /* MAIL FROM address, or the PRA mailbox; empty =
                              null reverse-path (postmaster@helo) */
    ik_spf_scope scope;
    ik_spf_records records;
    ik_str receiver;       /* %{r}; empty = "unknown" */
    ik_str default_exp;    /* explanation when no exp= applies; empty =
                              built-in text */
    time_t now;            /* %{t}; 0 = time(NULL) at ik_spf_new */
    unsigned max_dns_mech; /* 0 = IK_SPF_MAX_DNS_MECH */
    unsigned max_void;     /* 0 = IK_SPF_MAX_VOID */
    unsigned max_names;    /* MX/PTR names per mechanism; 0 = default */
    ik_spf_cache *cache;   /* parsed-record cache (borrowed); NULL = none */
} ik_spf_params;

typedef struct ik_spf_outcome {
    ik_spf_result result;
    ik_str identity;      /* "user@example.com" or "postmaster@helo" */
    ik_str domain;        /* domain whose policy was checked first */
    ik_str mechanism;     /* the matching term as written, "default" when no
                           term matched, empty for none/errors */
    ik_str explanation;   /* fail only: exp= text or the default */
    ik_str problem;       /* errors: what was wrong, naming the term */
    ik_str record;        /* the top-level record text, if one was found */
    unsigned dns_lookups; /* DNS-querying terms counted (RFC 7208 4.6.4) */
    unsigned void_lookups;
} ik_spf_outcome;

typedef struct ik_spf ik_spf;

/* Starts an evaluation.  All memory comes from a. */
IK_EXTERN ik_status ik_spf_new(ik_arena *a, const ik_spf_params *p, ik_spf **out);

/*
 * Runs until done (IK_OK; outcome ready) or until DNS is needed
 * (IK_EAGAIN; *pending lists queries to answer, in arena memory).
 */
IK_EXTERN ik_status ik_spf_run(ik_spf *s, ik_dns_query **pending);

/* The verdict; valid after ik_spf_run() returned IK_OK. */
IK_EXTERN const ik_spf_outcome *ik_spf_outcome_get(const ik_spf *s);

/* Blocking convenience: new + run loop with a resolver. */
IK_EXTERN ik_status ik_spf_check(ik_arena *a, const ik_spf_params *p, ik_resolver *r,
                                 ik_spf_outcome *out);

/*
 * Received-SPF header field (RFC 7208 9.1) as "Received-SPF: ..." without the
 * final CRLF, folded at 78 columns.  Arena string.
 */
IK_EXTERN ik_str ik_spf_received_spf(ik_arena *a, const ik_spf_params *p, const ik_spf_outcome *o);
/*
 * The spf method of Authentication-Results (RFC 8601 2.7.2):
 * "spf=pass smtp.mailfrom=example.com" or "... smtp.helo=...".
 */
IK_EXTERN ik_str ik_spf_authres(ik_arena *a, const ik_spf_params *p, const ik_spf_outcome *o);

/* ---- Pure parts ------------------------------------------------------ */

typedef struct ik_spf_record ik_spf_record;

/*
 * Parses a whole record ("v=spf1 ..." or "spf2.0/... ...").  On a syntax
 * error returns IK_ESYNTAX and sets *problem to a text naming the offending
 * term.  Arena memory.
 */
IK_EXTERN ik_status ik_spf_record_parse(ik_arena *a, ik_str text, ik_spf_record **out,
                                        ik_str *problem);

/* Inputs of macro expansion (RFC 7208 7.2). */
typedef struct ik_spf_macro_env {
    ik_str sender;        /* s */
    ik_str local;         /* l */
    ik_str sender_domain; /* o */
    ik_str domain;        /* d: current domain */
    ik_ip ip;             /* i, c, v */
    ik_str ptr;           /* p: validated name, or empty = "unknown" */
    ik_str helo;          /* h */
    ik_str receiver;      /* r */
    time_t now;           /* t */
} ik_spf_macro_env;

/*
 * Expands a macro-string.  explain != 0 allows the c, r and t letters
 * (explanation strings only, RFC 7208 7.2).  Domain-spec results longer
 * than 253 octets are truncated from the left (RFC 7208 7.3) when
 * domain_spec != 0.  IK_ESYNTAX with *problem on a bad macro.
 */
IK_EXTERN ik_status ik_spf_macro_expand(ik_arena *a, ik_str spec, const ik_spf_macro_env *env,
                                        int explain, int domain_spec, ik_str *out, ik_str *problem);

/* ---- Record introspection (linting, tests) ---------------------------- */

typedef enum ik_spf_mech {
    IK_SPF_MECH_ALL = 1,
    IK_SPF_MECH_INCLUDE,
    IK_SPF_MECH_A,
    IK_SPF_MECH_MX,
    IK_SPF_MECH_PTR,
    IK_SPF_MECH_IP4,
    IK_SPF_MECH_IP6,
    IK_SPF_MECH_EXISTS
} ik_spf_mech;

/* One mechanism of a parsed record (RFC 7208 5).  Views into the record. */
typedef struct ik_spf_term_info {
    ik_spf_mech mech;
    ik_spf_result qualifier; /* PASS, FAIL, SOFTFAIL or NEUTRAL */
    ik_str text;             /* the term as written, qualifier included */
    ik_str domain_spec;      /* unexpanded; empty = current domain */
    unsigned cidr4;          /* 32 when absent (a, mx, ip4) */
    unsigned cidr6;          /* 128 when absent (a, mx, ip6) */
    ik_ip network;           /* ip4 / ip6 only */
} ik_spf_term_info;

/* Scope bits of ik_spf_record_scopes(). */
#define IK_SPF_SCOPEBIT_MFROM 1u
#define IK_SPF_SCOPEBIT_PRA 2u

/* 1 for "v=spf1", 2 for "spf2.0/..." (RFC 4406 3.3). */
IK_EXTERN int ik_spf_record_version(const ik_spf_record *r);
/* Scope bits: spf2.0 records name theirs; v=spf1 counts as mfrom,pra
 * (RFC 4406 3.4).  Unknown scope names set no bit. */
IK_EXTERN unsigned ik_spf_record_scopes(const ik_spf_record *r);
/* Mechanisms in record order (modifiers are not counted). */
IK_EXTERN size_t ik_spf_record_nterms(const ik_spf_record *r);
/* The i-th mechanism, or NULL past the end.  Borrowed from the record. */
IK_EXTERN const ik_spf_term_info *ik_spf_record_term(const ik_spf_record *r, size_t i);
/* The redirect= / exp= domain-specs, unexpanded; empty when absent. */
IK_EXTERN ik_str ik_spf_record_redirect(const ik_spf_record *r);
IK_EXTERN ik_str ik_spf_record_exp(const ik_spf_record *r);
/* Mechanisms that cause DNS lookups, plus redirect (RFC 7208 4.6.4), in
 * this record alone (includes not followed). */
IK_EXTERN unsigned ik_spf_record_dns_terms(const ik_spf_record *r);

#endif
