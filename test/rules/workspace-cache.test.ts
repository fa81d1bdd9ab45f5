// An edit re-analyses what read the edited file, not every main config of the workspace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, memoryFileSystem } from '../../server/src/engine';
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
