// Hostile and broken workspaces: pseudo-files, devices and FIFOs behind an include, include bombs, and
// fixes on statements that are not terminated. The CLI and the server run as real processes under a memory
// cap and a timeout, and each test asserts the answer, not only that the process survived.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { analyze } from '../support/engine';
import { fixesThatHold } from '../../server/src/engine/fixes/validate';
import { selectSafeFixes } from '../../server/src/engine/fixes/select';
import { readConfigFile } from '../../server/src/node/node-fs';
import { applyLspEdits, LspClient, SERVER } from '../lsp/client';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
let dir = '';

before(() => {
  assert.ok(fs.existsSync(CLI), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-hostile-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

/** The CLI under a 1.5 GB address-space cap and a 60 s timeout (a runaway read fails the test, not the machine). */
function cappedCli(args: string[]) {
  const cmd = `ulimit -v 1500000; exec "${process.execPath}" "${CLI}" "$@"`;
  const r = spawnSync('bash', ['-c', cmd, 'cli', ...args], { encoding: 'utf8', timeout: 60000, maxBuffer: 1 << 26 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const mainWith = (include: string) => `events {}\nhttp {\n    include ${include};\n    server {\n        listen 8080;\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n`;

test('an include of a procfs file is refused with the reason, and the rest is analysed', () => {
  if (!fs.existsSync('/proc/self/pagemap')) return void test.skip?.('no /proc/self/pagemap on this system');
  for (const target of ['/proc/self/pagemap', '/proc/self/*']) {
    const conf = write(`procfs-${target.length}/nginx.conf`, mainWith(target));
    const r = cappedCli(['check', conf, '--format', 'json']);
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { rule: string; message: string }[];
    const notRead = out.filter((f) => f.rule === 'include-not-found');
    assert.ok(notRead.length >= 1, JSON.stringify(out));
    assert.match(notRead[0].message, /procfs pseudo-file|not a regular file/);
    // The analysis went on past the include.
    assert.ok(out.some((f) => f.rule === 'upstream-tls-unverified'));
  }
});

test('a FIFO, a character device and a symlink to /dev/zero are refused at once, never read', () => {
  const fifo = path.join(dir, 'fifo.conf');
  execFileSync('mkfifo', [fifo]);
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero.conf'));
  for (const [p, why] of [[fifo, /a FIFO/], ['/dev/zero', /a character device/], [path.join(dir, 'zero.conf'), /a character device/]] as [string, RegExp][]) {
    const r = readConfigFile(p);
    assert.ok('error' in r && why.test(r.error), JSON.stringify(r));
    // As a path given to the CLI: an error line and exit 2, not silence and 0.
    const c = cappedCli(['check', p]);
    assert.equal(c.status, 2, c.stdout + c.stderr);
    assert.match(c.stderr, why);
    // As an include: a finding on the include that says what the path is.
    const conf = write(`dev-${path.basename(p)}/nginx.conf`, mainWith(p));
    const j = JSON.parse(cappedCli(['check', conf, '--format', 'json']).stdout) as { rule: string; message: string }[];
    assert.ok(j.some((f) => f.rule === 'include-not-found' && why.test(f.message)), JSON.stringify(j));
  }
  const parsed = cappedCli(['parse', fifo]);
  assert.equal(parsed.status, 2);
  assert.match(parsed.stderr, /a FIFO/);
});

test('an include bomb stops at the expansion cap with an include-limit finding, in bounded memory', () => {
  const big = 'add_header X-A "' + 'a'.repeat(300) + '";\n';
  write('bomb/b.conf', big.repeat(1200)); // ~380 KB
  const conf = write('bomb/nginx.conf', 'events {}\nhttp {\n    server {\n        listen 8080;\n' + '        include b.conf;\n'.repeat(2000) + '    }\n}\n');
  const r = cappedCli(['check', conf, '--format', 'json', '--fail-on', 'none']);
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { rule: string; message: string; line: number }[];
  const limit = out.filter((f) => f.rule === 'include-limit');
  assert.equal(limit.length, 1, JSON.stringify(limit));
  assert.match(limit[0].message, /expand|directives/);
});

// The fix must not "work" by making the next lines arguments of a statement whose ";" is missing.
const UNTERMINATED = 'events {}\nhttp {\n    server {\n        listen 8080;\n        location / {\n            proxy_pass https://backend.example.com\n        }\n    }\n}\n';

test('the verification fix on a pass directive missing its ";" ends the statement first, and holds', () => {
  const P = '/t/nginx.conf';
  const a = analyze(P, memoryFileSystem({ [P]: UNTERMINATED }), defaultSettings());
  const f = a.findings.find((x) => x.ruleId === 'upstream-tls-unverified');
  assert.ok(f, 'the finding is there despite the syntax error');
  const fix = f.fixes.find((x) => x.isPreferred)!;
  assert.ok(fix);
  assert.equal(fixesThatHold(P, UNTERMINATED, [fix]).length, 1);
  const fixed = applyEdits(UNTERMINATED, fix.edits);
  assert.match(fixed, /proxy_pass https:\/\/backend\.example\.com;\n {12}proxy_ssl_verify on;\n/);
  const after = analyze(P, memoryFileSystem({ [P]: fixed }), defaultSettings());
  assert.deepEqual(after.findings.filter((x) => x.ruleId === 'syntax-error' || x.ruleId === 'upstream-tls-unverified'), []);
});

test('a fix whose statements would be swallowed by an unterminated neighbour is dropped by the check', () => {
  const P = '/t/nginx.conf';
  // A hand-made fix of the old, wrong shape: inserted after the line of the unterminated pass.
  const at = UNTERMINATED.indexOf('\n', UNTERMINATED.indexOf('backend.example.com'));
  const bad = { title: 'bad', isPreferred: true, safe: true, edits: [{ path: P, start: at, end: at, newText: '\n            proxy_ssl_verify on;' }] };
  assert.deepEqual(fixesThatHold(P, UNTERMINATED, [bad]), []);
  const good = { title: 'good', isPreferred: true, safe: true, edits: [{ path: P, start: at, end: at, newText: ';\n            proxy_ssl_verify on;' }] };
  assert.equal(fixesThatHold(P, UNTERMINATED, [good]).length, 1);
  // And selectSafeFixes + the check keep the engine's own fix.
  const a = analyze(P, memoryFileSystem({ [P]: UNTERMINATED }), defaultSettings());
  assert.ok(fixesThatHold(P, UNTERMINATED, selectSafeFixes(a.findings)).length >= 1);
});

test('check --fix leaves a file with syntax errors alone and says why; a clean file is fixed once', () => {
  const broken = write('fix-broken/nginx.conf', UNTERMINATED);
  const r = cappedCli(['check', broken, '--fix']);
  assert.match(r.stderr, /not fixed: it has syntax errors/);
  assert.equal(fs.readFileSync(broken, 'utf8'), UNTERMINATED);
  const clean = write('fix-clean/nginx.conf', UNTERMINATED.replace('example.com\n', 'example.com;\n'));
  const c = cappedCli(['check', clean, '--fix', '--fail-on', 'none']);
  assert.equal(c.status, 0, c.stderr);
  const text = fs.readFileSync(clean, 'utf8');
  assert.equal(text.match(/proxy_ssl_verify on;/g)?.length, 1, text);
});

test('the server: a procfs include in an unrelated main config does not take it down; quick fixes hold', async () => {
  const ws = path.join(dir, 'lsp-ws');
  write('lsp-ws/nginx.conf', mainWith('/proc/self/pagemap'));
  const text = 'server {\n    listen 8081;\n    location / {\n        proxy_pass https://backend.example.com\n    }\n}\n';
  const site = write('lsp-ws/conf.d/site.conf', text);
  const uri = 'file://' + site;
  // Under a memory cap: reading the pagemap would blow through it and end the process.
  const client = new LspClient(['--stdio'], ['bash', '-c', `ulimit -v 1500000; exec "${process.execPath}" "$0" "$@"`, SERVER]);
  try {
    await client.initialize(ws);
    client.open(uri, text);
    const diags = await client.diagnostics(uri, 1);
    assert.ok(diags.some((d) => d.code === 'syntax-error'), JSON.stringify(diags));
    const unverified = diags.find((d) => d.code === 'upstream-tls-unverified');
    assert.ok(unverified, JSON.stringify(diags));
    const actions = await client.request<any[]>('textDocument/codeAction', { textDocument: { uri }, range: unverified.range, context: { diagnostics: [unverified] } });
    assert.ok(actions.length >= 1);
    for (const a of actions) {
      const out = applyLspEdits(text, a.edit.changes[uri]);
      // Whatever is offered keeps the statement whole: the pass is terminated before anything follows it.
      assert.match(out, /proxy_pass https:\/\/backend\.example\.com;/, out);
    }
    const fixAll = await client.request<any[]>('textDocument/codeAction', { textDocument: { uri }, range: unverified.range, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.deepEqual(fixAll, [], 'fix-all leaves a file with syntax errors alone');
    assert.equal(client.exited, null);
  } finally {
    await client.stop();
  }
});
