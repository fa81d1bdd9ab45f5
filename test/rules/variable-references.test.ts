// The hand-written scanner of variable references (`$name`, `${name}`, `$1`) finds what the regular expression
// it replaced found, in the same order with the same spans, on random values full of `$`, `{`, digits and
// name characters; and a few cases are spelled out.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { VariableReferences } from '../../server/src/engine/model/variables';

function variableReferences(value: string) {
  const out = [];
  const refs = new VariableReferences().reset(value);
  while (refs.next()) out.push({ at: refs.at, length: refs.length, name: refs.name, braced: refs.braced });
  return out;
}

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

function byRegex(value: string) {
  return [...value.matchAll(/\$(\{)?(\d|[A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({
    at: m.index!, length: m[0].length, name: m[2], braced: m[1] !== undefined,
  }));
}

test('variable references: spelled-out cases', () => {
  assert.deepEqual(variableReferences('$host$request_uri'), [
    { at: 0, length: 5, name: 'host', braced: false },
    { at: 5, length: 12, name: 'request_uri', braced: false },
  ]);
  assert.deepEqual(variableReferences('${a}b $1x $ $$ ${ ${9}'), [
    { at: 0, length: 3, name: 'a', braced: true },
    { at: 6, length: 2, name: '1', braced: false },
    { at: 18, length: 3, name: '9', braced: true },
  ]);
  assert.deepEqual(variableReferences('no variables'), []);
});

test('variable references: the same as the regular expression on random values', () => {
  const alphabet = fc.constantFrom('$', '{', '}', 'a', 'Z', '_', '0', '9', '-', ' ', '.', 'é');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join('')), (value) => {
      assert.deepEqual(variableReferences(value), byRegex(value));
    }),
    { numRuns: 3000, ...(seed !== undefined ? { seed } : {}) },
  );
});
