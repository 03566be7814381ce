/*
 * arena.c - region allocator (see inkan/arena.h).
 *
 * Chunks grow geometrically from 4 KiB to 64 KiB; a request larger than a
 * quarter of the next chunk gets a dedicated chunk so big objects do not
 * waste the tail of a shared one.  A reset keeps the largest ordinary chunk,
 * so an arena reused per message stops calling the allocator.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inkan/arena.h"

#define ARENA_ALIGN 16
#define ARENA_FIRST 4096
#define ARENA_MAXCHUNK 65536

typedef struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    int dedicated; /* holds one large object */
    max_align_t align_;
    unsigned char data[];
} chunk;

typedef struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
} cleanup;

struct ik_arena {
    ik_allocator al;
    int has_al;
    chunk *head;
    cleanup *cleanups;
    size_t used;
    size_t limit;
    size_t next_size;
};

static const ik_allocator *arena_al(const ik_arena *a)
{
    return a->has_al ? &a->al : NULL;
}

ik_arena *ik_arena_new(const ik_allocator *al)
{
    ik_arena *a = ik_alloc(al, sizeof(*a));
    if (a == NULL)
        return NULL;
    memset(a, 0, sizeof(*a));
    if (al) {
        a->al = *al;
        a->has_al = 1;
    }
    a->next_size = ARENA_FIRST;
    return a;
}

static void run_cleanups(ik_arena *a)
{
    while (a->cleanups) {
        cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->arg);
    }
}

ik_arena *ik_arena_free(ik_arena *a)
{
    if (a == NULL)
        return NULL;
    run_cleanups(a);
    const ik_allocator *al = arena_al(a);
    chunk *c = a->head;
    while (c) {
        chunk *n = c->next;
        ik_free(al, c);
        c = n;
    }
    ik_allocator copy = a->al;
    int has = a->has_al;
    ik_free(has ? &copy : NULL, a);
    return NULL;
}

void ik_arena_reset(ik_arena *a)
{
    run_cleanups(a);
    const ik_allocator *al = arena_al(a);
    /*
     * Keep the largest ordinary chunk: an arena reset once per message or
     * evaluation then settles on one chunk that holds a whole one, and
     * steady use allocates nothing from the allocator.
     */
    chunk *keep = NULL;
    for (chunk *c = a->head; c; c = c->next)
        if (!c->dedicated && (keep == NULL || c->size > keep->size))
            keep = c;
    chunk *c = a->head;
    while (c) {
        chunk *n = c->next;
        if (c != keep)
            ik_free(al, c);
        c = n;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->used = 0;
    a->next_size =
        keep ? (keep->size < ARENA_MAXCHUNK ? keep->size * 2 : ARENA_MAXCHUNK) : ARENA_FIRST;
}

void ik_arena_set_limit(ik_arena *a, size_t max_bytes)
{
    a->limit = max_bytes;
}

size_t ik_arena_used(const ik_arena *a)
{
    return a->used;
}

void *ik_arena_alloc(ik_arena *a, size_t size)
{
    if (size == 0)
        size = 1;
    size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < size)
        return NULL; /* overflow */
    if (a->limit && (need > a->limit || a->used > a->limit - need))
        return NULL;
    chunk *c = a->head;
    if (c == NULL || c->size - c->used < need) {
        size_t csize = a->next_size;
        /* a first chunk is an ordinary one whenever the request fits */
        if (need > csize / 4 && (c != NULL || need > csize)) {
            /* dedicated chunk, placed second so the current one keeps
             * serving small requests */
            if (need > SIZE_MAX - sizeof(chunk))
                return NULL;
            chunk *d = ik_alloc(arena_al(a), sizeof(chunk) + need);
            if (d == NULL)
                return NULL;
            d->size = need;
            d->used = need;
            d->dedicated = 1;
            if (c) {
                d->next = c->next;
                c->next = d;
            } else {
                d->next = NULL;
                a->head = d;
            }
            a->used += need;
            return d->data;
        }
        chunk *n = ik_alloc(arena_al(a), sizeof(chunk) + csize);
        if (n == NULL)
            return NULL;
        n->size = csize;
        n->used = 0;
        n->dedicated = 0;
        n->next = a->head;
        a->head = n;
        if (a->next_size < ARENA_MAXCHUNK)
            a->next_size *= 2;
        c = n;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

void *ik_arena_calloc(ik_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = ik_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *ik_arena_strndup(ik_arena *a, const char *p, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = ik_arena_alloc(a, len + 1);
    if (d == NULL)
        return NULL;
    if (len)
        memcpy(d, p, len);
    d[len] = '\0';
    return d;
}

ik_str ik_arena_strdup_str(ik_arena *a, ik_str s)
{
    ik_str r = { ik_arena_strndup(a, s.p, s.len), s.len };
    if (r.p == NULL)
        r.len = 0;
    return r;
}

ik_str ik_arena_strlower(ik_arena *a, ik_str s)
{
    char *d = ik_arena_strndup(a, s.p, s.len);
    if (d == NULL)
        return IK_STR_NULL;
    for (size_t i = 0; i < s.len; i++)
        if (d[i] >= 'A' && d[i] <= 'Z')
            d[i] = (char)(d[i] + 32);
    return ik_str_make(d, s.len);
}

char *ik_arena_printf(ik_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = ik_arena_alloc(a, (size_t)n + 1);
    if (d == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

ik_status ik_arena_defer(ik_arena *a, void (*fn)(void *), void *arg)
{
    cleanup *c = ik_arena_alloc(a, sizeof(*c));
    if (c == NULL)
        return IK_ENOMEM;
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return IK_OK;
}
