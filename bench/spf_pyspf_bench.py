"""
spf_pyspf_bench.py - the python3-spf (pyspf) column of bench/spf.

    /usr/bin/python3 bench/spf_pyspf_bench.py DIR [--seconds S]

Reads DIR/spf_bench.rr and DIR/spf_bench.queries (written by spf_gen.py),
answers pyspf's DNS from those records in memory (spf.DNSLookup replaced;
dnspython's resolver is made to raise, so nothing leaves the process), and
evaluates the query list repeatedly, one core, for at least S seconds.
Writes DIR/pyspf.results (the result of each query, in order, from the first
pass) and DIR/pyspf.rate (evaluations per second).  Exit 77 when pyspf is
not installed.
"""

import argparse
import os
import sys
import time

try:
    import spf
except ImportError:
    print("spf_pyspf_bench: /usr/bin/python3 cannot import spf; skipping pyspf")
    sys.exit(77)


def load_rr(path):
    db = {}
    with open(path) as f:
        for line in f:
            name, rtype, data = line.rstrip("\n").split("\t", 2)
            name = name.lower()
            db.setdefault((name, rtype), [])
            if data == "!nodata":
                continue
            if rtype == "TXT":
                v = [data.encode("ascii")]
            elif rtype == "MX":
                pref, host = data.split(" ", 1)
                v = (int(pref), host)
            else:
                v = data
            db[(name, rtype)].append(((name, rtype), v))
    return db


def install(db):
    empty = []

    def lookup(name, qtype, strict=True, timeout=None):
        return db.get((name.lower().rstrip("."), qtype), empty)

    spf.DNSLookup = lookup
    try:
        import dns.resolver

        def refuse(*a, **k):
            raise RuntimeError("bench: real DNS is not allowed")
        dns.resolver.query = dns.resolver.resolve = refuse
        dns.resolver.Resolver.resolve = dns.resolver.Resolver.query = refuse
    except ImportError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--seconds", type=float, default=3.0)
    a = ap.parse_args()
    install(load_rr(os.path.join(a.dir, "spf_bench.rr")))
    with open(os.path.join(a.dir, "spf_bench.queries")) as f:
        queries = [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]

    results = []
    n = 0
    t0 = time.perf_counter()
    while True:
        for ip, sender, helo in queries:
            r = spf.query(i=ip, s=sender, h=helo, receiver="mx.receiver.test").check()[0]
            if len(results) < len(queries):
                results.append(r)
        n += len(queries)
        elapsed = time.perf_counter() - t0
        if elapsed >= a.seconds:
            break
    rate = n / elapsed
    with open(os.path.join(a.dir, "pyspf.results"), "w") as f:
        f.write("\n".join(results) + "\n")
    with open(os.path.join(a.dir, "pyspf.rate"), "w") as f:
        f.write("%.1f\n" % rate)
    print("pyspf %s: %d evaluations in %.2f s" % (spf.__version__, n, elapsed))


if __name__ == "__main__":
    main()
