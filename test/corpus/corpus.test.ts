// 1241 real-world configs with what Debian's nginx said of each (../shared/corpus/MANIFEST.tsv).
// The tokenizer must agree with nginx exactly; the analysis must not invent errors on configs nginx
// accepted. The figures are printed on every run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, BlockKind, defaultSettings, inferContext, parse, parseVersion } from '../../server/src/engine';
import { NodeFileSystem, decode } from '../../server/src/node/node-fs';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

interface Row { file: string; nginx: string; notes: string }

function rows(): Row[] {
  return fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
    const c = l.split('\t');
    return { file: path.join(CORPUS, c[0]), nginx: c[7].replace(/^"|"$/g, '').replace(/""/g, '"'), notes: c[8] ?? '' };
  });
}

const SYNTAX = /^error: (unexpected |too long parameter|directive "[^"]+" is not terminated|directive "[^"]+" has no opening)/;

/** The line nginx names, when it names this very file. */
function namedLine(r: Row): number | undefined {
  const m = / in (\S+):(\d+)$/.exec(r.nginx);
  if (!m) return undefined;
  return r.file.endsWith('/' + m[1]) || r.file.endsWith(m[1].replace(/^.*?\//, '/')) ? parseInt(m[2], 10) : undefined;
}

const CONTEXTS: Record<string, BlockKind> = {
  main: 'main', http: 'http', server: 'http/server', location: 'http/location', stream: 'stream', 'stream-server': 'stream/server',
  'map-body': 'raw', upstream: 'http/upstream', events: 'events', mail: 'mail', 'stream-upstream': 'stream/upstream', if: 'http/if-location',
};

test('the tokenizer agrees with nginx on every corpus file', () => {
  let accepted = 0;
  let rejectedSyntax = 0;
  let agree = 0;
  const problems: string[] = [];
  for (const r of rows()) {
    const { text } = decode(fs.readFileSync(r.file));
    const started = Date.now();
    const tree = parse(text);
    assert.ok(Date.now() - started < 10000, `${r.file}: parse took too long`);
    for (const e of tree.errors) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length);
    if (r.nginx.startsWith('ok')) {
      accepted++;
      if (tree.errors.length) problems.push(`${r.file}: nginx accepts it, we report ${tree.errors[0].message} (line ${tree.errors[0].nginxLine})`);
      else agree++;
    } else if (SYNTAX.test(r.nginx)) {
      rejectedSyntax++;
      const line = namedLine(r);
      // Some of these come from nginx's directive handler (a block after a simple directive): the rules report those.
      const { findings } = analyze(r.file, new NodeFileSystem(), defaultSettings({ nginxVersion: parseVersion('1.22') }), { rootKind: inferContext(tree) });
      const lines = [...tree.errors.map((e) => e.nginxLine), ...findings.filter((f) => f.severity === 'error' && f.path === r.file).map((f) => f.nginxLine ?? f.range.start.line + 1)];
      if (!lines.length) problems.push(`${r.file}: nginx says ${r.nginx}; we report nothing`);
      else if (line !== undefined && !lines.includes(line)) problems.push(`${r.file}: nginx names line ${line}, we ${lines.join(', ')}`);
      else agree++;
    }
  }
  console.log(`corpus: ${rows().length} files; ${accepted} accepted by nginx, ${rejectedSyntax} rejected for a syntax reason; ${agree} agreements, ${problems.length} disagreements`);
  for (const p of problems) console.log('  ' + p);
  assert.deepEqual(problems, []);
});

// Findings the analysis reports on configs nginx accepted, by rule: each is a false error. Kept at most
// this many; the number may only go down. Each remaining one is explained in the printed list.
const MAX_FALSE_ERRORS = 0;

test('no config nginx accepted gets an error that says nginx would reject it', () => {
  const rejecting = new Set(['syntax-error', 'unknown-directive', 'directive-not-allowed-here', 'directive-args', 'directive-invalid-value',
    'directive-duplicate', 'missing-events', 'pass-invalid-url', 'include-cycle', 'upstream-tls-no-trusted-ca', 'tls-cert-without-key',
    'client-cert-no-ca', 'listen-ssl-no-certificate']);
  const settings = defaultSettings({ nginxVersion: parseVersion('1.22') });
  const byRule = new Map<string, string[]>();
  let analysed = 0;
  for (const r of rows()) {
    const m = /^ok(?: \(wrapped:([a-z-]+)\))?$/.exec(r.nginx);
    if (!m) continue;
    const kind = m[1] ? CONTEXTS[m[1]] : 'main';
    assert.ok(kind, `context ${m[1]} mapped`);
    const prefixNote = /conf_prefix=([^;\s]+)/.exec(r.notes)?.[1];
    const repoRoot = r.file.slice(0, r.file.indexOf('/', path.join(CORPUS, 'files').length + 1));
    const prefix = prefixNote ? path.join(repoRoot, prefixNote) : path.dirname(r.file);
    const { findings } = analyze(r.file, new NodeFileSystem(), settings, { rootKind: kind, prefix, fragment: !!m[1] });
    analysed++;
    for (const f of findings) {
      if (f.severity !== 'error' || !rejecting.has(f.ruleId) || f.path !== r.file) continue;
      const list = byRule.get(f.ruleId) ?? [];
      list.push(`${path.relative(CORPUS, r.file)}:${f.range.start.line + 1}: ${f.message}`);
      byRule.set(f.ruleId, list);
    }
  }
  const total = [...byRule.values()].reduce((a, l) => a + l.length, 0);
  console.log(`analysed ${analysed} accepted files in their recorded context: ${total} error findings nginx disagrees with`);
  for (const [rule, list] of byRule) {
    console.log(`  ${rule}: ${list.length}`);
    for (const l of list.slice(0, 10)) console.log('    ' + l);
  }
  assert.ok(total <= MAX_FALSE_ERRORS, `${total} > ${MAX_FALSE_ERRORS}`);
});
