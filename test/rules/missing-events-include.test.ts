// missing-events when the http block arrives through an include: reported on that include, no crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { analyze } from '../support/engine';

test('the http block comes from an included file', () => {
  const fs = memoryFileSystem({ '/m/nginx.conf': 'worker_processes 1;\ninclude conf.d/http.conf;\n', '/m/conf.d/http.conf': 'http {\n    server { listen 80; }\n}\n' });
  const { findings } = analyze('/m/nginx.conf', fs, defaultSettings());
  assert.deepEqual(findings.filter((f) => f.ruleId === 'internal-error'), []);
  const f = findings.find((x) => x.ruleId === 'missing-events')!;
  assert.equal(f.path, '/m/nginx.conf');
  assert.equal(f.range.start.line, 1);
});
