// The built CLI's `format` command as a separate process: stdout, --write, --check, --diff, exit codes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
let dir = '';

function cli(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8', timeout: 120000, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const MESSY = 'events{}\nhttp {server   {listen    80 ;  # plain\nlocation / {proxy_pass http://a;}}}\n';
const CLEAN = 'events {}\nhttp {\n    server {\n        listen 80; # plain\n        location / {\n            proxy_pass http://a;\n        }\n    }\n}\n';

before(() => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-format-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('format FILE prints the canonical layout on stdout and leaves the file alone', () => {
  const f = write('one.conf', MESSY);
  const r = cli(['format', 'one.conf']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, CLEAN);
  assert.equal(fs.readFileSync(f, 'utf8'), MESSY);
  const tabs = cli(['format', '--tabs', 'one.conf']);
  assert.equal(tabs.stdout, CLEAN.replace(/^((?: {4})+)/gm, (m) => '\t'.repeat(m.length / 4)));
  assert.equal(cli(['format', '--indent', '2', 'one.conf']).stdout, CLEAN.replace(/^((?: {4})+)/gm, (m) => ' '.repeat(m.length / 2)));
});

test('format --check lists the files that would change and exits 1; 0 when all are formatted', () => {
  write('check/a.conf', MESSY);
  write('check/b.conf', CLEAN);
  const r = cli(['format', '--check', 'check/a.conf', 'check/b.conf']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, 'check/a.conf\n');
  assert.match(r.stderr, /1 of 2 file\(s\) would be reformatted/);
  // A folder stands for its configs.
  assert.equal(cli(['format', '--check', 'check']).stdout, 'check/a.conf\n');
  const ok = cli(['format', '--check', 'check/b.conf']);
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout, '');
});

test('format --diff prints a unified diff and writes nothing; --write rewrites only what changes', () => {
  const a = write('w/a.conf', MESSY);
  const b = write('w/b.conf', CLEAN);
  const before = fs.statSync(b).mtimeMs;
  const d = cli(['format', '--diff', 'w/a.conf', 'w/b.conf']);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /^--- w\/a\.conf\n\+\+\+ w\/a\.conf\n@@ -1,3 \+1,9 @@\n-events\{\}\n/);
  assert.match(d.stdout, /\n\+        listen 80; # plain\n/);
  assert.ok(!d.stdout.includes('b.conf'));
  assert.equal(fs.readFileSync(a, 'utf8'), MESSY);
  fs.chmodSync(a, 0o640);
  const w = cli(['format', '--write', 'w/a.conf', 'w/b.conf']);
  assert.equal(w.status, 0, w.stderr);
  assert.equal(fs.readFileSync(a, 'utf8'), CLEAN);
  assert.equal(fs.statSync(a).mode & 0o777, 0o640, 'the mode is kept');
  assert.equal(fs.statSync(b).mtimeMs, before, 'a formatted file is not rewritten');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'w')).sort(), ['a.conf', 'b.conf'], 'no temporary file is left');
  assert.equal(cli(['format', '--check', 'w']).status, 0);
});

test('format --write keeps a latin1 file latin1 and CRLF line endings', () => {
  const bytes = Buffer.from('http {\r\nserver {\r\n# caf\xe9\r\nlisten 80;}}\r\n', 'latin1');
  const f = write('latin1.conf', bytes);
  assert.equal(cli(['format', '--write', 'latin1.conf']).status, 0);
  assert.deepEqual(fs.readFileSync(f), Buffer.from('http {\r\n    server {\r\n        # caf\xe9\r\n        listen 80;\r\n    }\r\n}\r\n', 'latin1'));
});

test('a file with syntax errors is not formatted: the reason, exit 2, the other files still done', () => {
  write('err/broken.conf', 'http {\n    listen 80\n}\n');
  const good = write('err/good.conf', MESSY);
  const r = cli(['format', '--write', 'err/broken.conf', 'err/good.conf']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /err\/broken\.conf: not formatted: the config has syntax errors; line 2: unexpected "\}": the directive "listen" is not terminated by ";"/);
  assert.equal(fs.readFileSync(path.join(dir, 'err/broken.conf'), 'utf8'), 'http {\n    listen 80\n}\n');
  assert.equal(fs.readFileSync(good, 'utf8'), CLEAN);
  assert.match(r.stderr, /\n1 file\(s\) reformatted, 0 already formatted, 1 not looked at \(see above\)\n$/);
  const check = cli(['format', '--check', 'err/broken.conf', 'err/good.conf']);
  assert.equal(check.status, 2);
  // The broken file is neither formatted already nor to be reformatted: it was not looked at.
  assert.match(check.stderr, /\n1 file\(s\) already formatted, 1 not looked at \(see above\)\n$/);
  assert.equal(cli(['format', 'err/broken.conf']).stdout, '', 'nothing on stdout rather than a wrong config');
});

test('format usage errors exit 2 with a one-line reason; --help prints the usage', () => {
  write('u/a.conf', CLEAN);
  write('u/b.conf', CLEAN);
  for (const [args, re] of [
    [['format'], /at least one FILE/],
    [['format', 'u/a.conf', 'u/b.conf'], /prints one FILE/],
    [['format', '--write', '--check', 'u/a.conf'], /cannot be combined/],
    [['format', '--indent', 'x', 'u/a.conf'], /--indent needs a number/],
    [['format', '--bogus', 'u/a.conf'], /unknown option --bogus/],
    [['format', '--check', 'u/missing.conf'], /u\/missing\.conf: no such file or directory/],
  ] as [string[], RegExp][]) {
    const r = cli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
  }
  const h = cli(['format', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--check\s+list the files/);
});

test('the diff library is bundled into dist/cli.js (the package has no runtime dependencies)', () => {
  const src = fs.readFileSync(path.join(ROOT, 'dist/cli.js'), 'utf8');
  assert.ok(!/require\(["']diff["']\)/.test(src), 'diff must be bundled, not required at run time');
  // A message of the library's own (names do not survive the production build's minifier; its text does).
  assert.match(src, /No newline at end of file/);
});
