// The struct-of-arrays tree (server/src/engine/syntax/tree.ts) against the old parser, kept frozen as the
// oracle (./reference-parser.ts): the same tokens, values, directives, blocks, ranges and errors for any
// text, except the one deliberate change (a word ending in an escaped CR before LF ends before the CR).
// A failure prints fast-check's seed and the shrunk counterexample: replay with FC_SEED=<seed>.

import { test } from 'node:test';
import fc from 'fast-check';
import { anyText, fragmentText, mutatedText, structuredText } from '../robustness/properties';
import { assertSameAsReference } from './oracle';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const opts = (numRuns: number) => ({ numRuns, ...(seed !== undefined ? { seed } : {}) });

/** Characters and pieces that decide the tokenizer's paths, dense (short texts hit every combination). */
const TOKENIZER = [
  'a', 'b', ' ', '\t', '\r', '\n', '\r\n', ';', '{', '}', '#', '"', "'", '\\', '$', ')', '(', 'é', '\u0000',
  'x_by_lua_block', 'content_by_lua_block', '--', '--[[', ']]', '[=[', ']=]', '[', '=',
];
const dense = fc.array(fc.constantFrom(...TOKENIZER), { maxLength: 40 }).map((a) => a.join(''));

test('known tricky inputs', () => {
  for (const t of [
    '', ';', '{', '}', '"', "'", '#', '\\', '${', 'a\\', '"\\', 'a { b', '} }', '{ {', '"x"y;', 'a "b"c;', 'a${b}c;',
    'a$${b};', 'a\\${b};', 'a\\\\${b};', '$\\{;', '${{;', 'a$ {', '\\', '\\\\', 'a\\\r\nb;', 'a\\\r\n', 'a\\\r', 'a\\\rb;',
    'a \\\r\n;', '"a\\\r\n";', 'a\\\\\r\nb;', 'a\\\r\n}', '{ a\\\r\n}', 'a\\\r\n{ }',
    'location ~ ^/a{2}$ { }', 'content_by_lua_block {', 'content_by_lua_block { "}" }', 'content_by_lua_block { [[ } ]] }',
    'content_by_lua_block { -- }\n}', 'x { content_by_lua_block { --[==[ } ]==] } }', '"content_by_lua_block" { } }',
    'a_by_lua_block\\ { }', '{ }', '{ content_by_lua_block { } }', '\r\n\r\n', 'a\r\nb;', '\ud800;', '# c\r\n# d\r',
    'server {\n location / {\n proxy_pass https://a;\n }\n}', 'http {\n  server {\n  a;\n}\n', 'a {\n b {\n c;\n }\n d {\n',
    '\u0000{\u0000}', 'if ($a) { return 1; }', '"x' + 'y'.repeat(5000), 'a'.repeat(4096) + ';', '"' + 'a'.repeat(4095) + '";',
    '"' + 'a'.repeat(4096) + '";', '#' + 'c'.repeat(4100), '{'.repeat(3000) + '}'.repeat(2000),
  ]) assertSameAsReference(t);
});

test('dense tokenizer alphabet: 20 000 cases', () => {
  fc.assert(fc.property(dense, (t) => { assertSameAsReference(t); }), opts(20000));
});

test('arbitrary strings and every robustness generator: 2 000 + 2 000 + 2 000 + 2 000 cases', () => {
  fc.assert(fc.property(anyText, (t) => { assertSameAsReference(t); }), opts(2000));
  fc.assert(fc.property(fragmentText, (t) => { assertSameAsReference(t); }), opts(2000));
  fc.assert(fc.property(structuredText, (t) => { assertSameAsReference(t); }), opts(2000));
  fc.assert(fc.property(mutatedText, (t) => { assertSameAsReference(t); }), opts(2000));
});

test('long texts (arrays grow past their first estimate): 200 cases', () => {
  const long = fc.array(fc.oneof(fragmentText, structuredText), { maxLength: 30 }).map((a) => a.join('\n'));
  fc.assert(fc.property(long, (t) => { assertSameAsReference(t); }), opts(200));
});

test('deep nesting: no recursion, same tree', () => {
  const depth = 20000;
  assertSameAsReference('a {'.repeat(depth) + 'b;' + '}'.repeat(depth));
  assertSameAsReference('a {\n'.repeat(depth));
});
