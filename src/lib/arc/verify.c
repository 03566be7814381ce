/*
 * verify.c - ARC chain validation (RFC 8617 5.2) as a sans-I/O state
 * machine, in the shape of the DKIM verifier:
 *
 *   HEADERS --eoh--> BODY --eom--> (answers missing? EAGAIN) --> DONE
 *
 * At end of headers the chain is collected and checked (steps 1-3); if it
 * survives, every AMS's header hash is computed and its body hash tapped
 * on a shared canonicalizer, every AS's hash is computed (all of them are
 * known once the headers are), and one key query goes out per distinct
 * key name.  At end of message step 4 (newest AMS), step 5 (oldest-pass)
 * and step 6 (every AS, newest first) run on the answers.
 *
 * Keys are DKIM key records (RFC 6376 3.6.1) with RFC 8301 policy; the
 * optional DKIM key cache is shared with DKIM verification.
 * Ownership: arena.  Threads: one verifier per thread at a time.
 */
#include <string.h>
#include <time.h>

#include "arc_int.h"

typedef struct asig {
    const ik__arc_field *f;
    int active; /* hashes computed, waiting for key and body */
    unsigned char hdigest[IK_HASH_MAX_SIZE];
    int canon; /* AMS: body canonicalizer */
    size_t tap;
    ik__dkim_keyslot *key;
    int valid; /* -1 unknown, 0, 1 */
    const char *why;
} asig;

enum { V_HEADERS, V_BODY, V_EOM, V_DONE };

struct ik_arc_verifier {
    ik_arena *a;
    ik_arc_verify_config cfg;
    int64_t now;
    int state;
    ik__dkim_hdr *hdrs;
    size_t nhdrs, caphdrs;
    int too_many_headers;
    ik__arc_chain chain;
    int decided;                        /* result known at eoh */
    asig ams[IK_ARC_MAX_INSTANCES + 1]; /* by instance */
    asig as[IK_ARC_MAX_INSTANCES + 1];
    ik__dkim_keyslot keys[2 * IK_ARC_MAX_INSTANCES];
    ik__dkim_keyset ks; /* keys is its storage */
    ik__dkim_tap taps[2 * IK_ARC_MAX_INSTANCES];
    ik__dkim_bodyset bs; /* taps is its storage */
    ik_buf scratch;
    ik_arc_result res;
    ik_arc_set_info *sets;
};

ik_arc_verifier *ik_arc_verify_new(ik_arena *a, const ik_arc_verify_config *cfg)
{
    ik_arc_verifier *v = ik_arena_calloc(a, 1, sizeof(*v));
    if (v == NULL)
        return NULL;
    v->a = a;
    v->bs.taps = v->taps;
    v->bs.cap = sizeof(v->taps) / sizeof(v->taps[0]);
    if (cfg != NULL)
        v->cfg = *cfg;
    if (v->cfg.min_rsa_bits == 0)
        v->cfg.min_rsa_bits = 1024;
    v->now = v->cfg.now ? v->cfg.now : (int64_t)time(NULL);
    v->ks.keys = v->keys;
    v->ks.cap = sizeof(v->keys) / sizeof(v->keys[0]);
    v->ks.cache = v->cfg.cache;
    v->ks.now = v->now;
    ik_buf_init(&v->scratch, a, 0);
    v->res.reason = "";
    return v;
}

ik_status ik_arc_verify_header(ik_arc_verifier *v, const char *field, size_t len)
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

static void decide(ik_arc_verifier *v, ik_arc_cv cv, const char *why, unsigned blame)
{
    v->res.cv = cv;
    v->res.reason = why ? why : "";
    v->res.failed_instance = cv == IK_ARC_CV_FAIL ? blame : 0;
    v->decided = 1;
}

static ik_status add_tap(ik_arc_verifier *v, asig *s)
{
    const ik_arc_sig *g = &s->f->sig;
    int canon = (int)g->bcanon;
    uint64_t limit = g->has_l ? g->l : IK_DKIM_NO_LIMIT;
    ik_status st =
        ik__dkim_bodyset_tap(&v->bs, v->a, canon, ik_dkim_alg_hash(g->alg), limit, &s->tap);
    if (st == IK_OK)
        s->canon = canon;
    return st;
}

static ik_status find_key(ik_arc_verifier *v, asig *s, ik_dns_query **pending)
{
    const ik_arc_sig *g = &s->f->sig;
    return ik__dkim_keyset_find(&v->ks, v->a, g->selector, g->domain, pending, &s->key);
}

/* Header-side work for one AMS: hash, body tap, key. */
static ik_status prepare_ams(ik_arc_verifier *v, asig *s, ik_hash *h, unsigned char *used,
                             ik_dns_query **pending)
{
    const ik_arc_sig *g = &s->f->sig;
    if (g->has_x && g->x < (uint64_t)v->now) {
        s->valid = 0;
        s->why = "ARC-Message-Signature expired (x=)";
        return IK_OK;
    }
    ik_status st = ik_hash_reset(h);
    if (st == IK_OK)
        st = ik__dkim_hash_headers(h, g->hcanon, v->hdrs, v->nhdrs, g->h, g->nh, g->field,
                                   g->b_start, g->b_end, used, &v->scratch);
    if (st == IK_OK)
        st = ik_hash_final(h, s->hdigest);
    if (st == IK_OK)
        st = add_tap(v, s);
    if (st == IK_OK)
        st = find_key(v, s, pending);
    if (st == IK_OK)
        s->active = 1;
    return st;
}

static ik_status prepare_as(ik_arc_verifier *v, unsigned i, ik_hash *h, ik_dns_query **pending)
{
    asig *s = &v->as[i];
    ik_str aar[IK_ARC_MAX_INSTANCES], ams[IK_ARC_MAX_INSTANCES], as[IK_ARC_MAX_INSTANCES];
    for (unsigned k = 1; k <= i; k++) {
        aar[k - 1] = v->chain.set[k][IK__ARC_AAR]->raw;
        ams[k - 1] = v->chain.set[k][IK__ARC_AMS]->raw;
        as[k - 1] = v->chain.set[k][IK__ARC_AS]->raw;
    }
    const ik_arc_sig *g = &s->f->sig;
    ik_status st = ik_hash_reset(h);
    if (st == IK_OK)
        st = ik__arc_seal_hash(h, aar, ams, as, i, g->b_start, g->b_end, &v->scratch);
    if (st == IK_OK)
        st = ik_hash_final(h, s->hdigest);
    if (st == IK_OK)
        st = find_key(v, s, pending);
    if (st == IK_OK)
        s->active = 1;
    return st;
}

ik_status ik_arc_verify_eoh(ik_arc_verifier *v, ik_dns_query **queries)
{
    *queries = NULL;
    if (v->state != V_HEADERS)
        return IK_ESTATE;
    v->state = V_BODY;
    ik_status st = ik__arc_collect(v->a, v->hdrs, v->nhdrs, v->cfg.flags, &v->chain);
    if (st != IK_OK)
        return st;
    ik__arc_chain *c = &v->chain;
    v->res.n = c->n;
    /* RFC 8617 5.2 step 1. */
    if (c->nfields == 0) {
        decide(v, IK_ARC_CV_NONE, "", 0);
        return IK_OK;
    }
    if (c->nfields > IK_ARC_MAX_FIELDS) {
        decide(v, IK_ARC_CV_FAIL, c->why, 0);
        return IK_OK;
    }
    /* Step 2. */
    if (c->newest_cv_fail) {
        decide(v, IK_ARC_CV_FAIL, "the newest ARC-Seal says cv=fail", c->n);
        return IK_OK;
    }
    /* Step 3. */
    if (c->broken) {
        decide(v, IK_ARC_CV_FAIL, c->why, c->blame);
        return IK_OK;
    }
    if (v->too_many_headers) {
        decide(v, IK_ARC_CV_FAIL, "more than 1000 header fields", 0);
        return IK_OK;
    }
    v->sets = ik_arena_calloc(v->a, c->n, sizeof(*v->sets));
    if (v->sets == NULL)
        return IK_ENOMEM;
    for (unsigned i = 1; i <= c->n; i++) {
        ik_arc_set_info *si = &v->sets[i - 1];
        const ik__arc_field *aar = c->set[i][IK__ARC_AAR], *ams = c->set[i][IK__ARC_AMS],
                            *as = c->set[i][IK__ARC_AS];
        si->instance = i;
        si->seal_cv = as->sig.cv;
        si->seal_domain = as->sig.domain;
        si->seal_selector = as->sig.selector;
        si->ams_domain = ams->sig.domain;
        si->ams_selector = ams->sig.selector;
        si->aar_authserv_id = aar->aar.authserv_id;
        size_t voff = (size_t)ik_str_chr(aar->raw, ':') + 1;
        si->aar = ik_str_make(aar->raw.p + voff, aar->raw.len - voff);
        si->ams_valid = si->seal_valid = -1;
        v->ams[i] = (asig){ .f = ams, .valid = -1 };
        v->as[i] = (asig){ .f = as, .valid = -1 };
    }
    v->res.sets = v->sets;
    v->res.nsets = c->n;

    /* Step 4 needs the newest AMS to parse at all. */
    if (!c->set[c->n][IK__ARC_AMS]->ok) {
        v->sets[c->n - 1].ams_valid = 0;
        decide(v, IK_ARC_CV_FAIL, c->set[c->n][IK__ARC_AMS]->why, c->n);
        return IK_OK;
    }
    /* Step 6 needs every AS to parse. */
    for (unsigned i = c->n; i >= 1; i--) {
        if (!c->set[i][IK__ARC_AS]->ok) {
            v->sets[i - 1].seal_valid = 0;
            decide(v, IK_ARC_CV_FAIL, c->set[i][IK__ARC_AS]->why, i);
            return IK_OK;
        }
    }

    unsigned char *used = ik_arena_alloc(v->a, v->nhdrs ? v->nhdrs : 1);
    ik_hash *hh[2] = { ik_hash_new_arena(v->a, IK_HASH_SHA1),
                       ik_hash_new_arena(v->a, IK_HASH_SHA256) };
    if (used == NULL || hh[0] == NULL || hh[1] == NULL)
        return IK_ENOMEM;
    ik_dns_query *pending = NULL;
    for (unsigned i = c->n; i >= 1; i--) {
        asig *s = &v->ams[i];
        if (!s->f->ok) {
            s->valid = 0;
            s->why = s->f->why;
            continue;
        }
        st = prepare_ams(v, s, hh[ik_dkim_alg_hash(s->f->sig.alg)], used, &pending);
        if (st != IK_OK)
            return st;
    }
    for (unsigned i = c->n; i >= 1; i--) {
        st = prepare_as(v, i, hh[ik_dkim_alg_hash(v->as[i].f->sig.alg)], &pending);
        if (st != IK_OK)
            return st;
    }
    *queries = pending;
    return pending ? IK_EAGAIN : IK_OK;
}

ik_status ik_arc_verify_body(ik_arc_verifier *v, const void *p, size_t len)
{
    if (v->state != V_BODY)
        return IK_ESTATE;
    return ik__dkim_bodyset_update(&v->bs, p, len);
}

/* Checks s against its key: for an AMS the body hash first.  Sets
 * s->valid and s->why. */
static ik_status evaluate(ik_arc_verifier *v, asig *s, int is_ams)
{
    if (!s->active)
        return IK_OK; /* decided at eoh */
    s->active = 0;
    const ik_arc_sig *g = &s->f->sig;
    ik__dkim_keyslot *k = s->key;
    /* RFC 8617 5.2.1: even a temporary DNS failure is a fail (k->err is
     * not used) */
    ik_status st = ik__dkim_keyset_resolve(&v->ks, v->a, k);
    if (st != IK_OK)
        return st;
    s->valid = 0;
    if (k->nrecs == 0) {
        s->why = k->why ? k->why : "no key record";
        return IK_OK;
    }
    ik_hash_alg halg = ik_dkim_alg_hash(g->alg);
    if (is_ams) {
        uint64_t blen = ik_dkim_body_length(v->bs.body[s->canon]);
        if (g->has_l && g->l > blen) {
            s->why = "l= is larger than the body";
            return IK_OK;
        }
        unsigned char bh[IK_HASH_MAX_SIZE];
        st = ik_dkim_body_digest(v->bs.body[s->canon], s->tap, bh);
        if (st != IK_OK)
            return st;
        if (g->bh.len != ik_hash_size(halg) || memcmp(bh, g->bh.p, g->bh.len) != 0) {
            s->why = "body hash did not verify";
            return IK_OK;
        }
    }
    const char *problem = NULL;
    int tried = 0;
    for (size_t i = 0; i < k->nrecs; i++) {
        ik_dkim_key key;
        ik_str why;
        st = ik__dkim_keyrec_key(v->a, &k->recs[i], &key, &why);
        if (st == IK_ENOMEM)
            return st;
        const char *p = NULL;
        if (st != IK_OK)
            p = "key record unusable";
        else if (key.revoked)
            p = "key revoked (empty p=)";
        else if (key.type != ik_dkim_alg_key(g->alg))
            p = "key type (k=) does not match a=";
        else if (!(key.hashes & (1u << halg)))
            p = "key h= does not allow the hash";
        else if (key.type == IK_KEY_RSA && ik_pkey_bits(key.pkey) < v->cfg.min_rsa_bits)
            p = "RSA key too short (RFC 8301 3.2)";
        if (p != NULL) {
            if (problem == NULL)
                problem = p;
            continue;
        }
        tried++;
        int ok = 0;
        st = ik_pkey_verify(key.pkey, halg, s->hdigest, ik_hash_size(halg),
                            (const unsigned char *)g->b.p, g->b.len, &ok);
        if (st == IK_ENOMEM)
            return st;
        if (ok) {
            s->valid = 1;
            s->why = "";
            return IK_OK;
        }
    }
    s->why = tried ? "signature did not verify" : problem;
    return IK_OK;
}

static const char *why_text(ik_arc_verifier *v, const char *what, unsigned i, const char *why)
{
    char *m = ik_arena_printf(v->a, "%s i=%u: %s", what, i, why ? why : "invalid");
    return m ? m : "out of memory";
}

ik_status ik_arc_verify_eom(ik_arc_verifier *v, ik_dns_query **queries)
{
    *queries = NULL;
    if (v->state == V_HEADERS) {
        ik_dns_query *q;
        ik_status st = ik_arc_verify_eoh(v, &q);
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
    if (!v->decided) {
        ik_dns_query *pending = ik__dkim_keyset_unanswered(&v->ks);
        if (pending != NULL) {
            *queries = pending;
            return IK_EAGAIN;
        }
        unsigned n = v->chain.n;
        /* Step 4: the newest AMS. */
        ik_status st = evaluate(v, &v->ams[n], 1);
        if (st != IK_OK)
            return st;
        v->sets[n - 1].ams_valid = v->ams[n].valid;
        if (v->ams[n].valid != 1) {
            decide(v, IK_ARC_CV_FAIL, why_text(v, "ARC-Message-Signature", n, v->ams[n].why), n);
        } else {
            /* Step 5: oldest-pass. */
            v->res.oldest_pass = 0;
            for (unsigned i = n - 1; i >= 1; i--) {
                st = evaluate(v, &v->ams[i], 1);
                if (st != IK_OK)
                    return st;
                v->sets[i - 1].ams_valid = v->ams[i].valid;
                if (v->ams[i].valid != 1) {
                    v->res.oldest_pass = i + 1;
                    break;
                }
            }
            /* Step 6: every AS, newest first. */
            unsigned failed = 0;
            for (unsigned i = n; i >= 1; i--) {
                st = evaluate(v, &v->as[i], 0);
                if (st != IK_OK)
                    return st;
                v->sets[i - 1].seal_valid = v->as[i].valid;
                if (v->as[i].valid != 1) {
                    failed = i;
                    break;
                }
            }
            if (failed)
                decide(v, IK_ARC_CV_FAIL, why_text(v, "ARC-Seal", failed, v->as[failed].why),
                       failed);
            else
                decide(v, IK_ARC_CV_PASS, "", 0);
        }
    }
    v->state = V_DONE;
    return IK_OK;
}

const ik_arc_result *ik_arc_verify_result(const ik_arc_verifier *v)
{
    return v->state == V_DONE ? &v->res : NULL;
}

unsigned ik_arc_trusted_sealer(const ik_arc_result *r, const ik_str *trusted, size_t ntrusted)
{
    if (r == NULL || r->cv != IK_ARC_CV_PASS)
        return 0;
    for (size_t i = r->nsets; i-- > 0;)
        for (size_t k = 0; k < ntrusted; k++)
            if (ik_str_caseeq(r->sets[i].seal_domain, trusted[k]))
                return r->sets[i].instance;
    return 0;
}

ik_status ik_arc_authres(ik_arena *a, const ik_arc_result *r, ik_str remote_ip, ik_ar *ar)
{
    ik_ar_result *m = ik_ar_add(a, ar, IK_STR_LIT("arc"), ik_str_c(ik_arc_cv_name(r->cv)));
    if (m == NULL)
        return IK_ENOMEM;
    m->comment = ik_str_c(r->reason);
    if (r->cv == IK_ARC_CV_PASS) {
        char *op = ik_arena_printf(a, "%u", r->oldest_pass);
        if (op == NULL)
            return IK_ENOMEM;
        ik_status st =
            ik_ar_add_prop(a, m, IK_STR_LIT("header"), IK_STR_LIT("oldest-pass"), ik_str_c(op));
        if (st != IK_OK)
            return st;
    }
    if (remote_ip.len)
        return ik_ar_add_prop(a, m, IK_STR_LIT("smtp"), IK_STR_LIT("remote-ip"), remote_ip);
    return IK_OK;
}
