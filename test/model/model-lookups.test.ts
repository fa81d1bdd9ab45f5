// Lookups the model answers without making strings: upstream groups by a name written in any case, ports read
// in place, IP literals read character by character. Each is compared with the plain reading it replaced.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigModel } from '../../server/src/engine/model/model';
import { memoryFileSystem } from '../../server/src/engine/model/filesystem';
import { parseUpstreamAddress, splitHostPort } from '../../server/src/engine/model/pass-url';
import { isIpLiteral } from '../../server/src/engine/model/tls-uses';

test('upstream groups are found case-insensitively, per family', () => {
  const text = 'http { upstream Backend { server a:1; } upstream kelvin { server b:2; } } stream { upstream backend { server c:3; } }';
  const model = new ConfigModel('/etc/nginx/nginx.conf', memoryFileSystem({ '/etc/nginx/nginx.conf': text }));
  assert.equal(model.upstream('http', 'backend')?.name, 'Backend');
  assert.equal(model.upstream('http', 'BACKEND')?.name, 'Backend');
  assert.equal(model.upstream('stream', 'Backend')?.name, 'backend');
  // The Kelvin sign lower-cases to an ASCII k, as nginx's ngx_strlow would not; the model follows toLowerCase.
  assert.equal(model.upstream('http', '\u212Aelvin')?.name, 'kelvin');
  assert.equal(model.upstream('http', 'nothere'), undefined);
  assert.equal(model.upstream('stream', 'kelvin'), undefined);
});

test('a host is looked up whatever its first character, when a group starts with it', () => {
  // The model skips the lookup for a first character no group's name starts with: a group may be named like an
  // address, or start with a capital, a digit or a character past ASCII.
  const text = 'http { upstream 10.0.0.1 { server a:1; } upstream _x { server b:2; } upstream \u00e9t\u00e9 { server c:3; } }';
  const model = new ConfigModel('/etc/nginx/nginx.conf', memoryFileSystem({ '/etc/nginx/nginx.conf': text }));
  assert.equal(model.upstream('http', '10.0.0.1')?.name, '10.0.0.1');
  assert.equal(model.upstream('http', '10.0.0.2'), undefined);
  assert.equal(model.upstream('http', '_X')?.name, '_x');
  assert.equal(model.upstream('http', '\u00c9t\u00e9')?.name, '\u00e9t\u00e9');
  assert.equal(model.upstream('http', 'api.example.com'), undefined);
  assert.equal(model.upstream('http', ''), undefined);
});

test('ports are read as the former slice-and-regular-expression reading read them', () => {
  const chars = fc.constantFrom(...'0123456789:[]abc/?x'.split(''));
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 24 }).map((a) => a.join('')), (addr) => {
      const i = addr.lastIndexOf(':');
      const p = addr.slice(i + 1);
      if (!addr.startsWith('[') && !addr.startsWith('unix:')) {
        const expected = i < 0 ? { host: addr, port: null } : /^\d+$/.test(p) ? { host: addr.slice(0, i), port: parseInt(p, 10) } : { host: addr, port: null };
        assert.deepEqual(splitHostPort(addr), expected, addr);
      }
      const a = parseUpstreamAddress(addr, true);
      if (a.port !== null) assert.ok(a.port >= 1 && a.port <= 65535, addr);
    }),
    { numRuns: 5000 },
  );
  assert.deepEqual(splitHostPort('h:99999999999999999999'), { host: 'h', port: parseInt('99999999999999999999', 10) });
  assert.equal(parseUpstreamAddress('h:0065535', false).port, 65535);
  assert.equal(parseUpstreamAddress('h:65536', false).error, 'invalid port');
  assert.equal(parseUpstreamAddress('UNIX:/run/a.sock', false).unix, true);
});

test('IP literals as the former regular expressions read them', () => {
  const old = (h: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.startsWith('[') || /^[0-9a-f:]+:[0-9a-f:]*$/i.test(h);
  const chars = fc.constantFrom(...'0129.:aAfFgz[]\u0660 '.split(''));
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 16 }).map((a) => a.join('')), (h) => assert.equal(isIpLiteral(h), old(h), h)),
    { numRuns: 20000 },
  );
  for (const h of ['1.2.3.4', '255.255.255.255', '1.2.3', '1.2.3.4.5', '1234.1.1.1', '::1', 'fe80::1', ':', 'a:', 'host', '10.0.0.1:80']) assert.equal(isIpLiteral(h), old(h), h);
});

test('the by-name index and its merges keep document order, as filtering every directive did', () => {
  const names = ['a', 'b', 'c', 'include', 'server'];
  const word = fc.constantFrom(...names);
  const conf = fc.array(fc.tuple(word, fc.boolean()), { maxLength: 30 }).map((xs) => xs.map(([n, open], i) => (open ? `server { ${n} ${i}; }` : `${n} ${i};`)).join('\n'));
  fc.assert(
    fc.property(conf, conf, fc.array(word, { maxLength: 6 }), (root, inc, asked) => {
      const files = { '/etc/nginx/nginx.conf': `http { ${root} include x.conf; server { include x.conf; } }`, '/etc/nginx/x.conf': inc };
      const model = new ConfigModel('/etc/nginx/nginx.conf', memoryFileSystem(files));
      for (const n of names) assert.deepEqual(model.named(n), model.all.filter((ld) => ld.name === n));
      assert.deepEqual([...model.names()], [...new Set(model.all.map((ld) => ld.name))]);
      // Repeated names included: each directive once.
      assert.deepEqual(model.namedAny(asked), model.all.filter((ld) => asked.includes(ld.name)));
    }),
    { numRuns: 500 },
  );
});
