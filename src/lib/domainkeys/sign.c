/*
 * sign.c - the DomainKeys signer (RFC 4870 3.5): rsa-sha1, simple or nofws,
 * with or without h=.
 *
 * The signature goes on top of the message, so every field given is below
 * it.  Without a header list every field is signed (no h=).  With one, the
 * fields whose names are listed are signed in message order and h= names
 * each of them once, in that order: the signer "MUST include all headers
 * presented to the signing algorithm, in the order they were presented"
 * (Mail::DKIM's note on RFC 4870 h=), and a verifier reading h= either way
 * (as a set or in order) then selects the same fields.
 *
 * Before hashing, the signing address (Sender, else From, among the signed
 * fields) is checked against d= as a verifier will (3.2): a signature that
 * can never verify is refused with IK_EINVAL and a reason.
 *
 * Layout of the field: "a=rsa-sha1; c=...; d=...; [h=...;] q=dns; s=...;
 * b=...", folded at 78 columns with CRLF TAB; DomainKeys does not hash its
 * own signature field, so the folding is free.
 * Ownership: the signer lives in the caller's arena; the key is borrowed.
 * Threads: one signer per thread at a time.
 * Limits: IK_DK_MAX_HEADERS fields, IK_DK_MAX_H names in h=.
 */
#include <string.h>

#include "dk_int.h"
#include "inkan/base64.h"

#define FOLD_WIDTH 78

enum { S_HEADERS, S_BODY, S_DONE, S_FAILED };

struct ik_dk_signer {
    ik_arena *a;
    ik_dk_sign_params p;
    int state;
    ik__dk_hdr *hdrs;
    size_t nhdrs, caphdrs;
    ik_str *h; /* h= names when a list was given */
    size_t nh;
    ik_hash *hash;
    ik_dk_body *body;
    ik_str field;
    const char *error;
};

void ik_dk_sign_params_init(ik_dk_sign_params *p)
{
    memset(p, 0, sizeof(*p));
    p->canon = IK_DK_CANON_NOFWS;
}

ik_dk_signer *ik_dk_sign_new(ik_arena *a, const ik_dk_sign_params *p)
{
    ik_dk_signer *s = ik_arena_calloc(a, 1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->a = a;
    s->p = *p;
    s->error = "";
    s->p.domain = ik_arena_strdup_str(a, p->domain);
    s->p.selector = ik_arena_strdup_str(a, p->selector);
    if (s->p.domain.p == NULL || s->p.selector.p == NULL)
        return NULL;
    if (p->headers != NULL) {
        s->p.headers = ik_arena_strndup(a, p->headers, strlen(p->headers));
        if (s->p.headers == NULL)
            return NULL;
    }
    return s;
}

static ik_status refuse(ik_dk_signer *s, ik_status st, const char *why)
{
    s->state = S_FAILED;
    s->error = why ? why : "out of memory";
    return st;
}

ik_status ik_dk_sign_header(ik_dk_signer *s, const char *field, size_t len)
{
    if (s->state != S_HEADERS)
        return IK_ESTATE;
    ik_str raw = ik__dkim_strip_eol(ik_str_make(field, len));
    if (raw.len > IK_DK_MAX_FIELD)
        return refuse(s, IK_ELIMIT, "a header field is larger than the signer accepts");
    if (s->nhdrs == IK_DK_MAX_HEADERS)
        return refuse(s, IK_ELIMIT, "more header fields than the signer accepts");
    ik_status st = ik__dkim_hdr_push(s->a, &s->hdrs, &s->nhdrs, &s->caphdrs, raw);
    if (st == IK_ESYNTAX)
        return IK_OK; /* not a field: it cannot be signed, nor selected */
    return st;
}

/* Is name in the colon-separated list? */
static int listed(const char *list, ik_str name)
{
    ik_str l = ik_str_c(list);
    size_t start = 0;
    for (size_t i = 0; i <= l.len; i++) {
        if (i < l.len && l.p[i] != ':')
            continue;
        if (ik_str_caseeq(ik_str_trim(ik_str_make(l.p + start, i - start)), name))
            return 1;
        start = i + 1;
    }
    return 0;
}

ik_status ik_dk_sign_eoh(ik_dk_signer *s)
{
    if (s->state != S_HEADERS)
        return IK_ESTATE;
    if (s->p.key == NULL || ik_pkey_type(s->p.key) != IK_KEY_RSA || !ik_pkey_has_private(s->p.key))
        return refuse(s, IK_EINVAL, "DomainKeys needs an RSA private key");
    if (!ik__dkim_domain_ok(s->p.domain, 0))
        return refuse(s, IK_EINVAL, "the domain is not a valid domain name");
    if (!ik__dkim_domain_ok(s->p.selector, 1))
        return refuse(s, IK_EINVAL, "the selector is not a valid selector");

    size_t *sel = ik_arena_alloc(s->a, (s->nhdrs ? s->nhdrs : 1) * sizeof(*sel));
    if (sel == NULL)
        return refuse(s, IK_ENOMEM, NULL);
    size_t nsel = 0;
    if (s->p.headers == NULL) {
        for (size_t i = 0; i < s->nhdrs; i++)
            sel[nsel++] = i;
    } else {
        s->h = ik_arena_alloc(s->a, (s->nhdrs ? s->nhdrs : 1) * sizeof(*s->h));
        if (s->h == NULL)
            return refuse(s, IK_ENOMEM, NULL);
        for (size_t i = 0; i < s->nhdrs; i++) {
            if (!listed(s->p.headers, s->hdrs[i].name))
                continue;
            sel[nsel++] = i;
            s->h[s->nh++] = s->hdrs[i].name;
        }
        if (s->nh == 0)
            return refuse(s, IK_EINVAL, "none of the listed header fields is present");
        if (s->nh > IK_DK_MAX_H)
            return refuse(s, IK_ELIMIT, "more signed fields than h= may list");
    }

    ik_str addr, local, domain;
    const char *which;
    ik_status st = ik__dk_identity(s->a, s->hdrs, sel, nsel, &addr, &local, &domain, &which);
    if (st == IK_ENOMEM)
        return refuse(s, st, NULL);
    if (st != IK_OK)
        return refuse(s, IK_EINVAL,
                      *which ? "the signed Sender/From field holds no address"
                             : "the signed fields include no From or Sender");
    if (!ik__dk_domain_within(domain, s->p.domain))
        return refuse(s, IK_EINVAL,
                      ik_arena_printf(s->a,
                                      "d=%.*s is neither the domain of %s %.*s "
                                      "nor a parent of it",
                                      (int)s->p.domain.len, s->p.domain.p,
                                      which[0] == 's' ? "Sender" : "From", (int)addr.len, addr.p));

    s->hash = ik_hash_new_arena(s->a, IK_HASH_SHA1);
    s->body = ik_dk_body_new(s->a, s->p.canon);
    if (s->hash == NULL || s->body == NULL)
        return refuse(s, IK_ENOMEM, NULL);
    ik_buf scratch;
    ik_buf_init(&scratch, s->a, 0);
    for (size_t k = 0; k < nsel; k++) {
        ik_buf_reset(&scratch);
        ik_dk_canon_header(s->p.canon, s->hdrs[sel[k]].raw, &scratch);
        if (ik_buf_error(&scratch) != IK_OK)
            return refuse(s, ik_buf_error(&scratch), NULL);
        st = ik_hash_update(s->hash, scratch.p, scratch.len);
        if (st != IK_OK)
            return refuse(s, st, NULL);
    }
    st = ik_dk_body_add_hash(s->body, s->hash);
    if (st != IK_OK)
        return refuse(s, st, NULL);
    s->state = S_BODY;
    return IK_OK;
}

ik_status ik_dk_sign_body(ik_dk_signer *s, const void *p, size_t len)
{
    if (s->state != S_BODY)
        return IK_ESTATE;
    ik_status st = ik_dk_body_update(s->body, p, len);
    return st == IK_OK ? st : refuse(s, st, NULL);
}

/* Appends item after sep, or on a new folded line when it would pass the
 * width. */
static void fold_add(ik_buf *b, size_t *col, const char *sep, const char *item, size_t len)
{
    size_t seplen = strlen(sep);
    if (*col + seplen + len > FOLD_WIDTH) {
        ik_buf_append(b, "\r\n\t", 3);
        *col = 8;
    } else {
        ik_buf_append(b, sep, seplen);
        *col += seplen;
    }
    ik_buf_append(b, item, len);
    *col += len;
}

static void fold_tag(ik_buf *b, size_t *col, ik_arena *a, const char *name, ik_str value)
{
    char *t = ik_arena_printf(a, "%s=%.*s;", name, (int)value.len, value.p ? value.p : "");
    if (t == NULL) {
        if (b->err == IK_OK)
            b->err = IK_ENOMEM;
        return;
    }
    fold_add(b, col, " ", t, strlen(t));
}

ik_status ik_dk_sign_eom(ik_dk_signer *s)
{
    if (s->state != S_BODY)
        return IK_ESTATE;
    ik_status st = ik_dk_body_final(s->body);
    unsigned char digest[IK_HASH_MAX_SIZE];
    if (st == IK_OK)
        st = ik_hash_final(s->hash, digest);
    if (st != IK_OK)
        return refuse(s, st, NULL);
    ik_buf sig;
    ik_buf_init(&sig, s->a, 0);
    st = ik_pkey_sign(s->p.key, IK_HASH_SHA1, digest, ik_hash_size(IK_HASH_SHA1), &sig);
    if (st != IK_OK)
        return refuse(s, st, "the key could not sign");

    ik_buf f;
    ik_buf_init(&f, s->a, 0);
    ik_buf_append_c(&f, "DomainKey-Signature:");
    size_t col = f.len;
    fold_tag(&f, &col, s->a, "a", IK_STR_LIT("rsa-sha1"));
    fold_tag(&f, &col, s->a, "c", ik_str_c(ik_dk_canon_name(s->p.canon)));
    fold_tag(&f, &col, s->a, "d", s->p.domain);
    for (size_t i = 0; i < s->nh; i++) {
        char *item = ik_arena_printf(s->a, "%s%.*s%s", i == 0 ? "h=" : "", (int)s->h[i].len,
                                     s->h[i].p, i + 1 == s->nh ? ";" : ":");
        if (item == NULL)
            return refuse(s, IK_ENOMEM, NULL);
        fold_add(&f, &col, i == 0 ? " " : "", item, strlen(item));
    }
    fold_tag(&f, &col, s->a, "q", IK_STR_LIT("dns"));
    fold_tag(&f, &col, s->a, "s", s->p.selector);
    fold_add(&f, &col, " ", "b=", 2);
    ik_buf b64;
    ik_buf_init(&b64, s->a, 0);
    ik_base64_encode_buf(&b64, sig.p, sig.len);
    if (ik_buf_error(&b64) != IK_OK)
        return refuse(s, ik_buf_error(&b64), NULL);
    for (size_t off = 0; off < b64.len;) {
        size_t room = col < FOLD_WIDTH ? FOLD_WIDTH - col : 0;
        if (room == 0) {
            ik_buf_append(&f, "\r\n\t", 3);
            col = 8;
            continue;
        }
        size_t take = b64.len - off < room ? b64.len - off : room;
        ik_buf_append(&f, b64.p + off, take);
        off += take;
        col += take;
    }
    ik_buf_putc(&f, ';');
    if (ik_buf_error(&f) != IK_OK)
        return refuse(s, ik_buf_error(&f), NULL);
    s->field = ik_buf_str(&f);
    s->state = S_DONE;
    return IK_OK;
}

ik_str ik_dk_sign_field(const ik_dk_signer *s)
{
    return s->state == S_DONE ? s->field : IK_STR_NULL;
}

const char *ik_dk_sign_error(const ik_dk_signer *s)
{
    return s->error;
}
