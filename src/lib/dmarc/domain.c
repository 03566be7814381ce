/*
 * domain.c - domain names for DMARC: A-label conversion (RFC 5890 2.3.2.1
 * with the Punycode of RFC 3492 6.3), label arithmetic for the DNS Tree
 * Walk (RFC 9989 4.10), and the Public Suffix List through libpsl
 * (RFC 7489 3.2).
 *
 * Known limit: U-labels are encoded as given; non-ASCII characters are not
 * case-folded or NFC-normalized, since that needs the IDNA2008 mapping
 * tables.  Mail that uses a non-normalized U-label in From simply finds no
 * policy, as it would at most receivers.
 *
 * Ownership: results in the arena; the PSL handle is caller-frees.
 * Threads: no state; a loaded PSL is read-only (libpsl lookups do not
 * modify it) and may be shared.
 */
#include <libpsl.h>
#include <string.h>

#include "dmarc/dmarc_int.h"
#include "util/util_int.h"

size_t ik__dmarc_labels(ik_str name)
{
    if (name.len == 0)
        return 0;
    size_t n = 1;
    for (size_t i = 0; i < name.len; i++)
        if (name.p[i] == '.')
            n++;
    return n;
}

ik_str ik__dmarc_suffix(ik_str name, size_t n)
{
    if (n == 0)
        return ik_str_make(name.p + name.len, 0);
    size_t seen = 0;
    for (size_t i = name.len; i > 0; i--) {
        if (name.p[i - 1] == '.' && ++seen == n)
            return ik_str_make(name.p + i, name.len - i);
    }
    return name;
}

int ik__dmarc_is_subdomain(ik_str name, ik_str suffix)
{
    if (suffix.len == 0 || name.len < suffix.len)
        return 0;
    ik_str tail = ik_str_make(name.p + name.len - suffix.len, suffix.len);
    if (!ik_str_caseeq(tail, suffix))
        return 0;
    return name.len == suffix.len || name.p[name.len - suffix.len - 1] == '.';
}

/* ---- Punycode (RFC 3492 6.3) ---------------------------------------------- */

enum {
    PC_BASE = 36,
    PC_TMIN = 1,
    PC_TMAX = 26,
    PC_SKEW = 38,
    PC_DAMP = 700,
    PC_BIAS = 72,
    PC_N = 128
};

static uint32_t adapt(uint32_t delta, uint32_t numpoints, int first)
{
    delta = first ? delta / PC_DAMP : delta / 2;
    delta += delta / numpoints;
    uint32_t k = 0;
    while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
        delta /= PC_BASE - PC_TMIN;
        k += PC_BASE;
    }
    return k + (((PC_BASE - PC_TMIN + 1) * delta) / (delta + PC_SKEW));
}

static char digit(uint32_t d)
{
    return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/* Decodes strict UTF-8 (no overlongs, no surrogates); 0 on error. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Encodes one label with non-ASCII content as "xn--..." into out (cap
 * bytes).  Returns the length, or 0 on error or when it does not fit. */
static size_t punycode_label(const unsigned char *in, size_t inlen, char *out, size_t cap)
{
    uint32_t cps[IK_DNS_LABEL_MAX + 1];
    size_t ncp = 0;
    for (size_t i = 0; i < inlen;) {
        if (ncp == IK_DNS_LABEL_MAX + 1)
            return 0; /* cannot fit in 63 octets anyway */
        size_t k = utf8_decode(in + i, inlen - i, &cps[ncp]);
        if (k == 0)
            return 0;
        i += k;
        ncp++;
    }
    size_t o = 0;
    if (cap < 4)
        return 0;
    memcpy(out, "xn--", 4);
    o = 4;
    uint32_t b = 0;
    for (size_t i = 0; i < ncp; i++)
        if (cps[i] < 0x80) {
            if (o >= cap)
                return 0;
            char c = (char)cps[i];
            out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
            b++;
        }
    if (b > 0) {
        if (o >= cap)
            return 0;
        out[o++] = '-';
    }
    uint32_t n = PC_N, delta = 0, bias = PC_BIAS, h = b;
    while (h < ncp) {
        uint32_t m = UINT32_MAX;
        for (size_t i = 0; i < ncp; i++)
            if (cps[i] >= n && cps[i] < m)
                m = cps[i];
        if ((uint64_t)(m - n) * (h + 1) + delta > UINT32_MAX)
            return 0; /* RFC 3492 6.4 overflow */
        delta += (m - n) * (h + 1);
        n = m;
        for (size_t i = 0; i < ncp; i++) {
            if (cps[i] < n && ++delta == 0)
                return 0;
            if (cps[i] == n) {
                uint32_t q = delta;
                for (uint32_t k = PC_BASE;; k += PC_BASE) {
                    uint32_t t = k <= bias ? PC_TMIN : k >= bias + PC_TMAX ? PC_TMAX : k - bias;
                    if (q < t)
                        break;
                    if (o >= cap)
                        return 0;
                    out[o++] = digit(t + (q - t) % (PC_BASE - t));
                    q = (q - t) / (PC_BASE - t);
                }
                if (o >= cap)
                    return 0;
                out[o++] = digit(q);
                bias = adapt(delta, h + 1, h == b);
                delta = 0;
                h++;
            }
        }
        delta++;
        n++;
    }
    return o;
}

ik_status ik_dmarc_domain_alabel(ik_arena *a, ik_str domain, ik_str *out)
{
    *out = IK_STR_NULL;
    if (domain.len && domain.p[domain.len - 1] == '.')
        domain.len--; /* one trailing dot: the root */
    if (domain.len == 0 || domain.len > 4 * IK_DNS_NAME_MAX)
        return IK_ESYNTAX;
    char buf[IK_DNS_NAME_MAX + 2];
    size_t o = 0, start = 0;
    for (size_t i = 0; i <= domain.len; i++) {
        if (i < domain.len && domain.p[i] != '.')
            continue;
        const unsigned char *lab = (const unsigned char *)domain.p + start;
        size_t llen = i - start;
        start = i + 1;
        if (llen == 0)
            return IK_ESYNTAX;
        if (o) {
            if (o >= IK_DNS_NAME_MAX)
                return IK_ESYNTAX; /* no room for another label */
            buf[o++] = '.';
        }
        int ascii = 1;
        for (size_t k = 0; k < llen; k++)
            if (lab[k] >= 0x80)
                ascii = 0;
        size_t room = IK_DNS_NAME_MAX - o; /* o <= IK_DNS_NAME_MAX here */
        if (ascii) {
            if (llen > IK_DNS_LABEL_MAX || llen > room)
                return IK_ESYNTAX;
            for (size_t k = 0; k < llen; k++) {
                char c = (char)lab[k];
                buf[o++] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
            }
        } else {
            size_t cap = room < IK_DNS_LABEL_MAX ? room : IK_DNS_LABEL_MAX;
            size_t n = punycode_label(lab, llen, buf + o, cap);
            if (n == 0)
                return IK_ESYNTAX;
            o += n;
        }
    }
    ik_str res = ik_str_make(buf, o);
    if (ik_dns_name_check(res) != IK_OK)
        return IK_ESYNTAX;
    *out = ik_arena_strdup_str(a, res);
    return out->p ? IK_OK : IK_ENOMEM;
}

/* ---- Public Suffix List --------------------------------------------------- */

struct ik_dmarc_psl {
    psl_ctx_t *psl;
};

ik_status ik_dmarc_psl_load(const char *path, ik_dmarc_psl **out)
{
    *out = NULL;
    ik_dmarc_psl *p = ik_alloc(NULL, sizeof(*p));
    if (p == NULL)
        return IK_ENOMEM;
    /* psl_load_file reads the text list or a .dafsa; never the network. */
    p->psl = psl_load_file(path ? path : IK_DMARC_PSL_FILE);
    if (p->psl == NULL) {
        ik_free(NULL, p);
        return IK_EIO;
    }
    *out = p;
    return IK_OK;
}

ik_dmarc_psl *ik_dmarc_psl_free(ik_dmarc_psl *psl)
{
    if (psl) {
        psl_free(psl->psl);
        ik_free(NULL, psl);
    }
    return NULL;
}

ik_str ik_dmarc_psl_org_domain(const ik_dmarc_psl *psl, ik_arena *a, ik_str domain)
{
    char *z = ik_arena_alloc(a, domain.len + 1);
    if (z == NULL)
        return IK_STR_NULL;
    /* libpsl wants NUL-terminated lowercase text: z is our own copy. */
    ik__ascii_lower(z, domain.p, domain.len);
    z[domain.len] = '\0';
    /* A NUL inside would end the text early: libpsl would judge a shorter
     * name.  Such a name is its own organizational domain, so it can
     * align only with itself. */
    if (memchr(z, '\0', domain.len) != NULL)
        return ik_str_make(z, domain.len);
    const char *reg = psl_registrable_domain(psl->psl, z);
    if (reg == NULL)
        return ik_str_make(z, domain.len); /* a public suffix itself */
    return ik_str_c(reg);
}
