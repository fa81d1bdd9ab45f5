// An empty upstream block is refused by nginx whatever surrounds it: a file read on its own, outside its main
// config, gets the error too. Only an include inside the block that could not be read may add servers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, memoryFileSystem } from '../../server/src/engine';

// As the editor and the CLI analyse a file: in its main config, or alone in the context its text implies.
const severities = (path: string, files: Record<string, string>) =>
  createLanguageService({ fs: memoryFileSystem(files) }).diagnose(path).findings.filter((f) => f.ruleId === 'upstream-no-servers').map((f) => `${f.severity}: ${f.message}`);

test('an empty upstream in a file read on its own is the error nginx gives', () => {
  assert.deepEqual(severities('/conf.d/backend.conf', { '/conf.d/backend.conf': 'upstream backend {\n    zone backend 64k;\n}\n' }), [
    'error: no servers are inside upstream "backend"',
  ]);
});

test('an include inside the block that could not be read may add servers: a warning that says so', () => {
  const main = 'events {}\nhttp {\n    upstream backend {\n        include /nowhere/servers.conf;\n    }\n    upstream other {\n        zone other 64k;\n    }\n}\n';
  assert.deepEqual(severities('/etc/nginx/nginx.conf', { '/etc/nginx/nginx.conf': main }), [
    'warning: no servers are inside upstream "backend" (unless the include in it that could not be read adds some)',
    // An unread include elsewhere adds nothing to this block.
    'error: no servers are inside upstream "other"',
  ]);
});
