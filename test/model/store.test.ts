// The model keeps the expanded config's directives as indices in a store (`DirStore`) and makes an `LDir` only
// when one is asked for. What that must not change: one directive is always one object, a block's directives
// come in order (an include's directives spliced in where the include stands), a file included at two places
// is two sets of directives, and every lookup by index agrees with the same lookup over objects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigModel, LBlock, LDir } from '../../server/src/engine/model/model';
import { memoryFileSystem } from '../../server/src/engine/model/filesystem';

const files = {
  '/etc/nginx/nginx.conf': `events {}
http {
    include /etc/nginx/common.conf;
    server {
        listen 80;
        include /etc/nginx/common.conf;
        location / { proxy_pass http://a; }
        location /b { proxy_pass http://b; }
    }
}
`,
  '/etc/nginx/common.conf': 'proxy_ssl_verify on;\nproxy_set_header Host $host;\n',
};

function model(): ConfigModel {
  return new ConfigModel('/etc/nginx/nginx.conf', memoryFileSystem(files));
}

/** A block's directives found by a walk of the whole config's list (what `items` stood for before the store). */
function itemsByWalk(m: ConfigModel, block: LBlock): LDir[] {
  return m.all.filter((ld) => ld.block === block);
}

test('one directive is one object, however it is reached', () => {
  const m = model();
  const all = m.all;
  for (let x = m.from; x < m.to; x++) {
    assert.equal(m.dirAt(x), all[x - m.from]);
    assert.equal(m.dirAt(x).at, x);
  }
  const pass = m.named('proxy_pass')[0];
  assert.equal(m.at('/etc/nginx/nginx.conf', pass.nameStart + 1), pass);
  assert.equal(pass.block.owner, m.named('location')[0]);
  assert.equal(pass.block.items[0], pass);
  assert.equal(m.first('proxy_pass', pass.block), pass);
});

test("a block's directives are in document order, an include's spliced in where it stands", () => {
  const m = model();
  const names = (b: LBlock) => b.items.map((ld) => ld.name);
  const http = m.named('http')[0].child!;
  assert.deepEqual(names(http), ['include', 'proxy_ssl_verify', 'proxy_set_header', 'server']);
  const server = m.named('server')[0].child!;
  assert.deepEqual(names(server), ['listen', 'include', 'proxy_ssl_verify', 'proxy_set_header', 'location', 'location']);
  for (let x = m.from; x < m.to; x++) {
    const ld = m.dirAt(x);
    if (ld.child) assert.deepEqual(ld.child.items, itemsByWalk(m, ld.child), `items of ${ld.name}`);
  }
  assert.deepEqual(m.root.items, itemsByWalk(m, m.root));
});

test('a file included at two places is two sets of directives, each with its include', () => {
  const m = model();
  const verify = m.named('proxy_ssl_verify');
  assert.equal(verify.length, 2);
  assert.notEqual(verify[0], verify[1]);
  assert.equal(verify[0].index, verify[1].index);
  assert.equal(verify[0].file.path, verify[1].file.path);
  const includes = m.named('include');
  assert.equal(verify[0].via, includes[0]);
  assert.equal(verify[1].via, includes[1]);
  assert.deepEqual(m.includedBy(includes[1]), [verify[1], m.named('proxy_set_header')[1]]);
  assert.equal(m.timesExpanded('/etc/nginx/common.conf'), 2);
  // The nearer one applies in the server; the http one above it.
  const location = m.named('location')[0].child!;
  assert.equal(m.first('proxy_ssl_verify', location), verify[1]);
  assert.deepEqual(m.effective('proxy_ssl_verify', location).found, [verify[1]]);
  assert.equal(m.first('proxy_ssl_verify', m.named('http')[0].child!), verify[0]);
});

test('a scoped view covers its piece of the store and nothing else', () => {
  const m = model();
  const server = m.named('server')[0];
  const end = m.all.findIndex((ld) => ld.nameStart > server.end);
  const to = end < 0 ? m.to : m.from + end;
  const view = m.scoped(server.at, to);
  assert.equal(view.size, to - server.at);
  assert.deepEqual(view.all, m.all.slice(server.at - m.from, to - m.from));
  assert.deepEqual(view.named('proxy_ssl_verify'), [m.named('proxy_ssl_verify')[1]]);
  assert.deepEqual([...view.names()].sort(), [...new Set(view.all.map((ld) => ld.name))].sort());
  // Blocks and lookups up the chain stay the whole model's.
  assert.equal(view.first('proxy_ssl_verify', m.named('http')[0].child!), m.named('proxy_ssl_verify')[0]);
});

test('a big block answers from its name index as a small one does from its list', () => {
  const servers = Array.from({ length: 40 }, (_, i) => `server { listen ${8000 + i}; }`).join('\n');
  const text = `http {\n${servers}\nproxy_ssl_verify on;\nserver { listen 9000; }\nproxy_ssl_verify off;\n}\n`;
  const m = new ConfigModel('/n.conf', memoryFileSystem({ '/n.conf': text }));
  const http = m.named('http')[0].child!;
  assert.equal(http.count, 43);
  const verify = m.named('proxy_ssl_verify');
  assert.equal(m.first('proxy_ssl_verify', http), verify[0]);
  assert.deepEqual(m.inBlock(http, 'proxy_ssl_verify'), verify);
  assert.deepEqual(m.inBlock(http, 'server'), m.named('server'));
  assert.equal(m.first('nothere', http), undefined);
  assert.deepEqual(m.inBlock(http, 'nothere'), []);
  // From inside a server: its own block first (none), then http's first.
  assert.equal(m.first('proxy_ssl_verify', m.named('server')[3].child!), verify[0]);
});
