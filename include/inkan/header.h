/*
 * inkan/header.h - RFC 5322 header section: fields split out of a byte
 * stream, raw bytes kept.
 *
 * The splitter is push-style (milter order): feed it the header block in
 * chunks split anywhere, even inside a CRLF, and it yields each field once
 * the first byte of the next line shows that the field is not folded any
 * further (RFC 5322 2.2.3).  It stops right after the empty line that ends
 * the header section (RFC 5322 2.1, 3.5), so the caller knows where the body
 * starts.  Lines ending in a bare LF are accepted as if they ended in CRLF.
 *
 * Every field keeps its raw bytes: raw runs from the first byte of the name
 * to the end of the folded value, without the final line end; value starts
 * right after the colon and is still folded.  Nothing is unfolded, trimmed
 * or decoded behind the caller's back (DKIM and ARC hash these bytes).
 *
 * Malformed lines never stop the splitter in the default (lenient) mode:
 * they come out as fields with IK_HDR_F_* flags saying what was wrong, and
 * an empty name.  In strict mode the first malformed line makes the
 * splitter fail with IK_ESYNTAX (sticky).  Whitespace between name and
 * colon is the obsolete syntax of RFC 5322 4.5 and is accepted in both
 * modes (flag IK_HDR_F_OBS_WSP).
 *
 * Ownership: fields and their bytes live in the arena given at creation.
 * Threads: a splitter belongs to one thread at a time; no global state.
 * Limits: IK_HDR_MAX_FIELD_LEN bytes per field and IK_HDR_MAX_FIELDS
 * fields by default; going past either is IK_ELIMIT (sticky).
 */
#ifndef INKAN_HEADER_H
#define INKAN_HEADER_H

#include "arena.h"
#include "common.h"

/*
 * Default bound on one field's raw length, folding included.  RFC 5322
 * 2.1.1 caps lines at 998 octets but not the number of folded lines; 64 KiB
 * is far beyond any real field (large DKIM signatures are ~2 KiB).
 */
#define IK_HDR_MAX_FIELD_LEN (64u * 1024u)
/* Default bound on the number of fields in one header section. */
#define IK_HDR_MAX_FIELDS 1000u

/* What the splitter noticed about a field (ik_hdr_field.flags). */
enum {
    IK_HDR_F_OBS_WSP = 1u << 0,   /* WSP before the colon (RFC 5322 4.5) */
    IK_HDR_F_NOCOLON = 1u << 1,   /* no colon at all: not a field */
    IK_HDR_F_BADNAME = 1u << 2,   /* empty name or a byte outside ftext
                                     (RFC 5322 3.6.8) before the colon */
    IK_HDR_F_ORPHAN = 1u << 3,    /* continuation line with no field before */
    IK_HDR_F_NUL = 1u << 4,       /* contains a NUL byte */
    IK_HDR_F_BARE_LF = 1u << 5,   /* a line ended in LF without CR */
    IK_HDR_F_BARE_CR = 1u << 6,   /* a CR not followed by LF */
    IK_HDR_F_TRUNCATED = 1u << 7, /* input ended before the line end */
    IK_HDR_F_8BIT = 1u << 8       /* bytes >= 0x80 (RFC 6532 allows UTF-8) */
};
/* Flags that make a field malformed (an error in strict mode). */
#define IK_HDR_F_MALFORMED                                                                         \
    (IK_HDR_F_NOCOLON | IK_HDR_F_BADNAME | IK_HDR_F_ORPHAN | IK_HDR_F_NUL | IK_HDR_F_TRUNCATED)

typedef struct ik_hdr_field {
    ik_str raw;     /* name .. end of folded value, no final line end */
    ik_str name;    /* as written, without WSP before the colon; empty
                       when the line is malformed */
    ik_str value;   /* after the colon, raw and still folded */
    size_t offset;  /* where raw starts, counted from the first byte fed */
    unsigned flags; /* IK_HDR_F_* */
} ik_hdr_field;

typedef struct ik_hdr_opts {
    size_t max_field_len; /* 0 = IK_HDR_MAX_FIELD_LEN */
    size_t max_fields;    /* 0 = IK_HDR_MAX_FIELDS */
    int strict;           /* nonzero: malformed lines are IK_ESYNTAX */
} ik_hdr_opts;

typedef struct ik_hdr_parser ik_hdr_parser;

/*
 * Creates a splitter.  opts may be NULL (defaults).  *out lives in a.
 * Returns IK_OK, IK_EINVAL or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_hdr_parser_new(ik_arena *a, const ik_hdr_opts *opts, ik_hdr_parser **out);

/*
 * Feeds len bytes (borrowed; copied as needed).  Consumes everything up to
 * and including the empty line that ends the header section, and stops
 * there: *used (may be NULL) is how many bytes were consumed, so data+*used
 * is the first body byte once ik_hdr_parser_done() is true.
 * Returns IK_OK; IK_ELIMIT, IK_ESYNTAX (strict mode) or IK_ENOMEM, all
 * sticky; IK_ESTATE once the header section has ended.
 */
IK_EXTERN ik_status ik_hdr_parser_feed(ik_hdr_parser *p, const void *data, size_t len,
                                       size_t *used);

/*
 * Declares the end of input (a message with no body may end without the
 * empty line, RFC 5322 3.5).  Flushes the last field; a field cut off
 * before its line end is flagged IK_HDR_F_TRUNCATED.  Idempotent.
 * Returns the splitter's sticky status.
 */
IK_EXTERN ik_status ik_hdr_parser_finish(ik_hdr_parser *p);

/*
 * Next field not yet handed out, in header order.  IK_OK with *f set
 * (arena memory), or IK_ENOTFOUND when every complete field so far has
 * been returned.
 */
IK_EXTERN ik_status ik_hdr_parser_next(ik_hdr_parser *p, const ik_hdr_field **f);

/* All complete fields so far, in order (arena; valid until the next feed). */
IK_EXTERN const ik_hdr_field *ik_hdr_parser_fields(const ik_hdr_parser *p, size_t *n);

/* True once the end of the header section has been seen (or finish()). */
IK_EXTERN int ik_hdr_parser_done(const ik_hdr_parser *p);
/* True when the section ended with an empty line (a body may follow). */
IK_EXTERN int ik_hdr_parser_saw_empty_line(const ik_hdr_parser *p);
/* Bytes consumed so far; the body offset once done. */
IK_EXTERN size_t ik_hdr_parser_offset(const ik_hdr_parser *p);
/* OR of the flags of every field so far. */
IK_EXTERN unsigned ik_hdr_parser_flags(const ik_hdr_parser *p);
/* Sticky status and its reason text (empty when IK_OK; arena). */
IK_EXTERN ik_status ik_hdr_parser_status(const ik_hdr_parser *p, ik_str *reason);

/*
 * One-shot: splits a whole header block (or a whole message).  *fields
 * (arena) holds *nfields fields; *body_offset is where the body starts (len
 * when there is no empty line).  Same statuses as feed/finish.
 */
IK_EXTERN ik_status ik_hdr_parse_block(ik_arena *a, const void *data, size_t len,
                                       const ik_hdr_opts *opts, ik_hdr_field **fields,
                                       size_t *nfields, size_t *body_offset);

/*
 * Unfolds a value (RFC 5322 2.2.3): removes every CRLF (or bare LF) that is
 * immediately followed by WSP, keeping the WSP.  *out is value itself when
 * there was nothing to remove, else an arena copy.  IK_OK or IK_ENOMEM.
 */
IK_EXTERN ik_status ik_hdr_unfold(ik_arena *a, ik_str value, ik_str *out);

/*
 * Index of the first field at or after from whose name equals name (ASCII
 * case-insensitive, RFC 5322 1.2.2), or n when there is none.
 */
IK_EXTERN size_t ik_hdr_find(const ik_hdr_field *fields, size_t n, size_t from, ik_str name);
/* Same with a C-string name the caller vouches for. */
IK_EXTERN size_t ik_hdr_find_c(const ik_hdr_field *fields, size_t n, size_t from, const char *name);
/* Number of fields named name (case-insensitive). */
IK_EXTERN size_t ik_hdr_count(const ik_hdr_field *fields, size_t n, ik_str name);

/* True when the value holds anything but SP, HTAB, CR and LF. */
IK_EXTERN int ik_hdr_value_nonempty(ik_str value);

#endif
