/*
 * inkan/verify.h - the whole inbound pipeline for one message: SPF, iprev,
 * Sender ID, DKIM, DomainKeys, ADSP, DMARC and ARC wired together, with
 * the Authentication-Results field (RFC 8601) that reports them.
 *
 * A composite sans-I/O engine in milter order, so the CLI, the daemon and
 * tests drive it the same way:
 *
 *   ik_verify_new          options (which methods, authserv-id, caches ...)
 *   ik_verify_connect      client IP and HELO (optional): iprev starts
 *   ik_verify_mail_from    MAIL FROM (optional): SPF starts
 *   ik_verify_header       each raw header field, top first
 *   ik_verify_eoh          end of headers: DKIM, DomainKeys and ARC key
 *                          queries, Sender ID, the DMARC policy (prefetch)
 *   ik_verify_body         body chunks, split anywhere, never held whole
 *   ik_verify_eom          end of message: ADSP and DMARC with the SPF
 *                          result, every DKIM result and the ARC chain
 *   ik_verify_resume       after answering questions
 *
 * DNS: every call that takes "ik_dns_query **queries" returns there the
 * questions not handed out before (NULL when none), merged from all engines
 * into one list and asked once each, whichever engines need the answer
 * (a DKIM key and the ARC key of the same selector are one question).  The
 * list objects belong to the verifier's arena; the driver sets
 * query->answer on each, in any order and at any time (answers are
 * read-only and may be shared), then calls ik_verify_resume.  Such calls
 * return IK_EAGAIN while any question handed out is still unanswered, and
 * IK_OK when none is; after eom, IK_OK means every result is ready
 * (ik_verify_done).  A blocking driver answers each list as it comes; an
 * asynchronous one submits each list and calls resume as answers arrive.
 * Statuses other than IK_OK and IK_EAGAIN are errors and sticky: IK_ENOMEM,
 * IK_ELIMIT (the header section is over the configured bound), IK_ESTATE
 * (calls out of order), IK_EINVAL.
 *
 * Which methods run: those in config.methods, and of them SPF only with a
 * client IP and MAIL FROM, iprev and Sender ID only with a client IP.
 * DMARC needs DKIM (and SPF, when the connection is given), so enabling
 * DMARC or ADSP runs the DKIM verifier too; the dkim results are then
 * reported whether or not IK_VERIFY_DKIM is set.
 *
 * Forgery protection (RFC 8601 5): ik_verify_forged lists the incoming
 * Authentication-Results fields that carry our authserv-id; the driver
 * removes them (the milter) or leaves them out (the CLI counts them).
 *
 * Ownership: the verifier and everything it returns live in the arena
 * given to ik_verify_new ("arena"); the configuration's strings, PSL,
 * trusted-sealer list and caches are borrowed and must outlive it.
 * Threads: a verifier belongs to one thread at a time; the caches and the
 * PSL may be shared by any number of verifiers on any threads.
 * Limits: IK_VERIFY_MAX_* below and those of each engine's header.
 */
#ifndef INKAN_VERIFY_H
#define INKAN_VERIFY_H

#include "adsp.h"
#include "arc.h"
#include "arena.h"
#include "authres.h"
#include "common.h"
#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "domainkeys.h"
#include "header.h"
#include "ip.h"
#include "iprev.h"
#include "senderid.h"
#include "spf.h"

/* Bytes of the header section kept for Sender ID, DMARC and A-R removal
 * (the same bound the CLI reader applies). */
#define IK_VERIFY_MAX_HEADER_BYTES (8u * 1024u * 1024u)
/* Header fields kept. */
#define IK_VERIFY_MAX_FIELDS 10000u

/* Methods (ik_verify_config.methods). */
enum {
    IK_VERIFY_SPF = 1u << 0,
    IK_VERIFY_IPREV = 1u << 1,
    IK_VERIFY_SENDERID = 1u << 2,
    IK_VERIFY_DKIM = 1u << 3,
    IK_VERIFY_DOMAINKEYS = 1u << 4,
    IK_VERIFY_ADSP = 1u << 5,
    IK_VERIFY_DMARC = 1u << 6,
    IK_VERIFY_ARC = 1u << 7
};
#define IK_VERIFY_ALL 0xffu
/* The current protocols; the Historic ones (Sender ID, DomainKeys, ADSP)
 * are left out, as the daemon's defaults do. */
#define IK_VERIFY_CURRENT                                                                          \
    (IK_VERIFY_SPF | IK_VERIFY_IPREV | IK_VERIFY_DKIM | IK_VERIFY_DMARC | IK_VERIFY_ARC)

/*
 * Parses a comma-separated list of method names ("spf,dkim,dmarc"; the
 * names are those of Authentication-Results: spf, iprev, sender-id, dkim,
 * domainkeys, dkim-adsp (or adsp), dmarc, arc; "all" for every one).
 * IK_OK with *out, or IK_ESYNTAX with *bad the first unknown name.
 */
IK_EXTERN ik_status ik_verify_methods_parse(ik_str list, unsigned *out, ik_str *bad);

typedef struct ik_verify_config {
    ik_str authserv_id; /* our A-R authserv-id (RFC 8601 2.5); required */
    unsigned methods;   /* IK_VERIFY_* */
    /* DMARC */
    ik_dmarc_spec dmarc_spec; /* RFC 9989 (default) or RFC 7489 */
    const ik_dmarc_psl *psl;  /* RFC 7489 mode: required (borrowed) */
    unsigned dmarc_flags;     /* IK_DMARC_OPT_* */
    long dmarc_sample;        /* RFC 7489 pct draw; < 0: random */
    /* ARC: sealers whose passing chain may override a DMARC failure
     * (RFC 8617 7.2.1); borrowed. */
    const ik_str *trusted_sealers;
    size_t ntrusted;
    /* DKIM */
    unsigned dkim_flags; /* IK_DKIM_LEGACY, IK_DKIM_ALLOW_SHA1 */
    uint32_t clock_skew; /* seconds for t= and x= (default 300) */
    /* DomainKeys: look up the sender's policy record (RFC 4870 3.6). */
    int dk_check_policy;
    /* SPF */
    ik_str receiver; /* %{r} for SPF explanations; empty: "unknown" */
    /* Clock: seconds since the epoch for every engine; 0: the real clock. */
    int64_t now;
    /* Caches (borrowed; NULL: none). */
    ik_spf_cache *spf_cache;
    ik_dkim_keycache *dkim_cache;
    size_t max_header_bytes;     /* 0: IK_VERIFY_MAX_HEADER_BYTES */
    ik_dmarc_cache *dmarc_cache; /* parsed DMARC policies (borrowed; NULL: none) */
} ik_verify_config;

/* Defaults: every method, RFC 9989, random pct draw, clock skew 300 s,
 * authserv-id "localhost" (set your host name). */
IK_EXTERN void ik_verify_config_init(ik_verify_config *c);

typedef struct ik_verify ik_verify;

/* New verifier in arena a; cfg is copied (its strings are borrowed).  NULL
 * on OOM or when cfg has no authserv-id or asks for RFC 7489 without a PSL. */
IK_EXTERN ik_verify *ik_verify_new(ik_arena *a, const ik_verify_config *cfg);

/*
 * The SMTP client (copied) and its HELO/EHLO name (borrowed; may be empty).
 * Starts iprev.  At most once, before any header.
 */
IK_EXTERN ik_status ik_verify_connect(ik_verify *v, const ik_ip *client, ik_str helo,
                                      ik_dns_query **queries);
/*
 * The MAIL FROM address (borrowed; empty = null reverse-path, then SPF
 * checks postmaster@HELO).  Starts SPF when a client IP is known.  At most
 * once, after connect and before any header.
 */
IK_EXTERN ik_status ik_verify_mail_from(ik_verify *v, ik_str mailfrom, ik_dns_query **queries);
/* One raw header field ("Name: value" with its folding; final CRLF
 * optional), top first.  Copied. */
IK_EXTERN ik_status ik_verify_header(ik_verify *v, const char *field, size_t len);
IK_EXTERN ik_status ik_verify_eoh(ik_verify *v, ik_dns_query **queries);
/* Body bytes as on the wire (CRLF line ends), split anywhere. */
IK_EXTERN ik_status ik_verify_body(ik_verify *v, const void *p, size_t len);
IK_EXTERN ik_status ik_verify_eom(ik_verify *v, ik_dns_query **queries);
/* After setting answers: absorbs them and runs every engine that can go on. */
IK_EXTERN ik_status ik_verify_resume(ik_verify *v, ik_dns_query **queries);
/* True once eom was called and every result is ready. */
IK_EXTERN int ik_verify_done(const ik_verify *v);

/* Blocking convenience for a whole message in memory (CRLF or LF line ends
 * as given; LF-only text is not converted): connect/mail_from when client
 * is non-NULL, then the rest, answering with r. */
IK_EXTERN ik_status ik_verify_message(ik_verify *v, const ik_ip *client, ik_str helo,
                                      const ik_str *mailfrom, const void *msg, size_t len,
                                      ik_resolver *r);

/* ---- results (valid once ik_verify_done) -------------------------------- */

/* Each returns NULL when the method did not run. */
IK_EXTERN const ik_spf_outcome *ik_verify_spf(const ik_verify *v);
/* The SPF inputs (for Received-SPF); NULL when SPF did not run. */
IK_EXTERN const ik_spf_params *ik_verify_spf_params(const ik_verify *v);
IK_EXTERN const ik_iprev *ik_verify_iprev(const ik_verify *v);
IK_EXTERN const ik_senderid_outcome *ik_verify_senderid(const ik_verify *v);
/* Use ik_dkim_verify_count / _get / _overall on it. */
IK_EXTERN const ik_dkim_verifier *ik_verify_dkim(const ik_verify *v);
IK_EXTERN const ik_dk_verifier *ik_verify_domainkeys(const ik_verify *v);
/* ADSP: when there is no single author domain the check is not asked and
 * the outcome says permerror with the reason. */
IK_EXTERN const ik_adsp_outcome *ik_verify_adsp(const ik_verify *v);
IK_EXTERN const ik_dmarc_outcome *ik_verify_dmarc(const ik_verify *v);
/* The inputs DMARC was given (SPF result, DKIM list, ARC override). */
IK_EXTERN const ik_dmarc_auth *ik_verify_dmarc_auth(const ik_verify *v);
IK_EXTERN const ik_arc_result *ik_verify_arc(const ik_verify *v);
/* The newest trusted sealer's instance on a passing chain, or 0. */
IK_EXTERN unsigned ik_verify_arc_trusted(const ik_verify *v);

/* Every result as an A-R structure (arena; our authserv-id), in the order
 * spf, sender-id, dkim (one per signature), domainkeys, dkim-adsp, dmarc,
 * arc, iprev. */
IK_EXTERN const ik_ar *ik_verify_ar(const ik_verify *v);
/* "Authentication-Results: ..." folded, no final CRLF (arena). */
IK_EXTERN ik_str ik_verify_authres(const ik_verify *v);
/* The payload alone (what follows the colon; for the ARC AAR). */
IK_EXTERN ik_str ik_verify_authres_payload(const ik_verify *v);

/* The header section as fed (after eoh; arena). */
IK_EXTERN const ik_hdr_field *ik_verify_fields(const ik_verify *v, size_t *n);
/* Indexes into ik_verify_fields of the incoming A-R fields that carry our
 * authserv-id (RFC 8601 5), ascending; NULL with *n 0 when none. */
IK_EXTERN const size_t *ik_verify_forged(const ik_verify *v, size_t *n);

/* DNS questions handed out so far (distinct), for statistics. */
IK_EXTERN size_t ik_verify_dns_questions(const ik_verify *v);

#endif
