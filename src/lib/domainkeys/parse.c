/*
 * parse.c - DomainKeys records and fields: DomainKey-Signature (RFC 4870
 * 3.3), key records (3.2.3), the sender's policy record (3.6), the signing
 * address from Sender / From (3.2), the signed-field selection (3.4 and the
 * h= tag) and granularity (g=).  Pure: no clock, no DNS, fuzzable.
 *
 * Signatures and records go through the shared tag=value parser; every
 * error names its tag so a permerror reason tells an operator what to fix.
 * Ownership: arena memory; views point into the caller's field or record,
 * which must outlive the result.  Threads: no state.
 * Limits: IK_DK_MAX_TAGS tags, IK_DK_MAX_H h= names, IK_DK_MAX_FIELD bytes.
 */
#include <string.h>

#include "dk_int.h"
#include "inkan/base64.h"
#include "inkan/tagvalue.h"

const char *ik_dk_result_name(ik_dk_result r)
{
    switch (r) {
    case IK_DK_NONE: return "none";
    case IK_DK_PASS: return "pass";
    case IK_DK_FAIL: return "fail";
    case IK_DK_NEUTRAL: return "neutral";
    case IK_DK_TEMPERROR: return "temperror";
    case IK_DK_PERMERROR: return "permerror";
    }
    return "unknown";
}

const char *ik_dk_policy_verdict_name(ik_dk_policy_verdict v)
{
    switch (v) {
    case IK_DK_POLICY_UNCHECKED: return "unchecked";
    case IK_DK_POLICY_ACCEPT: return "accept";
    case IK_DK_POLICY_NEUTRAL: return "neutral";
    case IK_DK_POLICY_REJECT: return "reject";
    case IK_DK_POLICY_TEMPERROR: return "temperror";
    }
    return "unknown";
}

ik_str ik__dk_hdr_value(const ik__dk_hdr *h)
{
    long colon = ik_str_chr(h->raw, ':');
    size_t off = colon < 0 ? h->raw.len : (size_t)colon + 1;
    return ik_str_make(h->raw.p + off, h->raw.len - off);
}

int ik__dk_domain_within(ik_str sub, ik_str dom)
{
    if (dom.len == 0 || sub.len < dom.len)
        return 0;
    ik_str tail = ik_str_make(sub.p + sub.len - dom.len, dom.len);
    if (!ik_str_caseeq(tail, dom))
        return 0;
    return sub.len == dom.len || sub.p[sub.len - dom.len - 1] == '.';
}

static ik_status fail(ik_arena *a, ik_str *why, const char *fmt, ik_str tag)
{
    if (why != NULL) {
        int n = (int)(tag.len > 60 ? 60 : tag.len);
        char *m = ik_arena_printf(a, fmt, n, tag.p ? tag.p : "");
        *why = m ? ik_str_c(m) : IK_STR_LIT("out of memory");
    }
    return IK_ESYNTAX;
}

/* RFC 5322 ftext: printable US-ASCII except ':'. */
static int field_name_ok(ik_str n)
{
    if (n.len == 0)
        return 0;
    for (size_t i = 0; i < n.len; i++) {
        unsigned char c = (unsigned char)n.p[i];
        if (c < 33 || c > 126 || c == ':')
            return 0;
    }
    return 1;
}

/* Does the colon list v hold item (trimmed, case-insensitive)? */
static int list_has(ik_str v, const char *item)
{
    size_t start = 0;
    for (size_t i = 0; i <= v.len; i++) {
        if (i < v.len && v.p[i] != ':')
            continue;
        if (ik_str_caseeq_c(ik_str_trim(ik_str_make(v.p + start, i - start)), item))
            return 1;
        start = i + 1;
    }
    return 0;
}

ik_status ik_dk_sig_parse(ik_arena *a, ik_str field, ik_dk_sig *out, ik_str *why)
{
    memset(out, 0, sizeof(*out));
    if (why)
        *why = IK_STR_NULL;
    field = ik__dkim_strip_eol(field);
    out->field = field;
    if (field.len > IK_DK_MAX_FIELD) {
        fail(a, why, "signature field too long%.*s", IK_STR_NULL);
        return IK_ELIMIT;
    }
    ik__dk_hdr hdr;
    if (ik__dkim_hdr_init(&hdr, field) != IK_OK)
        return fail(a, why, "not a header field%.*s", IK_STR_NULL);
    if (!ik_str_caseeq_c(hdr.name, "DomainKey-Signature"))
        return fail(a, why, "not a DomainKey-Signature field: %.*s", hdr.name);
    ik_str value = ik__dk_hdr_value(&hdr);

    ik_taglist tl;
    ik_str problem;
    ik_status st = ik_taglist_parse(a, value, 0, IK_DK_MAX_TAGS, &tl, &problem);
    if (st == IK_ENOMEM)
        return st;
    if (st == IK_ELIMIT)
        return fail(a, why, "more tags than allowed%.*s", IK_STR_NULL), IK_ELIMIT;
    if (st != IK_OK)
        return fail(a, why, "signature tag list: %.*s", problem);
    const ik_tag *t;

    /* a= (3.3: default rsa-sha1, the only algorithm defined). */
    t = ik_taglist_get(&tl, "a", 0);
    if (t != NULL && !ik_str_caseeq_c(t->value, "rsa-sha1"))
        return fail(a, why, "unsupported a=%.*s", t->value);

    /* b= (required; base64 with whitespace anywhere). */
    t = ik_taglist_get(&tl, "b", 0);
    if (t == NULL)
        return fail(a, why, "b= tag missing%.*s", IK_STR_NULL);
    out->b_text = ik_tag_value_nows(a, t->value);
    if (out->b_text.p == NULL)
        return IK_ENOMEM;
    if (out->b_text.len == 0)
        return fail(a, why, "b= is empty%.*s", IK_STR_NULL);
    if (out->b_text.len > ik_base64_encoded_len(IK_PKEY_MAX_SIG))
        return fail(a, why, "b= is too long%.*s", IK_STR_NULL);
    st = ik_base64_decode_arena(a, t->value, IK_BASE64_TOLERANT, &out->b);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK || out->b.len == 0)
        return fail(a, why, "b= is not valid base64%.*s", IK_STR_NULL);

    /* c= (absent: simple, as Mail::DKIM reads it). */
    out->canon = IK_DK_CANON_SIMPLE;
    t = ik_taglist_get(&tl, "c", 0);
    if (t != NULL) {
        if (ik_str_caseeq_c(t->value, "simple"))
            out->canon = IK_DK_CANON_SIMPLE;
        else if (ik_str_caseeq_c(t->value, "nofws"))
            out->canon = IK_DK_CANON_NOFWS;
        else
            return fail(a, why, "unsupported c=%.*s", t->value);
    }

    /* d= */
    t = ik_taglist_get(&tl, "d", 0);
    if (t == NULL)
        return fail(a, why, "d= tag missing%.*s", IK_STR_NULL);
    if (!ik__dkim_domain_ok(t->value, 0))
        return fail(a, why, "d= is not a valid domain name: %.*s", t->value);
    out->domain = t->value;

    /* s= */
    t = ik_taglist_get(&tl, "s", 0);
    if (t == NULL)
        return fail(a, why, "s= tag missing%.*s", IK_STR_NULL);
    if (!ik__dkim_domain_ok(t->value, 1))
        return fail(a, why, "s= is not a valid selector: %.*s", t->value);
    out->selector = t->value;
    if (out->selector.len + out->domain.len + sizeof("._domainkey.") - 1 > IK_DNS_NAME_MAX)
        return fail(a, why, "s= and d= make a key name over 253 octets%.*s", IK_STR_NULL);

    /* q= (3.3 says it must be present and "dns"; absent is common in real
     * mail and Mail::DKIM accepts it; empty or other values are refused). */
    t = ik_taglist_get(&tl, "q", 0);
    if (t != NULL && !ik_str_caseeq_c(t->value, "dns"))
        return fail(a, why, t->value.len ? "unsupported q=%.*s" : "q= is empty%.*s", t->value);

    /* h= (3.3: if present, never empty; names of fields). */
    t = ik_taglist_get(&tl, "h", 0);
    if (t != NULL) {
        out->has_h = 1;
        st = ik_tag_value_split(a, t->value, ':', IK_DK_MAX_H, &out->h, &out->nh);
        if (st == IK_ELIMIT) {
            fail(a, why, "h= lists more names than allowed%.*s", IK_STR_NULL);
            return IK_ELIMIT;
        }
        if (st != IK_OK)
            return st;
        for (size_t i = 0; i < out->nh; i++)
            if (!field_name_ok(out->h[i]))
                return fail(a, why,
                            out->h[i].len ? "h= holds a bad field name: %.*s"
                                          : "h= holds an empty name%.*s",
                            out->h[i]);
    }
    return IK_OK;
}

ik_status ik_dk_key_parse(ik_arena *a, ik_str record, ik_dk_key *out, ik_str *why)
{
    memset(out, 0, sizeof(*out));
    if (why)
        *why = IK_STR_NULL;
    ik_taglist tl;
    ik_str problem;
    ik_status st = ik_taglist_parse(a, record, 0, IK_DK_MAX_TAGS, &tl, &problem);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "key record tag list: %.*s", problem);
    const ik_tag *t;

    /* DKIM tags in DomainKeys records, checked as Mail::DKIM does. */
    t = ik_taglist_get(&tl, "v", 0);
    if (t != NULL && !ik_str_eq(t->value, IK_STR_LIT("DKIM1")))
        return fail(a, why, "key v=%.*s is not DKIM1", t->value);
    t = ik_taglist_get(&tl, "h", 0);
    if (t != NULL && !list_has(t->value, "sha1"))
        return fail(a, why, "key h=%.*s does not allow sha1", t->value);
    t = ik_taglist_get(&tl, "s", 0);
    if (t != NULL && !list_has(t->value, "email") && !list_has(t->value, "*"))
        return fail(a, why, "key s=%.*s is not for email", t->value);

    /* k= (3.2.3: rsa, the default and only type). */
    t = ik_taglist_get(&tl, "k", 0);
    if (t != NULL && !ik_str_caseeq_c(t->value, "rsa"))
        return fail(a, why, "unsupported key k=%.*s", t->value);

    /* t= flags: y is testing; others are ignored. */
    t = ik_taglist_get(&tl, "t", 0);
    if (t != NULL)
        out->testing = list_has(t->value, "y");

    t = ik_taglist_get(&tl, "g", 0);
    if (t != NULL) {
        out->has_g = 1;
        out->g = t->value;
    }
    t = ik_taglist_get(&tl, "n", 0);
    if (t != NULL)
        out->n = t->value;

    /* p= (required; empty means revoked). */
    t = ik_taglist_get(&tl, "p", 0);
    if (t == NULL)
        return fail(a, why, "key p= tag missing%.*s", IK_STR_NULL);
    ik_str p = ik_tag_value_nows(a, t->value);
    if (p.p == NULL)
        return IK_ENOMEM;
    if (p.len == 0) {
        out->revoked = 1;
        return IK_OK;
    }
    if (p.len > ik_base64_encoded_len(IK_PKEY_MAX_DER))
        return fail(a, why, "key p= is too long%.*s", IK_STR_NULL);
    ik_str der;
    st = ik_base64_decode_arena(a, p, IK_BASE64_TOLERANT, &der);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "key p= is not valid base64%.*s", IK_STR_NULL);
    const char *kwhy = NULL;
    ik_pkey *k = NULL;
    st = ik_pkey_from_dkim(NULL, IK_KEY_RSA, (const unsigned char *)der.p, der.len, &k, &kwhy);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "key p= is not an RSA public key: %.*s",
                    ik_str_c(kwhy ? kwhy : "undecodable"));
    st = ik_pkey_give_arena(a, k);
    if (st != IK_OK)
        return st;
    out->pkey = k;
    return IK_OK;
}

int ik_dk_granularity_match(ik_str g, ik_str local)
{
    if (g.len == 0)
        return 1; /* empty g= is a wildcard in DomainKeys (Mail::DKIM) */
    long star = ik_str_chr(g, '*');
    if (star < 0)
        return ik_str_eq(g, local);
    ik_str pre = ik_str_make(g.p, (size_t)star);
    ik_str post = ik_str_make(g.p + star + 1, g.len - (size_t)star - 1);
    if (local.len < pre.len + post.len)
        return 0;
    return memcmp(local.p, pre.p, pre.len) == 0
           && memcmp(local.p + local.len - post.len, post.p, post.len) == 0;
}

ik_status ik_dk_policy_parse(ik_arena *a, ik_str record, ik_dk_policy *out, ik_str *why)
{
    memset(out, 0, sizeof(*out));
    if (why)
        *why = IK_STR_NULL;
    ik_taglist tl;
    ik_str problem;
    ik_status st = ik_taglist_parse(a, record, 0, IK_DK_MAX_TAGS, &tl, &problem);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK)
        return fail(a, why, "policy tag list: %.*s", problem);
    const ik_tag *t = ik_taglist_get(&tl, "o", 0);
    if (t != NULL) {
        if (ik_str_eq(t->value, IK_STR_LIT("-")))
            out->sign_all = 1;
        else if (!ik_str_eq(t->value, IK_STR_LIT("~")))
            return fail(a, why, "policy o=%.*s is neither ~ nor -", t->value);
    }
    t = ik_taglist_get(&tl, "t", 0);
    if (t != NULL)
        out->testing = list_has(t->value, "y");
    t = ik_taglist_get(&tl, "r", 0);
    if (t != NULL)
        out->r = t->value;
    t = ik_taglist_get(&tl, "n", 0);
    if (t != NULL)
        out->n = t->value;
    return IK_OK;
}

/* ---- addresses ---------------------------------------------------------- */

/*
 * A small RFC 5322 3.4 reader, enough to find the first mailbox of From or
 * Sender: it drops comments (nested), keeps quoted strings whole, and
 * prefers an angle-addr; otherwise the first list element is taken as an
 * addr-spec.  A group's display name ("undisclosed: a@b;") is skipped.
 * An address holding a control character is no address.
 */
ik_status ik_dk_mailbox(ik_arena *a, ik_str value, ik_str *addr, ik_str *local, ik_str *domain)
{
    char *out = ik_arena_alloc(a, value.len + 1);
    if (out == NULL)
        return IK_ENOMEM;
    size_t n = 0;
    int depth = 0, inq = 0, inangle = 0, have_angle = 0;
    for (size_t i = 0; i < value.len && !have_angle; i++) {
        char c = value.p[i];
        if (inq) {
            if (c == '\\' && i + 1 < value.len)
                out[n++] = value.p[++i];
            else if (c == '"')
                inq = 0;
            else
                out[n++] = c;
            continue;
        }
        if (depth > 0) {
            if (c == '\\' && i + 1 < value.len)
                i++;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            continue;
        }
        switch (c) {
        case '(': depth = 1; break;
        case '"':
            inq = 1;
            /* A quoted local part belongs to the address: keep the quotes
             * out but the text in (rare; enough to find the domain). */
            break;
        case '<':
            inangle = 1;
            n = 0;
            break;
        case '>':
            if (inangle)
                have_angle = 1;
            break;
        case ',':
            if (!inangle)
                i = value.len; /* end of the first list element */
            else
                out[n++] = c;
            break;
        case ':':
            if (!inangle)
                n = 0; /* group display name */
            else
                out[n++] = c;
            break;
        case ';':
            if (!inangle)
                i = value.len;
            break;
        case ' ':
        case '\t':
        case '\r':
        case '\n': break;
        default: out[n++] = c;
        }
    }
    if (inangle && !have_angle)
        return IK_ENOTFOUND;
    out[n] = '\0';
    ik_str s = ik_str_make(out, n);
    /* Source routes "<@a,@b:user@host>" are obsolete; keep what follows. */
    long at = -1;
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] == '@')
            at = (long)i;
    if (at <= 0 || (size_t)at + 1 >= s.len)
        return IK_ENOTFOUND;
    /* A control character (NUL included) is in no addr-spec, quoted or
     * not (RFC 5322 3.2.4, 3.4.1); taking such a value as the signing
     * identity would carry it into results and logs. */
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
            return IK_ENOTFOUND;
    *addr = s;
    *local = ik_str_make(s.p, (size_t)at);
    *domain = ik_str_make(s.p + at + 1, s.len - (size_t)at - 1);
    return IK_OK;
}

/* ---- signed-field selection --------------------------------------------- */

ik_status ik__dk_select(ik_arena *a, const ik__dk_hdr *hdrs, size_t nhdrs, size_t first,
                        const ik_str *names, size_t nnames, int has_h, size_t **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (first >= nhdrs)
        return IK_OK;
    size_t avail = nhdrs - first;
    size_t *sel = ik_arena_alloc(a, (avail ? avail : 1) * sizeof(*sel));
    if (sel == NULL)
        return IK_ENOMEM;
    if (!has_h) {
        for (size_t i = 0; i < avail; i++)
            sel[i] = first + i;
        *out = sel;
        *nout = avail;
        return IK_OK;
    }
    /*
     * h= present.  Walking h= from its end, the k-th last mention of a
     * name takes that name's k-th bottom-most unused field, except the
     * name's first mention, which takes all that remain (in message order).
     * This is how Mail::DKIM reads h= (the signer lists each field once
     * in message order, and then it is simply "the fields listed").
     * The result is built backwards into sel's tail.
     */
    unsigned char *used = ik_arena_calloc(a, avail ? avail : 1, 1);
    size_t *rev = ik_arena_alloc(a, (avail ? avail : 1) * sizeof(*rev));
    if (used == NULL || rev == NULL)
        return IK_ENOMEM;
    size_t nrev = 0;
    for (size_t k = nnames; k-- > 0;) {
        ik_str name = names[k];
        int first_mention = 1;
        for (size_t j = 0; j < k; j++)
            if (ik_str_caseeq(names[j], name)) {
                first_mention = 0;
                break;
            }
        if (!first_mention) {
            for (size_t i = avail; i-- > 0;) {
                if (!used[i] && ik_str_caseeq(hdrs[first + i].name, name)) {
                    used[i] = 1;
                    rev[nrev++] = first + i;
                    break;
                }
            }
        } else {
            for (size_t i = avail; i-- > 0;) {
                if (!used[i] && ik_str_caseeq(hdrs[first + i].name, name)) {
                    used[i] = 1;
                    rev[nrev++] = first + i;
                }
            }
        }
    }
    for (size_t i = 0; i < nrev; i++)
        sel[i] = rev[nrev - 1 - i];
    *out = sel;
    *nout = nrev;
    return IK_OK;
}

ik_status ik__dk_identity(ik_arena *a, const ik__dk_hdr *hdrs, const size_t *sel, size_t nsel,
                          ik_str *addr, ik_str *local, ik_str *domain, const char **which)
{
    const ik__dk_hdr *from = NULL, *sender = NULL;
    for (size_t i = 0; i < nsel; i++) {
        const ik__dk_hdr *h = &hdrs[sel[i]];
        if (ik_str_caseeq_c(h->name, "Sender"))
            sender = h;
        else if (ik_str_caseeq_c(h->name, "From"))
            from = h;
    }
    const ik__dk_hdr *use = sender ? sender : from;
    *which = sender ? "sender" : from ? "from" : "";
    if (use == NULL)
        return IK_ENOTFOUND;
    return ik_dk_mailbox(a, ik__dk_hdr_value(use), addr, local, domain);
}
