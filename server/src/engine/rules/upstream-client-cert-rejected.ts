// The backend (a server of this same config) requires a client certificate, and nginx sends none, one its
// CA did not issue, or an expired one: every request gets a 400.

import { tlsSettings } from '../model/tls-settings';
import { usesWithBackends, verifyChain, readsBackendsAnd } from '../certificates/handshake';
import { SERVER_INPUTS } from '../model/servers';
import { CertificateRef, describeCertificate, isoDate } from '../certificates/files';
import { insertDirectives, quoteIfNeeded, setArguments } from '../fixes/edits';
import { lineNumber } from '../model/describe';
import { LDir } from '../model/model';
import { changesAnotherBackend, settingsBlock, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { Fix, TextEdit } from '../types';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const upstreamClientCertRejected: Rule = {
  id: 'upstream-client-cert-rejected',
  defaultSeverity: 'error',
  title: 'The backend requires a client certificate nginx does not send',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  clock: true,
  explanation: `A backend with \`ssl_verify_client on\` refuses every request that comes without a client certificate its
CA (\`ssl_client_certificate\`, or \`ssl_trusted_certificate\`) issued. When that backend is a \`server\` of the same
config as the proxy, the outcome is known: no \`proxy_ssl_certificate\` gets 400 "No required SSL certificate was
sent" (backend log: "client sent no required SSL certificate"); a certificate from another CA, or an expired
one, gets 400 "The SSL certificate error" (backend log: "client SSL certificate verify error: (21:unable to
verify the first certificate)" or "(10:certificate has expired)"). \`nginx -t\` passes. The fix names the client
certificate and key of the config that the backend's CA did issue, when there is one.`,
  cases: {
    messages: {
      noClientCertificate: /requires a client certificate \(ssl_verify_client \w+, line \d+\) and nginx sends none/,
      refused: /refuses the client certificate "[^"]*" nginx sends/,
    },
    valid: [
      {
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_client_certificate root.crt;
              ssl_verify_client on;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_certificate client.crt;
                  proxy_ssl_certificate_key client.key;
              }
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca', 'client.crt': 'client-cert', 'client.key': 'client-key' },
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
              ssl_client_certificate root.crt;
              ssl_verify_client on;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 12, column: 20, messageId: 'noClientCertificate' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
      },
      {
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_client_certificate root.crt;
              ssl_verify_client on;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_certificate old.crt;
                  proxy_ssl_certificate_key old.key;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 12, column: 20, messageId: 'refused' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca', 'old.crt': 'expired-cert', 'old.key': 'expired-key' },
      },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    const model = ctx.model;
    const now = ctx.settings.now ?? Date.now();
    // A replacement certificate (and its key) by the backend's CA files and the certificate now sent: looked up once
    // for all the locations that send the same certificate to the same backend.
    const replacements = new Map<string, { candidate?: CertificateRef; keyRef?: CertificateRef }>();
    const withBackends = usesWithBackends(model, files);
    const settings = tlsSettings(model);
    for (let useIndex = 0; useIndex < withBackends.length; useIndex++) {
      const { use, backends } = withBackends[useIndex];
      for (const b of backends) {
        if (!b.server) continue; // a probe does not see what the backend requires
        const server = b.server;
        const mode = model.first('ssl_verify_client', server.block);
        const value = mode?.d.args[0]?.value.toLowerCase();
        if (!mode || (value !== 'on' && value !== 'optional')) continue;
        const caDirs = ['ssl_client_certificate', 'ssl_trusted_certificate'].map((n) => model.first(n, server.block)).filter((x): x is LDir => !!x);
        const caRefs = caDirs.map((d) => files.ref(model, d)).filter((r): r is CertificateRef => !!r);
        const cas = caRefs.flatMap((r) => files.read(model, r)?.certificates ?? []);
        if (caDirs.length && (caRefs.length < caDirs.length || !cas.length)) continue; // a CA we cannot read: no prediction
        const certName = tlsDirective(use.family, 'certificate');
        const keyName = tlsDirective(use.family, 'certificate_key');
        const certDir = settings.get(use, 'certificate');
        const certRef = certDir && files.ref(model, certDir);
        const sent = certRef ? files.read(model, certRef)?.certificates : undefined;
        if (certDir && !sent?.length) continue; // unreadable: certificate-unreadable says so
        let problem: string;
        if (!certDir || !sent) {
          if (value !== 'on') continue; // optional lets a connection without a certificate through
          problem = `requires a client certificate (ssl_verify_client on, line ${lineNumber(mode)}) and nginx sends none: every request gets 400 "No required SSL certificate was sent", backend log "client sent no required SSL certificate"`;
        } else {
          const v = verifyChain(files, sent, cas);
          const leaf = sent[0];
          if (!v.ok) {
            const code = v.last === leaf ? '21:unable to verify the first certificate' : '20:unable to get local issuer certificate';
            problem = `does not accept the client certificate ${describeCertificate(leaf)} nginx sends (issued by "${leaf.issuer}", not by a CA in "${caRefs.map((r) => r.configured).join('", "')}"): every request gets 400 "The SSL certificate error", backend log "client SSL certificate verify error: (${code})"`;
          } else if (leaf.notAfter < now) {
            problem = `refuses the client certificate ${describeCertificate(leaf)} nginx sends, which expired on ${isoDate(leaf.notAfter)}: every request gets 400 "The SSL certificate error", backend log "client SSL certificate verify error: (10:certificate has expired)"`;
          } else continue;
        }
        // The fix: a certificate of the config the backend's CA issued, still valid, with its key.
        const fixes: Fix[] = [];
        const replacementKey = caRefs.map((r) => r.path).join('\0') + '\0' + (certRef?.path ?? '') + '\0' + (b.chain[0]?.fingerprint256 ?? '');
        let replacement = replacements.get(replacementKey);
        if (!replacement) {
          const candidate = files.refs(model).find((r) => {
            if (r.role !== 'certificate' || r === certRef) return false;
            const c = files.read(model, r)?.certificates;
            return !!c?.length && c[0].notAfter >= now && !c[0].isCa && verifyChain(files, c, cas).ok && c[0].fingerprint256 !== b.chain[0].fingerprint256;
          });
          const keyRef = candidate && files.refs(model).find((r) => r.role === 'key' && files.read(model, r)?.keys[0]?.publicKeyId === files.read(model, candidate)!.certificates[0].publicKeyId);
          replacements.set(replacementKey, (replacement = { candidate, keyRef }));
        }
        const { candidate, keyRef } = replacement;
        const block = settingsBlock(use.block);
        // Not where another backend reads the same certificate (an `if` branch, a nested location): it may
        // accept only the one sent now.
        if (candidate && keyRef && !changesAnotherBackend(model, use, block, [certName, keyName])) {
          const keyDir = settings.get(use, 'certificate_key');
          const edits: TextEdit[] = [];
          const missing: string[] = [];
          if (certDir && certDir.block === block) edits.push(setArguments(certDir, quoteIfNeeded(candidate.configured)));
          else missing.push(`${certName} ${quoteIfNeeded(candidate.configured)};`);
          if (keyDir && keyDir.block === block) edits.push(setArguments(keyDir, quoteIfNeeded(keyRef.configured)));
          else missing.push(`${keyName} ${quoteIfNeeded(keyRef.configured)};`);
          const ins = missing.length ? insertDirectives(block, missing, use.pass) : null;
          if (ins) edits.push(ins);
          if (!missing.length || ins) fixes.push({ title: `Send the client certificate ${candidate.configured}`, edits, isPreferred: true, safe: false });
        }
        ctx.report({
          message: `The backend at ${b.host}:${b.port} ${b.where} ${problem}.${candidate && keyRef ? ` "${candidate.configured}" (line ${lineNumber(candidate.ld)}) is issued by its CA.` : ''}`,
          related: [{ ld: mode, message: 'the backend requires a client certificate' }, ...caDirs.map((d) => ({ ld: d, message: 'the CAs the backend accepts' })), ...(certDir ? [{ ld: certDir, message: 'the certificate nginx sends' }] : [])],
          fixes,
          ...argSpan(use.pass, 0),
        });
      }
    }
  },
};
