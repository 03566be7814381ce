/*
 * verify_pipe.h - the whole inbound pipeline for bench/verify: SPF of the
 * MAIL FROM identity, DKIM, ARC and DMARC (RFC 9989) of one message in
 * memory, answered by a blocking resolver.
 *
 * Two implementations behind this one interface, picked by the build
 * (bench/CMakeLists.txt): verify_pipe_engines.c composes the protocol
 * engines (spf.h, dkim.h, arc.h, dmarc.h) the way a driver would, and
 * verify_pipe_ikverify.c calls the library's own composite engine
 * (inkan/verify.h) when the tree has it.
 *
 * Ownership: results live in the arena given to vp_verify.  Threads: a
 * vp_ctx may be shared (its caches lock); a call belongs to one thread.
 */
#ifndef IK_VERIFY_PIPE_H
#define IK_VERIFY_PIPE_H

#include "inkan/arc.h"
#include "inkan/arena.h"
#include "inkan/dkim.h"
#include "inkan/dmarc.h"
#include "inkan/dns.h"
#include "inkan/ip.h"
#include "inkan/spf.h"

#define VP_MAX_DKIM 16

typedef struct vp_ctx {
    ik_dkim_keycache *keys; /* decoded DKIM keys (NULL: none) */
    ik_spf_cache *spf;      /* parsed SPF records (NULL: none) */
    ik_dmarc_cache *dmarc;  /* parsed DMARC policies (NULL: none) */
    int64_t now;            /* clock for t=/x=; 0: real clock */
    int arc;                /* run ARC validation */
} vp_ctx;

typedef struct vp_result {
    ik_spf_result spf; /* IK_SPF_NONE when no client was given */
    size_t ndkim;
    ik_str dkim_domain[VP_MAX_DKIM];
    ik_dkim_result dkim[VP_MAX_DKIM];
    ik_dmarc_result dmarc;
    ik_dmarc_policy disposition;
    ik_str dmarc_reason;
    ik_arc_cv arc;
    ik_str arc_reason;
} vp_result;

/* Name of the implementation with the record caches ctx uses, for the
 * benchmark table. */
const char *vp_name(const vp_ctx *ctx);

/*
 * Verifies msg (CRLF line ends).  client NULL: no SPF (DMARC then sees SPF
 * none).  mailfrom: the reverse-path (empty = null sender).  Returns IK_OK
 * or the first engine error.
 */
ik_status vp_verify(const vp_ctx *ctx, ik_arena *a, const char *msg, size_t len,
                    const ik_ip *client, ik_str helo, ik_str mailfrom, ik_resolver *r,
                    vp_result *out);

#endif
