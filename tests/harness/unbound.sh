# unbound.sh - sourced by the CLI tests that need a real DNS server: starts
# /usr/sbin/unbound in the foreground on 127.0.0.1 at a free high port.
#
#   ik_unbound_start DIR TAIL READY
#
# writes DIR/unbound.conf (the loopback-only basics, then the text of the
# file TAIL: indented lines continue the server: clause, others start
# clauses of their own such as auth-zone:), starts unbound, and returns
# once the shell function READY succeeds against it (up to ~5 s).  A port
# that cannot be bound (taken) is retried with another, five times.  Sets
# $port and $pid; the caller kills $pid when done.  Returns 1, with
# unbound's log on stdout, when it never becomes ready.
ik_unbound_try() {
    cat > "$1/unbound.conf" <<CONF
remote-control:
    control-enable: no
server:
    interface: 127.0.0.1
    port: $port
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$1"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 0
    num-threads: 1
    do-ip6: no
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
CONF
    cat "$2" >> "$1/unbound.conf"
    /usr/sbin/unbound -d -c "$1/unbound.conf" > "$1/unbound.log" 2>&1 &
    pid=$!
    i=0
    while [ $i -lt 50 ]; do
        $3 && return 0
        kill -0 $pid 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    kill $pid 2>/dev/null; wait $pid 2>/dev/null; pid=
    return 1
}

ik_unbound_start() {
    attempt=0
    port=$(( 20000 + ($$ % 40000) ))
    until ik_unbound_try "$1" "$2" "$3"; do
        attempt=$((attempt + 1))
        if [ $attempt -ge 5 ]; then
            echo "could not start unbound; its last log:"; cat "$1/unbound.log"
            return 1
        fi
        port=$(( 20000 + (($$ * 7919 + attempt * 104729) % 40000) ))
    done
}
