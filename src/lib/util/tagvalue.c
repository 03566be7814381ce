/*
 * tagvalue.c - tag=value list parser (RFC 6376 3.2), see inkan/tagvalue.h.
 *
 * One bounded pass over (p, len).  FWS is treated as any run of SP, HTAB,
 * CR and LF: the caller has already checked header folding, and key records
 * arrive as joined TXT strings where line breaks do not occur.
 */
#include <string.h>

#include "inkan/tagvalue.h"

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnumpunc(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* RFC 6376 3.2 VALCHAR = %x21-3A / %x3C-7E (everything visible but ';'). */
static int is_valchar(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != ';';
}

static void set_problem(ik_arena *a, ik_str *problem, const char *fmt, ik_str tag, size_t off)
{
    if (problem == NULL)
        return;
    char *m = ik_arena_printf(a, fmt, (int)(tag.len > 40 ? 40 : tag.len), tag.p ? tag.p : "", off);
    *problem = m ? ik_str_c(m) : IK_STR_NULL;
}

ik_status ik_taglist_parse(ik_arena *a, ik_str text, unsigned flags, size_t max_tags,
                           ik_taglist *out, ik_str *problem)
{
    if (max_tags == 0)
        max_tags = IK_TAGLIST_MAX_TAGS;
    out->tags = NULL;
    out->n = 0;
    if (problem)
        *problem = IK_STR_NULL;

    /* Count separators first so the array is allocated once. */
    size_t cap = 1;
    for (size_t i = 0; i < text.len; i++)
        if (text.p[i] == ';')
            cap++;
    if (cap > max_tags + 1)
        cap = max_tags + 1;
    ik_tag *tags = ik_arena_alloc(a, cap * sizeof(*tags));
    if (tags == NULL)
        return IK_ENOMEM;

    const unsigned char *p = (const unsigned char *)text.p;
    size_t i = 0, n = 0;
    while (i < text.len) {
        size_t spec_start = i;
        while (i < text.len && is_ws(p[i]))
            i++;
        if (i == text.len)
            break; /* trailing whitespace after the last ';' */
        if (p[i] == ';') {
            if (!(flags & IK_TAGLIST_ALLOW_EMPTY)) {
                set_problem(a, problem, "empty tag-spec%.*s at offset %zu", IK_STR_NULL,
                            spec_start);
                return IK_ESYNTAX;
            }
            i++;
            continue;
        }
        size_t name_start = i;
        if (!is_alpha(p[i])) {
            set_problem(a, problem, "tag name%.*s must start with a letter (offset %zu)",
                        IK_STR_NULL, i);
            return IK_ESYNTAX;
        }
        while (i < text.len && is_alnumpunc(p[i]))
            i++;
        ik_str name = ik_str_make(text.p + name_start, i - name_start);
        while (i < text.len && is_ws(p[i]))
            i++;
        if (i == text.len || p[i] != '=') {
            set_problem(a, problem, "tag \"%.*s\" has no '=' (offset %zu)", name, i);
            return IK_ESYNTAX;
        }
        i++;
        while (i < text.len && is_ws(p[i]))
            i++;
        size_t vstart = i;
        while (i < text.len && p[i] != ';') {
            if ((flags & IK_TAGLIST_STRICT_VALUES) && !is_valchar(p[i]) && !is_ws(p[i])) {
                set_problem(a, problem, "tag \"%.*s\" has an invalid byte at offset %zu", name, i);
                return IK_ESYNTAX;
            }
            i++;
        }
        size_t vend = i;
        while (vend > vstart && is_ws(p[vend - 1]))
            vend--;
        if (i < text.len)
            i++; /* the ';' */

        int caseless = (flags & IK_TAGLIST_CASELESS) != 0;
        for (size_t k = 0; k < n; k++) {
            if (caseless ? ik_str_caseeq(tags[k].name, name) : ik_str_eq(tags[k].name, name)) {
                set_problem(a, problem, "tag \"%.*s\" appears twice (offset %zu)", name,
                            name_start);
                return IK_ESYNTAX;
            }
        }
        if (n == max_tags) {
            set_problem(a, problem, "more tags than allowed%.*s (offset %zu)", IK_STR_NULL,
                        name_start);
            return IK_ELIMIT;
        }
        tags[n].name = name;
        tags[n].value = ik_str_make(text.p + vstart, vend - vstart);
        n++;
    }
    out->tags = tags;
    out->n = n;
    return IK_OK;
}

const ik_tag *ik_taglist_get(const ik_taglist *l, const char *name, int caseless)
{
    ik_str want = ik_str_c(name);
    for (size_t i = 0; i < l->n; i++)
        if (caseless ? ik_str_caseeq(l->tags[i].name, want) : ik_str_eq(l->tags[i].name, want))
            return &l->tags[i];
    return NULL;
}

ik_str ik_tag_value_nows(ik_arena *a, ik_str value)
{
    char *d = ik_arena_alloc(a, value.len + 1);
    if (d == NULL)
        return IK_STR_NULL;
    size_t n = 0;
    for (size_t i = 0; i < value.len; i++)
        if (!is_ws((unsigned char)value.p[i]))
            d[n++] = value.p[i];
    d[n] = '\0';
    return ik_str_make(d, n);
}

ik_status ik_tag_value_split(ik_arena *a, ik_str value, char sep, size_t max, ik_str **items,
                             size_t *n)
{
    size_t count = 1;
    for (size_t i = 0; i < value.len; i++)
        if (value.p[i] == sep)
            count++;
    *n = 0;
    if (count > max)
        return IK_ELIMIT;
    ik_str *arr = ik_arena_alloc(a, count * sizeof(*arr));
    if (arr == NULL)
        return IK_ENOMEM;
    size_t start = 0;
    for (size_t i = 0; i <= value.len; i++) {
        if (i < value.len && value.p[i] != sep)
            continue;
        arr[(*n)++] = ik_str_trim(ik_str_make(value.p + start, i - start));
        start = i + 1;
    }
    *items = arr;
    return IK_OK;
}
