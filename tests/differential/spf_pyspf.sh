#!/bin/sh
# spf_pyspf.sh - differential test of "inkan spf" against pyspf (python3-spf).
#
#   sh tests/differential/spf_pyspf.sh INKAN_BINARY SOURCE_DIR
#
# Generates a fixed set of SPF policies and queries (spf_data.py), runs both
# implementations on the same static DNS data and fails on any disagreement
# not listed in spf_pyspf_known.txt.  Exit 77 (skipped) when Debian's
# /usr/bin/python3 has no spf module.  No network is used.
set -u
INKAN=${1:?usage: spf_pyspf.sh INKAN_BINARY SOURCE_DIR}
SRC=${2:?usage: spf_pyspf.sh INKAN_BINARY SOURCE_DIR}
PY=/usr/bin/python3
DIR="$SRC/tests/differential"

if [ ! -x "$PY" ] || ! "$PY" -E -c 'import spf' 2>/dev/null; then
    echo "skip: $PY cannot import spf (install python3-spf)"
    exit 77
fi
if [ ! -x "$INKAN" ]; then
    echo "spf_pyspf: $INKAN is not executable" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spf_pyspf.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

"$PY" -E "$DIR/spf_pyspf.py" --inkan "$INKAN" --workdir "$tmp" \
    --known "$DIR/spf_pyspf_known.txt" ${SPF_PYSPF_ARGS:-}
