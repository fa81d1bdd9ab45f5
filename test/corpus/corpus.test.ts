// 1241 real-world configs and what Debian's nginx 1.22 said of each (../shared/corpus/MANIFEST.tsv).
//
// 1. Robustness: every file parses without throwing, in bounded time, with sane error ranges.
// 2. Syntax agreement (exact): no parse error on any file nginx accepted; an error, on the line nginx names,
//    on every file nginx rejected for a syntax reason.
// 3. Beyond syntax: the full analysis of each accepted file, in the context nginx accepted it in, must not
//    claim that nginx would reject it. Such findings are false positives: they are printed, grouped by rule,
//    and their number may only go down (MAX_FALSE_POSITIVES).
//
// Run: node --import tsx --test test/corpus/corpus.test.ts

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BlockKind, defaultSettings, Finding, parse, SyntaxTree } from '../../server/src/engine';
import { analyze, inferContext } from '../support/engine';
import { NodeFileSystem } from '../../server/src/node/node-fs';
import { requireShared, sharedPath } from '../support/shared';
import { DEFAULT_NGINX_VERSION, resolveSettings } from '../../server/src/engine/settings';

const CORPUS = sharedPath('corpus');
const FILES = path.join(CORPUS, 'files');

/** Generous: the largest corpus file parses in milliseconds. */
const PARSE_BUDGET_MS = 5000;
const ANALYSIS_BUDGET_MS = 30000;

// ---------------------------------------------------------------------------------------------------------
// MANIFEST.tsv

interface Row {
  /** local_path as in the manifest (files/<owner>__<repo>/…). */
  local: string;
  /** Absolute path on disk. */
  file: string;
  /** files/<owner>__<repo>, absolute. */
  repoRoot: string;
  /** Path inside its repository: what nginx names in " in FILE:LINE". */
  repoPath: string;
  /** The nginx_t column, unquoted. */
  nginx: string;
  notes: Map<string, string>;
  rawNotes: string;
}

/** One TSV field: a field that starts with `"` is quoted, `""` inside it is a literal quote. */
function unquote(field: string): string {
  if (field.length >= 2 && field.startsWith('"') && field.endsWith('"')) return field.slice(1, -1).replace(/""/g, '"');
  return field;
}

function parseNotes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.set(p, '');
    else out.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return out;
}

let cachedRows: Row[] | undefined;
function rows(): Row[] {
  if (cachedRows) return cachedRows;
  const lines = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const col = (name: string) => {
    const i = header.indexOf(name);
    assert.ok(i >= 0, `MANIFEST.tsv has a ${name} column`);
    return i;
  };
  const iPath = col('local_path'), iNginx = col('nginx_t'), iNotes = col('notes');
  cachedRows = lines.slice(1).map((l) => {
    const c = l.split('\t').map(unquote);
    const local = c[iPath];
    const segs = local.split('/');
    const rawNotes = c[iNotes] ?? '';
    return {
      local,
      file: path.join(CORPUS, local),
      repoRoot: path.join(CORPUS, segs[0], segs[1]),
      repoPath: segs.slice(2).join('/'),
      nginx: c[iNginx],
      notes: parseNotes(rawNotes),
      rawNotes,
    };
  });
  return cachedRows;
}

function readText(file: string): string {
  const buf = fs.readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

// ---------------------------------------------------------------------------------------------------------
// What nginx said

/** `ok` or `ok (wrapped:CTX)`: the context nginx accepted the file in ('main' for a complete config). */
function acceptedContext(r: Row): { ctx: string; wrapped: boolean } | undefined {
  const m = /^ok(?: \(wrapped:([A-Za-z-]+)\))?$/.exec(r.nginx);
  if (!m) return undefined;
  return { ctx: m[1] ?? 'main', wrapped: m[1] !== undefined };
}

/** The MANIFEST's context names (wrapped:CTX, tested_as=CTX) → the engine's block kinds. */
const CONTEXTS: Record<string, BlockKind> = {
  main: 'main',
  events: 'events',
  http: 'http',
  server: 'http/server',
  'http-server': 'http/server',
  location: 'http/location',
  'http-location': 'http/location',
  if: 'http/if-location',
  upstream: 'http/upstream',
  'http-upstream': 'http/upstream',
  'map-body': 'raw',
  map: 'raw',
  stream: 'stream',
  'stream-server': 'stream/server',
  'stream-upstream': 'stream/upstream',
  mail: 'mail',
  'mail-server': 'mail/server',
};

/**
 * How nginx rejected a file for a syntax reason:
 * - 'tokenizer': ngx_conf_read_token / block structure (`unexpected …`, `unexpected end of file…`,
 *   `too long parameter…`): the parser itself must report it.
 * - 'handler': ngx_conf_handler on a directive the tokenizer cut in the wrong place (`directive "X" is not
 *   terminated by ";"`, `directive "X" has no opening "{"`, `unknown directive "6}$"` from a regex whose
 *   `{` opened a block): a parse error or the engine's own report of that message (directive-args,
 *   unknown-directive) counts.
 */
type SyntaxKind = 'tokenizer' | 'handler';

function syntaxRejection(r: Row): SyntaxKind | undefined {
  const msg = r.nginx;
  if (/^error: (unexpected "|unexpected end of file|too long parameter)/.test(msg)) return 'tokenizer';
  if (/^error: directive "[^"]+" (is not terminated by ";"|has no opening "\{")/.test(msg)) return 'handler';
  const unknown = /^error: unknown directive "([^"]*)"/.exec(msg);
  // A name no module could define (`6}$`, `2,5}$`): the remains of a regex split at its `{`.
  if (unknown && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(unknown[1])) return 'handler';
  return undefined;
}

/** " in FILE:LINE" at the end of nginx's message: FILE is relative to the repository root. */
function namedLocation(r: Row): { file: string; line: number } | undefined {
  const m = / in (\S+):(\d+)$/.exec(r.nginx);
  if (!m) return undefined;
  return { file: path.normalize(path.join(r.repoRoot, m[1])), line: parseInt(m[2], 10) };
}

function rootKindFor(r: Row, tree: SyntaxTree): { kind: BlockKind; wrapped: boolean } {
  const acc = acceptedContext(r);
  if (acc) {
    const kind = CONTEXTS[acc.ctx];
    assert.ok(kind, `${r.local}: context "${acc.ctx}" is mapped to a block kind`);
    return { kind, wrapped: acc.wrapped };
  }
  const testedAs = r.notes.get('tested_as');
  if (testedAs && CONTEXTS[testedAs]) return { kind: CONTEXTS[testedAs], wrapped: testedAs !== 'main' };
  return { kind: inferContext(tree), wrapped: false };
}

/**
 * nginx's prefix for relative paths: the `conf_prefix=` note under the repository, else the file's directory.
 * A few notes name the repository folder itself (`h5bp__server-configs-nginx/`): those are relative to files/.
 */
function prefixFor(r: Row): string {
  const p = r.notes.get('conf_prefix');
  if (!p) return path.dirname(r.file);
  const repoDir = path.basename(r.repoRoot);
  return p === repoDir || p.startsWith(repoDir + '/') ? path.join(FILES, p) : path.join(r.repoRoot, p);
}

/** The build the corpus was labelled with: nginx 1.22.1, every Debian 12 dynamic module loaded. */
const settings = resolveSettings({ nginxVersion: '1.22', modules: 'debian-all' }).settings;

function runAnalysis(r: Row, tree: SyntaxTree): Finding[] {
  const { kind, wrapped } = rootKindFor(r, tree);
  const started = Date.now();
  const { findings } = analyze(r.file, new NodeFileSystem(), settings, { rootKind: kind, prefix: prefixFor(r), fragment: wrapped });
  assert.ok(Date.now() - started < ANALYSIS_BUDGET_MS, `${r.local}: analysis took ${Date.now() - started} ms`);
  return findings;
}

/** Rules whose error findings say `nginx -t` fails. */
const REJECTING = new Set(['syntax-error', 'unknown-directive', 'directive-not-allowed-here', 'directive-args', 'directive-invalid-value',
  'directive-duplicate', 'include-not-found', 'include-cycle', 'upstream-tls-no-trusted-ca']);

const rel = (p: string) => (p.startsWith(CORPUS + '/') ? path.relative(CORPUS, p) : p);

// ---------------------------------------------------------------------------------------------------------
// 1. Robustness

test('every corpus file parses: no throw, bounded time, error ranges inside the text and ordered', (t) => {
  if (!requireShared(t, 'corpus')) return;
  const all = rows();
  assert.ok(all.length > 1000, `MANIFEST lists ${all.length} files`);
  let slowest = 0;
  let slowestFile = '';
  for (const r of all) {
    const text = readText(r.file);
    const started = Date.now();
    let tree: SyntaxTree;
    assert.doesNotThrow(() => { tree = parse(text); }, `${r.local}: parse threw`);
    const ms = Date.now() - started;
    if (ms > slowest) { slowest = ms; slowestFile = r.local; }
    assert.ok(ms < PARSE_BUDGET_MS, `${r.local}: parse took ${ms} ms`);
    const errors = tree!.errors;
    const lineCount = text.split('\n').length;
    let prevLine = 0;
    for (const e of errors) {
      const where = `${r.local}: error "${e.message}" [${e.start}, ${e.end}) nginxLine ${e.nginxLine}`;
      assert.ok(Number.isInteger(e.start) && Number.isInteger(e.end), where);
      assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length, `${where}: range outside the text (length ${text.length})`);
      assert.ok(e.nginxLine >= 1 && e.nginxLine <= lineCount, `${where}: nginxLine outside the file (${lineCount} lines)`);
      assert.ok(e.nginxLine >= prevLine, `${where}: errors not in the order nginx meets them`);
      prevLine = e.nginxLine;
    }
  }
  console.log(`parsed ${all.length} files; slowest ${slowest} ms (${slowestFile})`);
});

// ---------------------------------------------------------------------------------------------------------
// 2. Syntax agreement

test('syntax agreement with nginx: accepted files have no parse error, syntax rejections have one on nginx\'s line', (t) => {
  if (!requireShared(t, 'corpus')) return;
  let accepted = 0, rejectedSyntax = 0, rejectedOther = 0, otherFlagged = 0, fragments = 0, agree = 0;
  const disagreements: string[] = [];
  for (const r of rows()) {
    const text = readText(r.file);
    const tree = parse(text);
    if (acceptedContext(r)) {
      accepted++;
      if (tree.errors.length === 0) agree++;
      else {
        const e = tree.errors[0];
        disagreements.push(`${r.local}:${e.nginxLine}: nginx accepts it (${r.nginx}); we report ${tree.errors.length} parse error(s), first: ${e.message}`);
      }
      continue;
    }
    const kind = syntaxRejection(r);
    if (!kind) {
      // Not a syntax rejection (a module Debian lacks, a host, a missing file…), or n/a-fragment: no crash is all we ask.
      let findings: Finding[] = [];
      assert.doesNotThrow(() => { findings = runAnalysis(r, tree); }, `${r.local}: analysis threw`);
      if (r.nginx === 'n/a-fragment') fragments++;
      else {
        rejectedOther++;
        if (findings.some((f) => f.severity === 'error' && REJECTING.has(f.ruleId))) otherFlagged++;
      }
      continue;
    }
    rejectedSyntax++;
    const named = namedLocation(r);
    // Lines (nginx's numbering) where we report what nginx reports, in the file nginx names.
    let ours: { file: string; line: number; message: string }[] = tree.errors.map((e) => ({ file: r.file, line: e.nginxLine, message: e.message }));
    if (kind === 'handler' || (named && named.file !== r.file)) {
      const findings = runAnalysis(r, tree);
      const handlerRules = new Set(['syntax-error', 'directive-args', 'unknown-directive']);
      ours = ours.concat(findings
        .filter((f) => f.severity === 'error' && handlerRules.has(f.ruleId) && (f.ruleId === 'syntax-error' || kind === 'handler'))
        .map((f) => ({ file: f.path, line: f.nginxLine ?? f.range.start.line + 1, message: `${f.ruleId}: ${f.message}` })));
    }
    const target = named?.file ?? r.file;
    const inTarget = ours.filter((o) => o.file === target);
    const where = `${r.local}${named && named.file === r.file ? ':' + named.line : ''}`;
    if (inTarget.length === 0) {
      disagreements.push(`${where}: nginx says ${r.nginx}; we report no ${kind === 'tokenizer' ? 'parse error' : 'parse error nor directive error'}` +
        (ours.length ? ` there (elsewhere: ${ours.map((o) => rel(o.file) + ':' + o.line).join(', ')})` : ''));
    } else if (named && !inTarget.some((o) => o.line === named.line)) {
      disagreements.push(`${where}: nginx says ${r.nginx}; we report line(s) ${inTarget.map((o) => `${o.line} (${o.message})`).join('; ')}`);
    } else {
      agree++;
    }
  }
  console.log(`syntax agreement: ${rows().length} files; ${accepted} accepted by nginx, ${rejectedSyntax} rejected for a syntax reason, ` +
    `${rejectedOther} rejected for other reasons, ${fragments} n/a-fragment; ${agree} agreements, ${disagreements.length} disagreements`);
  for (const d of disagreements) console.log('  ' + d);
  console.log(`  (not asserted) of the ${rejectedOther} non-syntax rejections, the analysis flags ${otherFlagged} with an error of a rule that says nginx rejects`);
  assert.deepEqual(disagreements, [], `${disagreements.length} syntax disagreements with nginx`);
});

// ---------------------------------------------------------------------------------------------------------
// 3. Beyond syntax: findings that claim nginx would reject a config nginx accepted

/**
 * Distinct (rule, file, line, message) error findings of REJECTING rules on files nginx accepted, not counting
 * the two excused classes below. It may only go down: lower it whenever the engine improves.
 */
const MAX_FALSE_POSITIVES = 0;

/**
 * Directive families of the dynamic modules Debian's nginx 1.22 loaded (libnginx-mod-*, njs as the file
 * loads it): an unknown-directive on one of these is a gap in the engine's knowledge, reported apart.
 */
const DEBIAN_MODULES = [/_by_lua(_block|_file)?$/, /^lua_/, /^more_/, /^echo/, /^fancyindex/, /^geoip2?_/, /^image_filter/, /^perl/,
  /^subs_filter/, /^(upload_progress|track_uploads|report_uploads)/, /^(fair|upstream_fair_shm_size)$/, /^xslt_|^xml_entities$/,
  /^nchan_/, /^rtmp/, /^auth_pam/, /_cache_purge$|^cache_purge_/, /^dav_ext_/, /^js_/, /^ndk_/, /^brotli/, /^set_(escape|unescape|quote|if_empty|encode|decode|sha1|md5|hmac|random|secure_random|rotate|local_today|formatted)/];

/** The notes' `provided=` list: paths stubbed for nginx's test (`/t/<owner>__<repo>/…` is the corpus's files/). */
function stubbed(r: Row, missing: string): boolean {
  const provided = r.notes.get('provided');
  if (!provided) return false;
  if (provided.includes('(+more)')) return true; // truncated list: give it the benefit of the doubt
  const asTested = missing.startsWith(FILES + '/') ? '/t/' + missing.slice(FILES.length + 1) : missing;
  return provided.split(',').some((item) => {
    const p = item.slice(item.indexOf(':') + 1);
    return p === missing || p === asTested || path.normalize(p) === path.normalize(asTested);
  });
}

/**
 * nginx's answers were recorded with Debian's nginx-extras installed, and the configs include its files
 * (/etc/nginx/mime.types, the modules-enabled/*.conf that load its modules): without them the analysis
 * differs because of this machine, not the engine. Under NGINX_TLS_REQUIRE_NGINX=1 (CI) their absence fails.
 */
function debianNginxFiles(t: { skip(reason: string): void }): boolean {
  if (fs.existsSync('/etc/nginx/mime.types') && fs.existsSync('/etc/nginx/modules-enabled')) return true;
  if (process.env.NGINX_TLS_REQUIRE_NGINX === '1') throw new Error('Debian nginx files are required (/etc/nginx/mime.types, /etc/nginx/modules-enabled): install nginx-extras');
  t.skip('needs Debian nginx-extras installed: the corpus configs include /etc/nginx/mime.types and load the modules of /etc/nginx/modules-enabled');
  return false;
}

test('analysis of accepted files in their recorded context: no finding says nginx would reject them', (t) => {
  if (!requireShared(t, 'corpus') || !debianNginxFiles(t)) return;
  const falsePositives = new Map<string, Set<string>>(); // rule → distinct "file:line: message"
  const excused = { stubbedInclude: new Set<string>(), debianModule: new Set<string>() };
  const hedged = new Map<string, Set<string>>(); // rejecting rules at a severity below error ("unless set elsewhere")
  const internal: string[] = [];
  let analysed = 0;
  const byContext = new Map<string, number>();
  for (const r of rows()) {
    const acc = acceptedContext(r);
    if (!acc) continue;
    const tree = parse(readText(r.file));
    let findings: Finding[] = [];
    assert.doesNotThrow(() => { findings = runAnalysis(r, tree); }, `${r.local}: analysis threw`);
    analysed++;
    byContext.set(acc.ctx + (acc.wrapped ? ' (wrapped)' : ''), (byContext.get(acc.ctx + (acc.wrapped ? ' (wrapped)' : '')) ?? 0) + 1);
    for (const f of findings) {
      const key = `${rel(f.path)}:${f.range.start.line + 1}: ${f.message}`;
      if (f.ruleId === 'internal-error') { internal.push(`${key} [root ${r.local}]`); continue; }
      if (!REJECTING.has(f.ruleId)) continue;
      if (f.severity !== 'error') {
        const s = hedged.get(f.ruleId) ?? new Set<string>();
        s.add(key);
        hedged.set(f.ruleId, s);
        continue;
      }
      if (f.ruleId === 'include-not-found') {
        const missing = /^open\(\) "([^"]+)"/.exec(f.message)?.[1];
        if (missing && stubbed(r, missing)) { excused.stubbedInclude.add(key); continue; }
      }
      if (f.ruleId === 'unknown-directive') {
        const name = /^unknown directive "([^"]+)"/.exec(f.message)?.[1] ?? '';
        if (DEBIAN_MODULES.some((re) => re.test(name))) { excused.debianModule.add(key); continue; }
      }
      const s = falsePositives.get(f.ruleId) ?? new Set<string>();
      s.add(key + (f.path === r.file ? '' : `  [via root ${r.local}]`));
      falsePositives.set(f.ruleId, s);
    }
  }
  const total = [...falsePositives.values()].reduce((a, s) => a + s.size, 0);
  console.log(`analysis: ${analysed} accepted files (${[...byContext].map(([k, v]) => `${k}: ${v}`).join(', ')}), nginx 1.22`);
  console.log(`  false positives (error findings of rules that say nginx rejects): ${total} (MAX_FALSE_POSITIVES ${MAX_FALSE_POSITIVES})`);
  for (const [rule, set] of [...falsePositives].sort((a, b) => b[1].size - a[1].size)) {
    console.log(`  ${rule}: ${set.size}`);
    for (const l of [...set].sort()) console.log('    ' + l);
  }
  console.log(`  excused: include-not-found of a file stubbed for nginx's test (provided=): ${excused.stubbedInclude.size}`);
  console.log(`  excused: unknown-directive of a Debian-loaded module the engine does not know: ${excused.debianModule.size}`);
  for (const l of [...excused.debianModule].sort()) console.log('    ' + l);
  for (const [rule, set] of hedged) console.log(`  not counted: ${rule} at warning severity (hedged): ${set.size}`);
  console.log(`  rule crashes (internal-error): ${internal.length}`);
  for (const l of internal) console.log('    ' + l);
  assert.deepEqual(internal, [], 'a rule crashed on a corpus file');
  assert.ok(total <= MAX_FALSE_POSITIVES, `${total} false positives > MAX_FALSE_POSITIVES ${MAX_FALSE_POSITIVES}`);
});

// ---------------------------------------------------------------------------------------------------------
// 4. No rule crashes when a file is analysed the way the editor and the CLI do without the MANIFEST's help

test('analysis in the inferred context (as the editor does for a file nobody includes) never crashes a rule', (t) => {
  if (!requireShared(t, 'corpus')) return;
  const crashes: string[] = [];
  for (const r of rows()) {
    const tree = parse(readText(r.file));
    const kind = inferContext(tree);
    let findings: Finding[] = [];
    assert.doesNotThrow(() => {
      findings = analyze(r.file, new NodeFileSystem(), settings, { rootKind: kind, prefix: path.dirname(r.file), fragment: /#\s*nginx-context:\s*[a-z]/i.test(tree.text) }).findings;
    }, `${r.local}: analysis threw`);
    for (const f of findings) if (f.ruleId === 'internal-error') crashes.push(`${rel(f.path)}:${f.range.start.line + 1} (as ${kind}): ${f.message}`);
  }
  console.log(`inferred-context analysis of ${rows().length} files: ${crashes.length} rule crashes`);
  for (const c of crashes) console.log('  ' + c);
  assert.deepEqual(crashes, [], 'a rule crashed on a corpus file');
});

// ---------------------------------------------------------------------------------------------------------
// 5. Parity figures (issue 13): false errors on accepted files, and rejections for a config-language reason
//    caught, with the build the corpus was labelled with (nginx 1.22, every Debian 12 dynamic module loaded:
//    preset debian-all) and with the default settings (nginx.org's build, the current version).

/** nginx's messages for a config-language rejection: what a static analysis of the text can know. */
const LANGUAGE_REJECTION = /^error: (unexpected "|unexpected end of file|too long parameter|directive "[^"]+" (is not terminated by ";"|has no opening "\{")|unknown directive "|"[^"]+" directive is (not allowed here|duplicate)|invalid number of arguments in "|duplicate location ")/;

function parity(settingsUsed: ReturnType<typeof defaultSettings>) {
  let accepted = 0, falseErrorFiles = 0, rejections = 0, caught = 0;
  const falseErrors: string[] = [];
  const missed: string[] = [];
  for (const r of rows()) {
    const acc = acceptedContext(r);
    const language = !acc && LANGUAGE_REJECTION.test(r.nginx);
    if (!acc && !language) continue;
    const tree = parse(readText(r.file));
    const { kind, wrapped } = rootKindFor(r, tree);
    const { findings } = analyze(r.file, new NodeFileSystem(), settingsUsed, { rootKind: kind, prefix: prefixFor(r), fragment: wrapped });
    const errors = findings.filter((f) => f.severity === 'error' && REJECTING.has(f.ruleId)).filter((f) => {
      if (f.ruleId !== 'include-not-found') return true;
      const missing = /^open\(\) "([^"]+)"/.exec(f.message)?.[1];
      return !(missing && stubbed(r, missing));
    });
    if (acc) {
      accepted++;
      if (errors.length) {
        falseErrorFiles++;
        falseErrors.push(`${r.local}: ${errors.map((f) => `${rel(f.path)}:${f.range.start.line + 1} ${f.ruleId}: ${f.message}`).join(' | ')}`);
      }
      continue;
    }
    rejections++;
    const named = namedLocation(r);
    const ours = errors.map((f) => ({ file: f.path, line: f.nginxLine ?? f.range.start.line + 1 }))
      .concat(tree.errors.map((e) => ({ file: r.file, line: e.nginxLine })));
    const hit = named ? ours.some((o) => o.file === named.file && o.line === named.line) : ours.length > 0;
    if (hit) caught++;
    else missed.push(`${r.local}: nginx: ${r.nginx.slice(0, 140)}; we: ${errors.slice(0, 3).map((f) => `${f.range.start.line + 1} ${f.message.slice(0, 80)}`).join(' | ') || 'nothing'}`);
  }
  return { accepted, falseErrorFiles, rejections, caught, falseErrors, missed };
}

test('parity figures with the corpus build (nginx 1.22, Debian 12 modules) and with the defaults', (t) => {
  if (!requireShared(t, 'corpus') || !debianNginxFiles(t)) return;
  const corpusBuild = resolveSettings({ nginxVersion: '1.22', modules: 'debian-all' }).settings;
  const results: [string, ReturnType<typeof parity>][] = [['corpus build (1.22, debian-all)', parity(corpusBuild)], ['defaults (nginx.org build, ' + DEFAULT_NGINX_VERSION + ')', parity(defaultSettings())]];
  for (const [label, p] of results) {
    console.log(`${label}: false errors on ${p.falseErrorFiles} of ${p.accepted} accepted files (${(100 * p.falseErrorFiles / p.accepted).toFixed(2)} %, target ≤ 0.3 %); ` +
      `config-language rejections caught ${p.caught} of ${p.rejections} (${(100 * p.caught / p.rejections).toFixed(1)} %, target ≥ 95 %)`);
    for (const l of p.falseErrors) console.log('  false error: ' + l);
    for (const l of p.missed) console.log('  missed: ' + l);
  }
  const [, c] = results[0];
  assert.ok(c.falseErrorFiles / c.accepted <= 0.003, `corpus build: ${c.falseErrorFiles} false errors`);
  assert.ok(c.caught / c.rejections >= 0.95, `corpus build: ${c.caught}/${c.rejections} caught`);
});
