/*
 * dmarc_cases.c - runs every row of IK_CORPUS_DIR/dmarc/cases.tsv (columns
 * and conventions in cases.README.md there) through the public API:
 * ik_hdr_parse_block() + ik_dmarc_author_from_fields() for the From field,
 * then ik_dmarc_new()/ik_dmarc_run() answered from a static zone built from
 * the row's dmarc_records.
 *
 * Spec modes: a row marked [both] runs under RFC 9989 and RFC 7489 and must
 * give the expected values under each; [7489] and [9989] rows run in that
 * mode; [9091] runs in RFC 9989 mode with the RFC 9091 existence test.
 * The PSL for RFC 7489 mode is the system file (Debian "publicsuffix").
 *
 * DNS data: NAME=VALUE entries separated by " ;; ".  <NXDOMAIN> adds
 * nothing; <SERVFAIL> is the zone's $SERVFAIL; <EXISTS> an A record;
 * <TXTONLY> a TXT record; <NODATA-compact-denial> a record of a private
 * type (the name exists, A/AAAA/MX are NODATA).  "a" "b" is one TXT RR of
 * two character-strings.  Names starting with "*." are wildcards, which the
 * driver below applies (the static zone has none) as RFC 4592 does for a
 * name whose parent holds the wildcard.
 *
 * Rows the README marks as local decisions: arc-01 runs with a trusted ARC
 * chain; from-02/from-03 expect our default local reject of a malformed
 * From.  rua/ruf rows also check the usable report destinations and the
 * failure-report decision against the EXPECT text of their notes (table
 * below).  pct rows take the draw from the note ("= 30", "Draw = 70").
 *
 * Prints one line per failure (every row with -v), then "N passed,
 * N failed".  Exit 0 when all pass, 1 otherwise, 77 without the corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inkan/arena.h"
#include "inkan/dmarc.h"
#include "inkan/header.h"
#include "inkan/zone.h"

static int verbose;
static ik_dmarc_psl *psl;

/* Usable destinations expected for rua/ruf rows ("addr" or "addr:maxbytes";
 * NULL ends; an empty list is written { NULL }). */
typedef struct dest_expect {
    const char *id;
    const char *mode; /* "7489", "9989" or "both" */
    const char *rua[4];
    const char *ruf[4];
    int ruf_check; /* also compare ruf */
    int reports;   /* expected failure reports: -1 = not checked */
} dest_expect;

static const dest_expect expects[] = {
    { "rua-01", "7489", { "dmarc@example.com:10485760" }, { NULL }, 0, -1 },
    { "rua-01", "9989", { "dmarc@example.com" }, { NULL }, 0, -1 },
    { "rua-02", "7489", { "a@example.com:51200", "b@example.com" }, { NULL }, 0, -1 },
    { "rua-03", "both", { NULL }, { NULL }, 0, -1 },
    { "rua-04", "both", { "dmarc,reports@example.com" }, { NULL }, 0, -1 },
    { "rua-05", "both", { "d@example.com" }, { NULL }, 0, -1 },
    { "rua-06", "both", { "reports@thirdparty.example" }, { NULL }, 0, -1 },
    { "rua-07", "both", { NULL }, { NULL }, 0, -1 },
    { "rua-08", "both", { "reports@thirdparty.example" }, { NULL }, 0, -1 },
    { "rua-09", "both", { "bulk@thirdparty.example" }, { NULL }, 0, -1 },
    { "rua-10", "both", { NULL }, { NULL }, 0, -1 },
    { "rua-11", "both", { "dmarc@reports.example.com" }, { NULL }, 0, -1 },
    { "rua-12", "both", { "r@thirdparty.example" }, { NULL }, 0, -1 },
    { "rua-13", "both", { NULL }, { NULL }, 0, -1 },
    { "rua-14", "9989", { "psd@bank.example" }, { NULL }, 1, 0 },
    { "ruf-01", "both", { NULL }, { "f@example.com" }, 1, 1 },
    { "ruf-02", "both", { NULL }, { "f@example.com" }, 1, 0 },
    { "ruf-03", "both", { NULL }, { NULL }, 1, 0 },
};

/* ---- small text helpers ------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Cuts a trailing " (...)" comment. */
static char *cut_paren(char *s)
{
    char *p = strstr(s, " (");
    if (p)
        *p = '\0';
    return trim(s);
}

/* ---- zone from the row ----------------------------------------------------- */

static int add_txt(ik_zone *z, const char *name, const char *value)
{
    uint8_t rd[4096];
    size_t n = 0;
    const char *v = value;
    if (*v == '"') {
        while (*v == '"') {
            const char *e = strchr(v + 1, '"');
            if (e == NULL)
                return -1;
            size_t l = (size_t)(e - v - 1);
            if (l > 255 || n + l + 1 > sizeof(rd))
                return -1;
            rd[n++] = (uint8_t)l;
            memcpy(rd + n, v + 1, l);
            n += l;
            v = e + 1;
            while (*v == ' ')
                v++;
        }
    } else {
        size_t l = strlen(v);
        do {
            size_t c = l > 255 ? 255 : l;
            if (n + c + 1 > sizeof(rd))
                return -1;
            rd[n++] = (uint8_t)c;
            memcpy(rd + n, v, c);
            n += c;
            v += c;
            l -= c;
        } while (l);
    }
    return ik_zone_add_rr(z, ik_str_c(name), IK_DNS_T_TXT, 300, rd, n) == IK_OK ? 0 : -1;
}

static int build_zone(ik_zone *z, const char *records)
{
    if (strcmp(records, "(none)") == 0)
        return 0;
    char *copy = strdup(records), *p = copy;
    int rc = 0;
    while (p && *p) {
        char *sep = strstr(p, " ;; ");
        if (sep)
            *sep = '\0';
        char *eq = strchr(p, '=');
        if (eq == NULL) {
            rc = -1;
            break;
        }
        *eq = '\0';
        char *name = trim(p), *value = trim(eq + 1);
        static const uint8_t a_rd[4] = { 192, 0, 2, 1 };
        static const uint8_t priv_rd[1] = { 0 };
        if (strcmp(value, "<NXDOMAIN>") == 0) {
            /* nothing */
        } else if (strcmp(value, "<SERVFAIL>") == 0) {
            rc |= ik_zone_add_servfail(z, ik_str_c(name), 0) == IK_OK ? 0 : -1;
        } else if (strcmp(value, "<EXISTS>") == 0) {
            rc |= ik_zone_add_rr(z, ik_str_c(name), IK_DNS_T_A, 300, a_rd, 4) == IK_OK ? 0 : -1;
        } else if (strcmp(value, "<TXTONLY>") == 0) {
            rc |= add_txt(z, name, "some text");
        } else if (strcmp(value, "<NODATA-compact-denial>") == 0) {
            rc |= ik_zone_add_rr(z, ik_str_c(name), 65280, 300, priv_rd, 1) == IK_OK ? 0 : -1;
        } else {
            rc |= add_txt(z, name, value);
        }
        p = sep ? sep + 4 : NULL;
    }
    free(copy);
    return rc;
}

/* Answers every pending query from the zone, applying wildcards for names
 * the zone does not hold: the "*" child of the closest encloser (the
 * longest existing ancestor, RFC 4592 3.3.1). */
static int answer(const ik_zone *z, ik_arena *a, ik_dns_query *q)
{
    for (; q; q = q->next) {
        if (ik_zone_lookup(z, a, q->name, q->type, &q->answer) != IK_OK)
            return -1;
        if (q->answer->status != IK_DNS_NXDOMAIN)
            continue;
        ik_str n = q->name;
        for (;;) {
            const char *dot = memchr(n.p, '.', n.len);
            if (dot == NULL)
                break;
            n = ik_str_make(dot + 1, n.len - (size_t)(dot + 1 - n.p));
            ik_dns_answer *enc;
            if (ik_zone_lookup(z, a, n, IK_DNS_T_ANY, &enc) != IK_OK)
                return -1;
            if (enc->status == IK_DNS_NXDOMAIN)
                continue;
            char wild[600];
            snprintf(wild, sizeof(wild), "*.%.*s", (int)n.len, n.p);
            ik_dns_answer *w;
            if (ik_zone_lookup(z, a, ik_str_c(wild), q->type, &w) != IK_OK)
                return -1;
            if (w->status == IK_DNS_OK || w->status == IK_DNS_NODATA)
                q->answer = w;
            break;
        }
    }
    return 0;
}

typedef struct mode_t_ {
    ik_dmarc_spec spec;
    int rfc9091;
    const char *name;
} mode_t_;

/* ---- one row ------------------------------------------------------------------ */

typedef struct row {
    char *id, *from, *records, *spf_domain, *spf_result, *dkim, *want_result, *want_policy, *note;
} row;

static ik_spf_result spf_result(const char *s)
{
    static const char *names[] = { "none",     "neutral",   "pass",     "fail",
                                   "softfail", "temperror", "permerror" };
    for (int i = 0; i < 7; i++)
        if (strcmp(s, names[i]) == 0)
            return (ik_spf_result)i;
    return IK_SPF_NONE;
}

static ik_dkim_result dkim_result(const char *s)
{
    if (strcmp(s, "pass") == 0)
        return IK_DKIM_PASS;
    if (strcmp(s, "fail") == 0)
        return IK_DKIM_FAIL;
    if (strcmp(s, "temperror") == 0)
        return IK_DKIM_TEMPERROR;
    if (strcmp(s, "permerror") == 0)
        return IK_DKIM_PERMERROR;
    return IK_DKIM_NONE;
}

/* The header block for the from_domain column. */
static void from_header(const char *col, char *out, size_t cap)
{
    if (strstr(col, "(no From field)"))
        snprintf(out, cap, "Subject: x\r\n\r\n");
    else if (strstr(col, "(two From: header fields)")) {
        char d[256];
        snprintf(d, sizeof(d), "%s", col);
        cut_paren(d);
        snprintf(out, cap, "From: a@%s\r\nFrom: b@%s\r\n\r\n", d, d);
    } else if (strstr(col, "(group syntax")) {
        char d[256];
        snprintf(d, sizeof(d), "%s", col);
        cut_paren(d);
        snprintf(out, cap, "From: %s\r\n\r\n", d);
    } else if (strchr(col, ',')) {
        char d[256];
        snprintf(d, sizeof(d), "%s", col);
        cut_paren(d);
        /* "example.com, example.net": one field, a mailbox for each */
        char list[512] = "";
        char *save = NULL;
        for (char *t = strtok_r(d, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof(list) - l, "%suser@%s", l ? ", " : "", trim(t));
        }
        snprintf(out, cap, "From: %s\r\n\r\n", list);
    } else {
        snprintf(out, cap, "From: Someone <user@%s>\r\n\r\n", col);
    }
}

static int dest_matches(const ik_dmarc_dest *d, size_t n, const char *const *want, char *got,
                        size_t gotcap)
{
    size_t used = 0, nw = 0;
    got[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!d[i].usable)
            continue;
        size_t l = strlen(got);
        if (d[i].uri.max_size)
            snprintf(got + l, gotcap - l, "%s%.*s:%llu", l ? "," : "", (int)d[i].uri.address.len,
                     d[i].uri.address.p, (unsigned long long)d[i].uri.max_size);
        else
            snprintf(got + l, gotcap - l, "%s%.*s", l ? "," : "", (int)d[i].uri.address.len,
                     d[i].uri.address.p);
        used++;
    }
    char wantbuf[512] = "";
    for (; want[nw]; nw++) {
        size_t l = strlen(wantbuf);
        snprintf(wantbuf + l, sizeof(wantbuf) - l, "%s%s", l ? "," : "", want[nw]);
    }
    return strcmp(got, wantbuf) == 0;
}

static int run_mode(const row *r, ik_dmarc_spec spec, int rfc9091, char *why, size_t whycap)
{
    int ok = 0;
    ik_arena *a = ik_arena_new(NULL);
    ik_zone *z = ik_zone_new(NULL);
    if (build_zone(z, r->records) != 0) {
        snprintf(why, whycap, "cannot build the zone");
        goto out;
    }
    char hdr[1024];
    from_header(r->from, hdr, sizeof(hdr));
    ik_hdr_field *fields;
    size_t nfields, body;
    ik_dmarc_from from;
    if (ik_hdr_parse_block(a, hdr, strlen(hdr), NULL, &fields, &nfields, &body) != IK_OK
        || ik_dmarc_author_from_fields(a, fields, nfields, &from) != IK_OK) {
        snprintf(why, whycap, "header/From parse failed");
        goto out;
    }

    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    char spfd[256];
    snprintf(spfd, sizeof(spfd), "%s", r->spf_domain);
    int null_sender = strstr(spfd, "(HELO") != NULL;
    cut_paren(spfd);
    if (strcmp(spfd, "-") != 0) {
        if (null_sender) {
            auth.mailfrom = IK_STR_NULL;
            auth.helo = ik_str_c(spfd);
        } else {
            auth.mailfrom = ik_str_c(spfd);
            auth.helo = IK_STR_LIT("mail.example.com"); /* never used with a sender */
        }
        auth.spf_result = spf_result(r->spf_result);
    }
    ik_dmarc_dkim sigs[16];
    size_t ns = 0;
    char dk[512];
    snprintf(dk, sizeof(dk), "%s", r->dkim);
    if (strcmp(dk, "-") != 0) {
        char *save = NULL;
        for (char *t = strtok_r(dk, ",", &save); t && ns < 16; t = strtok_r(NULL, ",", &save)) {
            t = cut_paren(trim(t));
            char *colon = strrchr(t, ':');
            if (colon == NULL)
                continue;
            *colon = '\0';
            sigs[ns].domain = ik_str_c(t);
            sigs[ns].selector = IK_STR_LIT("sel");
            sigs[ns].result = dkim_result(colon + 1);
            ns++;
        }
    }
    auth.dkim = sigs;
    auth.ndkim = ns;
    if (strncmp(r->id, "arc-", 4) == 0) {
        auth.arc_trusted_pass = 1;
        auth.arc_sealer = IK_STR_LIT("lists.example.org");
    }

    ik_dmarc_params p;
    memset(&p, 0, sizeof(p));
    p.spec = spec;
    p.psl = psl;
    p.exist = rfc9091 ? IK_DMARC_EXIST_RFC9091 : IK_DMARC_EXIST_NXDOMAIN;
    p.flags = IK_DMARC_OPT_REPORT_URIS;
    p.sample = 0;
    const char *draw = strcasestr(r->note, "draw");
    if (draw) {
        const char *eq = strchr(draw, '=');
        if (eq)
            p.sample = strtol(eq + 1, NULL, 10);
    }

    ik_dmarc *d;
    if (ik_dmarc_new(a, &p, &from, &auth, &d) != IK_OK) {
        snprintf(why, whycap, "ik_dmarc_new failed");
        goto out;
    }
    ik_status st;
    int rounds = 0;
    for (;;) {
        ik_dns_query *pending;
        st = ik_dmarc_run(d, &pending);
        if (st != IK_EAGAIN)
            break;
        if (++rounds > 64 || answer(z, a, pending) != 0) {
            st = IK_ELIMIT;
            break;
        }
    }
    if (st != IK_OK) {
        snprintf(why, whycap, "run: %s", ik_status_name(st));
        goto out;
    }
    const ik_dmarc_outcome *o = ik_dmarc_outcome_get(d);
    const char *gr = ik_dmarc_result_name(o->result);
    const char *gp = ik_dmarc_policy_name(o->disposition);
    ik_str ar = ik_dmarc_authres(a, o);
    if (strcmp(gr, r->want_result) != 0 || strcmp(gp, r->want_policy) != 0) {
        snprintf(why, whycap, "got %s/%s, want %s/%s: %.*s [%.*s]", gr, gp, r->want_result,
                 r->want_policy, (int)o->reason.len, o->reason.p, (int)ar.len, ar.p);
        goto out;
    }
    for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
        const dest_expect *e = &expects[i];
        if (strcmp(e->id, r->id) != 0)
            continue;
        if (strcmp(e->mode, "both") != 0
            && strcmp(e->mode, spec == IK_DMARC_SPEC_7489 ? "7489" : "9989") != 0)
            continue;
        if (o->ndomains != 1) {
            snprintf(why, whycap, "expected one author domain");
            goto out;
        }
        const ik_dmarc_domain_outcome *x = &o->domains[0];
        char got[512];
        if (!dest_matches(x->rua, x->nrua, e->rua, got, sizeof(got))) {
            snprintf(why, whycap, "rua: got [%s]", got);
            goto out;
        }
        if (e->ruf_check && !dest_matches(x->ruf, x->nruf, e->ruf, got, sizeof(got))) {
            snprintf(why, whycap, "ruf: got [%s]", got);
            goto out;
        }
        if (e->reports >= 0) {
            unsigned want = ik_dmarc_failure_reports(x, &auth, spec);
            int n = (want & (IK_DMARC_FO_0 | IK_DMARC_FO_1)) ? 1 : 0;
            if (n != e->reports) {
                snprintf(why, whycap, "failure reports: got %d, want %d", n, e->reports);
                goto out;
            }
        }
    }
    ok = 1;
    if (verbose)
        snprintf(why, whycap, "%s/%s [%.*s] %.*s", gr, gp, (int)ar.len, ar.p, (int)o->reason.len,
                 o->reason.p);
out:
    ik_zone_free(z);
    ik_arena_free(a);
    return ok;
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else
            only = argv[i];
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/dmarc/cases.tsv", IK_CORPUS_DIR);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        printf("SKIPPED: no corpus at %s\n", path);
        return 77;
    }
    if (ik_dmarc_psl_load(NULL, &psl) != IK_OK) {
        printf("SKIPPED: cannot load %s (install the publicsuffix package)\n", IK_DMARC_PSL_FILE);
        fclose(f);
        return 77;
    }
    char line[16384];
    int passed = 0, failed = 0, lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        if (++lineno == 1 || line[0] == '\n')
            continue;
        char *cols[9];
        int n = 0;
        char *p = line;
        while (n < 9) {
            cols[n++] = p;
            char *t = strchr(p, '\t');
            if (t == NULL)
                break;
            *t = '\0';
            p = t + 1;
        }
        if (n < 9) {
            printf("FAIL line %d: %d columns\n", lineno, n);
            failed++;
            continue;
        }
        row r = { trim(cols[0]), trim(cols[1]), trim(cols[2]), trim(cols[3]), trim(cols[4]),
                  trim(cols[5]), trim(cols[6]), trim(cols[7]), trim(cols[8]) };
        if (only && strcmp(only, r.id) != 0)
            continue;
        mode_t_ modes[2];
        int nm = 0;
        if (strncmp(r.note, "[both]", 6) == 0) {
            modes[nm++] = (mode_t_){ IK_DMARC_SPEC_9989, 0, "9989" };
            modes[nm++] = (mode_t_){ IK_DMARC_SPEC_7489, 0, "7489" };
        } else if (strncmp(r.note, "[7489]", 6) == 0) {
            modes[nm++] = (mode_t_){ IK_DMARC_SPEC_7489, 0, "7489" };
        } else if (strncmp(r.note, "[9989]", 6) == 0) {
            modes[nm++] = (mode_t_){ IK_DMARC_SPEC_9989, 0, "9989" };
        } else if (strncmp(r.note, "[9091]", 6) == 0) {
            modes[nm++] = (mode_t_){ IK_DMARC_SPEC_9989, 1, "9989+9091" };
        } else {
            printf("FAIL %s: no spec mode in the note\n", r.id);
            failed++;
            continue;
        }
        int row_ok = 1;
        for (int m = 0; m < nm; m++) {
            char why[2048] = "";
            if (!run_mode(&r, modes[m].spec, modes[m].rfc9091, why, sizeof(why))) {
                printf("FAIL %s [%s]: %s\n", r.id, modes[m].name, why);
                row_ok = 0;
            } else if (verbose) {
                printf("ok   %s [%s]: %s\n", r.id, modes[m].name, why);
            }
        }
        if (row_ok)
            passed++;
        else
            failed++;
    }
    fclose(f);
    ik_dmarc_psl_free(psl);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
