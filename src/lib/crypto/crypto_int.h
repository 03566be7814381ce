/*
 * crypto_int.h - declarations shared inside src/lib/crypto only.
 */
#ifndef IK_CRYPTO_INT_H
#define IK_CRYPTO_INT_H

#include <openssl/evp.h>

#include "inkan/crypto.h"

/* Wraps pk (ownership passes, also on failure) into a new ik_pkey. */
ik_status ik__pkey_wrap(const ik_allocator *al, EVP_PKEY *pk, int has_private, ik_pkey **out);

/* The digest for alg, fetched once per process (see hash.c). */
const EVP_MD *ik__crypto_md(ik_hash_alg alg);

#endif
