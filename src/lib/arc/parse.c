/*
 * parse.c - ARC-Message-Signature and ARC-Seal fields (RFC 8617 4.1.2,
 * 4.1.3) and the collection of a message's ARC sets into a chain
 * (RFC 8617 4.2, 5.2 steps 1-3).  Pure: no clock, no DNS.
 *
 * The AMS is a DKIM-Signature (RFC 6376 3.5) whose i= is the instance and
 * whose v= is ignored; unlike DKIM, h= need not name From (the ARC test
 * suite passes an empty h=), but it must not name ARC-Seal.  The AS takes
 * i, a, b, d, s, t and cv; h= is a failure; other tags are ignored.  The
 * instance is read first, so a field with a bad tag still tells which set
 * it belongs to (an old AMS that does not parse only moves oldest-pass).
 * Ownership: arena; views into the field.  Threads: no state.
 * Limits: IK_DKIM_MAX_TAGS tags, IK_DKIM_MAX_H h= entries,
 * IK_ARC_MAX_FIELDS ARC fields per message.
 */
#include <string.h>

#include "arc_int.h"
#include "inkan/base64.h"
#include "inkan/tagvalue.h"

const char *ik_arc_cv_name(ik_arc_cv cv)
{
    switch (cv) {
    case IK_ARC_CV_PASS: return "pass";
    case IK_ARC_CV_FAIL: return "fail";
    case IK_ARC_CV_NONE: break;
    }
    return "none";
}

static ik_status bad(ik_str *why, const char *msg)
{
    if (why != NULL)
        *why = ik_str_c(msg);
    return IK_ESYNTAX;
}

/* 1*DIGIT, at most 20 digits; saturates at UINT64_MAX. */
static int number(ik_str v, uint64_t *out)
{
    if (v.len == 0 || v.len > 20)
        return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c < '0' || c > '9')
            return 0;
        unsigned d = c - '0';
        x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
    }
    *out = x;
    return 1;
}

static int canon_name(ik_str s, ik_dkim_canon *c)
{
    /* RFC 6376 3.5 c=: the names are case-sensitive in the ABNF, but
     * "simple"/"relaxed" have always been compared as written. */
    if (ik_str_eq(s, IK_STR_LIT("simple")))
        *c = IK_DKIM_CANON_SIMPLE;
    else if (ik_str_eq(s, IK_STR_LIT("relaxed")))
        *c = IK_DKIM_CANON_RELAXED;
    else
        return 0;
    return 1;
}

static int field_name_ok(ik_str n)
{
    for (size_t i = 0; i < n.len; i++) {
        unsigned char c = (unsigned char)n.p[i];
        if (c < 33 || c > 126 || c == ':')
            return 0;
    }
    return 1;
}

ik_status ik_arc_sig_parse(ik_arena *a, ik_str field, int seal, unsigned flags, ik_arc_sig *out,
                           ik_str *why)
{
    memset(out, 0, sizeof(*out));
    if (why != NULL)
        *why = IK_STR_NULL;
    field = ik__dkim_strip_eol(field);
    out->seal = seal;
    out->field = field;
    ik__dkim_hdr hdr;
    if (field.len > IK_DKIM_MAX_FIELD)
        return bad(why, "field too long");
    if (ik__dkim_hdr_init(&hdr, field) != IK_OK)
        return bad(why, "not a header field");
    size_t voff = (size_t)ik_str_chr(field, ':') + 1;
    ik_str value = ik_str_make(field.p + voff, field.len - voff);

    ik_taglist tl;
    ik_str problem;
    ik_status st = ik_taglist_parse(a, value, 0, IK_DKIM_MAX_TAGS, &tl, &problem);
    if (st == IK_ENOMEM)
        return st;
    /* The instance first (RFC 8617 4.2.1), even from a list that fails
     * later, so the field can be placed in its set. */
    if (st != IK_OK) {
        if (why != NULL)
            *why = problem.p ? problem : IK_STR_LIT("malformed tag list");
        return IK_ESYNTAX;
    }
    const ik_tag *t = ik_taglist_get(&tl, "i", 0);
    uint64_t u;
    if (t == NULL)
        return bad(why, "i= tag missing");
    if (!number(t->value, &u) || u < 1 || u > IK_ARC_MAX_INSTANCES)
        return bad(why, "i= is not an instance in 1..50");
    out->instance = (unsigned)u;

    t = ik_taglist_get(&tl, "a", 0);
    if (t == NULL)
        return bad(why, "a= tag missing");
    if (ik_str_eq(t->value, IK_STR_LIT("rsa-sha256")))
        out->alg = IK_DKIM_ALG_RSA_SHA256;
    else if (ik_str_eq(t->value, IK_STR_LIT("ed25519-sha256")))
        out->alg = IK_DKIM_ALG_ED25519_SHA256;
    else if (ik_str_eq(t->value, IK_STR_LIT("rsa-sha1")) && (flags & IK_DKIM_ALLOW_SHA1))
        out->alg = IK_DKIM_ALG_RSA_SHA1;
    else if (ik_str_eq(t->value, IK_STR_LIT("rsa-sha1")))
        return bad(why, "a=rsa-sha1 is not accepted (RFC 8301 3.1)");
    else
        return bad(why, "unsupported a=");

    t = ik_taglist_get(&tl, "b", 0);
    if (t == NULL)
        return bad(why, "b= tag missing");
    {
        /* The b= value with its surrounding FWS, deleted for hashing
         * (RFC 6376 3.7), as offsets into the whole field. */
        size_t vs = (size_t)(t->value.p - field.p);
        size_t s0 = vs;
        while (s0 > 0 && field.p[s0 - 1] != '=')
            s0--;
        size_t e0 = vs + t->value.len;
        while (e0 < field.len && field.p[e0] != ';')
            e0++;
        out->b_start = s0;
        out->b_end = e0;
    }
    st = ik_base64_decode_arena(a, t->value, IK_BASE64_TOLERANT, &out->b);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK || out->b.len == 0)
        return bad(why, "b= is empty or not base64");

    t = ik_taglist_get(&tl, "d", 0);
    if (t == NULL)
        return bad(why, "d= tag missing");
    if (!ik__dkim_domain_ok(t->value, 0))
        return bad(why, "d= is not a domain name");
    out->domain = t->value;

    t = ik_taglist_get(&tl, "s", 0);
    if (t == NULL)
        return bad(why, "s= tag missing");
    if (!ik__dkim_domain_ok(t->value, 1))
        return bad(why, "s= is not a selector");
    out->selector = t->value;

    t = ik_taglist_get(&tl, "t", 0);
    if (t != NULL) {
        if (!number(t->value, &out->t))
            return bad(why, "t= is not a number");
        out->has_t = 1;
    }

    if (seal) {
        /* RFC 8617 4.1.3: "h" is not allowed and means cv=fail. */
        if (ik_taglist_get(&tl, "h", 0) != NULL)
            return bad(why, "ARC-Seal has an h= tag");
        t = ik_taglist_get(&tl, "cv", 0);
        if (t == NULL)
            return bad(why, "cv= tag missing");
        if (ik_str_eq(t->value, IK_STR_LIT("none")))
            out->cv = IK_ARC_CV_NONE;
        else if (ik_str_eq(t->value, IK_STR_LIT("pass")))
            out->cv = IK_ARC_CV_PASS;
        else if (ik_str_eq(t->value, IK_STR_LIT("fail")))
            out->cv = IK_ARC_CV_FAIL;
        else
            return bad(why, "cv= is not none, pass or fail");
        out->hcanon = out->bcanon = IK_DKIM_CANON_RELAXED;
        return IK_OK;
    }

    t = ik_taglist_get(&tl, "bh", 0);
    if (t == NULL)
        return bad(why, "bh= tag missing");
    st = ik_base64_decode_arena(a, t->value, IK_BASE64_TOLERANT, &out->bh);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK || out->bh.len == 0)
        return bad(why, "bh= is empty or not base64");

    /* RFC 6376 3.5 c=: default simple/simple; body default simple. */
    out->hcanon = out->bcanon = IK_DKIM_CANON_SIMPLE;
    t = ik_taglist_get(&tl, "c", 0);
    if (t != NULL) {
        long slash = ik_str_chr(t->value, '/');
        ik_str hc = slash < 0 ? t->value : ik_str_make(t->value.p, (size_t)slash);
        if (!canon_name(hc, &out->hcanon))
            return bad(why, "unsupported c=");
        if (slash >= 0
            && !canon_name(ik_str_make(t->value.p + slash + 1, t->value.len - (size_t)slash - 1),
                           &out->bcanon))
            return bad(why, "unsupported c=");
    }

    t = ik_taglist_get(&tl, "h", 0);
    if (t == NULL)
        return bad(why, "h= tag missing");
    {
        size_t count = 1;
        for (size_t i = 0; i < t->value.len; i++)
            if (t->value.p[i] == ':')
                count++;
        if (count > IK_DKIM_MAX_H)
            return bad(why, "h= has too many entries");
        out->h = ik_arena_alloc(a, count * sizeof(*out->h));
        if (out->h == NULL)
            return IK_ENOMEM;
        size_t start = 0;
        for (size_t i = 0; i <= t->value.len; i++) {
            if (i < t->value.len && t->value.p[i] != ':')
                continue;
            ik_str name = ik_str_trim(ik_str_make(t->value.p + start, i - start));
            start = i + 1;
            if (!field_name_ok(name))
                return bad(why, "h= names an invalid header field");
            /* RFC 8617 4.1.2: ARC fields are not covered by the AMS.  The
             * ARC test suite (draft -18 era) accepts AAR and AMS in h=
             * but fails ARC-Seal, which would make the seal circular. */
            if (ik_str_caseeq_c(name, "ARC-Seal"))
                return bad(why, "h= names ARC-Seal");
            out->h[out->nh++] = name;
        }
        if (out->nh == 1 && out->h[0].len == 0)
            out->nh = 0; /* "h=" signs no header field */
    }

    t = ik_taglist_get(&tl, "l", 0);
    if (t != NULL) {
        if (!number(t->value, &out->l))
            return bad(why, "l= is not a number");
        out->has_l = 1;
    }
    t = ik_taglist_get(&tl, "x", 0);
    if (t != NULL) {
        if (!number(t->value, &out->x))
            return bad(why, "x= is not a number");
        if (out->has_t && out->x < out->t)
            return bad(why, "x= is before t=");
        out->has_x = 1;
    }
    return IK_OK;
}

/* ---- the chain ------------------------------------------------------------- */

static ik_status broken(ik__arc_chain *c, const char *why, unsigned blame)
{
    if (!c->broken) {
        c->broken = 1;
        c->why = why;
        c->blame = blame;
    }
    return IK_OK;
}

ik_status ik__arc_collect(ik_arena *a, const ik__dkim_hdr *hdrs, size_t nhdrs, unsigned flags,
                          ik__arc_chain *c)
{
    memset(c, 0, sizeof(*c));
    static const char *const names[3] = { "ARC-Authentication-Results", "ARC-Message-Signature",
                                          "ARC-Seal" };
    for (size_t i = 0; i < nhdrs; i++) {
        int kind = -1;
        for (int k = 0; k < 3; k++)
            if (ik_str_caseeq_c(hdrs[i].name, names[k]))
                kind = k;
        if (kind < 0)
            continue;
        if (++c->nfields > IK_ARC_MAX_FIELDS)
            return broken(c, "too many ARC header fields", 0);
        ik__arc_field *f = ik_arena_calloc(a, 1, sizeof(*f));
        if (f == NULL)
            return IK_ENOMEM;
        f->kind = kind;
        f->raw = hdrs[i].raw;
        ik_str why = IK_STR_NULL;
        ik_status st;
        if (kind == IK__ARC_AAR) {
            size_t voff = (size_t)ik_str_chr(f->raw, ':') + 1;
            st = ik_ar_parse(a, ik_str_make(f->raw.p + voff, f->raw.len - voff), IK_AR_PARSE_AAR,
                             &f->aar, &why);
            f->instance = f->aar.instance;
        } else {
            st = ik_arc_sig_parse(a, f->raw, kind == IK__ARC_AS, flags, &f->sig, &why);
            f->instance = f->sig.instance;
        }
        if (st == IK_ENOMEM)
            return st;
        f->ok = st == IK_OK;
        f->why = why.p ? ik_arena_strndup(a, why.p, why.len) : "malformed";
        if (f->why == NULL)
            return IK_ENOMEM;
        if (f->instance == 0) {
            /* RFC 8617 5.2 step 3: a field of no set breaks the chain. */
            broken(c,
                   kind == IK__ARC_AAR   ? "ARC-Authentication-Results without a valid i="
                   : kind == IK__ARC_AMS ? "ARC-Message-Signature without a valid i="
                                         : "ARC-Seal without a valid i=",
                   0);
            continue;
        }
        if (f->instance > c->n)
            c->n = f->instance;
        if (c->set[f->instance][kind] != NULL) {
            broken(c,
                   kind == IK__ARC_AAR   ? "two ARC-Authentication-Results with one i="
                   : kind == IK__ARC_AMS ? "two ARC-Message-Signatures with one i="
                                         : "two ARC-Seals with one i=",
                   f->instance);
            if (kind == IK__ARC_AS && f->ok && f->sig.cv == IK_ARC_CV_FAIL)
                c->set[f->instance][kind] = f; /* step 2 must still see it */
            continue;
        }
        c->set[f->instance][kind] = f;
    }
    if (c->nfields == 0)
        return IK_OK;
    /* RFC 8617 5.2 step 2 looks at the newest AS before the structure. */
    const ik__arc_field *newest = c->n ? c->set[c->n][IK__ARC_AS] : NULL;
    if (newest != NULL && newest->ok && newest->sig.cv == IK_ARC_CV_FAIL)
        c->newest_cv_fail = 1;
    /* Step 3: 1..N complete, cv none at 1 and pass above. */
    for (unsigned i = 1; i <= c->n; i++) {
        if (c->set[i][IK__ARC_AAR] == NULL)
            return broken(c, "an ARC set lacks its ARC-Authentication-Results", i);
        if (c->set[i][IK__ARC_AMS] == NULL)
            return broken(c, "an ARC set lacks its ARC-Message-Signature", i);
        if (c->set[i][IK__ARC_AS] == NULL)
            return broken(c, "an ARC set lacks its ARC-Seal", i);
        const ik__arc_field *as = c->set[i][IK__ARC_AS];
        if (!c->set[i][IK__ARC_AAR]->ok)
            return broken(c, c->set[i][IK__ARC_AAR]->why, i);
        if (!as->ok)
            continue; /* its seal cannot validate: step 6 fails it */
        if (i == 1 && as->sig.cv != IK_ARC_CV_NONE)
            return broken(c, "ARC-Seal i=1 does not say cv=none", 1);
        if (i > 1 && as->sig.cv != IK_ARC_CV_PASS)
            return broken(c, "an ARC-Seal above i=1 does not say cv=pass", i);
    }
    return IK_OK;
}

ik_status ik__arc_seal_hash(ik_hash *h, const ik_str *aar, const ik_str *ams, const ik_str *as,
                            unsigned count, size_t b_start, size_t b_end, ik_buf *scratch)
{
    ik_buf_reset(scratch);
    for (unsigned k = 0; k < count; k++) {
        /* RFC 8617 5.1.1: AAR, AMS, AS of each set, oldest first. */
        ik_dkim_canon_header(IK_DKIM_CANON_RELAXED, aar[k], scratch);
        ik_dkim_canon_header(IK_DKIM_CANON_RELAXED, ams[k], scratch);
        if (k + 1 < count) {
            ik_dkim_canon_header(IK_DKIM_CANON_RELAXED, as[k], scratch);
            continue;
        }
        /* The seal being made or checked: b= value deleted, and no CRLF
         * after it (RFC 6376 3.7). */
        ik_str f = ik__dkim_strip_eol(as[k]);
        if (b_start > b_end || b_end > f.len)
            return IK_EINVAL;
        ik_buf tmp;
        ik_buf_init(&tmp, scratch->arena, 0);
        ik_buf_append(&tmp, f.p, b_start);
        ik_buf_append(&tmp, f.p + b_end, f.len - b_end);
        if (ik_buf_error(&tmp) != IK_OK)
            return ik_buf_error(&tmp);
        ik_dkim_canon_header(IK_DKIM_CANON_RELAXED, ik_buf_str(&tmp), scratch);
        if (ik_buf_error(scratch) == IK_OK && scratch->len >= 2)
            scratch->len -= 2;
    }
    if (ik_buf_error(scratch) != IK_OK)
        return ik_buf_error(scratch);
    return ik_hash_update(h, scratch->p, scratch->len);
}
