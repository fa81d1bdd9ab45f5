// The TLS map over LSP (the built server over stdio, as VS Code runs it): `nginxTlsProxy/inventory` lists
// the workspace's TLS uses with locations for the tree view and follows unsaved edits; `nginxTlsProxy/
// reportHtml` answers the self-contained report the webview shows.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../lsp/client';
import { makeCasePki, opensslAvailable } from '../support/pki';

const ROOT = path.resolve(__dirname, '../..');
let dir = '';
let client: LspClient;

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/server.js')), 'npm run build first');
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-inv-lsp-')));
  for (const f of fs.readdirSync(path.join(ROOT, 'test/inventory/fixtures/multi'))) fs.copyFileSync(path.join(ROOT, 'test/inventory/fixtures/multi', f), path.join(dir, f));
  client = new LspClient();
  await client.initialize(dir);
});
after(async () => {
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('nginxTlsProxy/inventory: every use of the workspace with where to go, and it follows an edit', async () => {
  const main = path.join(dir, 'nginx.conf');
  const uri = 'file://' + main;
  const text = fs.readFileSync(main, 'utf8');
  const r = await client.request('nginxTlsProxy/inventory', {});
  assert.deepEqual(r.uses.map((u: any) => [u.line, u.state]), [[13, 'unverified'], [15, 'verified'], [21, 'mutual'], [27, 'unverified'], [33, 'verified']]);
  const first = r.uses[0];
  assert.equal(first.uri, uri);
  assert.deepEqual(first.range.start, { line: 12, character: 21 });
  assert.equal(first.serverUri, uri);
  assert.deepEqual(first.serverRange.start, { line: 6, character: 4 });
  assert.deepEqual(first.locationRange.start, { line: 12, character: 8 });
  assert.equal(first.upstreamLine, 5);
  assert.match(first.reason, /not verified/);
  assert.deepEqual(first.findings.map((f: any) => f.ruleId), ['upstream-tls-unverified']);
  // An unsaved edit turns verification on: the next answer says so.
  client.open(uri, text.replace('location / { proxy_pass https://app; }', 'location / { proxy_pass https://app; proxy_ssl_verify on; }'));
  await client.diagnostics(uri, 1);
  const after = await client.request('nginxTlsProxy/inventory', {});
  assert.equal(after.uses[0].state, 'verified');
  // Verified now, against the name "app" of the group, which no certificate carries.
  assert.deepEqual(after.uses[0].findings.map((f: any) => f.ruleId), ['upstream-tls-name-mismatch']);
});

test('nginxTlsProxy/reportHtml: the self-contained report, paths relative to the workspace', async () => {
  const r = await client.request('nginxTlsProxy/reportHtml', {});
  assert.match(r.html, /^<!DOCTYPE html>/);
  assert.match(r.html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(r.html, /<script/i);
  assert.match(r.html, /<svg role="img"/);
  assert.match(r.html, />nginx\.conf:13</);
  assert.ok(!r.html.includes(dir), 'workspace paths are shown relative');
});

test('nginxTlsProxy/inventory: the backend certificate of a server of the same config, for the tree view\'s hover', async (t) => {
  if (!opensslAvailable()) return t.skip('openssl not installed');
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-inv-lsp-cert-')));
  const own = new LspClient();
  try {
    const pki = makeCasePki(path.join(ws, 'pki'));
    fs.copyFileSync(pki['server-cert'], path.join(ws, 'server.crt'));
    fs.copyFileSync(pki['server-key'], path.join(ws, 'server.key'));
    fs.copyFileSync(pki['deep-chain'], path.join(ws, 'deep.crt'));
    fs.copyFileSync(pki['deep-key'], path.join(ws, 'deep.key'));
    // Two backends of one group, each with its certificate; a third server of the group is elsewhere (unknown).
    fs.writeFileSync(path.join(ws, 'nginx.conf'), 'events {}\nhttp {\n    upstream backends {\n        server 127.0.0.1:8443;\n        server 127.0.0.1:8444;\n        server 10.9.9.9:8443;\n    }\n    server {\n        listen 127.0.0.1:8443 ssl;\n        ssl_certificate server.crt;\n        ssl_certificate_key server.key;\n    }\n    server {\n        listen 127.0.0.1:8444 ssl;\n        ssl_certificate deep.crt;\n        ssl_certificate_key deep.key;\n    }\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_pass https://backends;\n        }\n    }\n}\n');
    await own.initialize(ws);
    const r = await own.request('nginxTlsProxy/inventory', {});
    assert.equal(r.uses.length, 1);
    const c = r.uses[0].backendCertificate;
    assert.deepEqual({ ...c, notAfter: typeof c.notAfter }, { subject: 'CN=backend.test', issuer: 'CN=Test Root', notAfter: 'string', backend: '127.0.0.1:8443', from: 'config' });
    // The date the file carries (825 days from its making), in ISO 8601.
    const days = (Date.parse(c.notAfter) - Date.now()) / 86400000;
    assert.ok(days > 823 && days < 826, c.notAfter);
    // Each backend's own, for the tree's backend nodes: the second is issued by the intermediate.
    assert.deepEqual(r.uses[0].backendCertificates.map((x: any) => [x.backend, x.issuer]), [['127.0.0.1:8443', 'CN=Test Root'], ['127.0.0.1:8444', 'CN=Test Intermediate']]);
  } finally {
    await own.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
