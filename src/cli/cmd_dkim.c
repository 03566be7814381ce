/*
 * cmd_dkim.c - "inkan dkim verify" and "inkan dkim sign" (RFC 6376, with
 * the algorithm rules of RFC 8301 and Ed25519 of RFC 8463).
 *
 *   inkan dkim verify [--zone FILE|--resolver IP[@PORT]|--recursive] [--json]
 *                     [--legacy] [--clock-skew SECONDS] [FILE...|-]
 *   inkan dkim sign --domain D --selector S --key FILE [--algorithm A]
 *                   [--canon H/B] [--headers a:b:c] [--identity I]
 *                   [--expire SECONDS] [--timestamp T] [--body-length]
 *                   [--also-key FILE --also-selector S2 [--also-algorithm A]]
 *                   [FILE|-]
 *
 * Both stream the message in 64 KiB chunks through cli_msg (LF-only input
 * is read as CRLF, as an MTA does), so a message is never held whole.
 * verify: many files in one process, sharing one decoded-key cache; one
 * line per signature, or with --json one object per file and line.
 * sign: the signature fields are prepended and every byte of the input is
 * copied unchanged after them (after an mbox "From " line, if any); the
 * fields use the input's line ends.  A regular file is read twice (hash,
 * then copy); other input is spooled to an anonymous temporary file.
 *
 * Exit: 0 when every message gave a result (any result), 2 for bad usage
 * or unreadable input (one line on stderr per problem; verify goes on with
 * the other files), 1 for an internal failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_msg.h"
#include "inkan/dkim.h"

#define CHUNK 65536

static const char dkim_usage[] =
    "usage: inkan dkim verify [options] [FILE...|-]\n"
    "       inkan dkim sign --domain D --selector S --key FILE [options] [FILE|-]\n";

static const char verify_usage[] =
    "usage: inkan dkim verify [options] [FILE...|-]\n"
    "  --json               one JSON object per message and line\n"
    "  --legacy             accept rsa-sha1, 512-bit RSA keys and pre-RFC 6376\n"
    "                       signatures (RFC 8301 forbids them)\n"
    "  --clock-skew SECONDS tolerance for t= in the future and x= in the past\n"
    "                       (default 300)\n" CLI_DNS_USAGE;

static const char sign_usage[] =
    "usage: inkan dkim sign --domain D --selector S --key FILE [options] [FILE|-]\n"
    "  --domain D           signing domain (d=)\n"
    "  --selector S         selector (s=)\n"
    "  --key FILE           private key, PEM (mode 600)\n"
    "  --algorithm A        rsa-sha256 or ed25519-sha256 (default: from the key)\n"
    "  --canon H/B          simple or relaxed, header/body (default relaxed/relaxed)\n"
    "  --headers a:b:c      header fields to sign (default: a list that over-signs\n"
    "                       From, To, Subject, Date, Message-ID, ...)\n"
    "  --identity I         i= (an address in D or a subdomain of it)\n"
    "  --expire SECONDS     add x= that many seconds after t=\n"
    "  --timestamp T        t= (default: now)\n"
    "  --body-length        add l= (not recommended: RFC 6376 8.2)\n"
    "  --also-key FILE      a second signature with this key\n"
    "  --also-selector S2   its selector\n"
    "  --also-algorithm A   its algorithm (default: from the key)\n";

/* ---- reading a file in chunks ------------------------------------------ */

typedef struct input {
    FILE *f;
    const char *name;
    int is_stdin;
    const char *why; /* static text when input_open failed */
} input;

static int input_open(input *in, const char *path, const char *prog)
{
    in->name = path;
    in->is_stdin = strcmp(path, "-") == 0;
    in->f = in->is_stdin ? stdin : fopen(path, "rb");
    in->why = NULL;
    if (in->f == NULL) {
        in->why = strerror(errno);
        cli_error(prog, "%s: %s", path, in->why);
        return -1;
    }
    struct stat sb;
    if (fstat(fileno(in->f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        in->why = "is a directory";
        cli_error(prog, "%s: %s", path, in->why);
        if (!in->is_stdin)
            fclose(in->f);
        in->f = NULL;
        return -1;
    }
    return 0;
}

static void input_close(input *in)
{
    if (in->f != NULL && !in->is_stdin)
        fclose(in->f);
    in->f = NULL;
}

/* ---- verify --------------------------------------------------------------- */

typedef struct vrun {
    ik_dkim_verifier *v;
    ik_arena *a;
    ik_resolver *r;
} vrun;

static ik_status v_header(void *ud, const char *p, size_t len)
{
    vrun *x = ud;
    return ik_dkim_verify_header(x->v, p, len);
}

static ik_status v_eoh(void *ud)
{
    vrun *x = ud;
    ik_dns_query *q = NULL;
    ik_status st = ik_dkim_verify_eoh(x->v, &q);
    if (st == IK_EAGAIN)
        /* Blocking driver: answer now; the body then streams past. */
        st = ik_resolver_answer_all(x->r, x->a, q);
    return st;
}

static ik_status v_body(void *ud, const char *p, size_t len)
{
    vrun *x = ud;
    return ik_dkim_verify_body(x->v, p, len);
}

static const cli_msg_sink verify_sink = { v_header, v_eoh, v_body };

static void json_bool(ik_buf *b, int *first, const char *key, int v)
{
    cli_json_key(b, first, key);
    ik_buf_append_c(b, v ? "true" : "false");
}

static void json_opt_u(ik_buf *b, int *first, const char *key, int has, uint64_t v)
{
    cli_json_key(b, first, key);
    if (has)
        ik_buf_printf(b, "%llu", (unsigned long long)v);
    else
        ik_buf_append_c(b, "null");
}

static void print_json(ik_buf *b, const char *file, const ik_dkim_verifier *v)
{
    static const char *const cn[] = { "simple", "relaxed" };
    int first = 1;
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &first, "file", file);
    cli_json_key(b, &first, "signatures");
    ik_buf_putc(b, '[');
    size_t n = ik_dkim_verify_count(v);
    for (size_t i = 0; i < n; i++) {
        const ik_dkim_sigresult *r = ik_dkim_verify_get(v, i);
        if (r == NULL)
            continue;
        const ik_dkim_sig *s = r->sig;
        int f = 1;
        if (i)
            ik_buf_putc(b, ',');
        ik_buf_putc(b, '{');
        cli_json_kv_c(b, &f, "result", ik_dkim_result_name(r->result));
        cli_json_kv_c(b, &f, "reason", r->reason);
        cli_json_kv(b, &f, "domain", r->header_d);
        cli_json_kv(b, &f, "selector", r->header_s);
        cli_json_kv(b, &f, "algorithm", r->header_a);
        cli_json_kv(b, &f, "identity", r->header_i);
        cli_json_kv(b, &f, "header_b", r->header_b);
        if (s != NULL) {
            char c[32];
            snprintf(c, sizeof(c), "%s/%s", cn[s->hcanon], cn[s->bcanon]);
            cli_json_kv_c(b, &f, "canonicalization", c);
        } else {
            cli_json_kv_null(b, &f, "canonicalization");
        }
        json_opt_u(b, &f, "key_bits", r->key_bits != 0, r->key_bits);
        cli_json_kv_u(b, &f, "body_length", (unsigned long)r->body_length);
        json_opt_u(b, &f, "length", s && s->has_l, s ? s->l : 0);
        json_bool(b, &f, "body_truncated", r->body_truncated);
        json_opt_u(b, &f, "timestamp", s && s->has_t, s ? s->t : 0);
        json_opt_u(b, &f, "expiration", s && s->has_x, s ? s->x : 0);
        json_bool(b, &f, "testing", r->key_testing);
        ik_buf_putc(b, '}');
    }
    ik_buf_putc(b, ']');
    cli_json_kv_c(b, &first, "result", ik_dkim_result_name(ik_dkim_verify_overall(v)));
    ik_buf_append_c(b, "}\n");
}

static void print_plain(ik_buf *b, const char *file, const ik_dkim_verifier *v)
{
    size_t n = ik_dkim_verify_count(v);
    if (n == 0) {
        ik_buf_printf(b, "%s: none (no signature)\n", file);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const ik_dkim_sigresult *r = ik_dkim_verify_get(v, i);
        if (r == NULL)
            continue;
        ik_buf_printf(b, "%s: %s", file, ik_dkim_result_name(r->result));
        const struct {
            const char *k;
            ik_str v;
        } props[] = {
            { "header.d", r->header_d }, { "header.s", r->header_s }, { "header.a", r->header_a },
            { "header.i", r->header_i }, { "header.b", r->header_b },
        };
        for (size_t k = 0; k < sizeof(props) / sizeof(props[0]); k++)
            if (props[k].v.len)
                ik_buf_printf(b, " %s=%.*s", props[k].k, (int)props[k].v.len, props[k].v.p);
        if (r->key_bits)
            ik_buf_printf(b, " key_bits=%u", r->key_bits);
        if (r->key_testing)
            ik_buf_append_c(b, " testing");
        if (r->body_truncated)
            ik_buf_append_c(b, " body_truncated");
        if (r->reason[0])
            ik_buf_printf(b, " (%s)", r->reason);
        ik_buf_putc(b, '\n');
    }
}

/* Verifies one file.  Returns the exit code it contributes (0, 1 or 2). */
static int verify_one(const char *path, ik_arena *a, ik_resolver *r,
                      const ik_dkim_verify_config *cfg, int json, char *chunk)
{
    const char *prog = "dkim";
    input in;
    if (input_open(&in, path, prog) != 0) {
        if (json)
            cli_json_error(a, path, in.why);
        return 2;
    }
    vrun x = { ik_dkim_verify_new(a, cfg), a, r };
    cli_msg m;
    if (x.v == NULL || cli_msg_init(&m, &verify_sink, &x) != IK_OK) {
        input_close(&in);
        cli_error(prog, "out of memory");
        return 1;
    }
    ik_status st = IK_OK;
    size_t n;
    while (st == IK_OK && (n = fread(chunk, 1, CHUNK, in.f)) > 0)
        st = cli_msg_feed(&m, chunk, n);
    int rerr = ferror(in.f);
    input_close(&in);
    if (st == IK_OK && !rerr)
        st = cli_msg_end(&m);
    for (;;) {
        if (st != IK_OK || rerr)
            break;
        ik_dns_query *q = NULL;
        st = ik_dkim_verify_eom(x.v, &q);
        if (st != IK_EAGAIN)
            break;
        st = ik_resolver_answer_all(r, a, q);
    }
    const char *why = m.error;
    cli_msg_free(&m);
    if (rerr || st == IK_ELIMIT) {
        why = rerr ? "read error" : why ? why : "message over a limit";
        cli_error(prog, "%s: %s", path, why);
        if (json)
            cli_json_error(a, path, why);
        return 2;
    }
    if (st != IK_OK) {
        cli_error(prog, "%s: verification failed: %s", path, ik_strerror(st));
        if (json)
            cli_json_error(a, path, ik_strerror(st));
        return 1;
    }
    ik_buf out;
    ik_buf_init(&out, a, 0);
    if (json)
        print_json(&out, path, x.v);
    else
        print_plain(&out, path, x.v);
    if (ik_buf_error(&out) != IK_OK) {
        cli_error(prog, "%s: out of memory", path);
        return 1;
    }
    ik_str s = ik_buf_str(&out);
    fwrite(s.p, 1, s.len, stdout);
    return 0;
}

enum {
    OPT_JSON = 1,
    OPT_LEGACY,
    OPT_CLOCK_SKEW,
    OPT_HELP,
    OPT_DOMAIN,
    OPT_SELECTOR,
    OPT_KEY,
    OPT_ALGORITHM,
    OPT_CANON,
    OPT_HEADERS,
    OPT_IDENTITY,
    OPT_EXPIRE,
    OPT_TIMESTAMP,
    OPT_BODY_LENGTH,
    OPT_ALSO_KEY,
    OPT_ALSO_SELECTOR,
    OPT_ALSO_ALGORITHM
};

static int dkim_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "legacy", no_argument, NULL, OPT_LEGACY },
        { "clock-skew", required_argument, NULL, OPT_CLOCK_SKEW },
        { "help", no_argument, NULL, OPT_HELP },
        CLI_DNS_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "dkim";
    int json = 0, opt, r;
    cli_dns_opts dns = { 0 };
    ik_dkim_verify_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.clock_skew = 300;

    optind = 1;
    opterr = 0; /* one stderr line of our own on bad usage */
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_JSON: json = 1; break;
        case OPT_LEGACY: cfg.flags |= IK_DKIM_LEGACY; break;
        case OPT_CLOCK_SKEW: {
            uint64_t v;
            if (ik_str_to_u64(ik_str_c(optarg), 86400 * 365, &v) != IK_OK) {
                cli_error(prog,
                          "--clock-skew: '%s' is not a number of seconds "
                          "between 0 and 31536000",
                          optarg);
                return 2;
            }
            cfg.clock_skew = (uint32_t)v;
            break;
        }
        case OPT_HELP: fputs(verify_usage, stdout); return 0;
        default:
            r = cli_dns_option(&dns, opt, optarg, prog);
            if (r == 1)
                break;
            if (r == 0)
                cli_error(prog, "bad option '%s' (try 'inkan dkim verify --help')",
                          argv[optind - 1]);
            return 2;
        }
    }

    cli_dns res;
    if (cli_dns_open(&dns, prog, &res) != 0)
        return 2;
    ik_arena *a = ik_arena_new(NULL);
    cfg.cache = ik_dkim_keycache_new(NULL, 1024);
    char *chunk = malloc(CHUNK);
    if (a == NULL || cfg.cache == NULL || chunk == NULL) {
        cli_error(prog, "out of memory");
        ik_arena_free(a);
        ik_dkim_keycache_free(cfg.cache);
        free(chunk);
        cli_dns_close(&res);
        return 1;
    }
    int rc = 0;
    char *stdin_only[] = { "-" };
    char **files = optind < argc ? argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;
    for (int i = 0; i < nfiles; i++) {
        int one = verify_one(files[i], a, &res.r, &cfg, json, chunk);
        if (one == 1 || (one == 2 && rc == 0))
            rc = one;
        fflush(stdout);
        ik_arena_reset(a);
    }
    if (ferror(stdout)) {
        cli_error(prog, "write error on standard output");
        rc = 1;
    }
    free(chunk);
    ik_arena_free(a);
    ik_dkim_keycache_free(cfg.cache);
    cli_dns_close(&res);
    return rc;
}

/* ---- sign ------------------------------------------------------------------ */

static int parse_alg(const char *s, ik_dkim_alg *out)
{
    if (strcmp(s, "rsa-sha256") == 0)
        *out = IK_DKIM_ALG_RSA_SHA256;
    else if (strcmp(s, "ed25519-sha256") == 0)
        *out = IK_DKIM_ALG_ED25519_SHA256;
    else
        return -1;
    return 0;
}

/* RFC 6376 3.5 c=: "simple" or "relaxed", optionally "/" and the body's;
 * the body defaults to simple. */
static int parse_canon(const char *s, ik_dkim_canon *h, ik_dkim_canon *b)
{
    const char *slash = strchr(s, '/');
    size_t hl = slash ? (size_t)(slash - s) : strlen(s);
    ik_str hs = ik_str_make(s, hl), bs = slash ? ik_str_c(slash + 1) : IK_STR_LIT("simple");
    if (ik_str_eq(hs, IK_STR_LIT("simple")))
        *h = IK_DKIM_CANON_SIMPLE;
    else if (ik_str_eq(hs, IK_STR_LIT("relaxed")))
        *h = IK_DKIM_CANON_RELAXED;
    else
        return -1;
    if (ik_str_eq(bs, IK_STR_LIT("simple")))
        *b = IK_DKIM_CANON_SIMPLE;
    else if (ik_str_eq(bs, IK_STR_LIT("relaxed")))
        *b = IK_DKIM_CANON_RELAXED;
    else
        return -1;
    return 0;
}

/* Loads a private key; prints the library's reason (with its chmod hint)
 * and returns 2 or 1 on failure. */
static int load_key(const char *prog, const char *path, ik_pkey **out)
{
    ik_buf why;
    ik_buf_init_al(&why, NULL, 4096);
    ik_status st = ik_pkey_load_private(NULL, path, out, &why);
    int rc = 0;
    if (st != IK_OK) {
        ik_str w = ik_buf_str(&why);
        if (st == IK_ENOMEM) {
            cli_error(prog, "out of memory");
            rc = 1;
        } else if (w.len) {
            cli_error(prog, "%.*s", (int)w.len, w.p);
            rc = 2;
        } else {
            cli_error(prog, "%s: %s", path, ik_strerror(st));
            rc = 2;
        }
    }
    ik_buf_release(&why);
    return rc;
}

typedef struct srun {
    ik_dkim_signer *s;
    int has_from;
} srun;

/* "From" then optional WSP and ":" (RFC 5322 3.6.2, 4.5.1 obs-from). */
static int is_from(const char *p, size_t len)
{
    if (len < 5 || !ik_str_caseeq_c(ik_str_make(p, 4), "from"))
        return 0;
    size_t i = 4;
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i < len && p[i] == ':';
}

static ik_status s_header(void *ud, const char *p, size_t len)
{
    srun *x = ud;
    if (is_from(p, len))
        x->has_from = 1;
    ik_status st = ik_dkim_sign_header(x->s, p, len);
    /* A line that is not a field cannot be signed; it is copied as is. */
    return st == IK_ESYNTAX ? IK_OK : st;
}

static ik_status s_eoh(void *ud)
{
    srun *x = ud;
    return ik_dkim_sign_eoh(x->s);
}

static ik_status s_body(void *ud, const char *p, size_t len)
{
    srun *x = ud;
    return ik_dkim_sign_body(x->s, p, len);
}

static const cli_msg_sink sign_sink = { s_header, s_eoh, s_body };

/* Writes a field (CRLF folds inside) with the input's line ends. */
static void write_field(ik_str f, int lf_only)
{
    if (!lf_only) {
        fwrite(f.p, 1, f.len, stdout);
        fputs("\r\n", stdout);
        return;
    }
    for (size_t i = 0; i < f.len; i++)
        if (!(f.p[i] == '\r' && i + 1 < f.len && f.p[i + 1] == '\n'))
            putchar(f.p[i]);
    putchar('\n');
}

/* Copies from[start, end) to stdout; end < 0 means to the end of file. */
static int copy_stream(FILE *from, off_t start, off_t end, char *chunk)
{
    if (fseeko(from, start, SEEK_SET) != 0)
        return -1;
    off_t left = end < 0 ? -1 : end - start;
    if (left == 0)
        return 0;
    size_t n;
    while ((n = fread(chunk, 1, left > 0 && left < CHUNK ? (size_t)left : CHUNK, from)) > 0) {
        if (fwrite(chunk, 1, n, stdout) != n)
            return -1;
        if (left > 0) {
            left -= (off_t)n;
            if (left == 0)
                return 0;
        }
    }
    return ferror(from) ? -1 : 0;
}

typedef struct sign_opts {
    const char *domain, *selector, *key, *algorithm, *canon, *headers, *identity;
    const char *also_key, *also_selector, *also_algorithm;
    uint64_t expire;
    int64_t timestamp;
    int body_length;
} sign_opts;

/* Fills params for one signature; returns 0 or an exit code. */
static int sign_params(const char *prog, const sign_opts *o, const char *keypath,
                       const char *selector, const char *algorithm, ik_dkim_sign_params *p,
                       ik_pkey **key)
{
    int rc = load_key(prog, keypath, key);
    if (rc != 0)
        return rc;
    ik_dkim_sign_params_init(p);
    p->key = *key;
    p->alg =
        ik_pkey_type(*key) == IK_KEY_ED25519 ? IK_DKIM_ALG_ED25519_SHA256 : IK_DKIM_ALG_RSA_SHA256;
    if (algorithm != NULL) {
        ik_dkim_alg alg;
        if (parse_alg(algorithm, &alg) != 0) {
            cli_error(prog, "algorithm '%s' is not rsa-sha256 or ed25519-sha256", algorithm);
            return 2;
        }
        if (ik_dkim_alg_key(alg) != ik_pkey_type(*key)) {
            cli_error(prog, "%s: the key is %s, not suitable for %s", keypath,
                      ik_pkey_type(*key) == IK_KEY_ED25519 ? "Ed25519" : "RSA", algorithm);
            return 2;
        }
        p->alg = alg;
    }
    if (o->canon && parse_canon(o->canon, &p->hcanon, &p->bcanon) != 0) {
        cli_error(prog, "--canon: '%s' is not simple|relaxed[/simple|relaxed]", o->canon);
        return 2;
    }
    p->domain = ik_str_c(o->domain);
    p->selector = ik_str_c(selector);
    p->identity = ik_str_c(o->identity ? o->identity : "");
    p->headers = o->headers;
    p->timestamp = o->timestamp;
    p->expire_after = o->expire;
    p->body_length = o->body_length;
    return 0;
}

static int check_headers_list(const char *prog, const char *list)
{
    ik_str l = ik_str_c(list);
    size_t start = 0;
    int from = 0;
    for (size_t i = 0; i <= l.len; i++) {
        if (i < l.len && l.p[i] != ':')
            continue;
        ik_str name = ik_str_trim(ik_str_make(l.p + start, i - start));
        start = i + 1;
        for (size_t k = 0; k < name.len; k++) {
            unsigned char c = (unsigned char)name.p[k];
            /* RFC 5322 2.2 ftext: printable US-ASCII except ":" */
            if (c < 33 || c > 126) {
                cli_error(prog,
                          "--headers: '%s' has a character that cannot be in a "
                          "field name",
                          list);
                return 2;
            }
        }
        if (ik_str_caseeq_c(name, "from"))
            from = 1;
    }
    if (!from) {
        cli_error(prog, "--headers must include From (RFC 6376 5.4)");
        return 2;
    }
    return 0;
}

static int dkim_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "key", required_argument, NULL, OPT_KEY },
        { "algorithm", required_argument, NULL, OPT_ALGORITHM },
        { "canon", required_argument, NULL, OPT_CANON },
        { "headers", required_argument, NULL, OPT_HEADERS },
        { "identity", required_argument, NULL, OPT_IDENTITY },
        { "expire", required_argument, NULL, OPT_EXPIRE },
        { "timestamp", required_argument, NULL, OPT_TIMESTAMP },
        { "body-length", no_argument, NULL, OPT_BODY_LENGTH },
        { "also-key", required_argument, NULL, OPT_ALSO_KEY },
        { "also-selector", required_argument, NULL, OPT_ALSO_SELECTOR },
        { "also-algorithm", required_argument, NULL, OPT_ALSO_ALGORITHM },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "dkim";
    sign_opts o;
    memset(&o, 0, sizeof(o));
    o.timestamp = -1;
    int opt;
    uint64_t v;

    optind = 1;
    opterr = 0; /* one stderr line of our own on bad usage */
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_DOMAIN: o.domain = optarg; break;
        case OPT_SELECTOR: o.selector = optarg; break;
        case OPT_KEY: o.key = optarg; break;
        case OPT_ALGORITHM: o.algorithm = optarg; break;
        case OPT_CANON: o.canon = optarg; break;
        case OPT_HEADERS: o.headers = optarg; break;
        case OPT_IDENTITY: o.identity = optarg; break;
        case OPT_EXPIRE:
            if (ik_str_to_u64(ik_str_c(optarg), UINT32_MAX, &v) != IK_OK || v == 0) {
                cli_error(prog, "--expire: '%s' is not a positive number of seconds", optarg);
                return 2;
            }
            o.expire = v;
            break;
        case OPT_TIMESTAMP:
            if (ik_str_to_u64(ik_str_c(optarg), 99999999999ULL, &v) != IK_OK) {
                cli_error(prog, "--timestamp: '%s' is not seconds since the epoch", optarg);
                return 2;
            }
            o.timestamp = (int64_t)v;
            break;
        case OPT_BODY_LENGTH: o.body_length = 1; break;
        case OPT_ALSO_KEY: o.also_key = optarg; break;
        case OPT_ALSO_SELECTOR: o.also_selector = optarg; break;
        case OPT_ALSO_ALGORITHM: o.also_algorithm = optarg; break;
        case OPT_HELP: fputs(sign_usage, stdout); return 0;
        default:
            cli_error(prog, "bad option '%s' (try 'inkan dkim sign --help')", argv[optind - 1]);
            return 2;
        }
    }
    if (o.domain == NULL || o.selector == NULL || o.key == NULL) {
        cli_error(prog, "sign needs --domain, --selector and --key");
        return 2;
    }
    if ((o.also_key != NULL) != (o.also_selector != NULL)
        || (o.also_algorithm != NULL && o.also_key == NULL)) {
        cli_error(prog, "--also-key and --also-selector go together "
                        "(--also-algorithm needs them)");
        return 2;
    }
    if (argc - optind > 1) {
        cli_error(prog, "sign takes one message (FILE or -), not %d", argc - optind);
        return 2;
    }
    if (o.headers && check_headers_list(prog, o.headers) != 0)
        return 2;
    if (o.identity) {
        const char *at = strrchr(o.identity, '@');
        ik_str dom = ik_str_c(at ? at + 1 : "");
        ik_str d = ik_str_c(o.domain);
        if (at == NULL || dom.len < d.len
            || !ik_str_caseeq(ik_str_make(dom.p + dom.len - d.len, d.len), d)
            || (dom.len > d.len && dom.p[dom.len - d.len - 1] != '.')) {
            cli_error(prog,
                      "--identity '%s' is not an address at %s or a subdomain of it "
                      "(RFC 6376 3.5 i=)",
                      o.identity, o.domain);
            return 2;
        }
    }

    ik_arena *a = ik_arena_new(NULL);
    char *chunk = malloc(CHUNK);
    ik_pkey *k1 = NULL, *k2 = NULL;
    FILE *spool = NULL;
    input in = { NULL, NULL, 0, NULL };
    cli_msg m;
    int have_msg = 0;
    int rc = 0;
    if (a == NULL || chunk == NULL) {
        cli_error(prog, "out of memory");
        rc = 1;
        goto out;
    }
    ik_dkim_signer *s = ik_dkim_sign_new(a);
    ik_dkim_sign_params p1, p2;
    if (s == NULL) {
        cli_error(prog, "out of memory");
        rc = 1;
        goto out;
    }
    rc = sign_params(prog, &o, o.key, o.selector, o.algorithm, &p1, &k1);
    if (rc == 0 && o.also_key)
        rc = sign_params(prog, &o, o.also_key, o.also_selector, o.also_algorithm, &p2, &k2);
    if (rc != 0)
        goto out;
    ik_status st = ik_dkim_sign_add(s, &p1);
    if (st == IK_OK && o.also_key)
        st = ik_dkim_sign_add(s, &p2);
    if (st != IK_OK) {
        if (st == IK_EINVAL)
            cli_error(prog, "--domain '%s' or a selector is not a valid domain name", o.domain);
        else
            cli_error(prog, "%s", ik_strerror(st));
        rc = st == IK_EINVAL ? 2 : 1;
        goto out;
    }

    if (input_open(&in, optind < argc ? argv[optind] : "-", prog) != 0) {
        rc = 2;
        goto out;
    }
    /* A regular file is read again for the copy; anything else is spooled. */
    struct stat sb;
    off_t start = -1;
    if (fstat(fileno(in.f), &sb) == 0 && S_ISREG(sb.st_mode))
        start = ftello(in.f);
    if (start < 0) {
        spool = tmpfile();
        if (spool == NULL) {
            cli_error(prog, "temporary file: %s", strerror(errno));
            rc = 1;
            goto out;
        }
    }
    srun x = { s, 0 };
    if (cli_msg_init(&m, &sign_sink, &x) != IK_OK) {
        cli_error(prog, "out of memory");
        rc = 1;
        goto out;
    }
    have_msg = 1;
    size_t n;
    int werr = 0;
    while (st == IK_OK && (n = fread(chunk, 1, CHUNK, in.f)) > 0) {
        if (spool && fwrite(chunk, 1, n, spool) != n)
            werr = 1;
        st = cli_msg_feed(&m, chunk, n);
    }
    if (ferror(in.f)) {
        cli_error(prog, "%s: read error", in.name);
        rc = 2;
        goto out;
    }
    if (werr || (spool && fflush(spool) != 0)) {
        cli_error(prog, "temporary file: write error");
        rc = 1;
        goto out;
    }
    if (st == IK_OK)
        st = cli_msg_end(&m);
    if (st == IK_OK && !x.has_from) {
        /* RFC 6376 5.4: From MUST be signed, so it must be there. */
        cli_error(prog, "%s: no From header field: not a message to sign", in.name);
        rc = 2;
        goto out;
    }
    if (st == IK_OK)
        st = ik_dkim_sign_eom(s);
    if (st != IK_OK) {
        if (st == IK_ELIMIT) {
            cli_error(prog, "%s: %s", in.name, m.error ? m.error : "more than 1000 header fields");
            rc = 2;
        } else {
            cli_error(prog, "%s: signing failed: %s", in.name, ik_strerror(st));
            rc = 1;
        }
        goto out;
    }

    FILE *src = spool ? spool : in.f;
    off_t base = spool ? 0 : start;
    off_t env = base + (off_t)m.envelope_raw;
    if (m.envelope_raw && copy_stream(src, base, env, chunk) != 0) {
        cli_error(prog, "%s: cannot read the message again", in.name);
        rc = 1;
        goto out;
    }
    for (size_t i = 0; i < (o.also_key ? 2u : 1u); i++)
        write_field(ik_dkim_sign_field(s, i), m.seen_eol ? m.lf_only : 0);
    if (copy_stream(src, env, -1, chunk) != 0) {
        cli_error(prog, "%s: cannot read the message again", in.name);
        rc = 1;
        goto out;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(prog, "write error on standard output");
        rc = 1;
    }
out:
    if (have_msg)
        cli_msg_free(&m);
    if (spool)
        fclose(spool);
    input_close(&in);
    ik_pkey_free(k1);
    ik_pkey_free(k2);
    free(chunk);
    ik_arena_free(a);
    return rc;
}

int cli_dkim(int argc, char **argv)
{
    if (argc < 2) {
        cli_error("dkim", "missing subcommand: verify or sign (try 'inkan dkim --help')");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(dkim_usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "verify") == 0)
        return dkim_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "sign") == 0)
        return dkim_sign(argc - 1, argv + 1);
    cli_error("dkim", "unknown subcommand '%s' (verify or sign)", argv[1]);
    return 2;
}
