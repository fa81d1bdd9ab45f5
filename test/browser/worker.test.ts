// The web server bundle in a Web Worker of real headless Chromium, driven over postMessage as VS Code's web
// client drives it, with the workspace in a virtual file system (github.dev's vscode-vfs scheme) whose files
// reach the server only through the client (nginxTlsProxy/files).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyLspEdits } from '../lsp/client';
import { makeCasePki, opensslAvailable } from '../support/pki';
import { skipReason, WorkerClient } from './worker-client';

const skip = skipReason();
/** The certificate tests make their PEM files with openssl and hand them over as the client's workspace files. */
const certSkip = skip ?? (!opensslAvailable() ? 'openssl is not installed: no test PKI can be made' : undefined);
const FOLDER = 'vscode-vfs://github/acme/site';
const u = (p: string) => `${FOLDER}/${p}`;

const MAIN = `events {}
http {
    include conf.d/*.conf;
}
`;
const APP = `upstream backend {
    server backend.internal:443;
}
server {
    listen 80;
    location / {
        proxy_pass https://backend;
        proxy_ssl_name app.example.com;
    }
    location /verified/ {
        proxy_pass https://api.internal;
        include snippets/tls-verify.conf;
    }
}
`;
const VERIFY = `proxy_ssl_verify on;
proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
proxy_ssl_server_name on;
proxy_ssl_name api.internal;
`;

let client: WorkerClient;
let pkiDir = '';

before(async () => {
  if (skip) return;
  client = new WorkerClient();
  await client.start();
  const init = await client.initialize(FOLDER);
  assert.equal(init.capabilities.hoverProvider, true);
  assert.equal(init.capabilities.documentRangeFormattingProvider, true);
});

after(async () => {
  if (client) await client.stop();
  if (pkiDir) fs.rmSync(pkiDir, { recursive: true, force: true });
});

test('diagnostics: the unverified upstream is flagged; the include delivered by the client is read', { skip }, async () => {
  // VS Code opens the document before the client has read the workspace: nothing is published until the
  // files arrive, so the first diagnostics already see the include.
  await client.open(u('conf.d/app.conf'), APP);
  await client.files({ [u('nginx.conf')]: MAIN, [u('conf.d/app.conf')]: APP, [u('snippets/tls-verify.conf')]: VERIFY }, { replace: true });
  const diags = await client.diagnostics(u('conf.d/app.conf'), 1);
  const unverified = diags.filter((d) => d.code === 'upstream-tls-unverified');
  assert.deepEqual(unverified.map((d) => d.range.start.line), [6], JSON.stringify(diags, null, 1));
  assert.ok(!diags.some((d) => /include|No such file/.test(String(d.message))), JSON.stringify(diags, null, 1));
  assert.match(String(unverified[0].codeDescription?.href), /docs\/rules\/upstream-tls-unverified\.md$/);
  assert.deepEqual(await client.workerErrors(), []);
});

test('a file the client reports deleted is gone for the server: the location it verified is flagged', { skip }, async () => {
  await client.files({}, { removed: [u('snippets/tls-verify.conf')] });
  const diags = await client.diagnostics(u('conf.d/app.conf'), 1, (ds) => ds.filter((d) => d.code === 'upstream-tls-unverified').length === 2);
  assert.ok(diags.some((d) => d.range.start.line === 11 && /No such file/.test(String(d.message))), JSON.stringify(diags, null, 1));
  await client.files({ [u('snippets/tls-verify.conf')]: VERIFY });
  await client.diagnostics(u('conf.d/app.conf'), 1, (ds) => ds.filter((d) => d.code === 'upstream-tls-unverified').length === 1);
});

test('a quick fix is returned with edits in the workspace scheme, and applying it clears the finding', { skip }, async () => {
  const diags = await client.diagnostics(u('conf.d/app.conf'), 1, (ds) => ds.filter((d) => d.code === 'upstream-tls-unverified').length === 1);
  const diag = diags.find((d) => d.code === 'upstream-tls-unverified')!;
  const actions = await client.request<any[]>('textDocument/codeAction', { textDocument: { uri: u('conf.d/app.conf') }, range: diag.range, context: { diagnostics: [diag], only: ['quickfix'] } });
  assert.ok(actions.length >= 1, JSON.stringify(actions));
  const fix = actions.find((a) => a.isPreferred) ?? actions[0];
  assert.equal(fix.kind, 'quickfix');
  assert.deepEqual(Object.keys(fix.edit.changes), [u('conf.d/app.conf')]);
  const fixed = applyLspEdits(APP, fix.edit.changes[u('conf.d/app.conf')]);
  assert.match(fixed, /proxy_ssl_verify\s+on;/);
  await client.change(u('conf.d/app.conf'), 2, fixed);
  const after = await client.diagnostics(u('conf.d/app.conf'), 2);
  assert.deepEqual(after.filter((d) => d.code === 'upstream-tls-unverified'), [], JSON.stringify(after, null, 1));
  await client.change(u('conf.d/app.conf'), 3, APP);
  await client.diagnostics(u('conf.d/app.conf'), 3);
});

test('fix-all on save is offered', { skip }, async () => {
  const actions = await client.request<any[]>('textDocument/codeAction', { textDocument: { uri: u('conf.d/app.conf') }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } });
  assert.equal(actions.length, 1, JSON.stringify(actions));
  assert.match(actions[0].title, /Fix all/);
});

test('a hover carries the official docs (the Markdown reference data of the web bundle)', { skip }, async () => {
  const h = await client.request('textDocument/hover', { textDocument: { uri: u('conf.d/app.conf') }, position: { line: 6, character: 10 } });
  assert.equal(h.contents.kind, 'markdown');
  assert.match(h.contents.value, /proxy_pass/);
  assert.match(h.contents.value, /protocol and address of a proxied server/i);
  assert.doesNotMatch(h.contents.value, /<\/?(p|code|a)\b/);
});

test('completion inside a location offers proxy_ssl_verify', { skip }, async () => {
  const text = APP.replace('        proxy_pass https://backend;\n', '        proxy_pass https://backend;\n        proxy_ssl_ver\n');
  await client.change(u('conf.d/app.conf'), 4, text);
  const items = await client.request<any>('textDocument/completion', { textDocument: { uri: u('conf.d/app.conf') }, position: { line: 7, character: 21 } });
  const list = Array.isArray(items) ? items : items.items;
  assert.ok(list.some((i: { label: string }) => i.label === 'proxy_ssl_verify'), JSON.stringify(list.slice(0, 10)));
  await client.change(u('conf.d/app.conf'), 5, APP);
});

test('include links and definitions point at the files in the workspace scheme', { skip }, async () => {
  await client.open(u('nginx.conf'), MAIN);
  await client.diagnostics(u('nginx.conf'), 1);
  const links = await client.request<any[]>('textDocument/documentLink', { textDocument: { uri: u('conf.d/app.conf') } });
  assert.ok(links.some((l) => l.target === u('snippets/tls-verify.conf')), JSON.stringify(links));
  const roots = await client.request<{ roots: string[] }>('nginxTlsProxy/roots', { uri: u('conf.d/app.conf') });
  assert.equal(roots.roots.length, 1);
  assert.match(roots.roots[0], /\/acme\/site\/nginx\.conf$/);
});

// Certificate files reach the worker like the configs (PEM is text): the web client's WorkspaceFeed reads
// *.crt, *.key… with workspace.fs and hands them over, and the server reads them with the web parser.
const TLS = `server {
    listen 443 ssl;
    server_name expired.test;
    ssl_certificate ssl/expired.crt;
    ssl_certificate_key ssl/expired.key;
}
server {
    listen 443 ssl;
    server_name backend.test;
    ssl_certificate ssl/server.crt;
    ssl_certificate_key ssl/stray.key;
    ssl_client_certificate ssl/missing-ca.crt;
    ssl_verify_client on;
    location / {
        proxy_pass https://api.internal;
        proxy_ssl_verify on;
        proxy_ssl_trusted_certificate ssl/server.crt;
        proxy_ssl_server_name on;
        proxy_ssl_name api.internal;
    }
}
`;

test('certificate rules on workspace files: expired, key mismatch, unreadable, a leaf as trusted CA', { skip: certSkip }, async () => {
  pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-worker-pki-'));
  const pki = makeCasePki(pkiDir);
  const pem = (k: string) => fs.readFileSync(pki[k], 'utf8');
  await client.files({
    [u('conf.d/tls.conf')]: TLS,
    [u('ssl/expired.crt')]: pem('expired-cert'),
    [u('ssl/expired.key')]: pem('expired-key'),
    [u('ssl/server.crt')]: pem('server-cert'),
    [u('ssl/stray.key')]: pem('stray-key'),
  });
  await client.open(u('conf.d/tls.conf'), TLS);
  const want = ['certificate-expired', 'certificate-key-mismatch', 'certificate-unreadable', 'trusted-ca-not-ca'];
  const diags = await client.diagnostics(u('conf.d/tls.conf'), 1, (ds) => want.every((w) => ds.some((d) => d.code === w)));
  const at = (code: string) => diags.filter((d) => d.code === code).map((d) => d.range.start.line);
  assert.deepEqual(at('certificate-expired'), [3], JSON.stringify(diags, null, 1));
  assert.match(String(diags.find((d) => d.code === 'certificate-expired')!.message), /2020-02-01/);
  assert.deepEqual(at('certificate-key-mismatch'), [10]);
  assert.deepEqual(at('certificate-unreadable'), [11]);
  assert.deepEqual(at('trusted-ca-not-ca'), [16]);
  // The hover on a certificate path reads it with the same parser.
  const h = await client.request('textDocument/hover', { textDocument: { uri: u('conf.d/tls.conf') }, position: { line: 3, character: 24 } });
  assert.match(h.contents.value, /expired\.test/);
  assert.match(h.contents.value, /SHA-256/);
  // The key comes back: the mismatch goes.
  await client.files({ [u('ssl/stray.key')]: pem('server-key') });
  await client.diagnostics(u('conf.d/tls.conf'), 1, (ds) => !ds.some((d) => d.code === 'certificate-key-mismatch') && ds.some((d) => d.code === 'certificate-expired'));
  // The mutual-TLS scaffold's choices: each certificate with the key the web parser paired it with.
  const found = await client.request<{ cas: { path: string }[]; clients: { path: string; key?: string }[] }>('nginxTlsProxy/certificateCandidates', { uri: u('conf.d/tls.conf') });
  assert.deepEqual(found.clients.map((c) => [c.path, c.key]).sort(), [['ssl/expired.crt', 'ssl/expired.key'], ['ssl/server.crt', 'ssl/stray.key']], JSON.stringify(found));
  assert.deepEqual(await client.workerErrors(), []);
});

test('files a config names outside the feed\'s globs are asked of the client before they are called missing', { skip: certSkip }, async () => {
  const pem = (k: string) => fs.readFileSync(path.join(pkiDir, k), 'utf8');
  const site = `server {
    listen 443 ssl;
    server_name odd.test;
    include extra/tls-params;
    ssl_certificate ssl/odd-name.cert;
    ssl_certificate_key ssl/expired.key;
    ssl_trusted_certificate ssl/nowhere.cert;
}
`;
  client.disk.set(u('ssl/odd-name.cert'), pem('expired.crt'));
  client.disk.set(u('extra/tls-params'), 'ssl_session_timeout 10m;\n');
  await client.files({ [u('conf.d/odd.conf')]: site });
  await client.open(u('conf.d/odd.conf'), site);
  // The include and the certificate come on demand; the file nobody has stays missing.
  const diags = await client.diagnostics(u('conf.d/odd.conf'), 1, (ds) => ds.some((d) => d.code === 'certificate-expired'));
  assert.ok(client.asked.includes(u('extra/tls-params')), client.asked.join(' '));
  assert.ok(client.asked.includes(u('ssl/odd-name.cert')), client.asked.join(' '));
  assert.ok(client.asked.includes(u('ssl/nowhere.cert')), client.asked.join(' '));
  const at = (code: string) => diags.filter((d) => d.code === code).map((d) => d.range.start.line);
  assert.deepEqual(at('certificate-expired'), [4], JSON.stringify(diags, null, 1));
  assert.deepEqual(at('certificate-unreadable'), [6], JSON.stringify(diags, null, 1));
  // Never published as missing on the way: no flash of a finding that the next delivery takes back.
  const odd = client.published.filter((p) => p.uri === u('conf.d/odd.conf'));
  assert.ok(odd.length >= 1);
  for (const p of odd) assert.ok(!p.diagnostics.some((d) => d.range.start.line === 3 || (d.range.start.line === 4 && d.code !== 'certificate-expired')), JSON.stringify(p.diagnostics, null, 1));
  assert.ok(!diags.some((d) => /include/.test(String(d.message)) && /No such file/.test(String(d.message))), JSON.stringify(diags, null, 1));
  // Each path is asked once until the workspace changes.
  const before = client.asked.length;
  await client.change(u('conf.d/odd.conf'), 2, site + '\n');
  await client.diagnostics(u('conf.d/odd.conf'), 2);
  assert.equal(client.asked.length, before);
  assert.deepEqual(await client.workerErrors(), []);
});

test('the TLS inventory (TLS upstreams view) and the TLS report are answered by the web server', { skip }, async () => {
  const inv = await client.request<{ uses: { uri: string; url: string; state: string; upstream: string | null; servers: string[]; range: { start: { line: number } }; locationUri?: string }[] }>('nginxTlsProxy/inventory', {});
  const app = inv.uses.filter((x) => x.uri === u('conf.d/app.conf'));
  assert.deepEqual(app.map((x) => [x.url, x.state, x.range.start.line]).sort(), [['https://api.internal', 'verified', 10], ['https://backend', 'unverified', 6]], JSON.stringify(inv.uses, null, 1));
  const backend = app.find((x) => x.url === 'https://backend')!;
  assert.equal(backend.upstream, 'backend');
  assert.deepEqual(backend.servers, ['backend.internal:443']);
  assert.equal(backend.locationUri, u('conf.d/app.conf'));
  const report = await client.request<{ html: string }>('nginxTlsProxy/reportHtml', {});
  assert.match(report.html, /^<!DOCTYPE html>/i);
  assert.match(report.html, /https:\/\/backend/);
  assert.doesNotMatch(report.html, /<script/i);
});

test('the web server formats a range and on type like the desktop one (the LSP wiring is shared)', { skip }, async () => {
  const text = 'http {\nserver {\nlisten   80;\nlisten   443 ssl;\n}\n}\n';
  const ru = u('conf.d/range.conf');
  await client.open(ru, text);
  await client.diagnostics(ru, 1);
  // Line 2 only: the first listen.
  const edits = await client.request('textDocument/rangeFormatting', { textDocument: { uri: ru }, range: { start: { line: 2, character: 2 }, end: { line: 2, character: 5 } }, options: { tabSize: 4, insertSpaces: true } });
  assert.equal(applyLspEdits(text, edits), 'http {\nserver {\n        listen 80;\nlisten   443 ssl;\n}\n}\n');
  // `}` typed at the end of line 4 closes server: the block is laid out.
  const onBrace = await client.request('textDocument/onTypeFormatting', { textDocument: { uri: ru }, position: { line: 4, character: 1 }, ch: '}', options: { tabSize: 4, insertSpaces: true } });
  assert.equal(applyLspEdits(text, onBrace), 'http {\n    server {\n        listen 80;\n        listen 443 ssl;\n    }\n}\n');
  assert.deepEqual(await client.workerErrors(), []);
});

test('a fix that needs a value from the user is the client command in the browser too (the LSP wiring is shared)', { skip }, async () => {
  const text = 'upstream ask { server 10.0.0.5:8443; }\nserver {\n    listen 80;\n    location / {\n        proxy_pass https://ask;\n        proxy_ssl_verify on;\n        proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    }\n}\n';
  const au = u('conf.d/ask.conf');
  await client.open(au, text);
  const diags = await client.diagnostics(au, 1, (ds) => ds.some((d) => d.code === 'upstream-tls-name-mismatch'));
  const d = diags.find((x) => x.code === 'upstream-tls-name-mismatch')!;
  const actions = await client.request<any[]>('textDocument/codeAction', { textDocument: { uri: au }, range: d.range, context: { diagnostics: [d] } });
  const ask = actions.find((a) => a.command?.command === 'nginxTlsProxy.applyFixWithInput');
  assert.ok(ask, JSON.stringify(actions));
  assert.equal(ask.edit, undefined, 'no edit to apply as is');
  const [edit, input] = ask.command.arguments;
  assert.match(input.prompt, /upstream "ask"/);
  assert.deepEqual(Object.keys(edit.changes), [au]);
  const fixed = applyLspEdits(text, edit.changes[au].map((e: { range: unknown; newText: string }) => ({ ...e, newText: e.newText.split(input.placeholder).join('ask.example.test') })));
  assert.match(fixed, /proxy_pass https:\/\/ask;\n        proxy_ssl_name ask\.example\.test;\n/);
  await client.change(au, 2, fixed);
  const after = await client.diagnostics(au, 2);
  assert.deepEqual(after.filter((x) => x.code === 'upstream-tls-name-mismatch'), [], JSON.stringify(after, null, 1));
  assert.deepEqual(await client.workerErrors(), []);
});
