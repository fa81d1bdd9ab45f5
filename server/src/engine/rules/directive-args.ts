// Wrong number of arguments, or a block where none belongs (and the reverse).

import { isAllowedIn, specIn, specsFor } from '../knowledge/directives';
import { isThirdPartyDirective } from '../knowledge/third-party';
import { checkedDirectives, outsideBuild } from './checked-directives';
import { directiveSpan, Rule, handlerLine } from './rule';

export const directiveArgs: Rule = {
  id: 'directive-args',
  defaultSeverity: 'error',
  title: 'Invalid number of arguments',
  nginxRejects: true,
  explanation: `The directive has more or fewer arguments than nginx accepts, or is followed by a block it does not
take (or lacks the block it needs). A frequent cause is a value with spaces that should have been quoted, or a
\`;\` lost at the end of the previous line.`,
  cases: {
    valid: [{ config: 'server_name a.test b.test c.test;\nlisten 443 ssl default_server;\n', context: 'http/server' },
      { config: 'add_header X-A a always;\nrewrite ^/a /b last;\nreturn 301 https://a.test;\n', context: 'http/location' }],
    invalid: [
      { config: 'proxy_ssl_verify on off;\n', context: 'http/location', lines: [1] },
      { config: 'listen 80 {\n}\n', context: 'http/server', lines: [1] },
      { config: 'server;\n', context: 'http', lines: [1] },
      { config: 'add_header X-A a always extra;\n', context: 'http/location', lines: [1] },
      { config: 'rewrite ^/a /b last extra;\n', context: 'http/location', lines: [1] },
      { config: 'return 301 https://a.test extra;\n', context: 'http/location', lines: [1] },
    ],
  },
  check(ctx) {
    for (const ld of checkedDirectives(ctx.model)) {
      const d = ld.d;
      if (!specsFor(d.name) || isThirdPartyDirective(d.name) || outsideBuild(ctx.model, ctx.settings, d.name)) continue;
      const spec = specIn(d.name, ld.block.kind)!;
      if (!isAllowedIn(spec, ld.block.kind)) continue;
      if (d.terminator < 0) continue; // the syntax error already says it
      const hasBlock = d.block !== null || d.lua !== null;
      if (spec.isBlock && !hasBlock) {
        ctx.report({ ...directiveSpan(ld), nginxLine: handlerLine(ld), message: `directive "${d.name}" has no opening "{"` });
        continue;
      }
      if (!spec.isBlock && hasBlock) {
        ctx.report({ ...directiveSpan(ld), nginxLine: handlerLine(ld), message: `directive "${d.name}" is not terminated by ";"` });
        continue;
      }
      const n = d.argCount;
      if (n < spec.minArgs || n > spec.maxArgs) {
        ctx.report({ ...directiveSpan(ld), nginxLine: handlerLine(ld), message: `invalid number of arguments in "${d.name}" directive (${n} given; ${range(spec.minArgs, spec.maxArgs)})` });
      }
    }
  },
};

function range(min: number, max: number): string {
  if (max === Infinity) return `at least ${min}`;
  if (min === max) return `exactly ${min}`;
  return `${min} to ${max}`;
}
