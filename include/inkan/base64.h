/*
 * inkan/base64.h - base64 (RFC 4648 section 4) encoding and decoding.
 *
 * Two decoding modes:
 *   strict   - the whole input is base64 alphabet with correct "=" padding,
 *              a length that is a multiple of 4 and zero pad bits
 *              (RFC 4648 3.5 canonical encoding);
 *   tolerant - whitespace (SP, HTAB, CR, LF) anywhere is skipped and the
 *              final padding may be missing, as DKIM needs for b=, bh= and
 *              p=, whose grammar (RFC 6376 2.4 base64string) allows FWS
 *              between characters and ends "[ [FWS] "=" [ [FWS] "=" ] ]".
 *              Non-zero pad bits are still accepted here (keys in DNS have
 *              them now and then; they do not change the decoded bytes).
 * Both modes reject any other byte, data after padding, and a lone final
 * character (6 bits cannot form a byte).
 *
 * Ownership: the caller supplies output space, or the output is arena
 * memory.  Threads: no state.  Limits: none beyond size_t arithmetic, which
 * is checked.
 */
#ifndef INKAN_BASE64_H
#define INKAN_BASE64_H

#include "arena.h"
#include "buf.h"
#include "common.h"

enum {
    IK_BASE64_STRICT = 0,
    /* Skip SP/HTAB/CR/LF and allow missing padding. */
    IK_BASE64_TOLERANT = 1 << 0
};

/* Upper bound of the decoded size of len input characters. */
IK_EXTERN size_t ik_base64_decoded_max(size_t len);
/* Exact encoded size (with padding) of len bytes; SIZE_MAX on overflow. */
IK_EXTERN size_t ik_base64_encoded_len(size_t len);

/*
 * Decodes in[0..len) into out[0..cap).  *outlen receives the decoded size.
 * Returns IK_OK, IK_ESYNTAX (bad character, bad padding, truncated) or
 * IK_ELIMIT (cap too small; ik_base64_decoded_max(len) is always enough).
 * On error out may hold partial data.  Borrowed input, caller's output.
 */
IK_EXTERN ik_status ik_base64_decode(const char *in, size_t len, unsigned flags, unsigned char *out,
                                     size_t cap, size_t *outlen);

/* As ik_base64_decode, into arena memory (*out is NUL-terminated too). */
IK_EXTERN ik_status ik_base64_decode_arena(ik_arena *a, ik_str in, unsigned flags, ik_str *out);

/*
 * Encodes in[0..len) with padding into out[0..cap) (no NUL added).
 * Returns the number of characters written, or 0 if cap is too small
 * (for len > 0).
 */
IK_EXTERN size_t ik_base64_encode(const void *in, size_t len, char *out, size_t cap);

/* Appends the encoding of in[0..len) to b (sticky errors as ik_buf). */
IK_EXTERN void ik_base64_encode_buf(ik_buf *b, const void *in, size_t len);

#endif
