/*
 * fuzz/arc_set.c - ARC chains from arbitrary messages: the input is split
 * into header fields and body and run through the ARC verifier
 * (collection, structure, AMS/AS/AAR parsing, hashing, key handling and
 * verification), with key queries answered from a static zone holding the
 * ARC test suite's public key at dummy._domainkey.example.org (so seeds
 * from the suite reach the RSA verification), every other name NXDOMAIN.
 * Each ARC field is also given to ik_arc_sig_parse directly.
 */
#include <stdint.h>
#include <string.h>

#include "inkan/arc.h"
#include "inkan/header.h"
#include "inkan/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key_zone[] =
    "dummy._domainkey.example.org. TXT \"v=DKIM1; k=rsa; "
    "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQ"
    "iY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9Pzo"
    "xZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_zone *z = ik_zone_new(NULL);
    ik_arena *a = ik_arena_new(NULL);
    ik_resolver r = { 0 };
    if (z == NULL || a == NULL
        || ik_zone_load_mem(z, "<key>", key_zone, sizeof(key_zone) - 1, NULL, 0) != IK_OK
        || ik_zone_resolver(z, &r) != IK_OK)
        goto out;
    ik_arena_set_limit(a, 64u << 20);
    ik_hdr_field *f;
    size_t n, body;
    if (ik_hdr_parse_block(a, data, size, NULL, &f, &n, &body) != IK_OK)
        goto out;
    ik_arc_verifier *v = ik_arc_verify_new(a, NULL);
    if (v == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (ik_str_casestarts(f[i].name, "ARC-")) {
            ik_arc_sig s;
            (void)ik_arc_sig_parse(a, f[i].raw, ik_str_caseeq_c(f[i].name, "ARC-Seal"), 0, &s,
                                   NULL);
        }
        if (ik_arc_verify_header(v, f[i].raw.p, f[i].raw.len) != IK_OK)
            goto out;
    }
    ik_dns_query *q;
    ik_status st = ik_arc_verify_eoh(v, &q);
    if (st == IK_EAGAIN && ik_resolver_answer_all(&r, a, q) != IK_OK)
        goto out;
    if (st != IK_OK && st != IK_EAGAIN)
        goto out;
    if (ik_arc_verify_body(v, data + body, size - body) != IK_OK)
        goto out;
    for (int rounds = 0; rounds < 4; rounds++) {
        st = ik_arc_verify_eom(v, &q);
        if (st != IK_EAGAIN)
            break;
        if (ik_resolver_answer_all(&r, a, q) != IK_OK)
            goto out;
    }
    if (st == IK_OK) {
        const ik_arc_result *res = ik_arc_verify_result(v);
        ik_ar ar;
        ik_ar_init(&ar, IK_STR_LIT("mx.example.org"));
        (void)ik_arc_authres(a, res, IK_STR_NULL, &ar);
        ik_str trusted = IK_STR_LIT("example.org");
        (void)ik_arc_trusted_sealer(res, &trusted, 1);
    }
out:
    ik_resolver_close(&r);
    ik_arena_free(a);
    ik_zone_free(z);
    return 0;
}
