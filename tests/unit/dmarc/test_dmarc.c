/*
 * test_dmarc.c - unit tests for the DMARC module (inkan/dmarc.h): record
 * parsing (every tag, malformed, truncated, oversized), report URIs,
 * A-labels, the Author Domain against each "Composition Kills" class, the
 * evaluation engine on a static zone (resumption, alignment tables, tree
 * walk bounds, temperror, overrides, report destinations) and OOM.
 */
#include <stdio.h>
#include <string.h>

#include "ik_test.h"
#include "inkan/arena.h"
#include "inkan/dmarc.h"
#include "inkan/header.h"
#include "inkan/zone.h"

static ik_dmarc_record *parse_ok(ik_arena *a, const char *text, unsigned flags)
{
    ik_dmarc_record *r = NULL;
    ik_str why;
    ASSERT_OK(ik_dmarc_record_parse(a, ik_str_c(text), flags, &r, &why));
    ASSERT_TRUE(r != NULL);
    return r;
}

/* ---- records ----------------------------------------------------------------- */

static void record_minimal_has_defaults(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r = parse_ok(a, "v=DMARC1; p=reject", 0);
    ASSERT_EQ(r->p, IK_DMARC_P_REJECT);
    ASSERT_EQ(r->present, IK_DMARC_TAG_P);
    ASSERT_EQ(r->invalid, 0);
    ASSERT_EQ(r->psd, IK_DMARC_PSD_U);
    ASSERT_EQ(r->testing, 0);
    ASSERT_EQ(r->adkim_strict, 0);
    ASSERT_EQ(r->aspf_strict, 0);
    ASSERT_EQ(r->pct, 100);
    ASSERT_EQ(r->ri, 86400);
    ASSERT_EQ(r->fo, IK_DMARC_FO_0);
    ASSERT_STR(r->rf, "afrf");
    ASSERT_EQ(r->problems.len, 0);
    ik_arena_free(a);
}

static void record_every_tag(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r =
        parse_ok(a,
                 "v=DMARC1; p=quarantine; sp=reject; np=none; psd=n; t=y; adkim=s; aspf=s; "
                 "pct=25; rua=mailto:agg@example.com!1k, mailto:b@example.net; "
                 "ruf=mailto:f@example.com; fo=1:d:s; rf=afrf; ri=3600",
                 IK_DMARC_OPT_SPEC_7489);
    ASSERT_EQ(r->p, IK_DMARC_P_QUARANTINE);
    ASSERT_EQ(r->sp, IK_DMARC_P_REJECT);
    ASSERT_EQ(r->np, IK_DMARC_P_NONE);
    ASSERT_EQ(r->psd, IK_DMARC_PSD_N);
    ASSERT_EQ(r->testing, 1);
    ASSERT_EQ(r->adkim_strict, 1);
    ASSERT_EQ(r->aspf_strict, 1);
    ASSERT_EQ(r->pct, 25);
    ASSERT_EQ(r->nrua, 2);
    ASSERT_STR(r->rua[0].address, "agg@example.com");
    ASSERT_EQ(r->rua[0].max_size, 1024);
    ASSERT_STR(r->rua[1].host, "example.net");
    ASSERT_EQ(r->nruf, 1);
    ASSERT_EQ(r->fo, IK_DMARC_FO_1 | IK_DMARC_FO_D | IK_DMARC_FO_S);
    ASSERT_EQ(r->ri, 3600);
    ASSERT_EQ(r->invalid, 0);
    ASSERT_EQ(r->problems.len, 0);
    ik_arena_free(a);
}

static void record_version_must_be_first_and_exact(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r;
    ik_str why;
    const char *bad[] = { "p=reject; v=DMARC1",
                          "v=dmarc1; p=reject",
                          "v=DMARC2; p=reject",
                          "v=DMARC1x; p=reject",
                          "v=DMARC1 p=reject",
                          "",
                          "v=",
                          "x=DMARC1",
                          "v DMARC1" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_FALSE(ik_dmarc_record_is_dmarc(ik_str_c(bad[i])));
        ASSERT_STATUS(ik_dmarc_record_parse(a, ik_str_c(bad[i]), 0, &r, &why), IK_ENOTFOUND);
        ASSERT_TRUE(r == NULL);
    }
    ASSERT_TRUE(ik_dmarc_record_is_dmarc(IK_STR_LIT(" v = DMARC1 ;p=none")));
    ASSERT_TRUE(ik_dmarc_record_is_dmarc(IK_STR_LIT("V=DMARC1")));
    ik_arena_free(a);
}

static void record_keywords_and_names_are_caseless(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r = parse_ok(a, "v = DMARC1 ;P = REJECT; ADKIM=S;Psd=Y", 0);
    ASSERT_EQ(r->p, IK_DMARC_P_REJECT);
    ASSERT_EQ(r->adkim_strict, 1);
    ASSERT_EQ(r->psd, IK_DMARC_PSD_Y);
    ik_arena_free(a);
}

static void record_invalid_values_keep_defaults_and_name_the_tag(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r =
        parse_ok(a,
                 "v=DMARC1; p=bogus; sp=x; np=; psd=q; t=maybe; adkim=x; aspf=rr; pct=150; fo=0:1; "
                 "ri=-1; rf=a b",
                 IK_DMARC_OPT_SPEC_7489);
    unsigned all = IK_DMARC_TAG_P | IK_DMARC_TAG_SP | IK_DMARC_TAG_NP | IK_DMARC_TAG_PSD
                   | IK_DMARC_TAG_T | IK_DMARC_TAG_ADKIM | IK_DMARC_TAG_ASPF | IK_DMARC_TAG_PCT
                   | IK_DMARC_TAG_FO | IK_DMARC_TAG_RI | IK_DMARC_TAG_RF;
    ASSERT_EQ(r->invalid, all);
    ASSERT_EQ(r->pct, 100);
    ASSERT_EQ(r->adkim_strict, 0);
    ASSERT_EQ(r->fo, IK_DMARC_FO_0);
    ASSERT_EQ(r->ri, 86400);
    ASSERT_TRUE(ik_dmarc_record_policy_broken(r, IK_DMARC_SPEC_9989));
    const char *tags[] = { "p:",    "sp:",  "np:", "psd:", "t:", "adkim:",
                           "aspf:", "pct:", "fo:", "ri:",  "rf:" };
    char buf[4096];
    snprintf(buf, sizeof(buf), "%.*s", (int)r->problems.len, r->problems.p);
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        ASSERT_TRUE(strstr(buf, tags[i]) != NULL);
    ik_arena_free(a);
}

static void record_missing_p_is_broken_and_rua_decides(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r = parse_ok(a, "v=DMARC1; rua=mailto:d@example.com", 0);
    ASSERT_TRUE(r->invalid & IK_DMARC_TAG_P);
    ASSERT_TRUE(ik_dmarc_record_policy_broken(r, IK_DMARC_SPEC_9989));
    ASSERT_TRUE(ik_dmarc_record_has_valid_rua(r));
    r = parse_ok(a, "v=DMARC1; psd=y", 0);
    ASSERT_FALSE(ik_dmarc_record_has_valid_rua(r));
    /* np is not a 7489 tag: a bad np does not break a 7489 policy */
    r = parse_ok(a, "v=DMARC1; p=none; np=bad", 0);
    ASSERT_TRUE(ik_dmarc_record_policy_broken(r, IK_DMARC_SPEC_9989));
    ASSERT_FALSE(ik_dmarc_record_policy_broken(r, IK_DMARC_SPEC_7489));
    ik_arena_free(a);
}

static void record_duplicate_tag_voids_record_unless_first_wins(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r;
    ik_str why;
    ASSERT_STATUS(ik_dmarc_record_parse(a, IK_STR_LIT("v=DMARC1; p=none; P=reject"), 0, &r, &why),
                  IK_ESYNTAX);
    ASSERT_TRUE(why.len > 0 && memmem(why.p, why.len, "twice", 5) != NULL);
    r = parse_ok(a, "v=DMARC1; p=none; p=reject", IK_DMARC_OPT_DUP_TAG_FIRST);
    ASSERT_EQ(r->p, IK_DMARC_P_NONE);
    ik_arena_free(a);
}

static void record_malformed_spec_is_ignored_alone(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r = parse_ok(a, "v=DMARC1; garbage; p=reject; =x; 9x=1;;; foo=bar", 0);
    ASSERT_EQ(r->p, IK_DMARC_P_REJECT);
    ASSERT_EQ(r->invalid, 0);
    ASSERT_TRUE(r->problems.len > 0);
    ik_arena_free(a);
}

static void record_unknown_tags_and_trailing_separator(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r = parse_ok(a, "v=DMARC1;p=reject;foo=bar;np2=x;", 0);
    ASSERT_EQ(r->present, IK_DMARC_TAG_P);
    ASSERT_EQ(r->problems.len, 0);
    ik_arena_free(a);
}

static void record_fo_values(void)
{
    ik_arena *a = ik_arena_new(NULL);
    struct {
        const char *v;
        unsigned fo;
        int ok;
    } t[] = {
        { "0", IK_DMARC_FO_0, 1 },
        { "1", IK_DMARC_FO_1, 1 },
        { "d:s", IK_DMARC_FO_D | IK_DMARC_FO_S, 1 },
        { "0 : d", IK_DMARC_FO_0 | IK_DMARC_FO_D, 1 },
        { "0:1", 0, 0 },
        { "d:d", 0, 0 },
        { "x", 0, 0 },
        { "0::d", 0, 0 },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char rec[128];
        snprintf(rec, sizeof(rec), "v=DMARC1; p=none; ruf=mailto:f@example.com; fo=%s", t[i].v);
        ik_dmarc_record *r = parse_ok(a, rec, 0);
        ASSERT_EQ(!(r->invalid & IK_DMARC_TAG_FO), t[i].ok);
        ASSERT_EQ(r->fo, t[i].ok ? t[i].fo : IK_DMARC_FO_0);
    }
    ik_arena_free(a);
}

static void record_pct_bounds(void)
{
    ik_arena *a = ik_arena_new(NULL);
    struct {
        const char *v;
        unsigned pct;
    } t[] = {
        { "0", 0 },      { "100", 100 }, { "050", 50 }, { "101", 100 },
        { "1000", 100 }, { "-1", 100 },  { "5x", 100 },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char rec[64];
        snprintf(rec, sizeof(rec), "v=DMARC1; p=none; pct=%s", t[i].v);
        ASSERT_EQ(parse_ok(a, rec, 0)->pct, t[i].pct);
    }
    ik_arena_free(a);
}

static void record_every_truncation_is_handled(void)
{
    const char *full = "v=DMARC1; p=quarantine; sp=reject; rua=mailto:a@example.com!10m, "
                       "mailto:b%2Cc@example.net; fo=1:d; adkim=s; pct=50";
    ik_arena *a = ik_arena_new(NULL);
    for (size_t n = 0; n <= strlen(full); n++) {
        ik_dmarc_record *r;
        ik_str why;
        ik_status st = ik_dmarc_record_parse(a, ik_str_make(full, n), 0, &r, &why);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOTFOUND);
        ASSERT_EQ(st == IK_OK, n >= 8);
    }
    ik_arena_free(a);
}

static void record_oversized_and_too_many_tags(void)
{
    ik_arena *a = ik_arena_new(NULL);
    char big[IK_DMARC_MAX_RECORD + 64];
    memset(big, 'x', sizeof(big));
    memcpy(big, "v=DMARC1; p=none; z=", 20);
    ik_dmarc_record *r;
    ik_str why;
    ASSERT_STATUS(ik_dmarc_record_parse(a, ik_str_make(big, sizeof(big)), 0, &r, &why), IK_ESYNTAX);
    char many[2048] = "v=DMARC1";
    for (int i = 0; i < IK_DMARC_MAX_TAGS + 1; i++) {
        size_t l = strlen(many);
        snprintf(many + l, sizeof(many) - l, "; x%d=1", i);
    }
    ASSERT_STATUS(ik_dmarc_record_parse(a, ik_str_c(many), 0, &r, &why), IK_ESYNTAX);
    ik_arena_free(a);
}

/* ---- URIs ---------------------------------------------------------------------- */

static void uri_size_suffixes(void)
{
    ik_arena *a = ik_arena_new(NULL);
    struct {
        const char *t;
        uint64_t size;
    } ok[] = {
        { "mailto:a@example.com!10m", 10ull << 20 }, { "mailto:a@example.com!50k", 50ull << 10 },
        { "mailto:a@example.com!2g", 2ull << 30 },   { "mailto:a@example.com!1t", 1ull << 40 },
        { "mailto:a@example.com!123", 123 },         { "mailto:a@example.com", 0 },
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ik_dmarc_uri u;
        ik_str why;
        ASSERT_OK(ik_dmarc_uri_parse(a, ik_str_c(ok[i].t), 1, 0, &u, &why));
        ASSERT_EQ(u.max_size, ok[i].size);
        ASSERT_STR(u.address, "a@example.com");
        /* RFC 9989: obsolete, ignored */
        ASSERT_OK(ik_dmarc_uri_parse(a, ik_str_c(ok[i].t), 0, 0, &u, &why));
        ASSERT_EQ(u.max_size, 0);
    }
    const char *bad[] = { "mailto:a@example.com!1x", "mailto:a@example.com!",
                          "mailto:a@example.com!k", "mailto:a@example.com!99999999999999999999t" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ik_dmarc_uri u;
        ik_str why;
        ASSERT_STATUS(ik_dmarc_uri_parse(a, ik_str_c(bad[i]), 1, 0, &u, &why), IK_ESYNTAX);
        ASSERT_TRUE(why.len > 0);
        ASSERT_OK(ik_dmarc_uri_parse(a, ik_str_c(bad[i]), 1, 1, &u, &why)); /* lenient */
        ASSERT_EQ(u.max_size, 0);
    }
    ik_arena_free(a);
}

static void uri_schemes_and_encoding(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_uri u;
    ik_str why;
    ASSERT_OK(
        ik_dmarc_uri_parse(a, IK_STR_LIT("mailto:dmarc%2Creports@Example.COM"), 0, 0, &u, &why));
    ASSERT_STR(u.address, "dmarc,reports@Example.COM");
    ASSERT_STR(u.host, "example.com");
    ASSERT_OK(ik_dmarc_uri_parse(a, IK_STR_LIT("MAILTO:x@example.com?subject=hi"), 0, 0, &u, &why));
    ASSERT_TRUE(u.mailto);
    ASSERT_STR(u.address, "x@example.com");
    ASSERT_OK(ik_dmarc_uri_parse(a, IK_STR_LIT("https://r.example.com/dmarc"), 0, 0, &u, &why));
    ASSERT_TRUE(u.valid);
    ASSERT_FALSE(u.mailto);
    const char *bad[] = { "d@example.com",         "mailto:",
                          "mailto:noat",           "mailto:@example.com",
                          "mailto:a@bad_host!",    "mailto:a@exa mple.com",
                          "mailto:a%2@x.com",      "mailto:a%00@x.com",
                          "mailto:a@example..com", "1x:foo" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ASSERT_STATUS(ik_dmarc_uri_parse(a, ik_str_c(bad[i]), 0, 0, &u, &why), IK_ESYNTAX);
    ik_arena_free(a);
}

static void uri_list_limits_and_bad_entries(void)
{
    ik_arena *a = ik_arena_new(NULL);
    char rec[2048] = "v=DMARC1; p=none; rua=";
    for (int i = 0; i < IK_DMARC_MAX_URIS + 3; i++) {
        size_t l = strlen(rec);
        snprintf(rec + l, sizeof(rec) - l, "%smailto:r%d@example.com", i ? "," : "", i);
    }
    ik_dmarc_record *r = parse_ok(a, rec, 0);
    ASSERT_EQ(r->nrua, IK_DMARC_MAX_URIS);
    r = parse_ok(a, "v=DMARC1; p=none; rua=mailto:a@x.example!1x, ,mailto:b@y.example", 0);
    ASSERT_EQ(r->nrua, 1);
    ASSERT_STR(r->rua[0].address, "b@y.example");
    ik_arena_free(a);
}

/* ---- A-labels --------------------------------------------------------------------- */

static void alabel_conversion(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_str out;
    ASSERT_OK(ik_dmarc_domain_alabel(a,
                                     ik_str_c("b\xc3\xbc"
                                              "cher.example"),
                                     &out));
    ASSERT_STR(out, "xn--bcher-kva.example");
    ASSERT_OK(ik_dmarc_domain_alabel(a,
                                     ik_str_c("M\xc3\xbc"
                                              "nchen.DE."),
                                     &out));
    ASSERT_STR(out, "xn--mnchen-3ya.de");
    ASSERT_OK(ik_dmarc_domain_alabel(a, ik_str_c("\xe4\xbe\x8b\xe3\x81\x88.jp"), &out));
    ASSERT_STR(out, "xn--r8jz45g.jp");
    ASSERT_OK(ik_dmarc_domain_alabel(a, IK_STR_LIT("Example.COM"), &out));
    ASSERT_STR(out, "example.com");
    const char *bad[] = {
        "", ".", "a..b", "\xc3(.example", "\xed\xa0\x80.example", "\xc0\xaf.example"
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ASSERT_STATUS(ik_dmarc_domain_alabel(a, ik_str_c(bad[i]), &out), IK_ESYNTAX);
    char longlab[80];
    memset(longlab, 'a', 64);
    strcpy(longlab + 64, ".com");
    ASSERT_STATUS(ik_dmarc_domain_alabel(a, ik_str_c(longlab), &out), IK_ESYNTAX);
    /* names at and past 253 octets, ASCII and U-labels (found by fuzzing) */
    char name[1200] = "";
    for (int i = 0; i < 127; i++)
        strcat(name, i ? ".a" : "a");
    ASSERT_OK(ik_dmarc_domain_alabel(a, ik_str_c(name), &out));
    ASSERT_EQ(out.len, 253);
    strcat(name, ".b");
    ASSERT_STATUS(ik_dmarc_domain_alabel(a, ik_str_c(name), &out), IK_ESYNTAX);
    name[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(name, "\xc3\xb6\xc3\xb6\xc3\xb6pai.");
    strcat(name, "example");
    ASSERT_STATUS(ik_dmarc_domain_alabel(a, ik_str_c(name), &out), IK_ESYNTAX);
    ik_arena_free(a);
}

/* ---- Author Domain: the Composition Kills classes ----------------------------------- */

static ik_dmarc_from from_block(ik_arena *a, const char *hdr)
{
    ik_hdr_field *f;
    size_t n, body;
    ASSERT_OK(ik_hdr_parse_block(a, hdr, strlen(hdr), NULL, &f, &n, &body));
    ik_dmarc_from out;
    ASSERT_OK(ik_dmarc_author_from_fields(a, f, n, &out));
    return out;
}

static ik_dmarc_from from_value(ik_arena *a, const char *v, size_t len)
{
    ik_dmarc_from out;
    ASSERT_OK(ik_dmarc_author_from_value(a, ik_str_make(v, len), &out));
    return out;
}

#define FROM_ONE(a, v, dom)                                                                        \
    do {                                                                                           \
        ik_dmarc_from f_ = from_value((a), (v), strlen(v));                                        \
        ASSERT_EQ(f_.status, IK_DMARC_FROM_OK);                                                    \
        ASSERT_EQ(f_.ndomains, 1);                                                                 \
        ASSERT_STR(f_.domains[0], dom);                                                            \
    } while (0)

#define FROM_STATUS(a, v, st)                                                                      \
    do {                                                                                           \
        ik_dmarc_from f_ = from_value((a), (v), strlen(v));                                        \
        ASSERT_EQ(f_.status, st);                                                                  \
        ASSERT_EQ(f_.ndomains, 0);                                                                 \
        ASSERT_TRUE(f_.problem.len > 0);                                                           \
    } while (0)

static void ck_no_from_field(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_EQ(from_block(a, "Subject: hi\r\nSender: x@bank.example\r\n\r\n").status,
              IK_DMARC_FROM_ABSENT);
    /* an indented From line is a continuation, not a field */
    ASSERT_EQ(from_block(a, " From: x@bank.example\r\nSubject: hi\r\n\r\n").status,
              IK_DMARC_FROM_ABSENT);
    ik_arena_free(a);
}

static void ck_multiple_from_fields_any_spelling(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_EQ(from_block(a, "From: a@evil.example\r\nFrom: b@bank.example\r\n\r\n").status,
              IK_DMARC_FROM_MULTIPLE_FIELDS);
    ASSERT_EQ(from_block(a, "From: a@evil.example\r\nFROM: b@bank.example\r\n\r\n").status,
              IK_DMARC_FROM_MULTIPLE_FIELDS);
    ASSERT_EQ(from_block(a, "From: a@evil.example\r\nFrom : b@bank.example\r\n\r\n").status,
              IK_DMARC_FROM_MULTIPLE_FIELDS);
    /* the same domain twice is still two fields (RFC 5322 3.6) */
    ASSERT_EQ(from_block(a, "From: a@bank.example\r\nfrom: a@bank.example\r\n\r\n").status,
              IK_DMARC_FROM_MULTIPLE_FIELDS);
    ik_dmarc_from f = from_block(a, "from :  Bank <a@Bank.Example>\r\n\r\n");
    ASSERT_EQ(f.status, IK_DMARC_FROM_OK);
    ASSERT_STR(f.domains[0], "bank.example");
    ik_arena_free(a);
}

static void ck_multiple_mailboxes_give_every_domain(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_from f = from_value(a, "a@evil.example, b@bank.example", 30);
    ASSERT_EQ(f.status, IK_DMARC_FROM_OK);
    ASSERT_EQ(f.ndomains, 2);
    ASSERT_STR(f.domains[0], "evil.example");
    ASSERT_STR(f.domains[1], "bank.example");
    const char *same = "a@Bank.example, b@bank.EXAMPLE";
    f = from_value(a, same, strlen(same));
    ASSERT_EQ(f.ndomains, 1);
    ASSERT_EQ(f.nmailboxes, 2);
    const char *many = "a@d1.example, b@d2.example, c@d3.example, d@d4.example, e@d5.example";
    FROM_STATUS(a, many, IK_DMARC_FROM_TOO_MANY);
    ik_arena_free(a);
}

static void ck_groups(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_STATUS(a, "undisclosed-recipients:;", IK_DMARC_FROM_NO_DOMAIN);
    /* the group's display name is not a domain */
    FROM_ONE(a, "bank.example: x@evil.example;", "evil.example");
    ik_arena_free(a);
}

static void ck_display_name_holding_an_address(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_ONE(a, "\"admin@bank.example\" <x@evil.example>", "evil.example");
    FROM_ONE(a, "=?utf-8?b?YWRtaW5AYmFuay5leGFtcGxl?= <x@evil.example>", "evil.example");
    /* unquoted '@' in a display name: two readings */
    FROM_STATUS(a, "admin@bank.example <x@evil.example>", IK_DMARC_FROM_AMBIGUOUS);
    ik_arena_free(a);
}

static void ck_quoted_local_part_with_at(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_ONE(a, "\"admin@bank.example\"@evil.example", "evil.example");
    FROM_ONE(a, "<\"x@bank.example\"@evil.example>", "evil.example");
    ik_arena_free(a);
}

static void ck_comments_holding_an_address(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_ONE(a, "x@evil.example (admin@bank.example)", "evil.example");
    FROM_ONE(a, "(admin@bank.example) x@evil.example", "evil.example");
    FROM_ONE(a, "<x@evil.example>(,admin@bank.example)", "evil.example");
    FROM_ONE(a, "x@(bank.example)evil.example", "evil.example");
    ik_arena_free(a);
}

static void ck_source_route(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_ONE(a, "<@bank.example:x@evil.example>", "evil.example");
    ik_arena_free(a);
}

static void ck_two_at_signs_and_glued_addresses(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_STATUS(a, "x@bank.example@evil.example", IK_DMARC_FROM_AMBIGUOUS);
    FROM_STATUS(a, "<x@bank.example><y@evil.example>", IK_DMARC_FROM_AMBIGUOUS);
    ik_arena_free(a);
}

static void ck_encoded_word_as_local_part(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_STATUS(a, "=?utf-8?b?YWRtaW5AYmFuay5leGFtcGxlPg==?=@evil.example",
                IK_DMARC_FROM_AMBIGUOUS);
    ik_arena_free(a);
}

static void ck_nul_byte(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_from f = from_value(a, "x@bank.example\0@evil.example", 28);
    ASSERT_EQ(f.status, IK_DMARC_FROM_AMBIGUOUS);
    ASSERT_EQ(f.ndomains, 0);
    ik_arena_free(a);
}

static void ck_no_domain_and_empty(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_STATUS(a, "x@[192.0.2.1]", IK_DMARC_FROM_NO_DOMAIN);
    FROM_STATUS(a, "", IK_DMARC_FROM_MALFORMED);
    FROM_STATUS(a, "   ", IK_DMARC_FROM_MALFORMED);
    FROM_STATUS(a, "just text", IK_DMARC_FROM_MALFORMED);
    FROM_STATUS(a, "x@", IK_DMARC_FROM_MALFORMED);
    ik_arena_free(a);
}

static void ck_utf8_domain_becomes_alabel(void)
{
    ik_arena *a = ik_arena_new(NULL);
    FROM_ONE(a,
             "J\xc3\xb6rg <j@b\xc3\xbc"
             "cher.example>",
             "xn--bcher-kva.example");
    ik_arena_free(a);
}

static void ck_folding_inside_the_field(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_from f = from_block(a, "From: Bank\r\n <x@evil.example>\r\n\r\n");
    ASSERT_EQ(f.status, IK_DMARC_FROM_OK);
    ASSERT_STR(f.domains[0], "evil.example");
    ik_arena_free(a);
}

/* ---- evaluation ------------------------------------------------------------------------ */

typedef struct fixture {
    ik_arena *a;
    ik_zone *z;
    ik_dmarc_psl *psl;
} fixture;

static fixture fx_new(const char *zone_text)
{
    fixture f;
    f.a = ik_arena_new(NULL);
    f.z = ik_zone_new(NULL);
    f.psl = NULL;
    char err[256];
    ASSERT_OK(ik_zone_load_mem(f.z, "<test>", zone_text, strlen(zone_text), err, sizeof(err)));
    return f;
}

static void fx_free(fixture *f)
{
    ik_zone_free(f->z);
    ik_arena_free(f->a);
    ik_dmarc_psl_free(f->psl);
}

static void answer_all(fixture *f, ik_dns_query *q)
{
    for (; q; q = q->next)
        ASSERT_OK(ik_zone_lookup(f->z, f->a, q->name, q->type, &q->answer));
}

typedef struct eval_in {
    ik_dmarc_spec spec;
    const char *from; /* author domain(s): "a.example" or "x@a, y@b" value */
    const char *mailfrom;
    const char *helo;
    ik_spf_result spf;
    ik_dmarc_dkim dkim[4];
    size_t ndkim;
    unsigned flags;
    long sample;
    int arc;
} eval_in;

static const ik_dmarc_outcome *eval(fixture *f, const eval_in *in, unsigned *rounds)
{
    ik_dmarc_from from;
    if (strchr(in->from, '@'))
        ASSERT_OK(ik_dmarc_author_from_value(f->a, ik_str_c(in->from), &from));
    else
        ASSERT_OK(ik_dmarc_author_from_domain(f->a, ik_str_c(in->from), &from));
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    auth.spf_result = in->spf;
    auth.mailfrom = in->mailfrom ? ik_str_c(in->mailfrom) : IK_STR_NULL;
    auth.helo = in->helo ? ik_str_c(in->helo) : IK_STR_NULL;
    auth.dkim = in->dkim;
    auth.ndkim = in->ndkim;
    auth.arc_trusted_pass = in->arc;
    auth.arc_sealer = IK_STR_LIT("arc.example");
    ik_dmarc_params p;
    memset(&p, 0, sizeof(p));
    p.spec = in->spec;
    p.flags = in->flags;
    p.sample = in->sample;
    if (in->spec == IK_DMARC_SPEC_7489) {
        if (f->psl == NULL)
            ASSERT_OK(ik_dmarc_psl_load(NULL, &f->psl));
        p.psl = f->psl;
    }
    ik_dmarc *d;
    ASSERT_OK(ik_dmarc_new(f->a, &p, &from, &auth, &d));
    unsigned n = 0;
    for (;;) {
        ik_dns_query *pending;
        ik_status st = ik_dmarc_run(d, &pending);
        if (st == IK_OK)
            break;
        ASSERT_STATUS(st, IK_EAGAIN);
        ASSERT_TRUE(pending != NULL);
        ASSERT_TRUE(++n < 40);
        answer_all(f, pending);
    }
    if (rounds)
        *rounds = n;
    return ik_dmarc_outcome_get(d);
}

#define DK(dom, res)                                                                               \
    {                                                                                              \
        IK_STR_LIT(dom), IK_STR_LIT("s"), res                                                      \
    }

static void eval_returns_queries_then_verdict(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n");
    ik_dmarc_from from;
    ASSERT_OK(ik_dmarc_author_from_domain(f.a, IK_STR_LIT("example.com"), &from));
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    auth.spf_result = IK_SPF_PASS;
    auth.mailfrom = IK_STR_LIT("bounce@example.com");
    ik_dmarc_params p;
    memset(&p, 0, sizeof(p));
    ik_dmarc *d;
    ASSERT_OK(ik_dmarc_new(f.a, &p, &from, &auth, &d));
    ik_dns_query *q;
    ASSERT_STATUS(ik_dmarc_run(d, &q), IK_EAGAIN);
    ASSERT_TRUE(q != NULL && q->next == NULL);
    ASSERT_STR(q->name, "_dmarc.example.com");
    ASSERT_EQ(q->type, IK_DNS_T_TXT);
    ASSERT_TRUE(ik_dmarc_outcome_get(d) == NULL);
    /* unanswered: asked again, not lost */
    ASSERT_STATUS(ik_dmarc_run(d, &q), IK_EAGAIN);
    ASSERT_TRUE(q != NULL);
    answer_all(&f, q);
    ASSERT_OK(ik_dmarc_run(d, &q));
    const ik_dmarc_outcome *o = ik_dmarc_outcome_get(d);
    ASSERT_EQ(o->result, IK_DMARC_PASS);
    ASSERT_EQ(o->dns_queries, 1);
    ASSERT_OK(ik_dmarc_run(d, &q)); /* idempotent once done */
    fx_free(&f);
}

static void eval_alignment_table(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
                       "_dmarc.strict.example. TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n");
    struct {
        const char *author, *id;
        int relaxed, strict;
    } t[] = {
        { "example.com", "example.com", 1, 1 },
        { "example.com", "EXAMPLE.com", 1, 1 },
        { "example.com", "mail.example.com", 1, 0 },
        { "news.example.com", "example.com", 1, 0 },
        { "news.example.com", "other.example.com", 1, 0 },
        { "example.com", "example.net", 0, 0 },
        { "example.com", "com", 0, 0 },
        { "example.com", "badexample.com", 0, 0 },
        { "strict.example", "strict.example", 1, 1 },
        { "strict.example", "a.strict.example", 1, 0 },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        for (int mech = 0; mech < 2; mech++) {
            eval_in in;
            memset(&in, 0, sizeof(in));
            in.from = t[i].author;
            if (mech == 0) {
                in.mailfrom = t[i].id;
                in.spf = IK_SPF_PASS;
            } else {
                in.spf = IK_SPF_NONE;
                in.dkim[0] = (ik_dmarc_dkim)DK("", IK_DKIM_PASS);
                in.dkim[0].domain = ik_str_c(t[i].id);
                in.ndkim = 1;
            }
            int want = strncmp(t[i].author, "strict", 6) == 0 ? t[i].strict : t[i].relaxed;
            const ik_dmarc_outcome *o = eval(&f, &in, NULL);
            if ((o->result == IK_DMARC_PASS) != want)
                IK_TEST_FAIL_("%s vs %s (%s): got %s: %.*s", t[i].author, t[i].id,
                              mech ? "dkim" : "spf", ik_dmarc_result_name(o->result),
                              (int)o->reason.len, o->reason.p);
            ASSERT_EQ(o->domains[0].spf_aligned, want && mech == 0);
            ASSERT_EQ(o->domains[0].dkim_aligned, want && mech == 1);
        }
    }
    fx_free(&f);
}

static void eval_strict_alignment_needs_no_walk(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject; aspf=s; adkim=s\"\n");
    eval_in in = { .from = "example.com",
                   .mailfrom = "x@mail.example.com",
                   .spf = IK_SPF_PASS,
                   .dkim = { DK("other.example.com", IK_DKIM_PASS) },
                   .ndkim = 1 };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ASSERT_EQ(o->result, IK_DMARC_FAIL);
    ASSERT_EQ(o->dns_queries, 1);
    ASSERT_TRUE(memmem(o->reason.p, o->reason.len, "aspf=s", 6) != NULL);
    fx_free(&f);
}

static void eval_helo_never_used_with_a_sender(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n");
    eval_in in = { .from = "example.com",
                   .mailfrom = "x@other.example",
                   .helo = "mail.example.com",
                   .spf = IK_SPF_PASS };
    ASSERT_EQ(eval(&f, &in, NULL)->result, IK_DMARC_FAIL);
    /* null reverse-path: postmaster@HELO is the MAIL FROM identity */
    eval_in in2 = {
        .from = "example.com", .mailfrom = "<>", .helo = "mail.example.com", .spf = IK_SPF_PASS
    };
    ASSERT_EQ(eval(&f, &in2, NULL)->result, IK_DMARC_PASS);
    eval_in in3 = {
        .from = "example.com", .mailfrom = "", .helo = "mail.example.com", .spf = IK_SPF_PASS
    };
    ASSERT_EQ(eval(&f, &in3, NULL)->result, IK_DMARC_PASS);
    fx_free(&f);
}

static void auth_set_spf_refuses_helo_scope(void)
{
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    ik_spf_params p;
    memset(&p, 0, sizeof(p));
    ik_spf_outcome o;
    memset(&o, 0, sizeof(o));
    o.result = IK_SPF_PASS;
    p.scope = IK_SPF_SCOPE_HELO;
    p.helo = IK_STR_LIT("mail.example.com");
    ASSERT_STATUS(ik_dmarc_auth_set_spf(&auth, &p, &o), IK_EINVAL);
    p.scope = IK_SPF_SCOPE_MFROM;
    p.sender = IK_STR_LIT("a@example.com");
    ASSERT_OK(ik_dmarc_auth_set_spf(&auth, &p, &o));
    ASSERT_EQ(auth.spf_result, IK_SPF_PASS);
    ASSERT_STR(auth.mailfrom, "a@example.com");
}

static void eval_temperror_only_from_aligned_identifiers(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n");
    eval_in in = { .from = "example.com",
                   .mailfrom = "x@attacker.example",
                   .spf = IK_SPF_TEMPERROR,
                   .dkim = { DK("attacker.example", IK_DKIM_TEMPERROR) },
                   .ndkim = 1 };
    ASSERT_EQ(eval(&f, &in, NULL)->result, IK_DMARC_FAIL);
    in.dkim[0] = (ik_dmarc_dkim)DK("example.com", IK_DKIM_TEMPERROR);
    ASSERT_EQ(eval(&f, &in, NULL)->result, IK_DMARC_TEMPERROR);
    in.mailfrom = "x@example.com";
    in.spf = IK_SPF_PASS;
    ASSERT_EQ(eval(&f, &in, NULL)->result, IK_DMARC_PASS);
    fx_free(&f);
}

static void eval_dns_failures(void)
{
    fixture f = fx_new("$SERVFAIL _dmarc.example.com TXT\n"
                       "_dmarc.walk.example. TXT \"v=DMARC1; p=reject\"\n"
                       "$SERVFAIL _dmarc.mail.other.example TXT\n");
    eval_in in = { .from = "example.com", .mailfrom = "x@example.com", .spf = IK_SPF_PASS };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ASSERT_EQ(o->result, IK_DMARC_TEMPERROR);
    ASSERT_EQ(o->disposition, IK_DMARC_P_NONE);
    ASSERT_TRUE(memmem(o->reason.p, o->reason.len, "_dmarc.example.com", 18) != NULL);
    /* the author's policy is fine, but an identifier's walk fails */
    eval_in in2 = { .from = "walk.example",
                    .mailfrom = "x@mail.other.example",
                    .spf = IK_SPF_PASS };
    o = eval(&f, &in2, NULL);
    ASSERT_EQ(o->result, IK_DMARC_TEMPERROR); /* alignment unknown */
    ASSERT_TRUE(memmem(o->reason.p, o->reason.len, "alignment unknown", 17) != NULL);
    /* a different last label cannot align: no walk, no failure */
    in2.mailfrom = "x@mail.other.net";
    ASSERT_EQ(eval(&f, &in2, NULL)->result, IK_DMARC_FAIL);
    fx_free(&f);
}

static void eval_tree_walk_is_bounded(void)
{
    fixture f = fx_new("_dmarc.c.d.e.f.g.h.i.j.mail.example.com. TXT \"v=DMARC1; p=none\"\n"
                       "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n");
    eval_in in = { .from = "a.b.c.d.e.f.g.h.i.j.mail.example.com",
                   .mailfrom = "x@attacker.example",
                   .spf = IK_SPF_PASS };
    unsigned rounds;
    const ik_dmarc_outcome *o = eval(&f, &in, &rounds);
    ASSERT_EQ(o->result, IK_DMARC_FAIL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_REJECT);
    ASSERT_STR(o->domains[0].policy_domain, "example.com");
    ASSERT_EQ(o->dns_queries, 8); /* RFC 9989 4.10: at most eight */
    ASSERT_EQ(rounds, 8);
    fx_free(&f);
}

static void eval_psd_records(void)
{
    fixture f = fx_new("_dmarc.bank.example. TXT \"v=DMARC1; psd=y; p=reject; sp=quarantine\"\n"
                       "a.bank.example. A 192.0.2.1\n"
                       "_dmarc.sub.example.com. TXT \"v=DMARC1; p=none; psd=n\"\n"
                       "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n");
    eval_in in = { .from = "a.bank.example",
                   .mailfrom = "x@mail.a.bank.example",
                   .spf = IK_SPF_PASS };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ASSERT_EQ(o->result, IK_DMARC_PASS);
    ASSERT_STR(o->domains[0].org_domain, "a.bank.example");
    in.mailfrom = "x@b.bank.example";
    o = eval(&f, &in, NULL);
    ASSERT_EQ(o->result, IK_DMARC_FAIL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_QUARANTINE);
    ASSERT_STR(o->domains[0].policy_domain, "bank.example");
    eval_in in2 = { .from = "x.sub.example.com", .mailfrom = "x@example.com", .spf = IK_SPF_PASS };
    o = eval(&f, &in2, NULL);
    ASSERT_EQ(o->result, IK_DMARC_FAIL); /* org sub.example.com vs example.com */
    ASSERT_EQ(o->disposition, IK_DMARC_P_NONE);
    fx_free(&f);
}

static void eval_overrides(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject; pct=50\"\n"
                       "_dmarc.t.example. TXT \"v=DMARC1; p=reject; t=y\"\n"
                       "_dmarc.z.example. TXT \"v=DMARC1; p=reject; pct=0\"\n");
    eval_in in = { .spec = IK_DMARC_SPEC_7489,
                   .from = "example.com",
                   .mailfrom = "x@attacker.example",
                   .spf = IK_SPF_FAIL,
                   .sample = 49 };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_REJECT);
    in.sample = 50;
    o = eval(&f, &in, NULL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_QUARANTINE);
    ASSERT_EQ(o->override, IK_DMARC_OVR_SAMPLED_OUT);
    ASSERT_CSTR(ik_dmarc_override_report_type(o->override), "sampled_out");
    /* 9989 ignores pct */
    in.spec = IK_DMARC_SPEC_9989;
    ASSERT_EQ(eval(&f, &in, NULL)->disposition, IK_DMARC_P_REJECT);
    /* t=y in 9989, ignored in 7489 */
    in.from = "t.example";
    o = eval(&f, &in, NULL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_QUARANTINE);
    ASSERT_EQ(o->override, IK_DMARC_OVR_TEST_MODE);
    in.spec = IK_DMARC_SPEC_7489;
    ASSERT_EQ(eval(&f, &in, NULL)->disposition, IK_DMARC_P_REJECT);
    /* transitional: pct=0 as t=y */
    in.spec = IK_DMARC_SPEC_9989;
    in.from = "z.example";
    ASSERT_EQ(eval(&f, &in, NULL)->disposition, IK_DMARC_P_REJECT);
    in.flags = IK_DMARC_OPT_PCT0_TESTING;
    ASSERT_EQ(eval(&f, &in, NULL)->disposition, IK_DMARC_P_QUARANTINE);
    /* trusted ARC: result stays fail, disposition none */
    in.flags = 0;
    in.arc = 1;
    o = eval(&f, &in, NULL);
    ASSERT_EQ(o->result, IK_DMARC_FAIL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_NONE);
    ASSERT_EQ(o->override, IK_DMARC_OVR_TRUSTED_ARC);
    ik_str ar = ik_dmarc_authres(f.a, o);
    ASSERT_STR(ar, "dmarc=fail (p=reject dis=none local_policy arc=pass) header.from=z.example "
                   "policy.dmarc=none");
    fx_free(&f);
}

static void eval_local_cap_and_from_problems(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n");
    ik_dmarc_from from;
    ASSERT_OK(ik_dmarc_author_from_domain(f.a, IK_STR_LIT("example.com"), &from));
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    ik_dmarc_params p;
    memset(&p, 0, sizeof(p));
    p.local_cap_set = 1;
    p.local_max = IK_DMARC_P_QUARANTINE;
    ik_resolver r;
    ASSERT_OK(ik_zone_resolver(f.z, &r));
    ik_dmarc_outcome o;
    ASSERT_OK(ik_dmarc_check(f.a, &p, &from, &auth, &r, &o));
    ASSERT_EQ(o.result, IK_DMARC_FAIL);
    ASSERT_EQ(o.disposition, IK_DMARC_P_QUARANTINE);
    ASSERT_EQ(o.override, IK_DMARC_OVR_LOCAL_POLICY);
    ASSERT_TRUE(memmem(o.reason.p, o.reason.len, "SPF: no identity", 16) != NULL);
    ASSERT_TRUE(memmem(o.reason.p, o.reason.len, "DKIM: no signature", 18) != NULL);

    /* multiple From fields: permerror and a local reject, no DNS */
    ik_dmarc_from bad;
    memset(&bad, 0, sizeof(bad));
    bad.status = IK_DMARC_FROM_MULTIPLE_FIELDS;
    bad.problem = IK_STR_LIT("multiple From fields");
    memset(&p, 0, sizeof(p));
    ASSERT_OK(ik_dmarc_check(f.a, &p, &bad, &auth, &r, &o));
    ASSERT_EQ(o.result, IK_DMARC_PERMERROR);
    ASSERT_EQ(o.disposition, IK_DMARC_P_REJECT);
    ASSERT_EQ(o.dns_queries, 0);
    ASSERT_STR(ik_dmarc_authres(f.a, &o), "dmarc=permerror (multiple-fields)");
    p.flags = IK_DMARC_OPT_NO_FROM_REJECT;
    ASSERT_OK(ik_dmarc_check(f.a, &p, &bad, &auth, &r, &o));
    ASSERT_EQ(o.disposition, IK_DMARC_P_NONE);
    ik_resolver_close(&r);
    fx_free(&f);
}

static void eval_several_author_domains_strictest_fail(void)
{
    fixture f = fx_new("_dmarc.a.example. TXT \"v=DMARC1; p=quarantine\"\n"
                       "_dmarc.b.example. TXT \"v=DMARC1; p=reject\"\n"
                       "_dmarc.c.example. TXT \"v=DMARC1; p=reject\"\n");
    eval_in in = { .from = "x@a.example, y@b.example, z@c.example",
                   .mailfrom = "q@c.example",
                   .spf = IK_SPF_PASS };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ASSERT_EQ(o->ndomains, 3);
    ASSERT_EQ(o->result, IK_DMARC_FAIL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_REJECT);
    ASSERT_EQ(o->decisive, 1);
    ASSERT_EQ(o->domains[2].result, IK_DMARC_PASS);
    ik_str ar = ik_dmarc_authres(f.a, o);
    ASSERT_TRUE(memmem(ar.p, ar.len, "header.from=a.example", 21) != NULL);
    ASSERT_TRUE(memmem(ar.p, ar.len, "; dmarc=fail (p=reject dis=reject) header.from=b.example", 56)
                != NULL);
    fx_free(&f);
}

static void eval_np_uses_nxdomain_only(void)
{
    fixture f = fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=none; sp=quarantine; np=reject\"\n"
                       "txt.example.com. TXT \"hello\"\n");
    eval_in in = { .from = "ghost.example.com",
                   .mailfrom = "x@attacker.example",
                   .spf = IK_SPF_FAIL };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_REJECT);
    ASSERT_EQ(o->domains[0].author_exists, 0);
    ASSERT_STR(o->domains[0].policy_tag, "np");
    in.from = "txt.example.com";
    o = eval(&f, &in, NULL);
    ASSERT_EQ(o->disposition, IK_DMARC_P_QUARANTINE);
    ASSERT_EQ(o->domains[0].author_exists, 1);
    fx_free(&f);
}

static void eval_report_destinations(void)
{
    fixture f =
        fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=none; rua=mailto:a@example.com,"
               "mailto:b@reports.example.com,mailto:c@third.example,mailto:d@nobody.example,"
               "mailto:e@override.example,mailto:f@bad.example,https://x.example/r; "
               "ruf=mailto:g@third.example\"\n"
               "example.com._report._dmarc.third.example. TXT \"v=DMARC1\"\n"
               "example.com._report._dmarc.override.example. TXT \"v=DMARC1; "
               "rua=mailto:o1@override.example,mailto:o2@override.example\"\n"
               "example.com._report._dmarc.bad.example. TXT \"v=DMARC1; "
               "rua=mailto:x@elsewhere.example\"\n");
    eval_in in = { .from = "example.com",
                   .mailfrom = "x@example.com",
                   .spf = IK_SPF_PASS,
                   .flags = IK_DMARC_OPT_REPORT_URIS };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    const ik_dmarc_domain_outcome *x = &o->domains[0];
    ASSERT_EQ(x->nrua, 8);
    struct {
        const char *addr;
        ik_dmarc_dest_status st;
    } want[] = {
        { "a@example.com", IK_DMARC_DEST_INTERNAL },
        { "b@reports.example.com", IK_DMARC_DEST_INTERNAL },
        { "c@third.example", IK_DMARC_DEST_AUTHORIZED },
        { "d@nobody.example", IK_DMARC_DEST_UNAUTHORIZED },
        { "o1@override.example", IK_DMARC_DEST_AUTHORIZED },
        { "o2@override.example", IK_DMARC_DEST_AUTHORIZED },
        { "f@bad.example", IK_DMARC_DEST_REFUSED },
        { "", IK_DMARC_DEST_UNSUPPORTED },
    };
    for (size_t i = 0; i < 8; i++) {
        if (want[i].addr[0])
            ASSERT_STR(x->rua[i].uri.address, want[i].addr);
        if (x->rua[i].status != want[i].st)
            IK_TEST_FAIL_("rua[%zu]: %s", i, ik_dmarc_dest_status_name(x->rua[i].status));
        ASSERT_EQ(x->rua[i].usable,
                  want[i].st == IK_DMARC_DEST_INTERNAL || want[i].st == IK_DMARC_DEST_AUTHORIZED);
    }
    ASSERT_EQ(x->nruf, 1);
    ASSERT_EQ(x->ruf[0].status, IK_DMARC_DEST_AUTHORIZED);
    fx_free(&f);
}

static void eval_7489_mode_needs_psl_and_uses_it(void)
{
    fixture f = fx_new("_dmarc.example.co.uk. TXT \"v=DMARC1; p=reject\"\n");
    ik_dmarc_from from;
    ASSERT_OK(ik_dmarc_author_from_domain(f.a, IK_STR_LIT("mail.example.co.uk"), &from));
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    ik_dmarc_params p;
    memset(&p, 0, sizeof(p));
    p.spec = IK_DMARC_SPEC_7489;
    ik_dmarc *d;
    ASSERT_STATUS(ik_dmarc_new(f.a, &p, &from, &auth, &d), IK_EINVAL);
    ASSERT_OK(ik_dmarc_psl_load(NULL, &f.psl));
    ASSERT_STR(ik_dmarc_psl_org_domain(f.psl, f.a, IK_STR_LIT("a.b.example.co.uk")),
               "example.co.uk");
    ASSERT_STR(ik_dmarc_psl_org_domain(f.psl, f.a, IK_STR_LIT("co.uk")), "co.uk");
    ASSERT_STR(ik_dmarc_psl_org_domain(f.psl, f.a, IK_STR_LIT("x.blogspot.com")), "x.blogspot.com");
    ASSERT_STR(ik_dmarc_psl_org_domain(f.psl, f.a, IK_STR_LIT("Mail.Example.CO.UK")),
               "example.co.uk");
    /* a NUL must not let libpsl judge the shorter name "bank.example.com" */
    static const char nul[] = "bank.example.com\0.evil.example";
    ik_str org = ik_dmarc_psl_org_domain(f.psl, f.a, ik_str_make(nul, sizeof(nul) - 1));
    ASSERT_EQ(org.len, sizeof(nul) - 1);
    ASSERT_TRUE(memcmp(org.p, nul, org.len) == 0);
    eval_in in = { .spec = IK_DMARC_SPEC_7489,
                   .from = "mail.example.co.uk",
                   .mailfrom = "b@bounce.example.co.uk",
                   .spf = IK_SPF_PASS };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ASSERT_EQ(o->result, IK_DMARC_PASS);
    ASSERT_EQ(o->dns_queries, 2);
    ik_dmarc_psl *bad;
    ASSERT_STATUS(ik_dmarc_psl_load("/nonexistent/psl.dat", &bad), IK_EIO);
    fx_free(&f);
}

static void eval_failure_report_triggers(void)
{
    fixture f =
        fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=none; fo=1:d; ruf=mailto:f@example.com\"\n"
               "_dmarc.zero.example. TXT \"v=DMARC1; p=none; ruf=mailto:f@zero.example\"\n");
    eval_in in = { .from = "example.com",
                   .mailfrom = "x@example.com",
                   .spf = IK_SPF_PASS,
                   .dkim = { DK("example.com", IK_DKIM_FAIL) },
                   .ndkim = 1 };
    const ik_dmarc_outcome *o = eval(&f, &in, NULL);
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    auth.dkim = in.dkim;
    auth.ndkim = 1;
    ASSERT_EQ(ik_dmarc_failure_reports(&o->domains[0], &auth, IK_DMARC_SPEC_9989),
              IK_DMARC_FO_1 | IK_DMARC_FO_D);
    in.from = "zero.example";
    o = eval(&f, &in, NULL);
    ASSERT_EQ(ik_dmarc_failure_reports(&o->domains[0], &auth, IK_DMARC_SPEC_9989), IK_DMARC_FO_0);
    fx_free(&f);
}

static void eval_survives_oom_at_every_allocation(void)
{
    fixture f =
        fx_new("_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:r@third.example\"\n"
               "example.com._report._dmarc.third.example. TXT \"v=DMARC1\"\n");
    int completed = 0;
    for (long fail = 0; fail < 400 && !completed; fail++) {
        ik_test_alloc t;
        ik_test_alloc_init(&t, fail);
        ik_arena *a = ik_arena_new(&t.al);
        if (a == NULL)
            continue;
        ik_dmarc_from from;
        ik_status st =
            ik_dmarc_author_from_value(a, IK_STR_LIT("Someone <x@news.example.com>"), &from);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        if (st == IK_OK) {
            ik_dmarc_dkim k = DK("example.com", IK_DKIM_PASS);
            ik_dmarc_auth auth;
            memset(&auth, 0, sizeof(auth));
            auth.dkim = &k;
            auth.ndkim = 1;
            ik_dmarc_params p;
            memset(&p, 0, sizeof(p));
            p.flags = IK_DMARC_OPT_REPORT_URIS;
            ik_dmarc *d = NULL;
            st = ik_dmarc_new(a, &p, &from, &auth, &d);
            ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
            while (st == IK_OK || st == IK_EAGAIN) {
                ik_dns_query *q;
                st = ik_dmarc_run(d, &q);
                if (st == IK_EAGAIN) {
                    for (; q; q = q->next)
                        if (ik_zone_lookup(f.z, a, q->name, q->type, &q->answer) != IK_OK) {
                            st = IK_ENOMEM;
                            break;
                        }
                    if (st == IK_ENOMEM)
                        break;
                } else if (st == IK_OK) {
                    const ik_dmarc_outcome *o = ik_dmarc_outcome_get(d);
                    if (o->reason.p != NULL && o->domains[0].rua != NULL) {
                        ASSERT_EQ(o->result, IK_DMARC_PASS);
                        completed = 1;
                    }
                    break;
                }
            }
            ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        }
        ik_arena_free(a);
    }
    ASSERT_TRUE(completed);
    fx_free(&f);
}

/* Report URIs and From values over every prefix, a NUL at each position
 * and oversized input: a defined status, never a read past the length. */
static void dmarc_uri_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    for (int spec = 0; spec < 2; spec++) {
        ik_dmarc_uri u;
        ik_str why = IK_STR_NULL;
        ik_status st = ik_dmarc_uri_parse(a, ik_str_make(p, n), spec, 0, &u, &why);
        ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
        if (st == IK_ESYNTAX)
            ASSERT_TRUE(why.len > 0);
    }
    ik_arena_free(a);
}

static void dmarc_from_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_from f;
    ik_status st = ik_dmarc_author_from_value(a, ik_str_make(p, n), &f);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX || st == IK_ELIMIT);
    ik_arena_free(a);
}

static void uri_and_from_hostile_input(void)
{
    static const char uri[] = "mailto:dmarc-reports@example.com?subject=x%20y!10m";
    static const char from[] = " \"Alice (A)\" <alice@mail.example.com> (comment)\r\n";
    ik_test_each_prefix(uri, sizeof(uri) - 1, dmarc_uri_cb, NULL);
    ik_test_each_nul(uri, sizeof(uri) - 1, dmarc_uri_cb, NULL);
    ik_test_oversized("mailto:", "a", 1u << 20, "@example.com!99999999999999999999999t",
                      dmarc_uri_cb, NULL);
    ik_test_each_prefix(from, sizeof(from) - 1, dmarc_from_cb, NULL);
    ik_test_each_nul(from, sizeof(from) - 1, dmarc_from_cb, NULL);
    ik_test_oversized("a@", "sub.", 1u << 20, "example.com", dmarc_from_cb, NULL);
}

/* The record over every prefix and with a NUL at each position, as
 * exact-size heap copies so ASan traps any read past the length. */
static void dmarc_record_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_dmarc_record *r = NULL;
    ik_str why = IK_STR_NULL;
    ik_status st = ik_dmarc_record_parse(a, ik_str_make(p, n), 0, &r, &why);
    ASSERT_TRUE(st == IK_OK || st == IK_ENOTFOUND || st == IK_ESYNTAX);
    ASSERT_EQ(st == IK_OK, r != NULL);
    ik_arena_free(a);
}

static void record_prefixes_and_nuls_as_exact_copies(void)
{
    static const char full[] = "v=DMARC1; p=quarantine; sp=reject; np=none; psd=n; t=y;"
                               " rua=mailto:a@example.com!10m, mailto:b%2Cc@example.net;"
                               " ruf=mailto:f@example.com; fo=1:d; adkim=s; aspf=r; pct=50";
    ik_test_each_prefix(full, sizeof(full) - 1, dmarc_record_cb, NULL);
    ik_test_each_nul(full, sizeof(full) - 1, dmarc_record_cb, NULL);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(record_minimal_has_defaults),
    IK_TEST_CASE(record_every_tag),
    IK_TEST_CASE(record_version_must_be_first_and_exact),
    IK_TEST_CASE(record_keywords_and_names_are_caseless),
    IK_TEST_CASE(record_invalid_values_keep_defaults_and_name_the_tag),
    IK_TEST_CASE(record_missing_p_is_broken_and_rua_decides),
    IK_TEST_CASE(record_duplicate_tag_voids_record_unless_first_wins),
    IK_TEST_CASE(record_malformed_spec_is_ignored_alone),
    IK_TEST_CASE(record_unknown_tags_and_trailing_separator),
    IK_TEST_CASE(record_fo_values),
    IK_TEST_CASE(record_pct_bounds),
    IK_TEST_CASE(record_every_truncation_is_handled),
    IK_TEST_CASE(record_oversized_and_too_many_tags),
    IK_TEST_CASE(uri_size_suffixes),
    IK_TEST_CASE(uri_schemes_and_encoding),
    IK_TEST_CASE(uri_list_limits_and_bad_entries),
    IK_TEST_CASE(alabel_conversion),
    IK_TEST_CASE(ck_no_from_field),
    IK_TEST_CASE(ck_multiple_from_fields_any_spelling),
    IK_TEST_CASE(ck_multiple_mailboxes_give_every_domain),
    IK_TEST_CASE(ck_groups),
    IK_TEST_CASE(ck_display_name_holding_an_address),
    IK_TEST_CASE(ck_quoted_local_part_with_at),
    IK_TEST_CASE(ck_comments_holding_an_address),
    IK_TEST_CASE(ck_source_route),
    IK_TEST_CASE(ck_two_at_signs_and_glued_addresses),
    IK_TEST_CASE(ck_encoded_word_as_local_part),
    IK_TEST_CASE(ck_nul_byte),
    IK_TEST_CASE(ck_no_domain_and_empty),
    IK_TEST_CASE(ck_utf8_domain_becomes_alabel),
    IK_TEST_CASE(ck_folding_inside_the_field),
    IK_TEST_CASE(eval_returns_queries_then_verdict),
    IK_TEST_CASE(eval_alignment_table),
    IK_TEST_CASE(eval_strict_alignment_needs_no_walk),
    IK_TEST_CASE(eval_helo_never_used_with_a_sender),
    IK_TEST_CASE(auth_set_spf_refuses_helo_scope),
    IK_TEST_CASE(eval_temperror_only_from_aligned_identifiers),
    IK_TEST_CASE(eval_dns_failures),
    IK_TEST_CASE(eval_tree_walk_is_bounded),
    IK_TEST_CASE(eval_psd_records),
    IK_TEST_CASE(eval_overrides),
    IK_TEST_CASE(eval_local_cap_and_from_problems),
    IK_TEST_CASE(eval_several_author_domains_strictest_fail),
    IK_TEST_CASE(eval_np_uses_nxdomain_only),
    IK_TEST_CASE(eval_report_destinations),
    IK_TEST_CASE(eval_7489_mode_needs_psl_and_uses_it),
    IK_TEST_CASE(eval_failure_report_triggers),
    IK_TEST_CASE(eval_survives_oom_at_every_allocation),
    IK_TEST_CASE(uri_and_from_hostile_input),
    IK_TEST_CASE(record_prefixes_and_nuls_as_exact_copies),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
