/*
 * cmd_domainkeys.c - "inkan domainkeys": verify or sign DomainKeys
 * (RFC 4870) signatures.
 *
 *   inkan domainkeys verify [--zone FILE | --resolver IP[@PORT] | --recursive]
 *                           [--json] [FILE...|-]
 *   inkan domainkeys sign --domain D --selector S --key FILE
 *                         [--canon simple|nofws] [--headers a:b:c] [FILE|-]
 *
 * verify: per message, the overall result on the first line (prefixed with
 * "FILE: " when several files are given), then one line per signature and
 * the sender policy; --json prints one object per message per line.  The
 * sender policy (_domainkey.<domain>) is always consulted when no
 * signature of the sender passed.
 * sign: writes the message with the DomainKey-Signature on top, the field's
 * line ends following the message's (LF-only files stay LF-only).
 * Messages with LF-only line ends are read as CRLF, as an MTA does.
 * Exit 0 when every message gave a result, 2 for bad usage or unreadable
 * input (one stderr line each), 1 for internal failures.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_msg.h"
#include "inkan/domainkeys.h"

#define MAX_MESSAGE (256u * 1024 * 1024)

static const char dk_usage[] =
    "usage: inkan domainkeys verify [options] [FILE...|-]\n"
    "       inkan domainkeys sign --domain D --selector S --key FILE [options] [FILE|-]\n"
    "verify options:\n"
    "  --json               one JSON object per message per line\n" CLI_DNS_USAGE "sign options:\n"
    "  --domain D           signing domain (d=): the Sender/From domain or a parent\n"
    "  --selector S         selector (s=): the key is at S._domainkey.D\n"
    "  --key FILE           RSA private key (PEM, mode 0600)\n"
    "  --canon simple|nofws canonicalization (default nofws)\n"
    "  --headers a:b:c      sign only these fields and list them in h=\n"
    "                       (default: no h=, every field is signed)\n";

enum { OPT_JSON = 1, OPT_DOMAIN, OPT_SELECTOR, OPT_KEY, OPT_CANON, OPT_HEADERS, OPT_HELP };

/* What the message reader's events drive: a verifier or a signer. */
typedef struct dk_run {
    ik_dk_verifier *v;
    ik_dk_signer *s;
    ik_resolver *r;
    ik_arena *a;
} dk_run;

static ik_status on_header(void *ud, const char *f, size_t n)
{
    dk_run *x = ud;
    return x->v ? ik_dk_verify_header(x->v, f, n) : ik_dk_sign_header(x->s, f, n);
}

static ik_status on_eoh(void *ud)
{
    dk_run *x = ud;
    if (x->s)
        return ik_dk_sign_eoh(x->s);
    ik_dns_query *q = NULL;
    ik_status st = ik_dk_verify_eoh(x->v, &q);
    if (st == IK_EAGAIN)
        st = ik_resolver_answer_all(x->r, x->a, q);
    return st;
}

static ik_status on_body(void *ud, const char *p, size_t n)
{
    dk_run *x = ud;
    return x->v ? ik_dk_verify_body(x->v, p, n) : ik_dk_sign_body(x->s, p, n);
}

static const cli_msg_sink dk_sink = { on_header, on_eoh, on_body };

/*
 * Runs the message through the CLI's message reader (cli_msg.h: line ends
 * made CRLF, an mbox "From " line skipped, fields and header bounded) into
 * x's verifier or signer, up to end of message.  On IK_ELIMIT *why says
 * which limit.
 */
static ik_status feed(dk_run *x, ik_str raw, const char **why)
{
    cli_msg m;
    *why = NULL;
    ik_status st = cli_msg_init(&m, &dk_sink, x);
    if (st == IK_OK && raw.len)
        st = cli_msg_feed(&m, raw.p, raw.len);
    if (st == IK_OK)
        st = cli_msg_end(&m);
    if (st == IK_ELIMIT)
        *why = m.error;
    cli_msg_free(&m);
    return st;
}

/* Verifies one message; 0, 2 for a message over the reader's limits, or 1
 * on an internal failure (printed). */
static int verify_one(ik_arena *a, ik_resolver *r, const char *name, ik_str raw, ik_dk_verifier *v)
{
    const char *prog = "domainkeys", *why;
    dk_run x = { v, NULL, r, a };
    ik_status st = feed(&x, raw, &why);
    ik_dns_query *q = NULL;
    while (st == IK_OK) {
        st = ik_dk_verify_eom(v, &q);
        if (st != IK_EAGAIN)
            break;
        st = ik_resolver_answer_all(r, a, q);
    }
    if (st == IK_ELIMIT && why != NULL) {
        cli_error(prog, "%s: %s", name, why);
        return 2;
    }
    if (st != IK_OK) {
        cli_error(prog, "verification failed: %s", ik_strerror(st));
        return 1;
    }
    return 0;
}

static void print_plain(const char *name, int several, ik_dk_verifier *v)
{
    if (several)
        printf("%s: ", name);
    printf("%s\n", ik_dk_result_name(ik_dk_verify_overall(v)));
    for (size_t i = 0; i < ik_dk_verify_count(v); i++) {
        const ik_dk_sigresult *s = ik_dk_verify_get(v, i);
        printf("signature %zu: %s", i + 1, ik_dk_result_name(s->result));
        if (s->domain.len)
            printf(" d=%.*s", (int)s->domain.len, s->domain.p);
        if (s->selector.len)
            printf(" s=%.*s", (int)s->selector.len, s->selector.p);
        if (s->sig)
            printf(" c=%s", ik_dk_canon_name(s->sig->canon));
        if (s->identity.len)
            printf(" identity=%.*s (%s)", (int)s->identity.len, s->identity.p, s->identity_header);
        if (s->key_bits)
            printf(" key-bits=%u%s", s->key_bits, s->key_testing ? " testing" : "");
        if (s->reason[0])
            printf(": %s", s->reason);
        printf("\n");
    }
    const ik_dk_policy_outcome *p = ik_dk_verify_policy(v);
    printf("policy: %s", ik_dk_policy_verdict_name(p->verdict));
    if (p->domain.len)
        printf(" (_domainkey.%.*s)", (int)p->domain.len, p->domain.p);
    printf(": %s\n", p->reason);
}

static void print_json(ik_arena *a, const char *name, ik_dk_verifier *v)
{
    ik_buf b;
    ik_buf_init(&b, a, 0);
    int first = 1;
    ik_buf_putc(&b, '{');
    cli_json_kv_c(&b, &first, "file", name);
    cli_json_kv_c(&b, &first, "result", ik_dk_result_name(ik_dk_verify_overall(v)));
    cli_json_key(&b, &first, "signatures");
    ik_buf_putc(&b, '[');
    for (size_t i = 0; i < ik_dk_verify_count(v); i++) {
        const ik_dk_sigresult *s = ik_dk_verify_get(v, i);
        int f2 = 1;
        ik_buf_append_c(&b, i ? ",{" : "{");
        cli_json_kv_c(&b, &f2, "result", ik_dk_result_name(s->result));
        cli_json_kv_c(&b, &f2, "reason", s->reason);
        cli_json_kv(&b, &f2, "domain", s->domain);
        cli_json_kv(&b, &f2, "selector", s->selector);
        if (s->sig) {
            cli_json_kv_c(&b, &f2, "canonicalization", ik_dk_canon_name(s->sig->canon));
            cli_json_key(&b, &f2, "headers");
            if (s->sig->has_h) {
                ik_buf_putc(&b, '[');
                for (size_t k = 0; k < s->sig->nh; k++) {
                    if (k)
                        ik_buf_putc(&b, ',');
                    cli_json_str(&b, s->sig->h[k]);
                }
                ik_buf_putc(&b, ']');
            } else {
                ik_buf_append_c(&b, "null");
            }
        }
        cli_json_kv(&b, &f2, "identity", s->identity);
        cli_json_kv_c(&b, &f2, "identity_header", s->identity_header);
        cli_json_kv_u(&b, &f2, "key_bits", s->key_bits);
        cli_json_key(&b, &f2, "key_testing");
        ik_buf_append_c(&b, s->key_testing ? "true" : "false");
        ik_buf_putc(&b, '}');
    }
    ik_buf_putc(&b, ']');
    const ik_dk_policy_outcome *p = ik_dk_verify_policy(v);
    cli_json_key(&b, &first, "policy");
    int f3 = 1;
    ik_buf_putc(&b, '{');
    cli_json_kv_c(&b, &f3, "verdict", ik_dk_policy_verdict_name(p->verdict));
    cli_json_kv_c(&b, &f3, "reason", p->reason);
    cli_json_kv(&b, &f3, "sender", p->sender);
    cli_json_kv(&b, &f3, "domain", p->domain);
    if (p->found) {
        cli_json_kv(&b, &f3, "record", p->record);
        cli_json_kv_c(&b, &f3, "o", p->policy.sign_all ? "-" : "~");
        cli_json_key(&b, &f3, "testing");
        ik_buf_append_c(&b, p->policy.testing ? "true" : "false");
        cli_json_kv(&b, &f3, "r", p->policy.r);
        cli_json_kv(&b, &f3, "n", p->policy.n);
    } else {
        cli_json_kv_null(&b, &f3, "record");
    }
    ik_buf_append_c(&b, "}}\n");
    ik_str s = ik_buf_str(&b);
    fwrite(s.p, 1, s.len, stdout);
}

static int dk_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, OPT_HELP },
        CLI_DNS_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "domainkeys";
    int json = 0, opt, r;
    cli_dns_opts dns = { 0 };
    optind = 1;
    opterr = 0; /* one stderr line: ours */
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_JSON: json = 1; break;
        case OPT_HELP: fputs(dk_usage, stdout); return 0;
        default:
            r = cli_dns_option(&dns, opt, optarg, prog);
            if (r == 1)
                break;
            if (r == 0)
                cli_error(prog, "bad option '%s' (try 'inkan domainkeys --help')",
                          argv[optind - 1]);
            return 2;
        }
    }
    static char *const stdin_only[] = { "-" };
    char *const *files = optind < argc ? argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;
    cli_dns res;
    if (cli_dns_open(&dns, prog, &res) != 0)
        return 2;
    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        ik_arena *a = ik_arena_new(NULL);
        if (a == NULL) {
            cli_error(prog, "out of memory");
            rc = 1;
            break;
        }
        ik_str raw;
        if (cli_read_file(a, files[i], MAX_MESSAGE, prog, &raw) != 0) {
            rc = rc ? rc : 2;
            ik_arena_free(a);
            continue;
        }
        ik_dk_verify_config cfg = { 0 };
        cfg.check_policy = 1;
        ik_dk_verifier *v = ik_dk_verify_new(a, &cfg);
        int vr;
        if (v == NULL) {
            cli_error(prog, "out of memory");
            rc = 1;
        } else if ((vr = verify_one(a, &res.r, files[i], raw, v)) != 0) {
            rc = rc == 1 ? 1 : vr;
        } else if (json) {
            print_json(a, files[i], v);
        } else {
            print_plain(files[i], nfiles > 1, v);
        }
        ik_arena_free(a);
    }
    cli_dns_close(&res);
    return rc;
}

static int dk_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "key", required_argument, NULL, OPT_KEY },
        { "canon", required_argument, NULL, OPT_CANON },
        { "headers", required_argument, NULL, OPT_HEADERS },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "domainkeys";
    const char *domain = NULL, *selector = NULL, *keyfile = NULL, *canon = NULL;
    const char *headers = NULL;
    int opt;
    optind = 1;
    opterr = 0; /* one stderr line: ours */
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_DOMAIN: domain = optarg; break;
        case OPT_SELECTOR: selector = optarg; break;
        case OPT_KEY: keyfile = optarg; break;
        case OPT_CANON: canon = optarg; break;
        case OPT_HEADERS: headers = optarg; break;
        case OPT_HELP: fputs(dk_usage, stdout); return 0;
        default:
            cli_error(prog, "bad option '%s' (try 'inkan domainkeys --help')", argv[optind - 1]);
            return 2;
        }
    }
    if (domain == NULL || selector == NULL || keyfile == NULL) {
        cli_error(prog, "sign needs --domain, --selector and --key");
        return 2;
    }
    if (argc - optind > 1) {
        cli_error(prog, "sign takes one message (FILE or -)");
        return 2;
    }
    ik_dk_sign_params p;
    ik_dk_sign_params_init(&p);
    if (canon == NULL || strcmp(canon, "nofws") == 0)
        p.canon = IK_DK_CANON_NOFWS;
    else if (strcmp(canon, "simple") == 0)
        p.canon = IK_DK_CANON_SIMPLE;
    else {
        cli_error(prog, "--canon: '%s' is not simple or nofws", canon);
        return 2;
    }
    if (headers != NULL && headers[0] == '\0') {
        cli_error(prog, "--headers: the list is empty");
        return 2;
    }
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL) {
        cli_error(prog, "out of memory");
        return 1;
    }
    ik_buf why;
    ik_buf_init(&why, a, 0);
    ik_pkey *key = NULL;
    if (ik_pkey_load_private(NULL, keyfile, &key, &why) != IK_OK) {
        cli_error(prog, "--key: %s", why.len ? why.p : keyfile);
        ik_arena_free(a);
        return 2;
    }
    int rc = 0;
    ik_str raw;
    if (cli_read_file(a, optind < argc ? argv[optind] : "-", MAX_MESSAGE, prog, &raw) != 0) {
        rc = 2;
        goto out;
    }
    p.key = key;
    p.domain = ik_str_c(domain);
    p.selector = ik_str_c(selector);
    p.headers = headers;
    ik_dk_signer *s = ik_dk_sign_new(a, &p);
    if (s == NULL) {
        cli_error(prog, "out of memory");
        rc = 1;
        goto out;
    }
    dk_run x = { NULL, s, NULL, a };
    const char *why_limit;
    ik_status st = feed(&x, raw, &why_limit);
    if (st == IK_OK)
        st = ik_dk_sign_eom(s);
    if (st == IK_ELIMIT && why_limit != NULL) {
        cli_error(prog, "cannot sign: %s", why_limit);
        rc = 2;
        goto out;
    }
    if (st != IK_OK) {
        const char *e = ik_dk_sign_error(s);
        cli_error(prog, "cannot sign: %s", e[0] ? e : ik_strerror(st));
        rc = st == IK_ENOMEM ? 1 : 2;
        goto out;
    }
    /* Keep the message's own line ends: CRLF unless it had none. */
    int lf_only = memchr(raw.p, '\r', raw.len) == NULL;
    ik_str field = ik_dk_sign_field(s);
    for (size_t i = 0; i < field.len; i++)
        if (!(lf_only && field.p[i] == '\r'))
            putchar(field.p[i]);
    fputs(lf_only ? "\n" : "\r\n", stdout);
    fwrite(raw.p, 1, raw.len, stdout);
    if (fflush(stdout) != 0) {
        cli_error(prog, "write error");
        rc = 1;
    }
out:
    ik_pkey_free(key);
    ik_arena_free(a);
    return rc;
}

int cli_domainkeys(int argc, char **argv)
{
    if (argc < 2) {
        cli_error("domainkeys", "verify or sign expected (try 'inkan domainkeys --help')");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(dk_usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "verify") == 0)
        return dk_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "sign") == 0)
        return dk_sign(argc - 1, argv + 1);
    cli_error("domainkeys", "unknown subcommand '%s' (verify or sign)", argv[1]);
    return 2;
}
