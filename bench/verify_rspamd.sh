#!/bin/sh
# bench/verify_rspamd.sh - rspamd's row of bench/verify.
#
#   sh bench/verify_rspamd.sh DIR SECONDS
#
# DIR holds the corpus and verify.rr (verify_bench prep).  Starts, all on
# loopback and all under DIR/rspamd:
#   - unbound on 127.0.0.1:$VB_DNS_PORT (default 15353), authoritative for
#     nothing and recursing nowhere: every record of verify.rr as local-data
#     in a static root zone, so any other name is NXDOMAIN at once;
#   - rspamd (Debian package, the stock /etc/rspamd configuration) with a
#     LOCAL_CONFDIR of our own: every module disabled except dkim, spf and
#     dmarc, no Redis, one normal worker process per core on
#     127.0.0.1:$VB_RSPAMD_PORT (default 11433), no controller, proxy or
#     fuzzy worker, DNS from that unbound;
# then drives it with verify_node.js (HTTP /checkv2, envelope in the IP,
# Helo and From headers, 4 requests in flight per worker), which checks that
# every message got DKIM, SPF and DMARC symbols and writes
# DIR/peer.rspamd.rate.  Stops both by their pids at the end.
# Exit 77 when rspamd, unbound or node is missing.
set -eu
DIR=${1:?usage: verify_rspamd.sh DIR SECONDS}
SECS=${2:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DNS_PORT=${VB_DNS_PORT:-15353}
PORT=${VB_RSPAMD_PORT:-11433}
WORKERS=${VB_RSPAMD_WORKERS:-$(nproc 2>/dev/null || echo 2)}

for cmd in rspamd unbound node; do
    if ! command -v $cmd >/dev/null 2>&1; then
        echo "verify_rspamd: $cmd is not installed: rspamd's row is left out"
        exit 77
    fi
done
DIR=$(cd "$DIR" && pwd)
R="$DIR/rspamd"
rm -rf "$R"
mkdir -p "$R/local/local.d" "$R/db" "$R/run" "$R/log" "$R/unbound"

# ---- unbound: the records as local-data ------------------------------------
{
    cat <<EOF
server:
    interface: 127.0.0.1
    port: $DNS_PORT
    do-ip6: no
    do-daemonize: no
    use-syslog: no
    logfile: "$R/unbound/unbound.log"
    verbosity: 0
    chroot: ""
    username: ""
    directory: "$R/unbound"
    pidfile: "$R/unbound/unbound.pid"
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    num-threads: 1
    local-zone: "." static
EOF
    # TXT values longer than 255 octets become several character-strings
    awk '{
        name = $1; type = $2; v = $0; sub(/^[^ ]+ [^ ]+ /, "", v)
        if (type == "TXT") {
            s = ""
            while (length(v) > 0) { s = s " \"" substr(v, 1, 255) "\""; v = substr(v, 256) }
            printf "    local-data: %c%s. 300 IN TXT%s%c\n", 39, name, s, 39
        } else {
            printf "    local-data: %c%s. 300 IN %s %s%c\n", 39, name, type, v, 39
        }
    }' "$DIR/verify.rr"
    printf 'remote-control:\n    control-enable: no\n'
} >"$R/unbound/unbound.conf"
unbound-checkconf "$R/unbound/unbound.conf" >/dev/null
unbound -d -c "$R/unbound/unbound.conf" >"$R/unbound/stderr" 2>&1 &
UNBOUND_PID=$!

# ---- rspamd: only dkim, spf and dmarc --------------------------------------
L="$R/local/local.d"
for f in /etc/rspamd/modules.d/*.conf; do
    m=$(basename "$f" .conf)
    case "$m" in
    dkim | spf | dmarc) ;;
    *) echo "enabled = false;" >"$L/$m.conf" ;;
    esac
done
cat >"$L/options.inc" <<EOF
dns {
    nameserver = ["127.0.0.1:$DNS_PORT"];
    timeout = 2s;
    retransmits = 2;
}
local_addrs = [];
EOF
cat >"$L/logging.inc" <<EOF
type = "file";
filename = "$R/log/rspamd.log";
level = "error";
EOF
cat >"$L/worker-normal.inc" <<EOF
bind_socket = "127.0.0.1:$PORT";
count = $WORKERS;
EOF
for w in controller proxy fuzzy; do
    echo "enabled = false;" >"$L/worker-$w.inc"
done
# The DKIM corpus is signed at a fixed time: no expiry check on its clock.
cat >"$L/dkim.conf" <<EOF
time_jitter = 1000000000;
EOF

rspamd -f -i -u "$(id -un)" -g "$(id -gn)" -c /etc/rspamd/rspamd.conf \
    --var "LOCAL_CONFDIR=$R/local" --var "DBDIR=$R/db" --var "RUNDIR=$R/run" \
    --var "LOGDIR=$R/log" >"$R/log/stderr" 2>&1 &
RSPAMD_PID=$!
cleanup() {
    kill "$RSPAMD_PID" 2>/dev/null || true
    kill "$UNBOUND_PID" 2>/dev/null || true
    wait "$RSPAMD_PID" 2>/dev/null || true
    wait "$UNBOUND_PID" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# wait for both to listen
i=0
until node -e "require('net').connect($PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$RSPAMD_PID" 2>/dev/null; then
        echo "verify_rspamd: rspamd did not start; see $R/log/" >&2
        tail -5 "$R/log/stderr" "$R/log/rspamd.log" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.2
done

VERSION=$(rspamd --version 2>/dev/null | awk '{print $NF}')
node "$SRC/bench/verify_node.js" rspamd "$DIR" --url "http://127.0.0.1:$PORT/checkv2" \
    --seconds "$SECS" --concurrency $((WORKERS * 4)) --workers "$WORKERS" --version "$VERSION" \
    --settings "${VB_RSPAMD_SETTINGS-{ groups_enabled = [\"dkim\", \"spf\", \"dmarc\"]; }}"
