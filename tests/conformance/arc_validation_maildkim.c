/*
 * arc_validation_maildkim.c - the ARC validation runner (arc_validation.c)
 * over Mail::DKIM's patched copy of the suite
 * (IK_CORPUS_DIR/arc/variant-mail-dkim/arc-draft-validation-tests.yml,
 * 170 tests; FORMAT.md there lists how it differs from upstream).
 */
#define ARC_SUITE_FILE "variant-mail-dkim/arc-draft-validation-tests.yml"
#define ARC_SUITE_NAME "arc validation (Mail::DKIM variant)"
#define ARC_SUITE_DEVIATIONS                                                                       \
    { "ams_fields_a_sha1", "fail", WHY_SHA1 }, { "as_fields_a_sha1", "fail", WHY_SHA1 },
#define WHY_SHA1                                                                                   \
    "a=rsa-sha1: RFC 8617 4.1.2 and 4.1.3 give the AMS and AS DKIM-Signature's syntax and "        \
    "semantics, and RFC 8301 3.1 says rsa-sha1 MUST NOT be used for verifying (such "              \
    "signatures have permanently failed).  Upstream's suite expects Fail, as we do; the "          \
    "variant flips it because Mail::DKIM's runner skips every sha1 test"
#include "arc_validation.c"
