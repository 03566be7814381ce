/*
 * test_crypto.c - hashes, DKIM public key forms, verify/sign round trips,
 * private key PEM forms and the key-file permission check.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ik_test.h"
#include "inkan/base64.h"
#include "inkan/crypto.h"

/* RFC 6376 / RFC 8463 A.1 example RSA key (PKCS#1 PEM). */
static const char rfc_rsa_pem[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
    "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
    "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
    "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
    "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
    "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
    "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
    "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
    "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
    "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
    "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
    "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
    "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
    "-----END RSA PRIVATE KEY-----\n";
static const char rfc_rsa_p[] =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYL"
    "zBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
static const char rfc_ed_seed[] = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
static const char rfc_ed_pub[] = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

static ik_str b64(ik_arena *a, const char *s)
{
    ik_str out;
    ASSERT_OK(ik_base64_decode_arena(a, ik_str_c(s), IK_BASE64_TOLERANT, &out));
    return out;
}

static void hash_sha256_streams_in_any_split(void)
{
    static const unsigned char abc256[32] = { 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                              0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                              0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                              0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
    unsigned char d[IK_HASH_MAX_SIZE];
    ASSERT_OK(ik_hash_digest(IK_HASH_SHA256, "abc", 3, d));
    ASSERT_TRUE(memcmp(d, abc256, 32) == 0);
    ik_hash *h = ik_hash_new(NULL, IK_HASH_SHA256);
    ASSERT_TRUE(h != NULL);
    ASSERT_OK(ik_hash_update(h, "a", 1));
    ASSERT_OK(ik_hash_update(h, "", 0));
    ASSERT_OK(ik_hash_update(h, "bc", 2));
    ASSERT_OK(ik_hash_final(h, d));
    ASSERT_TRUE(memcmp(d, abc256, 32) == 0);
    ASSERT_OK(ik_hash_reset(h));
    ASSERT_OK(ik_hash_update(h, "abc", 3));
    ASSERT_OK(ik_hash_final(h, d));
    ASSERT_TRUE(memcmp(d, abc256, 32) == 0);
    ASSERT_TRUE(ik_hash_free(h) == NULL);
    ASSERT_EQ(ik_hash_size(IK_HASH_SHA1), 20);
    ik_arena *a = ik_arena_new(NULL);
    h = ik_hash_new_arena(a, IK_HASH_SHA1);
    ASSERT_TRUE(h != NULL);
    ASSERT_OK(ik_hash_update(h, "abc", 3));
    ASSERT_OK(ik_hash_final(h, d));
    ASSERT_EQ(d[0], 0xa9);
    ASSERT_EQ(d[19], 0x9d);
    ik_arena_free(a);
}

static void pkey_rsa_spki_and_pkcs1_forms_decode(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_str der = b64(a, rfc_rsa_p);
    ik_pkey *k;
    const char *why;
    ASSERT_OK(ik_pkey_from_dkim(NULL, IK_KEY_RSA, (const unsigned char *)der.p, der.len, &k, &why));
    ASSERT_EQ(ik_pkey_bits(k), 1024);
    ASSERT_EQ(ik_pkey_type(k), IK_KEY_RSA);
    ASSERT_FALSE(ik_pkey_has_private(k));
    ik_pkey_free(k);
    /* A 1024-bit SPKI has a 22-byte prefix before the PKCS#1 RSAPublicKey. */
    ASSERT_OK(ik_pkey_from_dkim(NULL, IK_KEY_RSA, (const unsigned char *)der.p + 22, der.len - 22,
                                &k, &why));
    ASSERT_EQ(ik_pkey_bits(k), 1024);
    ik_pkey_free(k);
    /* Truncated, trailing garbage, wrong type. */
    ASSERT_STATUS(
        ik_pkey_from_dkim(NULL, IK_KEY_RSA, (const unsigned char *)der.p, der.len - 1, &k, &why),
        IK_ESYNTAX);
    ASSERT_TRUE(k == NULL && why != NULL);
    unsigned char longer[512];
    memcpy(longer, der.p, der.len);
    longer[der.len] = 0;
    ASSERT_STATUS(ik_pkey_from_dkim(NULL, IK_KEY_RSA, longer, der.len + 1, &k, &why), IK_ESYNTAX);
    ASSERT_STATUS(ik_pkey_from_dkim(NULL, IK_KEY_RSA, (const unsigned char *)"", 0, &k, &why),
                  IK_ESYNTAX);
    ASSERT_STATUS(
        ik_pkey_from_dkim(NULL, IK_KEY_ED25519, (const unsigned char *)der.p, der.len, &k, &why),
        IK_ESYNTAX);
    static unsigned char huge[IK_PKEY_MAX_DER + 1];
    ASSERT_STATUS(ik_pkey_from_dkim(NULL, IK_KEY_RSA, huge, sizeof(huge), &k, &why), IK_ELIMIT);
    ik_arena_free(a);
}

static void pkey_ed25519_raw_only(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_str pub = b64(a, rfc_ed_pub);
    ik_pkey *k;
    ASSERT_OK(
        ik_pkey_from_dkim(NULL, IK_KEY_ED25519, (const unsigned char *)pub.p, pub.len, &k, NULL));
    ASSERT_EQ(ik_pkey_type(k), IK_KEY_ED25519);
    ik_pkey_free(k);
    ASSERT_STATUS(
        ik_pkey_from_dkim(NULL, IK_KEY_ED25519, (const unsigned char *)pub.p, 31, &k, NULL),
        IK_ESYNTAX);
    /* The SPKI-wrapped form (RFC 8463 4.2 says raw) is refused. */
    ik_str spki = b64(a, "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    ASSERT_STATUS(
        ik_pkey_from_dkim(NULL, IK_KEY_ED25519, (const unsigned char *)spki.p, spki.len, &k, NULL),
        IK_ESYNTAX);
    /* The seed of RFC 8032 7.1 test 1 derives the published key. */
    ik_str seed = b64(a, rfc_ed_seed);
    ASSERT_OK(ik_pkey_from_ed25519_seed(NULL, (const unsigned char *)seed.p, &k));
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ASSERT_OK(ik_pkey_public_dkim(k, &b));
    ASSERT_EQ(b.len, 32);
    ASSERT_TRUE(memcmp(b.p, pub.p, 32) == 0);
    ik_pkey_free(k);
    ik_arena_free(a);
}

static void sign_verify(ik_pkey *priv, ik_hash_alg alg)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_buf pubder, sig;
    ik_buf_init(&pubder, a, 0);
    ik_buf_init(&sig, a, 0);
    ASSERT_OK(ik_pkey_public_dkim(priv, &pubder));
    ik_pkey *pub;
    ASSERT_OK(ik_pkey_from_dkim(NULL, ik_pkey_type(priv), (const unsigned char *)pubder.p,
                                pubder.len, &pub, NULL));
    unsigned char d[IK_HASH_MAX_SIZE];
    ASSERT_OK(ik_hash_digest(alg, "message", 7, d));
    ASSERT_OK(ik_pkey_sign(priv, alg, d, ik_hash_size(alg), &sig));
    int ok = 0;
    ASSERT_OK(
        ik_pkey_verify(pub, alg, d, ik_hash_size(alg), (const unsigned char *)sig.p, sig.len, &ok));
    ASSERT_EQ(ok, 1);
    d[0] ^= 1;
    ASSERT_OK(
        ik_pkey_verify(pub, alg, d, ik_hash_size(alg), (const unsigned char *)sig.p, sig.len, &ok));
    ASSERT_EQ(ok, 0);
    d[0] ^= 1;
    ASSERT_OK(ik_pkey_verify(pub, alg, d, ik_hash_size(alg), (const unsigned char *)sig.p,
                             sig.len - 1, &ok));
    ASSERT_EQ(ok, 0);
    ASSERT_OK(ik_pkey_verify(pub, alg, d, ik_hash_size(alg), (const unsigned char *)"", 0, &ok));
    ASSERT_EQ(ok, 0);
    /* A public key cannot sign. */
    ASSERT_STATUS(ik_pkey_sign(pub, alg, d, ik_hash_size(alg), &sig), IK_EINVAL);
    ASSERT_OK(ik_pkey_give_arena(a, pub));
    ik_arena_free(a);
}

static void pkey_sign_verify_round_trips(void)
{
    ik_pkey *k;
    ASSERT_OK(ik_pkey_from_pem(NULL, rfc_rsa_pem, sizeof(rfc_rsa_pem) - 1, &k, NULL));
    ASSERT_TRUE(ik_pkey_has_private(k));
    sign_verify(k, IK_HASH_SHA256);
    sign_verify(k, IK_HASH_SHA1);
    ik_pkey_free(k);
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_ED25519, 0, &k));
    sign_verify(k, IK_HASH_SHA256);
    unsigned char d[20] = { 0 };
    ik_buf b;
    ik_buf_init_al(&b, NULL, 0);
    ASSERT_STATUS(ik_pkey_sign(k, IK_HASH_SHA1, d, 20, &b), IK_EINVAL);
    ik_buf_release(&b);
    ik_pkey_free(k);
}

static void pkey_private_pem_forms(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_pkey *k, *k2;
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_ED25519, 0, &k));
    ik_buf pem;
    ik_buf_init(&pem, a, 0);
    ASSERT_OK(ik_pkey_private_pem(k, &pem));
    ASSERT_TRUE(strstr(pem.p, "BEGIN PRIVATE KEY") != NULL); /* PKCS#8 */
    ASSERT_OK(ik_pkey_from_pem(NULL, pem.p, pem.len, &k2, NULL));
    ASSERT_EQ(ik_pkey_type(k2), IK_KEY_ED25519);
    ik_pkey_free(k2);
    ik_pkey_free(k);
    ik_buf why;
    ik_buf_init(&why, a, 0);
    ASSERT_STATUS(ik_pkey_from_pem(NULL, "garbage", 7, &k, &why), IK_ESYNTAX);
    ASSERT_TRUE(why.len > 0);
    ASSERT_TRUE(k == NULL);
    ik_arena_free(a);
}

static void keyfile_refuses_group_readable(void)
{
    char path[] = "/tmp/ik_test_keyXXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ(write(fd, rfc_rsa_pem, sizeof(rfc_rsa_pem) - 1), (long)sizeof(rfc_rsa_pem) - 1);
    close(fd);
    ASSERT_EQ(chmod(path, 0640), 0);
    ik_buf why;
    ik_buf_init_al(&why, NULL, 0);
    ik_pkey *k;
    ASSERT_STATUS(ik_pkey_load_private(NULL, path, &k, &why), IK_EINVAL);
    ASSERT_TRUE(strstr(why.p, "chmod 600") != NULL);
    ASSERT_TRUE(strstr(why.p, path) != NULL);
    ik_buf_reset(&why);
    ASSERT_EQ(chmod(path, 0600), 0);
    ASSERT_OK(ik_pkey_load_private(NULL, path, &k, &why));
    ASSERT_EQ(ik_pkey_bits(k), 1024);
    ik_pkey_free(k);
    unlink(path);
    ASSERT_STATUS(ik_pkey_load_private(NULL, path, &k, &why), IK_EIO);
    ik_buf_release(&why);
}

static void pkey_refcount_shares_one_key(void)
{
    ik_test_alloc t;
    ik_test_alloc_init(&t, -1);
    ik_pkey *k;
    ASSERT_OK(ik_pkey_generate(&t.al, IK_KEY_ED25519, 0, &k));
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_OK(ik_pkey_give_arena(a, ik_pkey_ref(k)));
    ik_pkey_free(k);
    ASSERT_EQ(ik_pkey_bits(k), 256); /* still alive: the arena holds it */
    ik_arena_free(a);
    ik_test_alloc_init(&t, 0);
    ASSERT_STATUS(ik_pkey_generate(&t.al, IK_KEY_ED25519, 0, &k), IK_ENOMEM);
}

/* Decoding a DKIM public key, hashing and verifying with allocation number n
 * failing for each n in turn: IK_ENOMEM, never a crash or a leak. */
static void pkey_and_hash_survive_allocation_failures(void)
{
    ik_pkey *priv;
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_RSA, 1024, &priv));
    ik_buf der;
    ik_buf_init_al(&der, NULL, 0);
    ASSERT_OK(ik_pkey_public_dkim(priv, &der));
    unsigned char digest[IK_HASH_MAX_SIZE], sig[512];
    ASSERT_OK(ik_hash_digest(IK_HASH_SHA256, "abc", 3, digest));
    ik_buf sb;
    ik_buf_init_al(&sb, NULL, 0);
    ASSERT_OK(ik_pkey_sign(priv, IK_HASH_SHA256, digest, 32, &sb));
    ASSERT_TRUE(sb.len <= sizeof(sig));
    memcpy(sig, sb.p, sb.len);
    size_t siglen = sb.len;
    ik_buf_release(&sb);
    long ok_at = -1;
    for (long fail = 0; fail < 100 && ok_at < 0; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_pkey *k = NULL;
        const char *why = NULL;
        ik_status st =
            ik_pkey_from_dkim(&ta.al, IK_KEY_RSA, (const unsigned char *)der.p, der.len, &k, &why);
        ik_hash *h = NULL;
        if (st == IK_OK)
            st = (h = ik_hash_new(&ta.al, IK_HASH_SHA256)) ? IK_OK : IK_ENOMEM;
        unsigned char out[IK_HASH_MAX_SIZE];
        if (st == IK_OK)
            st = ik_hash_update(h, "abc", 3);
        if (st == IK_OK)
            st = ik_hash_final(h, out);
        if (st == IK_OK) {
            ASSERT_EQ(memcmp(out, digest, 32), 0);
            int valid = 0;
            ASSERT_OK(ik_pkey_verify(k, IK_HASH_SHA256, out, 32, sig, siglen, &valid));
            ASSERT_TRUE(valid);
            ok_at = fail;
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
        }
        ik_hash_free(h);
        ik_pkey_free(k);
    }
    ASSERT_TRUE(ok_at > 0);
    ik_buf_release(&der);
    ik_pkey_free(priv);
}

/* DKIM public-key DER and PEM private keys over every prefix, a NUL at
 * each position and oversized input: IK_ESYNTAX or IK_ELIMIT, never a
 * read past the length (exact-size copies) or a leak. */
static void pkey_der_cb(const char *p, size_t n, void *ud)
{
    ik_key_type type = *(const ik_key_type *)ud;
    ik_pkey *k = NULL;
    const char *why = NULL;
    ik_status st = ik_pkey_from_dkim(NULL, type, (const unsigned char *)p, n, &k, &why);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(why != NULL && why[0] != '\0');
    ik_pkey_free(k);
}

static void pkey_pem_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_pkey *k = NULL;
    ik_status st = ik_pkey_from_pem(NULL, p, n, &k, NULL);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_EINVAL || st == IK_ELIMIT);
    ik_pkey_free(k);
}

static void pkey_parsers_hostile_input(void)
{
    ik_pkey *priv;
    ASSERT_OK(ik_pkey_generate(NULL, IK_KEY_RSA, 1024, &priv));
    ik_buf der, pem;
    ik_buf_init_al(&der, NULL, 0);
    ik_buf_init_al(&pem, NULL, 0);
    ASSERT_OK(ik_pkey_public_dkim(priv, &der));
    ASSERT_OK(ik_pkey_private_pem(priv, &pem));
    ik_key_type t = IK_KEY_RSA;
    ik_test_each_prefix(der.p, der.len, pkey_der_cb, &t);
    ik_test_each_nul(der.p, der.len, pkey_der_cb, &t);
    ik_test_oversized("\x30\x82", "\x01", 1u << 20, "", pkey_der_cb, &t);
    t = IK_KEY_ED25519;
    ik_test_each_prefix(der.p, 40, pkey_der_cb, &t);
    ik_test_oversized("", "\x01", 1u << 16, "", pkey_der_cb, &t);
    /* PEM: prefixes in steps (each is a full OpenSSL decode), NULs likewise. */
    for (size_t n = 0; n <= pem.len; n += n < 64 ? 1 : 29) {
        char *c = malloc(n ? n : 1);
        memcpy(c, pem.p, n);
        pkey_pem_cb(c, n, NULL);
        free(c);
    }
    ik_test_oversized("-----BEGIN PRIVATE KEY-----\n", "QUFB", 1u << 20,
                      "\n-----END PRIVATE KEY-----\n", pkey_pem_cb, NULL);
    ik_buf_release(&der);
    ik_buf_release(&pem);
    ik_pkey_free(priv);
}

int main(int argc, char **argv)
{
    static const ik_test_case cases[] = {
        IK_TEST_CASE(hash_sha256_streams_in_any_split),
        IK_TEST_CASE(pkey_rsa_spki_and_pkcs1_forms_decode),
        IK_TEST_CASE(pkey_ed25519_raw_only),
        IK_TEST_CASE(pkey_sign_verify_round_trips),
        IK_TEST_CASE(pkey_private_pem_forms),
        IK_TEST_CASE(keyfile_refuses_group_readable),
        IK_TEST_CASE(pkey_refcount_shares_one_key),
        IK_TEST_CASE(pkey_and_hash_survive_allocation_failures),
        IK_TEST_CASE(pkey_parsers_hostile_input),
    };
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
