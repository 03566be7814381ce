/*
 * eval.c - the check_host() state machine (RFC 7208 4, 5, 6; Sender ID
 * record selection of RFC 4406 3.4 and 4.4).
 *
 * Sans-I/O: whenever an answer is missing the engine returns IK_EAGAIN
 * with every question it can already ask (all MX hosts' address queries at
 * once, all PTR names' validations at once), and resumes when called again.
 * Each question is asked once per evaluation: answers are kept in a small
 * per-evaluation cache, which also serves the ptr mechanism and %{p}.
 *
 * check_host() recursion (include) is an explicit stack of frames; redirect
 * replaces the current frame, so the exp= of the redirect target is the one
 * used (RFC 7208 6.2) and the include table of 5.2 is applied when a child
 * frame finishes.  Each term resumes from a small per-frame progress field
 * (tstate), so side effects such as counting a lookup happen exactly once.
 *
 * Limits (RFC 7208 4.6.4), all checked before the work they bound:
 *   - at most max_dns_mech (10) include/a/mx/ptr/exists/redirect terms in
 *     the whole evaluation, includes and redirects followed; more is
 *     permerror, which also ends include and redirect loops;
 *   - at most max_void (2) void lookups (NODATA/NXDOMAIN) of such terms;
 *   - an MX answer with more than max_names (10) names is permerror; of a
 *     PTR answer only the first max_names names, in answer order, are used;
 *   - include nesting is bounded by IK_SPF_MAX_DEPTH, and the number of
 *     distinct DNS questions by a bound derived from the limits above.
 * The exp= lookup and %{p} validation count towards none of these.
 *
 * Ownership: everything lives in the arena given to ik_spf_new().
 * Threads: an ik_spf is used by one thread at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "spf/spf_int.h"
#include "util/util_int.h"

enum { F_LOOKUP = 0, F_TERMS };
enum { ST_RUN = 0, ST_EXP, ST_DONE };
/* step results */
enum { R_AGAIN = 0, R_WAIT, R_DONE };
/* term results */
enum { T_NOMATCH = 0, T_MATCH, T_WAIT, T_PUSH, T_ERROR, T_CONT };

typedef struct spf_frame {
    ik_str domain; /* <domain> of this check_host() */
    const ik_spf_record *rec;
    size_t ti;          /* current mechanism */
    uint8_t phase;      /* F_LOOKUP or F_TERMS */
    uint8_t redirected; /* domain came from redirect= */
    uint8_t tstate;     /* progress within the current term */
    uint8_t child_done;
    ik_spf_result child_result;
    ik_str target;     /* expanded target-name of the term */
    uint8_t target_ok; /* target can be queried */
} spf_frame;

struct ik_spf {
    ik_arena *a;
    ik_spf_params p;
    ik_ip ip;           /* unmapped client address */
    uint16_t addr_type; /* A for IPv4 clients, AAAA for IPv6 */
    unsigned max_mech, max_void, max_names;
    ik_spf_macro_env env;
    char reverse[IK_IP_TEXT_MAX];
    ik_str reverse_name;

    size_t depth;
    int state;
    ik_status fatal;          /* ENOMEM: sticky */
    ik_spf_result err_result; /* result carried by T_ERROR */
    ik_spf_outcome out;

    ik_dns_query **qs; /* every question asked, in order */
    size_t nq, capq, max_queries;
    uint32_t *qidx;        /* hash index over qs: position + 1, 0 free */
    size_t qidx_cap;       /* a power of two, twice capq */
    ik_dns_query *last_q;  /* the question need() saw last ... */
    const char *last_name; /* ... asked with this name view */

    int pv_state;     /* %{p}: 0 not done, 1 done */
    ik_str *pv_names; /* validated names */
    size_t pv_n;

    int exp_state;
    ik_str exp_name, exp_text;

    /* last: only frames in use are initialised (see ik_spf_new) */
    spf_frame frames[IK_SPF_MAX_DEPTH];
};

/* ---- small helpers --------------------------------------------------- */

/*
 * The text of a TXT RR: its character-strings joined with no separator
 * (RFC 7208 3.3).  Resolvers normally fill `joined`; if one only gave the
 * strings, join them here.
 */
static ik_str txt_text(ik_spf *s, const ik_dns_rr *rr)
{
    const ik_dns_txt *t = &rr->u.txt;
    if (t->joined.p != NULL || t->nstrings == 0)
        return t->joined.p ? t->joined : ik_str_make("", 0);
    ik_buf b;
    ik_buf_init(&b, s->a, 0);
    for (size_t i = 0; i < t->nstrings; i++)
        ik_buf_append_str(&b, t->strings[i]);
    if (ik_buf_error(&b)) {
        s->fatal = IK_ENOMEM;
        return ik_str_make("", 0);
    }
    return ik_buf_str(&b);
}

static void set_problem(ik_spf *s, const char *fmt, ...) IK_PRINTFLIKE(2, 3);
static void set_problem(ik_spf *s, const char *fmt, ...)
{
    if (s->out.problem.len)
        return; /* the first error explains the result */
    /* one formatting pass into a stack buffer; the rare long text is
     * formatted again at its full length */
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(tmp)) {
        char *t = ik_arena_strndup(s->a, tmp, (size_t)n);
        if (t == NULL)
            s->fatal = IK_ENOMEM;
        else
            s->out.problem = ik_str_make(t, (size_t)n);
        return;
    }
    ik_buf b;
    ik_buf_init(&b, s->a, 2048);
    va_start(ap, fmt);
    ik_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (ik_buf_error(&b) == IK_ENOMEM)
        s->fatal = IK_ENOMEM;
    else if (ik_buf_error(&b) == IK_OK)
        s->out.problem = ik_buf_str(&b);
}

static int term_error(ik_spf *s, ik_spf_result r)
{
    s->err_result = r;
    return T_ERROR;
}

#define SV(x) (int)(x).len, (x).p

/* Hash of a lowercase name and a type, for the question index. */
static uint32_t question_hash(const char *p, size_t len, uint16_t type)
{
    return ik__hash_bytes(p, len, type);
}

/* Puts question number i (of s->qs) into the index; the index has room. */
static void index_put(uint32_t *idx, size_t cap, const ik_dns_query *q, uint32_t i)
{
    size_t mask = cap - 1;
    size_t k = question_hash(q->name.p, q->name.len, q->type) & mask;
    while (idx[k])
        k = (k + 1) & mask;
    idx[k] = i + 1;
}

/* Doubles the question array and rebuilds the index at twice its size. */
static int questions_grow(ik_spf *s)
{
    size_t ncap = s->capq ? s->capq * 2 : 16;
    size_t icap = ncap * 2; /* the index stays at most half full */
    ik_dns_query **nqs = ik_arena_alloc(s->a, ncap * sizeof(*nqs));
    uint32_t *nidx = ik_arena_calloc(s->a, icap, sizeof(*nidx));
    if (nqs == NULL || nidx == NULL) {
        s->fatal = IK_ENOMEM;
        return 0;
    }
    if (s->nq)
        memcpy(nqs, s->qs, s->nq * sizeof(*nqs));
    for (size_t i = 0; i < s->nq; i++)
        index_put(nidx, icap, nqs[i], (uint32_t)i);
    s->qs = nqs;
    s->capq = ncap;
    s->qidx = nidx;
    s->qidx_cap = icap;
    return 1;
}

/*
 * Returns 1 with *ans when the question (name, type) has been answered,
 * 0 when it is now (or was already) pending.  Questions are cached for the
 * whole evaluation, found through a hash index on the lowercase name.  On
 * OOM sets s->fatal; past the question bound sets *ans to a synthetic
 * permanent failure so callers simply see an error.
 */
static int need(ik_spf *s, ik_str name, uint16_t type, ik_dns_answer **ans)
{
    char buf[IK_DNS_NAME_MAX + 1];
    name = ik__spf_strip_dot(name);
    /*
     * A resumed step asks again with the very same view (a frame's domain
     * or target, an answer's host name): memory the evaluation never
     * rewrites, so the same pointer and length are the same question.
     */
    if (s->last_q && name.p == s->last_name && name.len == s->last_q->name.len
        && type == s->last_q->type) {
        *ans = s->last_q->answer;
        return *ans != NULL;
    }
    /* callers pass names that passed ik_dns_name_check; longer ones are
     * still handled, through the arena */
    char *low = name.len <= sizeof(buf) ? buf : ik_arena_alloc(s->a, name.len);
    if (low == NULL) {
        s->fatal = IK_ENOMEM;
        return 0;
    }
    ik__ascii_lower(low, name.p, name.len);
    uint32_t h = question_hash(low, name.len, type);
    if (s->qidx_cap) {
        size_t mask = s->qidx_cap - 1;
        for (size_t k = h & mask; s->qidx[k]; k = (k + 1) & mask) {
            ik_dns_query *q = s->qs[s->qidx[k] - 1];
            if (q->type == type && q->name.len == name.len
                && memcmp(q->name.p, low, name.len) == 0) {
                s->last_q = q;
                s->last_name = name.p;
                *ans = q->answer;
                return q->answer != NULL;
            }
        }
    }
    if (s->nq >= s->max_queries) {
        static const ik_dns_answer too_many = {
            IK_DNS_PERMFAIL, NULL, 0, 0, 0, { NULL, 0 }, { "too many DNS questions", 22 }
        };
        *ans = (ik_dns_answer *)&too_many;
        return 1;
    }
    if (s->nq == s->capq && !questions_grow(s))
        return 0;
    /* the query and its name in one allocation (ik_dns_query_new's result) */
    ik_dns_query *q = ik_arena_alloc(s->a, sizeof(*q) + name.len + 1);
    if (q == NULL) {
        s->fatal = IK_ENOMEM;
        return 0;
    }
    char *qn = (char *)(q + 1);
    memcpy(qn, low, name.len);
    qn[name.len] = '\0';
    q->name = ik_str_make(qn, name.len);
    q->type = type;
    q->answer = NULL;
    q->next = NULL;
    q->engine_data = s;
    index_put(s->qidx, s->qidx_cap, q, (uint32_t)s->nq);
    s->qs[s->nq++] = q;
    s->last_q = q;
    s->last_name = name.p;
    *ans = NULL;
    return 0;
}

static int dns_failed(const ik_dns_answer *ans)
{
    return ans->status == IK_DNS_TEMPFAIL || ans->status == IK_DNS_PERMFAIL;
}

static int dns_void(const ik_dns_answer *ans)
{
    return ans->status == IK_DNS_NODATA || ans->status == IK_DNS_NXDOMAIN
           || (ans->status == IK_DNS_OK && ans->nrr == 0);
}

static const char *why_text(ik_spf *s, const ik_dns_answer *ans)
{
    if (ans->why.len) {
        char *t = ik_arena_strndup(s->a, ans->why.p, ans->why.len);
        if (t)
            return t;
    }
    return ik_dns_status_name(ans->status);
}

static const char *type_text(uint16_t type)
{
    switch (type) {
    case IK_DNS_T_A: return "A";
    case IK_DNS_T_AAAA: return "AAAA";
    case IK_DNS_T_MX: return "MX";
    case IK_DNS_T_PTR: return "PTR";
    case IK_DNS_T_TXT: return "TXT";
    default: return "?";
    }
}

/* RFC 7208 5: a DNS error other than NXDOMAIN ends evaluation: temperror. */
static int dns_temperror(ik_spf *s, ik_str name, uint16_t type, const ik_dns_answer *ans)
{
    set_problem(s, "DNS failure looking up %s %.*s: %s", type_text(type), SV(name),
                why_text(s, ans));
    return term_error(s, IK_SPF_TEMPERROR);
}

/* RFC 7208 4.6.4: count one DNS-querying term; permerror past the limit. */
static int count_lookup(ik_spf *s, const spf_frame *f, ik_str term)
{
    if (s->out.dns_lookups >= s->max_mech) {
        set_problem(s, "more than %u DNS-querying terms (at \"%.*s\" in record of %.*s)",
                    s->max_mech, SV(term), SV(f->domain));
        return 0;
    }
    s->out.dns_lookups++;
    return 1;
}

/* RFC 7208 4.6.4: void lookups beyond the limit are permerror. */
static int count_void(ik_spf *s, const spf_frame *f, ik_str term)
{
    s->out.void_lookups++;
    if (s->out.void_lookups > s->max_void) {
        set_problem(s, "more than %u void DNS lookups (at \"%.*s\" in record of %.*s)", s->max_void,
                    SV(term), SV(f->domain));
        return 0;
    }
    return 1;
}

static int answer_has_addr(const ik_dns_answer *ans, uint16_t type, const ik_ip *ip, unsigned plen)
{
    for (size_t i = 0; i < ans->nrr; i++)
        if (ans->rr[i].type == type && ik_ip_match(&ans->rr[i].u.addr, ip, plen))
            return 1;
    return 0;
}

/* The reverse-lookup name, made on first use: most records never need it. */
static ik_str reverse_name(ik_spf *s)
{
    if (s->reverse_name.p == NULL)
        s->reverse_name = ik_str_make(s->reverse, ik_ip_reverse_name(&s->ip, s->reverse));
    return s->reverse_name;
}

/* ---- %{p}: validated domain name (RFC 7208 7.3, 5.5) ------------------ */

static int ptr_validate(ik_spf *s)
{
    if (s->pv_state)
        return T_CONT;
    ik_dns_answer *ans, *aa;
    if (!need(s, reverse_name(s), IK_DNS_T_PTR, &ans))
        return T_WAIT;
    if (ans->status != IK_DNS_OK) {
        s->pv_state = 1; /* errors: "unknown" */
        return T_CONT;
    }
    int waiting = 0;
    size_t n = 0;
    for (size_t i = 0; i < ans->nrr && n < s->max_names; i++) {
        if (ans->rr[i].type != IK_DNS_T_PTR)
            continue;
        n++;
        if (ik__spf_name_queryable(ans->rr[i].u.name)
            && !need(s, ans->rr[i].u.name, s->addr_type, &aa))
            waiting = 1;
    }
    if (waiting || s->fatal)
        return T_WAIT;
    s->pv_names = ik_arena_calloc(s->a, n ? n : 1, sizeof(ik_str));
    if (s->pv_names == NULL) {
        s->fatal = IK_ENOMEM;
        return T_WAIT;
    }
    n = 0;
    for (size_t i = 0; i < ans->nrr && n < s->max_names; i++) {
        if (ans->rr[i].type != IK_DNS_T_PTR)
            continue;
        n++;
        ik_str name = ans->rr[i].u.name;
        if (ik__spf_name_queryable(name) && need(s, name, s->addr_type, &aa)
            && aa->status == IK_DNS_OK && answer_has_addr(aa, s->addr_type, &s->ip, 128))
            s->pv_names[s->pv_n++] = ik__spf_strip_dot(name);
    }
    s->pv_state = 1;
    return T_CONT;
}

/* RFC 7208 7.3: prefer <domain> itself, then a subdomain, then any. */
static ik_str ptr_pick(const ik_spf *s, ik_str domain)
{
    for (size_t i = 0; i < s->pv_n; i++)
        if (ik_str_caseeq(ik__spf_strip_dot(domain), s->pv_names[i]))
            return s->pv_names[i];
    for (size_t i = 0; i < s->pv_n; i++)
        if (ik__spf_name_within(s->pv_names[i], domain))
            return s->pv_names[i];
    return s->pv_n ? s->pv_names[0] : IK_STR_NULL;
}

/*
 * Expands a domain-spec for frame f.  T_CONT with *out (possibly invalid:
 * the caller checks), T_WAIT while %{p} is being validated.
 */
static int expand_domain(ik_spf *s, const spf_frame *f, ik_str spec, int has_macro, int uses_p,
                         ik_str *out)
{
    if (!has_macro) {
        *out = ik__spf_strip_dot(spec);
        return T_CONT;
    }
    if (uses_p && ptr_validate(s) == T_WAIT)
        return T_WAIT;
    ik_spf_macro_env env = s->env;
    env.domain = f->domain;
    if (uses_p)
        env.ptr = ptr_pick(s, f->domain);
    ik_str problem;
    ik_status st = ik_spf_macro_expand(s->a, spec, &env, 0, 1, out, &problem);
    if (st == IK_ENOMEM) {
        s->fatal = IK_ENOMEM;
        return T_WAIT;
    }
    if (st)
        *out = ik_str_make("", 0); /* over-long: not a usable name */
    return T_CONT;
}

/* ---- mechanisms (RFC 7208 5) ----------------------------------------- */

static int eval_addr_answer(ik_spf *s, spf_frame *f, const ik_spf_term_info *t,
                            const ik_dns_answer *ans, unsigned plen)
{
    if (dns_failed(ans))
        return dns_temperror(s, f->target, s->addr_type, ans);
    if (dns_void(ans))
        return count_void(s, f, t->text) ? T_NOMATCH : term_error(s, IK_SPF_PERMERROR);
    if (ans->status != IK_DNS_OK)
        return T_NOMATCH;
    return answer_has_addr(ans, s->addr_type, &s->ip, plen) ? T_MATCH : T_NOMATCH;
}

static unsigned plen_for(const ik_spf *s, const ik_spf_term_info *t)
{
    return s->ip.family == IK_IP_V4 ? t->cidr4 : t->cidr6;
}

static int eval_a(ik_spf *s, spf_frame *f, const ik_spf_term_info *t)
{
    ik_dns_answer *ans;
    if (!f->target_ok)
        return T_NOMATCH; /* RFC 7208 4.3 by analogy: no such name */
    if (!need(s, f->target, s->addr_type, &ans))
        return T_WAIT;
    return eval_addr_answer(s, f, t, ans, plen_for(s, t));
}

static int eval_exists(ik_spf *s, spf_frame *f, const ik_spf_term_info *t)
{
    ik_dns_answer *ans;
    if (!f->target_ok)
        return T_NOMATCH;
    /* RFC 7208 5.7: always an A query, whatever the client's family */
    if (!need(s, f->target, IK_DNS_T_A, &ans))
        return T_WAIT;
    if (dns_failed(ans))
        return dns_temperror(s, f->target, IK_DNS_T_A, ans);
    if (dns_void(ans))
        return count_void(s, f, t->text) ? T_NOMATCH : term_error(s, IK_SPF_PERMERROR);
    for (size_t i = 0; i < ans->nrr; i++)
        if (ans->rr[i].type == IK_DNS_T_A)
            return T_MATCH;
    return T_NOMATCH;
}

static int eval_mx(ik_spf *s, spf_frame *f, const ik_spf_term_info *t)
{
    ik_dns_answer *ans, *aa;
    if (!f->target_ok)
        return T_NOMATCH;
    if (!need(s, f->target, IK_DNS_T_MX, &ans))
        return T_WAIT;
    if (f->tstate == 2) {
        if (dns_failed(ans))
            return dns_temperror(s, f->target, IK_DNS_T_MX, ans);
        if (dns_void(ans))
            return count_void(s, f, t->text) ? T_NOMATCH : term_error(s, IK_SPF_PERMERROR);
        if (ans->status != IK_DNS_OK)
            return T_NOMATCH;
        size_t n = 0;
        for (size_t i = 0; i < ans->nrr; i++)
            n += ans->rr[i].type == IK_DNS_T_MX;
        if (n > s->max_names) {
            /* RFC 7208 4.6.4: more than 10 MX names is permerror */
            set_problem(s,
                        "%.*s has %zu MX names, more than %u (at \"%.*s\" in record "
                        "of %.*s)",
                        SV(f->target), n, s->max_names, SV(t->text), SV(f->domain));
            return term_error(s, IK_SPF_PERMERROR);
        }
        f->tstate = 3;
    }
    /* ask for every exchange's addresses at once */
    int waiting = 0;
    for (size_t i = 0; i < ans->nrr; i++) {
        ik_str host = ans->rr[i].u.mx.host;
        if (ans->rr[i].type == IK_DNS_T_MX && ik__spf_name_queryable(host)
            && !need(s, host, s->addr_type, &aa))
            waiting = 1;
    }
    if (waiting)
        return T_WAIT;
    /* then judge them in answer order, as a sequential lookup would */
    unsigned plen = plen_for(s, t);
    for (size_t i = 0; i < ans->nrr; i++) {
        ik_str host = ans->rr[i].u.mx.host;
        if (ans->rr[i].type != IK_DNS_T_MX || !ik__spf_name_queryable(host))
            continue; /* e.g. the null MX "." (RFC 7505) */
        need(s, host, s->addr_type, &aa);
        if (dns_failed(aa))
            return dns_temperror(s, host, s->addr_type, aa);
        if (aa->status == IK_DNS_OK && answer_has_addr(aa, s->addr_type, &s->ip, plen))
            return T_MATCH;
    }
    return T_NOMATCH;
}

static int eval_ptr(ik_spf *s, spf_frame *f, const ik_spf_term_info *t)
{
    ik_dns_answer *ans, *aa;
    if (!f->target_ok)
        return T_NOMATCH;
    if (!need(s, reverse_name(s), IK_DNS_T_PTR, &ans))
        return T_WAIT;
    if (f->tstate == 2) {
        /* RFC 7208 5.5: a DNS error on the PTR lookup is just no match */
        if (dns_failed(ans))
            return T_NOMATCH;
        if (dns_void(ans))
            return count_void(s, f, t->text) ? T_NOMATCH : term_error(s, IK_SPF_PERMERROR);
        if (ans->status != IK_DNS_OK)
            return T_NOMATCH;
        f->tstate = 3;
    }
    /*
     * RFC 7208 4.6.4: only the first max_names PTR names count, in answer
     * order; of those only names within the target can match, so only they
     * are validated.
     */
    int waiting = 0;
    size_t n = 0;
    for (size_t i = 0; i < ans->nrr && n < s->max_names; i++) {
        if (ans->rr[i].type != IK_DNS_T_PTR)
            continue;
        n++;
        ik_str name = ans->rr[i].u.name;
        if (ik__spf_name_within(name, f->target) && ik__spf_name_queryable(name)
            && !need(s, name, s->addr_type, &aa))
            waiting = 1;
    }
    if (waiting)
        return T_WAIT;
    n = 0;
    for (size_t i = 0; i < ans->nrr && n < s->max_names; i++) {
        if (ans->rr[i].type != IK_DNS_T_PTR)
            continue;
        n++;
        ik_str name = ans->rr[i].u.name;
        if (!ik__spf_name_within(name, f->target) || !ik__spf_name_queryable(name))
            continue;
        need(s, name, s->addr_type, &aa);
        /* RFC 7208 5.5: errors while validating skip the name */
        if (aa->status == IK_DNS_OK && answer_has_addr(aa, s->addr_type, &s->ip, 128))
            return T_MATCH;
    }
    return T_NOMATCH;
}

static int eval_include(ik_spf *s, spf_frame *f, const ik_spf_term_info *t)
{
    if (!f->child_done) {
        if (s->depth >= IK_SPF_MAX_DEPTH) {
            set_problem(s, "includes nested deeper than %d (at \"%.*s\" in record of %.*s)",
                        IK_SPF_MAX_DEPTH, SV(t->text), SV(f->domain));
            return term_error(s, IK_SPF_PERMERROR);
        }
        spf_frame *c = &s->frames[s->depth++];
        memset(c, 0, sizeof(*c));
        c->domain = f->target;
        c->phase = F_LOOKUP;
        return T_PUSH;
    }
    /* RFC 7208 5.2 table */
    switch (f->child_result) {
    case IK_SPF_PASS: return T_MATCH;
    case IK_SPF_FAIL:
    case IK_SPF_SOFTFAIL:
    case IK_SPF_NEUTRAL: return T_NOMATCH;
    case IK_SPF_TEMPERROR: return term_error(s, IK_SPF_TEMPERROR);
    case IK_SPF_NONE:
        set_problem(s,
                    "included domain %.*s has no SPF record (at \"%.*s\" in record of "
                    "%.*s)",
                    SV(f->target), SV(t->text), SV(f->domain));
        return term_error(s, IK_SPF_PERMERROR);
    case IK_SPF_PERMERROR:
    default: return term_error(s, IK_SPF_PERMERROR);
    }
}

static int eval_term(ik_spf *s, spf_frame *f, const ik__spf_term *term)
{
    const ik_spf_term_info *t = &term->info;
    switch (t->mech) {
    case IK_SPF_MECH_ALL: return T_MATCH;
    case IK_SPF_MECH_IP4:
        /* RFC 7208 5.6: ip4 never matches an IPv6 client, and vice versa */
        return s->ip.family == IK_IP_V4 && ik_ip_match(&s->ip, &t->network, t->cidr4) ? T_MATCH
                                                                                      : T_NOMATCH;
    case IK_SPF_MECH_IP6:
        return s->ip.family == IK_IP_V6 && ik_ip_match(&s->ip, &t->network, t->cidr6) ? T_MATCH
                                                                                      : T_NOMATCH;
    default: break;
    }
    if (f->tstate == 0) {
        if (!count_lookup(s, f, t->text))
            return term_error(s, IK_SPF_PERMERROR);
        f->tstate = 1;
    }
    if (f->tstate == 1) {
        ik_str target;
        if (t->domain_spec.len == 0) {
            target = f->domain;
        } else if (expand_domain(s, f, t->domain_spec, term->has_macro, term->uses_p, &target)
                   == T_WAIT) {
            return T_WAIT;
        }
        f->target = target;
        f->target_ok = (uint8_t)ik__spf_name_queryable(target);
        f->tstate = 2;
    }
    switch (t->mech) {
    case IK_SPF_MECH_INCLUDE: return eval_include(s, f, t);
    case IK_SPF_MECH_A: return eval_a(s, f, t);
    case IK_SPF_MECH_MX: return eval_mx(s, f, t);
    case IK_SPF_MECH_PTR: return eval_ptr(s, f, t);
    case IK_SPF_MECH_EXISTS: return eval_exists(s, f, t);
    default: return T_NOMATCH;
    }
}

/* ---- frames ---------------------------------------------------------- */

static int frame_finish(ik_spf *s, ik_spf_result res)
{
    if (s->depth == 1) {
        s->out.result = res;
        if (res == IK_SPF_FAIL) {
            s->state = ST_EXP;
            return R_AGAIN;
        }
        s->state = ST_DONE;
        return R_DONE;
    }
    s->depth--;
    spf_frame *parent = &s->frames[s->depth - 1];
    parent->child_done = 1;
    parent->child_result = res;
    return R_AGAIN;
}

static unsigned wanted_scope(const ik_spf *s)
{
    return s->p.scope == IK_SPF_SCOPE_PRA ? IK_SPF_SCOPEBIT_PRA : IK_SPF_SCOPEBIT_MFROM;
}

static int is_v1(ik_str t)
{
    /* RFC 7208 4.5: "v=spf1" (case-insensitive) then SP or the end */
    return ik_str_casestarts(t, "v=spf1") && (t.len == 6 || t.p[6] == ' ');
}

static int is_v2(ik_str t)
{
    return ik_str_casestarts(t, "spf2.0") && (t.len == 6 || t.p[6] == '/' || t.p[6] == ' ');
}

/*
 * Record selection.  RFC 7208 4.5: of the TXT records, keep those starting
 * with "v=spf1" followed by SP or the end; none -> none, several ->
 * permerror.  Type SPF (99) is never asked (RFC 7208 3.1, 14.1).
 *
 * Sender ID (RFC 4406 3.4, 4.4): spf2.0 records whose scope list names the
 * checked scope are used; "v=spf1" counts as "spf2.0/mfrom,pra" only when
 * no record starting with "spf2.0" exists at all (3.4: "provided no record
 * starting with spf2.0 exists").  So a domain that publishes only
 * spf2.0/mfrom has no PRA policy: none.  Two matching records, or an
 * spf2.0 record whose version/scope section is malformed, are permerror.
 */
static int select_record(ik_spf *s, spf_frame *f, const ik_dns_answer *ans, ik_str *text)
{
    size_t nv1 = 0, nv2 = 0, nv2any = 0;
    ik_str v1 = IK_STR_NULL, v2 = IK_STR_NULL;
    int senderid = s->p.records == IK_SPF_RECORDS_SENDERID && s->p.scope != IK_SPF_SCOPE_HELO;
    for (size_t i = 0; i < ans->nrr; i++) {
        if (ans->rr[i].type != IK_DNS_T_TXT)
            continue;
        ik_str t = txt_text(s, &ans->rr[i]);
        if (senderid && is_v2(t)) {
            size_t pos;
            unsigned scopes;
            nv2any++;
            if (!ik__spf_v2_prefix(t, &pos, &scopes)) {
                set_problem(s, "malformed spf2.0 version or scope list in record of %.*s",
                            SV(f->domain));
                return -1;
            }
            if (scopes & wanted_scope(s)) {
                nv2++;
                v2 = t;
            }
        } else if (is_v1(t)) {
            nv1++;
            v1 = t;
        }
    }
    size_t n = nv2any ? nv2 : nv1;
    if (n > 1) {
        set_problem(s, "%zu SPF records for %.*s", n, SV(f->domain));
        return -1;
    }
    if (n == 0)
        return 0;
    *text = nv2any ? v2 : v1;
    return 1;
}

static int step_lookup(ik_spf *s, spf_frame *f)
{
    ik_dns_answer *ans;
    if (!ik__spf_domain_is_fqdn(f->domain)) {
        if (f->redirected) {
            /* RFC 7208 6.1: a malformed redirect target is permerror */
            set_problem(s, "redirect target \"%.*s\" is not a valid domain name", SV(f->domain));
            return frame_finish(s, IK_SPF_PERMERROR);
        }
        /* RFC 7208 4.3: not a valid FQDN: none */
        return frame_finish(s, IK_SPF_NONE);
    }
    if (!need(s, f->domain, IK_DNS_T_TXT, &ans))
        return R_WAIT;
    if (dns_failed(ans)) {
        /* RFC 7208 4.4 */
        set_problem(s, "DNS failure looking up TXT %.*s: %s", SV(f->domain), why_text(s, ans));
        return frame_finish(s, IK_SPF_TEMPERROR);
    }
    ik_str text = IK_STR_NULL;
    int n = ans->status == IK_DNS_OK ? select_record(s, f, ans, &text) : 0;
    if (n < 0)
        return frame_finish(s, IK_SPF_PERMERROR);
    if (n == 0) {
        if (f->redirected) {
            /* RFC 7208 6.1: no record at the redirect target: permerror */
            set_problem(s, "redirect target %.*s has no SPF record", SV(f->domain));
            return frame_finish(s, IK_SPF_PERMERROR);
        }
        return frame_finish(s, IK_SPF_NONE);
    }
    if (s->depth == 1 && s->out.record.p == NULL)
        s->out.record = text;
    const ik_spf_record *rec = NULL;
    ik_str problem = IK_STR_NULL;
    ik_status st;
    int hit = 0;
    if (s->p.cache) {
        if ((st = ik__spf_cache_get(s->p.cache, s->a, f->domain, text, &rec, &problem, &hit))
            != IK_OK) {
            s->fatal = st;
            return R_WAIT;
        }
    }
    if (hit) {
        st = rec ? IK_OK : IK_ESYNTAX;
    } else {
        ik_spf_record *parsed = NULL;
        st = ik_spf_record_parse(s->a, text, &parsed, &problem);
        if (st == IK_ENOMEM) {
            s->fatal = st;
            return R_WAIT;
        }
        if (s->p.cache)
            ik__spf_cache_put(s->p.cache, f->domain, text, ans->ttl, parsed, problem);
        rec = parsed;
    }
    if (st) {
        set_problem(s, "%.*s in record of %.*s", SV(problem), SV(f->domain));
        return frame_finish(s, IK_SPF_PERMERROR);
    }
    f->rec = rec;
    f->phase = F_TERMS;
    f->ti = 0;
    f->tstate = 0;
    f->child_done = 0;
    return R_AGAIN;
}

static int step_terms(ik_spf *s, spf_frame *f)
{
    const ik_spf_record *r = f->rec;
    while (f->ti < r->nterms) {
        const ik__spf_term *t = &r->terms[f->ti];
        switch (eval_term(s, f, t)) {
        case T_WAIT: return R_WAIT;
        case T_PUSH: return R_AGAIN;
        case T_ERROR: return frame_finish(s, s->err_result);
        case T_MATCH:
            if (s->depth == 1)
                s->out.mechanism = t->info.text;
            return frame_finish(s, t->info.qualifier);
        default:
            f->ti++;
            f->tstate = 0;
            f->child_done = 0;
            break;
        }
    }
    /* RFC 7208 6.1: redirect applies only when no all mechanism exists */
    if (r->redirect.p && !r->has_all) {
        if (f->tstate == 0) {
            if (!count_lookup(s, f, IK_STR_LIT("redirect")))
                return frame_finish(s, IK_SPF_PERMERROR);
            f->tstate = 1;
        }
        ik_str target;
        if (expand_domain(s, f, r->redirect, r->redirect_has_macro, r->redirect_uses_p, &target)
            == T_WAIT)
            return R_WAIT;
        f->domain = target;
        f->rec = NULL;
        f->phase = F_LOOKUP;
        f->redirected = 1;
        f->ti = 0;
        f->tstate = 0;
        return R_AGAIN;
    }
    /* RFC 7208 4.7: nothing matched, no redirect: neutral */
    if (s->depth == 1)
        s->out.mechanism = IK_STR_LIT("default");
    return frame_finish(s, IK_SPF_NEUTRAL);
}

/* ---- explanation (RFC 7208 6.2) -------------------------------------- */

static const char builtin_exp[] = "%{o} does not designate %{c} as a permitted sender";

static int exp_default(ik_spf *s)
{
    ik_str spec = s->p.default_exp.len ? s->p.default_exp : IK_STR_LIT(builtin_exp);
    ik_spf_macro_env env = s->env;
    env.domain = s->frames[0].domain;
    ik_str out, problem;
    ik_status st = ik_spf_macro_expand(s->a, spec, &env, 1, 0, &out, &problem);
    if (st == IK_ENOMEM) {
        s->fatal = st;
        return R_WAIT;
    }
    s->out.explanation = st ? spec : out;
    s->state = ST_DONE;
    return R_DONE;
}

static int step_exp(ik_spf *s)
{
    spf_frame *f = &s->frames[0];
    const ik_spf_record *r = f->rec;
    ik_dns_answer *ans;
    if (s->exp_state == 0) {
        if (r == NULL || r->exp.p == NULL)
            return exp_default(s);
        ik_str name;
        if (expand_domain(s, f, r->exp, r->exp_has_macro, r->exp_uses_p, &name) == T_WAIT)
            return R_WAIT;
        if (!ik__spf_name_queryable(name))
            return exp_default(s);
        s->exp_name = name;
        s->exp_state = 1;
    }
    if (s->exp_state == 1) {
        /* not counted as a DNS-querying term nor as a void lookup
         * (RFC 7208 4.6.4, test exp-void) */
        if (!need(s, s->exp_name, IK_DNS_T_TXT, &ans))
            return R_WAIT;
        /* RFC 7208 6.2: DNS error, no record or several: no explanation */
        if (ans->status != IK_DNS_OK)
            return exp_default(s);
        size_t n = 0;
        for (size_t i = 0; i < ans->nrr; i++) {
            if (ans->rr[i].type == IK_DNS_T_TXT) {
                n++;
                s->exp_text = txt_text(s, &ans->rr[i]);
            }
        }
        if (n != 1)
            return exp_default(s);
        s->exp_state = 2;
    }
    size_t last;
    int uses_p = 0;
    const char *why;
    if (ik__spf_macro_check(s->exp_text, 1, &last, &uses_p, &why))
        return exp_default(s); /* 6.2: syntax error in the explanation */
    if (uses_p && ptr_validate(s) == T_WAIT)
        return R_WAIT;
    ik_spf_macro_env env = s->env;
    env.domain = f->domain;
    if (uses_p)
        env.ptr = ptr_pick(s, f->domain);
    ik_str out, problem;
    ik_status st = ik_spf_macro_expand(s->a, s->exp_text, &env, 1, 0, &out, &problem);
    if (st == IK_ENOMEM) {
        s->fatal = st;
        return R_WAIT;
    }
    if (st)
        return exp_default(s);
    s->out.explanation = out;
    s->state = ST_DONE;
    return R_DONE;
}

/* ---- public ---------------------------------------------------------- */

static ik_str dup_str(ik_arena *a, ik_str s, int *oom)
{
    if (s.len == 0)
        return ik_str_make("", 0);
    ik_str r = ik_arena_strdup_str(a, s);
    if (r.p == NULL)
        *oom = 1;
    return r;
}

ik_status ik_spf_new(ik_arena *a, const ik_spf_params *p, ik_spf **out)
{
    if (a == NULL || p == NULL || out == NULL)
        return IK_EINVAL;
    *out = NULL;
    ik_ip ip = ik_ip_unmap(&p->ip);
    if (ip.family != IK_IP_V4 && ip.family != IK_IP_V6)
        return IK_EINVAL;
    ik_spf *s = ik_arena_alloc(a, sizeof(*s));
    if (s == NULL)
        return IK_ENOMEM;
    memset(s, 0, offsetof(ik_spf, frames) + sizeof(s->frames[0]));
    int oom = 0;
    s->a = a;
    s->p = *p;
    s->p.helo = dup_str(a, p->helo, &oom);
    s->p.sender = dup_str(a, p->sender, &oom);
    s->p.receiver = dup_str(a, p->receiver, &oom);
    s->p.default_exp = dup_str(a, p->default_exp, &oom);
    if (oom)
        return IK_ENOMEM;
    s->ip = ip;
    s->p.ip = ip;
    s->addr_type = ip.family == IK_IP_V4 ? IK_DNS_T_A : IK_DNS_T_AAAA;
    s->max_mech = p->max_dns_mech ? p->max_dns_mech : IK_SPF_MAX_DNS_MECH;
    s->max_void = p->max_void ? p->max_void : IK_SPF_MAX_VOID;
    s->max_names = p->max_names ? p->max_names : IK_SPF_MAX_MX_PTR_NAMES;
    if (s->max_mech > 1000)
        s->max_mech = 1000;
    if (s->max_names > 1000)
        s->max_names = 1000;
    /* every question the limits allow: records, terms and their names,
     * %{p}, exp= */
    s->max_queries = ((size_t)s->max_mech + 2) * ((size_t)s->max_names + 2) + 16;
    if (p->now == 0)
        s->p.now = time(NULL);

    /* RFC 7208 2.3, 2.4, 4.3: the <sender> and its parts */
    ik_str helo = s->p.helo, sender = s->p.sender, local, domain;
    static const char pm[] = "postmaster";
    if (p->scope == IK_SPF_SCOPE_HELO || sender.len == 0) {
        local = IK_STR_LIT(pm);
        domain = helo;
    } else {
        size_t at = sender.len;
        while (at > 0 && sender.p[at - 1] != '@')
            at--;
        if (at == 0) { /* no '@': a bare domain */
            local = IK_STR_LIT(pm);
            domain = sender;
        } else if (at == 1) { /* "@domain": no local-part */
            local = IK_STR_LIT(pm);
            domain = ik_str_make(sender.p + 1, sender.len - 1);
        } else {
            local = ik_str_make(sender.p, at - 1);
            domain = ik_str_make(sender.p + at, sender.len - at);
        }
    }
    if (local.p == pm) {
        char *t = ik_arena_printf(a, "postmaster@%.*s", SV(domain));
        if (t == NULL)
            return IK_ENOMEM;
        sender = ik_str_c(t);
        domain = ik_str_make(t + 11, domain.len);
    }
    domain = ik__spf_strip_dot(domain);
    s->env.sender = sender;
    s->env.local = local;
    s->env.sender_domain = domain;
    s->env.domain = domain;
    s->env.ip = ip;
    s->env.helo = helo;
    s->env.receiver = s->p.receiver;
    s->env.now = s->p.now;

    s->out.result = IK_SPF_NONE;
    s->out.identity = sender;
    s->out.domain = domain;
    s->out.mechanism = ik_str_make("", 0);
    s->out.explanation = ik_str_make("", 0);
    s->out.problem = ik_str_make("", 0);
    s->frames[0].domain = domain;
    s->frames[0].phase = F_LOOKUP;
    s->depth = 1;
    s->state = ST_RUN;
    *out = s;
    return IK_OK;
}

ik_status ik_spf_run(ik_spf *s, ik_dns_query **pending)
{
    if (s == NULL || pending == NULL)
        return IK_EINVAL;
    *pending = NULL;
    while (s->state != ST_DONE) {
        int r = s->state == ST_EXP ? step_exp(s)
                                   : (s->frames[s->depth - 1].phase == F_LOOKUP
                                          ? step_lookup(s, &s->frames[s->depth - 1])
                                          : step_terms(s, &s->frames[s->depth - 1]));
        if (s->fatal)
            return s->fatal;
        if (r == R_WAIT) {
            ik_dns_query *head = NULL, **tail = &head;
            for (size_t i = 0; i < s->nq; i++) {
                ik_dns_query *q = s->qs[i];
                if (q->answer == NULL) {
                    q->next = NULL;
                    *tail = q;
                    tail = &q->next;
                }
            }
            if (head == NULL)
                return IK_ESTATE; /* cannot happen: waiting without a question */
            *pending = head;
            return IK_EAGAIN;
        }
    }
    if (s->out.result != IK_SPF_FAIL)
        s->out.explanation = ik_str_make("", 0);
    if (s->out.record.p == NULL)
        s->out.record = ik_str_make("", 0);
    return IK_OK;
}

const ik_spf_outcome *ik_spf_outcome_get(const ik_spf *s)
{
    return s ? &s->out : NULL;
}

ik_status ik_spf_check(ik_arena *a, const ik_spf_params *p, ik_resolver *r, ik_spf_outcome *out)
{
    ik_spf *s;
    ik_status st = ik_spf_new(a, p, &s);
    if (st)
        return st;
    /* the engine bounds its own questions; this bounds a resolver that
     * leaves questions unanswered */
    for (int round = 0; round < 10000; round++) {
        ik_dns_query *pending;
        st = ik_spf_run(s, &pending);
        if (st == IK_OK) {
            if (out)
                *out = s->out;
            return IK_OK;
        }
        if (st != IK_EAGAIN)
            return st;
        st = ik_resolver_answer_all(r, a, pending);
        if (st)
            return st;
        for (ik_dns_query *q = pending; q; q = q->next)
            if (q->answer == NULL)
                return IK_EINVAL;
    }
    return IK_ELIMIT;
}
