/*
 * buf.c - growable byte buffer with a sticky error (see inkan/buf.h).
 */
#include <stdio.h>
#include <string.h>

#include "inkan/buf.h"

void ik_buf_init(ik_buf *b, ik_arena *arena, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->arena = arena;
    b->max = max;
}

void ik_buf_init_al(ik_buf *b, const ik_allocator *al, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->al = al;
    b->max = max;
}

void ik_buf_release(ik_buf *b)
{
    if (b->arena == NULL)
        ik_free(b->al, b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void ik_buf_reset(ik_buf *b)
{
    b->len = 0;
    b->err = IK_OK;
    if (b->p)
        b->p[0] = '\0';
}

static int grow(ik_buf *b, size_t add)
{
    if (b->err)
        return 0;
    if (add > SIZE_MAX - b->len - 1) {
        b->err = IK_ELIMIT;
        return 0;
    }
    size_t need = b->len + add + 1;
    if (b->max && need - 1 > b->max) {
        b->err = IK_ELIMIT;
        return 0;
    }
    if (need <= b->cap)
        return 1;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            ncap = need;
            break;
        }
        ncap *= 2;
    }
    char *np;
    if (b->arena) {
        np = ik_arena_alloc(b->arena, ncap);
        if (np && b->len)
            memcpy(np, b->p, b->len);
    } else {
        np = ik_realloc(b->al, b->p, ncap);
    }
    if (np == NULL) {
        b->err = IK_ENOMEM;
        return 0;
    }
    b->p = np;
    b->cap = ncap;
    return 1;
}

void ik_buf_append(ik_buf *b, const void *p, size_t len)
{
    if (!grow(b, len))
        return;
    if (len)
        memcpy(b->p + b->len, p, len);
    b->len += len;
    b->p[b->len] = '\0';
}

char *ik_buf_reserve(ik_buf *b, size_t add)
{
    if (!grow(b, add))
        return NULL;
    return b->p + b->len;
}

void ik_buf_commit(ik_buf *b, size_t n)
{
    if (b->err || b->p == NULL)
        return;
    b->len += n;
    b->p[b->len] = '\0';
}

void ik_buf_append_str(ik_buf *b, ik_str s)
{
    ik_buf_append(b, s.p, s.len);
}

void ik_buf_append_c(ik_buf *b, const char *s)
{
    ik_buf_append(b, s, strlen(s));
}

void ik_buf_putc(ik_buf *b, char c)
{
    ik_buf_append(b, &c, 1);
}

void ik_buf_vprintf(ik_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) {
        if (!b->err)
            b->err = IK_EINVAL;
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ik_buf_printf(ik_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ik_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ik_buf_truncate(ik_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->p[len] = '\0';
    }
}

ik_status ik_buf_error(const ik_buf *b)
{
    return b->err;
}

ik_str ik_buf_str(const ik_buf *b)
{
    ik_str s = { b->p ? b->p : "", b->len };
    return s;
}
