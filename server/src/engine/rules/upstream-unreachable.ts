// A probed upstream (`check --probe`, *Probe upstream TLS*) that did not complete the handshake nginx would
// make: no connection, or a TLS handshake that failed with the protocols, ciphers and SNI of this use.
// Reported only when the user asked for the probe: without probe results there is nothing to say.

import { useProbeTargets, readsBackendsAnd } from '../certificates/handshake';
import { SERVER_INPUTS } from '../model/servers';
import { tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { argSpan, Rule } from './rule';

/** A hint for the handshake failures whose cause the config decides, from OpenSSL's reason. */
function hint(error: string, protocolsDirective: string, ciphersDirective: string): string {
  if (/protocol version|unsupported protocol|wrong version number/i.test(error)) {
    return ` The upstream speaks none of the protocols allowed here: allow the one it speaks in \`${protocolsDirective}\` (nginx before 1.23.4 does not offer TLSv1.3 to upstreams by default).`;
  }
  if (/handshake failure|no shared cipher|no cipher/i.test(error)) {
    return ` No cipher in common, or the upstream refused the hello: compare \`${ciphersDirective}\` with what the upstream accepts.`;
  }
  return '';
}

export const upstreamUnreachable: Rule = {
  id: 'upstream-unreachable',
  defaultSeverity: 'warning',
  title: 'A probed upstream did not complete the TLS handshake nginx would make',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  explanation: `Reported only after a probe you asked for (\`check --probe\`, or *Probe upstream TLS* in VS Code), on the pass
directive whose upstream did not answer. The probe connects as nginx would from this use: the same address, the SNI
nginx sends (none when \`proxy_ssl_server_name\` is off), the client certificate, and only the protocols and ciphers the
config allows here (the effective \`proxy_ssl_protocols\` and \`proxy_ssl_ciphers\`, or the defaults of the nginx version
you set). Two kinds of failure are told apart: no TCP connection (refused, no route, no answer within 5 s), where nginx
logs "connect() failed … while connecting to upstream" and answers 502 (on a timeout, "upstream timed out" and 504,
after \`proxy_connect_timeout\`) unless another server of the group answers; and a TLS handshake that fails, typically because the upstream speaks only a protocol the config does
not allow (a TLSv1.3-only backend behind \`proxy_ssl_protocols TLSv1.2\`, or behind nginx 1.22's default) or shares
no cipher with it, where nginx logs "SSL_do_handshake() failed … while SSL handshaking to upstream" and every request
through this pass gets 502. It is a warning, not an error: the probe sees the network from the machine it runs on, at
that moment, and nginx's network may differ (another host, a firewall, a backend that was down for a minute).
When the client certificate nginx would send does not load (a key of another certificate, a file that cannot be
read), the upstream is not probed and the finding says so: nginx does not start with that pair either. An
encrypted client key is nginx's to open with its password file; the probe does not try.`,
  cases: {
    messages: {
      notAccepted: /^Probed from here, the TLS upstream .* did not accept a connection /,
    },
    valid: [
      // Without a probe nothing connects, and nothing is said about reachability.
      { config: 'server {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass https://127.0.0.1:9;\n        proxy_ssl_verify on;\n        proxy_ssl_trusted_certificate root.crt;\n    }\n}\n', context: 'http', probe: false, files: { 'root.crt': 'root-ca' } },
    ],
    invalid: [
      // Nothing listens on the discard port of 127.0.0.1: the probe's connection is refused.
      { config: 'server {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass https://127.0.0.1:9;\n        proxy_ssl_verify on;\n        proxy_ssl_trusted_certificate root.crt;\n    }\n}\n', context: 'http', errors: [{ line: 4, column: 20, messageId: 'notAccepted' }], probe: true, files: { 'root.crt': 'root-ca' } },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    // Without a probe (the usual analysis) there is nothing to report: skip the work of naming targets.
    if (!files || !files.hasProbes) return;
    const model = ctx.model;
    const useList = tlsUses(model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      for (const { target: t, via } of useProbeTargets(model, files, use, ctx.settings.nginxVersion)) {
        const r = files.probed(t.host, t.port, t.sni, t.offer);
        if (!r?.error) continue;
        const address = `${t.host}:${t.port}`;
        const protocolsDirective = tlsDirective(use.family, 'protocols');
        const ciphersDirective = tlsDirective(use.family, 'ciphers');
        const offered = (r.offered ?? t.protocols).join(' ');
        const sni = t.sni ? `SNI "${t.sni}"` : 'no SNI';
        const group = !!use.group && use.group.servers.length > 1;
        // stream has no HTTP status to give: the client's connection is closed.
        const stream = use.family === 'stream';
        // The probe gives up after 5 s; nginx waits proxy_connect_timeout (60 s by default) and then answers 504.
        const timedOut = /within \d+(\.\d+)? s/.test(r.error);
        let message: string;
        if (r.stage === 'client-certificate') {
          // An encrypted key is nginx's to open (with its password file), not a broken pair.
          message = `The TLS upstream ${address} was not probed: ${r.error}.` + (/encrypted/.test(r.error)
            ? ''
            : ` nginx does not start with such a pair either (\`${tlsDirective(use.family, 'certificate')}\` and \`${tlsDirective(use.family, 'certificate_key')}\` here; certificate-key-mismatch or certificate-unreadable says which file is at fault).`);
        } else if (r.stage === 'config') {
          message = `The TLS upstream ${address} cannot be probed as nginx would reach it: ${r.error}. Check \`${protocolsDirective}\` and \`${ciphersDirective}\` here.`;
        } else if (r.stage === 'handshake') {
          const status = timedOut ? '504' : '502';
          const outcome = stream
            ? (group ? 'nginx tries the group\'s next server, and with none answering closes the client\'s connection' : 'nginx closes every client connection through this proxy_pass')
            : group ? `nginx tries the group's next server, and with none answering the request gets ${status}` : `every request through this pass gets ${status}`;
          const log = timedOut ? 'upstream timed out (110: Connection timed out) while SSL handshaking to upstream' : 'SSL_do_handshake() failed … while SSL handshaking to upstream';
          message = `Probed from here offering ${offered} with ${sni}, as nginx would, the TLS handshake with ${address} failed (${r.error}): ${outcome}, error log "${log}".${hint(r.error, protocolsDirective, ciphersDirective)}`;
        } else {
          const status = timedOut ? '504' : '502';
          const answer = stream ? 'close the client\'s connection' : `answer ${status}`;
          const outcome = group ? `try the group's next server, and with none answering ${answer}` : answer;
          const log = timedOut ? 'upstream timed out (110: Connection timed out) while connecting to upstream' : 'connect() failed … while connecting to upstream';
          message = `Probed from here, the TLS upstream ${address} did not accept a connection (${r.error}): nginx would log "${log}" and ${outcome}. The probe sees the network from this machine; nginx's may differ.`;
        }
        ctx.report({
          message,
          related: via ? [{ ld: via, message: 'the upstream server' }] : [],
          ...argSpan(use.pass, 0),
        });
      }
    }
  },
};
