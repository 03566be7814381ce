/*
 * inkan/senderid.h - Sender ID (RFC 4406) and the Purported Responsible
 * Address (RFC 4407).  Historic protocols, implemented completely; the
 * daemon keeps them off by default.
 *
 * Two parts:
 *  - ik_pra_select(): the PRA algorithm of RFC 4407 section 2 over the
 *    fields of a header section (header.h).  Pure; no DNS.
 *  - ik_senderid_new()/ik_senderid_run(): the Sender ID check of RFC 4406
 *    section 4, which is the SPF evaluator (spf.h) run with a scope ("pra"
 *    or "mfrom") and Sender ID record selection (spf2.0/<scopes> records
 *    first, else v=spf1 read as spf2.0/mfrom,pra, RFC 4406 3.4 and 4.4).
 *    Resumable like spf.h: IK_EAGAIN with DNS questions, answer them, call
 *    run again.  ik_senderid_check() is the blocking convenience.
 *
 * Results use the SPF keywords (RFC 4406 4.2): none, neutral, pass, fail,
 * softfail, temperror, permerror.  When no PRA can be determined (RFC 4407
 * 2 step 6: "the message is ill-formed") the verdict is permerror without
 * any DNS query: the message itself, not a DNS record, is at fault, and no
 * retry can change it.  RFC 4406 4 asks an MTA to reject such a message
 * with "550 5.7.1 Missing Purported Responsible Address"; the reason is in
 * outcome->pra.
 *
 * Ownership: everything lives in the arena given to the call.
 * Threads: one check belongs to one thread at a time; no global state.
 */
#ifndef INKAN_SENDERID_H
#define INKAN_SENDERID_H

#include <time.h>

#include "address.h"
#include "arena.h"
#include "common.h"
#include "dns.h"
#include "header.h"
#include "ip.h"
#include "spf.h"

/* Why ik_pra_select() found a PRA or did not (RFC 4407 section 2). */
typedef enum ik_pra_reason {
    IK_PRA_FOUND = 0,          /* step 5: a single well-formed mailbox */
    IK_PRA_NO_FROM,            /* step 4 -> 6: no non-empty From field */
    IK_PRA_MULTIPLE_FROM,      /* step 4 -> 6: more than one non-empty From */
    IK_PRA_MULTIPLE_SENDER,    /* step 3 -> 6: more than one non-empty Sender */
    IK_PRA_MULTIPLE_MAILBOXES, /* step 5 -> 6: the field holds several */
    IK_PRA_NO_DOMAIN,          /* step 5 -> 6: no domain name (a literal) */
    IK_PRA_AMBIGUOUS,          /* step 5 -> 6: more than one reading
                                  (address.h, IK_ADDR_F_AMBIGUOUS) */
    IK_PRA_MALFORMED           /* step 5 -> 6: "hopelessly malformed" */
} ik_pra_reason;

/* "found", "no-from", "multiple-from", ...; never NULL. */
IK_EXTERN const char *ik_pra_reason_name(ik_pra_reason r);

typedef struct ik_pra {
    ik_pra_reason reason;
    unsigned step;       /* step (1..4) that selected the field, 0 if none */
    size_t field_index;  /* index of the selected field; nfields if none */
    ik_str field_name;   /* "resent-sender", "resent-from", "sender" or
                             "from" (static text); empty if none selected */
    ik_mailbox mailbox;  /* the PRA; valid when reason == IK_PRA_FOUND */
    unsigned addr_flags; /* IK_ADDR_F_* of the selected field's parse */
    ik_str problem;      /* why there is no PRA (arena); empty if found */
} ik_pra;

/*
 * Determines the PRA of a header section (RFC 4407 section 2).  fields
 * (borrowed) are in header order, topmost first, as ik_hdr_parse_block()
 * returns them.  Selected fields are parsed in lenient mode (address.h):
 * Sender and Resent-Sender as one mailbox, From and Resent-From as a
 * mailbox list that must hold exactly one.  Returns IK_OK whether or not a
 * PRA was found (see out->reason); IK_ENOMEM or IK_EINVAL otherwise.
 */
IK_EXTERN ik_status ik_pra_select(ik_arena *a, const ik_hdr_field *fields, size_t nfields,
                                  ik_pra *out);

typedef struct ik_senderid_params {
    ik_spf_scope scope;         /* IK_SPF_SCOPE_PRA or IK_SPF_SCOPE_MFROM */
    ik_ip ip;                   /* client address */
    ik_str helo;                /* HELO/EHLO argument */
    ik_str mailfrom;            /* mfrom scope: MAIL FROM address; empty =
                                   null reverse-path (postmaster@helo) */
    const ik_hdr_field *fields; /* pra scope: the header section (borrowed;
                                   must outlive the check) */
    size_t nfields;
    ik_str receiver;       /* %{r}; empty = "unknown" */
    ik_str default_exp;    /* as in ik_spf_params */
    time_t now;            /* %{t}; 0 = now */
    unsigned max_dns_mech; /* 0 = defaults, as in ik_spf_params */
    unsigned max_void;
    unsigned max_names;
} ik_senderid_params;

typedef struct ik_senderid_outcome {
    ik_spf_result result; /* RFC 4406 4.2 keywords via ik_spf_result_name */
    ik_spf_scope scope;
    ik_pra pra;         /* pra scope: the selection and its reason */
    ik_str identity;    /* the address checked; empty when no PRA */
    ik_str problem;     /* errors: what was wrong */
    int evaluated;      /* nonzero when the SPF evaluator ran */
    ik_spf_outcome spf; /* the evaluator's outcome when evaluated */
} ik_senderid_outcome;

typedef struct ik_senderid ik_senderid;

/*
 * Starts a check.  For the pra scope the PRA is selected here.  Returns
 * IK_OK, IK_EINVAL (scope is HELO, or fields missing for pra) or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_senderid_new(ik_arena *a, const ik_senderid_params *p, ik_senderid **out);

/*
 * Runs until done (IK_OK; outcome ready) or until DNS is needed
 * (IK_EAGAIN; answer every query in *pending, then call again).  Other
 * statuses are resource problems or misuse, as in ik_spf_run().
 */
IK_EXTERN ik_status ik_senderid_run(ik_senderid *s, ik_dns_query **pending);

/* The verdict; valid after ik_senderid_run() returned IK_OK. */
IK_EXTERN const ik_senderid_outcome *ik_senderid_outcome_get(const ik_senderid *s);

/* Blocking convenience: new + run loop with a resolver. */
IK_EXTERN ik_status ik_senderid_check(ik_arena *a, const ik_senderid_params *p, ik_resolver *r,
                                      ik_senderid_outcome *out);

/*
 * The sender-id method of Authentication-Results (RFC 8601 2.7.2, ptype
 * header with the selected field's name as property):
 * "sender-id=pass header.from=user@example.com", or
 * "... header.resent-sender=...".  For the mfrom scope the property is
 * smtp.mailfrom.  Without a PRA: "sender-id=permerror (no purported
 * responsible address: ...)".  An address too long to report (over 1024
 * octets) is left out with a comment, and a problem comment is cut, so the
 * text stays under 8 KiB.  Arena string; .p NULL only on OOM.
 */
IK_EXTERN ik_str ik_senderid_authres(ik_arena *a, const ik_senderid_outcome *o);

#endif
