/*
 * cli_common.h - helpers shared by the inkan subcommands: DNS set-up from
 * the common options, JSON output, reading messages.
 */
#ifndef INKAN_CLI_COMMON_H
#define INKAN_CLI_COMMON_H

#include <stdio.h>

#include "inkan/arena.h"
#include "inkan/buf.h"
#include "inkan/dns.h"

/* Options every DNS-using subcommand accepts. */
typedef struct cli_dns_opts {
    const char *zone;         /* --zone FILE: static zone, no network */
    const char *resolver;     /* --resolver IP[@PORT]: forward to one server */
    int recursive;            /* --recursive: full recursion with DNSSEC */
    unsigned timeout_ms;      /* --dns-timeout MS */
    const char *trust_anchor; /* --trust-anchor FILE: DNSSEC trust anchor */
    const char *root_server;  /* --root-server IP[@PORT]: recursion starts there */
} cli_dns_opts;

/* getopt_long ids for the DNS options (above any short option char). */
enum {
    CLI_OPT_ZONE = 1000,
    CLI_OPT_RESOLVER,
    CLI_OPT_RECURSIVE,
    CLI_OPT_DNS_TIMEOUT,
    CLI_OPT_TRUST_ANCHOR,
    CLI_OPT_ROOT_SERVER
};

#define CLI_DNS_LONGOPTS                                                                           \
    { "zone", required_argument, NULL, CLI_OPT_ZONE },                                             \
        { "resolver", required_argument, NULL, CLI_OPT_RESOLVER },                                 \
        { "recursive", no_argument, NULL, CLI_OPT_RECURSIVE },                                     \
        { "trust-anchor", required_argument, NULL, CLI_OPT_TRUST_ANCHOR },                         \
        { "root-server", required_argument, NULL, CLI_OPT_ROOT_SERVER },                           \
    {                                                                                              \
        "dns-timeout", required_argument, NULL, CLI_OPT_DNS_TIMEOUT                                \
    }

#define CLI_DNS_USAGE                                                                              \
    "  --zone FILE          answer DNS from a zone file (no network)\n"                            \
    "  --resolver IP[@PORT] forward DNS queries to this server\n"                                  \
    "  --recursive          full recursion with DNSSEC validation\n"                               \
    "  --trust-anchor FILE  DNSSEC trust anchor (DS or DNSKEY records); with\n"                    \
    "                       --recursive the default is the root's\n"                               \
    "  --root-server IP[@PORT]\n"                                                                  \
    "                       --recursive starts at this server, not the root\n"                     \
    "  --dns-timeout MS     per-query timeout (default 5000)\n"

/* Handles one DNS option; returns 1 if opt was one, 0 if not, -1 on error. */
int cli_dns_option(cli_dns_opts *o, int opt, const char *arg, const char *prog);

/* An open resolver and, for --zone, the zone it answers from. */
typedef struct cli_dns {
    ik_resolver r;
    struct ik_zone *zone;
} cli_dns;

/*
 * Builds the resolver the options ask for.  On failure prints one line
 * "inkan CMD: ..." (with file:line for zone errors) to stderr and returns
 * non-zero.  Close with cli_dns_close.
 */
int cli_dns_open(const cli_dns_opts *o, const char *prog, cli_dns *out);
void cli_dns_close(cli_dns *d);

/* Writes s as a JSON string literal (with quotes). */
void cli_json_str(ik_buf *b, ik_str s);
/* Writes "key": "value" with a leading comma unless first. */
void cli_json_kv(ik_buf *b, int *first, const char *key, ik_str value);
void cli_json_kv_c(ik_buf *b, int *first, const char *key, const char *value);
/* Prints {"file": file, "error": why} and a newline to stdout: a message
 * that produced no result, in --json mode. */
void cli_json_error(ik_arena *a, const char *file, const char *why);
void cli_json_kv_u(ik_buf *b, int *first, const char *key, unsigned long v);
void cli_json_kv_null(ik_buf *b, int *first, const char *key);
/* Writes "key": with a leading comma unless first (caller writes the value). */
void cli_json_key(ik_buf *b, int *first, const char *key);

/*
 * Reads a whole file ("-" = stdin) into arena memory, at most max bytes.
 * Returns 0, or prints "inkan CMD: FILE: reason" and returns -1.
 */
int cli_read_file(ik_arena *a, const char *path, size_t max, const char *prog, ik_str *out);

/* Prints "inkan CMD: message" on stderr. */
void cli_error(const char *prog, const char *fmt, ...) IK_PRINTFLIKE(2, 3);

#endif
