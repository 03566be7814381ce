/*
 * ik_dkim_fixture.h - test-only helpers shared by the DKIM unit tests and
 * the DKIM conformance runner: an in-memory TXT table served through the
 * ik_resolver_ops interface, file reading with LF -> CRLF conversion, and a
 * driver that feeds a message to the verifier in milter order with a chosen
 * body chunk size.  Header-only (static functions), single-threaded tests.
 */
#ifndef IK_DKIM_FIXTURE_H
#define IK_DKIM_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inkan/dkim.h"
#include "inkan/dns.h"

typedef enum fx_kind { FX_TXT, FX_NXDOMAIN, FX_SERVFAIL, FX_TIMEOUT } fx_kind;

typedef struct fx_rec {
    char *name;
    fx_kind kind;
    char *txt;
    size_t txtlen;
} fx_rec;

typedef struct fx_zone {
    fx_rec *recs;
    size_t n, cap;
    size_t queries; /* resolve calls, for cache tests */
} fx_zone;

static inline void fx_zone_add(fx_zone *z, const char *name, fx_kind kind, const char *txt,
                               size_t len)
{
    if (z->n == z->cap) {
        z->cap = z->cap ? z->cap * 2 : 16;
        z->recs = realloc(z->recs, z->cap * sizeof(*z->recs));
        if (z->recs == NULL)
            abort();
    }
    fx_rec *r = &z->recs[z->n++];
    r->name = strdup(name);
    r->kind = kind;
    r->txt = malloc(len + 1);
    if (r->name == NULL || r->txt == NULL)
        abort();
    memcpy(r->txt, txt, len);
    r->txt[len] = '\0';
    r->txtlen = len;
}

static inline void fx_zone_free(fx_zone *z)
{
    for (size_t i = 0; i < z->n; i++) {
        free(z->recs[i].name);
        free(z->recs[i].txt);
    }
    free(z->recs);
    memset(z, 0, sizeof(*z));
}

/* Reads "name<ws>content" lines (SOURCE.md format).  0 on success. */
static inline int fx_zone_load(fx_zone *z, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#' || line[0] == ';')
            continue;
        char *p = line;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p == '\0')
            continue;
        *p++ = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (strcmp(p, "NXDOMAIN") == 0)
            fx_zone_add(z, line, FX_NXDOMAIN, "", 0);
        else if (strcmp(p, "~~SERVFAIL~~") == 0)
            fx_zone_add(z, line, FX_SERVFAIL, "", 0);
        else if (strcmp(p, "~~Query timed out~~") == 0)
            fx_zone_add(z, line, FX_TIMEOUT, "", 0);
        else if (strcmp(p, "\"\"") == 0)
            fx_zone_add(z, line, FX_TXT, "", 0);
        else
            fx_zone_add(z, line, FX_TXT, p, strlen(p));
    }
    free(line);
    fclose(f);
    return 0;
}

static inline ik_status fx_resolve(void *self, ik_arena *a, ik_dns_query *q)
{
    fx_zone *z = self;
    z->queries++;
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NXDOMAIN);
    if (ans == NULL)
        return IK_ENOMEM;
    ans->ttl = 300;
    for (size_t i = 0; i < z->n; i++) {
        fx_rec *r = &z->recs[i];
        if (!ik_str_caseeq(ik_str_c(r->name), q->name))
            continue;
        if (r->kind == FX_NXDOMAIN)
            break;
        if (r->kind == FX_SERVFAIL || r->kind == FX_TIMEOUT) {
            ans->status = IK_DNS_TEMPFAIL;
            break;
        }
        if (q->type != IK_DNS_T_TXT) {
            ans->status = IK_DNS_NODATA;
            continue;
        }
        /* Wire RDATA: 255-octet character-strings, so long keys arrive
         * split and the joining code is exercised. */
        size_t nstr = r->txtlen / 255 + 1;
        uint8_t *rd = ik_arena_alloc(a, r->txtlen + nstr);
        if (rd == NULL)
            return IK_ENOMEM;
        size_t o = 0;
        for (size_t off = 0; off < r->txtlen || o == 0; off += 255) {
            size_t take = r->txtlen - off > 255 ? 255 : r->txtlen - off;
            rd[o++] = (uint8_t)take;
            memcpy(rd + o, r->txt + off, take);
            o += take;
            if (take < 255)
                break;
        }
        ik_status st = ik_dns_answer_add_rdata(a, ans, IK_DNS_T_TXT, 300, rd, o);
        if (st != IK_OK)
            return st;
    }
    q->answer = ans;
    return IK_OK;
}

static const ik_resolver_ops fx_resolver_ops = {
    "fixture", fx_resolve, NULL, NULL, NULL, NULL, NULL
};

/* Whole file; LF not preceded by CR becomes CRLF (as an MTA reads mail). */
static inline char *fx_read_crlf(const char *path, size_t *outlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *raw = malloc(cap);
    size_t n;
    while (raw && (n = fread(raw + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            raw = realloc(raw, cap);
        }
    }
    fclose(f);
    if (raw == NULL)
        return NULL;
    char *out = malloc(len * 2 + 1);
    size_t o = 0;
    for (size_t i = 0; out && i < len; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = raw[i];
    }
    free(raw);
    if (out)
        out[o] = '\0';
    *outlen = o;
    return out;
}

/*
 * Splits msg into header fields and body and feeds v.  The body goes in
 * chunks of chunk bytes (0: all at once).  Answers queries from r.
 * Returns the final status of eom.
 */
static inline ik_status fx_verify_message(ik_dkim_verifier *v, ik_arena *a, ik_resolver *r,
                                          const char *msg, size_t len, size_t chunk)
{
    size_t i = 0;
    /* An mbox "From " envelope line is not a header field. */
    if (len >= 5 && memcmp(msg, "From ", 5) == 0) {
        while (i < len && msg[i] != '\n')
            i++;
        i++;
    }
    size_t body = len;
    while (i < len) {
        if (i + 1 < len && msg[i] == '\r' && msg[i + 1] == '\n') {
            body = i + 2;
            break;
        }
        size_t start = i;
        for (;;) {
            while (i < len && msg[i] != '\n')
                i++;
            if (i < len)
                i++;
            if (i >= len || (msg[i] != ' ' && msg[i] != '\t'))
                break;
        }
        ik_status st = ik_dkim_verify_header(v, msg + start, i - start);
        if (st != IK_OK)
            return st;
    }
    ik_dns_query *q = NULL;
    ik_status st = ik_dkim_verify_eoh(v, &q);
    if (st != IK_OK && st != IK_EAGAIN)
        return st;
    /* Answer half now and half at the end, as an event loop would. */
    if (q != NULL && q->next != NULL) {
        ik_dns_query *rest = q->next;
        q->next = NULL;
        ik_resolver_answer_all(r, a, q);
        (void)rest;
    }
    if (body > len)
        body = len;
    size_t blen = len - body;
    if (chunk == 0)
        chunk = blen ? blen : 1;
    for (size_t off = 0; off < blen; off += chunk) {
        size_t take = blen - off < chunk ? blen - off : chunk;
        st = ik_dkim_verify_body(v, msg + body + off, take);
        if (st != IK_OK)
            return st;
    }
    for (;;) {
        st = ik_dkim_verify_eom(v, &q);
        if (st != IK_EAGAIN)
            return st;
        st = ik_resolver_answer_all(r, a, q);
        if (st != IK_OK)
            return st;
    }
}

#endif
