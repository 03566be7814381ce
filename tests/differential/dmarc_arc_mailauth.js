'use strict';
/*
 * dmarc_arc_mailauth.js - runs the generated set (dmarc_arc_mailauth_gen.js)
 * through mailauth's authenticate() and through `inkan verify --json`, and
 * compares the DMARC result, the DMARC disposition and the ARC chain
 * validation status (cv).
 *
 *   node dmarc_arc_mailauth.js --inkan INKAN --workdir DIR --known FILE
 *        [--lenient] [--verbose] [--only ID]
 *
 * mailauth gets a resolver that answers from DIR/zone.json, written from the
 * same data as DIR/zone.zone that inkan reads: records of the asked type;
 * ENODATA for a name that has other records or names below it (an empty
 * non-terminal); ENOTFOUND otherwise; ESERVFAIL for the $SERVFAIL names.
 * mailauth 7 finds the Organizational Domain by the DNS Tree Walk of RFC
 * 9989 (lib/dmarc/get-dmarc-record.js), so inkan runs in its default RFC
 * 9989 mode.  mailauth runs with strict: true (each check follows its RFC
 * instead of mailauth's lenient defaults); --lenient drops that.
 *
 * A disagreement is "known" when a line of FILE matches it:
 *   FIELD  TAGS  INKAN  MAILAUTH  RFC-SECTION  why...
 * FIELD is dmarc.result, dmarc.disposition or arc.result; TAGS a comma list
 * of case tags that must all be present (or *); INKAN and MAILAUTH the two
 * values (or *).  Lines starting with # are comments.  Every line must cite
 * the RFC section that decides the question.
 * Prints "N passed, N failed" (and the known ones); exits 1 when a
 * disagreement is not known, 2 on a setup error.
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { authenticate } = require('mailauth');

const args = process.argv.slice(2);
const opt = name => {
    let i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
};
const INKAN = opt('--inkan');
const WORK = opt('--workdir');
const KNOWN = opt('--known');
const STRICT = !args.includes('--lenient');
const VERBOSE = args.includes('--verbose');
const ONLY = opt('--only');
const AUTHSERV = 'mx.inkan.test';

/* ---- the resolver ------------------------------------------------------ */

const zone = JSON.parse(fs.readFileSync(path.join(WORK, 'zone.json'), 'utf8'));
const records = zone.records;
const servfail = new Set(zone.servfail.map(([n, t]) => `${n}/${t}`));
const existing = new Set();
for (let name of Object.keys(records)) {
    // the name and every parent of it exist (RFC 8020: empty non-terminals are NODATA)
    let labels = name.split('.');
    for (let i = 0; i < labels.length; i++) {
        existing.add(labels.slice(i).join('.'));
    }
}
const dnsError = (code, name, type) => {
    let err = new Error(`${type} ${name}: ${code}`);
    err.code = code;
    return err;
};
let queries = 0;
const resolver = async (name, type) => {
    queries++;
    name = String(name).toLowerCase().replace(/\.$/, '');
    if (servfail.has(`${name}/${type}`)) {
        throw dnsError('ESERVFAIL', name, type);
    }
    let rrs = records[name];
    if (rrs && rrs[type]) {
        // node's dns.resolve shapes: TXT arrays of strings, MX objects, A/AAAA strings; copies
        return JSON.parse(JSON.stringify(rrs[type]));
    }
    if (existing.has(name)) {
        throw dnsError('ENODATA', name, type);
    }
    throw dnsError('ENOTFOUND', name, type);
};

/* ---- known differences ------------------------------------------------- */

const known = [];
if (KNOWN && fs.existsSync(KNOWN)) {
    fs.readFileSync(KNOWN, 'utf8')
        .split('\n')
        .forEach((line, n) => {
            line = line.trim();
            if (!line || line.startsWith('#')) {
                return;
            }
            let [field, tags, ours, theirs, ...why] = line.split(/\s+/);
            why = why.join(' ');
            if (!/RFC\s*\d+/.test(why)) {
                console.error(`${KNOWN}:${n + 1}: no RFC section given`);
                process.exit(2);
            }
            known.push({ field, tags: tags === '*' ? [] : tags.split(','), ours, theirs, why, line: n + 1, used: 0 });
        });
}
const findKnown = (field, tags, ours, theirs) =>
    known.find(
        k =>
            k.field === field &&
            k.tags.every(t => tags.includes(t)) &&
            (k.ours === '*' || k.ours === ours) &&
            (k.theirs === '*' || k.theirs === theirs)
    );

/* ---- the two sides ----------------------------------------------------- */

const mailauthSide = async c => {
    let message = fs.readFileSync(path.join(WORK, c.file));
    let res = await authenticate(message, {
        ip: c.ip,
        helo: c.helo,
        sender: c.mailfrom,
        mta: AUTHSERV,
        resolver,
        strict: STRICT,
        disableBimi: true
    });
    let dmarc;
    let disposition;
    if (res.dmarc) {
        dmarc = res.dmarc.status.result;
        // the policy to enact: the one that applied (t=y already lowered) when DMARC failed
        disposition = dmarc === 'fail' ? res.dmarc.policy || 'none' : 'none';
    } else {
        // RFC 9989 5.3.1: no single Author Domain; mailauth leaves dmarc false
        dmarc = `skipped(${res.dmarcSkipReason || 'no-from'})`;
        disposition = 'none';
    }
    return {
        'dmarc.result': dmarc,
        'dmarc.disposition': disposition,
        'arc.result': res.arc ? res.arc.status.result : 'none',
        spf: res.spf ? res.spf.status.result : 'none',
        dkim: (res.dkim.results || [])
            // an unsigned message gets one entry with no signing domain and result none
            .filter(r => r.signingDomain)
            .map(r => `${r.signingDomain}=${r.status.result}`).join(' '),
        _raw: { arc: res.arc?.status, dmarc: res.dmarc?.status, arcError: res.arc?.status?.comment }
    };
};

const inkanSide = c => {
    let argv = ['verify', '--zone', path.join(WORK, 'zone.zone'), '--ip', c.ip, '--helo', c.helo, '--mail-from', c.mailfrom, '--authserv-id', AUTHSERV, '--json', path.join(WORK, c.file)];
    let out;
    try {
        out = execFileSync(INKAN, argv, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 }).toString();
    } catch (err) {
        // a DMARC fail may set a non-zero exit status; the JSON is still on stdout
        out = err.stdout ? err.stdout.toString() : '';
        if (!out.trim()) {
            throw new Error(`inkan verify failed on ${c.file}: ${err.stderr}`);
        }
    }
    let j = JSON.parse(out.trim().split('\n')[0]);
    let dmarc = j.dmarc || {};
    let arc = j.arc || {};
    let dkim = [].concat(j.dkim || []);
    let spf = j.spf || {};
    let result = dmarc.result || 'none';
    return {
        'dmarc.result': result,
        'dmarc.disposition': result === 'fail' ? dmarc.disposition || 'none' : 'none',
        'arc.result': arc.result || arc.cv || 'none',
        spf: spf.result || 'none',
        dkim: dkim.map(d => `${d.domain || d.d}=${d.result}`).join(' '),
        _raw: { dmarc, arc }
    };
};

/* ---- compare ----------------------------------------------------------- */

(async () => {
    let { cases } = JSON.parse(fs.readFileSync(path.join(WORK, 'cases.json'), 'utf8'));
    if (ONLY !== undefined) {
        cases = cases.filter(c => String(c.id) === ONLY);
    }
    let passed = 0;
    let failed = 0;
    let knownCount = 0;
    let byField = {};
    let diag = { spf: 0, dkim: 0 };
    // what the agreed verdicts were, so that a pass means more than "both said none"
    let spread = new Map();
    const tally = key => spread.set(key, (spread.get(key) || 0) + 1);
    for (let c of cases) {
        let theirs = await mailauthSide(c);
        let ours = inkanSide(c);
        let bad = [];
        let excused = [];
        for (let field of ['dmarc.result', 'dmarc.disposition', 'arc.result']) {
            if (ours[field] === theirs[field]) {
                continue;
            }
            if (field === 'dmarc.disposition' && ours['dmarc.result'] !== theirs['dmarc.result']) {
                // follows from a result difference, counted there
                continue;
            }
            let k = findKnown(field, c.tags, ours[field], theirs[field]);
            if (k) {
                k.used++;
                excused.push(`${field} inkan=${ours[field]} mailauth=${theirs[field]} (known, line ${k.line})`);
            } else {
                bad.push(`${field} inkan=${ours[field]} mailauth=${theirs[field]}`);
                byField[field] = (byField[field] || 0) + 1;
            }
        }
        // diagnostics only: SPF and DKIM feed DMARC, a difference there explains one above
        let notes = [];
        if (ours.spf !== theirs.spf) {
            diag.spf++;
            notes.push(`spf inkan=${ours.spf} mailauth=${theirs.spf}`);
        }
        if (ours.dkim !== theirs.dkim) {
            diag.dkim++;
            notes.push(`dkim inkan=[${ours.dkim}] mailauth=[${theirs.dkim}]`);
        }
        tally(`dmarc=${theirs['dmarc.result']}`);
        tally(`arc=${theirs['arc.result']}${c.sealer ? ` (sealed by ${c.sealer})` : ''}`);
        if (bad.length) {
            failed++;
            console.log(`FAIL ${c.file} (${c.tags.join(' ')}; from ${c.from}, mail from <${c.mailfrom}>, ip ${c.ip}${c.sealer ? ', sealed by ' + c.sealer : ''})`);
            for (let b of bad.concat(notes)) {
                console.log(`    ${b}`);
            }
            if (VERBOSE) {
                console.log(`    inkan ${JSON.stringify(ours._raw)}`);
                console.log(`    mailauth ${JSON.stringify(theirs._raw)}`);
            }
        } else {
            passed++;
            if (excused.length) {
                knownCount++;
            }
            if (VERBOSE && (excused.length || notes.length)) {
                console.log(`ok   ${c.file} (${c.tags.join(' ')}): ${excused.concat(notes).join('; ')}`);
            }
        }
    }
    for (let k of known) {
        if (!k.used && ONLY === undefined) {
            console.log(`note: known difference on line ${k.line} of ${path.basename(KNOWN)} did not occur`);
        }
    }
    let fields = Object.entries(byField)
        .map(([f, n]) => `${f} ${n}`)
        .join(', ');
    console.log(`mailauth verdicts: ${Array.from(spread.entries()).sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    console.log(`SPF differs on ${diag.spf}, DKIM on ${diag.dkim} messages (diagnostic only)`);
    console.log(`${passed} passed, ${failed} failed${knownCount ? ` (${knownCount} passed only through documented differences)` : ''}${fields ? ` [${fields}]` : ''}`);
    process.exit(failed ? 1 : 0);
})().catch(err => {
    console.error(err);
    process.exit(2);
});
