// A certificate with no private key (nginx refuses to start), or a key with no certificate (ignored).

import { tlsUses, settingsBlock, TlsUse, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { serverTls, SERVER_INPUTS } from '../model/servers';
import { lineRef } from '../model/describe';
import { absenceCaveat, directiveSpan, readsTlsAnd, Rule } from './rule';
import { versionAtLeast, versionLabel } from '../knowledge/tls';
import { DirStore, LDir } from '../model/model';
import { conf } from './case-text';

/** Whether each block holds as many directives of the first list as of the second. */
function sameCountPerBlock(s: DirStore, a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  // Pairs written together (the usual case) come in the same blocks in the same order: nothing to count. Read
  // as store indices and block ids: no object is made for the directives of a config that pairs them all.
  const blk = s.blk;
  let i = 0;
  while (i < a.length && blk[a[i]] === blk[b[i]]) i++;
  if (i === a.length) return true;
  const count = new Map<number, number>();
  for (const x of a) count.set(blk[x], (count.get(blk[x]) ?? 0) + 1);
  for (const x of b) {
    const n = count.get(blk[x]);
    if (!n) return false;
    count.set(blk[x], n - 1);
  }
  return true;
}

export const tlsCertWithoutKey: Rule = {
  id: 'tls-cert-without-key',
  defaultSeverity: 'error',
  title: 'Certificate without its private key',
  nginxRejects: true,
  reads: readsTlsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  explanation: `Every certificate needs its private key: \`ssl_certificate\` pairs with \`ssl_certificate_key\` (the
Nth certificate with the Nth key, inherited together from http to server), and the upstream client
certificate \`proxy_ssl_certificate\` with \`proxy_ssl_certificate_key\`. A certificate without a key stops
\`nginx -t\` ("no ... key is defined for certificate"). A key without a certificate is silently ignored,
which usually means the client certificate you meant to present is not sent: that is a warning.`,
  cases: {
    messages: {
      noKey: /^no "\w+" is defined for certificate "[^"]*": nginx -t fails/,
      keyWithoutCertificate: /^\w+_ssl_certificate_key without \w+_ssl_certificate: /,
    },
    valid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_certificate c.crt;
          proxy_ssl_certificate_key c.key;
        `,
        context: 'http/location',
      },
      {
        // The server-level key is the one /mtls pairs with its certificate: /plain not using it does not make it unused.
        config: conf`
          proxy_ssl_certificate_key c.key;
          location /plain {
              proxy_pass https://a.example.com;
          }
          location /mtls {
              proxy_pass https://b.example.com;
              proxy_ssl_certificate c.crt;
          }
        `,
        context: 'http/server',
      },
      {
        // The same for servers: a.example.com needs the http-level key, whatever b.example.com does.
        config: conf`
          ssl_certificate_key a.key;
          server {
              listen 443 ssl;
              server_name a.example.com;
              ssl_certificate a.crt;
          }
          server {
              listen 443 ssl;
              server_name b.example.com;
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_certificate c.crt;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 1, messageId: 'noKey' }],
      },
      {
        config: conf`
          ssl_certificate a.crt;
          server {
              listen 443 ssl;
              ssl_certificate b.crt;
              ssl_certificate_key b.key;
              ssl_certificate c.crt;
          }
        `,
        context: 'http',
        errors: [{ line: 6, column: 5, messageId: 'noKey' }],
      },
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_certificate_key c.key;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 1, messageId: 'keyWithoutCertificate' }],
      },
    ],
  },
  check(ctx) {
    const seen = new Set<LDir>();
    // A key inherited by several uses is in use as soon as one of them pairs it with a certificate (without it
    // nginx -t fails there): only a key no use pairs is ignored. The finding names the first use that reads it.
    const pairedKeys = new Set<LDir>();
    const lonelyKeys = new Map<LDir, TlsUse>();
    const oldEmptyPath = !versionAtLeast(ctx.settings.nginxVersion, 1, 23, 0);
    const useList = tlsUses(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      const certName = tlsDirective(use.family, 'certificate');
      const keyName = tlsDirective(use.family, 'certificate_key');
      // Most configs name no client certificate for their upstreams: then no use needs looking up.
      if (!ctx.model.named(certName).length && !ctx.model.named(keyName).length) continue;
      const block = settingsBlock(use.block);
      const cert = ctx.model.first(certName, block);
      const key = ctx.model.first(keyName, block);
      const certEmpty = cert && cert.d.args[0]?.value === '';
      if (key) {
        if (cert && (!certEmpty || oldEmptyPath)) pairedKeys.add(key);
        else if (!lonelyKeys.has(key)) lonelyKeys.set(key, use);
      }
      if (cert && !certEmpty && !key && !seen.has(cert)) {
        seen.add(cert);
        const caveat = absenceCaveat(ctx, block);
        ctx.report({ severity: caveat.severity, message: `no "${keyName}" is defined for certificate "${cert.d.args[0]?.value}": nginx -t fails. Add the matching ${keyName}.${caveat.note}`, ...directiveSpan(cert) });
      }
      if (cert && certEmpty && oldEmptyPath && !seen.has(cert)) {
        // Before 1.23.0 an empty value is not "no certificate" but a path: the config folder itself.
        seen.add(cert);
        ctx.report({ message: `${certName} "" cancels an inherited certificate only since nginx 1.23.0; nginx ${versionLabel(ctx.settings.nginxVersion)} tries to load the config folder as a certificate and fails.`, ...directiveSpan(cert) });
      }
    }
    for (const [key, use] of lonelyKeys) {
      if (pairedKeys.has(key)) continue;
      ctx.report({ severity: 'warning', message: `${key.name} without ${tlsDirective(use.family, 'certificate')}: nginx ignores the key and presents no client certificate to the upstream (${lineRef(use.pass, key)}).`, ...directiveSpan(key) });
    }
    // Where every block holds as many keys as certificates, the nearest level that has either has both, in
    // equal numbers, for every server: none has a certificate without its key, or a key without its certificate.
    if (sameCountPerBlock(ctx.model.store, ctx.model.namedAt('ssl_certificate'), ctx.model.namedAt('ssl_certificate_key'))) return;
    // As for uses: the Nth key is used by every server that inherits it with an Nth certificate, TLS or not
    // (nginx loads a server's certificates either way).
    const serverPaired = new Set<LDir>();
    const spareKeys: LDir[] = [];
    const sList = serverTls(ctx.model);
    for (let sIndex = 0; sIndex < sList.length; sIndex++) {
      const s = sList[sIndex];
      if (s.family === 'mail') continue;
      const certs = ctx.model.effective('ssl_certificate', s.block).found;
      const keys = ctx.model.effective('ssl_certificate_key', s.block).found;
      for (let i = 0; i < certs.length && i < keys.length; i++) serverPaired.add(keys[i]);
      if (certs.length > keys.length) {
        const cert = certs[keys.length];
        if (seen.has(cert)) continue;
        seen.add(cert);
        const caveat = absenceCaveat(ctx, s.block);
        ctx.report({ severity: caveat.severity, message: `no "ssl_certificate_key" is defined for certificate "${cert.d.args[0]?.value}": nginx -t fails. Each ssl_certificate needs its own ssl_certificate_key, in the same order.${caveat.note}`, ...directiveSpan(cert) });
      } else if (keys.length > certs.length && s.listenSsl) {
        spareKeys.push(keys[certs.length]);
      }
    }
    for (const key of spareKeys) {
      if (serverPaired.has(key) || seen.has(key)) continue;
      seen.add(key);
      ctx.report({ severity: 'warning', message: 'ssl_certificate_key without a matching ssl_certificate: the key is not used.', ...directiveSpan(key) });
    }
  },
};
