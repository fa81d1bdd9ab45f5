// Verification on, but no CA to verify against: nginx refuses to start.

import { insertDirectives, quoteIfNeeded } from '../fixes/edits';
import { isFlagOn, tlsUses } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { lineNumber } from '../model/describe';
import { LDir } from '../model/model';
import { absenceCaveat, directiveSpan, Rule } from './rule';

export const upstreamTlsNoTrustedCa: Rule = {
  id: 'upstream-tls-no-trusted-ca',
  defaultSeverity: 'error',
  title: 'Upstream verification without a trusted CA file',
  nginxRejects: true,
  explanation: `\`proxy_ssl_verify on\` needs \`proxy_ssl_trusted_certificate\`: nginx never falls back to the system's
CA store for upstream connections. Where verification is in effect for a location that talks TLS to its
upstream (or whose \`proxy_pass\` has variables, since the scheme may turn out to be https), \`nginx -t\` fails
with "no proxy_ssl_trusted_certificate for proxy_ssl_verify". Name the CA bundle (or the private CA that
issued the upstream's certificate) at the same level as the \`*_ssl_verify on\`.`,
  cases: {
    valid: [
      { config: 'events {}\nhttp {\n    proxy_ssl_verify on;\n    server {\n        location / { proxy_pass http://127.0.0.1:8080; }\n    }\n}\n' },
      { config: 'proxy_pass https://a.example.com;\nproxy_ssl_verify on;\nproxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n', context: 'http/location' },
    ],
    invalid: [
      {
        config: 'events {}\nhttp {\n    proxy_ssl_verify on;\n    server {\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n',
        lines: [3],
        fixed: 'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    server {\n        location / { proxy_pass https://a.example.com; }\n    }\n}\n',
      },
      { config: 'proxy_pass http://$host;\nproxy_ssl_verify on;\n', context: 'http/location', lines: [2] },
      { config: 'server {\n    listen 127.0.0.1:5000;\n    proxy_pass 127.0.0.1:5443;\n    proxy_ssl on;\n    proxy_ssl_verify on;\n}\n', context: 'stream', lines: [5] },
    ],
  },
  check(ctx) {
    const seen = new Set<LDir>();
    for (const use of tlsUses(ctx.model)) {
      const verifyName = tlsDirective(use.family, 'verify');
      const trustedName = tlsDirective(use.family, 'trusted_certificate');
      const verify = ctx.model.effective(verifyName, use.block);
      const on = verify.found[0];
      if (!isFlagOn(on) || seen.has(on)) continue;
      if (ctx.model.lookup(trustedName, use.block)?.length ?? 0) continue;
      const caveat = absenceCaveat(ctx, use.block);
      seen.add(on);
      const edit = insertDirectives(on.block, [`${trustedName} ${quoteIfNeeded(ctx.settings.trustedCertificate)};`], on);
      ctx.report({
        ...directiveSpan(on),
        severity: caveat.severity,
        message: `no ${trustedName} for ${verifyName}: verification is on for "${use.pass.d.name} ${use.url}" (line ${lineNumber(use.pass)}) but no CA file is set, so nginx -t fails.${caveat.note}`,
        fixes: edit ? [{ title: `Add ${trustedName} ${ctx.settings.trustedCertificate}`, edits: [edit], isPreferred: true, safe: true }] : [],
        related: [{ ld: use.pass, message: 'TLS is used here' }],
      });
    }
  },
};
