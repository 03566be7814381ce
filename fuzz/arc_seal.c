/*
 * fuzz/arc_seal.c - sealing arbitrary messages (RFC 8617 5.1) with a fixed
 * Ed25519 key as d=lists.example.org s=arc, then validating the result.
 *
 * Input: one byte of options, then the message (header and body, LF or
 * CRLF).
 *   bits 0-4  body chunk size - 1 (1..32 bytes; 0x1f: the whole body)
 *   bit 5     AMS h= "from:to:subject:date" (else the sealer's default)
 *   bit 6     seal with cv=fail whatever the incoming chain says
 * The incoming chain is validated first (keys from a fixed zone: ours, an
 * RSA key at rsa._domainkey.hop1.example, a $SERVFAIL), and the sealer is
 * given what that found, as a sealer must (5.1.1).  Invariants: when the
 * incoming chain was none or pass and a set was added, the sealed message
 * validates as pass with our set as the newest; when it failed, nothing is
 * added unless cv=fail was asked.  Sealing errors other than the refusals
 * the header documents (IK_EINVAL for an incomplete chain, IK_ELIMIT at
 * instance 50 or for an oversized section) are bugs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/arc.h"
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
    "arc._domainkey.lists.example.org. TXT \"v=DKIM1; k=ed25519; p=" FZ_ED_PUB "\"\n"
    "rsa._domainkey.hop1.example. TXT \"v=DKIM1; k=rsa; p=" FZ_RSA_PUB "\"\n"
    "$SERVFAIL broken._domainkey.hop2.example.\n";

typedef struct fz_env {
    ik_zone *zone;
    ik_resolver r;
    ik_pkey *key;
} fz_env;

static fz_env *fz_setup(void)
{
    static fz_env env;
    if (env.key != NULL)
        return &env;
    unsigned char seed[32];
    for (unsigned i = 0; i < 32; i++)
        seed[i] = (unsigned char)(i + 1);
    char err[256];
    env.zone = ik_zone_new(NULL);
    if (env.zone == NULL)
        abort();
    ik_zone_allow_include(env.zone, 0);
    if (ik_zone_load_mem(env.zone, "<fuzz>", fz_zone_text, sizeof(fz_zone_text) - 1, err,
                         sizeof(err))
            != IK_OK
        || ik_zone_resolver(env.zone, &env.r) != IK_OK
        || ik_pkey_from_ed25519_seed(NULL, seed, &env.key) != IK_OK) {
        fprintf(stderr, "fuzz_arc_seal: setup failed\n");
        abort();
    }
    return &env;
}

/* Validates fields[0..n) and body; the result, or NULL on IK_ENOMEM. */
static const ik_arc_result *fz_validate(fz_env *e, ik_arena *a, const ik_str *fields, size_t n,
                                        const uint8_t *body, size_t blen, size_t chunk)
{
    ik_arc_verify_config c = { .now = FZ_NOW };
    ik_arc_verifier *v = ik_arc_verify_new(a, &c);
    if (v == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        if (ik_arc_verify_header(v, fields[i].p, fields[i].len) != IK_OK)
            abort();
    ik_dns_query *q = NULL;
    ik_status st = ik_arc_verify_eoh(v, &q);
    if (st == IK_EAGAIN && ik_resolver_answer_all(&e->r, a, q) != IK_OK)
        abort();
    if (st != IK_OK && st != IK_EAGAIN)
        abort();
    for (size_t off = 0; off < blen; off += chunk)
        if (ik_arc_verify_body(v, body + off, blen - off < chunk ? blen - off : chunk) != IK_OK)
            abort();
    int rounds = 0;
    while ((st = ik_arc_verify_eom(v, &q)) == IK_EAGAIN) {
        if (q == NULL || ++rounds > 4 || ik_resolver_answer_all(&e->r, a, q) != IK_OK)
            abort();
    }
    if (st != IK_OK)
        abort();
    const ik_arc_result *r = ik_arc_verify_result(v);
    if (r == NULL || r->reason == NULL)
        abort();
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fz_env *e = fz_setup();
    unsigned flags = data[0];
    const uint8_t *msg = data + 1;
    size_t len = size - 1;
    size_t chunk = (flags & 0x1fu) == 0x1fu ? len + 1 : (flags & 0x1fu) + 1;
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;

    ik_hdr_field *hf;
    size_t nf, body;
    if (ik_hdr_parse_block(a, msg, len, NULL, &hf, &nf, &body) != IK_OK)
        goto out; /* over the splitter's bounds */
    ik_str *fields = ik_arena_alloc(a, (nf + 3) * sizeof(*fields));
    if (fields == NULL)
        abort();
    for (size_t i = 0; i < nf; i++)
        fields[i + 3] = hf[i].raw;
    const uint8_t *b = msg + body;
    size_t blen = len - body;

    const ik_arc_result *in = fz_validate(e, a, fields + 3, nf, b, blen, chunk);
    ik_arc_cv cv = (flags & 0x40u) ? IK_ARC_CV_FAIL : in->cv;
    char aar[64];
    snprintf(aar, sizeof(aar), "lists.example.org; arc=%s", ik_arc_cv_name(in->cv));
    ik_arc_seal_params p = { .alg = IK_DKIM_ALG_ED25519_SHA256,
                             .key = e->key,
                             .domain = IK_STR_LIT("lists.example.org"),
                             .selector = IK_STR_LIT("arc"),
                             .headers = (flags & 0x20u) ? "from:to:subject:date" : NULL,
                             .authres = ik_str_c(aar),
                             .cv = cv,
                             .timestamp = FZ_NOW };
    ik_arc_sealer *s = ik_arc_seal_new(a, &p);
    if (s == NULL)
        abort();
    ik_status st = IK_OK;
    for (size_t i = 0; i < nf && st == IK_OK; i++)
        st = ik_arc_seal_header(s, fields[i + 3].p, fields[i + 3].len);
    if (st == IK_OK)
        st = ik_arc_seal_eoh(s);
    if (st == IK_EINVAL || st == IK_ELIMIT) {
        /* Documented refusals, sticky: nothing runs over the refused state. */
        ik_str none[3];
        if (ik_arc_seal_body(s, b, blen) != st || ik_arc_seal_eom(s) != st
            || ik_arc_seal_fields(s, none) != 0)
            abort();
        goto out;
    }
    for (size_t off = 0; off < blen && st == IK_OK; off += chunk)
        st = ik_arc_seal_body(s, b + off, blen - off < chunk ? blen - off : chunk);
    if (st == IK_OK)
        st = ik_arc_seal_eom(s);
    if (st != IK_OK) {
        fprintf(stderr, "fuzz_arc_seal: %s\n", ik_status_name(st));
        abort();
    }
    unsigned inst = ik_arc_seal_fields(s, fields);
    if (inst == 0) {
        /* Only a failed chain is left alone (5.1 step 2). */
        if (in->cv != IK_ARC_CV_FAIL)
            abort();
        goto out;
    }
    if (inst > 50 || fields[0].len == 0 || fields[1].len == 0 || fields[2].len == 0)
        abort();
    const ik_arc_result *r = fz_validate(e, a, fields, nf + 3, b, blen, chunk);
    if (cv != IK_ARC_CV_FAIL && (r->cv != IK_ARC_CV_PASS || r->n != inst)) {
        fprintf(stderr, "fuzz_arc_seal: sealed as %s, validates as %s (%s)\n", ik_arc_cv_name(cv),
                ik_arc_cv_name(r->cv), r->reason);
        abort();
    }
    if (cv == IK_ARC_CV_FAIL && r->cv != IK_ARC_CV_FAIL)
        abort();
out:
    ik_arena_free(a);
    return 0;
}
