/*
 * dmarc_int.h - internals shared by the files of src/lib/dmarc.
 *
 * Ownership and threads as in inkan/dmarc.h.
 */
#ifndef IK_DMARC_INT_H
#define IK_DMARC_INT_H

#include "inkan/buf.h"
#include "inkan/dmarc.h"

/* Number of labels of a name without trailing dot ("" has 0). */
size_t ik__dmarc_labels(ik_str name);
/* The last n labels of name (a view into it). */
ik_str ik__dmarc_suffix(ik_str name, size_t n);
/* name equals suffix or ends with "." suffix (ASCII case-insensitive). */
int ik__dmarc_is_subdomain(ik_str name, ik_str suffix);

#endif
