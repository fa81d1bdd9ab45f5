// SARIF 2.1.0 for GitHub code scanning: rule metadata, regions, and fixes where we have them.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, RuleInfo } from '../engine';
import { sorted } from './text';
import { LazyList, quoter } from './stream-json';

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;
export const RULE_DOCS = 'https://github.com/nginx-tls-proxy/nginx-tls-proxy/blob/main/docs/rules/';

/**
 * GitHub code scanning reads `tags` (CWE tags in CodeQL's `external/cwe/cwe-N` form) and `security-severity`
 * (a number as a string; it ranks alerts critical / high / medium / low).
 */
function properties(r: RuleInfo): Record<string, unknown> {
  if (r.securitySeverity === undefined) return { tags: r.tags.length ? r.tags : ['correctness'] };
  return {
    tags: r.tags,
    'security-severity': r.securitySeverity.toFixed(1),
    ...(r.cis ? { cis: `${r.cis.benchmark} ${r.cis.recommendation}` } : {}),
  };
}

function cisText(r: RuleInfo): string {
  return r.cis ? ` Implements ${r.cis.benchmark}, recommendation ${r.cis.recommendation}.` : '';
}

function cisMarkdown(r: RuleInfo): string {
  return r.cis ? `\n\nImplements ${r.cis.benchmark}, recommendation ${r.cis.recommendation}${r.cis.source ? ` ([source](${r.cis.source}))` : ''}.` : '';
}

/** `lazy`: the results as a LazyList, each made when written (stream-json.ts); else a plain array. */
export function toSarif(findings: Finding[], cwd: string, rules: RuleInfo[], lazy = false): unknown {
  // Tens of thousands of results name a handful of files: each file's URI is made once.
  const uris = new Map<string, string>();
  const uri = (p: string) => {
    let u = uris.get(p);
    if (u === undefined) {
      const r = path.relative(cwd, p);
      uris.set(p, (u = r.startsWith('..') ? pathToFileURL(p).href : r.split(path.sep).join('/')));
    }
    return u;
  };
  const region = (f: { range: Finding['range'] }) => ({
    startLine: f.range.start.line + 1,
    startColumn: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'nginx-tls-proxy',
          informationUri: 'https://github.com/nginx-tls-proxy/nginx-tls-proxy',
          rules: rules.map((r) => ({
            id: r.id,
            name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
            shortDescription: { text: r.title },
            fullDescription: { text: r.explanation.replace(/\s+/g, ' ') },
            help: { text: r.explanation.replace(/\s+/g, ' ') + cisText(r), markdown: r.explanation + cisMarkdown(r) },
            helpUri: RULE_DOCS + r.id + '.md',
            defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
            properties: properties(r),
          })),
        },
      },
      results: lazyOrNot(lazy, sorted(findings), resultText(uri), (f) => {
        // A fix that waits for a value from the user is not a change a tool could apply.
        const applicable = f.fixes.filter((x) => !x.input);
        return {
          ruleId: f.ruleId,
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.path) }, region: region(f) } }],
          fixes: applicable.length
            ? applicable.map((x) => ({
                description: { text: x.title },
                artifactChanges: x.edits.map((e) => ({
                  artifactLocation: { uri: uri(e.path) },
                  replacements: [{ deletedRegion: { charOffset: e.start, charLength: e.end - e.start }, insertedContent: { text: e.newText } }],
                })),
              }))
            : undefined,
        };
      }),
    }],
  };
}

function lazyOrNot<T, U>(lazy: boolean, list: T[], text: (x: T, indent: string) => string, make: (x: T) => U): U[] | LazyList<U> {
  return lazy ? new LazyList(list.length, (i) => make(list[i]), (i, indent) => text(list[i], indent)) : list.map(make);
}

/**
 * A result as `JSON.stringify(result, null, 2)` writes it at `indent` (see LazyList's `text`): results are
 * most of a big log (42 150 results: 0.97 s as objects stringified, 0.49 s as text, fixes included).
 */
function resultText(uri: (p: string) => string): (f: Finding, indent: string) => string {
  const quote = quoter();
  // The indentations below a result, made once for the depth the results are written at.
  let at: string | undefined;
  let ind: string[] = [];
  return (f, i0) => {
    if (i0 !== at) {
      at = i0;
      ind = [i0];
      for (let k = 1; k <= 8; k++) ind.push(ind[k - 1] + '  ');
    }
    const i1 = ind[1], i2 = ind[2], i3 = ind[3], i4 = ind[4], i5 = ind[5], i6 = ind[6], i7 = ind[7], i8 = ind[8];
    const { start, end } = f.range;
    let out = `{\n${i1}"ruleId": ${quote(f.ruleId)},\n${i1}"level": "${LEVEL[f.severity]}",\n${i1}"message": {\n${i2}"text": ${JSON.stringify(f.message)}\n${i1}},\n` +
      `${i1}"locations": [\n${i2}{\n${i3}"physicalLocation": {\n${i4}"artifactLocation": {\n${i5}"uri": ${quote(uri(f.path))}\n${i4}},\n` +
      `${i4}"region": {\n${i5}"startLine": ${start.line + 1},\n${i5}"startColumn": ${start.character + 1},\n${i5}"endLine": ${end.line + 1},\n${i5}"endColumn": ${end.character + 1}\n${i4}}\n${i3}}\n${i2}}\n${i1}]`;
    let fixes = '';
    for (const x of f.fixes) {
      if (x.input) continue;
      let changes = '';
      for (const e of x.edits) {
        changes += (changes ? ',\n' : '\n') + `${i4}{\n${i5}"artifactLocation": {\n${i6}"uri": ${quote(uri(e.path))}\n${i5}},\n${i5}"replacements": [\n${i6}{\n` +
          `${i7}"deletedRegion": {\n${i8}"charOffset": ${e.start},\n${i8}"charLength": ${e.end - e.start}\n${i7}},\n` +
          `${i7}"insertedContent": {\n${i8}"text": ${quote(e.newText)}\n${i7}}\n${i6}}\n${i5}]\n${i4}}`;
      }
      fixes += (fixes ? ',\n' : '\n') + `${i2}{\n${i3}"description": {\n${i4}"text": ${quote(x.title)}\n${i3}},\n` +
        `${i3}"artifactChanges": ${changes ? '[' + changes + '\n' + i3 + ']' : '[]'}\n${i2}}`;
    }
    if (fixes) out += `,\n${i1}"fixes": [${fixes}\n${i1}]`;
    return out + '\n' + i0 + '}';
  };
}
