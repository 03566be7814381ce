/*
 * dk_int.h - declarations shared inside src/lib/domainkeys only.
 */
#ifndef IK_DK_INT_H
#define IK_DK_INT_H

#include "dkim/dkim_shared.h"
#include "inkan/domainkeys.h"

/*
 * Header fields, end-of-line stripping and d=/s= syntax are DKIM's
 * (dkim_shared.h: ik__dkim_hdr, ik__dkim_hdr_init, ik__dkim_hdr_push,
 * ik__dkim_strip_eol, ik__dkim_domain_ok); DomainKeys keeps fields the
 * same way.
 */
typedef ik__dkim_hdr ik__dk_hdr;

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
