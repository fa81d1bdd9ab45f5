// The browser bundles: present, small, free of Node built-ins, declared in package.json, and without the
// commands that run programs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULE_DOCS as WEB_RULE_DOCS } from '../../server/src/web/core';
import { RULE_DOCS } from '../../server/src/output/sarif';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLES = ['dist/web/extension.js', 'dist/web/server.js'].map((f) => path.join(ROOT, f));
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

const NODE_BUILTINS = 'assert|buffer|child_process|cluster|crypto|dgram|dns|events|fs|http|http2|https|inspector|module|net|os|path|perf_hooks|process|readline|stream|string_decoder|timers|tls|tty|url|util|v8|vm|worker_threads|zlib';

test('both browser bundles are built and together stay within 2 MB', () => {
  let total = 0;
  for (const b of BUNDLES) {
    assert.ok(fs.existsSync(b), `${b}: run npm run build`);
    total += fs.statSync(b).size;
  }
  assert.ok(total <= 2 * 1024 * 1024, `${total} bytes`);
});

test('no Node built-ins in the browser bundles', () => {
  const patterns = [
    new RegExp(`require\\(\\s*["'](node:)?(${NODE_BUILTINS})(/[\\w/]*)?["']\\s*\\)`),
    /["']node:[a-z_/]+["']/,
    /\bprocess\.(binding|dlopen|on\(|stdin|stdout|execPath)\b/,
    /\b__dirname\b|\b__filename\b/,
  ];
  for (const b of BUNDLES) {
    const src = fs.readFileSync(b, 'utf8');
    for (const re of patterns) {
      const m = re.exec(src);
      assert.equal(m, null, `${path.basename(b)}: ${m?.[0]} near ${m ? src.slice(Math.max(0, m.index - 60), m.index + 60) : ''}`);
    }
    // The only module the web extension requires is the editor's own API.
    const requires = [...src.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(requires)].filter((r) => r !== 'vscode'), [], path.basename(b));
  }
  assert.doesNotMatch(fs.readFileSync(BUNDLES[1], 'utf8'), /\brequire\(/, 'the worker bundle requires nothing');
});

test('the web server carries the Markdown docs only, and links rules to the same docs as the Node server', () => {
  const src = fs.readFileSync(BUNDLES[1], 'utf8');
  assert.doesNotMatch(src, /description_html|syntax_html/);
  assert.match(src, /Sets the protocol and address of a proxied server/);
  assert.equal(WEB_RULE_DOCS, RULE_DOCS);
});

test('package.json: a browser entry; the commands that run programs are hidden in the browser and not registered there', () => {
  assert.equal(manifest.browser, './dist/web/extension.js');
  assert.equal(manifest.main, './dist/extension.js');
  const palette: { command: string; when?: string }[] = manifest.contributes.menus?.commandPalette ?? [];
  // Commands that start a program or open connections: desktop only.
  const runsPrograms = ['nginxTlsProxy.nginxTest', 'nginxTlsProxy.useNginxModules', 'nginxTlsProxy.probeUpstreams'];
  for (const c of runsPrograms) assert.ok(palette.some((m) => m.command === c && /^nginxTlsProxy\.desktop$/.test(m.when ?? '')), c);
  // The TLS upstreams view and report are the server's answers: both clients show them (`nginxTlsProxy.active`).
  for (const c of ['nginxTlsProxy.showTlsReport', 'nginxTlsProxy.refreshTlsUpstreams']) assert.ok(palette.some((m) => m.command === c && m.when === 'nginxTlsProxy.active'), c);
  assert.deepEqual(manifest.contributes.views.explorer.map((v: { id: string; when?: string }) => [v.id, v.when]), [['nginxTlsProxy.tlsUpstreams', 'nginxTlsProxy.active']]);
  const web = fs.readFileSync(BUNDLES[0], 'utf8');
  for (const { command } of manifest.contributes.commands as { command: string }[]) {
    if (runsPrograms.includes(command)) assert.ok(!web.includes(`"${command}"`), `${command} registered in the browser`);
    else assert.ok(web.includes(`"${command}"`), `${command} missing in the browser`);
  }
  assert.notEqual(manifest.capabilities.virtualWorkspaces, false, 'github.dev is a virtual workspace');
  const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  for (const f of ['dist/web/extension.js', 'dist/web/server.js']) assert.ok(ignore.includes('!' + f), `${f} in the .vsix`);
});
