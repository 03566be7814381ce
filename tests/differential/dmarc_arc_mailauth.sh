#!/bin/sh
# dmarc_arc_mailauth.sh - DMARC and ARC verdicts of `inkan verify` against
# the npm package mailauth on a generated set (dmarc_arc_mailauth_gen.js:
# policies, alignment, DKIM, SPF, ARC chains; fixed seed), both answering
# DNS from the same zone data.  dmarc_arc_mailauth.js compares them.
#
#   sh tests/differential/dmarc_arc_mailauth.sh INKAN_BINARY SOURCE_DIR
#
# mailauth is installed by this script: `npm ci` of tests/differential/node
# (a pinned version and its package-lock.json) into mailauth-node/ next to
# the inkan binary in the build tree, once, again when the lock changes.
# Fails on any disagreement not listed in dmarc_arc_mailauth_known.txt.
# Exit 77 (skipped) when node or npm is missing, when the install fails (no
# registry reachable), or when this inkan has no `verify` command yet.
# Environment: MAILAUTH_ARGS adds options to the comparison (--verbose,
# --lenient, --only ID); MAILAUTH_COUNT sets the number of messages.
set -u
INKAN=${1:?usage: dmarc_arc_mailauth.sh INKAN_BINARY SOURCE_DIR}
SRC=${2:?usage: dmarc_arc_mailauth.sh INKAN_BINARY SOURCE_DIR}
DIR="$SRC/tests/differential"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "skip: node and npm are needed (apt-get install nodejs npm)"
    exit 77
fi
if [ ! -x "$INKAN" ]; then
    echo "dmarc_arc_mailauth: $INKAN is not executable" >&2
    exit 2
fi
if ! "$INKAN" verify --help >/dev/null 2>&1; then
    echo "skip: $INKAN has no verify command yet"
    exit 77
fi

# ---- the peer: npm ci into the build tree ----------------------------------
NODEDIR=$(cd "$(dirname "$INKAN")" && pwd)/mailauth-node
mkdir -p "$NODEDIR" || exit 2
if [ ! -f "$NODEDIR/node_modules/mailauth/package.json" ] ||
    ! cmp -s "$DIR/node/package-lock.json" "$NODEDIR/package-lock.json"; then
    cp "$DIR/node/package.json" "$DIR/node/package-lock.json" "$NODEDIR/" || exit 2
    if ! (cd "$NODEDIR" && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
        echo "skip: npm ci of mailauth failed (no package registry?); see $NODEDIR/npm.log"
        rm -f "$NODEDIR/package-lock.json"
        exit 77
    fi
fi
if ! NODE_PATH="$NODEDIR/node_modules" node -e 'require("mailauth")' 2>"$NODEDIR/require.log"; then
    echo "skip: this node cannot load mailauth; see $NODEDIR/require.log"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmarc_arc_mailauth.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

export NODE_PATH="$NODEDIR/node_modules"
node "$DIR/dmarc_arc_mailauth_gen.js" --inkan "$INKAN" --workdir "$tmp" \
    --count "${MAILAUTH_COUNT:-320}" || exit 2
node "$DIR/dmarc_arc_mailauth.js" --inkan "$INKAN" --workdir "$tmp" \
    --known "$DIR/dmarc_arc_mailauth_known.txt" ${MAILAUTH_ARGS:-}
