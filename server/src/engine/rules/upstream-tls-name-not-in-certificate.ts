// The name nginx checks is not a DNS name of the backend's certificate (a server of this same config).

import { tlsSettings } from '../model/tls-settings';
import { certificateHasName, failsAll, readsBackendsAnd, usesWithBackends } from '../certificates/handshake';
import { SERVER_INPUTS } from '../model/servers';
import { describeCertificate } from '../certificates/files';
import { insertDirectives, setArguments } from '../fixes/edits';
import { checkedName, isCertificateName } from '../model/verification';
import { lineNumber } from '../model/describe';
import { changesAnotherBackend, isFlagOn, isIpLiteral, settingsBlock, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { Fix } from '../types';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const upstreamTlsNameNotInCertificate: Rule = {
  id: 'upstream-tls-name-not-in-certificate',
  defaultSeverity: 'error',
  title: 'The name nginx checks is not in the upstream\'s certificate',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  explanation: `With \`proxy_ssl_verify on\`, nginx checks the upstream's certificate for \`proxy_ssl_name\`, or by default the
host of the pass URL (the group's name for an upstream group). Only DNS names count: an IP address in the
certificate's subjectAltName never satisfies it (measured). When the backend is a server of the same config, its
certificate is known: a name it does not carry fails every request with a 502 and "upstream SSL certificate does
not match "NAME"" in the error log. The fix sets \`proxy_ssl_name\` to a name the certificate carries (and the SNI
follows it when \`proxy_ssl_server_name\` is on).`,
  cases: {
    messages: {
      nameNotInCertificate: /^nginx checks the backend's certificate for "[^"]*" /,
    },
    valid: [
      {
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_name backend.test;
              }
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
      },
      {
        // nginx cuts the port off before checking: the name checked is backend.test.
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_server_name on;
                  proxy_ssl_name backend.test:8443;
              }
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_name other.test;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 10, column: 20, messageId: 'nameNotInCertificate' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
        fixed: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_name backend.test;
              }
          }
        `,
      },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    const model = ctx.model;
    const withBackends = usesWithBackends(model, files);
    for (let useIndex = 0; useIndex < withBackends.length; useIndex++) {
      const { use, backends } = withBackends[useIndex];
      if (!use.certain || !use.host) continue;
      if (!isFlagOn(tlsSettings(model).get(use, 'verify'))) continue;
      const nameName = tlsDirective(use.family, 'name');
      const nameDir = tlsSettings(model).get(use, 'name');
      // The name nginx checks: a `:port` cut off, `$proxy_host` evaluated; one known only per request
      // (`$host`) fails some requests and not others, which the config alone does not tell.
      const name = checkedName(model, use);
      if (name === null || name.includes('$')) continue;
      // What upstream-tls-name-mismatch already says without the certificate: an IP, a bare group name.
      if (name === use.host && (isIpLiteral(name) || (use.group && !isCertificateName(name) && name !== 'localhost'))) continue;
      for (const b of backends) {
        const leaf = b.chain[0];
        if (certificateHasName(leaf, name)) continue;
        const carried = leaf.dnsNames.find((n) => !n.startsWith('*.'));
        const block = settingsBlock(use.block);
        // Not where another backend reads the same name (an `if` branch, a nested location): it would fail there.
        const shared = changesAnotherBackend(model, use, block, [nameName]);
        const edit = carried && !shared ? (nameDir && nameDir.block === block ? setArguments(nameDir, carried) : insertDirectives(block, [`${nameName} ${carried};`], use.pass)) : null;
        const fixes: Fix[] = edit ? [{ title: `Check the certificate for ${carried} (${nameName})`, edits: [edit], isPreferred: true, safe: false }] : [];
        const names = [...leaf.dnsNames.map((n) => 'DNS:' + n), ...leaf.ipAddresses.map((n) => 'IP:' + n)].join(', ') || 'none';
        const ipNote = isIpLiteral(name) && leaf.ipAddresses.includes(name.replace(/^\[|\]$/g, '')) ? ' (an IP in the certificate does not count)' : '';
        ctx.report({
          message: `nginx checks the backend's certificate for "${name}"${nameDir ? ` (${nameName}, line ${lineNumber(nameDir)})` : ''}, but ${describeCertificate(leaf)} presented at ${b.host}:${b.port} ${b.where} carries ${names}${ipNote}: ${failsAll(use)}, error log "upstream SSL certificate does not match "${name}"".${carried ? ` Set ${nameName} ${carried}.` : ''}`,
          related: [...(nameDir ? [{ ld: nameDir, message: 'the name checked' }] : []), ...(b.certificate ? [{ ld: b.certificate.ld, message: 'the certificate the backend presents' }] : [])],
          fixes,
          ...argSpan(use.pass, 0),
        });
      }
    }
  },
};
