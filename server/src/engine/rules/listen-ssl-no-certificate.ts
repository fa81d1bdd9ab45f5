// A TLS server with no certificate: fatal for the default server, a wrong certificate for the others.

import { ServerInfo, serverTls, SERVER_INPUTS } from '../model/servers';
import { LBlock, LDir } from '../model/model';
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
use \`ssl_reject_handshake on\` in a default server meant to refuse unknown names.

Where an include that could not be read sits in the server or in a block around it (the usual
\`include ssl.conf;\` of a site file checked without its deployment), that include may well set the
certificate: the rule then says nothing, and include-not-found reports the include. In a file analysed on
its own (no main config includes it), the first server of an address in the file need not be the first in
the config: the finding is a warning, and it says nginx -t fails only where \`default_server\` names the
server nginx checks.`,
  cases: {
    messages: {
      defaultServer: /^no "ssl_certificate" is defined for the "listen \.\.\. ssl" directive: this is the default server/,
      defaultUnknown: /^no "ssl_certificate" is defined for this TLS server, and this file alone does not show which server is the default/,
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
      {
        // A site file checked alone: the include nobody could read is where its certificate usually is.
        config: conf`
          server {
              listen 443 ssl;
              server_name a.test;
              include /nonexistent-dir-for-tests/ssl.conf;
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          events {}
          http {
              include /nonexistent-dir-for-tests/ssl.conf;
              server {
                  listen 443 ssl;
              }
          }
        `,
      },
      {
        config: conf`
          load_module /usr/lib/nginx/modules/ngx_mail_module.so;
          events {}
          mail {
              auth_http 127.0.0.1:9000/auth;
              server {
                  listen 143;
                  protocol imap;
                  starttls on;
                  include /nonexistent-dir-for-tests/ssl.conf;
              }
          }
        `,
        nginxVersion: '1.22',
      },
    ],
    invalid: [
      {
        config: conf`
          events {}
          http {
              server {
                  listen 443 ssl;
              }
          }
        `,
        errors: [{ line: 4, column: 9, messageId: 'defaultServer' }],
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
          events {}
          http {
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
          }
        `,
        errors: [{ line: 4, column: 9, messageId: 'defaultServer' }],
      },
      {
        // Alone, this file does not show whether another file holds the default server of port 443.
        config: conf`
          server {
              listen 443 ssl;
              server_name a.test;
          }
        `,
        context: 'http',
        errors: [{ line: 2, column: 5, messageId: 'defaultUnknown' }],
      },
      {
        // default_server says which server nginx checks, in whatever config the file is part of.
        config: conf`
          server {
              listen 443 ssl;
              server_name a.test;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
          }
          server {
              listen 443 ssl default_server;
              server_name b.test;
          }
        `,
        context: 'http',
        errors: [{ line: 8, column: 5, messageId: 'defaultServer' }],
      },
    ],
  },
  check(ctx) {
    // An include nobody could read, in the server or around it, may hold the certificate (it usually does:
    // `include ssl.conf;`). include-not-found reports that include; a claim here would rest on nothing.
    const unseen = (block: LBlock): boolean => ctx.model.hasUnreadInclude(block);
    // Mail: STARTTLS needs a certificate as much as a TLS port does.
    const servers = serverTls(ctx.model);
    for (let sIndex = 0; sIndex < servers.length; sIndex++) {
      const s = servers[sIndex];
      if (s.family !== 'mail') continue;
      const starttls = ctx.model.first('starttls', s.block);
      const mode = starttls?.d.args[0]?.value.toLowerCase();
      if (!starttls || (mode !== 'on' && mode !== 'only')) continue;
      if (ctx.model.first('ssl_certificate', s.block) || unseen(s.block)) continue;
      const caveat = absenceCaveat(ctx, s.block);
      ctx.report({ severity: caveat.severity ?? 'error', nginxLine: handlerLine(starttls), message: 'no "ssl_certificate" is defined for the "starttls" directive: nginx -t fails.' + caveat.note, ...directiveSpan(starttls) });
    }
    // Nearly every TLS server has its certificate: the servers without one are found first, and the addresses
    // are gathered only for them.
    const bare: { s: ServerInfo; listenSsl: LDir }[] = [];
    for (let sIndex = 0; sIndex < servers.length; sIndex++) {
      const s = servers[sIndex];
      const listenSsl = s.listenSsl;
      if (s.family === 'mail' || !listenSsl) continue;
      // By index: no object is made for the certificate of each of thousands of servers.
      if (ctx.model.firstAt('ssl_certificate', s.block) >= 0) continue;
      if (isFlagOn(ctx.model.first('ssl_reject_handshake', s.block))) continue;
      if (unseen(s.block)) continue;
      bare.push({ s, listenSsl });
    }
    if (!bare.length) return;
    const rejectingDefault = new Set<string>();
    // Addresses whose default server is named (`default_server`): the same in any config this file is part of.
    const namedDefault = new Set<string>();
    // nginx checks the default server of every TLS address, and the ssl flag of an address is any of its servers'.
    const tlsAddresses = new Set<string>();
    for (const s of servers) {
      if (s.family === 'mail') continue;
      if (isFlagOn(ctx.model.first('ssl_reject_handshake', s.block))) s.defaultFor.forEach((k) => rejectingDefault.add(k));
      for (const l of s.listens) {
        if (l.ssl) tlsAddresses.add(l.key);
        if (l.defaultServer) namedDefault.add(l.key);
      }
    }
    for (const { s, listenSsl } of bare) {
      const sslKeys = s.listens.filter((l) => tlsAddresses.has(l.key)).map((l) => l.key);
      // Stream before virtual servers: every server with a TLS listen is checked, default or not.
      const everyServer = s.family === 'stream' && !versionAtLeast(ctx.settings.nginxVersion, ...STREAM_VIRTUAL_SERVERS_SINCE);
      // In a file analysed alone, the first server of an address here need not be the first in the config.
      const fragment = ctx.model.partlyUnknown(s.block);
      const fatalAt = (k: string): boolean => s.defaultFor.includes(k) || rejectingDefault.has(k);
      const fatal = everyServer ? sslKeys.length > 0 : sslKeys.some((k) => fatalAt(k) && (!fragment || namedDefault.has(k)));
      const maybeFatal = !fatal && fragment && sslKeys.some(fatalAt);
      const caveat = absenceCaveat(ctx, s.block);
      ctx.report({
        severity: fatal ? caveat.severity ?? 'error' : 'warning',
        // nginx names the server's line; before stream's virtual servers, stream named the listen line.
        nginxLine: fatal ? lineOf(s.ld.file.tree.nginxLineStarts, (everyServer ? listenSsl : s.ld).d.start) + 1 : undefined,
        message: (fatal
          ? 'no "ssl_certificate" is defined for the "listen ... ssl" directive: this is the default server for the address, so nginx -t fails.'
          : maybeFatal
            ? 'no "ssl_certificate" is defined for this TLS server, and this file alone does not show which server is the default for its address: nginx -t fails if that is this server (or one with ssl_reject_handshake on); otherwise clients asking for its name get the default server\'s certificate.'
            : 'This TLS server has no ssl_certificate: clients reaching it get the default server\'s certificate, which will not match its name.') + caveat.note,
        ...directiveSpan(listenSsl),
      });
    }
  },
};
