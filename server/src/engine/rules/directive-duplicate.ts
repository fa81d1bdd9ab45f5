// A setting given twice in one block, which nginx refuses instead of letting the last one win.

import { specIn } from '../knowledge/directives';
import { rejectsDuplicates } from '../knowledge/tls';
import { DirStore, LBlock } from '../model/model';
import { lineNumber, lineRef } from '../model/describe';
import { ByKindAndName, checkedDirectives } from './checked-directives';
import { directiveSpan, Rule, handlerLine } from './rule';
import { conf } from './case-text';

export const directiveDuplicate: Rule = {
  id: 'directive-duplicate',
  defaultSeverity: 'error',
  title: 'Directive repeated in the same block',
  nginxRejects: true,
  locality: 'server',
  explanation: `Most single-value settings (every \`on\`/\`off\` flag, the \`*_ssl_*\` upstream settings, \`*_pass\`,
\`root\`…) may appear once per block; a second occurrence makes \`nginx -t\` fail with "directive is duplicate",
even when it comes from an included file. Keep one. (Lists such as \`ssl_certificate\` or \`add_header\` may
repeat, and \`ssl_protocols\` lines are combined.)`,
  cases: {
    messages: {
      duplicate: /^"[^"]*" directive is duplicate/,
      duplicateLocation: /^duplicate location "[^"]*"/,
    },
    valid: [
      {
        config: conf`
          ssl_protocols TLSv1.2;
          ssl_protocols TLSv1.3;
          add_header A b;
          add_header C d;
        `,
        context: 'http/server',
      },
      {
        config: conf`
          location ~ \.php$ { }
          location ~ \.php$ { }
          location @a { }
          location @a { }
          location /a { }
          location = /a { }
        `,
        context: 'http/server',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_ssl_verify on;
          proxy_ssl_verify on;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 1, messageId: 'duplicate' }],
      },
      {
        config: conf`
          proxy_pass http://a;
          proxy_pass http://b;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 1, messageId: 'duplicate' }],
      },
      {
        config: conf`
          location /a { }
          location = /a { }
          location /a { }
        `,
        context: 'http/server',
        errors: [{ line: 3, column: 1, messageId: 'duplicateLocation' }],
      },
      {
        config: conf`
          location /a { }
          location ^~ /a { }
          location =/b { }
          location = /b { }
        `,
        context: 'http/server',
        errors: [
          { line: 2, column: 1, messageId: 'duplicateLocation' },
          { line: 4, column: 1, messageId: 'duplicateLocation' },
        ],
      },
    ],
  },
  check(ctx) {
    // Each location that repeats an earlier one of its block, with that one and its URI: found block by block when the
    // block's first location comes, as the same few URIs recur in every server of a big config (maps by URI
    // across the config grew to a block per server).
    const duplicateOf = new Map<number, { first: number; uri: string }>();
    const seen: BlockLocations = { exact: [], uris: [], at: [] };
    const rejecting = new ByKindAndName<boolean>();
    const model = ctx.model;
    const s = model.store;
    // By block id: its locations are filed (at its first location).
    const filed = new Uint8Array(s.blocks.length);
    const xs = checkedDirectives(model);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const name = s.name(x);
      const block = s.block(x);
      if (name === 'location') {
        if (!filed[block.id]) {
          filed[block.id] = 1;
          findDuplicateLocations(s, block, seen, duplicateOf);
        }
        if (s.kid[x] >= 0 && s.argc(x)) {
          const dup = duplicateOf.get(x);
          if (dup) {
            const ld = s.dir(x), first = s.dir(dup.first);
            ctx.report({ nginxLine: handlerLine(ld), message: `duplicate location "${dup.uri}" (first on ${lineRef(first, ld)})`, related: [{ ld: first, message: 'first occurrence' }], ...directiveSpan(ld) });
          }
          continue;
        }
      }
      const id = s.nameId[x];
      let rejects = rejecting.get(block.kind, id);
      if (rejects === undefined) {
        const spec = specIn(name, block.kind);
        rejects = rejecting.set(block.kind, id, !!spec && rejectsDuplicates(name, spec.isFlag));
      }
      if (!rejects) continue;
      // The block's own first of that name (this one is in the block): no per-block map of names to keep.
      const firstAt = model.firstAt(name, block);
      if (firstAt === x) continue;
      const ld = s.dir(x), first = s.dir(firstAt);
      ctx.report({
        nginxLine: handlerLine(ld),
        message: `"${ld.name}" directive is duplicate (${first.file === ld.file && first.index === ld.index
          ? `this file is included twice in the same block, first by the include at ${first.via ? lineRef(first.via, ld) : 'the top'}`
          : `first set on line ${lineNumber(first)}${first.file !== ld.file ? ' of ' + first.file.path : ''}`})`,
        related: [{ ld: first, message: 'first occurrence' }],
        ...directiveSpan(ld),
      });
    }
  },
};

/**
 * nginx (ngx_http_join_exact_locations) refuses two exact (=) or two prefix (plain or ^~) locations with the
 * same URI in one block: "duplicate location". Regex and named locations may repeat. Files each later location
 * of `block` under the first it repeats (by store index). `seen` is reused from block to block: a block then
 * costs only its URIs.
 */
function findDuplicateLocations(s: DirStore, block: LBlock, seen: BlockLocations, duplicateOf: Map<number, { first: number; uri: string }>): void {
  let n = 0;
  for (let x = block.first; x >= 0; x = s.next[x]) {
    if (s.name(x) !== 'location' || s.kid[x] < 0 || !s.argc(x)) continue;
    if (fileLocation(s, x, seen, n)) n++;
  }
  if (n < 2) return;
  if (n <= PAIRWISE) {
    for (let j = 1; j < n; j++) {
      for (let i = 0; i < j; i++) {
        if (seen.exact[i] !== seen.exact[j] || seen.uris[i] !== seen.uris[j]) continue;
        duplicateOf.set(seen.at[j], { first: seen.at[i], uri: seen.uris[j] });
        break;
      }
    }
    return;
  }
  const firstExact = new Map<string, number>();
  const firstPrefix = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const firstByUri = seen.exact[i] ? firstExact : firstPrefix;
    const first = firstByUri.get(seen.uris[i]);
    if (first !== undefined) duplicateOf.set(seen.at[i], { first, uri: seen.uris[i] });
    else firstByUri.set(seen.uris[i], seen.at[i]);
  }
}

/** The exact and prefix locations of one block, in order (entries past the block's count are stale). */
interface BlockLocations {
  exact: boolean[];
  uris: string[];
  /** Store indices. */
  at: number[];
}

/** Up to this many locations in a block, comparing each with those before it is cheaper than maps by URI. */
const PAIRWISE = 8;

/**
 * Files `location [= | ^~] uri` at `n` of `seen`: whether exact, and its URI as nginx keys it. False for regex
 * and named locations, which are not filed.
 */
function fileLocation(s: DirStore, x: number, seen: BlockLocations, n: number): boolean {
  let mod = '';
  let uri = s.arg(x, 0);
  if (s.argc(x) >= 2) { mod = uri; uri = s.arg(x, 1); }
  else {
    // A modifier joined to the URI (`=/x`, `~\.php$`): asked of the first character before the pattern.
    const c = uri.charCodeAt(0);
    const m = c === 61 /* = */ || c === 94 /* ^ */ || c === 126 /* ~ */ ? /^(=|\^~|~\*|~)(.+)$/.exec(uri) : null;
    if (m) { mod = m[1]; uri = m[2]; }
  }
  if (mod === '~' || mod === '~*') return false;
  if (mod !== '=' && mod !== '' && mod !== '^~') return false;
  if (mod !== '=' && uri.startsWith('@')) return false;
  seen.exact[n] = mod === '=';
  seen.uris[n] = uri;
  seen.at[n] = x;
  return true;
}
