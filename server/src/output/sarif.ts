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

function lazyOrNot<T, U>(lazy: boolean, list: T[], text: (x: T) => string, make: (x: T) => U): U[] | LazyList<U> {
  return lazy ? new LazyList(list.length, (i) => make(list[i]), (i) => text(list[i])) : list.map(make);
}

/**
 * A result as `JSON.stringify(result)` writes it (see LazyList's `text`): results are most of a big log, and
 * writing them as text took half the time of making objects and stringifying them (42 150 results, fixes
 * included, measured when both were indented: 0.97 s against 0.49 s).
 */
function resultText(uri: (p: string) => string): (f: Finding) => string {
  const quote = quoter();
  return (f) => {
    const { start, end } = f.range;
    const out = `{"ruleId":${quote(f.ruleId)},"level":"${LEVEL[f.severity]}","message":{"text":${JSON.stringify(f.message)}},` +
      `"locations":[{"physicalLocation":{"artifactLocation":{"uri":${quote(uri(f.path))}},` +
      `"region":{"startLine":${start.line + 1},"startColumn":${start.character + 1},"endLine":${end.line + 1},"endColumn":${end.character + 1}}}}]`;
    let fixes = '';
    for (const x of f.fixes) {
      if (x.input) continue;
      let changes = '';
      for (const e of x.edits) {
        changes += (changes ? ',' : '') + `{"artifactLocation":{"uri":${quote(uri(e.path))}},"replacements":[{` +
          `"deletedRegion":{"charOffset":${e.start},"charLength":${e.end - e.start}},"insertedContent":{"text":${quote(e.newText)}}}]}`;
      }
      fixes += (fixes ? ',' : '') + `{"description":{"text":${quote(x.title)}},"artifactChanges":[${changes}]}`;
    }
    return fixes ? `${out},"fixes":[${fixes}]}` : out + '}';
  };
}
