/*
 * cmd_adsp.c - "inkan adsp": the ADSP (RFC 5617) result for an author
 * domain.
 *
 *   inkan adsp [--zone FILE | --resolver IP[@PORT] | --recursive] [--json]
 *              [--dkim-pass DOMAIN ...] FROM-DOMAIN
 *
 * FROM-DOMAIN may also be an address (the part after the last "@" is
 * used).  Each --dkim-pass names the d= of a DKIM signature that verified;
 * one equal to the author domain gives "pass" without DNS.
 * Plain output: the result keyword on the first line, then "key: value"
 * lines.  --json: one object.  Exit 0 whenever a result was produced, 2 on
 * bad usage (one stderr line), 1 on internal failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "inkan/adsp.h"

#define MAX_PASS 64

static const char adsp_usage[] =
    "usage: inkan adsp [options] FROM-DOMAIN\n"
    "  --dkim-pass DOMAIN   d= of a DKIM signature that verified (repeatable)\n"
    "  --json               one JSON object instead of text\n" CLI_DNS_USAGE;

enum { OPT_JSON = 1, OPT_PASS, OPT_HELP };

int cli_adsp(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "dkim-pass", required_argument, NULL, OPT_PASS },
        { "help", no_argument, NULL, OPT_HELP },
        CLI_DNS_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "adsp";
    ik_str pass[MAX_PASS];
    size_t npass = 0;
    int json = 0, opt, r;
    cli_dns_opts dns = { 0 };
    optind = 1;
    opterr = 0; /* one stderr line: ours */
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_JSON: json = 1; break;
        case OPT_PASS:
            if (npass == MAX_PASS) {
                cli_error(prog, "more than %d --dkim-pass options", MAX_PASS);
                return 2;
            }
            pass[npass++] = ik_str_c(optarg);
            break;
        case OPT_HELP: fputs(adsp_usage, stdout); return 0;
        default:
            r = cli_dns_option(&dns, opt, optarg, prog);
            if (r == 1)
                break;
            if (r == 0)
                cli_error(prog, "bad option '%s' (try 'inkan adsp --help')", argv[optind - 1]);
            return 2;
        }
    }
    if (argc - optind != 1) {
        cli_error(prog, argc - optind ? "one FROM-DOMAIN expected" : "FROM-DOMAIN missing");
        return 2;
    }
    const char *from = argv[optind];
    const char *at = strrchr(from, '@');
    const char *domain = at ? at + 1 : from;
    if (domain[0] == '\0') {
        cli_error(prog, "'%s' has no domain", from);
        return 2;
    }
    cli_dns res;
    if (cli_dns_open(&dns, prog, &res) != 0)
        return 2;
    ik_arena *a = ik_arena_new(NULL);
    ik_adsp *c = a ? ik_adsp_new(a, ik_str_c(domain), pass, npass) : NULL;
    if (c == NULL) {
        cli_error(prog, "out of memory");
        ik_arena_free(a);
        cli_dns_close(&res);
        return 1;
    }
    ik_status st;
    for (;;) {
        ik_dns_query *q;
        st = ik_adsp_eval(c, &q);
        if (st != IK_EAGAIN)
            break;
        st = ik_resolver_answer_all(&res.r, a, q);
        if (st != IK_OK)
            break;
    }
    int rc = 0;
    if (st != IK_OK) {
        cli_error(prog, "evaluation failed: %s", ik_strerror(st));
        rc = 1;
    } else {
        const ik_adsp_outcome *o = ik_adsp_get(c);
        if (json) {
            ik_buf b;
            ik_buf_init(&b, a, 0);
            int first = 1;
            ik_buf_putc(&b, '{');
            cli_json_kv_c(&b, &first, "result", ik_adsp_result_name(o->result));
            cli_json_kv(&b, &first, "domain", o->domain);
            if (o->has_record) {
                cli_json_kv_c(&b, &first, "practice", ik_adsp_practice_name(o->practice));
                cli_json_kv(&b, &first, "record", o->record);
            } else {
                cli_json_kv_null(&b, &first, "practice");
                cli_json_kv_null(&b, &first, "record");
            }
            cli_json_kv_c(&b, &first, "reason", o->reason);
            ik_buf_append_c(&b, "}\n");
            fwrite(b.p, 1, b.len, stdout);
        } else {
            printf("%s\n", ik_adsp_result_name(o->result));
            printf("domain: %.*s\n", (int)o->domain.len, o->domain.p);
            if (o->has_record) {
                printf("practice: %s\n", ik_adsp_practice_name(o->practice));
                printf("record: %.*s\n", (int)o->record.len, o->record.p);
            }
            printf("reason: %s\n", o->reason);
        }
    }
    ik_arena_free(a);
    cli_dns_close(&res);
    return rc;
}
