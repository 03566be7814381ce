/*
 * eval.c - the DMARC evaluation engine (RFC 9989 4.10, 5.3; RFC 7489 6.6;
 * external report destinations of RFC 9990 4 / RFC 7489 7.1).
 *
 * Sans-I/O by replay: every ik_dmarc_run() recomputes the verdict from the
 * start, reading DNS answers from a per-evaluation table of questions.  A
 * question not yet in the table is added and left pending; the computation
 * carries on with whatever does not depend on it, so independent walks
 * (the author's, the SPF Domain's, each DKIM domain's, each report host's)
 * ask their next question in the same round.  When anything is pending the
 * run returns IK_EAGAIN with the pending list.  Evaluation is cheap next to
 * a DNS round trip, and replay keeps the control flow as plain as the RFC
 * text: no hand-written continuation states to get wrong.  Parsed records
 * are kept with their answers, so each record is parsed once; with
 * ik_dmarc_params.cache they come from the shared policy cache (cache.c).
 *
 * Policy discovery (RFC 9989 4.10.1): _dmarc.<author>; if that gives no
 * single valid record, the DNS Tree Walk from the author (at most 8
 * queries, jumping to 7 labels for longer names, stopping at a psd=y/n
 * record), then the Organizational Domain rules of 4.10.2 pick the record:
 * the org domain's, else the PSD's.  In RFC 7489 mode: the author's record,
 * else the PSL Organizational Domain's (6.6.3); several records at either
 * name end discovery (step 5), where RFC 9989 discards them and walks on.
 *
 * Alignment (RFC 9989 4.4, 4.10.2): strict is equality (ASCII case-
 * insensitive); relaxed compares Organizational Domains, found by a Tree
 * Walk from each domain (or the PSL in 7489 mode), skipped when the two
 * domains are equal or share no label at all.
 *
 * Ownership: everything in the arena given to ik_dmarc_new().
 * Threads: an evaluation belongs to one thread at a time.
 * Limits: IK_DMARC_MAX_QUERIES distinct questions (past it: permerror),
 * IK_DMARC_MAX_DKIM signatures, IK_DMARC_MAX_AUTHOR_DOMAINS domains.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "dmarc/dmarc_int.h"

/* TXT answer classes */
enum { TX_NONE = 0, TX_ONE, TX_MULTI, TX_INVALID, TX_TEMP, TX_PERM };
/* lookup results */
enum { LK_WAIT = 0, LK_DONE, LK_BAD };
/* progress of a computation that may need DNS */
enum { P_DONE = 0, P_WAIT, P_TEMP, P_PERM };
/* alignment answers */
enum { AL_NO = 0, AL_YES, AL_WAIT, AL_TEMP, AL_PERM };

#define QCHUNK 16

typedef struct qent {
    ik_dns_query *q;
    unsigned run; /* run in which it was last put on the list */
    unsigned gen; /* evaluation (ik__dmarc_restart) that last asked it */
    int classified;
    int kind; /* TX_* */
    const ik_dmarc_record *rec;
    ik_str problem;
} qent;

struct ik_dmarc {
    ik_arena *a;
    ik_dmarc_params p;
    ik_dmarc_from from;
    ik_dmarc_auth auth;
    ik_str spf_domain;                     /* normalized SPF Domain, or empty */
    ik_dmarc_dkim dkim[IK_DMARC_MAX_DKIM]; /* normalized d= */
    size_t ndkim;
    uint32_t sample;
    unsigned parse_flags;

    /* The question table, in chunks allocated as it grows: most evaluations
     * ask two or three questions, and entries never move, so a qent pointer
     * stays valid while later questions are added. */
    qent *qchunk[(IK_DMARC_MAX_QUERIES + QCHUNK - 1) / QCHUNK];
    size_t nq;
    unsigned gen;
    unsigned run;
    int over_limit;
    ik_dns_query *pending, **ptail;
    ik_status fatal;
    int done;
    ik_dmarc_outcome out;
};

const char *ik_dmarc_result_name(ik_dmarc_result r)
{
    switch (r) {
    case IK_DMARC_NONE: return "none";
    case IK_DMARC_PASS: return "pass";
    case IK_DMARC_FAIL: return "fail";
    case IK_DMARC_TEMPERROR: return "temperror";
    case IK_DMARC_PERMERROR: return "permerror";
    }
    return "unknown";
}

const char *ik_dmarc_policy_name(ik_dmarc_policy p)
{
    switch (p) {
    case IK_DMARC_P_NONE: return "none";
    case IK_DMARC_P_QUARANTINE: return "quarantine";
    case IK_DMARC_P_REJECT: return "reject";
    }
    return "unknown";
}

const char *ik_dmarc_override_report_type(ik_dmarc_override o)
{
    switch (o) {
    case IK_DMARC_OVR_NONE: return "";
    case IK_DMARC_OVR_SAMPLED_OUT: return "sampled_out";
    case IK_DMARC_OVR_TEST_MODE: return "policy_test_mode";
    case IK_DMARC_OVR_TRUSTED_ARC: return "local_policy";
    case IK_DMARC_OVR_LOCAL_POLICY: return "local_policy";
    }
    return "other";
}

const char *ik_dmarc_dest_status_name(ik_dmarc_dest_status s)
{
    switch (s) {
    case IK_DMARC_DEST_NOT_CHECKED: return "not-checked";
    case IK_DMARC_DEST_INTERNAL: return "internal";
    case IK_DMARC_DEST_AUTHORIZED: return "authorized";
    case IK_DMARC_DEST_UNAUTHORIZED: return "unauthorized";
    case IK_DMARC_DEST_TEMPERROR: return "temperror";
    case IK_DMARC_DEST_REFUSED: return "refused";
    case IK_DMARC_DEST_UNSUPPORTED: return "unsupported";
    case IK_DMARC_DEST_INVALID: return "invalid";
    case IK_DMARC_DEST_NOT_SENT: return "not-sent";
    }
    return "unknown";
}

/* ---- inputs ---------------------------------------------------------------- */

ik_status ik_dmarc_auth_set_spf(ik_dmarc_auth *auth, const ik_spf_params *params,
                                const ik_spf_outcome *outcome)
{
    if (auth == NULL || params == NULL || outcome == NULL)
        return IK_EINVAL;
    /* RFC 9989 4.4.2: "DMARC relies solely on SPF validation of the MAIL
     * FROM identity." */
    if (params->scope != IK_SPF_SCOPE_MFROM)
        return IK_EINVAL;
    auth->spf_result = outcome->result;
    auth->mailfrom = params->sender;
    auth->helo = params->helo;
    return IK_OK;
}

/* Domain of a reverse-path ("user@dom", "<user@dom>", or a bare domain). */
static ik_str path_domain(ik_str s)
{
    s = ik_str_trim(s);
    if (s.len >= 2 && s.p[0] == '<' && s.p[s.len - 1] == '>') {
        s.p++;
        s.len -= 2;
    }
    for (size_t i = s.len; i > 0; i--)
        if (s.p[i - 1] == '@')
            return ik_str_make(s.p + i, s.len - i);
    return s;
}

/* The per-evaluation inputs: sample draw, SPF Domain and DKIM domains. */
static ik_status set_inputs(ik_dmarc *d, const ik_dmarc_params *p, const ik_dmarc_auth *auth)
{
    ik_arena *a = d->a;
    d->p = *p;
    d->auth = *auth;
    d->parse_flags = p->flags & (IK_DMARC_OPT_DUP_TAG_FIRST | IK_DMARC_OPT_LENIENT_URI_SIZE);
    if (p->spec == IK_DMARC_SPEC_7489)
        d->parse_flags |= IK_DMARC_OPT_SPEC_7489;
    if (p->sample >= 0) {
        d->sample = (uint32_t)(p->sample % 100);
    } else {
        uint32_t r = 0;
        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            r = 0;
        d->sample = r % 100;
    }

    /* The SPF Domain: MAIL FROM's domain; with a null reverse-path the
     * identity is postmaster@<HELO> (RFC 7208 2.4, RFC 9989 3.2.4). */
    d->spf_domain = IK_STR_NULL;
    ik_str sd = ik_str_trim(auth->mailfrom);
    if (sd.len == 0 || (sd.len == 2 && sd.p[0] == '<' && sd.p[1] == '>'))
        sd = ik_str_trim(auth->helo);
    else
        sd = path_domain(sd);
    if (sd.len) {
        ik_status st = ik_dmarc_domain_alabel(a, sd, &d->spf_domain);
        if (st == IK_ENOMEM)
            return st;
        if (st != IK_OK)
            d->spf_domain = IK_STR_NULL;
    }
    d->ndkim = 0;
    for (size_t i = 0; i < auth->ndkim && d->ndkim < IK_DMARC_MAX_DKIM; i++) {
        ik_dmarc_dkim k = auth->dkim[i];
        ik_str dom;
        ik_status st = ik_dmarc_domain_alabel(a, k.domain, &dom);
        if (st == IK_ENOMEM)
            return st;
        if (st != IK_OK)
            continue; /* an unusable d= authenticates nothing */
        k.domain = dom;
        d->dkim[d->ndkim++] = k;
    }
    return IK_OK;
}

static ik_status check_args(const ik_dmarc_params *p, const ik_dmarc_auth *auth)
{
    if (p->spec == IK_DMARC_SPEC_7489 && p->psl == NULL)
        return IK_EINVAL;
    if (auth->ndkim && auth->dkim == NULL)
        return IK_EINVAL;
    return IK_OK;
}

ik_status ik_dmarc_new(ik_arena *a, const ik_dmarc_params *p, const ik_dmarc_from *from,
                       const ik_dmarc_auth *auth, ik_dmarc **out)
{
    *out = NULL;
    if (a == NULL || p == NULL || from == NULL || auth == NULL)
        return IK_EINVAL;
    ik_status st = check_args(p, auth);
    if (st != IK_OK)
        return st;
    ik_dmarc *d = ik_arena_calloc(a, 1, sizeof(*d));
    if (d == NULL)
        return IK_ENOMEM;
    d->a = a;
    d->from = *from;
    if ((st = set_inputs(d, p, auth)) != IK_OK)
        return st;
    *out = d;
    return IK_OK;
}

ik_status ik__dmarc_restart(ik_dmarc *d, const ik_dmarc_params *p, const ik_dmarc_auth *auth)
{
    if (d == NULL || p == NULL || auth == NULL)
        return IK_EINVAL;
    ik_status st = check_args(p, auth);
    if (st != IK_OK)
        return st;
    if (d->fatal || d->over_limit || p->spec != d->p.spec || p->psl != d->p.psl
        || p->flags != d->p.flags || p->exist != d->p.exist || p->cache != d->p.cache)
        return IK_ESTATE; /* not the same question table: start afresh */
    if ((st = set_inputs(d, p, auth)) != IK_OK)
        return st;
    d->gen++;
    d->done = 0;
    d->pending = NULL;
    d->ptail = &d->pending;
    memset(&d->out, 0, sizeof(d->out));
    return IK_OK;
}

/* ---- the question table ---------------------------------------------------- */

static qent *qat(const ik_dmarc *d, size_t i)
{
    return &d->qchunk[i / QCHUNK][i % QCHUNK];
}

static int lookup(ik_dmarc *d, const char *pre, ik_str name, const char *post, uint16_t type,
                  qent **out)
{
    char buf[IK_DNS_NAME_MAX * 2 + 64];
    size_t lpre = strlen(pre), lpost = strlen(post);
    if (name.len > IK_DNS_NAME_MAX || lpre + name.len + lpost > IK_DNS_NAME_MAX)
        return LK_BAD;
    memcpy(buf, pre, lpre);
    if (name.len)
        memcpy(buf + lpre, name.p, name.len);
    memcpy(buf + lpre + name.len, post, lpost);
    ik_str qn = ik_str_make(buf, lpre + name.len + lpost);
    if (ik_dns_name_check(qn) != IK_OK)
        return LK_BAD;
    qent *e = NULL;
    for (size_t i = 0; i < d->nq; i++) {
        qent *x = qat(d, i);
        if (x->q->type == type && ik_str_caseeq(x->q->name, qn)) {
            e = x;
            break;
        }
    }
    if (e == NULL) {
        if (d->nq == IK_DMARC_MAX_QUERIES) {
            d->over_limit = 1;
            return LK_BAD;
        }
        if (d->nq % QCHUNK == 0 && d->qchunk[d->nq / QCHUNK] == NULL) {
            d->qchunk[d->nq / QCHUNK] = ik_arena_calloc(d->a, QCHUNK, sizeof(qent));
            if (d->qchunk[d->nq / QCHUNK] == NULL) {
                d->fatal = IK_ENOMEM;
                return LK_BAD;
            }
        }
        ik_dns_query *q = ik_dns_query_new(d->a, qn, type);
        if (q == NULL) {
            d->fatal = IK_ENOMEM;
            return LK_BAD;
        }
        e = qat(d, d->nq++);
        e->q = q;
    }
    e->gen = d->gen;
    *out = e;
    if (e->q->answer)
        return LK_DONE;
    if (e->run != d->run) {
        e->run = d->run;
        e->q->next = NULL;
        *d->ptail = e->q;
        d->ptail = &e->q->next;
    }
    return LK_WAIT;
}

/* The first DMARC record at e's name, through the cache when there is one. */
static void parse_record(ik_dmarc *d, qent *e, ik_str text, uint32_t ttl)
{
    const ik_dmarc_record *rec = NULL;
    ik_status st = IK_OK;
    int hit = 0;
    if (d->p.cache != NULL) {
        ik_status cs = ik__dmarc_cache_get(d->p.cache, d->a, e->q->name, text, d->parse_flags, &hit,
                                           &st, &rec, &e->problem);
        if (cs != IK_OK) {
            d->fatal = cs;
            return;
        }
    }
    if (!hit) {
        ik_dmarc_record *parsed = NULL;
        st = ik_dmarc_record_parse(d->a, text, d->parse_flags, &parsed, &e->problem);
        if (st == IK_ENOMEM)
            d->fatal = st;
        rec = parsed;
        if (d->p.cache != NULL)
            ik__dmarc_cache_put(d->p.cache, e->q->name, text, d->parse_flags, ttl, st, parsed,
                                e->problem);
    }
    e->rec = st == IK_OK ? rec : NULL;
}

/* RFC 9989 4.10 steps 1-2 / 5-6: keep the records that start with
 * v=DMARC1; several at one name are all discarded. */
static void classify(ik_dmarc *d, qent *e)
{
    if (e->classified)
        return;
    e->classified = 1;
    const ik_dns_answer *ans = e->q->answer;
    switch (ans->status) {
    case IK_DNS_OK: break;
    case IK_DNS_TEMPFAIL: e->kind = TX_TEMP; return;
    case IK_DNS_PERMFAIL: e->kind = TX_PERM; return;
    default: e->kind = TX_NONE; return;
    }
    size_t count = 0;
    for (size_t i = 0; i < ans->nrr; i++) {
        const ik_dns_rr *rr = &ans->rr[i];
        if (rr->type != IK_DNS_T_TXT || !ik_dmarc_record_is_dmarc(rr->u.txt.joined))
            continue;
        if (count++ == 0)
            parse_record(d, e, rr->u.txt.joined, ans->ttl);
    }
    if (count == 0)
        e->kind = TX_NONE;
    else if (count > 1)
        e->kind = TX_MULTI;
    else
        e->kind = e->rec ? TX_ONE : TX_INVALID;
}

/* Looks up the DMARC records at _dmarc.<name>.  *kind is TX_*. */
static int dmarc_txt(ik_dmarc *d, ik_str name, int *kind, const ik_dmarc_record **rec)
{
    qent *e;
    *rec = NULL;
    int r = lookup(d, "_dmarc.", name, "", IK_DNS_T_TXT, &e);
    if (r == LK_WAIT)
        return P_WAIT;
    if (r == LK_BAD) {
        if (d->over_limit || d->fatal)
            return P_PERM;
        *kind = TX_NONE; /* a name too long to exist holds no record */
        return P_DONE;
    }
    classify(d, e);
    *kind = e->kind;
    *rec = e->rec;
    return P_DONE;
}

/* ---- DNS Tree Walk (RFC 9989 4.10, 4.10.2) --------------------------------- */

typedef struct walk {
    ik_str start;
    ik_str names[IK_DMARC_MAX_WALK];
    const ik_dmarc_record *recs[IK_DMARC_MAX_WALK];
    size_t n;
    ik_str org;
    ik_str failed; /* the name whose query failed (P_TEMP / P_PERM) */
} walk;

static int tree_walk(ik_dmarc *d, ik_str start, walk *w)
{
    memset(w, 0, sizeof(*w));
    w->start = start;
    ik_str target = start;
    for (int q = 0; q < IK_DMARC_MAX_WALK; q++) {
        int kind;
        const ik_dmarc_record *rec;
        int r = dmarc_txt(d, target, &kind, &rec);
        if (r != P_DONE)
            return r;
        if (kind == TX_TEMP || kind == TX_PERM) {
            w->failed = target;
            return kind == TX_TEMP ? P_TEMP : P_PERM;
        }
        if (kind == TX_ONE) {
            w->names[w->n] = target;
            w->recs[w->n++] = rec;
            if (rec->psd != IK_DMARC_PSD_U)
                break; /* step 2 / 6: a psd tag stops the walk */
        }
        size_t lt = ik__dmarc_labels(target);
        if (lt <= 1)
            break;
        /* step 4: from a start of 8 or more labels, go straight to 7 */
        target = ik__dmarc_suffix(target, (q == 0 && lt >= 8) ? 7 : lt - 1);
    }
    /* RFC 9989 4.10.2 selection, from the longest name to the shortest */
    for (size_t i = 0; i < w->n; i++) {
        if (w->recs[i]->psd == IK_DMARC_PSD_N) {
            w->org = w->names[i];
            return P_DONE;
        }
        if (w->recs[i]->psd == IK_DMARC_PSD_Y && !ik_str_caseeq(w->names[i], start)) {
            w->org = ik__dmarc_suffix(start, ik__dmarc_labels(w->names[i]) + 1);
            return P_DONE;
        }
    }
    w->org = w->n ? w->names[w->n - 1] : start;
    return P_DONE;
}

/* Organizational Domain of name: the walk, or the PSL in 7489 mode. */
static int org_domain(ik_dmarc *d, ik_str name, ik_str *org)
{
    if (d->p.spec == IK_DMARC_SPEC_7489) {
        *org = ik_dmarc_psl_org_domain(d->p.psl, d->a, name);
        if (org->p == NULL) {
            d->fatal = IK_ENOMEM;
            return P_PERM;
        }
        return P_DONE;
    }
    walk w;
    int r = tree_walk(d, name, &w);
    if (r == P_DONE)
        *org = w.org;
    return r;
}

/* RFC 9989 3.2.10: strict is identity, relaxed is equal org domains.
 * org_st is the state of the author's org domain lookup. */
static int aligned(ik_dmarc *d, ik_str author, int org_st, ik_str author_org, ik_str id, int strict,
                   ik_str *id_org)
{
    *id_org = IK_STR_NULL;
    if (ik_str_caseeq(author, id))
        return AL_YES;
    if (strict)
        return AL_NO;
    /* An org domain is the name or an ancestor of it, so two names with
     * different last labels cannot share one: no queries needed. */
    if (!ik_str_caseeq(ik__dmarc_suffix(author, 1), ik__dmarc_suffix(id, 1)))
        return AL_NO;
    if (org_st != P_DONE)
        return org_st == P_WAIT ? AL_WAIT : org_st == P_TEMP ? AL_TEMP : AL_PERM;
    int r = org_domain(d, id, id_org);
    if (r == P_WAIT)
        return AL_WAIT;
    if (r == P_TEMP)
        return AL_TEMP;
    if (r == P_PERM)
        return AL_PERM;
    return ik_str_caseeq(author_org, *id_org) ? AL_YES : AL_NO;
}

/* ---- one Author Domain ------------------------------------------------------ */

typedef struct dom_state {
    ik_buf why;
    int waiting;
} dom_state;

/* ik_buf_vprintf in one formatting pass for the usual short text (it
 * measures first, then writes); longer text and errors take its path. */
static void buf_vappendf(ik_buf *b, const char *fmt, va_list ap)
{
    char tmp[512];
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, cp);
    va_end(cp);
    if (n >= 0 && (size_t)n < sizeof(tmp))
        ik_buf_append(b, tmp, (size_t)n);
    else
        ik_buf_vprintf(b, fmt, ap);
}

static void bprintf(ik_buf *b, const char *fmt, ...) IK_PRINTFLIKE(2, 3);
static void bprintf(ik_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vappendf(b, fmt, ap);
    va_end(ap);
}

static void say(dom_state *s, const char *fmt, ...) IK_PRINTFLIKE(2, 3);
static void say(dom_state *s, const char *fmt, ...)
{
    if (s->why.len)
        ik_buf_append_c(&s->why, "; ");
    va_list ap;
    va_start(ap, fmt);
    buf_vappendf(&s->why, fmt, ap);
    va_end(ap);
}

static ik_dmarc_policy downgrade(ik_dmarc_policy p)
{
    return p == IK_DMARC_P_REJECT ? IK_DMARC_P_QUARANTINE : IK_DMARC_P_NONE;
}

#define SV(s) (int)(s).len, (s).p

/* Policy discovery.  P_DONE with *rec (NULL: no policy) and *pdom. */
static int discover(ik_dmarc *d, ik_str author, dom_state *s, const ik_dmarc_record **rec,
                    ik_str *pdom, ik_dmarc_result *res)
{
    int kind;
    const ik_dmarc_record *r;
    *rec = NULL;
    int st = dmarc_txt(d, author, &kind, &r);
    if (st == P_WAIT)
        return P_WAIT;
    if (st == P_PERM) {
        *res = IK_DMARC_PERMERROR;
        say(s, "too many DNS queries");
        return P_DONE;
    }
    if (kind == TX_TEMP || kind == TX_PERM) {
        *res = kind == TX_TEMP ? IK_DMARC_TEMPERROR : IK_DMARC_PERMERROR;
        say(s, "DNS %s failure looking up _dmarc.%.*s", kind == TX_TEMP ? "temporary" : "permanent",
            SV(author));
        return P_DONE;
    }
    if (kind == TX_ONE) {
        *rec = r;
        *pdom = author;
        return P_DONE;
    }
    if (kind == TX_MULTI)
        say(s, "several DMARC records at _dmarc.%.*s, all discarded", SV(author));
    else if (kind == TX_INVALID)
        say(s, "DMARC record at _dmarc.%.*s ignored", SV(author));

    if (d->p.spec == IK_DMARC_SPEC_7489) {
        if (kind == TX_MULTI) {
            /* RFC 7489 6.6.3 step 5: discovery terminates */
            *res = IK_DMARC_NONE;
            return P_DONE;
        }
        ik_str org;
        org_domain(d, author, &org);
        if (d->fatal)
            return P_PERM;
        if (ik_str_caseeq(org, author)) {
            *res = IK_DMARC_NONE;
            return P_DONE;
        }
        st = dmarc_txt(d, org, &kind, &r);
        if (st == P_WAIT)
            return P_WAIT;
        if (st == P_PERM || kind == TX_TEMP || kind == TX_PERM) {
            *res = (st == P_DONE && kind == TX_TEMP) ? IK_DMARC_TEMPERROR : IK_DMARC_PERMERROR;
            say(s, "DNS failure looking up _dmarc.%.*s", SV(org));
            return P_DONE;
        }
        if (kind == TX_ONE) {
            *rec = r;
            *pdom = org;
        } else {
            if (kind == TX_MULTI)
                say(s, "several DMARC records at _dmarc.%.*s", SV(org));
            *res = IK_DMARC_NONE;
        }
        return P_DONE;
    }

    /* RFC 9989 4.10.1: the Tree Walk from the author (its first query is
     * the one just answered). */
    walk w;
    st = tree_walk(d, author, &w);
    if (st == P_WAIT)
        return P_WAIT;
    if (st == P_TEMP || st == P_PERM) {
        *res = st == P_TEMP ? IK_DMARC_TEMPERROR : IK_DMARC_PERMERROR;
        if (w.failed.len)
            say(s, "DNS %s failure looking up _dmarc.%.*s",
                st == P_TEMP ? "temporary" : "permanent", SV(w.failed));
        else
            say(s, "too many DNS queries");
        return P_DONE;
    }
    if (w.n == 0) {
        *res = IK_DMARC_NONE;
        return P_DONE;
    }
    /* The org domain's record, else the PSD's (the psd=y record that
     * stopped the walk). */
    for (size_t i = 0; i < w.n; i++)
        if (ik_str_caseeq(w.names[i], w.org)) {
            *rec = w.recs[i];
            *pdom = w.names[i];
            return P_DONE;
        }
    *rec = w.recs[w.n - 1];
    *pdom = w.names[w.n - 1];
    return P_DONE;
}

/* Whether the author exists (RFC 9989 3.2.13; RFC 9091 with the option).
 * P_DONE with *exists. */
static int author_exists(ik_dmarc *d, ik_str author, int *exists)
{
    static const uint16_t types[3] = { IK_DNS_T_A, IK_DNS_T_AAAA, IK_DNS_T_MX };
    size_t nt = d->p.exist == IK_DMARC_EXIST_RFC9091 ? 3 : 1;
    int wait = 0, temp = 0, gone = 1;
    for (size_t i = 0; i < nt; i++) {
        qent *e;
        int r = lookup(d, "", author, "", types[i], &e);
        if (r == LK_WAIT) {
            wait = 1;
            continue;
        }
        if (r == LK_BAD)
            return P_PERM;
        ik_dns_status ds = e->q->answer->status;
        if (ds == IK_DNS_TEMPFAIL || ds == IK_DNS_PERMFAIL)
            temp = 1;
        if (ds == IK_DNS_NXDOMAIN) {
            *exists = 0; /* RFC 8020: nothing below exists either */
            return P_DONE;
        }
        if (ds == IK_DNS_OK)
            gone = 0;
        if (ds == IK_DNS_NODATA && nt == 1)
            gone = 0;
    }
    if (wait)
        return P_WAIT;
    if (temp)
        return P_TEMP;
    *exists = !gone;
    return P_DONE;
}

static const char *tagname(ik_str t)
{
    return t.len ? t.p : "p";
}

static int eval_domain(ik_dmarc *d, ik_dmarc_domain_outcome *o)
{
    dom_state s;
    memset(&s, 0, sizeof(s));
    ik_buf_init(&s.why, d->a, 4096);
    ik_str author = o->author;
    o->result = IK_DMARC_NONE;
    o->record = NULL;
    o->policy_domain = IK_STR_NULL;
    o->org_domain = IK_STR_NULL;
    o->author_exists = -1;
    o->spf_aligned = o->dkim_aligned = 0;
    o->disposition = IK_DMARC_P_NONE;
    o->override = IK_DMARC_OVR_NONE;
    o->policy_tag = IK_STR_NULL;
    o->published = IK_DMARC_P_NONE;
    o->record_broken = 0;

    const ik_dmarc_record *rec = NULL;
    ik_str pdom = IK_STR_NULL;
    ik_dmarc_result res = IK_DMARC_NONE;
    int st = discover(d, author, &s, &rec, &pdom, &res);
    if (st == P_WAIT)
        return P_WAIT;
    if (d->fatal)
        return P_PERM;
    if (rec == NULL) {
        o->result = res;
        if (res == IK_DMARC_NONE)
            say(&s, "no DMARC policy for %.*s", SV(author));
        goto done;
    }
    o->record = rec;
    o->policy_domain = pdom;
    if (ik_dmarc_record_policy_broken(rec, d->p.spec)) {
        /* RFC 9989 4.10.1 (RFC 7489 6.6.3 step 6) */
        if (!ik_dmarc_record_has_valid_rua(rec)) {
            o->record = NULL;
            o->result = IK_DMARC_NONE;
            say(&s,
                "policy record at _dmarc.%.*s has no valid p=/sp=/np= and no valid rua=: "
                "no DMARC processing",
                SV(pdom));
            goto done;
        }
        o->record_broken = 1;
        say(&s,
            "policy record at _dmarc.%.*s has no valid p=/sp=/np=; acting as p=none "
            "because rua= is valid",
            SV(pdom));
    }

    /* Organizational Domain of the author, for relaxed alignment */
    ik_str author_org = author;
    int need_org = 0;
    if (d->spf_domain.len && !rec->aspf_strict && !ik_str_caseeq(d->spf_domain, author))
        need_org = 1;
    for (size_t i = 0; i < d->ndkim; i++)
        if (!rec->adkim_strict && !ik_str_caseeq(d->dkim[i].domain, author))
            need_org = 1;
    int org_st = P_DONE;
    if (need_org) {
        org_st = org_domain(d, author, &author_org);
        if (org_st == P_DONE)
            o->org_domain = author_org;
    }

    /* SPF (RFC 9989 4.4.2): the MAIL FROM identity's result only */
    int temp_aligned = 0, lookup_temp = 0, lookup_perm = 0, waiting = 0;
    if (d->spf_domain.len == 0) {
        say(&s, "SPF: no identity");
    } else if (d->auth.spf_result != IK_SPF_PASS && d->auth.spf_result != IK_SPF_TEMPERROR) {
        say(&s, "SPF: %s for %.*s (only pass counts)", ik_spf_result_name(d->auth.spf_result),
            SV(d->spf_domain));
    } else {
        ik_str id_org;
        int al = aligned(d, author, org_st, author_org, d->spf_domain, rec->aspf_strict, &id_org);
        if (al == AL_YES && d->auth.spf_result == IK_SPF_PASS) {
            o->spf_aligned = 1;
            o->aligned_spf = d->spf_domain;
            say(&s, "SPF: pass for %.*s, aligned (%s)", SV(d->spf_domain),
                rec->aspf_strict ? "strict" : "relaxed");
        } else if (al == AL_YES) {
            temp_aligned = 1;
            say(&s, "SPF: temperror for aligned %.*s", SV(d->spf_domain));
        } else if (al == AL_WAIT) {
            waiting = 1;
        } else if (al == AL_TEMP || al == AL_PERM) {
            if (al == AL_TEMP)
                lookup_temp = 1;
            else
                lookup_perm = 1;
            say(&s, "SPF: %s for %.*s, alignment unknown (DNS failure)",
                ik_spf_result_name(d->auth.spf_result), SV(d->spf_domain));
        } else if (rec->aspf_strict) {
            say(&s, "SPF: %s for %.*s, not aligned with %.*s (aspf=s needs the same domain)",
                ik_spf_result_name(d->auth.spf_result), SV(d->spf_domain), SV(author));
        } else {
            say(&s,
                "SPF: %s for %.*s, not aligned with %.*s (organizational domains %.*s "
                "and %.*s differ)",
                ik_spf_result_name(d->auth.spf_result), SV(d->spf_domain), SV(author),
                SV(id_org.len ? id_org : d->spf_domain), SV(author_org));
        }
    }

    /* DKIM (RFC 9989 4.4.1): every passing signature's d= */
    if (d->ndkim == 0)
        say(&s, "DKIM: no signature");
    for (size_t i = 0; i < d->ndkim; i++) {
        const ik_dmarc_dkim *k = &d->dkim[i];
        if (k->result != IK_DKIM_PASS && k->result != IK_DKIM_TEMPERROR) {
            say(&s, "DKIM d=%.*s: %s", SV(k->domain), ik_dkim_result_name(k->result));
            continue;
        }
        ik_str id_org;
        int al = aligned(d, author, org_st, author_org, k->domain, rec->adkim_strict, &id_org);
        if (al == AL_YES && k->result == IK_DKIM_PASS) {
            if (!o->dkim_aligned)
                o->aligned_dkim = k->domain;
            o->dkim_aligned = 1;
            say(&s, "DKIM d=%.*s: pass, aligned (%s)", SV(k->domain),
                rec->adkim_strict ? "strict" : "relaxed");
        } else if (al == AL_YES) {
            temp_aligned = 1;
            say(&s, "DKIM d=%.*s: temperror, aligned", SV(k->domain));
        } else if (al == AL_WAIT) {
            waiting = 1;
        } else if (al == AL_TEMP || al == AL_PERM) {
            if (al == AL_TEMP)
                lookup_temp = 1;
            else
                lookup_perm = 1;
            say(&s, "DKIM d=%.*s: %s, alignment unknown (DNS failure)", SV(k->domain),
                ik_dkim_result_name(k->result));
        } else if (rec->adkim_strict) {
            say(&s, "DKIM d=%.*s: %s, not aligned with %.*s (adkim=s needs the same domain)",
                SV(k->domain), ik_dkim_result_name(k->result), SV(author));
        } else {
            say(&s,
                "DKIM d=%.*s: %s, not aligned with %.*s (organizational domains %.*s "
                "and %.*s differ)",
                SV(k->domain), ik_dkim_result_name(k->result), SV(author),
                SV(id_org.len ? id_org : k->domain), SV(author_org));
        }
    }

    /* RFC 9989 5.3.5: one aligned pass is enough, whatever else is pending */
    if (o->spf_aligned || o->dkim_aligned) {
        o->result = IK_DMARC_PASS;
        if (waiting)
            say(&s, "other identifiers not evaluated (one aligned pass suffices)");
        goto done;
    }
    if (waiting)
        return P_WAIT;
    if (temp_aligned || lookup_temp) {
        /* RFC 9989 5.3.6, RFC 7489 6.6.2: a temporary failure on a path that
         * could have passed leaves no definite verdict */
        o->result = IK_DMARC_TEMPERROR;
        goto done;
    }
    if (lookup_perm) {
        o->result = IK_DMARC_PERMERROR;
        goto done;
    }
    o->result = IK_DMARC_FAIL;

    /* Which policy (RFC 9989 4.10.1, 4.7 p/sp/np; RFC 7489 6.3 sp) */
    o->policy_tag = IK_STR_LIT("p");
    o->published = rec->p;
    if (o->record_broken) {
        o->published = IK_DMARC_P_NONE;
    } else if (!ik_str_caseeq(author, pdom)) {
        int np_ok = d->p.spec == IK_DMARC_SPEC_9989 && (rec->present & IK_DMARC_TAG_NP)
                    && !(rec->invalid & IK_DMARC_TAG_NP);
        int use_np = 0;
        if (np_ok) {
            int ex = 1;
            st = author_exists(d, author, &ex);
            if (st == P_WAIT)
                return P_WAIT;
            if (st != P_DONE) {
                o->result = IK_DMARC_TEMPERROR;
                say(&s, "DNS failure testing whether %.*s exists", SV(author));
                goto done;
            }
            o->author_exists = ex;
            use_np = !ex;
        }
        if (use_np) {
            o->policy_tag = IK_STR_LIT("np");
            o->published = rec->np;
        } else if ((rec->present & IK_DMARC_TAG_SP) && !(rec->invalid & IK_DMARC_TAG_SP)) {
            o->policy_tag = IK_STR_LIT("sp");
            o->published = rec->sp;
        }
    }
    o->disposition = o->published;
    if (o->disposition != IK_DMARC_P_NONE) {
        if (d->p.spec == IK_DMARC_SPEC_7489 && rec->pct < 100 && !(d->sample < rec->pct)) {
            /* RFC 7489 6.6.4: not selected: reject -> quarantine,
             * quarantine -> local classification (none) */
            o->disposition = downgrade(o->disposition);
            o->override = IK_DMARC_OVR_SAMPLED_OUT;
            say(&s, "pct=%u: message not selected (sample %u)", rec->pct, d->sample);
        } else if (d->p.spec == IK_DMARC_SPEC_9989
                   && (rec->testing
                       || ((d->p.flags & IK_DMARC_OPT_PCT0_TESTING)
                           && (rec->present & IK_DMARC_TAG_PCT) && rec->pct == 0))) {
            /* RFC 9989 4.7 t=y: one level below the policy */
            o->disposition = downgrade(o->disposition);
            o->override = IK_DMARC_OVR_TEST_MODE;
            say(&s, "testing mode (t=y): one level below %s", ik_dmarc_policy_name(o->published));
        }
    }
    if (o->disposition != IK_DMARC_P_NONE && d->auth.arc_trusted_pass) {
        /* RFC 8617 7.2.1: a trusted sealer vouches for the original
         * authentication; the result stays fail, the disposition relaxes */
        o->disposition = IK_DMARC_P_NONE;
        o->override = IK_DMARC_OVR_TRUSTED_ARC;
        say(&s, "arc=pass from trusted sealer %.*s overrides the policy", SV(d->auth.arc_sealer));
    }
    if (d->p.local_cap_set && o->disposition > d->p.local_max) {
        o->disposition = d->p.local_max;
        o->override = IK_DMARC_OVR_LOCAL_POLICY;
        say(&s, "local policy caps the disposition at %s", ik_dmarc_policy_name(d->p.local_max));
    }

done:
    if (o->result == IK_DMARC_FAIL || o->result == IK_DMARC_PASS) {
        ik_buf head;
        ik_buf_init(&head, d->a, 8192);
        bprintf(&head, "%s for %.*s (policy at _dmarc.%.*s", ik_dmarc_result_name(o->result),
                SV(author), SV(pdom));
        if (o->result == IK_DMARC_FAIL)
            bprintf(&head, ", %s=%s, disposition %s", tagname(o->policy_tag),
                    ik_dmarc_policy_name(o->published), ik_dmarc_policy_name(o->disposition));
        bprintf(&head, "): %.*s", SV(ik_buf_str(&s.why)));
        if (ik_buf_error(&head) == IK_ENOMEM)
            d->fatal = IK_ENOMEM;
        o->reason = ik_buf_str(&head);
    } else {
        if (ik_buf_error(&s.why) == IK_ENOMEM)
            d->fatal = IK_ENOMEM;
        o->reason = ik_buf_str(&s.why);
    }
    return P_DONE;
}

/* ---- report destinations (RFC 9990 4; RFC 7489 7.1) -------------------------- */

static int check_dests(ik_dmarc *d, ik_dmarc_domain_outcome *o, int ruf)
{
    const ik_dmarc_record *rec = o->record;
    const ik_dmarc_uri *list = ruf ? rec->ruf : rec->rua;
    size_t n = ruf ? rec->nruf : rec->nrua;
    ik_dmarc_dest *out = ik_arena_calloc(d->a, n * IK_DMARC_MAX_URIS + 1, sizeof(*out));
    if (out == NULL) {
        d->fatal = IK_ENOMEM;
        return P_PERM;
    }
    size_t no = 0;
    int waiting = 0;
    ik_str porg = IK_STR_NULL;
    int porg_st = org_domain(d, o->policy_domain, &porg);
    for (size_t i = 0; i < n; i++) {
        ik_dmarc_dest *dst = &out[no++];
        dst->uri = list[i];
        dst->published = list[i].text;
        if (!list[i].valid) {
            dst->status = IK_DMARC_DEST_INVALID;
            continue;
        }
        if (!list[i].mailto) {
            dst->status = IK_DMARC_DEST_UNSUPPORTED;
            continue;
        }
        if (ruf && d->p.spec == IK_DMARC_SPEC_9989 && rec->psd == IK_DMARC_PSD_Y) {
            dst->status = IK_DMARC_DEST_NOT_SENT; /* RFC 9991: no ruf for PSDs */
            continue;
        }
        ik_str host = list[i].host, horg = IK_STR_NULL;
        int hst = org_domain(d, host, &horg);
        if (hst == P_WAIT || porg_st == P_WAIT) {
            waiting = 1;
            continue;
        }
        if (hst == P_DONE && porg_st == P_DONE && ik_str_caseeq(horg, porg)) {
            dst->status = IK_DMARC_DEST_INTERNAL;
            dst->usable = 1;
            continue;
        }
        /* <policy domain>._report._dmarc.<destination host> */
        char mid[IK_DNS_NAME_MAX + 32];
        int ml = snprintf(mid, sizeof(mid), "%.*s._report._dmarc.", SV(o->policy_domain));
        if (ml < 0 || (size_t)ml >= sizeof(mid)) {
            dst->status = IK_DMARC_DEST_INVALID;
            continue;
        }
        qent *e;
        int r = lookup(d, mid, host, "", IK_DNS_T_TXT, &e);
        if (r == LK_WAIT) {
            waiting = 1;
            continue;
        }
        if (r == LK_BAD) {
            /* step 4: too long for the DNS, no positive determination */
            dst->status = d->over_limit ? IK_DMARC_DEST_TEMPERROR : IK_DMARC_DEST_INVALID;
            continue;
        }
        classify(d, e);
        if (e->kind == TX_TEMP) {
            dst->status = IK_DMARC_DEST_TEMPERROR;
            continue;
        }
        if ((e->kind != TX_ONE && e->kind != TX_MULTI) || e->rec == NULL) {
            dst->status = IK_DMARC_DEST_UNAUTHORIZED;
            continue;
        }
        const ik_dmarc_uri *ov = ruf ? e->rec->ruf : e->rec->rua;
        size_t nov = ruf ? e->rec->nruf : e->rec->nrua;
        if (nov == 0) {
            dst->status = IK_DMARC_DEST_AUTHORIZED;
            dst->usable = 1;
            continue;
        }
        /* step 9: the override must stay on the same destination host */
        int same = 1;
        for (size_t k = 0; k < nov; k++)
            if (!ov[k].mailto || !ik_str_caseeq(ov[k].host, host))
                same = 0;
        if (!same) {
            dst->status = IK_DMARC_DEST_REFUSED;
            continue;
        }
        no--;
        for (size_t k = 0; k < nov && k < IK_DMARC_MAX_URIS; k++) {
            dst = &out[no++];
            dst->uri = ov[k];
            dst->published = list[i].text;
            dst->status = IK_DMARC_DEST_AUTHORIZED;
            dst->usable = 1;
        }
    }
    if (ruf) {
        o->ruf = out;
        o->nruf = no;
    } else {
        o->rua = out;
        o->nrua = no;
    }
    return waiting ? P_WAIT : P_DONE;
}

/* ---- driver ------------------------------------------------------------------ */

static int result_rank(ik_dmarc_result r)
{
    switch (r) {
    case IK_DMARC_FAIL: return 4;
    case IK_DMARC_TEMPERROR: return 3;
    case IK_DMARC_PERMERROR: return 2;
    case IK_DMARC_PASS: return 1;
    default: return 0;
    }
}

static void finish_from_problem(ik_dmarc *d)
{
    ik_dmarc_outcome *o = &d->out;
    o->decisive = o->ndomains;
    if (d->from.status == IK_DMARC_FROM_NO_DOMAIN) {
        /* RFC 7489 6.6.1: no domain (a group) is "typically ignored" */
        o->result = IK_DMARC_NONE;
    } else {
        /* RFC 9989 4.2, 5.3.1, 11.5: outside DMARC, and usually abuse */
        o->result = IK_DMARC_PERMERROR;
        if (!(d->p.flags & IK_DMARC_OPT_NO_FROM_REJECT)) {
            o->disposition = IK_DMARC_P_REJECT;
            o->override = IK_DMARC_OVR_LOCAL_POLICY;
        }
    }
    o->reason =
        d->from.problem.len ? d->from.problem : ik_str_c(ik_dmarc_from_status_name(d->from.status));
}

ik_status ik_dmarc_run(ik_dmarc *d, ik_dns_query **pending)
{
    if (d == NULL || pending == NULL)
        return IK_EINVAL;
    *pending = NULL;
    if (d->fatal)
        return d->fatal;
    if (d->done)
        return IK_OK;
    d->run++;
    d->pending = NULL;
    d->ptail = &d->pending;
    ik_dmarc_outcome *o = &d->out;
    o->from = d->from;

    if (d->from.status != IK_DMARC_FROM_OK || d->from.ndomains == 0) {
        finish_from_problem(d);
        d->done = 1;
        return IK_OK;
    }
    if (o->domains == NULL) {
        o->ndomains = d->from.ndomains;
        o->domains = ik_arena_calloc(d->a, o->ndomains, sizeof(*o->domains));
        if (o->domains == NULL)
            return d->fatal = IK_ENOMEM;
        for (size_t i = 0; i < o->ndomains; i++)
            o->domains[i].author = d->from.domains[i];
    }
    int waiting = 0;
    for (size_t i = 0; i < o->ndomains; i++)
        if (eval_domain(d, &o->domains[i]) == P_WAIT)
            waiting = 1;
    if (d->fatal)
        return d->fatal;
    if (!waiting && (d->p.flags & IK_DMARC_OPT_REPORT_URIS)) {
        for (size_t i = 0; i < o->ndomains; i++) {
            ik_dmarc_domain_outcome *x = &o->domains[i];
            if (x->record == NULL)
                continue;
            if (check_dests(d, x, 0) == P_WAIT)
                waiting = 1;
            if (check_dests(d, x, 1) == P_WAIT)
                waiting = 1;
        }
        if (d->fatal)
            return d->fatal;
    }
    if (waiting) {
        *pending = d->pending;
        return IK_EAGAIN;
    }

    /* Several Author Domains: the strictest failing policy (RFC 9989 11.5) */
    o->decisive = 0;
    for (size_t i = 1; i < o->ndomains; i++) {
        const ik_dmarc_domain_outcome *a = &o->domains[i], *b = &o->domains[o->decisive];
        if (result_rank(a->result) > result_rank(b->result)
            || (a->result == b->result && a->disposition > b->disposition))
            o->decisive = i;
    }
    const ik_dmarc_domain_outcome *dec = &o->domains[o->decisive];
    o->result = dec->result;
    o->disposition = dec->disposition;
    o->override = dec->override;
    o->reason = dec->reason;
    unsigned asked = 0;
    for (size_t i = 0; i < d->nq; i++)
        asked += qat(d, i)->gen == d->gen;
    o->dns_queries = asked;
    d->done = 1;
    return IK_OK;
}

const ik_dmarc_outcome *ik_dmarc_outcome_get(const ik_dmarc *d)
{
    return d && d->done ? &d->out : NULL;
}

ik_status ik_dmarc_check(ik_arena *a, const ik_dmarc_params *p, const ik_dmarc_from *from,
                         const ik_dmarc_auth *auth, ik_resolver *r, ik_dmarc_outcome *out)
{
    ik_dmarc *d;
    ik_status st = ik_dmarc_new(a, p, from, auth, &d);
    if (st != IK_OK)
        return st;
    for (;;) {
        ik_dns_query *pending;
        st = ik_dmarc_run(d, &pending);
        if (st != IK_EAGAIN)
            break;
        st = ik_resolver_answer_all(r, a, pending);
        if (st != IK_OK)
            return st;
    }
    if (st == IK_OK)
        *out = d->out;
    return st;
}

/* ---- failure report triggers (RFC 9989 4.7 fo) ------------------------------ */

unsigned ik_dmarc_failure_reports(const ik_dmarc_domain_outcome *o, const ik_dmarc_auth *auth,
                                  ik_dmarc_spec spec)
{
    const ik_dmarc_record *r = o->record;
    if (r == NULL || r->nruf == 0)
        return 0; /* "MUST NOT generate failure reports" without ruf */
    if (spec == IK_DMARC_SPEC_9989 && r->psd == IK_DMARC_PSD_Y)
        return 0; /* RFC 9991: none for PSD policies */
    if (o->result != IK_DMARC_PASS && o->result != IK_DMARC_FAIL)
        return 0;
    unsigned fo = r->invalid & IK_DMARC_TAG_FO ? IK_DMARC_FO_0 : r->fo, want = 0;
    if ((fo & IK_DMARC_FO_0) && !o->spf_aligned && !o->dkim_aligned)
        want |= IK_DMARC_FO_0;
    if ((fo & IK_DMARC_FO_1) && (!o->spf_aligned || !o->dkim_aligned))
        want |= IK_DMARC_FO_1;
    if ((fo & IK_DMARC_FO_D) && auth)
        for (size_t i = 0; i < auth->ndkim; i++)
            if (auth->dkim[i].result == IK_DKIM_FAIL)
                want |= IK_DMARC_FO_D;
    if ((fo & IK_DMARC_FO_S) && auth && auth->spf_result == IK_SPF_FAIL)
        want |= IK_DMARC_FO_S;
    return want;
}

/* ---- Authentication-Results (RFC 8601 2.7; RFC 9989 9.1) --------------------- */

ik_str ik_dmarc_authres(ik_arena *a, const ik_dmarc_outcome *o)
{
    ik_buf b;
    ik_buf_init(&b, a, 0);
    if (o->ndomains == 0) {
        ik_buf_printf(&b, "dmarc=%s", ik_dmarc_result_name(o->result));
        if (o->from.status != IK_DMARC_FROM_OK)
            ik_buf_printf(&b, " (%s)", ik_dmarc_from_status_name(o->from.status));
    }
    for (size_t i = 0; i < o->ndomains; i++) {
        const ik_dmarc_domain_outcome *x = &o->domains[i];
        if (i)
            ik_buf_append_c(&b, "; ");
        ik_buf_printf(&b, "dmarc=%s", ik_dmarc_result_name(x->result));
        if (x->record && (x->result == IK_DMARC_PASS || x->result == IK_DMARC_FAIL)) {
            ik_dmarc_policy p = x->record_broken ? IK_DMARC_P_NONE : x->record->p;
            ik_buf_printf(&b, " (p=%s", ik_dmarc_policy_name(p));
            if (x->policy_tag.len && !ik_str_caseeq_c(x->policy_tag, "p"))
                ik_buf_printf(&b, " %.*s=%s", SV(x->policy_tag),
                              ik_dmarc_policy_name(x->published));
            ik_buf_printf(&b, " dis=%s", ik_dmarc_policy_name(x->disposition));
            if (x->override != IK_DMARC_OVR_NONE)
                ik_buf_printf(&b, " %s%s", ik_dmarc_override_report_type(x->override),
                              x->override == IK_DMARC_OVR_TRUSTED_ARC ? " arc=pass" : "");
            ik_buf_append_c(&b, ")");
        }
        ik_buf_printf(&b, " header.from=%.*s", SV(x->author));
        if (x->record && (x->result == IK_DMARC_PASS || x->result == IK_DMARC_FAIL))
            ik_buf_printf(&b, " policy.dmarc=%s", ik_dmarc_policy_name(x->disposition));
    }
    if (ik_buf_error(&b) != IK_OK)
        return IK_STR_NULL;
    return ik_buf_str(&b);
}
