// `npm pack`, installed globally into a clean prefix: both bins run. The language server is started
// exactly as nvim-lspconfig, Helix and eglot start it (`nginx-tls-proxy-language-server --stdio`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../lsp/client';

const ROOT = path.resolve(__dirname, '../..');

test('the npm tarball installs into a clean prefix and its two bins work', { timeout: 300000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-pack-'));
  try {
    const dry = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
    const files: string[] = JSON.parse(dry.stdout)[0].files.map((f: { path: string }) => f.path);
    for (const need of ['dist/cli.js', 'dist/server.js', 'dist/core.js', 'package.json', 'README.md', 'LICENSE']) assert.ok(files.includes(need), need);
    for (const f of files) assert.doesNotMatch(f, /^(test|server\/src|client\/src|node_modules|scripts)\/|\.map$|\.ts$/, f);
    const pack = spawnSync('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = path.join(dir, pack.stdout.trim().split('\n').pop()!);
    const prefix = path.join(dir, 'prefix');
    const inst = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], { encoding: 'utf8', timeout: 240000 });
    assert.equal(inst.status, 0, inst.stderr);
    const bin = path.join(prefix, 'bin');
    const check = spawnSync(path.join(bin, 'nginx-tls-proxy'), ['check', path.join(ROOT, 'examples/seed-complete-example/nginx.conf'), '--format', 'json'], { encoding: 'utf8' });
    assert.equal(check.status, 1, check.stderr);
    assert.ok(JSON.parse(check.stdout).some((f: { rule: string }) => f.rule === 'client-cert-not-enforced'));
    const client = new LspClient(['--stdio'], [path.join(bin, 'nginx-tls-proxy-language-server')]);
    try {
      const init = await client.initialize(dir);
      assert.equal(init.serverInfo.name, 'nginx-tls-proxy');
      const uri = 'file://' + path.join(dir, 'x.conf');
      client.open(uri, 'location / { proxy_pass https://a.example.com; }\n');
      const d = await client.diagnostics(uri, 1);
      assert.ok(d.some((x) => x.code === 'upstream-tls-unverified'));
    } finally {
      await client.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
