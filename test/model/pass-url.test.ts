// The pass-URL parser splits addresses as nginx's URL parser does; its scheme is read without a regular
// expression, so a property compares it with the grammar written as one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePassUrl } from '../../server/src/engine/model/pass-url';

const GRAMMAR = /^([a-z][a-z0-9+.-]*):\/\//i;

test('the scheme: a letter, then letters, digits, + . -, then ://; lower-cased', () => {
  const chars = fc.constantFrom(...'aZh0:/+.-_tTpPsS@[`{ 9$'.split(''));
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 12 }).map((a) => a.join('')), fc.constantFrom('', '://', ':/', '//'), fc.string({ maxLength: 8 }), (head, sep, tail) => {
      const url = head + sep + tail;
      const m = GRAMMAR.exec(url);
      const p = parsePassUrl(url);
      assert.equal(p.scheme, m ? m[1].toLowerCase() : null, url);
      assert.equal(p.rest, m ? url.slice(m[0].length) : url, url);
    }),
    { numRuns: 3000 },
  );
});

test('addresses as pass directives write them', () => {
  assert.deepEqual(parsePassUrl('HTTPS://Backend:8443/api/'), { scheme: 'https', rest: 'Backend:8443/api/', hostPort: 'Backend:8443', host: 'Backend', port: 8443, path: '/api/', hasVariables: false });
  assert.deepEqual(parsePassUrl('grpcs://[::1]:50051'), { scheme: 'grpcs', rest: '[::1]:50051', hostPort: '[::1]:50051', host: '[::1]', port: 50051, path: null, hasVariables: false });
  assert.equal(parsePassUrl('http://unix:/run/app.sock:/x').hostPort, 'unix:/run/app.sock:/x');
  assert.equal(parsePassUrl('$backend').scheme, null);
  assert.equal(parsePassUrl('https://$host$uri').hasVariables, true);
  assert.equal(parsePassUrl('1http://x').scheme, null);
});
