/*
 * spf_bench.c - SPF evaluations per second: libinkan against libspf2, with
 * python3-spf's figure (measured by spf_pyspf_bench.py) in the same table.
 *
 *   spf_bench DIR [--seconds S] [--only inkan|inkan-cache|libspf2|flat] [--no-flat]
 *
 * DIR holds the output of spf_gen.py (spf_bench.zone, spf_bench.rr,
 * spf_bench.queries) and, when run.sh measured it, pyspf.results and
 * pyspf.rate.  Every implementation answers the same query list from the
 * same records, in process, on one core, with no network:
 *
 *   libinkan  ik_spf_check() over the static zone resolver (zone.h) loaded
 *             from spf_bench.zone; one arena, reset between evaluations.
 *             No parsed-record cache: the like-for-like row.
 *   libinkan + record cache
 *             the same with one ik_spf_cache (spf.h) shared by every
 *             evaluation, as a daemon would run: records are parsed once.
 *   libspf2   SPF_request_query_mailfrom() over libspf2's own zone layer
 *             (SPF_dns_zone_new / SPF_dns_zone_add_str) holding the records
 *             of spf_bench.rr.  Its zone layer is a linear list (a "proof of
 *             concept", says its source), so one zone per owner name sits
 *             behind a hash index here; every lookup still goes through
 *             libspf2's zone code.  No layer has a layer below, so a name
 *             the zone lacks is NXDOMAIN and nothing reaches a resolver.
 *   flat      the same libspf2 with all records in one zone layer, for
 *             reference: a short run that shows the cost of the linear list.
 *
 * Each implementation makes one warm-up pass over the queries (its results
 * are the ones compared); then libinkan, libinkan + cache and libspf2 take
 * turns, one timed pass each, until each has had S seconds of CPU time (at
 * least three passes).  Passes are timed in the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID) and the fastest pass of each gives its rate, so
 * load from other processes does not skew the ratios.
 * Prints the table and how often the implementations agree.
 *
 * Benchmarks are not tests: nothing here runs under ctest.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include "inkan/arena.h"
#include "inkan/spf.h"
#include "inkan/zone.h"

#define BENCH_NOW 1700000000 /* fixed %{t}, so every run does the same work */
#define BENCH_RECEIVER "mx.receiver.test"

/* ---- results, named as RFC 7208 2.6 names them ------------------------ */

enum {
    RES_NONE,
    RES_NEUTRAL,
    RES_PASS,
    RES_FAIL,
    RES_SOFTFAIL,
    RES_TEMPERROR,
    RES_PERMERROR,
    RES_OTHER,
    RES_COUNT
};
static const char *const res_name[RES_COUNT] = { "none",     "neutral",   "pass",      "fail",
                                                 "softfail", "temperror", "permerror", "invalid" };

static int res_from_name(const char *s)
{
    for (int i = 0; i < RES_OTHER; i++)
        if (strcmp(s, res_name[i]) == 0)
            return i;
    return RES_OTHER;
}

/* ---- the query list ----------------------------------------------------- */

typedef struct bench_query {
    char *ip_text, *sender, *helo;
    int v6;
    struct in_addr a4;
    struct in6_addr a6;
} bench_query;

typedef struct bench_set {
    bench_query *q;
    size_t n;
} bench_set;

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (p == NULL) {
        fprintf(stderr, "spf_bench: out of memory\n");
        exit(1);
    }
    return p;
}

static FILE *open_in(const char *dir, const char *name, int must)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL && must) {
        perror(path);
        exit(2);
    }
    return f;
}

/* Splits a line at tabs in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        f[n++] = line;
        char *t = strchr(line, '\t');
        if (t == NULL)
            break;
        *t = '\0';
        line = t + 1;
    }
    return n;
}

static void load_queries(const char *dir, bench_set *s)
{
    FILE *f = open_in(dir, "spf_bench.queries", 1);
    char line[2048];
    size_t cap = 0;
    while (fgets(line, sizeof(line), f)) {
        char *fld[3];
        if (split_tabs(line, fld, 3) != 3)
            continue;
        if (s->n == cap) {
            cap = cap ? cap * 2 : 1024;
            s->q = realloc(s->q, cap * sizeof(*s->q));
            if (s->q == NULL) {
                fprintf(stderr, "spf_bench: out of memory\n");
                exit(1);
            }
        }
        bench_query *q = &s->q[s->n];
        memset(q, 0, sizeof(*q));
        q->ip_text = xstrdup(fld[0]);
        q->sender = xstrdup(fld[1]);
        q->helo = xstrdup(fld[2]);
        if (inet_pton(AF_INET, q->ip_text, &q->a4) == 1) {
            q->v6 = 0;
        } else if (inet_pton(AF_INET6, q->ip_text, &q->a6) == 1) {
            q->v6 = 1;
        } else {
            fprintf(stderr, "spf_bench: bad address '%s'\n", q->ip_text);
            exit(2);
        }
        s->n++;
    }
    fclose(f);
}

/* ---- timing ------------------------------------------------------------ */

typedef int (*eval_fn)(void *ctx, size_t i);

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The calling thread's CPU time: what the scheduler gives to other
 * processes on a shared machine does not count. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One implementation under measurement. */
typedef struct runner {
    eval_fn fn;
    void *ctx;
    size_t n;           /* passes cover the first n queries */
    unsigned char *res; /* warm-up results, or NULL */
    double best;        /* fastest pass, CPU seconds */
    double spent;       /* CPU seconds of all timed passes */
    double rate;        /* out: evaluations/s */
} runner;

/*
 * Measures several implementations as bench/dkim does: one warm-up pass
 * each (results into res[]), then rounds in which each makes one timed pass
 * in turn, until each has had min_s seconds of CPU time (at least three
 * rounds).  Passes are timed in the thread's CPU time and the fastest pass
 * of each counts; taking turns gives every implementation the same machine.
 */
static void measure(runner *rs, size_t nr, double min_s)
{
    for (size_t k = 0; k < nr; k++) {
        for (size_t i = 0; i < rs[k].n; i++) {
            int r = rs[k].fn(rs[k].ctx, i);
            if (rs[k].res)
                rs[k].res[i] = (unsigned char)r;
        }
        rs[k].best = 1e9;
        rs[k].spent = 0;
    }
    double spent = 0, t_start = now_s();
    for (int round = 0; round < 3 || spent < min_s; round++) {
        double least = 1e9;
        for (size_t k = 0; k < nr; k++) {
            double t0 = cpu_s();
            for (size_t i = 0; i < rs[k].n; i++)
                (void)rs[k].fn(rs[k].ctx, i);
            double el = cpu_s() - t0;
            if (el < rs[k].best)
                rs[k].best = el;
            rs[k].spent += el;
            if (rs[k].spent < least)
                least = rs[k].spent;
        }
        spent = least;
        /* A stalled clock must not keep the loop going forever. */
        if (round >= 3 && now_s() - t_start > 20 * min_s * (double)nr + 60)
            break;
    }
    for (size_t k = 0; k < nr; k++)
        rs[k].rate = rs[k].best > 0 ? (double)rs[k].n / rs[k].best : 0;
}

/* ---- libinkan ---------------------------------------------------------- */

typedef struct inkan_ctx {
    ik_zone *zone;
    ik_resolver res;
    ik_arena *arena;
    ik_spf_params *params;
    ik_spf_cache *cache; /* NULL: no parsed-record cache */
} inkan_ctx;

/* cached != 0: every evaluation shares one ik_spf_cache (spf.h). */
static void inkan_open(inkan_ctx *c, const char *dir, const bench_set *s, int cached)
{
    char path[4096], err[512];
    snprintf(path, sizeof(path), "%s/spf_bench.zone", dir);
    c->zone = ik_zone_new(NULL);
    if (c->zone == NULL || ik_zone_load_file(c->zone, path, err, sizeof(err)) != IK_OK) {
        fprintf(stderr, "spf_bench: libinkan zone: %s\n", c->zone ? err : "out of memory");
        exit(2);
    }
    if (ik_zone_resolver(c->zone, &c->res) != IK_OK || (c->arena = ik_arena_new(NULL)) == NULL) {
        fprintf(stderr, "spf_bench: out of memory\n");
        exit(1);
    }
    c->cache = NULL;
    if (cached && (c->cache = ik_spf_cache_new(NULL, 0)) == NULL) {
        fprintf(stderr, "spf_bench: out of memory\n");
        exit(1);
    }
    c->params = calloc(s->n, sizeof(*c->params));
    if (c->params == NULL) {
        fprintf(stderr, "spf_bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < s->n; i++) {
        ik_spf_params *p = &c->params[i];
        if (ik_ip_parse(ik_str_c(s->q[i].ip_text), &p->ip) != IK_OK) {
            fprintf(stderr, "spf_bench: libinkan rejects '%s'\n", s->q[i].ip_text);
            exit(2);
        }
        p->sender = ik_str_c(s->q[i].sender);
        p->helo = ik_str_c(s->q[i].helo);
        p->scope = IK_SPF_SCOPE_MFROM;
        p->records = IK_SPF_RECORDS_SPF1;
        p->receiver = ik_str_c(BENCH_RECEIVER);
        p->now = BENCH_NOW;
        p->cache = c->cache;
    }
}

static void inkan_close(inkan_ctx *c)
{
    ik_arena_free(c->arena); /* releases the last cache references first */
    ik_spf_cache_free(c->cache);
    ik_resolver_close(&c->res);
    ik_zone_free(c->zone);
    free(c->params);
}

static int inkan_eval(void *ctx, size_t i)
{
    inkan_ctx *c = ctx;
    ik_spf_outcome o;
    ik_arena_reset(c->arena);
    if (ik_spf_check(c->arena, &c->params[i], &c->res, &o) != IK_OK)
        return RES_OTHER;
    switch (o.result) {
    case IK_SPF_NONE: return RES_NONE;
    case IK_SPF_NEUTRAL: return RES_NEUTRAL;
    case IK_SPF_PASS: return RES_PASS;
    case IK_SPF_FAIL: return RES_FAIL;
    case IK_SPF_SOFTFAIL: return RES_SOFTFAIL;
    case IK_SPF_TEMPERROR: return RES_TEMPERROR;
    case IK_SPF_PERMERROR: return RES_PERMERROR;
    }
    return RES_OTHER;
}

/* ---- libspf2: zone layers behind a hash index -------------------------- */

typedef struct name_slot {
    char *name;             /* lowercase, no trailing dot */
    SPF_dns_server_t *zone; /* libspf2 zone layer holding this name only */
} name_slot;

typedef struct name_index {
    name_slot *slot;
    size_t mask, used;
    SPF_dns_server_t *empty; /* a zone with nothing: answers NXDOMAIN */
} name_index;

static size_t name_hash(const char *s, size_t len)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h = (h ^ c) * 1099511628211u;
    }
    return h;
}

static name_slot *index_find(name_index *ix, const char *name, size_t len)
{
    size_t i = name_hash(name, len) & ix->mask;
    while (ix->slot[i].name != NULL) {
        if (strlen(ix->slot[i].name) == len && strncasecmp(ix->slot[i].name, name, len) == 0)
            return &ix->slot[i];
        i = (i + 1) & ix->mask;
    }
    return &ix->slot[i];
}

static SPF_dns_rr_t *index_lookup(SPF_dns_server_t *self, const char *domain, ns_type t,
                                  int should_cache)
{
    name_index *ix = self->hook;
    size_t len = strlen(domain);
    if (len && domain[len - 1] == '.')
        len--;
    name_slot *sl = index_find(ix, domain, len);
    return SPF_dns_lookup(sl->name ? sl->zone : ix->empty, domain, t, should_cache);
}

static void index_destroy(SPF_dns_server_t *self)
{
    name_index *ix = self->hook;
    for (size_t i = 0; i <= ix->mask; i++)
        if (ix->slot[i].name) {
            free(ix->slot[i].name);
            SPF_dns_free(ix->slot[i].zone);
        }
    SPF_dns_free(ix->empty);
    free(ix->slot);
    free(ix);
    free(self);
}

static ns_type rr_type(const char *t)
{
    if (strcmp(t, "A") == 0)
        return ns_t_a;
    if (strcmp(t, "AAAA") == 0)
        return ns_t_aaaa;
    if (strcmp(t, "MX") == 0)
        return ns_t_mx;
    if (strcmp(t, "TXT") == 0)
        return ns_t_txt;
    if (strcmp(t, "PTR") == 0)
        return ns_t_ptr;
    if (strcmp(t, "SPF") == 0)
        return ns_t_spf;
    return ns_t_invalid;
}

/* Adds one spf_bench.rr line to zone z; NODATA lines too. */
static void zone_add_line(SPF_dns_server_t *z, char **fld)
{
    ns_type t = rr_type(fld[1]);
    int nodata = strcmp(fld[2], "!nodata") == 0;
    SPF_errcode_t e = nodata ? SPF_dns_zone_add_str(z, fld[0], t, NO_DATA, NULL)
                             : SPF_dns_zone_add_str(z, fld[0], t, NETDB_SUCCESS, fld[2]);
    if (t == ns_t_invalid || e != SPF_E_SUCCESS) {
        fprintf(stderr, "spf_bench: libspf2 rejects %s %s %s\n", fld[0], fld[1], fld[2]);
        exit(2);
    }
}

/* indexed != 0: one zone per name behind the index; else one flat zone. */
static SPF_dns_server_t *libspf2_layer(const char *dir, int indexed)
{
    FILE *f = open_in(dir, "spf_bench.rr", 1);
    SPF_dns_server_t *top;
    name_index *ix = NULL;
    if (indexed) {
        top = calloc(1, sizeof(*top));
        ix = calloc(1, sizeof(*ix));
        if (top == NULL || ix == NULL)
            exit(1);
        ix->mask = (1u << 16) - 1;
        ix->slot = calloc(ix->mask + 1, sizeof(*ix->slot));
        ix->empty = SPF_dns_zone_new(NULL, "empty", 0);
        if (ix->slot == NULL || ix->empty == NULL)
            exit(1);
        top->destroy = index_destroy;
        top->lookup = index_lookup;
        top->layer_below = NULL;
        top->name = "index";
        top->hook = ix;
    } else {
        top = SPF_dns_zone_new(NULL, "flat", 0);
        if (top == NULL)
            exit(1);
    }
    char line[8192];
    while (fgets(line, sizeof(line), f)) {
        char *fld[3];
        if (split_tabs(line, fld, 3) != 3)
            continue;
        SPF_dns_server_t *z = top;
        if (indexed) {
            size_t len = strlen(fld[0]);
            name_slot *sl = index_find(ix, fld[0], len);
            if (sl->name == NULL) {
                if (++ix->used * 2 > ix->mask) {
                    fprintf(stderr, "spf_bench: too many names for the index\n");
                    exit(2);
                }
                sl->name = xstrdup(fld[0]);
                sl->zone = SPF_dns_zone_new(NULL, "name", 0);
                if (sl->zone == NULL)
                    exit(1);
            }
            z = sl->zone;
        }
        zone_add_line(z, fld);
    }
    fclose(f);
    return top;
}

typedef struct libspf2_ctx {
    SPF_server_t *server;
    const bench_set *set;
} libspf2_ctx;

static void libspf2_open(libspf2_ctx *c, const char *dir, const bench_set *s, int indexed)
{
    c->set = s;
    c->server = SPF_server_new_dns(libspf2_layer(dir, indexed), 0);
    if (c->server == NULL)
        exit(1);
    SPF_server_set_rec_dom(c->server, BENCH_RECEIVER);
}

static int libspf2_eval(void *ctx, size_t i)
{
    libspf2_ctx *c = ctx;
    const bench_query *q = &c->set->q[i];
    SPF_request_t *req = SPF_request_new(c->server);
    SPF_response_t *resp = NULL;
    int r = RES_OTHER;
    if (req == NULL)
        return r;
    if (q->v6)
        SPF_request_set_ipv6(req, q->a6);
    else
        SPF_request_set_ipv4(req, q->a4);
    SPF_request_set_helo_dom(req, q->helo);
    SPF_request_set_env_from(req, q->sender);
    SPF_request_query_mailfrom(req, &resp);
    if (resp) {
        switch (SPF_response_result(resp)) {
        case SPF_RESULT_NEUTRAL: r = RES_NEUTRAL; break;
        case SPF_RESULT_PASS: r = RES_PASS; break;
        case SPF_RESULT_FAIL: r = RES_FAIL; break;
        case SPF_RESULT_SOFTFAIL: r = RES_SOFTFAIL; break;
        case SPF_RESULT_NONE: r = RES_NONE; break;
        case SPF_RESULT_TEMPERROR: r = RES_TEMPERROR; break;
        case SPF_RESULT_PERMERROR: r = RES_PERMERROR; break;
        default: r = RES_OTHER; break;
        }
        SPF_response_free(resp);
    }
    SPF_request_free(req);
    return r;
}

/* ---- python3-spf, measured by spf_pyspf_bench.py ----------------------- */

static double load_pyspf(const char *dir, const bench_set *s, unsigned char *res)
{
    FILE *f = open_in(dir, "pyspf.rate", 0);
    double rate = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%lf", &rate) != 1)
        rate = 0;
    fclose(f);
    f = open_in(dir, "pyspf.results", 0);
    if (f == NULL)
        return 0;
    char line[64];
    size_t i = 0;
    while (i < s->n && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        res[i++] = (unsigned char)res_from_name(line);
    }
    fclose(f);
    return i == s->n ? rate : 0;
}

/* ---- report ----------------------------------------------------------- */

typedef struct column {
    const char *name;
    double rate;
    unsigned char *res; /* NULL when results are not compared */
} column;

static void agreement(const bench_set *s, column *cols, int ncols)
{
    int idx[8], m = 0;
    for (int c = 0; c < ncols; c++)
        if (cols[c].rate > 0 && cols[c].res)
            idx[m++] = c;
    if (m < 2)
        return;
    size_t all = 0;
    for (size_t i = 0; i < s->n; i++) {
        int same = 1;
        for (int k = 1; k < m; k++)
            same &= cols[idx[k]].res[i] == cols[idx[0]].res[i];
        all += (size_t)same;
    }
    printf("\nagreement on results, same %zu queries:\n", s->n);
    printf("  all %d implementations: %zu/%zu (%.1f%%)\n", m, all, s->n,
           100.0 * (double)all / (double)s->n);
    for (int a = 0; a < m; a++)
        for (int b = a + 1; b < m; b++) {
            size_t same = 0;
            for (size_t i = 0; i < s->n; i++)
                same += cols[idx[a]].res[i] == cols[idx[b]].res[i];
            printf("  %s vs %s: %.1f%%\n", cols[idx[a]].name, cols[idx[b]].name,
                   100.0 * (double)same / (double)s->n);
        }
    /* The commonest disagreements, as result tuples. */
    enum { MAXK = 64 };
    unsigned key[MAXK], cnt[MAXK];
    size_t first[MAXK];
    int nk = 0;
    for (size_t i = 0; i < s->n; i++) {
        unsigned k = 0;
        int same = 1;
        for (int j = 0; j < m; j++) {
            k = k * RES_COUNT + cols[idx[j]].res[i];
            same &= cols[idx[j]].res[i] == cols[idx[0]].res[i];
        }
        if (same)
            continue;
        int j = 0;
        while (j < nk && key[j] != k)
            j++;
        if (j == nk) {
            if (nk == MAXK)
                continue;
            key[nk] = k, cnt[nk] = 0, first[nk] = i, nk++;
        }
        cnt[j]++;
    }
    for (int round = 0; round < 8 && nk > 0; round++) {
        int best = 0;
        for (int j = 1; j < nk; j++)
            if (cnt[j] > cnt[best])
                best = j;
        if (cnt[best] == 0)
            break;
        printf("  %5u x", cnt[best]);
        for (int j = 0; j < m; j++)
            printf(" %s=%s", cols[idx[j]].name, res_name[cols[idx[j]].res[first[best]]]);
        const bench_query *q = &s->q[first[best]];
        printf("  (e.g. %s %s)\n", q->ip_text, q->sender);
        cnt[best] = 0;
    }
    printf("  why they differ: libspf2 \"invalid\" is SPF_RESULT_INVALID, which libspf2\n"
           "  leaves when a record does not compile (RFC 7208: permerror) or when TXT\n"
           "  records exist but none is SPF (none); libspf2 has no void-lookup limit and\n"
           "  lets an 11th DNS term through; pyspf counts every empty A/AAAA lookup of an\n"
           "  a/mx host as a void lookup (see tests/differential/spf_pyspf_known.txt).\n");
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *only = NULL;
    double seconds = 3.0;
    int flat = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--no-flat") == 0)
            flat = 0;
        else if (argv[i][0] != '-' && dir == NULL)
            dir = argv[i];
        else {
            fprintf(stderr, "usage: spf_bench DIR [--seconds S]"
                            " [--only inkan|inkan-cache|libspf2|flat] [--no-flat]\n");
            return 2;
        }
    }
    if (dir == NULL) {
        fprintf(stderr, "usage: spf_bench DIR [--seconds S]"
                        " [--only inkan|inkan-cache|libspf2|flat]\n");
        return 2;
    }
    bench_set s = { 0 };
    load_queries(dir, &s);
    if (s.n == 0) {
        fprintf(stderr, "spf_bench: no queries in %s\n", dir);
        return 2;
    }
    char spf2name[64];
    snprintf(spf2name, sizeof(spf2name), "libspf2 %d.%d.%d", SPF_LIB_VERSION_MAJOR,
             SPF_LIB_VERSION_MINOR, SPF_LIB_VERSION_PATCH);
    column cols[5] = {
        { "libinkan", 0, calloc(s.n, 1) },       { "libspf2", 0, calloc(s.n, 1) },
        { "python3-spf", 0, calloc(s.n, 1) },    { "libspf2-flat", 0, NULL },
        { "libinkan-cache", 0, calloc(s.n, 1) },
    };
    printf("bench/spf: %zu queries, one core, static in-memory DNS (%s)\n", s.n, dir);
    fflush(stdout);

    /* The three main rows take turns, pass by pass. */
    runner rs[3];
    size_t nr = 0;
    int run_in = only == NULL || strcmp(only, "inkan") == 0;
    int run_inc = only == NULL || strcmp(only, "inkan-cache") == 0;
    int run_spf2 = only == NULL || strcmp(only, "libspf2") == 0;
    inkan_ctx ic, icc;
    libspf2_ctx lc;
    if (run_in) {
        inkan_open(&ic, dir, &s, 0);
        rs[nr++] = (runner){ inkan_eval, &ic, s.n, cols[0].res, 0, 0, 0 };
    }
    if (run_inc) {
        /* The warm-up pass fills the cache; the timed passes then parse
         * nothing (the zone's TTLs outlast the run). */
        inkan_open(&icc, dir, &s, 1);
        rs[nr++] = (runner){ inkan_eval, &icc, s.n, cols[4].res, 0, 0, 0 };
    }
    if (run_spf2) {
        libspf2_open(&lc, dir, &s, 1);
        rs[nr++] = (runner){ libspf2_eval, &lc, s.n, cols[1].res, 0, 0, 0 };
    }
    if (nr > 0)
        measure(rs, nr, seconds);
    nr = 0;
    if (run_in) {
        cols[0].rate = rs[nr++].rate;
        inkan_close(&ic);
    }
    if (run_inc) {
        cols[4].rate = rs[nr++].rate;
        inkan_close(&icc);
    }
    if (run_spf2) {
        cols[1].rate = rs[nr++].rate;
        SPF_server_free(lc.server);
    }
    if ((only == NULL && flat) || (only && strcmp(only, "flat") == 0)) {
        /* Loading is quadratic and each lookup scans every record: a short
         * run over the first queries is enough to show the cost. */
        libspf2_ctx c;
        libspf2_open(&c, dir, &s, 0);
        runner f = { libspf2_eval, &c, s.n < 300 ? s.n : 300, NULL, 0, 0, 0 };
        measure(&f, 1, seconds / 3);
        cols[3].rate = f.rate;
        SPF_server_free(c.server);
    }
    cols[2].rate = load_pyspf(dir, &s, cols[2].res);

    double base = cols[1].rate;
    printf("\n%-44s %14s %20s\n", "implementation", "evaluations/s", "relative to libspf2");
    const char *label[5] = { "libinkan (ik_spf_check, static zone)", NULL,
                             "python3-spf (pyspf, dict DNS)",
                             "libspf2, one flat zone (first 300 queries)",
                             "libinkan + record cache (ik_spf_cache)" };
    char l1[128];
    snprintf(l1, sizeof(l1), "%s (zone layer per name, indexed)", spf2name);
    label[1] = l1;
    int order[5] = { 0, 4, 1, 3, 2 };
    for (int k = 0; k < 5; k++) {
        column *c = &cols[order[k]];
        if (c->rate <= 0)
            continue;
        if (base > 0)
            printf("%-44s %14.0f %19.2fx\n", label[order[k]], c->rate, c->rate / base);
        else
            printf("%-44s %14.0f %20s\n", label[order[k]], c->rate, "-");
    }
    agreement(&s, cols, 3);
    if (cols[0].rate > 0 && cols[4].rate > 0) {
        size_t same = 0;
        for (size_t i = 0; i < s.n; i++)
            same += cols[0].res[i] == cols[4].res[i];
        printf("  libinkan with and without the record cache: %zu/%zu identical\n", same, s.n);
    }
    if (cols[0].rate > 0 && base > 0) {
        double r1 = cols[0].rate / base;
        printf("\ntargets: libinkan/libspf2 = %.2f (target >= 2: %s)", r1,
               r1 >= 2 ? "met" : "NOT met");
        if (cols[2].rate > 0) {
            double r2 = cols[0].rate / cols[2].rate;
            printf(", libinkan/python3-spf = %.1f (target >= 20: %s)", r2,
                   r2 >= 20 ? "met" : "NOT met");
        }
        printf("\n");
    }
    for (int k = 0; k < 5; k++)
        free(cols[k].res);
    for (size_t i = 0; i < s.n; i++) {
        free(s.q[i].ip_text);
        free(s.q[i].sender);
        free(s.q[i].helo);
    }
    free(s.q);
    return 0;
}
