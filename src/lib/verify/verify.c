/*
 * verify.c - the composite inbound verifier (see inkan/verify.h).
 *
 * Each protocol engine sits in a slot.  A slot is started when its inputs
 * are known (iprev at connect, SPF at MAIL FROM, DKIM, DomainKeys and ARC
 * with the first header and asking for keys at end of headers, Sender ID
 * and an early DMARC policy run at end of headers, ADSP and DMARC once the
 * results they build on are final), and it is stepped whenever every
 * question of its last IK_EAGAIN has an answer.  Questions go through the
 * memo (memo.c), so all engines share one list of distinct questions.
 *
 * The early DMARC run (K_PRE_DMARC) is given no authentication results: it
 * exists only to ask the Author Domain's policy questions while the body
 * streams (RFC 9989 4.10 tree walk, or RFC 7489 6.6.3), so the real run at
 * the end finds the answers in the memo.  ADSP likewise (RFC 5617 4.3).
 * Their verdicts are discarded; the real DMARC run starts over on the early
 * run's own question table (ik__dmarc_restart), so the policy records are
 * neither matched in the memo nor parsed a second time.
 *
 * ik_verify_message has split the header section once already; when the
 * copy kept for eoh is the same bytes, its fields are used as they are
 * rather than split again.
 *
 * Ownership: the verifier's arena.  Threads: one verifier at a time.
 */
#include <string.h>

#include "dmarc/dmarc_int.h"
#include "verify_int.h"

/* Rounds of the engine loop per call; every round makes progress, so this
 * only guards against an engine that keeps asking answered questions. */
#define MAX_ROUNDS 100000

static const struct {
    const char *name;
    unsigned bit;
} method_names[] = {
    { "spf", IK_VERIFY_SPF },
    { "iprev", IK_VERIFY_IPREV },
    { "sender-id", IK_VERIFY_SENDERID },
    { "senderid", IK_VERIFY_SENDERID },
    { "dkim", IK_VERIFY_DKIM },
    { "domainkeys", IK_VERIFY_DOMAINKEYS },
    { "dkim-adsp", IK_VERIFY_ADSP },
    { "adsp", IK_VERIFY_ADSP },
    { "dmarc", IK_VERIFY_DMARC },
    { "arc", IK_VERIFY_ARC },
    { "all", IK_VERIFY_ALL },
};

ik_status ik_verify_methods_parse(ik_str list, unsigned *out, ik_str *bad)
{
    unsigned m = 0;
    size_t start = 0;
    for (size_t i = 0; i <= list.len; i++) {
        if (i < list.len && list.p[i] != ',')
            continue;
        ik_str w = ik_str_trim(ik_str_make(list.p + start, i - start));
        start = i + 1;
        size_t k;
        for (k = 0; k < sizeof(method_names) / sizeof(method_names[0]); k++)
            if (ik_str_caseeq_c(w, method_names[k].name))
                break;
        if (k == sizeof(method_names) / sizeof(method_names[0])) {
            if (bad)
                *bad = w;
            return IK_ESYNTAX;
        }
        m |= method_names[k].bit;
    }
    *out = m;
    return IK_OK;
}

void ik_verify_config_init(ik_verify_config *c)
{
    memset(c, 0, sizeof(*c));
    c->authserv_id = IK_STR_LIT("localhost");
    c->methods = IK_VERIFY_ALL;
    c->dmarc_spec = IK_DMARC_SPEC_9989;
    c->dmarc_sample = -1;
    c->clock_skew = 300;
}

ik_verify *ik_verify_new(ik_arena *a, const ik_verify_config *cfg)
{
    if (a == NULL || cfg == NULL || cfg->authserv_id.len == 0)
        return NULL;
    if (cfg->dmarc_spec == IK_DMARC_SPEC_7489 && cfg->psl == NULL
        && (cfg->methods & IK_VERIFY_DMARC))
        return NULL;
    ik_verify *v = ik_arena_calloc(a, 1, sizeof(*v));
    if (v == NULL)
        return NULL;
    v->a = a;
    v->cfg = *cfg;
    if (v->cfg.max_header_bytes == 0)
        v->cfg.max_header_bytes = IK_VERIFY_MAX_HEADER_BYTES;
    v->methods = cfg->methods & IK_VERIFY_ALL;
    /* DMARC and ADSP build on DKIM (and DMARC on SPF). */
    if (v->methods & (IK_VERIFY_DMARC | IK_VERIFY_ADSP))
        v->methods |= IK_VERIFY_DKIM;
    if (v->methods & IK_VERIFY_DMARC)
        v->methods |= IK_VERIFY_SPF;
    ik__verify_memo_init(&v->memo, a);
    ik_buf_init(&v->hbuf, a, v->cfg.max_header_bytes);

    if (v->methods & IK_VERIFY_DKIM) {
        ik_dkim_verify_config dc;
        memset(&dc, 0, sizeof(dc));
        dc.flags = cfg->dkim_flags;
        dc.now = cfg->now;
        dc.clock_skew = cfg->clock_skew;
        dc.cache = cfg->dkim_cache;
        v->dkim = ik_dkim_verify_new(a, &dc);
        if (v->dkim == NULL)
            return NULL;
    }
    if (v->methods & IK_VERIFY_DOMAINKEYS) {
        ik_dk_verify_config kc;
        memset(&kc, 0, sizeof(kc));
        kc.check_policy = cfg->dk_check_policy;
        v->dk = ik_dk_verify_new(a, &kc);
        if (v->dk == NULL)
            return NULL;
    }
    if (v->methods & IK_VERIFY_ARC) {
        ik_arc_verify_config ac;
        memset(&ac, 0, sizeof(ac));
        ac.flags = cfg->dkim_flags & IK_DKIM_ALLOW_SHA1;
        ac.now = cfg->now;
        ac.cache = cfg->dkim_cache;
        v->arc = ik_arc_verify_new(a, &ac);
        if (v->arc == NULL)
            return NULL;
    }
    return v;
}

/* ---- running the engines --------------------------------------------------- */

static ik_status step(ik_verify *v, int k, ik_dns_query **q)
{
    switch (k) {
    case K_IPREV: return ik_iprev_eval(v->iprev, q);
    case K_SPF: return ik_spf_run(v->spf, q);
    case K_SENDERID: return ik_senderid_run(v->sid, q);
    case K_DKIM: return ik_dkim_verify_eom(v->dkim, q);
    case K_DK: return ik_dk_verify_eom(v->dk, q);
    case K_ARC: return ik_arc_verify_eom(v->arc, q);
    case K_PRE_DMARC: return ik_dmarc_run(v->pre_dmarc, q);
    case K_PRE_ADSP: return ik_adsp_eval(v->pre_adsp, q);
    case K_ADSP: return ik_adsp_eval(v->adsp, q);
    case K_DMARC: return ik_dmarc_run(v->dmarc, q);
    default: return IK_EINVAL;
    }
}

static void start(ik_verify *v, int k, int runnable)
{
    v->slot[k].started = 1;
    v->slot[k].runnable = runnable;
}

/* A slot counts as finished when it never started or is done. */
static int finished(const ik_verify *v, int k)
{
    return !v->slot[k].started || v->slot[k].done;
}

static ik_status start_adsp(ik_verify *v)
{
    ik_adsp_outcome *o = &v->adsp_local;
    memset(o, 0, sizeof(*o));
    o->reason = "";
    if (v->from.status != IK_DMARC_FROM_OK || v->from.ndomains != 1) {
        /* RFC 5617 3.1: the Author Domain is that of the From address; with
         * none or several there is nothing to check reliably. */
        o->result = IK_ADSP_PERMERROR;
        o->reason = v->from.status != IK_DMARC_FROM_OK ? ik_arena_printf(
                        v->a, "no author domain: %s", ik_dmarc_from_status_name(v->from.status))
                                                       : "several author domains";
        if (o->reason == NULL)
            return IK_ENOMEM;
        v->adsp_out = o;
        start(v, K_ADSP, 0);
        v->slot[K_ADSP].done = 1;
        return IK_OK;
    }
    size_t n = ik_dkim_verify_count(v->dkim), np = 0;
    ik_str *pass = n ? ik_arena_calloc(v->a, n, sizeof(*pass)) : NULL;
    if (n && pass == NULL)
        return IK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const ik_dkim_sigresult *r = ik_dkim_verify_get(v->dkim, i);
        if (r && r->result == IK_DKIM_PASS && r->sig)
            pass[np++] = r->sig->domain;
    }
    v->adsp = ik_adsp_new(v->a, v->from.domains[0], pass, np);
    if (v->adsp == NULL)
        return IK_ENOMEM;
    start(v, K_ADSP, 1);
    return IK_OK;
}

static ik_status start_dmarc(ik_verify *v)
{
    ik_dmarc_auth *au = &v->dmarc_auth;
    memset(au, 0, sizeof(*au));
    au->spf_result = IK_SPF_NONE;
    if (v->spf != NULL) {
        ik_status st = ik_dmarc_auth_set_spf(au, &v->spf_params, ik_spf_outcome_get(v->spf));
        if (st != IK_OK)
            return st;
    }
    size_t n = v->dkim ? ik_dkim_verify_count(v->dkim) : 0, nd = 0;
    ik_dmarc_dkim *dk = n ? ik_arena_calloc(v->a, n, sizeof(*dk)) : NULL;
    if (n && dk == NULL)
        return IK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const ik_dkim_sigresult *r = ik_dkim_verify_get(v->dkim, i);
        if (r == NULL || r->header_d.len == 0)
            continue; /* a signature without d= names no domain to align */
        dk[nd].domain = r->header_d;
        dk[nd].selector = r->header_s;
        dk[nd].result = r->result;
        nd++;
    }
    au->dkim = dk;
    au->ndkim = nd;
    if (v->arc != NULL && v->cfg.ntrusted) {
        const ik_arc_result *ar = ik_arc_verify_result(v->arc);
        v->arc_trusted = ik_arc_trusted_sealer(ar, v->cfg.trusted_sealers, v->cfg.ntrusted);
        if (v->arc_trusted) {
            au->arc_trusted_pass = 1;
            au->arc_sealer = ar->sets[v->arc_trusted - 1].seal_domain;
        }
    }
    ik_status st = IK_ESTATE;
    if (v->pre_dmarc != NULL) {
        /* The early run asked the policy questions and parsed the records;
         * the real run starts over on the same question table, as a new
         * evaluation would but without asking or parsing again. */
        st = ik__dmarc_restart(v->pre_dmarc, &v->dmarc_params, au);
        if (st == IK_OK) {
            v->dmarc = v->pre_dmarc;
            v->pre_dmarc = NULL;
            v->slot[K_PRE_DMARC].done = 1;
            v->slot[K_PRE_DMARC].pending = NULL;
        } else if (st != IK_ESTATE) {
            return st;
        }
    }
    if (st == IK_ESTATE
        && (st = ik_dmarc_new(v->a, &v->dmarc_params, &v->from, au, &v->dmarc)) != IK_OK)
        return st;
    start(v, K_DMARC, 1);
    return IK_OK;
}

/* Starts ADSP and DMARC once what they build on is final. */
static ik_status start_late(ik_verify *v, int *started)
{
    *started = 0;
    if (v->state < VS_EOM)
        return IK_OK;
    ik_status st;
    if ((v->methods & IK_VERIFY_ADSP) && !v->slot[K_ADSP].started && finished(v, K_DKIM)) {
        if ((st = start_adsp(v)) != IK_OK)
            return st;
        *started = 1;
    }
    if ((v->methods & IK_VERIFY_DMARC) && !v->slot[K_DMARC].started && finished(v, K_DKIM)
        && finished(v, K_SPF) && finished(v, K_ARC)) {
        if ((st = start_dmarc(v)) != IK_OK)
            return st;
        *started = 1;
    }
    return IK_OK;
}

static int all_done(const ik_verify *v)
{
    for (int k = 0; k < K_NKINDS; k++)
        if (k != K_PRE_DMARC && k != K_PRE_ADSP && !finished(v, k))
            return 0;
    if ((v->methods & IK_VERIFY_DMARC) && !v->slot[K_DMARC].done)
        return 0;
    if ((v->methods & IK_VERIFY_ADSP) && !v->slot[K_ADSP].done)
        return 0;
    return 1;
}

static ik_status pump(ik_verify *v)
{
    ik__verify_memo_absorb(&v->memo);
    for (long round = 0;; round++) {
        if (round == MAX_ROUNDS)
            return IK_ESTATE;
        int progress = 0;
        for (int k = 0; k < K_NKINDS; k++) {
            ik__verify_slot *s = &v->slot[k];
            if (!s->started || s->done)
                continue;
            size_t un = 0;
            ik_status st;
            if (s->pending != NULL) {
                if ((st = ik__verify_memo_fill(&v->memo, s->pending, &un)) != IK_OK)
                    return st;
                if (un)
                    continue;
            }
            if (!s->runnable)
                continue;
            ik_dns_query *q = NULL;
            st = step(v, k, &q);
            if (st == IK_EAGAIN) {
                if (q == NULL)
                    return IK_ESTATE; /* waiting for nothing: an engine bug */
                s->pending = q;
                if ((st = ik__verify_memo_fill(&v->memo, q, &un)) != IK_OK)
                    return st;
                if (un == 0)
                    progress = 1;
            } else if (st == IK_OK) {
                s->done = 1;
                s->pending = NULL;
                progress = 1;
            } else {
                return st;
            }
        }
        int started;
        ik_status st = start_late(v, &started);
        if (st != IK_OK)
            return st;
        if (!progress && !started)
            break;
    }
    if (v->state == VS_EOM && all_done(v)) {
        /* The early runs are of no use any more; their questions, if still
         * in flight, can be dropped by the driver. */
        v->slot[K_PRE_DMARC].done = v->slot[K_PRE_ADSP].done = 1;
        if (v->adsp != NULL)
            v->adsp_out = ik_adsp_get(v->adsp);
        ik_status st = ik__verify_build_authres(v);
        if (st != IK_OK)
            return st;
        v->state = VS_DONE;
    }
    return IK_OK;
}

/* Common tail of every call that may ask questions. */
static ik_status settle(ik_verify *v, ik_status st, ik_dns_query **queries)
{
    if (queries)
        *queries = NULL;
    if (st == IK_OK)
        st = pump(v);
    if (st != IK_OK) {
        v->err = st;
        return st;
    }
    if (queries)
        *queries = ik__verify_memo_take(&v->memo);
    if (v->state == VS_DONE)
        return IK_OK;
    if (ik__verify_memo_waiting(&v->memo))
        return IK_EAGAIN;
    if (v->state == VS_EOM) {
        v->err = IK_ESTATE; /* nothing to wait for, yet not done */
        return v->err;
    }
    return IK_OK;
}

/* ---- feeding ---------------------------------------------------------------- */

ik_status ik_verify_connect(ik_verify *v, const ik_ip *client, ik_str helo, ik_dns_query **queries)
{
    if (queries)
        *queries = NULL;
    if (v->err)
        return v->err;
    if (v->state != VS_NEW || client == NULL)
        return IK_ESTATE;
    if (client->family != IK_IP_V4 && client->family != IK_IP_V6)
        return IK_EINVAL;
    v->client = ik_ip_unmap(client);
    ik_ip_format(&v->client, v->client_text);
    v->has_client = 1;
    v->helo = helo;
    v->state = VS_CONNECTED;
    if (v->methods & IK_VERIFY_IPREV) {
        v->iprev = ik_iprev_new(v->a, &v->client, 0);
        if (v->iprev == NULL)
            return settle(v, IK_ENOMEM, queries);
        start(v, K_IPREV, 1);
    }
    return settle(v, IK_OK, queries);
}

ik_status ik_verify_mail_from(ik_verify *v, ik_str mailfrom, ik_dns_query **queries)
{
    if (queries)
        *queries = NULL;
    if (v->err)
        return v->err;
    if (v->state != VS_NEW && v->state != VS_CONNECTED)
        return IK_ESTATE;
    v->mailfrom = mailfrom;
    v->has_mailfrom = 1;
    v->state = VS_MAILFROM;
    if ((v->methods & IK_VERIFY_SPF) && v->has_client) {
        ik_spf_params *p = &v->spf_params;
        memset(p, 0, sizeof(*p));
        p->ip = v->client;
        p->helo = v->helo;
        p->sender = mailfrom;
        p->scope = IK_SPF_SCOPE_MFROM;
        p->records = IK_SPF_RECORDS_SPF1;
        p->receiver = v->cfg.receiver;
        p->now = (time_t)v->cfg.now;
        p->cache = v->cfg.spf_cache;
        ik_status st = ik_spf_new(v->a, p, &v->spf);
        if (st != IK_OK)
            return settle(v, st, queries);
        start(v, K_SPF, 1);
    }
    return settle(v, IK_OK, queries);
}

/* The field without its final line end. */
static ik_str strip_eol(const char *p, size_t len)
{
    if (len && p[len - 1] == '\n')
        len--;
    if (len && p[len - 1] == '\r')
        len--;
    return ik_str_make(p, len);
}

ik_status ik_verify_header(ik_verify *v, const char *field, size_t len)
{
    if (v->err)
        return v->err;
    if (v->state > VS_HEADERS)
        return IK_ESTATE;
    v->state = VS_HEADERS;
    ik_status st = IK_OK;
    if (v->dkim && st == IK_OK)
        st = ik_dkim_verify_header(v->dkim, field, len);
    if (v->dk && st == IK_OK)
        st = ik_dk_verify_header(v->dk, field, len);
    if (v->arc && st == IK_OK)
        st = ik_arc_verify_header(v->arc, field, len);
    if (st == IK_OK) {
        ik_str raw = strip_eol(field, len);
        ik_buf_append_str(&v->hbuf, raw);
        ik_buf_append(&v->hbuf, "\r\n", 2);
        st = ik_buf_error(&v->hbuf);
        v->nfed++;
    }
    if (st != IK_OK)
        v->err = st;
    return st;
}

/* The header section as fields, the forged A-R list and the From. */
static ik_status index_header(ik_verify *v)
{
    ik_buf_append(&v->hbuf, "\r\n", 2);
    ik_status st = ik_buf_error(&v->hbuf);
    if (st != IK_OK)
        return st;
    if (v->msg_fields != NULL && v->hbuf.len == v->msg_headlen
        && memcmp(v->hbuf.p, v->msg_head, v->hbuf.len) == 0) {
        /* ik_verify_message fed the fields of a header section that is
         * byte for byte what we kept: splitting it again would give the
         * same fields (and the limits below are looser than the ones it
         * was split with).  Those fields are copies in our arena. */
        v->fields = v->msg_fields;
        v->nfields = v->msg_nfields;
    } else {
        ik_hdr_opts o = { v->cfg.max_header_bytes, IK_VERIFY_MAX_FIELDS, 0 };
        size_t body;
        st = ik_hdr_parse_block(v->a, v->hbuf.p, v->hbuf.len, &o, &v->fields, &v->nfields, &body);
        if (st != IK_OK)
            return st;
    }
    v->msg_fields = NULL;
    st = ik_ar_find_ours(v->a, v->fields, v->nfields, v->cfg.authserv_id, &v->forged, &v->nforged);
    if (st != IK_OK)
        return st;
    return ik_dmarc_author_from_fields(v->a, v->fields, v->nfields, &v->from);
}

static ik_status eoh_engines(ik_verify *v)
{
    ik_status st = index_header(v);
    if (st != IK_OK)
        return st;
    ik_dns_query *q;
    if (v->dkim) {
        q = NULL;
        st = ik_dkim_verify_eoh(v->dkim, &q);
        if (st != IK_OK && st != IK_EAGAIN)
            return st;
        start(v, K_DKIM, 0);
        v->slot[K_DKIM].pending = q;
    }
    if (v->dk) {
        q = NULL;
        st = ik_dk_verify_eoh(v->dk, &q);
        if (st != IK_OK && st != IK_EAGAIN)
            return st;
        start(v, K_DK, 0);
        v->slot[K_DK].pending = q;
    }
    if (v->arc) {
        q = NULL;
        st = ik_arc_verify_eoh(v->arc, &q);
        if (st != IK_OK && st != IK_EAGAIN)
            return st;
        start(v, K_ARC, 0);
        v->slot[K_ARC].pending = q;
    }
    if ((v->methods & IK_VERIFY_SENDERID) && v->has_client) {
        ik_senderid_params *p = &v->sid_params;
        memset(p, 0, sizeof(*p));
        p->scope = IK_SPF_SCOPE_PRA;
        p->ip = v->client;
        p->helo = v->helo;
        p->fields = v->fields;
        p->nfields = v->nfields;
        p->receiver = v->cfg.receiver;
        p->now = (time_t)v->cfg.now;
        if ((st = ik_senderid_new(v->a, p, &v->sid)) != IK_OK)
            return st;
        start(v, K_SENDERID, 1);
    }
    v->dmarc_params.spec = v->cfg.dmarc_spec;
    v->dmarc_params.psl = v->cfg.psl;
    v->dmarc_params.flags = v->cfg.dmarc_flags;
    v->dmarc_params.sample = v->cfg.dmarc_sample;
    v->dmarc_params.cache = v->cfg.dmarc_cache;
    if ((v->methods & IK_VERIFY_DMARC) && v->from.status == IK_DMARC_FROM_OK) {
        static const ik_dmarc_auth none = { .spf_result = IK_SPF_NONE };
        ik_dmarc_params pp = v->dmarc_params;
        pp.sample = 0; /* the early run's verdict is discarded */
        if ((st = ik_dmarc_new(v->a, &pp, &v->from, &none, &v->pre_dmarc)) != IK_OK)
            return st;
        start(v, K_PRE_DMARC, 1);
    }
    if ((v->methods & IK_VERIFY_ADSP) && v->from.status == IK_DMARC_FROM_OK
        && v->from.ndomains == 1) {
        v->pre_adsp = ik_adsp_new(v->a, v->from.domains[0], NULL, 0);
        if (v->pre_adsp == NULL)
            return IK_ENOMEM;
        start(v, K_PRE_ADSP, 1);
    }
    return IK_OK;
}

ik_status ik_verify_eoh(ik_verify *v, ik_dns_query **queries)
{
    if (queries)
        *queries = NULL;
    if (v->err)
        return v->err;
    if (v->state > VS_HEADERS)
        return IK_ESTATE;
    v->state = VS_BODY;
    return settle(v, eoh_engines(v), queries);
}

ik_status ik_verify_body(ik_verify *v, const void *p, size_t len)
{
    if (v->err)
        return v->err;
    if (v->state != VS_BODY)
        return IK_ESTATE;
    ik_status st = IK_OK;
    if (v->dkim && st == IK_OK)
        st = ik_dkim_verify_body(v->dkim, p, len);
    if (v->dk && st == IK_OK)
        st = ik_dk_verify_body(v->dk, p, len);
    if (v->arc && st == IK_OK)
        st = ik_arc_verify_body(v->arc, p, len);
    if (st != IK_OK)
        v->err = st;
    return st;
}

ik_status ik_verify_eom(ik_verify *v, ik_dns_query **queries)
{
    if (queries)
        *queries = NULL;
    if (v->err)
        return v->err;
    ik_status st = IK_OK;
    if (v->state < VS_BODY) {
        /* A message without a body: the header ends here. */
        v->state = VS_BODY;
        st = eoh_engines(v);
        if (st != IK_OK)
            return settle(v, st, queries);
    }
    if (v->state != VS_BODY)
        return IK_ESTATE;
    v->state = VS_EOM;
    v->slot[K_DKIM].runnable = v->slot[K_DK].runnable = v->slot[K_ARC].runnable = 1;
    return settle(v, IK_OK, queries);
}

ik_status ik_verify_resume(ik_verify *v, ik_dns_query **queries)
{
    if (queries)
        *queries = NULL;
    if (v->err)
        return v->err;
    if (v->state == VS_DONE)
        return IK_OK;
    return settle(v, IK_OK, queries);
}

int ik_verify_done(const ik_verify *v)
{
    return v->state == VS_DONE;
}

ik_status ik_verify_message(ik_verify *v, const ik_ip *client, ik_str helo, const ik_str *mailfrom,
                            const void *msg, size_t len, ik_resolver *r)
{
    ik_dns_query *q = NULL;
    ik_status st = IK_OK;
#define ANSWER()                                                                                   \
    do {                                                                                           \
        while (st == IK_EAGAIN) {                                                                  \
            if (q == NULL)                                                                         \
                return IK_ESTATE;                                                                  \
            if ((st = ik_resolver_answer_all(r, v->a, q)) != IK_OK)                                \
                return st;                                                                         \
            st = ik_verify_resume(v, &q);                                                          \
        }                                                                                          \
        if (st != IK_OK)                                                                           \
            return st;                                                                             \
    } while (0)
    if (client != NULL) {
        st = ik_verify_connect(v, client, helo, &q);
        ANSWER();
        if (mailfrom != NULL) {
            st = ik_verify_mail_from(v, *mailfrom, &q);
            ANSWER();
        }
    }
    const ik_hdr_field *f;
    ik_hdr_field *fields;
    size_t n, body;
    st = ik_hdr_parse_block(v->a, msg, len, NULL, &fields, &n, &body);
    if (st != IK_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        f = &fields[i];
        if ((st = ik_verify_header(v, f->raw.p, f->raw.len)) != IK_OK)
            return st;
    }
    v->msg_fields = fields;
    v->msg_nfields = n;
    v->msg_head = msg;
    v->msg_headlen = body;
    st = ik_verify_eoh(v, &q);
    v->msg_fields = NULL;
    ANSWER();
    if ((st = ik_verify_body(v, (const char *)msg + body, len - body)) != IK_OK)
        return st;
    st = ik_verify_eom(v, &q);
    ANSWER();
#undef ANSWER
    return ik_verify_done(v) ? IK_OK : IK_ESTATE;
}

/* ---- results ------------------------------------------------------------- */

const ik_spf_outcome *ik_verify_spf(const ik_verify *v)
{
    return v->spf && v->slot[K_SPF].done ? ik_spf_outcome_get(v->spf) : NULL;
}

const ik_spf_params *ik_verify_spf_params(const ik_verify *v)
{
    return v->spf ? &v->spf_params : NULL;
}

const ik_iprev *ik_verify_iprev(const ik_verify *v)
{
    return v->iprev && v->slot[K_IPREV].done ? v->iprev : NULL;
}

const ik_senderid_outcome *ik_verify_senderid(const ik_verify *v)
{
    return v->sid && v->slot[K_SENDERID].done ? ik_senderid_outcome_get(v->sid) : NULL;
}

const ik_dkim_verifier *ik_verify_dkim(const ik_verify *v)
{
    return v->dkim && v->slot[K_DKIM].done ? v->dkim : NULL;
}

const ik_dk_verifier *ik_verify_domainkeys(const ik_verify *v)
{
    return v->dk && v->slot[K_DK].done ? v->dk : NULL;
}

const ik_adsp_outcome *ik_verify_adsp(const ik_verify *v)
{
    return v->slot[K_ADSP].done ? v->adsp_out : NULL;
}

const ik_dmarc_outcome *ik_verify_dmarc(const ik_verify *v)
{
    return v->dmarc && v->slot[K_DMARC].done ? ik_dmarc_outcome_get(v->dmarc) : NULL;
}

const ik_dmarc_auth *ik_verify_dmarc_auth(const ik_verify *v)
{
    return v->dmarc ? &v->dmarc_auth : NULL;
}

const ik_arc_result *ik_verify_arc(const ik_verify *v)
{
    return v->arc && v->slot[K_ARC].done ? ik_arc_verify_result(v->arc) : NULL;
}

unsigned ik_verify_arc_trusted(const ik_verify *v)
{
    return v->arc_trusted;
}

const ik_ar *ik_verify_ar(const ik_verify *v)
{
    return v->state == VS_DONE ? &v->ar : NULL;
}

ik_str ik_verify_authres(const ik_verify *v)
{
    return v->state == VS_DONE ? v->authres : IK_STR_NULL;
}

ik_str ik_verify_authres_payload(const ik_verify *v)
{
    return v->state == VS_DONE ? v->payload : IK_STR_NULL;
}

const ik_hdr_field *ik_verify_fields(const ik_verify *v, size_t *n)
{
    *n = v->nfields;
    return v->fields;
}

const size_t *ik_verify_forged(const ik_verify *v, size_t *n)
{
    *n = v->nforged;
    return v->nforged ? v->forged : NULL;
}

size_t ik_verify_dns_questions(const ik_verify *v)
{
    return v->memo.count;
}
