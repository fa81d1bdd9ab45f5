// Security metadata for code scanning: every TLS rule carries `security` and its CWE tags and a security
// severity; the CIS NGINX Benchmark item only where a public source confirms it. SARIF, JSON and the docs
// show them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLanguageService, memoryFileSystem } from '../../server/src/engine';
import { SECURITY_METADATA } from '../../server/src/engine/rules/security';

const ROOT = path.resolve(__dirname, '../..');
const RULES = createLanguageService({ fs: memoryFileSystem({}) }).rules();
const TLS =
  /^(upstream-tls-|upstream-client-cert-|tls-|client-cert-|listen-ssl-|plaintext-to-tls-|certificate-|trusted-ca-)/;
/** Rules whose finding is a config nginx will not run or a handshake that cannot happen: no CWE weakness. */
const AVAILABILITY_ONLY = new Set([
  'tls-cert-without-key',
  'listen-ssl-no-certificate',
  'certificate-key-mismatch',
  'certificate-unreadable',
  'trusted-ca-not-ca',
  'upstream-tls-untrusted-issuer',
  'upstream-tls-chain-too-deep',
  'upstream-tls-name-not-in-certificate',
  'upstream-client-cert-rejected',
]);
/** The CIS items confirmed by a public copy (see rules/security.ts); nothing else may claim one. */
const CIS: Record<string, string> = {
  'upstream-tls-unverified': 'CIS NGINX Benchmark v2.0.1 4.1.10',
  'upstream-tls-no-trusted-ca': 'CIS NGINX Benchmark v2.0.1 4.1.10',
  'tls-weak-protocols': 'CIS NGINX Benchmark v2.1.0 4.1.4',
  'tls-weak-ciphers': 'CIS NGINX Benchmark v2.1.0 4.1.5',
};

function cli(args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
}

test('every TLS rule: security tag, CWE tags (CodeQL form), a security severity in 0–10', () => {
  const tls = RULES.filter((r) => TLS.test(r.id));
  assert.ok(tls.length >= 13, `${tls.length} TLS rules`);
  for (const r of tls) {
    assert.ok(r.tags.includes('security'), r.id);
    assert.ok(r.securitySeverity !== undefined && r.securitySeverity > 0 && r.securitySeverity <= 10, r.id);
    const cwes = r.tags.filter((t) => t.startsWith('external/cwe/'));
    for (const t of cwes) assert.match(t, /^external\/cwe\/cwe-\d+$/, r.id);
    if (!AVAILABILITY_ONLY.has(r.id)) assert.ok(cwes.length >= 1, `${r.id} has a CWE`);
  }
  const tag = (id: string) => RULES.find((r) => r.id === id)!.tags;
  assert.ok(tag('upstream-tls-unverified').includes('external/cwe/cwe-295'));
  assert.ok(tag('upstream-tls-name-mismatch').includes('external/cwe/cwe-295'));
  assert.ok(
    tag('tls-weak-protocols').includes('external/cwe/cwe-326') &&
      tag('tls-weak-protocols').includes('external/cwe/cwe-327'),
  );
  assert.ok(tag('tls-weak-ciphers').includes('external/cwe/cwe-327'));
  assert.ok(tag('client-cert-not-enforced').includes('external/cwe/cwe-306'));
  for (const r of RULES.filter((x) => !TLS.test(x.id))) assert.equal(r.securitySeverity, undefined, r.id);
  for (const id of Object.keys(SECURITY_METADATA))
    assert.ok(
      RULES.some((r) => r.id === id),
      `metadata for a rule that does not exist: ${id}`,
    );
});

test('CIS recommendations: only the confirmed ones, each with the benchmark version and a source', () => {
  for (const r of RULES) {
    if (!CIS[r.id]) {
      assert.equal(r.cis, undefined, r.id);
      continue;
    }
    assert.ok(r.cis, r.id);
    assert.equal(`${r.cis.benchmark} ${r.cis.recommendation.split(' ')[0]}`, CIS[r.id]);
    assert.match(r.cis.source ?? '', /^https:\/\//);
  }
});

test('SARIF rules carry properties.tags and properties.security-severity; JSON findings carry them too', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-secmeta-'));
  try {
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(
      conf,
      'events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;\n        ssl_protocols TLSv1 TLSv1.2;\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n',
    );
    const sarif = JSON.parse(cli(['check', conf, '--format', 'sarif', '--fail-on', 'none']).stdout);
    const rules = sarif.runs[0].tool.driver.rules;
    for (const r of RULES) {
      const s = rules.find((x: any) => x.id === r.id);
      assert.ok(s, r.id);
      if (r.securitySeverity === undefined) {
        assert.deepEqual(s.properties.tags, ['correctness'], r.id);
        assert.equal(s.properties['security-severity'], undefined, r.id);
      } else {
        assert.deepEqual(s.properties.tags, r.tags, r.id);
        assert.equal(s.properties['security-severity'], r.securitySeverity.toFixed(1), r.id);
        assert.match(s.properties['security-severity'], /^\d+\.\d$/);
      }
    }
    assert.match(
      rules.find((x: any) => x.id === 'tls-weak-protocols').help.markdown,
      /CIS NGINX Benchmark v2\.1\.0, recommendation 4\.1\.4/,
    );
    const json = JSON.parse(cli(['check', conf, '--format', 'json', '--fail-on', 'none']).stdout);
    const weak = json.find((f: any) => f.rule === 'tls-weak-protocols');
    assert.deepEqual(weak.tags, RULES.find((r) => r.id === 'tls-weak-protocols')!.tags);
    assert.equal(weak.securitySeverity, 5.9);
    assert.equal(weak.cis.recommendation, '4.1.4 Ensure only modern TLS protocols are used');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/rules pages show the security severity, the CWE and the CIS item', () => {
  for (const r of RULES.filter((x) => x.securitySeverity !== undefined)) {
    const page = fs.readFileSync(path.join(ROOT, 'docs/rules', r.id + '.md'), 'utf8');
    assert.ok(page.includes(`**${r.securitySeverity!.toFixed(1)}**`), r.id);
    for (const t of r.tags.filter((x) => x.startsWith('external/cwe/')))
      assert.ok(page.includes(`CWE-${t.split('-').pop()}`), `${r.id}: ${t}`);
    if (r.cis) assert.ok(page.includes(r.cis.recommendation), r.id);
  }
});
