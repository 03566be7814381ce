/*
 * dkim_int.h - declarations shared inside src/lib/dkim only.
 */
#ifndef IK_DKIM_INT_H
#define IK_DKIM_INT_H

#include "inkan/dkim.h"

#include "dkim_shared.h"

/*
 * The hash object of a hash tap, once ik_dkim_body_final has saved its
 * digest (ik_dkim_body_digest still answers): free for another use, such
 * as the signer's header hash, which saves setting up a context.  NULL
 * before final, after an error, or for a buffer tap.
 */
ik_hash *ik__dkim_body_tap_hash(ik_dkim_body *b, size_t tap);

#endif
