/*
 * arc_suite.c - shared by the ARC conformance runners (arc_validation.c,
 * arc_signing.c), included as source: the YAML stream of
 * IK_CORPUS_DIR/arc (FORMAT.md there), each scenario's txt-records served
 * from a static zone, and a message driver in milter order.
 *
 * FORMAT.md rules applied here: every document of the stream is a
 * scenario; literal blocks end in LF and every bare LF becomes CRLF before
 * anything is hashed; txt-records values have their line breaks removed
 * and are served as 255-octet character-strings, so the key code also
 * sees several strings joined (the 415-character 2048-bit key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "inkan/arc.h"
#include "inkan/authres.h"
#include "inkan/header.h"
#include "inkan/zone.h"

static ik_str yscalar(yaml_document_t *d, int id)
{
    yaml_node_t *n = yaml_document_get_node(d, id);
    if (n == NULL || n->type != YAML_SCALAR_NODE)
        return IK_STR_NULL;
    return ik_str_make((const char *)n->data.scalar.value, n->data.scalar.length);
}

static yaml_node_t *ymap_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (ik_str_eq(yscalar(d, p->key), ik_str_c(key)))
            return yaml_document_get_node(d, p->value);
    return NULL;
}

static ik_str ymap_str(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    yaml_node_t *n = ymap_get(d, map, key);
    if (n == NULL || n->type != YAML_SCALAR_NODE)
        return IK_STR_NULL;
    return ik_str_make((const char *)n->data.scalar.value, n->data.scalar.length);
}

/* LF not preceded by CR becomes CRLF (FORMAT.md: "turn each bare LF into
 * CRLF"). Arena copy. */
static ik_str to_crlf(ik_arena *a, ik_str s)
{
    char *o = ik_arena_alloc(a, 2 * s.len + 1);
    if (o == NULL)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '\n' && (i == 0 || s.p[i - 1] != '\r'))
            o[n++] = '\r';
        o[n++] = s.p[i];
    }
    o[n] = '\0';
    return ik_str_make(o, n);
}

/* Builds the scenario's zone: every txt-records entry as one TXT record in
 * 255-octet strings, line breaks removed. */
static ik_zone *suite_zone(yaml_document_t *d, yaml_node_t *root)
{
    ik_zone *z = ik_zone_new(NULL);
    if (z == NULL)
        abort();
    yaml_node_t *recs = ymap_get(d, root, "txt-records");
    if (recs == NULL || recs->type != YAML_MAPPING_NODE)
        return z;
    for (yaml_node_pair_t *p = recs->data.mapping.pairs.start; p < recs->data.mapping.pairs.top;
         p++) {
        ik_str name = yscalar(d, p->key), val = yscalar(d, p->value);
        unsigned char *rd = malloc(val.len + val.len / 255 + 2);
        size_t rdlen = 0, clean = 0;
        char *txt = malloc(val.len + 1);
        if (rd == NULL || txt == NULL)
            abort();
        for (size_t i = 0; i < val.len; i++)
            if (val.p[i] != '\n' && val.p[i] != '\r')
                txt[clean++] = val.p[i];
        for (size_t off = 0; off < clean || off == 0;) {
            size_t take = clean - off > 255 ? 255 : clean - off;
            rd[rdlen++] = (unsigned char)take;
            memcpy(rd + rdlen, txt + off, take);
            rdlen += take;
            off += take;
            if (take == 0)
                break;
        }
        if (ik_zone_add_rr(z, name, IK_DNS_T_TXT, 300, rd, rdlen) != IK_OK) {
            fprintf(stderr, "cannot add TXT for %.*s\n", (int)name.len, name.p);
            abort();
        }
        free(rd);
        free(txt);
    }
    return z;
}

/* Splits msg (CRLF) into header fields; *body_off where the body starts. */
static ik_hdr_field *split_message(ik_arena *a, ik_str msg, size_t *n, size_t *body_off)
{
    ik_hdr_field *f = NULL;
    ik_status st = ik_hdr_parse_block(a, msg.p, msg.len, NULL, &f, n, body_off);
    if (st != IK_OK) {
        *n = 0;
        *body_off = msg.len;
    }
    return f;
}

/* Answers every query from the zone. */
static void answer_all(ik_resolver *r, ik_arena *a, ik_dns_query *q)
{
    if (ik_resolver_answer_all(r, a, q) != IK_OK)
        abort();
}

static const char *corpus_file(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/arc/%s", IK_CORPUS_DIR, name);
    struct stat sb;
    return stat(buf, &sb) == 0 ? buf : NULL;
}

typedef int (*scenario_fn)(yaml_document_t *d, yaml_node_t *root, const char *filter);

/* Loads every document of path and calls fn on it; returns 0 or -1. */
static int for_each_scenario(const char *path, scenario_fn fn, const char *filter)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = 0;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            fprintf(stderr, "%s: YAML error: %s\n", path, parser.problem);
            rc = -1;
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        fn(&doc, root, filter);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
