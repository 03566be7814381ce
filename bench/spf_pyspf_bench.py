"""
spf_pyspf_bench.py - the python3-spf (pyspf) column of bench/spf.

    /usr/bin/python3 bench/spf_pyspf_bench.py DIR [--seconds S]

Reads DIR/spf_bench.rr and DIR/spf_bench.queries (written by spf_gen.py),
answers pyspf's DNS from those records in memory (spf.DNSLookup replaced;
dnspython's resolver is made to raise, so nothing leaves the process), and
evaluates the query list repeatedly, one core, for at least S seconds of
the thread's CPU time (at least three passes); the fastest pass gives the
rate.
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

    # One warm-up pass (its results are the ones compared), then timed
    # passes in the thread's CPU time, as spf_bench.c times its own: the
    # best pass counts, so time other processes take on a shared machine
    # does not.
    results = [spf.query(i=ip, s=sender, h=helo, receiver="mx.receiver.test").check()[0]
               for ip, sender, helo in queries]
    n = 0
    best = None
    spent = 0.0
    while True:
        t0 = time.thread_time()
        for ip, sender, helo in queries:
            spf.query(i=ip, s=sender, h=helo, receiver="mx.receiver.test").check()
        el = time.thread_time() - t0
        n += len(queries)
        spent += el
        if best is None or el < best:
            best = el
        if spent >= a.seconds and n >= 3 * len(queries):
            break
    rate = len(queries) / best
    elapsed = spent
    with open(os.path.join(a.dir, "pyspf.results"), "w") as f:
        f.write("\n".join(results) + "\n")
    with open(os.path.join(a.dir, "pyspf.rate"), "w") as f:
        f.write("%.1f\n" % rate)
    print("pyspf %s: %d evaluations in %.2f s" % (spf.__version__, n, elapsed))


if __name__ == "__main__":
    main()
