// Streamed JSON (`check --format json|sarif`): the layout of JSON.stringify(value, null, 2), byte for byte, for
// every shape the outputs have and the corner cases of JSON.stringify itself, except that a lazy list's items
// are each written on one line, as JSON.stringify(item) gives it. Either way the same JSON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLanguageService, memoryFileSystem } from '../../server/src/engine';
import { LazyList, writeJson } from '../../server/src/output/stream-json';
import { toJsonLazy } from '../../server/src/output/text';
import { toSarif } from '../../server/src/output/sarif';

function streamed(v: unknown, chunk?: (s: string) => void): string {
  let out = '';
  writeJson(v, (s) => { out += s; chunk?.(s); });
  return out;
}

/**
 * What writeJson must give, made another way: JSON.stringify(value, null, 2) with each lazy list (outside
 * another's items) stood in for by an array of marker strings, and each marker's line then replaced by the
 * item's compact JSON.
 */
function expected(value: unknown): string {
  const items: unknown[] = [];
  const marker = (k: number) => `\u0000lazy item ${k}\u0000`;
  const copy = (v: unknown): unknown => {
    if (v instanceof LazyList) return Array.from({ length: v.length }, (_, i) => marker(items.push(v.item(i)) - 1));
    if (v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') return v;
    if (Array.isArray(v)) return v.map(copy);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  };
  const pretty = JSON.stringify(copy(value), null, 2) as string | undefined;
  return pretty === undefined ? '' : pretty.replace(/"\\u0000lazy item (\d+)\\u0000"/g, (_, k: string) => JSON.stringify(items[Number(k)]) ?? 'null');
}

test('the same text as JSON.stringify(value, null, 2)', () => {
  const values: unknown[] = [
    null, 0, -1.5, 'a "quoted" \\ string\n\u2028 é 😀 \ud800', true, [], {}, [[]], [{}], { a: [] }, { a: {} },
    { a: undefined, b: () => 1, c: null, d: [undefined, () => 2, NaN, Infinity], e: { f: [1, [2, [3]]] } },
    { toJSON: () => ({ made: 'by toJSON' }) }, [new Date(0)], { '': 1, 'k"ey': 2 },
    { $schema: 'x', runs: [{ tool: { driver: { name: 'n', rules: [{ id: 'r', properties: { tags: ['security'] } }] } }, results: [{ fixes: undefined, level: 'warning' }] }] },
  ];
  for (const v of values) assert.equal(streamed(v), JSON.stringify(v, null, 2), JSON.stringify(v));
});

test('a lazy list is written as the array it stands for, an item per line, its items made one at a time', () => {
  let made = 0;
  const items = Array.from({ length: 5000 }, (_, i) => ({ i, message: 'finding ' + i, fixes: i % 2 ? [] : [{ title: 't', safe: true }] }));
  const lazy = new LazyList(items.length, (i) => { made++; return items[i]; });
  const chunks: string[] = [];
  const text = streamed({ results: lazy }, (s) => chunks.push(s));
  assert.deepEqual(JSON.parse(text), { results: items });
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(2, -2), items.map((x, i) => '    ' + JSON.stringify(x) + (i + 1 < items.length ? ',' : '')), 'each item on its line');
  assert.deepEqual([...lines.slice(0, 2), ...lines.slice(-2)], ['{', '  "results": [', '  ]', '}']);
  assert.equal(made, items.length);
  assert.equal(text, expected({ results: lazy }));
  assert.ok(chunks.length > 1, 'written in several pieces, not as one string');
  assert.equal(streamed(new LazyList(0, () => 1)), '[]');
});

test('lazy lists at any depth, in arrays and objects and inside items of other lazy lists, write as the arrays they stand for', () => {
  // The reference itself: a marker line becomes the item's compact JSON, in place.
  assert.equal(expected([new LazyList(2, (i) => ({ i }))]), '[\n  [\n    {"i":0},\n    {"i":1}\n  ]\n]');
  // Items of every shape JSON.stringify treats apart: left out or null, multi-line, nested, made by toJSON.
  const items: unknown[] = [undefined, () => 1, null, 'a\nb', { a: [1, { b: [] }], c: {}, d: undefined }, [], {}, [[1]], { toJSON: () => undefined }, new Date(0), 'é \u2028 😀'];
  const lazy = () => new LazyList(items.length, (i) => items[i]);
  let value: unknown = { top: lazy() };
  for (let depth = 0; depth < 6; depth++) {
    value = depth % 2 ? { k: value, other: [1, { z: undefined }], inner: new LazyList(2, (i) => ({ i, list: lazy() })) } : [value, 'q', lazy()];
    // JSON.stringify writes a lazy list through its toJSON: the whole array, the same JSON.
    assert.equal(streamed(value), expected(value), `depth ${depth}`);
    assert.deepEqual(JSON.parse(streamed(value)), JSON.parse(JSON.stringify(value)));
    assert.equal(streamed(new LazyList(3, () => value)), expected(new LazyList(3, () => value)));
    assert.deepEqual(JSON.parse(streamed(new LazyList(3, () => value))), JSON.parse(JSON.stringify([value, value, value])));
  }
});

/**
 * The seed example's findings and more (unverified upstreams with several fixes, a message with characters
 * JSON escapes), from the real engine, with the service that found them.
 */
function seedFindings() {
  const seed = fs.readFileSync(path.join(__dirname, '../../examples/seed-complete-example/nginx.conf'), 'latin1');
  const file = '/etc/nginx/nginx.conf';
  const text = seed.replace(/\}\s*$/, '') + '\nserver { listen 8080; location /x { proxy_pass https://a.example.com/"q"\\u00e9\x01; } }\n}\n';
  const service = createLanguageService({ fs: memoryFileSystem({ [file]: text }) });
  return { service, file, findings: service.diagnose(file).findings };
}

test('JSON findings written as text are the records JSON.stringify would write, at any depth', () => {
  const { service, findings } = seedFindings();
  assert.ok(findings.some((f) => f.fixes.length > 1) && findings.some((f) => f.fixes.length === 0), 'findings with several fixes and with none');
  const odd = { ...findings[0], range: findings[0].range, severity: findings[0].severity, start: 0, end: 0, related: [], id: 'odd', path: '/tmp/a "b"\n\u2028é😀', ruleId: 'not-a-rule', message: 'tab\there \ud800', fixes: [{ title: 'asks', edits: [], isPreferred: true, input: { placeholder: 'X', prompt: 'p' } }, { title: 'plain', edits: [], isPreferred: false }] };
  const rules = service.rules();
  assert.ok(rules.some((r) => r.cis) && rules.some((r) => r.securitySeverity !== undefined), 'rules with every field');
  for (const withRules of [false, true]) {
    const lazy = toJsonLazy([...findings, odd], withRules ? rules : undefined);
    assert.ok(lazy.text, 'the records are written as text');
    for (let i = 0; i < lazy.length; i++) {
      assert.equal(lazy.text!(i), JSON.stringify(lazy.item(i)), `record ${i}${withRules ? ', with rules' : ''}`);
    }
    // And through writeJson, at the top and nested.
    const records = Array.from({ length: lazy.length }, (_, i) => lazy.item(i));
    assert.equal(streamed(lazy), expected(lazy));
    assert.deepEqual(JSON.parse(streamed(lazy)), records);
    assert.equal(streamed({ a: [{ b: lazy }] }), expected({ a: [{ b: lazy }] }));
  }
});

test('SARIF results written as text are the results JSON.stringify would write, lazily or not', () => {
  const { service, file, findings: found } = seedFindings();
  // Fixes of every shape: several edits in two files (one outside the working folder), none, one waiting for input.
  const odd = {
    ...found[0], range: found[0].range, severity: 'hint' as const, start: 0, end: 0, related: [], id: 'odd', path: '/elsewhere/a "b"\n é😀.conf', ruleId: 'not-a-rule', message: 'tab\there \ud800',
    fixes: [
      { title: 'asks', edits: [{ path: file, start: 1, end: 2, newText: 'X' }], isPreferred: true, input: { placeholder: 'X', prompt: 'p' } },
      { title: 'two "files"', edits: [{ path: file, start: 3, end: 9, newText: 'a\r\n\t"b"\u2028' }, { path: '/elsewhere/x.conf', start: 0, end: 0, newText: '' }], isPreferred: false },
      { title: 'nothing', edits: [], isPreferred: false },
    ],
  };
  const findings = [...found, odd, { ...odd, id: 'odd2', fixes: [] }];
  assert.ok(found.some((f) => f.fixes.length > 1), 'findings with several fixes');
  for (const cwd of ['/etc/nginx', '/elsewhere', '/']) {
    const plain = toSarif(findings, cwd, service.rules()) as { runs: { results: unknown[] }[] };
    const lazy = toSarif(findings, cwd, service.rules(), true) as { runs: { results: LazyList<unknown> }[] };
    const results = lazy.runs[0].results;
    assert.ok(results.text, 'the results are written as text');
    for (let i = 0; i < results.length; i++) {
      assert.equal(results.text!(i), JSON.stringify(plain.runs[0].results[i]), `result ${i}`);
    }
    assert.equal(streamed(lazy), expected(lazy));
    assert.deepEqual(JSON.parse(streamed(lazy)), JSON.parse(JSON.stringify(plain)));
  }
});
