/*
 * ik_test.c - runner for ik_test.h: one child process per case, a timeout,
 * and a closing line "N passed, N failed".
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ik_test.h"

#ifndef IK_SOURCE_DIR
#define IK_SOURCE_DIR "."
#endif

const char *ik_test_path(const char *rel)
{
    static char buf[4096]; /* test-only helper, single-threaded */
    snprintf(buf, sizeof(buf), "%s/%s", IK_SOURCE_DIR, rel);
    return buf;
}

/* An exact-size heap copy of p (at least one byte allocated). */
static char *t_copy(const void *p, size_t len)
{
    char *c = malloc(len ? len : 1);
    if (c == NULL) {
        fprintf(stderr, "ik_test: out of memory\n");
        exit(1);
    }
    if (len)
        memcpy(c, p, len);
    return c;
}

void ik_test_each_prefix(const void *p, size_t len, ik_test_input_fn fn, void *ud)
{
    for (size_t n = 0; n <= len; n++) {
        char *c = t_copy(p, n);
        fn(c, n, ud);
        free(c);
    }
}

void ik_test_each_nul(const void *p, size_t len, ik_test_input_fn fn, void *ud)
{
    for (size_t i = 0; i < len; i++) {
        char *c = t_copy(p, len);
        c[i] = '\0';
        fn(c, len, ud);
        free(c);
    }
}

void ik_test_oversized(const char *head, const char *unit, size_t total, const char *tail,
                       ik_test_input_fn fn, void *ud)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    if (ul == 0 || total < hl + tl) {
        fprintf(stderr, "ik_test_oversized: bad arguments\n");
        exit(1);
    }
    char *c = malloc(total);
    if (c == NULL) {
        fprintf(stderr, "ik_test: out of memory\n");
        exit(1);
    }
    memcpy(c, head, hl);
    for (size_t off = hl; off < total - tl; off += ul)
        memcpy(c + off, unit, total - tl - off < ul ? total - tl - off : ul);
    memcpy(c + total - tl, tail, tl);
    fn(c, total, ud);
    free(c);
}

static void *t_alloc(void *ud, size_t n)
{
    ik_test_alloc *t = ud;
    if (t->fail_at >= 0 && t->calls++ >= t->fail_at)
        return NULL;
    if (t->fail_at < 0)
        t->calls++;
    return malloc(n);
}

static void *t_realloc(void *ud, void *p, size_t n)
{
    ik_test_alloc *t = ud;
    if (t->fail_at >= 0 && t->calls++ >= t->fail_at)
        return NULL;
    if (t->fail_at < 0)
        t->calls++;
    return realloc(p, n);
}

static void t_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

void ik_test_alloc_init(ik_test_alloc *t, long fail_at)
{
    t->al.alloc_fn = t_alloc;
    t->al.realloc_fn = t_realloc;
    t->al.free_fn = t_free;
    t->al.ud = t;
    t->fail_at = fail_at;
    t->calls = 0;
}

static int run_one(const ik_test_case *c, unsigned timeout_s)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 0;
    }
    if (pid == 0) {
        alarm(timeout_s);
        c->fn();
        exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "  %s: killed by signal %d%s\n", c->name, WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
    return 0;
}

int ik_test_main(int argc, char **argv, const ik_test_case *cases, size_t n)
{
    unsigned timeout = 60;
    const char *t = getenv("IK_TEST_TIMEOUT");
    if (t)
        timeout = (unsigned)atoi(t);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        if (run_one(&cases[i], timeout)) {
            printf("ok - %s\n", cases[i].name);
            passed++;
        } else {
            printf("not ok - %s\n", cases[i].name);
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : (passed ? 0 : 1);
}
