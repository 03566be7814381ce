/*
 * inkan/crypto.h - the thin layer over OpenSSL 3 (EVP) that DKIM,
 * DomainKeys and ARC use: streaming hashes, public keys as published in
 * DNS, signature verification and creation, private key files.
 *
 * Algorithms:
 *   rsa-sha256 / rsa-sha1: RSASSA-PKCS1-v1_5 over the digest (RFC 6376
 *     3.3.1 and 3.3.2, RFC 8017 8.2);
 *   ed25519-sha256: PureEdDSA (RFC 8032) whose *message* is the SHA-256
 *     digest of the signed data (RFC 8463 3).
 * So every verify and sign call takes a digest the caller computed with
 * ik_hash, and the caller never needs to know how each key type uses it.
 *
 * Public keys (RFC 6376 3.6.1 p=, RFC 8463 4.2): RSA keys are DER
 * SubjectPublicKeyInfo, and bare PKCS#1 RSAPublicKey is accepted too because
 * real records carry it (RFC 6376 erratum 3017); Ed25519 keys are the raw 32
 * bytes.
 *
 * Ownership: ik_hash and ik_pkey objects are "caller frees" (ik_*_free,
 * which accept NULL and return NULL), or belong to an arena when made with
 * the *_arena constructors (freed by an arena cleanup).  ik_pkey is
 * reference counted so that a key cache and any number of messages can
 * share one decoded key; the count is atomic.
 * Threads: an ik_hash belongs to one thread.  An ik_pkey is immutable after
 * construction and may be used by many threads at once.
 * Limits: IK_PKEY_MAX_DER bounds decoded key material; key files are read
 * only up to IK_PKEY_MAX_FILE bytes.
 */
#ifndef INKAN_CRYPTO_H
#define INKAN_CRYPTO_H

#include "arena.h"
#include "buf.h"
#include "common.h"

typedef enum ik_hash_alg { IK_HASH_SHA1 = 0, IK_HASH_SHA256 = 1 } ik_hash_alg;

#define IK_HASH_MAX_SIZE 32  /* SHA-256 */
#define IK_PKEY_MAX_DER 4096 /* bytes: an RSA-16384 SPKI is about 2.1 KB */
#define IK_PKEY_MAX_FILE 65536
#define IK_PKEY_MAX_SIG 2048 /* bytes of a signature: RSA-16384 */

/* Digest size in bytes: 20 or 32. */
IK_EXTERN size_t ik_hash_size(ik_hash_alg alg);
/* "sha1" / "sha256". */
IK_EXTERN const char *ik_hash_name(ik_hash_alg alg);

typedef struct ik_hash ik_hash;

/* New streaming hash (caller frees with ik_hash_free); NULL on OOM. */
IK_EXTERN ik_hash *ik_hash_new(const ik_allocator *al, ik_hash_alg alg);
/* As ik_hash_new, freed when a is freed or reset. */
IK_EXTERN ik_hash *ik_hash_new_arena(ik_arena *a, ik_hash_alg alg);
IK_EXTERN ik_hash *ik_hash_free(ik_hash *h);
IK_EXTERN ik_hash_alg ik_hash_get_alg(const ik_hash *h);
/* Starts over (after final, or to discard input). */
IK_EXTERN ik_status ik_hash_reset(ik_hash *h);
IK_EXTERN ik_status ik_hash_update(ik_hash *h, const void *p, size_t len);
/* Writes ik_hash_size() bytes to out.  The hash must be reset before reuse. */
IK_EXTERN ik_status ik_hash_final(ik_hash *h, unsigned char out[IK_HASH_MAX_SIZE]);
/* One-shot digest. */
IK_EXTERN ik_status ik_hash_digest(ik_hash_alg alg, const void *p, size_t len,
                                   unsigned char out[IK_HASH_MAX_SIZE]);

typedef enum ik_key_type { IK_KEY_RSA = 0, IK_KEY_ED25519 = 1 } ik_key_type;

typedef struct ik_pkey ik_pkey;

/*
 * Decodes a public key as published in a DKIM key record's p= (already
 * base64-decoded): for IK_KEY_RSA, DER SubjectPublicKeyInfo holding an RSA
 * key, or bare PKCS#1 RSAPublicKey; for IK_KEY_ED25519, exactly 32 raw bytes.
 * Trailing bytes after the DER are refused.  Returns IK_OK with *out
 * (caller frees), IK_ESYNTAX with *why set to static text, IK_ELIMIT for
 * oversize input, IK_ENOMEM.  al may be NULL; why may be NULL.
 */
IK_EXTERN ik_status ik_pkey_from_dkim(const ik_allocator *al, ik_key_type type,
                                      const unsigned char *der, size_t len, ik_pkey **out,
                                      const char **why);

/* Ed25519 private key from its 32-byte seed (RFC 8032 5.1.5). */
IK_EXTERN ik_status ik_pkey_from_ed25519_seed(const ik_allocator *al, const unsigned char seed[32],
                                              ik_pkey **out);

/*
 * Private key from PEM text: PKCS#1 ("RSA PRIVATE KEY"), PKCS#8
 * ("PRIVATE KEY", RSA or Ed25519).  Encrypted keys are refused (the library
 * never prompts).  On failure a reason is appended to why (may be NULL).
 */
IK_EXTERN ik_status ik_pkey_from_pem(const ik_allocator *al, const char *pem, size_t len,
                                     ik_pkey **out, ik_buf *why);

/*
 * Reads a private key file (see ik_pkey_from_pem).  The file must be a
 * regular file not accessible by group or others: otherwise IK_EINVAL with
 * a reason that says how to fix it ("... run: chmod 600 FILE").  IK_EIO for
 * unreadable files.  This is the only function of the library that opens a
 * file; it is meant for configuration loading and the CLI.
 */
IK_EXTERN ik_status ik_pkey_load_private(const ik_allocator *al, const char *path, ik_pkey **out,
                                         ik_buf *why);

/* New key pair: RSA of bits (1024..16384) or Ed25519 (bits ignored). */
IK_EXTERN ik_status ik_pkey_generate(const ik_allocator *al, ik_key_type type, unsigned bits,
                                     ik_pkey **out);

/* Adds a reference; returns k. */
IK_EXTERN ik_pkey *ik_pkey_ref(ik_pkey *k);
/* Drops a reference (frees at zero); accepts NULL; returns NULL. */
IK_EXTERN ik_pkey *ik_pkey_free(ik_pkey *k);
/* Hands one reference of k to arena a (dropped at free/reset).  On
 * IK_ENOMEM the reference is dropped at once. */
IK_EXTERN ik_status ik_pkey_give_arena(ik_arena *a, ik_pkey *k);

IK_EXTERN ik_key_type ik_pkey_type(const ik_pkey *k);
/* Modulus size for RSA, 256 for Ed25519. */
IK_EXTERN unsigned ik_pkey_bits(const ik_pkey *k);
IK_EXTERN int ik_pkey_has_private(const ik_pkey *k);

/*
 * The public key in DKIM p= form (before base64): SubjectPublicKeyInfo DER
 * for RSA, the raw 32 bytes for Ed25519.  Appended to out.
 */
IK_EXTERN ik_status ik_pkey_public_dkim(const ik_pkey *k, ik_buf *out);

/* PEM text of the private key (PKCS#8), appended to out: for key files. */
IK_EXTERN ik_status ik_pkey_private_pem(const ik_pkey *k, ik_buf *out);

/*
 * Verifies sig over digest (made with alg).  RSA: PKCS#1 v1.5 with alg's
 * DigestInfo; Ed25519: alg must be SHA-256 and the digest is the signed
 * message (RFC 8463 3).  Returns IK_OK with *valid 1 or 0; a malformed
 * signature is simply not valid.  IK_EINVAL for a key/alg mismatch,
 * IK_ENOMEM.
 */
IK_EXTERN ik_status ik_pkey_verify(const ik_pkey *k, ik_hash_alg alg, const unsigned char *digest,
                                   size_t dlen, const unsigned char *sig, size_t siglen,
                                   int *valid);

/*
 * Signs digest with the private key k; the signature is appended to out.
 * IK_EINVAL if k has no private part or alg does not suit it.
 */
IK_EXTERN ik_status ik_pkey_sign(const ik_pkey *k, ik_hash_alg alg, const unsigned char *digest,
                                 size_t dlen, ik_buf *out);

#endif
