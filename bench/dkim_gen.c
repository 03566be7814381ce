/*
 * dkim_gen.c - writes the bench/dkim corpus from a fixed seed.
 *
 *   dkim_gen OUTDIR [--messages N] [--seed S]
 *
 * 2,000 messages (N): 60% of 2-8 KB, 39% of 20-100 KB, 1% of 0.5-2 MB, in
 * a shuffled order.  Each looks like mail as a receiving MTA sees it: two
 * Received fields of the receiver above the signature, one or two of the
 * sender below it, From/To/Subject/Date/Message-ID/MIME headers, sometimes
 * Cc, Reply-To, List-* and X-Mailer; bodies are MIME multiparts of
 * quoted-printable or format=flowed prose (some with two spaces after a
 * full stop or trailing spaces), indented HTML newsletters (spaces or tabs)
 * and base64 attachments, which dominate the bytes of the larger messages.
 * 85% are signed relaxed/relaxed, 10% relaxed/simple, 5% simple/simple,
 * by 100 domains with the default (over-signing) header list of libinkan's
 * signer, at t=DB_SIGN_TIME.
 *
 * Every message is written three times: unsigned (what a signer sees),
 * signed rsa-sha256 with bench/keys/dkim_bench_rsa2048.pem, and signed
 * ed25519-sha256 with a key made from a seed drawn from the generator.
 * Both signature schemes are deterministic (PKCS#1 v1.5, RFC 8032), so the
 * same seed gives the same bytes on every run.  The public keys are
 * published for every domain in dkim_bench.zone and dkim_bench.keys (see
 * dkim_bench.h for the file formats).
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "dkim_bench.h"
#include "inkan/arena.h"
#include "inkan/base64.h"
#include "inkan/dkim.h"

#define NDOMAINS 100

static const char *const words[] = {
    "the",      "of",           "and",      "to",           "in",         "is",      "you",
    "that",     "it",           "he",       "was",          "for",        "on",      "are",
    "as",       "with",         "his",      "they",         "at",         "be",      "this",
    "have",     "from",         "or",       "one",          "had",        "by",      "word",
    "but",      "not",          "what",     "all",          "were",       "we",      "when",
    "your",     "can",          "said",     "there",        "use",        "an",      "each",
    "which",    "she",          "do",       "how",          "their",      "if",      "will",
    "up",       "other",        "about",    "out",          "many",       "then",    "them",
    "these",    "so",           "some",     "her",          "would",      "make",    "like",
    "him",      "into",         "time",     "has",          "look",       "two",     "more",
    "order",    "invoice",      "meeting",  "schedule",     "shipment",   "account", "password",
    "report",   "quarterly",    "attached", "please",       "review",     "thanks",  "regards",
    "tomorrow", "offer",        "delivery", "subscription", "newsletter", "update",  "project",
    "deadline", "budget",       "customer", "support",      "ticket",     "release", "version",
    "security", "notification",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const first_names[] = { "Alice", "Bob",   "Chiyo", "Dmitri", "Elena",
                                           "Farid", "Grace", "Hiro",  "Ines",   "Jamal",
                                           "Kenji", "Lena",  "Mateo", "Nadia",  "Oscar" };
static const char *const domain_kinds[] = { "shop",  "news",   "bank",   "mail",  "corp",
                                            "lists", "social", "travel", "cloud", "edu" };
static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

typedef struct out {
    char *p;
    size_t len, cap;
} out;

static void out_add(out *o, const void *p, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (o->len + n + 1 > cap)
            cap *= 2;
        o->p = realloc(o->p, cap);
        if (o->p == NULL)
            exit(1);
        o->cap = cap;
    }
    memcpy(o->p + o->len, p, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void out_s(out *o, const char *s)
{
    out_add(o, s, strlen(s));
}

static void out_f(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_f(out *o, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        out_add(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static const char *word(db_rng *r)
{
    return words[db_next(r) % NWORDS];
}

static void domain_name(char *buf, size_t cap, size_t d)
{
    snprintf(buf, cap, "%s-%zu.example", domain_kinds[d % 10], d);
}

/* One paragraph of prose, wrapped at about 72 columns.  flowed: soft line
 * breaks keep a trailing space (RFC 3676); dbl: two spaces after a full
 * stop. */
static void prose(out *o, db_rng *r, size_t approx, int flowed, int dbl)
{
    size_t start = o->len, col = 0;
    int cap_next = 1;
    while (o->len - start < approx) {
        const char *w = word(r);
        size_t wl = strlen(w);
        if (col + wl + 1 > 72) {
            out_s(o, flowed ? " \r\n" : "\r\n");
            col = 0;
        } else if (col > 0) {
            out_s(o, " ");
            col++;
        }
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", w);
        if (cap_next && buf[0] >= 'a' && buf[0] <= 'z')
            buf[0] = (char)(buf[0] - 32);
        cap_next = 0;
        out_s(o, buf);
        col += wl;
        if (db_next(r) % 9 == 0) {
            out_s(o, db_next(r) % 4 == 0 ? "," : ".");
            col++;
            if (o->p[o->len - 1] == '.') {
                cap_next = 1;
                if (dbl && col + 1 < 72) {
                    out_s(o, " ");
                    col++;
                }
            }
        }
    }
    out_s(o, ".\r\n\r\n");
}

static void text_part(out *o, db_rng *r, size_t size)
{
    int flowed = db_next(r) % 4 == 0;
    int dbl = db_next(r) % 8 == 0;
    out_f(o, "Content-Type: text/plain; charset=\"utf-8\"%s\r\n", flowed ? "; format=flowed" : "");
    out_s(o, "Content-Transfer-Encoding: 7bit\r\n\r\n");
    out_f(o, "Hello %s,\r\n\r\n", first_names[db_next(r) % 15]);
    size_t start = o->len;
    while (o->len - start < size)
        prose(o, r, db_range(r, 200, 700), flowed, dbl);
    out_s(o, "-- \r\nSent from a benchmark\r\n");
}

/* An HTML newsletter, indented with spaces or tabs as editors emit it. */
static void html_part(out *o, db_rng *r, size_t size)
{
    int tabs = db_next(r) % 3 == 0;
    out_s(o, "Content-Type: text/html; charset=\"utf-8\"\r\n");
    out_s(o, "Content-Transfer-Encoding: 7bit\r\n\r\n");
    out_s(o, "<!DOCTYPE html>\r\n<html>\r\n<head>\r\n<meta charset=\"utf-8\">\r\n");
    out_s(o, "<title>Newsletter</title>\r\n</head>\r\n<body style=\"margin: 0; padding: 0;\">\r\n");
    size_t start = o->len;
    while (o->len - start < size) {
        static const char *const open[] = { "<table width=\"100%\" cellpadding=\"0\" "
                                            "cellspacing=\"0\" border=\"0\">",
                                            "<tr>",
                                            "<td style=\"padding: 10px 20px; "
                                            "font-family: Arial, sans-serif;\">" };
        static const char *const close[] = { "</table>", "</tr>", "</td>" };
        for (int d = 0; d < 3; d++) {
            for (int k = 0; k < d + 1; k++)
                out_s(o, tabs ? "\t" : "    ");
            out_s(o, open[d]);
            out_s(o, "\r\n");
        }
        out_s(o, tabs ? "\t\t\t\t<p>" : "                <p>");
        size_t col = 20;
        size_t n = db_range(r, 20, 70);
        for (size_t i = 0; i < n; i++) {
            const char *w = word(r);
            if (col + strlen(w) > 76) {
                out_s(o, "\r\n");
                out_s(o, tabs ? "\t\t\t\t" : "                ");
                col = 16;
            }
            out_s(o, w);
            out_s(o, " ");
            col += strlen(w) + 1;
        }
        out_s(o, "</p>\r\n");
        if (db_next(r) % 3 == 0)
            out_f(o, "%s<a href=\"https://%s.example/track?id=%016llx\">%s</a>\r\n",
                  tabs ? "\t\t\t\t" : "                ", word(r), (unsigned long long)db_next(r),
                  word(r));
        for (int d = 2; d >= 0; d--) {
            for (int k = 0; k < d + 1; k++)
                out_s(o, tabs ? "\t" : "    ");
            out_s(o, close[d]);
            out_s(o, "\r\n");
        }
    }
    out_s(o, "</body>\r\n</html>\r\n");
}

static void attachment(out *o, db_rng *r, size_t size)
{
    static const char *const kinds[][2] = { { "application/pdf", "report.pdf" },
                                            { "image/jpeg", "photo.jpg" },
                                            { "application/zip", "archive.zip" },
                                            { "image/png", "chart.png" } };
    size_t k = db_next(r) % 4;
    out_f(o, "Content-Type: %s; name=\"%s\"\r\n", kinds[k][0], kinds[k][1]);
    out_f(o, "Content-Disposition: attachment; filename=\"%s\"\r\n", kinds[k][1]);
    out_s(o, "Content-Transfer-Encoding: base64\r\n\r\n");
    size_t raw = size / 4 * 3;
    unsigned char line[57];
    char enc[80];
    for (size_t done = 0; done < raw; done += 57) {
        for (size_t i = 0; i < 57; i += 8) {
            uint64_t v = db_next(r);
            memcpy(line + i, &v, i + 8 <= 57 ? 8 : 57 - i);
        }
        size_t take = raw - done < 57 ? raw - done : 57;
        size_t n = ik_base64_encode(line, take, enc, sizeof(enc));
        out_add(o, enc, n);
        out_s(o, "\r\n");
    }
}

/* The sender's part of message i: headers and body, as the signer sees it. */
static void make_message(out *o, db_rng *r, size_t target, const char *dom, size_t i)
{
    const char *fn = first_names[db_next(r) % 15];
    int day = (int)(i % 28) + 1;
    out_f(o,
          "Received: from submit.%s (submit.%s [198.51.100.%d])\r\n"
          "\tby smtp-out.%s (Postfix) with ESMTPSA id %08llX\r\n"
          "\tfor <user%zu@receiver.test>; %s, %d Nov 2023 %02d:%02d:%02d +0000 (UTC)\r\n",
          dom, dom, (int)(db_next(r) % 250) + 1, dom,
          (unsigned long long)(db_next(r) & 0xffffffffu), i, days[i % 7], day, (int)(i % 24),
          (int)(i % 60), (int)((i * 7) % 60));
    out_f(o, "From: \"%s from %s\" <%s@%s>\r\n", fn, dom, fn, dom);
    out_f(o, "To: \"Receiver %zu\" <user%zu@receiver.test>\r\n", i, i);
    if (db_next(r) % 5 == 0)
        out_f(o, "Cc: <team%zu@receiver.test>,\r\n <archive@receiver.test>\r\n", i % 17);
    out_s(o, "Subject: ");
    size_t nw = db_range(r, 3, 16);
    for (size_t w = 0; w < nw; w++) {
        out_s(o, word(r));
        out_s(o, w + 1 == nw ? "\r\n" : (w == 8 ? "\r\n " : " "));
    }
    out_f(o, "Date: %s, %d Nov 2023 %02d:%02d:%02d +0000\r\n", days[i % 7], day, (int)(i % 24),
          (int)(i % 60), (int)((i * 7) % 60));
    out_f(o, "Message-ID: <%016llx.%zu@%s>\r\n", (unsigned long long)db_next(r), i, dom);
    if (db_next(r) % 5 == 0)
        out_f(o, "Reply-To: <support@%s>\r\n", dom);
    if (db_next(r) % 3 == 0)
        out_f(o,
              "List-Id: \"%s news\" <news.%s>\r\n"
              "List-Unsubscribe: <https://%s/unsubscribe?u=%016llx>,\r\n"
              "  <mailto:unsubscribe@%s>\r\n",
              dom, dom, dom, (unsigned long long)db_next(r), dom);
    if (db_next(r) % 2 == 0)
        out_s(o, "X-Mailer: inkan-bench 1.0\r\n");
    out_s(o, "MIME-Version: 1.0\r\n");
    char boundary[64];
    snprintf(boundary, sizeof(boundary), "=_b%016llx", (unsigned long long)db_next(r));
    size_t used = o->len + 400;
    size_t body = target > used ? target - used : 200;
    if (target < 10000) {
        out_f(o, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
        out_s(o, "This is a multi-part message in MIME format.\r\n\r\n");
        out_f(o, "--%s\r\n", boundary);
        text_part(o, r, body * 2 / 5);
        out_f(o, "\r\n--%s\r\n", boundary);
        html_part(o, r, body * 3 / 5 > 300 ? body * 3 / 5 - 300 : 100);
        out_f(o, "\r\n--%s--\r\n", boundary);
    } else if (target < 200000 && db_next(r) % 5 < 2) {
        /* A long newsletter, HTML only. */
        out_s(o, "Content-Type: multipart/alternative; boundary=\"");
        out_s(o, boundary);
        out_s(o, "\"\r\n\r\n");
        out_f(o, "--%s\r\n", boundary);
        text_part(o, r, body / 5);
        out_f(o, "\r\n--%s\r\n", boundary);
        html_part(o, r, body * 4 / 5 > 800 ? body * 4 / 5 - 800 : 100);
        out_f(o, "\r\n--%s--\r\n", boundary);
    } else {
        size_t text = db_range(r, 1500, 6000);
        out_f(o, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
        out_f(o, "--%s\r\n", boundary);
        text_part(o, r, text);
        out_f(o, "\r\n--%s\r\n", boundary);
        attachment(o, r, body > text + 1000 ? body - text - 1000 : 1000);
        out_f(o, "\r\n--%s--\r\n", boundary);
    }
    /* Some mail ends in empty lines that canonicalization removes. */
    if (db_next(r) % 10 == 0)
        out_s(o, "\r\n\r\n");
}

typedef struct sign_ctx {
    ik_dkim_signer *s;
} sign_ctx;

static int sign_field(void *ctx, const char *p, size_t len)
{
    sign_ctx *c = ctx;
    return ik_dkim_sign_header(c->s, p, len) == IK_OK ? 0 : -1;
}

static void sign_message(ik_arena *a, const out *msg, ik_pkey *key, ik_dkim_alg alg,
                         const char *dom, const char *sel, ik_dkim_canon hc, ik_dkim_canon bc,
                         out *field)
{
    ik_arena_reset(a);
    sign_ctx c = { ik_dkim_sign_new(a) };
    ik_dkim_sign_params p;
    ik_dkim_sign_params_init(&p);
    p.alg = alg;
    p.key = key;
    p.domain = ik_str_c(dom);
    p.selector = ik_str_c(sel);
    p.hcanon = hc;
    p.bcanon = bc;
    p.timestamp = DB_SIGN_TIME;
    if (c.s == NULL || ik_dkim_sign_add(c.s, &p) != IK_OK) {
        fprintf(stderr, "dkim_gen: signer setup failed\n");
        exit(1);
    }
    size_t body = db_split(msg->p, msg->len, sign_field, &c);
    ik_status st = ik_dkim_sign_eoh(c.s);
    for (size_t off = body; st == IK_OK && off < msg->len; off += DB_CHUNK) {
        size_t take = msg->len - off < DB_CHUNK ? msg->len - off : DB_CHUNK;
        st = ik_dkim_sign_body(c.s, msg->p + off, take);
    }
    if (st == IK_OK)
        st = ik_dkim_sign_eom(c.s);
    if (st != IK_OK) {
        fprintf(stderr, "dkim_gen: signing failed: %s\n", ik_strerror(st));
        exit(1);
    }
    ik_str f = ik_dkim_sign_field(c.s, 0);
    field->len = 0;
    out_add(field, f.p, f.len);
    out_s(field, "\r\n");
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    return f;
}

/* "name TXT" for the key in both file formats. */
static void publish(FILE *zone, FILE *keys, const char *name, const char *txt)
{
    fprintf(keys, "%s\t%s\n", name, txt);
    fprintf(zone, "%s. IN TXT", name);
    size_t n = strlen(txt);
    for (size_t off = 0; off < n; off += 255)
        fprintf(zone, " \"%.*s\"", (int)(n - off < 255 ? n - off : 255), txt + off);
    fprintf(zone, "\n");
}

static char *key_txt(ik_pkey *k, const char *kind)
{
    ik_buf der, b64;
    ik_buf_init_al(&der, NULL, 0);
    ik_buf_init_al(&b64, NULL, 0);
    if (ik_pkey_public_dkim(k, &der) != IK_OK)
        exit(1);
    ik_base64_encode_buf(&b64, der.p, der.len);
    size_t n = b64.len + 64;
    char *t = db_xmalloc(n);
    snprintf(t, n, "v=DKIM1; k=%s; p=%s", kind, b64.p);
    ik_buf_release(&der);
    ik_buf_release(&b64);
    return t;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    size_t nmsg = 2000;
    uint64_t seed = 6376;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--messages") == 0 && i + 1 < argc)
            nmsg = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (dir == NULL && argv[i][0] != '-')
            dir = argv[i];
        else
            dir = NULL, i = argc;
    }
    if (dir == NULL || nmsg == 0) {
        fprintf(stderr, "usage: dkim_gen OUTDIR [--messages N] [--seed S]\n");
        return 2;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return 2;
    }
    db_rng r = { seed };

    /* Keys: the committed RSA key, and Ed25519 from a seed of the rng. */
    char path[4096];
    snprintf(path, sizeof(path), "%s/keys/dkim_bench_rsa2048.pem", IK_BENCH_DIR);
    size_t pemlen;
    char *pem = db_read_file(path, &pemlen);
    ik_pkey *rsa = NULL, *ed = NULL;
    ik_buf why;
    ik_buf_init_al(&why, NULL, 0);
    if (ik_pkey_from_pem(NULL, pem, pemlen, &rsa, &why) != IK_OK) {
        fprintf(stderr, "dkim_gen: %s: %s\n", path, why.p ? why.p : "bad key");
        return 1;
    }
    unsigned char edseed[32];
    for (size_t i = 0; i < 32; i += 8) {
        uint64_t v = db_next(&r);
        memcpy(edseed + i, &v, 8);
    }
    if (ik_pkey_from_ed25519_seed(NULL, edseed, &ed) != IK_OK)
        return 1;
    free(pem);
    ik_buf_release(&why);

    FILE *zone = open_out(dir, "dkim_bench.zone"), *keys = open_out(dir, "dkim_bench.keys");
    fprintf(zone, "; bench/dkim keys, written by dkim_gen (seed %llu)\n$TTL 86400\n",
            (unsigned long long)seed);
    char *rsatxt = key_txt(rsa, "rsa"), *edtxt = key_txt(ed, "ed25519");
    for (size_t d = 0; d < NDOMAINS; d++) {
        char dom[128], name[256];
        domain_name(dom, sizeof(dom), d);
        snprintf(name, sizeof(name), "s2048._domainkey.%s", dom);
        publish(zone, keys, name, rsatxt);
        snprintf(name, sizeof(name), "ed1._domainkey.%s", dom);
        publish(zone, keys, name, edtxt);
    }
    /* The large message of dkim_mem. */
    publish(zone, keys, "s2048._domainkey.big.example", rsatxt);
    fclose(zone);
    fclose(keys);
    free(rsatxt);
    free(edtxt);

    /* Size classes in exact proportions, shuffled. */
    unsigned char *cls = db_xmalloc(nmsg);
    size_t n0 = nmsg * 60 / 100, n2 = nmsg / 100;
    for (size_t i = 0; i < nmsg; i++)
        cls[i] = i < n0 ? 0 : i < nmsg - n2 ? 1 : 2;
    for (size_t i = nmsg; i-- > 1;) {
        size_t j = (size_t)(db_next(&r) % (i + 1));
        unsigned char t = cls[i];
        cls[i] = cls[j];
        cls[j] = t;
    }

    static const char *const names[3] = { "unsigned", "rsa", "ed25519" };
    FILE *msgs[3], *idx[3];
    uint64_t off[3] = { 0, 0, 0 };
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof(path), "%s.msgs", names[k]);
        msgs[k] = open_out(dir, path);
        snprintf(path, sizeof(path), "%s.idx", names[k]);
        idx[k] = open_out(dir, path);
    }
    ik_arena *a = ik_arena_new(NULL);
    out msg = { 0 }, field = { 0 }, top = { 0 };
    for (size_t i = 0; i < nmsg; i++) {
        size_t target = cls[i] == 0   ? db_range(&r, 2048, 8192)
                        : cls[i] == 1 ? db_range(&r, 20480, 102400)
                                      : db_range(&r, 512 * 1024, 2048 * 1024);
        size_t d = (size_t)(db_next(&r) % NDOMAINS);
        char dom[128];
        domain_name(dom, sizeof(dom), d);
        unsigned c = (unsigned)(db_next(&r) % 100);
        ik_dkim_canon hc = c < 95 ? IK_DKIM_CANON_RELAXED : IK_DKIM_CANON_SIMPLE;
        ik_dkim_canon bc = c < 85 ? IK_DKIM_CANON_RELAXED : IK_DKIM_CANON_SIMPLE;
        msg.len = 0;
        make_message(&msg, &r, target, dom, i);
        /* The receiver's trace fields, added after signing. */
        top.len = 0;
        out_f(&top,
              "Received: from smtp-out.%s (smtp-out.%s [203.0.113.%d])\r\n"
              "\tby mx.receiver.test (Postfix) with ESMTPS id %08llX\r\n"
              "\tfor <user%zu@receiver.test>; %s, %d Nov 2023 %02d:%02d:%02d +0000\r\n",
              dom, dom, (int)(d % 250) + 1, (unsigned long long)(db_next(&r) & 0xffffffffu), i,
              days[i % 7], (int)(i % 28) + 1, (int)(i % 24), (int)(i % 60),
              (int)((i * 7 + 1) % 60));
        out_f(&top,
              "Received: from mx.receiver.test by store.receiver.test with LMTP\r\n"
              "\tid %016llx; %s, %d Nov 2023 %02d:%02d:%02d +0000\r\n",
              (unsigned long long)db_next(&r), days[i % 7], (int)(i % 28) + 1, (int)(i % 24),
              (int)(i % 60), (int)((i * 7 + 2) % 60));

        fprintf(idx[0], "%llu %zu -\n", (unsigned long long)off[0], msg.len);
        fwrite(msg.p, 1, msg.len, msgs[0]);
        off[0] += msg.len;
        for (int k = 1; k < 3; k++) {
            const char *sel = k == 1 ? "s2048" : "ed1";
            sign_message(a, &msg, k == 1 ? rsa : ed,
                         k == 1 ? IK_DKIM_ALG_RSA_SHA256 : IK_DKIM_ALG_ED25519_SHA256, dom, sel, hc,
                         bc, &field);
            size_t len = top.len + field.len + msg.len;
            fprintf(idx[k], "%llu %zu %s._domainkey.%s\n", (unsigned long long)off[k], len, sel,
                    dom);
            fwrite(top.p, 1, top.len, msgs[k]);
            fwrite(field.p, 1, field.len, msgs[k]);
            fwrite(msg.p, 1, msg.len, msgs[k]);
            off[k] += len;
        }
    }
    for (int k = 0; k < 3; k++) {
        if (fclose(msgs[k]) != 0 || fclose(idx[k]) != 0) {
            perror("dkim_gen: write");
            return 1;
        }
    }
    printf("dkim_gen: %zu messages (seed %llu), %.1f MB signed per corpus, in %s\n", nmsg,
           (unsigned long long)seed, (double)off[1] / 1e6, dir);
    ik_arena_free(a);
    free(msg.p);
    free(field.p);
    free(top.p);
    free(cls);
    ik_pkey_free(rsa);
    ik_pkey_free(ed);
    return 0;
}
