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

if [ ! -x "$BUILD/spf_bench" ]; then
    echo "bench/run.sh: $BUILD/spf_bench was not built (is libspf2-dev installed?)" >&2
    exit 1
fi
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
