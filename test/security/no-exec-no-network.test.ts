// The language server executes nothing and opens no network connection, whatever the workspace holds
// (a config naming a URL, an include of a script, a "nginx" binary in the folder). Only the client's
// explicit "Test with nginx -t" command runs a program, and only in a trusted workspace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, ROOT, SERVER } from '../lsp/client';

test('the language server neither starts processes nor opens connections while working on a workspace', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-sec-'));
  fs.writeFileSync(path.join(dir, 'nginx'), '#!/bin/sh\ntouch "$(dirname "$0")/PWNED"\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'evil.sh'), '#!/bin/sh\ntouch PWNED\n', { mode: 0o755 });
  const conf = 'events {}\nhttp {\n    include evil.sh;\n    resolver 127.0.0.1;\n    server {\n        location / { proxy_pass https://attacker.example:443; }\n        location /x { content_by_lua_block { os.execute("touch PWNED") } }\n    }\n}\n';
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const client = new LspClient(['--stdio'], [process.execPath, '--require', path.join(__dirname, 'deny-hook.cjs'), SERVER]);
  try {
    await client.initialize(dir);
    const uri = 'file://' + path.join(dir, 'nginx.conf');
    client.open(uri, conf);
    const diags = await client.diagnostics(uri, 1);
    assert.ok(diags.length > 0);
    for (const [method, params] of [
      ['textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 30 } }],
      ['textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 30 } }],
      ['textDocument/definition', { textDocument: { uri }, position: { line: 2, character: 14 } }],
      ['textDocument/documentLink', { textDocument: { uri } }],
      ['textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } }],
    ] as [string, unknown][]) await client.request(method, params);
    assert.doesNotMatch(client.stderr, /FORBIDDEN/);
    assert.ok(!fs.existsSync(path.join(dir, 'PWNED')));
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the manifest restricts the nginx -t command to trusted workspaces', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('nginxTlsProxy.nginxBinary'));
  const source = fs.readFileSync(path.join(ROOT, 'client/src/nginx-test.ts'), 'utf8');
  // The only place a program is started, and it is guarded by the workspace's trust.
  assert.match(source, /if \(!vscode\.workspace\.isTrusted\) \{[^}]*return;/);
  const spawners = ['client/src', 'server/src'].flatMap((d) => walk(path.join(ROOT, d))).filter((f) => /child_process/.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(spawners.map((f) => path.relative(ROOT, f)), ['client/src/nginx-test.ts']);
});

function walk(d: string): string[] {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
}
