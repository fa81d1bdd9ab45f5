// Directive names are interned straight from the text (hashed and compared where they lie) and, when quoted or
// escaped, through the token's value: either way a name is the value nginx reads, one string per name. Names
// whose hashes collide (`Aa` and `BB`) are still told apart (the second through the slicing path).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../server/src/engine';
import { CompactTree } from '../../server/src/engine/syntax/tree';

const names = fc.constantFrom('listen', 'server_name', 'proxy_pass', 'ssl', 'a', 'ab', 'ba', 'x\\y', '"quoted name"', "'single'", 'esc\\"aped', 'Listen', 'LISTEN', 'proxy_ssl_verify', 'z'.repeat(40), 'abcd', 'axcd', 'Aa', 'BB');

test('an interned directive name is the token value nginx reads, and one string for equal names', () => {
  fc.assert(
    fc.property(fc.array(names, { minLength: 1, maxLength: 40 }), (list) => {
      const tree = parse(list.map((n) => `${n} v;\n`).join('')) as CompactTree;
      const a = tree.arrays;
      assert.equal(a.dirCount, list.length);
      const seen = new Map<string, string>();
      for (let d = 0; d < a.dirCount; d++) {
        const name = tree.dirNameInterned(d);
        assert.equal(name, a.dirName(d));
        const first = seen.get(name);
        if (first === undefined) seen.set(name, name);
        // The very string of the first directive of that name (identity, not only equal text).
        else assert.ok(Object.is(first, name) && tree.intern(a.dirName(d)) === first);
      }
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 200) },
  );
});

test('names whose hashes collide are still told apart', () => {
  // "Aa" and "BB" have the same 31-based hash: the slot keeps the first, the other goes through its value.
  const tree = parse('Aa 1;\nBB 2;\nAa 3;\nBB 4;\n') as CompactTree;
  const got = [0, 1, 2, 3].map((d) => tree.dirNameInterned(d));
  assert.deepEqual(got, ['Aa', 'BB', 'Aa', 'BB']);
  assert.ok(got[0] === got[2] && got[1] === got[3]);
});
