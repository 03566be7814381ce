/*
 * ik_test.h - the in-tree unit test harness.
 *
 * A test program lists its cases in a table of {name, fn}; ik_test_main()
 * runs each in a child process with a timeout (the libuv runner idea), so a
 * crash or hang fails that case only.  Assertion macros print both operands.
 * Usage: prog [case-name] - run all cases or just the named one.
 */
#ifndef IK_TEST_H
#define IK_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/common.h"

typedef struct ik_test_case {
    const char *name;
    void (*fn)(void);
} ik_test_case;

#define IK_TEST_CASE(fn)                                                                           \
    {                                                                                              \
#fn, fn                                                                                    \
    }

int ik_test_main(int argc, char **argv, const ik_test_case *cases, size_t n);

/*
 * Fault injection (the SQLite test_malloc idea): an allocator whose
 * allocation number fail_at (counting from 0) and every later one fails.
 * fail_at < 0 never fails.  calls counts attempts, so a test can first run
 * once to learn how many allocations a job makes, then fail each in turn.
 */
typedef struct ik_test_alloc {
    ik_allocator al;
    long fail_at;
    long calls;
} ik_test_alloc;

void ik_test_alloc_init(ik_test_alloc *t, long fail_at);

/*
 * Hostile-input variants of one valid input, for parser tests.  Each
 * variant is handed to fn as an exact-size heap copy (no NUL after it), so
 * ASan traps any read past its length:
 *   ik_test_each_prefix  every prefix, lengths 0 .. len;
 *   ik_test_each_nul     the input with byte i replaced by NUL, each i;
 *   ik_test_oversized    head, then unit repeated (the last repetition
 *                        cut) until total bytes, then tail: oversized input
 *                        that is well-formed up to its size.
 */
typedef void (*ik_test_input_fn)(const char *p, size_t len, void *ud);
void ik_test_each_prefix(const void *p, size_t len, ik_test_input_fn fn, void *ud);
void ik_test_each_nul(const void *p, size_t len, ik_test_input_fn fn, void *ud);
void ik_test_oversized(const char *head, const char *unit, size_t total, const char *tail,
                       ik_test_input_fn fn, void *ud);

/* Path of a data file under the source tree: IK_SOURCE_DIR/rel. */
const char *ik_test_path(const char *rel);

#define IK_TEST_FAIL_(...)                                                                         \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        exit(1);                                                                                   \
    } while (0)

#define ASSERT_TRUE(x)                                                                             \
    do {                                                                                           \
        if (!(x))                                                                                  \
            IK_TEST_FAIL_("assertion failed: %s", #x);                                             \
    } while (0)

#define ASSERT_FALSE(x) ASSERT_TRUE(!(x))

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            IK_TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);                               \
    } while (0)

#define ASSERT_NE(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ == b_)                                                                              \
            IK_TEST_FAIL_("%s != %s: both %lld", #a, #b, a_);                                      \
    } while (0)

#define ASSERT_OK(x)                                                                               \
    do {                                                                                           \
        ik_status s_ = (x);                                                                        \
        if (s_ != IK_OK)                                                                           \
            IK_TEST_FAIL_("%s: %s", #x, ik_status_name(s_));                                       \
    } while (0)

#define ASSERT_STATUS(x, want)                                                                     \
    do {                                                                                           \
        ik_status s_ = (x), w_ = (want);                                                           \
        if (s_ != w_)                                                                              \
            IK_TEST_FAIL_("%s: got %s, want %s", #x, ik_status_name(s_), ik_status_name(w_));      \
    } while (0)

/* Compares an ik_str with a C string literal, printing both. */
#define ASSERT_STR(s, lit)                                                                         \
    do {                                                                                           \
        ik_str s_ = (s);                                                                           \
        const char *l_ = (lit);                                                                    \
        if (s_.len != strlen(l_) || (s_.len && memcmp(s_.p, l_, s_.len)))                          \
            IK_TEST_FAIL_("%s: got \"%.*s\", want \"%s\"", #s, (int)s_.len, s_.p ? s_.p : "", l_); \
    } while (0)

#define ASSERT_CSTR(a, b)                                                                          \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                                       \
            IK_TEST_FAIL_("%s: got \"%s\", want \"%s\"", #a, a_ ? a_ : "(null)",                   \
                          b_ ? b_ : "(null)");                                                     \
    } while (0)

#endif
