// One round of `check --fix` through the engine's door: the safe fixes chosen, the round's findings let go,
// the fixes applied and kept only where they hold, the new texts set for the next analysis.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, createLanguageService, Finding, memoryFileSystem } from '../../server/src/engine';
import { selectSafeFixes } from '../../server/src/engine/fixes/select';

const MAIN = '/c/nginx.conf';
const SITE = '/c/site.conf';
const site = (n: number) =>
  Array.from({ length: n }, (_, i) => `server {\n    listen 80;\n    location /${i}/ {\n        proxy_pass https://app${i}.example.com;\n    }\n}\n`).join('');

function service(files: Record<string, string>) {
  return createLanguageService({ fs: memoryFileSystem(files), rootConfig: MAIN });
}

test('applySafeFixes: the chosen fixes are applied, the findings array is emptied, the new text is analysed next', () => {
  const main = 'events {}\nhttp {\n    include site.conf;\n}\n';
  const s = service({ [MAIN]: main, [SITE]: site(3) });
  const findings: Finding[] = [...s.diagnose(MAIN).findings, ...s.diagnose(SITE).findings];
  assert.equal(findings.filter((f) => f.ruleId === 'upstream-tls-unverified').length, 3);
  // What safeFixes gives on the same findings is what is applied.
  const expected = applyEdits(site(3), s.safeFixes(findings).flatMap((f) => f.edits));
  let released = 0;
  const applied = s.applySafeFixes(findings, () => released++);
  assert.equal(findings.length, 0, 'the round\'s findings are let go');
  assert.equal(released, 1);
  assert.deepEqual(applied.map((a) => a.path), [SITE]);
  assert.equal(applied[0].before, site(3));
  assert.equal(applied[0].after, expected);
  assert.equal(s.textOf(SITE), expected);
  assert.equal(s.textOf(MAIN), main);
  // The next analysis reads the fixed text: verification is on everywhere.
  const again = s.diagnose(SITE).findings;
  assert.equal(again.filter((f) => f.ruleId === 'upstream-tls-unverified').length, 0);
  assert.equal((expected.match(/proxy_ssl_verify on;/g) ?? []).length, 3);
});

test('applySafeFixes: nothing to fix leaves the findings alone and changes nothing', () => {
  const text = 'events {}\nhttp {\n    server {\n        listen 80;\n        location / { return 200; }\n    }\n}\n';
  const s = service({ [MAIN]: text });
  const findings = [...s.diagnose(MAIN).findings];
  const n = findings.length;
  let released = 0;
  assert.deepEqual(s.applySafeFixes(findings, () => released++), []);
  assert.equal(findings.length, n);
  assert.equal(released, 0);
  assert.equal(s.textOf(MAIN), text);
});

test('applySafeFixes: a file with syntax errors is not touched, another one is', () => {
  const main = 'events {}\nhttp {\n    include site.conf;\n    include broken.conf;\n}\n';
  const broken = 'server {\n    listen 80;\n    location / {\n        proxy_pass https://b.example.com;\n    }\n';
  const s = service({ [MAIN]: main, [SITE]: site(1), '/c/broken.conf': broken });
  const findings = [...s.diagnose(SITE).findings, ...s.diagnose('/c/broken.conf').findings];
  assert.ok(findings.some((f) => f.ruleId === 'syntax-error' && f.path === '/c/broken.conf'));
  const applied = s.applySafeFixes(findings);
  assert.deepEqual(applied.map((a) => a.path), [SITE]);
  assert.equal(s.textOf('/c/broken.conf'), broken);
});

test('fixes chosen together never add one directive to one block twice, nor touch one place twice', () => {
  // Findings made by hand: each with one safe preferred fix inserting directives at its own offset.
  const finding = (start: number, newText: string, scope?: string, path = SITE): Finding =>
    ({ id: `x@${start}`, ruleId: 'upstream-tls-unverified', severity: 'warning', message: 'm', path, start, end: start, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, related: [], fixes: [{ title: 't', isPreferred: true, safe: true, edits: [{ path, start, end: start, newText, ...(scope ? { scope } : {}) }] }] }) as Finding;
  const verify = '\n    proxy_ssl_verify on;\n    proxy_ssl_server_name on;';
  const chosen = selectSafeFixes([
    finding(10, verify, `${SITE}:5`),
    finding(20, '\n    proxy_ssl_verify on;', `${SITE}:5`), // the same directive, the same block: left for the next round
    finding(30, '\n    proxy_ssl_name a;', `${SITE}:5`), // another directive in that block
    finding(40, verify, `${SITE}:50`), // the same directives in another block
    finding(40, '\n    proxy_ssl_name b;', `${SITE}:50`), // the same place as the one before
    finding(60, verify), // no block named: per file
    finding(70, '\n    proxy_ssl_server_name on;'), // so this one clashes with it
    finding(80, verify, undefined, MAIN), // but not with one in another file
  ]);
  assert.deepEqual(chosen.map((f) => f.edits[0].start + ':' + f.edits[0].path), [`10:${SITE}`, `30:${SITE}`, `40:${SITE}`, `60:${SITE}`, `80:${MAIN}`]);
});
