/*
 * fuzz/verify.c - a whole message through the composite verifier
 * (inkan/verify.h) with every method on, answered from a small static zone
 * built here: SPF, Sender ID, DMARC, ADSP and DomainKeys policy records, an
 * RSA and an Ed25519 DKIM key, the ARC sealer's key, PTR/A for iprev, and
 * $TIMEOUT/$SERVFAIL rules.  $INCLUDE is off.
 *
 * Input: two bytes of connection facts, then the message (header and body,
 * LF or CRLF).
 *   byte 0, bits 0-1  client: none, 192.0.2.N, 203.0.113.N, 2001:db8::N
 *           bits 2-3  MAIL FROM: alice@example.com, <>, bob@lists.example.org,
 *                     x@slow.example
 *           bit 4     HELO: mail.example.com or the empty name
 *           bit 5     driver: ik_verify_message, or the streaming calls with
 *                     every answer held back until end of message and the
 *                     body split into chunks of byte 1 (+1) bytes
 *           bit 6     methods: all, or the current ones
 *           bit 7     DKIM flags: none, or legacy with rsa-sha1 allowed
 *   byte 1            N above; the body chunk size
 * Whatever the verdicts, the call must end IK_OK (or IK_ELIMIT for a header
 * section over the bound) and the Authentication-Results field must be
 * non-empty and only folded (no line of its own from message bytes); the
 * fuzzer's sanitizers catch the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/verify.h"
#include "inkan/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The message clock: 2026-01-01T00:00:00Z, the t= of the seed corpus. */
#define FZ_NOW 1767225600

/* Ed25519 key of the seed (0x01..0x20) shared by ed._domainkey.example.com
 * and arc._domainkey.lists.example.org. */
#define FZ_ED_PUB "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ="
/* RSA-1024 public key of s1._domainkey.example.com. */
#define FZ_RSA_PUB                                                                                 \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCsrSjeo7M/lQhW1uWhBjXdZ7apYl9dLFTIBN4bZ82Ow/kCU8utsZ"   \
    "dkVKDNUXwyGwCkt/StxzFuJ9AWHFCS0bWIzV7TKcSuKQagXXbkZbSfcaTs6zxU3B3eHTOluOON3G1snvbKScLbA7r5"   \
    "AamwIZCyr/fChWy9/23wnFgrIOnAfwIDAQAB"

static const char fz_zone_text[] =
    "$TTL 300\n"
    "$ORIGIN example.com.\n"
    "@            TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/64 include:_spf.lists.example.org "
    "a:mail.example.com mx exists:%{i}._ip.%{d} -all\"\n"
    "@            TXT \"spf2.0/pra ip4:192.0.2.0/24 -all\"\n"
    "@            MX 10 mail\n"
    "mail         A 192.0.2.10\n"
    "mail         AAAA 2001:db8::10\n"
    "_dmarc       TXT \"v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; "
    "rua=mailto:d@example.com; pct=50\"\n"
    "_adsp._domainkey TXT \"dkim=all\"\n"
    "_domainkey   TXT \"o=-; r=postmaster@example.com\"\n"
    "s1._domainkey TXT \"v=DKIM1; k=rsa; p=" FZ_RSA_PUB "\"\n"
    "ed._domainkey TXT \"v=DKIM1; k=ed25519; p=" FZ_ED_PUB "\"\n"
    "dk._domainkey TXT \"k=rsa; p=" FZ_RSA_PUB "\"\n"
    "alias._domainkey CNAME ed._domainkey\n"
    "$ORIGIN lists.example.org.\n"
    "@            TXT \"v=spf1 ip4:203.0.113.0/24 ?all\"\n"
    "_spf         TXT \"v=spf1 ip4:203.0.113.40 ~all\"\n"
    "_dmarc       TXT \"v=DMARC1; p=none\"\n"
    "arc._domainkey TXT \"v=DKIM1; k=ed25519; p=" FZ_ED_PUB "\"\n"
    "$ORIGIN .\n"
    "_dmarc.example.org. TXT \"v=DMARC1; p=quarantine; psd=n\"\n"
    "10.2.0.192.in-addr.arpa. PTR mail.example.com.\n"
    "40.113.0.203.in-addr.arpa. PTR lists.example.org.\n"
    "lists.example.org. A 203.0.113.40\n"
    "slow.example. TXT \"v=spf1 -all\"\n"
    "_dmarc.slow.example. TXT \"v=DMARC1; p=quarantine\"\n"
    "$TIMEOUT s1._domainkey.slow.example. TXT\n"
    "$SERVFAIL _dmarc.sick.example.\n"
    "sick.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n";

typedef struct fz_env {
    ik_zone *zone;
    ik_resolver r;
} fz_env;

static fz_env *fz_setup(void)
{
    static fz_env env;
    static int ready;
    if (ready)
        return &env;
    char err[256];
    env.zone = ik_zone_new(NULL);
    if (env.zone == NULL)
        abort();
    ik_zone_allow_include(env.zone, 0);
    if (ik_zone_load_mem(env.zone, "<fuzz>", fz_zone_text, sizeof(fz_zone_text) - 1, err,
                         sizeof(err))
            != IK_OK
        || ik_zone_resolver(env.zone, &env.r) != IK_OK) {
        fprintf(stderr, "fuzz_verify: zone: %s\n", err);
        abort();
    }
    ready = 1;
    return &env;
}

/* Query lists held back by the streaming driver. */
typedef struct fz_held {
    ik_dns_query *q[16];
    size_t n;
} fz_held;

/* Holds q for later, or answers it at once when the list is full. */
static ik_status fz_hold(fz_env *e, ik_arena *a, fz_held *h, ik_status st, ik_dns_query *q)
{
    if (st != IK_EAGAIN)
        return st;
    if (q == NULL) /* only questions handed out before are pending */
        return IK_OK;
    if (h->n < sizeof(h->q) / sizeof(h->q[0])) {
        h->q[h->n++] = q;
        return IK_OK;
    }
    return ik_resolver_answer_all(&e->r, a, q);
}

static ik_status fz_stream(fz_env *e, ik_arena *a, ik_verify *v, const ik_ip *client, ik_str helo,
                           const ik_str *mailfrom, const uint8_t *msg, size_t len, size_t chunk)
{
    fz_held h = { .n = 0 };
    ik_dns_query *q = NULL;
    ik_status st = IK_OK;
    if (client != NULL) {
        st = fz_hold(e, a, &h, ik_verify_connect(v, client, helo, &q), q);
        if (st == IK_OK && mailfrom != NULL)
            st = fz_hold(e, a, &h, ik_verify_mail_from(v, *mailfrom, &q), q);
        if (st != IK_OK)
            return st;
    }
    ik_hdr_field *fields;
    size_t n, body;
    if ((st = ik_hdr_parse_block(a, msg, len, NULL, &fields, &n, &body)) != IK_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if ((st = ik_verify_header(v, fields[i].raw.p, fields[i].raw.len)) != IK_OK)
            return st;
    if ((st = fz_hold(e, a, &h, ik_verify_eoh(v, &q), q)) != IK_OK)
        return st;
    for (size_t off = body; off < len; off += chunk) {
        size_t take = len - off < chunk ? len - off : chunk;
        if ((st = ik_verify_body(v, msg + off, take)) != IK_OK)
            return st;
    }
    st = fz_hold(e, a, &h, ik_verify_eom(v, &q), q);
    /* Answer the held lists newest first: answers arrive out of order. */
    while (st == IK_OK && h.n > 0) {
        if ((st = ik_resolver_answer_all(&e->r, a, h.q[--h.n])) != IK_OK)
            return st;
        st = fz_hold(e, a, &h, ik_verify_resume(v, &q), q);
    }
    if (st != IK_OK)
        return st;
    return ik_verify_done(v) ? IK_OK : IK_ESTATE;
}

/* Our A-R field: non-empty, no NUL, and every line end a CRLF followed by
 * WSP (folding), so nothing from the message can start a field of its own. */
static void fz_check_field(ik_str f)
{
    if (f.len == 0 || memchr(f.p, '\0', f.len) != NULL)
        abort();
    for (size_t i = 0; i < f.len; i++) {
        if (f.p[i] == '\r'
            && (i + 2 >= f.len || f.p[i + 1] != '\n' || (f.p[i + 2] != ' ' && f.p[i + 2] != '\t')))
            abort();
        if (f.p[i] == '\n' && (i == 0 || f.p[i - 1] != '\r'))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const mailfroms[] = { "alice@example.com", "", "bob@lists.example.org",
                                             "x@slow.example" };
    if (size < 2)
        return 0;
    fz_env *e = fz_setup();
    unsigned flags = data[0], n = data[1];
    const uint8_t *msg = data + 2;
    size_t len = size - 2;

    ik_ip ip, *client = NULL;
    char text[64];
    switch (flags & 3u) {
    case 1: snprintf(text, sizeof(text), "192.0.2.%u", n); break;
    case 2: snprintf(text, sizeof(text), "203.0.113.%u", n); break;
    case 3: snprintf(text, sizeof(text), "2001:db8::%x", n); break;
    default: text[0] = '\0'; break;
    }
    if (text[0] != '\0') {
        if (ik_ip_parse(ik_str_c(text), &ip) != IK_OK)
            abort();
        client = &ip;
    }
    ik_str mf = ik_str_c(mailfroms[(flags >> 2) & 3u]);
    ik_str helo = (flags & 0x10u) ? IK_STR_LIT("") : IK_STR_LIT("mail.example.com");

    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_verify_config c;
    ik_verify_config_init(&c);
    c.authserv_id = IK_STR_LIT("mx.fuzz.example");
    c.methods = (flags & 0x40u) ? IK_VERIFY_CURRENT : IK_VERIFY_ALL;
    c.dkim_flags = (flags & 0x80u) ? IK_DKIM_LEGACY | IK_DKIM_ALLOW_SHA1 : 0;
    c.dk_check_policy = 1;
    c.now = FZ_NOW;
    c.dmarc_sample = 42;
    static const ik_str trusted[] = { IK_STR_LIT("lists.example.org") };
    c.trusted_sealers = trusted;
    c.ntrusted = 1;
    c.receiver = IK_STR_LIT("mx.fuzz.example");
    ik_verify *v = ik_verify_new(a, &c);
    if (v == NULL)
        abort();
    ik_status st;
    if (flags & 0x20u)
        st = fz_stream(e, a, v, client, helo, &mf, msg, len, (size_t)n + 1);
    else
        st = ik_verify_message(v, client, helo, &mf, msg, len, &e->r);
    if (st == IK_OK) {
        if (!ik_verify_done(v))
            abort();
        fz_check_field(ik_verify_authres(v));
        size_t nf;
        (void)ik_verify_fields(v, &nf);
        (void)ik_verify_forged(v, &nf);
        (void)ik_verify_authres_payload(v);
        (void)ik_verify_arc_trusted(v);
    } else if (st != IK_ELIMIT) {
        fprintf(stderr, "fuzz_verify: %s\n", ik_status_name(st));
        abort();
    }
    ik_arena_free(a);
    return 0;
}
