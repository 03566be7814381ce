/*
 * inkan/resolver_unbound.h - the live resolver: an ik_resolver on libunbound
 * (caching, asynchronous, DNSSEC-validating).
 *
 * Three modes: forward every query to one server ("IP[@PORT]"), forward to
 * the servers of /etc/resolv.conf (the default), or recurse from the root
 * with DNSSEC validation against the dns-root-data trust anchor.
 *
 * All members of ik_resolver_ops are implemented.  resolve blocks for at
 * most the timeout.  submit starts a query; answers are delivered (done
 * callbacks run) only from inside process() and wait(), never from submit()
 * or resolve().  fd() is libunbound's descriptor: poll it for readability,
 * then call process().  wait() blocks until at least one query has finished
 * or timed out, and returns IK_ESTATE when nothing is outstanding.  Every
 * query is given timeout_ms; when that passes it is cancelled and answered
 * IK_DNS_TEMPFAIL, why "timeout".
 *
 * Outcomes (dns.h classes): NOERROR with data is IK_DNS_OK, without data
 * IK_DNS_NODATA; NXDOMAIN is IK_DNS_NXDOMAIN; SERVFAIL, timeouts and
 * libunbound errors are IK_DNS_TEMPFAIL; REFUSED, FORMERR, NOTIMP and a
 * DNSSEC-bogus answer are IK_DNS_PERMFAIL.  answer->secure is libunbound's
 * "secure" flag; answer->canonical its canonical name.  libunbound reports
 * one TTL per answer, which every record gets.  RDATA is decoded with
 * ik_dns_answer_add_rdata; records that do not decode are dropped, and an
 * answer left without records is IK_DNS_TEMPFAIL "malformed answer".  For
 * queries of type ANY the records keep their raw RDATA under type ANY
 * (libunbound does not say each record's type).
 *
 * Ownership: the resolver object comes from the allocator given (closed with
 * ik_resolver_close); answers live in the arena passed with each query,
 * which must outlive the query.  Threads: one resolver belongs to one
 * thread at a time.  libunbound resolves asynchronous queries in a thread of
 * its own (ub_ctx_async with threads, rather than its default of forking a
 * process, which a daemon must not do behind its own back).
 * Limits: IK_UNBOUND_MAX_RRS records kept per answer.
 */
#ifndef INKAN_RESOLVER_UNBOUND_H
#define INKAN_RESOLVER_UNBOUND_H

#include "common.h"
#include "dns.h"

/* The DNSSEC root trust anchor of Debian's dns-root-data package. */
#define IK_UNBOUND_ROOT_KEY "/usr/share/dns/root.key"
#define IK_UNBOUND_DEFAULT_TIMEOUT_MS 5000
#define IK_UNBOUND_MAX_RRS 1024

typedef struct ik_unbound_options {
    /*
     * "IP" or "IP@PORT" (IPv4 or IPv6, port 1..65535) of a recursive server
     * to forward to.  NULL: the nameservers of resolv_conf.
     */
    const char *forwarder;
    /* Path of a resolv.conf for when forwarder is NULL; NULL: /etc/resolv.conf. */
    const char *resolv_conf;
    /*
     * Non-zero: resolve from the root servers ourselves, validating DNSSEC.
     * Excludes forwarder.
     */
    int recursive;
    /*
     * DNSSEC trust anchor file (DS or DNSKEY records in zone-file form).
     * NULL: IK_UNBOUND_ROOT_KEY when recursive, none when forwarding; "":
     * none (no validation).
     */
    const char *trust_anchor_file;
    /*
     * With recursive: "IP" or "IP@PORT" of the server recursion starts
     * from, instead of the root servers of the built-in hints (a private
     * DNS root; a test root on loopback).  NULL: the real root.
     */
    const char *root_server;
    /* Per query; 0: IK_UNBOUND_DEFAULT_TIMEOUT_MS. */
    unsigned timeout_ms;
    /* Non-zero: never send queries over IPv6. */
    int no_ipv6;
} ik_unbound_options;

/* Fills o with the defaults (resolv.conf forwarders, 5 s timeout). */
IK_EXTERN void ik_unbound_options_init(ik_unbound_options *o);

/*
 * Makes the resolver.  opt may be NULL (the defaults).  Returns IK_OK,
 * IK_EINVAL (a bad option: forwarder syntax, recursive with a forwarder),
 * IK_EIO (libunbound refused the configuration, e.g. an unreadable
 * resolv.conf or trust anchor) or IK_ENOMEM; on failure err (may be NULL)
 * receives one line saying why, and *out is zeroed.
 */
IK_EXTERN ik_status ik_resolver_unbound_new(const ik_allocator *al, const ik_unbound_options *opt,
                                            ik_resolver *out, char *err, size_t errlen);

#endif
