// A directive name no module defines (with a "did you mean" for near misses).

import { allDirectives, isKnownDirective } from '../knowledge/directives';
import { checkedDirectives } from './checked-directives';
import { setName } from '../fixes/edits';
import { Rule, handlerLine } from './rule';
import { introducedAfter, versionLabel } from '../knowledge/tls';

function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length];
}

export function suggestDirective(name: string): string | undefined {
  const limit = name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const known of allDirectives().keys()) {
    const d = distance(name.toLowerCase(), known, limit);
    if (d < bestD) { bestD = d; best = known; }
  }
  return best;
}

export const unknownDirective: Rule = {
  id: 'unknown-directive',
  defaultSeverity: 'error',
  title: 'Unknown directive',
  nginxRejects: true,
  explanation: `No nginx module defines this name, so \`nginx -t\` stops at it. Directives of common third-party
modules (lua, headers-more, njs, perl, set-misc, brotli, geoip2, echo…) are known; add others with the
\`nginxTlsProxy.extraDirectives\` setting (\`--extra-directive\` on the command line).`,
  cases: {
    valid: [
      { config: 'more_set_headers "X-A: b";\ncontent_by_lua_block { ngx.say("}") }\n', context: 'http/location' },
    ],
    invalid: [
      { config: 'proxy_ssl_verfy on;\n', context: 'http/location', lines: [1], fixed: 'proxy_ssl_verify on;\n' },
      { config: 'server {\n    listen 127.0.0.1:5000;\n    proxy_pass 127.0.0.1:5443;\n    proxy_ssl on;\n    proxy_ssl_alpn h2;\n}\n', context: 'stream', nginxVersion: '1.22', lines: [5] },
    ],
  },
  check(ctx) {
    for (const ld of checkedDirectives(ctx.model)) {
      const newer = introducedAfter(ld.d.name, ctx.settings.nginxVersion);
      if (newer && !ctx.settings.extraDirectives.has(ld.d.name)) {
        ctx.report({
          nginxLine: handlerLine(ld),
          file: ld.file, start: ld.d.nameToken.start, end: ld.d.nameToken.end,
          message: `unknown directive "${ld.d.name}": it appeared in nginx ${newer}, and the configured version is ${versionLabel(ctx.settings.nginxVersion)} (setting nginxTlsProxy.nginxVersion)`,
        });
        continue;
      }
      if (isKnownDirective(ld.d.name, ctx.settings.extraDirectives)) continue;
      const hint = suggestDirective(ld.d.name);
      ctx.report({
        nginxLine: handlerLine(ld),
        file: ld.file,
        start: ld.d.nameToken.start,
        end: ld.d.nameToken.end,
        message: `unknown directive "${ld.d.name}"` + (hint ? `; did you mean "${hint}"?` : ''),
        fixes: hint ? [{ title: `Change to "${hint}"`, edits: [setName(ld, hint)], isPreferred: true }] : [],
      });
    }
  },
};
