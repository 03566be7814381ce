#!/bin/sh
# "inkan spf --resolver IP@PORT" against a real unbound on 127.0.0.1 that
# serves the test records itself (local-data); nothing leaves loopback.
# Skipped (77) when unbound is not installed.
# Usage: sh spf_resolver.sh INKAN SOURCE_DIR
INKAN=$1
UNBOUND=/usr/sbin/unbound
[ -x "$UNBOUND" ] || { echo "SKIPPED: $UNBOUND not installed"; exit 77; }
dir=$(mktemp -d /tmp/ik_spf_resolver.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT INT TERM

spf() { "$INKAN" spf --resolver "127.0.0.1@$port" --dns-timeout 2000 "$@" 2>&1 | head -1; }

cat > "$dir/tail.conf" <<'CONF'
    local-zone: "example.org." static
    local-data: 'example.org. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.example.org " "mx -all"'
    local-data: '_spf.example.org. 300 IN TXT "v=spf1 ip6:2001:db8:1::/48 ~all"'
    local-data: "example.org. 300 IN MX 10 mail.example.org."
    local-data: "mail.example.org. 300 IN A 198.51.100.25"
    local-data: 'soft.example.org. 300 IN TXT "v=spf1 ~all"'
    local-data: 'bad.example.org. 300 IN TXT "v=spf1 ip4:300.1.1.1 -all"'
    local-zone: "refused.example." refuse
CONF
ready() { [ "$(spf --ip 192.0.2.1 --mail-from a@example.org)" = pass ]; }
. "$2/tests/harness/unbound.sh"
ik_unbound_start "$dir" "$dir/tail.conf" ready || exit 1

pass=0; fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
check ip4-joined-strings pass "$(spf --ip 192.0.2.1 --mail-from a@example.org)"
check include-ip6 pass "$(spf --ip 2001:db8:1::5 --mail-from a@example.org)"
check mx pass "$(spf --ip 198.51.100.25 --mail-from a@example.org)"
check fail fail "$(spf --ip 203.0.113.1 --mail-from a@example.org)"
check softfail softfail "$(spf --ip 203.0.113.1 --mail-from a@soft.example.org)"
check permerror permerror "$(spf --ip 203.0.113.1 --mail-from a@bad.example.org)"
check nxdomain none "$(spf --ip 203.0.113.1 --mail-from a@nothere.example.org)"
check refused temperror "$(spf --ip 203.0.113.1 --mail-from a@refused.example)"
# A server that does not answer: temperror within the timeout, exit 0.
out=$("$INKAN" spf --resolver 127.0.0.1@1 --dns-timeout 500 --ip 192.0.2.1 --mail-from a@example.org)
check dead-server-exit 0 $?
check dead-server temperror "$(printf '%s\n' "$out" | head -1)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
