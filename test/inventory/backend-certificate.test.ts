// The backend's certificate in the TLS map: from a server of the same config (its ssl_certificate, read from
// the workspace) and, with `report --probe`, from what a live upstream presents (a real TLS server on
// 127.0.0.1). Checked in the JSON, Markdown and HTML reports of the built CLI, against what openssl says of
// the same files.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { tempDir } from '../support/nginx';
import { makeCasePki, opensslAvailable } from '../support/pki';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
let base = '';
let pki: Record<string, string> = {};
let live: tls.Server | null = null;
let livePort = 0;
const skip = () => (!opensslAvailable() ? 'openssl not installed' : !fs.existsSync(CLI) ? 'dist/cli.js not built' : '');

/** What openssl prints for a certificate: subject, issuer and notAfter as an ISO date. */
function opensslFacts(file: string): { subject: string; issuer: string; notAfter: string } {
  const out = execFileSync('openssl', ['x509', '-in', file, '-noout', '-subject', '-issuer', '-enddate', '-nameopt', 'RFC2253'], { encoding: 'utf8' });
  const get = (k: string) => new RegExp(`^${k}=\\s*(.*)$`, 'm').exec(out)![1].trim();
  return { subject: get('subject'), issuer: get('issuer'), notAfter: new Date(get('notAfter')).toISOString() };
}

before(async () => {
  if (skip()) return;
  base = tempDir('ntp-backend-cert-');
  pki = makeCasePki(path.join(base, 'pki'));
  // A live upstream that is not a server of the config: only a probe learns its certificate.
  live = tls.createServer({ cert: fs.readFileSync(pki['expiring-cert']), key: fs.readFileSync(pki['expiring-key']) }, (s) => s.end());
  await new Promise<void>((r) => live!.listen(0, '127.0.0.1', r));
  livePort = (live.address() as { port: number }).port;
});

after(async () => {
  if (live) await new Promise<void>((r) => live!.close(() => r()));
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(base, 'ws-'));
  for (const [name, kind] of Object.entries({ 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' })) fs.copyFileSync(pki[kind], path.join(dir, name));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `events {}
http {
    upstream backends {
        server 127.0.0.1:8443;
    }
    server {
        listen 127.0.0.1:8443 ssl;
        server_name backend.test;
        ssl_certificate server.crt;
        ssl_certificate_key server.key;
    }
    server {
        listen 127.0.0.1:8080;
        location /direct {
            proxy_pass https://127.0.0.1:8443;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate root.crt;
            proxy_ssl_name backend.test;
        }
        location /group {
            proxy_pass https://backends;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate root.crt;
            proxy_ssl_name backend.test;
        }
        location /live {
            proxy_pass https://127.0.0.1:${livePort};
        }
    }
}
`);
  return dir;
}

function report(dir: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, 'report', 'nginx.conf', ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

interface Use { line: number; backendCertificate: { subject: string; issuer: string; notAfter: string } | null }

test('report --format json: backendCertificate of a server of the same config, as openssl reads its file; null for an upstream nobody probed', (t) => {
  if (skip()) return t.skip(skip());
  const dir = workspace();
  const uses = (JSON.parse(report(dir, '--format', 'json')) as { uses: Use[] }).uses;
  const want = opensslFacts(pki['server-cert']);
  assert.deepEqual(uses.map((u) => [u.line, u.backendCertificate]), [[15, want], [21, want], [27, null]]);
  assert.match(want.subject, /^CN=backend\.test$/);
  assert.match(want.issuer, /^CN=Test Root$/);
});

test('report --probe: the certificate a live upstream presents (a real TLS server on 127.0.0.1)', async (t) => {
  if (skip()) return t.skip(skip());
  const dir = workspace();
  // spawn, not spawnSync: the TLS server answering the probe runs in this process.
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'report', 'nginx.conf', '--format', 'json', '--probe'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`))));
  });
  const uses = (JSON.parse(out) as { uses: Use[] }).uses;
  assert.deepEqual(uses.find((u) => u.line === 27)!.backendCertificate, opensslFacts(pki['expiring-cert']));
});

test('report --format markdown and html: the backend certificate column and line', (t) => {
  if (skip()) return t.skip(skip());
  const dir = workspace();
  const want = opensslFacts(pki['server-cert']);
  const md = report(dir);
  const header = md.split('\n').find((l) => l.startsWith('| Where'))!;
  assert.match(header, /\| Backend certificate \| Findings \|$/);
  const direct = md.split('\n').find((l) => l.includes('nginx.conf:15'))!;
  assert.ok(direct.includes(`| \`CN=backend.test\` by \`CN=Test Root\`, expires ${want.notAfter.slice(0, 10)} |`), direct);
  const live = md.split('\n').find((l) => l.includes('nginx.conf:27'))!;
  assert.equal(live.split(/(?<!\\)\|/)[10].trim(), '—');
  const html = report(dir, '--format', 'html');
  assert.ok(html.includes(`<div class="cert">backend certificate <code>CN=backend.test</code>, issued by <code>CN=Test Root</code>, expires <time datetime="${want.notAfter}">${want.notAfter.slice(0, 10)}</time> <span class="o">(127.0.0.1:8443, from the config)</span></div>`));
  assert.equal(html.match(/class="cert"/g)?.length, 2, 'one per use whose backend certificate is known');
  // The diagram's backend box names it on hover too.
  assert.ok(html.includes(`<title>127.0.0.1:8443: certificate CN=backend.test, issued by CN=Test Root, expires ${want.notAfter.slice(0, 10)}</title>`));
});
