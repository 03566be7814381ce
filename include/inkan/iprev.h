/*
 * inkan/iprev.h - "iprev", forward-confirmed reverse DNS of the SMTP
 * client (RFC 8601 3 and 2.7.3), as a sans-I/O engine.
 *
 * If the client's address is I, the PTR names of I are N and the addresses
 * of the names in N are L, the test passes when I is in L.  Only the
 * address family of I is asked for (A for IPv4, AAAA for IPv6; an
 * IPv4-mapped IPv6 address is treated as IPv4): the other family can never
 * contain I.  At most max_names PTR names are looked up (RFC 8601 3
 * requires a bound and cites RFC 7208 4.6.4's 10), in answer order.
 *
 * Results (RFC 8601 2.7.3):
 *   pass       some name maps back to I;
 *   fail       every forward lookup completed and none maps back to I
 *              (NXDOMAIN and NODATA included), or no PTR name was usable;
 *   temperror  the PTR lookup failed temporarily, or no name matched and
 *              at least one forward lookup failed temporarily;
 *   permerror  no PTR data (NXDOMAIN, NODATA), or the PTR lookup was
 *              refused.
 * The Authentication-Results property is policy.iprev=<I> (RFC 8601
 * 2.7.3); ik_iprev_authres adds it, with the confirmed name as comment.
 *
 * Driving: call ik_iprev_eval; IK_EAGAIN hands out queries (arena memory)
 * to answer; answer every one and call again until IK_OK.
 * Ownership: everything in the arena given to ik_iprev_new.
 * Threads: an engine belongs to one thread at a time; no global state.
 */
#ifndef INKAN_IPREV_H
#define INKAN_IPREV_H

#include "arena.h"
#include "authres.h"
#include "common.h"
#include "dns.h"
#include "ip.h"

/* PTR names looked up (RFC 8601 3, following RFC 7208 4.6.4). */
#define IK_IPREV_MAX_NAMES 10

typedef enum ik_iprev_result {
    IK_IPREV_PENDING = 0, /* not evaluated yet */
    IK_IPREV_PASS,
    IK_IPREV_FAIL,
    IK_IPREV_TEMPERROR,
    IK_IPREV_PERMERROR
} ik_iprev_result;

/* "pass", "fail", "temperror", "permerror" ("none" while pending). */
IK_EXTERN const char *ik_iprev_result_name(ik_iprev_result r);

typedef struct ik_iprev ik_iprev;

/*
 * New engine for client (copied).  max_names 0 means IK_IPREV_MAX_NAMES.
 * NULL on OOM or when client is not an address.
 */
IK_EXTERN ik_iprev *ik_iprev_new(ik_arena *a, const ik_ip *client, unsigned max_names);

/*
 * Runs as far as the answers allow.  IK_EAGAIN with *queries the list of
 * questions to answer (every query->answer must be set before the next
 * call); IK_OK when the result is known; IK_ENOMEM.
 */
IK_EXTERN ik_status ik_iprev_eval(ik_iprev *e, ik_dns_query **queries);

IK_EXTERN ik_iprev_result ik_iprev_get_result(const ik_iprev *e);
/* Why, for the A-R comment; never NULL. */
IK_EXTERN const char *ik_iprev_reason(const ik_iprev *e);
/* The PTR name that mapped back (pass only), else empty. */
IK_EXTERN ik_str ik_iprev_name(const ik_iprev *e);

/*
 * Appends "iprev=<result> (<name or reason>) policy.iprev=<I>" to ar
 * (RFC 8601 2.7.3).  IK_ESTATE before the result is known; IK_ENOMEM.
 */
IK_EXTERN ik_status ik_iprev_authres(ik_arena *a, const ik_iprev *e, ik_ar *ar);

#endif
