// A setting given twice in one block, which nginx refuses instead of letting the last one win.

import { specIn } from '../knowledge/directives';
import { rejectsDuplicates } from '../knowledge/tls';
import { LBlock, LDir } from '../model/model';
import { lineNumber } from '../model/describe';
import { checkedDirectives } from './checked-directives';
import { directiveSpan, Rule, handlerLine } from './rule';

export const directiveDuplicate: Rule = {
  id: 'directive-duplicate',
  defaultSeverity: 'error',
  title: 'Directive repeated in the same block',
  nginxRejects: true,
  explanation: `Most single-value settings (every \`on\`/\`off\` flag, the \`*_ssl_*\` upstream settings, \`*_pass\`,
\`root\`…) may appear once per block; a second occurrence makes \`nginx -t\` fail with "directive is duplicate",
even when it comes from an included file. Keep one. (Lists such as \`ssl_certificate\` or \`add_header\` may
repeat, and \`ssl_protocols\` lines are combined.)`,
  cases: {
    valid: [{ config: 'ssl_protocols TLSv1.2;\nssl_protocols TLSv1.3;\nadd_header A b;\nadd_header C d;\n', context: 'http/server' }],
    invalid: [
      { config: 'proxy_ssl_verify on;\nproxy_ssl_verify on;\n', context: 'http/location', lines: [2] },
      { config: 'proxy_pass http://a;\nproxy_pass http://b;\n', context: 'http/location', lines: [2] },
      { config: 'location /a { }\nlocation = /a { }\nlocation /a { }\n', context: 'http/server', lines: [3] },
    ],
  },
  check(ctx) {
    const seen = new Map<LBlock, Map<string, LDir>>();
    for (const ld of checkedDirectives(ctx.model)) {
      if (ld.d.name === 'location' && ld.child && ld.d.args.length) {
        // Two locations with the same match in one block: nginx refuses ("duplicate location").
        const key = '\0location ' + ld.d.args.map((a) => a.value).join(' ');
        let names = seen.get(ld.block);
        if (!names) seen.set(ld.block, (names = new Map()));
        const first = names.get(key);
        if (!first) { names.set(key, ld); continue; }
        ctx.report({ ...directiveSpan(ld), nginxLine: handlerLine(ld), message: `duplicate location "${ld.d.args[ld.d.args.length - 1].value}" (first on line ${lineNumber(first)})`, related: [{ ld: first, message: 'first occurrence' }] });
        continue;
      }
      const spec = specIn(ld.d.name, ld.block.kind);
      if (!spec || !rejectsDuplicates(ld.d.name, spec.isFlag)) continue;
      let names = seen.get(ld.block);
      if (!names) seen.set(ld.block, (names = new Map()));
      const first = names.get(ld.d.name);
      if (!first) { names.set(ld.d.name, ld); continue; }
      ctx.report({
        ...directiveSpan(ld),
        nginxLine: handlerLine(ld),
        message: `"${ld.d.name}" directive is duplicate (first set on line ${lineNumber(first)}${first.file !== ld.file ? ' of ' + first.file.path : ''})`,
        related: [{ ld: first, message: 'first occurrence' }],
      });
    }
  },
};
