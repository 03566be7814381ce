/*
 * str.c - byte-string views and the allocator hooks.
 */
#include <stdlib.h>
#include <string.h>

#include "inkan/common.h"
#include "util/util_int.h"

ik_str ik_str_make(const char *p, size_t len)
{
    ik_str s = { p, len };
    return s;
}

ik_str ik_str_c(const char *s)
{
    ik_str r = { s, s ? strlen(s) : 0 };
    return r;
}

int ik_str_eq(ik_str a, ik_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

void ik__ascii_lower(char *dst, const char *src, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        w = ik__lower8(w);
        memcpy(dst + i, &w, 8);
    }
    for (; i < len; i++) {
        char c = src[i];
        dst[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

int ik_str_caseeq(ik_str a, ik_str b)
{
    if (a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++)
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
            return 0;
    return 1;
}

int ik_str_caseeq_c(ik_str a, const char *lit)
{
    return ik_str_caseeq(a, ik_str_c(lit));
}

int ik_str_casestarts(ik_str s, const char *lit)
{
    /* one pass over the literal: no strlen first */
    size_t i = 0;
    for (; lit[i]; i++)
        if (i >= s.len || lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

ik_str ik_str_trim(ik_str s)
{
    while (s.len > 0 && is_ws(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && is_ws(s.p[s.len - 1]))
        s.len--;
    return s;
}

long ik_str_chr(ik_str s, char c)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] == c)
            return (long)i;
    return -1;
}

ik_status ik_str_to_u64(ik_str s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (s.len == 0)
        return IK_ESYNTAX;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < '0' || c > '9')
            return IK_ESYNTAX;
        unsigned d = c - '0';
        if (v > (max - d) / 10)
            return IK_ELIMIT;
        v = v * 10 + d;
    }
    *out = v;
    return IK_OK;
}

void *ik_alloc(const ik_allocator *al, size_t size)
{
    if (al && al->alloc_fn)
        return al->alloc_fn(al->ud, size);
    return malloc(size);
}

void *ik_realloc(const ik_allocator *al, void *p, size_t size)
{
    if (al && al->realloc_fn)
        return al->realloc_fn(al->ud, p, size);
    return realloc(p, size);
}

void ik_free(const ik_allocator *al, void *p)
{
    if (p == NULL)
        return;
    if (al && al->free_fn)
        al->free_fn(al->ud, p);
    else
        free(p);
}
