// An edit re-analyses what read the edited file, not every main config of the workspace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLanguageService, defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { FIXING_RULES } from '../../server/src/engine/analyze';
import { Workspace } from '../../server/src/engine/workspace';

test('finding the includer analyses only the config that can include the file; an edit re-analyses only it', () => {
  const files: Record<string, string> = {};
  const roots: string[] = [];
  for (let i = 0; i < 30; i++) {
    files[`/w/s${i}/nginx.conf`] = `events {}\nhttp {\n    include site.conf;\n}\n`;
    files[`/w/s${i}/site.conf`] = `server {\n    location / { proxy_pass https://a${i}.example.com; }\n}\n`;
    roots.push(`/w/s${i}/nginx.conf`, `/w/s${i}/site.conf`);
  }
  const ws = new Workspace(memoryFileSystem(files), defaultSettings(), { candidates: () => roots });
  const first = ws.analyzeFile('/w/s7/site.conf');
  assert.deepEqual(first.roots, ['/w/s7/nginx.conf']);
  const warm = ws.analysisCount;
  assert.equal(warm, 1, 'only the main config whose includes reach the file is analysed (the other 29 are only scanned)');
  ws.setOverlay('/w/s7/site.conf', files['/w/s7/site.conf'].replace('location /', 'location /x'));
  const again = ws.analyzeFile('/w/s7/site.conf');
  assert.equal(ws.analysisCount - warm, 1, 'only s7 was analysed again');
  assert.equal(again.findings.filter((f) => f.ruleId === 'upstream-tls-unverified').length, 1);
  ws.setOverlay('/w/s3/nginx.conf', 'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /ca.pem;\n    include site.conf;\n}\n');
  assert.equal(ws.analyzeFile('/w/s3/site.conf').findings.filter((f) => f.ruleId === 'upstream-tls-unverified').length, 0, 'the includer change is seen');
});

test('a main-looking file included by nginx.conf is analysed as part of it, not as a config of its own', () => {
  const fs = memoryFileSystem({
    '/n/nginx.conf': 'events {}\ninclude http.conf;\n',
    '/n/http.conf': 'http {\n    server { listen 80; }\n}\n',
  });
  const ws = new Workspace(fs, defaultSettings(), { candidates: () => ['/n/nginx.conf', '/n/http.conf'] });
  const r = ws.analyzeFile('/n/http.conf');
  assert.deepEqual(r.roots, ['/n/nginx.conf']);
  assert.deepEqual(r.findings.filter((f) => f.ruleId === 'missing-events'), []);
  const alone = new Workspace(fs, defaultSettings(), { candidates: () => ['/n/http.conf'] }).analyzeFile('/n/http.conf');
  assert.equal(alone.findings.filter((f) => f.ruleId === 'missing-events').length, 1, 'on its own it is a config without events');
});

test('discovery never parses a neighbour that cannot include the file, however large', () => {
  let parsedBig = false;
  const big = 'events {}\nhttp {\n' + '    server { listen 80; location / { return 200; } }\n'.repeat(20000) + '}\n';
  const files: Record<string, string> = {
    '/d/big.conf': big,
    '/d/site/nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
    '/d/site/conf.d/a.conf': 'server {\n    location / { proxy_pass https://a.example.com; }\n}\n',
    // Mentions the include in a comment only: the text scan cannot tell a comment, so this one is analysed,
    // and found not to include the file.
    '/d/other.conf': '# include site/conf.d/a.conf;\nevents {}\nhttp { }\n',
  };
  const mfs = memoryFileSystem(files);
  const spy = { ...mfs, readFile: (p: string) => { if (p === '/d/big.conf') parsedBig = true; return mfs.readFile(p); } };
  const ws = new Workspace(spy, defaultSettings(), { candidates: () => Object.keys(files) });
  const r = ws.analyzeFile('/d/site/conf.d/a.conf');
  assert.deepEqual(r.roots, ['/d/site/nginx.conf']);
  assert.equal(ws.analysisCount, 2);
  // The big file is read for its include scan (it has none), and nothing more: no parse, no analysis.
  assert.ok(parsedBig);
  assert.equal(ws.parseCache.has('/d/big.conf'), false, 'the 20 000-server neighbour was never parsed');
});

test("check --fix's rounds run only the fixing rules; asked whole afterwards, the same model runs the rest, in rule order", () => {
  const seed = fs.readFileSync(path.join(__dirname, '../../examples/seed-complete-example/nginx.conf'), 'latin1');
  const configs: Record<string, string>[] = [
    { '/e/nginx.conf': seed },
    // Findings of many rules, fixing and not, an include, a fragment nobody includes (with a syntax error).
    {
      '/f/nginx.conf': 'events {}\nhttp {\n  include conf.d/*.conf;\n  server { listen 443 ssl; ssl_protocols TLSv1; location / { proxy_pass https://a.example.com; proxy_ssl_verify off; } location /b { proxy_pass https://b.example.com; proxy_ssl_verify on; } }\n}\n',
      '/f/conf.d/x.conf': 'server { listen 80; bogus_directive 1; location / { proxy_pass https://10.0.0.1:8443; proxy_pass_header $nope; } }\n',
      '/f/frag.conf': 'location /c { proxy_pass https://c.example.com }\n',
    },
  ];
  const fixing = new Set(FIXING_RULES.map((r) => r.id));
  let others = 0, fixed = 0;
  for (const files of configs) {
    for (const file of Object.keys(files)) {
      const fresh = createLanguageService({ fs: memoryFileSystem(files), candidates: () => Object.keys(files) }).diagnose(file).findings;
      const service = createLanguageService({ fs: memoryFileSystem(files), candidates: () => Object.keys(files) });
      const partial = service.diagnose(file, { only: 'fixing' }).findings;
      assert.deepEqual(partial.map((f) => f.id), fresh.filter((f) => fixing.has(f.ruleId)).map((f) => f.id), `${file}: the fixing rules' findings, as a whole analysis has them`);
      const whole = service.diagnose(file);
      assert.equal(whole.modelsReused, 0);
      assert.deepEqual(whole.findings.map((f) => [f.id, f.message]), fresh.map((f) => [f.id, f.message]), `${file}: completed, the findings of a whole analysis in its order`);
      if (fresh.some((f) => !fixing.has(f.ruleId))) others++;
      if (partial.length) fixed++;
    }
  }
  assert.ok(others >= 3 && fixed >= 3, `files with findings of other rules: ${others}, of fixing rules: ${fixed}`);
  // The completion runs on the cached model: no second model is built.
  const files = configs[1];
  const ws = new Workspace(memoryFileSystem(files), defaultSettings(), { candidates: () => Object.keys(files) });
  const partial = ws.analyzeFile('/f/nginx.conf', undefined, false, true);
  const count = ws.analysisCount;
  const whole = ws.analyzeFile('/f/nginx.conf');
  assert.equal(ws.analysisCount, count, 'no new analysis');
  assert.equal(whole.analyses[0].model, partial.analyses[0].model, 'the same model');
  assert.equal(whole.analyses[0].ran, undefined);
  // A whole analysis serves a later request for the fixing rules as it is.
  assert.equal(ws.analyzeFile('/f/nginx.conf', undefined, false, true).analyses[0], whole.analyses[0]);
});
