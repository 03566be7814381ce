/*
 * pra.c - Purported Responsible Address selection (RFC 4407 section 2).
 *
 * The six steps, as the code follows them:
 *  1. the first non-empty Resent-Sender, unless a non-empty Resent-From
 *     precedes it with a Received or Return-Path field in between (then
 *     the Resent-Sender belongs to an older resent block than that
 *     Resent-From, RFC 5322 3.6.6, and step 2 applies);
 *  2. else the first non-empty Resent-From;
 *  3. else the non-empty Sender fields: one is selected, several are step 6;
 *  4. else the non-empty From fields: exactly one is selected, else step 6;
 *  5. the selected field must hold a single well-formed mailbox with a
 *     domain name, else step 6;
 *  6. no PRA: the message is ill-formed.
 * "Non-empty" means holding any non-whitespace character (RFC 4407 2,
 * paragraph after the steps); whitespace-only fields are treated as absent.
 * Steps 1 and 2 only ever look at the first such field: a later one is an
 * older resent block.  A selected field that is malformed is never skipped
 * in favour of the next candidate: step 5 goes to step 6, not back.
 *
 * Field names compare case-insensitively (RFC 5322 1.2.2); fields with
 * whitespace before the colon (RFC 5322 4.5) count like any other.
 *
 * Ownership: arena for problem texts and the parsed mailbox; fields are
 * borrowed.  Threads: no state.
 */
#include <string.h>

#include "inkan/senderid.h"

const char *ik_pra_reason_name(ik_pra_reason r)
{
    switch (r) {
    case IK_PRA_FOUND: return "found";
    case IK_PRA_NO_FROM: return "no-from";
    case IK_PRA_MULTIPLE_FROM: return "multiple-from";
    case IK_PRA_MULTIPLE_SENDER: return "multiple-sender";
    case IK_PRA_MULTIPLE_MAILBOXES: return "multiple-mailboxes";
    case IK_PRA_NO_DOMAIN: return "no-domain";
    case IK_PRA_AMBIGUOUS: return "ambiguous";
    case IK_PRA_MALFORMED: return "malformed";
    }
    return "unknown";
}

static int is_named(const ik_hdr_field *f, const char *name)
{
    return f->name.len > 0 && ik_str_caseeq_c(f->name, name);
}

/* A relevant field counts only when non-empty (RFC 4407 2). */
static int is_nonempty(const ik_hdr_field *f, const char *name)
{
    return is_named(f, name) && ik_hdr_value_nonempty(f->value);
}

static size_t first_nonempty(const ik_hdr_field *f, size_t n, size_t end, const char *name)
{
    for (size_t i = 0; i < end && i < n; i++)
        if (is_nonempty(&f[i], name))
            return i;
    return n;
}

/* No PRA (step 6); text is an arena string, NULL when it could not be made. */
static ik_status pra_none(ik_pra *out, ik_pra_reason r, const char *text)
{
    out->reason = r;
    if (text == NULL)
        return IK_ENOMEM;
    out->problem = ik_str_c(text);
    return IK_OK;
}

/* Step 5: the selected field must hold one mailbox with a domain name. */
static ik_status pra_step5(ik_arena *a, const ik_hdr_field *f, size_t idx, unsigned step,
                           const char *lname, int single, ik_pra *out)
{
    out->step = step;
    out->field_index = idx;
    out->field_name = ik_str_c(lname);

    ik_addr_opts o;
    memset(&o, 0, sizeof o);
    o.lenient = 1; /* step 5 gives up only on "hopelessly malformed" */
    ik_addr_list l;
    ik_status st =
        ik_addr_parse(a, f->value, single ? IK_ADDR_MAILBOX : IK_ADDR_MAILBOX_LIST, &o, &l);
    out->addr_flags = l.flags;
    if (st == IK_ENOMEM)
        return st;
    if ((st == IK_OK && l.n > 1) || (l.flags & IK_ADDR_F_MULTIPLE))
        return pra_none(out, IK_PRA_MULTIPLE_MAILBOXES,
                        ik_arena_printf(a,
                                        "RFC 4407 2 step 5: %s field holds more than "
                                        "one mailbox",
                                        lname));
    if (st != IK_OK) {
        ik_pra_reason r = (l.flags & IK_ADDR_F_AMBIGUOUS) ? IK_PRA_AMBIGUOUS : IK_PRA_MALFORMED;
        return pra_none(out, r,
                        ik_arena_printf(a, "RFC 4407 2 step 5: %s field is malformed: %.*s", lname,
                                        (int)l.problem.len, l.problem.p));
    }
    if (l.n == 0)
        return pra_none(out, IK_PRA_MALFORMED,
                        ik_arena_printf(a, "RFC 4407 2 step 5: %s field holds no mailbox", lname));
    if (l.mbox[0].flags & IK_ADDR_F_DOMAIN_LITERAL)
        return pra_none(out, IK_PRA_NO_DOMAIN,
                        ik_arena_printf(a,
                                        "RFC 4407 2 step 5: %s mailbox has an address "
                                        "literal, no domain name",
                                        lname));
    out->mailbox = l.mbox[0];
    out->reason = IK_PRA_FOUND;
    out->problem = IK_STR_LIT("");
    return IK_OK;
}

ik_status ik_pra_select(ik_arena *a, const ik_hdr_field *fields, size_t n, ik_pra *out)
{
    if (out == NULL)
        return IK_EINVAL;
    memset(out, 0, sizeof(*out));
    out->field_index = n;
    out->problem = IK_STR_LIT("");
    out->field_name = IK_STR_LIT("");
    if (a == NULL || (fields == NULL && n > 0))
        return IK_EINVAL;

    /* Step 1. */
    size_t rs = first_nonempty(fields, n, n, "Resent-Sender");
    if (rs < n) {
        size_t rf = first_nonempty(fields, n, rs, "Resent-From");
        int trace_between = 0;
        for (size_t i = rf + 1; rf < rs && i < rs; i++)
            if (is_named(&fields[i], "Received") || is_named(&fields[i], "Return-Path"))
                trace_between = 1;
        if (!trace_between)
            return pra_step5(a, &fields[rs], rs, 1, "resent-sender", 1, out);
    }
    /* Step 2. */
    size_t rf = first_nonempty(fields, n, n, "Resent-From");
    if (rf < n)
        return pra_step5(a, &fields[rf], rf, 2, "resent-from", 0, out);
    /* Step 3. */
    size_t nsender = 0, sender = n;
    for (size_t i = 0; i < n; i++)
        if (is_nonempty(&fields[i], "Sender")) {
            if (nsender++ == 0)
                sender = i;
        }
    if (nsender > 1) {
        out->step = 3;
        return pra_none(
            out, IK_PRA_MULTIPLE_SENDER,
            ik_arena_printf(a, "RFC 4407 2 step 3: %zu non-empty Sender fields", nsender));
    }
    if (nsender == 1)
        return pra_step5(a, &fields[sender], sender, 3, "sender", 1, out);
    /* Step 4. */
    size_t nfrom = 0, from = n;
    for (size_t i = 0; i < n; i++)
        if (is_nonempty(&fields[i], "From")) {
            if (nfrom++ == 0)
                from = i;
        }
    if (nfrom == 1)
        return pra_step5(a, &fields[from], from, 4, "from", 0, out);
    out->step = 4;
    if (nfrom == 0)
        return pra_none(out, IK_PRA_NO_FROM,
                        ik_arena_printf(a, "RFC 4407 2 step 4: no non-empty From field"));
    return pra_none(out, IK_PRA_MULTIPLE_FROM,
                    ik_arena_printf(a, "RFC 4407 2 step 4: %zu non-empty From fields", nfrom));
}
