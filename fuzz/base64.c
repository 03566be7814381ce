/*
 * fuzz/base64.c - base64 decoder in both modes over arbitrary bytes; every
 * successful strict decode must re-encode to the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = ik_base64_decoded_max(size);
    unsigned char *out = malloc(cap + 1);
    if (out == NULL)
        return 0;
    size_t n;
    if (ik_base64_decode((const char *)data, size, IK_BASE64_STRICT, out, cap, &n) == IK_OK) {
        size_t elen = ik_base64_encoded_len(n);
        char *enc = malloc(elen + 1);
        if (enc != NULL) {
            size_t m = ik_base64_encode(out, n, enc, elen);
            if (m != size || memcmp(enc, data, size) != 0)
                abort(); /* strict decoding must be canonical */
            free(enc);
        }
    }
    (void)ik_base64_decode((const char *)data, size, IK_BASE64_TOLERANT, out, cap, &n);
    /* A too-small buffer must be refused, never overrun. */
    if (cap > 2)
        (void)ik_base64_decode((const char *)data, size, IK_BASE64_TOLERANT, out, cap - 2, &n);
    free(out);
    return 0;
}
