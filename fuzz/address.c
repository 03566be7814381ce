/*
 * address.c - fuzz target for the RFC 5322 address parser.
 *
 * The input is parsed as each of the three syntaxes in both modes.
 * Invariants: every mailbox returned has a local part and a domain and
 * addr_spec = local "@" domain; a failure has a problem text; strict
 * acceptance implies lenient acceptance with the same mailboxes (lenient
 * mode only adds recoveries, it never changes a reading).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "inkan/address.h"
#include "inkan/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_str text = ik_str_make((const char *)data, size);
    for (int what = IK_ADDR_MAILBOX; what <= IK_ADDR_ADDRESS_LIST; what++) {
        ik_addr_list l[2];
        ik_status st[2];
        for (int mode = 0; mode < 2; mode++) {
            ik_addr_opts o = { mode, 0, 0 };
            st[mode] = ik_addr_parse(a, text, (ik_addr_syntax)what, &o, &l[mode]);
            check(st[mode] == IK_OK || st[mode] == IK_ESYNTAX || st[mode] == IK_ELIMIT);
            if (st[mode] != IK_OK) {
                check(l[mode].problem.len > 0);
                continue;
            }
            check(l[mode].n > 0 || l[mode].ngroups > 0);
            check(!(l[mode].flags & IK_ADDR_F_AMBIGUOUS));
            if (mode == 0)
                check(!(l[mode].flags & IK_ADDR_F_LENIENT));
            if (what == IK_ADDR_MAILBOX)
                check(l[mode].n == 1);
            for (size_t i = 0; i < l[mode].n; i++) {
                const ik_mailbox *m = &l[mode].mbox[i];
                check(m->local.len > 0 && m->domain.len > 0);
                check(m->addr_spec.len == m->local.len + 1 + m->domain.len);
                check(memcmp(m->addr_spec.p, m->local.p, m->local.len) == 0);
                check(m->addr_spec.p[m->local.len] == '@');
                check(memcmp(m->addr_spec.p + m->local.len + 1, m->domain.p, m->domain.len) == 0);
                check(memchr(m->domain.p, '@', m->domain.len) == NULL
                      || (m->flags & IK_ADDR_F_DOMAIN_LITERAL));
            }
        }
        if (st[0] == IK_OK) {
            check(st[1] == IK_OK);
            check(l[0].n == l[1].n);
            for (size_t i = 0; i < l[0].n; i++)
                check(ik_str_eq(l[0].mbox[i].addr_spec, l[1].mbox[i].addr_spec));
        }
    }
    ik_arena_free(a);
    return 0;
}
