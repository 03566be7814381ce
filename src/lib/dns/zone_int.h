/*
 * zone_int.h - what the zone store (zone.c) shares with the master-file
 * reader (zone_parse.c).  Private to src/lib/dns.
 */
#ifndef IK_ZONE_INT_H
#define IK_ZONE_INT_H

#include "inkan/zone.h"

/* The allocator the zone was made with (NULL = malloc). */
const ik_allocator *ik__zone_allocator(const ik_zone *z);
/* Whether $INCLUDE may open files (ik_zone_allow_include). */
int ik__zone_include_allowed(const ik_zone *z);

#endif
