// Fix builders in files with CRLF and with lone CR line breaks (issue 17, items 3 and 9): every rule case
// with a fixed text, its line breaks rewritten, gets the same fix with the file's own line break — nothing
// mixed in, nothing joined onto one line, the finding gone — and nginx's reading of it (where CR is blank
// space) stays what the LF version's is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, defaultSettings, memoryFileSystem, parse } from '../../server/src/engine';
import { resolveSettings } from '../../server/src/engine/settings';
import { analyze, parseVersion, RULES } from '../support/engine';
import type { RuleCase } from '../../server/src/engine/rules/rule';

const PATH = '/eol/nginx.conf';
const STYLES: [string, string][] = [['CRLF', '\r\n'], ['lone CR', '\r']];

function findings(ruleId: string, c: RuleCase, config: string) {
  const settings = defaultSettings({ nginxVersion: parseVersion(c.nginxVersion ?? '1.30'), ...(c.modules ? { build: resolveSettings({ modules: c.modules }).settings.build } : {}) });
  return analyze(PATH, memoryFileSystem({ [PATH]: config }), settings, { rootKind: c.context ?? 'main' }).findings.filter((f) => f.ruleId === ruleId);
}

/** Directive names and arguments as nginx reads them, with their nesting: what a line break cannot change. */
function shape(text: string): string {
  const out: string[] = [];
  const walk = (dirs: ReturnType<typeof parse>['root']['children'], depth: number) => {
    for (const d of dirs) {
      out.push(depth + ' ' + [d.name, ...d.args.map((a) => a.value)].join(' '));
      if (d.block) walk(d.block.children, depth + 1);
    }
  };
  walk(parse(text).root.children, 0);
  return out.join('\n');
}

const cases = RULES.flatMap((rule) => rule.cases.invalid.filter((c) => c.fixed !== undefined && !c.files && !/\r/.test(c.config)).map((c) => ({ rule, c })));

test('the rule cases with fixes exist to check (the test is not empty)', () => {
  assert.ok(cases.length >= 10, `${cases.length} cases`);
});

for (const [label, eol] of STYLES) {
  test(`fixes in a file with ${label} line breaks: same fix, the file's own line break, the finding gone`, () => {
    for (const { rule, c } of cases) {
      const config = c.config.replace(/\n/g, eol);
      const expected = c.fixed!.replace(/\n/g, eol);
      const mine = findings(rule.id, c, config);
      const edits = mine.flatMap((f) => f.fixes.find((x) => x.isPreferred)?.edits ?? []);
      const fixed = applyEdits(config, edits);
      const where = `${rule.id}: ${JSON.stringify(c.config.slice(0, 80))}`;
      assert.equal(fixed, expected, where);
      if (eol === '\r') assert.ok(!fixed.includes('\n'), `${where}: a \\n was mixed into a lone-CR file`);
      else assert.ok(!/[^\r]\n/.test(fixed), `${where}: a bare \\n was mixed into a CRLF file`);
      assert.equal(shape(fixed), shape(c.fixed!), `${where}: nginx reads the fixed file as it reads the LF one`);
      assert.deepEqual(findings(rule.id, c, fixed).map((f) => f.message), [], `${where}: the fix clears the finding`);
    }
  });
}
