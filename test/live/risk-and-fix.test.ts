// The risk and the fix, for real: nginx on 127.0.0.1 proxying to a TLS upstream whose certificate comes
// from a CA nobody trusts. Before the fix the request goes through; after the quick fix nginx refuses the
// upstream (502, "certificate verify error"); trusting the CA that really issued it makes it work again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, nginxAvailable, nginxTest, startNginx, tempDir, writeNginxConf, RunningNginx } from '../support/nginx';
import { makePki } from '../support/pki';
import { get } from '../support/http';
import { analyze, parseVersion } from '../support/engine';
import { applyEdits, defaultSettings, memoryFileSystem } from '../../server/src/engine';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function findings(conf: string): { rule: string; line: number }[] {
  const r = cli(['check', conf, '--format', 'json', '--fail-on', 'none', '--nginx-version', '1.22']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('an unverified https upstream is accepted; the quick fix makes nginx refuse it; the right CA accepts it', async (t) => {
  if (!nginxAvailable()) return t.skip('nginx not installed');
  const base = tempDir('ntp-live-');
  const running: RunningNginx[] = [];
  try {
    const pki = makePki(path.join(base, 'pki'));
    const upPort = await freePort();
    const frontPort = await freePort();

    // The upstream: a TLS server with a certificate from a CA that is in no trust store.
    const upDir = path.join(base, 'upstream');
    fs.mkdirSync(upDir);
    fs.chmodSync(upDir, 0o755);
    writeNginxConf(upDir, `http {\n    access_log off;\n    server {\n        listen 127.0.0.1:${upPort} ssl;\n        ssl_certificate ${pki.server.cert};\n        ssl_certificate_key ${pki.server.key};\n        return 200 "secret from the upstream\\n";\n    }\n}\n`);
    running.push(await startNginx(upDir, [upPort]));

    const frontBody = `http {\n    access_log off;\n    server {\n        listen 127.0.0.1:${frontPort};\n        location / {\n            proxy_pass https://localhost:${upPort};\n        }\n    }\n}\n`;
    const front = async (name: string, edit?: (conf: string) => void) => {
      const dir = path.join(base, name);
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o755);
      const conf = writeNginxConf(dir, frontBody);
      edit?.(conf);
      return { dir, conf };
    };

    // 1. As written: our checker warns, nginx accepts the config and serves the upstream's answer.
    const before = await front('before');
    assert.deepEqual(findings(before.conf).filter((f) => f.rule === 'upstream-tls-unverified').map((f) => f.line), [12]);
    const n1 = await startNginx(before.dir, [frontPort]);
    running.push(n1);
    const r1 = await get(`http://127.0.0.1:${frontPort}/`);
    assert.equal(r1.status, 200);
    assert.match(r1.body, /secret from the upstream/);
    await n1.stop();

    // 2. `check --fix` leaves verification to the user: it would trust the public CA bundle, and no public CA
    // certifies "localhost". Taken anyway from the editor (the preferred quick fix), nginx now checks the
    // upstream's certificate and refuses it.
    const fixed = await front('fixed', (conf) => {
      const r = cli(['check', conf, '--fix', '--nginx-version', '1.22', '--fail-on', 'none']);
      assert.equal(r.status, 0, r.stderr);
      const text = fs.readFileSync(conf, 'utf8');
      assert.doesNotMatch(text, /proxy_ssl_verify/);
      const unverified = analyze(conf, memoryFileSystem({ [conf]: text }), defaultSettings({ nginxVersion: parseVersion('1.22') })).findings.filter((f) => f.ruleId === 'upstream-tls-unverified');
      assert.equal(unverified.length, 1);
      const quickFix = unverified[0].fixes.find((f) => f.isPreferred)!;
      assert.equal(quickFix.safe, false);
      assert.match(quickFix.title, /no public CA certifies "localhost"/);
      fs.writeFileSync(conf, applyEdits(text, quickFix.edits));
    });
    const fixedText = fs.readFileSync(fixed.conf, 'utf8');
    assert.match(fixedText, /proxy_pass https:\/\/localhost:\d+;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate \/etc\/ssl\/certs\/ca-certificates\.crt;\n            proxy_ssl_server_name on;\n/);
    assert.equal(findings(fixed.conf).filter((f) => f.rule.startsWith('upstream-tls-')).length, 0);
    assert.ok(nginxTest(fixed.conf).ok, 'nginx -t accepts the fixed config');
    const n2 = await startNginx(fixed.dir, [frontPort]);
    running.push(n2);
    const r2 = await get(`http://127.0.0.1:${frontPort}/`);
    assert.equal(r2.status, 502);
    assert.doesNotMatch(r2.body, /secret/);
    assert.match(n2.errorLog(), /upstream SSL certificate verify error/);
    await n2.stop();

    // 3. The same fix trusting the CA that issued the upstream's certificate: verified, and served.
    const trusted = await front('trusted', (conf) => {
      const r = cli(['check', conf, '--fix', '--trusted-ca', pki.rootCa, '--nginx-version', '1.22', '--fail-on', 'none']);
      assert.equal(r.status, 0, r.stderr);
    });
    assert.ok(fs.readFileSync(trusted.conf, 'utf8').includes(`proxy_ssl_trusted_certificate ${pki.rootCa};`));
    const n3 = await startNginx(trusted.dir, [frontPort]);
    running.push(n3);
    const r3 = await get(`http://127.0.0.1:${frontPort}/`);
    assert.equal(r3.status, 200);
    assert.match(r3.body, /secret from the upstream/);
  } finally {
    for (const n of running.reverse()) await n.stop();
    fs.rmSync(base, { recursive: true, force: true });
  }
});
