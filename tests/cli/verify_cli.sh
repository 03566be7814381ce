#!/bin/sh
# CLI contract of "inkan verify": exit codes (0 for any result, 2 with one
# stderr line on bad usage or unreadable input), the Authentication-Results
# output, the JSON fields, the count of forged A-R fields carrying our
# authserv-id, several files, LF-only input read as CRLF, stdin, DNS
# failures, RFC 7489 mode, and --arc-seal round trips (two hops, RSA then
# Ed25519) checked by our own ARC validator.  Uses examples/demo.zone and
# the signed demo messages.
# Usage: sh verify_cli.sh INKAN SOURCE_DIR
INKAN=$1
SRC=$(cd "$2" && pwd)
EX=$SRC/examples
ZONE=$EX/demo.zone
pass=0
fail=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
contains() { # name haystack needle
    case $2 in *"$3"*) check "$1" yes yes ;; *) check "$1" "contains [$3]" "$2" ;; esac
}
lacks() { # name haystack needle
    case $2 in *"$3"*) check "$1" "no [$3]" "$2" ;; *) check "$1" yes yes ;; esac
}
usage_error() { # name args...
    name=$1
    shift
    err=$("$INKAN" verify "$@" 2>&1 >/dev/null </dev/null)
    check "$name-exit" 2 $?
    check "$name-oneline" "1 1" "$(printf '%s\n' "$err" | wc -l | tr -d ' ') \
$(printf '%s\n' "$err" | grep -c '^inkan verify:')"
}
# json LINE EXPR: evaluates a Python expression over the object j.
json() {
    printf '%s\n' "$1" | python3 -c 'import json,sys
j = json.loads(sys.stdin.readline())
print(eval(sys.argv[1]))' "$2" 2>&1
}

[ -f "$EX/demo-aligned.eml" ] || { echo "no demo messages"; exit 77; }
command -v python3 >/dev/null || { echo "python3 needed for the JSON checks"; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/verify_cli.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
V="$INKAN verify --zone $ZONE --authserv-id mx.test"
ALIGNED="--ip 192.0.2.25 --helo mail.example.com --mail-from alice@example.com"

# ---- usage ---------------------------------------------------------------
usage_error bad-option --frobnicate "$EX/demo-aligned.eml"
usage_error helo-without-ip --zone "$ZONE" --helo x.example "$EX/demo-aligned.eml"
usage_error bad-ip --zone "$ZONE" --ip 300.1.2.3 "$EX/demo-aligned.eml"
usage_error null-sender-no-helo --zone "$ZONE" --ip 192.0.2.1 --mail-from "" "$EX/demo-aligned.eml"
usage_error bad-method --zone "$ZONE" --methods spf,bogus "$EX/demo-aligned.eml"
usage_error bad-authserv --zone "$ZONE" --authserv-id "a b" "$EX/demo-aligned.eml"
usage_error psl-alone --zone "$ZONE" --psl /dev/null "$EX/demo-aligned.eml"
usage_error bad-sealer --zone "$ZONE" --trusted-sealer "bad name" "$EX/demo-aligned.eml"
usage_error seal-needs-key --zone "$ZONE" --arc-seal --domain d.example --selector s \
    "$EX/demo-aligned.eml"
usage_error seal-json --zone "$ZONE" --arc-seal --domain d.example --selector s --key /x \
    --json "$EX/demo-aligned.eml"
usage_error key-without-seal --zone "$ZONE" --key /x "$EX/demo-aligned.eml"
usage_error missing-file --zone "$ZONE" "$T/nonexistent.eml"
usage_error directory --zone "$ZONE" "$T"
usage_error bad-zone --zone "$T/nonexistent.zone" "$EX/demo-aligned.eml"
out=$("$INKAN" verify --help)
check help-exit 0 $?
contains help-text "$out" "--trusted-sealer"

# ---- plain output --------------------------------------------------------
out=$($V $ALIGNED "$EX/demo-aligned.eml")
check plain-exit 0 $?
check plain-first "Authentication-Results: mx.test;" "$(printf '%s\n' "$out" | head -1)"
flat=$(printf '%s\n' "$out" | tr '\n' '~' | sed 's/~ / /g')
for m in "spf=pass" "sender-id=pass" "dkim=pass" "domainkeys=none" "dkim-adsp=pass" \
         "dmarc=pass" "arc=none" "iprev=pass" "header.d=example.com" \
         "smtp.mailfrom=alice@example.com" "policy.iprev=192.0.2.25"; do
    contains "plain-$m" "$flat" "$m"
done
# Folded at 78 columns, continuation lines start with a space, no CR.
check plain-width 0 "$(printf '%s\n' "$out" | awk 'length($0) > 78' | wc -l | tr -d ' ')"
check plain-no-cr 0 "$(printf '%s' "$out" | tr -cd '\r' | wc -c | tr -d ' ')"
check plain-cont 0 "$(printf '%s\n' "$out" | sed 1d | grep -vc '^ ')"

# Without a connection: no SPF, iprev or Sender ID.
out=$($V "$EX/demo-aligned.eml" | tr '\n' '~' | sed 's/~ / /g')
lacks noconn-spf "$out" "spf="
lacks noconn-iprev "$out" "iprev="
lacks noconn-senderid "$out" "sender-id="
contains noconn-dmarc "$out" "dmarc=pass"
# --methods narrows; DMARC still has its DKIM.
out=$($V $ALIGNED --methods dmarc "$EX/demo-aligned.eml" | tr '\n' '~' | sed 's/~ / /g')
lacks methods-no-arc "$out" "; arc="
lacks methods-no-iprev "$out" "iprev="
contains methods-dkim "$out" "dkim=pass"
contains methods-dmarc "$out" "dmarc=pass"

# ---- JSON ------------------------------------------------------------------
j=$($V $ALIGNED --json "$EX/demo-aligned.eml")
check json-exit 0 $?
check json-lines 1 "$(printf '%s\n' "$j" | wc -l | tr -d ' ')"
check json-keys "True" "$(json "$j" 'all(k in j for k in ["file","authentication_results","spf","iprev","sender_id","dkim","domainkeys","adsp","dmarc","arc","removed_authres"])')"
check json-ar "Authentication-Results: mx.test;" "$(json "$j" 'j["authentication_results"][:32]')"
check json-spf "pass example.com alice@example.com" "$(json "$j" 'j["spf"]["result"]+" "+j["spf"]["domain"]+" "+j["spf"]["identity"]')"
check json-spf-reason "True" "$(json "$j" '"designates" in j["spf"]["reason"]')"
check json-iprev "pass mail.example.com" "$(json "$j" 'j["iprev"]["result"]+" "+j["iprev"]["name"]')"
check json-sid "pass alice@example.com from" "$(json "$j" 'j["sender_id"]["result"]+" "+j["sender_id"]["pra"]+" "+j["sender_id"]["pra_field"]')"
check json-dkim "1 pass example.com demo2026 rsa-sha256 2048" "$(json "$j" '" ".join([str(len(j["dkim"])), j["dkim"][0]["result"], j["dkim"][0]["domain"], j["dkim"][0]["selector"], j["dkim"][0]["algorithm"], str(j["dkim"][0]["key_bits"])])')"
check json-dk "[]" "$(json "$j" 'j["domainkeys"]')"
check json-adsp "pass example.com" "$(json "$j" 'j["adsp"]["result"]+" "+j["adsp"]["domain"]')"
check json-dmarc "pass none reject example.com True True" "$(json "$j" '" ".join(str(j["dmarc"][k]) for k in ["result","disposition","policy","domain","spf_aligned","dkim_aligned"])')"
check json-arc "none 0" "$(json "$j" 'j["arc"]["result"]+" "+str(j["arc"]["oldest_pass"])')"
check json-removed 0 "$(json "$j" 'j["removed_authres"]')"
check json-reasons "True" "$(json "$j" 'all("reason" in x for x in [j["spf"],j["iprev"],j["sender_id"],j["adsp"],j["dmarc"],j["arc"]]+j["dkim"])')"

j=$($V --json --ip 203.0.113.66 --helo mail.attacker.example --mail-from bounce@attacker.example \
    "$EX/demo-forged.eml")
check forged-dmarc "fail reject" "$(json "$j" 'j["dmarc"]["result"]+" "+j["dmarc"]["disposition"]')"
check forged-dkim "pass attacker.example ed25519-sha256" "$(json "$j" 'j["dkim"][0]["result"]+" "+j["dkim"][0]["domain"]+" "+j["dkim"][0]["algorithm"]')"
check forged-reason "True" "$(json "$j" '"DKIM" in j["dmarc"]["reason"] and "SPF" in j["dmarc"]["reason"]')"

j=$($V --json --ip 203.0.113.25 --helo fwd.forwarder.example --mail-from bob@example.com \
    "$EX/demo-forwarded.eml")
check forwarded "fail pass pass none" "$(json "$j" 'j["spf"]["result"]+" "+j["dkim"][0]["result"]+" "+j["dmarc"]["result"]+" "+j["dmarc"]["disposition"]')"

# DNS failures: SPF temperror through $SERVFAIL, reported with its reason.
j=$($V --json --ip 203.0.113.50 --helo h.example --mail-from x@servfail.example \
    "$EX/demo-aligned.eml")
check servfail-exit 0 $?
check servfail-spf "temperror" "$(json "$j" 'j["spf"]["result"]')"

# RFC 7489 mode (PSL) gives the same verdict here.
if [ -r /usr/share/publicsuffix/public_suffix_list.dat ]; then
    j=$($V --json --rfc7489 $ALIGNED "$EX/demo-aligned.eml")
    check rfc7489 "pass none" "$(json "$j" 'j["dmarc"]["result"]+" "+j["dmarc"]["disposition"]')"
fi

# ---- forged Authentication-Results (RFC 8601 5) -------------------------------
{
    printf 'Authentication-Results: MX.TEST; dmarc=pass header.from=example.com\n'
    printf 'Authentication-Results: (comment) "mx.test"; spf=pass smtp.mailfrom=x\n'
    printf 'Authentication-Results: other.example; spf=pass smtp.mailfrom=x\n'
    printf 'Authentication-Results: mx.test.evil; spf=pass\n'
    cat "$EX/demo-aligned.eml"
} > "$T/forged-ar.eml"
j=$($V --json $ALIGNED "$T/forged-ar.eml")
check removed-count 2 "$(json "$j" 'j["removed_authres"]')"
check removed-dkim-still "pass" "$(json "$j" 'j["dkim"][0]["result"]')"

# ---- several files, stdin, LF-only ------------------------------------------
out=$($V $ALIGNED "$EX/demo-aligned.eml" "$EX/demo-forwarded.eml")
check multi-exit 0 $?
check multi-prefix 2 "$(printf '%s\n' "$out" | grep -c ': Authentication-Results: mx.test;$')"
contains multi-first "$(printf '%s\n' "$out" | head -1)" "$EX/demo-aligned.eml: "
j=$($V --json $ALIGNED "$EX/demo-aligned.eml" "$EX/demo-forwarded.eml")
check multi-json-lines 2 "$(printf '%s\n' "$j" | wc -l | tr -d ' ')"
check multi-json-file "$EX/demo-forwarded.eml" "$(json "$(printf '%s\n' "$j" | sed -n 2p)" 'j["file"]')"
# One unreadable file among good ones: exit 2, the others still reported.
out=$($V --json $ALIGNED "$EX/demo-aligned.eml" "$T/missing.eml" 2>/dev/null)
check multi-bad-exit 2 $?
check multi-bad-lines 2 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
contains multi-bad-error "$(printf '%s\n' "$out" | sed -n 2p)" '"error":'

a=$($V --json $ALIGNED - < "$EX/demo-aligned.eml" | sed 's/"file":"[^"]*"//')
b=$($V --json $ALIGNED "$EX/demo-aligned.eml" | sed 's/"file":"[^"]*"//')
check stdin-same "$b" "$a"
# The demo files are LF-only; the CRLF form must verify identically.
sed 's/$/\r/' "$EX/demo-aligned.eml" > "$T/crlf.eml"
c=$($V --json $ALIGNED "$T/crlf.eml" | sed 's/"file":"[^"]*"//')
check crlf-same "$b" "$c"
check lf-dkim-pass pass "$(json "$($V --json "$EX/demo-aligned.eml")" 'j["dkim"][0]["result"]')"

# ---- --arc-seal round trips ---------------------------------------------------
cp "$EX/keys/lists.example.org-arc2026.private" "$T/arc.private"
chmod 600 "$T/arc.private"
"$INKAN" keygen --domain hop2.example --selector ed --type ed25519 --out "$T" >/dev/null
{ printf '$INCLUDE %s\n' "$ZONE"; cat "$T/ed.txt"; } > "$T/hops.zone"
LIST="--ip 203.0.113.40 --helo mx.lists.example.org --mail-from team-bounces@lists.example.org"

"$INKAN" verify --zone "$ZONE" --authserv-id lists.example.org \
    --ip 192.0.2.25 --helo mail.example.com --mail-from carol@example.com \
    --arc-seal --domain lists.example.org --selector arc2026 --key "$T/arc.private" \
    --authres-from "$EX/demo-list-arrival.eml" "$EX/demo-list.eml" > "$T/hop1.eml"
check seal-exit 0 $?
check seal-order "ARC-Seal ARC-Message-Signature ARC-Authentication-Results" \
    "$(grep -o '^ARC-[A-Za-z-]*' "$T/hop1.eml" | tr '\n' ' ' | sed 's/ $//')"
check seal-body-kept "$(cat "$EX/demo-list.eml")" "$(awk 's == 2 { print; next }
    s == 0 && /^ARC-Authentication-Results:/ { s = 1; next }
    s == 1 && /^[ \t]/ { next }
    s == 1 { s = 2; print }' "$T/hop1.eml")"
contains seal-cv-none "$(sed -n '/^ARC-Seal/,/^[^ ]/p' "$T/hop1.eml")" "cv=none"
aar=$(sed -n '/^ARC-Authentication-Results/,/^[A-Z]/p' "$T/hop1.eml" | tr '\n' '~' | sed 's/~ / /g')
contains seal-aar-ours "$aar" "i=1; lists.example.org;"
contains seal-aar-dkim "$aar" "dkim=pass"
j=$($V --json $LIST "$T/hop1.eml")
check seal-validates "pass 1 fail reject" "$(json "$j" 'j["arc"]["result"]+" "+str(j["arc"]["instances"])+" "+j["dmarc"]["result"]+" "+j["dmarc"]["disposition"]')"
j=$($V --json $LIST --trusted-sealer lists.example.org "$T/hop1.eml")
check trusted-override "fail none trusted_arc lists.example.org 1" "$(json "$j" '" ".join(str(x) for x in [j["dmarc"]["result"], j["dmarc"]["disposition"], j["dmarc"]["override"], j["arc"]["trusted_sealer"], j["arc"]["trusted_instance"]])')"
contains trusted-ar "$(json "$j" 'j["authentication_results"]')" "arc=pass (trusted sealer lists.example.org i=1)"
j=$($V --json $LIST --trusted-sealer other.example "$T/hop1.eml")
check untrusted-sealer "reject 0" "$(json "$j" 'j["dmarc"]["disposition"]+" "+str(j["arc"]["trusted_instance"])')"

# Second hop, Ed25519, cv=pass; LF-only in and out, stdin.
"$INKAN" verify --zone "$T/hops.zone" --authserv-id hop2.example $LIST \
    --arc-seal --domain hop2.example --selector ed --key "$T/ed.private" \
    --algorithm ed25519-sha256 - < "$T/hop1.eml" > "$T/hop2.eml"
check seal2-exit 0 $?
check seal2-lf-only 0 "$(tr -cd '\r' < "$T/hop2.eml" | wc -c | tr -d ' ')"
contains seal2-cv-pass "$(sed -n '/^ARC-Seal/,/^[^ ]/p' "$T/hop2.eml" | head -3)" "cv=pass"
j=$("$INKAN" verify --zone "$T/hops.zone" --authserv-id mx.test --json "$T/hop2.eml")
check seal2-validates "pass 2 hop2.example" "$(json "$j" 'j["arc"]["result"]+" "+str(j["arc"]["instances"])+" "+j["arc"]["sets"][1]["seal_domain"]')"
# Tampering after the seal breaks the chain.
sed 's/^Subject: \[team\]/Subject: [tampered]/' "$T/hop2.eml" > "$T/tampered.eml"
j=$("$INKAN" verify --zone "$T/hops.zone" --authserv-id mx.test --json "$T/tampered.eml")
check tampered-fail fail "$(json "$j" 'j["arc"]["result"]')"
usage_error seal-bad-alg --zone "$ZONE" --arc-seal --domain d.example --selector s \
    --key "$T/ed.private" --algorithm rsa-sha256 "$EX/demo-list.eml"

# Hostile shapes: too many header fields, one huge field, binary noise:
# exit 2 with one line naming the limit, and nothing else printed.
python3 - "$T" <<'PY'
import sys
d = sys.argv[1]
open(d + "/many.eml", "wb").write(b"".join(b"X-H%d: v\r\n" % i for i in range(20000))
                                  + b"From: a@example.com\r\n\r\nbody\r\n")
open(d + "/huge.eml", "wb").write(b"Subject: " + b"a" * (2 << 20) + b"\r\n\r\nbody\r\n")
open(d + "/noise.eml", "wb").write(bytes(range(256)) * 40000)
PY
for m in many huge noise; do
    out=$("$INKAN" verify --zone "$ZONE" --authserv-id mx.test "$T/$m.eml" 2>"$T/$m.err")
    check "hostile-$m-exit" 2 $?
    check "hostile-$m-stdout" "" "$out"
    check "hostile-$m-oneline" "1" "$(wc -l < "$T/$m.err" | tr -d ' ')"
done
contains hostile-many-why "$(cat "$T/many.err")" "over the verifier's limits (10000 fields"
contains hostile-huge-why "$(cat "$T/huge.err")" "header field longer than"
contains hostile-noise-why "$(cat "$T/noise.err")" "header longer than"
# With --json the failure is also one object on stdout.
j=$("$INKAN" verify --zone "$ZONE" --authserv-id mx.test --json "$T/huge.eml" 2>/dev/null)
check hostile-json "$T/huge.eml|header field longer than 1048576 bytes" \
    "$(json "$j" 'j["file"]+"|"+j["error"]')"

echo "verify_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
