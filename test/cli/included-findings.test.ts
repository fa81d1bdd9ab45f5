// `check` on a main config reports what is wrong in the files it includes (nginx -t fails on those too), once
// each, also when the included file is named as well; a file analysed inside its main config has only its own.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
let dir = '';

function check(args: string[]): { status: number | null; findings: { file: string; line: number; rule: string }[] } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', '--format', 'json', '--nginx-version', '1.22', ...args], { cwd: dir, encoding: 'utf8', timeout: 120000 });
  return { status: r.status, findings: JSON.parse(r.stdout) };
}

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

before(() => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-included-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const where = (fs: { file: string; line: number; rule: string }[], rule: string) => fs.filter((f) => f.rule === rule).map((f) => `${path.relative(dir, f.file)}:${f.line}`);

test('a certificate without its key in an included snippet (absolute or relative include) fails check on the main config', () => {
  write('rel/snippets/client.conf', 'proxy_ssl_certificate /etc/nginx/client.crt;\n');
  const rel = write('rel/nginx.conf', 'events {}\nhttp {\n    server {\n        location / {\n            include snippets/client.conf;\n            proxy_pass https://localhost:8443;\n        }\n    }\n}\n');
  const r = check([rel]);
  assert.deepEqual(where(r.findings, 'tls-cert-without-key'), ['rel/snippets/client.conf:1']);
  assert.equal(r.status, 1);
  const abs = write('abs/nginx.conf', `events {}\nhttp {\n    server {\n        listen 443 ssl;\n        include ${path.join(dir, 'abs/server-cert.conf')};\n    }\n}\n`);
  write('abs/server-cert.conf', 'ssl_certificate /etc/nginx/server.crt;\n');
  assert.deepEqual(where(check([abs]).findings, 'tls-cert-without-key'), ['abs/server-cert.conf:1']);
});

test('an included file named too is reported once; named alone it has only its own findings', () => {
  write('both/snippets/client.conf', 'proxy_ssl_certificate /etc/nginx/client.crt;\n');
  write('both/nginx.conf', 'events {}\nhttp {\n    server {\n        location / {\n            include snippets/client.conf;\n            proxy_pass https://localhost:8443;\n        }\n    }\n}\n');
  const folder = check([path.join(dir, 'both')]).findings;
  assert.deepEqual(where(folder, 'tls-cert-without-key'), ['both/snippets/client.conf:1']);
  const named = check([path.join(dir, 'both/nginx.conf'), path.join(dir, 'both/snippets/client.conf')]).findings;
  assert.deepEqual(where(named, 'tls-cert-without-key'), ['both/snippets/client.conf:1']);
  const alone = check([path.join(dir, 'both/snippets/client.conf')]).findings;
  assert.deepEqual(where(alone, 'tls-cert-without-key'), ['both/snippets/client.conf:1']);
  assert.deepEqual(alone.filter((f) => f.file !== path.join(dir, 'both/snippets/client.conf')), [], 'the main config\'s findings are not the snippet\'s');
});

test('a file two named configs include, fixed differently from each: only what both agree on is applied', () => {
  write('shared2/loc.conf', 'location / { proxy_pass https://api.example.com; }\n');
  const m1 = write('m1/nginx.conf', `events {}\nhttp {\n    proxy_ssl_trusted_certificate ${path.join(dir, 'ca.crt')};\n    server {\n        listen 80;\n        include ${path.join(dir, 'shared2/loc.conf')};\n    }\n}\n`);
  const m2 = write('m2/nginx.conf', `events {}\nhttp {\n    server {\n        listen 80;\n        include ${path.join(dir, 'shared2/loc.conf')};\n    }\n}\n`);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', '--fix', '--dry-run', '--nginx-version', '1.22', m1, m2], { cwd: dir, encoding: 'utf8', timeout: 120000 });
  // m1 needs only verification on (its CA is set around the include); m2 needs a CA too: neither edit is safe.
  assert.match(r.stdout, /\+location \/ \{ proxy_pass https:\/\/api\.example\.com; proxy_ssl_server_name on; \}/);
  assert.doesNotMatch(r.stdout, /proxy_ssl_verify/);
  const json = check([m1, m2]).findings.filter((f) => f.rule === 'upstream-tls-unverified');
  assert.deepEqual(json.map((f) => `${path.relative(dir, f.file)}:${f.line}`), ['shared2/loc.conf:1']);
});
