// Inputs that break parsers: each answered within a generous bound (a ceiling, not a benchmark), and
// never by a crash, a stack overflow or a hang.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, defaultSettings, memoryFileSystem, parse } from '../../server/src/engine';
import { Workspace } from '../../server/src/engine/workspace';
import { listConfigCandidates, NodeFileSystem } from '../../server/src/node/node-fs';

const CEILING_MS = 30000;

function timed<T>(what: string, f: () => T): T {
  const t = Date.now();
  const r = f();
  const ms = Date.now() - t;
  assert.ok(ms < CEILING_MS, `${what} took ${ms} ms`);
  return r;
}

function analyzeText(text: string) {
  return analyze('/p/nginx.conf', memoryFileSystem({ '/p/nginx.conf': text }), defaultSettings());
}

test('100 000 nested blocks: no recursion on input depth', () => {
  const text = 'http {\nserver {\n' + 'location / {\n'.repeat(100000) + '}\n'.repeat(100000) + '}\n}\n';
  const r = timed('deep nesting', () => analyzeText(text));
  assert.ok(r.model.all.length > 100000);
  const unclosed = 'location / {'.repeat(100000);
  const t2 = timed('deep unclosed', () => parse(unclosed));
  assert.equal(t2.errors.length, 1);
});

test('a 10 MB single line', () => {
  const text = 'events {} http { ' + 'add_header X-A b; '.repeat(600000) + '}';
  assert.ok(text.length > 10_000_000);
  const r = timed('10 MB line', () => analyzeText(text));
  assert.ok(r.model.all.length > 600000);
});

test('the 4096-byte token limit, exactly as nginx counts it', () => {
  const ok = parse(`server_name ${'a'.repeat(4095)};`);
  assert.deepEqual(ok.errors, []);
  const bad = parse(`server_name ${'a'.repeat(4096)};`);
  assert.match(bad.errors[0].message, /too long parameter "aaaaaaaaaa\.\.\." started/);
});

test('100 000 semicolons, 100 000 closing braces', () => {
  const r = timed('semicolons', () => parse(';'.repeat(100000)));
  assert.ok(r.errors.length > 0 && r.errors.length <= 100, 'errors are capped');
  timed('braces', () => parse('}'.repeat(100000)));
});

test('an include cycle is reported once and not followed forever', () => {
  const fs0 = memoryFileSystem({ '/c/nginx.conf': 'events {}\nhttp { include a.conf; }\n', '/c/a.conf': 'include b.conf;\n', '/c/b.conf': 'include a.conf;\n' });
  const r = timed('cycle', () => analyze('/c/nginx.conf', fs0, defaultSettings()));
  assert.equal(r.findings.filter((f) => f.ruleId === 'include-cycle').length, 1);
});

test('include caps: depth and file count end with a visible finding, not silence', () => {
  const files: Record<string, string> = { '/d/nginx.conf': 'events {}\nhttp { include a0.conf; include many/*.conf; }\n' };
  for (let i = 0; i < 40; i++) files[`/d/a${i}.conf`] = `include a${i + 1}.conf;\n`;
  files['/d/a40.conf'] = 'server { listen 80; }\n';
  for (let i = 0; i < 5; i++) files[`/d/many/m${i}.conf`] = `server { listen ${9000 + i}; }\n`;
  const r = analyze('/d/nginx.conf', memoryFileSystem(files), defaultSettings(), { maxIncludeDepth: 32, maxFiles: 38 });
  const limits = r.findings.filter((f) => f.ruleId === 'include-limit');
  assert.ok(limits.some((f) => /deeper than 32 levels/.test(f.message)), JSON.stringify(limits.map((f) => f.message)));
  const r2 = analyze('/d/nginx.conf', memoryFileSystem(files), defaultSettings(), { maxFiles: 3 });
  assert.ok(r2.findings.some((f) => f.ruleId === 'include-limit' && /more than 3 included files/.test(f.message)));
});

test('a glob matching 10 000 files, a symlink loop, binary and non-UTF-8 files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-patho-'));
  try {
    fs.mkdirSync(path.join(dir, 'sites'));
    for (let i = 0; i < 10000; i++) fs.writeFileSync(path.join(dir, 'sites', `s${i}.conf`), `server { listen ${10000 + i}; }\n`);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp { include sites/*.conf; }\n');
    const nfs = new NodeFileSystem();
    const r = timed('10 000 includes', () => analyze(path.join(dir, 'nginx.conf'), nfs, defaultSettings(), { maxFiles: 20000 }));
    assert.equal(r.model.files.size, 10001);
    fs.symlinkSync(dir, path.join(dir, 'loop'));
    const found = timed('symlink loop', () => listConfigCandidates([dir], 50000));
    assert.equal(found.filter((f) => f.includes('/loop/')).length, 0);
    const bin = path.join(dir, 'binary.conf');
    fs.writeFileSync(bin, Buffer.from(Array.from({ length: 100000 }, (_, i) => (i * 7919) % 256)));
    const ws = new Workspace(nfs, defaultSettings(), { candidates: () => [] });
    timed('binary file', () => ws.analyzeFile(bin));
    const latin = path.join(dir, 'latin1.conf');
    const bytes = Buffer.from('# caf\xe9 \xff\nserver { server_name d\xe9j\xe0.test; }\n', 'latin1');
    fs.writeFileSync(latin, bytes);
    const text = nfs.readFile(latin)!;
    assert.deepEqual(Buffer.from(text, 'latin1'), bytes, 'every byte of a non-UTF-8 file survives');
    assert.equal(nfs.encodings.get(latin), 'latin1');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CRLF everywhere: the same findings on the same lines as with LF', () => {
  const lf = 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n        }\n    }\n}\n';
  const crlf = lf.replace(/\n/g, '\r\n');
  const a = analyzeText(lf).findings.map((f) => `${f.ruleId}@${f.range.start.line}:${f.range.start.character}`);
  const b = analyzeText(crlf).findings.map((f) => `${f.ruleId}@${f.range.start.line}:${f.range.start.character}`);
  assert.deepEqual(b, a);
  assert.ok(a.length > 0);
});
