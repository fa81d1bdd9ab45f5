// A certificate, key, CA or other TLS file nginx would fail to load: missing, not PEM, or without what it
// must hold.

import { tlsSettings } from '../model/tls-settings';
import { CertificateRef, certificateRole, FileState, LoadedFileRole, pairsLoadedPerRequest, serverFileLoaded } from '../certificates/files';
import { LDir } from '../model/model';
import { argSpan, handlerLine, readsTlsAnd, Rule, RuleContext } from './rule';
import { allTlsFacts, tlsFact } from '../knowledge/tls-directives';
import { isFlagOn, tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { SERVER_INPUTS } from '../model/servers';
import { conf } from './case-text';

/**
 * Whether nginx loads the file at all, as the TLS table's `load` says: a password file as soon as the
 * directive is read; upstream files only where a location talks TLS to its upstream (CA files and CRLs only
 * with verification on there, a pair only when neither has variables), server files only in a server that
 * takes them and has a TLS context (a client CA only with ssl_verify_client there).
 */
function loaded(ctx: RuleContext, ref: CertificateRef<LoadedFileRole>, upstreamLoaded: () => Set<LDir>): boolean {
  const fact = tlsFact(ref.ld.name);
  if (!fact) return true;
  if (fact.load?.at === 'directive') return true;
  if (fact.side === 'server') return serverFileLoaded(ctx.model, ref.ld, ctx.settings.nginxVersion);
  return upstreamLoaded().has(ref.ld);
}

/** Upstream-side suffixes of the files read where a TLS connection is made (`certificate`, `crl`, …), from the TLS table. */
const UPSTREAM_FILE_SUFFIXES = [...new Set([...allTlsFacts()].filter((f) => f.side === 'upstream' && f.value === 'file' && f.load?.at === 'context').map((f) => f.suffix))];

/**
 * The upstream-side file directives nginx loads: those in effect where some TLS connection is made (a CA file
 * only where that connection is verified, a certificate and key only when neither has variables: then both
 * are loaded per request). Worked out once per check, not per file named.
 */
function upstreamFilesLoaded(ctx: RuleContext): Set<LDir> {
  const out = new Set<LDir>();
  const useList = tlsUses(ctx.model);
  const version = ctx.settings.nginxVersion;
  const settings = tlsSettings(ctx.model);
  for (let useIndex = 0; useIndex < useList.length; useIndex++) {
    const use = useList[useIndex];
    const pair = [settings.get(use, 'certificate'), settings.get(use, 'certificate_key')];
    const pairLoaded = !pairsLoadedPerRequest(pair, version);
    for (const suffix of UPSTREAM_FILE_SUFFIXES) {
      const ld = settings.get(use, suffix);
      if (!ld || out.has(ld)) continue;
      const role = certificateRole(ld.name);
      if (role === 'ca' || role === 'crl' ? isFlagOn(settings.get(use, 'verify')) : pairLoaded) out.add(ld);
    }
  }
  return out;
}

/** What nginx (1.22) says when it cannot load the file, before its reason. */
function loadFailure(ref: CertificateRef<LoadedFileRole>, state: FileState): string {
  const path = ref.serverPath;
  switch (ref.role) {
    case 'certificate': return `cannot load certificate "${path}"`;
    case 'key': return `cannot load certificate key "${path}"`;
    case 'ca': return `SSL_CTX_load_verify_locations("${path}") failed`;
    case 'crl': return `X509_LOOKUP_load_file("${path}") failed`;
    case 'dhparam': return state.kind === 'read' ? `PEM_read_bio_DHparams("${path}") failed` : `BIO_new_file("${path}") failed`;
    case 'password': return `open() "${path}" failed`;
    case 'ticket-key': return state.kind === 'read' ? `"${path}" must be 48 or 80 bytes` : `open() "${path}" failed`;
    case 'ocsp-response': return `BIO_new_file("${path}") failed`;
  }
}

/** Sizes nginx takes a session ticket key file in: 48 bytes (AES-128 keys) or 80 (AES-256). */
const TICKET_KEY_SIZES = [48, 80];

function problem(ref: CertificateRef<LoadedFileRole>, state: FileState): string | undefined {
  if (state.kind === 'missing') return `the file does not exist (${state.error})`;
  if (state.kind !== 'read') return undefined;
  const f = state.file;
  // Any text will do as passwords; a stapled OCSP response is DER, not looked into here.
  if (ref.role === 'password' || ref.role === 'ocsp-response') return undefined;
  if (ref.role === 'dhparam') return f.dhParameters ? undefined : 'it holds no PEM DH parameters (make them with `openssl dhparam -out dhparam.pem 2048`)';
  if (ref.role === 'ticket-key') return f.sizes.some((n) => TICKET_KEY_SIZES.includes(n)) ? undefined : 'it is another size (make one with `openssl rand 80`)';
  if (ref.role === 'certificate' && f.certificates.length === 0) return f.broken.length ? `its certificate cannot be read (${f.broken[0]})` : 'it holds no PEM certificate';
  if (ref.role === 'key' && f.keys.length === 0) return f.broken.some((b) => b.includes('PRIVATE KEY')) ? `its key cannot be read (${f.broken.find((b) => b.includes('PRIVATE KEY'))})` : 'it holds no PEM private key';
  if ((ref.role === 'ca' || ref.role === 'crl') && f.certificates.length === 0 && f.crls === 0) return 'no certificate or crl found in it';
  if (f.broken.length && ref.role !== 'key') return `a PEM block in it cannot be read (${f.broken[0]})`;
  return undefined;
}

export const certificateUnreadable: Rule = {
  id: 'certificate-unreadable',
  defaultSeverity: 'error',
  title: 'A certificate, key, CA or other TLS file nginx cannot load',
  nginxRejects: true,
  reads: readsTlsAnd(TLS_USE_INPUTS, SERVER_INPUTS, ['starttls', 'ssl']),
  explanation: `nginx loads every certificate, key, CA and CRL file a config names when it reads the config, and
\`nginx -t\` fails when one is missing, is not PEM, or holds nothing of what it must: a certificate for
\`ssl_certificate\`, a private key for \`ssl_certificate_key\`, a certificate or CRL for the CA files ("no
certificate or crl found"). The same goes for the other files nginx reads then: \`ssl_dhparam\` must hold PEM DH
parameters, \`ssl_session_ticket_key\` must be 48 or 80 bytes, and \`ssl_stapling_file\` (read where
\`ssl_stapling\` is on) must exist. A password file (\`ssl_password_file\`, \`proxy_ssl_password_file\` and the
grpc and uwsgi ones) is opened as soon as nginx reads the directive, wherever it is written, even where nothing
uses it; any text in it will do. Relative paths are relative to the configuration prefix (the main config's
folder), not to the file that names them.

A file inside the workspace (or a relative path) is checked. An absolute path outside the workspace that does
not exist on this machine is not reported: the config is often edited away from the server it runs on. Map the
server's folders to the workspace with \`nginxTlsProxy.pathMap\` (\`{ "/etc/nginx/ssl": "deploy/ssl" }\`, or
\`--path-map /etc/nginx/ssl=deploy/ssl\` on the command line) to have them checked.

Only certificates and keys may name their file with variables: \`ssl_certificate\` and \`ssl_certificate_key\`
since nginx 1.15.9 (http and stream; mail has no variables), \`proxy_ssl_certificate\` and
\`proxy_ssl_certificate_key\` (and the grpc and uwsgi ones) since 1.21.0. nginx then loads them per handshake or
request, and \`nginx -t\` opens none of that server's (or that upstream's) certificates and keys, so they are not
checked. The same goes for \`data:\` values (1.15.10), \`engine:\` keys and \`store:\` keys (1.29.0). Everywhere
else, in an older version, and for CA files, CRLs and certificates in any version, nginx takes the value as it
is for a path: \`proxy_ssl_trusted_certificate $ca;\` or \`ssl_certificate engine:…;\` names a file that must
exist, and is checked like any other (set \`nginxVersion\` to the version the server runs).

Files nginx does not load are not reported either: upstream certificates where no location talks TLS to its
upstream, upstream CA files and CRLs where verification is off, and a server-side file written in \`http\` (or
\`stream\`, \`mail\`) that no TLS server takes from there (every server sets its own, or none verifies clients
for an \`ssl_client_certificate\`).`,
  cases: {
    messages: {
      missing: /: the file does not exist \(2: No such file or directory\)/,
      noCertificateInCa: /^SSL_CTX_load_verify_locations\("[^"]*"\) failed: no certificate or crl found/,
      notPem: /^cannot load certificate "[^"]*": it holds no PEM certificate/,
      noDhParameters: /^PEM_read_bio_DHparams\("[^"]*"\) failed: it holds no PEM DH parameters/,
      ticketKeySize: /^"[^"]*" must be 48 or 80 bytes: it is another size/,
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
          proxy_pass http://127.0.0.1:8080;
          proxy_ssl_certificate missing.crt;
          proxy_ssl_certificate_key missing.key;
          proxy_ssl_trusted_certificate missing-ca.crt;
        `,
        context: 'http/location',
        files: {},
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate /nowhere/on/this/machine/server.crt;
              ssl_certificate_key /nowhere/on/this/machine/server.key;
          }
        `,
        context: 'http',
        files: {},
      },
      {
        // The http-level CA is inherited only by the first server, which does not ask for client certificates.
        config: conf`
          ssl_client_certificate missing-ca.crt;
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 8443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_client_certificate root.crt;
              ssl_verify_client on;
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
      },
      {
        // Every server names its own pair: the http-level one is never loaded.
        config: conf`
          ssl_certificate missing.crt;
          ssl_certificate_key missing.key;
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
        // A key from an OpenSSL store (nginx 1.29.0 on) is no file of the prefix.
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key store:file:/etc/nginx/ssl/server.key;
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert' },
      },
      {
        // The certificate has variables: nginx loads this server's pairs per handshake, the key included.
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate $ssl_server_name.crt;
              ssl_certificate_key missing.key;
          }
        `,
        context: 'http',
        files: {},
      },
      {
        // The same for an upstream's pair; and the CRL is read only where the upstream is verified.
        config: conf`
          proxy_pass https://backend.test;
          proxy_ssl_certificate $host.crt;
          proxy_ssl_certificate_key missing.key;
          proxy_ssl_crl missing.crl;
        `,
        context: 'http/location',
        files: {},
      },
      {
        // DH parameters and ticket keys are read only by servers with TLS: none takes these.
        config: conf`
          ssl_dhparam missing-dhparam.pem;
          ssl_session_ticket_key missing-ticket.key;
          server {
              listen 80;
          }
        `,
        context: 'http',
        files: {},
      },
      {
        // A stapled OCSP response is read only where ssl_stapling is on.
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_stapling_file missing-ocsp.der;
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key' },
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate missing.crt;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 21, messageId: 'missing' }],
        files: { 'server.key': 'server-key' },
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_client_certificate notes.txt;
              ssl_verify_client on;
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 28, messageId: 'noCertificateInCa' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'notes.txt': 'not-pem' },
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.key;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 21, messageId: 'notPem' }],
        files: { 'server.key': 'server-key' },
      },
      {
        config: conf`
          ssl_client_certificate missing-ca.crt;
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_verify_client optional;
          }
        `,
        context: 'http',
        errors: [{ line: 1, column: 24, messageId: 'missing' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key' },
      },
      {
        // A CA file is never expanded: nginx looks for a file named "$ca" (or "data:$ca").
        config: conf`
          proxy_pass https://backend.test;
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate $ca;
        `,
        context: 'http/location',
        errors: [{ line: 3, column: 31, messageId: 'missing' }],
        files: {},
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_trusted_certificate data:$ca;
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 29, messageId: 'missing' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key' },
      },
      {
        // engine: names keys only; for a certificate it is a file name.
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate engine:pkcs11:server;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 21, messageId: 'missing' }],
        files: { 'server.key': 'server-key' },
      },
      {
        // Before 1.15.9 a certificate's name is not expanded.
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate $ssl_server_name.crt;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        nginxVersion: '1.14',
        errors: [{ line: 3, column: 21, messageId: 'missing' }],
        files: { 'server.key': 'server-key' },
      },
      {
        // Before 1.21.0 neither is an upstream's.
        config: conf`
          proxy_pass https://backend.test;
          proxy_ssl_certificate $host.crt;
          proxy_ssl_certificate_key $host.key;
        `,
        context: 'http/location',
        nginxVersion: '1.20',
        errors: [{ line: 2, column: 23, messageId: 'missing' }, { line: 3, column: 27, messageId: 'missing' }],
        files: {},
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_dhparam dhparam.pem;
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 17, messageId: 'missing' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key' },
      },
      {
        // A certificate is no DH parameters; in stream as in http.
        config: conf`
          server {
              listen 8443 ssl;
              proxy_pass 127.0.0.1:8080;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_dhparam server.crt;
          }
        `,
        context: 'stream',
        errors: [{ line: 6, column: 17, messageId: 'noDhParameters' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key' },
      },
      {
        // Inherited from http by the TLS server.
        config: conf`
          ssl_session_ticket_key notes.txt;
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
        `,
        context: 'http',
        errors: [{ line: 1, column: 24, messageId: 'ticketKeySize' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'notes.txt': 'not-pem' },
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
              ssl_stapling on;
              ssl_stapling_file ocsp.der;
          }
        `,
        context: 'http',
        errors: [{ line: 6, column: 23, messageId: 'missing' }],
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key' },
      },
      {
        // A password file is opened when the directive is read, though no server here has TLS.
        config: conf`
          ssl_password_file passwords.txt;
          server {
              listen 80;
          }
        `,
        context: 'http',
        errors: [{ line: 1, column: 19, messageId: 'missing' }],
        files: {},
      },
      {
        // So is an upstream's, though this location talks plain HTTP.
        config: conf`
          proxy_pass http://127.0.0.1:8080;
          proxy_ssl_password_file passwords.txt;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 25, messageId: 'missing' }],
        files: {},
      },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    let upstream: Set<LDir> | undefined;
    const upstreamLoaded = () => (upstream ??= upstreamFilesLoaded(ctx));
    for (const ref of files.pathRefs(ctx.model, ctx.settings.nginxVersion)) {
      const state = files.state(ctx.model, ref);
      const why = problem(ref, state);
      if (!why || !loaded(ctx, ref, upstreamLoaded)) continue;
      const here = ref.mapped ? ` (read here as ${ref.path}, through the path map)` : ref.serverPath !== ref.configured ? ` (relative to the prefix ${ctx.model.prefix})` : '';
      ctx.report({ nginxLine: handlerLine(ref.ld), message: `${loadFailure(ref, state)}: ${why}${here}, so nginx -t fails.`, ...argSpan(ref.ld, 0) });
    }
  },
};
