/*
 * spf_suite.c - shared harness for the openspf YAML suites (rfc7208,
 * rfc4408), #included by tests/conformance/spf_rfc*.c.
 *
 * Implements the harness semantics of ../shared/corpus/spf/FORMAT.md:
 *   - multi-document YAML read with libyaml, scalars kept as strings;
 *   - zonedata served by an ik_resolver: names case-insensitive with empty
 *     labels dropped, a label over 63 octets is a temporary error, TIMEOUT
 *     fails every type not seen before the marker, SPF items are also
 *     served as TXT unless the name has a TXT item (TXT: NONE included),
 *     CNAMEs followed like a recursive resolver (bounded; a loop answers
 *     SERVFAIL), absent names NXDOMAIN, present names without the type
 *     NODATA;
 *   - every test is a MAIL FROM check with the default explanation
 *     "DEFAULT"; a result list accepts any element; legacy names unknown
 *     and error map to permerror and temperror; explanation compared byte
 *     for byte when given.
 * Strings from libyaml are UTF-8, so "\x80" reaches the engine as C2 80,
 * as the reference harness sends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "inkan/arena.h"
#include "inkan/dns.h"
#include "inkan/spf.h"

typedef struct spf_expected_diff {
    const char *id;
    const char *section; /* RFC 7208 section that changed the expectation */
    const char *why;
} spf_expected_diff;

enum { ZI_TIMEOUT = -1, ZI_TXT_NONE = -2 };

typedef struct zitem {
    int type;     /* DNS type, ZI_TIMEOUT or ZI_TXT_NONE */
    ik_str *strs; /* TXT/SPF character-strings */
    size_t nstrs;
    ik_str value; /* A/AAAA text, MX/PTR/CNAME target */
    uint16_t pref;
} zitem;

typedef struct zname {
    ik_str name; /* normalised */
    zitem *items;
    size_t n;
} zname;

typedef struct zone {
    zname *names;
    size_t n;
} zone;

/* ---- YAML helpers ------------------------------------------------------- */

static yaml_node_t *ynode(yaml_document_t *d, int id)
{
    return yaml_document_get_node(d, id);
}

static ik_str yscalar(yaml_node_t *n)
{
    if (n == NULL || n->type != YAML_SCALAR_NODE)
        return IK_STR_NULL;
    return ik_str_make((const char *)n->data.scalar.value, n->data.scalar.length);
}

static yaml_node_t *ymap_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        if (ik_str_eq(yscalar(ynode(d, p->key)), ik_str_c(key)))
            return ynode(d, p->value);
    }
    return NULL;
}

/* ---- zone -------------------------------------------------------------- */

/* FORMAT.md "Owner names": drop empty labels, lowercase; 0 if a label is
 * longer than 63 octets. */
static int normalise(ik_arena *a, ik_str in, ik_str *out)
{
    char *o = ik_arena_alloc(a, in.len + 1);
    size_t n = 0, i = 0;
    if (o == NULL)
        return 0;
    while (i < in.len) {
        size_t j = i;
        while (j < in.len && in.p[j] != '.')
            j++;
        if (j - i > 63)
            return 0;
        if (j > i) {
            if (n)
                o[n++] = '.';
            for (size_t k = i; k < j; k++) {
                char c = in.p[k];
                o[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
            }
        }
        i = j + 1;
    }
    o[n] = '\0';
    *out = ik_str_make(o, n);
    return 1;
}

static ik_str strip_dot(ik_str s)
{
    if (s.len && s.p[s.len - 1] == '.')
        s.len--;
    return s;
}

static int load_txt_strings(ik_arena *a, yaml_document_t *d, yaml_node_t *v, zitem *it)
{
    if (v->type == YAML_SCALAR_NODE) {
        it->strs = ik_arena_alloc(a, sizeof(ik_str));
        if (it->strs == NULL)
            return 0;
        it->strs[0] = yscalar(v);
        it->nstrs = 1;
        return 1;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return 0;
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    it->strs = ik_arena_calloc(a, n ? n : 1, sizeof(ik_str));
    if (it->strs == NULL)
        return 0;
    for (size_t k = 0; k < n; k++)
        it->strs[k] = yscalar(ynode(d, v->data.sequence.items.start[k]));
    it->nstrs = n;
    return 1;
}

static int zone_load(ik_arena *a, yaml_document_t *d, yaml_node_t *zd, zone *z)
{
    memset(z, 0, sizeof(*z));
    if (zd == NULL || zd->type != YAML_MAPPING_NODE)
        return 0;
    size_t nn = (size_t)(zd->data.mapping.pairs.top - zd->data.mapping.pairs.start);
    z->names = ik_arena_calloc(a, nn ? nn : 1, sizeof(zname));
    if (z->names == NULL)
        return 0;
    for (size_t i = 0; i < nn; i++) {
        yaml_node_pair_t *p = &zd->data.mapping.pairs.start[i];
        zname *zn = &z->names[z->n++];
        if (!normalise(a, yscalar(ynode(d, p->key)), &zn->name))
            zn->name = IK_STR_LIT("\x01unreachable");
        yaml_node_t *list = ynode(d, p->value);
        if (list == NULL || list->type != YAML_SEQUENCE_NODE)
            continue;
        size_t ni = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
        /* room for the SPF->TXT copies */
        zn->items = ik_arena_calloc(a, 2 * ni + 1, sizeof(zitem));
        if (zn->items == NULL)
            return 0;
        int has_txt = 0;
        for (size_t k = 0; k < ni; k++) {
            yaml_node_t *it = ynode(d, list->data.sequence.items.start[k]);
            zitem *zi = &zn->items[zn->n];
            if (it->type == YAML_SCALAR_NODE) {
                if (ik_str_eq(yscalar(it), IK_STR_LIT("TIMEOUT"))) {
                    zi->type = ZI_TIMEOUT;
                    zn->n++;
                }
                continue;
            }
            if (it->type != YAML_MAPPING_NODE
                || it->data.mapping.pairs.top == it->data.mapping.pairs.start)
                continue;
            yaml_node_pair_t *kvp = it->data.mapping.pairs.start;
            ik_str type = yscalar(ynode(d, kvp->key));
            yaml_node_t *v = ynode(d, kvp->value);
            uint16_t t = ik_dns_type_from_name(type);
            zi->type = t;
            if (t == IK_DNS_T_TXT || t == IK_DNS_T_SPF) {
                if (t == IK_DNS_T_TXT)
                    has_txt = 1;
                if (t == IK_DNS_T_TXT && v->type == YAML_SCALAR_NODE
                    && ik_str_eq(yscalar(v), IK_STR_LIT("NONE"))) {
                    zi->type = ZI_TXT_NONE;
                } else if (!load_txt_strings(a, d, v, zi)) {
                    return 0;
                }
            } else if (t == IK_DNS_T_MX) {
                if (v->type != YAML_SEQUENCE_NODE
                    || v->data.sequence.items.top - v->data.sequence.items.start != 2)
                    return 0;
                uint64_t pref = 0;
                ik_str_to_u64(yscalar(ynode(d, v->data.sequence.items.start[0])), 65535, &pref);
                zi->pref = (uint16_t)pref;
                zi->value = strip_dot(yscalar(ynode(d, v->data.sequence.items.start[1])));
            } else {
                zi->value = yscalar(v);
                if (t == IK_DNS_T_PTR || t == IK_DNS_T_CNAME)
                    zi->value = strip_dot(zi->value);
            }
            zn->n++;
        }
        /* FORMAT.md "SPF->TXT duplication" */
        if (!has_txt) {
            size_t n0 = zn->n;
            for (size_t k = 0; k < n0; k++) {
                if (zn->items[k].type == IK_DNS_T_SPF) {
                    zn->items[zn->n] = zn->items[k];
                    zn->items[zn->n].type = IK_DNS_T_TXT;
                    zn->n++;
                }
            }
        }
    }
    return 1;
}

static const zname *zone_find(const zone *z, ik_str name)
{
    for (size_t i = 0; i < z->n; i++)
        if (ik_str_eq(z->names[i].name, name))
            return &z->names[i];
    return NULL;
}

static ik_status add_rr(ik_arena *a, ik_dns_answer *ans, const zitem *it, uint16_t type)
{
    ik_dns_rr rr;
    memset(&rr, 0, sizeof(rr));
    rr.type = type;
    rr.ttl = 300;
    switch (type) {
    case IK_DNS_T_A:
    case IK_DNS_T_AAAA:
        if (ik_ip_parse(it->value, &rr.u.addr))
            return IK_OK; /* unparsable address: drop */
        break;
    case IK_DNS_T_MX:
        rr.u.mx.pref = it->pref;
        rr.u.mx.host = it->value;
        break;
    case IK_DNS_T_PTR:
    case IK_DNS_T_CNAME: rr.u.name = it->value; break;
    case IK_DNS_T_TXT:
    case IK_DNS_T_SPF: {
        size_t total = 0;
        for (size_t k = 0; k < it->nstrs; k++)
            total += it->strs[k].len;
        char *j = ik_arena_alloc(a, total + 1);
        if (j == NULL)
            return IK_ENOMEM;
        size_t o = 0;
        for (size_t k = 0; k < it->nstrs; k++) {
            if (it->strs[k].len)
                memcpy(j + o, it->strs[k].p, it->strs[k].len);
            o += it->strs[k].len;
        }
        j[o] = '\0';
        rr.u.txt.joined = ik_str_make(j, o);
        rr.u.txt.strings = it->strs;
        rr.u.txt.nstrings = it->nstrs;
        break;
    }
    default: break;
    }
    ik_dns_rr *nr = ik_arena_alloc(a, (ans->nrr + 1) * sizeof(*nr));
    if (nr == NULL)
        return IK_ENOMEM;
    if (ans->nrr)
        memcpy(nr, ans->rr, ans->nrr * sizeof(*nr));
    nr[ans->nrr++] = rr;
    ans->rr = nr;
    ans->status = IK_DNS_OK;
    ans->ttl = 300;
    return IK_OK;
}

static ik_dns_answer *zone_answer(const zone *z, ik_arena *a, ik_str qname, uint16_t type,
                                  int depth)
{
    ik_str name;
    if (!normalise(a, qname, &name)) {
        ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_TEMPFAIL);
        if (ans)
            ans->why = IK_STR_LIT("DNS label too long");
        return ans;
    }
    const zname *zn = zone_find(z, name);
    if (zn == NULL) {
        if (ik_str_casestarts(name, "error."))
            return ik_dns_answer_new(a, IK_DNS_TEMPFAIL);
        return ik_dns_answer_new(a, IK_DNS_NXDOMAIN);
    }
    if (type != IK_DNS_T_CNAME) {
        for (size_t k = 0; k < zn->n; k++) {
            if (zn->items[k].type == IK_DNS_T_CNAME) {
                if (depth >= 10) {
                    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_TEMPFAIL);
                    if (ans)
                        ans->why = IK_STR_LIT("CNAME loop (SERVFAIL)");
                    return ans;
                }
                return zone_answer(z, a, zn->items[k].value, type, depth + 1);
            }
        }
    }
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NODATA);
    if (ans == NULL)
        return NULL;
    int seen = 0;
    for (size_t k = 0; k < zn->n; k++) {
        const zitem *it = &zn->items[k];
        if (it->type == ZI_TIMEOUT) {
            if (!seen) {
                ans->status = IK_DNS_TEMPFAIL;
                ans->nrr = 0;
                ans->why = IK_STR_LIT("timeout");
                return ans;
            }
            break;
        }
        if (it->type == (int)type) {
            if (add_rr(a, ans, it, type))
                return NULL;
            seen = 1;
        }
    }
    return ans;
}

static ik_status zone_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    q->answer = zone_answer(self, a, q->name, q->type, 0);
    return q->answer ? IK_OK : IK_ENOMEM;
}

static const ik_resolver_ops zone_ops = { "yaml-zone", zone_resolve, NULL, NULL, NULL, NULL, NULL };

/* ---- running ----------------------------------------------------------- */

static ik_str legacy(ik_str r)
{
    if (ik_str_eq(r, IK_STR_LIT("unknown")))
        return IK_STR_LIT("permerror");
    if (ik_str_eq(r, IK_STR_LIT("error")))
        return IK_STR_LIT("temperror");
    return r;
}

static void describe_expect(yaml_document_t *d, yaml_node_t *res, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (res && res->type == YAML_SCALAR_NODE) {
        snprintf(buf, cap, "%.*s", (int)yscalar(res).len, yscalar(res).p);
        return;
    }
    if (res && res->type == YAML_SEQUENCE_NODE) {
        size_t o = 0;
        for (yaml_node_item_t *it = res->data.sequence.items.start;
             it < res->data.sequence.items.top && o < cap; it++) {
            ik_str s = yscalar(ynode(d, *it));
            int n = snprintf(buf + o, cap - o, "%s%.*s", o ? "|" : "[", (int)s.len, s.p);
            if (n < 0)
                break;
            o += (size_t)n;
        }
        if (o < cap)
            snprintf(buf + o, cap - o, "]");
    }
}

static int result_ok(yaml_document_t *d, yaml_node_t *res, ik_str got)
{
    if (res == NULL)
        return 0;
    if (res->type == YAML_SCALAR_NODE)
        return ik_str_eq(legacy(yscalar(res)), got);
    if (res->type != YAML_SEQUENCE_NODE)
        return 0;
    for (yaml_node_item_t *it = res->data.sequence.items.start; it < res->data.sequence.items.top;
         it++)
        if (ik_str_eq(legacy(yscalar(ynode(d, *it))), got))
            return 1;
    return 0;
}

typedef struct suite_stats {
    int passed, failed, expected_diff;
} suite_stats;

static const spf_expected_diff *find_diff(const spf_expected_diff *diffs, size_t ndiffs, ik_str id)
{
    for (size_t i = 0; i < ndiffs; i++)
        if (ik_str_eq(ik_str_c(diffs[i].id), id))
            return &diffs[i];
    return NULL;
}

static void run_test(yaml_document_t *d, const zone *z, ik_str id, yaml_node_t *t,
                     const spf_expected_diff *diffs, size_t ndiffs, suite_stats *st, int verbose)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    ik_str host = yscalar(ymap_get(d, t, "host"));
    ik_str expl = yscalar(ymap_get(d, t, "explanation"));
    yaml_node_t *res = ymap_get(d, t, "result");
    char want[128], why[512] = "";
    describe_expect(d, res, want, sizeof(want));
    int ok = 0;
    ik_spf_outcome o;
    memset(&o, 0, sizeof(o));
    if (a == NULL || ik_ip_parse(host, &p.ip) != IK_OK) {
        snprintf(why, sizeof(why), "bad host \"%.*s\"", (int)host.len, host.p);
    } else {
        p.helo = yscalar(ymap_get(d, t, "helo"));
        p.sender = yscalar(ymap_get(d, t, "mailfrom"));
        p.scope = IK_SPF_SCOPE_MFROM;
        p.records = IK_SPF_RECORDS_SPF1;
        p.default_exp = IK_STR_LIT("DEFAULT");
        p.now = 1700000000;
        ik_resolver r = { &zone_ops, (void *)z };
        ik_status s = ik_spf_check(a, &p, &r, &o);
        if (s != IK_OK) {
            snprintf(why, sizeof(why), "engine returned %s", ik_status_name(s));
        } else {
            ik_str got = ik_str_c(ik_spf_result_name(o.result));
            ok = result_ok(d, res, got);
            if (!ok)
                snprintf(why, sizeof(why), "expected %s got %s", want, got.p);
            else if (expl.p && !ik_str_eq(expl, o.explanation)) {
                ok = 0;
                snprintf(why, sizeof(why),
                         "result %s, explanation expected \"%.*s\" got "
                         "\"%.*s\"",
                         got.p, (int)expl.len, expl.p, (int)o.explanation.len, o.explanation.p);
            }
        }
    }
    const spf_expected_diff *diff = ok ? NULL : find_diff(diffs, ndiffs, id);
    if (ok) {
        st->passed++;
        if (verbose)
            printf("ok   %.*s (%s)\n", (int)id.len, id.p, ik_spf_result_name(o.result));
    } else if (diff) {
        st->expected_diff++;
        printf("expected-different %.*s (RFC 7208 %s: %s): %s\n", (int)id.len, id.p, diff->section,
               diff->why, why);
    } else {
        st->failed++;
        printf("FAIL %.*s: %s%s%.*s\n", (int)id.len, id.p, why, o.problem.len ? "; problem: " : "",
               (int)o.problem.len, o.problem.p ? o.problem.p : "");
    }
    ik_arena_free(a);
}

/*
 * Runs every test of the suite file.  Returns the process exit status:
 * 0 when every test passes or is listed in diffs, 1 otherwise, 77 when the
 * corpus file is absent.
 */
static int spf_suite_main(int argc, char **argv, const char *label, const char *path,
                          const spf_expected_diff *diffs, size_t ndiffs)
{
    const char *only = NULL;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else
            only = argv[i];
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        printf("SKIPPED: %s not found\n", path);
        return 77;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    suite_stats st = { 0, 0, 0 };
    int total = 0, bad = 0;
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
        ik_arena *za = ik_arena_new(NULL);
        zone z;
        if (za == NULL || !zone_load(za, &doc, ymap_get(&doc, root, "zonedata"), &z)) {
            printf("cannot load zonedata\n");
            bad = 1;
        } else {
            yaml_node_t *tests = ymap_get(&doc, root, "tests");
            if (tests && tests->type == YAML_MAPPING_NODE) {
                for (yaml_node_pair_t *p = tests->data.mapping.pairs.start;
                     p < tests->data.mapping.pairs.top; p++) {
                    ik_str id = yscalar(ynode(&doc, p->key));
                    if (only && !ik_str_eq(id, ik_str_c(only)))
                        continue;
                    total++;
                    run_test(&doc, &z, id, ynode(&doc, p->value), diffs, ndiffs, &st, verbose);
                }
            }
        }
        ik_arena_free(za);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    printf("%d passed, %d failed", st.passed, st.failed);
    if (diffs)
        printf(", %d expected-different", st.expected_diff);
    printf("\nconformance spf %s: %d/%d\n", label, st.passed, total);
    return (bad || st.failed || total == 0) ? 1 : 0;
}
