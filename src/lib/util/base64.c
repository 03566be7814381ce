/*
 * base64.c - base64 encode and decode (RFC 4648 section 4); see
 * inkan/base64.h for the strict and tolerant modes.
 *
 * The decoder is one bounded pass over (in, len) with a 256-entry constant
 * table; it never reads past len and never writes past cap.
 * Threads: no state.
 */
#include <string.h>

#include "inkan/base64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for the alphabet, B64_WS for skippable whitespace, B64_PAD for '=',
 * B64_BAD for everything else. */
enum { B64_BAD = 0xff, B64_WS = 0xfe, B64_PAD = 0xfd };

static const unsigned char b64_table[256] = {
#define B64_R16                                                                                    \
    B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD,      \
        B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD
    /* 0x00 */ B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_WS,
    B64_WS,
    B64_BAD,
    B64_BAD,
    B64_WS,
    B64_BAD,
    B64_BAD,
    /* 0x10 */ B64_R16,
    /* 0x20 */ B64_WS,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    62,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    63,
    /* 0x30 */ 52,
    53,
    54,
    55,
    56,
    57,
    58,
    59,
    60,
    61,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_PAD,
    B64_BAD,
    B64_BAD,
    /* 0x40 */ B64_BAD,
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    /* 0x50 */ 15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    /* 0x60 */ B64_BAD,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    38,
    39,
    40,
    /* 0x70 */ 41,
    42,
    43,
    44,
    45,
    46,
    47,
    48,
    49,
    50,
    51,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    B64_BAD,
    /* 0x80 - 0xff */ B64_R16,
    B64_R16,
    B64_R16,
    B64_R16,
    B64_R16,
    B64_R16,
    B64_R16,
    B64_R16,
#undef B64_R16
};

size_t ik_base64_decoded_max(size_t len)
{
    return len / 4 * 3 + (len % 4 ? 3 : 0);
}

size_t ik_base64_encoded_len(size_t len)
{
    size_t groups = len / 3 + (len % 3 ? 1 : 0);
    if (groups > SIZE_MAX / 4)
        return SIZE_MAX;
    return groups * 4;
}

ik_status ik_base64_decode(const char *in, size_t len, unsigned flags, unsigned char *out,
                           size_t cap, size_t *outlen)
{
    const unsigned char *p = (const unsigned char *)in;
    int tolerant = (flags & IK_BASE64_TOLERANT) != 0;
    uint32_t acc = 0;
    unsigned nacc = 0; /* sextets in acc */
    unsigned npad = 0; /* '=' seen */
    size_t nchars = 0; /* alphabet and pad characters, for the strict length rule */
    size_t n = 0;

    *outlen = 0;
    for (size_t i = 0; i < len; i++) {
        if (nacc == 0 && npad == 0 && len - i >= 4) {
            /* A whole group of alphabet characters: the common case, done
             * in one step with the same checks. */
            unsigned a = b64_table[p[i]], b = b64_table[p[i + 1]], c = b64_table[p[i + 2]],
                     d = b64_table[p[i + 3]];
            if ((a | b | c | d) < 64) {
                if (cap - n < 3 || n > cap)
                    return IK_ELIMIT;
                uint32_t g = a << 18 | b << 12 | c << 6 | d;
                out[n++] = (unsigned char)(g >> 16);
                out[n++] = (unsigned char)(g >> 8);
                out[n++] = (unsigned char)g;
                nchars += 4;
                i += 3;
                continue;
            }
        }
        unsigned char v = b64_table[p[i]];
        if (v == B64_WS) {
            if (!tolerant)
                return IK_ESYNTAX;
            continue;
        }
        if (v == B64_BAD)
            return IK_ESYNTAX;
        nchars++;
        if (v == B64_PAD) {
            /* Padding only completes a group of 2 or 3 sextets. */
            if (nacc + npad < 2 || nacc + npad >= 4)
                return IK_ESYNTAX;
            npad++;
            continue;
        }
        if (npad)
            return IK_ESYNTAX; /* data after padding */
        acc = (acc << 6) | v;
        if (++nacc == 4) {
            if (cap - n < 3 || n > cap)
                return IK_ELIMIT;
            out[n++] = (unsigned char)(acc >> 16);
            out[n++] = (unsigned char)(acc >> 8);
            out[n++] = (unsigned char)acc;
            acc = 0;
            nacc = 0;
        }
    }
    if (nacc == 1)
        return IK_ESYNTAX; /* 6 bits cannot form a byte */
    if (nacc == 0 && npad)
        return IK_ESYNTAX; /* unreachable by the rule above, kept defensive */
    if (nacc >= 2) {
        unsigned want_pad = 4 - nacc;
        if (!tolerant && (npad != want_pad || nchars % 4 != 0))
            return IK_ESYNTAX;
        if (npad != 0 && npad != want_pad)
            return IK_ESYNTAX;
        unsigned bytes = nacc - 1; /* 2 sextets -> 1 byte, 3 -> 2 */
        uint32_t padbits = acc & ((1u << (nacc * 6 - bytes * 8)) - 1);
        if (!tolerant && padbits != 0)
            return IK_ESYNTAX; /* RFC 4648 3.5: non-canonical */
        acc >>= nacc * 6 - bytes * 8;
        if (cap < n || cap - n < bytes)
            return IK_ELIMIT;
        if (bytes == 2) {
            out[n++] = (unsigned char)(acc >> 8);
            out[n++] = (unsigned char)acc;
        } else {
            out[n++] = (unsigned char)acc;
        }
    } else if (!tolerant && nchars % 4 != 0) {
        return IK_ESYNTAX;
    }
    *outlen = n;
    return IK_OK;
}

ik_status ik_base64_decode_arena(ik_arena *a, ik_str in, unsigned flags, ik_str *out)
{
    size_t cap = ik_base64_decoded_max(in.len);
    unsigned char *d = ik_arena_alloc(a, cap + 1);
    *out = IK_STR_NULL;
    if (d == NULL)
        return IK_ENOMEM;
    size_t n;
    ik_status st = ik_base64_decode(in.p, in.len, flags, d, cap, &n);
    if (st != IK_OK)
        return st;
    d[n] = '\0';
    *out = ik_str_make((const char *)d, n);
    return IK_OK;
}

size_t ik_base64_encode(const void *in, size_t len, char *out, size_t cap)
{
    const unsigned char *s = in;
    size_t need = ik_base64_encoded_len(len);
    if (need == SIZE_MAX || need > cap)
        return 0;
    size_t o = 0, i = 0;
    for (; len - i >= 3; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    return o;
}

void ik_base64_encode_buf(ik_buf *b, const void *in, size_t len)
{
    char tmp[256]; /* 192 input bytes per round */
    const unsigned char *s = in;
    while (len > 0) {
        size_t take = len > 192 ? 192 : len;
        size_t n = ik_base64_encode(s, take, tmp, sizeof(tmp));
        ik_buf_append(b, tmp, n);
        s += take;
        len -= take;
    }
}
