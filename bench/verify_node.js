'use strict';
/*
 * verify_node.js - the node side of bench/verify (see bench/README.md).
 *
 *   node verify_node.js mailauth DIR [--seconds S]
 *       mailauth's authenticate() (SPF, DKIM, DMARC; ARC and BIMI off) on
 *       every message of DIR/verify.env, answered in memory from
 *       DIR/verify.rr; one warm-up pass, then passes for S seconds.
 *       Writes DIR/peer.mailauth.rate.
 *   node verify_node.js rspamd DIR --url URL [--seconds S] [--concurrency N]
 *       Feeds the same messages to a running rspamd's /checkv2 with the
 *       envelope in the IP, Helo, From headers, N requests in flight
 *       (keep-alive), and checks that rspamd's symbols show DKIM, SPF and
 *       DMARC results.  Writes DIR/peer.rspamd.rate.
 * The rate files hold "messages/s MB/s label" (verify_bench prints them).
 */
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');

const [mode, DIR, ...rest] = process.argv.slice(2);
const opt = (name, def) => {
    let i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : def;
};
const SECONDS = Number(opt('--seconds', 3));

const data = fs.readFileSync(path.join(DIR, 'rsa.msgs'));
const messages = fs
    .readFileSync(path.join(DIR, 'verify.env'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => {
        let [off, len, ip, helo, mailfrom] = line.split(' ');
        return { body: data.subarray(Number(off), Number(off) + Number(len)), ip, helo, mailfrom };
    });
const totalBytes = messages.reduce((n, m) => n + m.body.length, 0);

const writeRate = (name, rate, mb, label, extra) => {
    fs.writeFileSync(path.join(DIR, `peer.${name}.rate`), `${rate.toFixed(0)} ${mb.toFixed(2)} ${label}\n${extra || ''}`);
    console.log(`${label}: ${rate.toFixed(0)} messages/s, ${mb.toFixed(1)} MB/s`);
};

const runMailauth = async () => {
    const { authenticate } = require('mailauth');
    const records = new Map();
    for (let line of fs.readFileSync(path.join(DIR, 'verify.rr'), 'utf8').split('\n')) {
        let m = line.match(/^(\S+) (\S+) (.*)$/);
        if (!m) {
            continue;
        }
        let [, name, type, value] = m;
        let key = `${name.toLowerCase()}/${type}`;
        if (!records.has(key)) {
            records.set(key, []);
        }
        records.get(key).push(type === 'TXT' ? [value] : value);
    }
    const names = new Set(Array.from(records.keys(), k => k.split('/')[0]));
    const resolver = async (name, type) => {
        name = name.toLowerCase().replace(/\.$/, '');
        let v = records.get(`${name}/${type}`);
        if (v) {
            return v.map(x => (Array.isArray(x) ? x.slice() : x));
        }
        let err = new Error(`${type} ${name}`);
        err.code = names.has(name) ? 'ENODATA' : 'ENOTFOUND';
        throw err;
    };
    let verdicts = { pass: 0, other: 0 };
    const pass = async count => {
        for (let m of messages) {
            let res = await authenticate(m.body, {
                ip: m.ip,
                helo: m.helo,
                sender: m.mailfrom,
                mta: 'mx.bench.example',
                resolver,
                disableArc: true,
                disableBimi: true
            });
            if (count) {
                verdicts[res.dmarc?.status?.result === 'pass' && res.spf?.status?.result === 'pass' ? 'pass' : 'other']++;
            }
        }
    };
    await pass(true);
    console.log(`mailauth warm-up verdicts: ${verdicts.pass} spf=pass dmarc=pass, ${verdicts.other} other`);
    let n = 0;
    let start = process.hrtime.bigint();
    let elapsed = 0;
    do {
        await pass(false);
        n++;
        elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < SECONDS);
    let version = require('mailauth/package.json').version;
    writeRate('mailauth', (n * messages.length) / elapsed, (n * totalBytes) / elapsed / 1e6, `mailauth ${version} (node ${process.version}, 1 process, in-memory DNS)`);
};

const runRspamd = async () => {
    const url = new URL(opt('--url', 'http://127.0.0.1:11333/checkv2'));
    const concurrency = Number(opt('--concurrency', 8));
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    // rspamd settings for every request (its Settings header): which checks run
    const settings = opt('--settings', '');
    const check = m =>
        new Promise((resolve, reject) => {
            let req = http.request(
                {
                    host: url.hostname,
                    port: url.port,
                    path: url.pathname,
                    method: 'POST',
                    agent,
                    headers: Object.assign({ IP: m.ip, Helo: m.helo, From: m.mailfrom, 'Content-Length': m.body.length }, settings ? { Settings: settings } : {})
                },
                res => {
                    let chunks = [];
                    res.on('data', c => chunks.push(c));
                    res.on('end', () => {
                        try {
                            resolve(JSON.parse(Buffer.concat(chunks).toString()));
                        } catch (err) {
                            reject(err);
                        }
                    });
                }
            );
            req.on('error', reject);
            req.end(m.body);
        });
    const pass = async seen => {
        let next = 0;
        const worker = async () => {
            while (next < messages.length) {
                let r = await check(messages[next++]);
                if (seen) {
                    for (let s of Object.keys(r.symbols || {})) {
                        seen.set(s, (seen.get(s) || 0) + 1);
                    }
                }
            }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
    };
    let seen = new Map();
    await pass(seen);
    let symbols = Array.from(seen.entries())
        .sort()
        .map(([s, n]) => `${s}=${n}`)
        .join(' ');
    console.log(`rspamd symbols over the warm-up pass: ${symbols}`);
    // the checks really ran: a DKIM, an SPF and a DMARC verdict on every message
    for (let family of [/^R_DKIM_|^DKIM_/, /^R_SPF_/, /^DMARC_/]) {
        let n = Array.from(seen.entries())
            .filter(([s]) => family.test(s))
            .reduce((a, [, c]) => a + c, 0);
        if (n < messages.length) {
            console.error(`rspamd: only ${n} of ${messages.length} messages have a ${family} symbol: the check did not run`);
            process.exit(1);
        }
    }
    let n = 0;
    let start = process.hrtime.bigint();
    let elapsed = 0;
    do {
        await pass(null);
        n++;
        elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < SECONDS);
    writeRate(
        'rspamd',
        (n * messages.length) / elapsed,
        (n * totalBytes) / elapsed / 1e6,
        `rspamd ${opt('--version', '')} (${opt('--workers', '2')} workers, unbound, /checkv2 x${concurrency})`,
        `symbols ${symbols}\n`
    );
    agent.destroy();
};

(mode === 'mailauth' ? runMailauth() : mode === 'rspamd' ? runRspamd() : Promise.reject(new Error('usage: node verify_node.js mailauth|rspamd DIR ...'))).catch(err => {
    console.error(err);
    process.exit(2);
});
