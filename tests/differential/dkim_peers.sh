#!/bin/sh
# dkim_peers.sh - DKIM differential round trips between inkan, python3-dkim
# and Mail::DKIM (libmail-dkim-perl): each signs, all verify, with
# mutations; see dkim_peers.py for the cases and the verdict rule.
#
#   sh tests/differential/dkim_peers.sh INKAN_BINARY SOURCE_DIR
#
# Fails on any disagreement not listed in dkim_peers_known.txt.  Exit 77
# (skipped) when a peer is missing: Debian's /usr/bin/python3 without the
# dkim module, perl without Mail::DKIM, or no openssl command (it makes the
# peers' RSA key).  Without python3-nacl the Ed25519 cases run without
# python3-dkim.  No network is used.
set -u
INKAN=${1:?usage: dkim_peers.sh INKAN_BINARY SOURCE_DIR}
SRC=${2:?usage: dkim_peers.sh INKAN_BINARY SOURCE_DIR}
PY=/usr/bin/python3
DIR="$SRC/tests/differential"

if [ ! -x "$PY" ] || ! "$PY" -E -c 'import dkim' 2>/dev/null; then
    echo "skip: $PY cannot import dkim (install python3-dkim python3-nacl)"
    exit 77
fi
if ! perl -MMail::DKIM::Verifier -MNet::DNS -MJSON::PP -e 1 2>/dev/null; then
    echo "skip: perl cannot load Mail::DKIM (install libmail-dkim-perl)"
    exit 77
fi
if ! command -v openssl >/dev/null 2>&1; then
    echo "skip: no openssl command (install openssl)"
    exit 77
fi
if [ ! -x "$INKAN" ]; then
    echo "dkim_peers: $INKAN is not executable" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dkim_peers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

"$PY" -E "$DIR/dkim_peers.py" --inkan "$INKAN" --workdir "$tmp" \
    --known "$DIR/dkim_peers_known.txt" --perl-helper "$DIR/dkim_maildkim.pl" \
    ${DKIM_PEERS_ARGS:-}
