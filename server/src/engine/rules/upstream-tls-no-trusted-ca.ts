// Verification on, but no CA to verify against: nginx refuses to start.

import { tlsSettings } from '../model/tls-settings';
import { insertDirectives, quoteIfNeeded } from '../fixes/edits';
import { isFlagOnAt, tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { lineRef } from '../model/describe';
import { absenceCaveat, directiveSpan, readsTlsAnd, Rule } from './rule';
import { conf } from './case-text';

export const upstreamTlsNoTrustedCa: Rule = {
  id: 'upstream-tls-no-trusted-ca',
  defaultSeverity: 'error',
  title: 'Upstream verification without a trusted CA file',
  nginxRejects: true,
  safeFixes: true,
  reads: readsTlsAnd(TLS_USE_INPUTS),
  explanation: `\`proxy_ssl_verify on\` needs \`proxy_ssl_trusted_certificate\`: nginx never falls back to the system's
CA store for upstream connections. Where verification is in effect for a location that talks TLS to its
upstream (or whose \`proxy_pass\` has variables, since the scheme may turn out to be https), \`nginx -t\` fails
with "no proxy_ssl_trusted_certificate for proxy_ssl_verify". Name the CA bundle (or the private CA that
issued the upstream's certificate) at the same level as the \`*_ssl_verify on\`.`,
  cases: {
    messages: {
      noCa: /^no \w+_ssl_trusted_certificate for \w+_ssl_verify: verification is on/,
    },
    valid: [
      {
        // A missing `;` makes the next directive the flag's arguments: nginx refuses the flag (directive-args),
        // and whether verification was meant on, and with which CA, is not read from it.
        config: conf`
          proxy_pass https://api.example.com;
          proxy_ssl_verify on
          proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        `,
        context: 'http/location',
      },
      {
        config: conf`
          events {}
          http {
              proxy_ssl_verify on;
              server {
                  location / { proxy_pass http://127.0.0.1:8080; }
              }
          }
        `,
      },
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        `,
        context: 'http/location',
      },
    ],
    invalid: [
      {
        config: conf`
          events {}
          http {
              proxy_ssl_verify on;
              server {
                  location / { proxy_pass https://a.example.com; }
              }
          }
        `,
        errors: [{ line: 3, column: 5, messageId: 'noCa' }],
        fixed: conf`
          events {}
          http {
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
              server {
                  location / { proxy_pass https://a.example.com; }
              }
          }
        `,
      },
      {
        config: conf`
          proxy_pass http://$host;
          proxy_ssl_verify on;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 1, messageId: 'noCa' }],
      },
      {
        // grpc_pass (and uwsgi_pass) with variables prepare TLS too, whatever their scheme.
        config: conf`
          grpc_pass grpc://$arg_h:50051;
          grpc_ssl_verify on;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 1, messageId: 'noCa' }],
      },
      {
        config: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5443;
              proxy_ssl on;
              proxy_ssl_verify on;
          }
        `,
        context: 'stream',
        errors: [{ line: 5, column: 5, messageId: 'noCa' }],
      },
    ],
  },
  check(ctx) {
    // By store index: a verify directive is made into an object only when it is reported.
    const seen = new Set<number>();
    const useList = tlsUses(ctx.model);
    const settings = tlsSettings(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      // The first directive in effect, from the table of settings (asked once per use, tens of thousands).
      const onAt = settings.at(use, 'verify');
      if (!isFlagOnAt(ctx.model.store, onAt) || seen.has(onAt)) continue;
      if (settings.at(use, 'trusted_certificate') >= 0) continue;
      const verifyName = tlsDirective(use.family, 'verify');
      const trustedName = tlsDirective(use.family, 'trusted_certificate');
      const caveat = absenceCaveat(ctx, use.block);
      seen.add(onAt);
      const on = ctx.model.store.dir(onAt);
      const edit = insertDirectives(on.block, [`${trustedName} ${quoteIfNeeded(ctx.settings.trustedCertificate)};`], on);
      ctx.report({
        severity: caveat.severity,
        message: `no ${trustedName} for ${verifyName}: verification is on for "${use.pass.name} ${use.url}" (${lineRef(use.pass, on)}) but no CA file is set, so nginx -t fails.${caveat.note}`,
        // In a file included at several places the CA goes to every includer, over a CA one of them sets
        // around it: the user's call. So it is where what cannot be seen may set one (caveat.note says so).
        fixes: edit ? [{ title: `Add ${trustedName} ${ctx.settings.trustedCertificate}`, edits: [edit], isPreferred: true, safe: ctx.model.timesExpanded(on.file.path) <= 1 && !caveat.note }] : [],
        related: [{ ld: use.pass, message: 'TLS is used here' }],
        ...directiveSpan(on),
      });
    }
  },
};
