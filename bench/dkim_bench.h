/*
 * dkim_bench.h - pieces shared by the bench/dkim programs (dkim_gen.c,
 * dkim_bench.c, dkim_mem.c): the fixed-seed generator, the corpus file
 * format, reading whole files, and the header/body split every driver does
 * before it feeds an engine in milter order.
 *
 * Corpus format, written by dkim_gen into DIR:
 *   NAME.msgs   the messages, concatenated, CRLF line ends
 *   NAME.idx    one line per message: "offset length keyname", where
 *               keyname is the selector._domainkey.domain of its signature
 *               ("-" for the unsigned corpus)
 * for NAME in unsigned, rsa, ed25519.  Plus dkim_bench.zone (RFC 1035
 * master file, for libinkan's static zone) and dkim_bench.keys ("name TAB
 * joined TXT" lines, for OpenDKIM and python3-dkim).
 *
 * Header-only (static functions); benchmarks are single-threaded.
 */
#ifndef IK_DKIM_BENCH_H
#define IK_DKIM_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Signing time of the corpus (t=); verifiers run with their clock here. */
#define DB_SIGN_TIME 1700000000
#define DB_VERIFY_TIME (DB_SIGN_TIME + 3600)
/* Body bytes per dkim_body / ik_dkim_verify_body call: a milter gets the
 * body in chunks of at most 65535 bytes (MILTER_CHUNK_SIZE). */
#define DB_CHUNK 65535

/* ---- fixed-seed generator: splitmix64 (Steele, Lea, Flood 2014) -------- */

typedef struct db_rng {
    uint64_t s;
} db_rng;

static inline uint64_t db_next(db_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static inline size_t db_range(db_rng *r, size_t lo, size_t hi)
{
    return lo + (size_t)(db_next(r) % (uint64_t)(hi - lo + 1));
}

/* ---- whole files ------------------------------------------------------- */

static inline void *db_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "dkim bench: out of memory\n");
        exit(1);
    }
    return p;
}

static inline char *db_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        perror(path);
        exit(2);
    }
    long n = ftell(f);
    rewind(f);
    char *p = db_xmalloc((size_t)n + 1);
    if (n < 0 || fread(p, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* ---- corpus ------------------------------------------------------------ */

typedef struct db_msg {
    const char *p;
    size_t len;
    char key[256]; /* key name of its signature */
} db_msg;

typedef struct db_corpus {
    char *data;
    size_t size; /* bytes of all messages */
    db_msg *m;
    size_t n;
} db_corpus;

static inline void db_corpus_load(db_corpus *c, const char *dir, const char *name)
{
    char path[4096];
    size_t ilen;
    snprintf(path, sizeof(path), "%s/%s.msgs", dir, name);
    c->data = db_read_file(path, &c->size);
    snprintf(path, sizeof(path), "%s/%s.idx", dir, name);
    char *idx = db_read_file(path, &ilen);
    size_t cap = 0;
    c->n = 0;
    c->m = NULL;
    for (char *line = idx, *next; line < idx + ilen; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : idx + ilen;
        unsigned long long off, len;
        char key[256];
        if (sscanf(line, "%llu %llu %255s", &off, &len, key) != 3)
            continue;
        if (off + len > c->size) {
            fprintf(stderr, "dkim bench: %s.idx does not match %s.msgs\n", name, name);
            exit(2);
        }
        if (c->n == cap) {
            cap = cap ? cap * 2 : 1024;
            c->m = realloc(c->m, cap * sizeof(*c->m));
            if (c->m == NULL)
                exit(1);
        }
        db_msg *m = &c->m[c->n++];
        m->p = c->data + off;
        m->len = (size_t)len;
        snprintf(m->key, sizeof(m->key), "%s", key);
    }
    free(idx);
}

static inline void db_corpus_free(db_corpus *c)
{
    free(c->data);
    free(c->m);
    memset(c, 0, sizeof(*c));
}

/* ---- header fields and body -------------------------------------------- */

/*
 * Calls field(ctx, p, len) for each raw header field (with its folding and
 * final CRLF) and returns the offset of the body (after the empty line).
 * This is the MTA's part: a milter receives fields and body separately.
 */
typedef int (*db_field_fn)(void *ctx, const char *p, size_t len);

static inline size_t db_split(const char *msg, size_t len, db_field_fn field, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        if (i + 1 < len && msg[i] == '\r' && msg[i + 1] == '\n')
            return i + 2;
        size_t start = i;
        for (;;) {
            const char *nl = memchr(msg + i, '\n', len - i);
            i = nl ? (size_t)(nl - msg) + 1 : len;
            if (i >= len || (msg[i] != ' ' && msg[i] != '\t'))
                break;
        }
        if (field(ctx, msg + start, i - start) != 0)
            return len;
    }
    return len;
}

/* CPU time of the calling thread: a pass measured in it does not count
 * the time the scheduler gave to other processes, so figures from a busy
 * machine stay comparable. */
static inline double db_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double db_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
