// A key that does not belong to the certificate it is paired with: nginx -t fails.

import { SERVER_INPUTS } from '../model/servers';
import { tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { allTlsFacts, tlsDirective, tlsFact } from '../knowledge/tls-directives';
import { CertificateRef, describeCertificate, LoadedFileRole, serverContextBuilt, serversTaking } from '../certificates/files';
import { LBlock, LDir } from '../model/model';
import { lineNumber } from '../model/describe';
import { argSpan, handlerLine, readsTlsAnd, Rule } from './rule';
import { conf } from './case-text';

/** Key directive → the certificate directive it pairs with (`ssl_certificate_key` → `ssl_certificate`). */
export const KEY_PAIRS: ReadonlyMap<string, string> = (() => {
  const certs = [...allTlsFacts()].filter((f) => f.role === 'certificate');
  const m = new Map<string, string>();
  for (const k of allTlsFacts()) {
    if (k.role !== 'key') continue;
    const prefix = k.name.slice(0, k.name.length - k.suffix.length);
    const cert = k.side === 'upstream' ? certs.find((c) => c.side === 'upstream' && c.name === prefix + c.suffix) : certs.find((c) => c.side === 'server');
    if (cert) m.set(k.name, cert.name);
  }
  return m;
})();

export const certificateKeyMismatch: Rule = {
  id: 'certificate-key-mismatch',
  defaultSeverity: 'error',
  title: 'A key that does not belong to its certificate',
  nginxRejects: true,
  reads: readsTlsAnd(TLS_USE_INPUTS, SERVER_INPUTS, ['starttls', 'ssl']),
  explanation: `Each \`ssl_certificate_key\` must be the private key of the \`ssl_certificate\` it is paired with
(the same for \`proxy_ssl_certificate\` / \`proxy_ssl_certificate_key\` and the grpc, uwsgi and stream spellings):
otherwise \`nginx -t\` fails with "SSL_CTX_use_PrivateKey(…) failed (… key values mismatch)". Where several
certificates are set in one block (an RSA and an ECDSA one, say), the first key pairs with the first certificate,
the second with the second. The finding names the certificate of the config the key does belong to, when there
is one. Encrypted keys are not checked. A pair is checked where nginx loads it: in a server with TLS that
takes it, or, for the upstream spellings, where a location talks TLS to its upstream.`,
  cases: {
    messages: {
      mismatch: /^"[^"]*" is not the key of the certificate /,
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
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_certificate client.crt;
              ssl_certificate_key client.key;
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'client.crt': 'client-cert', 'client.key': 'client-key' },
      },
      {
        // No location talks TLS to its upstream: the client pair is never loaded.
        config: conf`
          proxy_ssl_certificate client.crt;
          proxy_ssl_certificate_key server.key;
          server {
              listen 8080;
              location / {
                  proxy_pass http://127.0.0.1:9000;
              }
          }
        `,
        context: 'http',
        files: { 'server.key': 'server-key', 'client.crt': 'client-cert' },
      },
      {
        // The server names its own key, so the http-level pair is never loaded as such.
        config: conf`
          ssl_certificate server.crt;
          ssl_certificate_key stray.key;
          server {
              listen 443 ssl;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'stray.key': 'stray-key' },
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key stray.key;
          }
        `,
        context: 'http',
        errors: [{ line: 4, column: 25, messageId: 'mismatch' }],
        files: { 'server.crt': 'server-cert', 'stray.key': 'stray-key' },
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate client.crt;
              ssl_certificate_key client.key;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 25, messageId: 'mismatch' }, { line: 6, column: 25, messageId: 'mismatch' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'client.crt': 'client-cert', 'client.key': 'client-key' },
      },
      {
        config: conf`
          proxy_pass https://backend.test;
          proxy_ssl_certificate client.crt;
          proxy_ssl_certificate_key server.key;
        `,
        context: 'http/location',
        errors: [{ line: 3, column: 27, messageId: 'mismatch' }],
        files: { 'server.key': 'server-key', 'client.crt': 'client-cert' },
      },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    const model = ctx.model;
    // Nothing to compare unless a key file the config names can be read here (a config edited away from its
    // server names files that are not): one pass over the named files, each read once.
    // The files nginx opens at this version (what certificate-unreadable lists too: made once for both).
    const opened = files.pathRefs(model, ctx.settings.nginxVersion);
    if (!opened.some((r) => r.role === 'key' && files.read(model, r)?.keys.length)) return;
    const refOf = new Map<LDir, CertificateRef<LoadedFileRole>>();
    for (const r of opened) refOf.set(r.ld, r);
    const reported = new Set<string>();
    // The certificate a key belongs to, by the key: many servers share one misplaced key, and looking through
    // every file named for each of them was quadratic.
    const owners = new Map<string, CertificateRef | undefined>();
    const ownerOf = (publicKeyId: string) => {
      if (!owners.has(publicKeyId)) owners.set(publicKeyId, files.refs(model).find((r) => r.role === 'certificate' && files.read(model, r)?.certificates[0]?.publicKeyId === publicKeyId));
      return owners.get(publicKeyId);
    };
    const version = ctx.settings.nginxVersion;
    const uses = tlsUses(model);
    for (const [keyName, certName] of KEY_PAIRS) {
      // A pair needs both directives somewhere in the config: most configs name one or two of the spellings.
      if (!model.named(keyName).length || !model.named(certName).length) continue;
      // Pairs are judged where nginx loads them, as each of those blocks sees them: an outer pair no block
      // loads as written (every server names its own key, no location talks TLS to its upstream) is never read.
      const blocks = new Set<LBlock>();
      if (tlsFact(keyName)?.side === 'upstream') {
        for (let i = 0; i < uses.length; i++) if (tlsDirective(uses[i].family, 'certificate_key') === keyName) blocks.add(uses[i].block);
      } else {
        for (const ld of [...model.named(keyName), ...model.named(certName)]) {
          const servers = serversTaking(model, ld);
          // Outside any server level nginx rejects the directive itself: the pair is judged where it is written.
          if (!servers) blocks.add(ld.block);
          else for (const server of servers) if (serverContextBuilt(model, server, version)) blocks.add(server);
        }
      }
      for (const block of blocks) {
        const keys = model.effective(keyName, block).found;
        const certs = model.effective(certName, block).found;
        keys.forEach((keyDir, i) => {
          const certDir = certs[i];
          if (!certDir) return;
          const keyRef = refOf.get(keyDir);
          const certRef = refOf.get(certDir);
          if (!keyRef || !certRef) return;
          const key = files.read(model, keyRef)?.keys[0];
          const cert = files.read(model, certRef)?.certificates[0];
          if (!key?.publicKeyId || !cert || key.publicKeyId === cert.publicKeyId) return;
          const id = keyDir.file.path + ':' + keyDir.d.start + ':' + certDir.file.path + ':' + certDir.d.start;
          if (reported.has(id)) return;
          reported.add(id);
          const owner = ownerOf(key.publicKeyId);
          const belongs = owner ? ` It is the key of "${owner.configured}" (line ${lineNumber(owner.ld)}).` : '';
          const pos = certs.length > 1 ? ` (key #${i + 1} pairs with certificate #${i + 1})` : '';
          ctx.report({
            nginxLine: handlerLine(keyDir),
            message: `"${keyRef.configured}" is not the key of the certificate "${certRef.configured}"${pos}, ${describeCertificate(cert)}: nginx -t fails with SSL_CTX_use_PrivateKey("${keyRef.serverPath}") failed (key values mismatch).${belongs}`,
            related: [{ ld: certDir, message: 'the certificate it is paired with' }, ...(owner && owner.ld !== certDir ? [{ ld: owner.ld, message: 'the certificate this key belongs to' }] : [])],
            ...argSpan(keyDir, 0),
          });
        });
      }
    }
  },
};
