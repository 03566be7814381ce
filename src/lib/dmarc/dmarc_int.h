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

/*
 * Starts the evaluation d over with new inputs (p, auth; borrowed as by
 * ik_dmarc_new), keeping its question table: the answers already there
 * and the records parsed from them serve the new run, so an early run
 * that only asked the policy questions costs nothing twice.  The Author
 * Domains stay.  IK_OK; IK_ESTATE when d cannot be reused (an error, the
 * question limit reached, or parameters that change which questions or
 * parses apply): make a new evaluation instead; IK_EINVAL; IK_ENOMEM.
 */
ik_status ik__dmarc_restart(ik_dmarc *d, const ik_dmarc_params *p, const ik_dmarc_auth *auth);

/*
 * The parsed-policy cache (cache.c).  get: *hit set when (qname, text,
 * flags) is held and fresh; then *st is the parse status (IK_OK with *rec,
 * or IK_ESYNTAX with *problem), and the entry is held until arena a is
 * reset (IK_ENOMEM when that cleanup cannot be registered).  put: stores a
 * parse result (IK_OK or IK_ESYNTAX) for ttl seconds; failures to store
 * are silent (the cache is an optimization).
 */
ik_status ik__dmarc_cache_get(ik_dmarc_cache *c, ik_arena *a, ik_str qname, ik_str text,
                              unsigned flags, int *hit, ik_status *st, const ik_dmarc_record **rec,
                              ik_str *problem);
void ik__dmarc_cache_put(ik_dmarc_cache *c, ik_str qname, ik_str text, unsigned flags, uint32_t ttl,
                         ik_status st, const ik_dmarc_record *rec, ik_str problem);

#endif
