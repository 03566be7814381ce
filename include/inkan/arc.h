/*
 * inkan/arc.h - Authenticated Received Chain (RFC 8617): validate the
 * chain and seal a message.
 *
 * ARC is on its way to Historic and DKIM2 is announced as its successor, so
 * ARC lives behind this header alone: nothing else in libinkan depends on
 * it except through these functions, and it reuses DKIM only through
 * ik_dkim_* public calls and src/lib/dkim/dkim_shared.h.
 *
 * Validation (RFC 8617 5.2) is milter-shaped and sans-I/O like the DKIM
 * verifier: raw header fields one by one, end of headers (IK_EAGAIN with
 * the key queries, one per distinct selector._domainkey.domain), body
 * chunks, end of message (IK_EAGAIN while answers are missing).  Steps:
 *   1. no ARC header field at all: cv=none.  More than IK_ARC_MAX_INSTANCES
 *      sets: fail.
 *   2. the newest ARC-Seal says cv=fail: fail.
 *   3. structure: exactly one AAR, AMS and AS per instance, instances 1..N
 *      without gaps, AS cv=none at i=1 and cv=pass above; any ARC field
 *      whose instance cannot be read breaks the structure: fail.
 *   4. the newest AMS must validate (DKIM rules, RFC 6376 6.1): else fail.
 *   5. oldest-pass: older AMSs from N-1 down; the first that fails, M,
 *      gives oldest_pass = M+1; all valid gives 0.
 *   6. every AS from N down to 1 must validate: else fail.
 *   7. pass.
 * All errors are permanent (RFC 8617 5.2.1): a DNS failure is a fail.
 *
 * Header tags (RFC 8617 4.1.2, 4.1.3): the AMS is a DKIM-Signature with i=
 * as instance and v= ignored; the AS has i, a, b, d, s, t and cv, an h= in
 * it is a failure, and it is always relaxed.  a= is rsa-sha256 or
 * ed25519-sha256 (RFC 8463); rsa-sha1 only with IK_DKIM_ALLOW_SHA1.  RSA
 * keys must have IK_ARC default 1024 bits (RFC 8301 3.2).
 *
 * Sealing (RFC 8617 5.1): feed the message like the verifier, with the
 * result of validating it (cv) and our Authentication-Results payload; the
 * sealer adds AAR, AMS and AS with instance N+1.  If the newest AS already
 * says cv=fail nothing is added (5.1 step 2).  If cv is fail, the new AS
 * covers only the new set (5.1.2).
 *
 * Ownership: everything from the arena given to the constructor; keys
 * borrowed.  Threads: a verifier or sealer belongs to one thread at a time;
 * the optional DKIM key cache may be shared.
 * Limits: IK_ARC_MAX_* below.
 */
#ifndef INKAN_ARC_H
#define INKAN_ARC_H

#include "arena.h"
#include "authres.h"
#include "common.h"
#include "crypto.h"
#include "dkim.h"
#include "dns.h"

/* RFC 8617 4.2.1: instance values range from 1 to 50. */
#define IK_ARC_MAX_INSTANCES 50
/* ARC header fields kept per message: three per instance, with room for
 * the duplicates that make a chain fail (beyond this the chain fails). */
#define IK_ARC_MAX_FIELDS (3 * IK_ARC_MAX_INSTANCES + 16)

typedef enum ik_arc_cv { IK_ARC_CV_NONE = 0, IK_ARC_CV_PASS, IK_ARC_CV_FAIL } ik_arc_cv;

/* "none", "pass", "fail" (RFC 8617 4.4, the A-R result names). */
IK_EXTERN const char *ik_arc_cv_name(ik_arc_cv cv);

/* ---- the two signature fields (pure parsing, no DNS) ---------------------- */

typedef struct ik_arc_sig {
    int seal;              /* 1: ARC-Seal; 0: ARC-Message-Signature */
    ik_str field;          /* raw field as given (no final CRLF) */
    unsigned instance;     /* i= */
    ik_dkim_alg alg;       /* a= */
    ik_str domain;         /* d= */
    ik_str selector;       /* s= */
    ik_str b;              /* decoded b= */
    size_t b_start, b_end; /* in field: the b= value, deleted for hashing */
    int has_t, has_x;
    uint64_t t, x;
    /* AMS only */
    ik_dkim_canon hcanon, bcanon;
    ik_str *h; /* h= names, trimmed; empty names kept */
    size_t nh;
    ik_str bh; /* decoded bh= */
    int has_l;
    uint64_t l;
    /* AS only */
    ik_arc_cv cv;
} ik_arc_sig;

/*
 * Parses an ARC-Message-Signature (seal 0) or ARC-Seal (seal 1) field, the
 * whole raw field with its name.  Returns IK_OK; IK_ESYNTAX with *why
 * naming the tag (why may be NULL); IK_ENOMEM.  flags: IK_DKIM_ALLOW_SHA1.
 * Arena memory; views into field.
 */
IK_EXTERN ik_status ik_arc_sig_parse(ik_arena *a, ik_str field, int seal, unsigned flags,
                                     ik_arc_sig *out, ik_str *why);

/* ---- validation ---------------------------------------------------------- */

typedef struct ik_arc_verify_config {
    unsigned flags;          /* IK_DKIM_ALLOW_SHA1 */
    unsigned min_rsa_bits;   /* 0: 1024 (RFC 8301 3.2) */
    int64_t now;             /* for x=; 0: the real clock */
    ik_dkim_keycache *cache; /* borrowed; may be NULL */
} ik_arc_verify_config;

/* What one ARC set says, for policy (trusted sealers) and reports. */
typedef struct ik_arc_set_info {
    unsigned instance;
    ik_arc_cv seal_cv;      /* cv= as written in the AS */
    ik_str seal_domain;     /* AS d= */
    ik_str seal_selector;   /* AS s= */
    ik_str ams_domain;      /* AMS d= */
    ik_str ams_selector;    /* AMS s= */
    ik_str aar_authserv_id; /* the AAR's authserv-id */
    ik_str aar;             /* the AAR field value (raw, folded) */
    int ams_valid;          /* 1 validated, 0 failed, -1 not evaluated */
    int seal_valid;         /* 1, 0, -1 likewise */
} ik_arc_set_info;

typedef struct ik_arc_result {
    ik_arc_cv cv;
    const char *reason;          /* never NULL; "" for pass and none */
    unsigned n;                  /* highest instance seen (N); 0 for none */
    unsigned oldest_pass;        /* RFC 8617 5.2 step 5 (header.oldest-pass):
                                0 when every AMS validates */
    unsigned failed_instance;    /* the instance a fail is blamed on, or 0 */
    const ik_arc_set_info *sets; /* sets[k] is instance k+1; present when
                                    the structure was valid (step 3) */
    size_t nsets;
} ik_arc_result;

typedef struct ik_arc_verifier ik_arc_verifier;

/* New verifier in arena a; cfg may be NULL (defaults); copied. */
IK_EXTERN ik_arc_verifier *ik_arc_verify_new(ik_arena *a, const ik_arc_verify_config *cfg);
/* One raw header field ("Name: value", folded, final CRLF optional). */
IK_EXTERN ik_status ik_arc_verify_header(ik_arc_verifier *v, const char *field, size_t len);
/* End of headers: IK_EAGAIN with key queries, or IK_OK when none needed. */
IK_EXTERN ik_status ik_arc_verify_eoh(ik_arc_verifier *v, ik_dns_query **queries);
IK_EXTERN ik_status ik_arc_verify_body(ik_arc_verifier *v, const void *p, size_t len);
/* End of message: IK_EAGAIN with unanswered queries, or IK_OK. */
IK_EXTERN ik_status ik_arc_verify_eom(ik_arc_verifier *v, ik_dns_query **queries);
/* The result after eom returned IK_OK; NULL before. */
IK_EXTERN const ik_arc_result *ik_arc_verify_result(const ik_arc_verifier *v);

/*
 * Trusted sealers (RFC 8617 7.2.1, local policy): when the chain passes,
 * the highest instance whose AS d= is one of trusted (ASCII caseless),
 * else 0.  Its AAR (sets[i-1].aar) is what that sealer saw on arrival.
 */
IK_EXTERN unsigned ik_arc_trusted_sealer(const ik_arc_result *r, const ik_str *trusted,
                                         size_t ntrusted);

/*
 * Appends "arc=<cv> (reason) header.oldest-pass=N smtp.remote-ip=IP" to
 * ar (RFC 8617 6 and 10.2).  remote_ip may be empty (then omitted);
 * oldest-pass only on pass.  IK_OK or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_arc_authres(ik_arena *a, const ik_arc_result *r, ik_str remote_ip,
                                   ik_ar *ar);

/* ---- sealing ------------------------------------------------------------- */

typedef struct ik_arc_seal_params {
    ik_dkim_alg alg; /* rsa-sha256 (RFC 8617) or ed25519-sha256 */
    ik_pkey *key;    /* borrowed private key matching alg */
    ik_str domain;   /* d= of AMS and AS */
    ik_str selector; /* s= of AMS and AS */
    /* Colon-separated header names for the AMS h=, in order; NULL: each
     * present instance of From, To, Cc, Subject, Date, Message-ID,
     * Reply-To, Sender, In-Reply-To, References, MIME-Version,
     * Content-Type, Content-Transfer-Encoding, DKIM-Signature.  Names of
     * ARC fields and Authentication-Results are refused (RFC 8617 4.1.2). */
    const char *headers;
    /* The AAR payload: our authserv-id and results, as ik_ar_merge or
     * ik_ar_format(..., NULL, ...) give it (RFC 8617 4.1.1). */
    ik_str authres;
    ik_arc_cv cv;      /* the chain status our validation found */
    int64_t timestamp; /* t=; -1: the real clock */
} ik_arc_seal_params;

typedef struct ik_arc_sealer ik_arc_sealer;

/* Params are copied (not the key or the strings). NULL on OOM. */
IK_EXTERN ik_arc_sealer *ik_arc_seal_new(ik_arena *a, const ik_arc_seal_params *p);
IK_EXTERN ik_status ik_arc_seal_header(ik_arc_sealer *s, const char *field, size_t len);
/* IK_EINVAL for a bad parameter or header list; IK_ELIMIT when instance
 * 50 is already used; IK_EINVAL when cv is not fail and the existing sets
 * are not a complete chain.  Errors of every sealer call are sticky: once
 * one failed, the later ones return its status and ik_arc_seal_fields
 * returns 0. */
IK_EXTERN ik_status ik_arc_seal_eoh(ik_arc_sealer *s);
IK_EXTERN ik_status ik_arc_seal_body(ik_arc_sealer *s, const void *p, size_t len);
IK_EXTERN ik_status ik_arc_seal_eom(ik_arc_sealer *s);

/*
 * After eom: the three new fields, each "Name: value" folded, no final
 * CRLF, in the order to prepend them top to bottom: out[0] ARC-Seal,
 * out[1] ARC-Message-Signature, out[2] ARC-Authentication-Results.
 * Returns the new instance, or 0 when no set is added (the chain already
 * failed, RFC 8617 5.1 step 2); out is then empty views.
 */
IK_EXTERN unsigned ik_arc_seal_fields(const ik_arc_sealer *s, ik_str out[3]);

#endif
