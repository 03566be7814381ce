#!/bin/sh
# Runs every libFuzzer target in BUILD for SECONDS each, starting from its
# seed corpus (fuzz/corpus/<name>); new inputs go to a scratch directory so
# the committed seeds stay small.  Fails on the first crash.
BUILD=$1
SECONDS_EACH=${2:-10}
status=0
n=0
for bin in "$BUILD"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin" | sed 's/^fuzz_//')
    scratch=$(mktemp -d)
    seeds=fuzz/corpus/$name
    echo "fuzz: $name for ${SECONDS_EACH}s"
    if ! "$bin" -max_total_time="$SECONDS_EACH" -max_len=8192 -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=0 "$scratch" "$seeds" \
            >"$scratch.log" 2>&1; then
        echo "fuzz: $name FAILED"; tail -40 "$scratch.log"; status=1
    fi
    n=$((n + 1))
    rm -rf "$scratch" "$scratch.log"
done
if [ "$status" -eq 0 ]; then echo "fuzz: $n targets clean"; fi
exit $status
