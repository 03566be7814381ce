#!/bin/sh
# bench/run.sh - run every benchmark against a build directory.
#
#   sh bench/run.sh BUILD_DIR        (make bench does this with build-bench)
#
# Environment: BENCH_SECONDS (default 3) is the time each implementation is
# measured for, after one warm-up pass.  Everything runs on one core
# (taskset, when present) and in process; no DNS query leaves the machine.
set -eu
BUILD=${1:?usage: sh bench/run.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
SECS=${BENCH_SECONDS:-3}
OUT="$BUILD/bench-data/spf"
PIN=""
if command -v taskset >/dev/null 2>&1; then
    PIN="taskset -c 0"
fi

for prog in spf_bench dkim_bench; do
    if [ ! -x "$BUILD/$prog" ]; then
        echo "bench/run.sh: $BUILD/$prog was not built (are libspf2-dev and libopendkim-dev installed?)" >&2
        exit 1
    fi
done
if [ ! -x "$PY" ]; then
    echo "bench/run.sh: $PY is needed to generate the policy set" >&2
    exit 1
fi

echo "== bench/spf: SPF evaluations per second =="
mkdir -p "$OUT"
"$PY" -E "$SRC/bench/spf_gen.py" "$OUT"
rm -f "$OUT/pyspf.rate" "$OUT/pyspf.results"
if "$PY" -E -c 'import spf' 2>/dev/null; then
    $PIN "$PY" -E "$SRC/bench/spf_pyspf_bench.py" "$OUT" --seconds "$SECS"
else
    echo "python3-spf is not installed: its row is left out"
fi
$PIN "$BUILD/spf_bench" "$OUT" --seconds "$SECS"

echo
echo "== bench/dkim: DKIM verifications and signatures per second =="
DK="$BUILD/bench-data/dkim"
mkdir -p "$DK"
"$BUILD/dkim_gen" "$DK"
rm -f "$DK/py.rsa.rate" "$DK/py.ed25519.rate" "$DK/mem.txt"
if "$PY" -E -c 'import dkim' 2>/dev/null; then
    $PIN "$PY" -E "$SRC/bench/dkim_py_bench.py" "$DK" --seconds "$SECS"
else
    echo "python3-dkim is not installed: its row is left out"
fi
# Peak memory of verifying one 50 MB message, streamed from a file.  The
# driver reports getrusage's ru_maxrss; /usr/bin/time -v measures the same
# process from outside when it is installed.
"$BUILD/dkim_mem" make "$DK/big50.eml" 50 >/dev/null
if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$BUILD/dkim_mem" verify "$DK/big50.eml" "$DK/dkim_bench.zone" \
        >"$DK/mem.txt" 2>"$DK/mem.time" || true
    awk -F': ' '/Maximum resident set size/ { printf "/usr/bin/time -v: maximum resident set size %.1f MB\n", $2 / 1024 }' \
        "$DK/mem.time" >>"$DK/mem.txt"
else
    "$BUILD/dkim_mem" verify "$DK/big50.eml" "$DK/dkim_bench.zone" >"$DK/mem.txt" || true
fi
rm -f "$DK/big50.eml"
$PIN "$BUILD/dkim_bench" "$DK" --seconds "$SECS"

echo
echo "== bench/verify: whole pipeline (SPF, DKIM, DMARC) messages per second =="
# Reuses the bench/dkim corpus (rsa-sha256) with SPF and DMARC records added
# by verify_bench prep.  libinkan runs in process on one and on all cores;
# mailauth in one node process with DNS from memory; rspamd with one worker
# per core and DNS from a local unbound (bench/verify_rspamd.sh).  The peer
# rows are optional: left out when node, mailauth, rspamd or unbound is
# missing.
if [ -x "$BUILD/verify_bench" ]; then
    "$BUILD/verify_bench" prep "$DK"
    rm -f "$DK"/peer.*.rate
    NCPU=$(nproc 2>/dev/null || echo 1)
    $PIN "$BUILD/verify_bench" run "$DK" --seconds "$SECS" --only >"$DK/inkan1.out"
    mv "$DK/inkan1.out" "$DK/peer.inkan1.rate"
    # The same without the DMARC policy cache, and the engines composed by
    # hand under the same caches: the cost of the composite engine itself.
    $PIN "$BUILD/verify_bench" run "$DK" --seconds "$SECS" --only --no-dmarc-cache >"$DK/inkan1spf.out"
    mv "$DK/inkan1spf.out" "$DK/peer.inkan1spf.rate"
    if [ -x "$BUILD/verify_bench_engines" ]; then
        $PIN "$BUILD/verify_bench_engines" run "$DK" --seconds "$SECS" --only --no-dmarc-cache \
            >"$DK/peer.engines.rate"
    fi
    NODEDIR="$(cd "$BUILD" && pwd)/mailauth-node"
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        if [ ! -f "$NODEDIR/node_modules/mailauth/package.json" ] ||
            ! cmp -s "$SRC/tests/differential/node/package-lock.json" "$NODEDIR/package-lock.json"; then
            mkdir -p "$NODEDIR"
            cp "$SRC/tests/differential/node/package.json" "$SRC/tests/differential/node/package-lock.json" "$NODEDIR/"
            (cd "$NODEDIR" && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1) ||
                echo "npm ci of mailauth failed: its row is left out (see $NODEDIR/npm.log)"
        fi
        if [ -f "$NODEDIR/node_modules/mailauth/package.json" ]; then
            NODE_PATH="$NODEDIR/node_modules" $PIN node "$SRC/bench/verify_node.js" mailauth "$DK" --seconds "$SECS" ||
                echo "mailauth run failed: its row is left out"
        fi
    else
        echo "node/npm are not installed: mailauth's row is left out"
    fi
    sh "$SRC/bench/verify_rspamd.sh" "$DK" "$SECS" || echo "rspamd's row is left out"
    "$BUILD/verify_bench" run "$DK" --seconds "$SECS" --threads "$NCPU"
else
    echo "bench/run.sh: $BUILD/verify_bench was not built: bench/verify skipped"
fi
