/*
 * senderid.c - runs our Sender ID cases (tests/conformance/senderid/
 * senderid-tests.yml, format in FORMAT.md there) through the public API:
 * ik_hdr_parse_block() + ik_pra_select() for the PRA, ik_senderid_check()
 * with a static resolver built from each scenario's zonedata for results.
 *
 * The zone semantics are those of the openspf suites
 * (../shared/corpus/spf/FORMAT.md section 3): case-insensitive names with
 * empty labels dropped; absent names NXDOMAIN, present names without the
 * type NODATA; TIMEOUT fails every type not seen before it; SPF items are
 * also served as TXT unless the name has a TXT item (TXT: NONE included);
 * CNAMEs are followed like a recursive resolver would (bounded).
 *
 * Usage: conf_senderid [-v] [test-id] [file].  Prints a line per failure
 * (every test with -v), then "N passed, N failed" and
 * "conformance senderid: N/M".  Exit 0 when all pass, 1 otherwise, 77 when
 * the file is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "inkan/arena.h"
#include "inkan/dns.h"
#include "inkan/header.h"
#include "inkan/ip.h"
#include "inkan/senderid.h"
#include "inkan/spf.h"

/* ---- YAML helpers ------------------------------------------------------- */

static yaml_node_t *ynode(yaml_document_t *d, int id)
{
    return yaml_document_get_node(d, id);
}

static int yscalar(yaml_node_t *n, ik_str *out)
{
    if (n == NULL || n->type != YAML_SCALAR_NODE)
        return 0;
    *out = ik_str_make((const char *)n->data.scalar.value, n->data.scalar.length);
    return 1;
}

static yaml_node_t *ymap_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        ik_str k;
        if (yscalar(ynode(d, p->key), &k) && ik_str_eq(k, ik_str_c(key)))
            return ynode(d, p->value);
    }
    return NULL;
}

static ik_str ymap_str(yaml_document_t *d, yaml_node_t *map, const char *key, int *present)
{
    ik_str s = IK_STR_LIT("");
    int ok = yscalar(ymap_get(d, map, key), &s);
    if (present != NULL)
        *present = ok;
    return ok ? s : IK_STR_LIT("");
}

/* ---- the zone ------------------------------------------------------------ */

enum { ZI_TIMEOUT = -1, ZI_TXT_NONE = -2 };

typedef struct zitem {
    int type;
    yaml_node_t *value; /* scalar or sequence */
} zitem;

typedef struct zname {
    char name[IK_DNS_NAME_MAX * 2 + 2]; /* normalised */
    zitem items[32];
    size_t n;
} zname;

typedef struct zone {
    yaml_document_t *doc;
    zname *names;
    size_t n;
} zone;

/* Lowercase, empty labels dropped (the openspf harness's normalisation). */
static void normalise(ik_str in, char *out, size_t cap)
{
    size_t o = 0;
    size_t i = 0;
    while (i < in.len) {
        size_t j = i;
        while (j < in.len && in.p[j] != '.')
            j++;
        if (j > i) {
            if (o > 0 && o + 1 < cap)
                out[o++] = '.';
            for (size_t k = i; k < j && o + 1 < cap; k++) {
                char c = in.p[k];
                out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
            }
        }
        i = j + 1;
    }
    out[o] = '\0';
}

static int zone_load(zone *z, yaml_document_t *d, yaml_node_t *zd)
{
    z->doc = d;
    z->n = 0;
    z->names = NULL;
    if (zd == NULL || zd->type != YAML_MAPPING_NODE)
        return 0;
    size_t cnt = (size_t)(zd->data.mapping.pairs.top - zd->data.mapping.pairs.start);
    z->names = calloc(cnt ? cnt : 1, sizeof(zname));
    if (z->names == NULL)
        return 0;
    for (yaml_node_pair_t *p = zd->data.mapping.pairs.start; p < zd->data.mapping.pairs.top; p++) {
        ik_str key;
        yaml_node_t *list = ynode(d, p->value);
        if (!yscalar(ynode(d, p->key), &key) || list == NULL || list->type != YAML_SEQUENCE_NODE)
            return 0;
        zname *zn = &z->names[z->n++];
        normalise(key, zn->name, sizeof zn->name);
        for (yaml_node_item_t *it = list->data.sequence.items.start;
             it < list->data.sequence.items.top; it++) {
            yaml_node_t *item = ynode(d, *it);
            if (zn->n >= sizeof zn->items / sizeof zn->items[0])
                return 0;
            ik_str s;
            if (yscalar(item, &s)) {
                if (!ik_str_eq(s, IK_STR_LIT("TIMEOUT")))
                    return 0;
                zn->items[zn->n++] = (zitem){ ZI_TIMEOUT, NULL };
                continue;
            }
            if (item == NULL || item->type != YAML_MAPPING_NODE
                || item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
                return 0;
            yaml_node_pair_t *kv = item->data.mapping.pairs.start;
            ik_str tname;
            if (!yscalar(ynode(d, kv->key), &tname))
                return 0;
            yaml_node_t *v = ynode(d, kv->value);
            uint16_t t = ik_dns_type_from_name(tname);
            if (t == 0)
                return 0;
            ik_str vs;
            if (t == IK_DNS_T_TXT && yscalar(v, &vs) && ik_str_eq(vs, IK_STR_LIT("NONE")))
                zn->items[zn->n++] = (zitem){ ZI_TXT_NONE, NULL };
            else
                zn->items[zn->n++] = (zitem){ t, v };
        }
    }
    return 1;
}

static const zname *zone_find(const zone *z, const char *name)
{
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->names[i].name, name) == 0)
            return &z->names[i];
    return NULL;
}

/* Text domain name to uncompressed wire form; 0 when it cannot be. */
static size_t name_to_wire(ik_str in, uint8_t *out, size_t cap)
{
    char norm[IK_DNS_NAME_MAX * 2 + 2];
    normalise(in, norm, sizeof norm);
    size_t o = 0, i = 0, len = strlen(norm);
    while (i < len) {
        size_t j = i;
        while (j < len && norm[j] != '.')
            j++;
        if (j - i > IK_DNS_LABEL_MAX || o + 1 + (j - i) + 1 > cap)
            return 0;
        out[o++] = (uint8_t)(j - i);
        memcpy(out + o, norm + i, j - i);
        o += j - i;
        i = j + 1;
    }
    out[o++] = 0;
    return o;
}

/* Adds one zone item of type t as an RR of type t. */
static ik_status add_item(yaml_document_t *d, ik_arena *a, ik_dns_answer *ans, uint16_t t,
                          yaml_node_t *v)
{
    uint8_t rd[4096];
    size_t n = 0;
    ik_str s;
    switch (t) {
    case IK_DNS_T_TXT:
    case IK_DNS_T_SPF: {
        ik_str parts[64];
        size_t np = 0;
        if (yscalar(v, &s)) {
            parts[np++] = s;
        } else if (v != NULL && v->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top && np < 64; it++)
                if (yscalar(ynode(d, *it), &s))
                    parts[np++] = s;
        }
        for (size_t k = 0; k < np; k++) {
            /* Character-strings hold at most 255 octets (RFC 1035 3.3). */
            size_t off = 0;
            do {
                size_t chunk = parts[k].len - off > 255 ? 255 : parts[k].len - off;
                if (n + 1 + chunk > sizeof rd)
                    return IK_EINVAL;
                rd[n++] = (uint8_t)chunk;
                memcpy(rd + n, parts[k].p + off, chunk);
                n += chunk;
                off += chunk;
            } while (off < parts[k].len);
        }
        break;
    }
    case IK_DNS_T_A:
    case IK_DNS_T_AAAA: {
        ik_ip ip;
        if (!yscalar(v, &s) || ik_ip_parse(s, &ip) != IK_OK)
            return IK_EINVAL;
        n = ip.family == IK_IP_V4 ? 4 : 16;
        memcpy(rd, ip.a, n);
        break;
    }
    case IK_DNS_T_MX: {
        ik_str pref, host;
        uint64_t pv;
        if (v == NULL || v->type != YAML_SEQUENCE_NODE
            || v->data.sequence.items.top - v->data.sequence.items.start != 2
            || !yscalar(ynode(d, v->data.sequence.items.start[0]), &pref)
            || !yscalar(ynode(d, v->data.sequence.items.start[1]), &host)
            || ik_str_to_u64(pref, 65535, &pv) != IK_OK)
            return IK_EINVAL;
        rd[0] = (uint8_t)(pv >> 8);
        rd[1] = (uint8_t)pv;
        n = name_to_wire(host, rd + 2, sizeof rd - 2);
        if (n == 0)
            return IK_EINVAL;
        n += 2;
        break;
    }
    case IK_DNS_T_PTR:
    case IK_DNS_T_CNAME:
    case IK_DNS_T_NS:
        if (!yscalar(v, &s) || (n = name_to_wire(s, rd, sizeof rd)) == 0)
            return IK_EINVAL;
        break;
    default: return IK_EINVAL;
    }
    return ik_dns_answer_add_rdata(a, ans, t, 300, rd, n);
}

static ik_status zone_answer(const zone *z, ik_arena *a, const char *name, uint16_t qtype,
                             unsigned depth, ik_dns_answer **out)
{
    const zname *zn = zone_find(z, name);
    if (zn == NULL) {
        *out = ik_dns_answer_new(a, IK_DNS_NXDOMAIN);
        return *out ? IK_OK : IK_ENOMEM;
    }
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NODATA);
    if (ans == NULL)
        return IK_ENOMEM;
    int has_txt = 0;
    for (size_t i = 0; i < zn->n; i++)
        if (zn->items[i].type == IK_DNS_T_TXT || zn->items[i].type == ZI_TXT_NONE)
            has_txt = 1;
    int seen = 0;
    for (size_t i = 0; i < zn->n; i++) {
        const zitem *it = &zn->items[i];
        if (it->type == ZI_TIMEOUT) {
            if (!seen) {
                ans->status = IK_DNS_TEMPFAIL;
                ans->why = IK_STR_LIT("TIMEOUT in zonedata");
                ans->nrr = 0;
            }
            break;
        }
        if (it->type == IK_DNS_T_CNAME && qtype != IK_DNS_T_CNAME) {
            ik_str target;
            char norm[IK_DNS_NAME_MAX * 2 + 2];
            if (!yscalar(it->value, &target))
                return IK_EINVAL;
            if (depth >= 8) {
                ans->status = IK_DNS_TEMPFAIL; /* a loop: SERVFAIL */
                ans->why = IK_STR_LIT("CNAME chain too long");
                break;
            }
            normalise(target, norm, sizeof norm);
            return zone_answer(z, a, norm, qtype, depth + 1, out);
        }
        if (it->type == qtype) {
            ik_status st = add_item(z->doc, a, ans, (uint16_t)qtype, it->value);
            if (st != IK_OK)
                return st;
            seen = 1;
        }
    }
    /* SPF items double as TXT when the name has no TXT item. */
    if (qtype == IK_DNS_T_TXT && !has_txt && ans->status != IK_DNS_TEMPFAIL) {
        for (size_t i = 0; i < zn->n; i++)
            if (zn->items[i].type == IK_DNS_T_SPF) {
                ik_status st = add_item(z->doc, a, ans, IK_DNS_T_TXT, zn->items[i].value);
                if (st != IK_OK)
                    return st;
            }
    }
    *out = ans;
    return IK_OK;
}

typedef struct zone_resolver {
    const zone *z;
    unsigned queries;
} zone_resolver;

static ik_status zr_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    zone_resolver *zr = self;
    zr->queries++;
    char norm[IK_DNS_NAME_MAX * 2 + 2];
    normalise(q->name, norm, sizeof norm);
    /* The harness treats a label over 63 octets as a temporary error. */
    for (size_t i = 0, run = 0; i < q->name.len; i++) {
        run = q->name.p[i] == '.' ? 0 : run + 1;
        if (run > IK_DNS_LABEL_MAX) {
            q->answer = ik_dns_answer_new(a, IK_DNS_TEMPFAIL);
            return q->answer ? IK_OK : IK_ENOMEM;
        }
    }
    return zone_answer(zr->z, a, norm, q->type, 0, &q->answer);
}

static const ik_resolver_ops zone_ops = { "zonedata", zr_resolve, NULL, NULL, NULL, NULL, NULL };

/* ---- running tests --------------------------------------------------------- */

typedef struct stats {
    int passed, failed;
    int verbose;
    const char *only;
} stats;

static int result_matches(yaml_document_t *d, yaml_node_t *want, const char *got)
{
    ik_str s;
    if (yscalar(want, &s))
        return ik_str_eq(s, ik_str_c(got));
    if (want != NULL && want->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = want->data.sequence.items.start;
             it < want->data.sequence.items.top; it++)
            if (yscalar(ynode(d, *it), &s) && ik_str_eq(s, ik_str_c(got)))
                return 1;
    return 0;
}

#define SV(s) (int)(s).len, (s).p

static void run_test(stats *st, yaml_document_t *d, const zone *z, ik_str id, yaml_node_t *t)
{
    char why[512] = "";
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL) {
        st->failed++;
        return;
    }
    int has_result;
    ik_str headers = ymap_str(d, t, "headers", NULL);
    ik_str want_pra = ymap_str(d, t, "pra", NULL);
    ik_str want_field = ymap_str(d, t, "pra-field", NULL);
    ik_str want_reason = ymap_str(d, t, "pra-reason", NULL);
    ik_str scope = ymap_str(d, t, "scope", NULL);
    yaml_node_t *want_result = ymap_get(d, t, "result");
    has_result = want_result != NULL;

    ik_hdr_field *f = NULL;
    size_t nf = 0, body;
    ik_pra pra;
    ik_senderid_outcome o;
    memset(&o, 0, sizeof o);
    const char *got_result = "-";
    ik_status s = ik_hdr_parse_block(a, headers.p, headers.len, NULL, &f, &nf, &body);
    if (s != IK_OK) {
        snprintf(why, sizeof why, "header parse: %s", ik_status_name(s));
        goto done;
    }
    s = ik_pra_select(a, f, nf, &pra);
    if (s != IK_OK) {
        snprintf(why, sizeof why, "ik_pra_select: %s", ik_status_name(s));
        goto done;
    }
    ik_str got_pra = pra.reason == IK_PRA_FOUND ? pra.mailbox.addr_spec : IK_STR_LIT("none");
    if (!ik_str_eq(got_pra, want_pra)) {
        snprintf(why, sizeof why, "pra %.*s, want %.*s (%.*s)", SV(got_pra), SV(want_pra),
                 SV(pra.problem));
        goto done;
    }
    if (want_field.len && pra.reason == IK_PRA_FOUND && !ik_str_eq(pra.field_name, want_field)) {
        snprintf(why, sizeof why, "pra-field %.*s, want %.*s", SV(pra.field_name), SV(want_field));
        goto done;
    }
    if (want_reason.len && !ik_str_eq(ik_str_c(ik_pra_reason_name(pra.reason)), want_reason)) {
        snprintf(why, sizeof why, "pra-reason %s, want %.*s (%.*s)", ik_pra_reason_name(pra.reason),
                 SV(want_reason), SV(pra.problem));
        goto done;
    }
    if (has_result) {
        ik_senderid_params p;
        memset(&p, 0, sizeof p);
        if (scope.len == 0 || ik_str_eq(scope, IK_STR_LIT("pra"))) {
            p.scope = IK_SPF_SCOPE_PRA;
        } else if (ik_str_eq(scope, IK_STR_LIT("mfrom"))) {
            p.scope = IK_SPF_SCOPE_MFROM;
        } else {
            snprintf(why, sizeof why, "bad scope %.*s", SV(scope));
            goto done;
        }
        if (ik_ip_parse(ymap_str(d, t, "host", NULL), &p.ip) != IK_OK) {
            snprintf(why, sizeof why, "bad host");
            goto done;
        }
        p.ip = ik_ip_unmap(&p.ip);
        p.helo = ymap_str(d, t, "helo", NULL);
        p.mailfrom = ymap_str(d, t, "mailfrom", NULL);
        p.fields = f;
        p.nfields = nf;
        p.receiver = IK_STR_LIT("receiver.example");
        zone_resolver zr = { z, 0 };
        ik_resolver r = { &zone_ops, &zr };
        s = ik_senderid_check(a, &p, &r, &o);
        if (s != IK_OK) {
            snprintf(why, sizeof why, "ik_senderid_check: %s", ik_status_name(s));
            goto done;
        }
        got_result = ik_spf_result_name(o.result);
        if (!result_matches(d, want_result, got_result)) {
            ik_str w = IK_STR_LIT("(list)");
            yscalar(want_result, &w);
            snprintf(why, sizeof why, "result %s, want %.*s%s%.*s", got_result, SV(w),
                     o.problem.len ? "; problem: " : "", SV(o.problem));
            goto done;
        }
        if (p.scope == IK_SPF_SCOPE_PRA && pra.reason != IK_PRA_FOUND && zr.queries != 0) {
            snprintf(why, sizeof why, "%u DNS queries made without a PRA", zr.queries);
            goto done;
        }
    }
done:
    if (why[0] == '\0') {
        st->passed++;
        if (st->verbose)
            printf("ok   %.*s (pra %s, %s)\n", SV(id), ik_pra_reason_name(pra.reason), got_result);
    } else {
        st->failed++;
        printf("FAIL %.*s: %s\n", SV(id), why);
    }
    ik_arena_free(a);
}

int main(int argc, char **argv)
{
    stats st = { 0, 0, 0, NULL };
    const char *path = IK_SOURCE_DIR "/tests/conformance/senderid/senderid-tests.yml";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            st.verbose = 1;
        else if (strchr(argv[i], '/') != NULL)
            path = argv[i];
        else
            st.only = argv[i];
    }
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        printf("SKIPPED: %s not found\n", path);
        return 77;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    int bad = 0, scenarios = 0;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            printf("YAML error: %s at line %lu\n", parser.problem ? parser.problem : "?",
                   (unsigned long)parser.problem_mark.line + 1);
            bad = 1;
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        scenarios++;
        zone z;
        if (!zone_load(&z, &doc, ymap_get(&doc, root, "zonedata"))) {
            printf("cannot load zonedata of scenario %d\n", scenarios);
            bad = 1;
        } else {
            yaml_node_t *tests = ymap_get(&doc, root, "tests");
            if (tests == NULL || tests->type != YAML_MAPPING_NODE) {
                printf("scenario %d has no tests\n", scenarios);
                bad = 1;
            } else {
                for (yaml_node_pair_t *p = tests->data.mapping.pairs.start;
                     p < tests->data.mapping.pairs.top; p++) {
                    ik_str id;
                    if (!yscalar(ynode(&doc, p->key), &id))
                        continue;
                    if (st.only && !ik_str_eq(id, ik_str_c(st.only)))
                        continue;
                    run_test(&st, &doc, &z, id, ynode(&doc, p->value));
                }
            }
        }
        free(z.names);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(fp);
    printf("%d passed, %d failed\n", st.passed, st.failed);
    printf("conformance senderid: %d/%d\n", st.passed, st.passed + st.failed);
    return (bad || st.failed || st.passed == 0) ? 1 : 0;
}
