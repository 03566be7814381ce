/*
 * inkan/adsp.h - DKIM Author Domain Signing Practices (RFC 5617, Historic).
 *
 * Given the author domain (of the From address) and the domains of the DKIM
 * signatures that verified, produce the RFC 5617 5.4 result:
 *
 *   pass       a valid Author Domain Signature exists (no DNS needed: such
 *              a signature satisfies any practice, 5.4 "pass");
 *   nxdomain   the author domain does not exist, or has no MX, A or AAAA
 *              record (4.3 "Check Domain Scope");
 *   none       no ADSP record is published;
 *   unknown    dkim=unknown (or any unrecognised value, 4.2.1);
 *   fail       dkim=all;
 *   discard    dkim=discardable;
 *   temperror  a lookup failed temporarily (SERVFAIL, timeout);
 *   permerror  more than one valid ADSP record (4.3: "undefined"), a lookup
 *              failed permanently, or the author domain is not a DNS name.
 *
 * Lookups (4.3): the scope check asks MX at the author domain together with
 * TXT at "_adsp._domainkey.<domain>" (the RFC allows them in parallel);
 * NXDOMAIN ends it.  Only when MX gives NODATA are A and AAAA asked (the
 * RFC 5321 5 implicit MX), and "no MX, A or AAAA" is out of scope too.
 * Records that are not valid ADSP records are ignored as NODATA (4.1).
 *
 * Sans-I/O: ik_adsp_eval() returns IK_EAGAIN with a list of queries; the
 * driver sets every query->answer and calls it again until IK_OK.
 *
 * Ownership: the check object and everything it returns is arena memory;
 * the inputs are copied.  Threads: one check per thread at a time;
 * ik_adsp_record_parse has no state.
 * Limits: IK_ADSP_MAX_RECORDS TXT records considered, IK_ADSP_MAX_TAGS tags.
 */
#ifndef INKAN_ADSP_H
#define INKAN_ADSP_H

#include "arena.h"
#include "common.h"
#include "dns.h"

#define IK_ADSP_MAX_RECORDS 8
#define IK_ADSP_MAX_TAGS 32

typedef enum ik_adsp_result {
    IK_ADSP_NONE = 0,
    IK_ADSP_PASS,
    IK_ADSP_UNKNOWN,
    IK_ADSP_FAIL,
    IK_ADSP_DISCARD,
    IK_ADSP_NXDOMAIN,
    IK_ADSP_TEMPERROR,
    IK_ADSP_PERMERROR
} ik_adsp_result;

/* RFC 5617 5.4 names: "none", "pass", "unknown", ... */
IK_EXTERN const char *ik_adsp_result_name(ik_adsp_result r);

typedef enum ik_adsp_practice {
    IK_ADSP_PRACTICE_UNKNOWN = 0, /* also any unrecognised value */
    IK_ADSP_PRACTICE_ALL,
    IK_ADSP_PRACTICE_DISCARDABLE
} ik_adsp_practice;

IK_EXTERN const char *ik_adsp_practice_name(ik_adsp_practice p);

/*
 * Parses one ADSP record (TXT strings joined; 4.2.1): a tag-list with WSP
 * (not FWS) that starts with lowercase "dkim", optional WSP and "=", whose
 * dkim= value is a hyphenated-word.  Unknown tags are ignored.  IK_OK with
 * *out set, IK_ESYNTAX (why says what is wrong), IK_ENOMEM.  why may be NULL.
 */
IK_EXTERN ik_status ik_adsp_record_parse(ik_arena *a, ik_str record, ik_adsp_practice *out,
                                         ik_str *why);

typedef struct ik_adsp_outcome {
    ik_adsp_result result;
    const char *reason;        /* never NULL */
    ik_str domain;             /* the author domain, lowercase */
    int has_record;            /* a valid ADSP record was found */
    ik_adsp_practice practice; /* valid when has_record */
    ik_str record;             /* its text */
} ik_adsp_outcome;

typedef struct ik_adsp ik_adsp;

/*
 * New check in arena a for author_domain (one trailing dot allowed), given
 * the d= domains of the DKIM signatures that passed (npass may be 0).
 * NULL on OOM.
 */
IK_EXTERN ik_adsp *ik_adsp_new(ik_arena *a, ik_str author_domain, const ik_str *pass_domains,
                               size_t npass);

/*
 * Runs the check.  IK_EAGAIN: *queries lists the questions to answer
 * before calling again.  IK_OK: the outcome is ready.  IK_ENOMEM.
 */
IK_EXTERN ik_status ik_adsp_eval(ik_adsp *c, ik_dns_query **queries);

/* The outcome once ik_adsp_eval returned IK_OK (NULL before). */
IK_EXTERN const ik_adsp_outcome *ik_adsp_get(const ik_adsp *c);

#endif
