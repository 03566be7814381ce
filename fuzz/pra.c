/*
 * pra.c - fuzz target for PRA selection (RFC 4407 section 2) over a
 * header section, plus the Authentication-Results text for its outcome.
 *
 * Invariants: a PRA found names a selected field of the right name, has a
 * domain that is not a literal, and a step 1..4; no PRA comes with a
 * problem text; the A-R text has no CR or LF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "inkan/arena.h"
#include "inkan/header.h"
#include "inkan/senderid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_hdr_field *f;
    size_t n, body;
    if (ik_hdr_parse_block(a, data, size, NULL, &f, &n, &body) == IK_OK) {
        ik_pra pra;
        check(ik_pra_select(a, f, n, &pra) == IK_OK);
        if (pra.reason == IK_PRA_FOUND) {
            check(pra.step >= 1 && pra.step <= 4);
            check(pra.field_index < n);
            check(ik_str_caseeq(f[pra.field_index].name, pra.field_name));
            check(pra.mailbox.domain.len > 0);
            check(!(pra.mailbox.flags & IK_ADDR_F_DOMAIN_LITERAL));
            check(ik_hdr_value_nonempty(f[pra.field_index].value));
        } else {
            check(pra.problem.len > 0);
        }
        ik_senderid_outcome o;
        memset(&o, 0, sizeof o);
        o.scope = IK_SPF_SCOPE_PRA;
        o.result = pra.reason == IK_PRA_FOUND ? IK_SPF_PASS : IK_SPF_PERMERROR;
        o.pra = pra;
        ik_str ar = ik_senderid_authres(a, &o);
        check(ar.p != NULL);
        check(memchr(ar.p, '\n', ar.len) == NULL && memchr(ar.p, '\r', ar.len) == NULL);
    }
    ik_arena_free(a);
    return 0;
}
