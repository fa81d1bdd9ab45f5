// A fix for one TLS use that writes into a block other uses read too (the location around an `if` with its
// own pass, a location with nested ones) changes their connections as well. A verification fix says so in
// its title and is not applied by `check --fix` unasked; a fix that would make another backend fail (a CA, a
// name, a client certificate or a depth chosen for this backend) is not offered.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryFileSystem } from '../../server/src/engine';
import type { Finding } from '../../server/src/engine';
import { nodeCertificateParser } from '../../server/src/node/node-certificates';
import { analyze } from '../support/engine';
import { makePki, opensslAvailable } from '../support/pki';

const PATH = '/shared/nginx.conf';
let pkiDir = '';
before(() => {
  if (opensslAvailable()) {
    pkiDir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'ntp-shared-fixes-'));
    makePki(pkiDir);
  }
});
after(() => {
  if (pkiDir) nodeFs.rmSync(pkiDir, { recursive: true, force: true });
});

const lineOf = (f: Finding) => f.range.start.line + 1;
const http = (body: string) => `events {}\nhttp {\n${body}}\n`;

test('verification fixes that switch other passes too say which, and are not safe', () => {
  const config = http(`    server {
        listen 127.0.0.1:8080;
        location / {
            proxy_ssl_verify off;
            proxy_pass https://old.example.com;
            if ($arg_new) { proxy_pass https://new.example.com; }
        }
        location /solo { proxy_pass https://solo.example.com; }
    }
`);
  const { findings, service } = analyze(PATH, memoryFileSystem({ [PATH]: config }));
  const unverified = findings.filter((f) => f.ruleId === 'upstream-tls-unverified');
  assert.deepEqual(unverified.map(lineOf), [7, 8, 10]);
  const preferred = (line: number) => unverified.find((f) => lineOf(f) === line)!.fixes.find((x) => x.isPreferred)!;
  assert.match(preferred(7).title, /\(also for the pass on line 8\)$/);
  assert.match(preferred(8).title, /\(also for the pass on line 7\)$/);
  assert.equal(preferred(7).safe, false);
  assert.equal(preferred(8).safe, false);
  // A location no other pass reads keeps its safe fix, and only that one is applied unasked.
  assert.equal(preferred(10).safe, true);
  assert.doesNotMatch(preferred(10).title, /also for/);
  const safe = service.safeFixes(findings).filter((x) => x.title.startsWith('Verify'));
  assert.deepEqual(
    safe.flatMap((x) => x.edits.map((e) => config.slice(0, e.start).split('\n').length)),
    [10],
  );
});

test('a name fix is not offered where a nested location reaches another backend through the same name', () => {
  const nested = (inner: string) =>
    http(`    server {
        listen 127.0.0.1:8080;
        proxy_ssl_verify on;
        proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        location /api/ {
            proxy_pass https://127.0.0.1:9443;
${inner}        }
    }
`);
  const fixesOn = (config: string) => {
    const { findings } = analyze(PATH, memoryFileSystem({ [PATH]: config }));
    return findings
      .filter((f) => f.ruleId === 'upstream-tls-name-mismatch' && lineOf(f) === 8)
      .map((f) => f.fixes.length);
  };
  assert.deepEqual(fixesOn(nested('')), [1], 'alone, the location gets the fix that asks for the name');
  assert.deepEqual(fixesOn(nested('            location /api/v2/ { proxy_pass https://localhost:9445; }\n')), [0]);
  // The same backend below reads the same name rightly: the fix stays.
  assert.deepEqual(fixesOn(nested('            location /api/v2/ { proxy_pass https://127.0.0.1:9443; }\n')), [1]);
});

test('a CA fix is not offered where the pass in the location around the `if` would then fail', (t) => {
  if (!pkiDir) return t.skip('openssl is not available');
  // server.crt is issued by rootca, evil.crt by evilca; both name "backend".
  const files: Record<string, string> = {};
  for (const f of ['rootca.crt', 'evilca.crt', 'server.crt', 'server.key', 'evil.crt', 'evil.key'])
    files['/shared/' + f] = nodeFs.readFileSync(path.join(pkiDir, f), 'utf8');
  const config = (ownPass: string) =>
    http(`    server { listen 127.0.0.1:9443 ssl; ssl_certificate server.crt; ssl_certificate_key server.key; }
    server { listen 127.0.0.1:9444 ssl; ssl_certificate evil.crt; ssl_certificate_key evil.key; }
    server {
        listen 127.0.0.1:8080;
        location /x { proxy_pass https://127.0.0.1:9444; proxy_ssl_verify on; proxy_ssl_trusted_certificate evilca.crt; proxy_ssl_name backend; }
        location / {
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate rootca.crt;
            proxy_ssl_name backend;
${ownPass}            if ($arg_other) { proxy_pass https://127.0.0.1:9444; }
        }
    }
`);
  const untrusted = (text: string) => {
    const { findings } = analyze(PATH, memoryFileSystem({ ...files, [PATH]: text }), undefined, {
      certificates: nodeCertificateParser,
    });
    return findings.filter((f) => f.ruleId === 'upstream-tls-untrusted-issuer').map((f) => [lineOf(f), f.fixes.length]);
  };
  // The `if` alone reads the location's CA: trusting evilca there is the fix.
  assert.deepEqual(untrusted(config('')), [[12, 1]]);
  // The location's own pass reaches the backend rootca issued for: evilca instead would fail it.
  assert.deepEqual(untrusted(config('            proxy_pass https://127.0.0.1:9443;\n')), [[13, 0]]);
});

test('a safe fix that would edit a file included at several places is not safe', () => {
  const snippet = '/shared/snippets/tls.conf';
  const twice = http(`    server {
        listen 127.0.0.1:8080;
        location /a { include snippets/tls.conf; proxy_pass https://a.example.com; }
        location /b { include snippets/tls.conf; proxy_pass https://b.example.com; }
    }
`);
  const run = (files: Record<string, string>) => analyze(PATH, memoryFileSystem(files)).findings;
  const preferredOf = (findings: Finding[], rule: string) =>
    findings.filter((f) => f.ruleId === rule).map((f) => f.fixes.find((x) => x.isPreferred)!);
  // `proxy_ssl_verify off;` and `proxy_ssl_server_name off;` in a snippet both locations include.
  const shared = run({ [PATH]: twice, [snippet]: 'proxy_ssl_verify off;\nproxy_ssl_server_name off;\n' });
  for (const rule of ['upstream-tls-unverified', 'upstream-tls-no-sni']) {
    const fixes = preferredOf(shared, rule);
    assert.equal(fixes.length, 2, rule);
    for (const x of fixes) assert.equal(x.safe, false, `${rule}: ${x.title}`);
  }
  assert.match(preferredOf(shared, 'upstream-tls-unverified')[0].title, /\(edits a file included at several places\)$/);
  // The same snippet included once: the fixes are safe again.
  const once = run({
    [PATH]: twice.replace(/\n.*location \/b.*\n/, '\n'),
    [snippet]: 'proxy_ssl_verify off;\nproxy_ssl_server_name off;\n',
  });
  for (const rule of ['upstream-tls-unverified', 'upstream-tls-no-sni'])
    assert.deepEqual(
      preferredOf(once, rule).map((x) => x.safe),
      [true],
      rule,
    );
  // `proxy_ssl_verify on;` without a CA in a snippet included twice: adding the CA there is not safe.
  const noCa = run({ [PATH]: twice, [snippet]: 'proxy_ssl_verify on;\nproxy_ssl_server_name on;\n' });
  const noCaFixes = preferredOf(noCa, 'upstream-tls-no-trusted-ca');
  assert.ok(
    noCaFixes.length > 0 && noCaFixes.every((x) => x.safe === false),
    JSON.stringify(noCaFixes.map((x) => x.safe)),
  );
});
