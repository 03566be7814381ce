/*
 * dkim_shared.h - the few DKIM internals that sibling modules may use.
 *
 * ARC (src/lib/arc) signs and verifies with DKIM's canonicalization and
 * header selection (RFC 8617 4.1.2, 4.1.3 import RFC 6376 3.4, 3.7 and
 * 5.4.2), so it uses these instead of copying them; DomainKeys
 * (src/lib/domainkeys) shares the header field, line-end and domain helpers.  Nothing else from
 * dkim_int.h is visible outside src/lib/dkim; keep this list short and
 * stable, since DKIM2 will replace ARC and others tune DKIM for speed.
 */
#ifndef IK_DKIM_SHARED_H
#define IK_DKIM_SHARED_H

#include "inkan/dkim.h"

/* A header field as kept by the verifier and the signer. */
typedef struct ik__dkim_hdr {
    ik_str raw;  /* whole field without the final CRLF (arena copy) */
    ik_str name; /* view into raw: before ':', trailing WSP removed */
} ik__dkim_hdr;

/* Splits raw into name; IK_ESYNTAX without a ':' or with an empty name. */
ik_status ik__dkim_hdr_init(ik__dkim_hdr *h, ik_str raw);

/*
 * Appends a field to the list (*arr, *n, *cap), growing it in the arena:
 * raw (without its final line end) is copied there.  IK_ESYNTAX when raw
 * is not a field (then nothing is added), IK_ENOMEM.  Callers bound *n.
 */
ik_status ik__dkim_hdr_push(ik_arena *a, ik__dkim_hdr **arr, size_t *n, size_t *cap, ik_str raw);

/* Strips one final CRLF (or LF) from a raw field. */
ik_str ik__dkim_strip_eol(ik_str field);

/*
 * Feeds the header hash (RFC 6376 3.7): the fields named in h=, each time
 * the bottom-most not yet used instance (absent ones contribute nothing),
 * then the signature field sigfield with [b_start, b_end) deleted and
 * without its final CRLF.  used is scratch of nhdrs bytes.
 */
ik_status ik__dkim_hash_headers(ik_hash *h, ik_dkim_canon c, const ik__dkim_hdr *hdrs, size_t nhdrs,
                                const ik_str *names, size_t nnames, ik_str sigfield, size_t b_start,
                                size_t b_end, unsigned char *used, ik_buf *scratch);

/*
 * Parses and decodes the key record r->text into r (parsed, status, key,
 * why; pkey is the decoded key or NULL), as the key cache keeps it.
 * Returns IK_ENOMEM or IK_OK; a bad record is r->status.
 */
ik_status ik__dkim_keyrec_parse(ik_arena *a, ik_dkim_keyrec *r);

/*
 * The parsed key of r: r->key when r is parsed, else r->text parsed now
 * (with r->pkey as the decoded key).  Returns what ik_dkim_key_parse would.
 */
ik_status ik__dkim_keyrec_key(ik_arena *a, const ik_dkim_keyrec *r, ik_dkim_key *key, ik_str *why);

/*
 * The body hashes one verifier needs (RFC 6376 3.7 step 2 / RFC 8617 5.2):
 * one canonicalizer per body canonicalization, one hash tap per distinct
 * (canonicalization, algorithm, l=), so a body is read once however many
 * signatures it carries.  taps is caller storage of cap entries.
 */
typedef struct ik__dkim_tap {
    int canon;
    ik_hash_alg alg;
    uint64_t limit;
    size_t tap;
} ik__dkim_tap;

typedef struct ik__dkim_bodyset {
    ik_dkim_body *body[2]; /* by ik_dkim_canon; NULL until needed */
    ik__dkim_tap *taps;
    size_t ntaps, cap;
} ik__dkim_bodyset;

/*
 * The tap for (canon, alg, limit), added if new; *tap indexes
 * body[canon].  IK_ELIMIT when cap taps exist, IK_ENOMEM.
 */
ik_status ik__dkim_bodyset_tap(ik__dkim_bodyset *b, ik_arena *a, int canon, ik_hash_alg alg,
                               uint64_t limit, size_t *tap);
/* Feeds body bytes to every canonicalizer in use. */
ik_status ik__dkim_bodyset_update(ik__dkim_bodyset *b, const void *p, size_t len);
/* Ends the body for every canonicalizer in use. */
ik_status ik__dkim_bodyset_final(ik__dkim_bodyset *b);

/*
 * The key records one verifier needs (RFC 6376 3.6.2, 6.1.2; RFC 8617
 * 5.2 uses the same lookup): one slot per distinct key name
 * selector._domainkey.domain, answered from the key cache when it can be,
 * else by one TXT query; the answer's records are parsed and decoded once,
 * and put in the cache, for every signature using the name.
 * keys is caller storage of cap slots; cache may be NULL.
 */
typedef struct ik__dkim_keyslot {
    ik_str name;          /* selector._domainkey.domain, lowercase */
    ik_dns_query *q;      /* NULL when the cache answered or the name is bad */
    ik_dkim_keyrec *recs; /* after resolution */
    size_t nrecs;
    int resolved;
    ik_dkim_result err; /* no records: IK_DKIM_TEMPERROR or IK_DKIM_PERMERROR */
    const char *why;    /* no records: why not */
} ik__dkim_keyslot;

typedef struct ik__dkim_keyset {
    ik__dkim_keyslot *keys;
    size_t nkeys, cap;
    ik_dkim_keycache *cache; /* borrowed; NULL = none */
    int64_t now;             /* for the cache */
} ik__dkim_keyset;

/*
 * The slot for (selector, domain), added if new; a new slot's query, if
 * one is needed, is pushed on *pending.  IK_ELIMIT when cap slots exist,
 * IK_ENOMEM.
 */
ik_status ik__dkim_keyset_find(ik__dkim_keyset *ks, ik_arena *a, ik_str selector, ik_str domain,
                               ik_dns_query **pending, ik__dkim_keyslot **out);
/* The queries of slots still waiting for an answer, chained by next. */
ik_dns_query *ik__dkim_keyset_unanswered(ik__dkim_keyset *ks);
/* Reads k's answer (once) into k->recs, or err and why; IK_ENOMEM. */
ik_status ik__dkim_keyset_resolve(ik__dkim_keyset *ks, ik_arena *a, ik__dkim_keyslot *k);

/* RFC 6376 3.5 d= / s= syntax (sub-domain labels). */
int ik__dkim_domain_ok(ik_str d, int allow_underscore);

#endif
