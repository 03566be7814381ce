/*
 * test_tagvalue.c - tag=value lists (RFC 6376 3.2).
 */
#include "ik_test.h"
#include "inkan/tagvalue.h"

static ik_arena *A;

/* Each case runs in its own process, so the arena is made on first use. */
static ik_arena *arena(void)
{
    if (A == NULL)
        A = ik_arena_new(NULL);
    return A;
}

static ik_status parse(const char *text, size_t len, unsigned flags, ik_taglist *l, ik_str *problem)
{
    return ik_taglist_parse(arena(), ik_str_make(text, len), flags, 0, l, problem);
}
#define PARSE(t, f, l, pr) parse((t), sizeof(t) - 1, (f), (l), (pr))

static void taglist_parses_dkim_signature_shape(void)
{
    ik_taglist l;
    ASSERT_OK(PARSE("v=1; a=rsa-sha256; d=example.net; s=brisbane;\r\n"
                    "  c=simple; q=dns/txt; i=@eng.example.net;\r\n"
                    "  b=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZ\r\n"
                    "    VoG4ZHRNiYzR ;",
                    IK_TAGLIST_STRICT_VALUES, &l, NULL));
    ASSERT_EQ(l.n, 8);
    ASSERT_STR(ik_taglist_get(&l, "d", 0)->value, "example.net");
    ASSERT_STR(ik_taglist_get(&l, "i", 0)->value, "@eng.example.net");
    ASSERT_TRUE(ik_taglist_get(&l, "D", 0) == NULL);
    ik_str b = ik_tag_value_nows(arena(), ik_taglist_get(&l, "b", 0)->value);
    ASSERT_STR(b, "dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR");
}

static void taglist_empty_value_and_trailing_semicolon(void)
{
    ik_taglist l;
    ASSERT_OK(PARSE("v=DKIM1; p=;", 0, &l, NULL));
    ASSERT_EQ(l.n, 2);
    ASSERT_STR(ik_taglist_get(&l, "p", 0)->value, "");
    ASSERT_OK(PARSE("", 0, &l, NULL));
    ASSERT_EQ(l.n, 0);
    ASSERT_OK(PARSE("  ", 0, &l, NULL));
    ASSERT_EQ(l.n, 0);
}

static void taglist_duplicate_tag_is_error_naming_it(void)
{
    ik_taglist l;
    ik_str pr;
    ASSERT_STATUS(PARSE("a=1; b=2; a=3", 0, &l, &pr), IK_ESYNTAX);
    ASSERT_TRUE(ik_str_chr(pr, 'a') >= 0);
    ASSERT_OK(PARSE("p=none; P=reject", 0, &l, &pr));
    ASSERT_STATUS(PARSE("p=none; P=reject", IK_TAGLIST_CASELESS, &l, &pr), IK_ESYNTAX);
}

static void taglist_rejects_malformed(void)
{
    ik_taglist l;
    ik_str pr;
    ASSERT_STATUS(PARSE("=1", 0, &l, &pr), IK_ESYNTAX);
    ASSERT_STATUS(PARSE("1a=1", 0, &l, &pr), IK_ESYNTAX);
    ASSERT_STATUS(PARSE("a", 0, &l, &pr), IK_ESYNTAX);
    ASSERT_STATUS(PARSE("a b=1", 0, &l, &pr), IK_ESYNTAX);
    ASSERT_STATUS(PARSE("a=1;;b=2", 0, &l, &pr), IK_ESYNTAX);
    ASSERT_OK(PARSE("a=1;;b=2", IK_TAGLIST_ALLOW_EMPTY, &l, &pr));
    ASSERT_EQ(l.n, 2);
    ASSERT_STATUS(PARSE("a=1\x80", IK_TAGLIST_STRICT_VALUES, &l, &pr), IK_ESYNTAX);
    ASSERT_OK(PARSE("a=1\x80", 0, &l, &pr));
}

static void taglist_nul_byte_does_not_end_input(void)
{
    ik_taglist l;
    ik_str pr;
    /* The NUL is part of the value, never a terminator; strict mode refuses
     * it, lenient mode keeps the whole value. */
    ASSERT_STATUS(PARSE("a=x\0y; b=2", IK_TAGLIST_STRICT_VALUES, &l, &pr), IK_ESYNTAX);
    ASSERT_OK(PARSE("a=x\0y; b=2", 0, &l, &pr));
    ASSERT_EQ(l.n, 2);
    ASSERT_EQ(ik_taglist_get(&l, "a", 0)->value.len, 3);
}

static void taglist_bounds_tag_count(void)
{
    char text[4000];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "t%d=%d;", i, i);
    ik_taglist l;
    ASSERT_STATUS(ik_taglist_parse(arena(), ik_str_make(text, n), 0, 0, &l, NULL), IK_ELIMIT);
    ASSERT_OK(ik_taglist_parse(arena(), ik_str_make(text, n), 0, 100, &l, NULL));
    ASSERT_EQ(l.n, 100);
}

static void taglist_truncated_input_at_every_length(void)
{
    static const char full[] = "v=1; a=rsa-sha256; d=example.net; bh=abc=; b=xyz";
    for (size_t len = 0; len <= sizeof(full) - 1; len++) {
        char *copy = malloc(len ? len : 1); /* exact size: ASan sees overreads */
        memcpy(copy, full, len);
        ik_taglist l;
        ik_status st = ik_taglist_parse(arena(), ik_str_make(copy, len), 0, 0, &l, NULL);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
        free(copy);
    }
}

/* A DKIM-Signature-shaped list parsed in an arena whose allocation number n
 * fails, for each n in turn: IK_ENOMEM, never a crash or a leak. */
static void taglist_survives_allocation_failures(void)
{
    static const char text[] = "v=1; a=rsa-sha256; d=example.net; s=brisbane; c=simple;"
                               " q=dns/txt; i=@eng.example.net; h=from:to:subject; bh=AAAA;"
                               " b=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZ";
    long ok_at = -1;
    for (long fail = 0; fail < 200 && ok_at < 0; fail++) {
        ik_test_alloc ta;
        ik_test_alloc_init(&ta, fail);
        ik_arena *a = ik_arena_new(&ta.al);
        if (a == NULL)
            continue;
        ik_taglist l;
        ik_str problem;
        ik_status st = ik_taglist_parse(a, ik_str_make(text, sizeof(text) - 1), 0, 0, &l, &problem);
        if (st == IK_OK) {
            ASSERT_EQ(l.n, 10);
            ASSERT_STR(ik_tag_value_nows(a, ik_taglist_get(&l, "b", 0)->value),
                       "dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZ");
            ok_at = fail;
        } else {
            ASSERT_STATUS(st, IK_ENOMEM);
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(ok_at > 0);
}

/* A NUL at each position and oversized lists: a defined status, never a
 * read past the length (exact-size copies). */
static void taglist_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_taglist l;
    ik_str problem = IK_STR_NULL;
    ik_status st =
        ik_taglist_parse(a, ik_str_make(p, n), IK_TAGLIST_STRICT_VALUES, 0, &l, &problem);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    if (st == IK_ESYNTAX)
        ASSERT_TRUE(problem.len > 0);
    ik_arena_free(a);
}

static void taglist_nul_and_oversized_input(void)
{
    static const char t[] = "v=1; a=rsa-sha256;\r\n d=example.net; b=AbC d+/=";
    ik_test_each_nul(t, sizeof(t) - 1, taglist_cb, NULL);
    ik_test_oversized("", "x=1;", 1u << 20, "", taglist_cb, NULL);
    ik_test_oversized("b=", "AAAA\r\n ", 1u << 20, "", taglist_cb, NULL);
}

static void tag_value_split_items_and_bounds(void)
{
    ik_str *items;
    size_t n;
    ASSERT_OK(
        ik_tag_value_split(arena(), ik_str_c(" From : To:\r\n\tSubject ::"), ':', 10, &items, &n));
    ASSERT_EQ(n, 5);
    ASSERT_STR(items[0], "From");
    ASSERT_STR(items[1], "To");
    ASSERT_STR(items[2], "Subject");
    ASSERT_STR(items[3], "");
    ASSERT_STR(items[4], "");
    ASSERT_OK(ik_tag_value_split(arena(), ik_str_make("", 0), ':', 1, &items, &n));
    ASSERT_EQ(n, 1);
    ASSERT_EQ(items[0].len, 0);
    /* explicit length: the NUL is an item byte, the separator after it counts */
    static const char nul[] = "a\0b:c";
    ASSERT_OK(ik_tag_value_split(arena(), ik_str_make(nul, sizeof(nul) - 1), ':', 2, &items, &n));
    ASSERT_EQ(n, 2);
    ASSERT_EQ(items[0].len, 3);
    ASSERT_STR(items[1], "c");
    ASSERT_STATUS(ik_tag_value_split(arena(), ik_str_c("a:b:c"), ':', 2, &items, &n), IK_ELIMIT);
    ASSERT_EQ(n, 0);
    ASSERT_OK(ik_tag_value_split(arena(), ik_str_c("a,b"), ',', 2, &items, &n));
    ASSERT_EQ(n, 2);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(taglist_parses_dkim_signature_shape),
    IK_TEST_CASE(taglist_empty_value_and_trailing_semicolon),
    IK_TEST_CASE(taglist_duplicate_tag_is_error_naming_it),
    IK_TEST_CASE(taglist_rejects_malformed),
    IK_TEST_CASE(taglist_nul_byte_does_not_end_input),
    IK_TEST_CASE(taglist_bounds_tag_count),
    IK_TEST_CASE(taglist_truncated_input_at_every_length),
    IK_TEST_CASE(taglist_survives_allocation_failures),
    IK_TEST_CASE(taglist_nul_and_oversized_input),
    IK_TEST_CASE(tag_value_split_items_and_bounds),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
