// A TLS server with no certificate: fatal for the default server, a wrong certificate for the others.

import { serverTls, SERVER_INPUTS } from '../model/servers';
import { isFlagOn } from '../model/tls-uses';
import { lineOf } from '../syntax/positions';
import { versionAtLeast } from '../knowledge/tls';
import { STREAM_VIRTUAL_SERVERS_SINCE } from '../knowledge/tls-directives';
import { absenceCaveat, directiveSpan, handlerLine, readsTlsAnd, Rule } from './rule';
import { conf } from './case-text';

export const listenSslNoCertificate: Rule = {
  id: 'listen-ssl-no-certificate',
  defaultSeverity: 'warning',
  title: 'TLS server without a certificate',
  nginxRejects: true,
  reads: readsTlsAnd(SERVER_INPUTS, ['starttls']),
  explanation: `A server that listens with \`ssl\` (or shares an address:port with one that does: the flag belongs to
the socket) needs \`ssl_certificate\` and \`ssl_certificate_key\`, in the server or inherited from http. For the
default server of that address nginx refuses to start. For the others it starts, and clients asking for
them by SNI get the default server's certificate, which will not match their name. Add the certificate, or
use \`ssl_reject_handshake on\` in a default server meant to refuse unknown names.`,
  cases: {
    messages: {
      defaultServer: /^no "ssl_certificate" is defined for the "listen \.\.\. ssl" directive: this is the default server/,
      otherServer: /^This TLS server has no ssl_certificate: /,
    },
    valid: [
      {
        config: conf`
          ssl_certificate a.crt;
          ssl_certificate_key a.key;
          server {
              listen 443 ssl;
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          server {
              listen 443 ssl default_server;
              ssl_reject_handshake on;
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 443 ssl;
          }
        `,
        context: 'http',
        errors: [{ line: 2, column: 5, messageId: 'defaultServer' }],
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
          }
          server {
              listen 443;
              server_name b.test;
          }
        `,
        context: 'http',
        errors: [{ line: 7, column: 5, messageId: 'otherServer' }],
      },
      {
        // The first server is the default of the address, and the other server's ssl flag makes that address TLS.
        config: conf`
          server {
              listen 127.0.0.1:8443;
              server_name a.test;
              return 200;
          }
          server {
              listen 127.0.0.1:8443 ssl;
              server_name b.test;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
          }
        `,
        context: 'http',
        errors: [{ line: 2, column: 5, messageId: 'defaultServer' }],
      },
    ],
  },
  check(ctx) {
    // Mail: STARTTLS needs a certificate as much as a TLS port does.
    for (const s of serverTls(ctx.model).filter((x) => x.family === 'mail')) {
      const starttls = ctx.model.first('starttls', s.block);
      const mode = starttls?.d.args[0]?.value.toLowerCase();
      if (!starttls || (mode !== 'on' && mode !== 'only')) continue;
      if (ctx.model.first('ssl_certificate', s.block)) continue;
      const caveat = absenceCaveat(ctx, s.block);
      ctx.report({ severity: caveat.severity ?? 'error', nginxLine: handlerLine(starttls), message: 'no "ssl_certificate" is defined for the "starttls" directive: nginx -t fails.' + caveat.note, ...directiveSpan(starttls) });
    }
    const servers = serverTls(ctx.model).filter((s) => s.family !== 'mail');
    const rejectingDefault = new Set<string>();
    // nginx checks the default server of every TLS address, and the ssl flag of an address is any of its servers'.
    const tlsAddresses = new Set<string>();
    for (const s of servers) {
      if (isFlagOn(ctx.model.first('ssl_reject_handshake', s.block))) s.defaultFor.forEach((k) => rejectingDefault.add(k));
      for (const l of s.listens) if (l.ssl) tlsAddresses.add(l.key);
    }
    for (const s of servers) {
      if (!s.listenSsl) continue;
      if (ctx.model.lookup('ssl_certificate', s.block)?.length ?? 0) continue;
      if (isFlagOn(ctx.model.first('ssl_reject_handshake', s.block))) continue;
      const sslKeys = s.listens.filter((l) => tlsAddresses.has(l.key)).map((l) => l.key);
      const isDefault = s.defaultFor.some((k) => sslKeys.includes(k));
      const fatal = isDefault || sslKeys.some((k) => rejectingDefault.has(k));
      const caveat = absenceCaveat(ctx, s.block);
      ctx.report({
        severity: fatal ? caveat.severity ?? 'error' : 'warning',
        // nginx names the server's line; before stream's virtual servers, stream named the listen line.
        nginxLine: fatal ? lineOf(s.ld.file.tree.nginxLineStarts, (s.family === 'stream' && !versionAtLeast(ctx.settings.nginxVersion, ...STREAM_VIRTUAL_SERVERS_SINCE) ? s.listenSsl : s.ld).d.start) + 1 : undefined,
        message: (fatal
          ? 'no "ssl_certificate" is defined for the "listen ... ssl" directive: this is the default server for the address, so nginx -t fails.'
          : 'This TLS server has no ssl_certificate: clients reaching it get the default server\'s certificate, which will not match its name.') + caveat.note,
        ...directiveSpan(s.listenSsl),
      });
    }
  },
};
