/*
 * inkan/ip.h - IPv4/IPv6 addresses and prefixes.
 *
 * Text parsing is strict (RFC 4291 2.2 for IPv6, dotted-quad only for IPv4:
 * no octal, no shortened forms).  IPv4-mapped IPv6 (::ffff:a.b.c.d) is kept
 * as IPv6 by the parser; ik_ip_unmap() turns it into IPv4, as RFC 7208 5
 * asks SPF to do for the client address.
 *
 * Ownership: plain values, no allocation.  Threads: no state.
 */
#ifndef INKAN_IP_H
#define INKAN_IP_H

#include "common.h"

typedef enum ik_ip_family { IK_IP_NONE = 0, IK_IP_V4 = 4, IK_IP_V6 = 6 } ik_ip_family;

typedef struct ik_ip {
    ik_ip_family family;
    uint8_t a[16]; /* IPv4 uses a[0..3] */
} ik_ip;

/* IK_OK or IK_ESYNTAX. */
IK_EXTERN ik_status ik_ip_parse(ik_str text, ik_ip *out);
IK_EXTERN ik_status ik_ip_parse_v4(ik_str text, ik_ip *out);
IK_EXTERN ik_status ik_ip_parse_v6(ik_str text, ik_ip *out);
/* Parse "addr" or "addr/len" (len absent = full length). */
IK_EXTERN ik_status ik_ip_parse_prefix(ik_str text, ik_ip *out, unsigned *plen);

/* True when the first plen bits of a and b agree and families match. */
IK_EXTERN int ik_ip_match(const ik_ip *a, const ik_ip *b, unsigned plen);
IK_EXTERN int ik_ip_eq(const ik_ip *a, const ik_ip *b);
/* True for ::ffff:0:0/96. */
IK_EXTERN int ik_ip_is_v4mapped(const ik_ip *ip);
/* IPv4-mapped IPv6 becomes IPv4; others unchanged. */
IK_EXTERN ik_ip ik_ip_unmap(const ik_ip *ip);

/* Size of a buffer big enough for any text form below, NUL included. */
#define IK_IP_TEXT_MAX 80
/*
 * Canonical text: dotted quad, or RFC 5952 lowercase compressed IPv6.
 * Writes a NUL-terminated string into out[IK_IP_TEXT_MAX]; returns length.
 */
IK_EXTERN size_t ik_ip_format(const ik_ip *ip, char *out);
/*
 * Dotted form used by SPF %{i} (RFC 7208 7.3): "1.2.3.4", or 32 dot-separated
 * nibbles for IPv6.  upper selects uppercase hex.  Buffer IK_IP_TEXT_MAX.
 */
IK_EXTERN size_t ik_ip_format_dotted(const ik_ip *ip, int upper, char *out);
/*
 * Reverse-lookup name without trailing dot: "4.3.2.1.in-addr.arpa" or the
 * 32-nibble ip6.arpa name.  Buffer IK_IP_TEXT_MAX.
 */
IK_EXTERN size_t ik_ip_reverse_name(const ik_ip *ip, char *out);

#endif
