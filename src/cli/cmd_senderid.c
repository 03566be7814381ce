/* Placeholder until the Sender ID module lands (branch msg). */
#include <stdio.h>

#include "cli.h"

int cli_senderid(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "inkan senderid: not implemented yet\n");
    return 2;
}
