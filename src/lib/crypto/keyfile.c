/*
 * keyfile.c - private keys from PEM text and from key files (see
 * inkan/crypto.h).
 *
 * Accepted: PKCS#1 "RSA PRIVATE KEY", PKCS#8 "PRIVATE KEY" (RSA, Ed25519).
 * Encrypted PEM is refused: a passphrase callback that always fails keeps
 * OpenSSL from prompting on a terminal.
 *
 * A key file must not be accessible by group or others: a signing key that
 * other local users can read is a key that can be stolen, so we refuse and
 * tell the operator the exact command that fixes it.
 * Threads: no shared state.  Limits: IK_PKEY_MAX_FILE bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto_int.h"
#include "inkan/crypto.h"

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

ik_status ik_pkey_from_pem(const ik_allocator *al, const char *pem, size_t len, ik_pkey **out,
                           ik_buf *why)
{
    *out = NULL;
    if (len > IK_PKEY_MAX_FILE) {
        if (why)
            ik_buf_append_c(why, "private key text too long");
        return IK_ELIMIT;
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        return IK_ENOMEM;
    EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (pk == NULL) {
        unsigned long e = ERR_peek_last_error();
        ERR_clear_error();
        if (why) {
            char msg[256];
            ERR_error_string_n(e, msg, sizeof(msg));
            ik_buf_printf(why,
                          "no usable private key in PEM data (encrypted keys are not "
                          "supported): %s",
                          e ? msg : "no PEM block");
        }
        return IK_ESYNTAX;
    }
    ik_status st = ik__pkey_wrap(al, pk, 1, out);
    if (st == IK_EINVAL && why)
        ik_buf_append_c(why, "private key is neither RSA nor Ed25519");
    return st;
}

ik_status ik_pkey_load_private(const ik_allocator *al, const char *path, ik_pkey **out, ik_buf *why)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (why)
            ik_buf_printf(why, "cannot open key file %s: %s", path, strerror(errno));
        return IK_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (why)
            ik_buf_printf(why, "key file %s is not a regular file", path);
        close(fd);
        return IK_EIO;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        if (why)
            ik_buf_printf(why,
                          "key file %s is accessible by group or others (mode %04o); "
                          "refusing to use it; run: chmod 600 %s",
                          path, (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return IK_EINVAL;
    }
    if (st.st_size > IK_PKEY_MAX_FILE) {
        if (why)
            ik_buf_printf(why, "key file %s is larger than %d bytes", path, IK_PKEY_MAX_FILE);
        close(fd);
        return IK_ELIMIT;
    }
    char *text = ik_alloc(al, IK_PKEY_MAX_FILE + 1);
    if (text == NULL) {
        close(fd);
        return IK_ENOMEM;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, text + len, IK_PKEY_MAX_FILE + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (why)
                ik_buf_printf(why, "cannot read key file %s: %s", path, strerror(errno));
            close(fd);
            ik_free(al, text);
            return IK_EIO;
        }
        if (n == 0 || len + (size_t)n > IK_PKEY_MAX_FILE) {
            len += (size_t)n;
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    ik_status rc;
    if (len > IK_PKEY_MAX_FILE) {
        if (why)
            ik_buf_printf(why, "key file %s is too large", path);
        rc = IK_ELIMIT;
    } else {
        size_t before = why ? why->len : 0;
        rc = ik_pkey_from_pem(al, text, len, out, why);
        if (rc != IK_OK && why && why->len > before) {
            /* Name the file in the reason. */
            ik_buf_printf(why, " (in %s)", path);
        }
    }
    /* The buffer held secret key text: wipe it before freeing. */
    OPENSSL_cleanse(text, len);
    ik_free(al, text);
    return rc;
}
