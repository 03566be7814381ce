/*
 * dk_int.h - declarations shared inside src/lib/domainkeys only.
 */
#ifndef IK_DK_INT_H
#define IK_DK_INT_H

#include "inkan/domainkeys.h"

/* A header field as kept by the verifier and the signer. */
typedef struct ik__dk_hdr {
    ik_str raw;  /* whole field without the final CRLF (arena copy) */
    ik_str name; /* view into raw: before ':', trailing WSP removed */
} ik__dk_hdr;

/* Splits raw into name; IK_ESYNTAX without a ':' or with an empty name. */
ik_status ik__dk_hdr_init(ik__dk_hdr *h, ik_str raw);

/* Strips one final CRLF (or LF) from a raw field. */
ik_str ik__dk_strip_eol(ik_str field);

/* Appends a copy of raw to a growing header array (arena). */
ik_status ik__dk_hdr_push(ik_arena *a, ik__dk_hdr **arr, size_t *n, size_t *cap, ik_str raw);

/* RFC 1035 / RFC 5321 sub-domain syntax; selectors may hold "_". */
int ik__dk_domain_ok(ik_str d, int selector);

/* d is sub equal to dom or a subdomain of it (ASCII case-insensitive). */
int ik__dk_domain_within(ik_str sub, ik_str dom);

/*
 * Picks the signed header fields for a signature at index sigpos (only
 * fields below it count), per the rules at the top of domainkeys.h.
 * out receives indexes into hdrs (arena array, *nout of them).
 */
ik_status ik__dk_select(ik_arena *a, const ik__dk_hdr *hdrs, size_t nhdrs, size_t first,
                        const ik_str *names, size_t nnames, int has_h, size_t **out, size_t *nout);

/*
 * The signing address among the selected fields (RFC 4870 3.2: Sender if
 * present, else From).  Of several instances the last selected one counts,
 * as in Mail::DKIM.  *which is "sender" or "from".  IK_ENOTFOUND when
 * neither is selected or holds no address.
 */
ik_status ik__dk_identity(ik_arena *a, const ik__dk_hdr *hdrs, const size_t *sel, size_t nsel,
                          ik_str *addr, ik_str *local, ik_str *domain, const char **which);

/* The value of a field (after ':'). */
ik_str ik__dk_hdr_value(const ik__dk_hdr *h);

#endif
