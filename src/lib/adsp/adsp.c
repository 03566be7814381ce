/*
 * adsp.c - ADSP lookups and results (RFC 5617 4.1-4.3, 5.4) as a sans-I/O
 * state machine.
 *
 *   START --(valid author-domain signature)--> DONE (pass, no DNS)
 *   START --> ask MX <domain> + TXT _adsp._domainkey.<domain>
 *         --(MX NODATA)--> ask A + AAAA <domain>
 *         --> decide (the scope check first, then the record: the order
 *             of 4.3, so a non-existent domain is "nxdomain" whatever its
 *             ADSP name answered)
 *
 * Why MX first: 4.3's non-normative note calls it the most common type at
 * mail domains and the most cacheable; A/AAAA are asked only when needed
 * ("SHOULD avoid unnecessary DNS lookups").
 * Ownership: arena memory.  Threads: one check per thread at a time.
 * Limits: IK_ADSP_MAX_RECORDS TXT records, IK_ADSP_MAX_TAGS tags.
 */
#include <string.h>

#include "inkan/adsp.h"
#include "inkan/tagvalue.h"

const char *ik_adsp_result_name(ik_adsp_result r)
{
    switch (r) {
    case IK_ADSP_NONE: return "none";
    case IK_ADSP_PASS: return "pass";
    case IK_ADSP_UNKNOWN: return "unknown";
    case IK_ADSP_FAIL: return "fail";
    case IK_ADSP_DISCARD: return "discard";
    case IK_ADSP_NXDOMAIN: return "nxdomain";
    case IK_ADSP_TEMPERROR: return "temperror";
    case IK_ADSP_PERMERROR: return "permerror";
    }
    return "unknown";
}

const char *ik_adsp_practice_name(ik_adsp_practice p)
{
    switch (p) {
    case IK_ADSP_PRACTICE_UNKNOWN: return "unknown";
    case IK_ADSP_PRACTICE_ALL: return "all";
    case IK_ADSP_PRACTICE_DISCARDABLE: return "discardable";
    }
    return "unknown";
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 4871 hyphenated-word = ALPHA [ *(ALPHA / DIGIT / "-") (ALPHA / DIGIT) ] */
static int hyphenated_word(ik_str w)
{
    if (w.len == 0 || !is_alpha((unsigned char)w.p[0]))
        return 0;
    for (size_t i = 1; i < w.len; i++) {
        unsigned char c = (unsigned char)w.p[i];
        if (!is_alpha(c) && !is_digit(c) && c != '-')
            return 0;
    }
    return w.p[w.len - 1] != '-';
}

static ik_status bad(ik_str *why, const char *text)
{
    if (why)
        *why = ik_str_c(text);
    return IK_ESYNTAX;
}

ik_status ik_adsp_record_parse(ik_arena *a, ik_str record, ik_adsp_practice *out, ik_str *why)
{
    if (why)
        *why = IK_STR_NULL;
    *out = IK_ADSP_PRACTICE_UNKNOWN;
    /* 4.1: WSP, not FWS, so no line breaks anywhere. */
    for (size_t i = 0; i < record.len; i++)
        if (record.p[i] == '\r' || record.p[i] == '\n')
            return bad(why, "line break in the record (only WSP is allowed)");
    /* 4.2.1: the first four characters are lowercase "dkim", then
     * optional WSP and "=". */
    if (record.len < 4 || memcmp(record.p, "dkim", 4) != 0)
        return bad(why, "the record does not start with \"dkim\"");
    size_t i = 4;
    while (i < record.len && (record.p[i] == ' ' || record.p[i] == '\t'))
        i++;
    if (i >= record.len || record.p[i] != '=')
        return bad(why, "the record does not start with a dkim= tag");
    ik_taglist tl;
    ik_str problem;
    ik_status st = ik_taglist_parse(a, record, 0, IK_ADSP_MAX_TAGS, &tl, &problem);
    if (st == IK_ENOMEM)
        return st;
    if (st != IK_OK) {
        if (why) {
            char *m =
                ik_arena_printf(a, "tag list: %.*s", (int)problem.len, problem.p ? problem.p : "");
            *why = m ? ik_str_c(m) : IK_STR_LIT("tag list syntax");
        }
        return IK_ESYNTAX;
    }
    const ik_tag *t = ik_taglist_get(&tl, "dkim", 0);
    if (t == NULL || !hyphenated_word(t->value))
        return bad(why, "dkim= is not a hyphenated word");
    if (ik_str_eq(t->value, IK_STR_LIT("all")))
        *out = IK_ADSP_PRACTICE_ALL;
    else if (ik_str_eq(t->value, IK_STR_LIT("discardable")))
        *out = IK_ADSP_PRACTICE_DISCARDABLE;
    else
        *out = IK_ADSP_PRACTICE_UNKNOWN; /* "unknown" and, per 4.2.1, any other */
    return IK_OK;
}

enum { A_START, A_ROUND1, A_ROUND2, A_DONE };

struct ik_adsp {
    ik_arena *a;
    int state;
    int has_author_sig;
    int bad_name;
    ik_adsp_outcome out;
    ik_dns_query *mx, *txt, *addr4, *addr6;
};

ik_adsp *ik_adsp_new(ik_arena *a, ik_str author_domain, const ik_str *pass_domains, size_t npass)
{
    ik_adsp *c = ik_arena_calloc(a, 1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->a = a;
    if (author_domain.len > 0 && author_domain.p[author_domain.len - 1] == '.')
        author_domain.len--;
    c->out.domain = ik_arena_strlower(a, author_domain);
    if (c->out.domain.p == NULL)
        return NULL;
    c->out.reason = "";
    /* An Author Domain Signature: d= equal to the author domain (RFC 5617
     * 2.7; subdomains do not count, 3.1). */
    for (size_t i = 0; i < npass; i++) {
        ik_str d = pass_domains[i];
        if (d.len > 0 && d.p[d.len - 1] == '.')
            d.len--;
        if (ik_str_caseeq(d, c->out.domain))
            c->has_author_sig = 1;
    }
    return c;
}

static void finish(ik_adsp *c, ik_adsp_result r, const char *reason)
{
    c->out.result = r;
    c->out.reason = reason;
    c->state = A_DONE;
}

static ik_dns_query *ask(ik_adsp *c, ik_str name, uint16_t type, ik_dns_query **list)
{
    ik_dns_query *q = ik_dns_query_new(c->a, name, type);
    if (q != NULL) {
        q->next = *list;
        *list = q;
    }
    return q;
}

static int answered(const ik_dns_query *q)
{
    return q == NULL || q->answer != NULL;
}

static ik_dns_query *relist(ik_dns_query *const *qs, size_t n)
{
    ik_dns_query *list = NULL;
    for (size_t i = 0; i < n; i++) {
        if (qs[i] != NULL && qs[i]->answer == NULL) {
            qs[i]->next = list;
            list = qs[i];
        }
    }
    return list;
}

/* The named-record step (4.3 "Fetch Named ADSP Record"). */
static void decide_record(ik_adsp *c)
{
    const ik_dns_answer *ans = c->txt->answer;
    switch (ans->status) {
    case IK_DNS_OK: break;
    case IK_DNS_NXDOMAIN:
    case IK_DNS_NODATA: finish(c, IK_ADSP_NONE, "no ADSP record"); return;
    case IK_DNS_TEMPFAIL:
        finish(c, IK_ADSP_TEMPERROR, "ADSP record lookup failed temporarily");
        return;
    default: finish(c, IK_ADSP_PERMERROR, "ADSP record lookup failed"); return;
    }
    size_t valid = 0, seen = 0;
    for (size_t i = 0; i < ans->nrr && seen < IK_ADSP_MAX_RECORDS; i++) {
        if (ans->rr[i].type != IK_DNS_T_TXT)
            continue;
        seen++;
        ik_adsp_practice p;
        ik_str text = ans->rr[i].u.txt.joined;
        if (ik_adsp_record_parse(c->a, text, &p, NULL) != IK_OK)
            continue; /* 4.1: not a valid ADSP record, so as NODATA */
        if (valid++ == 0) {
            c->out.practice = p;
            c->out.record = text;
        }
    }
    if (valid == 0) {
        finish(c, IK_ADSP_NONE, "no valid ADSP record (invalid records are ignored)");
        return;
    }
    if (valid > 1) {
        c->out.record = IK_STR_NULL;
        finish(c, IK_ADSP_PERMERROR, "more than one ADSP record: the result is undefined");
        return;
    }
    c->out.has_record = 1;
    switch (c->out.practice) {
    case IK_ADSP_PRACTICE_ALL:
        finish(c, IK_ADSP_FAIL, "dkim=all and no valid Author Domain Signature");
        break;
    case IK_ADSP_PRACTICE_DISCARDABLE:
        finish(c, IK_ADSP_DISCARD, "dkim=discardable and no valid Author Domain Signature");
        break;
    default: finish(c, IK_ADSP_UNKNOWN, "dkim=unknown and no valid Author Domain Signature");
    }
}

ik_status ik_adsp_eval(ik_adsp *c, ik_dns_query **queries)
{
    *queries = NULL;
    if (c->state == A_DONE)
        return IK_OK;
    if (c->state == A_START) {
        if (c->has_author_sig) {
            finish(c, IK_ADSP_PASS, "valid Author Domain Signature");
            return IK_OK;
        }
        ik_str d = c->out.domain;
        char *name = ik_arena_printf(c->a, "_adsp._domainkey.%.*s", (int)d.len, d.p);
        if (name == NULL)
            return IK_ENOMEM;
        if (d.len == 0 || ik_dns_name_check(d) != IK_OK
            || ik_dns_name_check(ik_str_c(name)) != IK_OK) {
            finish(c, IK_ADSP_PERMERROR, "the author domain is not a valid DNS name");
            return IK_OK;
        }
        ik_dns_query *list = NULL;
        c->mx = ask(c, d, IK_DNS_T_MX, &list);
        c->txt = ask(c, ik_str_c(name), IK_DNS_T_TXT, &list);
        if (c->mx == NULL || c->txt == NULL)
            return IK_ENOMEM;
        c->state = A_ROUND1;
        *queries = list;
        return IK_EAGAIN;
    }
    if (c->state == A_ROUND1) {
        ik_dns_query *qs[2] = { c->mx, c->txt };
        if (!answered(c->mx) || !answered(c->txt)) {
            *queries = relist(qs, 2);
            return IK_EAGAIN;
        }
        /* 4.3 "Check Domain Scope" comes first. */
        switch (c->mx->answer->status) {
        case IK_DNS_NXDOMAIN:
            finish(c, IK_ADSP_NXDOMAIN, "the author domain does not exist (NXDOMAIN)");
            return IK_OK;
        case IK_DNS_TEMPFAIL:
            finish(c, IK_ADSP_TEMPERROR, "author domain lookup failed temporarily");
            return IK_OK;
        case IK_DNS_OK: decide_record(c); return IK_OK;
        case IK_DNS_NODATA: break;
        default: finish(c, IK_ADSP_PERMERROR, "author domain lookup failed"); return IK_OK;
        }
        /* NODATA for MX: the domain exists; does it exist for mail? */
        ik_dns_query *list = NULL;
        c->addr4 = ask(c, c->out.domain, IK_DNS_T_A, &list);
        c->addr6 = ask(c, c->out.domain, IK_DNS_T_AAAA, &list);
        if (c->addr4 == NULL || c->addr6 == NULL)
            return IK_ENOMEM;
        c->state = A_ROUND2;
        *queries = list;
        return IK_EAGAIN;
    }
    /* A_ROUND2 */
    ik_dns_query *qs[2] = { c->addr4, c->addr6 };
    if (!answered(c->addr4) || !answered(c->addr6)) {
        *queries = relist(qs, 2);
        return IK_EAGAIN;
    }
    ik_dns_status s4 = c->addr4->answer->status, s6 = c->addr6->answer->status;
    if (s4 == IK_DNS_OK || s6 == IK_DNS_OK) {
        decide_record(c);
        return IK_OK;
    }
    if (s4 == IK_DNS_TEMPFAIL || s6 == IK_DNS_TEMPFAIL) {
        finish(c, IK_ADSP_TEMPERROR, "author domain address lookup failed temporarily");
        return IK_OK;
    }
    /* 4.3: "no MX, A, or AAAA record ... SHOULD terminate with an error
     * indicating that the domain is out of scope". */
    finish(c, IK_ADSP_NXDOMAIN, "the author domain has no MX, A or AAAA record");
    return IK_OK;
}

const ik_adsp_outcome *ik_adsp_get(const ik_adsp *c)
{
    return c->state == A_DONE ? &c->out : NULL;
}
