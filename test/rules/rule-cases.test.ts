// Every rule's own examples (kept in its module, shown on its docs page) checked against the engine.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { nodeCertificateParser } from '../../server/src/node/node-certificates';
import { resolveSettings } from '../../server/src/engine/settings';
import { analyze, parseVersion, RULES } from '../support/engine';
import { makeCasePki, opensslAvailable } from '../support/pki';
import type { RuleCase } from '../../server/src/engine/rules/rule';
import { probe } from '../../server/src/probe';

const PATH = '/cases/nginx.conf';

/** The texts of the example files (CASE_FILES), made once with openssl. */
let pki: Record<string, string> | null = null;
let pkiDir = '';
before(() => {
  if (!opensslAvailable()) return;
  pkiDir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'ntp-casepki-'));
  const files = makeCasePki(pkiDir);
  pki = Object.fromEntries(Object.entries(files).map(([k, p]) => [k, nodeFs.readFileSync(p, 'utf8')]));
});
after(() => { if (pkiDir) nodeFs.rmSync(pkiDir, { recursive: true, force: true }); });

async function run(ruleId: string, c: RuleCase) {
  const files: Record<string, string> = { [PATH]: c.config };
  for (const [name, kind] of Object.entries(c.files ?? {})) files['/cases/' + name] = pki![kind];
  const fs = memoryFileSystem(files);
  const settings = defaultSettings({ nginxVersion: parseVersion(c.nginxVersion ?? '1.30'), ...(c.modules ? { build: resolveSettings({ modules: c.modules }).settings.build } : {}) });
  const opts = { rootKind: c.context ?? 'main', certificates: c.files || c.probe ? nodeCertificateParser : undefined } as const;
  const first = analyze(PATH, fs, settings, opts);
  const service = first.service;
  let findings = first.findings;
  if (c.probe) {
    // As `check --probe` does: connect to the upstreams (real sockets on 127.0.0.1), then analyse again.
    service.setProbeResults((await probe(service.probeTargets(PATH), 3000)).results);
    findings = service.diagnose(PATH, { context: opts.rootKind, scope: 'config' }).findings;
  }
  return { all: findings, mine: findings.filter((f) => f.ruleId === ruleId) };
}

for (const rule of RULES) {
  test(`${rule.id}: has examples of both kinds`, () => {
    assert.ok(rule.cases.valid.length >= 1, 'at least one valid case');
    if (rule.id !== 'include-limit') assert.ok(rule.cases.invalid.length >= 1, 'at least one invalid case');
    assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(rule.explanation.length > 100, 'explained in our own words');
  });
  rule.cases.valid.forEach((c, i) => {
    test(`${rule.id}: valid #${i + 1} has no finding`, async (t) => {
      if (c.files && !pki) return t.skip('openssl is not installed: the example\'s certificates cannot be made');
      const { mine } = await run(rule.id, c);
      assert.deepEqual(mine.map((f) => `${f.range.start.line + 1}: ${f.message}`), []);
    });
  });
  rule.cases.invalid.forEach((c, i) => {
    test(`${rule.id}: invalid #${i + 1} is reported on lines ${c.lines?.join(', ')}`, async (t) => {
      if (c.files && !pki) return t.skip('openssl is not installed: the example\'s certificates cannot be made');
      const { mine } = await run(rule.id, c);
      const lines = [...new Set(mine.map((f) => f.range.start.line + 1))].sort((a, b) => a - b);
      assert.deepEqual(lines, c.lines ?? [], mine.map((f) => f.message).join('\n'));
      if (c.fixed !== undefined) {
        const edits = mine.flatMap((f) => f.fixes.find((x) => x.isPreferred)?.edits ?? []);
        assert.ok(edits.length, 'a preferred fix exists');
        assert.ok(edits.every((e) => e.path === PATH));
        const fixed = applyEdits(c.config, edits);
        assert.equal(fixed, c.fixed);
        assert.deepEqual((await run(rule.id, { ...c, config: fixed })).mine.map((f) => f.message), [], 'the fix clears the finding');
      }
    });
  });
}
