// A setting given twice in one block, which nginx refuses instead of letting the last one win.

import { specIn } from '../knowledge/directives';
import { rejectsDuplicates } from '../knowledge/tls';
import { LBlock, LDir } from '../model/model';
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
    // The first exact and the first prefix location of each URI, by URI and then block: no key string nor map
    // per block (a big config has tens of thousands of locations, most of them the only one of their URI).
    const firstLocation = { exact: new Map<string, Map<LBlock, LDir>>(), prefix: new Map<string, Map<LBlock, LDir>>() };
    const rejecting = new ByKindAndName<boolean>();
    const ldList = checkedDirectives(ctx.model);
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (ld.name === 'location' && ld.child && ld.argc) {
        // nginx (ngx_http_join_exact_locations) refuses two exact (=) or two prefix (plain or ^~) locations with
        // the same URI in one block: "duplicate location". Regex and named locations may repeat.
        const match = locationMatch(ld);
        if (!match) continue;
        const byUri = firstLocation[match.kind];
        let blocks = byUri.get(match.uri);
        if (!blocks) byUri.set(match.uri, (blocks = new Map()));
        const first = blocks.get(ld.block);
        if (!first) { blocks.set(ld.block, ld); continue; }
        ctx.report({ nginxLine: handlerLine(ld), message: `duplicate location "${match.uri}" (first on ${lineRef(first, ld)})`, related: [{ ld: first, message: 'first occurrence' }], ...directiveSpan(ld) });
        continue;
      }
      let rejects = rejecting.get(ld.block.kind, ld.name);
      if (rejects === undefined) {
        const spec = specIn(ld.name, ld.block.kind);
        rejects = rejecting.set(ld.block.kind, ld.name, !!spec && rejectsDuplicates(ld.name, spec.isFlag));
      }
      if (!rejects) continue;
      // The block's own first of that name (ld itself is in the block): no per-block map of names to keep.
      const first = ctx.model.first(ld.name, ld.block)!;
      if (first === ld) continue;
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

/** `location [= | ^~] uri` → its kind and URI as nginx keys it; undefined for regex and named locations. */
function locationMatch(ld: LDir): { kind: 'exact' | 'prefix'; uri: string } | undefined {
  let mod = '';
  let uri = ld.arg(0);
  if (ld.argc >= 2) { mod = uri; uri = ld.arg(1); }
  else {
    const m = /^(=|\^~|~\*|~)(.+)$/.exec(uri);
    if (m) { mod = m[1]; uri = m[2]; }
  }
  if (mod === '~' || mod === '~*') return undefined;
  if (mod === '=') return { kind: 'exact', uri };
  if (mod !== '' && mod !== '^~') return undefined;
  if (uri.startsWith('@')) return undefined;
  return { kind: 'prefix', uri };
}
