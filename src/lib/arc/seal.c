/*
 * seal.c - adding an ARC set to a message (RFC 8617 5.1).
 *
 *   HEADERS --eoh--> BODY --eom--> DONE
 *
 * At end of headers the existing chain is collected: if its newest
 * ARC-Seal says cv=fail nothing is added (5.1 step 2); otherwise the new
 * instance is one above the highest (step 3).  At end of message the set
 * is built (step 4): the AAR from the caller's payload (4.1.1), the AMS
 * over the body and the chosen header fields, relaxed/relaxed (4.1.2), and
 * the AS over every set oldest first, the new one included (5.1.1) - or
 * over the new set alone when the chain failed (5.1.2).
 *
 * Tags are written in alphabetical order with "; " between them and no
 * trailing ";": the "standardized" form of the ARC test suite, which makes
 * b= reproducible across implementations.  Lines are folded only at those
 * spaces, never inside b=, so relaxed canonicalization of what we emit is
 * exactly what we signed.  (FWS inside the AMS b= would be legal, but the
 * next AS hashes the AMS as written, and the signing suite's AS values are
 * those of AMS fields without it; lines stay under 998 octets even with
 * RSA-4096.)
 * Ownership: arena; key borrowed.  Threads: one sealer per thread at a time.
 */
#include <string.h>
#include <time.h>

#include "arc_int.h"
#include "inkan/base64.h"

#define FOLD_WIDTH 78

enum { S_HEADERS, S_BODY, S_DONE };

static const char *const default_headers[] = { "From",
                                               "To",
                                               "Cc",
                                               "Subject",
                                               "Date",
                                               "Message-ID",
                                               "Reply-To",
                                               "Sender",
                                               "In-Reply-To",
                                               "References",
                                               "MIME-Version",
                                               "Content-Type",
                                               "Content-Transfer-Encoding",
                                               "DKIM-Signature" };

struct ik_arc_sealer {
    ik_arena *a;
    ik_arc_seal_params p;
    int state;
    ik_status err; /* the first failure, sticky: every later call returns it */
    ik__dkim_hdr *hdrs;
    size_t nhdrs, caphdrs;
    ik__arc_chain chain;
    unsigned instance; /* 0: no set to add */
    ik_str *h;
    size_t nh;
    ik_dkim_body *body;
    size_t tap;
    ik_buf scratch;
    ik_str out[3];
};

ik_arc_sealer *ik_arc_seal_new(ik_arena *a, const ik_arc_seal_params *p)
{
    ik_arc_sealer *s = ik_arena_calloc(a, 1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->a = a;
    s->p = *p;
    if (s->p.timestamp < 0)
        s->p.timestamp = (int64_t)time(NULL);
    ik_buf_init(&s->scratch, a, 0);
    return s;
}

/* Records st as the sealer's sticky error (the first one wins). */
static ik_status seal_fail(ik_arc_sealer *s, ik_status st)
{
    if (st != IK_OK && s->err == IK_OK)
        s->err = st;
    return st;
}

static ik_status seal_header(ik_arc_sealer *s, const char *field, size_t len)
{
    if (s->nhdrs == IK_DKIM_MAX_HEADERS)
        return IK_ELIMIT;
    ik_str raw = ik__dkim_strip_eol(ik_str_make(field, len));
    ik_status st = ik__dkim_hdr_push(s->a, &s->hdrs, &s->nhdrs, &s->caphdrs, raw);
    return st == IK_ESYNTAX ? IK_OK : st; /* not a field: nothing to sign */
}

ik_status ik_arc_seal_header(ik_arc_sealer *s, const char *field, size_t len)
{
    if (s->err != IK_OK)
        return s->err;
    if (s->state != S_HEADERS)
        return IK_ESTATE;
    return seal_fail(s, seal_header(s, field, len));
}

/* RFC 8617 4.1.2: neither ARC fields nor Authentication-Results. */
static int name_refused(ik_str n)
{
    return ik_str_caseeq_c(n, "ARC-Seal") || ik_str_caseeq_c(n, "ARC-Message-Signature")
           || ik_str_caseeq_c(n, "ARC-Authentication-Results")
           || ik_str_caseeq_c(n, "Authentication-Results");
}

static ik_status build_h(ik_arc_sealer *s)
{
    if (s->p.headers != NULL) {
        ik_str list = ik_str_c(s->p.headers);
        size_t count = 1;
        for (size_t i = 0; i < list.len; i++)
            if (list.p[i] == ':')
                count++;
        if (count > IK_DKIM_MAX_H)
            return IK_EINVAL;
        s->h = ik_arena_alloc(s->a, count * sizeof(*s->h));
        if (s->h == NULL)
            return IK_ENOMEM;
        size_t start = 0;
        for (size_t i = 0; i <= list.len; i++) {
            if (i < list.len && list.p[i] != ':')
                continue;
            ik_str n = ik_str_trim(ik_str_make(list.p + start, i - start));
            start = i + 1;
            if (n.len == 0 || name_refused(n))
                return IK_EINVAL;
            s->h[s->nh++] = n;
        }
        return IK_OK;
    }
    s->h = ik_arena_alloc(s->a, IK_DKIM_MAX_H * sizeof(*s->h));
    if (s->h == NULL)
        return IK_ENOMEM;
    for (size_t k = 0; k < sizeof(default_headers) / sizeof(default_headers[0]); k++) {
        ik_str n = ik_str_c(default_headers[k]);
        for (size_t i = 0; i < s->nhdrs && s->nh < IK_DKIM_MAX_H; i++)
            if (ik_str_caseeq(s->hdrs[i].name, n))
                s->h[s->nh++] = n;
    }
    return IK_OK;
}

/*
 * End of headers.  Any failure here (a refused parameter or chain, the
 * instance limit, OOM) becomes the sealer's sticky error, so body and eom
 * never run over a half-made state (no body hasher, no h= list).
 */
static ik_status seal_eoh(ik_arc_sealer *s)
{
    const ik_arc_seal_params *p = &s->p;
    if (p->key == NULL || !ik_pkey_has_private(p->key)
        || (p->alg != IK_DKIM_ALG_RSA_SHA256 && p->alg != IK_DKIM_ALG_ED25519_SHA256)
        || ik_pkey_type(p->key) != ik_dkim_alg_key(p->alg) || !ik__dkim_domain_ok(p->domain, 0)
        || !ik__dkim_domain_ok(p->selector, 1) || p->authres.len == 0 || p->cv > IK_ARC_CV_FAIL)
        return IK_EINVAL;
    ik_status st = ik__arc_collect(s->a, s->hdrs, s->nhdrs, 0, &s->chain);
    if (st != IK_OK)
        return st;
    s->state = S_BODY;
    if (s->chain.newest_cv_fail)
        return IK_OK; /* RFC 8617 5.1 step 2: nothing to add */
    if (s->chain.n >= IK_ARC_MAX_INSTANCES)
        return IK_ELIMIT;
    if (p->cv != IK_ARC_CV_FAIL) {
        /* A pass or none must describe the chain we are extending. */
        if (s->chain.broken || (p->cv == IK_ARC_CV_NONE) != (s->chain.n == 0))
            return IK_EINVAL;
    }
    s->instance = s->chain.n + 1;
    st = build_h(s);
    if (st != IK_OK)
        return st;
    s->body = ik_dkim_body_new(s->a, IK_DKIM_CANON_RELAXED);
    if (s->body == NULL)
        return IK_ENOMEM;
    return ik_dkim_body_add_hash(s->body, ik_dkim_alg_hash(p->alg), IK_DKIM_NO_LIMIT, &s->tap);
}

ik_status ik_arc_seal_eoh(ik_arc_sealer *s)
{
    if (s->err != IK_OK)
        return s->err;
    if (s->state != S_HEADERS)
        return IK_ESTATE;
    return seal_fail(s, seal_eoh(s));
}

ik_status ik_arc_seal_body(ik_arc_sealer *s, const void *p, size_t len)
{
    if (s->err != IK_OK)
        return s->err;
    if (s->state != S_BODY)
        return IK_ESTATE;
    if (s->body == NULL)
        return IK_OK;
    return seal_fail(s, ik_dkim_body_update(s->body, p, len));
}

/*
 * Appends text after "Name:" at column col: the text is unfolded (line
 * ends dropped, RFC 5322 2.2.3), then folded again with CRLF SP in place of
 * single spaces (never one after a backslash, which would split a
 * quoted-pair) when a line would pass FOLD_WIDTH.  Unfolding the result
 * gives the unfolded text back byte for byte; relaxed canonicalization
 * (RFC 6376 3.4.2) sees the same either way.
 */
static void fold_words(ik_buf *o, size_t col, ik_str text)
{
    ik_buf u;
    ik_buf_init(&u, o->arena, 0);
    for (size_t i = 0; i < text.len; i++)
        if (text.p[i] != '\r' && text.p[i] != '\n')
            ik_buf_putc(&u, text.p[i]);
    if (ik_buf_error(&u) != IK_OK) {
        o->err = o->err ? o->err : ik_buf_error(&u);
        return;
    }
    const char *p = u.p;
    size_t len = u.len, i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    int first = 1;
    while (i < len) {
        size_t j = i;
        while (j < len && !(p[j] == ' ' && j > i && p[j - 1] != '\\'))
            j++;
        size_t w = j - i;
        if (!first && col + 1 + w > FOLD_WIDTH) {
            ik_buf_append(o, "\r\n ", 3);
            col = 1;
        } else {
            ik_buf_putc(o, ' ');
            col++;
        }
        ik_buf_append(o, p + i, w);
        col += w;
        first = 0;
        i = j < len ? j + 1 : j;
    }
}

static ik_str b64(ik_arena *a, const unsigned char *p, size_t n)
{
    ik_buf b;
    ik_buf_init(&b, a, 0);
    ik_base64_encode_buf(&b, p, n);
    return ik_buf_error(&b) == IK_OK ? ik_buf_str(&b) : IK_STR_NULL;
}

/* "Name:" + folded tags; b_at receives where the b= value goes in the
 * unfolded single-line form "Name: tags". */
static ik_status sign_field(ik_arc_sealer *s, const char *name, ik_str tags_before_b,
                            ik_str tags_after_b, const unsigned char *digest, ik_str *field)
{
    ik_hash_alg halg = ik_dkim_alg_hash(s->p.alg);
    ik_buf sig;
    ik_buf_init(&sig, s->a, 0);
    ik_status st = ik_pkey_sign(s->p.key, halg, digest, ik_hash_size(halg), &sig);
    if (st != IK_OK)
        return st;
    ik_str bv = b64(s->a, (const unsigned char *)sig.p, sig.len);
    if (bv.p == NULL)
        return IK_ENOMEM;
    ik_buf text;
    ik_buf_init(&text, s->a, 0);
    ik_buf_append_str(&text, tags_before_b);
    ik_buf_append_str(&text, bv);
    ik_buf_append_str(&text, tags_after_b);
    ik_buf o;
    ik_buf_init(&o, s->a, 0);
    ik_buf_append_c(&o, name);
    ik_buf_putc(&o, ':');
    if (ik_buf_error(&text) != IK_OK)
        return ik_buf_error(&text);
    fold_words(&o, strlen(name) + 1, ik_buf_str(&text));
    if (ik_buf_error(&o) != IK_OK)
        return ik_buf_error(&o);
    *field = ik_buf_str(&o);
    return IK_OK;
}

static ik_status seal_eom(ik_arc_sealer *s)
{
    if (s->instance == 0)
        return IK_OK;
    const ik_arc_seal_params *p = &s->p;
    ik_arena *a = s->a;
    ik_hash_alg halg = ik_dkim_alg_hash(p->alg);
    const char *alg = ik_dkim_alg_name(p->alg);
    ik_status st = ik_dkim_body_final(s->body);
    unsigned char bh[IK_HASH_MAX_SIZE];
    if (st == IK_OK)
        st = ik_dkim_body_digest(s->body, s->tap, bh);
    if (st != IK_OK)
        return st;
    ik_str bhv = b64(a, bh, ik_hash_size(halg));
    if (bhv.p == NULL)
        return IK_ENOMEM;

    /* AAR (RFC 8617 4.1.1). */
    ik_buf aar;
    ik_buf_init(&aar, a, 0);
    ik_buf_append_c(&aar, "ARC-Authentication-Results:");
    char *pre = ik_arena_printf(a, "i=%u; ", s->instance);
    ik_buf t;
    ik_buf_init(&t, a, 0);
    ik_buf_append_c(&t, pre ? pre : "");
    ik_buf_append_str(&t, p->authres);
    if (pre == NULL || ik_buf_error(&t) != IK_OK)
        return IK_ENOMEM;
    fold_words(&aar, strlen("ARC-Authentication-Results:"), ik_buf_str(&t));
    if (ik_buf_error(&aar) != IK_OK)
        return ik_buf_error(&aar);
    s->out[2] = ik_buf_str(&aar);

    /* AMS (RFC 8617 4.1.2): hash with an empty b=, as one line. */
    ik_buf hl;
    ik_buf_init(&hl, a, 0);
    for (size_t i = 0; i < s->nh; i++) {
        if (i)
            ik_buf_putc(&hl, ':');
        ik_buf_append_str(&hl, s->h[i]);
    }
    char *before = ik_arena_printf(a, "a=%s; b=", alg);
    char *after = ik_arena_printf(
        a, "; bh=%.*s; c=relaxed/relaxed; d=%.*s; h=%.*s; i=%u; s=%.*s; t=%lld", (int)bhv.len,
        bhv.p, (int)p->domain.len, p->domain.p, (int)hl.len, hl.p ? hl.p : "", s->instance,
        (int)p->selector.len, p->selector.p, (long long)p->timestamp);
    if (before == NULL || after == NULL || ik_buf_error(&hl) != IK_OK)
        return IK_ENOMEM;
    char *unsigned_ams = ik_arena_printf(a, "ARC-Message-Signature: %s%s", before, after);
    if (unsigned_ams == NULL)
        return IK_ENOMEM;
    size_t b_at = strlen("ARC-Message-Signature: ") + strlen(before);
    ik_hash *h = ik_hash_new_arena(a, halg);
    unsigned char *used = ik_arena_alloc(a, s->nhdrs ? s->nhdrs : 1);
    if (h == NULL || used == NULL)
        return IK_ENOMEM;
    unsigned char digest[IK_HASH_MAX_SIZE];
    st = ik__dkim_hash_headers(h, IK_DKIM_CANON_RELAXED, s->hdrs, s->nhdrs, s->h, s->nh,
                               ik_str_c(unsigned_ams), b_at, b_at, used, &s->scratch);
    if (st == IK_OK)
        st = ik_hash_final(h, digest);
    if (st == IK_OK)
        st = sign_field(s, "ARC-Message-Signature", ik_str_c(before), ik_str_c(after), digest,
                        &s->out[1]);
    if (st != IK_OK)
        return st;

    /* AS (RFC 8617 4.1.3, 5.1.1, 5.1.2). */
    before = ik_arena_printf(a, "a=%s; b=", alg);
    after = ik_arena_printf(a, "; cv=%s; d=%.*s; i=%u; s=%.*s; t=%lld", ik_arc_cv_name(p->cv),
                            (int)p->domain.len, p->domain.p, s->instance, (int)p->selector.len,
                            p->selector.p, (long long)p->timestamp);
    if (before == NULL || after == NULL)
        return IK_ENOMEM;
    char *unsigned_as = ik_arena_printf(a, "ARC-Seal: %s%s", before, after);
    if (unsigned_as == NULL)
        return IK_ENOMEM;
    b_at = strlen("ARC-Seal: ") + strlen(before);
    ik_str aars[IK_ARC_MAX_INSTANCES], amss[IK_ARC_MAX_INSTANCES], ass[IK_ARC_MAX_INSTANCES];
    unsigned count = 0;
    if (p->cv != IK_ARC_CV_FAIL) {
        for (unsigned i = 1; i < s->instance; i++, count++) {
            aars[count] = s->chain.set[i][IK__ARC_AAR]->raw;
            amss[count] = s->chain.set[i][IK__ARC_AMS]->raw;
            ass[count] = s->chain.set[i][IK__ARC_AS]->raw;
        }
    }
    aars[count] = s->out[2];
    amss[count] = s->out[1];
    ass[count] = ik_str_c(unsigned_as);
    count++;
    st = ik_hash_reset(h);
    if (st == IK_OK)
        st = ik__arc_seal_hash(h, aars, amss, ass, count, b_at, b_at, &s->scratch);
    if (st == IK_OK)
        st = ik_hash_final(h, digest);
    if (st == IK_OK)
        st = sign_field(s, "ARC-Seal", ik_str_c(before), ik_str_c(after), digest, &s->out[0]);
    return st;
}

ik_status ik_arc_seal_eom(ik_arc_sealer *s)
{
    if (s->state == S_HEADERS) {
        ik_status st = ik_arc_seal_eoh(s);
        if (st != IK_OK)
            return st;
    }
    if (s->err != IK_OK)
        return s->err;
    if (s->state != S_BODY)
        return IK_ESTATE;
    ik_status st = seal_fail(s, seal_eom(s));
    if (st == IK_OK)
        s->state = S_DONE; /* the fields exist only after a complete eom */
    return st;
}

unsigned ik_arc_seal_fields(const ik_arc_sealer *s, ik_str out[3])
{
    for (int i = 0; i < 3; i++)
        out[i] = s->state == S_DONE ? s->out[i] : IK_STR_NULL;
    return s->state == S_DONE ? s->instance : 0;
}
