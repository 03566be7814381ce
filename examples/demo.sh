#!/bin/sh
# The offline demo: evaluates realistic cases against examples/demo.zone
# with no network, and prints each verdict with its reason.
# Usage: sh examples/demo.sh path/to/inkan
INKAN=${1:-build/inkan}
DIR=$(dirname "$0")
ZONE=$DIR/demo.zone
[ -x "$INKAN" ] || { echo "demo: $INKAN is not built (run make)" >&2; exit 2; }

spf() { # description, then inkan spf arguments
    desc=$1; shift
    out=$("$INKAN" spf --zone "$ZONE" --receiver mx.demo.test "$@") || {
        echo "demo: inkan spf $* failed" >&2; exit 1; }
    result=$(printf '%s\n' "$out" | head -1)
    why=$(printf '%s\n' "$out" | sed -n 's/^\(mechanism\|explanation\|problem\): //p' | head -1)
    printf '  %-9s %-52s %s\n' "$result" "$desc" "$why"
}

echo "SPF (RFC 7208) against examples/demo.zone, no network:"
echo
spf "example.com from its ip4 range"        --ip 192.0.2.33   --mail-from alice@example.com
spf "example.com from its MX (IPv6)"        --ip 2001:db8::25 --mail-from alice@example.com
spf "example.com via its provider include"  --ip 198.51.100.9 --mail-from alice@example.com
spf "example.com forged from elsewhere"     --ip 203.0.113.99 --mail-from alice@example.com
spf "IPv4-mapped client address"            --ip ::ffff:192.0.2.33 --mail-from bob@example.com
spf "HELO identity of example.com's MX"     --ip 192.0.2.25   --helo mail.example.com
spf "bounce (null sender) checks the HELO"  --ip 192.0.2.25   --mail-from "" --helo mail.example.com
spf "domain still rolling out (~all)"       --ip 192.0.2.200  --mail-from news@softfail.example
spf "fail with a macro explanation"         --ip 203.0.113.7  --mail-from alice@explain.example
spf "redirect= to example.com's policy"     --ip 192.0.2.10   --mail-from x@redirect.example
spf "ptr mechanism, forward-confirmed"      --ip 192.0.2.77   --mail-from x@ptr.example
spf "ptr mechanism, name points elsewhere"  --ip 192.0.2.78   --mail-from x@ptr.example
spf "IPv6 through a: and mx:"               --ip 2001:db8:6::1 --mail-from x@v6.example
spf "domain without an SPF record"          --ip 203.0.113.80 --mail-from x@nospf.example
spf "two v=spf1 records"                    --ip 192.0.2.1    --mail-from x@broken.example
spf "unknown mechanism"                     --ip 192.0.2.1    --mail-from x@badmech.example
spf "TXT query times out"                   --ip 203.0.113.50 --mail-from x@timeout.example
spf "server answers SERVFAIL"               --ip 203.0.113.50 --mail-from x@servfail.example

if [ -f "$DIR/demo-senderid.eml" ] && "$INKAN" senderid --help >/dev/null 2>&1; then
    echo
    echo "Sender ID (RFC 4406) for examples/demo-senderid.eml:"
    echo
    for ip in 198.51.100.20 198.51.100.21; do
        out=$("$INKAN" senderid --zone "$ZONE" --ip "$ip" "$DIR/demo-senderid.eml")
        r=$(printf '%s\n' "$out" | head -1)
        pra=$(printf '%s\n' "$out" | sed -n 's/^pra: //p')
        printf '  %-9s client %-15s PRA %s, spf2.0/pra record\n' "$r" "$ip" "$pra"
    done
    for ip in 198.51.100.20 198.51.100.21; do
        r=$("$INKAN" spf --zone "$ZONE" --ip "$ip" \
            --mail-from bounces@senderid.example | head -1)
        printf '  %-9s client %-15s SPF for MAIL FROM bounces@senderid.example (v=spf1)\n' "$r" "$ip"
    done
    r=$("$INKAN" senderid --zone "$ZONE" --ip 198.51.100.21 --scope mfrom \
        --mail-from bounces@senderid.example "$DIR/demo-senderid.eml" | head -1)
    printf '  %-9s Sender ID mfrom scope: an spf2.0 record exists, so v=spf1 is not\n' "$r"
    printf '            used for Sender ID (RFC 4406 3.4)\n'
fi
# ---------------------------------------------------------------------------
# End to end: inkan verify runs every method on the signed demo messages
# (examples/make-demo-messages.sh made them with examples/keys/).  The
# mailing-list message is ARC-sealed here, as the list would do it.
# ---------------------------------------------------------------------------
if "$INKAN" verify --help >/dev/null 2>&1 && [ -f "$DIR/demo-aligned.eml" ]; then
    WORK=$(dirname "$INKAN")/demo
    mkdir -p "$WORK"
    # Demo keys only; git does not keep modes and inkan refuses keys that
    # others may read, so they are used from a private copy.
    cp "$DIR/keys/lists.example.org-arc2026.private" "$WORK/arc.private"
    chmod 600 "$WORK/arc.private"
    V="$INKAN verify --zone $ZONE --authserv-id mx.demo.test"
    # The list validates what it received from example.com's server, tags
    # the Subject, adds a footer, and seals (RFC 8617 5.1).
    "$INKAN" verify --zone "$ZONE" --authserv-id lists.example.org \
        --ip 192.0.2.25 --helo mail.example.com --mail-from carol@example.com \
        --arc-seal --domain lists.example.org --selector arc2026 \
        --key "$WORK/arc.private" --timestamp 1767225700 \
        --authres-from "$DIR/demo-list-arrival.eml" "$DIR/demo-list.eml" \
        > "$WORK/demo-list-sealed.eml" || { echo "demo: arc-seal failed" >&2; exit 1; }

    field() { # json, method -> its (first) result
        printf '%s\n' "$1" | sed -n "s/.*\"$2\":\[*{\"result\":\"\([a-z]*\)\".*/\1/p"
    }
    row() { # description, then inkan verify arguments
        desc=$1; shift
        j=$($V --json "$@") || { echo "demo: inkan verify $* failed" >&2; exit 1; }
        dis=$(printf '%s\n' "$j" | sed -n 's/.*"dmarc":{"result":"[a-z]*","disposition":"\([a-z]*\)".*/\1/p')
        dkim=$(field "$j" dkim); [ -n "$dkim" ] || dkim=none
        printf '  %-40s %-5s %-5s %-5s %-5s %-5s %s\n' "$desc" "$(field "$j" spf)" \
            "$dkim" "$(field "$j" arc)" "$(field "$j" iprev)" "$(field "$j" dmarc)" "$dis"
    }
    echo
    echo "End to end (inkan verify) against examples/demo.zone, no network:"
    echo
    printf '  %-40s %-5s %-5s %-5s %-5s %-5s %s\n' case spf dkim arc iprev dmarc disposition
    row "aligned: example.com's own server" \
        --ip 192.0.2.25 --helo mail.example.com --mail-from alice@example.com \
        "$DIR/demo-aligned.eml"
    row "forged From: attacker.example" \
        --ip 203.0.113.66 --helo mail.attacker.example --mail-from bounce@attacker.example \
        "$DIR/demo-forged.eml"
    row "forwarded by an alias (SPF breaks)" \
        --ip 203.0.113.25 --helo fwd.forwarder.example --mail-from bob@example.com \
        "$DIR/demo-forwarded.eml"
    row "mailing list, ARC sealer not trusted" \
        --ip 203.0.113.40 --helo mx.lists.example.org \
        --mail-from team-bounces@lists.example.org "$WORK/demo-list-sealed.eml"
    row "mailing list, trusted ARC sealer" \
        --ip 203.0.113.40 --helo mx.lists.example.org \
        --mail-from team-bounces@lists.example.org --trusted-sealer lists.example.org \
        "$WORK/demo-list-sealed.eml"
    echo
    echo "The last one in full (DMARC fails, the trusted sealer's chain overrides p=reject):"
    $V --ip 203.0.113.40 --helo mx.lists.example.org \
        --mail-from team-bounces@lists.example.org --trusted-sealer lists.example.org \
        "$WORK/demo-list-sealed.eml"
fi

echo
echo "One verdict in full (inkan spf --json):"
"$INKAN" spf --zone "$ZONE" --json --ip 203.0.113.7 --mail-from alice@explain.example \
    --helo mail.attacker.example --receiver mx.demo.test
