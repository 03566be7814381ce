/*
 * cli.h - subcommands of inkan and the helpers they share.
 */
#ifndef INKAN_CLI_H
#define INKAN_CLI_H

int cli_spf(int argc, char **argv);
int cli_senderid(int argc, char **argv);
int cli_dkim(int argc, char **argv);
int cli_keygen(int argc, char **argv);
int cli_domainkeys(int argc, char **argv);
int cli_adsp(int argc, char **argv);
int cli_verify(int argc, char **argv);

#endif
