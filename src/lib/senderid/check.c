/*
 * check.c - the Sender ID check (RFC 4406 section 4) on top of the SPF
 * evaluator, and its Authentication-Results method (RFC 8601 2.7.2).
 *
 * RFC 4406 4: (1) determine the address: the PRA (RFC 4407) for the "pra"
 * scope, MAIL FROM (or postmaster@HELO when it is null) for "mfrom";
 * (2) take its domain; (3) call check_host() with the scope added (4.1).
 * The SPF evaluator does (2) and (3): it is given the address, the scope
 * and IK_SPF_RECORDS_SENDERID, which makes it select spf2.0 records naming
 * the scope, falling back to v=spf1 read as spf2.0/mfrom,pra only when the
 * domain publishes no spf2.0 record (RFC 4406 3.4, 4.4).
 *
 * When step 1 finds no PRA, check_host() is not called: the verdict is
 * permerror (see senderid.h for why) and no DNS is asked.
 *
 * Ownership: arena of ik_senderid_new().  Threads: one check per thread at
 * a time.
 */
#include <string.h>

#include "inkan/buf.h"
#include "inkan/senderid.h"

struct ik_senderid {
    ik_arena *a;
    ik_spf *spf; /* NULL when there is nothing to evaluate */
    int done;
    ik_senderid_outcome out;
};

ik_status ik_senderid_new(ik_arena *a, const ik_senderid_params *p, ik_senderid **out)
{
    if (out != NULL)
        *out = NULL;
    if (a == NULL || p == NULL || out == NULL)
        return IK_EINVAL;
    if (p->scope != IK_SPF_SCOPE_PRA && p->scope != IK_SPF_SCOPE_MFROM)
        return IK_EINVAL;
    if (p->scope == IK_SPF_SCOPE_PRA && p->fields == NULL && p->nfields > 0)
        return IK_EINVAL;
    ik_senderid *s = ik_arena_calloc(a, 1, sizeof(*s));
    if (s == NULL)
        return IK_ENOMEM;
    s->a = a;
    s->out.scope = p->scope;
    s->out.identity = IK_STR_LIT("");
    s->out.problem = IK_STR_LIT("");
    s->out.pra.field_name = IK_STR_LIT("");
    s->out.pra.problem = IK_STR_LIT("");

    ik_spf_params sp;
    memset(&sp, 0, sizeof sp);
    sp.ip = p->ip;
    sp.helo = p->helo;
    sp.scope = p->scope;
    sp.records = IK_SPF_RECORDS_SENDERID;
    sp.receiver = p->receiver;
    sp.default_exp = p->default_exp;
    sp.now = p->now;
    sp.max_dns_mech = p->max_dns_mech;
    sp.max_void = p->max_void;
    sp.max_names = p->max_names;

    if (p->scope == IK_SPF_SCOPE_PRA) {
        /* RFC 4406 4 step 1 for "pra": the PRA of RFC 4407. */
        ik_status st = ik_pra_select(a, p->fields, p->nfields, &s->out.pra);
        if (st != IK_OK)
            return st;
        if (s->out.pra.reason != IK_PRA_FOUND) {
            s->out.result = IK_SPF_PERMERROR;
            s->out.problem = s->out.pra.problem;
            s->done = 1;
            *out = s;
            return IK_OK;
        }
        sp.sender = s->out.pra.mailbox.addr_spec;
    } else {
        /* RFC 4406 4 step 1 for "mfrom": MAIL FROM; the evaluator turns a
         * null reverse-path into postmaster@HELO (RFC 7208 2.4). */
        sp.sender = p->mailfrom;
    }
    s->out.identity = sp.sender;
    ik_status st = ik_spf_new(a, &sp, &s->spf);
    if (st != IK_OK)
        return st;
    *out = s;
    return IK_OK;
}

ik_status ik_senderid_run(ik_senderid *s, ik_dns_query **pending)
{
    if (pending != NULL)
        *pending = NULL;
    if (s == NULL)
        return IK_EINVAL;
    if (s->done)
        return IK_OK;
    ik_status st = ik_spf_run(s->spf, pending);
    if (st != IK_OK)
        return st;
    const ik_spf_outcome *o = ik_spf_outcome_get(s->spf);
    if (o == NULL)
        return IK_ESTATE;
    s->out.spf = *o;
    s->out.evaluated = 1;
    s->out.result = o->result;
    s->out.problem = o->problem;
    if (o->identity.len > 0)
        s->out.identity = o->identity;
    s->done = 1;
    return IK_OK;
}

const ik_senderid_outcome *ik_senderid_outcome_get(const ik_senderid *s)
{
    return (s != NULL && s->done) ? &s->out : NULL;
}

ik_status ik_senderid_check(ik_arena *a, const ik_senderid_params *p, ik_resolver *r,
                            ik_senderid_outcome *out)
{
    if (out == NULL || r == NULL)
        return IK_EINVAL;
    ik_senderid *s;
    ik_status st = ik_senderid_new(a, p, &s);
    if (st != IK_OK)
        return st;
    ik_dns_query *pending;
    while ((st = ik_senderid_run(s, &pending)) == IK_EAGAIN) {
        st = ik_resolver_answer_all(r, a, pending);
        if (st != IK_OK)
            return st;
    }
    if (st != IK_OK)
        return st;
    *out = s->out;
    return IK_OK;
}

/*
 * Appends a property value (RFC 8601 2.2 pvalue).  An addr-spec made of
 * atext, dots, '@' and well-formed quoted strings goes out as written;
 * anything else (spaces, specials, controls from a raw MAIL FROM) as a
 * quoted-string with CR, LF and NUL dropped, so the header cannot be split.
 */
/*
 * Bounds of the A-R text: an address longer than IK_SENDERID_AR_MAX_PVALUE
 * (far past RFC 5321 4.5.3.1's 64-octet local part and 255-octet domain)
 * is left out with a comment saying so, and the problem comment is cut at
 * IK_SENDERID_AR_MAX_COMMENT; escaping at most doubles each, so the whole
 * text fits IK_SENDERID_AR_MAX and building it never fails but for OOM.
 */
#define IK_SENDERID_AR_MAX_PVALUE 1024
#define IK_SENDERID_AR_MAX_COMMENT 1024
#define IK_SENDERID_AR_MAX 8192

static void put_pvalue(ik_buf *b, ik_str v)
{
    int plain = v.len > 0;
    int inq = 0;
    for (size_t i = 0; i < v.len && plain; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (inq) {
            if (c == '\\' && i + 1 < v.len && (unsigned char)v.p[i + 1] >= 0x20)
                i++;
            else if (c == '"')
                inq = 0;
            else if (c < 0x20 || c == 0x7f)
                plain = 0;
            continue;
        }
        if (c == '"')
            inq = 1;
        else if (c <= 0x20 || c == 0x7f || strchr("()<>[]:;,\\", c) != NULL)
            plain = 0;
    }
    if (plain && !inq) {
        ik_buf_append_str(b, v);
        return;
    }
    ik_buf_putc(b, '"');
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i];
        if (c == '\r' || c == '\n' || c == '\0')
            continue;
        if (c == '"' || c == '\\')
            ik_buf_putc(b, '\\');
        ik_buf_putc(b, c);
    }
    ik_buf_putc(b, '"');
}

/* " ptype.property=value", or a comment when the value is too long. */
static void put_prop(ik_buf *b, const char *ptype, ik_str property, ik_str v)
{
    if (v.len > IK_SENDERID_AR_MAX_PVALUE) {
        ik_buf_append_c(b, " (address too long to report)");
        return;
    }
    ik_buf_printf(b, " %s.%.*s=", ptype, (int)property.len, property.p);
    put_pvalue(b, v);
}

/* Comment text (RFC 5322 3.2.2 ctext): parentheses and backslashes escaped. */
static void put_comment(ik_buf *b, ik_str t)
{
    if (t.len > IK_SENDERID_AR_MAX_COMMENT)
        t.len = IK_SENDERID_AR_MAX_COMMENT;
    ik_buf_append_c(b, " (");
    for (size_t i = 0; i < t.len; i++) {
        char c = t.p[i];
        if (c == '\r' || c == '\n' || c == '\0')
            continue;
        if (c == '(' || c == ')' || c == '\\')
            ik_buf_putc(b, '\\');
        ik_buf_putc(b, c);
    }
    ik_buf_putc(b, ')');
}

ik_str ik_senderid_authres(ik_arena *a, const ik_senderid_outcome *o)
{
    if (a == NULL || o == NULL)
        return IK_STR_NULL;
    ik_buf b;
    ik_buf_init(&b, a, IK_SENDERID_AR_MAX);
    ik_buf_append_c(&b, "sender-id=");
    /* RFC 4406 4.2: the SPF result keywords. */
    ik_buf_append_c(&b, ik_spf_result_name(o->result));
    if (o->scope == IK_SPF_SCOPE_PRA) {
        if (o->pra.reason == IK_PRA_FOUND) {
            /* ptype "header", property = the selected field (RFC 8601 2.7.2). */
            put_prop(&b, "header", o->pra.field_name, o->pra.mailbox.addr_spec);
        } else {
            ik_buf_append_c(&b, " (no purported responsible address: ");
            ik_buf_append_c(&b, ik_pra_reason_name(o->pra.reason));
            ik_buf_putc(&b, ')');
        }
    } else {
        put_prop(&b, "smtp", IK_STR_LIT("mailfrom"), o->identity);
    }
    if (o->pra.reason == IK_PRA_FOUND && o->evaluated
        && (o->result == IK_SPF_PERMERROR || o->result == IK_SPF_TEMPERROR) && o->problem.len > 0)
        put_comment(&b, o->problem);
    if (ik_buf_error(&b) != IK_OK)
        return IK_STR_NULL;
    return ik_buf_str(&b);
}
