// A certificate close to its end date (nginxTlsProxy.certificateExpiryDays, default 30).

import { readsBackendsAnd } from '../certificates/handshake';
import { SERVER_INPUTS } from '../model/servers';
import { TLS_USE_INPUTS } from '../model/tls-uses';
import { daysUntil, describeCertificate, isoDate } from '../certificates/files';
import { datedCertificates } from './certificate-expired';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const certificateExpiresSoon: Rule = {
  id: 'certificate-expires-soon',
  defaultSeverity: 'warning',
  title: 'A certificate that expires soon',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  clock: true,
  explanation: `A certificate the config names ends within \`nginxTlsProxy.certificateExpiryDays\` days (default 30):
after that day every handshake that checks it fails, as for \`certificate-expired\`, with no change to the config
and nothing in \`nginx -t\`. Renew it before then. Server, client and CA certificates are checked (each one of a
chain or bundle); CA bundles outside the workspace (the system's) are not.`,
  cases: {
    messages: {
      expiresSoon: / expires on \d{4}-\d\d-\d\d \(in \d+ days?\), within the \d+ days/,
    },
    valid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key' },
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate soon.crt;
              ssl_certificate_key soon.key;
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 21, messageId: 'expiresSoon' }],
        files: { 'soon.crt': 'expiring-cert', 'soon.key': 'expiring-key' },
      },
    ],
  },
  check(ctx) {
    const now = ctx.settings.now ?? Date.now();
    const horizon = ctx.settings.certificateExpiryDays;
    for (const { ref, certs } of datedCertificates(ctx)) {
      const soon = certs.filter((c) => c.notAfter >= now && daysUntil(c.notAfter, now) < horizon);
      if (!soon.length) continue;
      const which = soon.map((c) => {
        const d = daysUntil(c.notAfter, now);
        return `${describeCertificate(c)} expires on ${isoDate(c.notAfter)} (${d === 0 ? 'today' : d === 1 ? 'in 1 day' : `in ${d} days`})`;
      }).join('; ');
      ctx.report({ message: `"${ref.configured}": ${which}, within the ${horizon} days of nginxTlsProxy.certificateExpiryDays. Renew it before then: handshakes that check it fail from that day on.`, ...argSpan(ref.ld, 0) });
    }
  },
};
