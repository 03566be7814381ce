/*
 * verify_int.h - internals of the composite verifier (src/lib/verify).
 *
 * Three parts: memo.c merges and deduplicates the DNS questions of all
 * engines (one question per (name, type) per message, answers shared),
 * verify.c feeds the engines and runs them as answers arrive, authres.c
 * builds the Authentication-Results field from their outcomes.
 * Ownership: everything in the verifier's arena.  Threads: one verifier
 * per thread at a time.
 */
#ifndef IK_VERIFY_INT_H
#define IK_VERIFY_INT_H

#include "inkan/buf.h"
#include "inkan/verify.h"

/* ---- the question memo (memo.c) ------------------------------------------ */

#define IK__VERIFY_MEMO_BUCKETS 64

typedef struct ik__verify_q {
    ik_str name; /* lowercase, no trailing dot */
    uint16_t type;
    ik_dns_query *dq;             /* the question handed to the driver */
    ik_dns_answer *answer;        /* once the driver answered */
    struct ik__verify_q *hnext;   /* hash chain */
    struct ik__verify_q *outnext; /* outstanding list */
} ik__verify_q;

typedef struct ik__verify_memo {
    ik_arena *a;
    ik__verify_q *bucket[IK__VERIFY_MEMO_BUCKETS];
    ik__verify_q *outstanding; /* handed out (or about to be), unanswered */
    ik_dns_query *outbox;      /* new questions not yet handed out */
    ik_dns_query *outbox_tail;
    size_t count;
} ik__verify_memo;

void ik__verify_memo_init(ik__verify_memo *m, ik_arena *a);
/*
 * Answers what it can of an engine's list from the memo and registers the
 * rest as questions for the driver.  *unanswered counts the engine's
 * queries still without an answer.  IK_OK or IK_ENOMEM.
 */
ik_status ik__verify_memo_fill(ik__verify_memo *m, ik_dns_query *list, size_t *unanswered);
/* Takes the driver's answers into the memo; returns how many arrived. */
size_t ik__verify_memo_absorb(ik__verify_memo *m);
/* Hands out the new questions (and forgets them as new). */
ik_dns_query *ik__verify_memo_take(ik__verify_memo *m);
int ik__verify_memo_waiting(const ik__verify_memo *m);

/* ---- the verifier ---------------------------------------------------------- */

typedef enum ik__verify_kind {
    K_IPREV = 0,
    K_SPF,
    K_SENDERID,
    K_DKIM,
    K_DK,
    K_ARC,
    K_PRE_DMARC, /* a throw-away DMARC run at eoh: asks the policy early */
    K_PRE_ADSP,  /* the same for ADSP */
    K_ADSP,
    K_DMARC,
    K_NKINDS
} ik__verify_kind;

typedef struct ik__verify_slot {
    int started;  /* the engine exists */
    int runnable; /* its step may be called (DKIM & co: after eom) */
    int done;
    ik_dns_query *pending; /* the engine's list from its last IK_EAGAIN */
} ik__verify_slot;

enum { VS_NEW, VS_CONNECTED, VS_MAILFROM, VS_HEADERS, VS_BODY, VS_EOM, VS_DONE };

struct ik_verify {
    ik_arena *a;
    ik_verify_config cfg;
    unsigned methods; /* effective (with the implied ones) */
    int state;        /* VS_* */
    ik_status err;    /* sticky */
    ik__verify_memo memo;
    ik__verify_slot slot[K_NKINDS];

    /* connection */
    int has_client, has_mailfrom;
    ik_ip client;
    char client_text[IK_IP_TEXT_MAX];
    ik_str helo, mailfrom;

    /* header section */
    ik_buf hbuf;
    size_t nfed;
    ik_hdr_field *fields;
    size_t nfields;
    size_t *forged;
    size_t nforged;
    ik_dmarc_from from;
    /* ik_verify_message: the fields it split (arena) and the header
     * section they came from (borrowed for the call), so eoh need not
     * split the same bytes again. */
    ik_hdr_field *msg_fields;
    size_t msg_nfields;
    const char *msg_head;
    size_t msg_headlen;

    /* engines */
    ik_iprev *iprev;
    ik_spf_params spf_params;
    ik_spf *spf;
    ik_senderid_params sid_params;
    ik_senderid *sid;
    ik_dkim_verifier *dkim;
    ik_dk_verifier *dk;
    ik_arc_verifier *arc;
    ik_dmarc *pre_dmarc;
    ik_adsp *pre_adsp;
    ik_adsp *adsp;
    ik_adsp_outcome adsp_local; /* when ADSP could not be asked */
    const ik_adsp_outcome *adsp_out;
    ik_dmarc_params dmarc_params;
    ik_dmarc_auth dmarc_auth;
    ik_dmarc *dmarc;
    unsigned arc_trusted;

    /* output */
    ik_ar ar;
    ik_str authres, payload;
};

/* Builds v->ar, v->authres and v->payload (authres.c). */
ik_status ik__verify_build_authres(ik_verify *v);

#endif
