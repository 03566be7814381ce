/*
 * util_int.h - small private helpers shared by libinkan modules: ASCII
 * lowercasing eight bytes at a time and a hash for DNS names.  Both work on
 * (pointer, length) and never read past len.
 *
 * Ownership: none (pure functions).  Threads: no state.
 */
#ifndef IK_UTIL_INT_H
#define IK_UTIL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Lowercases the ASCII letters of eight bytes held in a word (SWAR): a byte
 * gets 0x20 added exactly when it lies in 'A'..'Z'.  Bytes of 0x80 and above
 * are left alone, and no carry crosses a byte.
 */
static inline uint64_t ik__lower8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u;
    uint64_t low7 = w & (0x7f * ones);
    uint64_t ge_a = low7 + (0x80 - 'A') * ones;     /* high bit: byte >= 'A' */
    uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * ones; /* high bit: byte > 'Z' */
    uint64_t upper = ge_a & ~gt_z & ~w & (0x80 * ones);
    return w | (upper >> 2);
}

/*
 * Copies len bytes from src to dst, ASCII-lowercased, eight at a time
 * (str.c; out of line, so the compiler does not judge the word stores
 * against the caller's buffer size).
 */
void ik__ascii_lower(char *dst, const char *src, size_t len);

/*
 * Hash of a byte string, eight bytes per multiply: for the hash tables of
 * names (zone store, SPF question index, SPF record cache).  seed lets a
 * caller mix in more of its key (a query type).
 */
static inline uint32_t ik__hash_bytes(const char *p, size_t len, uint64_t seed)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ seed ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, p + i, len - i);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
    }
    h ^= h >> 29;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 32;
    return (uint32_t)h;
}

/*
 * The labels of a (lowercase or not) name without its trailing dot are all
 * 1..63 octets: the label rule of ik_dns_name_check.  len must be > 0.
 */
static inline int ik__labels_ok(const char *p, size_t len)
{
    if (p[0] == '.' || p[len - 1] == '.')
        return 0;
    if (len <= 63) {
        /* no label can be too long: only an empty one, "..", is wrong */
        for (size_t i = 1; i < len; i++)
            if (p[i] == '.' && p[i - 1] == '.')
                return 0;
        return 1;
    }
    const char *end = p + len;
    for (;;) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t l = (size_t)((dot ? dot : end) - p);
        if (l == 0 || l > 63)
            return 0;
        if (dot == NULL)
            return 1;
        p = dot + 1;
    }
}

#endif
