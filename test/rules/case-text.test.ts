// The conf`…` tag the rule cases are written with: which bytes a literal stands for, since the cases test
// exact offsets (columns, fixed text) and must not change when they are re-indented.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conf } from '../../server/src/engine/rules/case-text';

test('lines are verbatim, the common indentation removed, a final newline when the backtick closes alone', () => {
  const t = conf`
      events {}
      http {
          location ~ \.php$ { return 200 "a\n"; }
      }
  `;
  assert.equal(t, 'events {}\nhttp {\n    location ~ \\.php$ { return 200 "a\\n"; }\n}\n');
});

test('no final newline when the backtick follows the last line', () => {
  assert.equal(
    conf`
    a;
      b;`,
    'a;\n  b;',
  );
});

test('blank lines stay empty; tabs, CRs and trailing spaces come from substitutions, never dedented', () => {
  const t = conf`
    a;

    ${'\t'}b;${'\r'}
    c;${'  '}
    ${'    '}
  `;
  assert.equal(t, 'a;\n\n\tb;\r\nc;  \n    \n');
});

test('literal whitespace an editor could change unseen is refused', () => {
  // A literal trailing space would be trimmed on save (.editorconfig) and the case would silently change.
  assert.throws(() => conf(Object.assign(['\n  a; \n'], { raw: ['\n  a; \n'] })), /trailing space/);
  assert.throws(() => conf(Object.assign(['\n\ta;\n'], { raw: ['\n\ta;\n'] })), /tab/);
  assert.throws(() => conf(Object.assign(['a;\n'], { raw: ['a;\n'] })), /line after the opening backtick/);
});
