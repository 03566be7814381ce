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

# Starts unbound on $port; true once it answers (up to ~5 s), false when
# it exits (the port was most likely taken) or never answers.
start_unbound() {
cat > "$dir/unbound.conf" <<CONF
server:
    interface: 127.0.0.1
    port: $port
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$dir"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 0
    num-threads: 1
    do-ip6: no
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    local-zone: "example.org." static
    local-data: 'example.org. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.example.org " "mx -all"'
    local-data: '_spf.example.org. 300 IN TXT "v=spf1 ip6:2001:db8:1::/48 ~all"'
    local-data: "example.org. 300 IN MX 10 mail.example.org."
    local-data: "mail.example.org. 300 IN A 198.51.100.25"
    local-data: 'soft.example.org. 300 IN TXT "v=spf1 ~all"'
    local-data: 'bad.example.org. 300 IN TXT "v=spf1 ip4:300.1.1.1 -all"'
    local-zone: "refused.example." refuse
remote-control:
    control-enable: no
CONF
    "$UNBOUND" -d -c "$dir/unbound.conf" > "$dir/log" 2>&1 &
    pid=$!
    i=0
    while [ $i -lt 50 ]; do
        [ "$(spf --ip 192.0.2.1 --mail-from a@example.org)" = pass ] && return 0
        kill -0 $pid 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    kill $pid 2>/dev/null; wait $pid 2>/dev/null; pid=
    return 1
}

attempt=0
port=$(( 20000 + ($$ % 20000) ))
until start_unbound; do
    attempt=$((attempt + 1))
    if [ $attempt -ge 5 ]; then
        echo "could not start unbound; its last log:"; cat "$dir/log"; exit 1
    fi
    port=$(( 20000 + (($$ * 7919 + attempt * 104729) % 40000) ))
done

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
