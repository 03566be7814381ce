"""
dkim_py_bench.py - the python3-dkim column of bench/dkim.

    /usr/bin/python3 bench/dkim_py_bench.py DIR [--seconds S]

Reads the rsa and ed25519 corpora and dkim_bench.keys written by dkim_gen,
verifies every message with dkim.verify(), whose dnsfunc answers from the
key list in memory (nothing leaves the process: dnspython's resolver is
made to raise), and repeats passes over each corpus until S seconds have
gone by (at least one pass).  Writes DIR/py.rsa.rate and DIR/py.ed25519.rate:
"messages/s MB/s passes_in_first_pass messages".  Exit 77 when python3-dkim
is not installed.
"""

import argparse
import os
import sys
import time

try:
    import dkim
except ImportError:
    print("dkim_py_bench: /usr/bin/python3 cannot import dkim; skipping python3-dkim")
    sys.exit(77)


def load_keys(path):
    keys = {}
    with open(path, "rb") as f:
        for line in f:
            name, txt = line.rstrip(b"\n").split(b"\t", 1)
            keys[name.lower() + b"."] = txt
            keys[name.lower()] = txt
    return keys


def load_corpus(directory, name):
    with open(os.path.join(directory, name + ".msgs"), "rb") as f:
        data = f.read()
    msgs = []
    with open(os.path.join(directory, name + ".idx")) as f:
        for line in f:
            off, length, _key = line.split()
            msgs.append(data[int(off):int(off) + int(length)])
    return msgs


def refuse_real_dns():
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
    args = ap.parse_args()
    keys = load_keys(os.path.join(args.dir, "dkim_bench.keys"))
    refuse_real_dns()

    def dnsfunc(name, timeout=5):
        return keys.get(name.lower())

    for alg in ("rsa", "ed25519"):
        msgs = load_corpus(args.dir, alg)
        size = sum(len(m) for m in msgs)
        ok = sum(1 for m in msgs if dkim.verify(m, dnsfunc=dnsfunc))
        passes = 0
        # CPU time of the process, as the C side times its passes.
        t0 = time.process_time()
        while True:
            for m in msgs:
                dkim.verify(m, dnsfunc=dnsfunc)
            passes += 1
            el = time.process_time() - t0
            if el >= args.seconds:
                break
        rate = passes * len(msgs) / el
        mb = passes * size / 1e6 / el
        with open(os.path.join(args.dir, "py.%s.rate" % alg), "w") as f:
            f.write("%.3f %.3f %d %d\n" % (rate, mb, ok, len(msgs)))
        print("python3-dkim %s: %.0f messages/s, %.1f MB/s, %d/%d pass"
              % (alg, rate, mb, ok, len(msgs)))


if __name__ == "__main__":
    main()
