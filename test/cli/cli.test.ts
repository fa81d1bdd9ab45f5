// The built CLI as a separate process, on real configs: formats, exit codes, options, --fix, parse, rules.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireShared, sharedPath } from '../support/shared';

const ROOT = path.resolve(__dirname, '../..');
const SEED = path.join(ROOT, 'examples/seed-complete-example/nginx.conf');
const CORPUS = sharedPath('corpus/files');
let dir = '';

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8', timeout: 180000, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const UNVERIFIED = 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n        }\n    }\n}\n';

before(() => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-cli-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('text output is compiler-style, with a summary; exit 1 on findings at the threshold', () => {
  const r = cli(['check', SEED, '--nginx-version', '1.22']);
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  const summary = lines.pop()!;
  assert.match(summary, /^\d+ finding\(s\): \d+ error, \d+ warning, \d+ info, \d+ hint$/);
  for (const l of lines) assert.match(l, /^examples\/seed-complete-example\/nginx\.conf:\d+:\d+: (error|warning|information|hint): .+ \[[a-z-]+\]$/);
  assert.ok(lines.some((l) => /:16:13: warning: .*\[tls-weak-protocols\]$/.test(l)));
});

test('exit codes: 0 clean, 0 below --fail-on, 1 at it, 2 for usage and I/O errors with a one-line message', () => {
  const clean = write('clean/nginx.conf', 'events {}\nhttp {\n    server {\n        listen 8080;\n        location / { return 200; }\n    }\n}\n');
  assert.equal(cli(['check', clean]).status, 0);
  const warn = write('warn/nginx.conf', UNVERIFIED);
  assert.equal(cli(['check', warn]).status, 1);
  assert.equal(cli(['check', warn, '--fail-on', 'error']).status, 0);
  assert.equal(cli(['check', warn, '--fail-on', 'none']).status, 0);
  for (const [args, msg] of [
    [['check', warn, '--bogus'], /unknown option --bogus/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['check', path.join(dir, 'missing.conf')], /missing\.conf: no such file or directory/],
    [['check', warn, '--rule', 'no-such-rule=off'], /no rule "no-such-rule"/],
    [['check', warn, '--rule', 'upstream-tls-unverified'], /not ID=off\|error\|warning\|info\|hint/],
    [['check', warn, '--nginx-version', 'latest'], /"latest" is not a version/],
    [['check', warn, '--format', 'xml'], /"xml" is not text, json or sarif/],
  ] as [string[], RegExp][]) {
    const r = cli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr.split('\n')[0], msg);
    assert.equal(r.stdout, '');
  }
});

test('JSON output carries the fields of the diagnostics, 1-based, matching the text output', () => {
  const f = write('json/nginx.conf', UNVERIFIED);
  const json = JSON.parse(cli(['check', f, '--format', 'json']).stdout);
  const u = json.find((x: any) => x.rule === 'upstream-tls-unverified');
  assert.deepEqual(Object.keys(u).sort(), ['cis', 'column', 'endColumn', 'endLine', 'file', 'fixes', 'line', 'message', 'rule', 'securitySeverity', 'severity', 'tags']);
  assert.equal(u.line, 5);
  assert.equal(u.column, 24);
  assert.equal(u.file, f);
  assert.equal(u.fixes[0].safe, true);
  const text = cli(['check', f]).stdout;
  assert.ok(text.includes(`:5:24: warning: ${u.message} [upstream-tls-unverified]`));
});

test('--rule turns a rule off or changes its severity; --nginx-version changes version-dependent findings', () => {
  const f = write('rule/nginx.conf', UNVERIFIED);
  const off = JSON.parse(cli(['check', f, '--format', 'json', '--rule', 'upstream-tls-unverified=off']).stdout);
  assert.equal(off.filter((x: any) => x.rule === 'upstream-tls-unverified').length, 0);
  const err = cli(['check', f, '--format', 'json', '--rule', 'upstream-tls-unverified=error', '--fail-on', 'error']);
  assert.equal(err.status, 1);
  assert.equal(JSON.parse(err.stdout).find((x: any) => x.rule === 'upstream-tls-unverified').severity, 'error');
  const tlsServer = write('version/nginx.conf', 'events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;\n    }\n}\n');
  const old = JSON.parse(cli(['check', tlsServer, '--format', 'json', '--nginx-version', '1.22']).stdout);
  const cur = JSON.parse(cli(['check', tlsServer, '--format', 'json', '--nginx-version', '1.30']).stdout);
  assert.equal(old.filter((x: any) => x.rule === 'tls-weak-protocols').length, 1);
  assert.equal(cur.filter((x: any) => x.rule === 'tls-weak-protocols').length, 0);
});

test('--fix rewrites in place; --dry-run prints a diff and writes nothing; --trusted-ca is used', () => {
  const f = write('fix/nginx.conf', UNVERIFIED);
  const dry = cli(['check', f, '--fix', '--dry-run', '--trusted-ca', '/x/ca.pem']);
  assert.match(dry.stdout, /^--- .*nginx\.conf\n\+\+\+ .*nginx\.conf\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
  assert.match(dry.stdout, /\n\+            proxy_ssl_verify on;\n\+            proxy_ssl_trusted_certificate \/x\/ca\.pem;\n/);
  assert.equal(fs.readFileSync(f, 'utf8'), UNVERIFIED);
  cli(['check', f, '--fix', '--trusted-ca', '/x/ca.pem']);
  const fixed = fs.readFileSync(f, 'utf8');
  assert.match(fixed, /proxy_ssl_trusted_certificate \/x\/ca\.pem;/);
  const after = JSON.parse(cli(['check', f, '--format', 'json']).stdout);
  assert.equal(after.filter((x: any) => String(x.rule).startsWith('upstream-tls-')).length, 0);
});

test('--fix --dry-run exits as --fix would: by the findings left once the fixes are in', () => {
  // Everything fixable: nothing is left, exit 0 (and the file is unchanged).
  const f = write('dry-exit/clean-after/nginx.conf', UNVERIFIED);
  const dry = cli(['check', f, '--fix', '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /\+            proxy_ssl_verify on;/);
  assert.equal(fs.readFileSync(f, 'utf8'), UNVERIFIED);
  // Something left: a second upstream by IP address, whose verification --fix does not turn on (nginx would
  // check the certificate against the IP and fail every handshake): the first is fixed, the second is left.
  const ip = write('dry-exit/left/nginx.conf', UNVERIFIED.replace('        location / {', '        location /ip { proxy_pass https://10.0.0.7:8443; }\n        location / {'));
  const left = cli(['check', ip, '--fix', '--dry-run']);
  assert.equal(left.status, 1, left.stderr);
  assert.match(left.stdout, /\+            proxy_ssl_verify on;/);
  assert.doesNotMatch(left.stdout, /10\.0\.0\.7.*proxy_ssl_verify/);
  assert.equal(cli(['check', ip, '--fix', '--dry-run', '--fail-on', 'none']).status, 0);
  assert.equal(cli(['check', ip, '--fix', '--dry-run', '--fail-on', 'error']).status, 0);
  // Left over only by a rule --fix does not work from (weak protocols, a warning): still exit 1, and 0 below it.
  const weak = write('dry-exit/weak/nginx.conf', UNVERIFIED.replace('    server {\n', '    server {\n        ssl_protocols TLSv1 TLSv1.2;\n'));
  const weakDry = cli(['check', weak, '--fix', '--dry-run']);
  assert.equal(weakDry.status, 1, weakDry.stderr);
  assert.match(weakDry.stdout, /\+            proxy_ssl_verify on;/);
  assert.equal(cli(['check', weak, '--fix', '--dry-run', '--fail-on', 'error']).status, 0);
  assert.equal(cli(['check', weak, '--format', 'json']).status, 1);
});

test('--fix does not turn on verification that no certificate could pass: an IP address, a group named like a host', () => {
  // What nginx would check: the IP (an IP SAN does not satisfy it) or the group's name "app": 502 on every
  // request. The fix is offered (the editor's first step) but not applied unasked, and says what is left.
  const conf = 'events {}\nhttp {\n    upstream app { server 10.0.0.1:8443; }\n    upstream named { server api.example.com:8443; }\n    server {\n        location /a { proxy_pass https://10.0.0.7:8443; }\n        location /b { proxy_pass https://app; }\n        location /c { proxy_pass https://named; }\n    }\n}\n';
  const f = write('fix-unmatchable/nginx.conf', conf);
  type Out = { rule: string; fixes: { title: string; safe: boolean }[] };
  const json: Out[] = JSON.parse(cli(['check', f, '--format', 'json']).stdout);
  const fixes = json.filter((x) => x.rule === 'upstream-tls-unverified').map((x) => x.fixes[0]);
  assert.deepEqual(fixes.map((x) => x.safe), [false, false, true]);
  assert.match(fixes[0].title, /then set proxy_ssl_name to the name in the certificate/);
  cli(['check', f, '--fix']);
  const after = fs.readFileSync(f, 'utf8');
  assert.match(after, /location \/a \{ proxy_pass https:\/\/10\.0\.0\.7:8443; \}/);
  assert.match(after, /location \/b \{ proxy_pass https:\/\/app; \}/);
  // The group with a server by name: that name is checked (proxy_ssl_name), and the fix is applied.
  assert.match(after, /proxy_pass https:\/\/named; proxy_ssl_verify on;.*proxy_ssl_name api\.example\.com;/);
});

test('--fix keeps the bytes of a latin1 file and the CRLF line endings', () => {
  const latin = Buffer.from('# caf\xe9\nevents {}\nhttp {\n    server {\n        location / { proxy_pass https://a.example.com; } # d\xe9j\xe0\n    }\n}\n', 'latin1');
  const f = write('latin1/nginx.conf', latin);
  cli(['check', f, '--fix']);
  const out = fs.readFileSync(f);
  assert.ok(out.includes(Buffer.from('# caf\xe9\n', 'latin1')) && out.includes(Buffer.from('# d\xe9j\xe0', 'latin1')));
  assert.ok(out.toString('latin1').includes('proxy_ssl_verify on;'));
  const crlf = write('crlf/nginx.conf', UNVERIFIED.replace(/\n/g, '\r\n'));
  cli(['check', crlf, '--fix']);
  const t = fs.readFileSync(crlf, 'utf8');
  assert.ok(t.includes('proxy_ssl_verify on;\r\n'));
  assert.ok(!/[^\r]\n/.test(t), 'every line ends with CRLF');
});

test('a folder or --root: a site file is analysed inside its main config', () => {
  write('tree/nginx.conf', 'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    include conf.d/*.conf;\n}\n');
  const site = write('tree/conf.d/site.conf', 'server {\n    location / { proxy_pass https://a.example.com; }\n}\n');
  const folder = JSON.parse(cli(['check', path.join(dir, 'tree'), '--format', 'json']).stdout);
  assert.equal(folder.filter((x: any) => x.rule === 'upstream-tls-unverified').length, 0);
  const alone = JSON.parse(cli(['check', site, '--format', 'json', '--root', path.join(dir, 'missing-root.conf')]).stdout);
  assert.equal(alone.filter((x: any) => x.rule === 'upstream-tls-unverified').length, 1, 'a root that does not include it: analysed alone');
  const rooted = JSON.parse(cli(['check', site, '--format', 'json', '--root', path.join(dir, 'tree/nginx.conf')]).stdout);
  assert.equal(rooted.filter((x: any) => x.rule === 'upstream-tls-unverified').length, 0);
});

test('parse --format json: crossplane-like payload with includes resolved', () => {
  write('parse/nginx.conf', 'events {}\nhttp {\n    include sites/*.conf;\n}\n');
  write('parse/sites/a.conf', 'server {\n    listen 80;\n}\n');
  const r = cli(['parse', path.join(dir, 'parse/nginx.conf'), '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.status, 'ok');
  assert.equal(j.config.length, 2);
  const http = j.config[0].parsed.find((d: any) => d.directive === 'http');
  assert.equal(http.line, 2);
  const inc = http.block[0];
  assert.equal(inc.directive, 'include');
  assert.deepEqual(inc.args, ['sites/*.conf']);
  assert.deepEqual(inc.includes, [1]);
  assert.equal(j.config[1].parsed[0].directive, 'server');
  assert.deepEqual(j.config[1].parsed[0].block[0], { directive: 'listen', line: 2, args: ['80'] });
});

test('rules: one line per rule, each with its documentation page', () => {
  const r = cli(['rules']);
  assert.equal(r.status, 0);
  const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.ok(rows.length >= 20);
  for (const [id, sev, title] of rows) {
    assert.match(id, /^[a-z]+(-[a-z]+)*$/);
    assert.match(sev, /^(error|warning|information|hint)$/);
    assert.ok(title.length > 5);
    assert.ok(fs.existsSync(path.join(ROOT, 'docs/rules', id + '.md')), id);
  }
});

test('the whole real-world corpus in one run: valid JSON, exit 0 with --fail-on none', (t) => {
  if (!requireShared(t, 'corpus/files')) return;
  const r = cli(['check', CORPUS, '--format', 'json', '--fail-on', 'none']);
  assert.equal(r.status, 0, r.stderr.slice(0, 2000));
  const j = JSON.parse(r.stdout);
  assert.ok(Array.isArray(j) && j.length > 100);
});
