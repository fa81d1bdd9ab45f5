// Symlinked layouts (issue 17, item 4) and the CLI's small hardening points (item 10): Debian's
// sites-enabled/x → ../sites-available/x, sites linked from outside the checked folder, symlink loops,
// control characters in paths, --fix on a read-only file. The CLI and the server run as real processes
// under a memory cap and a timeout; each test asserts the answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLanguageService, defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { scanConfigFiles } from '../../server/src/node/node-fs';
import { LspClient, SERVER } from '../lsp/client';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
let dir = '';

before(() => {
  assert.ok(fs.existsSync(CLI), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-links-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(p: string, text: string): string {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function cappedCli(args: string[], cwd = dir) {
  const cmd = `ulimit -v 1500000; exec "${process.execPath}" "${CLI}" "$@"`;
  const r = spawnSync('bash', ['-c', cmd, 'cli', ...args], { encoding: 'utf8', timeout: 60000, maxBuffer: 1 << 26, cwd });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SITE = 'server {\n    listen 8080;\n    location / {\n        proxy_pass https://backend.example.com;\n    }\n}\n';
const OTHER = 'server {\n    listen 8081;\n    location / {\n        proxy_pass https://other.example.com;\n    }\n}\n';

/** /etc/nginx as Debian lays it out, in a temp folder; verification on (or off) at http level. */
function debian(name: string, verify: 'on' | 'off'): { etc: string; site: string; link: string; outside: string } {
  const base = path.join(dir, name);
  const etc = path.join(base, 'etc/nginx');
  write(path.join(etc, 'nginx.conf'), `events {}\nhttp {\n    proxy_ssl_verify ${verify};\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    proxy_ssl_server_name on;\n    include sites-enabled/*;\n}\n`);
  const site = write(path.join(etc, 'sites-available/default'), SITE);
  const outside = write(path.join(base, 'srv/other'), OTHER);
  fs.mkdirSync(path.join(etc, 'sites-enabled'));
  const link = path.join(etc, 'sites-enabled/default');
  fs.symlinkSync('../sites-available/default', link);
  fs.symlinkSync(outside, path.join(etc, 'sites-enabled/other'));
  return { etc, site, link, outside };
}

type J = { file: string; rule: string; message: string }[];

test('check DIR follows symlinks: a linked site is checked once, under its own name, in nginx.conf\'s context', () => {
  const { etc, site, outside } = debian('scan', 'off');
  const r = cappedCli(['check', '.', '--format', 'json'], etc);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as J;
  const unverified = out.filter((f) => f.rule === 'upstream-tls-unverified');
  // The site reached twice (sites-available/default and the link to it) is reported once, as the real file;
  // the site linked from outside the folder is checked too (it was skipped before).
  assert.deepEqual(unverified.map((f) => f.file).sort(), [path.join(etc, 'sites-enabled/other'), site].sort(), JSON.stringify(out));
  // Each in the context of nginx.conf: the message names the http-level "off".
  for (const f of unverified) assert.match(f.message, /set in http at nginx\.conf:3/);
  assert.ok(fs.existsSync(outside));
});

test('verification on at http level: the real file, checked or scanned, has no false "not verified", and --fix adds nothing', () => {
  const { etc, site } = debian('verified', 'on');
  for (const args of [['check', site], ['check', '.'], ['check', 'sites-available'], ['check', 'sites-available/default']]) {
    const r = cappedCli([...args, '--format', 'json'], etc);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), [], args.join(' '));
  }
  const fixed = cappedCli(['check', site, '--fix'], etc);
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.equal(fs.readFileSync(site, 'utf8'), SITE);
});

test('--fix through a symlinked layout: the real file gets the one missing directive, once; the link stays a link', () => {
  const { etc, site, link } = debian('fix', 'off');
  const r = cappedCli(['check', site, '--fix', '--fail-on', 'none'], etc);
  assert.equal(r.status, 0, r.stderr);
  const text = fs.readFileSync(site, 'utf8');
  // Only the verification switch: the CA and SNI come from http level, so nothing else is added.
  assert.equal(text, SITE.replace('example.com;\n', 'example.com;\n        proxy_ssl_verify on;\n'), text);
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  const again = cappedCli(['check', '.', '--fix', '--fail-on', 'none'], etc);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(fs.readFileSync(site, 'utf8'), text, 'a second run adds nothing');
});

test('symlink loops are reported and never hang: a link to itself, a folder linked into itself', () => {
  const base = path.join(dir, 'loops');
  write(path.join(base, 'nginx.conf'), 'events {}\nhttp { include conf.d/*.conf; }\n');
  write(path.join(base, 'conf.d/site.conf'), SITE);
  fs.symlinkSync('self.conf', path.join(base, 'conf.d/self.conf'));
  fs.symlinkSync('b.conf', path.join(base, 'conf.d/a.conf'));
  fs.symlinkSync('a.conf', path.join(base, 'conf.d/b.conf'));
  fs.symlinkSync('..', path.join(base, 'conf.d/up'));
  fs.symlinkSync('missing.conf', path.join(base, 'conf.d/dangling.conf'));
  const scan = scanConfigFiles([base]);
  assert.deepEqual(scan.files.map((f) => path.relative(base, f)), ['conf.d/site.conf', 'nginx.conf']);
  assert.deepEqual(scan.problems.map((p) => path.basename(p.path)).sort(), ['a.conf', 'b.conf', 'dangling.conf', 'self.conf']);
  const started = Date.now();
  const r = cappedCli(['check', '.', '--format', 'json', '--fail-on', 'none'], base);
  assert.ok(Date.now() - started < 30000);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /conf\.d\/self\.conf: symbolic link loop/);
  assert.match(r.stderr, /conf\.d\/dangling\.conf: dangling symbolic link/);
  // The include glob reaches the loops too: each is a finding that says so, and the site is analysed.
  const out = JSON.parse(r.stdout) as J;
  assert.ok(out.some((f) => f.rule === 'include-not-found' && /Too many levels of symbolic links/.test(f.message)), JSON.stringify(out));
  assert.ok(out.some((f) => f.rule === 'upstream-tls-unverified' && f.file.endsWith('conf.d/site.conf')), JSON.stringify(out));
});

test('an include cycle through a symlink is caught at the link: the file including a link to itself', () => {
  const base = path.join(dir, 'cycle');
  write(path.join(base, 'nginx.conf'), 'events {}\nhttp { include sites/a.conf; }\n');
  write(path.join(base, 'sites/a.conf'), 'include sites/again.conf;\n' + SITE);
  fs.symlinkSync('a.conf', path.join(base, 'sites/again.conf'));
  const r = cappedCli(['check', '.', '--format', 'json', '--fail-on', 'none'], base);
  const cycles = (JSON.parse(r.stdout) as J).filter((f) => f.rule === 'include-cycle');
  assert.equal(cycles.length, 1, r.stdout);
  // nginx.conf → a.conf → again.conf (which is a.conf): reported there, not one expansion of a.conf later.
  assert.equal(cycles[0].message.split(' → ').length, 3, cycles[0].message);
  assert.match(cycles[0].message, /"[^"]*sites\/again\.conf" is already being included/);
});

test('the engine: a file system that resolves links analyses a file under the name its main config includes', () => {
  const files: Record<string, string> = {
    '/etc/nginx/nginx.conf': 'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /ca.pem;\n    proxy_ssl_server_name on;\n    include /etc/nginx/sites-enabled/*;\n}\n',
    '/etc/nginx/sites-available/default': SITE,
    '/etc/nginx/sites-enabled/default': SITE,
  };
  const mem = memoryFileSystem(files);
  const fsWithLinks = { ...mem, realpath: (p: string) => p.replace('/sites-enabled/', '/sites-available/') };
  const candidates = () => Object.keys(files);
  const plain = createLanguageService({ fs: mem, settings: defaultSettings(), candidates });
  // Without identities, the real file is a lone fragment: verification looks off there.
  assert.ok(plain.diagnose('/etc/nginx/sites-available/default').findings.some((f) => f.ruleId === 'upstream-tls-unverified'));
  const svc = createLanguageService({ fs: fsWithLinks, settings: defaultSettings(), candidates });
  const dx = svc.diagnose('/etc/nginx/sites-available/default');
  assert.deepEqual(dx.roots, ['/etc/nginx/nginx.conf']);
  assert.deepEqual(dx.findings, []);
  // An editor buffer of the real file is what the analysis reads through the link; findings and their fixes
  // are told under the real file's name.
  svc.setText('/etc/nginx/sites-available/default', SITE.replace('https://backend.example.com;', 'https://backend.example.com;\n        proxy_ssl_verify off;'));
  const edited = svc.diagnose('/etc/nginx/sites-available/default');
  const f = edited.findings.find((x) => x.ruleId === 'upstream-tls-unverified');
  assert.ok(f, JSON.stringify(edited.findings));
  assert.equal(f.path, '/etc/nginx/sites-available/default');
  assert.ok(f.fixes.length && f.fixes.every((x) => x.edits.every((e) => e.path === '/etc/nginx/sites-available/default')));
  assert.equal(svc.fixesFor('/etc/nginx/sites-available/default', f.id).length, f.fixes.length);
});

test('the server: opening the real file of a linked site finds the nginx.conf that includes the link', async () => {
  const { etc, site } = debian('lsp', 'on');
  const uri = 'file://' + site;
  // The workspace is only sites-available: nginx.conf is found in the folder above the open file.
  for (const folder of [etc, path.join(etc, 'sites-available')]) {
    const client = new LspClient(['--stdio'], ['bash', '-c', `ulimit -v 1500000; exec "${process.execPath}" "$0" "$@"`, SERVER]);
    try {
      await client.initialize(folder);
      client.open(uri, SITE);
      const diags = await client.diagnostics(uri, 1);
      assert.deepEqual(diags.map((d) => d.code), [], `${folder}: ${JSON.stringify(diags)}`);
      const roots = await client.request<{ roots: string[] }>('nginxTlsProxy/roots', { uri });
      assert.deepEqual(roots.roots, [path.join(etc, 'nginx.conf')]);
      // Typing in the real file: the analysis through the link sees the buffer.
      client.change(uri, 2, SITE.replace('https://backend.example.com;', 'https://backend.example.com;\n        proxy_ssl_verify off;'));
      const after2 = await client.diagnostics(uri, 2);
      assert.ok(after2.some((d) => d.code === 'upstream-tls-unverified'), JSON.stringify(after2));
    } finally {
      await client.stop();
    }
  }
});

test('text output escapes control characters in paths: one finding, one line', () => {
  const d = path.join(dir, 'ctl\nname\x1b[31m');
  const p = write(path.join(d, 'nginx.conf'), 'events {}\nhttp {\n    server {\n        listen 8080;\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n');
  const r = cappedCli(['check', p]);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.length >= 2);
  for (const l of lines.slice(0, -1)) assert.match(l, /^ctl\\x0aname\\x1b\[31m\/nginx\.conf:\d+:\d+: /, l);
  assert.ok(!r.stdout.includes('\x1b'));
  // The escaped form is only for display: JSON keeps the real path.
  const j = JSON.parse(cappedCli(['check', p, '--format', 'json']).stdout) as J;
  assert.equal(j[0].file, p);
  // A path given on the command line that cannot be read is one escaped line too.
  const missing = cappedCli(['check', 'no\nsuch.conf']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no\\x0asuch\.conf: no such file or directory/);
});

test('--fix with a read-only file: a clear error line, no stack, and no file written at all', () => {
  const base = path.join(dir, 'readonly');
  const a = write(path.join(base, 'a/nginx.conf'), 'events {}\nhttp {\n    server {\n        listen 8080;\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n');
  const b = write(path.join(base, 'b/nginx.conf'), 'events {}\nhttp {\n    server {\n        listen 8081;\n        location / { proxy_pass https://b.example.com; }\n    }\n}\n');
  const before = [fs.readFileSync(a, 'utf8'), fs.readFileSync(b, 'utf8')];
  fs.chmodSync(b, 0o444);
  const r = cappedCli(['check', a, b, '--fix']);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /b\/nginx\.conf: cannot write \((read-only file, mode 0444|permission denied)\)/);
  assert.match(r.stderr, /no file was written \(2 would have changed\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual([fs.readFileSync(a, 'utf8'), fs.readFileSync(b, 'utf8')], before);
  assert.deepEqual(fs.readdirSync(path.join(base, 'a')), ['nginx.conf'], 'no temporary file left behind');
  // Writable again: both are fixed.
  fs.chmodSync(b, 0o644);
  const ok = cappedCli(['check', a, b, '--fix', '--fail-on', 'none']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(fs.readFileSync(a, 'utf8'), /proxy_ssl_verify on;/);
  assert.match(fs.readFileSync(b, 'utf8'), /proxy_ssl_verify on;/);
  assert.equal(fs.statSync(b).mode & 0o777, 0o644);
});
