/*
 * fuzz/dns_rdata.c - RDATA decoding over arbitrary bytes.
 *
 * Byte 0 picks the type (a known one most of the time, so the decoders get
 * exercised; otherwise bytes 0-1 are a raw type number), the rest is the
 * RDATA.  The input is decoded directly, added to an answer, and, when
 * accepted, the decoded views are read end to end.
 */
#include <stdint.h>
#include <string.h>

#include "inkan/dns.h"

static const uint16_t known[] = { IK_DNS_T_A,   IK_DNS_T_AAAA,  IK_DNS_T_MX,
                                  IK_DNS_T_PTR, IK_DNS_T_CNAME, IK_DNS_T_NS,
                                  IK_DNS_T_TXT, IK_DNS_T_SPF,   IK_DNS_T_SOA };

static size_t touch(ik_str s)
{
    size_t sum = 0;
    for (size_t i = 0; i < s.len; i++)
        sum += (unsigned char)s.p[i];
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint16_t type;
    size_t skip;
    if (data[0] < 0xf0) {
        type = known[data[0] % (sizeof(known) / sizeof(known[0]))];
        skip = 1;
    } else {
        if (size < 3)
            return 0;
        type = (uint16_t)(data[1] << 8 | data[2]);
        skip = 3;
    }
    ik_arena *a = ik_arena_new(NULL);
    if (a == NULL)
        return 0;
    ik_dns_rr rr;
    volatile size_t sum = 0;
    if (ik_dns_rdata_decode(a, type, data + skip, size - skip, &rr) == IK_OK) {
        switch (type) {
        case IK_DNS_T_MX: sum += touch(rr.u.mx.host); break;
        case IK_DNS_T_PTR:
        case IK_DNS_T_CNAME:
        case IK_DNS_T_NS: sum += touch(rr.u.name); break;
        case IK_DNS_T_TXT:
        case IK_DNS_T_SPF:
            sum += touch(rr.u.txt.joined);
            for (size_t i = 0; i < rr.u.txt.nstrings; i++)
                sum += touch(rr.u.txt.strings[i]);
            break;
        default: break;
        }
    }
    ik_dns_answer *ans = ik_dns_answer_new(a, IK_DNS_NODATA);
    if (ans && ik_dns_answer_add_rdata(a, ans, type, 60, data + skip, size - skip) == IK_OK)
        sum += touch(ans->rr[0].rdata);
    (void)sum;
    ik_arena_free(a);
    return 0;
}
