/*
 * inkan/dkim.h - DKIM signatures: verify and sign (RFC 6376), with the
 * algorithm policy of RFC 8301 and Ed25519 of RFC 8463.
 *
 * Milter-shaped and streaming, like OpenDKIM's dkim_header / dkim_eoh /
 * dkim_body / dkim_eom: the caller feeds raw header fields one by one, then
 * body chunks split anywhere (even between CR and LF), and the body is
 * never held whole.  One pass computes every body hash the signatures need
 * (one per distinct canonicalization x hash x l=).
 *
 * Sans-I/O: at end of headers the verifier returns IK_EAGAIN with one
 * ik_dns_query per distinct key name (all signatures at once), so the
 * answers can arrive while the body streams.  The driver sets each
 * query->answer at any time before end of message; ik_dkim_verify_eom()
 * returns IK_EAGAIN with the still unanswered queries if any remain.
 *
 * Wire data always travels as (pointer, length); nothing here assumes a
 * NUL.  A header field is passed raw, as it appeared: "Name: value" with its
 * folding, with or without the final CRLF.  Body bytes are passed as they
 * are on the wire (CRLF line ends; a driver that reads LF-only files
 * converts them first, as an MTA does).
 *
 * Ownership: every object and string returned comes from the arena given
 * to the constructor ("arena") unless a function says otherwise; key caches
 * are "caller frees".  Keys passed to the signer are borrowed.
 * Threads: verifier and signer objects belong to one thread at a time; a
 * key cache may be shared by any number of threads (it locks internally).
 * Limits: the IK_DKIM_MAX_* values below, each with its reason.
 */
#ifndef INKAN_DKIM_H
#define INKAN_DKIM_H

#include "arena.h"
#include "buf.h"
#include "common.h"
#include "crypto.h"
#include "dns.h"

/* Signatures evaluated per message (RFC 6376 6.1 lets verifiers limit the
 * work; later signatures get IK_DKIM_POLICY "not evaluated"). */
#define IK_DKIM_MAX_SIGS 8
/* Header fields kept for h= selection; more make the message a permerror
 * for every signature rather than an unbounded cost. */
#define IK_DKIM_MAX_HEADERS 1000
/* Bytes of one header field the verifier accepts (RFC 5322 2.1.1 allows
 * 998-octet lines but fields fold; this bounds a hostile field). */
#define IK_DKIM_MAX_FIELD 65536
/* Entries in h= (RFC 6376 3.5 sets no bound; over-signing lists are rarely
 * past 40). */
#define IK_DKIM_MAX_H 128
/* Tags in a DKIM-Signature or a key record (RFC 6376 3.2 sets no bound). */
#define IK_DKIM_MAX_TAGS 32
/* TXT records considered at one key name (RFC 6376 3.6.2.2). */
#define IK_DKIM_MAX_KEY_RECORDS 8
/* Digits of l=, t=, x=: RFC 6376 3.5 allows 76 and 12; values above
 * 2^64-1 are treated as "larger than anything". */
#define IK_DKIM_MAX_DIGITS 76

typedef enum ik_dkim_result {
    IK_DKIM_NONE = 0, /* no signature (only as an overall result) */
    IK_DKIM_PASS,
    IK_DKIM_FAIL, /* signature or body hash did not verify */
    IK_DKIM_NEUTRAL,
    IK_DKIM_POLICY,    /* acceptable syntax, refused by local policy */
    IK_DKIM_TEMPERROR, /* key lookup failed temporarily */
    IK_DKIM_PERMERROR  /* broken signature or key, unusable */
} ik_dkim_result;

/* "none", "pass", ... (RFC 8601 2.7.1 result names). */
IK_EXTERN const char *ik_dkim_result_name(ik_dkim_result r);

typedef enum ik_dkim_canon { IK_DKIM_CANON_SIMPLE = 0, IK_DKIM_CANON_RELAXED = 1 } ik_dkim_canon;

typedef enum ik_dkim_alg {
    IK_DKIM_ALG_RSA_SHA1 = 0,
    IK_DKIM_ALG_RSA_SHA256 = 1,
    IK_DKIM_ALG_ED25519_SHA256 = 2
} ik_dkim_alg;

/* "rsa-sha256" and so on. */
IK_EXTERN const char *ik_dkim_alg_name(ik_dkim_alg alg);
IK_EXTERN ik_hash_alg ik_dkim_alg_hash(ik_dkim_alg alg);
IK_EXTERN ik_key_type ik_dkim_alg_key(ik_dkim_alg alg);

/* ---- canonicalization (RFC 6376 3.4) ----------------------------------- */

/*
 * Appends the canonical form of one raw header field ("Name: value", folded
 * or not, final CRLF optional) followed by CRLF (RFC 6376 3.4.1 simple,
 * 3.4.2 relaxed).  Errors are the buffer's (sticky).
 */
IK_EXTERN ik_status ik_dkim_canon_header(ik_dkim_canon c, ik_str field, ik_buf *out);

/*
 * Streaming body canonicalizer (RFC 6376 3.4.3 simple, 3.4.4 relaxed).
 * Its output goes to "taps": hashes (or, for tests, buffers), each counting
 * at most limit octets (l=, RFC 6376 3.5); UINT64_MAX means no limit.
 * Trailing empty lines are held back until content follows them, so input
 * may be split at any byte.
 */
typedef struct ik_dkim_body ik_dkim_body;

#define IK_DKIM_NO_LIMIT UINT64_MAX

IK_EXTERN ik_dkim_body *ik_dkim_body_new(ik_arena *a, ik_dkim_canon c);
/* Adds a hash tap; *tap receives its index.  IK_ESTATE after update. */
IK_EXTERN ik_status ik_dkim_body_add_hash(ik_dkim_body *b, ik_hash_alg alg, uint64_t limit,
                                          size_t *tap);
/* Adds a tap that appends to out (borrowed; must outlive b). */
IK_EXTERN ik_status ik_dkim_body_add_buf(ik_dkim_body *b, ik_buf *out, uint64_t limit, size_t *tap);
IK_EXTERN ik_status ik_dkim_body_update(ik_dkim_body *b, const void *p, size_t len);
/* Ends the body (adds the final CRLF rules); later updates are IK_ESTATE. */
IK_EXTERN ik_status ik_dkim_body_final(ik_dkim_body *b);
/* Digest of a hash tap after final. */
IK_EXTERN ik_status ik_dkim_body_digest(const ik_dkim_body *b, size_t tap,
                                        unsigned char out[IK_HASH_MAX_SIZE]);
/* Canonical body length so far (all of it, whatever the limits). */
IK_EXTERN uint64_t ik_dkim_body_length(const ik_dkim_body *b);

/* ---- DKIM-Signature (RFC 6376 3.5) ------------------------------------ */

enum {
    /*
     * Legacy switch: accept what pre-RFC 6376 signers produced and RFC 8301
     * forbids: rsa-sha1, RSA keys from 512 bits, v= absent or "0.5",
     * q=dns; and apply the key record's g= (RFC 4871 3.6.1).
     */
    IK_DKIM_LEGACY = 1 << 0,
    /* Only rsa-sha1 (RFC 8301 3.1), without the rest of IK_DKIM_LEGACY. */
    IK_DKIM_ALLOW_SHA1 = 1 << 1
};

typedef struct ik_dkim_sig {
    ik_str field; /* the raw field as given */
    ik_dkim_alg alg;
    ik_dkim_canon hcanon, bcanon;
    ik_str domain;      /* d=, as written */
    ik_str selector;    /* s= */
    ik_str auid;        /* i= decoded (dkim-quoted-printable), or "@" d= */
    ik_str auid_domain; /* the part of auid after the last "@" */
    ik_str *h;          /* h= names, trimmed */
    size_t nh;
    ik_str b;      /* decoded signature */
    ik_str b_text; /* b= without whitespace (for header.b) */
    ik_str bh;     /* decoded body hash */
    int has_l, has_t, has_x;
    uint64_t l; /* UINT64_MAX when l= overflowed */
    uint64_t t, x;
    ik_str z;              /* z= raw, not interpreted */
    size_t b_start, b_end; /* in field: the b= value with its FWS, deleted
                              for hashing (RFC 6376 3.7) */
    int version_legacy;    /* v= absent or 0.5 (accepted only with LEGACY) */
} ik_dkim_sig;

/*
 * Parses a DKIM-Signature field (the whole raw field, name included).
 * Checks every tag's syntax and the RFC 6376 6.1.1 rules that need no
 * clock or DNS: required tags, v=, a=, c=, q=, d= and s= syntax, i= within
 * d=, h= contains From, x= >= t=.  Returns IK_OK, IK_ESYNTAX (why names the
 * tag), IK_ELIMIT or IK_ENOMEM.  Arena memory; why may be NULL.
 */
IK_EXTERN ik_status ik_dkim_sig_parse(ik_arena *a, ik_str field, unsigned flags, ik_dkim_sig *out,
                                      ik_str *why);

/* ---- key records (RFC 6376 3.6.1, RFC 8463 4) -------------------------- */

enum {
    IK_DKIM_KEY_TESTING = 1 << 0, /* t=y */
    IK_DKIM_KEY_STRICT = 1 << 1   /* t=s: i= domain must equal d= */
};

typedef struct ik_dkim_key {
    ik_key_type type; /* k= (default rsa) */
    unsigned hashes;  /* bit (1 << ik_hash_alg) per h= entry; all if absent */
    unsigned flags;   /* IK_DKIM_KEY_* */
    int revoked;      /* p= empty (RFC 6376 3.6.1) */
    int has_g;
    ik_str g;      /* g= (RFC 4871 granularity), used in legacy mode */
    ik_str p;      /* p= without whitespace */
    ik_pkey *pkey; /* held by the arena; NULL when revoked */
} ik_dkim_key;

/*
 * Parses one key record (TXT strings joined).  With decoded non-NULL the
 * p= data is not decoded again and a reference to decoded is taken (the
 * key cache path).  Refuses what makes the key unusable for mail
 * signatures: v= not first or not "DKIM1", unknown k=, s= without "email"
 * or "*", bad p=.  IK_OK, IK_ESYNTAX (why set), IK_ENOMEM.
 */
IK_EXTERN ik_status ik_dkim_key_parse(ik_arena *a, ik_str record, ik_pkey *decoded,
                                      ik_dkim_key *out, ik_str *why);

/* ---- decoded key cache -------------------------------------------------- */

/*
 * Decoding an RSA key costs far more than verifying with it, so decoded
 * keys are kept by key name ("selector._domainkey.domain") for their TTL.
 * Shared by threads (internal mutex).  Caller frees.
 */
typedef struct ik_dkim_keycache ik_dkim_keycache;

typedef struct ik_dkim_keyrec {
    ik_str text;   /* the record's TXT strings, joined */
    ik_pkey *pkey; /* decoded p=, or NULL */
    /*
     * The record as ik_dkim_key_parse left it, when parsed is set: status
     * is its result (IK_OK or IK_ESYNTAX), key its output when IK_OK
     * (key.pkey == pkey), why its reason otherwise.  The cache keeps all of
     * it, so a record it hands out is neither decoded nor parsed again.
     * With parsed unset (zero) the verifiers parse text where they use it.
     */
    int parsed;
    ik_status status;
    ik_dkim_key key;
    ik_str why;
} ik_dkim_keyrec;

IK_EXTERN ik_dkim_keycache *ik_dkim_keycache_new(const ik_allocator *al, size_t max_entries);
IK_EXTERN ik_dkim_keycache *ik_dkim_keycache_free(ik_dkim_keycache *c);
/*
 * Looks name up at time now.  On a hit, copies the records (texts, parsed
 * keys and reasons) into arena a (pkey references handed to a) and returns
 * IK_OK; IK_ENOTFOUND otherwise.
 */
IK_EXTERN ik_status ik_dkim_keycache_get(ik_dkim_keycache *c, ik_str name, int64_t now, ik_arena *a,
                                         ik_dkim_keyrec **recs, size_t *n);
/* Stores (a copy of) the records until expires, replacing any entry. */
IK_EXTERN ik_status ik_dkim_keycache_put(ik_dkim_keycache *c, ik_str name, int64_t expires,
                                         const ik_dkim_keyrec *recs, size_t n);
IK_EXTERN size_t ik_dkim_keycache_count(ik_dkim_keycache *c);

/* ---- verifier ----------------------------------------------------------- */

typedef struct ik_dkim_verify_config {
    unsigned flags;          /* IK_DKIM_LEGACY, IK_DKIM_ALLOW_SHA1 */
    unsigned min_rsa_bits;   /* 0: 1024 (RFC 8301 3.2); 512 in legacy mode */
    unsigned max_signatures; /* 0: IK_DKIM_MAX_SIGS */
    int64_t now;             /* seconds since the epoch; 0: the real clock */
    uint32_t clock_skew;     /* seconds allowed for t= ahead and x= behind */
    ik_dkim_keycache *cache; /* borrowed; may be NULL */
} ik_dkim_verify_config;

typedef struct ik_dkim_sigresult {
    ik_dkim_result result;
    const char *reason; /* never NULL; "" for pass */
    /* RFC 8601 / RFC 6008 properties; empty views when not known. */
    ik_str header_d, header_i, header_s, header_a, header_b; /* b: 8 chars */
    const ik_dkim_sig *sig;                                  /* NULL when the field did not parse */
    unsigned key_bits;                                       /* 0 unless a key was used */
    int key_testing;                                         /* the key has t=y */
    /* l= was used and the body has content beyond it (RFC 6376 8.2):
     * a policy may distrust the unsigned remainder. */
    int body_truncated;
    uint64_t body_length; /* canonical body length under its c= */
} ik_dkim_sigresult;

typedef struct ik_dkim_verifier ik_dkim_verifier;

/* New verifier in arena a; cfg may be NULL (defaults); it is copied. */
IK_EXTERN ik_dkim_verifier *ik_dkim_verify_new(ik_arena *a, const ik_dkim_verify_config *cfg);
/* One raw header field, in message order. */
IK_EXTERN ik_status ik_dkim_verify_header(ik_dkim_verifier *v, const char *field, size_t len);
/*
 * End of headers: parses every DKIM-Signature, computes header hashes and
 * returns IK_EAGAIN with the key queries in *queries (body may be fed
 * before they are answered), or IK_OK when nothing needs DNS.
 */
IK_EXTERN ik_status ik_dkim_verify_eoh(ik_dkim_verifier *v, ik_dns_query **queries);
IK_EXTERN ik_status ik_dkim_verify_body(ik_dkim_verifier *v, const void *p, size_t len);
/*
 * End of message: IK_EAGAIN with the unanswered queries, or IK_OK with
 * every signature's result available.  May be called again after answers.
 */
IK_EXTERN ik_status ik_dkim_verify_eom(ik_dkim_verifier *v, ik_dns_query **queries);
/* Number of DKIM-Signature fields seen (all of them, evaluated or not). */
IK_EXTERN size_t ik_dkim_verify_count(const ik_dkim_verifier *v);
/* Result i (top-most field first), after eom returned IK_OK; NULL if out
 * of range. */
IK_EXTERN const ik_dkim_sigresult *ik_dkim_verify_get(const ik_dkim_verifier *v, size_t i);
/* Best result over all signatures: pass > fail > temperror > permerror >
 * policy > neutral; none when unsigned. */
IK_EXTERN ik_dkim_result ik_dkim_verify_overall(const ik_dkim_verifier *v);

/* ---- signer ------------------------------------------------------------- */

typedef struct ik_dkim_sign_params {
    ik_dkim_alg alg; /* rsa-sha256 or ed25519-sha256 */
    ik_pkey *key;    /* borrowed private key matching alg */
    ik_str domain;   /* d= */
    ik_str selector; /* s= */
    ik_str identity; /* i=; empty: omitted */
    ik_dkim_canon hcanon, bcanon;
    /* Colon-separated header names, signed in this order, repeats allowed
     * for over-signing.  NULL: the default list (see ik_dkim_sign_params_init). */
    const char *headers;
    int64_t timestamp;     /* t=; -1: the real clock */
    uint64_t expire_after; /* x= t + this; 0: no x= */
    int body_length;       /* add l= (never by default: RFC 6376 8.2) */
    int query_tag;         /* add q=dns/txt (optional; the default) */
} ik_dkim_sign_params;

/*
 * Defaults: rsa-sha256, relaxed/relaxed, t= now, no x=, no l=, and a header
 * list that signs each of From, To, Cc, Subject, Date, Message-ID,
 * Reply-To, Sender, In-Reply-To, References, MIME-Version, Content-Type,
 * Content-Transfer-Encoding once per occurrence plus once more (over-signing,
 * so none can be added later), and List-* and Resent-* fields that are
 * present.
 */
IK_EXTERN void ik_dkim_sign_params_init(ik_dkim_sign_params *p);

typedef struct ik_dkim_signer ik_dkim_signer;

IK_EXTERN ik_dkim_signer *ik_dkim_sign_new(ik_arena *a);
/* Adds one signature to make (several share one pass over the message).
 * Params are copied (not the key).  IK_EINVAL for a bad combination. */
IK_EXTERN ik_status ik_dkim_sign_add(ik_dkim_signer *s, const ik_dkim_sign_params *p);
IK_EXTERN ik_status ik_dkim_sign_header(ik_dkim_signer *s, const char *field, size_t len);
IK_EXTERN ik_status ik_dkim_sign_eoh(ik_dkim_signer *s);
IK_EXTERN ik_status ik_dkim_sign_body(ik_dkim_signer *s, const void *p, size_t len);
IK_EXTERN ik_status ik_dkim_sign_eom(ik_dkim_signer *s);
/*
 * Signature i as a complete header field "DKIM-Signature: ..." folded at
 * 78 columns, without the final CRLF, in the order added.  Prepend them
 * all to the message.  IK_STR_NULL before eom.
 */
IK_EXTERN ik_str ik_dkim_sign_field(const ik_dkim_signer *s, size_t i);

#endif
