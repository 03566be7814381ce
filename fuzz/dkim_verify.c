/*
 * fuzz/dkim_verify.c - a whole message through the DKIM verifier
 * (ik_dkim_verify_*), keys answered from a fixed static zone: an RSA-1024
 * key (s1), an Ed25519 key (ed), a CNAME to it (alias), a revoked key
 * (revoked), a key with t=y and h=sha256 (testing), a $TIMEOUT (slow) and a
 * $SERVFAIL (sick), all under example.com.  dkim_canon and dkim_sig cover
 * the canonicalizers and the signature parser alone; this covers the
 * verifier's state machine, key handling and hashing together.
 *
 * Input: one byte of options, then the message (header and body, LF or
 * CRLF).
 *   bits 0-4  body chunk size - 1 (1..32 bytes; 0x1f: the whole body)
 *   bit 5     IK_DKIM_LEGACY | IK_DKIM_ALLOW_SHA1
 *   bit 6     answer the key queries at end of message, not at eoh
 *   bit 7     max_signatures 2 (else the default)
 * The verifier must end IK_OK or refuse the header section with
 * IK_ELIMIT; every result has a reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "inkan/dkim.h"
#include "inkan/header.h"
#include "inkan/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_NOW 1767225600
#define FZ_ED_PUB "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ="
#define FZ_RSA_PUB                                                                                 \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCsrSjeo7M/lQhW1uWhBjXdZ7apYl9dLFTIBN4bZ82Ow/kCU8utsZ"   \
    "dkVKDNUXwyGwCkt/StxzFuJ9AWHFCS0bWIzV7TKcSuKQagXXbkZbSfcaTs6zxU3B3eHTOluOON3G1snvbKScLbA7r5"   \
    "AamwIZCyr/fChWy9/23wnFgrIOnAfwIDAQAB"

static const char fz_zone_text[] =
    "$TTL 300\n"
    "$ORIGIN _domainkey.example.com.\n"
    "s1       TXT \"v=DKIM1; k=rsa; p=" FZ_RSA_PUB "\"\n"
    "ed       TXT \"v=DKIM1; k=ed25519; p=" FZ_ED_PUB "\"\n"
    "alias    CNAME ed\n"
    "revoked  TXT \"v=DKIM1; p=\"\n"
    "testing  TXT \"v=DKIM1; t=y:s; h=sha256; s=email; p=" FZ_RSA_PUB "\"\n"
    "two      TXT \"v=DKIM1; k=ed25519; p=" FZ_ED_PUB "\"\n"
    "two      TXT \"v=DKIM1; k=rsa; p=" FZ_RSA_PUB "\"\n"
    "$TIMEOUT slow TXT\n"
    "$SERVFAIL sick\n";

static ik_resolver *fz_resolver(void)
{
    static ik_zone *zone;
    static ik_resolver r;
    if (zone != NULL)
        return &r;
    char err[256];
    zone = ik_zone_new(NULL);
    if (zone == NULL)
        abort();
    ik_zone_allow_include(zone, 0);
    if (ik_zone_load_mem(zone, "<fuzz>", fz_zone_text, sizeof(fz_zone_text) - 1, err, sizeof(err))
            != IK_OK
        || ik_zone_resolver(zone, &r) != IK_OK) {
        fprintf(stderr, "fuzz_dkim_verify: zone: %s\n", err);
        abort();
    }
    return &r;
}

static ik_status fz_run(ik_arena *a, ik_dkim_verifier *v, ik_resolver *r, unsigned flags,
                        const uint8_t *msg, size_t len)
{
    ik_hdr_field *fields;
    size_t n, body;
    ik_status st = ik_hdr_parse_block(a, msg, len, NULL, &fields, &n, &body);
    if (st != IK_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if ((st = ik_dkim_verify_header(v, fields[i].raw.p, fields[i].raw.len)) != IK_OK)
            return st;
    ik_dns_query *q = NULL, *held = NULL;
    st = ik_dkim_verify_eoh(v, &q);
    if (st == IK_EAGAIN) {
        if (q == NULL)
            abort(); /* waiting for nothing */
        if (flags & 0x40u)
            held = q;
        else if ((st = ik_resolver_answer_all(r, a, q)) != IK_OK)
            return st;
        st = IK_OK;
    }
    if (st != IK_OK)
        return st;
    size_t chunk = (flags & 0x1fu) == 0x1fu ? len + 1 : (flags & 0x1fu) + 1;
    for (size_t off = body; off < len; off += chunk) {
        size_t take = len - off < chunk ? len - off : chunk;
        if ((st = ik_dkim_verify_body(v, msg + off, take)) != IK_OK)
            return st;
    }
    if (held != NULL && (st = ik_resolver_answer_all(r, a, held)) != IK_OK)
        return st;
    for (int round = 0; (st = ik_dkim_verify_eom(v, &q)) == IK_EAGAIN; round++) {
        if (q == NULL || round > 4)
            abort(); /* an answered question asked again, or none to answer */
        if ((st = ik_resolver_answer_all(r, a, q)) != IK_OK)
            return st;
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ik_resolver *r = fz_resolver();
    unsigned flags = data[0];
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_dkim_verify_config c = { .flags = (flags & 0x20u) ? IK_DKIM_LEGACY | IK_DKIM_ALLOW_SHA1 : 0,
                                .max_signatures = (flags & 0x80u) ? 2 : 0,
                                .now = FZ_NOW,
                                .clock_skew = 300 };
    ik_dkim_verifier *v = ik_dkim_verify_new(a, &c);
    if (v == NULL)
        abort();
    ik_status st = fz_run(a, v, r, flags, data + 1, size - 1);
    if (st == IK_OK) {
        size_t n = ik_dkim_verify_count(v);
        for (size_t i = 0; i < n; i++) {
            const ik_dkim_sigresult *res = ik_dkim_verify_get(v, i);
            if (res == NULL || res->reason == NULL)
                abort();
            if (res->result == IK_DKIM_PASS && res->sig == NULL)
                abort();
        }
        (void)ik_dkim_result_name(ik_dkim_verify_overall(v));
    } else if (st != IK_ELIMIT) {
        fprintf(stderr, "fuzz_dkim_verify: %s\n", ik_status_name(st));
        abort();
    }
    ik_arena_free(a);
    return 0;
}
