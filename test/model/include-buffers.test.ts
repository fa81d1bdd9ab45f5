// An editor buffer (setText) at a path no file has yet stands for that file: an include glob that would match
// the file matches the buffer, in the model and in discovery, from the moment it is opened until it is closed,
// in a service that had analysed the main config before (its cached analyses and include closures are dropped).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, memoryFileSystem } from '../../server/src/engine';

const MAIN = '/etc/nginx/nginx.conf';
const NEW = '/etc/nginx/sites-enabled/new.conf';
const SITE = 'server {\n    listen 81;\n    location / {\n        proxy_pass https://b.example.com;\n    }\n}\n';

function service() {
  return createLanguageService({
    fs: memoryFileSystem({
      [MAIN]:
        'events {}\nhttp {\n    proxy_ssl_verify on;\n    include sites-enabled/*.conf;\n    include sites-enabled/literal.conf;\n}\n',
      '/etc/nginx/sites-enabled/old.conf': 'server {\n    listen 80;\n}\n',
    }),
    candidates: () => [MAIN],
  });
}

const unverified = (s: ReturnType<typeof service>, path: string) =>
  s.diagnose(path).findings.filter((f) => f.ruleId === 'upstream-tls-unverified' && f.path === path);

test('a buffer a glob would match is included from when it is opened until it is closed', () => {
  const s = service();
  // Analysed (and cached) before the buffer exists.
  assert.deepEqual(s.diagnose(MAIN).dependencies.sort(), [MAIN, '/etc/nginx/sites-enabled/old.conf']);
  s.setText(NEW, SITE);
  assert.deepEqual(s.diagnose(MAIN).dependencies.sort(), [MAIN, NEW, '/etc/nginx/sites-enabled/old.conf']);
  // In nginx.conf's context (verification on at http level): nothing is unverified, and the root says so.
  const dx = s.diagnose(NEW);
  assert.deepEqual(dx.roots, [MAIN]);
  assert.deepEqual(unverified(s, NEW), []);
  s.setText(NEW, undefined);
  assert.deepEqual(s.diagnose(MAIN).dependencies.sort(), [MAIN, '/etc/nginx/sites-enabled/old.conf']);
});

test('a buffer no glob matches is analysed alone; one an include names literally is included as before', () => {
  const s = service();
  s.diagnose(MAIN);
  s.setText('/etc/nginx/sites-enabled/new.txt', SITE);
  assert.equal(unverified(s, '/etc/nginx/sites-enabled/new.txt').length, 1);
  s.setText('/etc/nginx/sites-enabled/literal.conf', SITE);
  assert.deepEqual(unverified(s, '/etc/nginx/sites-enabled/literal.conf'), []);
  assert.ok(s.diagnose(MAIN).dependencies.includes('/etc/nginx/sites-enabled/literal.conf'));
});
