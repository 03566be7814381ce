/*
 * domainkeys.c - DomainKeys conformance runner over
 * IK_CORPUS_DIR/domainkeys/MANIFEST (Mail::DKIM's DomainKeys messages and
 * the expected results of its t/verifier.t).
 *
 * Every message listed is verified, and each body with three chunkings (at
 * once, 61-byte and 1-byte chunks) that must agree, to exercise the
 * streaming canonicalizers.  DNS comes from the message directory's
 * FAKE_DNS.dat (format in ../dkim/SOURCE.md) served as 255-octet strings.
 * "skip" lines are counted as skipped, as upstream skips them.  Prints one
 * line per failure and "N passed, N failed"; exit 77 (SKIPPED) without the
 * corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ik_dk_fixture.h"

static char corpus[4096];
static int passed, failed, skipped;

static int result_matches(const char *want, ik_dk_result got)
{
    const char *name = ik_dk_result_name(got);
    const char *p = want;
    for (;;) {
        const char *e = strchr(p, '|');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (strlen(name) == n && strncmp(name, p, n) == 0)
            return 1;
        if (!e)
            return 0;
        p = e + 1;
    }
}

static void run_one(const char *file, const char *want)
{
    if (strcmp(want, "skip") == 0) {
        skipped++;
        return;
    }
    char dir[8192], path[8400];
    snprintf(dir, sizeof(dir), "%s/domainkeys/%s", corpus, file);
    *strrchr(dir, '/') = '\0';
    snprintf(path, sizeof(path), "%s/FAKE_DNS.dat", dir);
    fx_zone z = { 0 };
    if (fx_zone_load(&z, path) != 0) {
        printf("FAIL %s: no DNS data\n", file);
        failed++;
        return;
    }
    snprintf(path, sizeof(path), "%s/domainkeys/%s", corpus, file);
    size_t len;
    char *msg = fx_read_crlf(path, &len);
    if (msg == NULL) {
        printf("FAIL %s: cannot read\n", file);
        failed++;
        fx_zone_free(&z);
        return;
    }
    static const size_t chunks[] = { 0, 61, 1 };
    ik_dk_result first = IK_DK_NONE;
    int ok = 1;
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        ik_arena *a = ik_arena_new(NULL);
        ik_resolver r = { &fx_resolver_ops, &z };
        ik_dk_verify_config cfg = { 0 };
        cfg.check_policy = 1;
        ik_dk_verifier *v = ik_dk_verify_new(a, &cfg);
        ik_status st = dkfx_verify(v, a, &r, msg, len, chunks[c]);
        ik_dk_result got = st == IK_OK ? ik_dk_verify_overall(v) : IK_DK_NONE;
        if (c == 0)
            first = got;
        if (st != IK_OK || !result_matches(want, got) || got != first) {
            ok = 0;
            printf("FAIL %s (chunk %zu): want %s, got %s (%s)", file, chunks[c], want,
                   ik_dk_result_name(got), ik_status_name(st));
            for (size_t i = 0; st == IK_OK && i < ik_dk_verify_count(v); i++) {
                const ik_dk_sigresult *res = ik_dk_verify_get(v, i);
                printf("; sig %zu %s: %s", i, ik_dk_result_name(res->result), res->reason);
            }
            printf("\n");
        }
        ik_arena_free(a);
    }
    if (ok)
        passed++;
    else
        failed++;
    free(msg);
    fx_zone_free(&z);
}

int main(int argc, char **argv)
{
    snprintf(corpus, sizeof(corpus), "%s", argc > 1 ? argv[1] : IK_CORPUS_DIR);
    char manifest[8192];
    snprintf(manifest, sizeof(manifest), "%s/domainkeys/MANIFEST", corpus);
    FILE *f = fopen(manifest, "r");
    if (f == NULL) {
        printf("SKIPPED: %s not found\n", manifest);
        return 77;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *file = strtok(line, "\t\n");
        char *want = strtok(NULL, "\t\n");
        if (file == NULL || want == NULL)
            continue;
        run_one(file, want);
    }
    free(line);
    fclose(f);
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
