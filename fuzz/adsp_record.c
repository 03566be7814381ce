/*
 * adsp_record.c - fuzz target for the ADSP record parser (inkan/adsp.h,
 * RFC 5617 4.2.1).
 *
 * The input goes in as an exact-size copy (a read past the length is an
 * ASan report).  Invariants: IK_OK or IK_ESYNTAX (never anything else with
 * memory to spare); a parsed practice is one of the three; a failure has
 * a reason; the outcome does not depend on the caller asking for one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inkan/adsp.h"
#include "inkan/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = fuzz_copy(data, size);
    ik_arena *a = ik_arena_new(NULL);
    check(a != NULL);
    ik_adsp_practice p = (ik_adsp_practice)-1, q = (ik_adsp_practice)-1;
    ik_str why = IK_STR_NULL;
    ik_status st = ik_adsp_record_parse(a, ik_str_make(copy, size), &p, &why);
    check(st == IK_OK || st == IK_ESYNTAX);
    if (st == IK_OK)
        check(p == IK_ADSP_PRACTICE_UNKNOWN || p == IK_ADSP_PRACTICE_ALL
              || p == IK_ADSP_PRACTICE_DISCARDABLE);
    else
        check(why.p != NULL && why.len > 0);
    ik_status st2 = ik_adsp_record_parse(a, ik_str_make(copy, size), &q, NULL);
    check(st2 == st);
    if (st == IK_OK)
        check(q == p);
    ik_arena_free(a);
    free(copy);
    return 0;
}
