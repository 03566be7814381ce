/*
 * cmd_keygen.c - "inkan keygen": make a DKIM key pair.
 *
 *   inkan keygen --domain D --selector S [--type rsa|ed25519] [--bits N]
 *                [--out DIR]
 *
 * Writes DIR/S.private (PKCS#8 PEM, created mode 0600, never overwritten)
 * and DIR/S.txt, and prints the key record (RFC 6376 3.6.1; RFC 8463 4 for
 * Ed25519) as one zone-file line:
 *
 *   S._domainkey.D. IN TXT ( "v=DKIM1; k=rsa; p=..." "..." )
 *
 * split into character-strings of at most 255 octets (RFC 1035 3.3.14),
 * which receivers join (RFC 6376 3.6.2.2).  RSA is 2048 bits unless --bits
 * says otherwise (1024..8192; RFC 8301 3.2 sets 1024 as the floor).
 * Exit 0 on success, 2 for bad usage or a file that cannot be written, 1
 * for an internal failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "inkan/base64.h"
#include "inkan/crypto.h"

static const char keygen_usage[] =
    "usage: inkan keygen --domain D --selector S [options]\n"
    "  --domain D           the signing domain (d=)\n"
    "  --selector S         the selector (s=)\n"
    "  --type rsa|ed25519   key type (default rsa)\n"
    "  --bits N             RSA modulus size, 1024..8192 (default 2048)\n"
    "  --out DIR            where S.private and S.txt go (default .)\n";

enum { OPT_DOMAIN = 1, OPT_SELECTOR, OPT_TYPE, OPT_BITS, OPT_OUT, OPT_HELP };

/* Letters, digits, hyphen, underscore, dots between non-empty labels. */
static int name_ok(const char *s)
{
    size_t len = strlen(s), label = 0;
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
              || c == '_'))
            return 0;
        if (++label > 63)
            return 0;
    }
    return label > 0;
}

/* Writes data to path, created with mode (exclusive when excl). */
static int write_file(const char *prog, const char *path, ik_str data, mode_t mode, int excl)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), mode);
    if (fd < 0) {
        if (errno == EEXIST)
            cli_error(prog, "%s exists; not overwriting a key (remove it first)", path);
        else
            cli_error(prog, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* The umask may only have removed bits; make the mode exact. */
    if (fchmod(fd, mode) != 0) {
        cli_error(prog, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    size_t off = 0;
    while (off < data.len) {
        ssize_t n = write(fd, data.p + off, data.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            cli_error(prog, "%s: %s", path, n < 0 ? strerror(errno) : "short write");
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0) {
        cli_error(prog, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_keygen(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "type", required_argument, NULL, OPT_TYPE },
        { "bits", required_argument, NULL, OPT_BITS },
        { "out", required_argument, NULL, OPT_OUT },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    const char *prog = "keygen";
    const char *domain = NULL, *selector = NULL, *type = "rsa", *bits_arg = NULL;
    const char *outdir = ".";
    int opt;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_DOMAIN: domain = optarg; break;
        case OPT_SELECTOR: selector = optarg; break;
        case OPT_TYPE: type = optarg; break;
        case OPT_BITS: bits_arg = optarg; break;
        case OPT_OUT: outdir = optarg; break;
        case OPT_HELP: fputs(keygen_usage, stdout); return 0;
        default:
            cli_error(prog, "bad option '%s' (try 'inkan keygen --help')", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        cli_error(prog, "unexpected argument '%s'", argv[optind]);
        return 2;
    }
    if (domain == NULL || selector == NULL) {
        cli_error(prog, "--domain and --selector are required");
        return 2;
    }
    char dom[IK_DNS_NAME_MAX + 2];
    size_t dl = strlen(domain);
    if (dl > 0 && domain[dl - 1] == '.')
        dl--;
    if (dl > IK_DNS_NAME_MAX) {
        cli_error(prog, "--domain: '%s' is too long", domain);
        return 2;
    }
    memcpy(dom, domain, dl);
    dom[dl] = '\0';
    if (!name_ok(dom)) {
        cli_error(prog, "--domain: '%s' is not a domain name", domain);
        return 2;
    }
    if (!name_ok(selector)) {
        cli_error(prog, "--selector: '%s' is not a selector (letters, digits, '-', dots)",
                  selector);
        return 2;
    }
    ik_key_type kt;
    if (strcmp(type, "rsa") == 0)
        kt = IK_KEY_RSA;
    else if (strcmp(type, "ed25519") == 0)
        kt = IK_KEY_ED25519;
    else {
        cli_error(prog, "--type: '%s' is not rsa or ed25519", type);
        return 2;
    }
    unsigned bits = 2048;
    if (bits_arg != NULL) {
        uint64_t v;
        if (kt != IK_KEY_RSA) {
            cli_error(prog, "--bits applies to RSA keys only");
            return 2;
        }
        if (ik_str_to_u64(ik_str_c(bits_arg), 8192, &v) != IK_OK || v < 1024) {
            cli_error(prog, "--bits: '%s' is not a number between 1024 and 8192", bits_arg);
            return 2;
        }
        bits = (unsigned)v;
    }
    struct stat sb;
    if (stat(outdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cli_error(prog, "--out: %s is not a directory", outdir);
        return 2;
    }

    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL) {
        cli_error(prog, "out of memory");
        return 1;
    }
    char *name = ik_arena_printf(a, "%s._domainkey.%s", selector, dom);
    if (name == NULL || ik_dns_name_check(ik_str_c(name)) != IK_OK) {
        cli_error(prog, "%s._domainkey.%s is not a valid DNS name (too long?)", selector, dom);
        ik_arena_free(a);
        return 2;
    }
    int rc = 1;
    ik_pkey *k = NULL;
    ik_buf pem, der, rec, line;
    ik_buf_init(&pem, a, 0);
    ik_buf_init(&der, a, 0);
    ik_buf_init(&rec, a, 0);
    ik_buf_init(&line, a, 0);
    ik_status st = ik_pkey_generate(NULL, kt, bits, &k);
    if (st == IK_OK)
        st = ik_pkey_private_pem(k, &pem);
    if (st == IK_OK)
        st = ik_pkey_public_dkim(k, &der);
    if (st != IK_OK) {
        cli_error(prog, "key generation failed: %s", ik_strerror(st));
        goto out;
    }
    ik_buf_printf(&rec, "v=DKIM1; k=%s; p=", kt == IK_KEY_RSA ? "rsa" : "ed25519");
    ik_base64_encode_buf(&rec, der.p, der.len);
    /* RFC 1035 3.3.14: each character-string holds at most 255 octets. */
    ik_buf_printf(&line, "%s. IN TXT (", name);
    ik_str r = ik_buf_str(&rec);
    for (size_t off = 0; off < r.len; off += 255) {
        size_t take = r.len - off < 255 ? r.len - off : 255;
        ik_buf_printf(&line, " \"%.*s\"", (int)take, r.p + off);
    }
    ik_buf_append_c(&line, " )\n");
    if (ik_buf_error(&pem) || ik_buf_error(&rec) || ik_buf_error(&line)) {
        cli_error(prog, "out of memory");
        goto out;
    }
    char *keypath = ik_arena_printf(a, "%s/%s.private", outdir, selector);
    char *txtpath = ik_arena_printf(a, "%s/%s.txt", outdir, selector);
    if (keypath == NULL || txtpath == NULL) {
        cli_error(prog, "out of memory");
        goto out;
    }
    if (write_file(prog, keypath, ik_buf_str(&pem), 0600, 1) != 0
        || write_file(prog, txtpath, ik_buf_str(&line), 0644, 0) != 0) {
        rc = 2;
        goto out;
    }
    ik_str l = ik_buf_str(&line);
    fwrite(l.p, 1, l.len, stdout);
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    ik_pkey_free(k);
    ik_arena_free(a);
    return rc;
}
