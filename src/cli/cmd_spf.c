/*
 * cmd_spf.c - "inkan spf": evaluate SPF (RFC 7208) for one client.
 *
 *   inkan spf --ip IP (--mail-from ADDR | --helo NAME) [--helo NAME]
 *             [--scope mfrom|helo] [--receiver NAME] [--default-exp TEXT]
 *             [--zone FILE | --resolver IP[@PORT] | --recursive] [--json]
 *
 * Plain output: the result keyword on the first line, then "key: value"
 * lines.  --json: one object.  Exit 0 whenever a result was produced.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_spfout.h"
#include "inkan/spf.h"

static const char spf_usage[] =
    "usage: inkan spf --ip IP (--mail-from ADDR | --helo NAME) [options]\n"
    "  --ip IP              client address (IPv4 or IPv6)\n"
    "  --mail-from ADDR     MAIL FROM address (\"\" = null sender)\n"
    "  --helo NAME          HELO/EHLO name\n"
    "  --scope mfrom|helo   identity to check (default: mfrom if --mail-from\n"
    "                       is given, else helo)\n"
    "  --receiver NAME      this host's name for %{r} and Received-SPF\n"
    "  --default-exp TEXT   explanation when the domain gives none\n"
    "  --json               one JSON object instead of text\n" CLI_DNS_USAGE;

enum {
    OPT_IP = 1,
    OPT_MAILFROM,
    OPT_HELO,
    OPT_SCOPE,
    OPT_RECEIVER,
    OPT_DEFAULT_EXP,
    OPT_JSON,
    OPT_HELP
};

static void print_plain(const ik_spf_params *p, const ik_spf_outcome *o, ik_str received,
                        ik_str authres)
{
    (void)p;
    printf("%s\n", ik_spf_result_name(o->result));
    printf("identity: %.*s\n", (int)o->identity.len, o->identity.p);
    printf("domain: %.*s\n", (int)o->domain.len, o->domain.p);
    cli_spf_details_plain(o, o->problem);
    printf("%.*s\n", (int)received.len, received.p);
    printf("Authentication-Results: %.*s\n", (int)authres.len, authres.p);
}

static void print_json(ik_arena *a, const ik_spf_params *p, const ik_spf_outcome *o,
                       ik_str received, ik_str authres)
{
    ik_buf b;
    ik_buf_init(&b, a, 0);
    int first = 1;
    char ipbuf[IK_IP_TEXT_MAX];
    ik_ip_format(&p->ip, ipbuf);
    ik_buf_putc(&b, '{');
    cli_json_kv_c(&b, &first, "result", ik_spf_result_name(o->result));
    cli_json_kv_c(&b, &first, "scope", p->scope == IK_SPF_SCOPE_HELO ? "helo" : "mfrom");
    cli_json_kv_c(&b, &first, "ip", ipbuf);
    cli_json_kv(&b, &first, "identity", o->identity);
    cli_spf_details_json(&b, &first, o, o->problem);
    cli_json_kv(&b, &first, "received_spf", received);
    cli_json_kv(&b, &first, "authentication_results", authres);
    ik_buf_append_c(&b, "}\n");
    ik_str s = ik_buf_str(&b);
    fwrite(s.p, 1, s.len, stdout);
}

int cli_spf(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "ip", required_argument, NULL, OPT_IP },
        { "mail-from", required_argument, NULL, OPT_MAILFROM },
        { "helo", required_argument, NULL, OPT_HELO },
        { "scope", required_argument, NULL, OPT_SCOPE },
        { "receiver", required_argument, NULL, OPT_RECEIVER },
        { "default-exp", required_argument, NULL, OPT_DEFAULT_EXP },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, OPT_HELP },
        CLI_DNS_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "spf";
    const char *ip = NULL, *mailfrom = NULL, *helo = NULL, *scope = NULL;
    const char *receiver = NULL, *default_exp = NULL;
    int json = 0, opt, r;
    cli_dns_opts dns = { 0 };

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_IP: ip = optarg; break;
        case OPT_MAILFROM: mailfrom = optarg; break;
        case OPT_HELO: helo = optarg; break;
        case OPT_SCOPE: scope = optarg; break;
        case OPT_RECEIVER: receiver = optarg; break;
        case OPT_DEFAULT_EXP: default_exp = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_HELP: fputs(spf_usage, stdout); return 0;
        default:
            r = cli_dns_option(&dns, opt, optarg, prog);
            if (r == 1)
                break;
            if (r == 0)
                fputs(spf_usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        cli_error(prog, "unexpected argument '%s'", argv[optind]);
        return 2;
    }
    if (ip == NULL || (mailfrom == NULL && helo == NULL)) {
        cli_error(prog, "--ip and one of --mail-from or --helo are required");
        fputs(spf_usage, stderr);
        return 2;
    }

    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    if (ik_ip_parse(ik_str_c(ip), &p.ip) != IK_OK) {
        cli_error(prog, "--ip: '%s' is not an IPv4 or IPv6 address", ip);
        return 2;
    }
    if (scope == NULL)
        p.scope = mailfrom ? IK_SPF_SCOPE_MFROM : IK_SPF_SCOPE_HELO;
    else if (strcmp(scope, "mfrom") == 0)
        p.scope = IK_SPF_SCOPE_MFROM;
    else if (strcmp(scope, "helo") == 0)
        p.scope = IK_SPF_SCOPE_HELO;
    else {
        cli_error(prog, "--scope: '%s' is not mfrom or helo", scope);
        return 2;
    }
    if (p.scope == IK_SPF_SCOPE_HELO && helo == NULL) {
        cli_error(prog, "--scope helo needs --helo");
        return 2;
    }
    if (p.scope == IK_SPF_SCOPE_MFROM && mailfrom == NULL) {
        cli_error(prog, "--scope mfrom needs --mail-from");
        return 2;
    }
    if (mailfrom && mailfrom[0] == '\0' && helo == NULL) {
        cli_error(prog, "a null --mail-from is checked as postmaster@HELO: give --helo");
        return 2;
    }
    p.sender = ik_str_c(mailfrom ? mailfrom : "");
    p.helo = ik_str_c(helo ? helo : "");
    p.receiver = ik_str_c(receiver ? receiver : "");
    p.default_exp = ik_str_c(default_exp ? default_exp : "");
    p.records = IK_SPF_RECORDS_SPF1;

    cli_dns res;
    if (cli_dns_open(&dns, prog, &res) != 0)
        return 2;
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL) {
        cli_dns_close(&res);
        cli_error(prog, "out of memory");
        return 1;
    }
    ik_spf_outcome o;
    ik_status st = ik_spf_check(a, &p, &res.r, &o);
    int rc = 0;
    if (st != IK_OK) {
        cli_error(prog, "evaluation failed: %s", ik_strerror(st));
        rc = 1;
    } else {
        ik_str received = ik_spf_received_spf(a, &p, &o);
        ik_str authres = ik_spf_authres(a, &p, &o);
        if (json)
            print_json(a, &p, &o, received, authres);
        else
            print_plain(&p, &o, received, authres);
    }
    ik_arena_free(a);
    cli_dns_close(&res);
    return rc;
}
