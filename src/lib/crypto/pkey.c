/*
 * pkey.c - public and private keys over EVP_PKEY: DKIM p= decoding,
 * PKCS#1 v1.5 and Ed25519 verification and signing (see inkan/crypto.h).
 *
 * RFC 6376 3.3 (RSA), RFC 8301 (algorithm and key-size policy is left to the
 * caller: this layer reports sizes and verifies), RFC 8463 3 and 4.2.
 *
 * Ownership: ik_pkey is reference counted (atomic), "caller frees".
 * Threads: an ik_pkey is immutable once built; EVP_PKEY objects may be used
 * concurrently for verify/sign.  Each call takes an operation context from
 * the key's small pool (under the key's mutex) or makes one, and puts it
 * back after: setting up an EVP_PKEY_CTX (provider fetches, padding and
 * digest parameters) costs a good part of an RSA-2048 verification, and a
 * key cache serves the same key to message after message.
 * OpenSSL's error queue is thread-local; every failure path clears it so
 * that stale errors never leak into a later, unrelated call.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto_int.h"
#include "inkan/crypto.h"

/* Idle contexts kept per key, operation and digest. */
#define PKEY_POOL 4

enum { OP_VERIFY, OP_SIGN, OP_COUNT };

typedef struct pkey_pool {
    void *ctx[PKEY_POOL]; /* EVP_PKEY_CTX (RSA) or EVP_MD_CTX (Ed25519) */
    size_t n;
} pkey_pool;

struct ik_pkey {
    EVP_PKEY *pk;
    ik_key_type type;
    unsigned bits;
    int has_private;
    atomic_uint refs;
    const ik_allocator *al;
    pthread_mutex_t mu;          /* guards pool */
    pkey_pool pool[OP_COUNT][2]; /* [operation][ik_hash_alg] */
};

ik_status ik__pkey_wrap(const ik_allocator *al, EVP_PKEY *pk, int has_private, ik_pkey **out)
{
    *out = NULL;
    int id = EVP_PKEY_get_base_id(pk);
    ik_key_type type;
    if (id == EVP_PKEY_RSA)
        type = IK_KEY_RSA;
    else if (id == EVP_PKEY_ED25519)
        type = IK_KEY_ED25519;
    else {
        EVP_PKEY_free(pk);
        return IK_EINVAL;
    }
    ik_pkey *k = ik_alloc(al, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pk);
        return IK_ENOMEM;
    }
    k->pk = pk;
    k->type = type;
    int bits = EVP_PKEY_get_bits(pk);
    k->bits = bits > 0 ? (unsigned)bits : 0;
    k->has_private = has_private;
    atomic_init(&k->refs, 1);
    k->al = al;
    memset(k->pool, 0, sizeof(k->pool));
    if (pthread_mutex_init(&k->mu, NULL) != 0) {
        EVP_PKEY_free(pk);
        ik_free(al, k);
        return IK_ENOMEM;
    }
    *out = k;
    return IK_OK;
}

static void set_why(const char **why, const char *text)
{
    if (why != NULL)
        *why = text;
}

ik_status ik_pkey_from_dkim(const ik_allocator *al, ik_key_type type, const unsigned char *der,
                            size_t len, ik_pkey **out, const char **why)
{
    *out = NULL;
    set_why(why, NULL);
    if (len > IK_PKEY_MAX_DER) {
        set_why(why, "public key data too long");
        return IK_ELIMIT;
    }
    EVP_PKEY *pk = NULL;
    if (type == IK_KEY_ED25519) {
        /* RFC 8463 4.2: the raw 32-byte public key, not SPKI-wrapped. */
        if (len != 32) {
            set_why(why, "ed25519 public key is not 32 bytes");
            return IK_ESYNTAX;
        }
        pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
        if (pk == NULL) {
            ERR_clear_error();
            set_why(why, "ed25519 public key rejected by OpenSSL");
            return IK_ESYNTAX;
        }
        return ik__pkey_wrap(al, pk, 0, out);
    }
    if (type != IK_KEY_RSA) {
        set_why(why, "unknown key type");
        return IK_EINVAL;
    }
    /* RFC 6376 3.6.1: SubjectPublicKeyInfo. */
    const unsigned char *p = der;
    pk = d2i_PUBKEY(NULL, &p, (long)len);
    if (pk != NULL && (p != der + len || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)) {
        int wrong_type = EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA;
        EVP_PKEY_free(pk);
        ERR_clear_error();
        set_why(why,
                wrong_type ? "public key is not an RSA key" : "trailing data after the public key");
        return IK_ESYNTAX;
    }
    if (pk == NULL) {
        /* Erratum 3017: some records carry a bare PKCS#1 RSAPublicKey. */
        ERR_clear_error();
        p = der;
        pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
        if (pk != NULL && p != der + len) {
            EVP_PKEY_free(pk);
            pk = NULL;
        }
    }
    if (pk == NULL) {
        ERR_clear_error();
        set_why(why, "public key data is not a valid RSA key");
        return IK_ESYNTAX;
    }
    return ik__pkey_wrap(al, pk, 0, out);
}

ik_status ik_pkey_from_ed25519_seed(const ik_allocator *al, const unsigned char seed[32],
                                    ik_pkey **out)
{
    *out = NULL;
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    if (pk == NULL) {
        ERR_clear_error();
        return IK_ENOMEM;
    }
    return ik__pkey_wrap(al, pk, 1, out);
}

ik_status ik_pkey_generate(const ik_allocator *al, ik_key_type type, unsigned bits, ik_pkey **out)
{
    *out = NULL;
    EVP_PKEY *pk;
    if (type == IK_KEY_RSA) {
        if (bits < 1024 || bits > 16384)
            return IK_EINVAL;
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    } else if (type == IK_KEY_ED25519) {
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    } else {
        return IK_EINVAL;
    }
    if (pk == NULL) {
        ERR_clear_error();
        return IK_ENOMEM;
    }
    return ik__pkey_wrap(al, pk, 1, out);
}

/* ---- operation contexts ------------------------------------------------- */

/*
 * Ed25519 has no reusable one-shot context in EVP: EVP_DigestSignInit and
 * EVP_DigestVerifyInit fetch the algorithm and bind the key on every call
 * (about 1 us, 4% of a signature).  A pooled pair keeps a prototype that
 * was initialised once; each operation copies it into the work context,
 * which costs less than a fresh init and leaves the prototype untouched.
 */
typedef struct ed_ctx {
    EVP_MD_CTX *proto;
    EVP_MD_CTX *work;
} ed_ctx;

static void ed_ctx_free(const ik_pkey *k, ed_ctx *e)
{
    if (e == NULL)
        return;
    EVP_MD_CTX_free(e->proto);
    EVP_MD_CTX_free(e->work);
    ik_free(k->al, e);
}

static ed_ctx *ed_ctx_new(ik_pkey *k, int op)
{
    ed_ctx *e = ik_alloc(k->al, sizeof(*e));
    if (e == NULL)
        return NULL;
    e->proto = EVP_MD_CTX_new();
    e->work = EVP_MD_CTX_new();
    int ok = e->proto != NULL && e->work != NULL
             && (op == OP_VERIFY ? EVP_DigestVerifyInit(e->proto, NULL, NULL, NULL, k->pk)
                                 : EVP_DigestSignInit(e->proto, NULL, NULL, NULL, k->pk))
                    == 1;
    if (!ok) {
        ed_ctx_free(k, e);
        ERR_clear_error();
        return NULL;
    }
    return e;
}

static void ctx_free(const ik_pkey *k, void *ctx)
{
    if (k->type == IK_KEY_ED25519)
        ed_ctx_free(k, ctx);
    else
        EVP_PKEY_CTX_free(ctx);
}

/*
 * An operation context for k: from the pool, or new.  RSA: an EVP_PKEY_CTX
 * initialized for op with PKCS#1 v1.5 padding and alg's digest, ready for
 * any number of EVP_PKEY_verify/EVP_PKEY_sign calls.  Ed25519: an ed_ctx
 * whose prototype is initialised for op.  NULL on OOM.
 */
static void *ctx_take(ik_pkey *k, int op, ik_hash_alg alg)
{
    pkey_pool *p = &k->pool[op][alg];
    void *ctx = NULL;
    pthread_mutex_lock(&k->mu);
    if (p->n > 0)
        ctx = p->ctx[--p->n];
    pthread_mutex_unlock(&k->mu);
    if (ctx != NULL)
        return ctx;
    if (k->type == IK_KEY_ED25519)
        return ed_ctx_new(k, op);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pk, NULL);
    if (c == NULL)
        return NULL;
    int ok = op == OP_VERIFY ? EVP_PKEY_verify_init(c) : EVP_PKEY_sign_init(c);
    if (ok != 1 || EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1
        || EVP_PKEY_CTX_set_signature_md(c, ik__crypto_md(alg)) != 1) {
        EVP_PKEY_CTX_free(c);
        ERR_clear_error();
        return NULL;
    }
    return c;
}

/* Returns a context after a completed operation (freed when the pool is
 * full). */
static void ctx_give(ik_pkey *k, int op, ik_hash_alg alg, void *ctx)
{
    pkey_pool *p = &k->pool[op][alg];
    pthread_mutex_lock(&k->mu);
    if (p->n < PKEY_POOL) {
        p->ctx[p->n++] = ctx;
        ctx = NULL;
    }
    pthread_mutex_unlock(&k->mu);
    if (ctx != NULL)
        ctx_free(k, ctx);
}

ik_pkey *ik_pkey_ref(ik_pkey *k)
{
    if (k != NULL)
        atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
    return k;
}

ik_pkey *ik_pkey_free(ik_pkey *k)
{
    if (k == NULL)
        return NULL;
    if (atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) == 1) {
        for (int op = 0; op < OP_COUNT; op++)
            for (int h = 0; h < 2; h++)
                for (size_t i = 0; i < k->pool[op][h].n; i++)
                    ctx_free(k, k->pool[op][h].ctx[i]);
        pthread_mutex_destroy(&k->mu);
        EVP_PKEY_free(k->pk);
        ik_free(k->al, k);
    }
    return NULL;
}

static void pkey_arena_cleanup(void *arg)
{
    ik_pkey_free(arg);
}

ik_status ik_pkey_give_arena(ik_arena *a, ik_pkey *k)
{
    ik_status st = ik_arena_defer(a, pkey_arena_cleanup, k);
    if (st != IK_OK)
        ik_pkey_free(k);
    return st;
}

ik_key_type ik_pkey_type(const ik_pkey *k)
{
    return k->type;
}

unsigned ik_pkey_bits(const ik_pkey *k)
{
    return k->bits;
}

int ik_pkey_has_private(const ik_pkey *k)
{
    return k->has_private;
}

ik_status ik_pkey_public_dkim(const ik_pkey *k, ik_buf *out)
{
    if (k->type == IK_KEY_ED25519) {
        unsigned char raw[64];
        size_t n = sizeof(raw);
        if (EVP_PKEY_get_raw_public_key(k->pk, raw, &n) != 1) {
            ERR_clear_error();
            return IK_ENOMEM;
        }
        ik_buf_append(out, raw, n);
        return ik_buf_error(out);
    }
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->pk, &der);
    if (n <= 0) {
        ERR_clear_error();
        return IK_ENOMEM;
    }
    ik_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    return ik_buf_error(out);
}

ik_status ik_pkey_private_pem(const ik_pkey *k, ik_buf *out)
{
    if (!k->has_private)
        return IK_EINVAL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return IK_ENOMEM;
    ik_status st = IK_ENOMEM;
    if (PEM_write_bio_PrivateKey(bio, k->pk, NULL, NULL, 0, NULL, NULL) == 1) {
        char *data;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0) {
            ik_buf_append(out, data, (size_t)n);
            st = ik_buf_error(out);
        }
    }
    BIO_free(bio);
    ERR_clear_error();
    return st;
}

/*
 * The pool is a cache inside an object the API calls immutable: it changes
 * nothing observable, and the mutex makes it safe to share, so the const
 * of the public functions is cast away here only.
 */
static ik_pkey *pkey_mut(const ik_pkey *k)
{
    return (ik_pkey *)(uintptr_t)k;
}

ik_status ik_pkey_verify(const ik_pkey *kc, ik_hash_alg alg, const unsigned char *digest,
                         size_t dlen, const unsigned char *sig, size_t siglen, int *valid)
{
    *valid = 0;
    if (alg != IK_HASH_SHA1 && alg != IK_HASH_SHA256)
        return IK_EINVAL;
    if (dlen != ik_hash_size(alg))
        return IK_EINVAL;
    ik_pkey *k = pkey_mut(kc);
    if (k->type == IK_KEY_ED25519) {
        /* RFC 8463 3: PureEdDSA over the SHA-256 digest; never SHA-1. */
        if (alg != IK_HASH_SHA256)
            return IK_EINVAL;
        if (siglen != 64)
            return IK_OK; /* malformed: not valid */
        ed_ctx *e = ctx_take(k, OP_VERIFY, alg);
        if (e == NULL)
            return IK_ENOMEM;
        if (EVP_MD_CTX_copy_ex(e->work, e->proto) != 1) {
            ed_ctx_free(k, e);
            ERR_clear_error();
            return IK_ENOMEM;
        }
        if (EVP_DigestVerify(e->work, sig, siglen, digest, dlen) == 1)
            *valid = 1;
        else
            ERR_clear_error();
        ctx_give(k, OP_VERIFY, alg, e);
        return IK_OK;
    }
    EVP_PKEY_CTX *c = ctx_take(k, OP_VERIFY, alg);
    if (c == NULL)
        return IK_ENOMEM;
    if (EVP_PKEY_verify(c, sig, siglen, digest, dlen) == 1)
        *valid = 1;
    else
        ERR_clear_error();
    ctx_give(k, OP_VERIFY, alg, c);
    return IK_OK;
}

ik_status ik_pkey_sign(const ik_pkey *kc, ik_hash_alg alg, const unsigned char *digest, size_t dlen,
                       ik_buf *out)
{
    if (alg != IK_HASH_SHA1 && alg != IK_HASH_SHA256)
        return IK_EINVAL;
    if (!kc->has_private || dlen != ik_hash_size(alg))
        return IK_EINVAL;
    ik_pkey *k = pkey_mut(kc);
    unsigned char sig[IK_PKEY_MAX_SIG];
    size_t siglen = sizeof(sig);
    ik_status st = IK_OK;
    if (k->type == IK_KEY_ED25519) {
        if (alg != IK_HASH_SHA256)
            return IK_EINVAL;
        ed_ctx *e = ctx_take(k, OP_SIGN, alg);
        if (e == NULL)
            return IK_ENOMEM;
        if (EVP_MD_CTX_copy_ex(e->work, e->proto) != 1
            || EVP_DigestSign(e->work, sig, &siglen, digest, dlen) != 1) {
            ed_ctx_free(k, e);
            st = IK_ENOMEM;
        } else {
            ctx_give(k, OP_SIGN, alg, e);
        }
    } else {
        if (k->bits / 8 > sizeof(sig))
            return IK_EINVAL;
        EVP_PKEY_CTX *c = ctx_take(k, OP_SIGN, alg);
        if (c == NULL)
            return IK_ENOMEM;
        if (EVP_PKEY_sign(c, sig, &siglen, digest, dlen) != 1) {
            EVP_PKEY_CTX_free(c);
            st = IK_ENOMEM;
        } else {
            ctx_give(k, OP_SIGN, alg, c);
        }
    }
    if (st != IK_OK) {
        ERR_clear_error();
        return st;
    }
    ik_buf_append(out, sig, siglen);
    return ik_buf_error(out);
}
