// Every rule's own examples through real `nginx -t` (Debian's 1.22): where our analysis at 1.22 says nginx
// will refuse a config, it does; where we say it will not, it does not. For rules about configs nginx
// accepts (TLS behaviour at run time) this shows that nginx takes the risky config without a word.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { analyze, parseVersion, RULES } from '../support/engine';
import type { RuleCase } from '../../server/src/engine/rules/rule';
import { nginxAvailable, nginxTest, tempDir } from '../support/nginx';
import { makeCasePki, makePki, opensslAvailable, Pki } from '../support/pki';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import { nodeCertificateParser } from '../../server/src/node/node-certificates';

const REJECTING = new Set(RULES.filter((r) => r.nginxRejects).map((r) => r.id));
/** Cases nginx cannot judge statically here: the include rules need files nginx would loop on or not find. */
const SKIP_RULES = new Set(['include-cycle', 'include-limit']);

let dir = '';
let pki: Pki;
/** The files examples name beside their config (CASE_FILES), when openssl can make them. */
let casePki: Record<string, string> | null = null;
before(() => {
  if (!nginxAvailable()) return;
  dir = tempDir('ntp-rulecases-');
  pki = makePki(path.join(dir, 'pki'));
  if (opensslAvailable()) casePki = makeCasePki(path.join(dir, 'case-pki'));
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

/** Modules a case's third-party directives need, as Debian's nginx-extras ships them. */
function modules(text: string): string {
  const m: string[] = [];
  if (/_by_lua/.test(text)) m.push('ndk_http_module', 'ngx_http_lua_module');
  if (/more_(set|clear)_/.test(text)) m.push('ngx_http_headers_more_filter_module');
  return m.map((x) => `load_module /usr/lib/nginx/modules/${x}.so;\n`).join('');
}

function wrap(c: RuleCase): string {
  return modules(c.config) + wrapped(c);
}

function wrapped(c: RuleCase): string {
  const body = c.config;
  switch (c.context) {
    case 'http/location': return `events {}\nhttp {\n    server {\n        listen 127.0.0.1:18080;\n        location / {\n${body}\n        }\n    }\n}\n`;
    case 'http/server': return `events {}\nhttp {\n    server {\n        listen 127.0.0.1:18081;\n${body}\n    }\n}\n`;
    case 'http': return `events {}\nhttp {\n${body}\n}\n`;
    case 'stream': return `load_module /usr/lib/nginx/modules/ngx_stream_module.so;\nevents {}\nstream {\n${body}\n}\n`;
    case 'stream/server': return `load_module /usr/lib/nginx/modules/ngx_stream_module.so;\nevents {}\nstream {\n    server {\n        listen 127.0.0.1:15001;\n${body}\n    }\n}\n`;
    default: return body;
  }
}

/** Real files for certificate names, and addresses that need no DNS. */
function materialise(text: string): string {
  const files: Record<string, string> = {
    'a.crt': pki.server.cert, 'a.key': pki.server.key, 'b.crt': pki.server.cert, 'b.key': pki.server.key,
    'c.crt': pki.client.cert, 'c.key': pki.client.key, 'ca.crt': pki.rootCa,
  };
  return text
    .replace(/(?<![\w/.-])([abc]\.(?:crt|key)|ca\.crt)(?![\w.])/g, (m) => files[m] ?? m)
    .split('\n')
    .map((l) => (!/ssl_name|server_name/.test(l)
      ? l.replace(/(?<=[/\s])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:example\.com|example|test)(?=[:/;\s"']|$)/g, '127.0.0.1')
      : l))
    .join('\n')
    .replace(/proxy_pass http:\/\/(a|b);/g, 'proxy_pass http://127.0.0.1;');
}

for (const rule of RULES) {
  if (SKIP_RULES.has(rule.id)) continue;
  const cases = [...rule.cases.invalid.map((c) => ({ c, kind: 'invalid' })), ...rule.cases.valid.map((c) => ({ c, kind: 'valid' }))];
  test(`${rule.id}: our verdict on each example matches real nginx -t`, (t) => {
    if (!nginxAvailable()) return t.skip('nginx not installed');
    const rows: string[] = [];
    cases.forEach(({ c, kind }, i) => {
      // A declared fragment (`# nginx-context: …`) is a piece of a config, not something nginx -t can load.
      if (/# nginx-context:/.test(c.config)) return;
      let findings;
      let live;
      let text;
      if (c.files) {
        // The example's files beside it, in a folder of its own that is nginx's prefix; read by the engine
        // from the same disk.
        if (!casePki) return;
        // Paths of the server the config is edited for (absent here, outside the workspace) are not ours
        // to judge by design; nginx on this machine cannot load them, nginx on that server can.
        if (/\s\/nowhere\//.test(c.config)) return;
        const caseDir = path.join(dir, `${rule.id}-${kind}-${i}`);
        fs.mkdirSync(caseDir, { recursive: true });
        fs.chmodSync(caseDir, 0o755);
        for (const [name, what] of Object.entries(c.files)) fs.copyFileSync(casePki[what], path.join(caseDir, name));
        text = wrap(c).replace(/\bproxy_pass https:\/\/backend\.test;/g, 'proxy_pass https://127.0.0.1:9;');
        const file = path.join(caseDir, 'nginx.conf');
        fs.writeFileSync(file, text);
        live = nginxTest(file, caseDir + '/');
        findings = analyze(file, new NodeFileSystem(), defaultSettings({ nginxVersion: parseVersion('1.22') }), { certificates: nodeCertificateParser, workspaceFolders: [caseDir] }).findings;
      } else {
        text = materialise(wrap(c));
        const file = path.join(dir, `${rule.id}-${kind}-${i}.conf`);
        fs.writeFileSync(file, text);
        live = nginxTest(file, dir + '/');
        findings = analyze('/r/nginx.conf', memoryFileSystem({ '/r/nginx.conf': text }), defaultSettings({ nginxVersion: parseVersion('1.22') })).findings;
      }
      const errors = findings.filter((f) => f.severity === 'error' && REJECTING.has(f.ruleId));
      const agree = live.ok === (errors.length === 0);
      rows.push(`${kind} #${i + 1}: nginx ${live.ok ? 'accepts' : 'rejects (' + live.errors[0]?.message + ')'}; we ${errors.length ? 'report ' + errors.map((e) => e.ruleId).join(', ') : 'report no error'}${agree ? '' : '  <-- DISAGREE'}`);
      if (!rule.nginxRejects) assert.ok(live.ok || errors.length > 0, `${rule.id} ${kind} #${i + 1} should be a config nginx accepts:\n${live.output}\n${text}`);
      assert.ok(agree, `${rule.id} ${kind} #${i + 1}:\n${rows[rows.length - 1]}\n${live.output}\n${text}`);
    });
    console.log(`${rule.id}\n  ${rows.join('\n  ')}`);
  });
}
