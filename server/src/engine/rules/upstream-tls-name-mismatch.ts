// Verification on, but the name nginx checks can never be in the upstream's certificate.

import { tlsSettings } from '../model/tls-settings';
import { directiveSetter } from '../fixes/edits';
import { anchorIn, checkedName, isCertificateName, unmatchableName, verificationName } from '../model/verification';
import { changesAnotherBackend, isFlagOnAt, isIpLiteral, settingsBlock, TLS_USE_INPUTS, TlsUse, tlsUses } from '../model/tls-uses';
import { SERVER_INPUTS } from '../model/servers';
import { ConfigModel } from '../model/model';
import { lineNumber } from '../model/describe';
import { tlsDirective } from '../knowledge/tls-directives';
import { backendsOf, readsBackendsAnd } from '../certificates/handshake';
import { firstCertifiedServer } from '../certificates/sockets';
import type { CertificateFiles } from '../certificates/files';
import { Fix, TextEdit } from '../types';
import { argSpan, Rule, RuleContext } from './rule';
import { conf } from './case-text';

/**
 * For a use whose servers are IP addresses, the name to check when the config itself says which name the
 * backend has: a DNS name of the certificate the backend presents (a server of this config whose certificate
 * could be read), else the first plain `server_name` of the TLS server of this config listening where the
 * upstream points. Null when the config does not say (a backend elsewhere): no name is guessed.
 */
function nameOfBackend(model: ConfigModel, files: CertificateFiles | undefined, use: TlsUse): { name: string; from: string } | null {
  if (files) {
    for (const b of backendsOf(model, files, use)) {
      const carried = b.chain[0]?.dnsNames.find((n) => !n.startsWith('*.') && isCertificateName(n));
      if (carried) return { name: carried, from: `the certificate of the backend ${b.where}` };
    }
  }
  const family = use.family === 'stream' ? 'stream' : 'http';
  const targets = use.group ? use.group.servers.map((s) => ({ host: s.host, port: s.port ?? 443 })) : [{ host: use.host ?? '', port: use.port ?? 443 }];
  for (const t of targets) {
    const hit = firstCertifiedServer(model, family, t.host.toLowerCase(), t.port);
    if (hit) return { name: hit.name, from: `the server_name of the backend server at line ${lineNumber(hit.server.ld)}` };
  }
  return null;
}

/** Where the name the user gives goes, until they give it (a plain word, so the text still parses). */
const NAME_PLACEHOLDER = '__CERTIFICATE_NAME__';

/**
 * Reports a use whose certificate is checked against a name no certificate carries. Apart from the rule's loop:
 * the fix closures made here would otherwise take the loop's variables into a context made for every use.
 */
function reportMismatch(ctx: RuleContext, use: TlsUse, host: string, checked: string, suggestion: string | null, why: NonNullable<ReturnType<typeof unmatchableName>>): void {
  const written = tlsSettings(ctx.model).get(use, 'name');
  const nameDirective = tlsDirective(use.family, 'name');
  const via = written ? ` (${nameDirective} ${written.d.args.map((a) => a.value).join(' ')}, line ${lineNumber(written)})` : '';
  const problem = why === 'ip'
    ? `the IP address ${checked}${via}: nginx never matches an IP against a certificate, so every handshake fails`
    : `"${host}", the upstream group's name${via}: a name without a dot, which no public CA certifies (only a certificate from your own CA can carry it)`;
  // The fixes are made when read (an editor's code action, --fix): in a big config most never are.
  const insert = (name: string): TextEdit[] | null => {
    const block = settingsBlock(use.block);
    // Not where another backend reads the same name (an `if` branch, a nested location): it would fail there.
    if (changesAnotherBackend(ctx.model, use, block, [nameDirective])) return null;
    // A name written here (`proxy_ssl_name $proxy_host`) is changed: a second one is a duplicate for nginx -t.
    const setter = directiveSetter(ctx.model, block, anchorIn(block, use.pass));
    setter.set(nameDirective, name);
    const edits = setter.edits();
    return edits.length ? edits : null;
  };
  const ask = (): Fix[] => {
    // Nothing in the config names the certificate: the editor asks the user, and nothing guesses.
    const edits = insert(NAME_PLACEHOLDER);
    return edits ? [{ title: `Set ${nameDirective} to the certificate's name…`, edits, isPreferred: false, safe: false, input: { placeholder: NAME_PLACEHOLDER, prompt: `The DNS name in the certificate of ${use.group ? `the servers of upstream "${host}"` : host} (written as ${nameDirective})` } }] : [];
  };
  /** The fix that writes a name the config gives (`from`: where it comes from, for the title), else ask. */
  const fixWriting = (name: string, from?: string) => (): Fix[] => {
    const edits = insert(name);
    return edits ? [{ title: `Check the certificate for ${name} (${nameDirective}${from ? `, from ${from}` : ''})`, edits, isPreferred: true, safe: false }] : ask();
  };
  let fixes = ask;
  let advice = `Set ${nameDirective} to the name in the certificate.`;
  if (suggestion) fixes = fixWriting(suggestion);
  // An IP written as the name where the pass names a host: that host is the name nginx would check without it.
  else if (checked !== host && (isCertificateName(host) || host === 'localhost')) {
    fixes = fixWriting(host, 'the pass URL');
    advice = `Set ${nameDirective} ${host} (the host of the pass URL), or remove it.`;
  }
  else if (isIpLiteral(host) || use.group?.servers.every((x) => isIpLiteral(x.host) || x.host.startsWith('unix:'))) {
    // Addresses only: the name is not in the URL or the group. Offered only when this config says it.
    const known = nameOfBackend(ctx.model, ctx.certificates, use);
    if (known) {
      fixes = fixWriting(known.name, known.from);
      advice = `Set ${nameDirective} ${known.name} (${known.from}).`;
    } else advice = `Set ${nameDirective} to the name in the certificate; this config does not say which name that is, so the quick fix asks for it.`;
  }
  ctx.report({
    message: `The upstream certificate is checked against ${problem}. ${advice}`,
    fixes,
    ...argSpan(use.pass, 0),
  });
}

export const upstreamTlsNameMismatch: Rule = {
  id: 'upstream-tls-name-mismatch',
  defaultSeverity: 'warning',
  title: 'Verified upstream checked against a name its certificate cannot have',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  explanation: `With verification on, nginx checks the upstream certificate against \`proxy_ssl_name\`, or by default
against the host in the pass URL, which for \`proxy_pass https://backend\` is the upstream group's name
"backend", not the names of its servers. nginx matches DNS names only: an IP address in the URL never
matches, even a certificate with that IP in its subjectAltName. The result is a 502 for every request
("upstream SSL certificate does not match"). Set \`proxy_ssl_name\` to the name the certificate is issued
for (and \`proxy_ssl_server_name on\` to send it as SNI).

The fix inserts \`proxy_ssl_name\` with a name the config itself gives: a DNS name among the group's servers; for
servers that are IP addresses, a DNS name of the certificate the backend presents when the backend is a server of
this config whose certificate can be read, else that server's \`server_name\`. A backend elsewhere gives no name to
take, and a guessed name would only move the failure: there the editor's quick fix asks you for the name (the one
on the certificate your backend presents; \`openssl s_client -connect ADDRESS:PORT\` shows it) and inserts it. The
command line offers no fix for it.`,
  cases: {
    messages: {
      ipAddress: /^The upstream certificate is checked against the IP address /,
      groupName: /^The upstream certificate is checked against "[^"]*", the upstream group's name/,
    },
    valid: [
      {
        config: conf`
          upstream backend { server 10.0.0.1:443; }
          server {
              location / {
                  proxy_pass https://backend;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate ca.crt;
                  proxy_ssl_name api.example.com;
              }
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_pass https://10.0.0.1:8443;
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate ca.crt;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 12, messageId: 'ipAddress' }],
      },
      {
        config: conf`
          upstream backend { server api.internal.example:443; }
          server {
              location / {
                  proxy_pass https://backend;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate ca.crt;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 4, column: 20, messageId: 'groupName' }],
      },
      { config: 'upstream backend {\n    server 127.0.0.1:8443;\n}\nserver {\n    listen 127.0.0.1:8443 ssl;\n    server_name app.test;\n    ssl_certificate server.crt;\n    ssl_certificate_key server.key;\n}\nserver {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass https://backend;   # the app\n        proxy_ssl_verify on;\n        proxy_ssl_trusted_certificate root.crt;\n    }\n}\n', context: 'http', errors: [{ line: 13, column: 20, messageId: 'groupName' }], files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' }, fixed: 'upstream backend {\n    server 127.0.0.1:8443;\n}\nserver {\n    listen 127.0.0.1:8443 ssl;\n    server_name app.test;\n    ssl_certificate server.crt;\n    ssl_certificate_key server.key;\n}\nserver {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass https://backend;   # the app\n        proxy_ssl_name backend.test;\n        proxy_ssl_verify on;\n        proxy_ssl_trusted_certificate root.crt;\n    }\n}\n' },
      {
        // $proxy_host is the URL's host, here the group's name: the same name as without the directive.
        config: conf`
          upstream backend { server api.internal.example:443; }
          server {
              location / {
                  proxy_pass https://backend;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate ca.crt;
                  proxy_ssl_name $proxy_host;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 4, column: 20, messageId: 'groupName' }],
        fixed: conf`
          upstream backend { server api.internal.example:443; }
          server {
              location / {
                  proxy_pass https://backend;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate ca.crt;
                  proxy_ssl_name api.internal.example;
              }
          }
        `,
      },
      { config: 'upstream backend { server 10.0.0.1:443; server 10.0.0.2:443; }\nserver {\n    location / {\n        proxy_pass https://backend;\n        proxy_ssl_verify on;\n        proxy_ssl_trusted_certificate ca.crt;\n    }\n}\n', context: 'http', errors: [{ line: 4, column: 20, messageId: 'groupName' }] },
      {
        // An IP address written as the name fails the same way.
        config: conf`
          location / {
              proxy_pass https://api.example.com;
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
              proxy_ssl_name 10.0.0.5;
          }
        `,
        context: 'http/server',
        errors: [{ line: 2, column: 16, messageId: 'ipAddress' }],
        fixed: conf`
          location / {
              proxy_pass https://api.example.com;
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
              proxy_ssl_name api.example.com;
          }
        `,
      },
    ],
  },
  check(ctx) {
    const useList = tlsUses(ctx.model);
    const settings = tlsSettings(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      if (!use.certain || !use.host) continue;
      if (!isFlagOnAt(ctx.model.store, settings.at(use, 'verify'))) continue;
      const checked = checkedName(ctx.model, use);
      // proxy_ssl_name set to another name is the user's choice, unless it is an IP address (which no
      // certificate passes either); one that comes to the default (`$proxy_host`, `grp:443`) fails alike.
      if (checked === null) continue;
      if (checked !== use.host && !isIpLiteral(checked)) continue;
      const why = unmatchableName(use, checked);
      if (why) reportMismatch(ctx, use, use.host, checked, verificationName(ctx.model, use).suggestion, why);
    }
  },
};
