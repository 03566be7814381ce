/*
 * verify_pipe_ikverify.c - bench/verify's pipeline through the library's
 * composite engine (inkan/verify.h): ik_verify_message() with SPF, DKIM and
 * DMARC (and ARC when asked), the caches (DKIM keys, SPF records, DMARC
 * policies when given) shared as a daemon shares them.
 * Chosen by bench/CMakeLists.txt when the tree has inkan/verify.h; see
 * verify_pipe.h.
 */
#include <string.h>

#include "inkan/verify.h"
#include "verify_pipe.h"

const char *vp_name(const vp_ctx *ctx)
{
    return ctx->dmarc ? "libinkan ik_verify (static zone, SPF+DMARC caches)"
                      : "libinkan ik_verify (static zone, SPF cache)";
}

ik_status vp_verify(const vp_ctx *ctx, ik_arena *a, const char *msg, size_t len,
                    const ik_ip *client, ik_str helo, ik_str mailfrom, ik_resolver *r,
                    vp_result *out)
{
    memset(out, 0, sizeof(*out));
    ik_verify_config cfg;
    ik_verify_config_init(&cfg);
    cfg.authserv_id = IK_STR_LIT("bench.example");
    cfg.methods = IK_VERIFY_SPF | IK_VERIFY_DKIM | IK_VERIFY_DMARC;
    if (ctx->arc)
        cfg.methods |= IK_VERIFY_ARC;
    cfg.dmarc_sample = 0;
    cfg.now = ctx->now;
    cfg.spf_cache = ctx->spf;
    cfg.dkim_cache = ctx->keys;
    cfg.dmarc_cache = ctx->dmarc;
    ik_verify *v = ik_verify_new(a, &cfg);
    if (v == NULL)
        return IK_ENOMEM;
    ik_status st = ik_verify_message(v, client, helo, &mailfrom, msg, len, r);
    if (st != IK_OK)
        return st;
    const ik_spf_outcome *so = ik_verify_spf(v);
    out->spf = so ? so->result : IK_SPF_NONE;
    const ik_dkim_verifier *dv = ik_verify_dkim(v);
    size_t n = dv ? ik_dkim_verify_count(dv) : 0;
    for (size_t i = 0; i < n && out->ndkim < VP_MAX_DKIM; i++) {
        const ik_dkim_sigresult *sr = ik_dkim_verify_get(dv, i);
        out->dkim_domain[out->ndkim] = sr->header_d;
        out->dkim[out->ndkim++] = sr->result;
    }
    const ik_dmarc_outcome *dm = ik_verify_dmarc(v);
    if (dm) {
        out->dmarc = dm->result;
        out->disposition = dm->disposition;
        out->dmarc_reason = dm->reason;
    }
    const ik_arc_result *ar = ik_verify_arc(v);
    if (ar) {
        out->arc = ar->cv;
        out->arc_reason = ik_str_c(ar->reason);
    }
    return IK_OK;
}
