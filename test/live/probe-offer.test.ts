// `check --probe` offers what nginx offers: the protocols and ciphers in effect for the use (the version's
// default when unset) and the SNI nginx sends (none with proxy_ssl_server_name off). Real nginx backends on
// 127.0.0.1, outside the config checked (so they are probed, not predicted), and the very config checked run by
// real nginx as the proxy: for each location, the probe's verdict and nginx's answer (502 and its error-log
// line, or 200) agree.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort, nginxAvailable, refusedPort, RunningNginx, startNginx, tempDir, writeNginxConf } from '../support/nginx';
import { makeCasePki, opensslAvailable } from '../support/pki';
import { get } from '../support/http';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
let base = '';
let pki: Record<string, string> = {};
const running: RunningNginx[] = [];
const ports: Record<string, number> = {};
/** A TCP server that accepts and never answers: a TLS handshake that never completes. */
let silent: net.Server | null = null;
const held: net.Socket[] = [];
const skip = () => (!nginxAvailable() ? 'nginx not installed' : !opensslAvailable() ? 'openssl not installed' : !fs.existsSync(CLI) ? 'dist/cli.js not built' : '');

/** The version of the nginx on this machine (`nginx -v`), which the checker is told it runs. */
function nginxVersion(): string {
  const r = spawnSync('/usr/sbin/nginx', ['-v'], { encoding: 'utf8' });
  return /nginx\/(\d+\.\d+)/.exec(r.stderr)?.[1] ?? '1.22';
}

before(async () => {
  if (skip()) return;
  base = tempDir('ntp-probe-offer-');
  pki = makeCasePki(path.join(base, 'pki'));
  for (const k of ['v13', 'v12', 'sni']) ports[k] = await freePort();
  ports.closed = await refusedPort();
  const dir = path.join(base, 'backends');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o755);
  writeNginxConf(dir, `http {
    access_log off;
    server {
        listen 127.0.0.1:${ports.v13} ssl;
        ssl_certificate ${pki['server-cert']};
        ssl_certificate_key ${pki['server-key']};
        ssl_protocols TLSv1.3;
        return 200 "v13\\n";
    }
    server {
        listen 127.0.0.1:${ports.v12} ssl;
        ssl_certificate ${pki['server-cert']};
        ssl_certificate_key ${pki['server-key']};
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
        return 200 "v12\\n";
    }
    server {
        listen 127.0.0.1:${ports.sni} ssl default_server;
        ssl_certificate ${pki['expiring-cert']};
        ssl_certificate_key ${pki['expiring-key']};
        return 200 "default\\n";
    }
    server {
        listen 127.0.0.1:${ports.sni} ssl;
        server_name backend.test;
        ssl_certificate ${pki['server-cert']};
        ssl_certificate_key ${pki['server-key']};
        return 200 "named\\n";
    }
}
`);
  running.push(await startNginx(dir, [ports.v13, ports.v12, ports.sni]));
  silent = net.createServer((s) => { held.push(s); s.on('error', () => {}); });
  await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
  ports.silent = (silent.address() as net.AddressInfo).port;
});

after(async () => {
  for (const s of held) s.destroy();
  if (silent) await new Promise<void>((r) => silent!.close(() => r()));
  for (const n of running.reverse()) await n.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

interface Case { path: string; body: (p: Record<string, number>) => string; finding: string | null; log?: RegExp; message?: RegExp; status?: number }

const verified = 'proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate root.crt;\n            proxy_ssl_name backend.test;';
const CASES: Case[] = [
  // The backend speaks only TLSv1.3; the config allows TLSv1.2: alert "protocol version".
  { path: '/v13-limited', body: (p) => `proxy_pass https://127.0.0.1:${p.v13};\n            proxy_ssl_protocols TLSv1.2;`, finding: 'upstream-unreachable',
    log: /SSL_do_handshake\(\) failed .*tlsv1 alert protocol version.* while SSL handshaking to upstream/, message: /offering TLSv1\.2 with no SNI.*tlsv1 alert protocol version.*proxy_ssl_protocols/ },
  // A hole in the list: OpenSSL's client offers only the contiguous run from the lowest (TLSv1.1), not TLSv1.3.
  { path: '/v13-hole', body: (p) => `proxy_pass https://127.0.0.1:${p.v13};\n            proxy_ssl_protocols TLSv1.1 TLSv1.3;`, finding: 'upstream-unreachable', message: /offering TLSv1\.1 with no SNI/ },
  { path: '/v13-allowed', body: (p) => `proxy_pass https://127.0.0.1:${p.v13};\n            proxy_ssl_protocols TLSv1.2 TLSv1.3;`, finding: null },
  // The backend speaks TLSv1.2 with one ECDSA suite; the config offers another: handshake failure.
  { path: '/cipher-mismatch', body: (p) => `proxy_pass https://127.0.0.1:${p.v12};\n            proxy_ssl_protocols TLSv1.2;\n            proxy_ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305;`, finding: 'upstream-unreachable',
    log: /SSL_do_handshake\(\) failed .*handshake failure.* while SSL handshaking to upstream/, message: /handshake failure.*proxy_ssl_ciphers/ },
  { path: '/cipher-ok', body: (p) => `proxy_pass https://127.0.0.1:${p.v12};\n            proxy_ssl_protocols TLSv1.2;`, finding: null },
  // Without SNI the backend answers with its default server's certificate (soon.test), not backend.test's.
  { path: '/sni-off', body: (p) => `proxy_pass https://127.0.0.1:${p.sni};\n            ${verified}`, finding: 'upstream-tls-name-not-in-certificate',
    log: /upstream SSL certificate does not match "backend\.test"/ },
  { path: '/sni-on', body: (p) => `proxy_pass https://127.0.0.1:${p.sni};\n            ${verified}\n            proxy_ssl_server_name on;`, finding: null },
  { path: '/closed', body: (p) => `proxy_pass https://127.0.0.1:${p.closed};`, finding: 'upstream-unreachable',
    log: /connect\(\) failed \(111: Connection refused\) while connecting to upstream/, message: /did not accept a connection \(connect ECONNREFUSED/ },
  // Connected, and then silence: the probe gives up after 5 s, nginx after proxy_connect_timeout, with a 504.
  { path: '/silent', body: (p) => `proxy_pass https://127.0.0.1:${p.silent};\n            proxy_connect_timeout 2s;`, finding: 'upstream-unreachable', status: 504,
    log: /upstream timed out \(110: Connection timed out\) while SSL handshaking to upstream/, message: /no TLS handshake within 5 s.*gets 504.*upstream timed out/ },
];

test('the probe offers what nginx offers: its verdict per location matches real nginx proxying with the same config', async (t) => {
  if (skip()) return t.skip(skip());
  const version = nginxVersion();
  const dir = path.join(base, 'proxy');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o755);
  fs.copyFileSync(pki['root-ca'], path.join(dir, 'root.crt'));
  const proxy = await freePort();
  // Line numbers of each location's pass directive, to match findings to cases.
  let body = `http {\n    access_log off;\n    server {\n        listen 127.0.0.1:${proxy};\n`;
  for (const c of CASES) body += `        location = ${c.path} {\n            ${c.body(ports)}\n            proxy_ssl_session_reuse off;\n        }\n`;
  body += '    }\n}\n';
  const conf = writeNginxConf(dir, body);
  const lines = fs.readFileSync(conf, 'utf8').split('\n');
  const lineOf = (c: Case) => lines.findIndex((l) => l.includes(`location = ${c.path} {`)) + 2;

  const r = spawnSync(process.execPath, [CLI, 'check', 'nginx.conf', '--probe', '--nginx-version', version, '--format', 'json', '--fail-on', 'none'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  const findings = (JSON.parse(r.stdout) as { rule: string; line: number; message: string }[])
    .filter((f) => ['upstream-unreachable', 'upstream-tls-name-not-in-certificate', 'upstream-tls-untrusted-issuer', 'certificate-expired'].includes(f.rule));

  const n = await startNginx(dir, [proxy]);
  running.push(n);
  const rows: string[] = [];
  for (const c of CASES) {
    const mine = findings.filter((f) => f.line === lineOf(c));
    const reply = await get(`http://127.0.0.1:${proxy}${c.path}`);
    rows.push(`${c.path}: nginx ${reply.status}; probe ${mine.map((f) => f.rule).join(', ') || 'nothing'}`);
    assert.deepEqual(mine.map((f) => f.rule), c.finding ? [c.finding] : [], `${c.path}: ${mine.map((f) => f.message).join('\n')}`);
    assert.equal(reply.status, c.status ?? (c.finding ? 502 : 200), `${c.path}: nginx answers as predicted`);
    if (c.message) assert.match(mine[0].message, c.message);
    if (c.log) assert.match(n.errorLog(), c.log, c.path);
  }
  await n.stop();
  console.log(`nginx ${version}\n  ${rows.join('\n  ')}`);
});

test('nginx 1.22\'s default protocols lack TLSv1.3 for upstreams: a TLSv1.3-only backend fails there, not with 1.30\'s default', (t) => {
  if (skip()) return t.skip(skip());
  const dir = path.join(base, 'defaults');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n            proxy_pass https://127.0.0.1:${ports.v13};\n        }\n    }\n}\n`);
  const run = (version: string) => {
    const r = spawnSync(process.execPath, [CLI, 'check', 'nginx.conf', '--probe', '--nginx-version', version, '--format', 'json', '--fail-on', 'none'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
    return (JSON.parse(r.stdout) as { rule: string; message: string }[]).filter((f) => f.rule === 'upstream-unreachable');
  };
  const old = run('1.22');
  assert.equal(old.length, 1);
  assert.match(old[0].message, /offering TLSv1 TLSv1\.1 TLSv1\.2 with no SNI/);
  assert.match(old[0].message, /before 1\.23\.4 does not offer TLSv1\.3/);
  assert.deepEqual(run('1.30'), []);
});

const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

test('stream proxy_ssl: the probe offers the stream proxy_ssl_protocols; nginx closes the client connection as the message says', async (t) => {
  if (skip()) return t.skip(skip());
  if (!fs.existsSync(STREAM_MODULE)) return t.skip('the stream module of Debian\'s nginx is not installed');
  const dir = path.join(base, 'stream');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o755);
  const front = await freePort();
  const conf = writeNginxConf(dir, `stream {\n    server {\n        listen 127.0.0.1:${front};\n        proxy_pass 127.0.0.1:${ports.v13};\n        proxy_ssl on;\n        proxy_ssl_protocols TLSv1.2;\n    }\n}\n`, `load_module ${STREAM_MODULE};\n`);
  const line = fs.readFileSync(conf, 'utf8').split('\n').findIndex((l) => l.includes('proxy_pass')) + 1;
  const r = spawnSync(process.execPath, [CLI, 'check', 'nginx.conf', '--probe', '--nginx-version', nginxVersion(), '--format', 'json', '--fail-on', 'none'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  const mine = (JSON.parse(r.stdout) as { rule: string; line: number; message: string }[]).filter((f) => f.rule === 'upstream-unreachable');
  assert.deepEqual(mine.map((f) => f.line), [line], r.stdout);
  assert.match(mine[0].message, /offering TLSv1\.2 with no SNI.*nginx closes every client connection through this proxy_pass/);
  const n = await startNginx(dir, [front]);
  running.push(n);
  // A client of the stream server: nginx connects upstream, the handshake fails, the client's connection ends unanswered.
  const got = await new Promise<string>((resolve) => {
    let data = '';
    const s = net.connect(front, '127.0.0.1', () => s.write('hello\n'));
    s.on('data', (d) => (data += d));
    s.on('error', () => {});
    s.on('close', () => resolve(data));
    setTimeout(() => { s.destroy(); resolve('still open: ' + data); }, 10000);
  });
  await n.stop();
  assert.equal(got, '', 'closed without an answer');
  assert.match(n.errorLog(), /SSL_do_handshake\(\) failed .*tlsv1 alert protocol version.* while SSL handshaking to upstream/);
});
