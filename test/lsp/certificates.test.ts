// Certificates through the built language server over stdio: a key that is not its certificate's is an
// error on the key directive, the path map setting brings the server's paths into the workspace, and a
// hover on a certificate path says what it holds. The PKI is made with openssl.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from './client';
import { makeCasePki, opensslAvailable } from '../support/pki';

const skip = !opensslAvailable() && 'openssl is not installed: no test PKI can be made';
let client: LspClient;
let dir = '';

const CONF = `events {}
http {
    server {
        listen 127.0.0.1:8443 ssl;
        ssl_certificate ssl/server.crt;
        ssl_certificate_key ssl/stray.key;
        location / {
            proxy_pass https://backend.test;
            proxy_ssl_certificate /etc/proxy-client/client.crt;
            proxy_ssl_certificate_key /etc/proxy-client/client.key;
        }
    }
}
`;

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-lsp-certs-'));
  const pki = makeCasePki(path.join(dir, '.pki'));
  fs.mkdirSync(path.join(dir, 'ssl'));
  fs.mkdirSync(path.join(dir, 'deploy/client'), { recursive: true });
  fs.copyFileSync(pki['server-cert'], path.join(dir, 'ssl/server.crt'));
  fs.copyFileSync(pki['stray-key'], path.join(dir, 'ssl/stray.key'));
  fs.copyFileSync(pki['expired-cert'], path.join(dir, 'deploy/client/client.crt'));
  fs.copyFileSync(pki['expired-key'], path.join(dir, 'deploy/client/client.key'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), CONF);
  client = new LspClient();
  client.configuration = { pathMap: { '/etc/proxy-client': 'deploy/client' } };
  await client.initialize(dir);
});

after(async () => {
  if (client) await client.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('certificate findings over LSP: key mismatch on the key directive, expired client certificate through the path map; hover', async (t) => {
  if (skip) return t.skip(skip);
  const u = 'file://' + path.join(dir, 'nginx.conf');
  client.open(u, CONF);
  const diags = await client.diagnostics(u, 1);
  const mine = diags.filter((d) => String(d.code).startsWith('certificate-')).map((d) => `${d.code}:${d.range.start.line + 1}:${d.severity}`);
  assert.deepEqual(mine, ['certificate-key-mismatch:6:1', 'certificate-expired:9:1'], diags.map((d) => d.message).join('\n'));
  const mismatch = diags.find((d) => d.code === 'certificate-key-mismatch')!;
  assert.match(String(mismatch.message), /"ssl\/stray.key" is not the key of the certificate "ssl\/server.crt"/);
  assert.equal(mismatch.relatedInformation?.[0].location.range.start.line, 4);
  assert.match(String(mismatch.codeDescription?.href), /certificate-key-mismatch\.md$/);
  const hover = await client.request('textDocument/hover', { textDocument: { uri: u }, position: { line: 8, character: 40 } });
  assert.match(hover.contents.value, /read here as `[^`]*deploy\/client\/client.crt` \(path map\)/);
  assert.match(hover.contents.value, /Subject: `CN=expired.test`[\s\S]*\*\*expired \d+ days ago\*\*/);
});

test('probe over LSP: the server names the upstreams to probe and checks the chain the client found (it never connects itself)', async (t) => {
  if (skip) return t.skip(skip);
  const conf = 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_pass https://127.0.0.1:9443;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate ssl/server.crt;\n            proxy_ssl_name backend.test;\n            proxy_ssl_server_name on;\n        }\n    }\n}\n';
  fs.writeFileSync(path.join(dir, 'probe.conf'), conf);
  const u = 'file://' + path.join(dir, 'probe.conf');
  client.open(u, conf);
  await client.diagnostics(u, 1);
  const targets = await client.request('nginxTlsProxy/probeTargets', { uri: u });
  assert.deepEqual(targets.map((x: any) => `${x.host}:${x.port} ${x.sni}`), ['127.0.0.1:9443 backend.test']);
  const expired = fs.readFileSync(path.join(dir, 'deploy/client/client.crt'), 'utf8');
  await client.request('nginxTlsProxy/probeResults', { results: [{ host: '127.0.0.1', port: 9443, sni: 'backend.test', chain: [expired] }] });
  let diags = await client.diagnostics(u);
  for (let i = 0; i < 50 && !diags.some((d) => d.code === 'certificate-expired'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    diags = await client.diagnostics(u);
  }
  const mine = diags.filter((d) => d.code === 'certificate-expired' || String(d.code).startsWith('upstream-tls-'));
  assert.ok(mine.some((d) => d.code === 'certificate-expired' && /\(probed\) presents "expired.test"/.test(String(d.message))), mine.map((d) => d.message).join('\n'));
  assert.ok(mine.some((d) => d.code === 'upstream-tls-name-not-in-certificate'));
});

test('probe over LSP: the targets carry the offer (protocols, ciphers), and a failure the client reports is an upstream-unreachable diagnostic', async (t) => {
  if (skip) return t.skip(skip);
  const conf = 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_pass https://127.0.0.1:9444;\n            proxy_ssl_protocols TLSv1.2;\n            proxy_ssl_ciphers HIGH:!aNULL;\n        }\n    }\n}\n';
  fs.writeFileSync(path.join(dir, 'unreachable.conf'), conf);
  const u = 'file://' + path.join(dir, 'unreachable.conf');
  client.open(u, conf);
  await client.diagnostics(u, 1);
  const targets = await client.request('nginxTlsProxy/probeTargets', { uri: u });
  assert.deepEqual(targets.map((x: any) => [x.host, x.port, x.sni, x.protocols, x.ciphers]), [['127.0.0.1', 9444, null, ['TLSv1.2'], 'HIGH:!aNULL']]);
  // What the client's probe reports for a TLSv1.3-only backend (the shape probe.ts gives), echoing the offer.
  const [x] = targets;
  await client.request('nginxTlsProxy/probeResults', { results: [{ host: x.host, port: x.port, sni: x.sni, offer: x.offer, offered: ['TLSv1.2'], stage: 'handshake', error: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: tlsv1 alert protocol version' }] });
  let diags = await client.diagnostics(u);
  for (let i = 0; i < 50 && !diags.some((d) => d.code === 'upstream-unreachable'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    diags = await client.diagnostics(u);
  }
  const mine = diags.filter((d) => d.code === 'upstream-unreachable');
  assert.equal(mine.length, 1, diags.map((d) => d.message).join('\n'));
  assert.equal(mine[0].range.start.line, 5);
  assert.equal(mine[0].severity, 2);
  assert.match(String(mine[0].message), /offering TLSv1\.2 with no SNI.*tlsv1 alert protocol version.*every request through this pass gets 502/);
});
