/*
 * cmd_senderid.c - "inkan senderid": evaluate Sender ID (RFC 4406/4407)
 * for one message.
 *
 *   inkan senderid --ip IP [--helo NAME] [--mail-from ADDR]
 *                  [--scope pra|mfrom] [--receiver NAME] [--json]
 *                  [--zone FILE | --resolver IP[@PORT]] [FILE|-]
 *
 * Only the header section is read (streamed, bounded); the body is never
 * loaded.  Plain output: the result keyword first, then "key: value"
 * lines.  Exit 0 whenever a result was produced.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_spfout.h"
#include "inkan/header.h"
#include "inkan/senderid.h"

static const char senderid_usage[] =
    "usage: inkan senderid --ip IP [options] [FILE|-]\n"
    "  --ip IP              client address (IPv4 or IPv6)\n"
    "  --helo NAME          HELO/EHLO name\n"
    "  --mail-from ADDR     MAIL FROM address (for --scope mfrom)\n"
    "  --scope pra|mfrom    identity to check (default pra: the Purported\n"
    "                       Responsible Address from the header)\n"
    "  --receiver NAME      this host's name for %{r}\n"
    "  --json               one JSON object instead of text\n" CLI_DNS_USAGE;

enum { OPT_IP = 1, OPT_HELO, OPT_MAILFROM, OPT_SCOPE, OPT_RECEIVER, OPT_JSON, OPT_HELP };

/* Reads just the header section of path into the parser. */
static int read_header(ik_hdr_parser *hp, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        cli_error("senderid", "%s: %s", path, strerror(errno));
        return -1;
    }
    char chunk[16384];
    size_t n;
    int rc = 0;
    while (!ik_hdr_parser_done(hp) && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        ik_status st = ik_hdr_parser_feed(hp, chunk, n, NULL);
        if (st != IK_OK) {
            ik_str why = IK_STR_NULL;
            ik_hdr_parser_status(hp, &why);
            cli_error("senderid", "%s: header section: %.*s", path, (int)why.len,
                      why.p ? why.p : ik_strerror(st));
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        cli_error("senderid", "%s: read error", path);
        rc = -1;
    }
    if (f != stdin)
        fclose(f);
    if (rc == 0)
        ik_hdr_parser_finish(hp);
    return rc;
}

static void print_result(ik_arena *a, const ik_senderid_params *p, const ik_senderid_outcome *o,
                         int json)
{
    const ik_spf_outcome *s = &o->spf;
    ik_str authres = ik_senderid_authres(a, o);
    ik_str problem = o->problem.len ? o->problem : s->problem;
    const char *scope = p->scope == IK_SPF_SCOPE_MFROM ? "mfrom" : "pra";
    if (!json) {
        printf("%s\n", ik_spf_result_name(o->result));
        printf("scope: %s\n", scope);
        if (p->scope == IK_SPF_SCOPE_PRA)
            printf("pra: %.*s%s%.*s%s\n", (int)o->pra.mailbox.addr_spec.len,
                   o->pra.mailbox.addr_spec.p, o->pra.field_name.len ? " (" : "",
                   (int)o->pra.field_name.len, o->pra.field_name.p,
                   o->pra.field_name.len ? ")" : "");
        printf("identity: %.*s\n", (int)o->identity.len, o->identity.p);
        cli_spf_details_plain(s, problem);
        printf("Authentication-Results: %.*s\n", (int)authres.len, authres.p);
        return;
    }
    ik_buf b;
    ik_buf_init(&b, a, 0);
    int first = 1;
    ik_buf_putc(&b, '{');
    cli_json_kv_c(&b, &first, "result", ik_spf_result_name(o->result));
    cli_json_kv_c(&b, &first, "scope", scope);
    cli_json_kv(&b, &first, "pra", o->pra.mailbox.addr_spec);
    cli_json_kv(&b, &first, "pra_field", o->pra.field_name);
    cli_json_kv_c(&b, &first, "pra_reason", ik_pra_reason_name(o->pra.reason));
    cli_json_kv(&b, &first, "identity", o->identity);
    cli_spf_details_json(&b, &first, s, problem);
    cli_json_kv(&b, &first, "authentication_results", authres);
    ik_buf_append_c(&b, "}\n");
    ik_str out = ik_buf_str(&b);
    fwrite(out.p, 1, out.len, stdout);
}

int cli_senderid(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "ip", required_argument, NULL, OPT_IP },
        { "helo", required_argument, NULL, OPT_HELO },
        { "mail-from", required_argument, NULL, OPT_MAILFROM },
        { "scope", required_argument, NULL, OPT_SCOPE },
        { "receiver", required_argument, NULL, OPT_RECEIVER },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, OPT_HELP },
        CLI_DNS_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "senderid";
    const char *ip = NULL, *helo = NULL, *mailfrom = NULL, *scope = NULL;
    const char *receiver = NULL;
    int json = 0, opt, r;
    cli_dns_opts dns = { 0 };

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_IP: ip = optarg; break;
        case OPT_HELO: helo = optarg; break;
        case OPT_MAILFROM: mailfrom = optarg; break;
        case OPT_SCOPE: scope = optarg; break;
        case OPT_RECEIVER: receiver = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_HELP: fputs(senderid_usage, stdout); return 0;
        default:
            r = cli_dns_option(&dns, opt, optarg, prog);
            if (r == 1)
                break;
            if (r == 0)
                fputs(senderid_usage, stderr);
            return 2;
        }
    }
    if (argc - optind > 1) {
        cli_error(prog, "one message at a time (got %d files)", argc - optind);
        return 2;
    }
    const char *path = optind < argc ? argv[optind] : "-";
    if (ip == NULL) {
        cli_error(prog, "--ip is required");
        fputs(senderid_usage, stderr);
        return 2;
    }
    ik_senderid_params p;
    memset(&p, 0, sizeof(p));
    if (ik_ip_parse(ik_str_c(ip), &p.ip) != IK_OK) {
        cli_error(prog, "--ip: '%s' is not an IPv4 or IPv6 address", ip);
        return 2;
    }
    if (scope == NULL || strcmp(scope, "pra") == 0) {
        p.scope = IK_SPF_SCOPE_PRA;
    } else if (strcmp(scope, "mfrom") == 0) {
        p.scope = IK_SPF_SCOPE_MFROM;
        if (mailfrom == NULL) {
            cli_error(prog, "--scope mfrom needs --mail-from");
            return 2;
        }
        if (mailfrom[0] == '\0' && helo == NULL) {
            cli_error(prog, "a null --mail-from is checked as postmaster@HELO: give --helo");
            return 2;
        }
    } else {
        cli_error(prog, "--scope: '%s' is not pra or mfrom", scope);
        return 2;
    }
    p.helo = ik_str_c(helo ? helo : "");
    p.mailfrom = ik_str_c(mailfrom ? mailfrom : "");
    p.receiver = ik_str_c(receiver ? receiver : "");

    ik_arena *a = ik_arena_new(NULL);
    ik_hdr_parser *hp = NULL;
    if (a == NULL || ik_hdr_parser_new(a, NULL, &hp) != IK_OK) {
        cli_error(prog, "out of memory");
        ik_arena_free(a);
        return 1;
    }
    if (p.scope == IK_SPF_SCOPE_PRA) {
        if (read_header(hp, path) != 0) {
            ik_arena_free(a);
            return 2;
        }
        p.fields = ik_hdr_parser_fields(hp, &p.nfields);
    }
    cli_dns res;
    if (cli_dns_open(&dns, prog, &res) != 0) {
        ik_arena_free(a);
        return 2;
    }
    ik_senderid_outcome o;
    ik_status st = ik_senderid_check(a, &p, &res.r, &o);
    int rc = 0;
    if (st != IK_OK) {
        cli_error(prog, "evaluation failed: %s", ik_strerror(st));
        rc = 1;
    } else {
        print_result(a, &p, &o, json);
    }
    cli_dns_close(&res);
    ik_arena_free(a);
    return rc;
}
