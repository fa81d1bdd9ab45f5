// The pass-URL parser splits addresses as nginx's URL parser does; its scheme is read without a regular
// expression, so a property compares it with the grammar written as one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isInet6, parsePassUrl, parseUpstreamAddress, passTarget } from '../../server/src/engine/model/pass-url';

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

// What nginx -t (1.22.1) said for each address, after the directive's scheme: `<error> in upstream "<addr>"`.
test('addresses nginx refuses, with its own word for each', () => {
  const cases: [string, boolean, string | null][] = [
    ['127.0.0.1:0', true, 'invalid port'],
    ['127.0.0.1:65536', true, 'invalid port'],
    ['127.0.0.1:65535', true, null],
    ['127.0.0.1:080', true, null],
    ['127.0.0.1:abc', true, 'invalid port'],
    ['127.0.0.1:', true, 'invalid port'],
    ['127.0.0.1:+80', true, 'invalid port'],
    ['127.0.0.1:8080:9', true, 'invalid port'],
    ['::1', true, 'invalid port'],
    [':0', true, 'invalid port'],
    [':80', true, 'no host'],
    ['', true, 'no host'],
    ['/x', true, 'no host'],
    ['?x', true, 'no host'],
    ['127.0.0.1?a=b', true, null],
    ['127.0.0.1/a:b', true, null],
    ['127.0.0.1:50051/path', false, 'invalid host'],
    ['127.0.0.1:50051?a', false, 'invalid host'],
    ['https://127.0.0.1:1', false, 'invalid host'],
    ['[::1]:0', true, 'invalid port'],
    ['[::1]:', true, 'invalid port'],
    ['[::1]:1?x', true, 'invalid port'],
    ['[::1]?x', true, 'invalid host'],
    ['[::1]x', true, 'invalid host'],
    ['[::1', true, 'invalid host'],
    ['[::1]:1/x', false, 'invalid host'],
    ['[::1]/x', true, null],
    ['[]', true, 'no host'],
    ['[zz]', true, 'invalid IPv6 address'],
    ['unix:', true, 'no path in the unix domain socket'],
    ['unix::/p', true, 'no path in the unix domain socket'],
    ['UNIX:/tmp/a.sock', false, null],
    ['unix:/tmp/a.sock:/x', false, null],
    ['unix:/tmp/' + 'a'.repeat(102), true, null],
    ['unix:/tmp/' + 'a'.repeat(103), true, 'too long path in the unix domain socket'],
  ];
  for (const [addr, uriPart, error] of cases) assert.equal(parseUpstreamAddress(addr, uriPart).error, error, `${addr} (uri part ${uriPart})`);
});

test('the parts nginx names an address by', () => {
  assert.deepEqual(parseUpstreamAddress('Backend:8443/api?x', true), { error: null, unix: false, host: 'Backend', port: 8443, uri: '/api?x' });
  assert.deepEqual(parseUpstreamAddress('backend?x', true), { error: null, unix: false, host: 'backend', port: null, uri: '?x' });
  assert.deepEqual(parseUpstreamAddress('[::1]:50051', false), { error: null, unix: false, host: '[::1]', port: 50051, uri: '' });
  assert.deepEqual(parseUpstreamAddress('unix:/run/a.sock:/x', true), { error: null, unix: true, host: '/run/a.sock', port: null, uri: '/x' });
  assert.deepEqual(parseUpstreamAddress('unix:/run/a.sock:/x', false), { error: null, unix: true, host: '/run/a.sock:/x', port: null, uri: '' });
});

test('IPv6 addresses as nginx reads them (each checked with nginx -t)', () => {
  for (const a of ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '::ffff:127.0.0.1', '1:2:3:4:5:6:1.2.3.4', 'ABCD::ef']) assert.ok(isInet6(a), a);
  for (const a of ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::255.255.255.255', '::1.2.3', '::1.2.3.4.5', '1.2.3.4', '::12345', 'fe80::1%eth0', ':1', '1:::2', '1::2::3', '::256.1.1.1', '1:2:3:4:5:6:7:1.2.3.4', 'g::1', ':::', '']) assert.ok(!isInet6(a), a);
});

test('passTarget reads what parsePassUrl reads, with less made', () => {
  const chars = fc.constantFrom(...'ab.:/[]$?1089unix'.split(''), 'https://', 'unix:', 'grpcs://', 'HTTPS://', '[::1]', ':443', '${v}');
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 14 }).map((a) => a.join('')), (url) => {
      const p = parsePassUrl(url);
      assert.deepEqual(passTarget(url), { scheme: p.scheme, host: p.host, port: p.port, hostHasVariables: p.hostPort.includes('$'), hasVariables: p.hasVariables }, url);
    }),
    { numRuns: 20000 },
  );
});
