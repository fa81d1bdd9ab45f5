// A site file nobody includes (the workspace is only sites-enabled/, say) resolves relative includes as
// nginx would from the main config's folder, and a miss there is a warning that says why, not an error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { Workspace } from '../../server/src/engine/workspace';

const SITE = 'server {\n    listen 80;\n    include snippets/proxy.conf;\n    include snippets/missing.conf;\n}\n';

test('relative includes of a fragment resolve against the folder above with nginx.conf or named nginx', () => {
  const fs = memoryFileSystem({
    '/etc/nginx/sites-enabled/app.conf': SITE,
    '/etc/nginx/snippets/proxy.conf': 'proxy_set_header Host $host;\n',
  });
  const ws = new Workspace(fs, defaultSettings(), { candidates: () => [] });
  const r = ws.analyzeFile('/etc/nginx/sites-enabled/app.conf');
  const missing = r.findings.filter((f) => f.ruleId === 'include-not-found');
  assert.equal(missing.length, 1);
  assert.match(missing[0].message, /\/etc\/nginx\/snippets\/missing\.conf/);
  assert.equal(missing[0].severity, 'warning');
  assert.match(missing[0].message, /analysed on its own/);
});
