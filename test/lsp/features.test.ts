// Completion, navigation, outline, folding, formatting and the custom requests, over stdio.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyLspEdits, LspClient } from './client';

let client: LspClient;
let dir: string;
let u: string;

const CONF = `events {}
http {
    upstream backend.example.com {
        server backend1.example.com:443;
    }
    include sites/*.conf;
    server {
        listen 8080;
        server_name www.example.com;
        location /api/ {
            proxy_pass https://backend.example.com;
            proxy_ssl_trusted_certificate certs/ca.pem;

        }
    }
}
`;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-features-'));
  fs.mkdirSync(path.join(dir, 'sites'));
  fs.writeFileSync(path.join(dir, 'sites/a.conf'), 'server {\n    listen 8081;\n    location / { proxy_pass http://backend.example.com; }\n}\n');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), CONF);
  u = 'file://' + path.join(dir, 'nginx.conf');
  client = new LspClient();
  await client.initialize(dir);
  client.open(u, CONF);
  await client.diagnostics(u, 1);
});

after(async () => {
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('completion inside a location offers proxy_ssl_verify with its docs, and not http-only directives', async () => {
  const items = await client.request('textDocument/completion', { textDocument: { uri: u }, position: { line: 12, character: 12 } });
  const labels = items.map((i: any) => i.label);
  assert.ok(labels.includes('proxy_ssl_verify'));
  assert.ok(!labels.includes('upstream'), 'upstream is not allowed in a location');
  assert.ok(!labels.includes('ssl_verify_client'), 'server-level only');
  const verify = items.find((i: any) => i.label === 'proxy_ssl_verify');
  assert.match(verify.documentation.value, /verification of the proxied HTTPS server certificate/);
  assert.match(verify.textEdit.newText, /proxy_ssl_verify \$\{1\|on,off\|\};/);
});

test('completion of values, upstream names and variables', async () => {
  let text = CONF.replace('proxy_ssl_trusted_certificate certs/ca.pem;\n', 'proxy_ssl_trusted_certificate certs/ca.pem;\n            proxy_ssl_verify \n');
  client.change(u, 2, text);
  await client.diagnostics(u, 2);
  let items = await client.request('textDocument/completion', { textDocument: { uri: u }, position: { line: 12, character: 29 } });
  assert.deepEqual(items.map((i: any) => i.label).sort(), ['off', 'on']);
  text = CONF.replace('proxy_pass https://backend.example.com;', 'proxy_pass https://ba');
  client.change(u, 3, text);
  await client.diagnostics(u, 3);
  items = await client.request('textDocument/completion', { textDocument: { uri: u }, position: { line: 10, character: 33 } });
  assert.deepEqual(items.map((i: any) => i.label), ['backend.example.com']);
  text = CONF.replace('proxy_ssl_trusted_certificate certs/ca.pem;\n', 'proxy_ssl_trusted_certificate certs/ca.pem;\n            proxy_set_header X-Host $ho\n');
  client.change(u, 4, text);
  await client.diagnostics(u, 4);
  items = await client.request('textDocument/completion', { textDocument: { uri: u }, position: { line: 12, character: 39 } });
  assert.ok(items.some((i: any) => i.label === 'host'));
  text = CONF.replace('proxy_ssl_trusted_certificate certs/ca.pem;', 'proxy_ssl_trusted_certificate sites/');
  client.change(u, 5, text);
  await client.diagnostics(u, 5);
  items = await client.request('textDocument/completion', { textDocument: { uri: u }, position: { line: 11, character: 48 } });
  assert.deepEqual(items.map((i: any) => i.label), ['a.conf'], 'file names, relative to the main config folder');
  client.change(u, 6, CONF);
  await client.diagnostics(u, 6);
});

test('go to definition jumps from proxy_pass to the upstream block; references find its users', async () => {
  const defs = await client.request('textDocument/definition', { textDocument: { uri: u }, position: { line: 10, character: 35 } });
  assert.equal(defs.length, 1);
  assert.equal(defs[0].uri, u);
  assert.equal(defs[0].range.start.line, 2);
  const refs = await client.request('textDocument/references', { textDocument: { uri: u }, position: { line: 2, character: 15 }, context: { includeDeclaration: true } });
  const where = refs.map((r: any) => path.basename(r.uri) + ':' + r.range.start.line).sort();
  assert.deepEqual(where, ['a.conf:2', 'nginx.conf:10', 'nginx.conf:2']);
  const inc = await client.request('textDocument/definition', { textDocument: { uri: u }, position: { line: 5, character: 16 } });
  assert.equal(path.basename(inc[0].uri), 'a.conf');
});

test('outline, folding and links', async () => {
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri: u } });
  assert.equal(symbols[0].name, 'events');
  const http = symbols[1];
  assert.equal(http.name, 'http');
  assert.deepEqual(http.children.map((c: any) => c.name), ['upstream backend.example.com', 'server www.example.com']);
  assert.equal(http.children[1].detail, 'listen 8080');
  assert.equal(http.children[1].children[0].name, 'location /api/');
  const folds = await client.request('textDocument/foldingRange', { textDocument: { uri: u } });
  assert.ok(folds.some((f: any) => f.startLine === 1 && f.endLine === 14));
  const links = await client.request('textDocument/documentLink', { textDocument: { uri: u } });
  const targets = links.map((l: any) => l.target.replace('file://', ''));
  assert.ok(targets.includes(path.join(dir, 'sites/a.conf')), JSON.stringify(targets));
  assert.ok(targets.includes(path.join(dir, 'certs/ca.pem')), 'relative certificate path resolved against the main config folder');
  const ws = await client.request('workspace/symbol', { query: 'example' });
  assert.ok(ws.some((s: any) => s.name === 'www.example.com'));
  assert.ok(ws.some((s: any) => s.name === 'backend.example.com'));
});

test('hover on arguments: a variable\'s docs or definition, and the upstream group a pass names', async () => {
  const text = 'events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; "" close; }\n    upstream pool { server 10.0.0.1:8443; keepalive 4; }\n    server {\n        location / {\n            proxy_set_header Connection $connection_upgrade;\n            proxy_set_header X-Real-IP $remote_addr;\n            proxy_pass https://pool;\n        }\n    }\n}\n';
  const hu = 'file://' + path.join(dir, 'hover-args.conf');
  client.open(hu, text);
  await client.diagnostics(hu, 1);
  const at = (line: number, word: string) => ({ line, character: text.split('\n')[line].indexOf(word) + 2 });
  const defined = await client.request('textDocument/hover', { textDocument: { uri: hu }, position: at(6, '$connection_upgrade') });
  assert.match(defined.contents.value, /\$connection_upgrade\*\* — defined by `map \$http_upgrade \$connection_upgrade`/);
  const official = await client.request('textDocument/hover', { textDocument: { uri: hu }, position: at(7, '$remote_addr') });
  assert.match(official.contents.value, /\*\*\$remote_addr\*\*\n\nclient address/);
  const group = await client.request('textDocument/hover', { textDocument: { uri: hu }, position: at(8, 'https://pool') });
  assert.match(group.contents.value, /\*\*upstream pool\*\*.*keepalive/);
  assert.match(group.contents.value, /10\.0\.0\.1:8443/);
});

test('formatting: canonical layout, and a second pass changes nothing', async () => {
  const messy = 'events {}\nhttp {\nserver   {\n  listen    80 ;   \n      location / {\n# a comment   \nproxy_pass http://a; }\n\n\n  }\n}\n';
  const mu = 'file://' + path.join(dir, 'messy.conf');
  client.open(mu, messy);
  await client.diagnostics(mu, 1);
  const edits = await client.request('textDocument/formatting', { textDocument: { uri: mu }, options: { tabSize: 4, insertSpaces: true } });
  const formatted = applyLspEdits(messy, edits);
  assert.equal(formatted, 'events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            # a comment\n            proxy_pass http://a;\n        }\n    }\n}\n');
  client.change(mu, 2, formatted);
  await client.diagnostics(mu, 2);
  const again = await client.request('textDocument/formatting', { textDocument: { uri: mu }, options: { tabSize: 4, insertSpaces: true } });
  assert.deepEqual(again, []);
});

test('range formatting touches only the selected statements; on-type formatting after } and ;', async () => {
  const text = 'http {\nserver {\nlisten   80;\nlisten   443 ssl;\n}\n}\n';
  const ru = 'file://' + path.join(dir, 'range.conf');
  client.open(ru, text);
  await client.diagnostics(ru, 1);
  // Line 2 only: the first listen.
  const edits = await client.request('textDocument/rangeFormatting', { textDocument: { uri: ru }, range: { start: { line: 2, character: 2 }, end: { line: 2, character: 5 } }, options: { tabSize: 4, insertSpaces: true } });
  assert.equal(applyLspEdits(text, edits), 'http {\nserver {\n        listen 80;\nlisten   443 ssl;\n}\n}\n');
  // `}` typed at the end of line 4 closes server: the block is laid out.
  const onBrace = await client.request('textDocument/onTypeFormatting', { textDocument: { uri: ru }, position: { line: 4, character: 1 }, ch: '}', options: { tabSize: 4, insertSpaces: true } });
  assert.equal(applyLspEdits(text, onBrace), 'http {\n    server {\n        listen 80;\n        listen 443 ssl;\n    }\n}\n');
  const onSemi = await client.request('textDocument/onTypeFormatting', { textDocument: { uri: ru }, position: { line: 3, character: 17 }, ch: ';', options: { tabSize: 2, insertSpaces: true } });
  assert.equal(applyLspEdits(text, onSemi), 'http {\nserver {\nlisten   80;\n    listen 443 ssl;\n}\n}\n');
});

test('a config with syntax errors is not formatted, and the user is told why', async () => {
  const broken = 'http {\nserver {\nlisten 80\n}\n}\n';
  const bu = 'file://' + path.join(dir, 'broken.conf');
  client.open(bu, broken);
  await client.diagnostics(bu, 1);
  client.messages.length = 0;
  const edits = await client.request('textDocument/formatting', { textDocument: { uri: bu }, options: { tabSize: 4, insertSpaces: true } });
  assert.deepEqual(edits, []);
  for (let i = 0; i < 50 && client.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(client.messages.length, 1);
  assert.match(client.messages[0].message, /not formatted: the config has syntax errors; line 3: unexpected "}": the directive "listen" is not terminated by ";"/);
  // On-type formatting stays quiet mid-edit.
  const quiet = await client.request('textDocument/onTypeFormatting', { textDocument: { uri: bu }, position: { line: 3, character: 1 }, ch: '}', options: { tabSize: 4, insertSpaces: true } });
  assert.deepEqual(quiet, []);
});

test('effective TLS settings and the scaffold request', async () => {
  const eff = await client.request('nginxTlsProxy/effectiveTls', { uri: u, position: { line: 12, character: 12 } });
  assert.equal(eff.where, 'http/location');
  assert.ok(eff.lines.includes('proxy_ssl_verify: off — the default; not set in this location, its server or http'));
  assert.ok(eff.lines.some((l: string) => /^proxy_ssl_trusted_certificate: certs\/ca.pem — set in this location at nginx.conf:12/.test(l)));
  const text = 'events {}\nhttp {\n    server {\n        listen 8080;\n\n    }\n}\n';
  const su = 'file://' + path.join(dir, 'scaffold.conf');
  client.open(su, text);
  await client.diagnostics(su, 1);
  const edit = await client.request('nginxTlsProxy/scaffold', {
    uri: su,
    position: { line: 4, character: 8 },
    params: { name: 'backend', servers: ['10.0.0.1:443'], certificateName: 'api.internal.example', trustedCertificate: '/etc/nginx/ca.pem', clientCertificate: '/etc/nginx/client.pem', clientKey: '/etc/nginx/client.key' },
  });
  const out = applyLspEdits(text, edit.changes[su]);
  assert.match(out, /^events \{\}\nhttp \{\n    upstream backend \{\n        server 10\.0\.0\.1:443;\n    \}\n\n    server \{/);
  assert.match(out, /        location \/backend\/ \{\n            proxy_pass https:\/\/backend;\n/);
  client.change(su, 2, out);
  const diags = await client.diagnostics(su, 2);
  assert.deepEqual(diags.map((d) => `${d.code}: ${d.message}`), [], 'the scaffold is clean');
});
