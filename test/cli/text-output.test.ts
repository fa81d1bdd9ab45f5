// Text output (`check --format text`): one finding is one line whatever its path and message hold, written
// in pieces that each end with a whole line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../server/src/engine';
import { escapeControls, writeText } from '../../server/src/output/text';

function finding(i: number, path: string, message: string): Finding {
  const range = { start: { line: i, character: 4 }, end: { line: i, character: 9 } };
  return { id: String(i), ruleId: 'some-rule', severity: i % 2 ? 'warning' : 'error', message, path, start: i * 10, end: i * 10 + 5, range, fixes: [], related: [] };
}

/** `\xNN` back to the character (the text has no backslash of its own). */
const unescape = (s: string) => s.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

test('every control character of a message or a path is escaped, and each finding stays on its line', () => {
  const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join('') + '\x7f\x9b';
  const messages = ['plain', 'ESC \x1b[31m red', 'two\nlines', controls, 'é \u2028 😀', '', 'CSI \x9b alone', 'DEL \x7f alone'];
  const findings: Finding[] = [];
  // Thousands of findings: the text is written in several pieces.
  for (let i = 0; i < 3000; i++) findings.push(finding(i, i % 3 ? '/cwd/a.conf' : '/cwd/ctl\n\x1b.conf', messages[i % messages.length]));
  const chunks: string[] = [];
  writeText(findings, '/cwd', false, (s) => chunks.push(s));
  assert.ok(chunks.length > 1, 'written in several pieces');
  for (const c of chunks) assert.ok(c.endsWith('\n'), 'a piece ends with a whole line');
  const lines = chunks.join('').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.pop(), '3000 finding(s): 1500 error, 1500 warning, 0 info, 0 hint');
  assert.equal(lines.length, findings.length);
  const seen = new Set<number>();
  for (const l of lines) {
    assert.ok(!/[\x00-\x1f\x7f\x9b]/.test(l), l);
    const m = /^(.*):(\d+):5: (error|warning): (.*) \[some-rule\]$/s.exec(l);
    assert.ok(m, l);
    // Sorted by path: the line number tells which finding it is.
    const i = Number(m[2]) - 1;
    seen.add(i);
    assert.equal(unescape(m[1]), i % 3 ? 'a.conf' : 'ctl\n\x1b.conf');
    assert.equal(unescape(m[4]), messages[i % messages.length]);
  }
  assert.equal(seen.size, findings.length);
  assert.equal(escapeControls('nothing to escape'), 'nothing to escape');
});
