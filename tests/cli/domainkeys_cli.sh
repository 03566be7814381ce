#!/bin/sh
# CLI contract of "inkan domainkeys" and "inkan adsp": result keyword on the
# first line, --json fields, sign -> verify round trips (LF-only and CRLF
# messages), the sender policy, ADSP results, exit 0 for every result and
# exit 2 with one stderr line on bad usage.
# Usage: sh domainkeys_cli.sh INKAN SOURCE_DIR
INKAN=$1
SRC=$2
CORPUS=$SRC/../shared/corpus/domainkeys/mail-dkim
pass=0
fail=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
command -v openssl >/dev/null 2>&1 || { echo "SKIPPED: no openssl"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# A key pair, and a zone with its public half, a testing key, a policy
# record and ADSP records.
openssl genrsa -out "$T/key.pem" 1024 2>/dev/null || { echo "SKIPPED: openssl genrsa"; exit 77; }
chmod 600 "$T/key.pem"
P=$(openssl rsa -in "$T/key.pem" -pubout -outform DER 2>/dev/null | base64 | tr -d '\n')
cat > "$T/zone" <<ZONE
\$ORIGIN example.com.
@                   MX 10 mx
sel._domainkey      TXT "k=rsa; p=$P"
test._domainkey     TXT "k=rsa; t=y; p=$P"
_domainkey          TXT "o=-; r=dk@example.com"
_adsp._domainkey    TXT "dkim=discardable"
\$ORIGIN example.org.
@                   A 192.0.2.1
_adsp._domainkey    TXT "dkim=all"
\$ORIGIN example.net.
@                   MX 10 mx
_adsp._domainkey    TXT "dkim=unknown"
\$ORIGIN example.info.
@                   MX 10 mx
\$ORIGIN slow.example.
@                   MX 10 mx
\$SERVFAIL _adsp._domainkey.slow.example.
ZONE

printf 'From: Jo <jo@example.com>\nTo: x@example.org\nSubject: hi\n\nHello  world\n\n' > "$T/lf.eml"
printf 'From: Jo <jo@example.com>\r\nTo: x@example.org\r\nSubject: hi\r\n\r\nHello\r\n' > "$T/crlf.eml"

dkv() { "$INKAN" domainkeys verify --zone "$T/zone" "$@" 2>/dev/null; }
first() { dkv "$@" | head -1; }

for canon in nofws simple; do
    for h in "" "from:subject"; do
        name="$canon-${h:-noh}"
        if [ -n "$h" ]; then set -- --headers "$h"; else set --; fi
        "$INKAN" domainkeys sign --domain example.com --selector sel --key "$T/key.pem" \
            --canon $canon "$@" "$T/lf.eml" > "$T/s.eml"
        check "sign-exit-$name" 0 $?
        check "verify-$name" pass "$(first "$T/s.eml")"
        check "verify-stdin-$name" pass "$(dkv - < "$T/s.eml" | head -1)"
        # LF-only input stays LF-only.
        check "lf-kept-$name" 0 "$(tr -cd '\r' < "$T/s.eml" | wc -c | tr -d ' ')"
    done
done
"$INKAN" domainkeys sign --domain example.com --selector sel --key "$T/key.pem" \
    "$T/crlf.eml" > "$T/c.eml"
check crlf-sign 0 $?
check crlf-verify pass "$(first "$T/c.eml")"
check crlf-field-crlf 1 "$(head -1 "$T/c.eml" | grep -c "$(printf '\r')\$")"

# Mutations.
sed 's/Hello/Jello/' "$T/c.eml" > "$T/m.eml"
check body-changed fail "$(first "$T/m.eml")"
"$INKAN" domainkeys sign --domain example.com --selector test --key "$T/key.pem" \
    "$T/lf.eml" | sed 's/Hello/Jello/' > "$T/t.eml"
check testing-key-neutral neutral "$(first "$T/t.eml")"
check unsigned none "$(first "$T/lf.eml")"
# The policy of the sender's domain: o=- and a failing signature → reject.
check policy-reject "policy: reject (_domainkey.example.com): the domain signs all mail (o=-) and no signature of the sender passed" \
    "$(dkv "$T/m.eml" | grep '^policy:')"
check policy-pass "policy: accept (_domainkey.example.com): a signature of the sender passed" \
    "$(dkv "$T/c.eml" | grep '^policy:')"

# Several files: "FILE: result" lines; JSON: one object per line.
out=$(dkv "$T/c.eml" "$T/m.eml" | grep -c ': \(pass\|fail\)$')
check several-files 2 "$out"
out=$(dkv --json "$T/c.eml" "$T/lf.eml")
check json-lines 2 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
for key in file result signatures reason domain selector canonicalization headers \
           identity identity_header key_bits key_testing policy verdict sender; do
    case $out in *"\"$key\":"*) check "json-$key" yes yes ;; *) check "json-$key" present missing ;; esac
done

# The corpus, when present: real Gmail and Yahoo signatures.
if [ -f "$CORPUS/good_dk_gmail.txt" ]; then
    awk '$1 ~ /_domainkey\.(gmail|yahoo)\.com$/ {
        name = $1; $1 = ""; sub(/^ /, ""); rec = $0; out = name ". TXT";
        while (length(rec) > 200) { out = out " \"" substr(rec, 1, 200) "\""; rec = substr(rec, 201) }
        print out " \"" rec "\"" }' "$CORPUS/FAKE_DNS.dat" > "$T/corpus.zone"
    r=$("$INKAN" domainkeys verify --zone "$T/corpus.zone" "$CORPUS/good_dk_gmail.txt" \
        "$CORPUS/good_dk_yahoo.txt" "$CORPUS/bad_dk_5.txt" | grep -v '^\(signature\|policy\)' \
        | sed 's|.*/||')
    check corpus "good_dk_gmail.txt: pass good_dk_yahoo.txt: pass bad_dk_5.txt: permerror" \
        "$(echo $r)"
fi

# ADSP.
adsp() { "$INKAN" adsp --zone "$T/zone" "$@" 2>/dev/null | head -1; }
check adsp-discard discard "$(adsp example.com)"
check adsp-address discard "$(adsp jo@example.com)"
check adsp-pass pass "$(adsp --dkim-pass other.test --dkim-pass EXAMPLE.COM example.com)"
check adsp-fail fail "$(adsp --dkim-pass other.test example.org)"
check adsp-unknown unknown "$(adsp example.net)"
check adsp-none none "$(adsp example.info)"
check adsp-nxdomain nxdomain "$(adsp nowhere.example)"
check adsp-temperror temperror "$(adsp slow.example)"
check adsp-permerror permerror "$(adsp 'bad..example')"
out=$("$INKAN" adsp --zone "$T/zone" --json example.com)
check adsp-json-exit 0 $?
check adsp-json '{"result":"discard","domain":"example.com","practice":"discardable","record":"dkim=discardable","reason":"dkim=discardable and no valid Author Domain Signature"}' "$out"

# Bad usage: exit 2, exactly one line on stderr.
usage() { # name cmd...
    name=$1
    shift
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    check "usage-exit[$name]" 2 "$rc"
    check "usage-oneline[$name]" 1 "$(printf '%s\n' "$err" | grep -c '^inkan \(domainkeys\|adsp\):')"
    check "usage-lines[$name]" 1 "$(printf '%s\n' "$err" | wc -l | tr -d ' ')"
}
usage no-sub "$INKAN" domainkeys
usage bad-sub "$INKAN" domainkeys frobnicate
usage bad-opt "$INKAN" domainkeys verify --bogus
usage no-file "$INKAN" domainkeys verify --zone "$T/zone" "$T/nonexistent"
usage bad-zone "$INKAN" domainkeys verify --zone "$T/nonexistent" "$T/lf.eml"
usage sign-missing "$INKAN" domainkeys sign --domain example.com "$T/lf.eml"
usage sign-canon "$INKAN" domainkeys sign --domain example.com --selector sel \
    --key "$T/key.pem" --canon relaxed "$T/lf.eml"
usage sign-nokey "$INKAN" domainkeys sign --domain example.com --selector sel \
    --key "$T/nonexistent" "$T/lf.eml"
chmod 644 "$T/key.pem"
usage sign-keymode "$INKAN" domainkeys sign --domain example.com --selector sel \
    --key "$T/key.pem" "$T/lf.eml"
chmod 600 "$T/key.pem"
usage sign-foreign "$INKAN" domainkeys sign --domain example.org --selector sel \
    --key "$T/key.pem" "$T/lf.eml"
usage sign-two-files "$INKAN" domainkeys sign --domain example.com --selector sel \
    --key "$T/key.pem" "$T/lf.eml" "$T/lf.eml"
usage adsp-none "$INKAN" adsp --zone "$T/zone"
usage adsp-two "$INKAN" adsp --zone "$T/zone" a.example b.example
usage adsp-empty "$INKAN" adsp --zone "$T/zone" user@
usage adsp-opt "$INKAN" adsp --bogus example.com

# Messages over the reader's limits (the same reader as inkan dkim and
# inkan verify): exit 2, one line naming the limit, nothing on stdout.
{ printf 'Subject: '; head -c 2097152 /dev/zero | tr '\0' a; printf '\r\n\r\nbody\r\n'; } \
    > "$T/huge.eml"
usage verify-huge-field "$INKAN" domainkeys verify --zone "$T/zone" "$T/huge.eml"
check verify-huge-field-why "header field longer than 1048576 bytes" \
    "$("$INKAN" domainkeys verify --zone "$T/zone" "$T/huge.eml" 2>&1 | sed 's/.*: //')"
check verify-huge-field-stdout "" "$("$INKAN" domainkeys verify --zone "$T/zone" "$T/huge.eml" 2>/dev/null)"
usage sign-huge-field "$INKAN" domainkeys sign --domain example.com --selector sel \
    --key "$T/key.pem" "$T/huge.eml"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
