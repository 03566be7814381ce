/*
 * main.c - the inkan command: dispatch to subcommands.
 *
 * Exit codes (every subcommand): 0 an evaluation produced a result (any
 * result), 2 bad usage or unreadable input (one line on stderr), 1 an
 * internal failure such as out of memory.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "spf", cli_spf, "evaluate SPF (RFC 7208) for a client and identity" },
    { "senderid", cli_senderid, "evaluate Sender ID (RFC 4406) for a message" },
    { "dkim", cli_dkim, "verify or sign DKIM signatures (RFC 6376, 8463)" },
    { "keygen", cli_keygen, "generate a DKIM key pair and its DNS record" },
    { "domainkeys", cli_domainkeys, "verify or sign DomainKeys (RFC 4870) signatures" },
    { "adsp", cli_adsp, "evaluate ADSP (RFC 5617) for an author domain" },
    { "verify", cli_verify, "verify a message: every method, Authentication-Results, ARC seal" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: inkan COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'inkan COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "inkan: unknown command '%s' (try 'inkan --help')\n", argv[1]);
    return 2;
}
