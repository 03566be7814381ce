/*
 * spf_int.h - private declarations shared by the SPF files.
 *
 *   record.c  record parsing and syntax checks (pure)
 *   macro.c   macro-string checking and expansion (pure)
 *   eval.c    the check_host() state machine (asks for DNS, never does I/O)
 *   header.c  result names, Received-SPF and Authentication-Results text
 *   cache.c   the parsed-record cache shared across evaluations and threads
 *
 * Ownership: parsed records are views into the record text plus an array of
 * terms, all in the caller's arena.  Threads: no shared state.
 */
#ifndef IK_SPF_INT_H
#define IK_SPF_INT_H

#include "inkan/buf.h"
#include "inkan/spf.h"

/*
 * Longest record text we parse.  RFC 7208 3.4 asks publishers to stay
 * within a 512-octet DNS answer; real records are far below 4096, and the
 * cap bounds the work a hostile TXT answer can cause.
 */
#define IK_SPF_MAX_RECORD 4096
/* Deepest include nesting; the 10-lookup limit (RFC 7208 4.6.4) normally
 * stops well before, this bounds recursion when callers raise that limit. */
#define IK_SPF_MAX_DEPTH 24
/* Terms the parser keeps on its stack before it grows into the arena. */
#define IK_SPF_PARSE_LOCAL_TERMS 32
/* Largest macro expansion result (before 253-octet domain truncation). */
#define IK_SPF_MAX_EXPANSION 8192

typedef struct ik__spf_term {
    ik_spf_term_info info; /* first member: the public view */
    uint8_t has_macro;     /* domain_spec contains '%' */
    uint8_t uses_p;        /* domain_spec uses the %{p} macro */
} ik__spf_term;

struct ik_spf_record {
    ik_str text;
    int version;     /* 1 or 2 */
    unsigned scopes; /* IK_SPF_SCOPEBIT_* */
    ik__spf_term *terms;
    size_t nterms;
    ik_str redirect; /* domain-spec; .p NULL when absent */
    ik_str exp;      /* domain-spec; .p NULL when absent */
    uint8_t redirect_has_macro, redirect_uses_p;
    uint8_t exp_has_macro, exp_uses_p;
    uint8_t has_all; /* RFC 7208 6.1: redirect ignored when set */
    unsigned dns_terms;
};

/* Mechanisms that count towards the DNS lookup limit (RFC 7208 4.6.4). */
static inline int ik__spf_mech_is_dns(ik_spf_mech m)
{
    return m == IK_SPF_MECH_INCLUDE || m == IK_SPF_MECH_A || m == IK_SPF_MECH_MX
           || m == IK_SPF_MECH_PTR || m == IK_SPF_MECH_EXISTS;
}

/*
 * Syntax check of a macro-string (RFC 7208 7.1).  explain != 0 allows SP
 * and the c, r, t letters.  On success *last_expand_end is the offset just
 * past the last macro-expand (0 if none) and *uses_p tells whether %{p}
 * occurs.  On failure returns IK_ESYNTAX and a static reason in *why.
 */
ik_status ik__spf_macro_check(ik_str spec, int explain, size_t *last_expand_end, int *uses_p,
                              const char **why);

/*
 * Syntax check of a domain-spec (RFC 7208 7.1: macro-string domain-end,
 * domain-end = "." toplabel ["."] / macro-expand).  Empty is an error.
 */
ik_status ik__spf_domain_spec_check(ik_str spec, int *has_macro, int *uses_p, const char **why);

/* RFC 7208 7.1 toplabel. */
int ik__spf_toplabel_ok(ik_str label);

/*
 * RFC 7208 4.3: the <domain> of check_host() must be a multi-label FQDN
 * with labels of 1..63 octets, 253 octets at most (one trailing dot
 * allowed), printable ASCII and a proper top label.
 */
int ik__spf_domain_is_fqdn(ik_str d);

/* A name we may put in a DNS question: 1..253 octets, labels 1..63. */
int ik__spf_name_queryable(ik_str d);

/* Drops one trailing dot. */
static inline ik_str ik__spf_strip_dot(ik_str s)
{
    if (s.len > 0 && s.p[s.len - 1] == '.')
        s.len--;
    return s;
}

/* True when name equals domain or ends with "." domain, ignoring case and
 * trailing dots (RFC 7208 5.5). */
int ik__spf_name_within(ik_str name, ik_str domain);

/* Expands into buf (appends); same rules as ik_spf_macro_expand. */
ik_status ik__spf_macro_expand_buf(ik_buf *b, ik_str spec, const ik_spf_macro_env *env, int explain,
                                   const char **why);

/*
 * Parses the Sender ID version and scope list "spf2.0/<scope>,..." at the
 * start of text (RFC 4406 3.3).  Returns 1 and sets *pos just past it (at SP
 * or the end) and *scopes; 0 when malformed.
 */
int ik__spf_v2_prefix(ik_str text, size_t *pos, unsigned *scopes);

/*
 * Parsed-record cache (cache.c).  Looks up (domain, text): on a hit sets
 * *rec (NULL when the record is malformed, with *problem then) and *hit,
 * and holds a reference that arena a releases when it is reset or freed.
 * IK_ENOMEM only when that release cannot be registered.
 */
ik_status ik__spf_cache_get(ik_spf_cache *c, ik_arena *a, ik_str domain, ik_str text,
                            const ik_spf_record **rec, ik_str *problem, int *hit);
/*
 * Stores a copy of a parse result (rec NULL with problem for a malformed
 * record) for ttl seconds.  A cache that cannot allocate simply does not
 * store: the evaluation never fails because of the cache.
 */
void ik__spf_cache_put(ik_spf_cache *c, ik_str domain, ik_str text, uint32_t ttl,
                       const ik_spf_record *rec, ik_str problem);

/* RFC 7208 7.3 left truncation to 253 octets (trailing dot dropped). */
ik_str ik__spf_truncate_domain(ik_str s);

#endif
