/*
 * inkan/arena.h - region allocator: one per message or evaluation.
 *
 * Everything allocated for one message comes from its arena and is released
 * in one step by ik_arena_free().  Single objects are never freed.  Cleanups
 * (an OpenSSL key, say) can be registered and run, newest first, when the
 * arena is freed or reset.
 *
 * Ownership: the arena owns every block it returns ("arena" in function
 * comments).  Threads: an arena belongs to one thread at a time.
 * Limits: ik_arena_set_limit() caps the total bytes an arena may hand out,
 * so hostile input cannot grow one message without bound.
 */
#ifndef INKAN_ARENA_H
#define INKAN_ARENA_H

#include "common.h"

typedef struct ik_arena ik_arena;

/* Returns a new arena (caller frees with ik_arena_free), or NULL on OOM. */
IK_EXTERN ik_arena *ik_arena_new(const ik_allocator *al);
/* Frees everything; accepts NULL; returns NULL. */
IK_EXTERN ik_arena *ik_arena_free(ik_arena *a);
/* Runs cleanups and drops all blocks but keeps one (the largest ordinary
 * chunk, at most 64 KiB) for reuse. */
IK_EXTERN void ik_arena_reset(ik_arena *a);
/* 0 means unlimited (the default). */
IK_EXTERN void ik_arena_set_limit(ik_arena *a, size_t max_bytes);
/* Bytes handed out so far. */
IK_EXTERN size_t ik_arena_used(const ik_arena *a);

/* Aligned for any type; NULL on OOM or over the limit. */
IK_EXTERN void *ik_arena_alloc(ik_arena *a, size_t size);
/* Zero-filled. */
IK_EXTERN void *ik_arena_calloc(ik_arena *a, size_t n, size_t size);
/* Copy of p[0..len) plus a NUL; NULL on OOM. */
IK_EXTERN char *ik_arena_strndup(ik_arena *a, const char *p, size_t len);
/* Copy of a view into the arena (NUL-terminated too); .p NULL on OOM. */
IK_EXTERN ik_str ik_arena_strdup_str(ik_arena *a, ik_str s);
/* ASCII-lowercased copy. */
IK_EXTERN ik_str ik_arena_strlower(ik_arena *a, ik_str s);
/* printf into the arena; NULL on OOM. */
IK_EXTERN char *ik_arena_printf(ik_arena *a, const char *fmt, ...) IK_PRINTFLIKE(2, 3);

/* Registers fn(arg) to run at free/reset. IK_ENOMEM if it cannot. */
IK_EXTERN ik_status ik_arena_defer(ik_arena *a, void (*fn)(void *), void *arg);

#endif
