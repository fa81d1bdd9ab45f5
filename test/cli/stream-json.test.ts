// Streamed JSON (`check --format json|sarif`): byte for byte what JSON.stringify(value, null, 2) gives, for
// every shape the outputs have and the corner cases of JSON.stringify itself; lazy lists write as arrays.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyList, writeJson } from '../../server/src/output/stream-json';

function streamed(v: unknown, chunk?: (s: string) => void): string {
  let out = '';
  writeJson(v, (s) => { out += s; chunk?.(s); });
  return out;
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

test('a lazy list is written as the array it stands for, its items made one at a time', () => {
  let made = 0;
  const items = Array.from({ length: 5000 }, (_, i) => ({ i, message: 'finding ' + i, fixes: i % 2 ? [] : [{ title: 't', safe: true }] }));
  const lazy = new LazyList(items.length, (i) => { made++; return items[i]; });
  const chunks: string[] = [];
  const text = streamed({ results: lazy }, (s) => chunks.push(s));
  assert.equal(text, JSON.stringify({ results: items }, null, 2));
  assert.equal(made, items.length);
  assert.ok(chunks.length > 1, 'written in several pieces, not as one string');
  assert.equal(streamed(new LazyList(0, () => 1)), '[]');
});
