#!/bin/sh
# CLI contract of "inkan dkim verify", "inkan dkim sign" and "inkan keygen":
# exit codes (0 for any result, 2 with one stderr line on bad usage or
# unreadable input), JSON fields, sign -> verify round trips through keys
# from keygen and a zone file made of keygen's output, LF-only input kept
# LF-only, the key file permission refusal, streaming across read chunks.
# Usage: sh dkim_cli.sh INKAN SOURCE_DIR
INKAN=$1
pass=0
fail=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}
contains() { # name haystack needle
    case $2 in *"$3"*) check "$1" yes yes ;; *) check "$1" "contains [$3]" "$2" ;; esac
}
# Runs INKAN ARGS; checks exit 2 and exactly one "inkan CMD:" line on stderr.
usage_error() { # name cmd args...
    name=$1
    cmd=$2
    shift 2
    err=$("$INKAN" "$@" 2>&1 >/dev/null </dev/null)
    check "$name-exit" 2 $?
    check "$name-oneline" "1 1" "$(printf '%s\n' "$err" | wc -l | tr -d ' ') \
$(printf '%s\n' "$err" | grep -c "^inkan $cmd:")"
}

T=$(mktemp -d "${TMPDIR:-/tmp}/dkim_cli.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
umask 022

# ---- keygen ----------------------------------------------------------------
out=$("$INKAN" keygen --domain example.test --selector rsa1 --out "$T")
check keygen-exit 0 $?
contains keygen-line "$out" 'rsa1._domainkey.example.test. IN TXT ( "v=DKIM1; k=rsa; p='
check keygen-txt-file "$out" "$(cat "$T/rsa1.txt")"
check keygen-mode "-rw-------" "$(ls -l "$T/rsa1.private" | cut -c1-10)"
contains keygen-pem "$(head -1 "$T/rsa1.private")" "-----BEGIN PRIVATE KEY-----"
"$INKAN" keygen --domain example.test. --selector ed1 --type ed25519 --out "$T" >/dev/null
check keygen-ed-exit 0 $?
contains keygen-ed-line "$(cat "$T/ed1.txt")" '"v=DKIM1; k=ed25519; p='
"$INKAN" keygen --domain example.test --selector big --bits 4096 --out "$T" >/dev/null
check keygen-4096-exit 0 $?
# Every character-string at most 255 octets, several for RSA-4096.
lens=$(grep -o '"[^"]*"' "$T/big.txt" | awk '{ n++; if (length($0) - 2 > 255) bad++ }
    END { print n, bad + 0 }')
check keygen-split "3 0" "$lens"
usage_error keygen-exists keygen keygen --domain example.test --selector rsa1 --out "$T"
usage_error keygen-bits keygen keygen --domain example.test --selector x --bits 512 --out "$T"
usage_error keygen-bits-ed keygen keygen --domain example.test --selector x --type ed25519 \
    --bits 2048 --out "$T"
usage_error keygen-type keygen keygen --domain example.test --selector x --type dsa --out "$T"
usage_error keygen-no-domain keygen keygen --selector x --out "$T"
usage_error keygen-bad-selector keygen keygen --domain example.test --selector 'a b' --out "$T"
usage_error keygen-no-dir keygen keygen --domain example.test --selector x --out "$T/nonexistent"

# The zone: keygen's lines as they are (the zone reader must load them).
cat "$T/rsa1.txt" "$T/ed1.txt" "$T/big.txt" > "$T/keys.zone"
printf 'revoked._domainkey.example.test. IN TXT "v=DKIM1; p="\n' >> "$T/keys.zone"
Z="--zone $T/keys.zone"

# ---- messages ----------------------------------------------------------------
printf 'From: Alice <alice@example.test>\r\nTo: bob@example.org\r\nSubject: seal\r\n' > "$T/m.eml"
printf 'Date: Mon, 02 Nov 2026 10:00:00 +0900\r\n\r\nHello Bob,\r\n\r\nAlice\r\n' >> "$T/m.eml"
tr -d '\r' < "$T/m.eml" > "$T/lf.eml"

sign() { "$INKAN" dkim sign --domain example.test "$@"; }

# ---- sign -> verify ------------------------------------------------------------
sign --selector rsa1 --key "$T/rsa1.private" "$T/m.eml" > "$T/s-rsa.eml"
check sign-exit 0 $?
# shellcheck disable=SC2086
out=$("$INKAN" dkim verify $Z "$T/s-rsa.eml")
check verify-exit 0 $?
contains verify-rsa-pass "$out" "$T/s-rsa.eml: pass header.d=example.test header.s=rsa1 header.a=rsa-sha256"
# The message bytes follow the signature unchanged.
size=$(wc -c < "$T/m.eml" | tr -d ' ')
tail -c "$size" "$T/s-rsa.eml" | cmp -s - "$T/m.eml"
check sign-unchanged 0 $?
check sign-prefix-is-field 0 "$(head -c $(($(wc -c < "$T/s-rsa.eml") - size)) "$T/s-rsa.eml" |
    grep -v '^DKIM-Signature: ' | grep -vc '^ ')"

sign --selector ed1 --key "$T/ed1.private" --canon simple/simple "$T/m.eml" > "$T/s-ed.eml"
# shellcheck disable=SC2086
contains verify-ed-pass "$("$INKAN" dkim verify $Z "$T/s-ed.eml")" "pass header.d=example.test header.s=ed1 header.a=ed25519-sha256"
contains sign-canon "$(cat "$T/s-ed.eml")" "c=simple/simple;"

sign --selector rsa1 --key "$T/rsa1.private" --also-key "$T/ed1.private" --also-selector ed1 \
    --also-algorithm ed25519-sha256 --identity alice@mail.example.test \
    --headers from:to:subject:from --expire 3600 < "$T/m.eml" > "$T/s-dual.eml"
check sign-dual-exit 0 $?
check sign-dual-count 2 "$(grep -c '^DKIM-Signature:' "$T/s-dual.eml")"
# shellcheck disable=SC2086
out=$("$INKAN" dkim verify $Z --json "$T/s-dual.eml")
check verify-json-exit 0 $?
check verify-json-lines 1 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
for key in file signatures result reason domain selector algorithm identity header_b \
           key_bits body_length testing canonicalization expiration; do
    contains "json-$key" "$out" "\"$key\":"
done
contains json-dual-both "$out" '"selector":"rsa1","algorithm":"rsa-sha256","identity":"alice@mail.example.test"'
contains json-dual-ed "$out" '"selector":"ed1","algorithm":"ed25519-sha256"'
contains json-overall "$out" '"result":"pass"}'
contains json-bits "$out" '"key_bits":2048'

# RSA-4096 key published as several strings.
sign --selector big --key "$T/big.private" "$T/m.eml" > "$T/s-big.eml"
# shellcheck disable=SC2086
contains verify-4096 "$("$INKAN" dkim verify $Z "$T/s-big.eml")" "pass header.d=example.test header.s=big"

# ---- results other than pass -----------------------------------------------------
sed 's/^Subject: seal/Subject: forged/' "$T/s-rsa.eml" > "$T/tampered.eml"
# shellcheck disable=SC2086
out=$("$INKAN" dkim verify $Z --json "$T/tampered.eml" "$T/m.eml")
check verify-fail-exit 0 $?
contains tampered-fail "$out" '"result":"fail"'
contains unsigned-none "$out" "{\"file\":\"$T/m.eml\",\"signatures\":[],\"result\":\"none\"}"
# shellcheck disable=SC2086
contains unsigned-plain "$("$INKAN" dkim verify $Z "$T/m.eml")" "$T/m.eml: none"
sed 's/s=rsa1;/s=revoked;/' "$T/s-rsa.eml" > "$T/revoked.eml"
# shellcheck disable=SC2086
contains revoked "$("$INKAN" dkim verify $Z --json "$T/revoked.eml")" '"result":"permerror"'
sed 's/s=rsa1;/s=absent;/' "$T/s-rsa.eml" > "$T/nokey.eml"
# shellcheck disable=SC2086
contains no-key "$("$INKAN" dkim verify $Z --json "$T/nokey.eml")" '"result":"permerror"'

# x= in the past: refused, unless the clock skew allowance covers it.
now=$(date +%s)
sign --selector rsa1 --key "$T/rsa1.private" --timestamp $((now - 1000)) --expire 10 \
    "$T/m.eml" > "$T/expired.eml"
# shellcheck disable=SC2086
out=$("$INKAN" dkim verify $Z --json "$T/expired.eml")
case $out in *'"result":"pass"'*) check expired-refused not-pass "$out" ;;
             *) check expired-refused yes yes ;; esac
# shellcheck disable=SC2086
contains expired-skew "$("$INKAN" dkim verify $Z --clock-skew 2000 "$T/expired.eml")" ": pass "
# shellcheck disable=SC2086
"$INKAN" dkim verify $Z --legacy "$T/s-rsa.eml" > /dev/null
check legacy-exit 0 $?

# ---- LF-only input ------------------------------------------------------------------
sign --selector rsa1 --key "$T/rsa1.private" "$T/lf.eml" > "$T/s-lf.eml"
check lf-sign-exit 0 $?
check lf-output-has-no-cr 0 "$(tr -cd '\r' < "$T/s-lf.eml" | wc -c | tr -d ' ')"
check lf-body-unchanged "$(cat "$T/lf.eml")" "$(grep -v '^DKIM-Signature:' "$T/s-lf.eml" | grep -v '^ ')"
# shellcheck disable=SC2086
contains lf-verify "$("$INKAN" dkim verify $Z "$T/s-lf.eml")" ": pass "
# The same message after an MTA made it CRLF verifies too.
sed 's/$/\r/' "$T/s-lf.eml" > "$T/s-lf-crlf.eml"
# shellcheck disable=SC2086
contains lf-to-crlf-verify "$("$INKAN" dkim verify $Z "$T/s-lf-crlf.eml")" ": pass "
# stdin
# shellcheck disable=SC2086
contains stdin-verify "$("$INKAN" dkim verify $Z < "$T/s-lf.eml")" "-: pass "
# shellcheck disable=SC2086
contains stdin-dash "$("$INKAN" dkim verify $Z - < "$T/s-lf.eml")" "-: pass "

# An mbox envelope line stays first; the signature goes below it.
{ printf 'From alice@example.test Mon Nov  2 10:00:00 2026\n'; cat "$T/lf.eml"; } > "$T/mbox.eml"
sign --selector rsa1 --key "$T/rsa1.private" "$T/mbox.eml" > "$T/s-mbox.eml"
check mbox-first-line "From alice@example.test Mon Nov  2 10:00:00 2026" "$(head -1 "$T/s-mbox.eml")"
check mbox-second-line "DKIM-Signature:" "$(sed -n 2p "$T/s-mbox.eml" | cut -c1-15)"
# shellcheck disable=SC2086
contains mbox-verify "$("$INKAN" dkim verify $Z "$T/s-mbox.eml")" ": pass "

# A body far larger than one 64 KiB read, with a CR/LF split at a chunk edge.
{ cat "$T/lf.eml"; i=0; while [ $i -lt 3000 ]; do
    printf 'line %05d: the quick brown fox jumps over the lazy dog, twice over\n' $i
    i=$((i + 1)); done; } > "$T/large.eml"
sign --selector ed1 --key "$T/ed1.private" "$T/large.eml" > "$T/s-large.eml"
# shellcheck disable=SC2086
contains large-verify "$("$INKAN" dkim verify $Z "$T/s-large.eml")" ": pass "
sed 's/$/\r/' "$T/s-large.eml" > "$T/s-large-crlf.eml"
# shellcheck disable=SC2086
contains large-crlf-verify "$("$INKAN" dkim verify $Z "$T/s-large-crlf.eml")" ": pass "

# CR as the last byte of the first 64 KiB read, its LF first in the next:
# once inside the body, once as the empty line that ends the header.  Each
# edge is placed at offset 65535 of the file read: first of the unsigned
# message (the signer's read), then of the signed one (the verifier's read:
# the padding shrinks by the signature's length, which does not change).
pad() { # bytes: lines of 78 octets (CRLF included), then one shorter line
    awk -v n="$1" 'BEGIN { l = sprintf("%76s", ""); gsub(/ /, "x", l)
        while (n >= 78) { printf "%s\r\n", l; n -= 78 }
        r = ""; for (i = 0; i < n; i++) r = r "y"; printf "%s", r }'
}
chars() { head -c "$1" /dev/zero | tr '\0' z; }
edge_body() { # shift
    h=$(wc -c < "$T/m.eml" | tr -d ' ')
    { cat "$T/m.eml"; pad $((65535 - h - $1)); printf '\r\nend\r\n'; } > "$T/edge-body.eml"
}
edge_head() { # shift
    { printf 'From: alice@example.test\r\nSubject: edge\r\n'; i=0
      while [ $i -lt 64 ]; do printf 'X-Pad-%02d: %s\r\n' $i "$(chars 990)"; i=$((i + 1)); done
    } > "$T/edge-head.eml"
    h=$(wc -c < "$T/edge-head.eml" | tr -d ' ')
    printf 'X-Last: %s\r\n\r\nbody\r\n' "$(chars $((65525 - h - $1)))" >> "$T/edge-head.eml"
}
at_edge() { # file offset-before-65535
    od -An -b -j $((65535 - $2)) -N $(($2 + 2)) "$1" | xargs
}
for f in edge-body edge-head; do
    "$(echo $f | tr - _)" 0
    check "$f-sign-edge" "$([ $f = edge-body ] && echo 015 012 || echo 015 012 015 012)" \
        "$(at_edge "$T/$f.eml" $([ $f = edge-body ] && echo 0 || echo 2))"
    sign --selector rsa1 --key "$T/rsa1.private" --canon simple/simple --timestamp 1700000000 \
        "$T/$f.eml" > "$T/s-$f.eml"
    size=$(wc -c < "$T/$f.eml" | tr -d ' ')
    tail -c "$size" "$T/s-$f.eml" | cmp -s - "$T/$f.eml"
    check "$f-unchanged" 0 $?
    "$(echo $f | tr - _)" $(($(wc -c < "$T/s-$f.eml") - size))
    sign --selector rsa1 --key "$T/rsa1.private" --canon simple/simple --timestamp 1700000000 \
        "$T/$f.eml" > "$T/s-$f.eml"
    check "$f-verify-edge" "$([ $f = edge-body ] && echo 015 012 || echo 015 012 015 012)" \
        "$(at_edge "$T/s-$f.eml" $([ $f = edge-body ] && echo 0 || echo 2))"
    # shellcheck disable=SC2086
    contains "$f-verify" "$("$INKAN" dkim verify $Z "$T/s-$f.eml")" ": pass "
done
sed 's/^end\r$/END\r/' "$T/s-edge-body.eml" > "$T/s-edge-body-bad.eml"
# shellcheck disable=SC2086
contains edge-body-tampered "$("$INKAN" dkim verify $Z "$T/s-edge-body-bad.eml")" ": fail "

# ---- errors -----------------------------------------------------------------------
# Group-readable key: refused with the library's chmod hint; nothing written.
cp "$T/rsa1.private" "$T/open.private"
chmod 644 "$T/open.private"
err=$(sign --selector rsa1 --key "$T/open.private" "$T/m.eml" 2>&1 >"$T/out.eml")
check perm-exit 2 $?
contains perm-hint "$err" "chmod 600 $T/open.private"
check perm-oneline 1 "$(printf '%s\n' "$err" | grep -c '^inkan dkim:')"
check perm-no-output 0 "$(wc -c < "$T/out.eml" | tr -d ' ')"

# Many files: an unreadable one is reported, the others still verified, exit 2.
# shellcheck disable=SC2086
out=$("$INKAN" dkim verify $Z "$T/s-rsa.eml" "$T/missing.eml" "$T/s-ed.eml" 2>"$T/err")
check many-exit 2 $?
check many-results 2 "$(printf '%s\n' "$out" | grep -c ': pass ')"
check many-stderr 1 "$(grep -c "^inkan dkim: $T/missing.eml:" "$T/err")"

usage_error dkim-nosub dkim dkim
usage_error dkim-badsub dkim dkim frobnicate
usage_error verify-badopt dkim dkim verify --frobnicate
usage_error verify-skew dkim dkim verify --clock-skew soon "$T/m.eml"
usage_error verify-zone dkim dkim verify --zone "$T/nonexistent.zone" "$T/m.eml"
usage_error verify-dir dkim dkim verify $Z "$T"
usage_error sign-nokey dkim dkim sign --domain example.test --selector rsa1 "$T/m.eml"
usage_error sign-missing-key dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/none.private" "$T/m.eml"
usage_error sign-alg dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" --algorithm ed25519-sha256 "$T/m.eml"
usage_error sign-alg-name dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" --algorithm rsa-sha1 "$T/m.eml"
usage_error sign-canon dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" --canon loose "$T/m.eml"
usage_error sign-headers-from dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" --headers to:subject "$T/m.eml"
usage_error sign-identity dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" --identity a@elsewhere.test "$T/m.eml"
usage_error sign-also dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" --also-key "$T/ed1.private" "$T/m.eml"
usage_error sign-domain dkim dkim sign --domain 'exa mple' --selector rsa1 \
    --key "$T/rsa1.private" "$T/m.eml"
usage_error sign-two-files dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" "$T/m.eml" "$T/m.eml"
usage_error sign-unreadable dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" "$T/missing.eml"
printf 'Subject: no author\n\nbody\n' > "$T/nofrom.eml"
usage_error sign-no-from dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" "$T/nofrom.eml"
usage_error sign-empty dkim dkim sign --domain example.test --selector rsa1 \
    --key "$T/rsa1.private" /dev/null
check help-exit 0 "$("$INKAN" dkim verify --help >/dev/null; echo $?)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
