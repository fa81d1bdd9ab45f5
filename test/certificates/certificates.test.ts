// Certificate files through the engine: paths as nginx resolves them (prefix, includes), the path map,
// files outside the workspace, pairing of arrays, the expiry setting, hovers; and the CLI's --path-map.
// The PKI is made with openssl in a temp folder.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, createLanguageService, defaultSettings, resolveSettings } from '../../server/src/engine';
import type { EngineSettings, LanguageService } from '../../server/src/engine';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import { nodeCertificateParser } from '../../server/src/node/node-certificates';
import { makeCasePki, opensslAvailable } from '../support/pki';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
let dir = '';
let pki: Record<string, string> = {};
const skip = !opensslAvailable() && 'openssl is not installed: no test PKI can be made';

before(() => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-certs-'));
  pki = makeCasePki(path.join(dir, 'pki'));
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

/** A folder with nginx.conf and `files` (name → text or a PKI file kind prefixed with `pki:`). */
function project(name: string, files: Record<string, string>): string {
  const root = path.join(dir, name);
  for (const [f, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), content.startsWith('pki:') ? fs.readFileSync(pki[content.slice(4)], 'utf8') : content);
  }
  return root;
}

function service(root: string, settings: Partial<EngineSettings> = {}, folders = [root]): LanguageService {
  return createLanguageService({ fs: new NodeFileSystem(), settings: defaultSettings(settings), candidates: () => [path.join(root, 'nginx.conf')], certificates: nodeCertificateParser, workspaceFolders: () => folders });
}

const server = (lines: string) => `events {}\nhttp {\n    server {\n        listen 127.0.0.1:8443 ssl;\n${lines}    }\n}\n`;
const certIds = (s: LanguageService, file: string) => s.diagnose(file, { scope: 'config' }).findings.filter((f) => f.ruleId.startsWith('certificate-') || f.ruleId === 'trusted-ca-not-ca').map((f) => `${f.ruleId}@${path.basename(f.path)}:${f.range.start.line + 1}`);

test('paths in an included file resolve against the prefix (the main config\'s folder), not the file\'s', (t) => {
  if (skip) return t.skip(skip);
  const root = project('prefix', {
    'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
    'conf.d/site.conf': 'server {\n    listen 127.0.0.1:8443 ssl;\n    ssl_certificate ssl/server.crt;\n    ssl_certificate_key ssl/stray.key;\n}\n',
    'ssl/server.crt': 'pki:server-cert',
    'ssl/stray.key': 'pki:stray-key',
  });
  const s = service(root);
  assert.deepEqual(certIds(s, path.join(root, 'conf.d/site.conf')), ['certificate-key-mismatch@site.conf:4']);
  // The same names relative to conf.d/ do not exist: nginx would not find them there either.
  fs.renameSync(path.join(root, 'ssl'), path.join(root, 'conf.d/ssl'));
  s.filesChanged();
  assert.deepEqual(certIds(s, path.join(root, 'conf.d/site.conf')), ['certificate-unreadable@site.conf:3', 'certificate-unreadable@site.conf:4']);
});

test('a missing absolute path outside the workspace is not reported; the path map brings it in', (t) => {
  if (skip) return t.skip(skip);
  const root = project('pathmap', {
    'nginx.conf': server('        ssl_certificate /etc/nginx-tls-proxy-test/ssl/server.crt;\n        ssl_certificate_key /etc/nginx-tls-proxy-test/ssl/server.key;\n        ssl_trusted_certificate /etc/nginx-tls-proxy-test/ssl/ca.crt;\n'),
    'deploy/ssl/server.crt': 'pki:server-cert',
    'deploy/ssl/server.key': 'pki:stray-key',
  });
  const conf = path.join(root, 'nginx.conf');
  assert.deepEqual(certIds(service(root), conf), []);
  const mapped = service(root, { pathMap: [{ from: '/etc/nginx-tls-proxy-test/ssl', to: 'deploy/ssl' }] });
  const findings = mapped.diagnose(conf).findings.filter((f) => f.ruleId.startsWith('certificate-'));
  assert.deepEqual(findings.map((f) => `${f.ruleId}:${f.range.start.line + 1}`), ['certificate-unreadable:7', 'certificate-key-mismatch:6']);
  assert.match(findings[0].message, /SSL_CTX_load_verify_locations\("\/etc\/nginx-tls-proxy-test\/ssl\/ca.crt"\) failed: the file does not exist .*read here as .*deploy\/ssl\/ca.crt, through the path map/);
  assert.match(findings[1].message, /not the key of the certificate "\/etc\/nginx-tls-proxy-test\/ssl\/server.crt".*"backend.test".*key values mismatch/);
  // The setting as a user writes it.
  const r = resolveSettings({ pathMap: { '/etc/nginx-tls-proxy-test/ssl/': 'deploy/ssl', relative: 'x' }, certificateExpiryDays: 'soon' });
  assert.deepEqual(r.settings.pathMap, [{ from: '/etc/nginx-tls-proxy-test/ssl', to: 'deploy/ssl' }]);
  assert.equal(r.settings.certificateExpiryDays, 30);
  assert.equal(r.problems.length, 2, r.problems.join('; '));
});

test('arrays pair by position, also when the keys are inherited from http', (t) => {
  if (skip) return t.skip(skip);
  const root = project('arrays', {
    'nginx.conf': 'events {}\nhttp {\n    ssl_certificate server.crt;\n    ssl_certificate client.crt;\n    ssl_certificate_key server.key;\n    ssl_certificate_key client.key;\n    server {\n        listen 127.0.0.1:8443 ssl;\n    }\n    server {\n        listen 127.0.0.1:8444 ssl;\n        ssl_certificate client.crt;\n        ssl_certificate_key server.key;\n    }\n}\n',
    'server.crt': 'pki:server-cert', 'server.key': 'pki:server-key', 'client.crt': 'pki:client-cert', 'client.key': 'pki:client-key',
  });
  const s = service(root);
  const f = s.diagnose(path.join(root, 'nginx.conf')).findings.filter((x) => x.ruleId === 'certificate-key-mismatch');
  assert.deepEqual(f.map((x) => x.range.start.line + 1), [13]);
  assert.match(f[0].message, /It is the key of "server.crt" \(line 3\)/);
  assert.deepEqual(f[0].related.map((r) => r.range.start.line + 1), [12, 3]);
});

test('expiry: expired chains and CA files are errors, the horizon follows certificateExpiryDays, a leaf as CA is a warning', (t) => {
  if (skip) return t.skip(skip);
  const root = project('expiry', {
    'nginx.conf': server('        ssl_certificate chain.crt;\n        ssl_certificate_key server.key;\n        ssl_client_certificate old-ca.crt;\n        ssl_verify_client on;\n        location / {\n            proxy_pass https://backend.test;\n            proxy_ssl_certificate soon.crt;\n            proxy_ssl_certificate_key soon.key;\n        }\n'),
    'chain.crt': fs.readFileSync(pki['server-cert'], 'utf8') + fs.readFileSync(pki['expired-cert'], 'utf8'),
    'server.key': 'pki:server-key', 'old-ca.crt': 'pki:expired-cert', 'soon.crt': 'pki:expiring-cert', 'soon.key': 'pki:expiring-key',
  });
  const conf = path.join(root, 'nginx.conf');
  const all = service(root).diagnose(conf).findings.filter((f) => /^certificate-|trusted-ca/.test(f.ruleId));
  assert.deepEqual(all.map((f) => `${f.ruleId}:${f.range.start.line + 1}:${f.severity}`), [
    'certificate-expired:5:error', 'certificate-expired:7:error', 'certificate-expires-soon:11:warning', 'trusted-ca-not-ca:7:warning',
  ]);
  assert.match(all[0].message, /1 of the 2 certificates in certificate "chain.crt": "expired.test" expired on 2020-02-01/);
  assert.match(all[2].message, /"soon.test" expires on \d{4}-\d\d-\d\d \(in [45] days\)/);
  assert.deepEqual(service(root, { certificateExpiryDays: 3 }).diagnose(conf).findings.filter((f) => f.ruleId === 'certificate-expires-soon'), []);
  // Judged at another time: in 2019 nothing had expired yet.
  const then = service(root, { now: Date.parse('2020-01-15T00:00:00Z') }).diagnose(conf).findings.filter((f) => f.ruleId === 'certificate-expired');
  assert.deepEqual(then, []);
});

test('hover on a certificate, a bundle and a key path', (t) => {
  if (skip) return t.skip(skip);
  const root = project('hover', {
    'nginx.conf': server('        ssl_certificate chain.crt;\n        ssl_certificate_key server.key;\n        ssl_trusted_certificate /nowhere/ca.crt;\n'),
    'chain.crt': 'pki:server-chain', 'server.key': 'pki:server-key',
  });
  const conf = path.join(root, 'nginx.conf');
  const text = fs.readFileSync(conf, 'utf8');
  const s = service(root);
  const at = (needle: string) => s.hover(conf, text.indexOf(needle) + 2)?.markdown ?? '';
  const chain = at('chain.crt');
  assert.match(chain, /Certificate 1 of 2 \(the one nginx presents\)/);
  assert.match(chain, /Subject: `CN=backend.test`/);
  assert.match(chain, /DNS names: `backend.test`; IP addresses: `127.0.0.1`/);
  assert.match(chain, /Valid: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(\d+ days left\)/);
  assert.match(chain, /Key: EC 256 bits \(prime256v1\); CA: no/);
  assert.match(chain, /SHA-256: `([0-9A-F]{2}:){31}[0-9A-F]{2}`/);
  assert.match(chain, /Certificate 2 of 2[\s\S]*Subject: `CN=Test Intermediate`[\s\S]*CA: yes/);
  const key = at('server.key');
  assert.match(key, /Private key: EC 256 bits/);
  assert.match(key, /Belongs to the certificate `chain.crt` \(nginx.conf:5\), `CN=backend.test`/);
  assert.match(at('/nowhere/ca.crt'), /Not on this machine.*pathMap/);
});

test('CLI: --path-map FROM=TO checks the server\'s files in the workspace', (t) => {
  if (skip) return t.skip(skip);
  if (!fs.existsSync(CLI)) return t.skip('dist/cli.js not built (npm run build)');
  const root = project('cli', {
    'nginx.conf': server('        ssl_certificate /srv/tls/server.crt;\n        ssl_certificate_key /srv/tls/server.key;\n'),
    'tls/server.crt': 'pki:server-cert', 'tls/server.key': 'pki:stray-key',
  });
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'check', 'nginx.conf', '--format', 'json', ...args], { cwd: root, encoding: 'utf8' });
  const ids = (r: ReturnType<typeof run>) => (JSON.parse(r.stdout) as { rule: string }[]).map((f) => f.rule).filter((id) => id.startsWith('certificate-'));
  assert.deepEqual(ids(run()), []);
  const mapped = run('--path-map', '/srv/tls=tls');
  assert.deepEqual(ids(mapped), ['certificate-key-mismatch'], mapped.stderr);
  assert.equal(run('--path-map', 'nonsense').status, 2);
});

test('the scaffold is offered the workspace\'s CA and client certificate with its key; after it no certificate finding remains', (t) => {
  if (skip) return t.skip(skip);
  const root = project('scaffold', {
    'nginx.conf': 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n    }\n}\n',
    'tls/ca.crt': 'pki:root-ca', 'tls/client.crt': 'pki:client-cert', 'tls/client.key': 'pki:client-key', 'tls/other.key': 'pki:stray-key',
  });
  const conf = path.join(root, 'nginx.conf');
  const s = service(root);
  const found = s.certificateCandidates(conf);
  assert.ok(found);
  assert.deepEqual(found.cas.map((c) => c.path), ['tls/ca.crt']);
  assert.deepEqual(found.clients.map((c) => [c.path, c.key]), [['tls/client.crt', 'tls/client.key']]);
  const text = fs.readFileSync(conf, 'utf8');
  const edits = s.scaffold(conf, text.indexOf('listen'), { name: 'backend.test', servers: ['127.0.0.1:9443'], certificateName: 'backend.test', trustedCertificate: found.cas[0].path, clientCertificate: found.clients[0].path, clientKey: found.clients[0].key! });
  assert.ok(edits);
  fs.writeFileSync(conf, applyEdits(text, edits));
  s.filesChanged();
  assert.deepEqual(certIds(s, conf), [], fs.readFileSync(conf, 'utf8'));
});
