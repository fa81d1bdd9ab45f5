// Every quick fix, applied to configs of many shapes, leaves a config that real `nginx -t` accepts, clears
// its finding, and keeps every original line (comments, quoting, formatting) as it was.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, defaultSettings, Finding } from '../../server/src/engine';
import { parseVersion } from '../support/engine';
import { Workspace } from '../../server/src/engine/workspace';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import { nginxAvailable, nginxTest, tempDir } from '../support/nginx';
import { makePki, Pki } from '../support/pki';

let base = '';
let pki: Pki;
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

before(() => {
  if (!nginxAvailable()) return;
  base = tempDir('ntp-fixes-');
  pki = makePki(path.join(base, 'pki'));
});

after(() => {
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

interface Case {
  name: string;
  /** Body after `events {}`; `CERT`, `KEY`, `CA` are replaced by real files. */
  conf: string;
  rules: string[];
  /** Apply non-safe preferred fixes of these rules too (their fix is the user's choice, offered first). */
  unsafeToo?: boolean;
  /** The original is rejected by nginx (the rule is about a config nginx refuses). */
  rejectedBefore?: boolean;
  files?: Record<string, string>;
  preamble?: string;
  eol?: '\r\n';
}

const SRV = (inner: string) => `http {\n    server {\n        listen 127.0.0.1:18080;\n${inner}    }\n}\n`;

const CASES: Case[] = [
  { name: 'location', rules: ['upstream-tls-unverified'], conf: SRV('        location / {\n            proxy_pass https://localhost:18443;\n        }\n') },
  { name: 'localhost with SNI', rules: ['upstream-tls-unverified', 'upstream-tls-no-sni'], conf: SRV('        location / {\n            proxy_pass https://localhost:18443/app/;   # the app\n        }\n') },
  { name: 'nested location', rules: ['upstream-tls-unverified'], conf: SRV('        location /a/ {\n            location /a/b/ {\n                proxy_pass https://localhost:18443;\n            }\n        }\n') },
  { name: 'inside if', rules: ['upstream-tls-unverified'], conf: SRV('        location / {\n            if ($arg_x) {\n                proxy_pass https://localhost:18443;\n            }\n        }\n') },
  { name: 'inside limit_except', rules: ['upstream-tls-unverified'], conf: SRV('        location / {\n            limit_except GET {\n                proxy_pass https://localhost:18443;\n            }\n        }\n') },
  { name: 'one-line location', rules: ['upstream-tls-unverified'], conf: SRV('        location / { proxy_pass https://localhost:18443; }\n') },
  { name: 'explicit off in the location', rules: ['upstream-tls-unverified'], conf: SRV('        location / {\n            proxy_ssl_verify off;\n            proxy_pass https://localhost:18443;\n        }\n') },
  { name: 'off at http level', rules: ['upstream-tls-unverified'], conf: 'http {\n    proxy_ssl_verify off;\n    proxy_ssl_server_name off;\n    server {\n        listen 127.0.0.1:18080;\n        location / { proxy_pass https://localhost:18443; }\n    }\n}\n' },
  { name: 'existing SNI off in the block', rules: ['upstream-tls-unverified'], conf: SRV('        location / {\n            proxy_ssl_server_name off;\n            proxy_pass https://localhost:18443;\n        }\n') },
  { name: 'grpcs', rules: ['upstream-tls-unverified'], conf: SRV('        location / {\n            grpc_pass grpcs://localhost:50051;\n        }\n') },
  { name: 'suwsgi', rules: ['upstream-tls-unverified'], conf: SRV('        location / {\n            uwsgi_pass suwsgi://localhost:3031;\n        }\n') },
  { name: 'upstream group', rules: ['upstream-tls-unverified'], conf: 'http {\n    upstream backend {\n        server localhost:8443;\n    }\n    server {\n        listen 127.0.0.1:18080;\n        location / {\n            proxy_pass https://backend;\n        }\n    }\n}\n' },
  { name: 'tabs', rules: ['upstream-tls-unverified'], conf: 'http {\n\tserver {\n\t\tlisten 127.0.0.1:18080;\n\t\tlocation / {\n\t\t\tproxy_pass https://localhost:18443;\n\t\t}\n\t}\n}\n' },
  { name: 'CRLF', rules: ['upstream-tls-unverified'], eol: '\r\n', conf: SRV('        location / {\n            proxy_pass https://localhost:18443;\n        }\n') },
  { name: 'stream proxy_ssl on', rules: ['upstream-tls-unverified'], preamble: `load_module ${STREAM_MODULE};\n`, conf: 'stream {\n    server {\n        listen 127.0.0.1:15000;\n        proxy_pass 127.0.0.1:15443;\n        proxy_ssl on;\n        proxy_ssl_name localhost;\n    }\n}\n' },
  { name: 'verify on without CA at http level', rules: ['upstream-tls-no-trusted-ca'], rejectedBefore: true, conf: 'http {\n    proxy_ssl_verify on;\n    server {\n        listen 127.0.0.1:18080;\n        location / { proxy_pass https://127.0.0.1:18443; }\n    }\n}\n' },
  { name: 'variables in the URL', rules: ['upstream-tls-no-trusted-ca'], rejectedBefore: true, conf: SRV('        location / {\n            proxy_ssl_verify on;\n            proxy_pass http://$host$request_uri;\n        }\n') },
  { name: 'in an included file', rules: ['upstream-tls-unverified'], files: { 'sites/app.conf': 'location /app/ {\n    proxy_pass https://localhost:18443;\n}\n' }, conf: SRV('        include sites/*.conf;\n') },
  { name: 'optional client certificate', rules: ['client-cert-not-enforced'], unsafeToo: true, conf: 'http {\n    server {\n        listen 127.0.0.1:18443 ssl;\n        ssl_certificate CERT;\n        ssl_certificate_key KEY;\n        ssl_client_certificate CA;\n        ssl_verify_client optional;\n    }\n}\n' },
  { name: 'weak protocols', rules: ['tls-weak-protocols'], unsafeToo: true, conf: SRV('        location / {\n            proxy_pass https://127.0.0.1:18443;\n            proxy_ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n        }\n') },
  { name: 'plain http to 443', rules: ['plaintext-to-tls-port'], unsafeToo: true, conf: SRV('        location / {\n            proxy_pass http://127.0.0.1:443;\n        }\n') },
  { name: 'weak server ciphers, quoted, with a comment', rules: ['tls-weak-ciphers'], unsafeToo: true, conf: 'http {\n    server {\n        listen 127.0.0.1:18443 ssl;\n        ssl_certificate CERT;\n        ssl_certificate_key KEY;\n        ssl_ciphers   "RC4-SHA:DES-CBC3-SHA:HIGH:@SECLEVEL=0"  ;   # legacy clients\n    }\n}\n' },
  { name: 'weak upstream ciphers in stream', rules: ['tls-weak-ciphers'], unsafeToo: true, preamble: `load_module ${STREAM_MODULE};\n`, conf: 'stream {\n    server {\n        listen 127.0.0.1:15000;\n        proxy_pass 127.0.0.1:15443;\n        proxy_ssl on;\n        proxy_ssl_ciphers EXP-RC4-MD5:aNULL:DEFAULT;\n    }\n}\n' },
  { name: 'verified group of IP addresses, the backend in the same config', rules: ['upstream-tls-name-mismatch'], unsafeToo: true, conf: 'http {\n    upstream app {\n        server 127.0.0.1:18443;\n    }\n    server {\n        listen 127.0.0.1:18443 ssl;\n        server_name backend.test;\n        ssl_certificate CERT;\n        ssl_certificate_key KEY;\n    }\n    server {\n        listen 127.0.0.1:18080;\n        location / {\n            proxy_pass https://app;   # the app\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate CA;\n        }\n    }\n}\n' },
];

function analyzeFile(ws: Workspace, file: string, rules: string[]): Finding[] {
  ws.invalidate();
  return ws.analyzeFile(file).findings.filter((f) => rules.includes(f.ruleId));
}

for (const c of CASES) {
  test(`fix: ${c.name}`, (t) => {
    if (!nginxAvailable()) return t.skip('nginx not installed');
    const dir = path.join(base, c.name.replace(/\W+/g, '-'));
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o755);
    const fill = (s: string) => s.replace(/CERT/g, pki.server.cert).replace(/KEY/g, pki.server.key).replace(/\bCA\b/g, pki.rootCa).replace(/\n/g, c.eol ?? '\n');
    const main = path.join(dir, 'nginx.conf');
    const original = fill(`${c.preamble ?? ''}events {}\n${c.conf}`);
    fs.writeFileSync(main, original);
    const originals = new Map<string, string>([[main, original]]);
    for (const [name, text] of Object.entries(c.files ?? {})) {
      const p = path.join(dir, name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, fill(text));
      originals.set(p, fill(text));
    }
    const before = nginxTest(main, dir + '/');
    assert.equal(before.ok, !c.rejectedBefore, before.output);

    const nfs = new NodeFileSystem();
    const settings = defaultSettings({ nginxVersion: parseVersion('1.22'), trustedCertificate: pki.rootCa });
    const ws = new Workspace(nfs, settings, { candidates: () => [main] });
    const targets = [...originals.keys()];
    const initial = targets.flatMap((f) => analyzeFile(ws, f, c.rules));
    assert.ok(initial.length > 0, `the rule reports something: ${JSON.stringify(targets.flatMap((f) => ws.analyzeFile(f).findings.map((x) => x.ruleId)))}`);
    for (let round = 0; round < 4; round++) {
      const found = targets.flatMap((f) => analyzeFile(ws, f, c.rules));
      const fix = found.map((f) => f.fixes.find((x) => x.isPreferred && (x.safe || c.unsafeToo))).find(Boolean);
      if (!fix) break;
      const byFile = new Map<string, typeof fix.edits>();
      for (const e of fix.edits) byFile.set(e.path, [...(byFile.get(e.path) ?? []), e]);
      for (const [file, edits] of byFile) fs.writeFileSync(file, applyEdits(fs.readFileSync(file, 'utf8'), edits));
    }
    const after = nginxTest(main, dir + '/');
    const texts = targets.map((f) => fs.readFileSync(f, 'utf8'));
    assert.ok(after.ok, `nginx -t rejects the fixed config:\n${after.output}\n${texts.join('\n----\n')}`);
    assert.deepEqual(targets.flatMap((f) => analyzeFile(ws, f, c.rules)).map((f) => f.message), [], 'fixed');
    // Nothing lost: every original line is still there, in order, unless the fix changed a value on it.
    for (const [file, orig] of originals) {
      const now = fs.readFileSync(file, 'utf8').split(c.eol ?? '\n');
      let i = 0;
      for (const line of orig.split(c.eol ?? '\n')) {
        const j = now.indexOf(line, i);
        if (j >= 0) { i = j + 1; continue; }
        // A cipher fix changes the list and nothing else on the line: the same line with the list replaced is there.
        const cipher = /^(\s*\w*ssl_ciphers\s+["']?)[^"';\s]+(["']?\s*;.*)$/.exec(line);
        if (cipher) {
          assert.ok(now.includes(`${cipher[1]}HIGH:!aNULL:!MD5${cipher[2]}`), `cipher line changed beyond its list in ${file}: ${JSON.stringify(line)}`);
          continue;
        }
        assert.match(line, /_ssl_verify off|_ssl_server_name off|ssl_verify_client optional|_ssl_protocols|proxy_pass http:|\{ .* \}/, `line lost or changed in ${file}: ${JSON.stringify(line)}`);
      }
      if (c.eol) assert.ok(!/[^\r]\n/.test(fs.readFileSync(file, 'utf8')), 'CRLF kept on inserted lines');
    }
  });
}
