/*
 * verify.c - the DKIM verifier: a sans-I/O state machine (RFC 6376 6).
 *
 *   HEADERS --eoh--> BODY --eom--> (answers missing? EAGAIN) --> DONE
 *
 * Header fields are copied into the message arena (h= selection needs all
 * of them, bottom-up, RFC 6376 5.4.2).  At end of headers every
 * DKIM-Signature is parsed and checked (6.1.1), its header hash computed at
 * once (3.7), its body hash registered as a tap on one of the two
 * canonicalizers (one tap per distinct c= x hash x l=), and one key query
 * made per distinct key name (6.1.2) - or none when the key cache has it.
 * At end of message the answers are read, keys parsed and checked, body
 * hashes compared and signatures verified (6.1.3).
 *
 * Policy (RFC 8301): rsa-sha1 and RSA keys under 1024 bits are invalid
 * unless the legacy switch allows them; signatures beyond the configured
 * bound get "policy" without any work.
 * Ownership: everything lives in the arena given to ik_dkim_verify_new.
 * Threads: one verifier per thread at a time; the optional key cache locks.
 */
#include <string.h>
#include <time.h>

#include "dkim_int.h"

typedef struct vsig {
    ik_dkim_sigresult res;
    ik_dkim_sig sig;
    int active;       /* waiting for key and body */
    int sha1_refused; /* rsa-sha1 under the RFC 8301 policy */
    unsigned char hdigest[IK_HASH_MAX_SIZE];
    int canon; /* index into v->bs.body */
    size_t tap;
    ik__dkim_keyslot *key;
} vsig;

enum { V_HEADERS, V_BODY, V_EOM, V_DONE };

struct ik_dkim_verifier {
    ik_arena *a;
    ik_dkim_verify_config cfg;
    int64_t now;
    int state;
    ik__dkim_hdr *hdrs;
    size_t nhdrs, caphdrs;
    int too_many_headers;
    vsig *sigs;
    size_t nsigs;
    ik__dkim_keyset ks; /* one slot per signature at most */
    ik__dkim_tap taps[2 * 8];
    ik__dkim_bodyset bs; /* taps is its storage */
    ik_buf scratch;
};

ik_dkim_verifier *ik_dkim_verify_new(ik_arena *a, const ik_dkim_verify_config *cfg)
{
    ik_dkim_verifier *v = ik_arena_calloc(a, 1, sizeof(*v));
    if (v == NULL)
        return NULL;
    v->a = a;
    v->bs.taps = v->taps;
    v->bs.cap = sizeof(v->taps) / sizeof(v->taps[0]);
    if (cfg != NULL)
        v->cfg = *cfg;
    if (v->cfg.max_signatures == 0)
        v->cfg.max_signatures = IK_DKIM_MAX_SIGS;
    if (v->cfg.min_rsa_bits == 0)
        v->cfg.min_rsa_bits = (v->cfg.flags & IK_DKIM_LEGACY) ? 512 : 1024;
    v->now = v->cfg.now ? v->cfg.now : (int64_t)time(NULL);
    ik_buf_init(&v->scratch, a, 0);
    return v;
}

ik_status ik_dkim_verify_header(ik_dkim_verifier *v, const char *field, size_t len)
{
    if (v->state != V_HEADERS)
        return IK_ESTATE;
    if (v->nhdrs == IK_DKIM_MAX_HEADERS) {
        v->too_many_headers = 1;
        return IK_OK;
    }
    ik_str raw = ik__dkim_strip_eol(ik_str_make(field, len));
    ik_status st = ik__dkim_hdr_push(v->a, &v->hdrs, &v->nhdrs, &v->caphdrs, raw);
    return st == IK_ESYNTAX ? IK_OK : st; /* not a field: nothing can sign it */
}

static void set_result(ik_dkim_verifier *v, vsig *s, ik_dkim_result r, const char *fmt, ik_str arg)
{
    s->res.result = r;
    s->active = 0;
    char *m = ik_arena_printf(v->a, fmt, (int)(arg.len > 80 ? 80 : arg.len), arg.p ? arg.p : "");
    s->res.reason = m ? m : "out of memory";
}

static ik_status add_tap(ik_dkim_verifier *v, vsig *s)
{
    int canon = (int)s->sig.bcanon;
    uint64_t limit = s->sig.has_l ? s->sig.l : IK_DKIM_NO_LIMIT;
    ik_status st =
        ik__dkim_bodyset_tap(&v->bs, v->a, canon, ik_dkim_alg_hash(s->sig.alg), limit, &s->tap);
    if (st == IK_OK)
        s->canon = canon;
    return st;
}

static int is_dkim_signature(ik_str name)
{
    return name.len == 14 && ik_str_caseeq_c(name, "DKIM-Signature");
}

ik_status ik_dkim_verify_eoh(ik_dkim_verifier *v, ik_dns_query **queries)
{
    *queries = NULL;
    if (v->state != V_HEADERS)
        return IK_ESTATE;
    v->state = V_BODY;

    size_t n = 0;
    for (size_t i = 0; i < v->nhdrs; i++)
        if (is_dkim_signature(v->hdrs[i].name))
            n++;
    if (n == 0)
        return IK_OK;
    v->sigs = ik_arena_calloc(v->a, n, sizeof(*v->sigs));
    v->ks.keys = ik_arena_calloc(v->a, n, sizeof(*v->ks.keys));
    v->ks.cap = n;
    v->ks.cache = v->cfg.cache;
    v->ks.now = v->now;
    unsigned char *used = ik_arena_alloc(v->a, v->nhdrs);
    /* Header hashes, made when a signature first needs one (most mail
     * has no rsa-sha1 signature, so no SHA-1 context). */
    ik_hash *hh[2] = { NULL, NULL };
    if (v->sigs == NULL || v->ks.keys == NULL || used == NULL)
        return IK_ENOMEM;

    ik_dns_query *pending = NULL;
    unsigned legacy = v->cfg.flags & IK_DKIM_LEGACY;
    for (size_t i = 0; i < v->nhdrs; i++) {
        if (!is_dkim_signature(v->hdrs[i].name))
            continue;
        vsig *s = &v->sigs[v->nsigs++];
        s->res.reason = "";
        if (v->nsigs > v->cfg.max_signatures) {
            set_result(v, s, IK_DKIM_POLICY, "not evaluated: more than %.*s signatures",
                       ik_str_c(ik_arena_printf(v->a, "%u", v->cfg.max_signatures)));
            continue;
        }
        ik_str why;
        ik_status st = ik_dkim_sig_parse(v->a, v->hdrs[i].raw, v->cfg.flags, &s->sig, &why);
        if (st == IK_ENOMEM)
            return st;
        s->res.header_d = s->sig.domain;
        s->res.header_i = s->sig.auid;
        s->res.header_s = s->sig.selector;
        if (st != IK_OK) {
            set_result(v, s, IK_DKIM_PERMERROR, "%.*s", why);
            continue;
        }
        s->res.sig = &s->sig;
        s->res.header_a = ik_str_c(ik_dkim_alg_name(s->sig.alg));
        s->res.header_b =
            ik_str_make(s->sig.b_text.p, s->sig.b_text.len < 8 ? s->sig.b_text.len : 8);
        if (v->too_many_headers) {
            set_result(v, s, IK_DKIM_PERMERROR, "more than %.*s header fields", IK_STR_LIT("1000"));
            continue;
        }
        /* RFC 8301 3.1: rsa-sha1 is never valid here, but the key is still
         * looked up so that a DNS failure reads as temperror (try again
         * later) rather than a verdict on the signature. */
        s->sha1_refused =
            s->sig.alg == IK_DKIM_ALG_RSA_SHA1 && !legacy && !(v->cfg.flags & IK_DKIM_ALLOW_SHA1);
        if (s->sig.has_x && s->sig.x < UINT64_MAX - v->cfg.clock_skew
            && (int64_t)(s->sig.x + v->cfg.clock_skew) < v->now && s->sig.x < (uint64_t)INT64_MAX) {
            set_result(v, s, IK_DKIM_PERMERROR, "signature expired (x=)%.*s", IK_STR_NULL);
            continue;
        }
        if (s->sig.has_t
            && (s->sig.t > (uint64_t)INT64_MAX
                || (int64_t)s->sig.t > v->now + (int64_t)v->cfg.clock_skew)) {
            set_result(v, s, IK_DKIM_PERMERROR, "signature timestamp t= is in the future%.*s",
                       IK_STR_NULL);
            continue;
        }
        /* RFC 6376 3.7: the header hash is known now. */
        ik_hash_alg halg = ik_dkim_alg_hash(s->sig.alg);
        ik_hash *h = hh[halg];
        if (h == NULL && (h = hh[halg] = ik_hash_new_arena(v->a, halg)) == NULL)
            return IK_ENOMEM;
        st = ik_hash_reset(h);
        if (st == IK_OK)
            st = ik__dkim_hash_headers(h, s->sig.hcanon, v->hdrs, v->nhdrs, s->sig.h, s->sig.nh,
                                       v->hdrs[i].raw, s->sig.b_start, s->sig.b_end, used,
                                       &v->scratch);
        if (st == IK_OK)
            st = ik_hash_final(h, s->hdigest);
        if (st == IK_OK)
            st = add_tap(v, s);
        if (st == IK_OK)
            st = ik__dkim_keyset_find(&v->ks, v->a, s->sig.selector, s->sig.domain, &pending,
                                      &s->key);
        if (st != IK_OK)
            return st;
        s->active = 1;
    }
    *queries = pending;
    return pending ? IK_EAGAIN : IK_OK;
}

ik_status ik_dkim_verify_body(ik_dkim_verifier *v, const void *p, size_t len)
{
    if (v->state != V_BODY)
        return IK_ESTATE;
    return ik__dkim_bodyset_update(&v->bs, p, len);
}

/* RFC 4871 3.6.1 g=: the local-part of i= against a pattern with at most
 * one "*"; case-sensitive.  Legacy mode only (RFC 6376 dropped g=). */
static int granularity_ok(ik_str g, ik_str auid)
{
    long at = -1;
    for (size_t i = 0; i < auid.len; i++)
        if (auid.p[i] == '@')
            at = (long)i;
    ik_str local = ik_str_make(auid.p, at < 0 ? 0 : (size_t)at);
    if (g.len == 0)
        return 0; /* RFC 4871 3.6.1: an empty g= matches nothing */
    long star = ik_str_chr(g, '*');
    if (star < 0)
        return ik_str_eq(g, local);
    size_t pre = (size_t)star, post = g.len - pre - 1;
    if (local.len < pre + post)
        return 0;
    return memcmp(local.p, g.p, pre) == 0
           && memcmp(local.p + local.len - post, g.p + pre + 1, post) == 0;
}

static ik_status evaluate(ik_dkim_verifier *v, vsig *s)
{
    ik__dkim_keyslot *k = s->key;
    ik_status st = ik__dkim_keyset_resolve(&v->ks, v->a, k);
    if (st != IK_OK)
        return st;
    s->res.body_length = ik_dkim_body_length(v->bs.body[s->canon]);
    if (k->nrecs == 0 && (k->err == IK_DKIM_TEMPERROR || !s->sha1_refused)) {
        set_result(v, s, k->err, "%.*s", ik_str_c(k->why));
        return IK_OK;
    }
    if (s->sha1_refused) {
        set_result(v, s, IK_DKIM_PERMERROR, "rsa-sha1 is not accepted (RFC 8301 3.1)%.*s",
                   IK_STR_NULL);
        return IK_OK;
    }
    ik_hash_alg halg = ik_dkim_alg_hash(s->sig.alg);
    const char *first_problem = NULL;
    int tried = 0;
    for (size_t i = 0; i < k->nrecs; i++) {
        ik_dkim_key key;
        ik_str why;
        st = ik__dkim_keyrec_key(v->a, &k->recs[i], &key, &why);
        if (st == IK_ENOMEM)
            return st;
        const char *problem = NULL;
        if (st != IK_OK)
            problem = why.p ? why.p : "key record unusable";
        else if (key.revoked)
            problem = "key revoked (empty p=)";
        else if (key.type != ik_dkim_alg_key(s->sig.alg))
            problem = "key type (k=) does not match the signature algorithm";
        else if (!(key.hashes & (1u << halg)))
            problem = halg == IK_HASH_SHA1 ? "key h= does not allow sha1"
                                           : "key h= does not allow sha256";
        else if ((key.flags & IK_DKIM_KEY_STRICT)
                 && !ik_str_caseeq(s->sig.auid_domain, s->sig.domain))
            problem = "key t=s requires the i= domain to equal d=";
        else if ((v->cfg.flags & IK_DKIM_LEGACY) && key.has_g
                 && !granularity_ok(key.g, s->sig.auid))
            problem = "key g= does not match i=";
        else if (key.type == IK_KEY_RSA && ik_pkey_bits(key.pkey) < v->cfg.min_rsa_bits)
            problem = ik_arena_printf(v->a, "RSA key of %u bits is too short (RFC 8301 3.2)",
                                      ik_pkey_bits(key.pkey));
        if (problem != NULL) {
            if (first_problem == NULL)
                first_problem = problem;
            continue;
        }
        s->res.key_bits = ik_pkey_bits(key.pkey);
        s->res.key_testing = (key.flags & IK_DKIM_KEY_TESTING) != 0;
        if (tried++ == 0) {
            /* RFC 6376 6.1.3: body hash first. */
            if (s->sig.has_l && s->sig.l > s->res.body_length) {
                set_result(v, s, IK_DKIM_PERMERROR, "l= is larger than the body%.*s", IK_STR_NULL);
                return IK_OK;
            }
            s->res.body_truncated = s->sig.has_l && s->sig.l < s->res.body_length;
            unsigned char bh[IK_HASH_MAX_SIZE];
            st = ik_dkim_body_digest(v->bs.body[s->canon], s->tap, bh);
            if (st != IK_OK)
                return st;
            if (s->sig.bh.len != ik_hash_size(halg) || memcmp(bh, s->sig.bh.p, s->sig.bh.len)) {
                set_result(v, s, IK_DKIM_FAIL, "body hash did not verify%.*s", IK_STR_NULL);
                return IK_OK;
            }
        }
        int ok = 0;
        st = ik_pkey_verify(key.pkey, halg, s->hdigest, ik_hash_size(halg),
                            (const unsigned char *)s->sig.b.p, s->sig.b.len, &ok);
        if (st == IK_ENOMEM)
            return st;
        if (ok) {
            s->res.result = IK_DKIM_PASS;
            s->res.reason = "";
            s->active = 0;
            return IK_OK;
        }
    }
    if (tried)
        set_result(v, s, IK_DKIM_FAIL, "signature did not verify%.*s", IK_STR_NULL);
    else
        set_result(v, s, IK_DKIM_PERMERROR, "%.*s", ik_str_c(first_problem));
    return IK_OK;
}

ik_status ik_dkim_verify_eom(ik_dkim_verifier *v, ik_dns_query **queries)
{
    *queries = NULL;
    if (v->state == V_HEADERS) {
        ik_dns_query *q;
        ik_status st = ik_dkim_verify_eoh(v, &q);
        if (st != IK_OK && st != IK_EAGAIN)
            return st;
    }
    if (v->state == V_BODY) {
        ik_status st = ik__dkim_bodyset_final(&v->bs);
        if (st != IK_OK)
            return st;
        v->state = V_EOM;
    }
    if (v->state == V_DONE)
        return IK_OK;
    if (v->state != V_EOM)
        return IK_ESTATE;
    ik_dns_query *pending = ik__dkim_keyset_unanswered(&v->ks);
    if (pending != NULL) {
        *queries = pending;
        return IK_EAGAIN;
    }
    for (size_t i = 0; i < v->nsigs; i++) {
        if (!v->sigs[i].active)
            continue;
        ik_status st = evaluate(v, &v->sigs[i]);
        if (st != IK_OK)
            return st;
    }
    v->state = V_DONE;
    return IK_OK;
}

size_t ik_dkim_verify_count(const ik_dkim_verifier *v)
{
    return v->nsigs;
}

const ik_dkim_sigresult *ik_dkim_verify_get(const ik_dkim_verifier *v, size_t i)
{
    if (v->state != V_DONE || i >= v->nsigs)
        return NULL;
    return &v->sigs[i].res;
}

ik_dkim_result ik_dkim_verify_overall(const ik_dkim_verifier *v)
{
    static const ik_dkim_result order[] = { IK_DKIM_PASS,      IK_DKIM_FAIL,   IK_DKIM_TEMPERROR,
                                            IK_DKIM_PERMERROR, IK_DKIM_POLICY, IK_DKIM_NEUTRAL };
    if (v->state != V_DONE || v->nsigs == 0)
        return IK_DKIM_NONE;
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
        for (size_t i = 0; i < v->nsigs; i++)
            if (v->sigs[i].res.result == order[k])
                return order[k];
    return IK_DKIM_NONE;
}
