// Incremental analysis (issue 10, item 2): after an edit, the findings of a service that kept its previous
// analysis are exactly those of a fresh service that analyses the new text from scratch — messages, ranges,
// related locations, ids and fixes — over seeded random edits (structure-breaking ones included) in a
// single-file config, a stream config, a site included by nginx.conf and a fragment analysed alone. The
// edits that stay inside one server block must actually take the incremental path (`kept` > 0), or the
// comparison would prove nothing.

import { test, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { createLanguageService, defaultSettings, Finding, memoryFileSystem, parse } from '../../server/src/engine';
import { nodeCertificateParser } from '../../server/src/node/node-certificates';
import { makeCasePki, opensslAvailable } from '../support/pki';
import { RULES } from '../../server/src/engine/rules';
import { analyze } from '../../server/src/engine/analyze';
import { CertificateFiles } from '../../server/src/engine/certificates/files';

function httpConfig(servers: number): string {
  const parts = ['events {}\nhttp {\n    proxy_ssl_trusted_certificate /etc/ssl/ca.pem;\n    upstream pool { server 10.0.0.1:443; server backend.example.com:8443; }\n'];
  for (let i = 0; i < servers; i++) {
    parts.push(`    server {
        listen 443 ssl;
        server_name s${i}.example.com;
        ssl_certificate /etc/ssl/s.crt;
        ssl_certificate_key /etc/ssl/s.key;
        set $proto https;
        location / {
            proxy_pass https://pool;
            proxy_ssl_verify ${i % 3 === 0 ? 'on' : 'off'};
        }
        location /api/ {
            proxy_pass $proto://api${i}.example.com;
            proxy_set_header X-Id $request_id;
        }
        location = /x { proxy_pass https://10.1.0.${i}:8443; proxy_ssl_ciphers RC4:HIGH; }
    }
`);
  }
  parts.push('}\n');
  return parts.join('');
}

/** Settings at http level that findings inside servers point back to (and that several servers share). */
function sharedSettingsConfig(servers: number): string {
  const parts = ['events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_name shared.example.com;\n    proxy_ssl_verify_depth 2;\n'];
  for (let i = 0; i < servers; i++) {
    parts.push(`    server {\n        listen 80;\n        location / { proxy_pass https://h${i}.example.com; }\n        location /o/ { proxy_pass https://o${i}.example.com; proxy_ssl_verify off; }\n    }\n`);
  }
  parts.push('}\n');
  return parts.join('');
}

/** A proxy and its backends in one config (compose style): findings in one server name another server's name. */
function backendsConfig(pairs: number): string {
  const parts = ['events {}\nhttp {\n'];
  for (let i = 0; i < pairs; i++) {
    parts.push(`    upstream g${i} { server 127.0.0.${i + 1}:8443; }
    server {
        listen 127.0.0.${i + 1}:8443 ssl;
        server_name app${i}.test;
        ssl_certificate /etc/ssl/app.crt;
        ssl_certificate_key /etc/ssl/app.key;
    }
    server {
        listen 80;
        location / { proxy_pass https://g${i}; proxy_ssl_verify on; proxy_ssl_trusted_certificate /etc/ssl/ca.crt; }
    }
`);
  }
  parts.push('}\n');
  return parts.join('');
}

/** Servers asking for client certificates: some pass the verdict on to the backend, some check nothing. */
function clientCertConfig(servers: number): string {
  const parts = ['events {}\nhttp {\n    ssl_client_certificate /etc/ssl/clients.pem;\n'];
  for (let i = 0; i < servers; i++) {
    parts.push(`    server {
        listen 44${i} ssl;
        ssl_certificate /etc/ssl/s.crt;
        ssl_certificate_key /etc/ssl/s.key;
        ssl_verify_client ${i % 2 ? 'optional' : 'optional_no_ca'};
        location / {
            proxy_pass http://app;
            ${i % 3 ? 'proxy_set_header X-Client-Verify $ssl_client_verify;' : 'add_header X-Seen $ssl_client_verify;'}
            fastcgi_param VERIFY $ssl_client_verify;
        }
    }
`);
  }
  parts.push('}\n');
  return parts.join('');
}

function streamConfig(servers: number): string {
  const parts = ['events {}\nstream {\n    upstream tcp { server 10.0.0.2:5443; }\n'];
  for (let i = 0; i < servers; i++) {
    parts.push(`    server {\n        listen ${5000 + i};\n        proxy_pass ${i % 2 ? 'tcp' : '10.0.0.3:5443'};\n        proxy_ssl on;\n        proxy_ssl_name tcp.example.com;\n    }\n`);
  }
  parts.push('}\n');
  return parts.join('');
}

const INSERTS = [' ', 'x', '9', ';', '}', '{', '"', "'", '$undefined_var', 'https://', '# ', 'proxy_ssl_verify on;', 'off', '\\', 'server { listen 1; }', '\n', 'set $new 1;'];

function normal(f: Finding): string {
  return JSON.stringify([f.id, f.ruleId, f.severity, f.message, f.path, f.start, f.end, f.range, f.nginxLine ?? null, f.related, f.fixes]);
}

/** Random edits of `target`, each compared with a fresh analysis; returns how many took the incremental path. */
function compare(files: Record<string, string>, target: string, diagnosed: string, edits: number, seed: number): number {
  let rnd = seed;
  const rand = (n: number) => {
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    return rnd % n;
  };
  const candidates = () => Object.keys(files).filter((p) => p.endsWith('nginx.conf'));
  const live = createLanguageService({ fs: memoryFileSystem(files), settings: defaultSettings(), candidates });
  live.diagnose(diagnosed);
  let text = files[target];
  let incremental = 0, reused = 0;
  for (let i = 0; i < edits; i++) {
    // Mostly single-character typing inside a line, now and then something that breaks the structure; back
    // to the original text every 20 edits, as a broken brace would otherwise stay broken to the end.
    const at = rand(text.length);
    const removed = rand(4) === 0 ? rand(6) : 0;
    const inserted = rand(5) === 0 ? INSERTS[rand(INSERTS.length)] : 'abcdefghij'[rand(10)];
    text = i % 20 === 19 ? files[target] : text.slice(0, at) + inserted + text.slice(at + removed);
    live.setText(target, text);
    const got = live.diagnose(diagnosed);
    const fresh = createLanguageService({ fs: memoryFileSystem({ ...files, [target]: text }), settings: defaultSettings(), candidates }).diagnose(diagnosed);
    if (got.kept > 0) incremental++;
    if (got.modelsReused > 0) reused++;
    const a = got.findings.map(normal).sort();
    const b = fresh.findings.map(normal).sort();
    assert.deepEqual(a, b, `edit ${i} (seed ${seed}): ${JSON.stringify(inserted)} at ${at}, ${removed} removed`);
  }
  // Letters typed inside arguments (while no earlier edit has left the text broken): the previous model must
  // have been reused for some, or its re-pointing would go untested.
  assert.ok(reused >= 3, `the previous model was reused for only ${reused} of ${edits} edits`);
  return incremental;
}

test('incremental findings equal a fresh analysis: one file, http', () => {
  const n = compare({ '/w/nginx.conf': httpConfig(12) }, '/w/nginx.conf', '/w/nginx.conf', 160, 7);
  assert.ok(n >= 40, `only ${n} of 160 edits were analysed incrementally`);
});

test('incremental findings equal a fresh analysis: findings on shared http-level settings', () => {
  const n = compare({ '/w/nginx.conf': sharedSettingsConfig(8) }, '/w/nginx.conf', '/w/nginx.conf', 160, 5);
  assert.ok(n >= 30, `only ${n} of 160 edits were analysed incrementally`);
});

test('incremental findings equal a fresh analysis: backends and their proxies in one config', () => {
  const n = compare({ '/w/nginx.conf': backendsConfig(5) }, '/w/nginx.conf', '/w/nginx.conf', 160, 13);
  assert.ok(n >= 30, `only ${n} of 160 edits were analysed incrementally`);
});

test('incremental findings equal a fresh analysis: client certificates and what checks them', () => {
  const n = compare({ '/w/nginx.conf': clientCertConfig(9) }, '/w/nginx.conf', '/w/nginx.conf', 200, 17);
  assert.ok(n >= 30, `only ${n} of 200 edits were analysed incrementally`);
});

test('incremental findings equal a fresh analysis: stream servers', () => {
  const n = compare({ '/w/nginx.conf': streamConfig(10) }, '/w/nginx.conf', '/w/nginx.conf', 120, 11);
  assert.ok(n >= 20, `only ${n} of 120 edits were analysed incrementally`);
});

test('incremental findings equal a fresh analysis: a site included by nginx.conf', () => {
  const files = {
    '/etc/nginx/nginx.conf': 'events {}\nhttp {\n    proxy_ssl_verify on;\n    include sites/*.conf;\n}\n',
    '/etc/nginx/sites/a.conf': httpConfig(6).replace(/^events \{\}\nhttp \{\n/, '').replace(/\}\n$/, ''),
    '/etc/nginx/sites/b.conf': 'server { listen 80; location / { proxy_pass https://b.example.com; } }\n',
  };
  const n = compare(files, '/etc/nginx/sites/a.conf', '/etc/nginx/sites/a.conf', 120, 23);
  assert.ok(n >= 20, `only ${n} of 120 edits were analysed incrementally`);
});

test('incremental findings equal a fresh analysis: a fragment analysed alone', () => {
  const site = httpConfig(6).replace(/^events \{\}\nhttp \{\n/, '').replace(/\}\n$/, '');
  const n = compare({ '/srv/site.conf': site }, '/srv/site.conf', '/srv/site.conf', 120, 31);
  assert.ok(n >= 20, `only ${n} of 120 edits were analysed incrementally`);
});

// Names typed over a directive's name: what a rule that compares across the config reads (TLS directives, pass
// directives, listen, server_name, set) and what it does not.
const RENAMES = ['proxy_ssl_verify', 'proxy_ssl_trusted_certificate', 'proxy_ssl_name', 'proxy_ssl_server_name', 'proxy_ssl_session_reuse', 'proxy_ssl_certificate', 'proxy_ssl_certificate_key', 'proxy_ssl_protocols', 'proxy_ssl', 'grpc_ssl_verify', 'ssl_certificate', 'ssl_certificate_key', 'ssl_protocols', 'ssl_verify_client', 'ssl_client_certificate', 'ssl_reject_handshake', 'proxy_pass', 'grpc_pass', 'uwsgi_pass', 'listen', 'server_name', 'set', 'starttls', 'keepalive', 'proxy_set_header', 'fastcgi_param', 'grpc_set_header', 'return', 'root', 'add_header'];

/** The rule examples' certificate files (PEM text by kind), so that the certificate rules have something to find. */
function casePki(t: TestContext): Record<string, string> {
  if (!opensslAvailable()) {
    t.diagnostic('openssl not found: the certificate rules run without certificate files');
    return {};
  }
  const dir = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'ntp-incr-pki-'));
  t.after(() => nodeFs.rmSync(dir, { recursive: true, force: true }));
  return Object.fromEntries(Object.entries(makeCasePki(dir)).map(([k, p]) => [k, nodeFs.readFileSync(p, 'utf8')]));
}

/** A fresh service over one rule example's text at `path`, with the certificate files it names beside it. */
function caseService(c: { files?: Record<string, string> }, pki: Record<string, string>, path: string): (text: string) => ReturnType<typeof createLanguageService> {
  const beside: Record<string, string> = {};
  for (const [name, kind] of Object.entries(c.files ?? {})) if (pki[kind]) beside['/cases/' + name] = pki[kind];
  return (text) => createLanguageService({ fs: memoryFileSystem({ ...beside, [path]: text }), settings: defaultSettings({ now: Date.UTC(2026, 0, 1) }), candidates: () => [path], certificates: nodeCertificateParser });
}

test('incremental findings equal a fresh analysis: every rule example, with names typed over names', (t) => {
  const rules = createLanguageService({ fs: memoryFileSystem({}) }).rules();
  const PATH = '/cases/nginx.conf';
  // The examples' certificate files, so that the certificate rules have something to find (and to keep).
  const pki = casePki(t);
  let rnd = 99;
  const rand = (n: number) => {
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    return rnd % n;
  };
  let incremental = 0;
  const keptRules = new Set<string>();
  let edits = 0;
  for (const rule of rules) {
    for (const c of [...rule.cases.valid, ...rule.cases.invalid]) {
      if (c.probe) continue;
      const context = c.context ?? 'main';
      const service = caseService(c, pki, PATH);
      const live = service(c.config);
      live.diagnose(PATH, { context, scope: 'config' });
      let text = c.config;
      for (let i = 0; i < 32; i++) {
        // Directive names (the first word of a statement), mostly; now and then any word.
        const words = [...text.matchAll(rand(4) ? /(?<=(?:^|[;{}])\s*)[a-z_]{3,}/g : /[a-z_]{3,}/g)];
        if (i % 2 === 0 && words.length) {
          // A word replaced by a directive name, as when one name is typed over another.
          const w = words[rand(words.length)];
          text = text.slice(0, w.index) + RENAMES[rand(RENAMES.length)] + text.slice(w.index! + w[0].length);
        } else {
          const at = rand(text.length);
          const removed = rand(4) === 0 ? rand(4) : 0;
          const inserted = rand(6) === 0 ? INSERTS[rand(INSERTS.length)] : 'abcdefghij'[rand(10)];
          text = text.slice(0, at) + inserted + text.slice(at + removed);
        }
        if (i % 8 === 7) text = c.config;
        live.setText(PATH, text);
        const got = live.diagnose(PATH, { context, scope: 'config' });
        const fresh = service(text).diagnose(PATH, { context, scope: 'config' });
        edits++;
        if (got.kept > 0) incremental++;
        got.keptRules.forEach((r) => keptRules.add(r));
        assert.deepEqual(got.findings.map(normal).sort(), fresh.findings.map(normal).sort(), `${rule.id} example, edit ${i}: ${JSON.stringify(text)}`);
      }
    }
  }
  assert.ok(incremental >= edits / 20, `only ${incremental} of ${edits} edits were analysed incrementally`);
  // The rules that declare what they read must have had their findings kept somewhere, or this proves nothing.
  const declaring = rules.filter((r) => RULES.find((x) => x.id === r.id)?.reads).map((r) => r.id);
  assert.ok(declaring.length >= 16, `${declaring.length} rules declare what they read`);
  for (const id of declaring) {
    if (!opensslAvailable() && (id.startsWith('certificate-') || id.includes('certificate') || id.includes('issuer') || id.includes('chain'))) continue;
    assert.ok(keptRules.has(id), `${id}: its findings were never kept`);
  }
});

// The previous model re-pointed to the new text (`model/after-edit.ts`): a letter typed at the end of every
// argument and every comment of every rule example, in turn, from the example's text. Its findings — and the
// fixes, which read the model's arguments (upstream groups, CA files, names) — equal a fresh analysis'.
test('incremental findings equal a fresh analysis: a letter typed in every argument of every rule example', (t) => {
  const rules = createLanguageService({ fs: memoryFileSystem({}) }).rules();
  const PATH = '/cases/nginx.conf';
  const pki = casePki(t);
  let edits = 0, reused = 0;
  for (const rule of rules) {
    for (const c of [...rule.cases.valid, ...rule.cases.invalid]) {
      if (c.probe) continue;
      const context = c.context ?? 'main';
      const service = caseService(c, pki, PATH);
      const tree = parse(c.config);
      const ends: number[] = tree.comments.map((x) => x.end);
      const stack = [...tree.root.children];
      while (stack.length) {
        const d = stack.pop()!;
        for (const a of d.args) ends.push(a.kind === 1 ? a.end - 1 : a.end);
        if (d.block) stack.push(...d.block.children);
      }
      const live = service(c.config);
      live.diagnose(PATH, { context, scope: 'config' });
      for (const end of ends.sort((a, b) => a - b)) {
        // Back to the example's text first (an edit the model cannot be reused for), then the letter.
        live.setText(PATH, c.config);
        live.diagnose(PATH, { context, scope: 'config' });
        const text = c.config.slice(0, end) + 'q' + c.config.slice(end);
        live.setText(PATH, text);
        const got = live.diagnose(PATH, { context, scope: 'config' });
        const fresh = service(text).diagnose(PATH, { context, scope: 'config' });
        edits++;
        if (got.modelsReused) reused++;
        assert.deepEqual(got.findings.map(normal).sort(), fresh.findings.map(normal).sort(), `${rule.id} example: ${JSON.stringify(text)}`);
      }
    }
  }
  assert.ok(reused >= edits / 2, `the previous model was reused for ${reused} of ${edits} edits`);
});

// Ids name a finding by rule, line and column: a letter typed on one line leaves the ids of the findings on
// every other line as they were (the server then sends their diagnostics on unchanged), and an id is what a
// fresh analysis of the new text gives the same finding.
test('a keystroke keeps the ids of the findings on the other lines', () => {
  const path = '/w/nginx.conf';
  const text = httpConfig(6);
  const live = createLanguageService({ fs: memoryFileSystem({ [path]: text }), settings: defaultSettings(), candidates: () => [path] });
  const before = live.diagnose(path).findings.map((f) => ({ id: f.id, line: f.range.start.line }));
  assert.ok(before.length > 20, `${before.length} findings`);
  const at = text.indexOf('server_name s3.example.com') + 'server_name s3'.length;
  const line = text.slice(0, at).split('\n').length - 1;
  const after = text.slice(0, at) + 'x' + text.slice(at);
  live.setText(path, after);
  const now = live.diagnose(path).findings;
  const ids = new Set(now.map((f) => f.id));
  const elsewhere = before.filter((f) => f.line !== line);
  assert.ok(elsewhere.some((f) => f.line > line), 'findings after the edit, whose offsets moved');
  for (const f of elsewhere) assert.ok(ids.has(f.id), `${f.id}: gone after an edit on line ${line + 1}`);
  const fresh = createLanguageService({ fs: memoryFileSystem({ [path]: after }), settings: defaultSettings(), candidates: () => [path] }).diagnose(path);
  assert.deepEqual([...ids].sort(), fresh.findings.map((f) => f.id).sort());
});

// The variables a config defines are carried from one keystroke to the next unless the edit changes one. A
// named capture counts wherever it is written (a comment too), so one completed in a comment, or pasted into
// a string, changes the set although no directive that defines a variable was touched.
test('a named capture typed in a comment or pasted in a string makes its variable known at once', () => {
  const path = '/w/nginx.conf';
  const server = (i: number) => `    server {\n        listen 80;\n        server_name s${i}.example.com;${i === 0 ? ' # see (?<ap>' : ''}\n        location /x { return 200 "$app"; }\n        location /y { return 200 "x${i}"; }\n    }\n`;
  let text = `events {}\nhttp {\n${Array.from({ length: 8 }, (_, i) => server(i)).join('')}}\n`;
  const live = createLanguageService({ fs: memoryFileSystem({ [path]: text }), settings: defaultSettings(), candidates: () => [path] });
  const unknown = (findings: Finding[]) => findings.filter((f) => f.ruleId === 'unknown-variable').length;
  assert.equal(unknown(live.diagnose(path).findings), 8);
  const after = (needle: string) => text.indexOf(needle) + needle.length;
  const steps: [string, string, string, number][] = [
    ['a letter completing the capture in the comment', '(?<ap', 'p', 0],
    ['a letter in a server name', 'server_name s5', 'q', 0],
    ['a letter breaking the capture again', '(?<app', 'z', 8],
    ['the capture pasted into a string', '"x1', '(?<app>', 0],
    ['a letter in another string', '"x6', 'w', 0],
  ];
  let reused = 0;
  for (const [what, where, typed, expected] of steps) {
    const offset = after(where);
    text = text.slice(0, offset) + typed + text.slice(offset);
    live.setText(path, text);
    const got = live.diagnose(path);
    if (got.modelsReused > 0) reused++;
    assert.equal(unknown(got.findings), expected, what);
    const fresh = createLanguageService({ fs: memoryFileSystem({ [path]: text }), settings: defaultSettings(), candidates: () => [path] }).diagnose(path);
    assert.deepEqual(got.findings.map(normal).sort(), fresh.findings.map(normal).sort(), what);
  }
  // The letters typed in a name and in a string reuse the previous model (and its set of variables).
  assert.equal(reused, 2);
});

// A server's names route an upstream's connection only where it listens with TLS on a port an upstream of the
// config connects to: typing in another server's server_name keeps the backend rules' findings; typing in a
// backend's runs them again.
test('a server_name edit re-runs the backend rules only in a server an upstream can reach', () => {
  const path = '/w/nginx.conf';
  const text = `events {}
http {
    server { listen 8443 ssl; server_name backend.test; ssl_certificate /c.crt; ssl_certificate_key /c.key; }
    server {
        listen 443 ssl;
        server_name front.test;
        ssl_certificate /c.crt;
        ssl_certificate_key /c.key;
        location / { proxy_pass https://127.0.0.1:8443; proxy_ssl_verify on; proxy_ssl_trusted_certificate /ca.crt; }
    }
}
`;
  const backendRules = ['upstream-tls-name-mismatch', 'upstream-tls-name-not-in-certificate', 'upstream-tls-untrusted-issuer', 'upstream-tls-chain-too-deep', 'upstream-client-cert-rejected', 'certificate-expired'];
  const typed = (name: string) => {
    const live = createLanguageService({ fs: memoryFileSystem({ [path]: text }), settings: defaultSettings(), candidates: () => [path] });
    live.diagnose(path);
    const at = text.indexOf(name) + name.length;
    const after = text.slice(0, at) + 'x' + text.slice(at);
    live.setText(path, after);
    const got = live.diagnose(path);
    const fresh = createLanguageService({ fs: memoryFileSystem({ [path]: after }), settings: defaultSettings(), candidates: () => [path] }).diagnose(path);
    assert.deepEqual(got.findings.map(normal).sort(), fresh.findings.map(normal).sort());
    return got.keptRules;
  };
  const front = typed('front.test');
  for (const id of backendRules) assert.ok(front.includes(id), `${id}: kept after an edit of a server no upstream reaches`);
  const backend = typed('backend.test');
  for (const id of backendRules) assert.ok(!backend.includes(id), `${id}: run again after an edit of a backend's name`);
});

test('an edit does not keep the analyses before it alive', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const path = '/w/nginx.conf';
  let text = httpConfig(20);
  const live = createLanguageService({ fs: memoryFileSystem({ [path]: text }), settings: defaultSettings(), candidates: () => [path] });
  const first = live.diagnose(path).findings;
  assert.ok(first.length > 20);
  // Fixes made and not made: a finding's fix maker is what could hold its analysis.
  assert.ok(Array.isArray(first[0].fixes));
  const refs = first.map((f) => new WeakRef(f));
  first.length = 0;
  const at = text.indexOf('server_name s10');
  for (let i = 0; i < 6; i++) {
    text = text.slice(0, at + 12) + 'x' + text.slice(at + 12);
    live.setText(path, text);
    const d = live.diagnose(path);
    assert.ok(d.kept > 0 && d.keptRules.length > 0, 'the edit was analysed incrementally, cross-config rules kept');
    assert.ok(Array.isArray(d.findings[i].fixes));
  }
  await new Promise((r) => setImmediate(r));
  gc();
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, 0, `${alive} findings of the first analysis are still reachable after six edits`);
});

test('findings that rest on the clock are kept only while they are less than a minute old', { skip: !opensslAvailable() && 'openssl not found: no expired certificate to find' }, (t) => {
  const dir = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), 'ntp-incr-clock-'));
  t.after(() => nodeFs.rmSync(dir, { recursive: true, force: true }));
  const pki = makeCasePki(dir);
  const path = '/w/nginx.conf';
  const server = (i: number) => `    server {\n        listen 44${i} ssl;\n        server_name s${i}.test;\n        ssl_certificate /w/old.crt;\n        ssl_certificate_key /w/old.key;\n        location / { root /srv; }\n    }\n`;
  const text = `events {}\nhttp {\n${server(1)}${server(2)}}\n`;
  const files = { '/w/old.crt': nodeFs.readFileSync(pki['expired-cert'], 'utf8'), '/w/old.key': nodeFs.readFileSync(pki['expired-key'], 'utf8') };
  const at = text.indexOf('/srv') + 4;
  const edited = text.slice(0, at) + 'x' + text.slice(at);
  const T = Date.UTC(2026, 5, 1);
  const keptAfter = (ms: number) => {
    const fs = memoryFileSystem({ ...files, [path]: text });
    const before = analyze(path, fs, defaultSettings({ now: T }), {}, new CertificateFiles({ parser: nodeCertificateParser, fs, workspaceFolders: [], pathMap: [] }));
    assert.ok(before.findings.some((f) => f.ruleId === 'certificate-expired'));
    const fs2 = memoryFileSystem({ ...files, [path]: edited });
    const after = analyze(path, fs2, defaultSettings({ now: T + ms }), {}, new CertificateFiles({ parser: nodeCertificateParser, fs: fs2, workspaceFolders: [], pathMap: [] }), before);
    assert.ok(after.keptRules.length > 0, "the edit took the incremental path");
    return after.keptRules;
  };
  assert.ok(keptAfter(30_000).includes('certificate-expired'), 'kept 30 s later');
  assert.ok(!keptAfter(61_000).includes('certificate-expired'), 'found again 61 s later');
  assert.ok(keptAfter(61_000).includes('certificate-key-mismatch'), 'a rule that does not read the clock is kept whatever the time');
});
