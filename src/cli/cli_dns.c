/*
 * cli_dns.c - the resolver behind --zone, --resolver and --recursive (with
 * --trust-anchor and --root-server).
 */
#include <string.h>

#include "cli_common.h"
#include "inkan/resolver_unbound.h"
#include "inkan/zone.h"

int cli_dns_open(const cli_dns_opts *o, const char *prog, cli_dns *out)
{
    char err[512];
    memset(out, 0, sizeof(*out));
    if ((o->zone != NULL) + (o->resolver != NULL) + (o->recursive != 0) > 1) {
        cli_error(prog, "--zone, --resolver and --recursive exclude each other");
        return -1;
    }
    if (o->root_server && !o->recursive) {
        cli_error(prog, "--root-server needs --recursive");
        return -1;
    }
    if (o->trust_anchor && !o->recursive && !o->resolver) {
        cli_error(prog, "--trust-anchor needs --recursive or --resolver");
        return -1;
    }
    if (o->zone) {
        out->zone = ik_zone_new(NULL);
        if (out->zone == NULL) {
            cli_error(prog, "out of memory");
            return -1;
        }
        err[0] = '\0';
        if (ik_zone_load_file(out->zone, o->zone, err, sizeof(err)) != IK_OK) {
            cli_error(prog, "%s", err[0] ? err : o->zone);
            out->zone = ik_zone_free(out->zone);
            return -1;
        }
        if (ik_zone_resolver(out->zone, &out->r) != IK_OK) {
            cli_error(prog, "out of memory");
            out->zone = ik_zone_free(out->zone);
            return -1;
        }
        return 0;
    }
    ik_unbound_options uo;
    ik_unbound_options_init(&uo);
    uo.forwarder = o->resolver;
    uo.recursive = o->recursive;
    uo.trust_anchor_file = o->trust_anchor;
    uo.root_server = o->root_server;
    if (o->timeout_ms)
        uo.timeout_ms = o->timeout_ms;
    err[0] = '\0';
    if (ik_resolver_unbound_new(NULL, &uo, &out->r, err, sizeof(err)) != IK_OK) {
        cli_error(prog, "resolver: %s", err[0] ? err : "cannot start");
        return -1;
    }
    return 0;
}

void cli_dns_close(cli_dns *d)
{
    ik_resolver_close(&d->r);
    d->zone = ik_zone_free(d->zone);
}
