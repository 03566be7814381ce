#!/bin/sh
# DomainKeys against Mail::DKIM (Debian libmail-dkim-perl), the reference
# the corpus was made with: we sign -> Mail::DKIM verifies, Mail::DKIM
# signs -> we verify, for simple and nofws, without h=, with h= in message
# order and with h= in another order, over messages with folding, runs of
# whitespace, trailing empty and whitespace-only lines, an empty body and a
# last line without a line end; then mutations (body changed, whitespace
# collapsed, empty lines appended, a field added below the signature) where
# both verdicts must agree.  Skips (77) without perl's Mail::DKIM or openssl.
# Usage: sh domainkeys_maildkim.sh INKAN SOURCE_DIR
INKAN=$1
SRC=$2
PL=$SRC/tests/differential/domainkeys_maildkim.pl
perl -MMail::DKIM::Verifier -MNet::DNS -e1 2>/dev/null || { echo "SKIPPED: no Mail::DKIM"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIPPED: no openssl"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
openssl genrsa -out "$T/key.pem" 1024 2>/dev/null || { echo "SKIPPED: openssl genrsa"; exit 77; }
chmod 600 "$T/key.pem"
P=$(openssl rsa -in "$T/key.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n')
REC="k=rsa; p=$P"
printf '$ORIGIN example.com.\nsel._domainkey TXT "%s"\n' "$REC" > "$T/zone"

printf 'Received: from a by b\nFrom: Jo <jo@example.com>\nTo:  x@example.org,\n\ty@example.org\nSubject: hi   there\n\nHello  world\n\n  indented\t line \n \n\t\n\n' > "$T/m1.eml"
printf 'From: jo@example.com\nSubject: empty body\n\n' > "$T/m2.eml"
printf 'From: "Jo" <jo@example.com>\nSubject: no final newline\n\nfirst\nlast' > "$T/m3.eml"

pass=0
fail=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
ours() { "$INKAN" domainkeys verify --zone "$T/zone" "$1" 2>/dev/null | head -1; }
theirs() { perl "$PL" verify "$1" sel._domainkey.example.com "$REC" 2>/dev/null; }

mutate() { # kind in out
    case $1 in
    none) cp "$2" "$3" ;;
    body) sed 's/Hello/Jello/; s/^first/First/' "$2" > "$3" ;;
    space) sed 's/Hello  world/Hello world/; s/^first/fi rst/' "$2" > "$3" ;;
    tail) cp "$2" "$3"; printf '\r\n\r\n' >> "$3" ;;
    field) awk 'BEGIN{d=0} /^Subject:/ && !d {print "X-Added: yes\r"; d=1} {print}' "$2" > "$3" ;;
    esac
}

for signer in inkan maildkim; do
    for canon in simple nofws; do
        for h in none from:to:subject subject:from; do
            for m in m1 m2 m3; do
                name="$signer/$canon/$h/$m"
                if [ $signer = inkan ]; then
                    if [ $h = none ]; then set --; else set -- --headers "$h"; fi
                    "$INKAN" domainkeys sign --domain example.com --selector sel \
                        --key "$T/key.pem" --canon $canon "$@" "$T/$m.eml" > "$T/s.eml" \
                        || { check "$name sign" 0 $?; continue; }
                else
                    if [ $h = none ]; then set --; else set -- "$h"; fi
                    perl "$PL" sign "$T/$m.eml" "$T/key.pem" example.com sel $canon "$@" \
                        > "$T/s.eml" 2>/dev/null || { check "$name sign" 0 $?; continue; }
                fi
                for mut in none body space tail field; do
                    mutate $mut "$T/s.eml" "$T/v.eml"
                    o=$(ours "$T/v.eml")
                    t=$(theirs "$T/v.eml")
                    check "$name/$mut agree" "$t" "$o"
                    [ $mut = none ] && check "$name/$mut pass" pass "$o"
                done
            done
        done
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
