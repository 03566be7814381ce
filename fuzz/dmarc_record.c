/*
 * dmarc_record.c - fuzz target for the DMARC record and report-URI parsers
 * (inkan/dmarc.h).
 *
 * The input is parsed under every option combination that changes parsing.
 * Invariants: IK_ENOTFOUND exactly when ik_dmarc_record_is_dmarc() is
 * false; an accepted record has values inside their enums, pct <= 100, at
 * most IK_DMARC_MAX_URIS URIs per list, every mailto URI with a non-empty
 * address ending in "@" host; a failure has a problem text; a record the
 * default options accept is accepted with DUP_TAG_FIRST too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "inkan/arena.h"
#include "inkan/dmarc.h"

static void check_uris(const ik_dmarc_uri *u, size_t n)
{
    check(n <= IK_DMARC_MAX_URIS);
    for (size_t i = 0; i < n; i++) {
        if (!u[i].mailto)
            continue;
        check(u[i].valid);
        check(u[i].host.len > 0 && u[i].address.len > u[i].host.len + 1);
        check(u[i].address.p[u[i].address.len - u[i].host.len - 1] == '@');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_str text = ik_str_make((const char *)data, size);
    int is = ik_dmarc_record_is_dmarc(text);
    static const unsigned opts[] = { 0, IK_DMARC_OPT_SPEC_7489,
                                     IK_DMARC_OPT_DUP_TAG_FIRST | IK_DMARC_OPT_LENIENT_URI_SIZE,
                                     IK_DMARC_OPT_SPEC_7489 | IK_DMARC_OPT_LENIENT_URI_SIZE };
    ik_status first = IK_OK;
    for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
        ik_dmarc_record *r = NULL;
        ik_str why = IK_STR_NULL;
        ik_status st = ik_dmarc_record_parse(a, text, opts[k], &r, &why);
        if (k == 0)
            first = st;
        check(st == IK_OK || st == IK_ENOTFOUND || st == IK_ESYNTAX);
        check((st == IK_ENOTFOUND) == !is);
        if (st != IK_OK) {
            check(r == NULL && why.len > 0);
            continue;
        }
        if (k == 2 && first == IK_OK)
            check(st == IK_OK);
        check(r->p <= IK_DMARC_P_REJECT && r->sp <= IK_DMARC_P_REJECT
              && r->np <= IK_DMARC_P_REJECT);
        check(r->psd <= IK_DMARC_PSD_N);
        check(r->pct <= 100);
        check((r->invalid & ~r->present & ~IK_DMARC_TAG_P) == 0);
        check_uris(r->rua, r->nrua);
        check_uris(r->ruf, r->nruf);
        if (!(r->invalid & IK_DMARC_TAG_FO))
            check(!((r->fo & IK_DMARC_FO_0) && (r->fo & IK_DMARC_FO_1)));
    }
    /* the whole input as one URI, both modes */
    for (int m = 0; m < 2; m++) {
        ik_dmarc_uri u;
        ik_str why;
        ik_status st = ik_dmarc_uri_parse(a, text, m, 0, &u, &why);
        check(st == IK_OK || st == IK_ESYNTAX);
        if (st == IK_OK)
            check_uris(&u, 1);
        else
            check(!u.valid && why.len > 0);
    }
    ik_arena_free(a);
    return 0;
}
