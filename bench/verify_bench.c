/*
 * verify_bench.c - bench/verify: whole-pipeline messages per second (SPF of
 * MAIL FROM, DKIM, DMARC; ARC where the pipeline runs it) on the bench/dkim
 * corpus, with the peers' rates (mailauth, rspamd) read from files their
 * drivers wrote in the same run.
 *
 *   verify_bench prep DIR
 *       DIR holds the bench/dkim corpus (dkim_gen).  Writes the envelope of
 *       each message of the rsa corpus (verify.env: "offset length ip helo
 *       mailfrom" lines), and the SPF and DMARC records of every signing
 *       domain as a zone (verify.zone, which $INCLUDEs dkim_bench.zone) and
 *       as flat records for the peers (verify.rr: "name TYPE text" lines,
 *       the DKIM keys included).
 *   verify_bench run DIR [--seconds S] [--threads N] [--only]
 *                        [--no-dmarc-cache]
 *       Measures the pipeline on every message of verify.env, one warm-up
 *       pass, then passes for S seconds (default 3) of wall time, with N
 *       threads (default 1) sharing the caches (DKIM keys, SPF records and,
 *       unless --no-dmarc-cache, DMARC policies; the row label names the
 *       record caches); prints the table with the peer rows found in
 *       DIR/peer.*.rate ("rate_msgs rate_mb label" and optional further
 *       lines "checks ...").  --only prints our row alone.
 *   verify_bench verify --zone FILE [--ip IP --helo NAME --mail-from ADDR]
 *       [--authserv-id ID] --json FILE...
 *       One JSON object per message, in the shape of `inkan verify --json`
 *       (dmarc.result/disposition, arc.result, dkim[], spf): the
 *       differential test can use it where inkan has no verify command.
 *
 * Envelope and records: client 192.0.2.(1 + i % 200), HELO mail.DOMAIN,
 * MAIL FROM bounce@DOMAIN where DOMAIN is the message's signing (and From)
 * domain; DOMAIN publishes "v=spf1 ip4:198.51.100.0/24 include:_spf.
 * relay.example -all", and _spf.relay.example covers 192.0.2.0/24, so every
 * SPF check takes two TXT lookups and passes; _dmarc.DOMAIN publishes
 * p=reject with rua=, so DMARC passes through both identifiers after the
 * two-name Tree Walk of RFC 9989 4.10 (_dmarc.DOMAIN, _dmarc.example).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>

#include "dkim_bench.h"
#include "inkan/zone.h"
#include "verify_pipe.h"

/* ---- envelopes ---------------------------------------------------------- */

typedef struct vb_msg {
    const char *p;
    size_t len;
    ik_ip ip;
    char helo[256];
    char mailfrom[300];
} vb_msg;

static const char *key_domain(const char *key)
{
    const char *d = strstr(key, "._domainkey.");
    return d ? d + strlen("._domainkey.") : key;
}

static FILE *open_w(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    return f;
}

static int cmd_prep(const char *dir)
{
    db_corpus c;
    db_corpus_load(&c, dir, "rsa");
    FILE *env = open_w(dir, "verify.env");
    FILE *zone = open_w(dir, "verify.zone");
    FILE *rr = open_w(dir, "verify.rr");
    fprintf(zone, "; bench/verify: SPF and DMARC records (verify_bench prep)\n"
                  "$INCLUDE dkim_bench.zone\n$TTL 86400\n");
    const char *relay = "v=spf1 ip4:192.0.2.0/24 -all";
    fprintf(zone, "_spf.relay.example. IN TXT \"%s\"\n", relay);
    fprintf(rr, "_spf.relay.example TXT %s\n", relay);
    char done[128][128];
    size_t ndone = 0;
    for (size_t i = 0; i < c.n; i++) {
        const char *dom = key_domain(c.m[i].key);
        fprintf(env, "%zu %zu 192.0.2.%zu mail.%s bounce@%s\n", (size_t)(c.m[i].p - c.data),
                c.m[i].len, 1 + i % 200, dom, dom);
        size_t k;
        for (k = 0; k < ndone && strcmp(done[k], dom) != 0; k++)
            ;
        if (k < ndone || ndone == 128)
            continue;
        snprintf(done[ndone++], sizeof(done[0]), "%s", dom);
        char spf[256], dmarc[256];
        snprintf(spf, sizeof(spf), "v=spf1 ip4:198.51.100.0/24 include:_spf.relay.example -all");
        snprintf(dmarc, sizeof(dmarc), "v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc@%s",
                 dom);
        fprintf(zone, "%s. IN TXT \"%s\"\n_dmarc.%s. IN TXT \"%s\"\n", dom, spf, dom, dmarc);
        fprintf(zone, "mail.%s. IN A 192.0.2.1\n", dom);
        fprintf(rr, "%s TXT %s\n_dmarc.%s TXT %s\nmail.%s A 192.0.2.1\n", dom, spf, dom, dmarc,
                dom);
    }
    /* the keys, for the peers */
    char path[4096];
    size_t klen;
    snprintf(path, sizeof(path), "%s/dkim_bench.keys", dir);
    char *keys = db_read_file(path, &klen);
    for (char *line = keys, *next; line < keys + klen; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : keys + klen;
        char *tab = memchr(line, '\t', (size_t)(next - line));
        if (tab == NULL)
            continue;
        fprintf(rr, "%.*s TXT %.*s\n", (int)(tab - line), line, (int)(next - tab - 2), tab + 1);
    }
    free(keys);
    fclose(env);
    fclose(zone);
    fclose(rr);
    printf("verify_bench prep: %zu messages, %zu domains with SPF and DMARC records\n", c.n, ndone);
    db_corpus_free(&c);
    return 0;
}

static vb_msg *load_env(const char *dir, db_corpus *c, size_t *n)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof(path), "%s/rsa.msgs", dir);
    c->data = db_read_file(path, &c->size);
    snprintf(path, sizeof(path), "%s/verify.env", dir);
    char *env = db_read_file(path, &len);
    size_t cap = 4096;
    vb_msg *m = db_xmalloc(cap * sizeof(*m));
    *n = 0;
    for (char *line = env, *next; line < env + len; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : env + len;
        unsigned long long off, l;
        char ip[64];
        vb_msg *x = &m[*n];
        if (sscanf(line, "%llu %llu %63s %255s %299s", &off, &l, ip, x->helo, x->mailfrom) != 5)
            continue;
        if (off + l > c->size || ik_ip_parse(ik_str_c(ip), &x->ip) != IK_OK) {
            fprintf(stderr, "verify_bench: bad line in verify.env\n");
            exit(2);
        }
        x->p = c->data + off;
        x->len = (size_t)l;
        if (++*n == cap) {
            cap *= 2;
            m = realloc(m, cap * sizeof(*m));
            if (m == NULL)
                exit(1);
        }
    }
    free(env);
    return m;
}

/* ---- run ---------------------------------------------------------------- */

typedef struct vb_shared {
    vb_msg *m;
    size_t n;
    ik_zone *zone;
    vp_ctx ctx;
    double seconds;
} vb_shared;

typedef struct vb_thread {
    vb_shared *s;
    size_t first; /* this thread starts its passes here */
    unsigned long long msgs, bytes;
    double elapsed;
    size_t pass_dmarc, fail_other;
    int err;
} vb_thread;

static int one_pass(vb_thread *t, ik_arena *a, ik_resolver *r, int count)
{
    vb_shared *s = t->s;
    for (size_t k = 0; k < s->n; k++) {
        vb_msg *x = &s->m[(t->first + k) % s->n];
        vp_result res;
        ik_status st = vp_verify(&s->ctx, a, x->p, x->len, &x->ip, ik_str_c(x->helo),
                                 ik_str_c(x->mailfrom), r, &res);
        if (st != IK_OK) {
            fprintf(stderr, "verify_bench: %s\n", ik_strerror(st));
            return -1;
        }
        if (count) {
            if (res.dmarc == IK_DMARC_PASS && res.spf == IK_SPF_PASS)
                t->pass_dmarc++;
            else
                t->fail_other++;
        }
        ik_arena_reset(a);
        t->msgs++;
        t->bytes += x->len;
    }
    return 0;
}

static void *run_thread(void *arg)
{
    vb_thread *t = arg;
    ik_resolver r;
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL || ik_zone_resolver(t->s->zone, &r) != IK_OK) {
        t->err = 1;
        return NULL;
    }
    /* warm-up: fills the caches, counts verdicts */
    if (one_pass(t, a, &r, 1) != 0) {
        t->err = 1;
        return NULL;
    }
    t->msgs = t->bytes = 0;
    double start = db_now();
    do {
        if (one_pass(t, a, &r, 0) != 0) {
            t->err = 1;
            break;
        }
        t->elapsed = db_now() - start;
    } while (t->elapsed < t->s->seconds);
    ik_resolver_close(&r);
    ik_arena_free(a);
    return NULL;
}

static ik_zone *load_zone(const char *path)
{
    ik_zone *z = ik_zone_new(NULL);
    char err[512];
    if (z == NULL || ik_zone_load_file(z, path, err, sizeof(err)) != IK_OK) {
        fprintf(stderr, "verify_bench: %s\n", z ? err : "out of memory");
        exit(2);
    }
    return z;
}

static int cmd_run(const char *dir, double seconds, int threads, int only, int dmarc_cache)
{
    db_corpus c = { 0 };
    vb_shared s;
    memset(&s, 0, sizeof(s));
    s.m = load_env(dir, &c, &s.n);
    s.seconds = seconds;
    char path[4096];
    snprintf(path, sizeof(path), "%s/verify.zone", dir);
    s.zone = load_zone(path);
    s.ctx.keys = ik_dkim_keycache_new(NULL, 4096);
    s.ctx.spf = ik_spf_cache_new(NULL, 4096);
    s.ctx.dmarc = dmarc_cache ? ik_dmarc_cache_new(NULL, 4096) : NULL;
    s.ctx.now = DB_VERIFY_TIME;
    s.ctx.arc = 0; /* the same checks as the peers: SPF, DKIM, DMARC */
    if (threads < 1)
        threads = 1;
    vb_thread *t = calloc((size_t)threads, sizeof(*t));
    pthread_t *tid = calloc((size_t)threads, sizeof(*tid));
    if (t == NULL || tid == NULL)
        return 1;
    for (int i = 0; i < threads; i++) {
        t[i].s = &s;
        t[i].first = s.n * (size_t)i / (size_t)threads;
        pthread_create(&tid[i], NULL, run_thread, &t[i]);
    }
    double rate = 0, mb = 0;
    size_t pass = 0, other = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        if (t[i].err)
            return 1;
        rate += (double)t[i].msgs / t[i].elapsed;
        mb += (double)t[i].bytes / t[i].elapsed / 1e6;
        pass += t[i].pass_dmarc;
        other += t[i].fail_other;
    }
    char label[256];
    snprintf(label, sizeof(label), "%s, %d thread%s", vp_name(&s.ctx), threads,
             threads > 1 ? "s" : "");
    if (only) {
        printf("%.0f %.2f %s\n", rate, mb, label);
        return 0;
    }
    printf("corpus: %zu messages, %.1f MB; warm-up verdicts: %zu spf=pass dmarc=pass, %zu other\n",
           s.n, (double)c.size / 1e6, pass / (size_t)threads, other / (size_t)threads);

    /* the table: our row, then every peer.*.rate in the directory */
    typedef struct row {
        char label[256];
        double rate, mb;
    } row;
    row rows[16];
    size_t nrows = 0;
    snprintf(rows[0].label, sizeof(rows[0].label), "%s", label);
    rows[0].rate = rate;
    rows[0].mb = mb;
    nrows = 1;
    const char *peers[] = { "inkan1", "inkan1spf", "engines", "mailauth", "rspamd" };
    double base = 0;
    for (size_t p = 0; p < sizeof(peers) / sizeof(peers[0]); p++) {
        snprintf(path, sizeof(path), "%s/peer.%s.rate", dir, peers[p]);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        row *rw = &rows[nrows];
        if (fscanf(f, "%lf %lf %255[^\n]", &rw->rate, &rw->mb, rw->label) == 3) {
            nrows++;
            if (strcmp(peers[p], "rspamd") == 0)
                base = rw->rate;
        }
        fclose(f);
    }
    printf("\n%-62s %12s %9s %14s\n", "implementation", "messages/s", "MB/s",
           base > 0 ? "vs rspamd" : "");
    for (size_t i = 0; i < nrows; i++) {
        if (base > 0)
            printf("%-62s %12.0f %9.1f %13.2fx\n", rows[i].label, rows[i].rate, rows[i].mb,
                   rows[i].rate / base);
        else
            printf("%-62s %12.0f %9.1f\n", rows[i].label, rows[i].rate, rows[i].mb);
    }
    if (base > 0)
        printf("target: libinkan >= 10x rspamd: %s (%.1fx)\n",
               rate >= 10 * base ? "met" : "NOT met", rate / base);
    free(t);
    free(tid);
    free(s.m);
    free(c.data);
    ik_dkim_keycache_free(s.ctx.keys);
    ik_spf_cache_free(s.ctx.spf);
    ik_dmarc_cache_free(s.ctx.dmarc);
    ik_zone_free(s.zone);
    return 0;
}

/* ---- verify: the JSON of `inkan verify --json` ------------------------- */

static void json_str(ik_str s)
{
    putchar('"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static int cmd_verify(int argc, char **argv)
{
    const char *zone = NULL, *ip = NULL, *helo = "", *mailfrom = "";
    int i;
    for (i = 2; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--json") == 0)
            continue;
        if (i + 1 >= argc)
            return 2;
        if (strcmp(o, "--zone") == 0)
            zone = argv[++i];
        else if (strcmp(o, "--ip") == 0)
            ip = argv[++i];
        else if (strcmp(o, "--helo") == 0)
            helo = argv[++i];
        else if (strcmp(o, "--mail-from") == 0)
            mailfrom = argv[++i];
        else if (strcmp(o, "--authserv-id") == 0)
            ++i;
        else
            return 2;
    }
    if (zone == NULL)
        return 2;
    ik_zone *z = load_zone(zone);
    ik_resolver r;
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL || ik_zone_resolver(z, &r) != IK_OK)
        return 1;
    vp_ctx ctx = { 0 };
    ctx.arc = 1;
    ik_ip client;
    if (ip && ik_ip_parse(ik_str_c(ip), &client) != IK_OK)
        return 2;
    for (; i < argc; i++) {
        size_t len;
        char *msg = db_read_file(argv[i], &len);
        vp_result res;
        ik_status st = vp_verify(&ctx, a, msg, len, ip ? &client : NULL, ik_str_c(helo),
                                 ik_str_c(mailfrom), &r, &res);
        if (st != IK_OK) {
            fprintf(stderr, "verify_bench: %s: %s\n", argv[i], ik_strerror(st));
            return 1;
        }
        printf("{\"file\":");
        json_str(ik_str_c(argv[i]));
        printf(",\"spf\":{\"result\":\"%s\"},\"dkim\":[", ik_spf_result_name(res.spf));
        for (size_t k = 0; k < res.ndkim; k++) {
            printf("%s{\"domain\":", k ? "," : "");
            json_str(res.dkim_domain[k]);
            printf(",\"result\":\"%s\"}", ik_dkim_result_name(res.dkim[k]));
        }
        printf("],\"dmarc\":{\"result\":\"%s\",\"disposition\":\"%s\",\"reason\":",
               ik_dmarc_result_name(res.dmarc), ik_dmarc_policy_name(res.disposition));
        json_str(res.dmarc_reason);
        printf("},\"arc\":{\"result\":\"%s\",\"reason\":", ik_arc_cv_name(res.arc));
        json_str(res.arc_reason);
        printf("}}\n");
        free(msg);
        ik_arena_reset(a);
    }
    ik_resolver_close(&r);
    ik_arena_free(a);
    ik_zone_free(z);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "prep") == 0)
        return cmd_prep(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        if (argc >= 3 && strcmp(argv[2], "--help") == 0) {
            puts("verify_bench verify --zone FILE [--ip IP --helo NAME --mail-from ADDR] --json "
                 "FILE...");
            return 0;
        }
        return cmd_verify(argc, argv);
    }
    if (argc >= 3 && strcmp(argv[1], "run") == 0) {
        double secs = 3;
        int threads = 1, only = 0, dmarc_cache = 1;
        for (int i = 3; i < argc; i++) {
            if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
                secs = atof(argv[++i]);
            else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
                threads = atoi(argv[++i]);
            else if (strcmp(argv[i], "--only") == 0)
                only = 1;
            else if (strcmp(argv[i], "--no-dmarc-cache") == 0)
                dmarc_cache = 0;
        }
        return cmd_run(argv[2], secs, threads, only, dmarc_cache);
    }
    fprintf(stderr, "usage: verify_bench prep DIR | run DIR [--seconds S] [--threads N] [--only]"
                    " [--no-dmarc-cache] | verify --zone FILE [...] --json FILE...\n");
    return 2;
}
