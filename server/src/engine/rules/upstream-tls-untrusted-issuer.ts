// Verification on, and the backend (a server of this same config) presents a certificate that does not lead
// to a CA in the trusted file: every request is a 502.

import { tlsSettings } from '../model/tls-settings';
import { usesWithBackends, failsAll, verifyChain, readsBackendsAnd } from '../certificates/handshake';
import { SERVER_INPUTS } from '../model/servers';
import { CertificateRef, describeCertificate } from '../certificates/files';
import { CertificateInfo } from '../certificates/types';
import { insertDirectives, quoteIfNeeded, setArguments } from '../fixes/edits';
import { lineNumber } from '../model/describe';
import { changesAnotherBackend, isFlagOn, settingsBlock, TLS_USE_INPUTS } from '../model/tls-uses';
import { Fix } from '../types';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const upstreamTlsUntrustedIssuer: Rule = {
  id: 'upstream-tls-untrusted-issuer',
  defaultSeverity: 'error',
  title: 'The upstream\'s certificate is not issued by a CA the proxy trusts',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  tags: ['security'],
  explanation: `With \`proxy_ssl_verify on\`, nginx accepts the upstream's certificate only if it leads, through the
certificates the upstream sends, to a CA in \`proxy_ssl_trusted_certificate\`. When the backend is a \`server\` of the
same config (matched by its listen address and port, then by \`server_name\` against the SNI nginx sends), its
\`ssl_certificate\` is known, and so is the outcome: a certificate from another CA fails every handshake, and
every request gets a 502 with "upstream SSL certificate verify error: (21:unable to verify the first
certificate)" in the error log (20, "unable to get local issuer certificate", when the backend sends
intermediates). A stream proxy has no 502 to send: it closes the client's connection. \`nginx -t\` says
nothing. The fix names a CA file of the workspace that does issue the backend's certificate, when the config
names one.`,
  cases: {
    messages: {
      untrusted: /, which does not lead to a CA in "[^"]*": every request gets 502/,
      connectionClosed: /, which does not lead to a CA in "[^"]*": nginx closes every client connection/,
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
        // The SNI is the request's Host: a request for backend.test is answered by the second server and
        // verified, another one by the default server. Which certificate comes back depends on the request.
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl default_server;
              server_name default.test;
              ssl_certificate default.crt;
              ssl_certificate_key default.key;
          }
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
                  proxy_ssl_name $host;
              }
          }
        `,
        context: 'http',
        files: { 'default.crt': 'other-cert', 'default.key': 'other-key', 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
      },
      {
        // nginx cuts the port off the name before sending it: the SNI is backend.test.
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl default_server;
              server_name default.test;
              ssl_certificate default.crt;
              ssl_certificate_key default.key;
          }
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
        files: { 'default.crt': 'other-cert', 'default.key': 'other-key', 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
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
                  proxy_ssl_trusted_certificate other.crt;
                  proxy_ssl_name backend.test;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 10, column: 20, messageId: 'untrusted' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'other.crt': 'intermediate-ca' },
      },
      {
        // The name depends on the request, but one server takes every connection on the port.
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name default.test;
              ssl_certificate default.crt;
              ssl_certificate_key default.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_server_name on;
                  proxy_ssl_name $host;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 10, column: 20, messageId: 'untrusted' }],
        files: { 'default.crt': 'other-cert', 'default.key': 'other-key', 'root.crt': 'root-ca' },
      },
      {
        // stream has no 502 to answer with: the client's connection is closed.
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              ssl_certificate default.crt;
              ssl_certificate_key default.key;
              return ok;
          }
          server {
              listen 127.0.0.1:8080;
              proxy_pass 127.0.0.1:8443;
              proxy_ssl on;
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate root.crt;
              proxy_ssl_name backend.test;
          }
        `,
        context: 'stream',
        errors: [{ line: 9, column: 16, messageId: 'connectionClosed' }],
        files: { 'default.crt': 'other-cert', 'default.key': 'other-key', 'root.crt': 'root-ca' },
      },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    const model = ctx.model;
    // The CA file of the config that would verify a chain, by the CA file in use and the chain: the same backend
    // behind thousands of locations is looked up once.
    const betterFor = new Map<string, CertificateRef | undefined>();
    const withBackends = usesWithBackends(model, files);
    const settings = tlsSettings(model);
    for (let useIndex = 0; useIndex < withBackends.length; useIndex++) {
      const { use, backends } = withBackends[useIndex];
      if (!isFlagOn(settings.get(use, 'verify'))) continue;
      const trustedDir = settings.get(use, 'trusted_certificate');
      const trustedRef = trustedDir && files.ref(model, trustedDir);
      const trusted = trustedRef ? files.read(model, trustedRef)?.certificates : undefined;
      if (!trustedDir || !trustedRef || !trusted?.length) continue;
      for (const b of backends) {
        const v = verifyChain(files, b.chain, trusted);
        if (v.ok) continue;
        const leaf = b.chain[0];
        // OpenSSL: no issuer found for the leaf itself is 21, a chain that stops higher up is 20.
        const code = v.last === leaf ? '21:unable to verify the first certificate' : '20:unable to get local issuer certificate';
        // A CA file of the config that would verify it: the fix.
        const key = trustedRef.path + '\0' + b.chain.map((c) => c.fingerprint256).join(',');
        if (!betterFor.has(key)) {
          betterFor.set(key, files.refs(model).find((r) => (r.role === 'ca' || r.role === 'certificate') && r !== trustedRef && (() => {
            const certs = files.read(model, r)?.certificates.filter((c: CertificateInfo) => c.isCa) ?? [];
            return certs.length > 0 && verifyChain(files, b.chain, certs).ok;
          })()));
        }
        const better = betterFor.get(key);
        const fixes: Fix[] = [];
        const block = settingsBlock(use.block);
        // Not where another backend reads the same CA (an `if` branch, a nested location): it would fail there.
        if (better && !changesAnotherBackend(model, use, block, [trustedDir.name])) {
          const edit = trustedDir.block === block ? setArguments(trustedDir, quoteIfNeeded(better.configured)) : insertDirectives(block, [`${trustedDir.name} ${quoteIfNeeded(better.configured)};`], use.pass);
          if (edit) fixes.push({ title: `Trust ${better.configured}, the CA that issued the backend's certificate`, edits: [edit], isPreferred: true, safe: false });
        }
        ctx.report({
          message: `The backend at ${b.host}:${b.port} ${b.where} presents ${describeCertificate(leaf)}, issued by "${v.last.issuer}", which does not lead to a CA in "${trustedRef.configured}": ${failsAll(use)}, error log "upstream SSL certificate verify error: (${code})".${better ? ` "${better.configured}" (line ${lineNumber(better.ld)}) holds the CA that issued it.` : ''}`,
          related: [
            { ld: trustedDir, message: 'the CAs nginx trusts here' },
            ...(b.certificate ? [{ ld: b.certificate.ld, message: 'the certificate the backend presents' }] : []),
            ...(b.via ? [{ ld: b.via, message: 'the upstream server' }] : []),
          ],
          fixes,
          ...argSpan(use.pass, 0),
        });
      }
    }
  },
};
