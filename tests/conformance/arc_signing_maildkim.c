/*
 * arc_signing_maildkim.c - the ARC signing runner (arc_signing.c) over
 * Mail::DKIM's patched copy of the suite
 * (IK_CORPUS_DIR/arc/variant-mail-dkim/arc-draft-sign-tests.yml, 17 tests:
 * an A-R with comments and a garbage A-R line in message_body_eol_wsp,
 * re-signed seals under i1_base, i2_base and their _fail forms).
 */
#define ARC_SUITE_FILE "variant-mail-dkim/arc-draft-sign-tests.yml"
#define ARC_SUITE_NAME "arc signing (Mail::DKIM variant)"
#include "arc_signing.c"
