// `check --fix --dry-run` prints a unified diff made with the `diff` library: one hunk per separate change,
// in `diff -u` layout, and applying it to the original gives the fixed text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from 'diff';
import fc from 'fast-check';
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

test('random line edits, many of them, apply back (the diff is found change by change, not whole)', () => {
  let seed = 99;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 60; round++) {
    const before =
      Array.from(
        { length: 20 + rand(300) },
        () => ['a;', 'b;', '}', '    proxy_pass https://x;', ''][rand(5)] + '\n',
      ).join('') + (rand(2) ? 'tail;' : '');
    const lines = before.split('\n');
    const edits = 1 + rand(40);
    for (let k = 0; k < edits; k++) {
      const at = rand(lines.length);
      const what = rand(3);
      if (what === 0) lines.splice(at, 0, '    proxy_ssl_verify on;');
      else if (what === 1 && lines.length > 1) lines.splice(at, 1 + rand(3));
      else lines[at] = lines[at] + ' # changed';
    }
    const after = lines.join('\n');
    const d = unifiedDiff('f', before, after);
    assert.equal(applyPatch(before, d), after, `round ${round}`);
  }
});

test('hunks written without the library apply back and change as few lines as the library', () => {
  // Changes that only add or only remove lines are written directly. Where a line repeats, where it goes is
  // a choice (before or after its twin) that may differ from the library's; the diff still applies back, with
  // as many lines added and removed as the library's (CRLF, blank lines, changes next to each other).
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a;', 'b;', '}', '', '    proxy_pass https://x;', 'c;\r'), {
        minLength: 0,
        maxLength: 60,
      }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('add', 'drop', 'change'), fc.nat(3)), { maxLength: 12 }),
      fc.boolean(),
      (start, edits, finalNewline) => {
        const lines: string[] = [...start];
        for (const [at, what, n] of edits) {
          const i = lines.length ? at % (lines.length + 1) : 0;
          if (what === 'add')
            lines.splice(i, 0, ...Array.from({ length: n + 1 }, (_, k) => (k % 2 ? 'a;' : '    proxy_ssl_verify on;')));
          else if (what === 'drop') lines.splice(i, n + 1);
          else if (i < lines.length) lines[i] += ' # changed';
        }
        const join = (ls: string[]) => ls.join('\n') + (finalNewline && ls.length ? '\n' : '');
        const before = join(start),
          after = join(lines);
        const direct = unifiedDiff('f', before, after);
        const library = unifiedDiff('f', before, after, true);
        const count = (d: string, sign: string) =>
          d.split('\n').filter((l) => l[0] === sign && !/^(---|\+\+\+) /.test(l)).length;
        assert.equal(count(direct, '+'), count(library, '+'));
        assert.equal(count(direct, '-'), count(library, '-'));
        assert.equal(applyPatch(before, direct), after);
      },
    ),
    { numRuns: 3000 },
  );
});
