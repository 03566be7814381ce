/*
 * test_header.c - RFC 5322 header splitter: folding, chunking, line ends,
 * malformed lines, limits, unfolding and lookup.
 */
#include <string.h>

#include "ik_test.h"
#include "inkan/arena.h"
#include "inkan/header.h"

#define LIT(s) s, sizeof(s) - 1

typedef struct parsed {
    ik_arena *a;
    ik_hdr_field *f;
    size_t n;
    size_t body;
    ik_status st;
} parsed;

static parsed parse_opts(const char *p, size_t len, const ik_hdr_opts *o)
{
    parsed r;
    r.a = ik_arena_new(NULL);
    ASSERT_TRUE(r.a != NULL);
    r.st = ik_hdr_parse_block(r.a, p, len, o, &r.f, &r.n, &r.body);
    return r;
}

static parsed parse(const char *p, size_t len)
{
    return parse_opts(p, len, NULL);
}

static void header_splits_simple_block(void)
{
    static const char msg[] = "From: a@example.com\r\nTo: b@example.org\r\n\r\nbody\r\n";
    parsed r = parse(LIT(msg));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_STR(r.f[0].raw, "From: a@example.com");
    ASSERT_STR(r.f[0].name, "From");
    ASSERT_STR(r.f[0].value, " a@example.com");
    ASSERT_EQ(r.f[0].offset, 0);
    ASSERT_EQ(r.f[0].flags, 0);
    ASSERT_STR(r.f[1].name, "To");
    ASSERT_EQ(r.f[1].offset, 21);
    ASSERT_EQ(r.body, strlen(msg) - 6);
    ASSERT_TRUE(memcmp(msg + r.body, "body", 4) == 0);
    ik_arena_free(r.a);
}

static void header_keeps_folding_raw(void)
{
    static const char msg[] = "Subject: one\r\n two\r\n\tthree\r\nX-A: b\r\n\r\n";
    parsed r = parse(LIT(msg));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_STR(r.f[0].raw, "Subject: one\r\n two\r\n\tthree");
    ASSERT_STR(r.f[0].value, " one\r\n two\r\n\tthree");
    ASSERT_STR(r.f[1].raw, "X-A: b");
    ik_str u;
    ASSERT_OK(ik_hdr_unfold(r.a, r.f[0].value, &u));
    ASSERT_STR(u, " one two\tthree");
    ik_arena_free(r.a);
}

static void header_accepts_bare_lf_line_ends(void)
{
    static const char msg[] = "From: a@b.example\nSubject: x\n y\n\nbody";
    parsed r = parse(LIT(msg));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_STR(r.f[0].raw, "From: a@b.example");
    ASSERT_TRUE(r.f[0].flags & IK_HDR_F_BARE_LF);
    ASSERT_STR(r.f[1].value, " x\n y");
    ASSERT_EQ(r.body, strlen(msg) - 4);
    ik_str u;
    ASSERT_OK(ik_hdr_unfold(r.a, r.f[1].value, &u));
    ASSERT_STR(u, " x y");
    ik_arena_free(r.a);
}

/* Feeding in any chunking gives the same fields and body offset. */
static void check_chunked(const char *msg, size_t len, size_t chunk, size_t split)
{
    parsed ref = parse(msg, len);
    ik_arena *a = ik_arena_new(NULL);
    ik_hdr_parser *p;
    ASSERT_OK(ik_hdr_parser_new(a, NULL, &p));
    size_t off = 0, body = len;
    int first = 1;
    while (off < len && !ik_hdr_parser_done(p)) {
        size_t n = first && split ? split : chunk;
        first = 0;
        if (n > len - off)
            n = len - off;
        size_t used;
        ASSERT_OK(ik_hdr_parser_feed(p, msg + off, n, &used));
        if (ik_hdr_parser_done(p))
            body = off + used;
        else
            ASSERT_EQ(used, n);
        off += n;
    }
    ASSERT_OK(ik_hdr_parser_finish(p));
    size_t n;
    const ik_hdr_field *f = ik_hdr_parser_fields(p, &n);
    ASSERT_EQ(n, ref.n);
    ASSERT_EQ(body, ref.body);
    ASSERT_EQ(ik_hdr_parser_offset(p), ref.body);
    for (size_t i = 0; i < n; i++) {
        ASSERT_EQ(f[i].raw.len, ref.f[i].raw.len);
        ASSERT_TRUE(memcmp(f[i].raw.p, ref.f[i].raw.p, f[i].raw.len) == 0);
        ASSERT_EQ(f[i].name.len, ref.f[i].name.len);
        ASSERT_EQ(f[i].value.len, ref.f[i].value.len);
        ASSERT_EQ(f[i].offset, ref.f[i].offset);
        ASSERT_EQ(f[i].flags, ref.f[i].flags);
    }
    ik_arena_free(a);
    ik_arena_free(ref.a);
}

static void header_chunking_is_invisible(void)
{
    static const char msg[] = "Received: from x\r\n\tby y;\r\n date\r\nFrom  : A <a@b.example>\r\n"
                              "Odd line\r\nSubject: s\r\n\r\nbody\r\n";
    static const char lf[] = "A: 1\n 2\nB: 3\r\n\nrest";
    for (size_t c = 1; c <= 7; c++) {
        check_chunked(LIT(msg), c, 0);
        check_chunked(LIT(lf), c, 0);
    }
    for (size_t s = 1; s < sizeof(msg) - 1; s++)
        check_chunked(LIT(msg), 4096, s);
    for (size_t s = 1; s < sizeof(lf) - 1; s++)
        check_chunked(LIT(lf), 4096, s);
}

static void header_stream_next_yields_each_field_once(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_hdr_parser *p;
    ASSERT_OK(ik_hdr_parser_new(a, NULL, &p));
    const ik_hdr_field *f;
    ASSERT_OK(ik_hdr_parser_feed(p, LIT("A: 1\r\nB: 2"), NULL));
    ASSERT_OK(ik_hdr_parser_next(p, &f));
    ASSERT_STR(f->name, "A");
    /* B is not complete: the next line might continue it. */
    ASSERT_STATUS(ik_hdr_parser_next(p, &f), IK_ENOTFOUND);
    ASSERT_OK(ik_hdr_parser_feed(p, LIT("\r\n"), NULL));
    ASSERT_STATUS(ik_hdr_parser_next(p, &f), IK_ENOTFOUND);
    ASSERT_OK(ik_hdr_parser_feed(p, LIT(" 3\r\n\r"), NULL));
    ASSERT_OK(ik_hdr_parser_next(p, &f));
    ASSERT_STR(f->raw, "B: 2\r\n 3");
    ASSERT_FALSE(ik_hdr_parser_done(p));
    size_t used;
    ASSERT_OK(ik_hdr_parser_feed(p, LIT("\nbody"), &used));
    ASSERT_EQ(used, 1);
    ASSERT_TRUE(ik_hdr_parser_done(p));
    ASSERT_TRUE(ik_hdr_parser_saw_empty_line(p));
    ASSERT_STATUS(ik_hdr_parser_next(p, &f), IK_ENOTFOUND);
    ASSERT_STATUS(ik_hdr_parser_feed(p, LIT("more"), &used), IK_ESTATE);
    ik_arena_free(a);
}

static void header_obs_wsp_before_colon_is_accepted(void)
{
    parsed r = parse(LIT("Subject \t: hi\r\n\r\n"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 1);
    ASSERT_STR(r.f[0].name, "Subject");
    ASSERT_STR(r.f[0].value, " hi");
    ASSERT_TRUE(r.f[0].flags & IK_HDR_F_OBS_WSP);
    ik_arena_free(r.a);

    ik_hdr_opts o = { 0, 0, 1 };
    r = parse_opts(LIT("Subject : hi\r\n\r\n"), &o);
    ASSERT_OK(r.st);
    ik_arena_free(r.a);
}

static void header_line_without_colon_is_flagged_or_refused(void)
{
    static const char msg[] = "From: a@b.example\r\nnot a header\r\nTo: c@d.example\r\n\r\n";
    parsed r = parse(LIT(msg));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 3);
    ASSERT_TRUE(r.f[1].flags & IK_HDR_F_NOCOLON);
    ASSERT_EQ(r.f[1].name.len, 0);
    ASSERT_STR(r.f[1].raw, "not a header");
    ASSERT_STR(r.f[2].name, "To");
    ik_arena_free(r.a);

    ik_hdr_opts o = { 0, 0, 1 };
    r = parse_opts(LIT(msg), &o);
    ASSERT_STATUS(r.st, IK_ESYNTAX);
    ASSERT_EQ(r.n, 1);
    ik_arena_free(r.a);
}

static void header_bad_names_are_flagged(void)
{
    parsed r = parse(LIT("Bad Name: x\r\n: empty\r\nX\x01Y: z\r\nOk: 1\r\n\r\n"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 4);
    ASSERT_TRUE(r.f[0].flags & IK_HDR_F_BADNAME);
    ASSERT_TRUE(r.f[1].flags & IK_HDR_F_BADNAME);
    ASSERT_TRUE(r.f[2].flags & IK_HDR_F_BADNAME);
    ASSERT_EQ(r.f[3].flags, 0);
    ASSERT_EQ(ik_hdr_find_c(r.f, r.n, 0, "Bad Name"), r.n);
    ik_arena_free(r.a);
}

static void header_nul_bytes_are_flagged_or_refused(void)
{
    static const char msg[] = "Subject: a\0b\r\nFrom: x@y.example\r\n\r\n";
    parsed r = parse(LIT(msg));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_TRUE(r.f[0].flags & IK_HDR_F_NUL);
    ASSERT_EQ(r.f[0].value.len, 4);
    ASSERT_EQ(r.f[1].flags, 0);
    ik_arena_free(r.a);

    ik_hdr_opts o = { 0, 0, 1 };
    r = parse_opts(LIT(msg), &o);
    ASSERT_STATUS(r.st, IK_ESYNTAX);
    ik_arena_free(r.a);

    /* A NUL in the name makes the name invalid, not a crash. */
    r = parse(LIT("Fr\0m: x\r\n\r\n"));
    ASSERT_OK(r.st);
    ASSERT_TRUE(r.f[0].flags & IK_HDR_F_BADNAME);
    ik_arena_free(r.a);
}

static void header_orphan_continuation_is_flagged(void)
{
    parsed r = parse(LIT(" leading: x\r\nA: b\r\n\r\n"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_TRUE(r.f[0].flags & IK_HDR_F_ORPHAN);
    ASSERT_EQ(r.f[0].name.len, 0);
    ASSERT_STR(r.f[1].name, "A");
    ik_arena_free(r.a);
}

static void header_bare_cr_is_data(void)
{
    parsed r = parse(LIT("A: x\ry\r\n\rB: z\r\n\r\n"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_STR(r.f[0].value, " x\ry");
    ASSERT_TRUE(r.f[0].flags & IK_HDR_F_BARE_CR);
    ASSERT_TRUE(r.f[1].flags & IK_HDR_F_BADNAME);
    ASSERT_STR(r.f[1].raw, "\rB: z");
    ik_arena_free(r.a);
}

static void header_truncated_input_is_flagged(void)
{
    parsed r = parse(LIT("A: 1\r\nB: cut"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_TRUE(r.f[1].flags & IK_HDR_F_TRUNCATED);
    ASSERT_STR(r.f[1].raw, "B: cut");
    ASSERT_EQ(r.body, 12);
    ik_arena_free(r.a);

    /* A header section that just ends after a line end is fine (3.5). */
    r = parse(LIT("A: 1\r\nB: 2\r\n"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_EQ(r.f[1].flags, 0);
    ik_arena_free(r.a);

    ik_hdr_opts o = { 0, 0, 1 };
    r = parse_opts(LIT("A: 1\r\nB: cut"), &o);
    ASSERT_STATUS(r.st, IK_ESYNTAX);
    ik_arena_free(r.a);

    r = parse(LIT("A: 1\r\n\r"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 2);
    ASSERT_TRUE(r.f[1].flags & IK_HDR_F_TRUNCATED);
    ik_arena_free(r.a);
}

static void header_empty_section_and_empty_input(void)
{
    parsed r = parse(LIT("\r\nbody"));
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 0);
    ASSERT_EQ(r.body, 2);
    ik_arena_free(r.a);

    r = parse("", 0);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 0);
    ASSERT_EQ(r.body, 0);
    ik_arena_free(r.a);

    r = parse(NULL, 0);
    ASSERT_OK(r.st);
    ik_arena_free(r.a);
}

static void header_field_length_limit(void)
{
    ik_hdr_opts o = { 16, 0, 0 };
    /* Exactly 16 bytes of raw, folding included, is allowed. */
    parsed r = parse_opts(LIT("A: 123456789012\r\n\r\n"), &o);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.f[0].raw.len, 15);
    ik_arena_free(r.a);
    r = parse_opts(LIT("A: 1234567890123\r\n\r\n"), &o);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.f[0].raw.len, 16);
    ik_arena_free(r.a);
    r = parse_opts(LIT("A: 12345678901234\r\n\r\n"), &o);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);
    r = parse_opts(LIT("A: 123456\r\n 78901\r\n\r\n"), &o);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);
    /* A CR at the limit that is not part of a CRLF counts. */
    r = parse_opts(LIT("A: 1234567890123\rx\r\n\r\n"), &o);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);

    /* Nor does a CR at the very end of input, where no LF can follow. */
    r = parse_opts(LIT("A: 1234567890123\r"), &o);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);

    /* The error is sticky and carries a reason. */
    ik_arena *a = ik_arena_new(NULL);
    ik_hdr_parser *p;
    ASSERT_OK(ik_hdr_parser_new(a, &o, &p));
    ASSERT_STATUS(ik_hdr_parser_feed(p, LIT("Subject: far too long for sixteen\r\n"), NULL),
                  IK_ELIMIT);
    ASSERT_STATUS(ik_hdr_parser_feed(p, LIT("A: b\r\n"), NULL), IK_ELIMIT);
    ik_str why;
    ASSERT_STATUS(ik_hdr_parser_status(p, &why), IK_ELIMIT);
    ASSERT_TRUE(why.len > 0);
    ik_arena_free(a);

    /* Default limit: 64 KiB. */
    size_t big = IK_HDR_MAX_FIELD_LEN + 100;
    char *m = malloc(big);
    memcpy(m, "X: ", 3);
    memset(m + 3, 'a', big - 3);
    r = parse(m, big);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);
    free(m);
}

static void header_field_count_limit(void)
{
    ik_hdr_opts o = { 0, 3, 0 };
    parsed r = parse_opts(LIT("A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), &o);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 3);
    ik_arena_free(r.a);
    r = parse_opts(LIT("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"), &o);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);

    /* Default 1000. */
    size_t cap = 1001 * 8 + 2, len = 0;
    char *m = malloc(cap);
    for (int i = 0; i < 1001; i++) {
        memcpy(m + len, "X: abc\r\n", 8);
        len += 8;
    }
    memcpy(m + len, "\r\n", 2);
    len += 2;
    r = parse(m, len);
    ASSERT_STATUS(r.st, IK_ELIMIT);
    ik_arena_free(r.a);
    r = parse(m + 8, len - 8);
    ASSERT_OK(r.st);
    ASSERT_EQ(r.n, 1000);
    ik_arena_free(r.a);
    free(m);
}

static void header_find_is_case_insensitive(void)
{
    parsed r = parse(LIT("from: a\r\nTo: b\r\nFROM: c\r\nX-From: d\r\n\r\n"));
    ASSERT_OK(r.st);
    ASSERT_EQ(ik_hdr_find_c(r.f, r.n, 0, "From"), 0);
    ASSERT_EQ(ik_hdr_find_c(r.f, r.n, 1, "From"), 2);
    ASSERT_EQ(ik_hdr_find_c(r.f, r.n, 3, "From"), r.n);
    ASSERT_EQ(ik_hdr_count(r.f, r.n, IK_STR_LIT("fRoM")), 2);
    ASSERT_EQ(ik_hdr_count(r.f, r.n, IK_STR_LIT("cc")), 0);
    ik_arena_free(r.a);
}

static void header_unfold_leaves_unfolded_values_alone(void)
{
    ik_arena *a = ik_arena_new(NULL);
    ik_str v = IK_STR_LIT(" plain value");
    ik_str u;
    ASSERT_OK(ik_hdr_unfold(a, v, &u));
    ASSERT_TRUE(u.p == v.p && u.len == v.len);
    /* A line end not followed by WSP is not a fold; it stays. */
    ASSERT_OK(ik_hdr_unfold(a, IK_STR_LIT("a\r\nb\r\n c\n"), &u));
    ASSERT_STR(u, "a\r\nb c\n");
    ASSERT_OK(ik_hdr_unfold(a, IK_STR_NULL, &u));
    ASSERT_EQ(u.len, 0);
    ik_arena_free(a);
}

static void header_value_nonempty(void)
{
    ASSERT_FALSE(ik_hdr_value_nonempty(IK_STR_LIT(" \t\r\n ")));
    ASSERT_FALSE(ik_hdr_value_nonempty(IK_STR_NULL));
    ASSERT_TRUE(ik_hdr_value_nonempty(IK_STR_LIT(" x")));
}

static void header_survives_arena_exhaustion(void)
{
    static const char msg[] = "Received: from a by b\r\n\tfor c\r\nFrom: x@y.example\r\n"
                              "Subject: hello there\r\n\r\nbody";
    for (size_t lim = 1; lim < 4096; lim += 7) {
        ik_arena *a = ik_arena_new(NULL);
        ik_arena_set_limit(a, lim);
        ik_hdr_field *f;
        size_t n, body;
        ik_status st = ik_hdr_parse_block(a, LIT(msg), NULL, &f, &n, &body);
        ASSERT_TRUE(st == IK_OK || st == IK_ENOMEM);
        if (st == IK_OK)
            ASSERT_EQ(n, 3);
        ik_arena_free(a);
    }
}

static void header_rejects_bad_arguments(void)
{
    ik_hdr_parser *p;
    ASSERT_STATUS(ik_hdr_parser_new(NULL, NULL, &p), IK_EINVAL);
    ik_arena *a = ik_arena_new(NULL);
    ASSERT_OK(ik_hdr_parser_new(a, NULL, &p));
    ASSERT_STATUS(ik_hdr_parser_feed(p, NULL, 3, NULL), IK_EINVAL);
    ASSERT_STATUS(ik_hdr_parser_feed(NULL, "x", 1, NULL), IK_EINVAL);
    ik_arena_free(a);
}

/* A header section split with allocation number n failing, for each n in
 * turn, one-shot and fed byte by byte: IK_ENOMEM (sticky), never a crash
 * or a leak. */
static void hdr_survives_allocation_failures(void)
{
    static const char text[] = "Received: from a.example\r\n\tby b.example; Thu, 1 Jan 2026\r\n"
                               "From: Alice <alice@example.com>\r\n"
                               "Subject: a folded\r\n subject line\r\n"
                               "bad line\r\n"
                               "To: bob@example.org\r\n\r\nbody\r\n";
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        long ok_at = -1;
        for (long fail = 0; fail < 500 && ok_at < 0; fail++) {
            ik_test_alloc ta;
            ik_test_alloc_init(&ta, fail);
            ik_arena *a = ik_arena_new(&ta.al);
            if (a == NULL)
                continue;
            ik_status st;
            size_t n = 0, body = 0;
            if (!bytewise) {
                ik_hdr_field *f;
                st = ik_hdr_parse_block(a, text, sizeof(text) - 1, NULL, &f, &n, &body);
            } else {
                ik_hdr_parser *p = NULL;
                st = ik_hdr_parser_new(a, NULL, &p);
                for (size_t i = 0; st == IK_OK && !ik_hdr_parser_done(p); i++) {
                    ASSERT_TRUE(i < sizeof(text) - 1);
                    st = ik_hdr_parser_feed(p, text + i, 1, NULL);
                }
                if (st == IK_OK)
                    st = ik_hdr_parser_finish(p);
                if (st == IK_OK) {
                    (void)ik_hdr_parser_fields(p, &n);
                    body = ik_hdr_parser_offset(p);
                } else if (p != NULL) {
                    /* the error is sticky */
                    ASSERT_STATUS(ik_hdr_parser_status(p, NULL), st);
                    ASSERT_STATUS(ik_hdr_parser_feed(p, "x", 1, NULL), st);
                }
            }
            if (st == IK_OK) {
                ASSERT_EQ(n, 5);
                ASSERT_EQ(body, sizeof(text) - 1 - 6);
                ok_at = fail;
            } else {
                ASSERT_STATUS(st, IK_ENOMEM);
            }
            ik_arena_free(a);
        }
        ASSERT_TRUE(ok_at > 0);
    }
}

/* A header section over every prefix and with a NUL at each position, as
 * exact-size heap copies, one-shot and fed in two pieces: a defined
 * status, body offset within the input, no read past the length. */
static void hdr_cb(const char *p, size_t n, void *ud)
{
    (void)ud;
    ik_arena *a = ik_arena_new(NULL);
    ik_hdr_field *f;
    size_t nf, body;
    ik_status st = ik_hdr_parse_block(a, p, n, NULL, &f, &nf, &body);
    ASSERT_OK(st);
    ASSERT_TRUE(body <= n);
    for (size_t i = 0; i < nf; i++)
        ASSERT_TRUE(f[i].offset + f[i].raw.len <= n);
    ik_hdr_opts strict = { .strict = 1 };
    ik_hdr_parser *hp;
    ASSERT_OK(ik_hdr_parser_new(a, &strict, &hp));
    size_t half = n / 2, used = 0;
    st = ik_hdr_parser_feed(hp, p, half, &used);
    if (st == IK_OK && !ik_hdr_parser_done(hp))
        st = ik_hdr_parser_feed(hp, p + half, n - half, &used);
    if (st == IK_OK)
        st = ik_hdr_parser_finish(hp);
    ASSERT_TRUE(st == IK_OK || st == IK_ESYNTAX);
    ik_arena_free(a);
}

static void header_prefixes_and_nuls_as_exact_copies(void)
{
    static const char h[] = "Received: from a.example\r\n\tby b.example; Thu, 1 Jan 2026\r\n"
                            "From : Alice <alice@example.com>\n"
                            "Subject: folded\r\n subject\r\n"
                            "X-8bit: \xc3\xa9t\xc3\xa9\r\n\r\nbody\r\n";
    ik_test_each_prefix(h, sizeof(h) - 1, hdr_cb, NULL);
    ik_test_each_nul(h, sizeof(h) - 1, hdr_cb, NULL);
}

static const ik_test_case cases[] = {
    IK_TEST_CASE(header_splits_simple_block),
    IK_TEST_CASE(header_keeps_folding_raw),
    IK_TEST_CASE(header_accepts_bare_lf_line_ends),
    IK_TEST_CASE(header_chunking_is_invisible),
    IK_TEST_CASE(header_stream_next_yields_each_field_once),
    IK_TEST_CASE(header_obs_wsp_before_colon_is_accepted),
    IK_TEST_CASE(header_line_without_colon_is_flagged_or_refused),
    IK_TEST_CASE(header_bad_names_are_flagged),
    IK_TEST_CASE(header_nul_bytes_are_flagged_or_refused),
    IK_TEST_CASE(header_orphan_continuation_is_flagged),
    IK_TEST_CASE(header_bare_cr_is_data),
    IK_TEST_CASE(header_truncated_input_is_flagged),
    IK_TEST_CASE(header_empty_section_and_empty_input),
    IK_TEST_CASE(header_field_length_limit),
    IK_TEST_CASE(header_field_count_limit),
    IK_TEST_CASE(header_find_is_case_insensitive),
    IK_TEST_CASE(header_unfold_leaves_unfolded_values_alone),
    IK_TEST_CASE(header_value_nonempty),
    IK_TEST_CASE(header_survives_arena_exhaustion),
    IK_TEST_CASE(header_rejects_bad_arguments),
    IK_TEST_CASE(hdr_survives_allocation_failures),
    IK_TEST_CASE(header_prefixes_and_nuls_as_exact_copies),
};

int main(int argc, char **argv)
{
    return ik_test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
