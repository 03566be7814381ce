/*
 * cli_msg.h - streaming message reader for the CLI: raw bytes in, in any
 * chunking; header fields, end of headers and body chunks out, in milter
 * order, with line ends made CRLF the way an MTA reads mail.
 *
 * Line ends: an LF not preceded by CR becomes CRLF (so LF-only files verify
 * as they would after SMTP); a CR not followed by LF is kept as a data byte
 * inside its line, as Postfix does.  The line-end style of the input (that
 * of its first line) is recorded so a signer can write its fields the same
 * way.
 *
 * Header fields: a field is a line plus the continuation lines that start
 * with SP or HTAB (RFC 5322 2.2.3), handed on with its final CRLF.  An
 * empty line ends the header; a message without one has no body.  A first
 * line "From <sender> <date>" (an mbox envelope line) is not a field: it is
 * skipped and its raw length recorded.
 *
 * Memory is bounded: one field is held while it is incomplete (at most
 * CLI_MSG_MAX_FIELD bytes) and the body is passed on chunk by chunk, never
 * kept.  The whole header block is bounded too (CLI_MSG_MAX_HEADER).
 * Ownership: the reader owns its field buffer (cli_msg_free releases it).
 * Threads: one reader per thread.
 */
#ifndef INKAN_CLI_MSG_H
#define INKAN_CLI_MSG_H

#include <stddef.h>

#include "inkan/buf.h"
#include "inkan/common.h"

/* One header field (RFC 5322 allows no bound; Postfix's header_size_limit
 * default is 100 KB, and no signature survives a field this long). */
#define CLI_MSG_MAX_FIELD (1024u * 1024u)
/* The header block as a whole. */
#define CLI_MSG_MAX_HEADER (8u * 1024u * 1024u)

typedef struct cli_msg_sink {
    ik_status (*header)(void *ud, const char *field, size_t len);
    ik_status (*eoh)(void *ud);
    ik_status (*body)(void *ud, const char *p, size_t len);
} cli_msg_sink;

typedef struct cli_msg {
    const cli_msg_sink *sink;
    void *ud;
    int state;           /* see cli_msg.c */
    int prev_cr;         /* last raw byte was CR (across chunks) */
    int lf_only;         /* first line ended with a bare LF */
    int seen_eol;        /* lf_only is known */
    size_t lines;        /* complete header lines so far */
    size_t envelope_raw; /* raw bytes of a skipped mbox "From " line, or 0 */
    size_t header_bytes; /* normalized bytes of the header block */
    ik_buf field;        /* the field being collected */
    char *scratch;       /* normalized copy of one chunk */
    size_t scratch_cap;
    const char *error; /* static text for the last IK_ELIMIT */
} cli_msg;

/* Starts a reader; the sink is borrowed.  IK_ENOMEM possible. */
ik_status cli_msg_init(cli_msg *m, const cli_msg_sink *sink, void *ud);
/* Feeds raw bytes.  Returns IK_OK, a sink's error, or IK_ELIMIT (m->error). */
ik_status cli_msg_feed(cli_msg *m, const char *p, size_t len);
/* End of input: flushes the last field and signals end of headers if the
 * header never ended. */
ik_status cli_msg_end(cli_msg *m);
void cli_msg_free(cli_msg *m);

#endif
