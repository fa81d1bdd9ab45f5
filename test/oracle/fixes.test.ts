// Oracle for the fixes: configs with unverified upstreams in many shapes. For each one, real `nginx -t`
// accepts the original (the no-trusted-CA case: rejects it), `check --fix --trusted-ca <real CA>` rewrites
// it, and then: nginx -t accepts the result, a new check reports neither upstream-tls-unverified nor
// upstream-tls-no-trusted-ca, and the fix only ADDED text: every original non-blank line is still there,
// verbatim and in order (comments included), except a `*_ssl_verify` / `*_ssl_server_name` whose value
// changed; a one-line block may grow inline, but the original line stays a subsequence of the new one. An
// upstream by IP address is the exception: --fix leaves it alone (nginx would check the certificate against
// the IP and fail every handshake), and the finding stays.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliCheck, cliCommand, generateCerts, haveNginx, MODULES, nginxPresent, nginxT, runCli, table, tempDir } from './support';

const STREAM = `${MODULES}/ngx_stream_module.so`;
const TARGET_RULES = ['upstream-tls-unverified', 'upstream-tls-no-trusted-ca'];

interface FixCase {
  name: string;
  /** Whole file; LF becomes `eol`. */
  conf: string;
  /** The rule the original must trigger. */
  rule: 'upstream-tls-unverified' | 'upstream-tls-no-trusted-ca';
  /** nginx -t rejects the original (no trusted CA for proxy_ssl_verify on). */
  rejectedBefore?: boolean;
  eol?: '\r\n';
  needs?: string[];
  /** Inserted lines must be indented with this character. */
  indent?: '\t' | ' ';
  /**
   * The upstream is an IP address: verification would check the certificate against it and fail every
   * handshake, so --fix leaves the pass alone (the finding stays, the file is unchanged).
   */
  ipLeft?: true;
}

const srv = (inner: string, httpExtra = '') => `events {}\nhttp {\n${httpExtra}    server {\n        listen 127.0.0.1:18080;\n${inner}    }\n}\n`;

const CASES: FixCase[] = [
  { name: 'location', rule: 'upstream-tls-unverified', ipLeft: true, indent: ' ',
    conf: srv('        location / {\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'location, localhost (SNI too)', rule: 'upstream-tls-unverified', indent: ' ',
    conf: srv('        location / {\n            proxy_pass https://localhost:18443/app/;\n        }\n') },
  { name: 'nested location', rule: 'upstream-tls-unverified', indent: ' ',
    conf: srv('        location /a/ {\n            location /a/b/ {\n                proxy_pass https://localhost:18443;\n            }\n        }\n') },
  { name: 'inside if', rule: 'upstream-tls-unverified', ipLeft: true,
    conf: srv('        location / {\n            if ($arg_x) {\n                proxy_pass https://127.0.0.1:18443;\n            }\n        }\n') },
  { name: 'inside if, localhost', rule: 'upstream-tls-unverified',
    conf: srv('        location / {\n            if ($arg_x) {\n                proxy_pass https://localhost:18443;\n            }\n        }\n') },
  { name: 'inside limit_except', rule: 'upstream-tls-unverified', ipLeft: true,
    conf: srv('        location / {\n            limit_except GET {\n                proxy_pass https://127.0.0.1:18443;\n            }\n        }\n') },
  { name: 'inside limit_except, localhost', rule: 'upstream-tls-unverified',
    conf: srv('        location / {\n            limit_except GET POST {\n                proxy_pass https://localhost:18443;\n            }\n        }\n') },
  { name: 'one-line location', rule: 'upstream-tls-unverified', ipLeft: true,
    conf: srv('        location / { proxy_pass https://127.0.0.1:1; }\n') },
  { name: 'one-line location, localhost', rule: 'upstream-tls-unverified',
    conf: srv('        location / { proxy_pass https://localhost:1; }\n') },
  { name: 'existing proxy_ssl_verify off in the location', rule: 'upstream-tls-unverified',
    conf: srv('        location / {\n            proxy_ssl_verify off;\n            proxy_pass https://localhost:18443;\n        }\n') },
  { name: 'proxy_ssl_verify off at http level', rule: 'upstream-tls-unverified',
    conf: srv('        location / {\n            proxy_pass https://localhost:18443;\n        }\n', '    proxy_ssl_verify off;\n') },
  { name: 'proxy_ssl_verify off at http level, two locations', rule: 'upstream-tls-unverified',
    conf: srv('        location /a { proxy_pass https://localhost:18443; }\n        location /b {\n            proxy_pass https://localhost:18444;\n        }\n', '    proxy_ssl_verify off;\n') },
  { name: 'grpc_pass grpcs://', rule: 'upstream-tls-unverified',
    conf: srv('        location / {\n            grpc_pass grpcs://localhost:50051;\n        }\n') },
  { name: 'uwsgi_pass suwsgi://', rule: 'upstream-tls-unverified',
    conf: srv('        location / {\n            uwsgi_pass suwsgi://localhost:3031;\n        }\n') },
  { name: 'stream proxy_ssl on', rule: 'upstream-tls-unverified', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    server {\n        listen 127.0.0.1:15000;\n        proxy_pass localhost:15443;\n        proxy_ssl on;\n    }\n}\n` },
  { name: 'upstream group backend', rule: 'upstream-tls-unverified',
    conf: 'events {}\nhttp {\n    upstream backend {\n        server localhost:8443;\n    }\n    server {\n        listen 127.0.0.1:18080;\n        location / {\n            proxy_pass https://backend;\n        }\n    }\n}\n' },
  { name: 'CRLF file', rule: 'upstream-tls-unverified', eol: '\r\n',
    conf: srv('        location / {\n            proxy_pass https://localhost:18443;\n        }\n        location /b { proxy_pass https://localhost:18444; }\n') },
  { name: 'tab-indented file', rule: 'upstream-tls-unverified', indent: '\t',
    conf: 'events {}\nhttp {\n\tserver {\n\t\tlisten 127.0.0.1:18080;\n\t\tlocation / {\n\t\t\tproxy_pass https://localhost:18443;\n\t\t}\n\t}\n}\n' },
  { name: 'comments after the pass directive', rule: 'upstream-tls-unverified',
    conf: srv('        # the app\n        location / {   # main\n            proxy_pass https://localhost:18443;   # TLS backend; keep this comment\n            # after the pass\n        }   # end of location\n') },
  { name: 'variables in the URL, no resolver', rule: 'upstream-tls-unverified',
    conf: srv('        location / {\n            proxy_pass https://$host:18443$request_uri;\n        }\n') },
  { name: 'proxy_ssl_verify on without trusted certificate at http level', rule: 'upstream-tls-no-trusted-ca', rejectedBefore: true,
    conf: srv('        location / { proxy_pass https://127.0.0.1:18443; }\n', '    proxy_ssl_verify on;\n') },
];

let base = '';
let ca = '';
const rows: string[][] = [];

before(() => {
  if (!nginxPresent()) return;
  base = tempDir('oracle-fixes-');
  ca = path.join(generateCerts(path.join(base, 'certs')), 'rootca.crt');
  console.log(`CLI under test: ${cliCommand().label}`);
});

after(() => {
  if (rows.length) console.log('\nfixes: original / --fix / result\n' + table(['case', 'before', 'after --fix', 'verdict'], rows));
  if (base && !process.env.ORACLE_KEEP) fs.rmSync(base, { recursive: true, force: true });
});

function isSubsequence(needle: string, hay: string): boolean {
  let i = 0;
  for (let j = 0; j < hay.length && i < needle.length; j++) if (hay[j] === needle[i]) i++;
  return i === needle.length;
}

/** A line whose only change may be the value of a *_ssl_verify / *_ssl_server_name directive. */
const VALUE_CHANGE = /^(\s*(?:proxy|grpc|uwsgi)_ssl_(?:verify|server_name)\s+)(\S+?)(\s*;.*)$/;

/** A line with every *_ssl_* statement removed and whitespace collapsed. */
function withoutTls(line: string): string {
  return line.replace(/(proxy|grpc|uwsgi)_ssl_\w+(\s+[^;{}\s]+)*\s*;/g, '').replace(/\s+/g, ' ').trim();
}

/**
 * Problems with `fixed` as an edit of `original`: lost or altered original lines, and what was added.
 * Walks the original lines in order against the fixed lines.
 */
function diffProblems(original: string, fixed: string, eol: string): { problems: string[]; added: string[]; inline: string[] } {
  const o = original.split(eol);
  const f = fixed.split(eol);
  const problems: string[] = [];
  const inline: string[] = [];
  const used = new Set<number>();
  let j = 0;
  for (const line of o) {
    if (line.trim() === '') continue;
    let k = f.indexOf(line, j);
    if (k < 0) {
      const m = VALUE_CHANGE.exec(line);
      if (m) k = f.findIndex((x, idx) => idx >= j && VALUE_CHANGE.exec(x)?.[1] === m[1] && VALUE_CHANGE.exec(x)?.[3] === m[3]);
    }
    if (k < 0 && /\{.*\}/.test(line)) {
      // One-line block grown inline: the original is a subsequence of the new line (up to a changed verify
      // value), and what was inserted is nothing but TLS directives.
      k = f.findIndex((x, idx) => idx >= j && (isSubsequence(line, x) || isSubsequence(line.replace(/(_ssl_verify\s+)off/g, '$1on'), x)) && withoutTls(x) === withoutTls(line));
      if (k >= 0) inline.push(f[k]);
    }
    if (k < 0) {
      problems.push(`original line lost or changed: ${JSON.stringify(line)}`);
      continue;
    }
    used.add(k);
    j = k + 1;
  }
  const added = f.filter((x, idx) => !used.has(idx) && x.trim() !== '');
  return { problems, added, inline };
}

for (const c of CASES) {
  test(`fix: ${c.name}`, (t) => {
    if (!haveNginx(t)) return;
    const missing = (c.needs ?? []).filter((f) => !fs.existsSync(f));
    if (missing.length) return t.skip(`not installed: ${missing.join(', ')}`);
    const eol = c.eol ?? '\n';
    const dir = path.join(base, c.name.replace(/\W+/g, '-'));
    fs.mkdirSync(dir, { recursive: true });
    const conf = path.join(dir, 'nginx.conf');
    const original = c.conf.replace(/\n/g, eol);
    fs.writeFileSync(conf, original);
    const row = [c.name, '', '', ''];
    rows.push(row);

    // The original: nginx's verdict, and our finding.
    const before = nginxT(conf, dir, dir);
    row[1] = before.ok ? 'nginx ok' : `nginx FAIL: ${before.errors[0]?.message ?? ''}`;
    assert.equal(before.ok, !c.rejectedBefore, `nginx -t on the original:\n${before.output}`);
    const initial = cliCheck(conf);
    const targeted = initial.filter((f) => f.rule === c.rule);
    row[1] += `; ours: ${targeted.map((f) => `${f.rule}@${f.line}`).join(', ') || 'nothing'}`;
    assert.ok(targeted.length > 0, `the original triggers ${c.rule}; we report: ${initial.map((f) => `${f.rule}@${f.line}`).join(', ') || 'nothing'}`);

    // --fix with a real CA file.
    const r = runCli(['check', conf, '--format', 'json', '--nginx-version', '1.22', '--fix', '--trusted-ca', ca]);
    assert.ok(r.status !== null && r.status !== 2, `check --fix failed (status ${r.status}):\n${r.stderr}`);
    const fixed = fs.readFileSync(conf, 'utf8');
    if (c.ipLeft) {
      const still = cliCheck(conf).filter((f) => f.rule === c.rule);
      row[2] = `unchanged: ${fixed === original}; left: ${still.map((f) => `${f.rule}@${f.line}`).join(', ') || 'none'}`;
      row[3] = fixed === original && still.length ? 'ok (left alone)' : 'changed';
      assert.equal(fixed, original, '--fix leaves an upstream by IP address alone');
      assert.ok(still.length > 0, 'the finding stays');
      return;
    }
    const after = nginxT(conf, dir, dir);
    const again = cliCheck(conf);
    const left = again.filter((f) => TARGET_RULES.includes(f.rule));
    const { problems, added } = diffProblems(original, fixed, eol);
    row[2] = `${after.ok ? 'nginx ok' : `nginx FAIL: ${after.errors[0]?.message ?? after.lines[0]} (line ${after.errors[0]?.line})`}; left: ${left.map((f) => `${f.rule}@${f.line}`).join(', ') || 'none'}`;
    const verdicts: string[] = [];
    if (fixed === original) verdicts.push('nothing changed');
    if (!after.ok) verdicts.push('nginx rejects the fixed file');
    if (left.length) verdicts.push('finding still reported');
    if (problems.length) verdicts.push('original text not kept');
    row[3] = verdicts.join('; ') || 'ok';
    const show = `--- fixed file ---\n${fixed}\n--- nginx -t ---\n${after.output}`;

    assert.notEqual(fixed, original, `--fix changed nothing\n${r.stdout}`);
    assert.ok(after.ok, `nginx -t rejects the fixed config\n${show}`);
    assert.deepEqual(left.map((f) => `${f.rule}@${f.line}: ${f.message}`), [], `still reported after --fix\n${show}`);
    assert.deepEqual(problems, [], `the fix did more than add lines / change a verify value\n${show}`);
    // The fix points at the CA we gave it, and added only TLS directives (plus its own comments).
    assert.ok(fixed.includes(ca), `the fixed file names the CA passed with --trusted-ca\n${show}`);
    for (const line of added) {
      assert.match(line.trim(), /^((proxy|grpc|uwsgi)_ssl_\w+\s[^;]*;\s*)+(#.*)?$|^#/, `unexpected added line ${JSON.stringify(line)}\n${show}`);
      if (c.indent) assert.ok(line.startsWith(c.indent) && !line.startsWith(c.indent === '\t' ? ' ' : '\t'), `added line not indented with ${JSON.stringify(c.indent)} like the file: ${JSON.stringify(line)}`);
    }
    if (c.eol === '\r\n') assert.ok(!/(^|[^\r])\n/.test(fixed), `a bare LF was inserted into a CRLF file\n${JSON.stringify(fixed)}`);
    else assert.ok(!fixed.includes('\r'), 'no CR inserted into an LF file');
  });
}
