/*
 * test_umbrella.c - inkan.h compiles on its own and every status code has
 * a name and a text.
 */
#include "ik_test.h"
#include "inkan/inkan.h"

static void every_status_has_name_and_text(void)
{
#define CHECK_(name, val, text)                                                                    \
    ASSERT_CSTR(ik_status_name(IK_##name), "IK_" #name);                                           \
    ASSERT_CSTR(ik_strerror(IK_##name), text);
    IK_STATUS_MAP(CHECK_)
#undef CHECK_
    ASSERT_CSTR(ik_status_name((ik_status)-999), "IK_UNKNOWN");
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(every_status_has_name_and_text),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
