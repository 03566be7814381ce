/*
 * fuzz/dk_sig.c - the DomainKey-Signature parser over arbitrary bytes, and
 * the key and policy record parsers over the same bytes.  When a signature
 * parses, its views must lie inside the field, h= must be non-empty when
 * present, and both header canonicalizations must accept the field.
 */
#include <stdint.h>
#include <stdlib.h>

#include "inkan/domainkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(ik_str v, ik_str f)
{
    return v.len == 0 || (v.p >= f.p && v.p + v.len <= f.p + f.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_str in = ik_str_make((const char *)data, size);
    ik_dk_sig s;
    ik_str why;
    if (ik_dk_sig_parse(a, in, &s, &why) == IK_OK) {
        if (!inside(s.domain, s.field) || !inside(s.selector, s.field) || s.domain.len == 0
            || s.selector.len == 0 || s.b.len == 0 || (s.has_h && s.nh == 0))
            abort();
        for (size_t i = 0; i < s.nh; i++)
            if (!inside(s.h[i], s.field) || s.h[i].len == 0)
                abort();
        for (int c = 0; c < 2; c++) {
            ik_buf b;
            ik_buf_init(&b, a, 0);
            if (ik_dk_canon_header((ik_dk_canon)c, s.field, &b) != IK_OK)
                abort();
        }
    }
    ik_dk_key k;
    if (ik_dk_key_parse(a, in, &k, &why) == IK_OK && !k.revoked && k.pkey == NULL)
        abort();
    ik_dk_policy p;
    (void)ik_dk_policy_parse(a, in, &p, &why);
    ik_str addr, local, domain;
    if (ik_dk_mailbox(a, in, &addr, &local, &domain) == IK_OK
        && (local.len == 0 || domain.len == 0 || local.len + domain.len + 1 != addr.len))
        abort();
    ik_arena_free(a);
    return 0;
}
