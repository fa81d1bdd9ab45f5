// A trusted-CA file that holds no CA certificate: nginx loads it, and verification fails at run time.

import { SERVER_INPUTS } from '../model/servers';
import { TLS_USE_INPUTS } from '../model/tls-uses';
import { describeCertificate } from '../certificates/files';
import { tlsFact } from '../knowledge/tls-directives';
import { argSpan, readsTlsAnd, Rule } from './rule';
import { conf } from './case-text';

export const trustedCaNotCa: Rule = {
  id: 'trusted-ca-not-ca',
  defaultSeverity: 'warning',
  title: 'A trusted CA file without a CA certificate',
  nginxRejects: false,
  reads: readsTlsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  tags: ['security'],
  explanation: `\`proxy_ssl_trusted_certificate\`, \`ssl_client_certificate\` and \`ssl_trusted_certificate\` (and the
grpc, uwsgi and stream spellings) name the CAs that issue the certificates nginx checks. nginx accepts a file
that holds only a leaf certificate (a server's own certificate, say; CA:FALSE), and then verification fails at
run time: the certificate a peer presents has an issuer that is not in the file, so upstreams get a 502 with
"upstream SSL certificate verify error" (20, "unable to get local issuer certificate", or 21, "unable to
verify the first certificate", when the backend sends its certificate alone) and clients a 400. Name
the CA that issued the certificates instead (the root, or the intermediate with its root).`,
  cases: {
    messages: {
      notCa: /^"[^"]*" holds no CA certificate /,
    },
    valid: [
      {
        config: conf`
          proxy_pass https://backend.test;
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate ca.crt;
        `,
        context: 'http/location',
        files: { 'ca.crt': 'root-ca' },
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_pass https://backend.test;
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate backend.crt;
        `,
        context: 'http/location',
        errors: [{ line: 3, column: 31, messageId: 'notCa' }],
        files: { 'backend.crt': 'server-cert' },
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_client_certificate client.crt;
              ssl_verify_client on;
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 28, messageId: 'notCa' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'client.crt': 'client-cert' },
      },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    for (const ref of files.refs(ctx.model)) {
      if (ref.role !== 'ca') continue;
      const f = files.read(ctx.model, ref);
      if (!f || !f.certificates.length || f.certificates.some((c) => c.isCa)) continue;
      const leaves = f.certificates.map(describeCertificate).join(', ');
      const upstream = tlsFact(ref.ld.name)?.side === 'upstream';
      const effect = upstream
        ? 'the upstream\'s certificate will not verify: 502, "upstream SSL certificate verify error" (20, or 21 when the backend sends its certificate alone)'
        : 'client certificates will not verify: 400 "The SSL certificate error"';
      ctx.report({ message: `"${ref.configured}" holds no CA certificate (${leaves}: CA:FALSE or no basicConstraints). nginx loads it, but ${effect}. Name the CA that issued the certificates instead.`, ...argSpan(ref.ld, 0) });
    }
  },
};
