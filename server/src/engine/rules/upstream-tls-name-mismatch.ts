// Verification on, but the name nginx checks can never be in the upstream's certificate.

import { insertDirectives } from '../fixes/edits';
import { anchorIn, isCertificateName, verificationName } from '../model/verification';
import { isFlagOn, isIpLiteral, settingsBlock, tlsUses } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const upstreamTlsNameMismatch: Rule = {
  id: 'upstream-tls-name-mismatch',
  defaultSeverity: 'warning',
  title: 'Verified upstream checked against a name its certificate cannot have',
  nginxRejects: false,
  locality: 'server',
  explanation: `With verification on, nginx checks the upstream certificate against \`proxy_ssl_name\`, or by default
against the host in the pass URL, which for \`proxy_pass https://backend\` is the upstream group's name
"backend", not the names of its servers. nginx matches DNS names only: an IP address in the URL never
matches, even a certificate with that IP in its subjectAltName. The result is a 502 for every request
("upstream SSL certificate does not match"). Set \`proxy_ssl_name\` to the name the certificate is issued
for (and \`proxy_ssl_server_name on\` to send it as SNI).`,
  cases: {
    messages: {
      ipAddress: /^The upstream certificate is checked against the IP address /,
      groupName: /^The upstream certificate is checked against "[^"]*", the upstream group's name/,
    },
    valid: [
      {
        config: conf`
          upstream backend { server 10.0.0.1:443; }
          server {
              location / {
                  proxy_pass https://backend;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate ca.crt;
                  proxy_ssl_name api.example.com;
              }
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_pass https://10.0.0.1:8443;
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate ca.crt;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 12, messageId: 'ipAddress' }],
      },
      {
        config: conf`
          upstream backend { server api.internal.example:443; }
          server {
              location / {
                  proxy_pass https://backend;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate ca.crt;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 4, column: 20, messageId: 'groupName' }],
      },
    ],
  },
  check(ctx) {
    for (const use of tlsUses(ctx.model)) {
      if (!use.certain || !use.host) continue;
      if (!isFlagOn(ctx.model.first(tlsDirective(use.family, 'verify'), use.block))) continue;
      const naming = verificationName(ctx.model, use);
      if (naming.name === null || naming.name !== use.host) continue; // proxy_ssl_name set
      const nameDirective = tlsDirective(use.family, 'name');
      let problem: string | null = null;
      if (isIpLiteral(use.host)) problem = `the IP address ${use.host}: nginx never matches an IP against a certificate, so every handshake fails`;
      else if (use.group && !isCertificateName(use.host) && use.host !== 'localhost') problem = `"${use.host}", the upstream group's name, which is not a DNS name a certificate would carry`;
      if (!problem) continue;
      const fixes = naming.suggestion
        ? [{ title: `Check the certificate for ${naming.suggestion} (${nameDirective})`, edits: [insertDirectives(settingsBlock(use.block), [`${nameDirective} ${naming.suggestion};`], anchorIn(settingsBlock(use.block), use.pass))!].filter(Boolean), isPreferred: true, safe: false }]
        : [];
      ctx.report({
        ...argSpan(use.pass, 0),
        message: `The upstream certificate is checked against ${problem}. Set ${nameDirective} to the name in the certificate.`,
        fixes,
      });
    }
  },
};
