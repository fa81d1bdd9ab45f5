// What the runtime rules warn about, shown on real nginx on 127.0.0.1, and that their fix removes it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, defaultSettings, Finding } from '../../server/src/engine';
import { parseVersion } from '../support/engine';
import { Workspace } from '../../server/src/engine/workspace';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import { freePort, nginxAvailable, RunningNginx, startNginx, tempDir, writeNginxConf } from '../support/nginx';
import { makePki, Pki } from '../support/pki';
import { get, getTls } from '../support/http';

let base = '';
let pki: Pki;
const running: RunningNginx[] = [];
let upstream = 0;

before(async () => {
  if (!nginxAvailable()) return;
  base = tempDir('ntp-rt-');
  pki = makePki(path.join(base, 'pki'));
  upstream = await freePort();
  const dir = sub('upstream');
  writeNginxConf(dir, `http {\n    access_log off;\n    server {\n        listen 127.0.0.1:${upstream} ssl;\n        ssl_certificate ${pki.server.cert};\n        ssl_certificate_key ${pki.server.key};\n        return 200 "upstream ok\\n";\n    }\n}\n`);
  running.push(await startNginx(dir, [upstream]));
});

after(async () => {
  for (const n of running.reverse()) await n.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

function sub(name: string): string {
  const d = path.join(base, name);
  fs.mkdirSync(d, { recursive: true });
  fs.chmodSync(d, 0o755);
  return d;
}

function findings(conf: string, rule: string): Finding[] {
  const ws = new Workspace(new NodeFileSystem(), defaultSettings({ nginxVersion: parseVersion('1.22'), trustedCertificate: pki.rootCa }), { candidates: () => [conf] });
  return ws.analyzeFile(conf).findings.filter((f) => f.ruleId === rule);
}

async function run(dir: string, port: number): Promise<RunningNginx> {
  const n = await startNginx(dir, [port]);
  running.push(n);
  return n;
}

test('upstream-tls-name-mismatch: the group name is checked, every request fails; proxy_ssl_name fixes it', async (t) => {
  if (!nginxAvailable()) return t.skip('nginx not installed');
  const port = await freePort();
  const dir = sub('name');
  const conf = writeNginxConf(dir, `http {\n    access_log off;\n    upstream backend_pool {\n        server localhost:${upstream};\n    }\n    server {\n        listen 127.0.0.1:${port};\n        location / {\n            proxy_pass https://backend_pool;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate ${pki.rootCa};\n            proxy_ssl_session_reuse off;\n        }\n    }\n}\n`);
  const found = findings(conf, 'upstream-tls-name-mismatch');
  assert.equal(found.length, 1);
  const n1 = await run(dir, port);
  const r1 = await get(`http://127.0.0.1:${port}/`);
  assert.equal(r1.status, 502);
  assert.match(n1.errorLog(), /upstream SSL certificate does not match "backend_pool"/);
  await n1.stop();
  const fix = found[0].fixes.find((f) => f.isPreferred)!;
  assert.match(fix.title, /localhost/);
  fs.writeFileSync(conf, applyEdits(fs.readFileSync(conf, 'utf8'), fix.edits));
  assert.equal(findings(conf, 'upstream-tls-name-mismatch').length, 0);
  await run(dir, port);
  const r2 = await get(`http://127.0.0.1:${port}/`);
  assert.equal(r2.status, 200);
  assert.match(r2.body, /upstream ok/);
});

test('upstream-tls-mixed-verification: a strict location rides on a session a laxer one made; without sharing it refuses', async (t) => {
  if (!nginxAvailable()) return t.skip('nginx not installed');
  const port = await freePort();
  const dir = sub('mixed');
  const body = (reuse: string) => `http {\n    access_log off;\n${reuse}    server {\n        listen 127.0.0.1:${port};\n        location /good/ {\n            proxy_pass https://localhost:${upstream};\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate ${pki.rootCa};\n        }\n        location /strict/ {\n            proxy_pass https://localhost:${upstream};\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate ${pki.evilCa};\n        }\n    }\n}\n`;
  const conf = writeNginxConf(dir, body(''));
  assert.equal(findings(conf, 'upstream-tls-mixed-verification').length, 2);
  // On its own the strict location refuses the upstream (its CA did not issue the certificate)…
  let n = await run(dir, port);
  assert.equal((await get(`http://127.0.0.1:${port}/strict/`)).status, 502);
  await n.stop();
  // …but after the other location made a session with that peer, it is let through.
  n = await run(dir, port);
  assert.equal((await get(`http://127.0.0.1:${port}/good/`)).status, 200);
  assert.equal((await get(`http://127.0.0.1:${port}/strict/`)).status, 200, 'the resumed session skips verification');
  await n.stop();
  // The quick fixes (no session reuse in these locations): the finding goes, and the strict location refuses again.
  const mixed = findings(conf, 'upstream-tls-mixed-verification');
  fs.writeFileSync(conf, applyEdits(fs.readFileSync(conf, 'utf8'), mixed.flatMap((f) => f.fixes.find((x) => x.isPreferred)!.edits)));
  assert.equal(findings(conf, 'upstream-tls-mixed-verification').length, 0);
  assert.equal((fs.readFileSync(conf, 'utf8').match(/proxy_ssl_session_reuse off;/g) ?? []).length, 2);
  await run(dir, port); // stopped with the others once the tests end
  assert.equal((await get(`http://127.0.0.1:${port}/good/`)).status, 200);
  assert.equal((await get(`http://127.0.0.1:${port}/strict/`)).status, 502);
});

test('client-cert-not-enforced: optional lets a client without a certificate in; each fix refuses it', async (t) => {
  if (!nginxAvailable()) return t.skip('nginx not installed');
  const port = await freePort();
  const dir = sub('client');
  const conf = writeNginxConf(dir, `http {\n    access_log off;\n    server {\n        listen 127.0.0.1:${port} ssl;\n        ssl_certificate ${pki.server.cert};\n        ssl_certificate_key ${pki.server.key};\n        ssl_client_certificate ${pki.rootCa};\n        ssl_verify_client optional;\n        location / {\n            return 200 "verify=$ssl_client_verify\\n";\n        }\n    }\n}\n`);
  const original = fs.readFileSync(conf, 'utf8');
  const found = findings(conf, 'client-cert-not-enforced');
  assert.equal(found.length, 1);
  let n = await run(dir, port);
  const anon = await getTls(`https://127.0.0.1:${port}/`);
  assert.equal(anon.status, 200);
  assert.match(anon.body, /verify=NONE/);
  await n.stop();
  for (const [i, fix] of found[0].fixes.entries()) {
    fs.writeFileSync(conf, applyEdits(original, fix.edits));
    assert.equal(findings(conf, 'client-cert-not-enforced').length, 0, fix.title);
    n = await run(dir, port);
    const r = await getTls(`https://127.0.0.1:${port}/`);
    assert.ok(r.status === 400 || r.status === 403, `${fix.title}: ${r.status}`);
    const ok = await getTls(`https://127.0.0.1:${port}/`, { cert: pki.client.cert, key: pki.client.key });
    assert.equal(ok.status, 200, `fix ${i}`);
    assert.match(ok.body, /verify=SUCCESS/);
    await n.stop();
  }
});
