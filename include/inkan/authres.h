/*
 * inkan/authres.h - the Authentication-Results header field (RFC 8601):
 * write ours, read anybody's, and find the forged ones that claim to be
 * ours.
 *
 * One structure, ik_ar, serves both directions.  The writer fills it with
 * ik_ar_init / ik_ar_add / ik_ar_add_prop and renders it with
 * ik_ar_format, folded at IK_AR_FOLD_WIDTH columns (RFC 5322 2.1.1), values
 * quoted when they are neither a token nor an address or domain (RFC 8601
 * 2.2 pvalue).  The parser fills it from a field value.
 *
 * The parser is lenient where leniency cannot mislead: comments anywhere
 * (RFC 5322 CFWS), a missing authres-version, unknown methods, results and
 * properties, "none" (RFC 8601 2.2 no-result), missing spaces, a trailing
 * ";", properties without a ptype ("action=none", as Microsoft writes).  A
 * result that does not parse is skipped up to the next ";" and counted in
 * nskipped.  It is strict about what a consumer trusts: the authserv-id must
 * be a token or a quoted-string followed by CFWS, a version or ";", or the
 * field is IK_ESYNTAX.  Nothing here decides whom to trust: compare
 * authserv_id yourself, or use ik_ar_is_ours.
 *
 * Forgery protection (RFC 8601 5): ik_ar_find_ours returns every
 * Authentication-Results field whose authserv-id matches ours, ASCII
 * case-insensitively, after comments and folding, quoted or not - and no
 * other field.  A field whose leading token is our id is ours even when
 * what follows is malformed: removing a broken field that claims our name
 * is safe; keeping it is not.
 *
 * The ARC-Authentication-Results field (RFC 8617 4.1.1) is the same payload
 * behind "i=N;": parse it with IK_AR_PARSE_AAR, write it by setting
 * ar.instance.
 *
 * Ownership: parsed views point into the value given (borrowed; it must
 * outlive the result) or into the arena when a quoted-string had to be
 * unescaped; arrays and formatted text are arena memory.
 * Threads: no state; an ik_ar belongs to one thread at a time.
 * Limits: the IK_AR_MAX_* values below.
 */
#ifndef INKAN_AUTHRES_H
#define INKAN_AUTHRES_H

#include "arena.h"
#include "common.h"
#include "header.h"

/* Results (resinfo) kept per field; more are counted in nskipped. */
#define IK_AR_MAX_RESULTS 64
/* Properties kept per result; more are ignored (counted in nskipped). */
#define IK_AR_MAX_PROPS 32
/* Comment nesting (RFC 5322 3.2.2 allows any depth; real ones use 1). */
#define IK_AR_MAX_COMMENT_DEPTH 16
/* Bytes of one field value the parser accepts (a fold-free line is 998,
 * RFC 5322 2.1.1; folded fields from big receivers reach a few KiB). */
#define IK_AR_MAX_VALUE (64u * 1024u)
/* The writer folds lines to this width (RFC 5322 2.1.1 SHOULD). */
#define IK_AR_FOLD_WIDTH 78

typedef struct ik_ar_prop {
    ik_str ptype;    /* "smtp", "header", "body", "policy"; empty when the
                         field wrote "name=value" without a ptype */
    ik_str property; /* "mailfrom", "d", ... */
    ik_str value;    /* quotes removed */
} ik_ar_prop;

typedef struct ik_ar_result {
    ik_str method;    /* "spf", "dkim", ... as written; compare caselessly */
    unsigned version; /* method-version; 0 when absent (RFC 8601 2.2: 1) */
    ik_str result;    /* "pass", "fail", ... */
    ik_str reason;    /* reason= value (RFC 8601 2.2 reasonspec), or empty */
    ik_str comment;   /* the first comment after the result, without the
                         parentheses (a parse) or the text of the comment to
                         write after the result (a format); empty if none */
    ik_ar_prop *props;
    size_t nprops, capprops;
    int malformed; /* parse: junk inside this result was skipped */
} ik_ar_result;

typedef struct ik_ar {
    unsigned instance;  /* AAR i= (RFC 8617 4.2.1); 0 for Authentication-Results */
    ik_str authserv_id; /* quotes removed */
    unsigned version;   /* authres-version; 0 when absent */
    ik_ar_result *results;
    size_t nresults, capresults;
    size_t nskipped; /* parse: results and properties that did not parse
                           or went past a limit */
} ik_ar;

/* ---- writer -------------------------------------------------------------- */

/* An empty result set for our authserv-id (borrowed view). */
IK_EXTERN void ik_ar_init(ik_ar *ar, ik_str authserv_id);

/*
 * Appends a result "method=result" (views borrowed; they must outlive ar
 * or be arena strings).  Set reason, comment and version on the returned
 * entry directly.  NULL on OOM or past IK_AR_MAX_RESULTS.
 */
IK_EXTERN ik_ar_result *ik_ar_add(ik_arena *a, ik_ar *ar, ik_str method, ik_str result);

/* Appends ptype.property=value to r.  IK_OK, IK_ELIMIT, IK_ENOMEM. */
IK_EXTERN ik_status ik_ar_add_prop(ik_arena *a, ik_ar_result *r, ik_str ptype, ik_str property,
                                   ik_str value);

/*
 * Renders ar.  With field_name (a C string, e.g. "Authentication-Results")
 * the output is "Name: payload"; with NULL only the payload, laid out as if
 * it followed "Authentication-Results:".  Lines are folded with CRLF SP (in
 * place of one space, so unfolding restores every value exactly) at
 * IK_AR_FOLD_WIDTH columns; when the field does not fit on one line each
 * result starts a line of its own.  No final CRLF.  No results give
 * "id; none" (RFC 8601 2.2).  ar.instance > 0 writes "i=N; " first
 * (RFC 8617 4.1.1).
 *
 * Returns IK_OK with *out in arena a; IK_EINVAL when a method, result,
 * ptype or property is not a Keyword (RFC 8601 2.2: ALPHA, DIGIT, "-",
 * starting with a letter or digit) or the authserv-id is empty or holds a
 * control character; IK_ENOMEM.
 */
IK_EXTERN ik_status ik_ar_format(ik_arena *a, const ik_ar *ar, const char *field_name, ik_str *out);

/* ---- parser -------------------------------------------------------------- */

enum {
    /* The value is an ARC-Authentication-Results payload: "i=N;" first
     * (RFC 8617 4.1.1), N in 1..50, required. */
    IK_AR_PARSE_AAR = 1 << 0
};

/*
 * Parses a field value (what follows the colon, folded or not, with or
 * without the final CRLF).  Returns IK_OK; IK_ESYNTAX when the
 * authserv-id (or the AAR instance) is missing or malformed, with *why
 * saying so (may be NULL); IK_ELIMIT past IK_AR_MAX_VALUE; IK_ENOMEM.
 */
IK_EXTERN ik_status ik_ar_parse(ik_arena *a, ik_str value, unsigned flags, ik_ar *out, ik_str *why);

/* The first result at or after index from whose method equals method
 * (ASCII case-insensitive), or NULL. */
IK_EXTERN const ik_ar_result *ik_ar_find(const ik_ar *ar, const char *method, size_t from);

/* The value of ptype.property in r (caseless names), or IK_STR_NULL. */
IK_EXTERN ik_str ik_ar_prop_get(const ik_ar_result *r, const char *ptype, const char *property);

/* ---- our own results, forged or merged ------------------------------------ */

/*
 * True when an Authentication-Results value's authserv-id is our_id
 * (ASCII case-insensitive; comments and folding before it skipped; a
 * quoted-string compared by its content).  No allocation.
 */
IK_EXTERN int ik_ar_is_ours(ik_str value, ik_str our_id);

/*
 * RFC 8601 5: the indexes (ascending, into fields) of every
 * Authentication-Results field that carries our_id, for removal before the
 * message is processed further.  Field names compare caselessly; no other
 * field is ever listed.  *idx is arena memory (NULL when *nidx is 0).
 * IK_OK, IK_EINVAL (empty our_id) or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_ar_find_ours(ik_arena *a, const ik_hdr_field *fields, size_t n,
                                    ik_str our_id, size_t **idx, size_t *nidx);

/*
 * RFC 8617 4.1.1: one authres-payload combining every result of the given
 * Authentication-Results values that carry our_id, in order:
 * "our_id; r1; r2 ...", each result's text as written (comments kept,
 * surrounding whitespace and a trailing ";" dropped, "none" skipped);
 * "our_id; none" when there is none.  For the ARC sealer, which signs
 * exactly this text.  *payload is arena memory.  IK_OK or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_ar_merge(ik_arena *a, const ik_str *values, size_t n, ik_str our_id,
                                ik_str *payload);

#endif
