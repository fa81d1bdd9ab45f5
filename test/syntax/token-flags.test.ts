// The parser's per-token facts that rules read instead of the text: `NoDollar` must be set on exactly the words
// whose text holds no `$` (escaped or not), and never on a quoted token or a Lua body (those are read from
// the text). A flag set wrongly would hide an unknown variable; one missing only costs a read of the text.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../server/src/engine';
import { CompactTree, TokenFlag } from '../../server/src/engine/syntax/tree';
import { TokenKind } from '../../server/src/engine/syntax/types';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

function check(text: string): void {
  const a = (parse(text) as CompactTree).arrays;
  for (let k = 0; k < a.tokenCount; k++) {
    const f = a.tokFlags[k];
    const kind = f & TokenFlag.KindMask;
    const flagged = (f & TokenFlag.NoDollar) !== 0;
    // An EscapedCr word ends before the CR it holds: a CR is no `$`.
    const written = text.slice(a.tokStart[k], a.tokEnd[k]);
    if (kind === TokenKind.Word) assert.equal(flagged, !written.includes('$'), `word ${JSON.stringify(written)} in ${JSON.stringify(text)}`);
    else assert.equal(flagged, false, `${JSON.stringify(written)} is not a word`);
  }
}

test('NoDollar: the words a reader may skip, and only those', () => {
  for (const t of [
    'proxy_pass https://a.example.com;',
    'proxy_pass $scheme://a;',
    'set $x ${y}z;',
    'return 200 a\\$b;',
    '\\$x y;',
    'x a$;',
    'x "$q" \'plain\';',
    'x a\\\r\ny;',
    'content_by_lua_block { ngx.say("$x") }',
    'if ($host ~ (?<n>.+)$) { }',
  ]) check(t);
});

test('NoDollar agrees with the text on random configs', () => {
  const piece = fc.constantFrom('a', 'b$', '$', '${v}', '\\$', '\\', '"', "'", ' ', ';', '{', '}', '\n', '\r\n', '#', 'x', 'é', '(', ')');
  fc.assert(fc.property(fc.array(piece, { maxLength: 40 }).map((p) => p.join('')), (t) => check(t)), { numRuns: 3000, ...(seed !== undefined ? { seed } : {}) });
});
