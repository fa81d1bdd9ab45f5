// Property-based: for any text, parsing and analysis never throw, ranges stay inside the text and in
// order, and no character is lost (tokens plus separators give back the input).

import { test } from 'node:test';
import fc from 'fast-check';
import { anyText, checkText, nginxish } from './properties';

test('any text: parse and analysis hold their properties (5 000 random strings)', () => {
  fc.assert(fc.property(anyText, (t) => { checkText(t); }), { numRuns: 5000 });
});

test('nginx-like text: parse and analysis hold their properties (5 000 cases)', () => {
  fc.assert(fc.property(nginxish, (t) => { checkText(t); }), { numRuns: 5000 });
});
