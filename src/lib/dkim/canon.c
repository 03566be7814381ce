/*
 * canon.c - DKIM canonicalization: header fields (RFC 6376 3.4.1 simple,
 * 3.4.2 relaxed) and the streaming body canonicalizer (3.4.3 simple, 3.4.4
 * relaxed) with its taps for l= (3.5), plus the header hash input (3.7).
 *
 * The body canonicalizer is a byte state machine whose only memory is: a
 * pending CR, a pending run of whitespace (relaxed), and a count of line
 * ends not yet emitted.  Line ends are always held back until content
 * follows, so trailing empty lines vanish without buffering the body, and
 * a chunk boundary anywhere (even between CR and LF) changes nothing.
 * A line end is CRLF only; a lone CR or LF is ordinary content, as RFC 6376
 * 3.4 canonicalizes lines of a CRLF message.
 *
 * Speed: whenever nothing is held back, the longest run of input that the
 * canonicalization leaves unchanged is found with a vector scan (simple:
 * all of the chunk; relaxed: up to the next TAB, or SP followed by SP, TAB
 * or CR) and passed on without the state machine: long runs are hashed in
 * place, short ones staged, and whitespace runs squeezed to one SP or
 * dropped before a CRLF on the spot.  Line ends that may be trailing, and
 * the octets at a chunk's edge, still go through the state machine, which
 * is the reference; both must agree with the model in tests/unit/dkim/test_dkim.c.
 *
 * Ownership: the canonicalizer and its hashes live in the caller's arena.
 * Threads: one canonicalizer per thread.  Limits: none needed, memory is
 * constant per canonicalizer (plus taps).
 */
#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* An AVX2 scan chosen at run time: x86-64 with GCC or clang. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CANON_AVX2 1
#include <immintrin.h>
#else
#define CANON_AVX2 0
#endif

#include "dkim_int.h"

typedef struct body_tap {
    ik_hash *hash; /* or */
    ik_buf *buf;
    uint64_t limit;
    uint64_t fed;
    unsigned char digest[IK_HASH_MAX_SIZE]; /* set by final: taps are shared */
} body_tap;

#define BODY_MAX_TAPS 32
#define BODY_STAGE 4096
/* Runs at least this long are hashed in place rather than staged. */
#define BODY_DIRECT 512

struct ik_dkim_body {
    ik_dkim_canon canon;
    ik_arena *arena;
    body_tap taps[BODY_MAX_TAPS];
    size_t ntaps;
    uint64_t length;      /* canonical octets emitted */
    uint64_t pending_eol; /* CRLFs held back */
    int cr;               /* previous byte was a CR, not yet resolved */
    int wsp;              /* relaxed: whitespace run pending on this line */
    int line_content;     /* current line has emitted content */
    int started;          /* update was called: no more taps */
    int finished;
    ik_status err; /* sticky */
    size_t nstage;
    unsigned char stage[BODY_STAGE];
};

ik_dkim_body *ik_dkim_body_new(ik_arena *a, ik_dkim_canon c)
{
    /* Only the state ahead of the stage is cleared: the stage is written
     * before it is read, and zeroing it would cost more than a small
     * message's canonicalization. */
    ik_dkim_body *b = ik_arena_alloc(a, sizeof(*b));
    if (b == NULL)
        return NULL;
    memset(b, 0, offsetof(ik_dkim_body, stage));
    b->canon = c;
    b->arena = a;
    return b;
}

ik_status ik_dkim_body_add_hash(ik_dkim_body *b, ik_hash_alg alg, uint64_t limit, size_t *tap)
{
    if (b->started)
        return IK_ESTATE;
    if (b->ntaps == BODY_MAX_TAPS)
        return IK_ELIMIT;
    ik_hash *h = ik_hash_new_arena(b->arena, alg);
    if (h == NULL)
        return IK_ENOMEM;
    b->taps[b->ntaps] = (body_tap){ h, NULL, limit, 0, { 0 } };
    *tap = b->ntaps++;
    return IK_OK;
}

ik_status ik_dkim_body_add_buf(ik_dkim_body *b, ik_buf *out, uint64_t limit, size_t *tap)
{
    if (b->started)
        return IK_ESTATE;
    if (b->ntaps == BODY_MAX_TAPS)
        return IK_ELIMIT;
    b->taps[b->ntaps] = (body_tap){ NULL, out, limit, 0, { 0 } };
    *tap = b->ntaps++;
    return IK_OK;
}

/* Feeds canonical octets to every tap, each up to its limit. */
static void body_feed(ik_dkim_body *b, const unsigned char *p, size_t n)
{
    if (n == 0 || b->err != IK_OK)
        return;
    for (size_t i = 0; i < b->ntaps; i++) {
        body_tap *t = &b->taps[i];
        if (t->fed >= t->limit)
            continue;
        uint64_t room = t->limit - t->fed;
        size_t take = room < n ? (size_t)room : n;
        if (t->hash != NULL) {
            ik_status st = ik_hash_update(t->hash, p, take);
            if (st != IK_OK)
                b->err = st;
        } else {
            ik_buf_append(t->buf, p, take);
            if (ik_buf_error(t->buf) != IK_OK)
                b->err = ik_buf_error(t->buf);
        }
        t->fed += take;
    }
}

static void body_flush(ik_dkim_body *b)
{
    size_t n = b->nstage;
    b->nstage = 0;
    body_feed(b, b->stage, n);
}

static inline void body_emit(ik_dkim_body *b, unsigned char c)
{
    if (b->nstage == BODY_STAGE)
        body_flush(b);
    b->stage[b->nstage++] = c;
    b->length++;
}

/*
 * Emits a run of canonical octets taken straight from the input: short
 * runs are staged (one hash update per BODY_STAGE octets), long ones go to
 * the taps without a copy, after whatever is staged.
 */
static void body_emit_span(ik_dkim_body *b, const unsigned char *p, size_t n)
{
    b->length += n;
    if (n < BODY_DIRECT && n <= BODY_STAGE - b->nstage) {
        memcpy(b->stage + b->nstage, p, n);
        b->nstage += n;
        return;
    }
    body_flush(b);
    body_feed(b, p, n);
}

/* Content is about to be emitted: release held-back line ends first. */
static inline void body_release_eols(ik_dkim_body *b)
{
    for (; b->pending_eol > 0; b->pending_eol--) {
        body_emit(b, '\r');
        body_emit(b, '\n');
    }
}

static inline void body_content(ik_dkim_body *b, unsigned char c)
{
    body_release_eols(b);
    if (b->wsp) {
        body_emit(b, ' '); /* RFC 6376 3.4.4: a WSP run becomes one SP */
        b->wsp = 0;
    }
    body_emit(b, c);
    b->line_content = 1;
}

static inline void body_line_end(ik_dkim_body *b)
{
    b->wsp = 0; /* relaxed: trailing WSP of a line is ignored */
    b->line_content = 0;
    b->pending_eol++;
}

/* One octet through the state machine: the reference for the fast path. */
static inline void body_step(ik_dkim_body *b, unsigned char c, int relaxed)
{
    if (b->cr) {
        b->cr = 0;
        if (c == '\n') {
            body_line_end(b);
            return;
        }
        body_content(b, '\r'); /* a lone CR is content */
    }
    if (c == '\r')
        b->cr = 1;
    else if (relaxed && (c == ' ' || c == '\t'))
        b->wsp = 1;
    else
        body_content(b, c);
}

/*
 * Relaxed body: the length of the prefix of s[0..n) that relaxed
 * canonicalization leaves as it is, judged at positions 0..n-2 (each needs
 * the octet after it), so the result is at most n - 1.  An octet changes
 * the output only if it is a TAB, or a SP followed by SP, TAB or CR (a run
 * to squeeze, or whitespace that may end a line, RFC 6376 3.4.4); a single
 * SP between other octets, line ends inside the run, lone CRs and LFs pass
 * through unchanged.  The caller trims line ends off the end of the span.
 */
static inline int relaxed_special(const unsigned char *s)
{
    return s[0] == '\t' || (s[0] == ' ' && (s[1] == ' ' || s[1] == '\t' || s[1] == '\r'));
}

/* Scalar tail (and the whole scan where no vector unit is known). */
static size_t relaxed_span_scalar(const unsigned char *s, size_t i, size_t n)
{
    for (; i + 1 < n; i++)
        if (relaxed_special(s + i))
            return i;
    return n > 0 ? n - 1 : 0;
}

#if defined(__SSE2__)
/* 16 octets a step.  Most blocks of real mail (base64 above all) hold no
 * SP or HTAB at all, which one test settles; only the others pay for the
 * look at the following octet. */
static size_t relaxed_span_sse2(const unsigned char *s, size_t n)
{
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r');
    size_t i = 0;
    for (; i + 17 <= n; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i csp = _mm_cmpeq_epi8(c, sp), ctab = _mm_cmpeq_epi8(c, tab);
        if (_mm_movemask_epi8(_mm_or_si128(csp, ctab)) == 0)
            continue;
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 1));
        __m128i next_ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(d, sp), _mm_cmpeq_epi8(d, tab)),
                                       _mm_cmpeq_epi8(d, cr));
        int m = _mm_movemask_epi8(_mm_or_si128(ctab, _mm_and_si128(csp, next_ws)));
        if (m != 0)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
    return relaxed_span_scalar(s, i, n);
}
#endif

#if CANON_AVX2
/* The same, 32 octets a step, for CPUs that have AVX2 (checked at run
 * time; the rest of the library is built for the baseline). */
__attribute__((target("avx2"))) static size_t relaxed_span_avx2(const unsigned char *s, size_t n)
{
    const __m256i sp = _mm256_set1_epi8(' '), tab = _mm256_set1_epi8('\t'),
                  cr = _mm256_set1_epi8('\r');
    size_t i = 0;
    for (; i + 33 <= n; i += 32) {
        __m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        __m256i csp = _mm256_cmpeq_epi8(c, sp), ctab = _mm256_cmpeq_epi8(c, tab);
        __m256i ws = _mm256_or_si256(csp, ctab);
        if (_mm256_testz_si256(ws, ws))
            continue;
        __m256i d = _mm256_loadu_si256((const __m256i *)(const void *)(s + i + 1));
        __m256i next_ws =
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(d, sp), _mm256_cmpeq_epi8(d, tab)),
                            _mm256_cmpeq_epi8(d, cr));
        unsigned m =
            (unsigned)_mm256_movemask_epi8(_mm256_or_si256(ctab, _mm256_and_si256(csp, next_ws)));
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
    }
    return relaxed_span_sse2(s + i, n - i) + i;
}
#endif

static size_t relaxed_span(const unsigned char *s, size_t n, int avx2)
{
#if CANON_AVX2
    if (avx2)
        return relaxed_span_avx2(s, n);
#endif
    (void)avx2;
#if defined(__SSE2__)
    return relaxed_span_sse2(s, n);
#else
    return relaxed_span_scalar(s, 0, n);
#endif
}

ik_status ik_dkim_body_update(ik_dkim_body *b, const void *p, size_t len)
{
    if (b->finished)
        return IK_ESTATE;
    b->started = 1;
    const unsigned char *s = p;
    int relaxed = b->canon == IK_DKIM_CANON_RELAXED;
#if CANON_AVX2
    int avx2 = relaxed && len >= 64 && __builtin_cpu_supports("avx2");
#else
    int avx2 = 0;
#endif
    size_t i = 0;
    while (i < len) {
        if (!b->cr && !b->wsp && b->pending_eol == 0) {
            /* Nothing held back: copy the longest run the canonicalization
             * leaves unchanged, minus the line ends (and a CR that may
             * start one) at its end, which must wait for content. */
            size_t j = relaxed ? i + relaxed_span(s + i, len - i, avx2) : len;
            if (relaxed && j < len && (s[j] == ' ' || s[j] == '\t')) {
                /* A whitespace run to squeeze or drop (RFC 6376 3.4.4). */
                size_t k = j + 1;
                while (k < len && (s[k] == ' ' || s[k] == '\t'))
                    k++;
                if (k < len && s[k] != '\r') {
                    /* Content follows on this line, so everything before
                     * the run stands, line ends included; the run is one SP. */
                    body_emit_span(b, s + i, j - i);
                    body_emit(b, ' ');
                    b->line_content = 1;
                    i = k;
                    continue;
                }
                if (k + 1 < len && s[k] == '\r' && s[k + 1] == '\n'
                    && (j == i || s[j - 1] != '\n')) {
                    /* Whitespace ending a line whose content (if any) is
                     * already out: dropped; the CRLF is looked at next. */
                    if (j > i) {
                        body_emit_span(b, s + i, j - i);
                        b->line_content = 1;
                    }
                    i = k;
                    continue;
                }
            }
            if (j > i && s[j - 1] == '\r')
                j--;
            while (j - i >= 2 && s[j - 2] == '\r' && s[j - 1] == '\n')
                j -= 2;
            if (j > i) {
                body_emit_span(b, s + i, j - i);
                b->line_content = 1;
                i = j;
                if (i == len)
                    break;
            }
        }
        unsigned char c = s[i++];
        if (relaxed && !b->cr && (c == ' ' || c == '\t')) {
            /* A whitespace run: one flag for all of it (indentation, the
             * spaces before a soft line break). */
            b->wsp = 1;
            while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
            continue;
        }
        body_step(b, c, relaxed);
    }
    body_flush(b);
    return b->err;
}

ik_status ik_dkim_body_final(ik_dkim_body *b)
{
    if (b->finished)
        return b->err;
    b->started = 1;
    if (b->cr) {
        b->cr = 0;
        body_content(b, '\r');
    }
    if (b->canon == IK_DKIM_CANON_SIMPLE) {
        /* RFC 6376 3.4.3: trailing empty lines go; the body ends in exactly
         * one CRLF, and an empty body is a single CRLF. */
        body_emit(b, '\r');
        body_emit(b, '\n');
    } else if (b->line_content || b->length > 0) {
        /* RFC 6376 3.4.4: a non-empty body ends in CRLF (added when
         * missing); an empty body stays empty. */
        body_emit(b, '\r');
        body_emit(b, '\n');
    }
    b->pending_eol = 0;
    b->wsp = 0;
    body_flush(b);
    b->finished = 1;
    /* Final once here: several signatures may read the same tap. */
    for (size_t i = 0; i < b->ntaps && b->err == IK_OK; i++)
        if (b->taps[i].hash != NULL)
            b->err = ik_hash_final(b->taps[i].hash, b->taps[i].digest);
    return b->err;
}

ik_status ik_dkim_body_digest(const ik_dkim_body *b, size_t tap,
                              unsigned char out[IK_HASH_MAX_SIZE])
{
    if (!b->finished || tap >= b->ntaps || b->taps[tap].hash == NULL)
        return IK_ESTATE;
    if (b->err != IK_OK)
        return b->err;
    memcpy(out, b->taps[tap].digest, ik_hash_size(ik_hash_get_alg(b->taps[tap].hash)));
    return IK_OK;
}

ik_hash *ik__dkim_body_tap_hash(ik_dkim_body *b, size_t tap)
{
    if (!b->finished || b->err != IK_OK || tap >= b->ntaps)
        return NULL;
    return b->taps[tap].hash;
}

uint64_t ik_dkim_body_length(const ik_dkim_body *b)
{
    return b->length;
}

/* ---- header fields ------------------------------------------------------ */

static int is_wsp(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* Octet classes for relaxed header canonicalization: 1 for WSP, 2 for CR
 * and LF (removed by unfolding), 0 for the rest. */
static const unsigned char hdr_class[256] = {
    ['\t'] = 1,
    [' '] = 1,
    ['\r'] = 2,
    ['\n'] = 2,
};

static inline unsigned char ascii_lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

ik_str ik__dkim_strip_eol(ik_str f)
{
    if (f.len >= 2 && f.p[f.len - 2] == '\r' && f.p[f.len - 1] == '\n')
        f.len -= 2;
    else if (f.len >= 1 && f.p[f.len - 1] == '\n')
        f.len -= 1;
    return f;
}

ik_status ik__dkim_hdr_init(ik__dkim_hdr *h, ik_str raw)
{
    const char *colon = raw.len ? memchr(raw.p, ':', raw.len) : NULL;
    if (colon == NULL || colon == raw.p)
        return IK_ESYNTAX;
    size_t n = (size_t)(colon - raw.p);
    while (n > 0 && is_wsp((unsigned char)raw.p[n - 1]))
        n--;
    if (n == 0)
        return IK_ESYNTAX;
    h->raw = raw;
    h->name = ik_str_make(raw.p, n);
    return IK_OK;
}

ik_status ik__dkim_hdr_push(ik_arena *a, ik__dkim_hdr **arr, size_t *n, size_t *cap, ik_str raw)
{
    ik__dkim_hdr h;
    if (ik__dkim_hdr_init(&h, raw) != IK_OK)
        return IK_ESYNTAX;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        ik__dkim_hdr *na = ik_arena_alloc(a, nc * sizeof(*na));
        if (na == NULL)
            return IK_ENOMEM;
        if (*n)
            memcpy(na, *arr, *n * sizeof(*na));
        *arr = na;
        *cap = nc;
    }
    ik_str copy = ik_arena_strdup_str(a, raw);
    if (copy.p == NULL)
        return IK_ENOMEM;
    /* the name as found in raw, moved to the copy */
    (*arr)[(*n)++] = (ik__dkim_hdr){ copy, ik_str_make(copy.p, h.name.len) };
    return IK_OK;
}

/*
 * RFC 6376 3.4.2 of src[0..len) (no final CRLF) into dst, without the
 * CRLF: lowercase name, unfold, WSP runs to one SP, no WSP at the end of
 * the value or around the colon.  Returns the output length.  When src
 * holds a colon the output is never longer than the input, and every
 * octet is written at or before the position it was read from, so dst may
 * be src itself (canonicalization in place).
 */
static size_t canon_relaxed(char *dst, const char *src, size_t len)
{
    const char *colon = len ? memchr(src, ':', len) : NULL;
    size_t nend = colon ? (size_t)(colon - src) : len;
    size_t nlen = nend;
    while (nlen > 0 && hdr_class[(unsigned char)src[nlen - 1]])
        nlen--;
    for (size_t i = 0; i < nlen; i++)
        dst[i] = (char)ascii_lower((unsigned char)src[i]);
    size_t w = nlen;
    dst[w++] = ':';
    if (colon == NULL)
        return w;
    /* The value: octets other than WSP, CR and LF copied, one SP written
     * where whitespace (or a fold) separated two of them; line breaks go
     * (unfolding), leading and trailing whitespace too.  Octet by octet:
     * the runs between spaces are too short for a call each. */
    int pend = 0, any = 0;
    for (size_t i = nend + 1; i < len; i++) {
        unsigned char ch = (unsigned char)src[i];
        unsigned char cls = hdr_class[ch];
        if (cls == 0) {
            if (pend)
                dst[w++] = ' ';
            dst[w++] = (char)ch;
            pend = 0;
            any = 1;
        } else if (cls == 1) {
            pend = any;
        }
    }
    return w;
}

ik_status ik_dkim_canon_header(ik_dkim_canon c, ik_str field, ik_buf *out)
{
    field = ik__dkim_strip_eol(field);
    /* Simple (RFC 6376 3.4.1) leaves the field as it is; relaxed output
     * is at most one octet (a missing colon) longer. */
    char *d = ik_buf_reserve(out, field.len + 3);
    if (d == NULL)
        return ik_buf_error(out);
    size_t n;
    if (c == IK_DKIM_CANON_SIMPLE) {
        if (field.len)
            memcpy(d, field.p, field.len);
        n = field.len;
    } else {
        n = canon_relaxed(d, field.p, field.len);
    }
    d[n++] = '\r';
    d[n++] = '\n';
    ik_buf_commit(out, n);
    return ik_buf_error(out);
}

/* ASCII case-insensitive equality of two names of length n. */
static inline int name_caseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] && ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

ik_status ik__dkim_hash_headers(ik_hash *h, ik_dkim_canon c, const ik__dkim_hdr *hdrs, size_t nhdrs,
                                const ik_str *names, size_t nnames, ik_str sigfield, size_t b_start,
                                size_t b_end, unsigned char *used, ik_buf *scratch)
{
    memset(used, 0, nhdrs);
    ik_buf_reset(scratch);
    for (size_t k = 0; k < nnames; k++) {
        /* RFC 6376 5.4.2: instances are taken from the bottom up. */
        const char *np = names[k].p;
        size_t nl = names[k].len;
        for (size_t j = nhdrs; j-- > 0;) {
            if (hdrs[j].name.len != nl || used[j] || !name_caseeq(hdrs[j].name.p, np, nl))
                continue;
            used[j] = 1;
            ik_dkim_canon_header(c, hdrs[j].raw, scratch);
            break;
        }
    }
    /* RFC 6376 3.7: the signature field itself, b= value deleted, no
     * trailing CRLF: the two pieces are copied to the end of scratch and
     * canonicalized there, in place. */
    sigfield = ik__dkim_strip_eol(sigfield);
    if (b_start > b_end || b_end > sigfield.len)
        return IK_EINVAL;
    size_t tail = sigfield.len - b_end;
    char *d = ik_buf_reserve(scratch, b_start + tail + 3);
    if (d == NULL)
        return ik_buf_error(scratch);
    memcpy(d, sigfield.p, b_start);
    memcpy(d + b_start, sigfield.p + b_end, tail);
    ik_str rest = ik__dkim_strip_eol(ik_str_make(d, b_start + tail));
    size_t n = c == IK_DKIM_CANON_SIMPLE ? rest.len : canon_relaxed(d, d, rest.len);
    ik_buf_commit(scratch, n);
    if (ik_buf_error(scratch) != IK_OK)
        return ik_buf_error(scratch);
    return ik_hash_update(h, scratch->p, scratch->len);
}
