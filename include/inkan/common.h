/*
 * inkan/common.h - status codes, string views and allocator hooks shared by
 * every libinkan module.
 *
 * Threading: everything here is either constant or per-object; there is no
 * global mutable state in libinkan.
 */
#ifndef INKAN_COMMON_H
#define INKAN_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define IK_EXTERN __attribute__((visibility("default")))
#define IK_PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define IK_NODISCARD __attribute__((warn_unused_result))
#else
#define IK_EXTERN
#define IK_PRINTFLIKE(f, a)
#define IK_NODISCARD
#endif

/*
 * One list generates the enum, ik_status_name() and ik_strerror(), so the
 * three can never disagree (the libuv UV_ERRNO_MAP idea).
 */
#define IK_STATUS_MAP(XX)                                                                          \
    XX(OK, 0, "success")                                                                           \
    XX(ENOMEM, -1, "out of memory")                                                                \
    XX(EINVAL, -2, "invalid argument")                                                             \
    XX(ESYNTAX, -3, "syntax error")                                                                \
    XX(ELIMIT, -4, "limit exceeded")                                                               \
    XX(EDNS_TEMP, -5, "temporary DNS failure")                                                     \
    XX(EDNS_PERM, -6, "permanent DNS failure")                                                     \
    XX(EAGAIN, -7, "DNS answers needed; resume after answering")                                   \
    XX(EIO, -8, "input/output error")                                                              \
    XX(ENOTFOUND, -9, "not found")                                                                 \
    XX(ESTATE, -10, "call not valid in this state")

typedef enum ik_status {
#define IK_STATUS_ENUM_(name, val, text) IK_##name = (val),
    IK_STATUS_MAP(IK_STATUS_ENUM_)
#undef IK_STATUS_ENUM_
} ik_status;

/* Static text for a status; never NULL. */
IK_EXTERN const char *ik_strerror(ik_status st);
/* "IK_ENOMEM" and so on; never NULL. */
IK_EXTERN const char *ik_status_name(ik_status st);

/*
 * A non-owning view of bytes.  Never assumed to be NUL-terminated; wire data
 * always travels as (p, len).
 */
typedef struct ik_str {
    const char *p;
    size_t len;
} ik_str;

#define IK_STR_NULL ((ik_str){ NULL, 0 })
/* Only for string literals: the length comes from sizeof. */
#define IK_STR_LIT(s) ((ik_str){ (s), sizeof(s) - 1 })

IK_EXTERN ik_str ik_str_make(const char *p, size_t len);
/* From a C string the caller vouches for (configuration, argv), not wire data. */
IK_EXTERN ik_str ik_str_c(const char *s);
IK_EXTERN int ik_str_eq(ik_str a, ik_str b);
/* ASCII case-insensitive equality. */
IK_EXTERN int ik_str_caseeq(ik_str a, ik_str b);
IK_EXTERN int ik_str_caseeq_c(ik_str a, const char *lit);
/* ASCII case-insensitive prefix test. */
IK_EXTERN int ik_str_casestarts(ik_str s, const char *lit);
/* Trim SP/HTAB/CR/LF at both ends. */
IK_EXTERN ik_str ik_str_trim(ik_str s);
/* Index of first byte c in s, or -1. */
IK_EXTERN long ik_str_chr(ik_str s, char c);
/*
 * Parse an unsigned decimal integer filling all of s; no sign, no spaces.
 * Returns IK_ESYNTAX for non-digits or empty input and IK_ELIMIT above max.
 */
IK_EXTERN ik_status ik_str_to_u64(ik_str s, uint64_t max, uint64_t *out);

/*
 * Allocator hooks, set per context; never process-wide.  free_fn accepts
 * NULL.  A NULL ik_allocator pointer anywhere means malloc/realloc/free.
 */
typedef struct ik_allocator {
    void *(*alloc_fn)(void *ud, size_t size);
    void *(*realloc_fn)(void *ud, void *p, size_t size);
    void (*free_fn)(void *ud, void *p);
    void *ud;
} ik_allocator;

IK_EXTERN void *ik_alloc(const ik_allocator *al, size_t size);
IK_EXTERN void *ik_realloc(const ik_allocator *al, void *p, size_t size);
IK_EXTERN void ik_free(const ik_allocator *al, void *p);

/*
 * Counters of a parsed-record cache (ik_spf_cache, ik_dmarc_cache), as a
 * consistent snapshot.
 */
typedef struct ik_cache_stats {
    uint64_t hits, misses;
    uint64_t inserts;
    uint64_t evictions;   /* dropped to stay within max_entries */
    uint64_t expirations; /* dropped because their TTL had passed */
    size_t entries;       /* held now */
} ik_cache_stats;

/* Log levels for the context logger (the library never writes to stderr). */
typedef enum ik_log_level { IK_LOG_DEBUG = 0, IK_LOG_INFO, IK_LOG_WARN, IK_LOG_ERROR } ik_log_level;

typedef void (*ik_log_fn)(void *ud, ik_log_level level, const char *module, const char *msg);

/* Coverage helpers in the SQLite manner: defensive branches. */
#define IK_ALWAYS(x) (x)
#define IK_NEVER(x) (x)

#endif
