/*
 * fuzz.h - helpers for the fuzz targets: an invariant check that aborts
 * (libFuzzer and the replayer report the input), and an exact-size heap
 * copy of the input, so that ASan reports any read past its length.
 */
#ifndef IK_FUZZ_H
#define IK_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void check(int cond)
{
    if (!cond)
        abort();
}

/* malloc'd copy of exactly size bytes (free it); never NULL. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    check(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    return copy;
}

#endif
