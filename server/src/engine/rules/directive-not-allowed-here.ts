// A known directive in a block where no module accepts it.

import { kindLabel } from '../knowledge/contexts';
import { isAllowedIn, specIn, specsFor } from '../knowledge/directives';
import { isThirdPartyDirective } from '../knowledge/third-party';
import { checkedDirectives } from './checked-directives';
import { Rule, handlerLine } from './rule';

export const directiveNotAllowedHere: Rule = {
  id: 'directive-not-allowed-here',
  defaultSeverity: 'error',
  title: 'Directive not allowed in this block',
  nginxRejects: true,
  explanation: `Every directive is accepted only in certain blocks. The \`proxy_ssl_*\` family, for instance, works in
\`http\`, \`server\` and \`location\` but not inside \`if\` or \`limit_except\` (those inherit it from the enclosing
location instead), and \`ssl_verify_client\` is a server-level setting. Move the directive to a block that
accepts it.`,
  cases: {
    valid: [{ config: 'proxy_ssl_verify on;\nproxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n', context: 'http/server' }],
    invalid: [
      { config: 'if ($arg_a) {\n    proxy_ssl_verify on;\n}\n', context: 'http/location', lines: [2] },
      { config: 'location / {\n    ssl_verify_client on;\n}\n', context: 'http/server', lines: [2] },
      { config: 'upstream b {\n    proxy_ssl_verify on;\n    server 127.0.0.1;\n}\n', context: 'http', lines: [2] },
    ],
  },
  check(ctx) {
    for (const ld of checkedDirectives(ctx.model)) {
      if (!specsFor(ld.d.name) || isThirdPartyDirective(ld.d.name)) continue;
      const spec = specIn(ld.d.name, ld.block.kind)!;
      if (isAllowedIn(spec, ld.block.kind)) continue;
      const allowed = spec.contexts === 'any' ? '' : [...new Set([...spec.contexts].map(kindLabel))].join(', ');
      ctx.report({
        nginxLine: handlerLine(ld),
        file: ld.file,
        start: ld.d.nameToken.start,
        end: ld.d.nameToken.end,
        message: `"${ld.d.name}" directive is not allowed here (in ${kindLabel(ld.block.kind)}; allowed in: ${allowed})`,
      });
    }
  },
};
