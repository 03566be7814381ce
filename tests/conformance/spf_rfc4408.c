/*
 * spf_rfc4408.c - runs the older openspf RFC 4408 suite
 * (../shared/corpus/spf/rfc4408-tests.yml) against the engine, which
 * implements RFC 7208.  Tests whose RFC 4408 expectation RFC 7208 changed
 * are listed below with the section that changed them; they are reported
 * as "expected-different" instead of failing.  Everything else must pass.
 */
#include "common/spf_suite.c"

/*
 * Sixteen tests carry different expectations in the two suites (compare
 * rfc7208-tests.CHANGES): txtonly, spfonly, spftimeout, txttimeout,
 * nospftxttimeout, spfoverride, multitxt1, multispf2 (RFC 7208 3.1, 4.4,
 * 4.5: type SPF is no longer used), exists-dnserr (RFC 7208 5: DNS errors
 * are temperror), cidr6-0-ip4, cidr6-ip4 (RFC 7208 5: IPv4-mapped clients
 * are IPv4 and never match ip6), mx-limit (RFC 7208 4.6.4: more than 10 MX
 * names is permerror), the three invalid-domain-* tests (RFC 7208 4.3 /
 * 4.8: undefined, no-match preferred), and upper-macro (the RFC 7208 suite
 * uses a different sender).  In every one of them the RFC 4408 suite lists
 * several acceptable results, and the RFC 7208 behaviour is among them, so
 * all pass here and no test needs to be excused: the table is empty.  A
 * test added to it is reported as "expected-different" instead of failing.
 */
static const spf_expected_diff diffs[] = {
    { NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
    return spf_suite_main(argc, argv, "rfc4408", IK_CORPUS_DIR "/spf/rfc4408-tests.yml", diffs,
                          sizeof(diffs) / sizeof(diffs[0]) - 1);
}
