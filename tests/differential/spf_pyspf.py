"""
spf_pyspf.py - differential test: "inkan spf" against pyspf (python3-spf).

    /usr/bin/python3 spf_pyspf.py --inkan BUILD/inkan --workdir DIR \
        --known tests/differential/spf_pyspf_known.txt [--seed N] [--verbose]

Generates a fixed world (spf_data.py: ~100 domains, 300+ queries), writes it
as one RFC 1035 zone file for "inkan spf --zone", and answers pyspf from the
same data by replacing spf.DNSLookup.  Compares the SPF result of every
query, and the explanation whenever both sides say fail.  A disagreement
fails the test unless an entry of the allow-list matches it (query id glob,
pyspf result, inkan result); every entry names the RFC 7208 section that
decides the case.

No network: pyspf's resolver is replaced and dnspython's is made to raise,
and inkan reads only the zone file.

Exit: 0 all agree (or allowed), 1 disagreements, 2 usage or set-up error,
77 pyspf missing.
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spf_data  # noqa: E402

try:
    import spf
except ImportError:
    print("skip: /usr/bin/python3 cannot import spf (python3-spf)")
    sys.exit(77)


def install_lookup(zone):
    """Makes pyspf answer from zone, and the real resolver unusable."""
    def lookup(name, qtype, strict=True, timeout=None):
        kind, answers = zone.lookup(name, qtype)
        if kind == "timeout":
            raise spf.TempError("DNS timeout for %s %s" % (name, qtype))
        return answers

    spf.DNSLookup = lookup
    try:
        import dns.resolver

        def refuse(*args, **kwargs):
            raise RuntimeError("differential test: real DNS is not allowed")
        dns.resolver.query = refuse
        dns.resolver.resolve = refuse
        dns.resolver.Resolver.resolve = refuse
        dns.resolver.Resolver.query = refuse
    except ImportError:
        pass


def run_pyspf(q):
    sender = "" if q["scope"] == "helo" else q["sender"]
    qq = spf.query(i=q["ip"], s=sender, h=q["helo"],
                   receiver=spf_data.RECEIVER, strict=True)
    res, _code, exp = qq.check()
    return {"result": res, "explanation": exp if res == "fail" else "",
            "problem": getattr(qq, "prob", "") or ""}


def inkan_argv(inkan, zonefile, q):
    argv = [inkan, "spf", "--ip", q["ip"], "--zone", zonefile, "--json",
            "--receiver", spf_data.RECEIVER, "--default-exp", spf_data.DEFAULT_EXP]
    if q["scope"] == "helo":
        argv += ["--scope", "helo", "--helo", q["helo"]]
    else:
        argv += ["--mail-from", q["sender"], "--helo", q["helo"]]
    return argv


def run_inkan(inkan, zonefile, q):
    argv = inkan_argv(inkan, zonefile, q)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    if p.returncode != 0:
        return {"result": "<exit %d>" % p.returncode, "explanation": "",
                "problem": p.stderr.decode("utf-8", "replace").strip()}
    try:
        o = json.loads(p.stdout.decode("utf-8"))
    except ValueError as e:
        return {"result": "<bad json>", "explanation": "", "problem": str(e)}
    return {"result": o.get("result", ""),
            "explanation": o.get("explanation", "") if o.get("result") == "fail" else "",
            "problem": o.get("problem", ""), "mechanism": o.get("mechanism", "")}


def load_known(path):
    """Lines: ID-GLOB PYSPF-RESULT INKAN-RESULT RFC-SECTION REASON..."""
    known = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 4)
            if len(parts) < 5 or not parts[3].startswith("RFC7208:"):
                sys.exit("%s:%d: want 'ID-GLOB PYSPF INKAN RFC7208:SECTION REASON'"
                         % (path, lineno))
            known.append({"glob": parts[0], "py": parts[1], "ik": parts[2],
                          "rfc": parts[3], "why": parts[4], "line": lineno,
                          "used": 0})
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inkan", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--known", required=True)
    ap.add_argument("--seed", type=int, default=7208)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    world = spf_data.generate(args.seed)
    zonefile = os.path.join(args.workdir, "spf_pyspf.zone")
    with open(zonefile, "w") as f:
        f.write(world.zone.master_file())
    install_lookup(world.zone)
    known = load_known(args.known)

    queries = world.queries
    py = [run_pyspf(q) for q in queries]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        ik = list(ex.map(lambda q: run_inkan(args.inkan, zonefile, q), queries))

    passed = failed = allowed = 0
    for q, a, b in zip(queries, py, ik):
        same = a["result"] == b["result"] and a["explanation"] == b["explanation"]
        if same:
            passed += 1
            if args.verbose:
                print("ok   %-18s %s" % (q["id"], a["result"]))
            continue
        entry = next((k for k in known if fnmatch.fnmatchcase(q["id"], k["glob"])
                      and k["py"] == a["result"] and k["ik"] == b["result"]), None)
        if entry:
            entry["used"] += 1
            allowed += 1
            if args.verbose:
                print("known %-18s pyspf=%s inkan=%s (%s)"
                      % (q["id"], a["result"], b["result"], entry["rfc"]))
            continue
        failed += 1
        dom = q["sender"].split("@")[-1] if q["scope"] == "mfrom" and q["sender"] else q["helo"]
        recs = [" ".join(v) for t, v in world.zone.rr.get(dom, []) if t == "TXT"]
        print("DIFF %s: pyspf=%s inkan=%s" % (q["id"], a["result"], b["result"]))
        print("  query:  ip=%s sender=%r helo=%s scope=%s"
              % (q["ip"], q["sender"], q["helo"], q["scope"]))
        print("  record: %s" % (recs if recs else "(none)"))
        if a["explanation"] != b["explanation"]:
            print("  pyspf explanation: %r" % a["explanation"])
            print("  inkan explanation: %r" % b["explanation"])
        print("  pyspf problem: %s" % a["problem"])
        print("  inkan problem: %s  mechanism: %s" % (b["problem"], b.get("mechanism", "")))
        print("  repro:  %s" % " ".join(
            "'%s'" % x if (" " in x or not x) else x
            for x in inkan_argv(args.inkan, zonefile, q)))

    for k in known:
        if not k["used"]:
            print("note: allow-list line %d (%s) matched nothing" % (k["line"], k["glob"]))
    counts = {}
    for a in py:
        counts[a["result"]] = counts.get(a["result"], 0) + 1
    print("%d queries over %d domains; pyspf results: %s; %d fail explanations compared"
          % (len(queries), world.ndomains,
             ", ".join("%s %d" % kv for kv in sorted(counts.items())),
             sum(1 for a, b in zip(py, ik) if a["result"] == b["result"] == "fail")))
    if allowed:
        print("%d known differences (allow-list %s)" % (allowed, args.known))
    print("%d passed, %d failed" % (passed + allowed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
