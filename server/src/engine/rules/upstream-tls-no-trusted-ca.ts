// Verification on, but no CA to verify against: nginx refuses to start.

import { insertDirectives } from '../fixes/edits';
import { quoteIfNeeded } from '../fixes/edits';
import { isFlagOn, tlsDirective, tlsUses } from '../model/tls-uses';
import { lineNumber } from '../model/describe';
import { LDir } from '../model/model';
import { directiveSpan, Rule } from './rule';

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
  check(ctx) {
    const seen = new Set<LDir>();
    for (const use of tlsUses(ctx.model)) {
      const verifyName = tlsDirective(use.family, 'verify');
      const trustedName = tlsDirective(use.family, 'trusted_certificate');
      const verify = ctx.model.effective(verifyName, use.block);
      const on = verify.found[0];
      if (!isFlagOn(on) || seen.has(on)) continue;
      if (ctx.model.effective(trustedName, use.block).found.length) continue;
      seen.add(on);
      const edit = insertDirectives(on.block, [`${trustedName} ${quoteIfNeeded(ctx.settings.trustedCertificate)};`], on);
      ctx.report({
        ...directiveSpan(on),
        message: `no ${trustedName} for ${verifyName}: verification is on for "${use.pass.d.name} ${use.url}" (line ${lineNumber(use.pass)}) but no CA file is set, so nginx -t fails.`,
        fixes: edit ? [{ title: `Add ${trustedName} ${ctx.settings.trustedCertificate}`, edits: [edit], isPreferred: true, safe: true }] : [],
        related: [{ ld: use.pass, message: 'TLS is used here' }],
      });
    }
  },
};
