#!/bin/sh
# CLI contract of "inkan senderid" over examples/demo.zone.
# Usage: sh senderid_cli.sh INKAN SOURCE_DIR
INKAN=$1
SRC=$2
ZONE=$SRC/examples/demo.zone
MSG=$SRC/examples/demo-senderid.eml
pass=0
fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
sid() { "$INKAN" senderid --zone "$ZONE" "$@" 2>/dev/null; }

check pra-pass pass "$(sid --ip 198.51.100.20 "$MSG" | head -1)"
check pra-fail fail "$(sid --ip 198.51.100.21 "$MSG" | head -1)"
check pra-is-sender "list-bounces@senderid.example (sender)" \
    "$(sid --ip 198.51.100.20 "$MSG" | sed -n 's/^pra: //p')"
check stdin pass "$(sid --ip 198.51.100.20 - < "$MSG" | head -1)"
# RFC 4406 3.4: v=spf1 stands in for spf2.0/mfrom,pra only when no spf2.0
# record exists; senderid.example has spf2.0/pra, so mfrom finds nothing,
# while example.com (v=spf1 only) is used for both scopes.
check mfrom-no-v1-when-spf2 none \
    "$(sid --ip 198.51.100.21 --scope mfrom --mail-from b@senderid.example "$MSG" | head -1)"
check mfrom-v1-fallback pass \
    "$(sid --ip 192.0.2.10 --scope mfrom --mail-from b@example.com "$MSG" | head -1)"
check mfrom-v1-fail fail \
    "$(sid --ip 203.0.113.5 --scope mfrom --mail-from b@example.com "$MSG" | head -1)"

# LF-only message from stdin with only a From field: PRA is From.
out=$(printf 'From: a@example.com\nSubject: x\n\nbody\n' | sid --ip 192.0.2.10 --json -)
case $out in *'"result":"pass"'*'"pra":"a@example.com"'*'"pra_field":"from"'*)
    check json-from yes yes ;; *) check json-from yes "$out" ;; esac
# No From at all: no PRA, permerror, still exit 0.
printf 'Subject: x\n\nbody\n' | sid --ip 192.0.2.10 > /dev/null
check no-pra-exit 0 $?
check no-pra permerror "$(printf 'Subject: x\n\n' | sid --ip 192.0.2.10 | head -1)"

for args in "--ip 300.1.1.1 $MSG" "$MSG" "--ip 192.0.2.1 --scope x $MSG" \
            "--ip 192.0.2.1 /nonexistent/file" "--ip 192.0.2.1 --scope mfrom $MSG"; do
    # shellcheck disable=SC2086
    err=$("$INKAN" senderid --zone "$ZONE" $args 2>&1 >/dev/null)
    rc=$?
    check "usage-exit[$args]" 2 "$rc"
    check "usage-oneline[$args]" 1 "$(printf '%s\n' "$err" | grep -c '^inkan senderid:')"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
