// A certificate that is past its end date: nginx loads it without a word, and every peer refuses it.

import { tlsSettings } from '../model/tls-settings';
import { CertificateRef, daysUntil, describeCertificate, isoDate } from '../certificates/files';
import { CertificateInfo } from '../certificates/types';
import { argSpan, Rule, RuleContext } from './rule';
import { tlsFact } from '../knowledge/tls-directives';
import { backendsOf, readsBackendsAnd } from '../certificates/handshake';
import { SERVER_INPUTS } from '../model/servers';
import { isFlagOn, tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { conf } from './case-text';

/** The certificates of the files the config names that a time check applies to, with their file. */
export function datedCertificates(ctx: RuleContext): { ref: CertificateRef; certs: CertificateInfo[] }[] {
  const files = ctx.certificates;
  if (!files) return [];
  const out: { ref: CertificateRef; certs: CertificateInfo[] }[] = [];
  for (const ref of files.refs(ctx.model)) {
    if (ref.role !== 'certificate' && ref.role !== 'ca') continue;
    // A CA bundle outside the workspace is the system's (ca-certificates): its upkeep is not the config's.
    if (ref.role === 'ca' && !files.ours(ctx.model, ref)) continue;
    const f = files.read(ctx.model, ref);
    if (f && f.certificates.length) out.push({ ref, certs: f.certificates });
  }
  return out;
}

const roleWords = { certificate: 'certificate', key: 'key', ca: 'CA file', crl: 'CRL file' };

export const certificateExpired: Rule = {
  id: 'certificate-expired',
  defaultSeverity: 'error',
  title: 'An expired certificate',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  clock: true,
  tags: ['security'],
  explanation: `nginx loads an expired certificate without a word (\`nginx -t\` passes), and then every handshake
that checks it fails: browsers and clients refuse an expired server certificate, a backend that verifies client
certificates answers 400 "The SSL certificate error" to an expired \`proxy_ssl_certificate\`, and an expired CA
in a trusted file no longer vouches for anything. Reported on the directive naming the file, for each expired
certificate in it (a chain's intermediates too). Renew the certificate, or point the directive at the renewed
file. CA bundles outside the workspace (the system's) are not checked.`,
  cases: {
    messages: {
      expired: /^the certificate "[^"]*": .* expired on \d{4}-\d\d-\d\d/,
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
              ssl_certificate old.crt;
              ssl_certificate_key old.key;
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 21, messageId: 'expired' }],
        files: { 'old.crt': 'expired-cert', 'old.key': 'expired-key' },
      },
      {
        config: conf`
          proxy_pass https://backend.test;
          proxy_ssl_certificate old.crt;
          proxy_ssl_certificate_key old.key;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 23, messageId: 'expired' }],
        files: { 'old.crt': 'expired-cert', 'old.key': 'expired-key' },
      },
    ],
  },
  check(ctx) {
    const now = ctx.settings.now ?? Date.now();
    for (const { ref, certs } of datedCertificates(ctx)) {
      const expired = certs.filter((c) => c.notAfter < now);
      if (!expired.length) continue;
      const which = expired.map((c) => `${describeCertificate(c)} expired on ${isoDate(c.notAfter)} (${-daysUntil(c.notAfter, now)} days ago)`).join('; ');
      const what = certs.length > 1 ? `${expired.length} of the ${certs.length} certificates in ${roleWords[ref.role]} "${ref.configured}"` : `the ${roleWords[ref.role]} "${ref.configured}"`;
      const effect = ref.role === 'ca'
        ? 'certificates it issued no longer verify against it'
        : tlsFact(ref.ld.name)?.side === 'server'
          ? 'clients refuse the handshake'
          : 'a backend that verifies client certificates refuses it (400 "The SSL certificate error")';
      ctx.report({ message: `${what}: ${which}. nginx loads it anyway, and ${effect}.`, ...argSpan(ref.ld, 0) });
    }
    // What a live upstream presented (`check --probe`), where nginx verifies it.
    const files = ctx.certificates;
    // Backends of this config are reported through the files they name (above): only probes add to that.
    if (!files || !files.hasProbes) return;
    const useList = tlsUses(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      if (!isFlagOn(tlsSettings(ctx.model).get(use, 'verify'))) continue;
      for (const b of backendsOf(ctx.model, files, use)) {
        const leaf = b.chain[0];
        if (b.server || leaf.notAfter >= now) continue;
        ctx.report({ message: `The upstream at ${b.host}:${b.port} ${b.where} presents ${describeCertificate(leaf)}, which expired on ${isoDate(leaf.notAfter)}: every request gets 502, error log "upstream SSL certificate verify error: (10:certificate has expired)".`, ...argSpan(use.pass, 0) });
      }
    }
  },
};
