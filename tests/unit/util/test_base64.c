/*
 * test_base64.c - base64 strict and tolerant decoding, encoding, bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "ik_test.h"
#include "inkan/base64.h"

static void dec(const char *in, unsigned flags, ik_status want, const char *out)
{
    unsigned char buf[128];
    size_t n = 12345;
    ik_status st = ik_base64_decode(in, strlen(in), flags, buf, sizeof(buf), &n);
    if (st != want)
        IK_TEST_FAIL_("decode \"%s\" flags %u: got %s, want %s", in, flags, ik_status_name(st),
                      ik_status_name(want));
    if (st == IK_OK && (n != strlen(out) || memcmp(buf, out, n) != 0))
        IK_TEST_FAIL_("decode \"%s\": got \"%.*s\", want \"%s\"", in, (int)n, buf, out);
}

static void base64_rfc4648_vectors_roundtrip(void)
{
    static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (size_t i = 0; i < 7; i++) {
        char out[32];
        size_t n = ik_base64_encode(plain[i], strlen(plain[i]), out, sizeof(out));
        ASSERT_EQ(n, strlen(enc[i]));
        ASSERT_TRUE(memcmp(out, enc[i], n) == 0);
        ASSERT_EQ(ik_base64_encoded_len(strlen(plain[i])), n);
        dec(enc[i], IK_BASE64_STRICT, IK_OK, plain[i]);
        dec(enc[i], IK_BASE64_TOLERANT, IK_OK, plain[i]);
    }
}

static void base64_strict_rejects_noncanonical_input(void)
{
    dec("Zg", IK_BASE64_STRICT, IK_ESYNTAX, NULL);        /* missing padding */
    dec("Zg=", IK_BASE64_STRICT, IK_ESYNTAX, NULL);       /* short padding */
    dec("Zh==", IK_BASE64_STRICT, IK_ESYNTAX, NULL);      /* non-zero pad bits */
    dec("Zm9v Yg==", IK_BASE64_STRICT, IK_ESYNTAX, NULL); /* whitespace */
    dec("Zm9v\r\n", IK_BASE64_STRICT, IK_ESYNTAX, NULL);
    dec("Z", IK_BASE64_STRICT, IK_ESYNTAX, NULL);
    dec("====", IK_BASE64_STRICT, IK_ESYNTAX, NULL);
    dec("Zg===", IK_BASE64_STRICT, IK_ESYNTAX, NULL);
    dec("Zg==Zg==", IK_BASE64_STRICT, IK_ESYNTAX, NULL); /* data after padding */
    dec("Zm9v=", IK_BASE64_STRICT, IK_ESYNTAX, NULL);
    dec("Zm-v", IK_BASE64_STRICT, IK_ESYNTAX, NULL); /* base64url is not base64 */
    dec("Zm_v", IK_BASE64_STRICT, IK_ESYNTAX, NULL);
}

static void base64_tolerant_skips_fws_and_missing_padding(void)
{
    dec(" Zm9v\r\n\tYmFy ", IK_BASE64_TOLERANT, IK_OK, "foobar");
    dec("Zg", IK_BASE64_TOLERANT, IK_OK, "f");
    dec("Zm8", IK_BASE64_TOLERANT, IK_OK, "fo");
    dec("Zg = =", IK_BASE64_TOLERANT, IK_OK, "f");
    dec("Zh==", IK_BASE64_TOLERANT, IK_OK, "f"); /* pad bits ignored */
    dec("Z", IK_BASE64_TOLERANT, IK_ESYNTAX, NULL);
    dec("Zg=", IK_BASE64_TOLERANT, IK_ESYNTAX, NULL);
    dec("Zg==x", IK_BASE64_TOLERANT, IK_ESYNTAX, NULL);
    dec("Zm9v;", IK_BASE64_TOLERANT, IK_ESYNTAX, NULL);
    dec("Zm\x00v", IK_BASE64_TOLERANT, IK_OK, "f"); /* strlen stops at the NUL */
    unsigned char buf[8];
    size_t n;
    ASSERT_STATUS(ik_base64_decode("Zm\0v", 4, IK_BASE64_TOLERANT, buf, sizeof(buf), &n),
                  IK_ESYNTAX);
}

static void base64_respects_output_capacity(void)
{
    unsigned char buf[5];
    size_t n;
    ASSERT_STATUS(ik_base64_decode("Zm9vYmFy", 8, 0, buf, 5, &n), IK_ELIMIT);
    ASSERT_STATUS(ik_base64_decode("Zm9vYg==", 8, 0, buf, 3, &n), IK_ELIMIT);
    ASSERT_OK(ik_base64_decode("Zm9vYg==", 8, 0, buf, 4, &n));
    ASSERT_EQ(n, 4);
    ASSERT_EQ(ik_base64_decoded_max(8), 6);
    ASSERT_EQ(ik_base64_decoded_max(3), 3);
    char out[3];
    ASSERT_EQ(ik_base64_encode("foo", 3, out, 3), 0);
}

static void base64_all_bytes_roundtrip_via_buf_and_arena(void)
{
    unsigned char all[700];
    for (size_t i = 0; i < sizeof(all); i++)
        all[i] = (unsigned char)(i * 7 + 3);
    ik_arena *a = ik_arena_new(NULL);
    for (size_t len = 0; len < sizeof(all); len += 37) {
        ik_buf b;
        ik_buf_init(&b, a, 0);
        ik_base64_encode_buf(&b, all, len);
        ASSERT_OK(ik_buf_error(&b));
        ASSERT_EQ(b.len, ik_base64_encoded_len(len));
        ik_str out;
        ASSERT_OK(ik_base64_decode_arena(a, ik_buf_str(&b), IK_BASE64_STRICT, &out));
        ASSERT_EQ(out.len, len);
        ASSERT_TRUE(len == 0 || memcmp(out.p, all, len) == 0);
    }
    ik_arena_free(a);
}

static void base64_arena_decode_survives_oom(void)
{
    ik_test_alloc t;
    ik_test_alloc_init(&t, 0);
    ik_arena *a = ik_arena_new(&t.al);
    if (a != NULL) {
        ik_str out;
        ASSERT_STATUS(ik_base64_decode_arena(a, IK_STR_LIT("Zm9v"), 0, &out), IK_ENOMEM);
        ik_arena_free(a);
    }
}

/* Every prefix and a NUL at each position of a long encoding, both
 * decoders: a defined status, never a read or write past a length. */
static void b64_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    for (unsigned flags = 0; flags < 2; flags++) {
        size_t cap = ik_base64_decoded_max(n), outlen = 0;
        unsigned char *out = malloc(cap ? cap : 1);
        ik_status st = ik_base64_decode(p, n, flags ? IK_BASE64_TOLERANT : IK_BASE64_STRICT, out,
                                        cap, &outlen);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
        if (st == IK_OK)
            ASSERT_TRUE(outlen <= cap);
        free(out);
    }
}

static void base64_hostile_input(void)
{
    static const char enc[] = "TWFu IGlz\r\n\tIGRpc3Rp bmd1aXNoZWQ=";
    ik_test_each_prefix(enc, sizeof(enc) - 1, b64_cb, NULL);
    ik_test_each_nul(enc, sizeof(enc) - 1, b64_cb, NULL);
    ik_test_oversized("", "QUJD", 1u << 20, "=", b64_cb, NULL);
}

int main(int argc, char **argv)
{
    static const ik_test_case cases[] = {
        IK_TEST_CASE(base64_rfc4648_vectors_roundtrip),
        IK_TEST_CASE(base64_strict_rejects_noncanonical_input),
        IK_TEST_CASE(base64_tolerant_skips_fws_and_missing_padding),
        IK_TEST_CASE(base64_respects_output_capacity),
        IK_TEST_CASE(base64_all_bytes_roundtrip_via_buf_and_arena),
        IK_TEST_CASE(base64_arena_decode_survives_oom),
        IK_TEST_CASE(base64_hostile_input),
    };
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
