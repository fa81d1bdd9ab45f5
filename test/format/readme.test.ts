// The README's formatting example is what the formatter does, and its CI example runs `format --check`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatConfig } from '../../server/src/engine/service/format';

const README = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

test('README: the before/after example of the Formatting section', () => {
  const section = README.slice(README.indexOf('## Formatting'), README.indexOf('## Command line'));
  const blocks = [...section.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 2);
  const r = formatConfig(blocks[0], { tabSize: 4, insertSpaces: true });
  assert.ok('text' in r);
  assert.equal(r.text, blocks[1]);
});

test('README: the CI example checks the layout with format --check', () => {
  const ci = README.slice(README.indexOf('### In CI'));
  assert.match(ci, /- run: npx --yes nginx-tls-proxy format --check nginx\//);
});
