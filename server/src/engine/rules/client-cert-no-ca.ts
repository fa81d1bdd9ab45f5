// Client certificates requested without a CA to check them against: nginx refuses to start.

import { versionAtLeast, versionLabel } from '../knowledge/tls';
import { CLIENT_CA_FROM_TRUSTED_SINCE, STREAM_VIRTUAL_SERVERS_SINCE } from '../knowledge/tls-directives';
import { serverContextBuilt } from '../certificates/files';
import { ServerInfo, serverTls, SERVER_INPUTS } from '../model/servers';
import { isFlagOn } from '../model/tls-uses';
import { absenceCaveat, directiveSpan, readsTlsAnd, Rule, RuleContext } from './rule';
import { LDir } from '../model/model';
import { conf } from './case-text';

const [major, minor, patch] = CLIENT_CA_FROM_TRUSTED_SINCE;
const TRUSTED_CA_SINCE = versionLabel({ major, minor, patch });

export const clientCertNoCa: Rule = {
  id: 'client-cert-no-ca',
  defaultSeverity: 'error',
  title: 'Client certificate verification without a CA',
  nginxRejects: true,
  reads: readsTlsAnd(SERVER_INPUTS, ['starttls']),
  explanation: `\`ssl_verify_client on\` or \`optional\` makes nginx verify client certificates, which needs the CA
that issues them: \`ssl_client_certificate\` (which also tells clients which CAs are accepted), or since nginx
${TRUSTED_CA_SINCE} \`ssl_trusted_certificate\`. Without one, \`nginx -t\` fails for every TLS server that inherits the
setting. (\`optional_no_ca\` needs no CA, and verifies nothing by itself.)`,
  cases: {
    messages: {
      noCa: /^no ssl_client_certificate (or ssl_trusted_certificate )?for ssl_verify_client: nginx -t fails/,
      ocspNoCa: /^"ssl_ocsp" is incompatible with "ssl_verify_client optional_no_ca"/,
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
      {
        // Before stream's virtual servers, only a stream server's own \`listen … ssl\` gives it TLS: never checked here.
        config: conf`
          server {
              listen 5000;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_verify_client on;
              proxy_pass 127.0.0.1:9;
          }
        `,
        context: 'stream',
        nginxVersion: '1.24',
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
      {
        // Since stream's virtual servers, a certificate is enough for a TLS context, as in http.
        config: conf`
          server {
              listen 5000;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              ssl_verify_client on;
              proxy_pass 127.0.0.1:9;
          }
        `,
        context: 'stream',
        nginxVersion: '1.26',
        errors: [{ line: 5, column: 5, messageId: 'noCa' }],
      },
      {
        // A server that rejects handshakes has a TLS context too, and nginx checks it.
        config: conf`
          server {
              listen 443 ssl default_server;
              ssl_reject_handshake on;
              ssl_verify_client on;
          }
          server {
              listen 8443 ssl default_server;
              ssl_reject_handshake on;
              ssl_verify_client optional_no_ca;
              ssl_ocsp on;
          }
        `,
        context: 'http',
        errors: [{ line: 4, column: 5, messageId: 'noCa' }, { line: 10, column: 5, messageId: 'ocspNoCa' }],
      },
      {
        config: conf`
          load_module /usr/lib/nginx/modules/ngx_mail_module.so;
          events {}
          mail {
              auth_http 127.0.0.1:9000/auth;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
              server {
                  listen 143;
                  protocol imap;
                  starttls on;
                  ssl_verify_client on;
              }
          }
        `,
        nginxVersion: '1.22',
        errors: [{ line: 11, column: 9, messageId: 'noCa' }],
      },
    ],
  },
  check(ctx) {
    // Both findings rest on an ssl_verify_client: most configs have none anywhere, and then no server is looked at.
    if (!ctx.model.whole.named('ssl_verify_client').length) return;
    const newer = versionAtLeast(ctx.settings.nginxVersion, ...CLIENT_CA_FROM_TRUSTED_SINCE);
    const seen = new Set<LDir>();
    const sList = serverTls(ctx.model);
    for (let sIndex = 0; sIndex < sList.length; sIndex++) {
      const s = sList[sIndex];
      const mode = ctx.model.first('ssl_verify_client', s.block);
      // Most servers verify no clients: nothing else is looked up for them.
      if (!mode) continue;
      const value = mode.d.args[0]?.value.toLowerCase();
      const ocsp = value === 'optional_no_ca' ? ctx.model.first('ssl_ocsp', s.block) : undefined;
      const ocspClash = value === 'optional_no_ca' && !!ocsp && ocsp.d.args[0]?.value.toLowerCase() !== 'off' && !seen.has(ocsp);
      if (!ocspClash && ((value !== 'on' && value !== 'optional') || seen.has(mode))) continue;
      if (!checkedByNginx(ctx, s)) continue;
      if (ocspClash) {
        // Checking revocation of certificates nobody vouches for makes no sense to nginx: it refuses.
        seen.add(ocsp);
        ctx.report({ message: '"ssl_ocsp" is incompatible with "ssl_verify_client optional_no_ca": nginx -t fails. Use optional (with a CA) or drop ssl_ocsp.', ...directiveSpan(ocsp) });
      }
      if ((value !== 'on' && value !== 'optional') || seen.has(mode)) continue;
      if (ctx.model.first('ssl_client_certificate', s.block)) continue;
      if (newer && ctx.model.first('ssl_trusted_certificate', s.block)) continue;
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

/**
 * Whether nginx -t gets as far as the client-verification settings of this server. It looks at them only while it
 * builds the server's TLS context, after the certificates: a server that gets no context is never checked, whatever
 * it inherits (a stream server before virtual servers without its own `listen … ssl`, a mail server without a TLS
 * port, STARTTLS or `ssl on`), and one that gets a context without a certificate stops at the missing certificate
 * first, unless it rejects handshakes (http, and stream once it has virtual servers). Seen with nginx 1.22.1 -t;
 * newer versions from ngx_{http,stream,mail}_ssl_module.c's merge functions at release-1.24.0, -1.25.5, -1.26.0 and
 * -1.27.2, whose order (context, certificate, then the CA check) stays the same.
 */
function checkedByNginx(ctx: RuleContext, s: ServerInfo): boolean {
  const version = ctx.settings.nginxVersion;
  if (!serverContextBuilt(ctx.model, s.block, version)) return false;
  if (ctx.model.first('ssl_certificate', s.block)) return true;
  const rejectsHere = s.family === 'http' || (s.family === 'stream' && versionAtLeast(version, ...STREAM_VIRTUAL_SERVERS_SINCE));
  return rejectsHere && isFlagOn(ctx.model.first('ssl_reject_handshake', s.block));
}
