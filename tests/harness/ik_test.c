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
