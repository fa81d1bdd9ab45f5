// Every snippet, with its placeholders at their defaults, is clean for our own rules and accepted by real
// `nginx -t` in the block it is meant for.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { analyze, parseVersion } from '../support/engine';
import { nginxAvailable, nginxTest, tempDir } from '../support/nginx';
import { makePki, Pki } from '../support/pki';

const ROOT = path.resolve(__dirname, '../..');
const SNIPPETS: Record<string, { prefix: string; description: string; body: string[] }> = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets/nginx.json'), 'utf8'));

/** The text VS Code inserts when every placeholder keeps its default. */
export function expand(body: string[]): string {
  let text = body.join('\n');
  const defaults = new Map<string, string>();
  // Innermost placeholders first, so `${4:$2}` sees 2's default.
  for (let guard = 0; guard < 20; guard++) {
    const next = text.replace(/\$\{(\d+):((?:[^{}$]|\$(?!\{)|\\\$)*)\}/g, (_, n: string, def: string) => {
      const v = def.replace(/(?<!\\)\$(\d+)/g, (__, m: string) => defaults.get(m) ?? '');
      if (!defaults.has(n)) defaults.set(n, v);
      return v;
    });
    if (next === text) break;
    text = next;
  }
  text = text.replace(/\$\{(\d+)\|([^,|]*)[^}]*\|\}/g, (_, n: string, first: string) => first);
  text = text.replace(/(?<!\\)\$(\d+)/g, (_, n: string) => defaults.get(n) ?? '');
  return text.replace(/\\\$/g, '$').replace(/\\\\/g, '\\');
}

const CONTEXT: Record<string, 'http' | 'http/server' | 'stream'> = {
  'nginx-upstream-mtls': 'http',
  'nginx-upstream-mtls-location': 'http/server',
  'nginx-backend-mtls-server': 'http',
  'nginx-backend-mtls-optional': 'http',
  'nginx-location-https-verified': 'http/server',
  'nginx-stream-tls-proxy': 'stream',
  'nginx-grpcs-location': 'http/server',
};

let dir = '';
let pki: Pki;
before(() => {
  if (!nginxAvailable()) return;
  dir = tempDir('ntp-snippets-');
  pki = makePki(path.join(dir, 'pki'));
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

test('every snippet has an nginx- prefix, a description and a known context', () => {
  assert.ok(Object.keys(SNIPPETS).length >= 6);
  for (const s of Object.values(SNIPPETS)) {
    assert.match(s.prefix, /^nginx-[a-z-]+$/);
    assert.ok(s.description.length > 40);
    assert.ok(CONTEXT[s.prefix], `context for ${s.prefix}`);
  }
});

for (const s of Object.values(SNIPPETS)) {
  test(`snippet ${s.prefix}: clean for our rules and for nginx -t`, (t) => {
    const text = expand(s.body);
    assert.doesNotMatch(text, /\$\{|\$\d/, 'all placeholders expanded');
    const fs0 = memoryFileSystem({ '/s/snippet.conf': text });
    const { findings } = analyze('/s/snippet.conf', fs0, defaultSettings({ nginxVersion: parseVersion('1.22') }), { rootKind: CONTEXT[s.prefix] });
    assert.deepEqual(findings.filter((f) => f.ruleId !== 'listen-ssl-no-certificate' || f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`), []);
    if (!nginxAvailable()) return t.skip('nginx not installed');
    // For nginx -t: hosts that need no DNS, and certificate files that exist.
    const forNginx = text
      .split('\n')
      .map((l) => (/^\s*(server |proxy_pass|grpc_pass)/.test(l) ? l.replace(/[a-z0-9.-]+\.example\.com/g, '127.0.0.1') : l))
      .join('\n')
      .replace(/\/etc\/nginx\/(client|upstream-ca|client-ca|server)\.(pem|crt|key)/g, (_, n: string, ext: string) => {
        if (n === 'client') return ext === 'key' ? pki.client.key : pki.client.cert;
        if (n === 'server') return ext === 'key' ? pki.server.key : pki.server.cert;
        return pki.rootCa;
      })
      .replace(/listen (\d+)/g, 'listen 127.0.0.1:$1');
    let conf: string;
    if (CONTEXT[s.prefix] === 'stream') conf = `load_module /usr/lib/nginx/modules/ngx_stream_module.so;\nevents {}\nstream {\n${forNginx}\n}\n`;
    else if (CONTEXT[s.prefix] === 'http') conf = `events {}\nhttp {\n${forNginx}\n}\n`;
    else conf = `events {}\nhttp {\n    upstream backend { server 127.0.0.1:443; }\n    server {\n        listen 127.0.0.1:18080;\n${forNginx}\n    }\n}\n`;
    const file = path.join(dir, s.prefix + '.conf');
    fs.writeFileSync(file, conf);
    const r = nginxTest(file, dir + '/');
    assert.ok(r.ok, r.output + '\n' + conf);
  });
}
