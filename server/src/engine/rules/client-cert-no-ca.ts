// Client certificates requested without a CA to check them against: nginx refuses to start.

import { versionAtLeast } from '../knowledge/tls';
import { serverTls, SERVER_INPUTS } from '../model/servers';
import { absenceCaveat, directiveSpan, readsTlsAnd, Rule } from './rule';
import { LDir } from '../model/model';
import { conf } from './case-text';

export const clientCertNoCa: Rule = {
  id: 'client-cert-no-ca',
  defaultSeverity: 'error',
  title: 'Client certificate verification without a CA',
  nginxRejects: true,
  reads: readsTlsAnd(SERVER_INPUTS),
  explanation: `\`ssl_verify_client on\` or \`optional\` makes nginx verify client certificates, which needs the CA
that issues them: \`ssl_client_certificate\` (which also tells clients which CAs are accepted), or since nginx
1.27.2 \`ssl_trusted_certificate\`. Without one, \`nginx -t\` fails for every TLS server that inherits the
setting. (\`optional_no_ca\` needs no CA, and verifies nothing by itself.)`,
  cases: {
    messages: {
      noCa: /^no ssl_client_certificate (or ssl_trusted_certificate )?for ssl_verify_client: nginx -t fails/,
    },
    valid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_verify_client optional_no_ca;
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_trusted_certificate ca.crt;
              ssl_verify_client on;
          }
        `,
        context: 'http',
        nginxVersion: '1.28',
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_verify_client on;
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 5, messageId: 'noCa' }],
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_trusted_certificate ca.crt;
              ssl_verify_client on;
          }
        `,
        context: 'http',
        nginxVersion: '1.22',
        errors: [{ line: 6, column: 5, messageId: 'noCa' }],
      },
    ],
  },
  check(ctx) {
    const newer = versionAtLeast(ctx.settings.nginxVersion, 1, 27, 2);
    const seen = new Set<LDir>();
    const sList = serverTls(ctx.model);
    for (let sIndex = 0; sIndex < sList.length; sIndex++) {
      const s = sList[sIndex];
      if (s.family === 'mail') continue;
      const mode = ctx.model.first('ssl_verify_client', s.block);
      const value = mode?.d.args[0]?.value.toLowerCase();
      const ocsp = ctx.model.first('ssl_ocsp', s.block);
      if (value === 'optional_no_ca' && ocsp && ocsp.d.args[0]?.value.toLowerCase() !== 'off' && !seen.has(ocsp) && ctx.model.first('ssl_certificate', s.block)) {
        // Checking revocation of certificates nobody vouches for makes no sense to nginx: it refuses.
        seen.add(ocsp);
        ctx.report({ message: '"ssl_ocsp" is incompatible with "ssl_verify_client optional_no_ca": nginx -t fails. Use optional (with a CA) or drop ssl_ocsp.', ...directiveSpan(ocsp) });
      }
      if (!mode || (value !== 'on' && value !== 'optional') || seen.has(mode)) continue;
      if (!(ctx.model.lookup('ssl_certificate', s.block)?.length ?? 0)) continue; // no TLS context, never checked
      if (ctx.model.lookup('ssl_client_certificate', s.block)?.length ?? 0) continue;
      if (newer && (ctx.model.lookup('ssl_trusted_certificate', s.block)?.length ?? 0)) continue;
      seen.add(mode);
      const caveat = absenceCaveat(ctx, s.block);
      ctx.report({
        severity: caveat.severity,
        message: (newer
          ? 'no ssl_client_certificate or ssl_trusted_certificate for ssl_verify_client: nginx -t fails. Name the CA that issues the client certificates.'
          : 'no ssl_client_certificate for ssl_verify_client: nginx -t fails. Name the CA that issues the client certificates in ssl_client_certificate.') + caveat.note,
        ...directiveSpan(mode),
      });
    }
  },
};
