// `check --fix --dry-run` prints a unified diff made with the `diff` library: one hunk per separate change,
// in `diff -u` layout, and applying it to the original gives the fixed text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from 'diff';
import { unifiedDiff } from '../../server/src/output/text';

const lines = (n: number, f = (i: number) => `line ${i};`) =>
  Array.from({ length: n }, (_, i) => f(i + 1)).join('\n') + '\n';

test('one hunk per separate change, diff -u headers, and the patch applies back', () => {
  const before = lines(40);
  const after = before.replace('line 3;', 'line 3;\n    proxy_ssl_verify on;').replace('line 35;', 'line 35 changed;');
  const d = unifiedDiff('/x/nginx.conf', before, after);
  assert.match(d, /^--- \/x\/nginx\.conf\n\+\+\+ \/x\/nginx\.conf\n@@ -1,6 \+1,7 @@\n/);
  assert.equal(d.match(/^@@ /gm)?.length, 2, d);
  assert.equal(applyPatch(before, d), after);
  assert.equal(unifiedDiff('a', before, before), '');
});

test('edge cases apply back: CRLF, no final newline, insertion at the start and at the end, emptied file', () => {
  const cases: [string, string][] = [
    ['a;\r\nb;\r\nc;\r\n', 'a;\r\nb;\r\n    x on;\r\nc;\r\n'],
    ['a;\nb;', 'a;\nb;\nc;'],
    ['a;\nb;\n', 'z;\na;\nb;\n'],
    ['a;\nb;\n', 'a;\nb;\nz;\n'],
    ['a;\n', ''],
    ['', 'a;\n'],
  ];
  for (const [before, after] of cases) {
    const d = unifiedDiff('f', before, after);
    assert.equal(applyPatch(before, d), after, JSON.stringify({ before, after, d }));
  }
});
