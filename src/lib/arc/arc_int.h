/*
 * arc_int.h - declarations shared inside src/lib/arc only: the collected
 * chain (RFC 8617 4.2, 5.2 steps 1-3) and the ARC-Seal hash (5.1.1), used
 * by both the verifier and the sealer.
 */
#ifndef IK_ARC_INT_H
#define IK_ARC_INT_H

#include "dkim/dkim_shared.h"
#include "inkan/arc.h"

enum { IK__ARC_AAR = 0, IK__ARC_AMS = 1, IK__ARC_AS = 2 };

/* One ARC header field as found in the message. */
typedef struct ik__arc_field {
    int kind;          /* IK__ARC_* */
    ik_str raw;        /* the field, no final CRLF */
    unsigned instance; /* 0 when it could not be read */
    int ok;            /* parsed completely */
    const char *why;   /* parse problem when !ok */
    ik_arc_sig sig;    /* AMS, AS */
    ik_ar aar;         /* AAR */
} ik__arc_field;

typedef struct ik__arc_chain {
    size_t nfields;     /* ARC fields seen (0: cv=none) */
    unsigned n;         /* highest readable instance */
    int newest_cv_fail; /* an AS of instance n says cv=fail (5.2 step 2) */
    int broken;         /* structure invalid (5.2 step 1 limit, step 3) */
    const char *why;    /* why broken */
    unsigned blame;     /* instance blamed, or 0 */
    /* By instance 1..n, valid when !broken. */
    ik__arc_field *set[IK_ARC_MAX_INSTANCES + 1][3];
} ik__arc_chain;

/*
 * Collects and checks the chain from the message's header fields (all of
 * them, in order).  Parses every ARC field.  IK_OK (whatever the chain's
 * state) or IK_ENOMEM.
 */
ik_status ik__arc_collect(ik_arena *a, const ik__dkim_hdr *hdrs, size_t nhdrs, unsigned flags,
                          ik__arc_chain *c);

/*
 * Feeds h with the ARC-Seal signing input (RFC 8617 5.1.1): for k in
 * 0..count-1 the relaxed forms of aar[k], ams[k], as[k], where the last
 * AS has [b_start, b_end) deleted and no final CRLF (RFC 6376 3.7).
 */
ik_status ik__arc_seal_hash(ik_hash *h, const ik_str *aar, const ik_str *ams, const ik_str *as,
                            unsigned count, size_t b_start, size_t b_end, ik_buf *scratch);

#endif
