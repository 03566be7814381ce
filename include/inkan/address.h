/*
 * inkan/address.h - RFC 5322 addresses: mailbox, mailbox-list and
 * address-list (RFC 5322 3.4, 3.4.1, with the obsolete forms of 4.4 and the
 * CFWS of 3.2.2), as found in From, Sender, Resent-* and the like.
 *
 * This parser decides which domain a message claims to come from, for
 * Sender ID and for DMARC's From handling, so it is exact and says so when
 * it cannot be: an input that more than one reasonable parser would read
 * with a different domain (an unquoted '@' in a display name, two '@' in an
 * addr-spec, a second address glued to the first) is refused with
 * IK_ESYNTAX, IK_ADDR_F_AMBIGUOUS and a problem text starting "ambiguous:".
 * It never picks one reading silently (the "Composition Kills" attacks,
 * Chen et al., USENIX Security 2020).
 *
 * Modes: strict accepts exactly the RFC 5322 grammar, obsolete syntax of
 * section 4 included (which receivers MUST accept, RFC 5322 4), plus UTF-8
 * in atoms and quoted strings (RFC 6532 3.2).  Lenient additionally recovers
 * from common breakage that has a single reading: stray specials and
 * leading dots in display names, dots out of place in a local part
 * ("a..b@example.jp"), text after a closing '>', a group missing its ';',
 * and bare CR or LF used as white space.  Every recovery sets
 * IK_ADDR_F_LENIENT.  A recovery is never made when the skipped text could
 * hold another address.
 *
 * Output is views and arena strings; display names are kept raw (encoded
 * words, quoted strings and comments untouched, RFC 2047 decoding is the
 * caller's business).
 *
 * Ownership: everything in the result lives in the arena.  Threads: no
 * state.  Limits: IK_ADDR_MAX_ADDRESSES mailboxes and comments nested
 * IK_ADDR_MAX_COMMENT_DEPTH deep by default; beyond them IK_ELIMIT.
 */
#ifndef INKAN_ADDRESS_H
#define INKAN_ADDRESS_H

#include "arena.h"
#include "common.h"

/* Default bound on mailboxes in one list (group members included). */
#define IK_ADDR_MAX_ADDRESSES 1000u
/* Default bound on comment nesting (RFC 5322 3.2.2 allows any depth). */
#define IK_ADDR_MAX_COMMENT_DEPTH 32u

/* What the text is supposed to be. */
typedef enum ik_addr_syntax {
    IK_ADDR_MAILBOX = 0,  /* exactly one mailbox: Sender, Resent-Sender */
    IK_ADDR_MAILBOX_LIST, /* From, Resent-From, Reply-To's mailboxes */
    IK_ADDR_ADDRESS_LIST  /* To, Cc, Bcc, Reply-To: groups allowed */
} ik_addr_syntax;

/* Per-mailbox and per-list flags. */
enum {
    IK_ADDR_F_OBS_ROUTE = 1u << 0,      /* <@route,@route:addr> (4.4); ignored */
    IK_ADDR_F_OBS_LOCAL = 1u << 1,      /* obs-local-part: CFWS or quoted words
                                         between dots (4.4) */
    IK_ADDR_F_OBS_DOMAIN = 1u << 2,     /* obs-domain: CFWS between labels */
    IK_ADDR_F_OBS_LIST = 1u << 3,       /* null list members (4.4) */
    IK_ADDR_F_OBS_PHRASE = 1u << 4,     /* '.' in a display name (4.1) */
    IK_ADDR_F_QUOTED_LOCAL = 1u << 5,   /* the local part has a quoted string */
    IK_ADDR_F_DOMAIN_LITERAL = 1u << 6, /* domain is [...] (3.4.1) */
    IK_ADDR_F_COMMENT = 1u << 7,        /* comments were present */
    IK_ADDR_F_ENCODED_WORD = 1u << 8,   /* "=?" ... "?=" in a display name */
    IK_ADDR_F_ENCODED_LOCAL = 1u << 9,  /* an encoded word as local part:
                                          some clients decode it */
    IK_ADDR_F_DISPLAY_AT = 1u << 10,    /* display name contains '@' (quoted
                                         or encoded): looks like an address */
    IK_ADDR_F_UTF8 = 1u << 11,          /* bytes >= 0x80 (RFC 6532) */
    IK_ADDR_F_GROUP = 1u << 12,         /* member of a group */
    IK_ADDR_F_LENIENT = 1u << 13,       /* a lenient-mode recovery was used */
    IK_ADDR_F_MULTIPLE = 1u << 14,      /* IK_ADDR_MAILBOX got more than one */
    IK_ADDR_F_AMBIGUOUS = 1u << 15      /* refused: more than one reading */
};

typedef struct ik_mailbox {
    ik_str display;   /* display-name, raw and trimmed; empty if none */
    ik_str local;     /* local-part without CFWS; quoted strings keep their
                         quotes and escapes, so local@domain is an addr-spec */
    ik_str domain;    /* domain without CFWS; "[...]" for a literal */
    ik_str group;     /* display-name of the enclosing group, raw; empty
                         when not in a group */
    ik_str addr_spec; /* local "@" domain (arena) */
    unsigned flags;   /* IK_ADDR_F_* for this mailbox */
} ik_mailbox;

typedef struct ik_addr_list {
    ik_mailbox *mbox; /* arena */
    size_t n;
    size_t ngroups;    /* groups seen, empty ones included */
    unsigned flags;    /* OR of the mailbox flags and list-level flags */
    ik_str problem;    /* why parsing failed, empty on success (arena) */
    size_t problem_at; /* byte offset in the text where it failed */
} ik_addr_list;

typedef struct ik_addr_opts {
    int lenient;                /* nonzero: lenient mode */
    size_t max_addresses;       /* 0 = IK_ADDR_MAX_ADDRESSES */
    unsigned max_comment_depth; /* 0 = IK_ADDR_MAX_COMMENT_DEPTH */
} ik_addr_opts;

/*
 * Parses text (a field body, still folded: FWS may contain CRLF or LF) as
 * what.  opts may be NULL (strict, default limits).
 * Returns IK_OK with out filled; IK_ESYNTAX with out->problem (text
 * beginning "ambiguous:" and IK_ADDR_F_AMBIGUOUS set when the input has
 * more than one reading) and whatever mailboxes were parsed before the
 * error; IK_ELIMIT; IK_ENOMEM; IK_EINVAL.  A text without any address
 * (empty, only CFWS or only commas) is IK_ESYNTAX with problem "no
 * address"; the one field that may be empty, Bcc (RFC 5322 3.6.3), is the
 * caller's to special-case.
 */
IK_EXTERN ik_status ik_addr_parse(ik_arena *a, ik_str text, ik_addr_syntax what,
                                  const ik_addr_opts *opts, ik_addr_list *out);

#endif
