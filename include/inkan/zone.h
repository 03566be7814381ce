/*
 * inkan/zone.h - a static zone: DNS answers from RFC 1035 master-file text
 * or from records added one by one, for tests, fuzzers, the offline demo and
 * conformance runners.
 *
 * Syntax (RFC 1035 5.1, RFC 3597 5 for unknown types; the full dialect is in
 * docs/zone.md): $ORIGIN, $TTL (RFC 2308 4), $INCLUDE, `;` comments,
 * parentheses, `@`, relative and absolute names, an omitted owner meaning
 * the previous one, TTL and class IN in either order, quoted strings with
 * \X and \DDD escapes; types A, AAAA, MX, PTR, CNAME, NS, SOA, TXT, SPF and
 * `TYPEnnn \# len hex` for any other type.
 *
 * Two test directives make failures reproducible:
 *
 *   $TIMEOUT name [type]   a query for name (of that type, or of any type)
 *                          fails with IK_DNS_TEMPFAIL, why "timeout", but
 *                          only when the zone has no records of the asked
 *                          type at name (a CNAME counts as records).  This
 *                          is the rule of the RFC 7208 test suite's TIMEOUT.
 *   $SERVFAIL name [type]  the same query always fails with
 *                          IK_DNS_TEMPFAIL, why "SERVFAIL", records or not.
 *
 * Lookup (ik_zone_lookup and the resolver): records of the asked type at
 * the name answer IK_DNS_OK; a CNAME at the name is followed (at most
 * IK_ZONE_MAX_CNAME_CHAIN links; a loop is IK_DNS_TEMPFAIL "CNAME loop") and
 * answer->canonical names its end; a name with records of other types, or an
 * empty non-terminal (a parent of a name that has records), answers
 * IK_DNS_NODATA; any other name IK_DNS_NXDOMAIN.  Names compare ASCII
 * case-insensitively; one trailing dot on a query name is ignored; a name
 * failing ik_dns_name_check answers IK_DNS_INVALID.  Queries of type ANY
 * return every record at the name.  Identical records are kept, not
 * merged, so a test can present duplicates.  Negative answers carry the TTL
 * of RFC 2308 5 when an SOA encloses the name, else IK_ZONE_NEGATIVE_TTL.
 *
 * Ownership: the zone owns everything it stores (one arena from the
 * allocator given to ik_zone_new).  Answers are built once, when records are
 * added, and shared: a lookup that finds records hands out the zone's own
 * answer (or a copy of its header in the caller's arena, after a CNAME), so
 * answers, their records and their canonical names may live in the zone.
 * They are read-only and valid while the zone lives; negative and failure
 * answers are allocated in the caller's arena.
 * Threads: loading and adding need exclusive access.  Once loading is done
 * the zone is read-only; any number of threads may then look up from it,
 * each through its own resolver object (a resolver holds its queue of
 * submitted queries and belongs to one thread at a time).
 * Limits: the IK_ZONE_MAX_* constants below; exceeding one is an error
 * naming the line.
 */
#ifndef INKAN_ZONE_H
#define INKAN_ZONE_H

#include "arena.h"
#include "common.h"
#include "dns.h"

/* One physical line of zone text. */
#define IK_ZONE_MAX_LINE 65536
/* One entry, parentheses included (a full 64 KiB TXT RDATA with \DDD). */
#define IK_ZONE_MAX_ENTRY (1024 * 1024)
/* Bytes read per load, $INCLUDEd files counted together. */
#define IK_ZONE_MAX_FILE (64u * 1024 * 1024)
/* Records in one zone. */
#define IK_ZONE_MAX_RECORDS 4000000
/* $INCLUDE nesting (the top file is depth 0). */
#define IK_ZONE_MAX_INCLUDE_DEPTH 8
/* CNAME links followed in one lookup. */
#define IK_ZONE_MAX_CNAME_CHAIN 8
/* TTL when $TTL and every earlier entry leave it unspecified. */
#define IK_ZONE_DEFAULT_TTL 3600
/* Negative-answer TTL when no SOA encloses the name. */
#define IK_ZONE_NEGATIVE_TTL 300

typedef struct ik_zone ik_zone;

/*
 * New empty zone; NULL on OOM.  al may be NULL (malloc).  Caller frees with
 * ik_zone_free, after closing every resolver made from it.
 */
IK_EXTERN ik_zone *ik_zone_new(const ik_allocator *al);
/* Frees the zone and all it stores; accepts NULL; returns NULL. */
IK_EXTERN ik_zone *ik_zone_free(ik_zone *z);

/*
 * Whether $INCLUDE may open files (default: yes).  Turn it off when the zone
 * text is not trusted (fuzzers, text received from elsewhere); $INCLUDE is
 * then an error.
 */
IK_EXTERN void ik_zone_allow_include(ik_zone *z, int allow);

/*
 * Reads a master file.  Relative $INCLUDE paths are taken from the
 * directory of the including file.  The initial origin is the root, so a
 * name without a trailing dot and without $ORIGIN is taken as written.
 *
 * Returns IK_OK, IK_ESYNTAX (bad text), IK_ELIMIT (an IK_ZONE_MAX_* limit),
 * IK_EIO (cannot read the file) or IK_ENOMEM.  On failure err receives one
 * line, "file:line: message" naming the offending token, and the zone may
 * hold the records of the lines before: discard it.  err may be NULL.
 */
IK_EXTERN ik_status ik_zone_load_file(ik_zone *z, const char *path, char *err, size_t errlen);

/*
 * Reads master-file text from memory (borrowed; len bytes, no NUL needed).
 * name_for_errors (a C string, e.g. "<test>" or a path) starts each error
 * message; relative $INCLUDE paths are taken from its directory part when it
 * has one, else from the current directory.  Returns as ik_zone_load_file.
 */
IK_EXTERN ik_status ik_zone_load_mem(ik_zone *z, const char *name_for_errors, const char *text,
                                     size_t len, char *err, size_t errlen);

/*
 * Adds one record from wire RDATA (borrowed, copied; names in it must be
 * uncompressed).  owner is a domain name in text form (a trailing dot is
 * optional; case does not matter; "." or "" is the root).  RDATA of the
 * types ik_dns_rdata_decode knows must decode, and SOA must hold two names
 * and five 32-bit numbers.  Returns IK_OK, IK_EINVAL (bad owner, type 0 or
 * ANY, RDATA over 65535 octets), IK_ESYNTAX (malformed RDATA), IK_ELIMIT
 * (IK_ZONE_MAX_RECORDS) or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_zone_add_rr(ik_zone *z, ik_str owner, uint16_t type, uint32_t ttl,
                                   const uint8_t *rdata, size_t rdlen);

/*
 * Adds a failure rule for owner (type 0 = every type), as the directives do:
 *   IK_DNS_TEMPFAIL  $TIMEOUT: why "timeout", only when the name has no
 *                    records of the asked type;
 *   IK_DNS_PERMFAIL  answered always, why "REFUSED".
 * Other statuses are IK_EINVAL.  For $SERVFAIL see ik_zone_add_servfail.
 */
IK_EXTERN ik_status ik_zone_add_failure(ik_zone *z, ik_str owner, uint16_t type, ik_dns_status st);
/* $SERVFAIL: IK_DNS_TEMPFAIL, why "SERVFAIL", whatever the zone holds. */
IK_EXTERN ik_status ik_zone_add_servfail(ik_zone *z, ik_str owner, uint16_t type);

/* Number of records stored. */
IK_EXTERN size_t ik_zone_count(const ik_zone *z);

/*
 * Answers one question from the zone (the semantics at the top of this
 * header).  *out is the zone's shared answer or allocated in a (see
 * Ownership above: read-only, valid while the zone lives).  Returns IK_OK
 * with every DNS outcome in (*out)->status, or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_zone_lookup(const ik_zone *z, ik_arena *a, ik_str name, uint16_t type,
                                   ik_dns_answer **out);

/*
 * Makes a resolver answering from z (borrowed: z must outlive it and not be
 * changed while it is in use).  resolve answers at once.  submit queues the
 * query; process() and wait() deliver every query queued before the call,
 * in submission order (wait returns IK_ESTATE when nothing is queued); fd()
 * returns a pipe that is readable while queries are queued, so an event
 * loop can treat the zone as it treats a network resolver.  Close with
 * ik_resolver_close: queries still queued are dropped without callbacks.
 * Returns IK_OK or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_zone_resolver(ik_zone *z, ik_resolver *out);

#endif
