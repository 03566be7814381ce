/*
 * ip.c - IPv4/IPv6 parsing, matching and formatting (see inkan/ip.h).
 *
 * RFC 4291 2.2 text forms, RFC 5952 output.  Parsing is strict on purpose:
 * "1.2.3" or "01.2.3.4" are errors, as RFC 7208 4.6.4/5.6 ip4 terms require
 * a dotted quad.
 */
#include <stdio.h>
#include <string.h>

#include "inkan/ip.h"

ik_status ik_ip_parse_v4(ik_str t, ik_ip *out)
{
    uint8_t b[4];
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= t.len || t.p[i] != '.')
                return IK_ESYNTAX;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < t.len && t.p[i] >= '0' && t.p[i] <= '9' && i - start < 3) {
            v = v * 10 + (unsigned)(t.p[i] - '0');
            i++;
        }
        size_t n = i - start;
        if (n == 0 || v > 255 || (n > 1 && t.p[start] == '0'))
            return IK_ESYNTAX;
        b[part] = (uint8_t)v;
    }
    if (i != t.len)
        return IK_ESYNTAX;
    memset(out, 0, sizeof(*out));
    out->family = IK_IP_V4;
    memcpy(out->a, b, 4);
    return IK_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

ik_status ik_ip_parse_v6(ik_str t, ik_ip *out)
{
    uint16_t w[8];
    int nw = 0, gap = -1;
    size_t i = 0;
    if (t.len < 2 || t.len > 45)
        return IK_ESYNTAX;
    if (t.p[0] == ':') {
        if (t.p[1] != ':')
            return IK_ESYNTAX;
        gap = 0;
        i = 2;
        if (i == t.len)
            goto done;
    }
    for (;;) {
        /* one group: hex word, or a trailing dotted quad */
        size_t start = i;
        unsigned v = 0;
        while (i < t.len && hexval(t.p[i]) >= 0 && i - start < 4) {
            v = v * 16 + (unsigned)hexval(t.p[i]);
            i++;
        }
        if (i < t.len && t.p[i] == '.') {
            ik_ip v4;
            if (nw > 6 || ik_ip_parse_v4(ik_str_make(t.p + start, t.len - start), &v4))
                return IK_ESYNTAX;
            w[nw++] = (uint16_t)(v4.a[0] << 8 | v4.a[1]);
            w[nw++] = (uint16_t)(v4.a[2] << 8 | v4.a[3]);
            i = t.len;
            break;
        }
        if (i == start || nw >= 8)
            return IK_ESYNTAX;
        w[nw++] = (uint16_t)v;
        if (i == t.len)
            break;
        if (t.p[i] != ':')
            return IK_ESYNTAX;
        i++;
        if (i < t.len && t.p[i] == ':') {
            if (gap >= 0)
                return IK_ESYNTAX;
            gap = nw;
            i++;
            if (i == t.len)
                break;
        } else if (i == t.len) {
            return IK_ESYNTAX; /* trailing single colon */
        }
    }
done:
    if (gap < 0 && nw != 8)
        return IK_ESYNTAX;
    if (gap >= 0 && nw > 7)
        return IK_ESYNTAX;
    memset(out, 0, sizeof(*out));
    out->family = IK_IP_V6;
    uint16_t full[8] = { 0 };
    if (gap < 0) {
        memcpy(full, w, sizeof(full));
    } else {
        for (int k = 0; k < gap; k++)
            full[k] = w[k];
        int tail = nw - gap;
        for (int k = 0; k < tail; k++)
            full[8 - tail + k] = w[gap + k];
    }
    for (int k = 0; k < 8; k++) {
        out->a[2 * k] = (uint8_t)(full[k] >> 8);
        out->a[2 * k + 1] = (uint8_t)(full[k] & 0xff);
    }
    return IK_OK;
}

ik_status ik_ip_parse(ik_str t, ik_ip *out)
{
    if (ik_str_chr(t, ':') >= 0)
        return ik_ip_parse_v6(t, out);
    return ik_ip_parse_v4(t, out);
}

ik_status ik_ip_parse_prefix(ik_str t, ik_ip *out, unsigned *plen)
{
    long slash = ik_str_chr(t, '/');
    ik_str addr = t;
    if (slash >= 0)
        addr.len = (size_t)slash;
    ik_status st = ik_ip_parse(addr, out);
    if (st)
        return st;
    unsigned max = out->family == IK_IP_V4 ? 32 : 128;
    if (slash < 0) {
        *plen = max;
        return IK_OK;
    }
    ik_str num = ik_str_make(t.p + slash + 1, t.len - (size_t)slash - 1);
    uint64_t v;
    if (num.len > 1 && num.p[0] == '0')
        return IK_ESYNTAX;
    if (ik_str_to_u64(num, max, &v))
        return IK_ESYNTAX;
    *plen = (unsigned)v;
    return IK_OK;
}

int ik_ip_match(const ik_ip *a, const ik_ip *b, unsigned plen)
{
    if (a->family != b->family || a->family == IK_IP_NONE)
        return 0;
    unsigned max = a->family == IK_IP_V4 ? 32 : 128;
    if (plen > max)
        plen = max;
    unsigned full = plen / 8, rem = plen % 8;
    if (memcmp(a->a, b->a, full) != 0)
        return 0;
    if (rem) {
        uint8_t mask = (uint8_t)(0xff << (8 - rem));
        if ((a->a[full] & mask) != (b->a[full] & mask))
            return 0;
    }
    return 1;
}

int ik_ip_eq(const ik_ip *a, const ik_ip *b)
{
    return ik_ip_match(a, b, 128);
}

int ik_ip_is_v4mapped(const ik_ip *ip)
{
    static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return ip->family == IK_IP_V6 && memcmp(ip->a, pfx, 12) == 0;
}

ik_ip ik_ip_unmap(const ik_ip *ip)
{
    ik_ip r = *ip;
    if (ik_ip_is_v4mapped(ip)) {
        memset(&r, 0, sizeof(r));
        r.family = IK_IP_V4;
        memcpy(r.a, ip->a + 12, 4);
    }
    return r;
}

/* "a.b.c.d" for four octets, NUL-terminated (hot in SPF %{i}: no printf). */
static size_t format_quad(const uint8_t *b, char *out)
{
    size_t n = 0;
    for (int k = 0; k < 4; k++) {
        unsigned v = b[k];
        if (k)
            out[n++] = '.';
        if (v >= 100)
            out[n++] = (char)('0' + v / 100);
        if (v >= 10)
            out[n++] = (char)('0' + v / 10 % 10);
        out[n++] = (char)('0' + v % 10);
    }
    out[n] = '\0';
    return n;
}

size_t ik_ip_format(const ik_ip *ip, char *out)
{
    if (ip->family == IK_IP_V4)
        return format_quad(ip->a, out);
    if (ip->family != IK_IP_V6) {
        out[0] = '\0';
        return 0;
    }
    uint16_t w[8];
    for (int k = 0; k < 8; k++)
        w[k] = (uint16_t)(ip->a[2 * k] << 8 | ip->a[2 * k + 1]);
    /* RFC 5952 4.2: compress the longest run (>= 2) of zero words, the
     * first one on a tie. */
    int best = -1, bestlen = 0;
    for (int k = 0; k < 8;) {
        if (w[k] == 0) {
            int s = k;
            while (k < 8 && w[k] == 0)
                k++;
            if (k - s > bestlen && k - s >= 2) {
                best = s;
                bestlen = k - s;
            }
        } else {
            k++;
        }
    }
    size_t n = 0;
    if (ik_ip_is_v4mapped(ip)) {
        return (size_t)snprintf(out, IK_IP_TEXT_MAX, "::ffff:%u.%u.%u.%u", ip->a[12], ip->a[13],
                                ip->a[14], ip->a[15]);
    }
    for (int k = 0; k < 8; k++) {
        if (k == best) {
            n += (size_t)snprintf(out + n, IK_IP_TEXT_MAX - n, "::");
            k += bestlen - 1;
            continue;
        }
        if (k > 0 && k != best + bestlen)
            out[n++] = ':';
        else if (k > 0 && best < 0)
            out[n++] = ':';
        n += (size_t)snprintf(out + n, IK_IP_TEXT_MAX - n, "%x", w[k]);
    }
    out[n] = '\0';
    return n;
}

size_t ik_ip_format_dotted(const ik_ip *ip, int upper, char *out)
{
    if (ip->family == IK_IP_V4)
        return ik_ip_format(ip, out);
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t n = 0;
    for (int k = 0; k < 16; k++) {
        if (k)
            out[n++] = '.';
        out[n++] = hex[ip->a[k] >> 4];
        out[n++] = '.';
        out[n++] = hex[ip->a[k] & 15];
    }
    out[n] = '\0';
    return n;
}

size_t ik_ip_reverse_name(const ik_ip *ip, char *out)
{
    if (ip->family == IK_IP_V4)
        return (size_t)snprintf(out, IK_IP_TEXT_MAX, "%u.%u.%u.%u.in-addr.arpa", ip->a[3], ip->a[2],
                                ip->a[1], ip->a[0]);
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (int k = 15; k >= 0; k--) {
        out[n++] = hex[ip->a[k] & 15];
        out[n++] = '.';
        out[n++] = hex[ip->a[k] >> 4];
        out[n++] = '.';
    }
    memcpy(out + n, "ip6.arpa", 9);
    return n + 8;
}
