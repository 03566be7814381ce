/* Temporary: subcommands not yet implemented report so and exit 2. */
#include <stdio.h>

#include "cli.h"

int cli_spf(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "inkan spf: not implemented yet\n");
    return 2;
}

int cli_senderid(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "inkan senderid: not implemented yet\n");
    return 2;
}
