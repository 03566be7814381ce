/*
 * cmd_verify.c - "inkan verify": the whole inbound pipeline for messages
 * (SPF and iprev when the connection is given, Sender ID, DKIM,
 * DomainKeys, ADSP, DMARC, ARC), through the composite engine of
 * inkan/verify.h with a blocking DNS driver.
 *
 *   inkan verify [--zone FILE|--resolver IP[@PORT]|--recursive]
 *                [--ip IP [--helo NAME] [--mail-from ADDR]] [--authserv-id ID]
 *                [--json] [--rfc7489 [--psl FILE]] [--trusted-sealer DOMAIN ...]
 *                [--methods LIST] [--legacy] [--now T] [FILE...|-]
 *   inkan verify --arc-seal --domain D --selector S --key FILE
 *                [--algorithm A] [--timestamp T] [verify options] [FILE|-]
 *
 * Plain output: our Authentication-Results field per message (folded as
 * it would be written), after "FILE: " when several files are given.
 * --json: one object per message and line, every method's result, reason
 * and properties, the DMARC disposition, and how many incoming A-R fields
 * carried our authserv-id (they would be removed, RFC 8601 5).
 * --arc-seal: validates, then prints the message with a new ARC set
 * (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results holding our
 * results, cv from the validation) prepended; every byte of the input
 * follows unchanged.  The message is read into memory for the two passes.
 *
 * Messages stream in 64 KiB chunks through cli_msg (LF-only input is read
 * as CRLF).  Files share one SPF record cache and one DKIM key cache.
 * Exit: 0 when every message gave results, 2 for bad usage or unreadable
 * input (one stderr line each; other files go on), 1 internal failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_msg.h"
#include "inkan/verify.h"

#define CHUNK 65536
/* A message read whole for --arc-seal. */
#define SEAL_MAX (64u * 1024u * 1024u)
#define MAX_TRUSTED 64

static const char verify_usage[] =
    "usage: inkan verify [options] [FILE...|-]\n"
    "       inkan verify --arc-seal --domain D --selector S --key FILE [options] [FILE|-]\n"
    "  --ip IP              SMTP client address (SPF, iprev and Sender ID run only\n"
    "                       with it)\n"
    "  --helo NAME          HELO/EHLO name\n"
    "  --mail-from ADDR     MAIL FROM address (\"\" = null sender; SPF needs it)\n"
    "  --authserv-id ID     our authserv-id in Authentication-Results\n"
    "                       (default: this host's name)\n"
    "  --json               one JSON object per message and line\n"
    "  --rfc7489            DMARC as RFC 7489 (Public Suffix List, pct=) instead of\n"
    "                       RFC 9989 (DNS tree walk)\n"
    "  --psl FILE           Public Suffix List for --rfc7489 (default: the system's)\n"
    "  --trusted-sealer D   ARC sealer whose passing chain may override a DMARC\n"
    "                       failure (repeatable)\n"
    "  --methods LIST       comma-separated: spf, iprev, sender-id, dkim,\n"
    "                       domainkeys, dkim-adsp, dmarc, arc, or all (default)\n"
    "  --legacy             DKIM: accept rsa-sha1 and pre-RFC 6376 signatures\n"
    "  --dk-policy          DomainKeys: look up the sender's policy record\n"
    "  --receiver NAME      this host's name for SPF explanations\n"
    "  --now T              clock for signature times, seconds since the epoch\n"
    "  --sample N           RFC 7489 pct= draw (0..99; default random)\n"
    "  --arc-seal           print the message with a new ARC set prepended\n"
    "  --domain D, --selector S, --key FILE, --algorithm A, --timestamp T\n"
    "                       the sealer's d=, s=, private key, rsa-sha256 or\n"
    "                       ed25519-sha256 (default: from the key), and t=\n"
    "  --authres-from FILE  --arc-seal: take the results (and cv) from FILE, the\n"
    "                       message as it arrived before we changed it\n" CLI_DNS_USAGE;

enum {
    OPT_IP = 1,
    OPT_HELO,
    OPT_MAILFROM,
    OPT_AUTHSERV,
    OPT_JSON,
    OPT_RFC7489,
    OPT_PSL,
    OPT_TRUSTED,
    OPT_METHODS,
    OPT_LEGACY,
    OPT_DK_POLICY,
    OPT_RECEIVER,
    OPT_NOW,
    OPT_SAMPLE,
    OPT_ARC_SEAL,
    OPT_DOMAIN,
    OPT_SELECTOR,
    OPT_KEY,
    OPT_ALGORITHM,
    OPT_TIMESTAMP,
    OPT_AUTHRES_FROM,
    OPT_HELP
};

typedef struct vopts {
    ik_verify_config cfg;
    int has_ip;
    ik_ip ip;
    const char *helo, *mailfrom;
    int json;
    ik_resolver *r;
} vopts;

/* ---- the blocking driver ------------------------------------------------- */

typedef struct vrun {
    ik_verify *v;
    ik_arena *a;
    ik_resolver *r;
} vrun;

static ik_status drive(vrun *x, ik_status st, ik_dns_query *q)
{
    while (st == IK_EAGAIN) {
        if (q == NULL)
            return IK_ESTATE;
        st = ik_resolver_answer_all(x->r, x->a, q);
        if (st != IK_OK)
            return st;
        st = ik_verify_resume(x->v, &q);
    }
    return st;
}

static ik_status v_header(void *ud, const char *p, size_t len)
{
    vrun *x = ud;
    return ik_verify_header(x->v, p, len);
}

static ik_status v_eoh(void *ud)
{
    vrun *x = ud;
    ik_dns_query *q = NULL;
    ik_status st = ik_verify_eoh(x->v, &q);
    /* Blocking: answer now; the body then streams past. */
    return drive(x, st, q);
}

static ik_status v_body(void *ud, const char *p, size_t len)
{
    vrun *x = ud;
    return ik_verify_body(x->v, p, len);
}

static const cli_msg_sink verify_sink = { v_header, v_eoh, v_body };

/* Starts a verifier with the connection facts. */
static ik_status begin(vrun *x, const vopts *o)
{
    x->v = ik_verify_new(x->a, &o->cfg);
    if (x->v == NULL)
        return IK_ENOMEM;
    ik_dns_query *q = NULL;
    ik_status st = IK_OK;
    if (o->has_ip) {
        st = ik_verify_connect(x->v, &o->ip, ik_str_c(o->helo ? o->helo : ""), &q);
        st = drive(x, st, q);
        if (st == IK_OK && o->mailfrom != NULL) {
            q = NULL;
            st = ik_verify_mail_from(x->v, ik_str_c(o->mailfrom), &q);
            st = drive(x, st, q);
        }
    }
    return st;
}

static ik_status finish(vrun *x)
{
    ik_dns_query *q = NULL;
    ik_status st = ik_verify_eom(x->v, &q);
    return drive(x, st, q);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_bool(ik_buf *b, int *first, const char *key, int v)
{
    cli_json_key(b, first, key);
    ik_buf_append_c(b, v ? "true" : "false");
}

/* The field unfolded (folds are CRLF before a space, RFC 5322 2.2.3). */
static ik_str unfold(ik_arena *a, ik_str s)
{
    ik_str out = s;
    if (ik_hdr_unfold(a, s, &out) != IK_OK)
        return s;
    return out;
}

static void json_spf(ik_buf *b, int *first, ik_verify *v)
{
    const ik_spf_outcome *o = ik_verify_spf(v);
    cli_json_key(b, first, "spf");
    if (o == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    const ik_ar *ar = ik_verify_ar(v);
    const ik_ar_result *r = ik_ar_find(ar, "spf", 0);
    int f = 1;
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &f, "result", ik_spf_result_name(o->result));
    cli_json_kv(b, &f, "reason", r ? r->comment : IK_STR_NULL);
    cli_json_kv(b, &f, "identity", o->identity);
    cli_json_kv(b, &f, "domain", o->domain);
    cli_json_kv(b, &f, "mechanism", o->mechanism);
    cli_json_kv(b, &f, "explanation", o->explanation);
    cli_json_kv(b, &f, "problem", o->problem);
    cli_json_kv(b, &f, "record", o->record);
    cli_json_kv(b, &f, "smtp_mailfrom", r ? ik_ar_prop_get(r, "smtp", "mailfrom") : IK_STR_NULL);
    cli_json_kv_u(b, &f, "dns_lookups", o->dns_lookups);
    cli_json_kv_u(b, &f, "void_lookups", o->void_lookups);
    ik_buf_putc(b, '}');
}

static void json_iprev(ik_buf *b, int *first, ik_verify *v)
{
    const ik_iprev *e = ik_verify_iprev(v);
    cli_json_key(b, first, "iprev");
    if (e == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    const ik_ar_result *r = ik_ar_find(ik_verify_ar(v), "iprev", 0);
    int f = 1;
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &f, "result", ik_iprev_result_name(ik_iprev_get_result(e)));
    cli_json_kv_c(b, &f, "reason", ik_iprev_reason(e));
    cli_json_kv(b, &f, "name", ik_iprev_name(e));
    cli_json_kv(b, &f, "policy_iprev", r ? ik_ar_prop_get(r, "policy", "iprev") : IK_STR_NULL);
    ik_buf_putc(b, '}');
}

static void json_senderid(ik_buf *b, int *first, ik_verify *v)
{
    const ik_senderid_outcome *o = ik_verify_senderid(v);
    cli_json_key(b, first, "sender_id");
    if (o == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    const ik_ar_result *r = ik_ar_find(ik_verify_ar(v), "sender-id", 0);
    int f = 1;
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &f, "result", ik_spf_result_name(o->result));
    cli_json_kv(b, &f, "reason", r ? r->comment : IK_STR_NULL);
    cli_json_kv(b, &f, "pra", o->identity);
    cli_json_kv(b, &f, "pra_field", o->pra.field_name);
    cli_json_kv_c(b, &f, "pra_reason", ik_pra_reason_name(o->pra.reason));
    cli_json_kv(b, &f, "problem", o->problem.len ? o->problem : o->pra.problem);
    cli_json_kv(b, &f, "mechanism", o->evaluated ? o->spf.mechanism : IK_STR_NULL);
    ik_buf_putc(b, '}');
}

static void json_dkim(ik_buf *b, int *first, ik_verify *v)
{
    static const char *const cn[] = { "simple", "relaxed" };
    const ik_dkim_verifier *d = ik_verify_dkim(v);
    cli_json_key(b, first, "dkim");
    if (d == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    ik_buf_putc(b, '[');
    size_t n = ik_dkim_verify_count(d);
    for (size_t i = 0; i < n; i++) {
        const ik_dkim_sigresult *r = ik_dkim_verify_get(d, i);
        if (r == NULL)
            continue;
        int f = 1;
        if (i)
            ik_buf_putc(b, ',');
        ik_buf_putc(b, '{');
        cli_json_kv_c(b, &f, "result", ik_dkim_result_name(r->result));
        cli_json_kv_c(b, &f, "reason", r->reason);
        cli_json_kv(b, &f, "domain", r->header_d);
        cli_json_kv(b, &f, "selector", r->header_s);
        cli_json_kv(b, &f, "algorithm", r->header_a);
        cli_json_kv(b, &f, "identity", r->header_i);
        cli_json_kv(b, &f, "header_b", r->header_b);
        if (r->sig) {
            char c[32];
            snprintf(c, sizeof(c), "%s/%s", cn[r->sig->hcanon], cn[r->sig->bcanon]);
            cli_json_kv_c(b, &f, "canonicalization", c);
        } else {
            cli_json_kv_null(b, &f, "canonicalization");
        }
        cli_json_kv_u(b, &f, "key_bits", r->key_bits);
        json_bool(b, &f, "testing", r->key_testing);
        json_bool(b, &f, "body_truncated", r->body_truncated);
        ik_buf_putc(b, '}');
    }
    ik_buf_putc(b, ']');
}

static void json_domainkeys(ik_buf *b, int *first, ik_verify *v)
{
    const ik_dk_verifier *d = ik_verify_domainkeys(v);
    cli_json_key(b, first, "domainkeys");
    if (d == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    ik_buf_putc(b, '[');
    size_t n = ik_dk_verify_count(d);
    for (size_t i = 0; i < n; i++) {
        const ik_dk_sigresult *r = ik_dk_verify_get(d, i);
        if (r == NULL)
            continue;
        int f = 1;
        if (i)
            ik_buf_putc(b, ',');
        ik_buf_putc(b, '{');
        cli_json_kv_c(b, &f, "result", ik_dk_result_name(r->result));
        cli_json_kv_c(b, &f, "reason", r->reason);
        cli_json_kv(b, &f, "domain", r->domain);
        cli_json_kv(b, &f, "selector", r->selector);
        cli_json_kv(b, &f, "identity", r->identity);
        cli_json_kv_c(b, &f, "identity_header", r->identity_header ? r->identity_header : "");
        cli_json_kv_u(b, &f, "key_bits", r->key_bits);
        json_bool(b, &f, "testing", r->key_testing);
        ik_buf_putc(b, '}');
    }
    ik_buf_putc(b, ']');
    const ik_dk_policy_outcome *p = ik_verify_domainkeys(v) ? ik_dk_verify_policy(d) : NULL;
    if (p && p->verdict != IK_DK_POLICY_UNCHECKED) {
        int f = 1;
        cli_json_key(b, first, "domainkeys_policy");
        ik_buf_putc(b, '{');
        cli_json_kv_c(b, &f, "result", ik_dk_policy_verdict_name(p->verdict));
        cli_json_kv_c(b, &f, "reason", p->reason);
        cli_json_kv(b, &f, "domain", p->domain);
        ik_buf_putc(b, '}');
    }
}

static void json_adsp(ik_buf *b, int *first, ik_verify *v)
{
    const ik_adsp_outcome *o = ik_verify_adsp(v);
    cli_json_key(b, first, "adsp");
    if (o == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    int f = 1;
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &f, "result", ik_adsp_result_name(o->result));
    cli_json_kv_c(b, &f, "reason", o->reason ? o->reason : "");
    cli_json_kv(b, &f, "domain", o->domain);
    if (o->has_record)
        cli_json_kv_c(b, &f, "practice", ik_adsp_practice_name(o->practice));
    else
        cli_json_kv_null(b, &f, "practice");
    ik_buf_putc(b, '}');
}

static void json_dmarc(ik_buf *b, int *first, ik_verify *v)
{
    const ik_dmarc_outcome *o = ik_verify_dmarc(v);
    cli_json_key(b, first, "dmarc");
    if (o == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    const ik_dmarc_domain_outcome *d = o->decisive < o->ndomains ? &o->domains[o->decisive]
                                       : o->ndomains             ? &o->domains[0]
                                                                 : NULL;
    int f = 1;
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &f, "result", ik_dmarc_result_name(o->result));
    cli_json_kv_c(b, &f, "disposition", ik_dmarc_policy_name(o->disposition));
    if (d && d->record) {
        /* The published policy that applies (p, sp or np). */
        ik_dmarc_policy pub = d->record_broken    ? IK_DMARC_P_NONE
                              : d->policy_tag.len ? d->published
                                                  : d->record->p;
        cli_json_kv_c(b, &f, "policy", ik_dmarc_policy_name(pub));
    } else
        cli_json_kv_null(b, &f, "policy");
    cli_json_kv(b, &f, "policy_tag", d ? d->policy_tag : IK_STR_NULL);
    cli_json_kv(b, &f, "domain", d ? d->author : IK_STR_NULL);
    cli_json_kv(b, &f, "policy_domain", d ? d->policy_domain : IK_STR_NULL);
    cli_json_kv(b, &f, "reason", o->reason);
    cli_json_kv_c(b, &f, "override",
                  o->override == IK_DMARC_OVR_TRUSTED_ARC
                      ? "trusted_arc"
                      : ik_dmarc_override_report_type(o->override));
    json_bool(b, &f, "spf_aligned", d && d->spf_aligned);
    json_bool(b, &f, "dkim_aligned", d && d->dkim_aligned);
    cli_json_kv(b, &f, "aligned_spf", d ? d->aligned_spf : IK_STR_NULL);
    cli_json_kv(b, &f, "aligned_dkim", d ? d->aligned_dkim : IK_STR_NULL);
    cli_json_kv_c(b, &f, "from_status", ik_dmarc_from_status_name(o->from.status));
    cli_json_key(b, &f, "domains");
    ik_buf_putc(b, '[');
    for (size_t i = 0; i < o->ndomains; i++) {
        const ik_dmarc_domain_outcome *x = &o->domains[i];
        int g = 1;
        if (i)
            ik_buf_putc(b, ',');
        ik_buf_putc(b, '{');
        cli_json_kv(b, &g, "domain", x->author);
        cli_json_kv_c(b, &g, "result", ik_dmarc_result_name(x->result));
        cli_json_kv_c(b, &g, "disposition", ik_dmarc_policy_name(x->disposition));
        cli_json_kv(b, &g, "reason", x->reason);
        ik_buf_putc(b, '}');
    }
    ik_buf_putc(b, ']');
    ik_buf_putc(b, '}');
}

static void json_arc(ik_buf *b, int *first, ik_verify *v)
{
    const ik_arc_result *r = ik_verify_arc(v);
    cli_json_key(b, first, "arc");
    if (r == NULL) {
        ik_buf_append_c(b, "null");
        return;
    }
    unsigned t = ik_verify_arc_trusted(v);
    int f = 1;
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &f, "result", ik_arc_cv_name(r->cv));
    cli_json_kv_c(b, &f, "reason", r->reason);
    cli_json_kv_u(b, &f, "instances", r->n);
    cli_json_kv_u(b, &f, "oldest_pass", r->oldest_pass);
    cli_json_kv_u(b, &f, "failed_instance", r->failed_instance);
    cli_json_kv_u(b, &f, "trusted_instance", t);
    cli_json_kv(b, &f, "trusted_sealer", t ? r->sets[t - 1].seal_domain : IK_STR_NULL);
    cli_json_key(b, &f, "sets");
    ik_buf_putc(b, '[');
    for (size_t i = 0; i < r->nsets; i++) {
        const ik_arc_set_info *s = &r->sets[i];
        int g = 1;
        if (i)
            ik_buf_putc(b, ',');
        ik_buf_putc(b, '{');
        cli_json_kv_u(b, &g, "instance", s->instance);
        cli_json_kv_c(b, &g, "cv", ik_arc_cv_name(s->seal_cv));
        cli_json_kv(b, &g, "seal_domain", s->seal_domain);
        cli_json_kv(b, &g, "ams_domain", s->ams_domain);
        cli_json_kv(b, &g, "authserv_id", s->aar_authserv_id);
        ik_buf_putc(b, '}');
    }
    ik_buf_putc(b, ']');
    ik_buf_putc(b, '}');
}

static void print_json(ik_buf *b, ik_arena *a, const char *file, ik_verify *v)
{
    int first = 1;
    size_t nforged;
    ik_verify_forged(v, &nforged);
    ik_buf_putc(b, '{');
    cli_json_kv_c(b, &first, "file", file);
    cli_json_kv(b, &first, "authentication_results", unfold(a, ik_verify_authres(v)));
    json_spf(b, &first, v);
    json_iprev(b, &first, v);
    json_senderid(b, &first, v);
    json_dkim(b, &first, v);
    json_domainkeys(b, &first, v);
    json_adsp(b, &first, v);
    json_dmarc(b, &first, v);
    json_arc(b, &first, v);
    cli_json_kv_u(b, &first, "removed_authres", nforged);
    cli_json_kv_u(b, &first, "dns_questions", ik_verify_dns_questions(v));
    ik_buf_append_c(b, "}\n");
}

/* ---- one message ---------------------------------------------------------- */

static FILE *open_input(const char *path, const char **why)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    *why = NULL;
    if (f == NULL) {
        *why = strerror(errno);
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        *why = "is a directory";
        if (!is_stdin)
            fclose(f);
        return NULL;
    }
    return f;
}

/* Reports a failed message; returns its exit code. */
static int failed(ik_arena *a, const vopts *o, const char *path, ik_status st, const char *why)
{
    int rc = st == IK_ENOMEM || st == IK_ESTATE || st == IK_EINVAL ? 1 : 2;
    if (why == NULL && st == IK_ELIMIT)
        why = ik_arena_printf(a, "header section over the verifier's limits (%u fields, %zu bytes)",
                              IK_VERIFY_MAX_FIELDS, (size_t)IK_VERIFY_MAX_HEADER_BYTES);
    if (why == NULL)
        why = ik_strerror(st);
    cli_error("verify", "%s: %s", path, why);
    if (o->json)
        cli_json_error(a, path, why);
    return rc;
}

static int verify_one(const char *path, ik_arena *a, const vopts *o, int prefix, char *chunk)
{
    const char *why;
    FILE *f = open_input(path, &why);
    if (f == NULL)
        return failed(a, o, path, IK_EIO, why);
    vrun x = { NULL, a, o->r };
    ik_status st = begin(&x, o);
    cli_msg m;
    if (cli_msg_init(&m, &verify_sink, &x) != IK_OK)
        st = IK_ENOMEM;
    size_t n;
    while (st == IK_OK && (n = fread(chunk, 1, CHUNK, f)) > 0)
        st = cli_msg_feed(&m, chunk, n);
    int rerr = ferror(f);
    if (f != stdin)
        fclose(f);
    if (st == IK_OK && !rerr)
        st = cli_msg_end(&m);
    if (st == IK_OK && !rerr)
        st = finish(&x);
    why = m.error;
    cli_msg_free(&m);
    if (rerr)
        return failed(a, o, path, IK_EIO, "read error");
    if (st != IK_OK)
        return failed(a, o, path, st, st == IK_ELIMIT ? why : NULL);
    ik_buf out;
    ik_buf_init(&out, a, 0);
    if (o->json) {
        print_json(&out, a, path, x.v);
    } else {
        if (prefix)
            ik_buf_printf(&out, "%s: ", path);
        ik_buf_append_str(&out, ik_verify_authres(x.v));
        ik_buf_putc(&out, '\n');
    }
    if (ik_buf_error(&out) != IK_OK)
        return failed(a, o, path, IK_ENOMEM, NULL);
    ik_str s = ik_buf_str(&out);
    /* The field folds with CRLF; a terminal and a pipe want LF. */
    for (size_t i = 0; i < s.len; i++)
        if (!(s.p[i] == '\r' && i + 1 < s.len && s.p[i + 1] == '\n'))
            putchar(s.p[i]);
    return 0;
}

/* ---- --arc-seal ------------------------------------------------------------ */

typedef struct seal_opts {
    const char *domain, *selector, *key, *algorithm;
    const char *authres_from; /* verify this file (as it arrived) instead */
    int64_t timestamp;
} seal_opts;

static ik_status s_header(void *ud, const char *p, size_t len)
{
    ik_status st = ik_arc_seal_header(ud, p, len);
    return st == IK_ESYNTAX ? IK_OK : st;
}

static ik_status s_eoh(void *ud)
{
    return ik_arc_seal_eoh(ud);
}

static ik_status s_body(void *ud, const char *p, size_t len)
{
    return ik_arc_seal_body(ud, p, len);
}

static const cli_msg_sink seal_sink = { s_header, s_eoh, s_body };

/* Writes a field (CRLF folds inside) with the input's line ends. */
static void write_field(ik_str f, int lf_only)
{
    for (size_t i = 0; i < f.len; i++)
        if (!(lf_only && f.p[i] == '\r' && i + 1 < f.len && f.p[i + 1] == '\n'))
            putchar(f.p[i]);
    fputs(lf_only ? "\n" : "\r\n", stdout);
}

static int load_key(const char *path, ik_pkey **out)
{
    ik_buf why;
    ik_buf_init_al(&why, NULL, 4096);
    ik_status st = ik_pkey_load_private(NULL, path, out, &why);
    int rc = 0;
    if (st != IK_OK) {
        ik_str w = ik_buf_str(&why);
        if (st == IK_ENOMEM) {
            cli_error("verify", "out of memory");
            rc = 1;
        } else if (w.len) {
            cli_error("verify", "%.*s", (int)w.len, w.p);
            rc = 2;
        } else {
            cli_error("verify", "%s: %s", path, ik_strerror(st));
            rc = 2;
        }
    }
    ik_buf_release(&why);
    return rc;
}

static int arc_seal(const char *path, ik_arena *a, const vopts *o, const seal_opts *so)
{
    ik_pkey *key = NULL;
    int rc = load_key(so->key, &key);
    if (rc != 0)
        return rc;
    ik_arc_seal_params sp;
    memset(&sp, 0, sizeof(sp));
    sp.key = key;
    sp.alg =
        ik_pkey_type(key) == IK_KEY_ED25519 ? IK_DKIM_ALG_ED25519_SHA256 : IK_DKIM_ALG_RSA_SHA256;
    if (so->algorithm) {
        if (strcmp(so->algorithm, "rsa-sha256") == 0)
            sp.alg = IK_DKIM_ALG_RSA_SHA256;
        else if (strcmp(so->algorithm, "ed25519-sha256") == 0)
            sp.alg = IK_DKIM_ALG_ED25519_SHA256;
        else {
            cli_error("verify", "--algorithm: '%s' is not rsa-sha256 or ed25519-sha256",
                      so->algorithm);
            ik_pkey_free(key);
            return 2;
        }
        if (ik_dkim_alg_key(sp.alg) != ik_pkey_type(key)) {
            cli_error("verify", "%s: the key is not suitable for %s", so->key, so->algorithm);
            ik_pkey_free(key);
            return 2;
        }
    }
    sp.domain = ik_str_c(so->domain);
    sp.selector = ik_str_c(so->selector);
    sp.timestamp = so->timestamp;

    ik_str msg;
    if (cli_read_file(a, path, SEAL_MAX, "verify", &msg) != 0) {
        ik_pkey_free(key);
        return 2;
    }
    /* Pass 1: validate and compute our results, on the message as it
     * arrived when that is another file (an intermediary that changes the
     * message validates first, then seals what it sends, RFC 8617 5.1). */
    ik_str arrived = msg;
    if (so->authres_from && cli_read_file(a, so->authres_from, SEAL_MAX, "verify", &arrived) != 0) {
        ik_pkey_free(key);
        return 2;
    }
    vrun x = { NULL, a, o->r };
    ik_status st = begin(&x, o);
    cli_msg m;
    cli_msg_init(&m, &verify_sink, &x);
    if (st == IK_OK)
        st = cli_msg_feed(&m, arrived.p, arrived.len);
    if (st == IK_OK)
        st = cli_msg_end(&m);
    if (st == IK_OK)
        st = finish(&x);
    const char *why = m.error;
    cli_msg_free(&m);
    if (st != IK_OK) {
        ik_pkey_free(key);
        return failed(a, o, path, st, st == IK_ELIMIT ? why : NULL);
    }
    const ik_arc_result *ar = ik_verify_arc(x.v);
    sp.cv = ar ? ar->cv : IK_ARC_CV_NONE;
    sp.authres = ik_verify_authres_payload(x.v);

    /* Pass 2: seal. */
    ik_arc_sealer *s = ik_arc_seal_new(a, &sp);
    if (s == NULL || cli_msg_init(&m, &seal_sink, s) != IK_OK) {
        ik_pkey_free(key);
        return failed(a, o, path, IK_ENOMEM, NULL);
    }
    st = cli_msg_feed(&m, msg.p, msg.len);
    if (st == IK_OK)
        st = cli_msg_end(&m);
    if (st == IK_OK)
        st = ik_arc_seal_eom(s);
    int lf_only = m.seen_eol ? m.lf_only : 0;
    size_t env = m.envelope_raw;
    cli_msg_free(&m);
    if (st != IK_OK) {
        ik_pkey_free(key);
        if (st == IK_EINVAL || st == IK_ELIMIT) {
            cli_error("verify", "%s: cannot seal: %s", path,
                      st == IK_ELIMIT ? "instance 50 is already used (RFC 8617 4.2.1)"
                                      : "bad --domain/--selector or a broken chain");
            return 2;
        }
        return failed(a, o, path, st, NULL);
    }
    ik_str out[3];
    unsigned inst = ik_arc_seal_fields(s, out);
    if (env) {
        /* An mbox "From " line stays first, with its own line end. */
        const char *nl = memchr(msg.p, '\n', msg.len);
        env = nl ? (size_t)(nl - msg.p) + 1 : msg.len;
        fwrite(msg.p, 1, env, stdout);
    }
    if (inst == 0)
        cli_error("verify",
                  "%s: the chain already failed: no ARC set added "
                  "(RFC 8617 5.1 step 2)",
                  path);
    for (unsigned i = 0; inst && i < 3; i++)
        write_field(out[i], lf_only);
    fwrite(msg.p + env, 1, msg.len - env, stdout);
    ik_pkey_free(key);
    return 0;
}

/* ---- options -------------------------------------------------------------- */

static int parse_u64(const char *opt, const char *arg, uint64_t max, uint64_t *out)
{
    if (ik_str_to_u64(ik_str_c(arg), max, out) != IK_OK) {
        cli_error("verify", "%s: '%s' is not a number from 0 to %llu", opt, arg,
                  (unsigned long long)max);
        return -1;
    }
    return 0;
}

/* A domain name in LDH form (RFC 5890 2.3.1), one trailing dot allowed. */
static int domain_ok(const char *s)
{
    if (ik_dns_name_check(ik_str_c(s)) != IK_OK)
        return 0;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
              || *c == '-' || *c == '.' || *c == '_'))
            return 0;
    return 1;
}

int cli_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "ip", required_argument, NULL, OPT_IP },
        { "helo", required_argument, NULL, OPT_HELO },
        { "mail-from", required_argument, NULL, OPT_MAILFROM },
        { "authserv-id", required_argument, NULL, OPT_AUTHSERV },
        { "json", no_argument, NULL, OPT_JSON },
        { "rfc7489", no_argument, NULL, OPT_RFC7489 },
        { "psl", required_argument, NULL, OPT_PSL },
        { "trusted-sealer", required_argument, NULL, OPT_TRUSTED },
        { "methods", required_argument, NULL, OPT_METHODS },
        { "legacy", no_argument, NULL, OPT_LEGACY },
        { "dk-policy", no_argument, NULL, OPT_DK_POLICY },
        { "receiver", required_argument, NULL, OPT_RECEIVER },
        { "now", required_argument, NULL, OPT_NOW },
        { "sample", required_argument, NULL, OPT_SAMPLE },
        { "arc-seal", no_argument, NULL, OPT_ARC_SEAL },
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "key", required_argument, NULL, OPT_KEY },
        { "algorithm", required_argument, NULL, OPT_ALGORITHM },
        { "timestamp", required_argument, NULL, OPT_TIMESTAMP },
        { "authres-from", required_argument, NULL, OPT_AUTHRES_FROM },
        { "help", no_argument, NULL, OPT_HELP },
        CLI_DNS_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "verify";
    vopts o;
    memset(&o, 0, sizeof(o));
    ik_verify_config_init(&o.cfg);
    cli_dns_opts dns = { 0 };
    const char *ip = NULL, *authserv = NULL, *psl_path = NULL;
    int rfc7489 = 0, seal = 0, opt, r;
    ik_str trusted[MAX_TRUSTED];
    size_t ntrusted = 0;
    seal_opts so = { NULL, NULL, NULL, NULL, NULL, -1 };
    uint64_t u;
    ik_str bad;

    optind = 1;
    opterr = 0; /* one stderr line of our own on bad usage */
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_IP: ip = optarg; break;
        case OPT_HELO: o.helo = optarg; break;
        case OPT_MAILFROM: o.mailfrom = optarg; break;
        case OPT_AUTHSERV: authserv = optarg; break;
        case OPT_JSON: o.json = 1; break;
        case OPT_RFC7489: rfc7489 = 1; break;
        case OPT_PSL: psl_path = optarg; break;
        case OPT_TRUSTED:
            if (ntrusted == MAX_TRUSTED) {
                cli_error(prog, "more than %d --trusted-sealer options", MAX_TRUSTED);
                return 2;
            }
            if (!domain_ok(optarg)) {
                cli_error(prog, "--trusted-sealer: '%s' is not a domain name", optarg);
                return 2;
            }
            trusted[ntrusted++] = ik_str_c(optarg);
            break;
        case OPT_METHODS:
            if (ik_verify_methods_parse(ik_str_c(optarg), &o.cfg.methods, &bad) != IK_OK) {
                cli_error(prog, "--methods: unknown method '%.*s'", (int)bad.len, bad.p);
                return 2;
            }
            break;
        case OPT_LEGACY: o.cfg.dkim_flags |= IK_DKIM_LEGACY; break;
        case OPT_DK_POLICY: o.cfg.dk_check_policy = 1; break;
        case OPT_RECEIVER: o.cfg.receiver = ik_str_c(optarg); break;
        case OPT_NOW:
            if (parse_u64("--now", optarg, 99999999999ULL, &u) != 0)
                return 2;
            o.cfg.now = (int64_t)u;
            break;
        case OPT_SAMPLE:
            if (parse_u64("--sample", optarg, 99, &u) != 0)
                return 2;
            o.cfg.dmarc_sample = (long)u;
            break;
        case OPT_ARC_SEAL: seal = 1; break;
        case OPT_DOMAIN: so.domain = optarg; break;
        case OPT_SELECTOR: so.selector = optarg; break;
        case OPT_KEY: so.key = optarg; break;
        case OPT_ALGORITHM: so.algorithm = optarg; break;
        case OPT_TIMESTAMP:
            if (parse_u64("--timestamp", optarg, 99999999999ULL, &u) != 0)
                return 2;
            so.timestamp = (int64_t)u;
            break;
        case OPT_AUTHRES_FROM: so.authres_from = optarg; break;
        case OPT_HELP: fputs(verify_usage, stdout); return 0;
        default:
            r = cli_dns_option(&dns, opt, optarg, prog);
            if (r == 1)
                break;
            if (r == 0)
                cli_error(prog, "bad option '%s' (try 'inkan verify --help')", argv[optind - 1]);
            return 2;
        }
    }
    if (ip != NULL) {
        if (ik_ip_parse(ik_str_c(ip), &o.ip) != IK_OK) {
            cli_error(prog, "--ip: '%s' is not an IPv4 or IPv6 address", ip);
            return 2;
        }
        o.has_ip = 1;
    } else if (o.helo || o.mailfrom) {
        cli_error(prog, "--helo and --mail-from describe a connection: give --ip too");
        return 2;
    }
    if (o.mailfrom && o.mailfrom[0] == '\0' && o.helo == NULL) {
        cli_error(prog, "a null --mail-from is checked as postmaster@HELO: give --helo");
        return 2;
    }
    if (psl_path && !rfc7489) {
        cli_error(prog, "--psl goes with --rfc7489");
        return 2;
    }
    if (seal) {
        if (so.domain == NULL || so.selector == NULL || so.key == NULL) {
            cli_error(prog, "--arc-seal needs --domain, --selector and --key");
            return 2;
        }
        if (argc - optind > 1) {
            cli_error(prog, "--arc-seal takes one message (FILE or -), not %d", argc - optind);
            return 2;
        }
        if (o.json) {
            cli_error(prog, "--arc-seal prints a message; it does not go with --json");
            return 2;
        }
        o.cfg.methods |= IK_VERIFY_ARC;
        if (so.timestamp < 0 && o.cfg.now)
            so.timestamp = o.cfg.now;
    } else if (so.domain || so.selector || so.key || so.algorithm || so.timestamp >= 0
               || so.authres_from) {
        cli_error(prog, "--domain, --selector, --key, --algorithm, --timestamp and "
                        "--authres-from go with --arc-seal");
        return 2;
    }
    char host[256];
    if (authserv == NULL) {
        if (gethostname(host, sizeof(host)) == 0 && host[0] != '\0') {
            host[sizeof(host) - 1] = '\0';
            authserv = host;
        } else {
            authserv = "localhost";
        }
    }
    for (const char *c = authserv; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == ';' || *c == '(' || *c == '"'
            || (unsigned char)*c == 0x7f) {
            cli_error(prog, "--authserv-id: '%s' is not a token (RFC 8601 2.5)", authserv);
            return 2;
        }
    if (*authserv == '\0') {
        cli_error(prog, "--authserv-id must not be empty");
        return 2;
    }
    o.cfg.authserv_id = ik_str_c(authserv);
    o.cfg.trusted_sealers = trusted;
    o.cfg.ntrusted = ntrusted;

    ik_dmarc_psl *psl = NULL;
    if (rfc7489) {
        ik_status st = ik_dmarc_psl_load(psl_path, &psl);
        if (st != IK_OK) {
            cli_error(prog, "%s: cannot load the Public Suffix List",
                      psl_path ? psl_path : IK_DMARC_PSL_FILE);
            return st == IK_ENOMEM ? 1 : 2;
        }
        o.cfg.dmarc_spec = IK_DMARC_SPEC_7489;
        o.cfg.psl = psl;
    }

    cli_dns res;
    if (cli_dns_open(&dns, prog, &res) != 0) {
        ik_dmarc_psl_free(psl);
        return 2;
    }
    o.r = &res.r;
    ik_arena *a = ik_arena_new(NULL);
    o.cfg.spf_cache = ik_spf_cache_new(NULL, 1024);
    o.cfg.dkim_cache = ik_dkim_keycache_new(NULL, 1024);
    char *chunk = malloc(CHUNK);
    int rc = 0;
    if (a == NULL || chunk == NULL || o.cfg.spf_cache == NULL || o.cfg.dkim_cache == NULL) {
        cli_error(prog, "out of memory");
        rc = 1;
        goto out;
    }
    char *stdin_only[] = { "-" };
    char **files = optind < argc ? argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;
    for (int i = 0; i < nfiles; i++) {
        int one =
            seal ? arc_seal(files[i], a, &o, &so) : verify_one(files[i], a, &o, nfiles > 1, chunk);
        if (one == 1 || (one == 2 && rc == 0))
            rc = one;
        fflush(stdout);
        /* The SPF cache holds references into this arena's records. */
        ik_arena_reset(a);
    }
    if (ferror(stdout)) {
        cli_error(prog, "write error on standard output");
        rc = 1;
    }
out:
    free(chunk);
    ik_arena_free(a);
    ik_spf_cache_free(o.cfg.spf_cache);
    ik_dkim_keycache_free(o.cfg.dkim_cache);
    cli_dns_close(&res);
    ik_dmarc_psl_free(psl);
    return rc;
}
