"""dkim_peers.py - DKIM differential round trips: inkan, python3-dkim and
Mail::DKIM sign and verify each other's messages (driven by dkim_peers.sh).

Three signers make signatures over a fixed set of messages:
  inkan        `inkan dkim sign` with keys from `inkan keygen`
               (rsa-sha256 and ed25519-sha256, alone and dual-signed)
  python3-dkim dkim.sign (RSA key from `openssl genrsa -traditional`,
               Ed25519 key from PyNaCl)
  Mail::DKIM   Mail::DKIM::Signer (the same RSA key)
Each signed message is then mutated (header change, body change, header
whitespace, body whitespace, appended blank lines, prepended From, added
unsigned field, nothing) and verified by all three:
  inkan        one `inkan dkim verify --zone Z --json` run over every file
  python3-dkim dkim.DKIM(msg).verify(idx, dnsfunc=...) for every signature
  Mail::DKIM   one dkim_maildkim.pl run, DNS faked at Mail::DKIM::DNS::query
All three see the same key records (inkan through a zone file written from
the same table).

A case is one message x signer x mutation.  It passes when, for every
signature, every verifier that supports the algorithm reaches the same
verdict (pass / not pass) and that verdict is the one RFC 6376 predicts for
the mutation (so a signer that makes broken signatures cannot hide behind
agreement).  A difference listed in the known file (with its RFC section)
is reported and not counted as a failure.  Prints "N passed, N failed".
"""

import argparse
import base64
import fnmatch
import json
import os
import re
import subprocess
import sys

import dkim

try:
    import nacl.signing
    import nacl.encoding
    HAVE_NACL = True
except ImportError:
    HAVE_NACL = False

INKAN_DOMAIN = b"inkan.example"
PEER_DOMAIN = b"peer.example"

# ---- messages ----------------------------------------------------------

def crlf(lines):
    return b"".join(l + b"\r\n" for l in lines)


def lf(lines):
    return b"".join(l + b"\n" for l in lines)


BASE_HDR = [
    b"From: Alice Example <alice@inkan.example>",
    b"To: Bob <bob@receiver.example>",
    b"Subject: the quarterly seal report",
    b"Date: Mon, 02 Nov 2026 10:00:00 +0900",
    b"Message-ID: <20261102100000.1@inkan.example>",
]


def messages():
    big = [b"line %05d of a long message body, padded to look like prose text" % i
           for i in range(3500)]  # about 240 KB: several 64 KiB reads
    return {
        "plain": crlf(BASE_HDR + [b"", b"Hello Bob,", b"", b"the seal is attached.",
                                  b"-- ", b"Alice"]),
        "lfonly": lf(BASE_HDR[:2] + [b"Subject: a folded", b"\tsubject line"] + BASE_HDR[3:]
                     + [b"", b"LF-only text, as files on disk have it.", b"second line"]),
        "spaces": crlf([b"From:   Alice <alice@inkan.example>  ",
                        b"To: bob@receiver.example",
                        b"Subject:\twhitespace \t everywhere ",
                        b"Date: Mon, 02 Nov 2026 10:00:00 +0900",
                        b"", b"trailing spaces   ", b"  leading and\t\tinner  tabs",
                        b"", b"", b"", b""]),
        "empty": crlf(BASE_HDR + [b""]),
        "noeol": crlf(BASE_HDR + [b""]) + b"Body without a final line end",
        "mixed": crlf(BASE_HDR) + b"\r\n" + b"CRLF line\r\nLF line\nbare\rCR inside\r\n"
                 + b"last LF line\n",
        "large": lf(BASE_HDR + [b""] + big),
    }

# ---- mutations (applied to signed messages) ----------------------------

def eol_of(msg):
    i = msg.find(b"\n")
    return b"\r\n" if i > 0 and msg[i - 1:i] == b"\r" else b"\n"


LINE_RE = re.compile(rb"[^\n]*\n|[^\n]+\Z")


def split_lines(msg):
    lines = LINE_RE.findall(msg)
    for i, l in enumerate(lines):
        if l in (b"\r\n", b"\n"):
            return lines[:i + 1], lines[i + 1:]
    return lines, []


def line_end(l):
    if l.endswith(b"\r\n"):
        return l[:-2], b"\r\n"
    if l.endswith(b"\n"):
        return l[:-1], b"\n"
    return l, b""


def mutate_subject(msg, fn):
    head, body = split_lines(msg)
    for i, l in enumerate(head):
        if l.lower().startswith(b"subject:"):
            text, e = line_end(l)
            head[i] = fn(text) + e
            break
    return b"".join(head + body)


def mutate_body_line(msg, fn):
    head, body = split_lines(msg)
    for i, l in enumerate(body):
        text, e = line_end(l)
        if text.strip(b" \t\r"):
            body[i] = fn(text) + e
            break
    return b"".join(head + body)


def swap_first_letter(text):
    m = re.search(rb"[A-Za-z]", text)
    return text[:m.start()] + text[m.start():m.end()].swapcase() + text[m.end():]


def mut_body_change(msg):
    out = mutate_body_line(msg, swap_first_letter)
    return out if out != msg else msg + b"x" + eol_of(msg)


MUTATIONS = {
    "none": lambda m: m,
    "hdr_change": lambda m: mutate_subject(m, lambda t: t + b" (changed)"),
    "body_change": mut_body_change,
    # RFC 6376 3.4.2: relaxed header canonicalization unfolds, reduces WSP
    # runs to one SP and drops WSP around the colon and at the end.
    "hdr_ws": lambda m: mutate_subject(
        m, lambda t: b"Subject:\t " + t[8:].strip().replace(b" ", b" \t ") + b"  "),
    # RFC 6376 3.4.4: relaxed body reduces WSP runs and ignores trailing WSP.
    "body_ws": lambda m: mutate_body_line(m, lambda t: t.replace(b" ", b"  \t") + b" \t "),
    # RFC 6376 3.4.3 / 3.4.4: trailing empty lines are ignored by both.
    "trailing_blank": lambda m: m + eol_of(m) * 3,
    # A second From above the signed one (RFC 6376 5.4.2, 8.15).
    "prepend_from": lambda m: b"From: Mallory <mallory@attacker.example>" + eol_of(m) + m,
    "add_unsigned": lambda m: b"X-Mutation: added after signing" + eol_of(m) + m,
}


def expected(mutation, msg, sig):
    """RFC 6376's verdict (True = pass) for a signature after a mutation."""
    hcanon, _, bcanon = sig["c"].partition("/")
    bcanon = bcanon or "simple"
    if mutation in ("none", "trailing_blank", "add_unsigned"):
        return True
    if mutation in ("hdr_change", "body_change"):
        return False
    if mutation == "hdr_ws":
        return hcanon == "relaxed"
    if mutation == "body_ws":
        changed = MUTATIONS["body_ws"](msg) != msg
        return bcanon == "relaxed" or not changed
    if mutation == "prepend_from":
        # h= picks From fields bottom-up (5.4.2): the new one is reached only
        # when h= names From more often than the message had From fields.
        signed = sum(1 for h in sig["h"] if h == "from")
        present = sum(1 for l in split_lines(msg)[0] if l.lower().startswith(b"from:"))
        return signed <= present
    raise KeyError(mutation)

# ---- keys ----------------------------------------------------------------

def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, **kw).stdout


def zone_txt(line):
    """The joined TXT strings of one `inkan keygen` zone line."""
    return "".join(re.findall(r'"([^"]*)"', line))


class Keys:
    def __init__(self, inkan, work):
        self.txt = {}  # owner name (no dot) -> joined TXT
        kdir = os.path.join(work, "keys")
        os.makedirs(kdir)
        for sel, typ in (("irsa", "rsa"), ("ied", "ed25519")):
            out = run([inkan, "keygen", "--domain", INKAN_DOMAIN.decode(), "--selector", sel,
                       "--type", typ, "--out", kdir]).decode()
            self.txt["%s._domainkey.%s" % (sel, INKAN_DOMAIN.decode())] = zone_txt(out)
        self.inkan_rsa = os.path.join(kdir, "irsa.private")
        self.inkan_ed = os.path.join(kdir, "ied.private")
        # Their RSA key: PKCS#1 PEM, the form python3-dkim and Mail::DKIM read.
        self.peer_rsa = os.path.join(kdir, "prsa.pem")
        run(["openssl", "genrsa", "-traditional", "-out", self.peer_rsa, "2048"],
            stderr=subprocess.DEVNULL)
        spki = run(["openssl", "rsa", "-in", self.peer_rsa, "-pubout", "-outform", "DER"],
                   stderr=subprocess.DEVNULL)
        self.txt["prsa._domainkey.peer.example"] = (
            "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode())
        with open(self.peer_rsa, "rb") as f:
            self.peer_rsa_pem = f.read()
        self.peer_ed_seed = None
        if HAVE_NACL:
            sk = nacl.signing.SigningKey.generate()
            self.peer_ed_seed = base64.b64encode(bytes(sk))
            self.txt["ped._domainkey.peer.example"] = (
                "v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(sk.verify_key)).decode())

    def write_zone(self, path):
        with open(path, "w") as f:
            for name, txt in sorted(self.txt.items()):
                parts = " ".join('"%s"' % txt[i:i + 255] for i in range(0, len(txt), 255))
                f.write("%s. 300 IN TXT ( %s )\n" % (name, parts))

    def write_table(self, path):
        with open(path, "w") as f:
            for name, txt in sorted(self.txt.items()):
                f.write("%s\t%s\n" % (name, txt))

    def dnsfunc(self, name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        txt = self.txt.get(name.rstrip(".").lower())
        return txt.encode() if txt is not None else None

# ---- signers --------------------------------------------------------------

SIGNERS = [
    # name, implementation, options; names end in the header and body
    # canonicalization (r or s), so the known list can match on them
    ("inkan-rsa-rr", "inkan", {"key": "rsa", "canon": "relaxed/relaxed"}),
    ("inkan-rsa-ss", "inkan", {"key": "rsa", "canon": "simple/simple"}),
    ("inkan-ed-rs", "inkan", {"key": "ed", "canon": "relaxed/simple"}),
    ("inkan-dual-rr", "inkan", {"key": "rsa", "also": "ed", "canon": "relaxed/relaxed"}),
    ("inkan-hdrs-sr", "inkan", {"key": "rsa", "canon": "simple/relaxed",
                             "headers": "from:to:subject"}),
    ("py-rsa-rs", "python", {"alg": b"rsa-sha256", "canon": (b"relaxed", b"simple")}),
    ("py-rsa-sr", "python", {"alg": b"rsa-sha256", "canon": (b"simple", b"relaxed")}),
    ("py-ed-rr", "python", {"alg": b"ed25519-sha256", "canon": (b"relaxed", b"relaxed")}),
    ("pl-rsa-rr", "perl", {"method": "relaxed/relaxed"}),
    ("pl-rsa-rs", "perl", {"method": "relaxed"}),
    ("pl-rsa-ss", "perl", {"method": "simple"}),
]


def sign_all(args, keys, msgs, work):
    """Returns {(message, signer): signed bytes}."""
    out = {}
    jobs = []
    sdir = os.path.join(work, "signed")
    os.makedirs(sdir)
    for mname, msg in msgs.items():
        src = os.path.join(work, "msg-%s.eml" % mname)
        with open(src, "wb") as f:
            f.write(msg)
        for sname, impl, o in SIGNERS:
            dst = os.path.join(sdir, "%s--%s.eml" % (mname, sname))
            if impl == "inkan":
                cmd = [args.inkan, "dkim", "sign", "--domain", INKAN_DOMAIN.decode(),
                       "--selector", "irsa" if o["key"] == "rsa" else "ied",
                       "--key", keys.inkan_rsa if o["key"] == "rsa" else keys.inkan_ed,
                       "--canon", o["canon"]]
                if "also" in o:
                    cmd += ["--also-key", keys.inkan_ed, "--also-selector", "ied",
                            "--also-algorithm", "ed25519-sha256"]
                if "headers" in o:
                    cmd += ["--headers", o["headers"]]
                out[(mname, sname)] = run(cmd + [src])
            elif impl == "python":
                if o["alg"] == b"ed25519-sha256":
                    if keys.peer_ed_seed is None:
                        continue
                    key, sel = keys.peer_ed_seed, b"ped"
                else:
                    key, sel = keys.peer_rsa_pem, b"prsa"
                field = dkim.sign(msg, sel, PEER_DOMAIN, key, canonicalize=o["canon"],
                                  signature_algorithm=o["alg"], linesep=eol_of(msg))
                out[(mname, sname)] = field + msg
            else:
                jobs.append((keys.peer_rsa, "peer.example", "prsa", o["method"], src, dst,
                             (mname, sname)))
    if jobs:
        jobfile = os.path.join(work, "perl-sign.jobs")
        with open(jobfile, "w") as f:
            for j in jobs:
                f.write("\t".join(j[:6]) + "\n")
        run(["perl", args.perl_helper, "sign", jobfile])
        for j in jobs:
            with open(j[5], "rb") as f:
                out[j[6]] = f.read()
    return out

# ---- verifiers --------------------------------------------------------------

def sig_tags(msg):
    """(selector, tags) of every DKIM-Signature, top first."""
    head, _ = split_lines(msg)
    fields, cur = [], None
    for l in head:
        if l[:1] in (b" ", b"\t") and cur is not None:
            cur += l
            continue
        if cur is not None:
            fields.append(cur)
        cur = l
    if cur is not None:
        fields.append(cur)
    sigs = []
    for fl in fields:
        if not fl.lower().startswith(b"dkim-signature:"):
            continue
        value = re.sub(rb"\s+", b"", fl.split(b":", 1)[1]).decode()
        tags = dict(t.split("=", 1) for t in value.split(";") if "=" in t)
        sigs.append({"s": tags.get("s", ""), "d": tags.get("d", "").lower(),
                     "a": tags.get("a", ""), "c": tags.get("c", "simple/simple"),
                     "h": [h.lower() for h in tags.get("h", "").split(":")]})
    return sigs


def verify_python(keys, msg):
    """{selector: True/False} for each signature."""
    res = {}
    n = len(sig_tags(msg))
    for idx in range(n):
        d = dkim.DKIM(msg)
        try:
            ok = bool(d.verify(idx=idx, dnsfunc=keys.dnsfunc))
        except dkim.DKIMException:
            ok = False
        sel = d.selector.decode() if isinstance(d.selector, bytes) else str(d.selector)
        res[sel] = ok
    return res


def verify_inkan(args, zone, files):
    out = run([args.inkan, "dkim", "verify", "--zone", zone, "--json"] + files).decode()
    res = {}
    for line in out.splitlines():
        o = json.loads(line)
        res[o["file"]] = {s["selector"]: s for s in o["signatures"]}
    return res


def verify_perl(args, table, files, work):
    listfile = os.path.join(work, "perl-verify.list")
    with open(listfile, "w") as f:
        f.write("\n".join(files) + "\n")
    out = run(["perl", args.perl_helper, "verify", table, listfile]).decode()
    res = {}
    for line in out.splitlines():
        o = json.loads(line)
        res[o["file"]] = {s["selector"]: s for s in o["signatures"]}
    return res

# ---- known differences --------------------------------------------------------

def load_known(path):
    known = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 5)
            if len(parts) < 6 or not parts[4].startswith("RFC"):
                sys.exit("%s: malformed entry (need VERIFIER SIGNER MESSAGE MUTATION "
                         "RFCnnnn:SECTION WHY): %s" % (path, line))
            known.append(parts + [0])
    return known


def peer_version(dist):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:  # metadata missing: the version is only informative
        return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inkan", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--known", required=True)
    ap.add_argument("--perl-helper", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    work = args.workdir

    caps = json.loads(run(["perl", args.perl_helper, "caps"]))
    keys = Keys(args.inkan, work)
    zone = os.path.join(work, "keys.zone")
    table = os.path.join(work, "keys.tab")
    keys.write_zone(zone)
    keys.write_table(table)
    known = load_known(args.known)

    msgs = messages()
    signed = sign_all(args, keys, msgs, work)

    mdir = os.path.join(work, "mutated")
    os.makedirs(mdir)
    cases = []  # (message, signer, mutation, path, bytes)
    for (mname, sname), smsg in sorted(signed.items()):
        for mut, fn in MUTATIONS.items():
            path = os.path.join(mdir, "%s--%s--%s.eml" % (mname, sname, mut))
            data = fn(smsg)
            with open(path, "wb") as f:
                f.write(data)
            cases.append((mname, sname, mut, path, data, smsg))
    files = [c[3] for c in cases]
    ours = verify_inkan(args, zone, files)
    theirs = verify_perl(args, table, files, work)

    passed = failed = allowed = 0
    na = {"python": 0, "mail-dkim": 0}
    for mname, sname, mut, path, data, smsg in cases:
        py = verify_python(keys, data)
        case_ok = True
        notes = []
        sigs = sig_tags(smsg)
        if not sigs:
            notes.append("signer produced no signature")
            case_ok = False
        for sig in sigs:
            sel = sig["s"]
            want = expected(mut, smsg, sig)
            verdicts = {}
            ik = ours.get(path, {}).get(sel)
            verdicts["inkan"] = (ik is not None and ik["result"] == "pass",
                                 "%s (%s)" % (ik["result"], ik["reason"]) if ik else "missing")
            if sig["a"] == "ed25519-sha256" and not HAVE_NACL:
                na["python"] += 1
            else:
                ok = py.get(sel)
                verdicts["python"] = (bool(ok), "pass" if ok else "fail")
            if sig["a"] == "ed25519-sha256" and not caps["ed25519"]:
                na["mail-dkim"] += 1
            else:
                pl = theirs.get(path, {}).get(sel)
                verdicts["mail-dkim"] = (pl is not None and pl["result"] == "pass",
                                         "%s (%s)" % (pl["result"], pl["detail"]) if pl
                                         else "missing")
            for who, (ok, detail) in verdicts.items():
                if ok == want:
                    continue
                got = "pass" if ok else "nopass"
                entry = next((k for k in known if fnmatch.fnmatch(who, k[0])
                              and fnmatch.fnmatch(sname, k[1]) and fnmatch.fnmatch(mname, k[2])
                              and fnmatch.fnmatch(mut, k[3])), None)
                line = "%s %s/%s/%s s=%s: expected %s, got %s: %s" % (
                    who, mname, sname, mut, sel, "pass" if want else "nopass", got, detail)
                if entry is not None:
                    entry[6] += 1
                    notes.append("KNOWN " + line + " [" + entry[4] + "]")
                else:
                    notes.append("FAIL " + line)
                    case_ok = False
        if case_ok:
            passed += 1
        else:
            failed += 1
        for n in notes:
            if n.startswith("KNOWN"):
                allowed += 1
            if n.startswith("FAIL") or args.verbose:
                print(n)
    for k in known:
        if k[6] == 0:
            print("note: known entry matched nothing: %s" % " ".join(k[:4]))
    print("peers: python3-dkim %s%s, Mail::DKIM %s%s" % (
        peer_version("dkimpy"), "" if HAVE_NACL else " (no PyNaCl: Ed25519 n/a)",
        caps["version"], "" if caps["ed25519"] else " (no Ed25519 support: its column n/a)"))
    print("signatures not checked for lack of peer support: python %d, Mail::DKIM %d"
          % (na["python"], na["mail-dkim"]))
    if allowed:
        print("%d known differences (see %s)" % (allowed, args.known))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
