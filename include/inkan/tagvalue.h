/*
 * inkan/tagvalue.h - tag=value lists (RFC 6376 3.2), shared by DKIM,
 * DomainKeys, DMARC and ARC records and signature headers.
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *
 * Values are views into the input with surrounding whitespace removed;
 * whitespace inside a value (b=, p=) is kept for the caller to strip.
 * Duplicate tag names are an error (RFC 6376 3.2: "MUST NOT" appear twice).
 *
 * Ownership: the tag array is arena memory; names and values point into the
 * input text, which must outlive the list.  Threads: no state.
 */
#ifndef INKAN_TAGVALUE_H
#define INKAN_TAGVALUE_H

#include "arena.h"
#include "common.h"

typedef struct ik_tag {
    ik_str name;
    ik_str value;
} ik_tag;

typedef struct ik_taglist {
    ik_tag *tags;
    size_t n;
} ik_taglist;

enum {
    /* Values must consist of RFC 6376 VALCHAR and whitespace only. */
    IK_TAGLIST_STRICT_VALUES = 1 << 0,
    /* Tag names compare ASCII case-insensitively for duplicates (DMARC). */
    IK_TAGLIST_CASELESS = 1 << 1,
    /* Allow an empty spec between semicolons ("a=1;;b=2"), as DMARC
     * records in the wild have them. */
    IK_TAGLIST_ALLOW_EMPTY = 1 << 2
};

/* Default bound on the number of tags. */
#define IK_TAGLIST_MAX_TAGS 64

/*
 * Parses text.  max_tags 0 means IK_TAGLIST_MAX_TAGS.  Returns IK_OK,
 * IK_ESYNTAX (with *problem naming the offending tag or byte offset),
 * IK_ELIMIT (too many tags) or IK_ENOMEM.  problem may be NULL.
 */
IK_EXTERN ik_status ik_taglist_parse(ik_arena *a, ik_str text, unsigned flags, size_t max_tags,
                                     ik_taglist *out, ik_str *problem);

/* The tag named name (case-sensitive unless caseless), or NULL. */
IK_EXTERN const ik_tag *ik_taglist_get(const ik_taglist *l, const char *name, int caseless);

/*
 * Copy of value with all whitespace (SP, HTAB, CR, LF) removed, as needed
 * for base64 tags (RFC 6376 3.5 b=, bh=; 3.6.1 p=).  Arena memory.
 */
IK_EXTERN ik_str ik_tag_value_nows(ik_arena *a, ik_str value);

/*
 * Splits a tag value at every sep into items with surrounding whitespace
 * removed (views into value; the array is arena memory), as for the
 * colon-separated h=, k=, s=, t= lists of RFC 6376 3.5 and 3.6.1.  An
 * empty value gives one empty item.  IK_ELIMIT (with *n 0) when there
 * would be more than max items, IK_ENOMEM.
 */
IK_EXTERN ik_status ik_tag_value_split(ik_arena *a, ik_str value, char sep, size_t max,
                                       ik_str **items, size_t *n);

#endif
