// A certificate or key written in an included file, its pair elsewhere or nowhere: real `nginx -t` (Debian's
// 1.22) and `check` on the main config agree on whether the config is refused, and on the certificate named.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nginxAvailable, nginxTest, tempDir } from '../support/nginx';
import { makePki, opensslAvailable, Pki } from '../support/pki';

const ROOT = path.resolve(__dirname, '../..');
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';
let dir = '';
let pki: Pki | undefined;

before(() => {
  if (!nginxAvailable() || !opensslAvailable()) return;
  assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'npm run build first');
  dir = tempDir('ntp-included-pairs-');
  pki = makePki(path.join(dir, 'pki'));
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

interface Layout { name: string; main: string; snippet: string; stream?: boolean }

/** `@` in main stands for the snippet's include path; `CRT`/`KEY` for the client certificate and its key. */
const LAYOUTS: Layout[] = [
  { name: 'proxy-absolute', main: 'http { server { listen 127.0.0.1:1; location / { include @; proxy_pass https://localhost:2; } } }', snippet: 'proxy_ssl_certificate CRT;' },
  { name: 'proxy-relative', main: 'http { server { listen 127.0.0.1:1; location / { include snippets/s.conf; proxy_pass https://localhost:2; } } }', snippet: 'proxy_ssl_certificate CRT;' },
  { name: 'proxy-glob', main: 'http { server { listen 127.0.0.1:1; location / { include snippets/*.conf; proxy_pass https://localhost:2; } } }', snippet: 'proxy_ssl_certificate CRT;' },
  { name: 'server-level', main: 'http { server { listen 127.0.0.1:1 ssl; include @; } }', snippet: 'ssl_certificate CRT;' },
  { name: 'http-level', main: 'http { include @; server { listen 127.0.0.1:1 ssl; } }', snippet: 'ssl_certificate CRT;' },
  { name: 'grpc', main: 'http { server { listen 127.0.0.1:1 http2; location / { include @; grpc_pass grpcs://localhost:2; } } }', snippet: 'grpc_ssl_certificate CRT;' },
  { name: 'uwsgi', main: 'http { server { listen 127.0.0.1:1; location / { include @; uwsgi_pass suwsgi://localhost:2; } } }', snippet: 'uwsgi_ssl_certificate CRT;' },
  { name: 'stream-proxy', stream: true, main: 'stream { server { listen 127.0.0.1:1; include @; proxy_ssl on; proxy_pass localhost:2; } }', snippet: 'proxy_ssl_certificate CRT;' },
  { name: 'key-included', main: 'http { server { listen 127.0.0.1:1; location / { include @; proxy_ssl_certificate CRT; proxy_pass https://localhost:2; } } }', snippet: 'proxy_ssl_certificate_key KEY;' },
  { name: 'server-key-included', main: 'http { server { listen 127.0.0.1:1 ssl; ssl_certificate CRT; include @; } }', snippet: 'ssl_certificate_key KEY;' },
];

for (const l of LAYOUTS) {
  test(`included pair, ${l.name}: nginx -t and check agree`, (t) => {
    if (!pki) return t.skip('nginx or openssl not available');
    if (l.stream && !fs.existsSync(STREAM_MODULE)) return t.skip('no stream module');
    const d = path.join(dir, l.name);
    const snippet = path.join(d, 'snippets/s.conf');
    fs.mkdirSync(path.dirname(snippet), { recursive: true });
    fs.mkdirSync(path.join(d, 'logs'), { recursive: true });
    const fill = (s: string) => s.replace('@', snippet).replace('CRT', pki!.client.cert).replace('KEY', pki!.client.key);
    fs.writeFileSync(snippet, fill(l.snippet) + '\n');
    const conf = path.join(d, 'nginx.conf');
    fs.writeFileSync(conf, `${l.stream ? `load_module ${STREAM_MODULE};\n` : ''}pid ${d}/nginx.pid;\nevents {}\n${fill(l.main)}\n`);
    const nginx = nginxTest(conf);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', '--format', 'json', '--nginx-version', '1.22', conf], { encoding: 'utf8', timeout: 120000 });
    const errors = (JSON.parse(r.stdout) as { rule: string; severity: string; message: string }[]).filter((f) => f.rule === 'tls-cert-without-key' && f.severity === 'error');
    assert.equal(errors.length === 0, nginx.ok, `nginx -t: ${nginx.output}\ncheck: ${JSON.stringify(errors)}`);
    if (!nginx.ok) assert.ok(errors[0].message.startsWith(nginx.errors[0].message + ':'), `${errors[0].message} / ${nginx.errors[0].message}`);
  });
}
