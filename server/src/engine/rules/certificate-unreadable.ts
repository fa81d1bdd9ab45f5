// A certificate, key or CA file nginx would fail to load: missing, not PEM, or without what it must hold.

import { CertificateRef, certificateRole, FileState, serverFileLoaded } from '../certificates/files';
import { LDir } from '../model/model';
import { argSpan, handlerLine, readsTlsAnd, Rule, RuleContext } from './rule';
import { allTlsFacts, tlsFact, tlsDirective } from '../knowledge/tls-directives';
import { isFlagOn, tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { SERVER_INPUTS } from '../model/servers';
import { conf } from './case-text';

/**
 * Whether nginx loads the file at all: upstream files only where a location talks TLS to its upstream (CA
 * files only with verification on there), server files only in a server that takes them and has a TLS
 * context (a client CA only with ssl_verify_client there).
 */
function loaded(ctx: RuleContext, ref: CertificateRef, upstreamLoaded: () => Set<LDir>): boolean {
  const fact = tlsFact(ref.ld.name);
  if (!fact) return true;
  if (fact.side === 'server') return serverFileLoaded(ctx.model, ref.ld, ctx.settings.nginxVersion);
  return upstreamLoaded().has(ref.ld);
}

/** Upstream-side file suffixes (`certificate`, `trusted_certificate`, …), from the TLS table. */
const UPSTREAM_FILE_SUFFIXES = [...new Set([...allTlsFacts()].filter((f) => f.side === 'upstream' && f.value === 'file').map((f) => f.suffix))];

/**
 * The upstream-side file directives nginx loads: those in effect where some TLS connection is made (a CA file
 * only where that connection is verified). Worked out once per check, not per file named.
 */
function upstreamFilesLoaded(ctx: RuleContext): Set<LDir> {
  const out = new Set<LDir>();
  const useList = tlsUses(ctx.model);
  for (let useIndex = 0; useIndex < useList.length; useIndex++) {
    const use = useList[useIndex];
    for (const suffix of UPSTREAM_FILE_SUFFIXES) {
      const ld = ctx.model.first(tlsDirective(use.family, suffix), use.block);
      if (!ld || out.has(ld)) continue;
      if (certificateRole(ld.name) !== 'ca' || isFlagOn(ctx.model.first(tlsDirective(use.family, 'verify'), use.block))) out.add(ld);
    }
  }
  return out;
}

function loadFailure(ref: CertificateRef): string {
  switch (ref.role) {
    case 'certificate': return `cannot load certificate "${ref.serverPath}"`;
    case 'key': return `cannot load certificate key "${ref.serverPath}"`;
    case 'ca': return `SSL_CTX_load_verify_locations("${ref.serverPath}") failed`;
    case 'crl': return `X509_LOOKUP_load_file("${ref.serverPath}") failed`;
  }
}

function problem(ref: CertificateRef, state: FileState): string | undefined {
  if (state.kind === 'missing') return `the file does not exist (${state.error})`;
  if (state.kind !== 'read') return undefined;
  const f = state.file;
  if (ref.role === 'certificate' && f.certificates.length === 0) return f.broken.length ? `its certificate cannot be read (${f.broken[0]})` : 'it holds no PEM certificate';
  if (ref.role === 'key' && f.keys.length === 0) return f.broken.some((b) => b.includes('PRIVATE KEY')) ? `its key cannot be read (${f.broken.find((b) => b.includes('PRIVATE KEY'))})` : 'it holds no PEM private key';
  if ((ref.role === 'ca' || ref.role === 'crl') && f.certificates.length === 0 && f.crls === 0) return 'no certificate or crl found in it';
  if (f.broken.length && ref.role !== 'key') return `a PEM block in it cannot be read (${f.broken[0]})`;
  return undefined;
}

export const certificateUnreadable: Rule = {
  id: 'certificate-unreadable',
  defaultSeverity: 'error',
  title: 'A certificate, key or CA file nginx cannot load',
  nginxRejects: true,
  reads: readsTlsAnd(TLS_USE_INPUTS, SERVER_INPUTS, ['starttls', 'ssl']),
  explanation: `nginx loads every certificate, key, CA and CRL file a config names when it reads the config, and
\`nginx -t\` fails when one is missing, is not PEM, or holds nothing of what it must: a certificate for
\`ssl_certificate\`, a private key for \`ssl_certificate_key\`, a certificate or CRL for the CA files ("no
certificate or crl found"). Relative paths are relative to the configuration prefix (the main config's folder),
not to the file that names them.

A file inside the workspace (or a relative path) is checked. An absolute path outside the workspace that does
not exist on this machine is not reported: the config is often edited away from the server it runs on. Map the
server's folders to the workspace with \`nginxTlsProxy.pathMap\` (\`{ "/etc/nginx/ssl": "deploy/ssl" }\`, or
\`--path-map /etc/nginx/ssl=deploy/ssl\` on the command line) to have them checked. Paths with variables are
resolved per request and are not checked. Files nginx does not load are not reported either: upstream
certificates where no location talks TLS to its upstream, upstream CA files where verification is off, and a
server-side file written in \`http\` (or \`stream\`, \`mail\`) that no TLS server takes from there (every server
sets its own, or none verifies clients for an \`ssl_client_certificate\`).`,
  cases: {
    messages: {
      missing: /: the file does not exist \(2: No such file or directory\)/,
      noCertificateInCa: /^SSL_CTX_load_verify_locations\("[^"]*"\) failed: no certificate or crl found/,
      notPem: /^cannot load certificate "[^"]*": it holds no PEM certificate/,
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
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    let upstream: Set<LDir> | undefined;
    const upstreamLoaded = () => (upstream ??= upstreamFilesLoaded(ctx));
    for (const ref of files.refs(ctx.model)) {
      const state = files.state(ctx.model, ref);
      const why = problem(ref, state);
      if (!why || !loaded(ctx, ref, upstreamLoaded)) continue;
      const here = ref.mapped ? ` (read here as ${ref.path}, through the path map)` : ref.serverPath !== ref.configured ? ` (relative to the prefix ${ctx.model.prefix})` : '';
      ctx.report({ nginxLine: handlerLine(ref.ld), message: `${loadFailure(ref)}: ${why}${here}, so nginx -t fails.`, ...argSpan(ref.ld, 0) });
    }
  },
};
