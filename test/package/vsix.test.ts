// The .vsix holds what VS Code needs and nothing else, with a proper marketplace manifest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const ROOT = path.resolve(__dirname, '../..');
const VSIX = path.join(ROOT, 'dist-vsix/nginx-tls-proxy.vsix');

/** Entry names and contents of a zip file, read from its central directory. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let p = buf.readUInt32LE(eocd + 16);
  const count = buf.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + size);
    out.set(name, method === 8 ? zlib.inflateRawSync(raw) : raw);
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

test('the packaged extension: contents, size and manifest', { timeout: 180000 }, () => {
  if (!fs.existsSync(VSIX)) {
    const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  const buf = fs.readFileSync(VSIX);
  assert.ok(buf.length < 3 * 1024 * 1024, `${buf.length} bytes`);
  const entries = unzip(buf);
  const names = [...entries.keys()];
  for (const need of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/core.js', 'extension/dist/web/extension.js', 'extension/dist/web/server.js',
    'extension/syntaxes/nginx.tmLanguage.json', 'extension/snippets/nginx.json', 'extension/language-configuration.json',
    'extension/images/icon.png', 'extension/readme.md', 'extension/changelog.md']) {
    assert.ok(names.some((n) => n.toLowerCase() === need.toLowerCase()), `${need} in ${names.join(', ')}`);
  }
  assert.ok(names.some((n) => /^extension\/LICENSE/i.test(n)));
  for (const n of names) assert.doesNotMatch(n, /node_modules\/|^extension\/(test|server\/src|client\/src|scripts)\/|\.map$|\.ts$/, n);
  const manifest = JSON.parse(entries.get('extension/package.json')!.toString('utf8'));
  assert.ok(manifest.publisher && manifest.icon && manifest.repository && manifest.license);
  for (const c of ['Linters', 'Snippets', 'Programming Languages']) assert.ok(manifest.categories.includes(c), c);
  assert.ok(manifest.keywords.includes('nginx'));
  // code-server 4.100.3 is VS Code 1.100.3: a newer engine would be refused.
  const [maj, min] = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
  assert.ok(maj === 1 && min <= 100, manifest.engines.vscode);
  assert.equal(manifest.contributes.languages[0].id, 'nginx');
  assert.ok(!manifest.contributes.languages[0].extensions.includes('.conf'), 'does not claim every .conf');
});
