/*
 * unbound.c - the live resolver on libunbound (see
 * inkan/resolver_unbound.h).
 *
 * Every query, blocking or not, goes through ub_resolve_async so that one
 * deadline mechanism serves both: libunbound's own retry schedule can take
 * far longer than a mail transaction may wait.  libunbound runs callbacks
 * from inside ub_process(); ours only records the answer and moves the
 * query to a finished list, and the user's done callback runs later, from
 * process() or wait().  That keeps the promise of dns.h (callbacks only from
 * process/wait) even when resolve() has to call ub_process() for its own
 * query and other queries finish on the way.
 *
 * ub_result is not trusted further than its documented shape: each data
 * length is range-checked before use, at most IK_UNBOUND_MAX_RRS records are
 * read, and text fields are read with a bound.  RDATA goes through
 * ik_dns_answer_add_rdata, which checks it for its type (RFC 1035 3.3).
 *
 * Ownership: query records come from the resolver's allocator and are freed
 * when delivered or at close; answers live in each query's arena.
 * Threads: one resolver per thread at a time (libunbound's worker thread is
 * its own business).  Limits: IK_UNBOUND_MAX_RRS, the per-query timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#include "inkan/resolver_unbound.h"

typedef struct ubq {
    struct ubq *next, *prev; /* in-flight list, or the finished list (next only) */
    struct ubres *r;
    ik_arena *a;
    ik_dns_query *q;
    ik_dns_done_fn done; /* NULL for resolve()'s own query */
    void *arg;
    int async_id;
    uint64_t deadline; /* CLOCK_MONOTONIC, ms */
    int finished;
    ik_dns_answer *ans;
    ik_status err; /* IK_ENOMEM while building the answer */
} ubq;

typedef struct ubres {
    struct ub_ctx *ctx;
    ik_allocator al;
    int has_al;
    unsigned timeout_ms;
    ubq *inflight;
    ubq *fin_head, *fin_tail; /* finished, awaiting delivery */
} ubres;

static const ik_allocator *ub_al(const ubres *r)
{
    return r->has_al ? &r->al : NULL;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ik_unbound_options_init(ik_unbound_options *o)
{
    memset(o, 0, sizeof(*o));
    o->timeout_ms = IK_UNBOUND_DEFAULT_TIMEOUT_MS;
}

/* ---- answers ------------------------------------------------------------ */

static void set_fail(ik_dns_answer *ans, ik_dns_status st, const char *why)
{
    ans->status = st;
    ans->nrr = 0;
    ans->ttl = 0;
    ans->why = ik_str_c(why); /* static text */
}

/* Text from libunbound, copied with a bound (it should be NUL-terminated). */
static ik_str bounded_text(ik_arena *a, const char *s, size_t max)
{
    if (s == NULL)
        return IK_STR_NULL;
    return ik_arena_strdup_str(a, ik_str_make(s, strnlen(s, max)));
}

static ik_status fill_answer(ik_arena *a, const ik_dns_query *q, int err, struct ub_result *res,
                             ik_dns_answer **out)
{
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_TEMPFAIL);
    *out = ans;
    if (ans == NULL)
        return IK_ENOMEM;
    ans->canonical = q->name;
    if (err != 0 || res == NULL) {
        set_fail(ans, IK_DNS_TEMPFAIL, err ? ub_strerror(err) : "no result");
        return IK_OK;
    }
    ans->secure = res->secure != 0;
    if (res->canonname) {
        ik_str c = bounded_text(a, res->canonname, IK_DNS_NAME_MAX + 2);
        if (c.p && c.len > 1 && c.p[c.len - 1] == '.')
            c.len--;
        if (c.p && ik_dns_name_check(c) == IK_OK)
            ans->canonical = ik_arena_strlower(a, c);
        if (ans->canonical.p == NULL)
            return IK_ENOMEM;
    }
    if (res->bogus) {
        set_fail(ans, IK_DNS_PERMFAIL, "DNSSEC validation failed");
        if (res->why_bogus) {
            char *w = ik_arena_printf(a, "DNSSEC validation failed: %.*s",
                                      (int)strnlen(res->why_bogus, 512), res->why_bogus);
            if (w == NULL)
                return IK_ENOMEM;
            ans->why = ik_str_c(w);
        }
        return IK_OK;
    }
    switch (res->rcode) {
    case 0: /* NOERROR */ break;
    case 3: /* NXDOMAIN */
        ans->status = IK_DNS_NXDOMAIN;
        ans->ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
        return IK_OK;
    case 2: set_fail(ans, IK_DNS_TEMPFAIL, "SERVFAIL"); return IK_OK;
    case 1: set_fail(ans, IK_DNS_PERMFAIL, "FORMERR"); return IK_OK;
    case 4: set_fail(ans, IK_DNS_PERMFAIL, "NOTIMP"); return IK_OK;
    case 5: set_fail(ans, IK_DNS_PERMFAIL, "REFUSED"); return IK_OK;
    default: set_fail(ans, IK_DNS_TEMPFAIL, "unexpected DNS RCODE"); return IK_OK;
    }
    uint32_t ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
    if (res->nxdomain) {
        ans->status = IK_DNS_NXDOMAIN;
        ans->ttl = ttl;
        return IK_OK;
    }
    if (!res->havedata || res->data == NULL || res->len == NULL) {
        ans->status = IK_DNS_NODATA;
        ans->ttl = ttl;
        return IK_OK;
    }
    size_t dropped = 0;
    for (size_t i = 0; i < IK_UNBOUND_MAX_RRS && res->data[i] != NULL; i++) {
        int len = res->len[i];
        if (len < 0 || len > 65535) {
            dropped++;
            continue;
        }
        ik_status st = ik_dns_answer_add_rdata(a, ans, q->type, ttl, (const uint8_t *)res->data[i],
                                               (size_t)len);
        if (st == IK_ENOMEM)
            return st;
        if (st != IK_OK)
            dropped++;
    }
    if (ans->nrr == 0)
        set_fail(ans, IK_DNS_TEMPFAIL, dropped ? "malformed answer" : "empty answer");
    return IK_OK;
}

/* ---- query bookkeeping ---------------------------------------------------- */

static void inflight_remove(ubres *r, ubq *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        r->inflight = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->next = p->prev = NULL;
}

/* Marks p finished; queries with a done callback wait in the finished list. */
static void finish(ubres *r, ubq *p)
{
    inflight_remove(r, p);
    p->finished = 1;
    if (p->done == NULL)
        return; /* resolve() collects its own */
    if (r->fin_tail)
        r->fin_tail->next = p;
    else
        r->fin_head = p;
    r->fin_tail = p;
}

static void ub_callback(void *mydata, int err, struct ub_result *result)
{
    ubq *p = mydata;
    p->err = fill_answer(p->a, p->q, err, result, &p->ans);
    if (result)
        ub_resolve_free(result);
    finish(p->r, p);
}

/* Cancels and answers every query whose deadline has passed. */
static void expire(ubres *r)
{
    uint64_t now = now_ms();
    ubq *p = r->inflight;
    while (p) {
        ubq *next = p->next;
        if (p->deadline <= now) {
            ub_cancel(r->ctx, p->async_id);
            p->ans = ik_dns_answer_new(p->a, IK_DNS_TEMPFAIL);
            if (p->ans) {
                p->ans->canonical = p->q->name;
                set_fail(p->ans, IK_DNS_TEMPFAIL, "timeout");
            } else {
                p->err = IK_ENOMEM;
            }
            finish(r, p);
        }
        p = next;
    }
}

/*
 * Writes name (dotted, raw octets, no trailing dot) in presentation format
 * into out (4 * IK_DNS_NAME_MAX + 2 bytes): letters, digits, '-', '_' and
 * '*' as they are, every other octet of a label as \DDD.  libunbound
 * parses its name argument as text, so a '\\' or a NUL (an SPF macro
 * expands a local part into a name) must not reach it bare: it would name
 * another domain.
 */
static void presentation(ik_str name, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < name.len; i++) {
        unsigned char c = (unsigned char)name.p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_' || c == '*' || c == '.') {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = (char)('0' + c / 100);
            out[o++] = (char)('0' + c / 10 % 10);
            out[o++] = (char)('0' + c % 10);
        }
    }
    out[o] = '\0';
}

static ubq *start(ubres *r, ik_arena *a, ik_dns_query *q, ik_dns_done_fn done, void *arg,
                  ik_status *st)
{
    *st = IK_OK;
    ubq *p = ik_alloc(ub_al(r), sizeof(*p));
    if (p == NULL) {
        *st = IK_ENOMEM;
        return NULL;
    }
    memset(p, 0, sizeof(*p));
    p->r = r;
    p->a = a;
    p->q = q;
    p->done = done;
    p->arg = arg;
    p->deadline = now_ms() + r->timeout_ms;
    /* the query name is a view of raw octets; libunbound wants
     * presentation format */
    char name[4 * IK_DNS_NAME_MAX + 2];
    int ub_err = 0;
    if (ik_dns_name_check(q->name) != IK_OK) {
        p->ans = ik_dns_answer_new(a, IK_DNS_INVALID);
        if (p->ans) {
            p->ans->canonical = q->name;
            p->ans->why = IK_STR_LIT("invalid query name");
        }
    } else {
        presentation(q->name, name);
        p->next = r->inflight;
        if (r->inflight)
            r->inflight->prev = p;
        r->inflight = p;
        ub_err = ub_resolve_async(r->ctx, name, q->type, 1 /* IN */, p, ub_callback, &p->async_id);
        if (ub_err == 0)
            return p;
        inflight_remove(r, p);
        p->ans = ik_dns_answer_new(a, IK_DNS_TEMPFAIL);
        if (p->ans) {
            p->ans->canonical = q->name;
            set_fail(p->ans, IK_DNS_TEMPFAIL, ub_strerror(ub_err));
        }
    }
    /* answered at once (bad name, or libunbound refused to start it) */
    if (p->ans == NULL)
        p->err = IK_ENOMEM;
    p->finished = 1;
    if (done) {
        if (r->fin_tail)
            r->fin_tail->next = p;
        else
            r->fin_head = p;
        r->fin_tail = p;
    }
    return p;
}

/* Runs the done callbacks of the queries finished when called. */
static ik_status deliver(ubres *r, int *count)
{
    ubq *p = r->fin_head, *last = r->fin_tail;
    ik_status first = IK_OK;
    r->fin_head = r->fin_tail = NULL;
    while (p) {
        ubq *next = p == last ? NULL : p->next;
        ik_dns_query *q = p->q;
        ik_dns_done_fn done = p->done;
        void *arg = p->arg;
        if (p->err != IK_OK && first == IK_OK)
            first = p->err;
        q->answer = p->ans;
        ik_free(ub_al(r), p);
        if (count)
            (*count)++;
        done(arg, q);
        p = next;
    }
    return first;
}

/* Waits for libunbound's descriptor up to the nearest deadline, then runs it. */
static ik_status pump(ubres *r)
{
    uint64_t now = now_ms(), soonest = UINT64_MAX;
    for (ubq *p = r->inflight; p; p = p->next)
        if (p->deadline < soonest)
            soonest = p->deadline;
    int ms = 0;
    if (soonest > now)
        ms = soonest - now > 60000 ? 60000 : (int)(soonest - now);
    struct pollfd pfd = { ub_fd(r->ctx), POLLIN, 0 };
    if (pfd.fd < 0)
        return IK_EIO;
    int n = poll(&pfd, 1, ms);
    if (n < 0 && errno != EINTR)
        return IK_EIO;
    if (n > 0 && ub_process(r->ctx) != 0)
        return IK_EIO;
    expire(r);
    return IK_OK;
}

/* ---- resolver methods --------------------------------------------------------- */

static ik_status ubr_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    ubres *r = self;
    ik_status st;
    if (a == NULL || q == NULL)
        return IK_EINVAL;
    ubq *p = start(r, a, q, NULL, NULL, &st);
    if (p == NULL)
        return st;
    while (!p->finished) {
        if ((st = pump(r)) != IK_OK) {
            /* the descriptor failed: give up on this query, not the process */
            ub_cancel(r->ctx, p->async_id);
            inflight_remove(r, p);
            p->ans = ik_dns_answer_new(a, IK_DNS_TEMPFAIL);
            if (p->ans) {
                p->ans->canonical = q->name;
                set_fail(p->ans, IK_DNS_TEMPFAIL, "resolver failure");
            }
            p->err = p->ans ? IK_OK : IK_ENOMEM;
            p->finished = 1;
        }
    }
    st = p->err;
    q->answer = p->ans;
    ik_free(ub_al(r), p);
    return st;
}

static ik_status ubr_submit(void *self, ik_arena *a, ik_dns_query *q, ik_dns_done_fn done,
                            void *arg)
{
    ubres *r = self;
    ik_status st;
    if (a == NULL || q == NULL || done == NULL)
        return IK_EINVAL;
    return start(r, a, q, done, arg, &st) ? IK_OK : st;
}

static int ubr_fd(void *self)
{
    ubres *r = self;
    return ub_fd(r->ctx);
}

static ik_status ubr_process(void *self)
{
    ubres *r = self;
    ik_status st = IK_OK;
    /* ub_process only reads what is ready; it does not block */
    if (r->inflight && ub_process(r->ctx) != 0)
        st = IK_EIO;
    expire(r);
    ik_status dst = deliver(r, NULL);
    return st != IK_OK ? st : dst;
}

static ik_status ubr_wait(void *self)
{
    ubres *r = self;
    for (;;) {
        if (r->fin_head) {
            int n = 0;
            return deliver(r, &n);
        }
        if (r->inflight == NULL)
            return IK_ESTATE; /* nothing outstanding: waiting would never end */
        ik_status st = pump(r);
        if (st != IK_OK)
            return st;
    }
}

static void ubr_destroy(void *self)
{
    ubres *r = self;
    if (r == NULL)
        return;
    ik_allocator copy = r->al;
    const ik_allocator *al = r->has_al ? &copy : NULL;
    while (r->inflight) {
        ubq *p = r->inflight;
        ub_cancel(r->ctx, p->async_id);
        inflight_remove(r, p);
        ik_free(al, p);
    }
    ubq *p = r->fin_head;
    while (p) {
        ubq *n = p == r->fin_tail ? NULL : p->next;
        ik_free(al, p);
        p = n;
    }
    ub_ctx_delete(r->ctx);
    ik_free(al, r);
}

static const ik_resolver_ops unbound_ops = {
    .name = "unbound",
    .resolve = ubr_resolve,
    .submit = ubr_submit,
    .fd = ubr_fd,
    .process = ubr_process,
    .wait = ubr_wait,
    .destroy = ubr_destroy,
};

/* ---- construction ----------------------------------------------------------- */

static ik_status fail(char *err, size_t errlen, ik_status st, const char *fmt, const char *a1,
                      const char *a2)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, a1, a2);
    return st;
}

/* "IP" or "IP@PORT"; the port is checked here, libunbound parses the rest. */
static int forwarder_ok(const char *fwd)
{
    size_t len = strlen(fwd);
    const char *at = memchr(fwd, '@', len);
    ik_ip ip;
    if (ik_ip_parse(ik_str_make(fwd, at ? (size_t)(at - fwd) : len), &ip) != IK_OK)
        return 0;
    if (at) {
        uint64_t port;
        if (ik_str_to_u64(ik_str_c(at + 1), 65535, &port) != IK_OK || port == 0)
            return 0;
    }
    return 1;
}

static ik_status configure(struct ub_ctx *ctx, const ik_unbound_options *o, char *err,
                           size_t errlen)
{
    int rc;
    /* threads, not libunbound's default of forking a resolver process */
    if ((rc = ub_ctx_async(ctx, 1)) != 0)
        return fail(err, errlen, IK_EIO, "libunbound: async mode: %s", ub_strerror(rc), NULL);
    /* forwarders on loopback (a local cache, a test server) must be allowed */
    if ((rc = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no")) != 0)
        return fail(err, errlen, IK_EIO, "libunbound: do-not-query-localhost: %s", ub_strerror(rc),
                    NULL);
    if (o->no_ipv6 && (rc = ub_ctx_set_option(ctx, "do-ip6:", "no")) != 0)
        return fail(err, errlen, IK_EIO, "libunbound: do-ip6: %s", ub_strerror(rc), NULL);
    if (o->forwarder) {
        if ((rc = ub_ctx_set_fwd(ctx, o->forwarder)) != 0)
            return fail(err, errlen, IK_EIO, "libunbound: forwarder %s: %s", o->forwarder,
                        ub_strerror(rc));
    } else if (!o->recursive) {
        const char *rc_path = o->resolv_conf ? o->resolv_conf : "/etc/resolv.conf";
        if ((rc = ub_ctx_resolvconf(ctx, rc_path)) != 0)
            return fail(err, errlen, IK_EIO, "libunbound: cannot use %s: %s", rc_path,
                        rc == UB_READFILE ? strerror(errno) : ub_strerror(rc));
    }
    /* A stub for the root zone: iteration starts there, not at the
     * built-in root hints.  Not "prime": priming would replace the given
     * address (and its port) with those of the zone's NS records. */
    if (o->recursive && o->root_server && (rc = ub_ctx_set_stub(ctx, ".", o->root_server, 0)) != 0)
        return fail(err, errlen, IK_EIO, "libunbound: root server %s: %s", o->root_server,
                    ub_strerror(rc));
    const char *ta = o->trust_anchor_file;
    if (ta == NULL && o->recursive)
        ta = IK_UNBOUND_ROOT_KEY;
    if (ta && ta[0] && (rc = ub_ctx_add_ta_file(ctx, ta)) != 0)
        return fail(err, errlen, IK_EIO, "libunbound: trust anchor %s: %s", ta, ub_strerror(rc));
    return IK_OK;
}

ik_status ik_resolver_unbound_new(const ik_allocator *al, const ik_unbound_options *opt,
                                  ik_resolver *out, char *err, size_t errlen)
{
    ik_unbound_options defaults;
    if (err && errlen)
        err[0] = '\0';
    out->ops = NULL;
    out->self = NULL;
    if (opt == NULL) {
        ik_unbound_options_init(&defaults);
        opt = &defaults;
    }
    if (opt->forwarder && opt->recursive)
        return fail(err, errlen, IK_EINVAL, "recursive and forwarder exclude each other", NULL,
                    NULL);
    if (opt->forwarder && !forwarder_ok(opt->forwarder))
        return fail(err, errlen, IK_EINVAL, "bad forwarder '%s' (want IP or IP@PORT)",
                    opt->forwarder, NULL);
    if (opt->root_server && !opt->recursive)
        return fail(err, errlen, IK_EINVAL, "a root server needs recursive mode", NULL, NULL);
    if (opt->root_server && !forwarder_ok(opt->root_server))
        return fail(err, errlen, IK_EINVAL, "bad root server '%s' (want IP or IP@PORT)",
                    opt->root_server, NULL);
    ubres *r = ik_alloc(al, sizeof(*r));
    if (r == NULL)
        return IK_ENOMEM;
    memset(r, 0, sizeof(*r));
    if (al) {
        r->al = *al;
        r->has_al = 1;
    }
    r->timeout_ms = opt->timeout_ms ? opt->timeout_ms : IK_UNBOUND_DEFAULT_TIMEOUT_MS;
    r->ctx = ub_ctx_create();
    if (r->ctx == NULL) {
        ik_free(al, r);
        return fail(err, errlen, IK_ENOMEM, "libunbound: cannot create a context", NULL, NULL);
    }
    ik_status st = configure(r->ctx, opt, err, errlen);
    if (st != IK_OK) {
        ub_ctx_delete(r->ctx);
        ik_free(al, r);
        return st;
    }
    out->ops = &unbound_ops;
    out->self = r;
    return IK_OK;
}
