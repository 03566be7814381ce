"""
spf_gen.py - the fixed SPF policy set and query mix of bench/spf.

    /usr/bin/python3 bench/spf_gen.py OUTDIR [--seed N] [--domains N]

Writes, from one seed (same seed, same bytes):

  OUTDIR/spf_bench.zone     RFC 1035 master file (libinkan's static zone)
  OUTDIR/spf_bench.rr       the same records for libspf2's zone layer, one a
                            line: NAME TAB TYPE TAB DATA, and NAME TAB TYPE
                            TAB "!nodata" for each type a name lacks (A,
                            AAAA, MX, TXT, PTR, SPF)
  OUTDIR/spf_bench.queries  IP TAB MAIL-FROM TAB HELO, one query a line

The policies imitate what mail domains publish: provider includes (nested
netblock records like the big mailbox providers, flat ip4 lists, exists
with macros, a/mx), own mx/a/ip4/ip6, redirect to a shared record, exp=
with macros, a few ptr, and some broken records.  Queries mix clients the
policy authorizes, clients it does not (fail, softfail or neutral by the
all qualifier), IPv6 clients, and domains whose record is a permerror or
missing.  No CNAMEs or wildcards: libspf2's zone layer supports neither.

Standard library only; reuses the Zone class of the differential test.
"""

import argparse
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "differential"))
from spf_data import Zone, ptr_name  # noqa: E402

NPROV = 20
TYPES = ("A", "AAAA", "MX", "TXT", "PTR")


def prov(k):
    return "prov%d.example.net" % k


def cust(n):
    return "c%d.example.com" % n


def cnet4(n, host):
    return "10.%d.%d.%d" % (n // 256, n % 256, host)


def cnet6(n, tail):
    return "2001:db8:%x::%s" % (n, tail)


class Bench:
    def __init__(self, seed, ndomains):
        self.rng = random.Random(seed)
        self.zone = Zone()
        self.queries = []
        self.prov_pass = {}   # k -> list of IPs its record authorizes
        self.ndomains = ndomains


def providers(b):
    z, r = b.zone, b.rng
    for k in range(NPROV):
        p = prov(k)
        ips = []
        style = k % 4
        if style == 0:      # nested netblocks, like the large mailbox providers
            z.txt("_spf." + p, "v=spf1 include:_nb1.%s include:_nb2.%s include:_nb3.%s ~all"
                  % (p, p, p))
            nb1 = ["100.%d.%d.0/24" % (k, i * 8) for i in range(8)]
            nb2 = ["2001:db8:%x:%x::/56" % (0xf000 + k, i) for i in range(4)]
            nb3 = ["100.%d.%d.0/20" % (k, 128 + i * 16) for i in range(6)]
            z.txt("_nb1." + p, "v=spf1 " + " ".join("ip4:" + x for x in nb1) + " ~all")
            z.txt("_nb2." + p, "v=spf1 " + " ".join("ip6:" + x for x in nb2) + " ~all")
            z.txt("_nb3." + p, "v=spf1 " + " ".join("ip4:" + x for x in nb3) + " ~all")
            ips += ["100.%d.%d.%d" % (k, i * 8, 1 + i) for i in range(8)]
            ips += ["2001:db8:%x:%x::25" % (0xf000 + k, i) for i in range(4)]
        elif style == 1:    # one flat list
            nets = ["100.%d.%d.0/25" % (k, i) for i in range(0, 200, 10)]
            z.txt("_spf." + p, "v=spf1 " + " ".join("ip4:" + x for x in nets) + " -all",
                  chunk=200)
            ips += ["100.%d.%d.17" % (k, i) for i in range(0, 200, 10)]
        elif style == 2:    # per-client exists with macros
            z.txt("_spf." + p, "v=spf1 exists:%{i}._ip.%{d} -all")
            for i in range(30):
                ip = "100.%d.7.%d" % (k, i + 1)
                z.add("%s._ip._spf.%s" % (ip, p), "A", "127.0.0.2")
                ips.append(ip)
        else:               # relays by name
            z.txt("_spf." + p, "v=spf1 a:relay.%s mx:%s ip4:100.%d.9.0/24 ?all" % (p, p, k))
            z.add("relay." + p, "A", "100.%d.8.1" % k)
            z.add("relay." + p, "A", "100.%d.8.2" % k)
            z.add(p, "MX", (10, "in1." + p))
            z.add(p, "MX", (20, "in2." + p))
            z.add("in1." + p, "A", "100.%d.8.11" % k)
            z.add("in2." + p, "A", "100.%d.8.12" % k)
            z.add("in2." + p, "AAAA", "2001:db8:%x::12" % (0xf000 + k))
            ips += ["100.%d.8.1" % k, "100.%d.8.12" % k, "100.%d.9.200" % k,
                    "2001:db8:%x::12" % (0xf000 + k)]
        b.prov_pass[k] = ips


def customer(b, n):
    z, r = b.zone, b.rng
    d = cust(n)
    own = []
    # Hosts every domain has.
    z.add(d, "A", cnet4(n, 1))
    z.add(d, "MX", (10, "mx1." + d))
    z.add(d, "MX", (20, "mx2." + d))
    z.add("mx1." + d, "A", cnet4(n, 11))
    z.add("mx2." + d, "A", cnet4(n, 12))
    z.add("mx2." + d, "AAAA", cnet6(n, "12"))
    z.add("mail." + d, "A", cnet4(n, 25))
    z.txt(d, "site-verification=%08x" % r.getrandbits(32))
    incs = r.sample(range(NPROV), r.choice([1, 1, 1, 2, 2]))
    inc = " ".join("include:_spf." + prov(k) for k in incs)
    via = [ip for k in incs for ip in b.prov_pass[k]]
    allq = r.choice("-~~?")
    u = r.random()
    if u < 0.33:
        z.txt(d, "v=spf1 mx a %s %sall" % (inc, allq))
        own = [cnet4(n, 1), cnet4(n, 11), cnet4(n, 12), cnet6(n, "12")] + via
    elif u < 0.53:
        z.txt(d, "v=spf1 ip4:%s/24 ip4:192.0.2.%d ip6:%s/48 %s %sall"
              % (cnet4(n, 0), n % 250, cnet6(n, ""), inc, allq))
        own = [cnet4(n, r.randrange(1, 255)), cnet6(n, "beef")] + via
    elif u < 0.63:
        z.txt(d, "v=spf1 redirect=_spf.%s" % d)
        z.txt("_spf." + d, "v=spf1 ip4:%s/26 mx:%s %s %sall" % (cnet4(n, 0), d, inc, allq))
        own = [cnet4(n, 5), cnet4(n, 11)] + via
    elif u < 0.73:
        z.txt(d, "v=spf1 a:mail.%%{d} exists:%%{i}._ip.%%{d} %s %sall" % (inc, allq))
        for h in (40, 41, 42):
            z.add("%s._ip.%s" % (cnet4(n, h), d), "A", "127.0.0.2")
        own = [cnet4(n, 25), cnet4(n, 40), cnet4(n, 42)] + via
    elif u < 0.81:
        z.txt(d, "v=spf1 mx %s -all exp=exp.%%{d}" % inc)
        z.txt("exp." + d, "%{i} is not authorized to send mail for %{d} "
                          "(sender %{s}); see https://%{d}/spf")
        own = [cnet4(n, 11), cnet4(n, 12)] + via
        allq = "-"
    elif u < 0.88:
        z.txt(d, "v=spf1 mx ip4:%s/28 ?all" % cnet4(n, 32))
        own = [cnet4(n, 11), cnet4(n, 33)]
        allq = "?"
    elif u < 0.90:
        z.txt(d, "v=spf1 ptr:%s mx -all" % d)
        z.add(ptr_name(cnet4(n, 60)), "PTR", "out.%s" % d)
        z.add("out." + d, "A", cnet4(n, 60))
        own = [cnet4(n, 60), cnet4(n, 11)]
        allq = "-"
    elif u < 0.96:
        kind = n % 4
        if kind == 0:
            z.txt(d, "v=spf1 ip4:%s/33 -all" % cnet4(n, 0))
        elif kind == 1:
            z.txt(d, "v=spf1 inclde:_spf.%s -all" % prov(incs[0]))
        elif kind == 2:
            z.txt(d, "v=spf1 include:_spf.gone.%s mx -all" % d)
        else:
            names = []
            for i in range(11):
                z.add("h%d.%s" % (i, d), "A", cnet4(n, 100 + i))
                names.append("a:h%d.%s" % (i, d))
            z.txt(d, "v=spf1 %s -all" % " ".join(names))
        own = [cnet4(n, 11), cnet4(n, 110)]
        allq = None
    else:
        own = [cnet4(n, 11)]     # no SPF record at all
        allq = None
    users = ["user%d" % r.randrange(100), "info", "no-reply", "billing.dept"]
    # 1: a client the policy authorizes, 2: an unrelated client,
    # 3: a mix (IPv6 half of the time).
    picks = [r.choice(own),
             "198.51.100.%d" % r.randrange(1, 255),
             r.choice([cnet6(n, "%x" % r.randrange(1, 0xffff)),
                       "2001:db8:ffff:%x::1" % r.randrange(0xffff),
                       r.choice(own), "203.0.113.%d" % r.randrange(1, 255)])]
    for ip in picks:
        b.queries.append((ip, "%s@%s" % (r.choice(users), d),
                          "smtp%d.sender.example.org" % r.randrange(50)))


def rr_lines(zone):
    """The libspf2 view of the zone: records plus explicit NODATA."""
    out = []
    for name in zone.order:
        have = set()
        for t, v in zone.rr[name]:
            have.add(t)
            if t == "TXT":
                data = "".join(v)
            elif t == "MX":
                data = "%d %s" % v
            else:
                data = v
            assert "\t" not in data and "\n" not in data
            out.append("%s\t%s\t%s" % (name, t, data))
        # libspf2 asks for type SPF (99) before TXT: NODATA, as real DNS says.
        for t in TYPES + ("SPF",):
            if t not in have:
                out.append("%s\t%s\t!nodata" % (name, t))
    return out


def generate(seed=4408, ndomains=1000):
    b = Bench(seed, ndomains)
    providers(b)
    for n in range(ndomains):
        customer(b, n)
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=4408)
    ap.add_argument("--domains", type=int, default=1000)
    a = ap.parse_args()
    b = generate(a.seed, a.domains)
    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, "spf_bench.zone"), "w") as f:
        f.write(b.zone.master_file())
    with open(os.path.join(a.outdir, "spf_bench.rr"), "w") as f:
        f.write("\n".join(rr_lines(b.zone)) + "\n")
    with open(os.path.join(a.outdir, "spf_bench.queries"), "w") as f:
        for q in b.queries:
            f.write("\t".join(q) + "\n")
    print("spf_gen: %d policies, %d names, %d queries in %s"
          % (a.domains, len(b.zone.order), len(b.queries), a.outdir))


if __name__ == "__main__":
    main()
