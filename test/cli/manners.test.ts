// The CLI's manners: --help/-h, help <command>, --version, options before or after the paths, `--`, errors
// naming the bad option (exit 2), colour only on a terminal and never with NO_COLOR, a reader that goes away
// (`| head`) ending the output quietly.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const UNVERIFIED =
  'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n        }\n    }\n}\n';
let dir = '';
let conf = '';

function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir) {
  const base = { ...process.env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60000,
    env: { ...base, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  assert.ok(fs.existsSync(CLI), 'npm run build first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-manners-'));
  conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, UNVERIFIED);
  fs.writeFileSync(path.join(dir, '-odd.conf'), UNVERIFIED);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--help, -h and help print the commands to stdout and exit 0', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const r = cli(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^usage: nginx-tls-proxy <command>/);
    for (const c of ['check', 'parse', 'rules', 'help']) assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`), c);
  }
});

test('a help row never runs into its description: a head too wide for its column puts the text on the next line', () => {
  const rows = cli(['--help']).stdout.split('\n');
  const start = rows.indexOf('commands:');
  assert.ok(start >= 0);
  const commandRows = rows.slice(start + 1, rows.indexOf('', start));
  for (const c of ['format', 'report'])
    assert.ok(
      commandRows.some((r) => r.startsWith(`  ${c} `)),
      c,
    );
  for (let i = 0; i < commandRows.length; i++) {
    const row = commandRows[i];
    if (row.startsWith('   ')) continue;
    // The description starts in column 37 after at least two spaces, or the head fills the row alone and
    // the next row holds the description, indented to that column.
    if (row.length > 36 && row.slice(34, 36) === '  ' && row[36] !== ' ') continue;
    assert.ok(/^ {36}\S/.test(commandRows[i + 1] ?? ''), `row ${JSON.stringify(row)} runs into its description`);
  }
});

test('help <command> and <command> --help describe that command and its options', () => {
  for (const args of [
    ['help', 'check'],
    ['check', '--help'],
    ['check', '-h'],
    ['-h', 'check'],
  ]) {
    const r = cli(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /^usage: nginx-tls-proxy check \[options\] \[paths\.\.\.\]/);
    for (const o of [
      '--root',
      '--nginx-version',
      '--format',
      '--fail-on',
      '--rule',
      '--trusted-ca',
      '--extra-directive',
      '--fix',
      '--dry-run',
    ])
      assert.ok(r.stdout.includes(o), `${args.join(' ')}: ${o}`);
  }
  const parse = cli(['help', 'parse']);
  assert.match(parse.stdout, /^usage: nginx-tls-proxy parse/);
  assert.ok(!parse.stdout.includes('--fail-on'));
  const bad = cli(['help', 'frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^nginx-tls-proxy: unknown command "frobnicate"/);
});

test('--version and -V print the package version', () => {
  for (const args of [['--version'], ['-V'], ['check', '--version']]) {
    const r = cli(args);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `nginx-tls-proxy ${PKG.version}\n`);
  }
});

test('no command: the help on stderr, exit 2', () => {
  const r = cli([]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^usage: /);
});

test('options before or after the paths, before the command, with = or a space: the same result', () => {
  const variants = [
    ['check', conf, '--format', 'json', '--fail-on', 'none'],
    ['check', '--format', 'json', '--fail-on', 'none', conf],
    ['check', '--format=json', conf, '--fail-on=none'],
    ['--format', 'json', 'check', '--fail-on', 'none', conf],
    ['check', '-f', 'json', '--fail-on', 'none', '--', conf],
  ];
  const outs = variants.map((v) => cli(v));
  for (const [i, r] of outs.entries()) {
    assert.equal(r.status, 0, `${variants[i].join(' ')}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(outs[0].stdout), variants[i].join(' '));
  }
  assert.ok(JSON.parse(outs[0].stdout).some((f: { rule: string }) => f.rule === 'upstream-tls-unverified'));
});

test('`--` ends the options: a path that starts with - is a path', () => {
  const r = cli(['check', '--format', 'json', '--', '-odd.conf']);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(
    JSON.parse(r.stdout).every(
      (f: { file: string }) =>
        f.file === path.join(fs.realpathSync(dir), '-odd.conf') || f.file === path.join(dir, '-odd.conf'),
    ),
  );
  const without = cli(['check', '-odd.conf']);
  assert.equal(without.status, 2);
  assert.match(without.stderr, /^nginx-tls-proxy: unknown option -o/);
});

test('repeatable options add up; the bad option is named; exit 2 and nothing on stdout', () => {
  const r = cli([
    'check',
    conf,
    '--format',
    'json',
    '--rule',
    'upstream-tls-unverified=off',
    '--rule',
    'upstream-tls-no-sni=off',
  ]);
  assert.ok(
    !JSON.parse(r.stdout).some(
      (f: { rule: string }) => f.rule === 'upstream-tls-unverified' || f.rule === 'upstream-tls-no-sni',
    ),
  );
  for (const [args, msg] of [
    [['check', conf, '--bogus'], /^nginx-tls-proxy: unknown option --bogus$/],
    [['check', conf, '-x'], /^nginx-tls-proxy: unknown option -x$/],
    [['check', conf, '--root'], /^nginx-tls-proxy: --root needs a value/],
    [['check', conf, '--fix=yes'], /^nginx-tls-proxy: --fix takes no value$/],
    [['rules', '--fix'], /^nginx-tls-proxy: rules does not take --fix$/],
    [['parse', conf, '--fail-on', 'none'], /^nginx-tls-proxy: parse does not take --fail-on$/],
    [['check', conf, '--color', 'sometimes'], /"sometimes" is not auto, always or never/],
  ] as [string[], RegExp][]) {
    const x = cli(args);
    assert.equal(x.status, 2, args.join(' '));
    assert.match(x.stderr.split('\n')[0], msg, args.join(' '));
    assert.equal(x.stdout, '', args.join(' '));
  }
});

test('colour: never in a pipe or with NO_COLOR, on request with --color always, off with --no-color', () => {
  const esc = /\x1b\[/;
  assert.doesNotMatch(cli(['check', conf]).stdout, esc, 'stdout is a pipe here');
  const always = cli(['check', conf, '--color', 'always']).stdout;
  assert.match(always, esc);
  assert.match(always, /\x1b\[1;33mwarning:\x1b\[0m/);
  assert.equal(always.replace(/\x1b\[[0-9;]*m/g, ''), cli(['check', conf]).stdout, 'the same text without the escapes');
  assert.doesNotMatch(cli(['check', conf, '--color', 'always', '--no-color']).stdout, esc);
  assert.doesNotMatch(cli(['check', conf, '--color', 'never']).stdout, esc);
  assert.doesNotMatch(
    cli(['check', conf, '--format', 'json', '--color', 'always']).stdout,
    esc,
    'JSON is never coloured',
  );
});

test('colour on a terminal unless NO_COLOR (decided by useColor)', async () => {
  const { useColor, parse } = await import('../../server/src/cli/args');
  const p = parse(['check'], { check: { usage: '', summary: '', takes: [] } }, {});
  assert.equal(useColor(p, { isTTY: true }, {}), true);
  assert.equal(useColor(p, { isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(useColor(p, { isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(useColor(p, { isTTY: false }, {}), false);
  assert.equal(useColor(p, {}, {}), false);
});

// Output goes out at the reader's pace: a reader that has not read yet holds the writer (the report is not
// queued in memory), all of it arrives in order, and a reader that stops early (`| head`) ends the output
// quietly, with the check's own exit code.
test('check: output waits for a slow reader and stops quietly when the reader goes away', async () => {
  const big = path.join(dir, 'big.conf');
  const servers = Array.from(
    { length: 3000 },
    (_, i) => `    server { listen 80; location / { proxy_pass https://h${i}.example.com; } }\n`,
  );
  fs.writeFileSync(big, `events {}\nhttp {\n${servers.join('')}}\n`);
  const { spawn } = await import('node:child_process');
  const run = (readEarly: boolean) =>
    new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'check', '--format', 'json', big], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '',
        err = '';
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.stdout.pause();
      // Nothing is read for a moment: the writer waits on the full pipe.
      setTimeout(() => {
        if (readEarly) {
          child.stdout.once('data', (d: Buffer) => {
            out += d;
            child.stdout.destroy();
          });
        } else child.stdout.on('data', (d: Buffer) => (out += d));
        child.stdout.resume();
      }, 300);
      child.on('close', (status) => resolve({ status, out, err }));
    });
  const whole = await run(false);
  assert.equal(whole.status, 1, whole.err);
  // Every server's finding, whole and in order (the report parses).
  const records = JSON.parse(whole.out) as { line: number }[];
  assert.ok(records.length >= 3000, `${records.length} records`);
  assert.equal(records[records.length - 1].line, 3002);
  const early = await run(true);
  assert.equal(early.status, 1, early.err);
  assert.doesNotMatch(early.err, /EPIPE|Error/);
});

/** Runs the CLI with its output read until the first chunk, then the reading end closed (as `| head -c 1` does). */
function cliReadOnce(
  args: string[],
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string; got: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let got = 0;
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.once('data', (b: Buffer) => {
      got = b.length;
      child.stdout.destroy();
    });
    child.on('close', (status, signal) => resolve({ status, signal, stderr, got }));
  });
}

test('every command whose output outgrows the pipe ends quietly when its reader goes away', async () => {
  // Big enough that each output fills the pipe (64 KiB) and the command is still writing when it closes.
  const big = path.join(dir, 'big.conf');
  const servers = Array.from(
    { length: 1500 },
    (_, i) =>
      `    server {\n        listen 443 ssl;\n        server_name s${i}.example.com;\n        location / { proxy_pass https://b${i}.example.com; }\n    }\n`,
  );
  fs.writeFileSync(big, `events {}\nhttp {\n${servers.join('')}}\n`);
  const runs: [string[], number][] = [
    [['parse', big], 0],
    [['report', big], 0],
    [['report', '--format', 'json', big], 0],
    [['format', big], 0],
    [['check', big], 1],
    [['check', '--format', 'sarif', big], 1],
  ];
  for (const [args, status] of runs) {
    const r = await cliReadOnce(args);
    assert.ok(r.got > 0, `${args.join(' ')}: wrote nothing`);
    assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.signal, null, args.join(' '));
    assert.equal(r.status, status, args.join(' '));
  }
});
