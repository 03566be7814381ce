/*
 * from.c - the Author Domain(s) of a message (RFC 9989 3.2.2, 5.3.1, 11.5;
 * RFC 7489 6.6.1), hardened against the "Composition Kills" attacks
 * (Chen et al., USENIX Security 2020): every input that one reader would
 * take for one domain and another reader for another is refused, never
 * resolved by a guess, so a DMARC check can never apply to a domain other
 * than the one the recipient's mail client shows.
 *
 * The classes and what happens to each:
 *  - no From field / several From fields (also "FROM", "From :"):
 *    ABSENT / MULTIPLE_FIELDS (RFC 5322 3.6 requires exactly one);
 *  - a From line indented so it becomes a continuation of the field above:
 *    not a From field (header.h flags it orphan), so ABSENT if alone;
 *  - several mailboxes: every distinct domain is an Author Domain (the
 *    caller applies the strictest policy, RFC 9989 11.5);
 *  - a group ("undisclosed-recipients:;"): its mailboxes count; with none
 *    the result is NO_DOMAIN (RFC 7489 6.6.1 "typically ignored");
 *  - display names holding an address, quoted local parts holding '@',
 *    comments holding an address, source routes: the addr-spec's domain
 *    (address.h reads these exactly as RFC 5322 does);
 *  - unquoted '@' in a display name, two '@', glued addresses: AMBIGUOUS
 *    (address.h refuses them);
 *  - an encoded word as a local part (some clients decode it, RFC 2047 5
 *    forbids it there) and NUL bytes anywhere in the field: AMBIGUOUS;
 *  - U-label domains: converted to A-labels (RFC 9989 5.3.1);
 *  - domain literals: no domain name, skipped (NO_DOMAIN if nothing else).
 *
 * Ownership: results in the arena.  Threads: no state.
 * Limits: IK_DMARC_MAX_AUTHOR_DOMAINS distinct domains (RFC 9989 11.5).
 */
#include <string.h>

#include "dmarc/dmarc_int.h"

const char *ik_dmarc_from_status_name(ik_dmarc_from_status s)
{
    switch (s) {
    case IK_DMARC_FROM_OK: return "ok";
    case IK_DMARC_FROM_ABSENT: return "absent";
    case IK_DMARC_FROM_MULTIPLE_FIELDS: return "multiple-fields";
    case IK_DMARC_FROM_MALFORMED: return "malformed";
    case IK_DMARC_FROM_AMBIGUOUS: return "ambiguous";
    case IK_DMARC_FROM_NO_DOMAIN: return "no-domain";
    case IK_DMARC_FROM_TOO_MANY: return "too-many-domains";
    }
    return "unknown";
}

static ik_status fail(ik_arena *a, ik_dmarc_from *out, ik_dmarc_from_status st, const char *why,
                      ik_str detail)
{
    out->status = st;
    out->ndomains = 0;
    char *m = detail.len ? ik_arena_printf(a, "%s: %.*s", why,
                                           (int)(detail.len > 200 ? 200 : detail.len), detail.p)
                         : ik_arena_printf(a, "%s", why);
    if (m == NULL)
        return IK_ENOMEM;
    out->problem = ik_str_c(m);
    return IK_OK;
}

static ik_status add_domain(ik_arena *a, ik_dmarc_from *out, ik_str raw)
{
    ik_str d;
    ik_status st = ik_dmarc_domain_alabel(a, raw, &d);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, out, IK_DMARC_FROM_MALFORMED, "author domain is not a domain name", raw);
    for (size_t i = 0; i < out->ndomains; i++)
        if (ik_str_eq(out->domains[i], d))
            return IK_OK;
    if (out->ndomains == IK_DMARC_MAX_AUTHOR_DOMAINS)
        return fail(a, out, IK_DMARC_FROM_TOO_MANY, "more author domains than the limit",
                    IK_STR_NULL);
    out->domains[out->ndomains++] = d;
    return IK_OK;
}

ik_status ik_dmarc_author_from_domain(ik_arena *a, ik_str domain, ik_dmarc_from *out)
{
    memset(out, 0, sizeof(*out));
    ik_status st = add_domain(a, out, domain);
    if (st == IK_OK && out->status == IK_DMARC_FROM_OK)
        out->nmailboxes = 1;
    return st;
}

ik_status ik_dmarc_author_from_value(ik_arena *a, ik_str value, ik_dmarc_from *out)
{
    memset(out, 0, sizeof(*out));
    if (value.p == NULL && value.len)
        return IK_EINVAL;
    if (value.len && memchr(value.p, '\0', value.len) != NULL)
        return fail(a, out, IK_DMARC_FROM_AMBIGUOUS, "NUL byte in From", IK_STR_NULL);
    ik_addr_opts o = { 1, 0, 0 }; /* lenient: recoveries that have one reading */
    ik_addr_list l;
    /* address-list, not mailbox-list: groups must be seen, not refused */
    ik_status st = ik_addr_parse(a, value, IK_ADDR_ADDRESS_LIST, &o, &l);
    out->addr_flags = l.flags;
    if (st == IK_ENOMEM || st == IK_EINVAL)
        return st;
    if (st == IK_ELIMIT)
        return fail(a, out, IK_DMARC_FROM_TOO_MANY, "From over the address parser's limits",
                    l.problem);
    if (st != IK_OK) {
        if (l.flags & IK_ADDR_F_AMBIGUOUS)
            return fail(a, out, IK_DMARC_FROM_AMBIGUOUS, "From has more than one reading",
                        l.problem);
        return fail(a, out, IK_DMARC_FROM_MALFORMED, "From does not parse", l.problem);
    }
    if (l.flags & IK_ADDR_F_ENCODED_LOCAL)
        return fail(a, out, IK_DMARC_FROM_AMBIGUOUS,
                    "encoded word used as a local part (clients decode it differently)",
                    IK_STR_NULL);
    out->nmailboxes = l.n;
    for (size_t i = 0; i < l.n; i++) {
        if (l.mbox[i].flags & IK_ADDR_F_DOMAIN_LITERAL)
            continue; /* an address literal names no domain */
        st = add_domain(a, out, l.mbox[i].domain);
        if (st != IK_OK || out->status != IK_DMARC_FROM_OK)
            return st;
    }
    if (out->ndomains == 0)
        return fail(a, out, IK_DMARC_FROM_NO_DOMAIN, "From holds no domain name", IK_STR_NULL);
    return IK_OK;
}

ik_status ik_dmarc_author_from_fields(ik_arena *a, const ik_hdr_field *fields, size_t nfields,
                                      ik_dmarc_from *out)
{
    memset(out, 0, sizeof(*out));
    if (fields == NULL && nfields)
        return IK_EINVAL;
    size_t count = 0, at = nfields;
    for (size_t i = 0; i < nfields; i++) {
        if (ik_str_caseeq_c(fields[i].name, "From")) {
            if (count++ == 0)
                at = i;
        }
    }
    if (count == 0)
        return fail(a, out, IK_DMARC_FROM_ABSENT, "no From field", IK_STR_NULL);
    if (count > 1)
        return fail(a, out, IK_DMARC_FROM_MULTIPLE_FIELDS, "multiple From fields", IK_STR_NULL);
    if (fields[at].flags & IK_HDR_F_NUL)
        return fail(a, out, IK_DMARC_FROM_AMBIGUOUS, "NUL byte in From", IK_STR_NULL);
    return ik_dmarc_author_from_value(a, fields[at].value, out);
}
