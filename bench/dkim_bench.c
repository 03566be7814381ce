/*
 * dkim_bench.c - DKIM verification and signing throughput: libinkan next to
 * OpenDKIM's library, python3-dkim (measured by dkim_py_bench.py) and a
 * bound computed from OpenSSL alone.
 *
 *   dkim_bench DIR [--seconds S] [--only inkan|opendkim|bound|sign] [--alg rsa|ed25519]
 *
 * DIR holds dkim_gen's output (see dkim_bench.h) and, when run.sh measured
 * them, py.rsa.rate / py.ed25519.rate (python3-dkim) and mem.txt (the line
 * printed by dkim_mem).  Everything runs in this process, on one core, with
 * no DNS query leaving it:
 *
 *   libinkan  ik_dkim_verify_new/header/eoh/body/eom, body in 65535-byte
 *             chunks (a milter's), keys through the decoded-key cache
 *             (ik_dkim_keycache) as the daemon runs it; a cache miss is
 *             answered by the static zone resolver from dkim_bench.zone.
 *             One arena, reset between messages.
 *   OpenDKIM  dkim_verify/dkim_header/dkim_eoh/dkim_body/dkim_eom/dkim_free,
 *             same chunks; keys come from dkim_set_key_lookup(), a callback
 *             answering from dkim_bench.keys in memory.  The library's DNS
 *             hooks (dkim_dns_set_query_start/init) are replaced by functions
 *             that refuse and count, so a lookup that bypassed the callback
 *             would fail the run instead of reaching a resolver.  OpenDKIM
 *             has no decoded-key cache: it decodes the key of every message,
 *             as it does in production.
 *   bound     OpenSSL alone, per message: one SHA-256 over all the message's
 *             bytes (EVP_MD fetched once) and one signature verification with
 *             a key decoded once (RSA: one EVP_PKEY_CTX initialized once and
 *             reused; Ed25519: EVP_DigestVerifyInit + EVP_DigestVerify, the
 *             least OpenSSL 3.0 allows).  The signature verified is over that
 *             SHA-256, made with the private key before timing starts, so the
 *             bound does real work that must succeed.  No canonicalization,
 *             no parsing: no verifier can beat it.
 *   sign      on the messages under 10 KB of the unsigned corpus: libinkan's
 *             signer (one signature, relaxed/relaxed, default header list)
 *             against OpenSSL's raw sign rate (one signature of a 32-byte
 *             digest with a key decoded once, nothing else).
 *
 * Each row makes one warm-up pass over its corpus (its verdicts are
 * counted and must all be pass); then the rows of one table take turns,
 * one timed pass each, until each has had S seconds, and the fastest pass
 * of each is reported (see measure()).  Benchmarks are not tests: nothing here runs under ctest.
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <dkim.h>

#include "dkim_bench.h"
#include "inkan/arena.h"
#include "inkan/base64.h"
#include "inkan/dkim.h"
#include "inkan/zone.h"

/* ---- timing --------------------------------------------------------------- */

typedef int (*one_fn)(void *ctx, const db_msg *m); /* 1 when the verdict is pass */

typedef struct rate {
    double msgs, mb; /* per second, from the fastest pass */
    size_t pass, n;  /* warm-up verdicts */
    int ran;
} rate;

typedef struct runner {
    one_fn fn;
    void *ctx;
    rate *out;
    double best; /* seconds of the fastest pass */
} runner;

/*
 * Measures several implementations on the same messages: one warm-up pass
 * each (its verdicts are counted), then rounds in which each makes one
 * timed pass in turn, until secs seconds per implementation have gone by
 * (at least three rounds).  Interleaving makes every implementation see the
 * same machine.  Passes are timed in the thread's CPU time, and the
 * fastest pass of each is reported: on a shared machine other work only
 * ever makes a pass slower.
 */
static void measure(runner *rs, size_t nr, const db_msg *m, size_t n, double secs)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += m[i].len;
    for (size_t k = 0; k < nr; k++) {
        rate *r = rs[k].out;
        memset(r, 0, sizeof(*r));
        r->n = n;
        r->ran = 1;
        for (size_t i = 0; i < n; i++)
            r->pass += (size_t)rs[k].fn(rs[k].ctx, &m[i]);
        rs[k].best = 1e9;
    }
    double t_start = db_now();
    for (int round = 0; round < 3 || db_now() - t_start < secs * (double)nr; round++) {
        for (size_t k = 0; k < nr; k++) {
            double t0 = db_cpu_now();
            for (size_t i = 0; i < n; i++)
                (void)rs[k].fn(rs[k].ctx, &m[i]);
            double el = db_cpu_now() - t0;
            if (el < rs[k].best)
                rs[k].best = el;
        }
    }
    for (size_t k = 0; k < nr; k++) {
        rs[k].out->msgs = (double)n / rs[k].best;
        rs[k].out->mb = (double)bytes / 1e6 / rs[k].best;
    }
}

static void ssl_die(const char *what)
{
    fprintf(stderr, "dkim_bench: OpenSSL: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

/* ---- the key list, for OpenDKIM's callback -------------------------------- */

typedef struct keytab {
    char **name, **txt;
    size_t n;
} keytab;

static void keytab_load(keytab *k, const char *dir)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof(path), "%s/dkim_bench.keys", dir);
    char *data = db_read_file(path, &len);
    size_t cap = 0;
    for (char *line = data, *next; line < data + len; line = next) {
        next = strchr(line, '\n');
        *next++ = '\0';
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        *tab = '\0';
        if (k->n == cap) {
            cap = cap ? cap * 2 : 256;
            k->name = realloc(k->name, cap * sizeof(char *));
            k->txt = realloc(k->txt, cap * sizeof(char *));
            if (k->name == NULL || k->txt == NULL)
                exit(1);
        }
        k->name[k->n] = strdup(line);
        k->txt[k->n] = strdup(tab + 1);
        k->n++;
    }
    free(data);
}

/* Sorted once; looked up by binary search (a few hundred names). */
static int keytab_cmp(const void *a, const void *b)
{
    return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static const char *keytab_find(const keytab *k, const char *name)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcasecmp(k->name[mid], name);
        if (c == 0)
            return k->txt[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void keytab_sort(keytab *k)
{
    /* Sort names and texts together: sort an index of "name\0txt" pairs. */
    char **pair = db_xmalloc(k->n * sizeof(char *));
    for (size_t i = 0; i < k->n; i++) {
        size_t a = strlen(k->name[i]), b = strlen(k->txt[i]);
        pair[i] = db_xmalloc(a + b + 2);
        memcpy(pair[i], k->name[i], a + 1);
        memcpy(pair[i] + a + 1, k->txt[i], b + 1);
        free(k->name[i]);
        free(k->txt[i]);
    }
    qsort(pair, k->n, sizeof(char *), keytab_cmp);
    for (size_t i = 0; i < k->n; i++) {
        k->name[i] = pair[i];
        k->txt[i] = pair[i] + strlen(pair[i]) + 1;
    }
    free(pair);
}

/* ---- libinkan verify -------------------------------------------------------- */

typedef struct inkan_ctx {
    ik_zone *zone;
    ik_resolver res;
    ik_arena *arena;
    ik_dkim_keycache *cache;
    ik_dkim_verifier *v;
    int bad_field;
} inkan_ctx;

static void inkan_open(inkan_ctx *c, const char *dir)
{
    char path[4096], err[512];
    snprintf(path, sizeof(path), "%s/dkim_bench.zone", dir);
    memset(c, 0, sizeof(*c));
    c->zone = ik_zone_new(NULL);
    if (c->zone == NULL || ik_zone_load_file(c->zone, path, err, sizeof(err)) != IK_OK) {
        fprintf(stderr, "dkim_bench: %s\n", c->zone ? err : "out of memory");
        exit(2);
    }
    c->arena = ik_arena_new(NULL);
    c->cache = ik_dkim_keycache_new(NULL, 1024);
    if (ik_zone_resolver(c->zone, &c->res) != IK_OK || c->arena == NULL || c->cache == NULL)
        exit(1);
}

static void inkan_close(inkan_ctx *c)
{
    ik_arena_free(c->arena);
    ik_dkim_keycache_free(c->cache);
    ik_resolver_close(&c->res);
    ik_zone_free(c->zone);
}

static int inkan_field(void *ctx, const char *p, size_t len)
{
    inkan_ctx *c = ctx;
    return ik_dkim_verify_header(c->v, p, len) == IK_OK ? 0 : -1;
}

static int inkan_verify(void *ctx, const db_msg *m)
{
    inkan_ctx *c = ctx;
    ik_arena_reset(c->arena);
    ik_dkim_verify_config cfg = { 0 };
    cfg.now = DB_VERIFY_TIME;
    cfg.cache = c->cache;
    c->v = ik_dkim_verify_new(c->arena, &cfg);
    if (c->v == NULL)
        return 0;
    size_t body = db_split(m->p, m->len, inkan_field, c);
    ik_dns_query *q;
    ik_status st = ik_dkim_verify_eoh(c->v, &q);
    if (st == IK_EAGAIN)
        st = ik_resolver_answer_all(&c->res, c->arena, q);
    for (size_t off = body; st == IK_OK && off < m->len; off += DB_CHUNK) {
        size_t take = m->len - off < DB_CHUNK ? m->len - off : DB_CHUNK;
        st = ik_dkim_verify_body(c->v, m->p + off, take);
    }
    if (st != IK_OK)
        return 0;
    while ((st = ik_dkim_verify_eom(c->v, &q)) == IK_EAGAIN)
        if (ik_resolver_answer_all(&c->res, c->arena, q) != IK_OK)
            return 0;
    return st == IK_OK && ik_dkim_verify_overall(c->v) == IK_DKIM_PASS;
}

/* ---- OpenDKIM verify -------------------------------------------------------- */

typedef struct od_ctx {
    DKIM_LIB *lib;
    DKIM *d;
    keytab keys;
} od_ctx;

/* The library's DNS hooks, replaced: any use is counted and refused. */
static unsigned long od_dns_calls;

static int od_dns_init(void **srv)
{
    *srv = NULL;
    return 0;
}

static int od_dns_start(void *srv, int type, unsigned char *query, unsigned char *buf,
                        size_t buflen, void **qh)
{
    (void)srv, (void)type, (void)query, (void)buf, (void)buflen, (void)qh;
    od_dns_calls++;
    return -1;
}

/* The one context OpenDKIM's key callback can reach: its signature has no
 * closure, so the table is a file-scope pointer set once before use. */
static const keytab *od_keys;

static DKIM_CBSTAT od_key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, unsigned char *buf, size_t buflen)
{
    (void)dkim;
    char name[512];
    snprintf(name, sizeof(name), "%s._domainkey.%s", (char *)dkim_sig_getselector(sig),
             (char *)dkim_sig_getdomain(sig));
    const char *txt = keytab_find(od_keys, name);
    if (txt == NULL)
        return DKIM_CBSTAT_NOTFOUND;
    size_t n = strlen(txt);
    if (n + 1 > buflen)
        return DKIM_CBSTAT_ERROR;
    memcpy(buf, txt, n + 1);
    return DKIM_CBSTAT_CONTINUE;
}

static void od_open(od_ctx *c, const char *dir)
{
    memset(c, 0, sizeof(*c));
    keytab_load(&c->keys, dir);
    keytab_sort(&c->keys);
    od_keys = &c->keys;
    c->lib = dkim_init(NULL, NULL);
    if (c->lib == NULL) {
        fprintf(stderr, "dkim_bench: dkim_init failed\n");
        exit(1);
    }
    dkim_dns_set_init(c->lib, od_dns_init);
    dkim_dns_set_query_start(c->lib, od_dns_start);
    if (dkim_set_key_lookup(c->lib, od_key_lookup) != DKIM_STAT_OK) {
        fprintf(stderr, "dkim_bench: dkim_set_key_lookup failed\n");
        exit(1);
    }
}

static void od_close(od_ctx *c)
{
    dkim_close(c->lib);
    for (size_t i = 0; i < c->keys.n; i++)
        free(c->keys.name[i]); /* texts share the allocation */
    free(c->keys.name);
    free(c->keys.txt);
}

static int od_field(void *ctx, const char *p, size_t len)
{
    od_ctx *c = ctx;
    /* OpenDKIM takes "Name: value" without the final CRLF. */
    if (len >= 2 && p[len - 2] == '\r' && p[len - 1] == '\n')
        len -= 2;
    return dkim_header(c->d, (unsigned char *)p, len) == DKIM_STAT_OK ? 0 : -1;
}

static int od_verify(void *ctx, const db_msg *m)
{
    od_ctx *c = ctx;
    DKIM_STAT st;
    c->d = dkim_verify(c->lib, (const unsigned char *)"bench", NULL, &st);
    if (c->d == NULL)
        return 0;
    size_t body = db_split(m->p, m->len, od_field, c);
    st = dkim_eoh(c->d);
    for (size_t off = body; st == DKIM_STAT_OK && off < m->len; off += DB_CHUNK) {
        size_t take = m->len - off < DB_CHUNK ? m->len - off : DB_CHUNK;
        st = dkim_body(c->d, (unsigned char *)m->p + off, take);
    }
    if (st == DKIM_STAT_OK)
        st = dkim_eom(c->d, NULL);
    dkim_free(c->d);
    c->d = NULL;
    return st == DKIM_STAT_OK;
}

/* ---- the OpenSSL bound ------------------------------------------------------ */

typedef struct bound_ctx {
    EVP_MD *md;
    EVP_PKEY *pub;
    EVP_PKEY_CTX *rsa; /* verify, initialized once */
    EVP_MD_CTX *mctx;  /* Ed25519 */
    int ed;
    unsigned char (*sig)[256];
    size_t *siglen;
    const db_msg *base;
} bound_ctx;

static EVP_PKEY *load_rsa_private(void)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof(path), "%s/keys/dkim_bench_rsa2048.pem", IK_BENCH_DIR);
    char *pem = db_read_file(path, &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    free(pem);
    if (k == NULL)
        ssl_die(path);
    return k;
}

/* A fresh Ed25519 key: the bound needs any key of the scheme, not the
 * corpus's (it signs the raw messages itself). */
static EVP_PKEY *new_ed25519(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (k == NULL)
        ssl_die("Ed25519 keygen");
    return k;
}

/* Public half of k, decoded from DER as a verifier would. */
static EVP_PKEY *public_of(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    const unsigned char *p = der;
    EVP_PKEY *pub = n > 0 ? d2i_PUBKEY(NULL, &p, n) : NULL;
    OPENSSL_free(der);
    if (pub == NULL)
        ssl_die("public key");
    return pub;
}

static void bound_open(bound_ctx *c, int ed, const db_msg *m, size_t n)
{
    memset(c, 0, sizeof(*c));
    c->ed = ed;
    c->base = m;
    c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_PKEY *priv = ed ? new_ed25519() : load_rsa_private();
    c->pub = public_of(priv);
    c->sig = db_xmalloc(n * sizeof(*c->sig));
    c->siglen = db_xmalloc(n * sizeof(*c->siglen));
    EVP_PKEY_CTX *sc = EVP_PKEY_CTX_new(priv, NULL);
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    if (c->md == NULL || sc == NULL || mc == NULL)
        ssl_die("setup");
    if (!ed
        && (EVP_PKEY_sign_init(sc) != 1 || EVP_PKEY_CTX_set_rsa_padding(sc, RSA_PKCS1_PADDING) != 1
            || EVP_PKEY_CTX_set_signature_md(sc, c->md) != 1))
        ssl_die("sign init");
    for (size_t i = 0; i < n; i++) {
        unsigned char d[32];
        if (EVP_Digest(m[i].p, m[i].len, d, NULL, c->md, NULL) != 1)
            ssl_die("digest");
        c->siglen[i] = sizeof(c->sig[i]);
        int ok = ed ? EVP_DigestSignInit(mc, NULL, NULL, NULL, priv) == 1
                          && EVP_DigestSign(mc, c->sig[i], &c->siglen[i], d, 32) == 1
                    : EVP_PKEY_sign(sc, c->sig[i], &c->siglen[i], d, 32) == 1;
        if (!ok)
            ssl_die("sign");
    }
    EVP_PKEY_CTX_free(sc);
    EVP_MD_CTX_free(mc);
    EVP_PKEY_free(priv);
    c->mctx = EVP_MD_CTX_new();
    c->rsa = EVP_PKEY_CTX_new(c->pub, NULL);
    if (c->mctx == NULL || c->rsa == NULL
        || (!ed
            && (EVP_PKEY_verify_init(c->rsa) != 1
                || EVP_PKEY_CTX_set_rsa_padding(c->rsa, RSA_PKCS1_PADDING) != 1
                || EVP_PKEY_CTX_set_signature_md(c->rsa, c->md) != 1)))
        ssl_die("verify init");
}

static void bound_close(bound_ctx *c)
{
    EVP_PKEY_CTX_free(c->rsa);
    EVP_MD_CTX_free(c->mctx);
    EVP_PKEY_free(c->pub);
    EVP_MD_free(c->md);
    free(c->sig);
    free(c->siglen);
}

static int bound_verify(void *ctx, const db_msg *m)
{
    bound_ctx *c = ctx;
    size_t i = (size_t)(m - c->base);
    unsigned char d[32];
    if (EVP_Digest(m->p, m->len, d, NULL, c->md, NULL) != 1)
        return 0;
    if (c->ed)
        return EVP_DigestVerifyInit(c->mctx, NULL, NULL, NULL, c->pub) == 1
               && EVP_DigestVerify(c->mctx, c->sig[i], c->siglen[i], d, 32) == 1;
    return EVP_PKEY_verify(c->rsa, c->sig[i], c->siglen[i], d, 32) == 1;
}

/* ---- signing ------------------------------------------------------------------ */

typedef struct sign_ctx {
    ik_arena *arena;
    ik_pkey *key;
    ik_dkim_alg alg;
    ik_dkim_signer *s;
    /* OpenSSL raw */
    EVP_PKEY *pk;
    EVP_PKEY_CTX *pctx;
    EVP_MD_CTX *mctx;
    const db_msg *base;
    unsigned char (*digest)[32];
    EVP_MD *md;
} sign_ctx;

static int sign_field(void *ctx, const char *p, size_t len)
{
    sign_ctx *c = ctx;
    return ik_dkim_sign_header(c->s, p, len) == IK_OK ? 0 : -1;
}

static int inkan_sign(void *ctx, const db_msg *m)
{
    sign_ctx *c = ctx;
    ik_arena_reset(c->arena);
    c->s = ik_dkim_sign_new(c->arena);
    ik_dkim_sign_params p;
    ik_dkim_sign_params_init(&p);
    p.alg = c->alg;
    p.key = c->key;
    p.domain = IK_STR_LIT("shop-1.example");
    p.selector = IK_STR_LIT("s2048");
    p.timestamp = DB_SIGN_TIME;
    if (c->s == NULL || ik_dkim_sign_add(c->s, &p) != IK_OK)
        return 0;
    size_t body = db_split(m->p, m->len, sign_field, c);
    ik_status st = ik_dkim_sign_eoh(c->s);
    for (size_t off = body; st == IK_OK && off < m->len; off += DB_CHUNK) {
        size_t take = m->len - off < DB_CHUNK ? m->len - off : DB_CHUNK;
        st = ik_dkim_sign_body(c->s, m->p + off, take);
    }
    if (st == IK_OK)
        st = ik_dkim_sign_eom(c->s);
    return st == IK_OK && ik_dkim_sign_field(c->s, 0).len > 0;
}

static int raw_sign(void *ctx, const db_msg *m)
{
    sign_ctx *c = ctx;
    unsigned char sig[512];
    size_t n = sizeof(sig);
    const unsigned char *d = c->digest[m - c->base];
    if (c->alg == IK_DKIM_ALG_ED25519_SHA256)
        return EVP_DigestSignInit(c->mctx, NULL, NULL, NULL, c->pk) == 1
               && EVP_DigestSign(c->mctx, sig, &n, d, 32) == 1;
    return EVP_PKEY_sign(c->pctx, sig, &n, d, 32) == 1;
}

/* OpenSSL signing the message as `openssl dgst -sha256 -sign` would: one
 * SHA-256 over all its bytes, then the signature. */
static int msg_sign(void *ctx, const db_msg *m)
{
    sign_ctx *c = ctx;
    unsigned char sig[512], d[32];
    size_t n = sizeof(sig);
    if (EVP_Digest(m->p, m->len, d, NULL, c->md, NULL) != 1)
        return 0;
    if (c->alg == IK_DKIM_ALG_ED25519_SHA256)
        return EVP_DigestSignInit(c->mctx, NULL, NULL, NULL, c->pk) == 1
               && EVP_DigestSign(c->mctx, sig, &n, d, 32) == 1;
    return EVP_PKEY_sign(c->pctx, sig, &n, d, 32) == 1;
}

static void sign_open(sign_ctx *c, ik_dkim_alg alg, const db_msg *m, size_t n)
{
    memset(c, 0, sizeof(*c));
    c->alg = alg;
    c->base = m;
    c->arena = ik_arena_new(NULL);
    c->pk = alg == IK_DKIM_ALG_ED25519_SHA256 ? new_ed25519() : load_rsa_private();
    /* The same key for both: libinkan's from the PEM text OpenSSL writes. */
    ik_buf pem;
    ik_buf_init_al(&pem, NULL, 0);
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long len;
    if (bio == NULL || PEM_write_bio_PrivateKey(bio, c->pk, NULL, NULL, 0, NULL, NULL) != 1
        || (len = BIO_get_mem_data(bio, &data)) <= 0
        || ik_pkey_from_pem(NULL, data, (size_t)len, &c->key, &pem) != IK_OK)
        ssl_die("signing key");
    BIO_free(bio);
    ik_buf_release(&pem);
    EVP_MD *md = c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    c->mctx = EVP_MD_CTX_new();
    c->pctx = EVP_PKEY_CTX_new(c->pk, NULL);
    if (md == NULL || c->mctx == NULL || c->pctx == NULL)
        ssl_die("sign setup");
    if (alg == IK_DKIM_ALG_RSA_SHA256
        && (EVP_PKEY_sign_init(c->pctx) != 1
            || EVP_PKEY_CTX_set_rsa_padding(c->pctx, RSA_PKCS1_PADDING) != 1
            || EVP_PKEY_CTX_set_signature_md(c->pctx, md) != 1))
        ssl_die("sign init");
    c->digest = db_xmalloc(n * sizeof(*c->digest));
    for (size_t i = 0; i < n; i++)
        if (EVP_Digest(m[i].p, m[i].len, c->digest[i], NULL, md, NULL) != 1)
            ssl_die("digest");
}

static void sign_close(sign_ctx *c)
{
    ik_arena_free(c->arena);
    ik_pkey_free(c->key);
    EVP_PKEY_free(c->pk);
    EVP_PKEY_CTX_free(c->pctx);
    EVP_MD_CTX_free(c->mctx);
    EVP_MD_free(c->md);
    free(c->digest);
}

/* ---- report ---------------------------------------------------------------- */

static rate read_py_rate(const char *dir, const char *alg)
{
    rate r = { 0 };
    char path[4096];
    snprintf(path, sizeof(path), "%s/py.%s.rate", dir, alg);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return r;
    unsigned long pass, n;
    if (fscanf(f, "%lf %lf %lu %lu", &r.msgs, &r.mb, &pass, &n) == 4) {
        r.pass = pass;
        r.n = n;
        r.ran = 1;
    }
    fclose(f);
    return r;
}

static void row(const char *name, rate r, const rate *bound, const rate *od)
{
    if (!r.ran) {
        printf("  %-44s %10s\n", name, "(not run)");
        return;
    }
    printf("  %-44s %10.0f %9.1f", name, r.msgs, r.mb);
    if (bound && bound->ran)
        printf(" %9.1f%%", 100.0 * r.msgs / bound->msgs);
    else
        printf(" %10s", "");
    if (od && od->ran && od->msgs > 0)
        printf(" %9.2fx", r.msgs / od->msgs);
    else
        printf(" %10s", "");
    if (r.pass != r.n)
        printf("  (%zu/%zu pass!)", r.pass, r.n);
    printf("\n");
}

static void check(const char *what, double got, double want, const char *unit, int *ok)
{
    int pass = got >= want;
    printf("  %-40s %8.2f%s (target >= %.2f%s)  %s\n", what, got, unit, want, unit,
           pass ? "met" : "MISSED");
    if (!pass)
        *ok = 0;
}

static int want(const char *only, const char *what)
{
    return only == NULL || strcmp(only, what) == 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *only = NULL, *alg_only = NULL;
    double secs = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            secs = atof(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc)
            alg_only = argv[++i];
        else if (dir == NULL && argv[i][0] != '-')
            dir = argv[i];
        else {
            dir = NULL;
            break;
        }
    }
    if (dir == NULL) {
        fprintf(stderr, "usage: dkim_bench DIR [--seconds S] [--only inkan|opendkim|bound|sign]"
                        " [--alg rsa|ed25519]\n");
        return 2;
    }
    static const char *const algs[2] = { "rsa", "ed25519" };
    static const char *const alg_title[2] = { "rsa-sha256 (2048-bit)", "ed25519-sha256" };
    rate in[2] = { { 0 } }, od[2] = { { 0 } }, py[2] = { { 0 } }, bd[2] = { { 0 } };
    size_t nmsg[2] = { 0 }, bytes[2] = { 0 };
    for (int a = 0; a < 2; a++) {
        if ((alg_only && strcmp(alg_only, algs[a]) != 0) || (only && strcmp(only, "sign") == 0))
            continue;
        db_corpus c;
        db_corpus_load(&c, dir, algs[a]);
        nmsg[a] = c.n;
        bytes[a] = c.size;
        runner rs[3];
        size_t nr = 0;
        bound_ctx b;
        inkan_ctx ic;
        od_ctx oc;
        if (want(only, "bound")) {
            bound_open(&b, a == 1, c.m, c.n);
            rs[nr++] = (runner){ bound_verify, &b, &bd[a], 0 };
        }
        if (want(only, "inkan")) {
            inkan_open(&ic, dir);
            rs[nr++] = (runner){ inkan_verify, &ic, &in[a], 0 };
        }
        if (want(only, "opendkim")) {
            od_open(&oc, dir);
            rs[nr++] = (runner){ od_verify, &oc, &od[a], 0 };
        }
        if (nr > 0)
            measure(rs, nr, c.m, c.n, secs);
        if (want(only, "bound"))
            bound_close(&b);
        if (want(only, "inkan"))
            inkan_close(&ic);
        if (want(only, "opendkim"))
            od_close(&oc);
        py[a] = read_py_rate(dir, algs[a]);
        db_corpus_free(&c);
    }

    /* Signing: the small messages of the unsigned corpus. */
    rate sg[2] = { { 0 } }, raw[2] = { { 0 } }, full[2] = { { 0 } };
    size_t nsmall = 0, small_bytes = 0;
    if (want(only, "sign")) {
        db_corpus u;
        db_corpus_load(&u, dir, "unsigned");
        db_msg *small = db_xmalloc(u.n * sizeof(*small));
        for (size_t i = 0; i < u.n; i++)
            if (u.m[i].len < 10000) {
                small[nsmall++] = u.m[i];
                small_bytes += u.m[i].len;
            }
        for (int a = 0; a < 2; a++) {
            if (alg_only && strcmp(alg_only, algs[a]) != 0)
                continue;
            sign_ctx sc;
            sign_open(&sc, a ? IK_DKIM_ALG_ED25519_SHA256 : IK_DKIM_ALG_RSA_SHA256, small, nsmall);
            runner rs[3] = { { raw_sign, &sc, &raw[a], 0 },
                             { msg_sign, &sc, &full[a], 0 },
                             { inkan_sign, &sc, &sg[a], 0 } };
            measure(rs, 3, small, nsmall, secs);
            sign_close(&sc);
        }
        free(small);
        db_corpus_free(&u);
    }

    printf("\n== bench/dkim: DKIM verification, one core, in process ==\n");
    for (int a = 0; a < 2; a++) {
        if (nmsg[a] == 0)
            continue;
        printf("\n%s: %zu messages, %.1f MB\n", alg_title[a], nmsg[a], (double)bytes[a] / 1e6);
        printf("  %-44s %10s %9s %10s %10s\n", "implementation", "msgs/s", "MB/s", "of bound",
               a == 0 ? "vs OpenDKIM" : "vs OpenDKIM");
        row("OpenSSL bound (1 SHA-256 + 1 verify)", bd[a], &bd[a], &od[a]);
        row("libinkan (ik_dkim_verify, key cache)", in[a], &bd[a], &od[a]);
        row("OpenDKIM 2.11 (libopendkim)", od[a], &bd[a], &od[a]);
        row("python3-dkim (dkim.verify, dict DNS)", py[a], &bd[a], &od[a]);
    }
    if (od_dns_calls)
        printf("\nWARNING: OpenDKIM tried %lu DNS queries (refused)\n", od_dns_calls);
    if (nsmall) {
        printf("\nsigning: %zu messages under 10 KB, %.1f MB\n", nsmall, (double)small_bytes / 1e6);
        printf("  %-44s %10s %9s %10s\n", "implementation", "sigs/s", "MB/s", "of OpenSSL");
        static const char *const sname[2][3] = {
            { "OpenSSL raw sign rsa-2048 (digest only)", "OpenSSL SHA-256 of message + sign",
              "libinkan ik_dkim_sign rsa-sha256" },
            { "OpenSSL raw sign ed25519 (digest only)", "OpenSSL SHA-256 of message + sign",
              "libinkan ik_dkim_sign ed25519-sha256" },
        };
        for (int a = 0; a < 2; a++) {
            if (!raw[a].ran)
                continue;
            row(sname[a][0], raw[a], &raw[a], NULL);
            row(sname[a][1], full[a], &raw[a], NULL);
            row(sname[a][2], sg[a], &raw[a], NULL);
        }
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/mem.txt", dir);
    FILE *mf = fopen(path, "r");
    double peak_mb = -1;
    if (mf != NULL) {
        char line[1024];
        printf("\nmemory (dkim_mem: verifying one 50 MB message):\n");
        while (fgets(line, sizeof(line), mf)) {
            printf("  %s", line);
            const char *p = strstr(line, "peak RSS ");
            if (p != NULL)
                peak_mb = atof(p + 9);
        }
        fclose(mf);
    }

    printf("\ntargets:\n");
    int ok = 1;
    if (in[0].ran && bd[0].ran)
        check("rsa-sha256 verify, share of the bound", 100 * in[0].msgs / bd[0].msgs, 80, "%", &ok);
    if (in[0].ran && od[0].ran)
        check("rsa-sha256 verify, over OpenDKIM", in[0].msgs / od[0].msgs, 4, "x", &ok);
    if (in[1].ran && bd[1].ran)
        check("ed25519-sha256 verify, share of the bound", 100 * in[1].msgs / bd[1].msgs, 85, "%",
              &ok);
    /*
     * The signing target is measured like the verify bound: against OpenSSL
     * doing the same job on the same message (one SHA-256 over it, then one
     * signature).  The share of the digest-only raw rate is printed too; for
     * Ed25519 it cannot reach 90% for anyone, since hashing a 5 KB message
     * alone costs over 10% of a signature (OpenSSL's own hash+sign row).
     */
    static const char *const sign_name[2] = { "rsa-sha256", "ed25519-sha256" };
    for (int a = 0; a < 2; a++) {
        if (!sg[a].ran)
            continue;
        char label[64];
        snprintf(label, sizeof(label), "%s sign, of OpenSSL hash+sign", sign_name[a]);
        check(label, 100 * sg[a].msgs / full[a].msgs, 90, "%", &ok);
        printf("  %-40s %8.2f%% (no target: of the digest-only raw sign)\n", "",
               100 * sg[a].msgs / raw[a].msgs);
    }
    if (peak_mb >= 0) {
        int small = peak_mb < 16;
        printf("  %-40s %8.2f MB (target < 16 MB)  %s\n", "peak RSS, 50 MB message", peak_mb,
               small ? "met" : "MISSED");
        if (!small)
            ok = 0;
    }
    for (int a = 0; a < 2; a++)
        if ((in[a].ran && in[a].pass != in[a].n) || (od[a].ran && od[a].pass != od[a].n)
            || (bd[a].ran && bd[a].pass != bd[a].n))
            printf("  WARNING: not every %s verdict was pass (see the table)\n", algs[a]);
    printf("  %s\n", ok ? "every target met" : "some target missed (a benchmark fails nothing)");
    return 0;
}
