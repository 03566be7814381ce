/*
 * dkim_int.h - declarations shared inside src/lib/dkim only.
 */
#ifndef IK_DKIM_INT_H
#define IK_DKIM_INT_H

#include "inkan/dkim.h"

#include "dkim_shared.h"

#endif
