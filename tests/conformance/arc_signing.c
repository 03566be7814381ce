/*
 * arc_signing.c - runs the ValiMail ARC signing suite
 * (IK_CORPUS_DIR/arc/arc-draft-sign-tests.yml, 17 tests) through the
 * public ARC sealer, as FORMAT.md there describes:
 *   - the message to CRLF; t= fixed to the test's t (b= is deterministic
 *     with RSA PKCS#1 v1.5, so it must match exactly);
 *   - AMS h= is the test's sig-headers; d= and s= from the scenario; the
 *     scenario's PKCS#1 PEM key;
 *   - the AAR payload is ik_ar_merge over the Authentication-Results
 *     fields carrying srv-id, in message order;
 *   - the new AS cv= is the arc= result of those A-R fields (none if
 *     absent); the sealer itself decides to add nothing when the newest
 *     existing AS says cv=fail (no_additional_sig expects empty values);
 *   - comparison as upstream's harness: all whitespace removed, split on
 *     ';', compared as sets.
 * Then every produced set is validated again with the verifier against the
 * scenario's key, as a self-check (it must pass unless cv=fail).
 * Prints one line per failure and "N passed, N failed"; exit 77 (SKIPPED)
 * without the corpus.  With an argument, runs only that test and prints
 * the fields produced.
 */
#include "common/arc_suite.c"

#ifndef ARC_SUITE_FILE /* arc_signing_maildkim.c runs the variant */
#define ARC_SUITE_FILE "arc-draft-sign-tests.yml"
#define ARC_SUITE_NAME "arc signing"
#endif

#include "inkan/crypto.h"

static int passed, failed;

/* Whitespace-free ';'-separated parts of s, sorted, joined by '\n'. */
static char *normal_set(ik_arena *a, ik_str s)
{
    char *w = ik_arena_alloc(a, s.len + 2);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] != ' ' && s.p[i] != '\t' && s.p[i] != '\r' && s.p[i] != '\n')
            w[n++] = s.p[i];
    w[n] = '\0';
    char *parts[64];
    size_t np = 0;
    for (char *tok = strtok(w, ";"); tok && np < 64; tok = strtok(NULL, ";"))
        parts[np++] = tok;
    for (size_t i = 1; i < np; i++)
        for (size_t k = i; k > 0 && strcmp(parts[k - 1], parts[k]) > 0; k--) {
            char *t = parts[k];
            parts[k] = parts[k - 1];
            parts[k - 1] = t;
        }
    ik_buf b;
    ik_buf_init(&b, a, 0);
    for (size_t i = 0; i < np; i++) {
        ik_buf_append_c(&b, parts[i]);
        ik_buf_putc(&b, '\n');
    }
    ik_buf_putc(&b, '\0');
    return b.p;
}

static ik_str field_value(ik_str f)
{
    long c = ik_str_chr(f, ':');
    return c < 0 ? f : ik_str_make(f.p + c + 1, f.len - (size_t)c - 1);
}

static int same(ik_arena *a, ik_str got, ik_str want)
{
    return strcmp(normal_set(a, got), normal_set(a, want)) == 0;
}

/* Validates the message, with the new set prepended when set is not
 * NULL. */
static const ik_arc_result *validate(ik_arena *a, ik_resolver *r, const ik_str *set,
                                     const ik_hdr_field *f, size_t n, ik_str body)
{
    ik_arc_verifier *v = ik_arc_verify_new(a, NULL);
    for (int k = 0; set != NULL && k < 3; k++)
        ik_arc_verify_header(v, set[k].p, set[k].len);
    for (size_t i = 0; i < n; i++)
        ik_arc_verify_header(v, f[i].raw.p, f[i].raw.len);
    ik_dns_query *q;
    ik_status st = ik_arc_verify_eoh(v, &q);
    if (st == IK_EAGAIN)
        answer_all(r, a, q);
    ik_arc_verify_body(v, body.p, body.len);
    while ((st = ik_arc_verify_eom(v, &q)) == IK_EAGAIN)
        answer_all(r, a, q);
    return ik_arc_verify_result(v);
}

/*
 * The self-check: the message with the new set must validate.  When the
 * chain we sealed over does not validate by itself (the Mail::DKIM
 * variant's re-signed i1_base/i2_base seals fail under Mail::DKIM's own
 * verifier too), only the older set may be blamed, never the new one.
 */
static int revalidates(ik_arena *a, ik_resolver *r, const ik_str set[3], unsigned inst,
                       const ik_hdr_field *f, size_t n, ik_str body, ik_str id)
{
    const ik_arc_result *in = validate(a, r, NULL, f, n, body);
    const ik_arc_result *res = validate(a, r, set, f, n, body);
    if (in == NULL || res == NULL)
        return 0;
    if (in->cv == IK_ARC_CV_FAIL) {
        printf("NOTE %.*s: the input chain does not validate (%s); the new set i=%u is only "
               "checked not to be the one blamed: %s\n",
               (int)id.len, id.p, in->reason, inst, res->reason);
        return res->cv == IK_ARC_CV_FAIL && res->failed_instance != 0
               && res->failed_instance < inst;
    }
    if (res->cv != IK_ARC_CV_PASS)
        printf("  revalidation: %s (%s)\n", ik_arc_cv_name(res->cv), res->reason);
    return res->cv == IK_ARC_CV_PASS;
}

static int scenario(yaml_document_t *d, yaml_node_t *root, const char *filter)
{
    ik_zone *z = suite_zone(d, root);
    ik_resolver r;
    if (ik_zone_resolver(z, &r) != IK_OK)
        abort();
    ik_str domain = ymap_str(d, root, "domain"), sel = ymap_str(d, root, "sel");
    ik_str pem = ymap_str(d, root, "privatekey");
    ik_pkey *key = NULL;
    if (ik_pkey_from_pem(NULL, pem.p, pem.len, &key, NULL) != IK_OK) {
        printf("FAIL: scenario key does not load\n");
        failed++;
        return 0;
    }
    yaml_node_t *tests = ymap_get(d, root, "tests");
    for (yaml_node_pair_t *p = tests->data.mapping.pairs.start; p < tests->data.mapping.pairs.top;
         p++) {
        ik_str id = yscalar(d, p->key);
        if (filter != NULL && !ik_str_eq(id, ik_str_c(filter)))
            continue;
        yaml_node_t *t = yaml_document_get_node(d, p->value);
        ik_arena *a = ik_arena_new(NULL);
        ik_str msg = to_crlf(a, ymap_str(d, t, "message"));
        ik_str srv = ymap_str(d, t, "srv-id");
        uint64_t ts = 0;
        ik_str_to_u64(ymap_str(d, t, "t"), UINT64_MAX, &ts);
        char *hdrs =
            ik_arena_strndup(a, ymap_str(d, t, "sig-headers").p, ymap_str(d, t, "sig-headers").len);
        size_t n, body;
        ik_hdr_field *f = split_message(a, msg, &n, &body);

        /* The AAR payload and the cv, from our A-R fields. */
        ik_str *vals = ik_arena_alloc(a, (n + 1) * sizeof(*vals));
        size_t nv = 0;
        ik_arc_cv cv = IK_ARC_CV_NONE;
        int have_cv = 0;
        for (size_t i = 0; i < n; i++) {
            if (!ik_str_caseeq_c(f[i].name, "Authentication-Results")
                || !ik_ar_is_ours(f[i].value, srv))
                continue;
            vals[nv++] = f[i].value;
            ik_ar ar;
            if (!have_cv && ik_ar_parse(a, f[i].value, 0, &ar, NULL) == IK_OK) {
                const ik_ar_result *res = ik_ar_find(&ar, "arc", 0);
                if (res != NULL) {
                    have_cv = 1;
                    cv = ik_str_caseeq_c(res->result, "pass")   ? IK_ARC_CV_PASS
                         : ik_str_caseeq_c(res->result, "fail") ? IK_ARC_CV_FAIL
                                                                : IK_ARC_CV_NONE;
                }
            }
        }
        ik_str payload;
        if (ik_ar_merge(a, vals, nv, srv, &payload) != IK_OK)
            abort();

        ik_arc_seal_params sp = { .alg = IK_DKIM_ALG_RSA_SHA256,
                                  .key = key,
                                  .domain = domain,
                                  .selector = sel,
                                  .headers = hdrs,
                                  .authres = payload,
                                  .cv = cv,
                                  .timestamp = (int64_t)ts };
        ik_arc_sealer *s = ik_arc_seal_new(a, &sp);
        ik_status st = IK_OK;
        for (size_t i = 0; i < n && st == IK_OK; i++)
            st = ik_arc_seal_header(s, f[i].raw.p, f[i].raw.len);
        if (st == IK_OK)
            st = ik_arc_seal_eoh(s);
        if (st == IK_OK)
            st = ik_arc_seal_body(s, msg.p + body, msg.len - body);
        if (st == IK_OK)
            st = ik_arc_seal_eom(s);
        ik_str out[3];
        unsigned inst = st == IK_OK ? ik_arc_seal_fields(s, out) : 0;
        ik_str want[3] = { ymap_str(d, t, "AS"), ymap_str(d, t, "AMS"), ymap_str(d, t, "AAR") };
        static const char *const what[3] = { "AS", "AMS", "AAR" };
        int ok = st == IK_OK;
        if (st != IK_OK)
            printf("FAIL %.*s: sealer returned %s\n", (int)id.len, id.p, ik_status_name(st));
        for (int k = 0; k < 3 && ok; k++) {
            ik_str w = ik_str_trim(want[k]);
            if (w.len == 0 ? inst != 0 : (inst == 0 || !same(a, field_value(out[k]), w))) {
                printf("FAIL %.*s: %s differs\n  got:  %.*s\n  want: %.*s\n", (int)id.len, id.p,
                       what[k], inst ? (int)out[k].len : 6, inst ? out[k].p : "(none)", (int)w.len,
                       w.p);
                ok = 0;
            }
        }
        if (ok && inst != 0 && cv != IK_ARC_CV_FAIL
            && !revalidates(a, &r, out, inst, f, n, ik_str_make(msg.p + body, msg.len - body),
                            id)) {
            printf("FAIL %.*s: the new set does not validate\n", (int)id.len, id.p);
            ok = 0;
        }
        if (ok) {
            passed++;
            if (filter)
                for (int k = 0; k < 3 && inst; k++)
                    printf("%.*s\n", (int)out[k].len, out[k].p);
        } else {
            failed++;
        }
        ik_arena_free(a);
    }
    ik_pkey_free(key);
    ik_resolver_close(&r);
    ik_zone_free(z);
    return 0;
}

int main(int argc, char **argv)
{
    char path[4096];
    if (corpus_file(ARC_SUITE_FILE, path, sizeof(path)) == NULL) {
        printf("SKIPPED: no ARC corpus under %s\n", IK_CORPUS_DIR);
        return 77;
    }
    if (for_each_scenario(path, scenario, argc > 1 ? argv[1] : NULL) != 0)
        return 1;
    printf(ARC_SUITE_NAME ": %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
