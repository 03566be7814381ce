/*
 * inkan/dmarc.h - DMARC: policy records, policy discovery, identifier
 * alignment, result and disposition (RFC 9989 by default; RFC 7489 as an
 * option), with the external report destination check of RFC 9990 4 /
 * RFC 7489 7.1.
 *
 * Four parts, usable on their own:
 *  - ik_dmarc_record_parse(): a TXT record to a policy (RFC 9989 4.7, 4.8;
 *    RFC 7489 6.3, 6.4).  Pure, fuzzable.
 *  - ik_dmarc_author_from_fields(): the Author Domain(s) of a header section
 *    (RFC 9989 5.3.1, 11.5), through address.h, refusing every input that
 *    more than one reader would give a different domain.  Pure, fuzzable.
 *  - ik_dmarc_new()/ik_dmarc_run(): the resumable evaluation (see dns.h):
 *    IK_EAGAIN with the DNS questions it needs, answer them, call again.
 *    Policy discovery and Organizational Domains come from the DNS Tree
 *    Walk (RFC 9989 4.10) or, in RFC 7489 mode, from the Public Suffix
 *    List (RFC 7489 3.2, libpsl) with the two-query discovery of 6.6.3.
 *  - ik_dmarc_authres(): the dmarc method of Authentication-Results.
 *
 * A DMARC permerror or temperror is a successful evaluation: ik_dmarc_run()
 * returns IK_OK and the verdict is in the outcome.  Only resource problems
 * (IK_ENOMEM) and misuse (IK_EINVAL, IK_ESTATE) are returned as status.
 *
 * Decisions where the RFCs leave room (each configurable where it matters):
 *  - From with several mailboxes of different domains: every domain is
 *    evaluated and the strictest failing policy applies (RFC 9989 11.5,
 *    RFC 7489 6.6.1).  No From field, several From fields, an unparsable or
 *    ambiguous From: result permerror, and local disposition reject unless
 *    IK_DMARC_OPT_NO_FROM_REJECT (RFC 9989 4.2 and 5.3.1 put such messages
 *    outside DMARC; 11.5 asks receivers to treat them as the threat they
 *    usually are).  A From group with no mailbox: result none.
 *  - A record with a repeated tag is ignored as a whole (RFC 6376 3.2,
 *    which DMARC's tag-value syntax imports); IK_DMARC_OPT_DUP_TAG_FIRST
 *    keeps the first instead.  Any other malformed tag-spec is ignored
 *    alone (RFC 9989 4.8).
 *  - A temporary failure of SPF or of a DKIM signature makes the result
 *    temperror only when its identifier is aligned, so could have passed
 *    (RFC 7489 6.6.2); an unaligned identifier cannot change the verdict.
 *  - Non-existent domains (np=) are NXDOMAIN only (RFC 9989 3.2.13);
 *    IK_DMARC_EXIST_RFC9091 adds NODATA for A, AAAA and MX (RFC 9091).
 *  - A report URI with a malformed !size suffix is dropped;
 *    IK_DMARC_OPT_LENIENT_URI_SIZE keeps the address and ignores the size.
 *
 * Ownership: every object and string returned lives in the arena given to
 * the call ("arena"), except the PSL handle (caller frees).
 * Threads: an evaluation belongs to one thread at a time; a loaded PSL is
 * read-only and may be shared by any number of threads.
 * Limits: the IK_DMARC_MAX_* values below, each with its reason.
 */
#ifndef INKAN_DMARC_H
#define INKAN_DMARC_H

#include "address.h"
#include "arena.h"
#include "common.h"
#include "dkim.h"
#include "dns.h"
#include "header.h"
#include "spf.h"

/* Bytes of one record (TXT answers may be 64 KiB; real records are far
 * below 1 KiB, long rua lists stay under 2 KiB). */
#define IK_DMARC_MAX_RECORD 8192
/* Tag-specs in one record. */
#define IK_DMARC_MAX_TAGS 32
/* URIs kept per rua= or ruf= list; later ones are ignored with a problem. */
#define IK_DMARC_MAX_URIS 8
/* Distinct Author Domains evaluated (RFC 9989 11.5: limit them to avoid a
 * denial of service); more is permerror. */
#define IK_DMARC_MAX_AUTHOR_DOMAINS 4
/* DKIM results considered for alignment; later ones are ignored. */
#define IK_DMARC_MAX_DKIM 16
/* Queries of one DNS Tree Walk (RFC 9989 4.10). */
#define IK_DMARC_MAX_WALK 8
/* Distinct DNS questions of one evaluation, a bound derived from the
 * limits above; past it the evaluation is permerror. */
#define IK_DMARC_MAX_QUERIES 192
/* Default Public Suffix List (Debian package "publicsuffix"). */
#define IK_DMARC_PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"

typedef enum ik_dmarc_spec {
    IK_DMARC_SPEC_9989 = 0, /* DNS Tree Walk, psd=, np=, t=; pct ignored */
    IK_DMARC_SPEC_7489      /* PSL org domain, pct=; psd/np/t ignored */
} ik_dmarc_spec;

typedef enum ik_dmarc_result {
    IK_DMARC_NONE = 0, /* no policy applies (RFC 9989 9.2) */
    IK_DMARC_PASS,
    IK_DMARC_FAIL,
    IK_DMARC_TEMPERROR,
    IK_DMARC_PERMERROR
} ik_dmarc_result;

/* "none", "pass", "fail", "temperror", "permerror" (RFC 9989 9.2). */
IK_EXTERN const char *ik_dmarc_result_name(ik_dmarc_result r);

typedef enum ik_dmarc_policy {
    IK_DMARC_P_NONE = 0,
    IK_DMARC_P_QUARANTINE,
    IK_DMARC_P_REJECT
} ik_dmarc_policy;

/* "none", "quarantine", "reject". */
IK_EXTERN const char *ik_dmarc_policy_name(ik_dmarc_policy p);

typedef enum ik_dmarc_psd {
    IK_DMARC_PSD_U = 0, /* default: may or may not be an org domain */
    IK_DMARC_PSD_Y,     /* a Public Suffix Domain */
    IK_DMARC_PSD_N      /* an Organizational Domain */
} ik_dmarc_psd;

/* Why the disposition differs from the published policy (RFC 9990 3.1.6
 * PolicyOverrideType, RFC 7489 7.2.1 "sampled_out"). */
typedef enum ik_dmarc_override {
    IK_DMARC_OVR_NONE = 0,
    IK_DMARC_OVR_SAMPLED_OUT, /* RFC 7489 pct=: not selected */
    IK_DMARC_OVR_TEST_MODE,   /* RFC 9989 t=y: one level below */
    IK_DMARC_OVR_TRUSTED_ARC, /* a trusted sealer's ARC chain passed */
    IK_DMARC_OVR_LOCAL_POLICY /* receiver's own rule (cap, malformed From) */
} ik_dmarc_override;

/* Aggregate-report reason type: "sampled_out", "policy_test_mode",
 * "local_policy" (trusted ARC: OpenDMARC and rspamd report it so, with
 * comment "arc=pass"), or "" for none. */
IK_EXTERN const char *ik_dmarc_override_report_type(ik_dmarc_override o);

/* ---- Records (pure) --------------------------------------------------- */

/* Which tags the record had (ik_dmarc_record.present / .invalid). */
enum {
    IK_DMARC_TAG_P = 1u << 0,
    IK_DMARC_TAG_SP = 1u << 1,
    IK_DMARC_TAG_NP = 1u << 2,
    IK_DMARC_TAG_PSD = 1u << 3,
    IK_DMARC_TAG_T = 1u << 4,
    IK_DMARC_TAG_ADKIM = 1u << 5,
    IK_DMARC_TAG_ASPF = 1u << 6,
    IK_DMARC_TAG_PCT = 1u << 7,
    IK_DMARC_TAG_RUA = 1u << 8,
    IK_DMARC_TAG_RUF = 1u << 9,
    IK_DMARC_TAG_FO = 1u << 10,
    IK_DMARC_TAG_RF = 1u << 11,
    IK_DMARC_TAG_RI = 1u << 12
};

/* fo= options (RFC 9989 4.7). */
enum {
    IK_DMARC_FO_0 = 1u << 0,
    IK_DMARC_FO_1 = 1u << 1,
    IK_DMARC_FO_D = 1u << 2,
    IK_DMARC_FO_S = 1u << 3
};

/* One report URI of rua= / ruf= (RFC 9989 4.6, 4.8; RFC 7489 6.2, 6.4). */
typedef struct ik_dmarc_uri {
    ik_str text;       /* as written, size suffix included */
    ik_str uri;        /* without the size suffix */
    int valid;         /* syntactically a URI (RFC 3986 scheme ":" ...) */
    int mailto;        /* scheme mailto (the only one we send to) */
    ik_str address;    /* mailto: the addr-spec, percent-decoded (arena) */
    ik_str host;       /* mailto: its domain, lowercased (arena) */
    int has_size;      /* a well-formed !size suffix was present */
    uint64_t max_size; /* bytes (units are powers of two); 0 = no limit */
} ik_dmarc_uri;

typedef struct ik_dmarc_record {
    ik_str text;                   /* the record as given (borrowed) */
    unsigned present;              /* IK_DMARC_TAG_* seen (valid or not) */
    unsigned invalid;              /* IK_DMARC_TAG_* whose value was rejected */
    ik_dmarc_policy p, sp, np;     /* meaningful when present and valid */
    ik_dmarc_psd psd;              /* default u */
    int testing;                   /* t=y */
    int adkim_strict, aspf_strict; /* default relaxed */
    unsigned pct;                  /* 0..100, default 100 (RFC 7489) */
    ik_dmarc_uri *rua;             /* arena */
    size_t nrua;
    ik_dmarc_uri *ruf;
    size_t nruf;
    unsigned fo;     /* IK_DMARC_FO_*; default IK_DMARC_FO_0 */
    ik_str rf;       /* raw, default "afrf" (RFC 7489) */
    uint32_t ri;     /* default 86400 (RFC 7489) */
    ik_str problems; /* "; "-separated notes naming each tag that
                                 was ignored or defaulted; empty if none */
} ik_dmarc_record;

/* Options for ik_dmarc_record_parse() and ik_dmarc_params.flags. */
enum {
    IK_DMARC_OPT_DUP_TAG_FIRST = 1u << 0,    /* repeated tag: keep the first */
    IK_DMARC_OPT_LENIENT_URI_SIZE = 1u << 1, /* bad !size: keep the URI */
    IK_DMARC_OPT_NO_FROM_REJECT = 1u << 2,   /* malformed From: no local reject */
    IK_DMARC_OPT_PCT0_TESTING = 1u << 3,     /* 9989 mode: pct=0 acts as t=y
                                               (transitional receivers) */
    IK_DMARC_OPT_REPORT_URIS = 1u << 4,      /* check rua/ruf destinations */
    IK_DMARC_OPT_SPEC_7489 = 1u << 5         /* record parse: 7489 rules
                                               (!size kept, pct/rf/ri read) */
};

/*
 * True when text starts with the version tag "v=DMARC1" (RFC 9989 4.7 v:
 * first tag, value case-sensitive), the test that decides which TXT records
 * at a name count as DMARC records.
 */
IK_EXTERN int ik_dmarc_record_is_dmarc(ik_str text);

/*
 * Parses a record.  flags: IK_DMARC_OPT_* (DUP_TAG_FIRST, LENIENT_URI_SIZE,
 * SPEC_7489).  Returns IK_OK with *out (arena) for a DMARC record, with
 * invalid tag values reported in out->invalid and out->problems and
 * defaults in their place; IK_ENOTFOUND when the text is not a DMARC record
 * (no leading v=DMARC1: to be discarded, RFC 9989 4.7 v); IK_ESYNTAX when
 * it is one but must be ignored as a whole (a repeated tag, or longer than
 * IK_DMARC_MAX_RECORD); IK_ENOMEM.  *problem (may be NULL) names the tag.
 */
IK_EXTERN ik_status ik_dmarc_record_parse(ik_arena *a, ik_str text, unsigned flags,
                                          ik_dmarc_record **out, ik_str *problem);

/*
 * Parses one report URI (element of a dmarc-urilist).  spec_7489 keeps the
 * !size limit (RFC 7489 6.4), else it is obsolete and ignored (RFC 9989
 * 4.8).  Returns IK_OK, IK_ESYNTAX with *problem, or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_dmarc_uri_parse(ik_arena *a, ik_str text, int spec_7489, int lenient_size,
                                       ik_dmarc_uri *out, ik_str *problem);

/* True when the policy record needs the "act as p=none" rule (RFC 9989
 * 4.10.1): p missing or invalid, or sp/np (9989) or sp (7489) invalid. */
IK_EXTERN int ik_dmarc_record_policy_broken(const ik_dmarc_record *r, ik_dmarc_spec spec);
/* True when rua holds at least one syntactically valid URI. */
IK_EXTERN int ik_dmarc_record_has_valid_rua(const ik_dmarc_record *r);

/* ---- Author Domain (pure) --------------------------------------------- */

typedef enum ik_dmarc_from_status {
    IK_DMARC_FROM_OK = 0,          /* ndomains >= 1 */
    IK_DMARC_FROM_ABSENT,          /* no From field */
    IK_DMARC_FROM_MULTIPLE_FIELDS, /* more than one From field */
    IK_DMARC_FROM_MALFORMED,       /* does not parse, or a domain that is
                                      not a DNS name */
    IK_DMARC_FROM_AMBIGUOUS,       /* more than one reading (address.h) */
    IK_DMARC_FROM_NO_DOMAIN,       /* only groups without mailboxes, or
                                      domain literals */
    IK_DMARC_FROM_TOO_MANY         /* > IK_DMARC_MAX_AUTHOR_DOMAINS */
} ik_dmarc_from_status;

/* "ok", "absent", "multiple-fields", ... */
IK_EXTERN const char *ik_dmarc_from_status_name(ik_dmarc_from_status s);

typedef struct ik_dmarc_from {
    ik_dmarc_from_status status;
    ik_str domains[IK_DMARC_MAX_AUTHOR_DOMAINS]; /* distinct, lowercase,
                                         A-labels (RFC 9989 5.3.1); arena */
    size_t ndomains;
    size_t nmailboxes;   /* mailboxes in the field */
    unsigned addr_flags; /* IK_ADDR_F_* of the parse */
    ik_str problem;      /* why not OK (arena); empty when OK */
} ik_dmarc_from;

/*
 * The Author Domain(s) of a header section (fields borrowed, in order, as
 * ik_hdr_parse_block() gives them).  A field counts as From when its name
 * is "From" in any case, with or without WSP before the colon (RFC 5322
 * 1.2.2, 4.5).  The value is parsed as an address list in lenient mode so
 * groups are seen (RFC 7489 6.6.1); an encoded word used as a local part
 * (IK_ADDR_F_ENCODED_LOCAL) or a NUL in the field is AMBIGUOUS, since
 * readers disagree on them.  Returns IK_OK (see out->status), IK_ENOMEM or
 * IK_EINVAL.
 */
IK_EXTERN ik_status ik_dmarc_author_from_fields(ik_arena *a, const ik_hdr_field *fields,
                                                size_t nfields, ik_dmarc_from *out);
/* The same for one From field's value (still folded; borrowed). */
IK_EXTERN ik_status ik_dmarc_author_from_value(ik_arena *a, ik_str value, ik_dmarc_from *out);
/* One author domain given directly (a caller that already has it, tests):
 * normalized to a lowercase A-label and checked as a DNS name. */
IK_EXTERN ik_status ik_dmarc_author_from_domain(ik_arena *a, ik_str domain, ik_dmarc_from *out);

/*
 * A domain name to its lowercase A-label form (RFC 5890 2.3.2.1; Punycode
 * of RFC 3492 for labels with non-ASCII bytes, which must be UTF-8).
 * Limit: non-ASCII letters are not case-folded or NFC-normalized (no
 * IDNA2008 mapping tables).  IK_ESYNTAX for invalid UTF-8, empty labels or
 * a result that is not a valid DNS name; IK_ENOMEM.
 */
IK_EXTERN ik_status ik_dmarc_domain_alabel(ik_arena *a, ik_str domain, ik_str *out);

/* ---- Public Suffix List (RFC 7489 mode) -------------------------------- */

typedef struct ik_dmarc_psl ik_dmarc_psl;

/*
 * Loads a Public Suffix List file (text .dat or libpsl .dafsa; path NULL =
 * IK_DMARC_PSL_FILE).  Never touches the network.  Caller frees with
 * ik_dmarc_psl_free.  Returns IK_OK, IK_EIO (cannot read/parse) or
 * IK_ENOMEM.  The whole list is used, PRIVATE section included, as libpsl,
 * OpenDMARC and Mail::DMARC do.
 */
IK_EXTERN ik_status ik_dmarc_psl_load(const char *path, ik_dmarc_psl **out);
/* Accepts NULL; returns NULL. */
IK_EXTERN ik_dmarc_psl *ik_dmarc_psl_free(ik_dmarc_psl *psl);
/*
 * Organizational Domain by the PSL (RFC 7489 3.2): the public suffix plus
 * one label; a name that is itself a public suffix is its own (it then
 * aligns with nothing else).  domain must be a lowercase A-label.  Arena.
 */
IK_EXTERN ik_str ik_dmarc_psl_org_domain(const ik_dmarc_psl *psl, ik_arena *a, ik_str domain);

/* ---- Evaluation (sans-I/O) -------------------------------------------- */

typedef enum ik_dmarc_exist {
    IK_DMARC_EXIST_NXDOMAIN = 0, /* RFC 9989 3.2.13 (RFC 8020) */
    IK_DMARC_EXIST_RFC9091       /* NXDOMAIN, or NODATA for A, AAAA and MX */
} ik_dmarc_exist;

/* One DKIM signature's verdict (RFC 9989 5.3.3). */
typedef struct ik_dmarc_dkim {
    ik_str domain;   /* d= */
    ik_str selector; /* s= (for reports and reasons; may be empty) */
    ik_dkim_result result;
} ik_dmarc_dkim;

/* The authentication results DMARC builds on (RFC 9989 4.3). */
typedef struct ik_dmarc_auth {
    /* SPF of the MAIL FROM identity only (RFC 9989 3.2.4, 4.4.2).  mailfrom
     * is the reverse-path (address or bare domain); empty = null sender, and
     * then the identity is postmaster@helo (RFC 7208 2.4), so helo is the
     * SPF Domain.  The result of a separate HELO check must never be passed
     * here: with a non-empty mailfrom, helo is not used at all. */
    ik_spf_result spf_result;
    ik_str mailfrom;
    ik_str helo;
    const ik_dmarc_dkim *dkim; /* borrowed; every signature evaluated */
    size_t ndkim;
    /* Set by the caller only when an ARC chain validated (cv=pass) and its
     * sealer is on the local trusted list (RFC 8617 7.2.1). */
    int arc_trusted_pass;
    ik_str arc_sealer;
} ik_dmarc_auth;

/*
 * Fills the SPF part of auth from an SPF evaluation.  Refuses (IK_EINVAL) a
 * HELO-scope check: DMARC uses the MAIL FROM identity only.  params and
 * outcome are borrowed (auth keeps views into them).
 */
IK_EXTERN ik_status ik_dmarc_auth_set_spf(ik_dmarc_auth *auth, const ik_spf_params *params,
                                          const ik_spf_outcome *outcome);

/*
 * Parsed-policy cache (ARCHITECTURE.md, "Caches that matter for speed").
 * Optional: pass one in ik_dmarc_params.cache and evaluations reuse parsed
 * policy records instead of parsing the same record text again.  Entries
 * are keyed by the name queried (lowercase, e.g. "_dmarc.example.com"), the
 * exact record text and the parse options, so a changed record is never
 * served from the cache; an entry also expires after the TTL of the TXT
 * answer it came from (an answer without a TTL is not cached), and the
 * least recently used entry is evicted when max_entries are held.  Records
 * that must be ignored as a whole (IK_ESYNTAX) are cached too, with their
 * problem text.  The DNS answers themselves are not cached here.
 *
 * Ownership: made with ik_dmarc_cache_new (memory from the allocator given
 * there, never from per-message arenas); caller frees with
 * ik_dmarc_cache_free after every arena that served an evaluation using it
 * has been reset or freed (an evaluation holds a reference to each cached
 * record it uses until its arena is reset or freed, so an entry evicted or
 * expired meanwhile stays valid for it).
 * Threads: any number of threads may use one cache at once; it locks
 * internally.  Cached records are immutable and shared.
 */
typedef struct ik_dmarc_cache ik_dmarc_cache;

/* The cache's clock: seconds from any fixed origin.  Tests inject one. */
typedef int64_t (*ik_dmarc_cache_clock_fn)(void *ud);

/*
 * New cache holding at most max_entries records (0 = 10000).  al may be NULL
 * (malloc).  NULL on OOM.
 */
IK_EXTERN ik_dmarc_cache *ik_dmarc_cache_new(const ik_allocator *al, size_t max_entries);
/* Frees the cache; accepts NULL; returns NULL.  See Ownership above. */
IK_EXTERN ik_dmarc_cache *ik_dmarc_cache_free(ik_dmarc_cache *c);
/* Replaces the clock (default: CLOCK_MONOTONIC).  Call before sharing. */
IK_EXTERN void ik_dmarc_cache_set_clock(ik_dmarc_cache *c, ik_dmarc_cache_clock_fn fn, void *ud);

typedef ik_cache_stats ik_dmarc_cache_stats; /* see inkan/common.h */

/* A consistent snapshot of the counters. */
IK_EXTERN void ik_dmarc_cache_stats_get(ik_dmarc_cache *c, ik_dmarc_cache_stats *out);

typedef struct ik_dmarc_params {
    ik_dmarc_spec spec;
    const ik_dmarc_psl *psl;   /* RFC 7489 mode: required (borrowed) */
    unsigned flags;            /* IK_DMARC_OPT_* */
    ik_dmarc_exist exist;      /* np= existence test (RFC 9989 mode) */
    long sample;               /* pct draw: selected when sample % 100 < pct
                                 (RFC 7489 6.3); < 0 = draw from getrandom */
    ik_dmarc_policy local_max; /* local cap on the disposition; 0 (none) is
                                 read as "no cap" unless local_cap_set */
    int local_cap_set;
    ik_dmarc_cache *cache; /* parsed-policy cache (borrowed); NULL = none */
} ik_dmarc_params;

/* A report destination after the external check (RFC 9990 4). */
typedef enum ik_dmarc_dest_status {
    IK_DMARC_DEST_NOT_CHECKED = 0, /* IK_DMARC_OPT_REPORT_URIS not set */
    IK_DMARC_DEST_INTERNAL,        /* same Organizational Domain: usable */
    IK_DMARC_DEST_AUTHORIZED,      /* _report._dmarc record found: usable */
    IK_DMARC_DEST_UNAUTHORIZED,    /* no record: MUST be ignored */
    IK_DMARC_DEST_TEMPERROR,       /* lookup failed for now: not usable; retry
                                   at report time (RFC 9990 4 step 5) */
    IK_DMARC_DEST_REFUSED,         /* override names another host: neither is
                                   used (RFC 9990 4 step 9) */
    IK_DMARC_DEST_UNSUPPORTED,     /* not mailto: ignored (RFC 9989 4.7 rua) */
    IK_DMARC_DEST_INVALID,         /* syntax error, or name too long */
    IK_DMARC_DEST_NOT_SENT         /* ruf of a psd=y record (RFC 9991) */
} ik_dmarc_dest_status;

IK_EXTERN const char *ik_dmarc_dest_status_name(ik_dmarc_dest_status s);

typedef struct ik_dmarc_dest {
    ik_dmarc_uri uri; /* final destination (after an override) */
    ik_str published; /* the URI as the policy record had it */
    ik_dmarc_dest_status status;
    int usable; /* INTERNAL or AUTHORIZED */
} ik_dmarc_dest;

/* Verdict for one Author Domain. */
typedef struct ik_dmarc_domain_outcome {
    ik_str author; /* the Author Domain (A-label) */
    ik_dmarc_result result;
    ik_str policy_domain;          /* where the record was found; empty if none */
    ik_str org_domain;             /* the author's Organizational Domain, when
                                  it was needed */
    const ik_dmarc_record *record; /* the policy record, or NULL */
    int record_broken;             /* no valid p (or bad sp/np): acted as p=none */
    ik_str policy_tag;             /* "p", "sp" or "np": which applied */
    ik_dmarc_policy published;     /* that tag's policy */
    ik_dmarc_policy disposition;
    ik_dmarc_override override;
    int author_exists; /* 1, 0, or -1 when not looked up */
    int spf_aligned, dkim_aligned;
    ik_str aligned_spf;  /* the aligned, passing SPF Domain */
    ik_str aligned_dkim; /* the first aligned, passing d= */
    ik_str reason;       /* human-readable (arena) */
    ik_dmarc_dest *rua;  /* with IK_DMARC_OPT_REPORT_URIS (arena) */
    size_t nrua;
    ik_dmarc_dest *ruf;
    size_t nruf;
} ik_dmarc_domain_outcome;

typedef struct ik_dmarc_outcome {
    ik_dmarc_result result;      /* fail > temperror > permerror > pass > none
                                  across the Author Domains */
    ik_dmarc_policy disposition; /* the strictest enacted */
    ik_dmarc_override override;  /* of the domain that decided */
    ik_dmarc_from from;
    ik_dmarc_domain_outcome *domains; /* one per Author Domain (arena) */
    size_t ndomains;
    size_t decisive;      /* index of the domain that decided, or
                                  ndomains when none (From problems) */
    ik_str reason;        /* human-readable summary (arena) */
    unsigned dns_queries; /* distinct questions asked */
} ik_dmarc_outcome;

typedef struct ik_dmarc ik_dmarc;

/*
 * Starts an evaluation.  from (from ik_dmarc_author_from_*) and auth are
 * copied; the strings they point to are borrowed and must outlive the
 * evaluation.  Returns IK_OK, IK_EINVAL (7489 mode without a PSL) or
 * IK_ENOMEM.
 */
IK_EXTERN ik_status ik_dmarc_new(ik_arena *a, const ik_dmarc_params *p, const ik_dmarc_from *from,
                                 const ik_dmarc_auth *auth, ik_dmarc **out);

/*
 * Runs until done (IK_OK; outcome ready) or until DNS is needed
 * (IK_EAGAIN; answer every query in *pending, then call again).  Each
 * question is asked once per evaluation.  Independent walks (the author's,
 * the SPF Domain's, each DKIM domain's) are asked in parallel; the steps of
 * one walk are sequential, since a psd= tag ends it (RFC 9989 4.10).
 */
IK_EXTERN ik_status ik_dmarc_run(ik_dmarc *d, ik_dns_query **pending);

/* The verdict; valid after ik_dmarc_run() returned IK_OK. */
IK_EXTERN const ik_dmarc_outcome *ik_dmarc_outcome_get(const ik_dmarc *d);

/* Blocking convenience: new + run loop with a resolver. */
IK_EXTERN ik_status ik_dmarc_check(ik_arena *a, const ik_dmarc_params *p, const ik_dmarc_from *from,
                                   const ik_dmarc_auth *auth, ik_resolver *r,
                                   ik_dmarc_outcome *out);

/*
 * Which failure reports the policy record asks for this message (RFC 9989
 * 4.7 fo, RFC 9991): IK_DMARC_FO_0 / _1 when a DMARC failure report is due
 * (fo=0: no aligned pass at all; fo=1: SPF or DKIM without an aligned
 * pass), IK_DMARC_FO_D when a DKIM signature failed, IK_DMARC_FO_S when SPF
 * failed.  0 without a record, without ruf= (fo is then ignored), or for a
 * psd=y record in RFC 9989 mode.  Whether a destination is usable is in
 * o->ruf.
 */
IK_EXTERN unsigned ik_dmarc_failure_reports(const ik_dmarc_domain_outcome *o,
                                            const ik_dmarc_auth *auth, ik_dmarc_spec spec);

/*
 * The dmarc method of Authentication-Results (RFC 8601 2.7, RFC 9989 9.1),
 * one resinfo per Author Domain joined by "; ":
 *   dmarc=fail (p=reject dis=quarantine sampled_out) header.from=example.com
 *       policy.dmarc=quarantine
 * policy.dmarc is the disposition enacted (present for pass and fail).
 * Without an Author Domain: "dmarc=permerror (multiple From fields)".
 * Arena string; .p NULL on OOM.
 */
IK_EXTERN ik_str ik_dmarc_authres(ik_arena *a, const ik_dmarc_outcome *o);

#endif
