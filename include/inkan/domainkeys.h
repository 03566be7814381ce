/*
 * inkan/domainkeys.h - DomainKeys (RFC 4870, Historic): verify and sign
 * DomainKey-Signature header fields, with "simple" and "nofws"
 * canonicalization, key records and the sender's "_domainkey" policy record.
 *
 * RFC sections: 3.3 (DomainKey-Signature tags a, b, c, d, h, q, s), 3.4
 * (canonicalization), 3.2 / 3.6 (key records k, p, g, t, n; policy record
 * o, t, r, n), 3.5 / 3.7 (signing and verifying), 3.2 (the signing address
 * is Sender if present, else From; d= must be its domain or a parent).
 * Only a partial text of RFC 4870 is at hand; where it is silent the
 * behaviour of Mail::DKIM (the reference the corpus was made with) is
 * followed, and each such place says so.
 *
 * Shape: the same milter order as dkim.h - raw header fields one by one,
 * end of headers, body chunks split anywhere (even between CR and LF), end
 * of message.  The body is never held whole.  Sans-I/O: at end of headers
 * the verifier returns IK_EAGAIN with the key queries; ik_dk_verify_eom()
 * returns IK_EAGAIN with whatever is still unanswered (and, when the policy
 * check is on and no first-party signature passed, the policy query).
 *
 * What is signed (RFC 4870 3.4, as Mail::DKIM reads it): only header fields
 * below the DomainKey-Signature.  Without h= all of them, in order; with h=
 * those whose names are listed, in h= order, a name listed once taking
 * every instance (in message order) and a name listed n times taking its
 * bottom-most instances one by one.  Then the empty line that ends the
 * header, then the body; trailing empty lines are not signed, and when the
 * body is only empty lines the separating line goes too.  One SHA-1 covers
 * it all (there is no separate body hash in DomainKeys).
 *
 * RSA with SHA-1 is inherent to DomainKeys; RFC 8301 applies to DKIM only.
 * Keys from 512 bits are accepted by default (RFC 4870 deployments used
 * them; the corpus has several); raise min_rsa_bits to refuse them.
 *
 * Ownership: everything returned is arena memory ("arena") from the arena
 * given to the constructor; keys passed to the signer are borrowed.
 * Threads: verifier and signer objects belong to one thread at a time; the
 * parsing functions have no state.
 * Limits: the IK_DK_MAX_* values below, each with its reason.
 */
#ifndef INKAN_DOMAINKEYS_H
#define INKAN_DOMAINKEYS_H

#include "arena.h"
#include "buf.h"
#include "common.h"
#include "crypto.h"
#include "dns.h"

/* DomainKey-Signature fields evaluated per message; later ones get
 * permerror "not evaluated" without any work. */
#define IK_DK_MAX_SIGS 8
/* Header fields kept for signing; past this every signature is permerror. */
#define IK_DK_MAX_HEADERS 1000
/* Bytes of one header field accepted (a hostile field is bounded). */
#define IK_DK_MAX_FIELD 65536
/* Entries in h=. */
#define IK_DK_MAX_H 128
/* Tags in a signature, key or policy record. */
#define IK_DK_MAX_TAGS 32
/* TXT records considered at one key or policy name. */
#define IK_DK_MAX_RECORDS 8

typedef enum ik_dk_result {
    IK_DK_NONE = 0, /* no DomainKey-Signature (overall result only) */
    IK_DK_PASS,
    IK_DK_FAIL,      /* the signature did not verify */
    IK_DK_NEUTRAL,   /* did not verify, but the key is in testing mode */
    IK_DK_TEMPERROR, /* key lookup failed temporarily */
    IK_DK_PERMERROR  /* broken signature or key, identity mismatch, no key */
} ik_dk_result;

/* "none", "pass", ... (RFC 8601 result names for method "domainkeys"). */
IK_EXTERN const char *ik_dk_result_name(ik_dk_result r);

typedef enum ik_dk_canon { IK_DK_CANON_SIMPLE = 0, IK_DK_CANON_NOFWS = 1 } ik_dk_canon;

/* "simple" / "nofws". */
IK_EXTERN const char *ik_dk_canon_name(ik_dk_canon c);

/* ---- canonicalization (RFC 4870 3.4.2) --------------------------------- */

/*
 * Appends the canonical form of one raw header field ("Name: value",
 * folded or not, final CRLF optional) and CRLF: simple keeps it as it is;
 * nofws deletes every SP, HTAB, CR and LF (which also unfolds it).
 * Errors are the buffer's (sticky).
 */
IK_EXTERN ik_status ik_dk_canon_header(ik_dk_canon c, ik_str field, ik_buf *out);

/*
 * Streaming body canonicalizer.  Its output starts with the empty line
 * that separates header and body (a line of the message like any other,
 * so it is held back with the trailing empty lines and dropped when the
 * body is empty).  Lines end in CRLF; a final line without one is left
 * so (as Mail::DKIM does; SMTP always ends a message with CRLF).
 * simple: lone CR and LF are content.  nofws: SP and HTAB are deleted,
 * lone CR and LF too, so a line of only whitespace is empty.  Output goes
 * to taps: hashes (borrowed, must outlive b) and buffers (for tests).
 */
typedef struct ik_dk_body ik_dk_body;

#define IK_DK_BODY_MAX_TAPS 16

IK_EXTERN ik_dk_body *ik_dk_body_new(ik_arena *a, ik_dk_canon c);
/* IK_ELIMIT past IK_DK_BODY_MAX_TAPS; IK_ESTATE after the first update. */
IK_EXTERN ik_status ik_dk_body_add_hash(ik_dk_body *b, ik_hash *h);
IK_EXTERN ik_status ik_dk_body_add_buf(ik_dk_body *b, ik_buf *out);
IK_EXTERN ik_status ik_dk_body_update(ik_dk_body *b, const void *p, size_t len);
/* Ends the body; later updates are IK_ESTATE. */
IK_EXTERN ik_status ik_dk_body_final(ik_dk_body *b);
/* Octets written to the taps so far. */
IK_EXTERN uint64_t ik_dk_body_length(const ik_dk_body *b);

/* ---- DomainKey-Signature (RFC 4870 3.3) ------------------------------- */

typedef struct ik_dk_sig {
    ik_str field;      /* the raw field as given */
    ik_dk_canon canon; /* c=; "simple" when absent (Mail::DKIM) */
    ik_str domain;     /* d=, as written */
    ik_str selector;   /* s= */
    int has_h;
    ik_str *h; /* h= names, trimmed */
    size_t nh;
    ik_str b;      /* decoded signature */
    ik_str b_text; /* b= without whitespace */
} ik_dk_sig;

/*
 * Parses a DomainKey-Signature field (name included, final CRLF optional).
 * a= absent or rsa-sha1; b=, d=, s= required; c= absent, simple or nofws;
 * q= absent or dns (absent is common in real mail and Mail::DKIM accepts
 * it; empty or other values are errors); h= non-empty names; unknown tags
 * are ignored.  Returns IK_OK, IK_ESYNTAX (why names the tag), IK_ELIMIT or
 * IK_ENOMEM.  Arena memory, views into field; why may be NULL.
 */
IK_EXTERN ik_status ik_dk_sig_parse(ik_arena *a, ik_str field, ik_dk_sig *out, ik_str *why);

/* ---- key records (RFC 4870 3.2.3) ------------------------------------- */

typedef struct ik_dk_key {
    int testing; /* t=y: failures must not be treated differently */
    int has_g;
    ik_str g;      /* g= granularity: local part, one "*" allowed */
    ik_str n;      /* n= notes */
    int revoked;   /* p= empty */
    ik_pkey *pkey; /* held by the arena; NULL when revoked */
} ik_dk_key;

/*
 * Parses one key record (TXT strings joined).  k= absent or rsa; p=
 * required (empty: revoked); t= flags (y: testing); g=, n= kept.  DKIM
 * tags that real DomainKeys records carry are checked as Mail::DKIM does:
 * v= absent or DKIM1, h= (if present) lists sha1, s= (if present) lists
 * email or *.  IK_OK, IK_ESYNTAX (why set), IK_ENOMEM.
 */
IK_EXTERN ik_status ik_dk_key_parse(ik_arena *a, ik_str record, ik_dk_key *out, ik_str *why);

/*
 * g= against a local part (RFC 4870 3.2.3): empty g= matches everything;
 * otherwise equal, with one "*" standing for any run of characters.
 */
IK_EXTERN int ik_dk_granularity_match(ik_str g, ik_str local);

/* ---- the sender's policy record "_domainkey.<domain>" (RFC 4870 3.6) --- */

typedef struct ik_dk_policy {
    int sign_all; /* o=-: every message is signed; o=~ (default): some */
    int testing;  /* t=y */
    ik_str r;     /* r= address for reports */
    ik_str n;     /* n= notes */
} ik_dk_policy;

/* Parses a policy record.  o= other than ~ or - is IK_ESYNTAX. */
IK_EXTERN ik_status ik_dk_policy_parse(ik_arena *a, ik_str record, ik_dk_policy *out, ik_str *why);

typedef enum ik_dk_policy_verdict {
    IK_DK_POLICY_UNCHECKED = 0, /* the policy check is off or not reached */
    IK_DK_POLICY_ACCEPT,        /* a first-party signature passed */
    IK_DK_POLICY_NEUTRAL,       /* o=~, no record, testing, or unusable record */
    IK_DK_POLICY_REJECT,        /* o=- without t=y and no first-party pass */
    IK_DK_POLICY_TEMPERROR      /* the policy lookup failed temporarily */
} ik_dk_policy_verdict;

IK_EXTERN const char *ik_dk_policy_verdict_name(ik_dk_policy_verdict v);

typedef struct ik_dk_policy_outcome {
    ik_dk_policy_verdict verdict;
    const char *reason;  /* never NULL */
    ik_str sender;       /* Sender address if present, else From; may be empty */
    ik_str domain;       /* its domain: the policy name is _domainkey.<domain> */
    int found;           /* a policy record was found and parsed */
    ik_dk_policy policy; /* valid when found */
    ik_str record;       /* the record text when found */
} ik_dk_policy_outcome;

/* ---- helpers ----------------------------------------------------------- */

/*
 * The first mailbox of an address-list header value (From, Sender):
 * comments, quoted display names and angle brackets are dealt with.
 * *addr is the addr-spec (arena), *local and *domain views into it.
 * IK_ENOTFOUND when no addr-spec with an "@" is there, or when it holds a
 * control character (NUL included).
 */
IK_EXTERN ik_status ik_dk_mailbox(ik_arena *a, ik_str value, ik_str *addr, ik_str *local,
                                  ik_str *domain);

/* ---- verifier ---------------------------------------------------------- */

typedef struct ik_dk_verify_config {
    unsigned max_signatures; /* 0: IK_DK_MAX_SIGS */
    unsigned min_rsa_bits;   /* 0: 512 */
    /* Look up the sender's policy record when no first-party signature
     * passes (unsigned messages: at end of headers already). */
    int check_policy;
} ik_dk_verify_config;

typedef struct ik_dk_sigresult {
    ik_dk_result result;
    const char *reason;          /* never NULL; "" for pass */
    ik_str domain;               /* d= (RFC 8601 header.d) */
    ik_str selector;             /* s= */
    ik_str identity;             /* the signing address (Sender or From) */
    const char *identity_header; /* "sender", "from" or "" */
    const ik_dk_sig *sig;        /* NULL when the field did not parse */
    unsigned key_bits;
    int key_testing; /* the key has t=y */
} ik_dk_sigresult;

typedef struct ik_dk_verifier ik_dk_verifier;

/* New verifier in arena a; cfg may be NULL (defaults) and is copied. */
IK_EXTERN ik_dk_verifier *ik_dk_verify_new(ik_arena *a, const ik_dk_verify_config *cfg);
/* One raw header field, in message order (final CRLF optional). */
IK_EXTERN ik_status ik_dk_verify_header(ik_dk_verifier *v, const char *field, size_t len);
/*
 * End of headers: parses every DomainKey-Signature, hashes the signed
 * header fields and returns IK_EAGAIN with the key queries in *queries (the
 * body may be fed before they are answered), or IK_OK if nothing needs DNS.
 */
IK_EXTERN ik_status ik_dk_verify_eoh(ik_dk_verifier *v, ik_dns_query **queries);
IK_EXTERN ik_status ik_dk_verify_body(ik_dk_verifier *v, const void *p, size_t len);
/*
 * End of message: IK_EAGAIN with unanswered queries, or IK_OK with every
 * result available.  Call again after answering.
 */
IK_EXTERN ik_status ik_dk_verify_eom(ik_dk_verifier *v, ik_dns_query **queries);
/* DomainKey-Signature fields seen. */
IK_EXTERN size_t ik_dk_verify_count(const ik_dk_verifier *v);
/* Result i (top-most field first) after eom returned IK_OK; NULL if out of range. */
IK_EXTERN const ik_dk_sigresult *ik_dk_verify_get(const ik_dk_verifier *v, size_t i);
/* Best over all signatures: pass > fail > neutral > temperror > permerror;
 * none when unsigned. */
IK_EXTERN ik_dk_result ik_dk_verify_overall(const ik_dk_verifier *v);
/* The policy evaluation (verdict UNCHECKED unless check_policy). */
IK_EXTERN const ik_dk_policy_outcome *ik_dk_verify_policy(const ik_dk_verifier *v);

/* ---- signer (RFC 4870 3.5) -------------------------------------------- */

typedef struct ik_dk_sign_params {
    ik_pkey *key;      /* borrowed RSA private key */
    ik_str domain;     /* d= */
    ik_str selector;   /* s= */
    ik_dk_canon canon; /* default nofws */
    /* Colon-separated names: sign only the fields with these names (all
     * their instances, in message order) and list them in h=.  NULL: no h=,
     * every field is signed (then nothing may be added below the signature
     * later without breaking it). */
    const char *headers;
} ik_dk_sign_params;

/* Defaults: nofws, no h=. */
IK_EXTERN void ik_dk_sign_params_init(ik_dk_sign_params *p);

typedef struct ik_dk_signer ik_dk_signer;

/* New signer; params are copied (not the key).  NULL on OOM. */
IK_EXTERN ik_dk_signer *ik_dk_sign_new(ik_arena *a, const ik_dk_sign_params *p);
/* Fields of the message as it will be sent, the signature going on top. */
IK_EXTERN ik_status ik_dk_sign_header(ik_dk_signer *s, const char *field, size_t len);
/*
 * End of headers.  IK_EINVAL (see ik_dk_sign_error) when the signed fields
 * hold no From or Sender, or d= is neither the signing address's domain nor
 * a parent of it: such a signature could never verify.
 */
IK_EXTERN ik_status ik_dk_sign_eoh(ik_dk_signer *s);
IK_EXTERN ik_status ik_dk_sign_body(ik_dk_signer *s, const void *p, size_t len);
IK_EXTERN ik_status ik_dk_sign_eom(ik_dk_signer *s);
/* "DomainKey-Signature: ..." folded at 78 columns, no final CRLF; to be
 * prepended to the message.  IK_STR_NULL before eom. */
IK_EXTERN ik_str ik_dk_sign_field(const ik_dk_signer *s);
/* Why the last call failed; "" if it did not. */
IK_EXTERN const char *ik_dk_sign_error(const ik_dk_signer *s);

#endif
