/*
 * sign.c - the DKIM signer (RFC 6376 5): several signatures (typically
 * rsa-sha256 and ed25519-sha256, RFC 8463) made in one pass over the
 * message, sharing the body canonicalizers.
 *
 * Output field layout, tag order v a c d i q s t x l h bh b, with "; "
 * between tags and " : " between h= names, folded at 78 columns at spaces
 * only; b= is appended last and folded anywhere (its value is deleted
 * before hashing, RFC 6376 3.7, so its folding never matters).  This is the
 * layout of RFC 8463 A.3, so signing unsigned.eml with the RFC's key,
 * timestamp and tags reproduces its b= values byte for byte.
 * Ownership: the signer lives in the caller's arena; keys are borrowed.
 * Threads: one signer per thread at a time.
 * Limits: IK_DKIM_SIGN_MAX signatures per message, IK_DKIM_MAX_H names.
 */
#include <string.h>
#include <time.h>

#include "dkim_int.h"
#include "inkan/base64.h"

#define IK_DKIM_SIGN_MAX 8
#define FOLD_WIDTH 78

typedef struct ssig {
    ik_dkim_sign_params p;
    ik_str *h;
    size_t nh;
    size_t tap;
    ik_str field;
} ssig;

enum { S_SETUP, S_HEADERS, S_BODY, S_DONE };

struct ik_dkim_signer {
    ik_arena *a;
    int state;
    ssig sigs[IK_DKIM_SIGN_MAX];
    size_t n;
    ik__dkim_hdr *hdrs;
    size_t nhdrs, caphdrs;
    ik_dkim_body *body[2];
    ik_buf scratch;
};

/* Signed once per occurrence plus once more, so none can be added. */
static const char *const oversign[] = {
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "reply-to",
    "sender",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
};
/* Signed when present only: lists and resenders add them legitimately. */
static const char *const if_present[] = {
    "list-id",   "list-help",  "list-unsubscribe",  "list-unsubscribe-post", "list-subscribe",
    "list-post", "list-owner", "list-archive",      "resent-date",           "resent-from",
    "resent-to", "resent-cc",  "resent-message-id",
};

void ik_dkim_sign_params_init(ik_dkim_sign_params *p)
{
    memset(p, 0, sizeof(*p));
    p->alg = IK_DKIM_ALG_RSA_SHA256;
    p->hcanon = IK_DKIM_CANON_RELAXED;
    p->bcanon = IK_DKIM_CANON_RELAXED;
    p->timestamp = -1;
}

ik_dkim_signer *ik_dkim_sign_new(ik_arena *a)
{
    ik_dkim_signer *s = ik_arena_calloc(a, 1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->a = a;
    ik_buf_init(&s->scratch, a, 0);
    return s;
}

ik_status ik_dkim_sign_add(ik_dkim_signer *s, const ik_dkim_sign_params *p)
{
    if (s->state != S_SETUP)
        return IK_ESTATE;
    if (s->n == IK_DKIM_SIGN_MAX)
        return IK_ELIMIT;
    if (p->key == NULL || !ik_pkey_has_private(p->key) || p->alg == IK_DKIM_ALG_RSA_SHA1
        || /* RFC 8301 3.1: signers MUST NOT */
        ik_pkey_type(p->key) != ik_dkim_alg_key(p->alg) || !ik__dkim_domain_ok(p->domain, 0)
        || !ik__dkim_domain_ok(p->selector, 1))
        return IK_EINVAL;
    if (p->alg != IK_DKIM_ALG_RSA_SHA256 && p->alg != IK_DKIM_ALG_ED25519_SHA256)
        return IK_EINVAL;
    ssig *g = &s->sigs[s->n];
    memset(g, 0, sizeof(*g));
    g->p = *p;
    g->p.domain = ik_arena_strdup_str(s->a, p->domain);
    g->p.selector = ik_arena_strdup_str(s->a, p->selector);
    g->p.identity = p->identity.len ? ik_arena_strdup_str(s->a, p->identity) : IK_STR_NULL;
    g->p.headers = p->headers ? ik_arena_strndup(s->a, p->headers, strlen(p->headers)) : NULL;
    if (!g->p.domain.p || !g->p.selector.p || (p->identity.len && !g->p.identity.p)
        || (p->headers && !g->p.headers))
        return IK_ENOMEM;
    if (g->p.identity.len) {
        /* RFC 6376 3.5: the i= domain is d= or a subdomain of it. */
        long at = -1;
        for (size_t i = 0; i < g->p.identity.len; i++)
            if (g->p.identity.p[i] == '@')
                at = (long)i;
        if (at < 0)
            return IK_EINVAL;
        ik_str dom = ik_str_make(g->p.identity.p + at + 1, g->p.identity.len - (size_t)at - 1);
        size_t dl = g->p.domain.len;
        if (dom.len < dl || !ik_str_caseeq(ik_str_make(dom.p + dom.len - dl, dl), g->p.domain)
            || (dom.len > dl && dom.p[dom.len - dl - 1] != '.'))
            return IK_EINVAL;
    }
    if (g->p.timestamp < 0)
        g->p.timestamp = (int64_t)time(NULL);
    s->n++;
    return IK_OK;
}

ik_status ik_dkim_sign_header(ik_dkim_signer *s, const char *field, size_t len)
{
    if (s->state == S_SETUP)
        s->state = S_HEADERS;
    if (s->state != S_HEADERS)
        return IK_ESTATE;
    if (s->nhdrs == IK_DKIM_MAX_HEADERS)
        return IK_ELIMIT;
    ik_str raw = ik__dkim_strip_eol(ik_str_make(field, len));
    return ik__dkim_hdr_push(s->a, &s->hdrs, &s->nhdrs, &s->caphdrs, raw);
}

/* Index of name in the default lists (oversign, then if_present), or -1. */
static int default_index(ik_str name)
{
    static const size_t nover = sizeof(oversign) / sizeof(oversign[0]);
    static const size_t nif = sizeof(if_present) / sizeof(if_present[0]);
    for (size_t k = 0; k < nover + nif; k++) {
        const char *d = k < nover ? oversign[k] : if_present[k - nover];
        size_t i = 0;
        /* The list is lowercase: one pass compares and checks the length. */
        for (; i < name.len && d[i]; i++) {
            unsigned char c = (unsigned char)name.p[i];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)d[i])
                break;
        }
        if (i == name.len && d[i] == '\0')
            return (int)k;
    }
    return -1;
}

static ik_status build_h(ik_dkim_signer *s, ssig *g)
{
    ik_str *h = ik_arena_alloc(s->a, IK_DKIM_MAX_H * sizeof(*h));
    if (h == NULL)
        return IK_ENOMEM;
    size_t n = 0;
    int from = 0;
    if (g->p.headers != NULL) {
        ik_str list = ik_str_c(g->p.headers);
        size_t start = 0;
        for (size_t i = 0; i <= list.len; i++) {
            if (i < list.len && list.p[i] != ':')
                continue;
            ik_str name = ik_str_trim(ik_str_make(list.p + start, i - start));
            start = i + 1;
            if (name.len == 0)
                continue;
            if (n == IK_DKIM_MAX_H)
                return IK_ELIMIT;
            h[n++] = name;
            from |= ik_str_caseeq_c(name, "from");
        }
    } else {
        /* One pass over the fields counts each default name. */
        enum {
            NOVER = sizeof(oversign) / sizeof(oversign[0]),
            NIF = sizeof(if_present) / sizeof(if_present[0])
        };
        size_t count[NOVER + NIF] = { 0 };
        for (size_t i = 0; i < s->nhdrs; i++) {
            int k = default_index(s->hdrs[i].name);
            if (k >= 0)
                count[k]++;
        }
        for (size_t k = 0; k < NOVER; k++) {
            ik_str name = ik_str_c(oversign[k]);
            for (size_t j = 0; j < count[k] + 1 && n < IK_DKIM_MAX_H; j++)
                h[n++] = name;
        }
        for (size_t k = 0; k < NIF; k++) {
            ik_str name = ik_str_c(if_present[k]);
            for (size_t j = 0; j < count[NOVER + k] && n < IK_DKIM_MAX_H; j++)
                h[n++] = name;
        }
        from = 1; /* oversign starts with it */
    }
    if (!from)
        return IK_EINVAL; /* RFC 6376 5.4: From MUST be signed */
    g->h = h;
    g->nh = n;
    return IK_OK;
}

ik_status ik_dkim_sign_eoh(ik_dkim_signer *s)
{
    if (s->state != S_HEADERS && s->state != S_SETUP)
        return IK_ESTATE;
    if (s->n == 0)
        return IK_EINVAL;
    s->state = S_BODY;
    for (size_t i = 0; i < s->n; i++) {
        ssig *g = &s->sigs[i];
        ik_status st = build_h(s, g);
        if (st != IK_OK)
            return st;
        int c = (int)g->p.bcanon;
        if (s->body[c] == NULL) {
            s->body[c] = ik_dkim_body_new(s->a, g->p.bcanon);
            if (s->body[c] == NULL)
                return IK_ENOMEM;
        }
        st = ik_dkim_body_add_hash(s->body[c], IK_HASH_SHA256, IK_DKIM_NO_LIMIT, &g->tap);
        if (st != IK_OK)
            return st;
    }
    return IK_OK;
}

ik_status ik_dkim_sign_body(ik_dkim_signer *s, const void *p, size_t len)
{
    if (s->state != S_BODY)
        return IK_ESTATE;
    for (int c = 0; c < 2; c++) {
        if (s->body[c] == NULL)
            continue;
        ik_status st = ik_dkim_body_update(s->body[c], p, len);
        if (st != IK_OK)
            return st;
    }
    return IK_OK;
}

/* Appends item, preceded by a space or, past the width, a fold. */
static void fold_add(ik_buf *b, size_t *col, const char *item, size_t len)
{
    char *d = ik_buf_reserve(b, len + 3);
    if (d == NULL)
        return;
    size_t n = 0;
    if (*col + 1 + len > FOLD_WIDTH) {
        memcpy(d, "\r\n ", 3);
        n = 3;
        *col = 1;
    } else {
        d[n++] = ' ';
        (*col)++;
    }
    memcpy(d + n, item, len);
    ik_buf_commit(b, n + len);
    *col += len;
}

/* Appends the item "<tag><value>;" (tag includes its "="), folded as
 * fold_add; a value longer than any the signer makes fails the buffer. */
static void fold_tag(ik_buf *b, size_t *col, const char *tag, size_t tlen, const char *v,
                     size_t vlen)
{
    char item[512];
    if (tlen + vlen + 1 > sizeof(item)) {
        b->err = b->err ? b->err : IK_ELIMIT;
        return;
    }
    memcpy(item, tag, tlen);
    if (vlen)
        memcpy(item + tlen, v, vlen);
    item[tlen + vlen] = ';';
    fold_add(b, col, item, tlen + vlen + 1);
}

/* Decimal digits of x into out (at least 20 octets); returns the length. */
static size_t u64_dec(uint64_t x, char *out)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static void fold_num(ik_buf *b, size_t *col, const char *tag, uint64_t x)
{
    char num[20];
    fold_tag(b, col, tag, 2, num, u64_dec(x, num));
}

static ik_status sign_one(ik_dkim_signer *s, ssig *g, unsigned char *used)
{
    ik_dkim_body *body = s->body[g->p.bcanon];
    unsigned char bh[IK_HASH_MAX_SIZE];
    ik_status st = ik_dkim_body_digest(body, g->tap, bh);
    if (st != IK_OK)
        return st;
    char bh64[64];
    size_t bhlen = ik_base64_encode(bh, 32, bh64, sizeof(bh64));

    /* Room for the tags and h= of a usual signature and an RSA-4096 b=,
     * so the field is not moved while it grows. */
    ik_buf f;
    ik_buf_init(&f, s->a, 0);
    (void)ik_buf_reserve(&f, 2048);
    size_t col = 15;
    ik_buf_append(&f, "DKIM-Signature:", 15);
    static const char *const cn[2] = { "simple", "relaxed" };
    fold_add(&f, &col, "v=1;", 4);
    const char *alg = ik_dkim_alg_name(g->p.alg);
    fold_tag(&f, &col, "a=", 2, alg, strlen(alg));
    {
        char c[16];
        size_t hl = strlen(cn[g->p.hcanon]), bl = strlen(cn[g->p.bcanon]);
        memcpy(c, cn[g->p.hcanon], hl);
        c[hl] = '/';
        memcpy(c + hl + 1, cn[g->p.bcanon], bl);
        fold_tag(&f, &col, "c=", 2, c, hl + 1 + bl);
    }
    fold_tag(&f, &col, "d=", 2, g->p.domain.p, g->p.domain.len);
    if (g->p.identity.len)
        fold_tag(&f, &col, "i=", 2, g->p.identity.p, g->p.identity.len);
    if (g->p.query_tag)
        fold_add(&f, &col, "q=dns/txt;", 10);
    fold_tag(&f, &col, "s=", 2, g->p.selector.p, g->p.selector.len);
    if (g->p.timestamp < 0) {
        /* Not made by ik_dkim_sign_add, which sets the clock's time. */
        char num[21];
        num[0] = '-';
        size_t n = u64_dec((uint64_t)0 - (uint64_t)g->p.timestamp, num + 1);
        fold_tag(&f, &col, "t=", 2, num, n + 1);
    } else {
        fold_num(&f, &col, "t=", (uint64_t)g->p.timestamp);
    }
    if (g->p.expire_after)
        fold_num(&f, &col, "x=", (uint64_t)g->p.timestamp + g->p.expire_after);
    if (g->p.body_length)
        fold_num(&f, &col, "l=", ik_dkim_body_length(body));
    for (size_t i = 0; i < g->nh; i++) {
        /* "h=name :" items, built by hand: a long over-signing list would
         * otherwise be most of the formatting work. */
        char item[512];
        size_t n = 0;
        if (g->h[i].len + 4 > sizeof(item)) {
            f.err = f.err ? f.err : IK_ELIMIT;
            break;
        }
        if (i == 0) {
            memcpy(item, "h=", 2);
            n = 2;
        }
        memcpy(item + n, g->h[i].p, g->h[i].len);
        n += g->h[i].len;
        if (i + 1 == g->nh) {
            item[n++] = ';';
        } else {
            memcpy(item + n, " :", 2);
            n += 2;
        }
        fold_add(&f, &col, item, n);
    }
    fold_tag(&f, &col, "bh=", 3, bh64, bhlen);
    fold_add(&f, &col, "b=", 2);
    if (ik_buf_error(&f) != IK_OK)
        return ik_buf_error(&f);

    /* RFC 6376 3.7 / 5.5: header hash, the new field last with empty b=.
     * The body tap's hash has its digest saved, so it makes this one. */
    ik_hash_alg halg = ik_dkim_alg_hash(g->p.alg);
    ik_hash *h = ik__dkim_body_tap_hash(body, g->tap);
    if (h != NULL && ik_hash_get_alg(h) == halg)
        st = ik_hash_reset(h);
    else if ((h = ik_hash_new_arena(s->a, halg)) == NULL)
        return IK_ENOMEM;
    if (st == IK_OK)
        st = ik__dkim_hash_headers(h, g->p.hcanon, s->hdrs, s->nhdrs, g->h, g->nh, ik_buf_str(&f),
                                   f.len, f.len, used, &s->scratch);
    unsigned char digest[IK_HASH_MAX_SIZE];
    if (st == IK_OK)
        st = ik_hash_final(h, digest);
    ik_buf sig;
    ik_buf_init(&sig, s->a, 0);
    if (st == IK_OK)
        st = ik_pkey_sign(g->p.key, halg, digest, ik_hash_size(halg), &sig);
    if (st != IK_OK)
        return st;
    char b64[(IK_PKEY_MAX_SIG + 2) / 3 * 4 + 1];
    size_t b64len = ik_base64_encode(sig.p, sig.len, b64, sizeof(b64));
    if (b64len == 0)
        return IK_ELIMIT;
    for (size_t off = 0; off < b64len;) {
        if (col >= FOLD_WIDTH) {
            ik_buf_append(&f, "\r\n ", 3);
            col = 1;
        }
        size_t take = FOLD_WIDTH - col;
        if (take > b64len - off)
            take = b64len - off;
        ik_buf_append(&f, b64 + off, take);
        col += take;
        off += take;
    }
    if (ik_buf_error(&f) != IK_OK)
        return ik_buf_error(&f);
    g->field = ik_buf_str(&f);
    return IK_OK;
}

ik_status ik_dkim_sign_eom(ik_dkim_signer *s)
{
    if (s->state == S_HEADERS || s->state == S_SETUP) {
        ik_status st = ik_dkim_sign_eoh(s);
        if (st != IK_OK)
            return st;
    }
    if (s->state != S_BODY)
        return IK_ESTATE;
    for (int c = 0; c < 2; c++) {
        if (s->body[c] == NULL)
            continue;
        ik_status st = ik_dkim_body_final(s->body[c]);
        if (st != IK_OK)
            return st;
    }
    unsigned char *used = ik_arena_alloc(s->a, s->nhdrs ? s->nhdrs : 1);
    if (used == NULL)
        return IK_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        ik_status st = sign_one(s, &s->sigs[i], used);
        if (st != IK_OK)
            return st;
    }
    s->state = S_DONE;
    return IK_OK;
}

ik_str ik_dkim_sign_field(const ik_dkim_signer *s, size_t i)
{
    if (s->state != S_DONE || i >= s->n)
        return IK_STR_NULL;
    return s->sigs[i].field;
}
