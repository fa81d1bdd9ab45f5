// Property-based: for any text, parse and analysis never throw, every range lies inside the text and in
// order, and no character is lost (tokens plus separators give back the input). 13 000 cases in all; the
// long run is `npm run fuzz:long` (scripts/fuzz-long.ts). The properties are in ./properties.ts.
// A failure prints fast-check's seed and the shrunk counterexample: replay with FC_SEED=<seed>.

import { test } from 'node:test';
import fc from 'fast-check';
import { anyText, checkParse, checkText, fragmentText, mutatedText, structuredText } from './properties';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const opts = (numRuns: number) => ({ numRuns, ...(seed !== undefined ? { seed } : {}) });

test('known tricky inputs', () => {
  for (const t of [
    '', ';', '{', '}', '"', "'", '#', '\\', '${', 'a\\', '"\\', 'a { b', '} }', '{ {', '"x"y;', 'a "b"c;', 'a${b}c;',
    'location ~ ^/a{2}$ { }', 'content_by_lua_block {', 'content_by_lua_block { "}" }', 'content_by_lua_block { [[ } ]] }',
    'content_by_lua_block { -- }\n}', 'x { content_by_lua_block { --[==[ } ]==] } }', '\r\n\r\n', 'a\r\nb;', '\ud800;',
    'server {\n location / {\n proxy_pass https://a;\n }\n}', '\u0000{\u0000}', 'if ($a) { return 1; }',
  ]) checkText(t);
});

test('arbitrary strings (ASCII, Unicode, UTF-16 units) and every generator mixed: 5 000 cases', () => {
  fc.assert(fc.property(anyText, (t) => { checkText(t); }), opts(5000));
});

test('sequences of nginx-ish fragments: 4 000 cases', () => {
  fc.assert(fc.property(fragmentText, (t) => { checkText(t); }), opts(4000));
});

test('well-formed nested configs, as is and with random edits: 2 000 + 2 000 cases', () => {
  fc.assert(fc.property(structuredText, (t) => { checkText(t); }), opts(2000));
  fc.assert(fc.property(mutatedText, (t) => { checkText(t); }), opts(2000));
});

test('parser alone on long random fragment sequences: 1 000 cases', () => {
  const long = fc.array(fragmentText, { maxLength: 20 }).map((a) => a.join('\n'));
  fc.assert(fc.property(long, (t) => { checkParse(t); }), opts(1000));
});

// Found by scripts/fuzz-long.ts (shrunk by hand): an include glob with a reversed range made
// globSegmentToRegExp build an invalid RegExp and analyze throw (the server then published no diagnostics).
test('include globs that are not valid character classes: analysis does not throw', () => {
  for (const g of ['[b-a].conf', 'x/[b-a]/*.conf', '[!z-a]*', 'a[.conf', '[', '[]]', '[[:alpha:]].conf', '[\\]']) {
    checkText(`include ${g};`);
    checkText(`http { include "${g}"; }`);
  }
});

// Found by scripts/fuzz-long.ts (minimal input "toString $"): a directive named like an Object.prototype key
// is looked up in a plain object, and rule unknown-variable fails ("spec.includes is not a function"): an
// internal-error finding, and none of that rule's findings for the whole config.
test('directive names that are Object.prototype keys', () => {
  for (const n of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'toLocaleString']) {
    checkText(`${n} $x;`);
    checkText(`http { server { location / { ${n} 1; proxy_pass http://${n}; } } upstream ${n} { server 127.0.0.1; } }`);
  }
});
