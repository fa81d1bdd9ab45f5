// The built language server, spoken to over stdio as an editor would.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyLspEdits, LspClient, ROOT } from './client';

let client: LspClient;
let dir: string;

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/server.js')), 'run npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-lsp-'));
  client = new LspClient();
  client.configuration = { nginxVersion: '1.22' };
  const init = await client.initialize(dir);
  assert.equal(init.capabilities.hoverProvider, true);
  assert.equal(init.capabilities.documentFormattingProvider, true);
  assert.equal(init.capabilities.documentRangeFormattingProvider, true);
  assert.deepEqual(init.capabilities.documentOnTypeFormattingProvider, { firstTriggerCharacter: '}', moreTriggerCharacter: [';'] });
});

after(async () => {
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function uri(name: string): string {
  return 'file://' + path.join(dir, name);
}

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return 'file://' + p;
}

const SEED = fs.readFileSync(path.join(ROOT, 'examples/seed-complete-example/nginx.conf'), 'utf8');

test("the seed's complete example yields the findings a TLS expert names", async () => {
  const u = write('seed/nginx.conf', SEED);
  client.open(u, SEED);
  const diags = await client.diagnostics(u, 1);
  const got = diags.map((d) => `${d.range.start.line + 1}:${d.code}`).sort();
  assert.deepEqual(got, [
    '13:upstream-tls-no-sni',
    '16:tls-weak-protocols', // TLSv1 TLSv1.1 in proxy_ssl_protocols
    '24:syntax-error', // the server block that lacks its "}"
    '25:tls-weak-protocols', // nginx 1.22's default ssl_protocols on a TLS server
    '30:client-cert-not-enforced', // ssl_verify_client optional, never checked
    '34:directive-not-allowed-here', // the next server ends up nested because of the missing "}"
  ].sort());
  const syntax = diags.find((d) => d.code === 'syntax-error')!;
  assert.match(syntax.message as string, /unexpected end of file, expecting "}"/);
  assert.match(syntax.message as string, /before line 34/);
  for (const d of diags) {
    assert.equal(d.source, 'nginx-tls-proxy');
    assert.match(String(d.codeDescription?.href), /docs\/rules\/[a-z-]+\.md$/);
  }
});

const UNVERIFIED = `events {}
http {
    server {
        listen 8080;
        # the backend
        location /upstream {
            proxy_pass https://backend.example.com;   # keep this comment
            proxy_ssl_certificate /etc/nginx/client.pem;
            proxy_ssl_certificate_key /etc/nginx/client.key;
        }
    }
}
`;

test('a quick fix, applied, clears the unverified-upstream finding and keeps everything else', async () => {
  const u = write('fix/nginx.conf', UNVERIFIED);
  client.open(u, UNVERIFIED);
  const diags = await client.diagnostics(u, 1);
  const warn = diags.find((d) => d.code === 'upstream-tls-unverified');
  assert.ok(warn, 'unverified upstream reported: ' + JSON.stringify(diags));
  assert.equal(warn.range.start.line, 6);
  assert.match(warn.message as string, /proxy_ssl_verify: off — the default; not set in this location, its server or http/);
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri: u },
    range: warn.range,
    context: { diagnostics: [warn], only: ['quickfix'] },
  });
  const fix = actions.find((a: any) => a.isPreferred);
  assert.ok(fix, 'a preferred fix is offered');
  assert.match(fix.title, /proxy_ssl_verify on/);
  const fixed = applyLspEdits(UNVERIFIED, fix.edit.changes[u]);
  assert.ok(fixed.includes('            proxy_pass https://backend.example.com;   # keep this comment\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n            proxy_ssl_server_name on;\n'), fixed);
  // Nothing else changed: removing the inserted lines gives the original back.
  assert.equal(fixed.split('\n').filter((l) => !/proxy_ssl_(verify|trusted_certificate|server_name) /.test(l)).join('\n'), UNVERIFIED);
  client.change(u, 2, fixed);
  const after = await client.diagnostics(u, 2);
  assert.deepEqual(after.filter((d) => d.code === 'upstream-tls-unverified' || d.code === 'upstream-tls-no-sni'), []);
});

test('hover shows the official docs and what is in effect at that spot', async () => {
  const u2 = write('hover/nginx.conf', UNVERIFIED);
  client.open(u2, UNVERIFIED);
  await client.diagnostics(u2, 1);
  const hover = await client.request('textDocument/hover', { textDocument: { uri: u2 }, position: { line: 7, character: 16 } });
  assert.ok(hover, 'hover on proxy_ssl_certificate');
  const md = hover.contents.value as string;
  assert.match(md, /\*\*proxy_ssl_certificate\*\*/);
  assert.match(md, /nginx\.org\/en\/docs\/http\/ngx_http_proxy_module\.html#proxy_ssl_certificate/);
  assert.match(md, /proxy_ssl_certificate: \/etc\/nginx\/client.pem — set in this location at nginx.conf:8/);
  const h2 = await client.request('textDocument/hover', { textDocument: { uri: u2 }, position: { line: 6, character: 15 } });
  const md2 = h2.contents.value as string;
  // The description comes from @nginx/reference-lib at run time.
  assert.match(md2, /Sets the protocol and address of a proxied server/);
  assert.match(md2, /proxy_ssl_verify: off — the default; not set in this location, its server or http/);
  assert.match(md2, /proxy_ssl_server_name: off — the default/);
});

test('the fix for a missing trusted CA makes the config acceptable', async () => {
  const text = 'events {}\nhttp {\n    proxy_ssl_verify on;\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n        }\n    }\n}\n';
  const u = write('noca/nginx.conf', text);
  client.open(u, text);
  const diags = await client.diagnostics(u, 1);
  const err = diags.find((d) => d.code === 'upstream-tls-no-trusted-ca');
  assert.ok(err);
  assert.equal(err.range.start.line, 2, 'reported at the proxy_ssl_verify that turns verification on');
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri: u }, range: err.range, context: { diagnostics: [err] } });
  const fixed = applyLspEdits(text, actions[0].edit.changes[u]);
  assert.match(fixed, /proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate \/etc\/ssl\/certs\/ca-certificates.crt;\n/);
  client.change(u, 2, fixed);
  const after = await client.diagnostics(u, 2);
  assert.equal(after.filter((d) => d.code === 'upstream-tls-no-trusted-ca').length, 0);
});

test('a fix that needs a value from the user is a command: the client asks, fills the placeholder, applies the edit', async () => {
  const text = 'events {}\nhttp {\n    upstream app { server 10.0.0.5:8443; }\n    server {\n        location / {\n            proxy_pass https://app;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate ca.crt;\n        }\n    }\n}\n';
  const u = write('askname/nginx.conf', text);
  client.open(u, text);
  const diags = await client.diagnostics(u, 1);
  const d = diags.find((x) => x.code === 'upstream-tls-name-mismatch');
  assert.ok(d, JSON.stringify(diags));
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } });
  const ask = actions.find((a: { command?: { command: string } }) => a.command?.command === 'nginxTlsProxy.applyFixWithInput');
  assert.ok(ask, JSON.stringify(actions));
  assert.equal(ask.edit, undefined, 'no edit to apply as is');
  const [edit, input] = ask.command.arguments;
  assert.match(input.prompt, /upstream "app"/);
  // What the client does with the user's answer.
  const fixed = applyLspEdits(text, edit.changes[u].map((e: { range: unknown; newText: string }) => ({ ...e, newText: e.newText.split(input.placeholder).join('app.example.test') })));
  assert.match(fixed, /proxy_pass https:\/\/app;\n            proxy_ssl_name app\.example\.test;\n/);
  client.change(u, 2, fixed);
  const after = await client.diagnostics(u, 2);
  assert.equal(after.filter((x) => x.code === 'upstream-tls-name-mismatch').length, 0);
});

test('fix-all applies every safe fix at once', async () => {
  const text = 'events {}\nhttp {\n    server {\n        location /a { proxy_pass https://a.example.com; }\n        location /b {\n            grpc_pass grpcs://grpc.example.com:50051;\n        }\n    }\n}\n';
  const u = write('fixall/nginx.conf', text);
  client.open(u, text);
  await client.diagnostics(u, 1);
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri: u }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] },
  });
  assert.equal(actions.length, 1);
  const fixed = applyLspEdits(text, actions[0].edit.changes[u]);
  assert.match(fixed, /location \/a \{ proxy_pass https:\/\/a.example.com; proxy_ssl_verify on; proxy_ssl_trusted_certificate \/etc\/ssl\/certs\/ca-certificates.crt; proxy_ssl_server_name on; \}/);
  assert.match(fixed, /grpc_pass grpcs:\/\/grpc.example.com:50051;\n            grpc_ssl_verify on;\n            grpc_ssl_trusted_certificate/);
  client.change(u, 2, fixed);
  const after = await client.diagnostics(u, 2);
  assert.equal(after.filter((d) => String(d.code).startsWith('upstream-tls-un')).length, 0);
});

test('an included site file is analysed in the context its main config gives it', async () => {
  write('inc/nginx.conf', 'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    include conf.d/*.conf;\n}\n');
  const site = '# a site\nserver {\n    listen 80;\n    location / {\n        proxy_pass https://app.example.com;\n    }\n}\n';
  const siteUri = write('inc/conf.d/site.conf', site);
  // The server discovers roots when it starts listing the workspace: restart a client on this folder.
  const c2 = new LspClient();
  try {
    c2.configuration = {};
    await c2.initialize(path.join(dir, 'inc'));
    c2.open(siteUri, site);
    const diags = await c2.diagnostics(siteUri, 1);
    assert.equal(diags.filter((d) => d.code === 'upstream-tls-unverified').length, 0, 'verified at http level: ' + JSON.stringify(diags));
    // The same file on its own (nobody includes it) is a fragment in http context: unverified.
    const alone = write('alone/site.conf', site);
    c2.open(alone, site);
    const d2 = await c2.diagnostics(alone, 1);
    assert.equal(d2.filter((d) => d.code === 'upstream-tls-unverified').length, 1);
    assert.equal(d2.filter((d) => d.severity === 1).length, 0, 'no errors for a fragment in its inferred context');
  } finally {
    await c2.stop();
  }
});

test('editing the main config re-checks the open files it includes', async () => {
  const main = 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n';
  const site = 'server {\n    location / { proxy_pass https://app.example.com; }\n}\n';
  const mainUri = write('dep/nginx.conf', main);
  const siteUri = write('dep/conf.d/site.conf', site);
  const c3 = new LspClient();
  try {
    await c3.initialize(path.join(dir, 'dep'));
    c3.open(siteUri, site);
    c3.open(mainUri, main);
    assert.equal((await c3.diagnostics(siteUri, 1)).filter((d) => d.code === 'upstream-tls-unverified').length, 1);
    const fixed = main.replace('include', 'proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    include');
    c3.change(mainUri, 2, fixed);
    await c3.diagnostics(mainUri, 2);
    // The site file's diagnostics are republished (same version, new content) without the finding.
    const deadline = Date.now() + 20000;
    for (;;) {
      const d = await c3.diagnostics(siteUri, 1);
      if (d.filter((x) => x.code === 'upstream-tls-unverified').length === 0) break;
      assert.ok(Date.now() < deadline, 'site re-checked after the main config changed');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await c3.stop();
  }
});

test('a file above the size limit is only syntax-checked, and says so', async () => {
  const c4 = new LspClient();
  try {
    c4.configuration = { maxFileSize: 0.001 };
    await c4.initialize(dir);
    const big = 'events {}\nhttp {\n' + '    server { location / { proxy_pass https://a.example.com; } }\n'.repeat(40) + '}\n';
    const bu = uri('big.conf');
    c4.open(bu, big);
    const d = await c4.diagnostics(bu, 1);
    assert.deepEqual(d.map((x) => x.code), ['file-too-large']);
    assert.match(d[0].message as string, /above the 0\.0 MB limit|only its syntax is checked/);
  } finally {
    await c4.stop();
  }
});

test('the server answers after any text, including garbage and deep nesting', async () => {
  const inputs = [
    '\u0000\u0001\uFFFD{{{{;;;}}}}"\'',
    '{'.repeat(100000),
    'a'.repeat(200000),
    'location ~ ^/a{2}$ { return 200 a}b; }\n"unterminated',
    'http {\r\n server {\r\n  location / { proxy_pass https://x; }\r\n }\r\n}\r\n',
    'content_by_lua_block { local s = [[ } ]] -- }\n',
    ';'.repeat(100000),
  ];
  for (const [i, text] of inputs.entries()) {
    const u = uri(`garbage-${i}.conf`);
    client.open(u, text);
    await client.diagnostics(u, 1);
    const hover = await client.request('textDocument/hover', { textDocument: { uri: u }, position: { line: 0, character: 1 } });
    assert.ok(hover === null || typeof hover === 'object');
  }
  assert.equal(client.exited, null, 'server still running');
});
