/*
 * verify.c - the DomainKeys verifier: a sans-I/O state machine
 * (RFC 4870 3.7).
 *
 *   HEADERS --eoh--> BODY --eom--> (key answers missing? EAGAIN) -->
 *   evaluate --> (policy needed and unanswered? EAGAIN) --> DONE
 *
 * Header fields are copied into the message arena, since a signature signs
 * only the fields below it and may reorder them by h=.  At end of headers
 * each DomainKey-Signature is parsed, its signing address found among the
 * fields it signs (Sender, else From; RFC 4870 3.2) and checked against d=
 * before any DNS is asked, its header fields hashed at once into its own
 * SHA-1, and that hash registered as a tap on the body canonicalizer of
 * its c= (one per canonicalization, shared).  One key query is made per
 * distinct key name.  At end of message the keys are parsed and checked
 * (k=, p=, g=, t=) and every signature verified.
 *
 * Policy (RFC 4870 3.6, applied as Mail::DKIM's DkPolicy does): when asked
 * for and no signature of the sender's own address passed, the TXT record
 * at "_domainkey.<sender domain>" is read: o=- without t=y gives "reject",
 * anything else "neutral".  For an unsigned message the query leaves at
 * end of headers already, so the answer arrives while the body streams.
 *
 * Testing keys (t=y): RFC 4870 says unverified mail from such a key must
 * not be treated differently from verified mail, so a signature that does
 * not verify with one is "neutral", not "fail".
 * Ownership: everything lives in the arena given to ik_dk_verify_new.
 * Threads: one verifier per thread at a time.
 * Limits: IK_DK_MAX_SIGS signatures (configurable), IK_DK_MAX_HEADERS
 * fields, IK_DK_MAX_FIELD bytes per field, IK_DK_MAX_RECORDS TXT records.
 */
#include <string.h>

#include "dk_int.h"

typedef struct vkey {
    ik_str name; /* selector._domainkey.domain, lowercase */
    ik_dns_query *q;
} vkey;

typedef struct vsig {
    ik_dk_sigresult res;
    ik_dk_sig sig;
    int active; /* waiting for key and body */
    ik_hash *hash;
    ik_str local; /* local part of the signing address */
    vkey *key;
} vsig;

enum { V_HEADERS, V_BODY, V_EOM, V_DONE };

struct ik_dk_verifier {
    ik_arena *a;
    ik_dk_verify_config cfg;
    int state;
    ik__dk_hdr *hdrs;
    size_t nhdrs, caphdrs;
    int too_many_headers;
    vsig *sigs;
    size_t nsigs; /* fields seen (evaluated or not) */
    vkey *keys;
    size_t nkeys;
    ik_dk_body *body[2];
    int evaluated;
    ik_dk_policy_outcome policy;
    ik_dns_query *policy_q;
    int policy_done;
    ik_buf scratch;
};

ik_dk_verifier *ik_dk_verify_new(ik_arena *a, const ik_dk_verify_config *cfg)
{
    ik_dk_verifier *v = ik_arena_calloc(a, 1, sizeof(*v));
    if (v == NULL)
        return NULL;
    v->a = a;
    if (cfg != NULL)
        v->cfg = *cfg;
    if (v->cfg.max_signatures == 0)
        v->cfg.max_signatures = IK_DK_MAX_SIGS;
    if (v->cfg.min_rsa_bits == 0)
        v->cfg.min_rsa_bits = 512;
    v->policy.reason = "policy not checked";
    ik_buf_init(&v->scratch, a, 0);
    return v;
}

ik_status ik_dk_verify_header(ik_dk_verifier *v, const char *field, size_t len)
{
    if (v->state != V_HEADERS)
        return IK_ESTATE;
    ik_str raw = ik__dkim_strip_eol(ik_str_make(field, len));
    ik__dk_hdr h;
    if (ik__dkim_hdr_init(&h, raw) != IK_OK)
        return IK_OK; /* not a field: nothing can sign it */
    if (v->nhdrs == IK_DK_MAX_HEADERS || raw.len > IK_DK_MAX_FIELD) {
        v->too_many_headers = 1;
        return IK_OK;
    }
    ik_status st = ik__dkim_hdr_push(v->a, &v->hdrs, &v->nhdrs, &v->caphdrs, raw);
    return st == IK_ESYNTAX ? IK_OK : st;
}

static void set_result(ik_dk_verifier *v, vsig *s, ik_dk_result r, const char *fmt, ik_str arg)
{
    s->res.result = r;
    s->active = 0;
    char *m = ik_arena_printf(v->a, fmt, (int)(arg.len > 80 ? 80 : arg.len), arg.p ? arg.p : "");
    s->res.reason = m ? m : "out of memory";
}

static ik_status find_key(ik_dk_verifier *v, vsig *s, ik_dns_query **pending)
{
    char *name = ik_arena_printf(v->a, "%.*s._domainkey.%.*s", (int)s->sig.selector.len,
                                 s->sig.selector.p, (int)s->sig.domain.len, s->sig.domain.p);
    if (name == NULL)
        return IK_ENOMEM;
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p += 32;
    ik_str n = ik_str_c(name);
    for (size_t i = 0; i < v->nkeys; i++) {
        if (ik_str_eq(v->keys[i].name, n)) {
            s->key = &v->keys[i];
            return IK_OK;
        }
    }
    vkey *k = &v->keys[v->nkeys++];
    k->name = n;
    s->key = k;
    k->q = ik_dns_query_new(v->a, n, IK_DNS_T_TXT);
    if (k->q == NULL)
        return IK_ENOMEM;
    k->q->engine_data = k;
    k->q->next = *pending;
    *pending = k->q;
    return IK_OK;
}

/* The sender address for the policy: the first Sender, else the first
 * From of the whole message (RFC 4870 3.2).  A Sender without an address
 * ("Sender: evil doer") is passed over rather than ending the search. */
static ik_status find_sender(ik_dk_verifier *v)
{
    static const char *const order[] = { "Sender", "From" };
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < v->nhdrs; i++) {
            if (!ik_str_caseeq_c(v->hdrs[i].name, order[k]))
                continue;
            ik_str addr, local, domain;
            ik_status st =
                ik_dk_mailbox(v->a, ik__dk_hdr_value(&v->hdrs[i]), &addr, &local, &domain);
            if (st == IK_ENOMEM)
                return st;
            if (st == IK_OK) {
                v->policy.sender = addr;
                v->policy.domain = domain;
                return IK_OK;
            }
            break; /* only the first field of each name counts */
        }
    }
    return IK_OK;
}

/* Issues the policy query, or settles the verdict when none can be made. */
static ik_status policy_query(ik_dk_verifier *v)
{
    if (v->policy_q != NULL || v->policy_done)
        return IK_OK;
    if (v->policy.domain.len == 0) {
        v->policy.verdict = IK_DK_POLICY_NEUTRAL;
        v->policy.reason = "no Sender or From address to look a policy up for";
        v->policy_done = 1;
        return IK_OK;
    }
    char *name =
        ik_arena_printf(v->a, "_domainkey.%.*s", (int)v->policy.domain.len, v->policy.domain.p);
    if (name == NULL)
        return IK_ENOMEM;
    if (ik_dns_name_check(ik_str_c(name)) != IK_OK) {
        v->policy.verdict = IK_DK_POLICY_NEUTRAL;
        v->policy.reason = "the sender domain is not a valid DNS name";
        v->policy_done = 1;
        return IK_OK;
    }
    v->policy_q = ik_dns_query_new(v->a, ik_str_c(name), IK_DNS_T_TXT);
    return v->policy_q ? IK_OK : IK_ENOMEM;
}

ik_status ik_dk_verify_eoh(ik_dk_verifier *v, ik_dns_query **queries)
{
    *queries = NULL;
    if (v->state != V_HEADERS)
        return IK_ESTATE;
    v->state = V_BODY;
    ik_status st = find_sender(v);
    if (st != IK_OK)
        return st;

    size_t n = 0;
    for (size_t i = 0; i < v->nhdrs; i++)
        if (ik_str_caseeq_c(v->hdrs[i].name, "DomainKey-Signature"))
            n++;
    if (n == 0) {
        if (!v->cfg.check_policy)
            return IK_OK;
        st = policy_query(v);
        if (st != IK_OK)
            return st;
        *queries = v->policy_q;
        return v->policy_q ? IK_EAGAIN : IK_OK;
    }
    v->sigs = ik_arena_calloc(v->a, n, sizeof(*v->sigs));
    v->keys = ik_arena_calloc(v->a, n, sizeof(*v->keys));
    if (v->sigs == NULL || v->keys == NULL)
        return IK_ENOMEM;

    ik_dns_query *pending = NULL;
    for (size_t i = 0; i < v->nhdrs; i++) {
        if (!ik_str_caseeq_c(v->hdrs[i].name, "DomainKey-Signature"))
            continue;
        vsig *s = &v->sigs[v->nsigs++];
        s->res.reason = "";
        s->res.identity_header = "";
        if (v->nsigs > v->cfg.max_signatures) {
            set_result(v, s, IK_DK_PERMERROR, "not evaluated: more than %.*s signatures",
                       ik_str_c(ik_arena_printf(v->a, "%u", v->cfg.max_signatures)));
            continue;
        }
        ik_str why;
        st = ik_dk_sig_parse(v->a, v->hdrs[i].raw, &s->sig, &why);
        if (st == IK_ENOMEM)
            return st;
        s->res.domain = s->sig.domain;
        s->res.selector = s->sig.selector;
        if (st != IK_OK) {
            set_result(v, s, IK_DK_PERMERROR, "%.*s", why);
            continue;
        }
        s->res.sig = &s->sig;
        if (v->too_many_headers) {
            set_result(v, s, IK_DK_PERMERROR, "more than %.*s header fields or an oversized one",
                       ik_str_c(ik_arena_printf(v->a, "%d", IK_DK_MAX_HEADERS)));
            continue;
        }
        size_t *sel, nsel;
        st = ik__dk_select(v->a, v->hdrs, v->nhdrs, i + 1, s->sig.h, s->sig.nh, s->sig.has_h, &sel,
                           &nsel);
        if (st != IK_OK)
            return st;

        /* RFC 4870 3.2 / 3.3 d=: the signing address is Sender if present,
         * else From, and d= is its domain or a parent of it. */
        ik_str addr, local, domain;
        const char *which;
        st = ik__dk_identity(v->a, v->hdrs, sel, nsel, &addr, &local, &domain, &which);
        if (st == IK_ENOMEM)
            return st;
        s->res.identity_header = which;
        if (st != IK_OK) {
            set_result(v, s, IK_DK_PERMERROR,
                       *which ? "no address in the signed %.*s field"
                              : "no From or Sender field among the signed fields%.*s",
                       ik_str_c(which));
            continue;
        }
        s->res.identity = addr;
        s->local = local;
        if (!ik__dk_domain_within(domain, s->sig.domain)) {
            set_result(v, s, IK_DK_PERMERROR,
                       "d= is neither the signing address's domain nor a parent of it: %.*s", addr);
            continue;
        }

        /* The header part of the one SHA-1 (3.4.2). */
        s->hash = ik_hash_new_arena(v->a, IK_HASH_SHA1);
        if (s->hash == NULL)
            return IK_ENOMEM;
        for (size_t k = 0; k < nsel; k++) {
            ik_buf_reset(&v->scratch);
            ik_dk_canon_header(s->sig.canon, v->hdrs[sel[k]].raw, &v->scratch);
            if (ik_buf_error(&v->scratch) != IK_OK)
                return ik_buf_error(&v->scratch);
            ik_str c = ik_buf_str(&v->scratch);
            st = ik_hash_update(s->hash, c.p, c.len);
            if (st != IK_OK)
                return st;
        }
        int canon = (int)s->sig.canon;
        if (v->body[canon] == NULL) {
            v->body[canon] = ik_dk_body_new(v->a, s->sig.canon);
            if (v->body[canon] == NULL)
                return IK_ENOMEM;
        }
        st = ik_dk_body_add_hash(v->body[canon], s->hash);
        if (st != IK_OK)
            return st;
        st = find_key(v, s, &pending);
        if (st != IK_OK)
            return st;
        s->active = 1;
    }
    *queries = pending;
    return pending ? IK_EAGAIN : IK_OK;
}

ik_status ik_dk_verify_body(ik_dk_verifier *v, const void *p, size_t len)
{
    if (v->state != V_BODY)
        return IK_ESTATE;
    for (int c = 0; c < 2; c++) {
        if (v->body[c] != NULL) {
            ik_status st = ik_dk_body_update(v->body[c], p, len);
            if (st != IK_OK)
                return st;
        }
    }
    return IK_OK;
}

/* First parseable key record of the answer. */
static void evaluate(ik_dk_verifier *v, vsig *s)
{
    ik_dns_answer *ans = s->key->q->answer;
    switch (ans->status) {
    case IK_DNS_OK: break;
    case IK_DNS_NXDOMAIN:
    case IK_DNS_NODATA: set_result(v, s, IK_DK_PERMERROR, "no key at %.*s", s->key->name); return;
    case IK_DNS_TEMPFAIL:
        set_result(v, s, IK_DK_TEMPERROR, "key lookup failed: %.*s",
                   ans->why.len ? ans->why : IK_STR_LIT("temporary DNS failure"));
        return;
    default:
        set_result(v, s, IK_DK_PERMERROR, "key lookup failed: %.*s",
                   ans->why.len ? ans->why : ik_str_c(ik_dns_status_name(ans->status)));
        return;
    }
    ik_dk_key key;
    ik_str first_why = IK_STR_NULL;
    int found = 0;
    size_t seen = 0;
    for (size_t i = 0; i < ans->nrr && seen < IK_DK_MAX_RECORDS; i++) {
        if (ans->rr[i].type != IK_DNS_T_TXT)
            continue;
        seen++;
        ik_str why;
        ik_status st = ik_dk_key_parse(v->a, ans->rr[i].u.txt.joined, &key, &why);
        if (st == IK_OK) {
            found = 1;
            break;
        }
        if (first_why.len == 0)
            first_why = st == IK_ENOMEM ? IK_STR_LIT("out of memory") : why;
    }
    if (!found) {
        set_result(v, s, IK_DK_PERMERROR, "%.*s",
                   first_why.len ? first_why : IK_STR_LIT("no key record in the answer"));
        return;
    }
    s->res.key_testing = key.testing;
    if (key.revoked) {
        set_result(v, s, IK_DK_PERMERROR, "key revoked (empty p=)%.*s", IK_STR_NULL);
        return;
    }
    s->res.key_bits = ik_pkey_bits(key.pkey);
    if (s->res.key_bits < v->cfg.min_rsa_bits) {
        set_result(v, s, IK_DK_PERMERROR, "RSA key of %.*s bits is below the minimum",
                   ik_str_c(ik_arena_printf(v->a, "%u", s->res.key_bits)));
        return;
    }
    if (key.has_g && !ik_dk_granularity_match(key.g, s->local)) {
        set_result(v, s, IK_DK_PERMERROR, "key g=%.*s does not match the signing address", key.g);
        return;
    }
    unsigned char digest[IK_HASH_MAX_SIZE];
    int valid = 0;
    if (ik_hash_final(s->hash, digest) != IK_OK
        || ik_pkey_verify(key.pkey, IK_HASH_SHA1, digest, ik_hash_size(IK_HASH_SHA1),
                          (const unsigned char *)s->sig.b.p, s->sig.b.len, &valid)
               != IK_OK) {
        set_result(v, s, IK_DK_PERMERROR, "signature could not be checked%.*s", IK_STR_NULL);
        return;
    }
    if (valid) {
        s->res.result = IK_DK_PASS;
        s->res.reason = "";
        s->active = 0;
    } else if (key.testing) {
        set_result(v, s, IK_DK_NEUTRAL, "signature did not verify; key in testing mode (t=y)%.*s",
                   IK_STR_NULL);
    } else {
        set_result(v, s, IK_DK_FAIL, "signature did not verify%.*s", IK_STR_NULL);
    }
}

static void evaluate_policy(ik_dk_verifier *v)
{
    ik_dns_answer *ans = v->policy_q->answer;
    v->policy_done = 1;
    v->policy.verdict = IK_DK_POLICY_NEUTRAL;
    switch (ans->status) {
    case IK_DNS_OK: break;
    case IK_DNS_NXDOMAIN:
    case IK_DNS_NODATA: v->policy.reason = "no policy record: some mail is signed (o=~)"; return;
    case IK_DNS_TEMPFAIL:
        v->policy.verdict = IK_DK_POLICY_TEMPERROR;
        v->policy.reason = "policy lookup failed temporarily";
        return;
    default: v->policy.reason = "policy lookup failed"; return;
    }
    ik_str first_why = IK_STR_NULL;
    size_t seen = 0;
    for (size_t i = 0; i < ans->nrr && seen < IK_DK_MAX_RECORDS; i++) {
        if (ans->rr[i].type != IK_DNS_T_TXT)
            continue;
        seen++;
        ik_str why;
        ik_str text = ans->rr[i].u.txt.joined;
        if (ik_dk_policy_parse(v->a, text, &v->policy.policy, &why) == IK_OK) {
            v->policy.found = 1;
            v->policy.record = text;
            if (v->policy.policy.sign_all && !v->policy.policy.testing) {
                v->policy.verdict = IK_DK_POLICY_REJECT;
                v->policy.reason = "the domain signs all mail (o=-) and no signature of the "
                                   "sender passed";
            } else if (v->policy.policy.sign_all) {
                v->policy.reason = "the domain signs all mail (o=-) but is testing (t=y)";
            } else {
                v->policy.reason = "the domain signs some mail (o=~)";
            }
            return;
        }
        if (first_why.len == 0)
            first_why = why;
    }
    char *m = ik_arena_printf(v->a, "policy record unusable: %.*s", (int)first_why.len,
                              first_why.p ? first_why.p : "");
    v->policy.reason = m ? m : "policy record unusable";
}

ik_status ik_dk_verify_eom(ik_dk_verifier *v, ik_dns_query **queries)
{
    *queries = NULL;
    if (v->state == V_HEADERS)
        return IK_ESTATE;
    if (v->state == V_DONE)
        return IK_OK;
    if (v->state == V_BODY) {
        for (int c = 0; c < 2; c++) {
            if (v->body[c] != NULL) {
                ik_status st = ik_dk_body_final(v->body[c]);
                if (st != IK_OK)
                    return st;
            }
        }
        v->state = V_EOM;
    }
    if (!v->evaluated) {
        ik_dns_query *pending = NULL;
        for (size_t i = 0; i < v->nkeys; i++) {
            ik_dns_query *q = v->keys[i].q;
            if (q->answer == NULL) {
                q->next = pending;
                pending = q;
            }
        }
        if (pending != NULL) {
            *queries = pending;
            return IK_EAGAIN;
        }
        for (size_t i = 0; i < v->nsigs; i++)
            if (v->sigs[i].active)
                evaluate(v, &v->sigs[i]);
        v->evaluated = 1;
    }
    if (v->cfg.check_policy && !v->policy_done) {
        if (v->policy_q == NULL) {
            /* A signature of the sender's own address that passed
             * satisfies any policy (Mail::DKIM DkPolicy "accept"). */
            for (size_t i = 0; i < v->nsigs; i++) {
                const vsig *s = &v->sigs[i];
                if (s->res.result == IK_DK_PASS && v->policy.sender.len
                    && ik_str_caseeq(s->res.identity, v->policy.sender)) {
                    v->policy.verdict = IK_DK_POLICY_ACCEPT;
                    v->policy.reason = "a signature of the sender passed";
                    v->policy_done = 1;
                    break;
                }
            }
            if (!v->policy_done) {
                ik_status st = policy_query(v);
                if (st != IK_OK)
                    return st;
            }
        }
        if (!v->policy_done) {
            if (v->policy_q->answer == NULL) {
                v->policy_q->next = NULL;
                *queries = v->policy_q;
                return IK_EAGAIN;
            }
            evaluate_policy(v);
        }
    }
    v->state = V_DONE;
    return IK_OK;
}

size_t ik_dk_verify_count(const ik_dk_verifier *v)
{
    size_t n = 0;
    for (size_t i = 0; i < v->nhdrs; i++)
        if (ik_str_caseeq_c(v->hdrs[i].name, "DomainKey-Signature"))
            n++;
    return n;
}

const ik_dk_sigresult *ik_dk_verify_get(const ik_dk_verifier *v, size_t i)
{
    if (v->state != V_DONE || i >= v->nsigs)
        return NULL;
    return &v->sigs[i].res;
}

static int rank(ik_dk_result r)
{
    switch (r) {
    case IK_DK_PASS: return 5;
    case IK_DK_FAIL: return 4;
    case IK_DK_NEUTRAL: return 3;
    case IK_DK_TEMPERROR: return 2;
    case IK_DK_PERMERROR: return 1;
    default: return 0;
    }
}

ik_dk_result ik_dk_verify_overall(const ik_dk_verifier *v)
{
    ik_dk_result best = IK_DK_NONE;
    for (size_t i = 0; i < v->nsigs; i++)
        if (rank(v->sigs[i].res.result) > rank(best))
            best = v->sigs[i].res.result;
    return best;
}

const ik_dk_policy_outcome *ik_dk_verify_policy(const ik_dk_verifier *v)
{
    return &v->policy;
}
