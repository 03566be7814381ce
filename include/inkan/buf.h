/*
 * inkan/buf.h - growable byte buffer with a sticky error.
 *
 * In the vstring/sds mould, but a struct of its own, never a char* alias.
 * Appends after a failure are no-ops; check ik_buf_error() once at the end.
 * The content is always NUL-terminated for convenience, but the length is
 * authoritative and the content may itself contain NULs.
 *
 * Storage comes from an arena when one is given (then ik_buf_release is a
 * no-op), otherwise from the allocator (caller frees with ik_buf_release).
 */
#ifndef INKAN_BUF_H
#define INKAN_BUF_H

#include <stdarg.h>

#include "arena.h"
#include "common.h"

typedef struct ik_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max;      /* 0 = unlimited; beyond it the buffer fails with ELIMIT */
    ik_status err;   /* first error; sticky */
    ik_arena *arena; /* if set, storage comes from here */
    const ik_allocator *al;
} ik_buf;

IK_EXTERN void ik_buf_init(ik_buf *b, ik_arena *arena, size_t max);
IK_EXTERN void ik_buf_init_al(ik_buf *b, const ik_allocator *al, size_t max);
IK_EXTERN void ik_buf_release(ik_buf *b);
IK_EXTERN void ik_buf_reset(ik_buf *b);
IK_EXTERN void ik_buf_append(ik_buf *b, const void *p, size_t len);
IK_EXTERN void ik_buf_append_str(ik_buf *b, ik_str s);
IK_EXTERN void ik_buf_append_c(ik_buf *b, const char *s);
IK_EXTERN void ik_buf_putc(ik_buf *b, char c);
IK_EXTERN void ik_buf_printf(ik_buf *b, const char *fmt, ...) IK_PRINTFLIKE(2, 3);
IK_EXTERN void ik_buf_vprintf(ik_buf *b, const char *fmt, va_list ap);
/* Shortens the content to len bytes (no-op if already shorter). */
IK_EXTERN void ik_buf_truncate(ik_buf *b, size_t len);
/*
 * Room for add more octets (and the NUL after them) at the end of the
 * content, for a writer that knows a bound on its output: returns where
 * they go (borrowed, valid until the next call that grows b), or NULL with
 * the sticky error set.  Nothing counts as content until ik_buf_commit.
 */
IK_EXTERN char *ik_buf_reserve(ik_buf *b, size_t add);
/* Appends the n octets written at ik_buf_reserve's pointer (n <= add). */
IK_EXTERN void ik_buf_commit(ik_buf *b, size_t n);
IK_EXTERN ik_status ik_buf_error(const ik_buf *b);
IK_EXTERN ik_str ik_buf_str(const ik_buf *b);

#endif
