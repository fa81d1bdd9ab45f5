// SARIF 2.1.0 that GitHub code scanning accepts: validated against the official schema.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const ROOT = path.resolve(__dirname, '../..');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));

function sarif(file: string): any {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', file, '--format', 'sarif', '--nginx-version', '1.22'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  return JSON.parse(r.stdout);
}

test('SARIF output validates against the SARIF 2.1.0 schema and carries what code scanning shows', () => {
  // The official schema has a pattern that is not valid with the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(SCHEMA);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-sarif-'));
  try {
    const unverified = path.join(dir, 'nginx.conf');
    fs.writeFileSync(unverified, 'events {}\nhttp {\n    server {\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n');
    for (const file of [path.join(ROOT, 'examples/seed-complete-example/nginx.conf'), unverified]) {
      const log = sarif(file);
      const valid = validate(JSON.parse(JSON.stringify(log)));
      assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
      const run = log.runs[0];
      const ids = new Set(run.tool.driver.rules.map((r: any) => r.id));
      for (const r of run.tool.driver.rules) {
        assert.ok(r.help.text.length > 50 && r.help.markdown, r.id);
        assert.match(r.helpUri, /docs\/rules\/[a-z-]+\.md$/);
      }
      const verified = run.tool.driver.rules.find((r: any) => r.id === 'upstream-tls-unverified');
      assert.ok(Number(verified.properties['security-severity']) > 0);
      assert.ok(run.results.length > 0);
      for (const res of run.results) {
        assert.ok(ids.has(res.ruleId));
        assert.ok(res.locations[0].physicalLocation.region.startLine >= 1);
      }
    }
    const log = sarif(unverified);
    const res = log.runs[0].results.find((r: any) => r.ruleId === 'upstream-tls-unverified');
    assert.ok(res.fixes?.length, 'the fix travels with the result');
    assert.match(res.fixes[0].artifactChanges[0].replacements[0].insertedContent.text, /proxy_ssl_verify on;/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
