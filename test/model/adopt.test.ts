// A model adopted after an edit reads what a model made anew reads, for a file expanded at several places:
// its directives share one record of their file per expansion, and re-pointing one re-points them all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigModel } from '../../server/src/engine/model/model';
import { adoptAfterEdit } from '../../server/src/engine/model/after-edit';
import { memoryFileSystem } from '../../server/src/engine/model/filesystem';

test('an edit in a file included twice re-points both expansions and counts its bytes twice', () => {
  const root = '/etc/nginx/nginx.conf';
  const snippet = '/etc/nginx/snippet.conf';
  const files: Record<string, string> = {
    [root]: 'http { server { include snippet.conf; } server { include snippet.conf; location / { return 200; } } }',
    [snippet]: 'proxy_set_header Host $host; add_header X-A a;',
  };
  // As the language service builds them: a file parsed once however many places include it.
  const opts = { parseCache: new Map() };
  const before = new ConfigModel(root, memoryFileSystem(files), opts);
  const edited = { ...files, [snippet]: 'proxy_set_header Host $host; add_header X-A abc;' };
  const adopted = adoptAfterEdit(before, root, memoryFileSystem(edited), opts);
  assert.ok(adopted);
  const fresh = new ConfigModel(root, memoryFileSystem(edited));
  const m = adopted.model;
  assert.equal(m.expandedBytes, fresh.expandedBytes);
  assert.deepEqual(
    m.all.map((ld) => [ld.name, ld.file.path, ld.via?.name ?? null, ld.values(), ld.argStart(0), ld.child?.items.length ?? -1]),
    fresh.all.map((ld) => [ld.name, ld.file.path, ld.via?.name ?? null, ld.values(), ld.argStart(0), ld.child?.items.length ?? -1]),
  );
  for (const ld of m.all) assert.equal(ld.file, m.files.get(ld.file.path));
});
