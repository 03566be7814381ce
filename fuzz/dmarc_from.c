/*
 * dmarc_from.c - fuzz target for the Author Domain extraction (RFC 5322
 * From -> DMARC Author Domains, inkan/dmarc.h).
 *
 * The input is used twice: as a From field value, and as a whole header
 * block.  Invariants: OK means 1..IK_DMARC_MAX_AUTHOR_DOMAINS distinct
 * domains, each a lowercase A-label that passes the DNS name check and
 * re-normalizes to itself; every other status has no domain and a problem
 * text; an input the address parser calls ambiguous never yields a domain;
 * and each domain is the domain of one of the mailboxes the address parser
 * returns (the check never applies to a domain the message did not name).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "inkan/address.h"
#include "inkan/arena.h"
#include "inkan/dmarc.h"
#include "inkan/header.h"

static void check_from(ik_arena *a, const ik_dmarc_from *f)
{
    if (f->status != IK_DMARC_FROM_OK) {
        check(f->ndomains == 0 && f->problem.len > 0);
        return;
    }
    check(f->ndomains >= 1 && f->ndomains <= IK_DMARC_MAX_AUTHOR_DOMAINS);
    check(!(f->addr_flags & IK_ADDR_F_AMBIGUOUS));
    check(!(f->addr_flags & IK_ADDR_F_ENCODED_LOCAL));
    for (size_t i = 0; i < f->ndomains; i++) {
        ik_str d = f->domains[i];
        check(ik_dns_name_check(d) == IK_OK);
        for (size_t k = 0; k < d.len; k++)
            check(!(d.p[k] >= 'A' && d.p[k] <= 'Z') && (unsigned char)d.p[k] < 0x80);
        ik_str again;
        check(ik_dmarc_domain_alabel(a, d, &again) == IK_OK && ik_str_eq(again, d));
        for (size_t k = 0; k < i; k++)
            check(!ik_str_eq(f->domains[k], d));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_str text = ik_str_make((const char *)data, size);
    ik_dmarc_from f;
    if (ik_dmarc_author_from_value(a, text, &f) == IK_OK) {
        check_from(a, &f);
        if (f.status == IK_DMARC_FROM_OK) {
            /* every domain comes from a mailbox the parser returned */
            ik_addr_opts o = { 1, 0, 0 };
            ik_addr_list l;
            check(ik_addr_parse(a, text, IK_ADDR_ADDRESS_LIST, &o, &l) == IK_OK);
            for (size_t i = 0; i < f.ndomains; i++) {
                int found = 0;
                for (size_t k = 0; k < l.n && !found; k++) {
                    ik_str d;
                    if (ik_dmarc_domain_alabel(a, l.mbox[k].domain, &d) == IK_OK
                        && ik_str_eq(d, f.domains[i]))
                        found = 1;
                }
                check(found);
            }
        }
    }
    ik_hdr_field *fields;
    size_t n, body;
    if (ik_hdr_parse_block(a, data, size, NULL, &fields, &n, &body) == IK_OK
        && ik_dmarc_author_from_fields(a, fields, n, &f) == IK_OK) {
        check_from(a, &f);
        size_t froms = ik_hdr_count(fields, n, IK_STR_LIT("From"));
        if (f.status == IK_DMARC_FROM_OK)
            check(froms == 1);
        if (froms > 1)
            check(f.status == IK_DMARC_FROM_MULTIPLE_FIELDS);
    }
    ik_arena_free(a);
    return 0;
}
