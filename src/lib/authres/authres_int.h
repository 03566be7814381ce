/*
 * authres_int.h - the CFWS-aware cursor shared by the Authentication-Results
 * parser and writer (src/lib/authres only).
 *
 * The cursor reads a field value by (pointer, length) and never past it.
 * Lexical classes follow RFC 8601 2.2, which takes "value" (token /
 * quoted-string) from RFC 2045 5.1 and CFWS from RFC 5322 3.2.2.
 */
#ifndef IK_AUTHRES_INT_H
#define IK_AUTHRES_INT_H

#include "inkan/authres.h"

typedef struct ik__ar_cur {
    const char *p;
    size_t len;
    size_t pos;
} ik__ar_cur;

/* RFC 2045 5.1 token character; bytes >= 0x80 too (RFC 8616 UTF-8). */
int ik__ar_is_tchar(unsigned char c);
/* Lenient Keyword character (RFC 8601 2.2 ldh-str, plus "_"). */
int ik__ar_is_kchar(unsigned char c);

/*
 * Skips WSP, line ends and comments (nested, quoted-pairs honoured).  The
 * content of the first comment seen (without its parentheses) goes to
 * *comment when comment is non-NULL and still empty.  An unterminated or
 * too deeply nested comment swallows the rest of the value.
 */
void ik__ar_skip_cfws(ik__ar_cur *c, ik_str *comment);

/*
 * At a '"': the raw content between the quotes in *raw, the cursor after
 * the closing quote.  0 (cursor unchanged) if unterminated.
 */
int ik__ar_quoted_raw(ik__ar_cur *c, ik_str *raw);

/* Reads an authserv-id (token or quoted-string); *id raw (quotes excluded),
 * *quoted set.  0 when there is none. */
int ik__ar_read_id(ik__ar_cur *c, ik_str *id, int *quoted);

/* Caseless comparison of an id as read by ik__ar_read_id with want. */
int ik__ar_id_eq(ik_str id, int quoted, ik_str want);

#endif
