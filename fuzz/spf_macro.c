/*
 * spf_macro.c - fuzz target for SPF macro expansion (RFC 7208 7).  The
 * first input byte selects explanation/domain-spec mode and the client
 * address family; the rest is the macro-string, expanded against a fixed
 * environment.
 */
#include <stdint.h>
#include <string.h>

#include "inkan/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_spf_macro_env env;
    memset(&env, 0, sizeof(env));
    env.sender = IK_STR_LIT("strong-bad@email.example.com");
    env.local = IK_STR_LIT("strong-bad");
    env.sender_domain = IK_STR_LIT("email.example.com");
    env.domain = IK_STR_LIT("sub.email.example.com");
    env.helo = IK_STR_LIT("mx.example.org");
    env.ptr = (mode & 8) ? IK_STR_LIT("mx.example.org") : IK_STR_NULL;
    env.receiver = (mode & 16) ? IK_STR_LIT("receiver.example.net") : IK_STR_NULL;
    env.now = 1400000000;
    ik_ip_parse((mode & 4) ? IK_STR_LIT("2001:db8::cb01") : IK_STR_LIT("192.0.2.3"), &env.ip);
    ik_str out, problem;
    ik_status st = ik_spf_macro_expand(a, ik_str_make((const char *)data + 1, size - 1), &env,
                                       mode & 1, (mode >> 1) & 1, &out, &problem);
    if (st == IK_OK) {
        if ((mode & 2) && out.len > 253)
            __builtin_trap(); /* RFC 7208 7.3 truncation */
        volatile size_t sink = 0;
        for (size_t i = 0; i < out.len; i++)
            sink += (unsigned char)out.p[i];
        (void)sink;
    }
    ik_arena_free(a);
    return 0;
}
