/*
 * record.c - DMARC policy records and report URIs (RFC 9989 4.6-4.8;
 * RFC 7489 6.2-6.4).  Pure: no DNS, no global state.
 *
 * The record is split at ';' and each tag-spec is read with the shared
 * tag=value parser (tagvalue.h), so that a malformed spec is ignored alone
 * (RFC 9989 4.8: "Syntax errors in the remainder of the record MUST be
 * discarded in favor of default values (if any) or ignored outright")
 * while a repeated tag still voids the record, as RFC 6376 3.2 (whose
 * tag-list DMARC imports) has it.  Tag names and keyword values compare
 * case-insensitively: they are quoted ABNF strings (RFC 5234 2.3); only the
 * version value is case-sensitive (%s"DMARC1").
 *
 * Every value that is rejected leaves its default in place and adds a note
 * naming the tag to record->problems, for linting and reasons.
 *
 * Ownership: the record and its URIs live in the arena; tag values are
 * views into the text, which must outlive the record.  Threads: no state.
 * Limits: IK_DMARC_MAX_RECORD bytes, IK_DMARC_MAX_TAGS tag-specs,
 * IK_DMARC_MAX_URIS per URI list.
 */
#include <string.h>

#include "dmarc/dmarc_int.h"
#include "inkan/tagvalue.h"

static int is_wsp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static ik_str skip_wsp(ik_str s)
{
    while (s.len && is_wsp(s.p[0])) {
        s.p++;
        s.len--;
    }
    return s;
}

int ik_dmarc_record_is_dmarc(ik_str text)
{
    /* dmarc-version = "v" equals %s"DMARC1", then end, WSP or ';' */
    ik_str s = skip_wsp(text);
    if (s.len == 0 || (s.p[0] != 'v' && s.p[0] != 'V'))
        return 0;
    s.p++;
    s.len--;
    s = skip_wsp(s);
    if (s.len == 0 || s.p[0] != '=')
        return 0;
    s.p++;
    s.len--;
    s = skip_wsp(s);
    if (s.len < 6 || memcmp(s.p, "DMARC1", 6) != 0)
        return 0;
    s.p += 6;
    s.len -= 6;
    s = skip_wsp(s);
    return s.len == 0 || s.p[0] == ';';
}

/* ---- problems ----------------------------------------------------------- */

typedef struct rec_ctx {
    ik_arena *a;
    ik_buf problems;
} rec_ctx;

static void note(rec_ctx *c, const char *fmt, ik_str v)
{
    if (c->problems.len)
        ik_buf_append_c(&c->problems, "; ");
    ik_buf_printf(&c->problems, fmt, (int)(v.len > 60 ? 60 : v.len), v.p ? v.p : "");
}

/* ---- URIs ---------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 3986 2: unreserved / reserved / "%" (pct-encoded checked apart). */
static int is_uri_char(char c)
{
    if (is_alpha(c) || is_digit(c))
        return 1;
    return c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL;
}

/* A host name we can send mail to: LDH labels, no empty label. */
static int host_ok(ik_str h)
{
    if (h.len == 0 || ik_dns_name_check(h) != IK_OK)
        return 0;
    if (h.p[h.len - 1] == '.')
        return 0;
    for (size_t i = 0; i < h.len; i++) {
        char c = h.p[i];
        if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_'))
            return 0;
    }
    return 1;
}

ik_status ik_dmarc_uri_parse(ik_arena *a, ik_str text, int spec_7489, int lenient_size,
                             ik_dmarc_uri *out, ik_str *problem)
{
    memset(out, 0, sizeof(*out));
    if (problem)
        *problem = IK_STR_NULL;
    out->text = text;
    ik_str u = text;
    const char *why = NULL;

    /* obs-dmarc-report-size / 7489 size: "!" 1*DIGIT [k/m/g/t] at the end.
     * A '!' inside the URI itself MUST be encoded, so the first '!' starts
     * the suffix. */
    long bang = ik_str_chr(u, '!');
    if (bang >= 0) {
        ik_str sz = ik_str_make(u.p + bang + 1, u.len - (size_t)bang - 1);
        u.len = (size_t)bang;
        uint64_t mult = 1;
        if (sz.len && !is_digit(sz.p[sz.len - 1])) {
            switch (sz.p[sz.len - 1] | 0x20) {
            case 'k': mult = 1ull << 10; break;
            case 'm': mult = 1ull << 20; break;
            case 'g': mult = 1ull << 30; break;
            case 't': mult = 1ull << 40; break;
            default: mult = 0; break;
            }
            sz.len--;
        }
        uint64_t n = 0;
        if (mult == 0 || ik_str_to_u64(sz, UINT64_MAX / mult, &n) != IK_OK) {
            if (!lenient_size) {
                why = "malformed size limit after '!'";
                goto bad;
            }
        } else {
            out->has_size = 1;
            /* RFC 9989 4.8: obsolete, reporters ignore it; RFC 7489 7.2.1
             * honours it. */
            out->max_size = spec_7489 ? n * mult : 0;
        }
    }
    out->uri = u;

    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986 3.1) */
    size_t i = 0;
    if (u.len == 0 || !is_alpha(u.p[0])) {
        why = "no URI scheme";
        goto bad;
    }
    while (i < u.len
           && (is_alpha(u.p[i]) || is_digit(u.p[i]) || u.p[i] == '+' || u.p[i] == '-'
               || u.p[i] == '.'))
        i++;
    if (i == u.len || u.p[i] != ':') {
        why = "no URI scheme";
        goto bad;
    }
    ik_str scheme = ik_str_make(u.p, i);
    for (size_t k = i + 1; k < u.len; k++) {
        if (!is_uri_char(u.p[k])) {
            why = "character not allowed in a URI";
            goto bad;
        }
        if (u.p[k] == '%' && (k + 2 >= u.len || hexval(u.p[k + 1]) < 0 || hexval(u.p[k + 2]) < 0)) {
            why = "bad percent-encoding";
            goto bad;
        }
        if (u.p[k] == ',') {
            /* RFC 9989 4.8: commas in a dmarc-uri MUST be encoded */
            why = "unencoded ',' in URI";
            goto bad;
        }
    }
    if (i + 1 == u.len) {
        why = "empty URI after the scheme";
        goto bad;
    }
    out->valid = 1;
    if (!ik_str_caseeq_c(scheme, "mailto"))
        return IK_OK; /* valid but unsupported (RFC 9989 4.7 rua) */

    /* mailto (RFC 6068): to = addr-spec; hfields after '?' are ignored */
    ik_str to = ik_str_make(u.p + i + 1, u.len - i - 1);
    long q = ik_str_chr(to, '?');
    if (q >= 0)
        to.len = (size_t)q;
    char *dec = ik_arena_alloc(a, to.len + 1);
    if (dec == NULL)
        return IK_ENOMEM;
    size_t n = 0;
    for (size_t k = 0; k < to.len; k++) {
        if (to.p[k] == '%') {
            char c = (char)(hexval(to.p[k + 1]) * 16 + hexval(to.p[k + 2]));
            if (c == '\0' || c == '\r' || c == '\n') {
                out->valid = 0;
                why = "control character in mailto address";
                goto bad;
            }
            dec[n++] = c;
            k += 2;
        } else {
            dec[n++] = to.p[k];
        }
    }
    dec[n] = '\0';
    /* The domain follows the last '@' (a quoted local part may hold one). */
    size_t at = n;
    for (size_t k = n; k > 0; k--)
        if (dec[k - 1] == '@') {
            at = k - 1;
            break;
        }
    if (at == n || at == 0) {
        out->valid = 0;
        why = "mailto without local-part@domain";
        goto bad;
    }
    ik_str host = ik_str_make(dec + at + 1, n - at - 1);
    if (!host_ok(host)) {
        out->valid = 0;
        why = "mailto domain is not a host name";
        goto bad;
    }
    out->mailto = 1;
    out->address = ik_str_make(dec, n);
    out->host = ik_arena_strlower(a, host);
    if (out->host.p == NULL)
        return IK_ENOMEM;
    return IK_OK;

bad:
    out->valid = 0;
    out->mailto = 0;
    if (problem) {
        char *m = ik_arena_printf(a, "%s", why);
        *problem = m ? ik_str_c(m) : IK_STR_NULL;
    }
    return IK_ESYNTAX;
}

static ik_status parse_urilist(rec_ctx *c, const char *tag, ik_str v, unsigned flags,
                               ik_dmarc_uri **out, size_t *nout)
{
    ik_dmarc_uri *list = ik_arena_calloc(c->a, IK_DMARC_MAX_URIS, sizeof(*list));
    if (list == NULL)
        return IK_ENOMEM;
    size_t n = 0, start = 0;
    /* dmarc-urilist = uri *(*WSP "," *WSP uri) */
    for (size_t i = 0; i <= v.len; i++) {
        if (i < v.len && v.p[i] != ',')
            continue;
        ik_str item = ik_str_trim(ik_str_make(v.p + start, i - start));
        start = i + 1;
        if (item.len == 0) {
            note(c, "%.*s: empty URI in list", ik_str_c(tag));
            continue;
        }
        if (n == IK_DMARC_MAX_URIS) {
            note(c, "%.*s: more URIs than the limit, rest ignored", ik_str_c(tag));
            break;
        }
        ik_str why;
        ik_status st =
            ik_dmarc_uri_parse(c->a, item, (flags & IK_DMARC_OPT_SPEC_7489) != 0,
                               (flags & IK_DMARC_OPT_LENIENT_URI_SIZE) != 0, &list[n], &why);
        if (st == IK_ENOMEM)
            return st;
        if (st != IK_OK) {
            if (c->problems.len)
                ik_buf_append_c(&c->problems, "; ");
            ik_buf_printf(&c->problems, "%s: URI \"%.*s\" ignored: %.*s", tag,
                          (int)(item.len > 60 ? 60 : item.len), item.p, (int)why.len,
                          why.p ? why.p : "");
            continue; /* RFC 9989 4.8: discard the syntax error */
        }
        if (!list[n].mailto) {
            if (c->problems.len)
                ik_buf_append_c(&c->problems, "; ");
            ik_buf_printf(&c->problems, "%s: unsupported URI scheme in \"%.*s\"", tag,
                          (int)(item.len > 60 ? 60 : item.len), item.p);
        }
        n++;
    }
    *out = list;
    *nout = n;
    return IK_OK;
}

/* ---- tag values ---------------------------------------------------------- */

static int policy_value(ik_str v, ik_dmarc_policy *out)
{
    if (ik_str_caseeq_c(v, "none"))
        *out = IK_DMARC_P_NONE;
    else if (ik_str_caseeq_c(v, "quarantine"))
        *out = IK_DMARC_P_QUARANTINE;
    else if (ik_str_caseeq_c(v, "reject"))
        *out = IK_DMARC_P_REJECT;
    else
        return 0;
    return 1;
}

/* dmarc-fo (RFC 9989 4.8; RFC 7489 6.4 allows WSP around ':') */
static int fo_value(ik_str v, unsigned *out)
{
    unsigned fo = 0;
    size_t start = 0;
    for (size_t i = 0; i <= v.len; i++) {
        if (i < v.len && v.p[i] != ':')
            continue;
        ik_str t = ik_str_trim(ik_str_make(v.p + start, i - start));
        start = i + 1;
        unsigned bit;
        if (t.len != 1)
            return 0;
        switch (t.p[0] | 0x20) {
        case '0': bit = IK_DMARC_FO_0; break;
        case '1': bit = IK_DMARC_FO_1; break;
        case 'd': bit = IK_DMARC_FO_D; break;
        case 's': bit = IK_DMARC_FO_S; break;
        default: return 0;
        }
        if (fo & bit)
            return 0; /* each at most once */
        fo |= bit;
    }
    if ((fo & IK_DMARC_FO_0) && (fo & IK_DMARC_FO_1))
        return 0; /* mutually exclusive (RFC 9989 4.7 fo) */
    *out = fo;
    return 1;
}

/* rf = Keyword *(":" Keyword), RFC 7489 6.4; only "afrf" is registered. */
static int rf_value(ik_str v, int *known)
{
    size_t start = 0;
    *known = 0;
    for (size_t i = 0; i <= v.len; i++) {
        if (i < v.len && v.p[i] != ':')
            continue;
        ik_str t = ik_str_trim(ik_str_make(v.p + start, i - start));
        start = i + 1;
        if (t.len == 0)
            return 0;
        for (size_t k = 0; k < t.len; k++)
            if (!(is_alpha(t.p[k]) || is_digit(t.p[k]) || t.p[k] == '-'))
                return 0;
        if (ik_str_caseeq_c(t, "afrf"))
            *known = 1;
    }
    return 1;
}

static int one_of(ik_str v, const char *set, char *out)
{
    if (v.len != 1)
        return 0;
    char c = (char)(v.p[0] | 0x20);
    if (strchr(set, c) == NULL || c == '\0')
        return 0;
    *out = c;
    return 1;
}

static const struct {
    const char *name;
    unsigned bit;
} known_tags[] = {
    { "p", IK_DMARC_TAG_P },       { "sp", IK_DMARC_TAG_SP },   { "np", IK_DMARC_TAG_NP },
    { "psd", IK_DMARC_TAG_PSD },   { "t", IK_DMARC_TAG_T },     { "adkim", IK_DMARC_TAG_ADKIM },
    { "aspf", IK_DMARC_TAG_ASPF }, { "pct", IK_DMARC_TAG_PCT }, { "rua", IK_DMARC_TAG_RUA },
    { "ruf", IK_DMARC_TAG_RUF },   { "fo", IK_DMARC_TAG_FO },   { "rf", IK_DMARC_TAG_RF },
    { "ri", IK_DMARC_TAG_RI },
};

static ik_status apply_tag(rec_ctx *c, ik_dmarc_record *r, ik_str name, ik_str v, unsigned bit,
                           unsigned flags)
{
    char ch;
    int spec_7489 = (flags & IK_DMARC_OPT_SPEC_7489) != 0;
    int ok = 1;
    switch (bit) {
    case IK_DMARC_TAG_P: ok = policy_value(v, &r->p); break;
    case IK_DMARC_TAG_SP: ok = policy_value(v, &r->sp); break;
    case IK_DMARC_TAG_NP: ok = policy_value(v, &r->np); break;
    case IK_DMARC_TAG_PSD:
        if ((ok = one_of(v, "ynu", &ch)))
            r->psd = ch == 'y' ? IK_DMARC_PSD_Y : ch == 'n' ? IK_DMARC_PSD_N : IK_DMARC_PSD_U;
        break;
    case IK_DMARC_TAG_T:
        if ((ok = one_of(v, "yn", &ch)))
            r->testing = ch == 'y';
        break;
    case IK_DMARC_TAG_ADKIM:
        if ((ok = one_of(v, "rs", &ch)))
            r->adkim_strict = ch == 's';
        break;
    case IK_DMARC_TAG_ASPF:
        if ((ok = one_of(v, "rs", &ch)))
            r->aspf_strict = ch == 's';
        break;
    case IK_DMARC_TAG_PCT: {
        /* 1*3DIGIT, 0..100 (RFC 7489 6.3, 6.4) */
        uint64_t n;
        ok = v.len >= 1 && v.len <= 3 && ik_str_to_u64(v, 100, &n) == IK_OK;
        if (ok)
            r->pct = (unsigned)n;
        break;
    }
    case IK_DMARC_TAG_RI: {
        uint64_t n;
        ok = ik_str_to_u64(v, UINT32_MAX, &n) == IK_OK;
        if (ok)
            r->ri = (uint32_t)n;
        break;
    }
    case IK_DMARC_TAG_FO: ok = fo_value(v, &r->fo); break;
    case IK_DMARC_TAG_RF: {
        int known;
        ok = rf_value(v, &known);
        if (ok) {
            r->rf = v;
            if (!known && spec_7489)
                note(c, "rf: no supported report format in \"%.*s\"", v);
        }
        break;
    }
    case IK_DMARC_TAG_RUA: return parse_urilist(c, "rua", v, flags, &r->rua, &r->nrua);
    case IK_DMARC_TAG_RUF: return parse_urilist(c, "ruf", v, flags, &r->ruf, &r->nruf);
    default: break;
    }
    if (!ok) {
        r->invalid |= bit;
        if (c->problems.len)
            ik_buf_append_c(&c->problems, "; ");
        ik_buf_printf(&c->problems, "%.*s: invalid value \"%.*s\"", (int)name.len, name.p,
                      (int)(v.len > 60 ? 60 : v.len), v.p);
    }
    return IK_OK;
}

ik_status ik_dmarc_record_parse(ik_arena *a, ik_str text, unsigned flags, ik_dmarc_record **out,
                                ik_str *problem)
{
    *out = NULL;
    if (problem)
        *problem = IK_STR_NULL;
    if (!ik_dmarc_record_is_dmarc(text)) {
        if (problem)
            *problem = IK_STR_LIT("not a DMARC record: v=DMARC1 is not the first tag");
        return IK_ENOTFOUND;
    }
    if (text.len > IK_DMARC_MAX_RECORD) {
        if (problem)
            *problem = IK_STR_LIT("record longer than the limit");
        return IK_ESYNTAX;
    }
    ik_dmarc_record *r = ik_arena_calloc(a, 1, sizeof(*r));
    if (r == NULL)
        return IK_ENOMEM;
    r->text = text;
    r->pct = 100;
    r->ri = 86400;
    r->fo = IK_DMARC_FO_0;
    r->rf = IK_STR_LIT("afrf");
    r->psd = IK_DMARC_PSD_U;

    rec_ctx c = { a, { 0 } };
    ik_buf_init(&c.problems, a, 4096);

    /* Split into tag-specs; the first is the version, already checked. */
    ik_str seen[IK_DMARC_MAX_TAGS];
    size_t nseen = 0, start = 0, nspec = 0;
    int first = 1;
    for (size_t i = 0; i <= text.len; i++) {
        if (i < text.len && text.p[i] != ';')
            continue;
        ik_str spec = ik_str_make(text.p + start, i - start);
        start = i + 1;
        if (first) {
            first = 0;
            continue;
        }
        if (ik_str_trim(spec).len == 0)
            continue; /* "p=none;;" and the trailing ';' */
        if (++nspec > IK_DMARC_MAX_TAGS) {
            if (problem)
                *problem = IK_STR_LIT("more tag-specs than the limit");
            return IK_ESYNTAX;
        }
        ik_taglist tl;
        ik_str why;
        ik_status st = ik_taglist_parse(a, spec, IK_TAGLIST_CASELESS, 1, &tl, &why);
        if (st == IK_ENOMEM)
            return st;
        if (st != IK_OK || tl.n != 1) {
            note(&c, "malformed tag-spec \"%.*s\" ignored", ik_str_trim(spec));
            continue;
        }
        ik_str name = tl.tags[0].name, v = tl.tags[0].value;
        int dup = 0;
        for (size_t k = 0; k < nseen; k++)
            if (ik_str_caseeq(seen[k], name))
                dup = 1;
        if (dup) {
            if (!(flags & IK_DMARC_OPT_DUP_TAG_FIRST)) {
                /* RFC 6376 3.2: a tag-list with a repeated tag is invalid */
                if (problem) {
                    char *m = ik_arena_printf(a, "tag \"%.*s\" appears twice",
                                              (int)(name.len > 40 ? 40 : name.len), name.p);
                    *problem = m ? ik_str_c(m) : IK_STR_NULL;
                }
                return IK_ESYNTAX;
            }
            note(&c, "%.*s: repeated, later value ignored", name);
            continue;
        }
        seen[nseen++] = name;
        if (ik_str_caseeq_c(name, "v")) {
            note(&c, "v: not first, ignored", name);
            continue;
        }
        unsigned bit = 0;
        for (size_t k = 0; k < sizeof(known_tags) / sizeof(known_tags[0]); k++)
            if (ik_str_caseeq_c(name, known_tags[k].name))
                bit = known_tags[k].bit;
        if (bit == 0)
            continue; /* unknown tags MUST be ignored (RFC 9989 4.7) */
        r->present |= bit;
        if (v.len == 0) {
            /* dmarc-tag = 1*ALPHA equals 1*dmarc-value */
            r->invalid |= bit;
            note(&c, "%.*s: empty value", name);
            continue;
        }
        st = apply_tag(&c, r, name, v, bit, flags);
        if (st != IK_OK)
            return st;
    }
    if (!(r->present & IK_DMARC_TAG_P)) {
        r->invalid |= IK_DMARC_TAG_P;
        note(&c, "p: missing%.*s", IK_STR_NULL);
    }
    if ((r->present & IK_DMARC_TAG_FO) && !(r->present & IK_DMARC_TAG_RUF))
        note(&c, "fo: ignored without ruf%.*s", IK_STR_NULL); /* RFC 9989 4.7 fo */
    if (ik_buf_error(&c.problems) == IK_ENOMEM)
        return IK_ENOMEM;
    r->problems = ik_buf_str(&c.problems);
    *out = r;
    return IK_OK;
}

int ik_dmarc_record_policy_broken(const ik_dmarc_record *r, ik_dmarc_spec spec)
{
    unsigned bad = IK_DMARC_TAG_P | IK_DMARC_TAG_SP;
    if (spec == IK_DMARC_SPEC_9989)
        bad |= IK_DMARC_TAG_NP;
    return (r->invalid & bad) != 0;
}

int ik_dmarc_record_has_valid_rua(const ik_dmarc_record *r)
{
    for (size_t i = 0; i < r->nrua; i++)
        if (r->rua[i].valid)
            return 1;
    return 0;
}
