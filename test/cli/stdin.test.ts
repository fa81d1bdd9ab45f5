// `check -`: a config on standard input, analysed as the file --stdin-filename names (or <stdin> in the current
// folder): in the context of a main config that would include a file of that name, in every output format,
// with --fix --dry-run's diff; the combinations that cannot work are usage errors (exit 2).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
let dir = '';

function cli(args: string[], input: string) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], {
    cwd: dir,
    input,
    encoding: 'utf8',
    timeout: 60000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SITE = 'server {\n    listen 81;\n    location / {\n        proxy_pass https://b.example.com;\n    }\n}\n';
const MAIN =
  'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n' +
  '    proxy_ssl_server_name on;\n    include sites-enabled/*.conf;\n}\n';

before(() => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-stdin-'));
  fs.mkdirSync(path.join(dir, 'etc/sites-enabled'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc/nginx.conf'), MAIN);
  fs.writeFileSync(path.join(dir, 'etc/sites-enabled/old.conf'), SITE.replace('81', '80'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('check - analyses standard input as <stdin> in the current folder', () => {
  const r = cli(['check', '-'], 'events {}\nhttp {\n' + SITE + '}\n');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^<stdin>:6:20: warning: TLS to "https:\/\/b\.example\.com" is not verified/m);
  const json = JSON.parse(cli(['check', '--format', 'json', '-'], SITE).stdout) as { file: string; rule: string }[];
  assert.ok(
    json.some((f) => f.rule === 'upstream-tls-unverified' && f.file === path.join(dir, '<stdin>')),
    JSON.stringify(json),
  );
  const sarif = JSON.parse(cli(['check', '--format', 'sarif', '-'], SITE).stdout) as {
    runs: { results: { ruleId: string }[] }[];
  };
  assert.ok(sarif.runs[0].results.some((x) => x.ruleId === 'upstream-tls-unverified'));
});

test('--stdin-filename puts it where a main config includes it, even under a name no file on disk has yet', () => {
  for (const name of ['etc/sites-enabled/old.conf', 'etc/sites-enabled/new.conf']) {
    // nginx.conf turns verification on around every site it includes: in that context nothing is wrong.
    const r = cli(['check', '--stdin-filename', name, '-'], SITE);
    assert.equal(r.stdout, '', name);
    assert.equal(r.status, 0, name);
  }
  // The glob (*.conf) does not match this name: it is analysed alone, and verification is off.
  const alone = cli(['check', '--stdin-filename', 'etc/sites-enabled/new.txt', '-'], SITE);
  assert.equal(alone.status, 1);
  assert.match(
    alone.stdout,
    /^etc\/sites-enabled\/new\.txt:4:20: warning: TLS to "https:\/\/b\.example\.com" is not verified/m,
  );
  // What is on disk under that name is not read: standard input stands for it.
  const old = cli(
    ['check', '--stdin-filename', 'etc/sites-enabled/old.conf', '-'],
    SITE.replace('listen 81;', 'listen 81;\n    proxy_ssl_verify off;'),
  );
  assert.equal(old.status, 1);
  assert.match(
    old.stdout,
    /^etc\/sites-enabled\/old\.conf:5:20: warning: TLS to "https:\/\/b\.example\.com" is not verified/m,
  );
});

test('--fix --dry-run - prints the diff under the name; what cannot work is a usage error', () => {
  const r = cli(
    ['check', '--fix', '--dry-run', '--stdin-filename', 'site.conf', '-'],
    'events {}\nhttp {\n' + SITE + '}\n',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^--- ${path.join(dir, 'site.conf').replace(/[.]/g, '\\.')}\n`));
  assert.match(r.stdout, /^\+ +proxy_ssl_verify on;$/m);
  for (const [args, why] of [
    [['check', '-', 'other.conf'], /standard input\) is checked alone/],
    [['check', '--fix', '-'], /--fix cannot write fixes back to standard input/],
    [
      ['check', '--stdin-filename', 'x.conf', 'etc/nginx.conf'],
      /--stdin-filename names the config read from standard input/,
    ],
  ] as const) {
    const u = cli([...args], SITE);
    assert.equal(u.status, 2, args.join(' '));
    assert.match(u.stderr, why, args.join(' '));
  }
});
