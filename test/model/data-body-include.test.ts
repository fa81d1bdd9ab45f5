// `include file;` inside a map, geo or types body is nginx's include: the file's lines are entries of that body
// (ngx_http_map_module and the others call ngx_conf_include). A map whose https values come from such a file
// sends requests over TLS as much as one that lists them inline.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, memoryFileSystem } from '../../server/src/engine';
import { ConfigModel } from '../../server/src/engine/model/model';
import { adoptAfterEdit } from '../../server/src/engine/model/after-edit';
import { tlsUses } from '../../server/src/engine/model/tls-uses';

const MAIN = '/etc/nginx/nginx.conf';
const ENTRIES = '/etc/nginx/backends.map';

const main = (body: string) => `events {}
http {
    map $host $backend {
        default http://127.0.0.1:8080;
        ${body}
    }
    server {
        listen 80;
        location / { proxy_pass $backend; }
    }
}
`;

const rulesOf = (files: Record<string, string>) =>
  createLanguageService({ fs: memoryFileSystem(files), rootConfig: MAIN }).diagnose(MAIN).findings.map((f) => f.ruleId).sort();

test('a map entry from an included file gives the pass its https value: unverified TLS is reported', () => {
  const files = { [MAIN]: main('include backends.map;'), [ENTRIES]: 'api.example.com https://api.example.com:8443;\n' };
  assert.ok(rulesOf(files).includes('upstream-tls-unverified'));
  // The same entry inline says the same: reading through the include changes nothing.
  assert.deepEqual(rulesOf(files), rulesOf({ [MAIN]: main('api.example.com https://api.example.com:8443;') }));
  // Plain http entries there: no TLS at all.
  assert.deepEqual(rulesOf({ ...files, [ENTRIES]: 'api.example.com http://10.0.0.2:8080;\n' }), []);
});

test('a missing file included into a map is reported as nginx stops there', () => {
  const findings = createLanguageService({ fs: memoryFileSystem({ [MAIN]: main('include backends.map;') }), rootConfig: MAIN }).diagnose(MAIN).findings;
  assert.ok(findings.some((f) => f.ruleId === 'include-not-found' && f.message.includes('backends.map')), JSON.stringify(findings.map((f) => f.message)));
});

test('split_clients reads `include` as one of its entries, not as a file', () => {
  const text = `events {}\nhttp {\n    split_clients $remote_addr $variant {\n        50% a;\n        include backends.map;\n    }\n}\n`;
  const model = new ConfigModel(MAIN, memoryFileSystem({ [MAIN]: text, [ENTRIES]: 'x y;\n' }));
  assert.equal(model.files.has(ENTRIES), false);
  const map = new ConfigModel(MAIN, memoryFileSystem({ [MAIN]: main('include backends.map;'), [ENTRIES]: 'x y;\n' }));
  assert.equal(map.files.has(ENTRIES), true);
  // The entries land in the map's body, after the include (as nginx reads them).
  const body = map.named('map')[0].child!;
  assert.deepEqual(body.items.map((ld) => ld.name), ['default', 'include', 'x']);
});

test('typing in an entry of an included map file is an edit of the map: the TLS uses follow it', () => {
  const files = { [MAIN]: main('include backends.map;'), [ENTRIES]: 'api.example.com https://api.example.com:8443;\n' };
  const opts = { parseCache: new Map() };
  // The TLS uses known to go over TLS (a pass through a variable whose values are unknown may: not certain).
  const certain = (m: ConfigModel) => tlsUses(m).filter((u) => u.certain).map((u) => u.url);
  const before = new ConfigModel(MAIN, memoryFileSystem(files), opts);
  assert.deepEqual(certain(before), ['https://api.example.com:8443']);
  const edited = { ...files, [ENTRIES]: 'api.example.com httpx://api.example.com:8443;\n' };
  const adopted = adoptAfterEdit(before, MAIN, memoryFileSystem(edited), opts);
  assert.ok(adopted, 'an edit inside one argument is adopted');
  const fresh = new ConfigModel(MAIN, memoryFileSystem(edited));
  assert.deepEqual(certain(fresh), []);
  assert.deepEqual(certain(adopted.model), certain(fresh));
});

test('a language service that kept its analysis says what a fresh one says after each edit of the included entries', () => {
  const files = { [MAIN]: main('include backends.map;'), [ENTRIES]: 'api.example.com https://api.example.com:8443;\n' };
  const live = createLanguageService({ fs: memoryFileSystem(files), rootConfig: MAIN });
  const view = (fs: Record<string, string>, s = createLanguageService({ fs: memoryFileSystem(fs), rootConfig: MAIN })) =>
    s.diagnose(MAIN).findings.map((f) => [f.ruleId, f.path, f.start, f.message]);
  assert.ok(view(files, live).length > 0);
  // Each text in turn, typed into the entries file: the scheme loses and regains its s, the host changes.
  for (const entries of ['api.example.com http://api.example.com:8443;\n', 'api.example.com https://api.example.com:8443;\n', 'api.example.com https://api2.example.com:8443;\n']) {
    live.setText(ENTRIES, entries);
    assert.deepEqual(view(files, live), view({ ...files, [ENTRIES]: entries }), entries);
  }
});
