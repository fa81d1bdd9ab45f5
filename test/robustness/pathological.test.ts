// Inputs that break parsers: each answered within a generous bound (a ceiling, not a benchmark: the bound
// only catches hangs and quadratic blow-ups), and never by a crash, a stack overflow or a hang.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings, memoryFileSystem, parse } from '../../server/src/engine';
import { analyze } from '../support/engine';
import type { BlockKind } from '../../server/src/engine';
import { Workspace } from '../../server/src/engine/workspace';
import { listConfigCandidates, NodeFileSystem } from '../../server/src/node/node-fs';
import { checkParse } from './properties';

const CEILING_MS = 20000;

function timed<T>(what: string, f: () => T, ceiling = CEILING_MS): T {
  const t = Date.now();
  const r = f();
  const ms = Date.now() - t;
  assert.ok(ms < ceiling, `${what} took ${ms} ms (ceiling ${ceiling} ms)`);
  return r;
}

const P = '/p/nginx.conf';
function analyzeText(text: string, rootKind?: BlockKind) {
  return analyze(P, memoryFileSystem({ [P]: text }), defaultSettings(), rootKind ? { rootKind } : {});
}

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(d, 0o755);
  return d;
}

test('100 000 nested blocks: parse and analysis without recursion on input depth', () => {
  const bare = 'location / {'.repeat(100000) + '}'.repeat(100000);
  const tree = timed('parse, 100 000 nested', () => parse(bare));
  assert.deepEqual(tree.errors, []);
  let depth = 0;
  for (let b = tree.root; b.children.length; b = b.children[0].block!) depth++;
  assert.equal(depth, 100000);
  timed('analysis, 100 000 nested at top level', () => analyzeText(bare));
  timed('analysis, 100 000 nested as a location fragment', () => analyzeText(bare, 'http/location'));
  const wrapped = 'events {}\nhttp {\nserver {\n' + 'location / {\n'.repeat(100000) + '}\n'.repeat(100000) + '}\n}\n';
  const r = timed('analysis, 100 000 nested locations in http/server', () => analyzeText(wrapped));
  assert.ok(r.directives > 100000);
  // Never closed: one error, for one block, not one per level.
  const unclosed = timed('parse, 100 000 unclosed', () => parse('location / {'.repeat(100000)));
  assert.equal(unclosed.errors.length, 1, JSON.stringify(unclosed.errors.slice(0, 3)));
  timed('analysis, 100 000 unclosed', () => analyzeText('location / {'.repeat(100000)));
  // Lua blocks nested 100 000 deep are one body: no recursion either.
  timed('parse, deep Lua body', () => parse('content_by_lua_block {' + '{'.repeat(100000) + '}'.repeat(100000) + '}'));
});

test('a 10 MB single line', () => {
  const text = 'events {} http { ' + 'add_header X-A b; '.repeat(600000) + '}';
  assert.ok(text.length > 10_000_000 && !text.includes('\n'));
  const tree = timed('parse, 10 MB line', () => parse(text));
  assert.deepEqual(tree.errors, []);
  assert.equal(tree.lineStarts.length, 1);
  const r = timed('analysis, 10 MB line', () => analyzeText(text));
  assert.ok(r.directives > 600000);
  for (const f of r.findings) assert.equal(f.range.start.line, 0);
  // One 10 MB token: the limit error, once.
  const word = timed('parse, one 10 MB word', () => parse('a' + 'b'.repeat(10_000_000) + ';'));
  assert.equal(word.errors.length, 1);
  assert.match(word.errors[0].message, /too long parameter "abbbbbbbbb\.\.\." started/);
});

test('the token limit: a 4096-byte token is "too long parameter", a 4095-byte one is fine', () => {
  const ok = parse(`add_header X-A ${'a'.repeat(4095)};`);
  assert.deepEqual(ok.errors, []);
  const bad = parse(`add_header X-A ${'a'.repeat(4096)};`);
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0].message, /^too long parameter "aaaaaaaaaa\.\.\." started/);
  // The same limit for a comment (nginx counts the "#").
  assert.deepEqual(parse(`#${'a'.repeat(4094)}\nx;`).errors, []);
  assert.match(parse(`#${'a'.repeat(4095)}\nx;`).errors[0]?.message ?? '', /^too long parameter "#aaaaaaaaa\.\.\." started/);
});

// nginx itself as the oracle for the limit on every kind of token: a config whose one long token sits after
// the first 4096-byte read buffer (as it does in nginx's own buffer handling) is run through `nginx -t`.
const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

function nginxVerdict(dir: string, body: string): string {
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, `pid logs/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n${body}\n}\n`);
  const r = spawnSync(NGINX, ['-t', '-q', '-c', conf, '-p', dir + '/', '-e', 'stderr'], { encoding: 'utf8', timeout: 30000 });
  const emerg = /\[emerg\] \d+#\d+: (.*?) in \S+:\d+/.exec(r.stderr ?? '');
  return r.status === 0 ? 'ok' : emerg ? emerg[1] : 'failed: ' + r.stderr;
}

function ourVerdict(body: string): string {
  const errors = parse(`pid logs/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n${body}\n}\n`).errors;
  return errors.length ? errors[0].message : 'ok';
}

const LIMIT_CASES: [string, (n: number) => string][] = [
  ['word', (n) => `add_header X-A ${'a'.repeat(n)};`],
  ['comment', (n) => `#${'a'.repeat(n - 1)}\nadd_header X-A b;`],
];
const QUOTED_CASES: [string, (n: number) => string][] = [
  ['double-quoted (n characters between the quotes)', (n) => `add_header X-A "${'a'.repeat(n)}";`],
  ['single-quoted (n characters between the quotes)', (n) => `add_header X-A '${'a'.repeat(n)}';`],
];

function compareWithNginx(cases: [string, (n: number) => string][]): void {
  const dir = tempDir('ntp-limit-');
  try {
    fs.mkdirSync(path.join(dir, 'logs'));
    const diffs: string[] = [];
    for (const [kind, make] of cases) {
      for (const n of [4094, 4095, 4096, 4097]) {
        const body = '#'.repeat(100) + '\n' + '    add_header X-Pad pad;\n'.repeat(200) + make(n);
        const theirs = nginxVerdict(dir, body);
        const ours = ourVerdict(body);
        if (theirs !== ours) diffs.push(`${kind}, n=${n}: nginx "${theirs}", ours "${ours}"`);
      }
    }
    assert.deepEqual(diffs, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the token limit agrees with nginx -t: words and comments', { skip: !fs.existsSync(NGINX) && 'no nginx here' }, () => {
  compareWithNginx(LIMIT_CASES);
});

// This one found a bug: quoted tokens were limited one byte early (4094 characters between the quotes: nginx
// accepts, we reported "too long parameter, probably missing terminating"; 4095: nginx says "... started").
test('the token limit agrees with nginx -t: quoted tokens', { skip: !fs.existsSync(NGINX) && 'no nginx here' }, () => {
  compareWithNginx(QUOTED_CASES);
});

test('100 000 semicolons, 100 000 closing braces, 100 000 opening braces', () => {
  const semis = timed('semicolons', () => parse(';'.repeat(100000)));
  assert.ok(semis.errors.length > 0 && semis.errors.length <= 100, 'errors are capped');
  timed('analysis of semicolons', () => analyzeText(';'.repeat(100000)));
  const closes = timed('closing braces', () => parse('}'.repeat(100000)));
  assert.ok(closes.errors.length > 0 && closes.errors.length <= 100);
  timed('analysis of opening braces', () => analyzeText('{'.repeat(100000)));
  timed('analysis of "a;" ×100 000', () => analyzeText('a;'.repeat(100000)));
});

test('an include cycle (a includes b includes a): one include-cycle finding, and it terminates', () => {
  const files = { '/c/nginx.conf': 'events {}\nhttp { include a.conf; }\n', '/c/a.conf': 'include b.conf;\n', '/c/b.conf': 'include a.conf;\n' };
  const r = timed('cycle', () => analyze('/c/nginx.conf', memoryFileSystem(files), defaultSettings()));
  const cycles = r.findings.filter((f) => f.ruleId === 'include-cycle');
  assert.equal(cycles.length, 1, JSON.stringify(cycles.map((f) => f.message)));
  // A file including itself, and a cycle entered from a fragment analysed alone.
  const self = analyze('/s/a.conf', memoryFileSystem({ '/s/a.conf': 'include a.conf;\n' }), defaultSettings(), { rootKind: 'http' });
  assert.equal(self.findings.filter((f) => f.ruleId === 'include-cycle').length, 1);
  const frag = timed('cycle from a fragment', () => analyze('/c/a.conf', memoryFileSystem(files), defaultSettings(), { rootKind: 'http' }));
  assert.equal(frag.findings.filter((f) => f.ruleId === 'include-cycle').length, 1);
});

test('a glob matching 10 000 files (NodeFileSystem, a real folder)', () => {
  const dir = tempDir('ntp-glob-');
  try {
    fs.mkdirSync(path.join(dir, 'sites'));
    for (let i = 0; i < 10000; i++) fs.writeFileSync(path.join(dir, 'sites', `s${i}.conf`), `server { listen ${10000 + i}; server_name s${i}.test; }\n`);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp { include sites/*.conf; }\n');
    const nfs = new NodeFileSystem();
    const matched = timed('glob', () => nfs.glob(path.join(dir, 'sites/*.conf')));
    assert.equal(matched.length, 10000);
    // Default caps: the analysis stops at the file limit and says so.
    const capped = timed('10 000 includes, default caps', () => analyze(path.join(dir, 'nginx.conf'), nfs, defaultSettings()));
    assert.ok(capped.findings.some((f) => f.ruleId === 'include-limit'), 'a visible include-limit finding');
    // The main config and the 2 000 files under the cap were read; no more.
    assert.equal(capped.files, 2001);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink loop in a workspace folder: listConfigCandidates terminates', () => {
  const dir = tempDir('ntp-loop-');
  try {
    fs.mkdirSync(path.join(dir, 'a/b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a/b/site.conf'), 'server { listen 80; }\n');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp { include a/b/*.conf; }\n');
    fs.symlinkSync(dir, path.join(dir, 'a/b/up'));             // back to the top
    fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'a/b/again')); // a → b → again → a …
    fs.symlinkSync(path.join(dir, 'self'), path.join(dir, 'self'));    // a link to itself
    const found = timed('symlink loop', () => listConfigCandidates([dir], 50000), 10000);
    const real = found.map((f) => fs.realpathSync(f));
    assert.equal(new Set(real).size, real.length, 'each file once: ' + JSON.stringify(found));
    assert.equal(real.length, 2);
    // A glob through the loop terminates too.
    const nfs = new NodeFileSystem();
    timed('glob through the loop', () => nfs.glob(path.join(dir, 'a/b/*/b/*/*.conf')));
    timed('analysis', () => analyze(path.join(dir, 'nginx.conf'), nfs, defaultSettings()));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a binary file (random bytes, NUL included): parsed and analysed, from memory and from disk', () => {
  let s = 12345;
  const bytes = Buffer.alloc(200000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < bytes.length; i += 97) bytes[i] = 0;
  const asLatin1 = bytes.toString('latin1');
  checkParse(asLatin1);
  timed('analysis (latin1 text)', () => analyzeText(asLatin1));
  timed('analysis (as a location)', () => analyzeText(bytes.toString('utf8'), 'http/location'));
  const dir = tempDir('ntp-bin-');
  try {
    const bin = path.join(dir, 'binary.conf');
    fs.writeFileSync(bin, bytes);
    const nfs = new NodeFileSystem();
    const ws = new Workspace(nfs, defaultSettings(), { candidates: () => [bin] });
    timed('workspace analysis', () => ws.analyzeFile(bin));
    assert.equal(nfs.encodings.get(bin), 'latin1');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not UTF-8 (latin1) keeps its bytes through NodeFileSystem', () => {
  const dir = tempDir('ntp-latin1-');
  try {
    const file = path.join(dir, 'latin1.conf');
    const bytes = Buffer.from('# caf\xe9 \xff\xfe\nserver { server_name d\xe9j\xe0.test; add_header X "\xe0\xa9\x80"; }\n', 'latin1');
    fs.writeFileSync(file, bytes);
    const nfs = new NodeFileSystem();
    const text = nfs.readFile(file)!;
    assert.deepEqual(Buffer.from(text, 'latin1'), bytes, 'every byte survives');
    assert.equal(nfs.encodings.get(file), 'latin1');
    const tree = parse(text);
    assert.deepEqual(tree.errors, []);
    assert.equal(tree.root.children[0].block!.children[0].args[0].value, 'd\xe9j\xe0.test');
    // Valid UTF-8 stays UTF-8.
    fs.writeFileSync(file, 'server_name déjà.test;\n');
    assert.equal(nfs.readFile(file), 'server_name déjà.test;\n');
    assert.equal(nfs.encodings.get(file), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CRLF everywhere: the same findings on the same lines and columns as with LF', () => {
  const lf = [
    'events {}',
    'http {',
    '    upstream up { server 127.0.0.1:8443; }',
    '    server {',
    '        listen 443 ssl;',
    '        # a comment',
    '        location / {',
    '            proxy_pass https://a.example.com;',
    '        }',
    '        location /u/ {',
    '            proxy_pass https://up;',
    '            proxy_ssl_verify on;',
    '        }',
    '        location /x/ { proxy_pass http://up;',
    '    }',
    '}',
    '',
  ].join('\n');
  const crlf = lf.replace(/\n/g, '\r\n');
  const key = (f: { ruleId: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }) =>
    `${f.ruleId}@${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;
  const a = analyzeText(lf).findings.map(key).sort();
  const b = analyzeText(crlf).findings.map(key).sort();
  assert.ok(a.length > 0);
  assert.deepEqual(b, a);
  // Syntax errors too.
  const ea = parse(lf).errors.map((e) => e.nginxLine);
  const eb = parse(crlf).errors.map((e) => e.nginxLine);
  assert.deepEqual(eb, ea);
  checkParse(crlf);
});
