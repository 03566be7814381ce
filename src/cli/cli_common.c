/*
 * cli_common.c - helpers shared by the inkan subcommands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"

void cli_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "inkan %s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_dns_option(cli_dns_opts *o, int opt, const char *arg, const char *prog)
{
    switch (opt) {
    case CLI_OPT_ZONE: o->zone = arg; return 1;
    case CLI_OPT_RESOLVER: o->resolver = arg; return 1;
    case CLI_OPT_RECURSIVE: o->recursive = 1; return 1;
    case CLI_OPT_TRUST_ANCHOR: o->trust_anchor = arg; return 1;
    case CLI_OPT_ROOT_SERVER: o->root_server = arg; return 1;
    case CLI_OPT_DNS_TIMEOUT: {
        uint64_t v;
        if (ik_str_to_u64(ik_str_c(arg), 600000, &v) != IK_OK || v == 0) {
            cli_error(prog,
                      "--dns-timeout: '%s' is not a number of milliseconds "
                      "between 1 and 600000",
                      arg);
            return -1;
        }
        o->timeout_ms = (unsigned)v;
        return 1;
    }
    default: return 0;
    }
}

void cli_json_str(ik_buf *b, ik_str s)
{
    static const char hex[] = "0123456789abcdef";
    ik_buf_putc(b, '"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        switch (c) {
        case '"': ik_buf_append(b, "\\\"", 2); break;
        case '\\': ik_buf_append(b, "\\\\", 2); break;
        case '\n': ik_buf_append(b, "\\n", 2); break;
        case '\r': ik_buf_append(b, "\\r", 2); break;
        case '\t': ik_buf_append(b, "\\t", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                ik_buf_append(b, u, 6);
            } else if (c >= 0x80) {
                /* Pass well-formed UTF-8 sequences through; escape stray
                 * bytes as \u00XX so the output is always valid JSON. */
                size_t n = 0;
                if ((c & 0xe0) == 0xc0)
                    n = 1;
                else if ((c & 0xf0) == 0xe0)
                    n = 2;
                else if ((c & 0xf8) == 0xf0)
                    n = 3;
                int ok = n > 0 && n < s.len - i;
                for (size_t k = 1; ok && k <= n; k++)
                    if (((unsigned char)s.p[i + k] & 0xc0) != 0x80)
                        ok = 0;
                if (ok) {
                    ik_buf_append(b, s.p + i, n + 1);
                    i += n;
                } else {
                    char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                    ik_buf_append(b, u, 6);
                }
            } else {
                ik_buf_putc(b, (char)c);
            }
        }
    }
    ik_buf_putc(b, '"');
}

void cli_json_key(ik_buf *b, int *first, const char *key)
{
    if (!*first)
        ik_buf_putc(b, ',');
    *first = 0;
    cli_json_str(b, ik_str_c(key));
    ik_buf_putc(b, ':');
}

void cli_json_kv(ik_buf *b, int *first, const char *key, ik_str value)
{
    cli_json_key(b, first, key);
    cli_json_str(b, value);
}

void cli_json_kv_c(ik_buf *b, int *first, const char *key, const char *value)
{
    cli_json_kv(b, first, key, ik_str_c(value));
}

void cli_json_kv_u(ik_buf *b, int *first, const char *key, unsigned long v)
{
    cli_json_key(b, first, key);
    ik_buf_printf(b, "%lu", v);
}

void cli_json_kv_null(ik_buf *b, int *first, const char *key)
{
    cli_json_key(b, first, key);
    ik_buf_append_c(b, "null");
}

int cli_read_file(ik_arena *a, const char *path, size_t max, const char *prog, ik_str *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        cli_error(prog, "%s: %s", path, strerror(errno));
        return -1;
    }
    ik_buf b;
    ik_buf_init(&b, a, max);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ik_buf_append(&b, chunk, n);
    int rerr = ferror(f);
    if (f != stdin)
        fclose(f);
    if (rerr) {
        cli_error(prog, "%s: read error", path);
        return -1;
    }
    if (ik_buf_error(&b) == IK_ELIMIT) {
        cli_error(prog, "%s: larger than %zu bytes", path, max);
        return -1;
    }
    if (ik_buf_error(&b)) {
        cli_error(prog, "%s: %s", path, ik_strerror(ik_buf_error(&b)));
        return -1;
    }
    *out = ik_buf_str(&b);
    return 0;
}

void cli_json_error(ik_arena *a, const char *file, const char *why)
{
    ik_buf b;
    ik_buf_init(&b, a, 0);
    int first = 1;
    ik_buf_putc(&b, '{');
    cli_json_kv_c(&b, &first, "file", file);
    cli_json_kv_c(&b, &first, "error", why);
    ik_buf_append_c(&b, "}\n");
    ik_str s = ik_buf_str(&b);
    fwrite(s.p, 1, s.len, stdout);
}
