// The per-block table of upstream TLS settings must answer exactly what a walk up the blocks answers
// (`model.firstAt`), for every block, family and setting: rules read the table instead of walking. Checked on
// generated configs full of what makes inheritance subtle (a setting twice in one block, nested locations,
// `if` and `limit_except`, big blocks read through their name index, includes) and on the shared corpus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ConfigModel } from '../../server/src/engine/model/model';
import { memoryFileSystem } from '../../server/src/engine/model/filesystem';
import { tlsSettings } from '../../server/src/engine/model/tls-settings';
import { tlsUses } from '../../server/src/engine/model/tls-uses';
import { tlsDirective, upstreamSuffixes, UpstreamFamily } from '../../server/src/engine/knowledge/tls-directives';
import { filesUnder, requireShared, sharedOption } from '../support/shared';

const FAMILIES: UpstreamFamily[] = ['proxy', 'grpc', 'uwsgi', 'stream'];
const SUFFIXES = upstreamSuffixes();

/** Every block of the model, every family and suffix: the table against the walk. Returns how many it compared. */
function compare(model: ConfigModel, what: string): number {
  const settings = tlsSettings(model);
  const blocks = new Set(model.all.map((d) => d.block));
  blocks.add(model.root);
  let n = 0;
  for (const block of blocks) {
    for (const family of FAMILIES) {
      for (const suffix of SUFFIXES) {
        const expected = model.firstAt(tlsDirective(family, suffix), block);
        assert.equal(settings.atBlock(family, block, suffix), expected, `${what}: ${family} ${suffix} in a ${block.kind} block`);
        n++;
      }
    }
  }
  for (const use of tlsUses(model)) {
    for (const suffix of SUFFIXES) assert.equal(settings.get(use, suffix), model.first(tlsDirective(use.family, suffix), use.block), `${what}: use at ${use.pass.d.start}`);
  }
  return n;
}

const setting = fc.constantFrom('proxy_ssl_verify on;', 'proxy_ssl_verify off;', 'proxy_ssl_name a.example;', 'proxy_ssl_trusted_certificate /ca.pem;', 'grpc_ssl_verify on;', 'uwsgi_ssl_server_name on;', 'proxy_set_header Host $host;', 'proxy_pass https://u;', 'grpc_pass grpcs://g:1;', 'include /extra.conf;');
const filler = fc.array(fc.constant('add_header X y;'), { maxLength: 14 }).map((a) => a.join(' '));
const body = (depth: number): fc.Arbitrary<string> =>
  fc.array(depth > 0 ? fc.oneof({ arbitrary: setting, weight: 5 }, { arbitrary: filler, weight: 1 }, { arbitrary: body(depth - 1).map((b) => `location /x { ${b} }`), weight: 2 }, { arbitrary: body(depth - 1).map((b) => `if ($a) { ${b} }`), weight: 1 }, { arbitrary: body(depth - 1).map((b) => `limit_except GET { ${b} }`), weight: 1 }) : setting, { maxLength: 6 }).map((a) => a.join(' '));

test('the settings table answers what a walk up the blocks answers (generated configs)', () => {
  fc.assert(
    fc.property(body(2), body(3), setting, filler, (httpBody, serverBody, streamSetting, big) => {
      const text = `events {} http { ${big} ${httpBody} server { ${serverBody} } } stream { ${streamSetting} server { proxy_pass a:1; proxy_ssl on; ${streamSetting} } }`;
      const files = { '/etc/nginx/nginx.conf': text, '/extra.conf': 'proxy_ssl_verify on; proxy_ssl_verify off;' };
      compare(new ConfigModel('/etc/nginx/nginx.conf', memoryFileSystem(files)), text);
    }),
    { numRuns: 300 },
  );
});

test('the settings table answers what a walk up the blocks answers (shared corpus)', sharedOption('corpus'), (t) => {
  const dir = requireShared(t, 'corpus/files');
  if (!dir) return;
  let compared = 0;
  for (const file of filesUnder(dir)) {
    if (!file.endsWith('.conf')) continue;
    const text = fs.readFileSync(file, 'latin1');
    const model = new ConfigModel(file, memoryFileSystem({ [file]: text }), { rootKind: /^\s*(server|location|upstream)\b/m.test(text) && !/^\s*http\s*\{/m.test(text) ? 'http' : 'main' });
    compared += compare(model, path.relative(dir, file));
  }
  assert.ok(compared > 100_000, `compared ${compared}`);
});

test('the settings table holds across its own growth (hundreds of blocks with settings of their own)', () => {
  // Each location sets its own verification: a row per location, far past the table's first allocation.
  const locations = Array.from({ length: 600 }, (_, i) => `location /l${i} { proxy_pass https://h${i}.example.com; proxy_ssl_verify ${i % 3 ? 'on' : 'off'}; proxy_ssl_name n${i}.example.com; }`);
  const text = `events {} http { proxy_ssl_trusted_certificate /ca.pem; server { ${locations.join(' ')} } }`;
  const model = new ConfigModel('/etc/nginx/nginx.conf', memoryFileSystem({ '/etc/nginx/nginx.conf': text }));
  const settings = tlsSettings(model);
  const uses = tlsUses(model);
  assert.equal(uses.length, 600);
  // Asked in order (each question may grow the table), then all again.
  for (let round = 0; round < 2; round++) {
    uses.forEach((use, i) => {
      assert.equal(settings.get(use, 'verify')?.arg(0), i % 3 ? 'on' : 'off', `use ${i}, round ${round}`);
      assert.equal(settings.get(use, 'name')?.arg(0), `n${i}.example.com`);
      assert.equal(settings.get(use, 'trusted_certificate')?.arg(0), '/ca.pem');
    });
  }
  compare(model, 'growth');
});
