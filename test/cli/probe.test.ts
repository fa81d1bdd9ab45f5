// `check --probe`: real nginx TLS backends on 127.0.0.1 that are not in the config checked. Each kind of
// failure is found in what they present, a healthy backend gets nothing, an unreachable one a clear notice
// within the timeout; without --probe nothing connects.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, nginxAvailable, refusedPort, RunningNginx, startNginx, tempDir, writeNginxConf } from '../support/nginx';
import { makeCasePki, opensslAvailable } from '../support/pki';
import { offeredRange } from '../../server/src/probe';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
let base = '';
let pki: Record<string, string> = {};
let backend: RunningNginx | null = null;
const ports: Record<string, number> = {};
const skip = () => (!nginxAvailable() ? 'nginx not installed' : !opensslAvailable() ? 'openssl not installed' : !fs.existsSync(CLI) ? 'dist/cli.js not built' : '');

before(async () => {
  if (skip()) return;
  base = tempDir('ntp-probe-');
  pki = makeCasePki(path.join(base, 'pki'));
  const servers: [string, string, string][] = [['healthy', 'server-cert', 'server-key'], ['expired', 'expired-cert', 'expired-key'], ['deep', 'deep-chain', 'deep-key']];
  let body = 'http {\n    access_log off;\n';
  for (const [name, cert, key] of servers) {
    ports[name] = await freePort();
    body += `    server {\n        listen 127.0.0.1:${ports[name]} ssl;\n        ssl_certificate ${pki[cert]};\n        ssl_certificate_key ${pki[key]};\n        return 200 "ok\\n";\n    }\n`;
  }
  body += '}\n';
  const dir = path.join(base, 'backends');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o755);
  writeNginxConf(dir, body);
  backend = await startNginx(dir, Object.values(ports));
  ports.closed = await refusedPort();
});

after(async () => {
  if (backend) await backend.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

function check(location: string, ...args: string[]) {
  const dir = fs.mkdtempSync(path.join(base, 'proxy-'));
  fs.copyFileSync(pki['root-ca'], path.join(dir, 'root.crt'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n${location}        }\n    }\n}\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'check', 'nginx.conf', '--format', 'json', '--fail-on', 'none', ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  const all = JSON.parse(r.stdout) as { rule: string; message: string; severity: string; line: number }[];
  const findings = all.filter((f) => /^upstream-tls-(untrusted|chain|name-not)|^certificate-expired/.test(f.rule));
  const unreachable = all.filter((f) => f.rule === 'upstream-unreachable');
  return { findings, unreachable, stderr: r.stderr, ms: Date.now() - started };
}

const verified = (port: number, extra = '') => `            proxy_pass https://127.0.0.1:${port};\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate root.crt;\n            proxy_ssl_name backend.test;\n${extra}`;

test('a healthy backend gets nothing; without --probe nothing is found (nor connected to)', (t) => {
  if (skip()) return t.skip(skip());
  assert.deepEqual(check(verified(ports.healthy), '--probe').findings, []);
  assert.deepEqual(check(verified(ports.expired)).findings, []);
});

test('each kind of failure in what the upstream presents', (t) => {
  if (skip()) return t.skip(skip());
  const expired = check(verified(ports.expired).replace('backend.test', 'expired.test'), '--probe').findings;
  assert.deepEqual(expired.map((f) => f.rule), ['certificate-expired']);
  assert.match(expired[0].message, /\(probed\) presents "expired.test", which expired on 2020-02-01.*\(10:certificate has expired\)/);
  const deep = check(verified(ports.deep, '            proxy_ssl_verify_depth 0;\n'), '--probe').findings;
  assert.deepEqual(deep.map((f) => f.rule), ['upstream-tls-chain-too-deep']);
  const name = check(verified(ports.healthy).replace('backend.test', 'other.test'), '--probe').findings;
  assert.deepEqual(name.map((f) => f.rule), ['upstream-tls-name-not-in-certificate']);
  assert.match(name[0].message, /carries DNS:backend.test, IP:127.0.0.1/);
  fs.writeFileSync(path.join(base, 'other-root.crt'), fs.readFileSync(pki['intermediate-ca']));
  const untrusted = check(verified(ports.healthy).replace('root.crt', path.join(base, 'other-root.crt')), '--probe').findings;
  assert.deepEqual(untrusted.map((f) => f.rule), ['upstream-tls-untrusted-issuer']);
});

test('an unreachable upstream gets a clear finding on the pass directive within the timeout, only when probed', (t) => {
  if (skip()) return t.skip(skip());
  const r = check(verified(ports.closed), '--probe');
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.unreachable.map((f) => [f.line, f.severity]), [[6, 'warning']]);
  assert.match(r.unreachable[0].message, new RegExp(`127\\.0\\.0\\.1:${ports.closed} did not accept a connection \\(connect ECONNREFUSED`));
  assert.doesNotMatch(r.stderr, /probe:/, 'a finding, not a notice');
  assert.ok(r.ms < 20000, `took ${r.ms} ms`);
  assert.deepEqual(check(verified(ports.closed)).unreachable, [], 'nothing without --probe');
  // A healthy backend answers: no finding.
  assert.deepEqual(check(verified(ports.healthy), '--probe').unreachable, []);
});

test('a client certificate pair that does not load is named as the cause, not the upstream, its protocols or ciphers', (t) => {
  if (skip()) return t.skip(skip());
  const pair = (cert: string, key: string) => `            proxy_ssl_certificate ${cert};\n            proxy_ssl_certificate_key ${key};\n`;
  // The key of another certificate: nginx -t fails on the pair (certificate-key-mismatch), and the probe says why it did not connect.
  const mismatched = check(verified(ports.healthy, pair(pki['client-cert'], pki['stray-key'])), '--probe');
  assert.equal(mismatched.unreachable.length, 1, JSON.stringify(mismatched.unreachable));
  assert.match(mismatched.unreachable[0].message, /was not probed: the client certificate ".*client\.crt" and key ".*stray\.key" do not load \(.*\)\. nginx does not start with such a pair either/);
  assert.doesNotMatch(mismatched.unreachable[0].message, /ciphers|protocols/);
  // The pair that belongs together: the healthy backend (which asks for no client certificate) answers.
  assert.deepEqual(check(verified(ports.healthy, pair(pki['client-cert'], pki['client-key'])), '--probe').unreachable, []);
  // An encrypted key: nginx opens it with its password file; the probe only says it could not.
  const encrypted = path.join(base, 'client-encrypted.key');
  const r = spawnSync('openssl', ['pkey', '-in', pki['client-key'], '-aes256', '-passout', 'pass:secret', '-out', encrypted], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const locked = check(verified(ports.healthy, pair(pki['client-cert'], encrypted)), '--probe');
  assert.equal(locked.unreachable.length, 1);
  assert.match(locked.unreachable[0].message, /was not probed: the client key ".*client-encrypted\.key" is encrypted, and the probe does not read passphrases\.$/);
});

test('the protocols offered: OpenSSL\'s contiguous run from the lowest enabled (measured on nginx: TLSv1.1 TLSv1.3 cannot reach a TLSv1.3-only backend)', () => {
  assert.deepEqual(offeredRange(['TLSv1.2', 'TLSv1.3']), { min: 'TLSv1.2', max: 'TLSv1.3', offered: ['TLSv1.2', 'TLSv1.3'] });
  assert.deepEqual(offeredRange(['TLSv1.1', 'TLSv1.3'])?.offered, ['TLSv1.1']);
  assert.deepEqual(offeredRange(['TLSv1', 'TLSv1.1', 'TLSv1.2'])?.offered, ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
  assert.deepEqual(offeredRange(['SSLv3', 'TLSv1.2'])?.offered, ['TLSv1.2']);
  assert.equal(offeredRange(['SSLv3']), null);
});
