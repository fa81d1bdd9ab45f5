// Runtime proof of the handshake predictions: one real nginx holding both the proxy and its TLS backend
// (as compose setups and test rigs do). For each finding, the request fails the way the message says (502
// and the error-log line), and after the offered fix nginx returns 200.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, createLanguageService, defaultSettings } from '../../server/src/engine';
import type { Finding } from '../../server/src/engine';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import { nodeCertificateParser } from '../../server/src/node/node-certificates';
import { parseVersion } from '../support/engine';
import { freePort, nginxAvailable, RunningNginx, startNginx, tempDir, writeNginxConf } from '../support/nginx';
import { makeCasePki, opensslAvailable } from '../support/pki';
import { get } from '../support/http';

let base = '';
let pki: Record<string, string> = {};
const running: RunningNginx[] = [];
const skip = () => (!nginxAvailable() ? 'nginx not installed' : !opensslAvailable() ? 'openssl not installed' : '');

before(() => {
  if (skip()) return;
  base = tempDir('ntp-handshake-');
  pki = makeCasePki(path.join(base, 'pki'));
});

after(async () => {
  for (const n of running.reverse()) await n.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

function findings(conf: string, rule: string): Finding[] {
  const service = createLanguageService({ fs: new NodeFileSystem(), settings: defaultSettings({ nginxVersion: parseVersion('1.22') }), candidates: () => [conf], certificates: nodeCertificateParser, workspaceFolders: () => [path.dirname(conf)] });
  return service.diagnose(conf).findings.filter((f) => f.ruleId === rule);
}

/** Backend and proxy in one config; `files` copied beside it from the PKI. */
async function scenario(name: string, rule: string, files: Record<string, string>, location: (backend: number) => string, backendCert = 'backend.crt', expectLog: RegExp, backendExtra = '', status = 502) {
  const dir = path.join(base, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  for (const [f, kind] of Object.entries(files)) fs.copyFileSync(pki[kind], path.join(dir, f));
  const backend = await freePort();
  const proxy = await freePort();
  const conf = writeNginxConf(dir, `http {\n    access_log off;\n    server {\n        listen 127.0.0.1:${backend} ssl;\n        server_name backend.test;\n        ssl_certificate ${backendCert};\n        ssl_certificate_key backend.key;\n${backendExtra}        return 200 "backend ok\\n";\n    }\n    server {\n        listen 127.0.0.1:${proxy};\n        location / {\n${location(backend)}            proxy_ssl_session_reuse off;\n        }\n    }\n}\n`);
  const found = findings(conf, rule);
  assert.equal(found.length, 1, `one ${rule} finding expected:\n${fs.readFileSync(conf, 'utf8')}`);
  const n1 = await startNginx(dir, [backend, proxy]);
  running.push(n1);
  const r1 = await get(`http://127.0.0.1:${proxy}/`);
  await n1.stop();
  assert.equal(r1.status, status, 'the request fails as the message says');
  assert.match(n1.errorLog(), expectLog);
  const fix = found[0].fixes.find((f) => f.isPreferred);
  assert.ok(fix, 'a fix is offered');
  fs.writeFileSync(conf, applyEdits(fs.readFileSync(conf, 'utf8'), fix.edits));
  assert.deepEqual(findings(conf, rule).map((f) => f.message), [], 'the fix clears the finding');
  fs.writeFileSync(path.join(dir, 'logs/error.log'), '');
  const n2 = await startNginx(dir, [backend, proxy]);
  running.push(n2);
  const r2 = await get(`http://127.0.0.1:${proxy}/`);
  await n2.stop();
  assert.equal(r2.status, 200, `after the fix:\n${n2.errorLog()}\n${fs.readFileSync(conf, 'utf8')}`);
  return found[0];
}

test('upstream-tls-untrusted-issuer: 502 with verify error 20; trusting the CA that issued it gives 200', async (t) => {
  if (skip()) return t.skip(skip());
  const f = await scenario('untrusted', 'upstream-tls-untrusted-issuer', { 'backend.crt': 'server-cert', 'backend.key': 'server-key', 'other.crt': 'intermediate-ca', 'root.crt': 'root-ca' },
    (b) => `            proxy_pass https://127.0.0.1:${b};\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate other.crt;\n            proxy_ssl_name backend.test;\n        }\n        location /admin/ {\n            proxy_pass https://127.0.0.1:${b};\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate root.crt;\n            proxy_ssl_name backend.test;\n`,
    'backend.crt', /upstream SSL certificate verify error: \(21:unable to verify the first certificate\)/);
  assert.match(f.message, /does not lead to a CA in "other.crt": .*\(21:unable to verify the first certificate\).*"root.crt" \(line \d+\) holds the CA that issued it/);
});

test('upstream-tls-chain-too-deep: one intermediate at depth 0 is a 502 with error 20; the depth it needs gives 200', async (t) => {
  if (skip()) return t.skip(skip());
  const f = await scenario('deep', 'upstream-tls-chain-too-deep', { 'backend.crt': 'deep-chain', 'backend.key': 'deep-key', 'root.crt': 'root-ca' },
    (b) => `            proxy_pass https://127.0.0.1:${b};\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate root.crt;\n            proxy_ssl_name backend.test;\n            proxy_ssl_verify_depth 0;\n`,
    'backend.crt', /upstream SSL certificate verify error: \(20:unable to get local issuer certificate\)/);
  assert.match(f.message, /1 intermediate CAs below the trusted "CN=Test Root", but proxy_ssl_verify_depth is 0/);
});

test('upstream-tls-name-not-in-certificate: the IP of the URL is checked, the IP SAN does not count, 502; the DNS name gives 200', async (t) => {
  if (skip()) return t.skip(skip());
  const f = await scenario('name', 'upstream-tls-name-not-in-certificate', { 'backend.crt': 'server-cert', 'backend.key': 'server-key', 'root.crt': 'root-ca' },
    (b) => `            proxy_pass https://127.0.0.1:${b};\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate root.crt;\n            proxy_ssl_name other.test;\n`,
    'backend.crt', /upstream SSL certificate does not match "other.test"/);
  assert.match(f.message, /carries DNS:backend.test, IP:127.0.0.1/);
});

test('upstream-client-cert-rejected: no client certificate is a 400 "No required SSL certificate was sent"; sending the one the backend\'s CA issued gives 200', async (t) => {
  if (skip()) return t.skip(skip());
  const f = await scenario('client-none', 'upstream-client-cert-rejected', { 'backend.crt': 'server-cert', 'backend.key': 'server-key', 'root.crt': 'root-ca', 'client.crt': 'client-cert', 'client.key': 'client-key' },
    (b) => `            proxy_pass https://127.0.0.1:${b};\n        }\n        location /admin/ {\n            proxy_pass https://127.0.0.1:${b};\n            proxy_ssl_certificate client.crt;\n            proxy_ssl_certificate_key client.key;\n`,
    'backend.crt', /client sent no required SSL certificate/, '        ssl_client_certificate root.crt;\n        ssl_verify_client on;\n', 400);
  assert.match(f.message, /400 "No required SSL certificate was sent".*"client.crt" \(line \d+\) is issued by its CA/);
});

test('upstream-client-cert-rejected: an expired client certificate is a 400 with verify error 10; the valid one gives 200', async (t) => {
  if (skip()) return t.skip(skip());
  const f = await scenario('client-expired', 'upstream-client-cert-rejected', { 'backend.crt': 'server-cert', 'backend.key': 'server-key', 'root.crt': 'root-ca', 'client.crt': 'client-cert', 'client.key': 'client-key', 'old.crt': 'expired-cert', 'old.key': 'expired-key' },
    (b) => `            proxy_pass https://127.0.0.1:${b};\n            proxy_ssl_certificate old.crt;\n            proxy_ssl_certificate_key old.key;\n        }\n        location /admin/ {\n            proxy_pass https://127.0.0.1:${b};\n            proxy_ssl_certificate client.crt;\n            proxy_ssl_certificate_key client.key;\n`,
    'backend.crt', /client SSL certificate verify error: \(10:certificate has expired\)/, '        ssl_client_certificate root.crt;\n        ssl_verify_client on;\n', 400);
  assert.match(f.message, /expired on 2020-02-01/);
});
