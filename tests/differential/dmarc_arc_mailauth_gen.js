'use strict';
/*
 * dmarc_arc_mailauth_gen.js - writes the message set of the DMARC/ARC
 * differential test against mailauth (dmarc_arc_mailauth.sh), from a fixed
 * seed.
 *
 *   node dmarc_arc_mailauth_gen.js --inkan INKAN --workdir DIR [--seed N] [--count N]
 *
 * Writes into DIR:
 *   zone.zone    the DNS data as an RFC 1035 master file (for inkan --zone)
 *   zone.json    the same records as { name: { TYPE: [...] } } (for the
 *                mailauth resolver); one source, two renderings
 *   cases.json   one entry per message: id, file, ip, helo, mailfrom, tags
 *   msg/*.eml    the messages (CRLF)
 *   keys/        the keys inkan keygen made for this run
 *
 * What varies (RFC 9989 unless said otherwise):
 *  - the author domain: an Organizational Domain with its own record, an
 *    existing subdomain, a deeper one, a subdomain that does not exist
 *    (np=), a domain below a psd=y Public Suffix Domain, a domain with no
 *    record anywhere, a domain whose record lookup fails (SERVFAIL);
 *  - the policy record: p/sp/np, adkim/aspf strict or relaxed, t=y, pct=,
 *    psd=n, invalid p with and without rua, several records, repeated tags,
 *    case of names and values;
 *  - DKIM (signed with inkan dkim sign): none, the author domain, its
 *    Organizational Domain, a sibling subdomain, an unrelated domain, a
 *    signature broken by changing the body, RSA and Ed25519, two signatures;
 *  - SPF: MAIL FROM at the author domain, its Organizational Domain or an
 *    unrelated domain, from an authorized address or not; null sender (the
 *    HELO identity);
 *  - ARC: no chain, one or two sets sealed by inkan (inkan verify
 *    --arc-seal) when it has that option, and by mailauth (sealMessage),
 *    a chain broken by a later body change, a set sealed with cv=fail, a
 *    mailing-list hop that breaks the author's DKIM signature.
 * Every random choice comes from one seeded generator, so the same seed
 * gives the same cases and messages (signatures differ only through the
 * keys, which are made afresh by each run).
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const args = process.argv.slice(2);
const opt = name => {
    let i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
};
const INKAN = opt('--inkan');
const WORK = opt('--workdir');
const SEED = Number(opt('--seed') || 9989);
const COUNT = Number(opt('--count') || 320);
if (!INKAN || !WORK) {
    console.error('usage: node dmarc_arc_mailauth_gen.js --inkan INKAN --workdir DIR [--seed N] [--count N]');
    process.exit(2);
}

// mulberry32: small, fast, and the same sequence on every platform
let rngState = SEED >>> 0;
const rand = () => {
    rngState = (rngState + 0x6d2b79f5) >>> 0;
    let t = rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = list => list[Math.floor(rand() * list.length)];
const chance = p => rand() < p;

const SIGN_TIME = 1767225600; // 2026-01-01T00:00:00Z: fixed t= for every signature and seal
const GOOD_IP = '192.0.2.25';
const BAD_IP = '198.51.100.77';

/* ---- zone data --------------------------------------------------------- */

const zone = new Map(); // name -> { TYPE: [values] }; values: TXT = [strings], A = 'ip', MX = {exchange, priority}
const failures = []; // [name, type] answered SERVFAIL
const add = (name, type, value) => {
    name = name.toLowerCase();
    if (!zone.has(name)) {
        zone.set(name, {});
    }
    let rrs = zone.get(name);
    (rrs[type] = rrs[type] || []).push(value);
};
const txt = (name, text) => {
    // character-strings of at most 255 octets (RFC 1035 3.3.14)
    let parts = [];
    for (let i = 0; i < text.length || i === 0; i += 255) {
        parts.push(text.slice(i, i + 255));
    }
    add(name, 'TXT', parts);
};

fs.mkdirSync(path.join(WORK, 'msg'), { recursive: true });
fs.mkdirSync(path.join(WORK, 'keys'), { recursive: true });

/* ---- keys -------------------------------------------------------------- */

const keys = {};
const keygen = (selector, type) => {
    let dir = path.join(WORK, 'keys');
    execFileSync(INKAN, ['keygen', '--domain', 'key.example', '--selector', selector, '--type', type, '--out', dir]);
    let record = fs.readFileSync(path.join(dir, `${selector}.txt`), 'utf8');
    // the TXT strings of the record line inkan keygen writes, joined
    let value = Array.from(record.matchAll(/"((?:[^"\\]|\\.)*)"/g), m => m[1]).join('');
    keys[selector] = { selector, type, file: path.join(dir, `${selector}.private`), record: value, pem: fs.readFileSync(path.join(dir, `${selector}.private`)) };
};
keygen('rsa1', 'rsa');
keygen('ed1', 'ed25519');
keygen('arc1', 'rsa');
keygen('arced', 'ed25519');

const publishKeys = domain => {
    for (let k of ['rsa1', 'ed1']) {
        txt(`${k}._domainkey.${domain}`, keys[k].record);
    }
};

/* ---- domains and policies ---------------------------------------------- */

// Policy records of the Organizational Domains.  tag: a short name used in
// case tags (and thus in the known-differences file).
const POLICIES = [
    ['p-none', 'v=DMARC1; p=none'],
    ['p-quar', 'v=DMARC1; p=quarantine'],
    ['p-reject', 'v=DMARC1; p=reject'],
    ['adkim-s', 'v=DMARC1; p=reject; adkim=s'],
    ['aspf-s', 'v=DMARC1; p=reject; aspf=s'],
    ['both-s', 'v=DMARC1; p=quarantine; adkim=s; aspf=s'],
    ['sp-none', 'v=DMARC1; p=reject; sp=none'],
    ['sp-reject', 'v=DMARC1; p=none; sp=reject'],
    ['np-reject', 'v=DMARC1; p=quarantine; sp=none; np=reject'],
    ['np-only', 'v=DMARC1; p=none; np=quarantine'],
    ['t-y', 'v=DMARC1; p=reject; t=y'],
    ['t-y-quar', 'v=DMARC1; p=quarantine; t=y'],
    ['pct-0', 'v=DMARC1; p=reject; pct=0'],
    ['pct-50', 'v=DMARC1; p=quarantine; pct=50'],
    ['p-bad-rua', 'v=DMARC1; p=bogus; rua=mailto:agg@reports.example'],
    ['p-bad', 'v=DMARC1; p=bogus'],
    ['p-missing-rua', 'v=DMARC1; rua=mailto:agg@reports.example'],
    ['sp-bad', 'v=DMARC1; p=reject; sp=bogus; rua=mailto:agg@reports.example'],
    ['psd-n', 'v=DMARC1; p=reject; psd=n'],
    ['rua-full', 'v=DMARC1; p=reject; rua=mailto:agg@reports.example,mailto:x@y.example; ruf=mailto:f@reports.example; fo=1; ri=3600'],
    ['nospace', 'v=DMARC1;p=reject;adkim=r;aspf=r'],
    ['value-case', 'v=DMARC1; p=Reject; sp=QUARANTINE'],
    ['tag-case', 'v=DMARC1; P=reject'],
    ['dup-tag', 'v=DMARC1; p=reject; p=none'],
    ['unknown-tag', 'v=DMARC1; p=reject; foo=bar; x'],
    ['version-case', 'v=dmarc1; p=reject'],
    ['two-records', null], // two DMARC records at one name
    ['no-record', undefined] // nothing published
];

// Each policy gets an Organizational Domain oNN.example with an existing
// subdomain (sub.), a deeper existing one (a.b.), and SPF for the
// organizational domain and the subdomain.
const orgs = [];
POLICIES.forEach(([tag, record], i) => {
    let d = `o${String(i).padStart(2, '0')}.example`;
    orgs.push({ tag, domain: d });
    if (record === null) {
        txt(`_dmarc.${d}`, 'v=DMARC1; p=reject');
        txt(`_dmarc.${d}`, 'v=DMARC1; p=none');
    } else if (record !== undefined) {
        txt(`_dmarc.${d}`, record);
    }
    for (let host of [d, `sub.${d}`, `a.b.${d}`]) {
        add(host, 'A', '192.0.2.1');
        add(host, 'MX', { exchange: `mx.${d}`, priority: 10 });
        txt(host, `v=spf1 ip4:192.0.2.0/24 -all`);
        publishKeys(host);
    }
    add(`mx.${d}`, 'A', '192.0.2.2');
    // a subdomain with its own record under some policies
    if (i % 4 === 1) {
        txt(`_dmarc.sub.${d}`, 'v=DMARC1; p=none; adkim=s');
    }
});

// psd=y: a Public Suffix Domain with customers below it (RFC 9989 4.10.2)
txt('_dmarc.psd.example', 'v=DMARC1; p=reject; psd=y');
for (let c of ['shop.psd.example', 'bank.psd.example', 'a.shop.psd.example']) {
    add(c, 'A', '192.0.2.3');
    txt(c, 'v=spf1 ip4:192.0.2.0/24 -all');
    publishKeys(c);
}
txt('_dmarc.bank.psd.example', 'v=DMARC1; p=quarantine');

// unrelated domains: third-party signer, ESP bounce domain, forwarder
for (let d of ['third.example', 'esp.example', 'bounce.esp.example', 'norecord.example', 'fwd.example', 'list.example']) {
    add(d, 'A', '203.0.113.5');
    txt(d, 'v=spf1 ip4:192.0.2.0/24 ~all');
    publishKeys(d);
}
txt('_dmarc.esp.example', 'v=DMARC1; p=none');
txt('_dmarc.list.example', 'v=DMARC1; p=none');
// ARC sealers' keys
for (let d of ['fwd.example', 'list.example', 'relay.example']) {
    txt(`arc1._domainkey.${d}`, keys.arc1.record);
    txt(`arced._domainkey.${d}`, keys.arced.record);
}
// HELO names for the null-sender cases
add('mx.o02.example', 'A', '192.0.2.25');
txt('mx.o02.example', 'v=spf1 a -all');
add('mx.o04.example', 'A', '192.0.2.25');
txt('mx.o04.example', 'v=spf1 a -all');
// temporary DNS failure for one author domain's record
add('tempfail.example', 'A', '192.0.2.9');
txt('tempfail.example', 'v=spf1 ip4:192.0.2.0/24 -all');
publishKeys('tempfail.example');
failures.push(['_dmarc.tempfail.example', 'TXT']);

/* ---- messages ---------------------------------------------------------- */

const WORDS = 'the quarterly report is attached please review before the meeting tomorrow and send your comments to the list thanks regards'.split(' ');
const sentence = n => Array.from({ length: n }, () => pick(WORDS)).join(' ');

const baseMessage = (id, from) => {
    let lines = [
        `From: Sender ${id} <user${id}@${from}>`,
        `To: rcpt@inbound.example`,
        `Subject: case ${id} ${sentence(4)}`,
        `Date: Thu, 1 Jan 2026 00:00:${String(id % 60).padStart(2, '0')} +0000`,
        `Message-ID: <case${id}.${SEED}@${from}>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        sentence(12),
        sentence(9),
        '',
        sentence(15),
        ''
    ];
    return lines.join('\r\n');
};

const tmpFile = path.join(WORK, 'tmp.eml');
const dkimSign = (message, domain, keyName) => {
    fs.writeFileSync(tmpFile, message);
    return execFileSync(INKAN, ['dkim', 'sign', '--domain', domain, '--selector', keyName, '--key', keys[keyName].file, '--timestamp', String(SIGN_TIME), tmpFile], { maxBuffer: 1 << 26 }).toString('latin1');
};

// Does this inkan seal ARC?  (inkan verify --arc-seal, issue 4)
let inkanSeals = false;
try {
    let help = execFileSync(INKAN, ['verify', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    inkanSeals = help.includes('--arc-seal');
} catch (err) {
    inkanSeals = false;
}

const arcSealInkan = (message, domain, keyName, authres) => {
    fs.writeFileSync(tmpFile, message);
    // the sealer validates the chain itself and computes cv; the AAR comes from its own results
    return execFileSync(
        INKAN,
        [
            'verify',
            '--zone',
            path.join(WORK, 'zone.zone'),
            '--authserv-id',
            authres,
            '--arc-seal',
            '--domain',
            domain,
            '--selector',
            keyName,
            '--key',
            keys[keyName].file,
            tmpFile
        ],
        { maxBuffer: 1 << 26 }
    ).toString('latin1');
};

const { sealMessage } = require('mailauth/lib/arc');
const arcSealMailauth = async (message, domain, keyName, authres, cv) => {
    let headers = await sealMessage(Buffer.from(message, 'latin1'), {
        signingDomain: domain,
        selector: keyName,
        privateKey: keys[keyName].pem,
        authResults: authres,
        cv,
        signTime: new Date(SIGN_TIME * 1000 + 3600 * 1000)
    });
    return headers.toString('latin1') + message;
};

// Changes the body (after the last line) so that every body hash breaks.
const mangleBody = message => message.replace(/\r\n$/, '\r\nfooter added by a list\r\n');
const mangleSubject = message => message.replace(/^Subject: /m, 'Subject: [list] ');

const cases = [];
// The deferred work: zone.zone must exist before inkan can seal (it validates),
// so messages are built after the zone is written.
const specs = [];

// From domain kinds
const fromFor = (org, kind) => {
    switch (kind) {
        case 'org':
            return org.domain;
        case 'sub':
            return `sub.${org.domain}`;
        case 'deep':
            return `a.b.${org.domain}`;
        case 'nx':
            return `nx${Math.floor(rand() * 1000)}.${org.domain}`;
    }
    throw new Error(kind);
};

const DKIM_KINDS = ['none', 'author', 'org', 'sibling', 'third', 'broken-author', 'broken+third', 'author-ed', 'org+third'];
const SPF_KINDS = ['author-pass', 'org-pass', 'author-fail', 'third-pass', 'esp-pass', 'null-helo', 'none'];
const ARC_KINDS = ['none', 'none', 'none', 'list1', 'fwd1', 'two', 'broken', 'cvfail'];

for (let i = 0; i < COUNT; i++) {
    let spec = { id: i };
    let r = rand();
    if (r < 0.82) {
        spec.org = orgs[i % orgs.length];
        spec.fromKind = pick(['org', 'org', 'sub', 'deep', 'nx']);
        spec.from = fromFor(spec.org, spec.fromKind);
    } else if (r < 0.94) {
        spec.org = { tag: 'psd-y', domain: pick(['shop.psd.example', 'bank.psd.example']) };
        spec.fromKind = pick(['org', 'sub']);
        spec.from = spec.fromKind === 'sub' ? `a.${spec.org.domain}` : spec.org.domain;
        if (spec.from === 'a.bank.psd.example') {
            spec.from = 'bank.psd.example';
        }
    } else if (r < 0.97) {
        spec.org = { tag: 'no-record-anywhere', domain: 'norecord.example' };
        spec.fromKind = 'org';
        spec.from = 'norecord.example';
    } else {
        spec.org = { tag: 'tempfail', domain: 'tempfail.example' };
        spec.fromKind = 'org';
        spec.from = 'tempfail.example';
    }
    spec.dkim = pick(DKIM_KINDS);
    spec.spf = pick(SPF_KINDS);
    spec.arc = pick(ARC_KINDS);
    spec.sealer = inkanSeals && chance(0.5) ? 'inkan' : 'mailauth';
    specs.push(spec);
}

/* ---- write the zone ---------------------------------------------------- */

const zoneQuote = s => '"' + s.replace(/[\\"]/g, m => '\\' + m) + '"';
let zoneText = ['; generated by dmarc_arc_mailauth_gen.js, seed ' + SEED, '$TTL 300'];
for (let [name, rrs] of zone) {
    for (let [type, values] of Object.entries(rrs)) {
        for (let v of values) {
            if (type === 'TXT') {
                zoneText.push(`${name}. IN TXT ( ${v.map(zoneQuote).join(' ')} )`);
            } else if (type === 'MX') {
                zoneText.push(`${name}. IN MX ${v.priority} ${v.exchange}.`);
            } else {
                zoneText.push(`${name}. IN ${type} ${v}`);
            }
        }
    }
}
for (let [name, type] of failures) {
    zoneText.push(`$SERVFAIL ${name}. ${type}`);
}
fs.writeFileSync(path.join(WORK, 'zone.zone'), zoneText.join('\n') + '\n');
fs.writeFileSync(path.join(WORK, 'zone.json'), JSON.stringify({ records: Object.fromEntries(zone), servfail: failures }, null, 1));

/* ---- build the messages ------------------------------------------------ */

const orgOf = spec => spec.org.domain;

const build = async spec => {
    let { id, from } = spec;
    let tags = [`policy:${spec.org.tag}`, `from:${spec.fromKind}`, `dkim:${spec.dkim}`, `spf:${spec.spf}`, `arc:${spec.arc}`];
    let msg = baseMessage(id, from);
    let org = orgOf(spec);
    let signers = [];
    switch (spec.dkim) {
        case 'author':
            signers.push([from, 'rsa1']);
            break;
        case 'author-ed':
            signers.push([from, 'ed1']);
            break;
        case 'org':
            signers.push([org, 'rsa1']);
            break;
        case 'sibling':
            // another domain below the same Organizational Domain
            signers.push([from === org ? `sub.${org}` : from === `a.b.${org}` ? `sub.${org}` : `a.b.${org}`, 'rsa1']);
            break;
        case 'third':
            signers.push(['third.example', 'rsa1']);
            break;
        case 'broken-author':
            signers.push([from, 'rsa1']);
            break;
        case 'broken+third':
            signers.push([from, 'rsa1'], ['third.example', 'ed1']);
            break;
        case 'org+third':
            signers.push(['third.example', 'rsa1'], [org, 'ed1']);
            break;
    }
    if (spec.fromKind === 'nx' || spec.org.tag === 'psd-y') {
        // a domain that does not exist has no keys; sign with the org's
        signers = signers.map(([d, k]) => [d.startsWith('nx') ? org : d, k]);
    }
    for (let [d, k] of signers) {
        if (!zone.has(`${k}._domainkey.${d}`)) {
            d = org;
        }
        msg = dkimSign(msg, d, k);
    }
    if (spec.dkim.startsWith('broken')) {
        // body changed after the author's signature (the third-party one, if any, signs after: break only the first)
        msg = spec.dkim === 'broken-author' ? mangleBody(msg) : msg.replace('Subject: case', 'Subject: Case');
    }

    // ARC hops
    const seal = async (m, domain, keyName, authres, cv) =>
        spec.sealer === 'inkan' ? arcSealInkan(m, domain, keyName, domain) : arcSealMailauth(m, domain, keyName, authres, cv);
    switch (spec.arc) {
        case 'list1': {
            // a mailing list: verifies the author's mail (dkim=pass), changes subject
            // and body, which breaks the author's signature, then seals
            msg = mangleBody(mangleSubject(msg));
            msg = await seal(msg, 'list.example', 'arc1', `list.example; dkim=pass header.d=${from}; spf=pass smtp.mailfrom=${from}`, 'none');
            break;
        }
        case 'fwd1':
            msg = await seal(msg, 'fwd.example', 'arc1', `fwd.example; dkim=pass header.d=${from}; spf=pass smtp.mailfrom=${from}`, 'none');
            break;
        case 'two':
            msg = await seal(msg, 'fwd.example', 'arc1', `fwd.example; dkim=pass header.d=${from}`, 'none');
            msg = await seal(msg, 'relay.example', 'arced', `relay.example; arc=pass; dkim=pass header.d=${from}`, 'pass');
            break;
        case 'broken':
            msg = await seal(msg, 'fwd.example', 'arc1', `fwd.example; dkim=pass header.d=${from}`, 'none');
            msg = mangleBody(msg);
            break;
        case 'cvfail':
            msg = await seal(msg, 'fwd.example', 'arc1', `fwd.example; dkim=pass header.d=${from}`, 'none');
            msg = mangleBody(msg);
            msg = await seal(msg, 'relay.example', 'arc1', 'relay.example; arc=fail', 'fail');
            break;
    }

    // SPF: the envelope
    let mailfrom = `bounce@${from}`;
    let ip = GOOD_IP;
    let helo = 'mail.sender.example';
    switch (spec.spf) {
        case 'author-pass':
            break;
        case 'org-pass':
            mailfrom = `bounce@${org}`;
            break;
        case 'author-fail':
            ip = BAD_IP;
            break;
        case 'third-pass':
            mailfrom = 'bounce@third.example';
            break;
        case 'esp-pass':
            mailfrom = 'b-123@bounce.esp.example';
            break;
        case 'null-helo':
            mailfrom = '';
            helo = pick(['mx.o02.example', 'mx.o04.example']);
            break;
        case 'none':
            mailfrom = 'bounce@nospf.invalid';
            break;
    }
    let file = path.join('msg', `${String(id).padStart(4, '0')}.eml`);
    fs.writeFileSync(path.join(WORK, file), msg, 'latin1');
    cases.push({ id, file, from, mailfrom, ip, helo, tags, sealer: spec.arc === 'none' ? null : spec.sealer });
};

(async () => {
    for (let spec of specs) {
        await build(spec);
    }
    fs.unlinkSync(tmpFile);
    fs.writeFileSync(path.join(WORK, 'cases.json'), JSON.stringify({ seed: SEED, inkanSeals, cases }, null, 1));
    console.log(`generated ${cases.length} messages, ${zone.size} names (ARC sealed by ${inkanSeals ? 'inkan and mailauth' : 'mailauth only: inkan verify has no --arc-seal yet'})`);
})().catch(err => {
    console.error(err);
    process.exit(2);
});
