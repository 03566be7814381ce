/*
 * fuzz/tagvalue.c - tag=value list parser over arbitrary bytes, in every
 * flag combination.
 */
#include <stdint.h>

#include "inkan/tagvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    for (unsigned flags = 0; flags < 8; flags++) {
        ik_taglist l;
        ik_str problem;
        if (ik_taglist_parse(a, ik_str_make((const char *)data, size), flags, 0, &l, &problem)
            == IK_OK) {
            for (size_t i = 0; i < l.n; i++)
                (void)ik_tag_value_nows(a, l.tags[i].value);
            (void)ik_taglist_get(&l, "b", (int)(flags & 1));
        }
    }
    ik_arena_free(a);
    return 0;
}
