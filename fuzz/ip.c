/*
 * ip.c - fuzz target for the IP address and prefix parsers (inkan/ip.h).
 *
 * Exact-size copies of the input go to every parser.  Invariants: the
 * family parsers agree with ik_ip_parse; a parsed address formats to text
 * that parses back to the same address (RFC 5952 canonical form is a fixed
 * point); a prefix length is within its family's bits; an address matches
 * itself under every prefix length; the reverse name and dotted forms fit
 * their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inkan/ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = fuzz_copy(data, size);
    ik_str s = ik_str_make(copy, size);
    ik_ip ip, v4, v6;
    ik_status st = ik_ip_parse(s, &ip);
    ik_status s4 = ik_ip_parse_v4(s, &v4), s6 = ik_ip_parse_v6(s, &v6);
    check(st == IK_OK || st == IK_ESYNTAX);
    check((st == IK_OK) == (s4 == IK_OK || s6 == IK_OK));
    if (st == IK_OK) {
        check(ip.family == IK_IP_V4 || ip.family == IK_IP_V6);
        char text[IK_IP_TEXT_MAX], again[IK_IP_TEXT_MAX];
        size_t n = ik_ip_format(&ip, text);
        check(n > 0 && n < IK_IP_TEXT_MAX && text[n] == '\0');
        ik_ip back;
        check(ik_ip_parse(ik_str_make(text, n), &back) == IK_OK && ik_ip_eq(&ip, &back));
        check(ik_ip_format(&back, again) == n && memcmp(text, again, n) == 0);
        unsigned bits = ip.family == IK_IP_V4 ? 32 : 128;
        for (unsigned plen = 0; plen <= bits; plen++)
            check(ik_ip_match(&ip, &ip, plen));
        char rev[IK_IP_TEXT_MAX]; /* the documented size, exactly */
        check(ik_ip_reverse_name(&ip, rev) < sizeof(rev));
        check(ik_ip_format_dotted(&ip, 1, text) < IK_IP_TEXT_MAX);
        ik_ip un = ik_ip_unmap(&ip);
        check(un.family == IK_IP_V4 || ik_ip_eq(&un, &ip));
    }
    unsigned plen = 999;
    ik_ip pfx;
    if (ik_ip_parse_prefix(s, &pfx, &plen) == IK_OK)
        check(plen <= (pfx.family == IK_IP_V4 ? 32u : 128u));
    free(copy);
    return 0;
}
