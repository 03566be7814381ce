#!/bin/sh
# CLI contract of "inkan spf": first line = result keyword, --json fields,
# exit 0 for every result, exit 2 with one stderr line on bad usage.
# Usage: sh spf_cli.sh INKAN SOURCE_DIR
INKAN=$1
SRC=$2
ZONE=$SRC/tests/cli/spf.zone
pass=0
fail=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
first_line() { "$INKAN" spf --zone "$ZONE" "$@" 2>/dev/null | head -1; }

check pass-v4 pass "$(first_line --ip 192.0.2.10 --mail-from a@pass.test)"
check pass-v6 pass "$(first_line --ip 2001:db8::5 --mail-from a@pass.test)"
check mapped pass "$(first_line --ip ::ffff:192.0.2.10 --mail-from a@pass.test)"
check fail fail "$(first_line --ip 203.0.113.1 --mail-from a@pass.test)"
check joined-strings pass "$(first_line --ip 192.0.2.1 --mail-from a@multi.test)"
check permerror permerror "$(first_line --ip 192.0.2.1 --mail-from a@broken.test)"
check none none "$(first_line --ip 192.0.2.1 --mail-from a@nothing.test)"
check temperror temperror "$(first_line --ip 192.0.2.1 --mail-from a@slow.test)"
check helo-scope pass "$(first_line --ip 198.51.100.7 --helo helo.test)"
check null-sender pass "$(first_line --ip 198.51.100.7 --mail-from '' --helo helo.test)"

out=$("$INKAN" spf --zone "$ZONE" --ip 192.0.2.1 --mail-from a@broken.test --json)
check json-exit 0 $?
for key in result domain mechanism explanation problem dns_lookups void_lookups received_spf; do
    case $out in *"\"$key\":"*) check "json-$key" yes yes ;; *) check "json-$key" present missing ;; esac
done
case $out in *foo:bar*) check problem-names-term yes yes ;; *) check problem-names-term yes "$out" ;; esac

out=$("$INKAN" spf --zone "$ZONE" --ip 203.0.113.9 --mail-from a@exp.test --json)
case $out in *"203.0.113.9 is not one of exp.test's designated mail servers."*)
    check explanation yes yes ;; *) check explanation yes "$out" ;; esac

# Bad usage: exit 2, exactly one line on stderr.
for args in "--ip 1.2.3 --mail-from a@pass.test" "--mail-from a@pass.test" \
            "--ip 192.0.2.1" "--ip 192.0.2.1 --mail-from a@pass.test --scope x" \
            "--ip 192.0.2.1 --mail-from a@pass.test --zone /nonexistent"; do
    # shellcheck disable=SC2086
    err=$("$INKAN" spf $args 2>&1 >/dev/null)
    rc=$?
    check "usage-exit[$args]" 2 "$rc"
    check "usage-oneline[$args]" 1 "$(printf '%s\n' "$err" | grep -c '^inkan spf:')"
done

# A malformed zone line is reported as file:line.
bad=$(mktemp)
printf 'ok.test. TXT "v=spf1 -all"\nbad.test. A 1.2.3\n' > "$bad"
err=$("$INKAN" spf --zone "$bad" --ip 192.0.2.1 --mail-from a@ok.test 2>&1 >/dev/null)
check zone-error-exit 2 $?
case $err in *"$bad:2:"*) check zone-error-line yes yes ;; *) check zone-error-line yes "$err" ;; esac
rm -f "$bad"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
