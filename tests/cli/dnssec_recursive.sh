#!/bin/sh
# "inkan spf --recursive" with DNSSEC validation, end to end on loopback:
# a root zone of our own, signed with ldns-signzone (NSEC), one record
# tampered with after signing, served by a real unbound as an
# authoritative server (auth-zone) on 127.0.0.1; inkan recurses from it
# (--root-server) and validates against the zone's DS (--trust-anchor).
# Nothing leaves loopback.  Skipped (77) without unbound or ldnsutils.
# Usage: sh dnssec_recursive.sh INKAN SOURCE_DIR  (IK_KEEP=1 keeps the temp dir)
INKAN=$1
for tool in /usr/sbin/unbound /usr/bin/ldns-keygen /usr/bin/ldns-signzone; do
    [ -x "$tool" ] || { echo "SKIPPED: $tool not installed"; exit 77; }
done
dir=$(mktemp -d /tmp/ik_dnssec.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
[ -n "$IK_KEEP" ] && trap - EXIT

# Not under test., invalid. or localhost.: libunbound answers those
# locally (RFC 6761).
cat > "$dir/root.zone" <<'ZONE'
$ORIGIN .
$TTL 300
.           IN SOA ns.root. hostmaster.root. 1 3600 600 86400 300
.           IN NS  ns.root.
ns.root.    IN A   127.0.0.1
good.zz.    IN TXT "v=spf1 ip4:192.0.2.0/24 include:inc.zz -all"
inc.zz.     IN TXT "v=spf1 ip4:198.51.100.0/24 -all"
tampered.zz. IN TXT "v=spf1 ip4:203.0.113.0/24 -all"
ZONE
(
    cd "$dir" || exit 1
    key=$(ldns-keygen -a ED25519 -k .) && ldns-signzone root.zone "$key" && cp "$key.ds" ta.ds \
        && other=$(ldns-keygen -a ED25519 -k .) && cp "$other.ds" other.ds
) > "$dir/sign.log" 2>&1 || { echo "could not sign the zone:"; cat "$dir/sign.log"; exit 1; }
# After signing: the TXT of tampered.zz now allows everyone; its RRSIG
# still covers the old text.
sed 's|^\(tampered\.zz\..*TXT[^"]*\)"v=spf1 ip4:203.0.113.0/24 -all"|\1"v=spf1 +all"|' \
    "$dir/root.zone.signed" > "$dir/served.zone"
grep -q '^tampered\.zz\..*"v=spf1 +all"' "$dir/served.zone" || { echo "tampering failed"; exit 1; }

spf() { # port, trust-anchor, ip, mail-from, extra...
    p=$1; ta=$2; ip=$3; mf=$4; shift 4
    "$INKAN" spf --recursive --root-server "127.0.0.1@$p" --trust-anchor "$ta" \
        --dns-timeout 3000 --ip "$ip" --mail-from "$mf" "$@" 2>&1
}

cat > "$dir/tail.conf" <<CONF
auth-zone:
    name: "."
    zonefile: "$dir/served.zone"
    for-downstream: yes
    for-upstream: no
CONF
ready() { [ "$(spf $port "$dir/ta.ds" 192.0.2.1 a@good.zz | head -1)" = pass ]; }
. "$2/tests/harness/unbound.sh"
ik_unbound_start "$dir" "$dir/tail.conf" ready || exit 1

pass=0; fail=0
check() {
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
contains() { # name haystack needle
    case $2 in *"$3"*) check "$1" yes yes ;; *) check "$1" "contains [$3]" "$2" ;; esac
}
TA=$dir/ta.ds
check secure-pass pass "$(spf $port "$TA" 192.0.2.1 a@good.zz | head -1)"
check secure-include pass "$(spf $port "$TA" 198.51.100.7 a@good.zz | head -1)"
check secure-fail fail "$(spf $port "$TA" 203.0.113.9 a@good.zz | head -1)"
# NXDOMAIN proven by NSEC: a validated "no record", so none.
check secure-nxdomain none "$(spf $port "$TA" 192.0.2.1 a@absent.zz | head -1)"
# The tampered record is bogus: a DNS error (temperror), never "+all".
out=$(spf $port "$TA" 192.0.2.1 a@tampered.zz --json)
check bogus-exit 0 $?
check bogus-result temperror "$(printf '%s' "$out" | sed -n 's/^{"result":"\([a-z]*\)".*/\1/p')"
contains bogus-why "$out" "DNSSEC validation failed"
# A trust anchor of another key: nothing validates.
check wrong-anchor temperror "$(spf $port "$dir/other.ds" 192.0.2.1 a@good.zz | head -1)"
# The default anchor (the real root's key, when installed) does not
# vouch for our root either: validation is on by default with --recursive.
if [ -f /usr/share/dns/root.key ]; then
    out=$("$INKAN" spf --recursive --root-server "127.0.0.1@$port" --dns-timeout 3000 \
        --ip 192.0.2.1 --mail-from a@good.zz 2>&1 | head -1)
    check default-anchor temperror "$out"
fi
# An empty trust anchor turns validation off: the tampered text is taken.
check no-validation pass "$(spf $port "" 192.0.2.1 a@tampered.zz | head -1)"
# Usage errors: one line, exit 2.
err=$("$INKAN" spf --root-server 127.0.0.1 --ip 192.0.2.1 --mail-from a@good.zz 2>&1)
check root-needs-recursive-exit 2 $?
check root-needs-recursive "inkan spf: --root-server needs --recursive" "$err"
err=$("$INKAN" spf --recursive --root-server 127.0.0.1@99999 --ip 192.0.2.1 \
    --mail-from a@good.zz 2>&1)
check bad-root-exit 2 $?
contains bad-root "$err" "bad root server '127.0.0.1@99999'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
