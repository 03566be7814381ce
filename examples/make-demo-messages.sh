#!/bin/sh
# Regenerates the signed demo messages examples/demo-*.eml from the texts
# below, with the demo keys of examples/keys/ and fixed timestamps (so the
# committed files do not change from run to run).
# Usage: sh examples/make-demo-messages.sh path/to/inkan [OUTDIR]
set -e
INKAN=${1:-build/inkan}
DIR=$(dirname "$0")
OUT=${2:-$DIR}
T=1767225600   # 2026-01-01T00:00:00Z
KEYS=$(mktemp -d)
trap 'rm -rf "$KEYS"' EXIT
# git does not keep modes, and inkan refuses keys others may read.
for k in "$DIR"/keys/*.private; do
    cp "$k" "$KEYS/" && chmod 600 "$KEYS/$(basename "$k")"
done

sign() { # key-file domain selector < message > signed
    "$INKAN" dkim sign --key "$KEYS/$1" --domain "$2" --selector "$3" --timestamp $T
}

# 1. Fully aligned: example.com's own server, SPF and DKIM both aligned.
sign example.com-demo2026.private example.com demo2026 > "$OUT/demo-aligned.eml" <<'MSG'
From: Alice Example <alice@example.com>
To: Bob <bob@example.net>
Subject: Quarterly report
Date: Thu, 01 Jan 2026 09:00:00 +0000
Message-ID: <report-2026q1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bob,

the quarterly report is attached to the intranet page as usual.

Alice
MSG

# 2. Forged From: attacker.example authenticates itself perfectly (SPF and
#    DKIM pass for attacker.example) but claims to be example.com.
sign attacker.example-s1.private attacker.example s1 > "$OUT/demo-forged.eml" <<'MSG'
From: "Example Payroll" <payroll@example.com>
To: Bob <bob@example.net>
Subject: Action required: confirm your salary account
Date: Thu, 01 Jan 2026 10:00:00 +0000
Message-ID: <8f3a@attacker.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear employee, please confirm your bank details at the link below.
MSG

# 3. Forwarded by an alias: the signature survives, SPF cannot.
sign example.com-demo2026.private example.com demo2026 > "$OUT/demo-forwarded.eml" <<'MSG'
From: Bob Example <bob@example.com>
To: dave@forwarder.example
Subject: Lunch on Friday?
Date: Thu, 01 Jan 2026 11:00:00 +0000
Message-ID: <lunch-0102@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dave, are you free for lunch on Friday?  -- Bob
MSG

# 4. A mailing list: demo-list-arrival.eml is what lists.example.org
#    received from example.com; demo-list.eml what it sends on, with a
#    tagged Subject and a footer, before it seals (demo.sh seals it).
sign example.com-demo2026.private example.com demo2026 > "$OUT/demo-list-arrival.eml" <<'MSG'
From: Carol Example <carol@example.com>
To: team@lists.example.org
Subject: Release notes for 4.2
Date: Thu, 01 Jan 2026 12:00:00 +0000
Message-ID: <release-4.2@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

The release notes for 4.2 are ready for review.

Carol
MSG
sed -e 's/^Subject: Release notes/Subject: [team] Release notes/' \
    -e 's/^To: team@lists.example.org$/To: team@lists.example.org\
List-Id: Team <team.lists.example.org>\
List-Unsubscribe: <mailto:team-leave@lists.example.org>/' \
    "$OUT/demo-list-arrival.eml" > "$OUT/demo-list.eml"
printf '%s\n' '-- ' 'team mailing list - https://lists.example.org/team' >> "$OUT/demo-list.eml"
