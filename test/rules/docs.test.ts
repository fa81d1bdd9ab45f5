// The rule pages users are linked to from every diagnostic must exist and match the rule modules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allPages } from '../../scripts/gen-rule-docs';

test('docs/rules is up to date (npm run docs)', () => {
  for (const [name, text] of allPages()) {
    const file = path.resolve(__dirname, '../../docs/rules', name);
    assert.ok(fs.existsSync(file), `${name} missing: run npm run docs`);
    assert.equal(fs.readFileSync(file, 'utf8'), text, `${name} is stale: run npm run docs`);
  }
});
