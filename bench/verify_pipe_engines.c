/*
 * verify_pipe_engines.c - bench/verify's pipeline composed from the
 * protocol engines, as a driver without inkan/verify.h would do it (see
 * verify_pipe.h): header fields to the DKIM and ARC verifiers, their key
 * questions answered at end of headers while nothing else waits, the body
 * in milter-sized chunks, then SPF (MAIL FROM identity, RFC 7208) and
 * DMARC (RFC 9989 Tree Walk) over the results.
 */
#include <string.h>

#include "inkan/header.h"
#include "verify_pipe.h"

#define VP_CHUNK 65535

const char *vp_name(const vp_ctx *ctx)
{
    return ctx->dmarc ? "libinkan (engines composed, static zone, SPF+DMARC caches)"
                      : "libinkan (engines composed, static zone, SPF cache)";
}

static ik_status answer(ik_resolver *r, ik_arena *a, ik_dns_query *q)
{
    return q ? ik_resolver_answer_all(r, a, q) : IK_OK;
}

ik_status vp_verify(const vp_ctx *ctx, ik_arena *a, const char *msg, size_t len,
                    const ik_ip *client, ik_str helo, ik_str mailfrom, ik_resolver *r,
                    vp_result *out)
{
    memset(out, 0, sizeof(*out));
    ik_hdr_field *fields;
    size_t nfields, body;
    ik_status st = ik_hdr_parse_block(a, msg, len, NULL, &fields, &nfields, &body);
    if (st != IK_OK)
        return st;

    ik_dkim_verify_config dc = { 0 };
    dc.now = ctx->now;
    dc.cache = ctx->keys;
    ik_dkim_verifier *dv = ik_dkim_verify_new(a, &dc);
    ik_arc_verify_config ac = { 0 };
    ac.now = ctx->now;
    ac.cache = ctx->keys;
    ik_arc_verifier *av = ctx->arc ? ik_arc_verify_new(a, &ac) : NULL;
    if (dv == NULL || (ctx->arc && av == NULL))
        return IK_ENOMEM;
    for (size_t i = 0; i < nfields; i++) {
        if ((st = ik_dkim_verify_header(dv, fields[i].raw.p, fields[i].raw.len)) != IK_OK)
            return st;
        if (av && (st = ik_arc_verify_header(av, fields[i].raw.p, fields[i].raw.len)) != IK_OK)
            return st;
    }

    /* SPF first: in an MTA it ran at MAIL FROM, before the headers came. */
    ik_spf_params sp;
    ik_spf_outcome so;
    memset(&sp, 0, sizeof(sp));
    memset(&so, 0, sizeof(so));
    if (client) {
        sp.ip = *client;
        sp.helo = helo;
        sp.sender = mailfrom;
        sp.scope = IK_SPF_SCOPE_MFROM;
        sp.now = ctx->now;
        sp.cache = ctx->spf;
        if ((st = ik_spf_check(a, &sp, r, &so)) != IK_OK)
            return st;
        out->spf = so.result;
    }

    ik_dns_query *q = NULL;
    st = ik_dkim_verify_eoh(dv, &q);
    if (st == IK_EAGAIN)
        st = answer(r, a, q);
    if (st != IK_OK)
        return st;
    if (av) {
        q = NULL;
        st = ik_arc_verify_eoh(av, &q);
        if (st == IK_EAGAIN)
            st = answer(r, a, q);
        if (st != IK_OK)
            return st;
    }
    for (size_t off = body; off < len; off += VP_CHUNK) {
        size_t n = len - off < VP_CHUNK ? len - off : VP_CHUNK;
        if ((st = ik_dkim_verify_body(dv, msg + off, n)) != IK_OK)
            return st;
        if (av && (st = ik_arc_verify_body(av, msg + off, n)) != IK_OK)
            return st;
    }
    for (;;) {
        q = NULL;
        st = ik_dkim_verify_eom(dv, &q);
        if (st != IK_EAGAIN)
            break;
        if ((st = answer(r, a, q)) != IK_OK)
            return st;
    }
    if (st != IK_OK)
        return st;
    if (av) {
        for (;;) {
            q = NULL;
            st = ik_arc_verify_eom(av, &q);
            if (st != IK_EAGAIN)
                break;
            if ((st = answer(r, a, q)) != IK_OK)
                return st;
        }
        if (st != IK_OK)
            return st;
        const ik_arc_result *ar = ik_arc_verify_result(av);
        out->arc = ar->cv;
        out->arc_reason = ik_str_c(ar->reason);
    }

    /* DMARC over the SPF result and every signature (RFC 9989 4.3). */
    ik_dmarc_dkim dk[VP_MAX_DKIM];
    size_t nsig = ik_dkim_verify_count(dv);
    for (size_t i = 0; i < nsig && out->ndkim < VP_MAX_DKIM; i++) {
        const ik_dkim_sigresult *sr = ik_dkim_verify_get(dv, i);
        dk[out->ndkim].domain = sr->header_d;
        dk[out->ndkim].selector = sr->header_s;
        dk[out->ndkim].result = sr->result;
        out->dkim_domain[out->ndkim] = sr->header_d;
        out->dkim[out->ndkim] = sr->result;
        out->ndkim++;
    }
    ik_dmarc_from from;
    if ((st = ik_dmarc_author_from_fields(a, fields, nfields, &from)) != IK_OK)
        return st;
    ik_dmarc_auth auth;
    memset(&auth, 0, sizeof(auth));
    if (client) {
        if ((st = ik_dmarc_auth_set_spf(&auth, &sp, &so)) != IK_OK)
            return st;
    } else {
        auth.spf_result = IK_SPF_NONE;
    }
    auth.dkim = dk;
    auth.ndkim = out->ndkim;
    ik_dmarc_params dp;
    memset(&dp, 0, sizeof(dp));
    dp.spec = IK_DMARC_SPEC_9989;
    dp.sample = 0;
    dp.cache = ctx->dmarc;
    ik_dmarc_outcome dout;
    if ((st = ik_dmarc_check(a, &dp, &from, &auth, r, &dout)) != IK_OK)
        return st;
    out->dmarc = dout.result;
    out->disposition = dout.disposition;
    out->dmarc_reason = dout.reason;
    return IK_OK;
}
