// Duplicate locations are found by comparing URIs where they are written (plain words) or as values (quoted,
// escaped, joined to their modifier). Random blocks of locations, spelt every way, must give exactly the
// duplicates a plain reading of nginx's rule gives: two exact (=) or two prefix (none or ^~) locations with
// the same URI value; regex (~, ~*) and named (@) locations never count.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLanguageService, memoryFileSystem } from '../../server/src/engine';

const MAIN = '/etc/nginx/nginx.conf';

/** A location's arguments as written, and what nginx keys it by (null: not keyed). */
const location = fc.tuple(
  fc.constantFrom('', '=', '^~', '~', '~*'),
  fc.constantFrom('/a', '/b', '/a/', '@n', '/é', '/x\\y'),
  fc.constantFrom('plain', 'quoted', 'joined'),
).map(([mod, uri, form]) => {
  const value = uri.replace('\\\\', '\\');
  const written = form === 'quoted' ? `"${uri}"` : uri;
  const args = mod === '' ? written : form === 'joined' && !written.startsWith('"') ? `${mod}${written}` : `${mod} ${written}`;
  const key = mod === '~' || mod === '~*' || (mod !== '=' && value.startsWith('@')) ? null : `${mod === '=' ? 'exact' : 'prefix'} ${value}`;
  return { args, key };
});

test('duplicate locations: what the plain reading of the rule finds, however the URIs are written', () => {
  fc.assert(
    fc.property(fc.array(location, { minLength: 1, maxLength: 12 }), (locs) => {
      const body = locs.map((l) => `        location ${l.args} { return 204; }\n`).join('');
      const text = `events {}\nhttp {\n    server {\n        listen 80;\n${body}    }\n}\n`;
      const findings = [...createLanguageService({ fs: memoryFileSystem({ [MAIN]: text }), rootConfig: MAIN }).diagnose(MAIN).findings]
        .filter((f) => f.ruleId === 'directive-duplicate' && f.message.startsWith('duplicate location'));
      const expected: number[] = [];
      const seen = new Set<string>();
      locs.forEach((l, i) => {
        if (l.key === null) return;
        if (seen.has(l.key)) expected.push(i + 4);
        seen.add(l.key);
      });
      assert.deepEqual(findings.map((f) => f.range.start.line), expected, text);
    }),
    { numRuns: 400 },
  );
});
