/*
 * fuzz/dkim_key.c - DKIM key record parser (RFC 6376 3.6.1) over arbitrary
 * bytes, including p= decoding through OpenSSL.
 */
#include <stdint.h>
#include <stdlib.h>

#include "inkan/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_dkim_key k;
    ik_str why;
    if (ik_dkim_key_parse(a, ik_str_make((const char *)data, size), NULL, &k, &why) == IK_OK) {
        if (!k.revoked && (k.pkey == NULL || ik_pkey_type(k.pkey) != k.type))
            abort();
    }
    ik_arena_free(a);
    return 0;
}
