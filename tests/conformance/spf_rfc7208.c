/*
 * spf_rfc7208.c - runs the openspf RFC 7208 suite
 * (../shared/corpus/spf/rfc7208-tests.yml) against the SPF engine, with
 * explanations compared.  Every test must pass.
 */
#include "common/spf_suite.c"

int main(int argc, char **argv)
{
    return spf_suite_main(argc, argv, "rfc7208", IK_CORPUS_DIR "/spf/rfc7208-tests.yml", NULL, 0);
}
