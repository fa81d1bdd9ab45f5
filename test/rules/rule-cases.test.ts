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

/**
 * The id of the one entry of the rule's message table that recognises `message`; a message no entry or
 * several entries recognise fails the test (the table must tell every message of the cases apart).
 */
function messageIdOf(ruleId: string, table: Record<string, RegExp> | undefined, message: string): string | undefined {
  if (!table) return undefined;
  const ids = Object.entries(table).filter(([, re]) => re.test(message)).map(([id]) => id);
  assert.equal(ids.length, 1, `${ruleId}: exactly one message id recognises ${JSON.stringify(message)} (matched: ${ids.join(', ') || 'none'})`);
  return ids[0];
}

type Rule = (typeof RULES)[number];

/** What an invalid case states, checked as ESLint's RuleTester checks it: the errors, then the fixed text. */
async function assertInvalid(rule: Rule, c: RuleCase): Promise<void> {
  const { mine } = await run(rule.id, c);
  // Every finding, in document order, against every stated error: one list each, compared whole, so a
  // finding too many, one missing, or one in another column fails alike. The message id is compared only
  // where the case states it (ESLint's RuleTester does the same).
  const found = mine
    .map((f) => ({ line: f.range.start.line + 1, column: f.range.start.character + 1, messageId: messageIdOf(rule.id, rule.cases.messages, f.message), message: f.message }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
  const expected = c.errors ?? [];
  assert.ok(expected.length > 0, 'an invalid case states its errors');
  assert.deepEqual(
    found.map((f, k) => ({ line: f.line, column: f.column, ...(expected[k]?.messageId !== undefined ? { messageId: f.messageId } : {}) })),
    expected.map((e) => ({ line: e.line, column: e.column, ...(e.messageId !== undefined ? { messageId: e.messageId } : {}) })),
    found.map((f) => `${f.line}:${f.column} ${f.message}`).join('\n'),
  );
  // `check --fix` and fix-all ask only the rules that say they can make a safe fix for their fixes.
  if (mine.some((f) => f.fixes.some((x) => x.safe))) assert.equal(rule.safeFixes, true, `${rule.id} makes a safe fix: its meta must say safeFixes: true`);
  if (c.fixed !== undefined) {
    const edits = mine.flatMap((f) => f.fixes.find((x) => x.isPreferred)?.edits ?? []);
    assert.ok(edits.length, 'a preferred fix exists');
    assert.ok(edits.every((e) => e.path === PATH));
    const fixed = applyEdits(c.config, edits);
    assert.equal(fixed, c.fixed);
    assert.deepEqual((await run(rule.id, { ...c, config: fixed })).mine.map((f) => f.message), [], 'the fix clears the finding');
  }
}

test('the runner fails a case whose column, count, message id or fixed text is wrong', async () => {
  // A checker that passes everything would make every case above meaningless: each way an invalid case can
  // be wrong is tried on a real rule's case and must be refused.
  const rule = RULES.find((r) => r.id === 'upstream-tls-unverified')!;
  const c = rule.cases.invalid.find((x) => x.fixed !== undefined && x.errors?.length === 1)!;
  await assertInvalid(rule, c);
  const e = c.errors![0];
  const wrong: RuleCase[] = [
    { ...c, errors: [{ ...e, column: e.column + 1 }] },
    { ...c, errors: [{ ...e, line: e.line + 1 }] },
    { ...c, errors: [e, e] },
    { ...c, errors: [{ ...e, messageId: 'noSuchId' }] },
    { ...c, fixed: c.fixed + '\n' },
  ];
  for (const w of wrong) await assert.rejects(assertInvalid(rule, w), assert.AssertionError, JSON.stringify(w.errors));
  // Without a messageId the error still pins line and column.
  await assertInvalid(rule, { ...c, errors: [{ line: e.line, column: e.column }] });
});

for (const rule of RULES) {
  test(`${rule.id}: has examples of both kinds`, () => {
    assert.ok(rule.cases.valid.length >= 1, 'at least one valid case');
    if (rule.id !== 'include-limit') assert.ok(rule.cases.invalid.length >= 1, 'at least one invalid case');
    assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(rule.explanation.length > 100, 'explained in our own words');
    // Each id of the message table names a kind of message some invalid case states: an id nothing uses
    // is an untested claim about the rule's wording.
    const stated = new Set(rule.cases.invalid.flatMap((c) => (c.errors ?? []).map((e) => e.messageId)));
    for (const id of Object.keys(rule.cases.messages ?? {})) assert.ok(stated.has(id), `message id ${id} is stated by an invalid case`);
    for (const id of stated) if (id !== undefined) assert.ok(rule.cases.messages?.[id], `message id ${id} is in the rule's table`);
  });
  rule.cases.valid.forEach((c, i) => {
    test(`${rule.id}: valid #${i + 1} has no finding`, async (t) => {
      if (c.files && !pki) return t.skip('openssl is not installed: the example\'s certificates cannot be made');
      const { mine } = await run(rule.id, c);
      assert.deepEqual(mine.map((f) => `${f.range.start.line + 1}: ${f.message}`), []);
    });
  });
  rule.cases.invalid.forEach((c, i) => {
    const where = (c.errors ?? []).map((e) => `${e.line}:${e.column}${e.messageId ? ` ${e.messageId}` : ''}`).join(', ');
    test(`${rule.id}: invalid #${i + 1} is reported at ${where}`, async (t) => {
      if (c.files && !pki) return t.skip('openssl is not installed: the example\'s certificates cannot be made');
      await assertInvalid(rule, c);
    });
  });
}
