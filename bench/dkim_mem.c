/*
 * dkim_mem.c - peak memory of verifying one very large message.
 *
 *   dkim_mem make FILE MB      writes a signed message of about MB megabytes
 *                              (rsa-sha256, relaxed/relaxed, a base64
 *                              attachment), generated and signed as a
 *                              stream, to FILE
 *   dkim_mem verify FILE ZONE  verifies FILE as a milter-driven daemon or
 *                              `inkan dkim verify` would: header fields one
 *                              by one, then the body read and fed in 64 KiB
 *                              chunks, keys from the zone file ZONE; prints
 *                              the result and the peak resident set size
 *                              (getrusage ru_maxrss) of this process
 *
 * The verifying process never holds the message whole, so its peak is the
 * library's working set plus the process baseline (libc, libcrypto).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dkim_bench.h"
#include "inkan/arena.h"
#include "inkan/base64.h"
#include "inkan/dkim.h"
#include "inkan/zone.h"

#define READ_CHUNK 65536

static void die(const char *what, ik_status st)
{
    fprintf(stderr, "dkim_mem: %s: %s\n", what, ik_strerror(st));
    exit(1);
}

static int sign_field(void *ctx, const char *p, size_t len)
{
    return ik_dkim_sign_header(ctx, p, len) == IK_OK ? 0 : -1;
}

static int make(const char *path, size_t mb)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.body", path);
    FILE *body = fopen(tmp, "w+b");
    FILE *out = fopen(path, "wb");
    if (body == NULL || out == NULL) {
        perror(path);
        return 2;
    }
    char kpath[4096];
    snprintf(kpath, sizeof(kpath), "%s/keys/dkim_bench_rsa2048.pem", IK_BENCH_DIR);
    size_t pemlen;
    char *pem = db_read_file(kpath, &pemlen);
    ik_pkey *key;
    ik_status st = ik_pkey_from_pem(NULL, pem, pemlen, &key, NULL);
    free(pem);
    if (st != IK_OK)
        die(kpath, st);

    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_signer *s = ik_dkim_sign_new(a);
    ik_dkim_sign_params p;
    ik_dkim_sign_params_init(&p);
    p.key = key;
    p.domain = ik_str_c("big.example");
    p.selector = ik_str_c("s2048");
    p.timestamp = DB_SIGN_TIME;
    if ((st = ik_dkim_sign_add(s, &p)) != IK_OK)
        die("sign_add", st);
    static const char hdr[] = "From: \"Big Sender\" <sender@big.example>\r\n"
                              "To: <user@receiver.test>\r\n"
                              "Subject: the quarterly archive, all of it\r\n"
                              "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                              "Message-ID: <big.1@big.example>\r\n"
                              "MIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=\"=_big\"\r\n"
                              "\r\n";
    (void)db_split(hdr, sizeof(hdr) - 1, sign_field, s);
    if ((st = ik_dkim_sign_eoh(s)) != IK_OK)
        die("sign_eoh", st);
    db_rng r = { 8463 };
    char line[128];
    unsigned char raw[57];
    char chunk[READ_CHUNK + 256];
    size_t clen = 0;
    size_t total = mb * 1024 * 1024;
    const char *pre = "--=_big\r\nContent-Type: text/plain\r\n\r\nThe archive.\r\n\r\n"
                      "--=_big\r\nContent-Type: application/zip; name=\"archive.zip\"\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n";
    const char *post = "--=_big--\r\n";
    memcpy(chunk, pre, strlen(pre));
    clen = strlen(pre);
    for (size_t done = 0; done < total; done += 78) {
        for (size_t i = 0; i < 57; i += 8) {
            uint64_t v = db_next(&r);
            memcpy(raw + i, &v, i + 8 <= 57 ? 8 : 57 - i);
        }
        size_t n = ik_base64_encode(raw, 57, line, sizeof(line));
        memcpy(line + n, "\r\n", 2);
        memcpy(chunk + clen, line, n + 2);
        clen += n + 2;
        if (clen >= READ_CHUNK || done + 78 >= total) {
            if (done + 78 >= total) {
                memcpy(chunk + clen, post, strlen(post));
                clen += strlen(post);
            }
            if ((st = ik_dkim_sign_body(s, chunk, clen)) != IK_OK)
                die("sign_body", st);
            if (fwrite(chunk, 1, clen, body) != clen) {
                perror(tmp);
                return 1;
            }
            clen = 0;
        }
    }
    if ((st = ik_dkim_sign_eom(s)) != IK_OK)
        die("sign_eom", st);
    ik_str f = ik_dkim_sign_field(s, 0);
    fwrite(f.p, 1, f.len, out);
    fwrite("\r\n", 1, 2, out);
    fwrite(hdr, 1, sizeof(hdr) - 1, out);
    rewind(body);
    size_t n;
    while ((n = fread(chunk, 1, READ_CHUNK, body)) > 0)
        fwrite(chunk, 1, n, out);
    fclose(body);
    remove(tmp);
    if (fclose(out) != 0) {
        perror(path);
        return 1;
    }
    ik_arena_free(a);
    ik_pkey_free(key);
    printf("dkim_mem: wrote %s (%zu MB)\n", path, mb);
    return 0;
}

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* kilobytes on Linux */
}

static int verify(const char *path, const char *zonefile)
{
    char err[512];
    ik_zone *z = ik_zone_new(NULL);
    ik_resolver res;
    if (z == NULL || ik_zone_load_file(z, zonefile, err, sizeof(err)) != IK_OK) {
        fprintf(stderr, "dkim_mem: %s\n", z ? err : "out of memory");
        return 2;
    }
    if (ik_zone_resolver(z, &res) != IK_OK)
        die("resolver", IK_ENOMEM);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 2;
    }
    long before = peak_kb();
    ik_arena *a = ik_arena_new(NULL);
    ik_dkim_verify_config cfg = { 0 };
    cfg.now = DB_VERIFY_TIME;
    ik_dkim_verifier *v = ik_dkim_verify_new(a, &cfg);
    if (v == NULL)
        die("verify_new", IK_ENOMEM);

    /* Header fields, unfolded by line: a field continues while the next
     * line starts with WSP. */
    char *field = NULL, *line = NULL;
    size_t flen = 0, fcap = 0, lcap = 0;
    ssize_t n;
    ik_status st;
    for (;;) {
        n = getline(&line, &lcap, f);
        int end = n <= 0 || (n == 2 && line[0] == '\r' && line[1] == '\n');
        if (flen > 0 && (end || (line[0] != ' ' && line[0] != '\t'))) {
            if ((st = ik_dkim_verify_header(v, field, flen)) != IK_OK)
                die("verify_header", st);
            flen = 0;
        }
        if (end)
            break;
        if (flen + (size_t)n > fcap) {
            fcap = (flen + (size_t)n) * 2;
            field = realloc(field, fcap);
            if (field == NULL)
                die("header", IK_ENOMEM);
        }
        memcpy(field + flen, line, (size_t)n);
        flen += (size_t)n;
    }
    free(field);
    free(line);
    ik_dns_query *q;
    st = ik_dkim_verify_eoh(v, &q);
    if (st == IK_EAGAIN)
        st = ik_resolver_answer_all(&res, a, q);
    if (st != IK_OK)
        die("verify_eoh", st);
    static char buf[READ_CHUNK];
    size_t total = 0, got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        if ((st = ik_dkim_verify_body(v, buf, got)) != IK_OK)
            die("verify_body", st);
        total += got;
    }
    fclose(f);
    while ((st = ik_dkim_verify_eom(v, &q)) == IK_EAGAIN)
        if ((st = ik_resolver_answer_all(&res, a, q)) != IK_OK)
            break;
    if (st != IK_OK)
        die("verify_eom", st);
    const ik_dkim_sigresult *sr = ik_dkim_verify_get(v, 0);
    long peak = peak_kb();
    printf("dkim_mem: %.1f MB body verified: dkim=%s%s%s; peak RSS %.1f MB "
           "(%.1f MB before the message)\n",
           (double)total / 1048576.0, sr ? ik_dkim_result_name(sr->result) : "none",
           sr && sr->reason[0] ? " " : "", sr ? sr->reason : "", (double)peak / 1024.0,
           (double)before / 1024.0);
    ik_arena_free(a);
    ik_resolver_close(&res);
    ik_zone_free(z);
    return sr && sr->result == IK_DKIM_PASS ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "make") == 0)
        return make(argv[2], (size_t)strtoul(argv[3], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "verify") == 0)
        return verify(argv[2], argv[3]);
    fprintf(stderr, "usage: dkim_mem make FILE MB | dkim_mem verify FILE ZONE\n");
    return 2;
}
