// Protocol versions with known breaks, enabled explicitly or by the version's default.

import { defaultProtocols, versionLabel, WEAK_PROTOCOLS } from '../knowledge/tls';
import { setArguments, insertDirectives } from '../fixes/edits';
import { anchorIn } from '../model/verification';
import { LBlock, LDir } from '../model/model';
import { settingsBlock, tlsUses, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective, tlsNamesWithValue } from '../knowledge/tls-directives';
import { serverTls, SERVER_INPUTS } from '../model/servers';
import { argSpan, directiveSpan, readsTlsAnd, Rule } from './rule';
import { conf } from './case-text';


export const tlsWeakProtocols: Rule = {
  id: 'tls-weak-protocols',
  defaultSeverity: 'warning',
  title: 'Obsolete TLS/SSL protocol versions enabled',
  nginxRejects: false,
  reads: readsTlsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  explanation: `SSLv2 and SSLv3 are broken, and TLS 1.0 and 1.1 were formally retired in 2021 (RFC 8996): they rely
on SHA-1 and CBC constructions with practical attacks, and no current client or server needs them. nginx
accepts them without a word. Up to nginx 1.23.3 they are also what you get by default (\`TLSv1 TLSv1.1
TLSv1.2\`, and still \`TLSv1\`/\`TLSv1.1\` until 1.27.2), so a server or upstream connection without its own
\`ssl_protocols\`/\`proxy_ssl_protocols\` line inherits them. Use \`TLSv1.2 TLSv1.3\`.`,
  cases: {
    messages: {
      enabled: /^(SSLv3|TLSv1)[^:]* (is|are) obsolete and enabled here/,
      upstreamDefault: /^TLS to this upstream uses nginx [\d.]+'s default protocols/,
      serverDefault: /^This TLS server uses nginx [\d.]+'s default protocols/,
    },
    valid: [
      {
        config: conf`
          proxy_pass https://a.example.com;
          proxy_ssl_protocols TLSv1.2 TLSv1.3;
        `,
        context: 'http/location',
        nginxVersion: '1.22',
      },
      {
        config: conf`
          proxy_pass https://a.example.com;
        `,
        context: 'http/location',
        nginxVersion: '1.28',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 1, messageId: 'enabled' }],
        fixed: conf`
          proxy_ssl_protocols TLSv1.2 TLSv1.3;
        `,
      },
      {
        config: conf`
          ssl_protocols SSLv3 TLSv1.2;
        `,
        context: 'http/server',
        errors: [{ line: 1, column: 15, messageId: 'enabled' }],
      },
      {
        config: conf`
          proxy_pass https://a.example.com;
        `,
        context: 'http/location',
        nginxVersion: '1.22',
        errors: [{ line: 1, column: 1, messageId: 'upstreamDefault' }],
      },
      {
        // Two families in one location: each default is its own finding (and fix).
        config: conf`
          if ($http_content_type = "application/grpc") {
              grpc_pass grpcs://127.0.0.1:50051;
          }
          proxy_pass https://a.example.com;
        `,
        context: 'http/location',
        nginxVersion: '1.22',
        errors: [{ line: 2, column: 5, messageId: 'upstreamDefault' }, { line: 4, column: 1, messageId: 'upstreamDefault' }],
      },
      {
        config: conf`
          server {
              listen 443 ssl;
              ssl_certificate a.crt;
              ssl_certificate_key a.key;
          }
        `,
        context: 'http',
        nginxVersion: '1.26',
        errors: [{ line: 2, column: 5, messageId: 'serverDefault' }],
      },
    ],
  },
  check(ctx) {
    const good = 'TLSv1.2 TLSv1.3';
    const ldList = ctx.model.namedAny(tlsNamesWithValue('protocols'));
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (ld.block.kind === 'raw' || ld.block.kind === 'opaque') continue;
      const args = ld.d.args;
      const weak = args.filter((a) => WEAK_PROTOCOLS.has(a.value.toLowerCase()));
      if (!weak.length) continue;
      const first = args.indexOf(weak[0]);
      ctx.report({
        ...(weak.length === 1 ? argSpan(ld, first) : directiveSpan(ld)),
        message: `${weak.map((a) => a.value).join(', ')} ${weak.length > 1 ? 'are' : 'is'} obsolete and enabled here; allow only TLSv1.2 and TLSv1.3.`,
        fixes: [{ title: `Allow only ${good}`, edits: [setArguments(ld, good)], isPreferred: true, safe: false }],
      });
    }
    const defaults = defaultProtocols(ctx.settings.nginxVersion).filter((p) => WEAK_PROTOCOLS.has(p.toLowerCase()));
    if (!defaults.length) return;
    const version = versionLabel(ctx.settings.nginxVersion);
    // Per block and directive: a location with a grpc and a proxy pass (or a stream server that is a TLS server
    // and proxies over TLS) uses two defaults, each with its own finding and fix.
    const flagged = new Map<LBlock, Set<string>>();
    const report = (name: string, where: LDir, block: LBlock, what: string) => {
      if (ctx.model.lookup(name, block)?.length ?? 0) return;
      let names = flagged.get(block);
      if (!names) flagged.set(block, (names = new Set()));
      if (names.has(name)) return;
      names.add(name);
      const edit = insertDirectives(block, [`${name} ${good};`], anchorIn(block, where));
      ctx.report({
        message: `${what} uses nginx ${version}'s default protocols, which include ${defaults.join(' and ')}: set ${name} ${good}.`,
        fixes: edit ? [{ title: `Add ${name} ${good}`, edits: [edit], isPreferred: true, safe: false }] : [],
        ...directiveSpan(where),
      });
    };
    const useList = tlsUses(ctx.model);
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      if (!use.certain) continue;
      report(tlsDirective(use.family, 'protocols'), use.pass, settingsBlock(use.block), 'TLS to this upstream');
    }
    const sList = serverTls(ctx.model);
    for (let sIndex = 0; sIndex < sList.length; sIndex++) {
      const s = sList[sIndex];
      if (!s.listenSsl) continue;
      report('ssl_protocols', s.listenSsl, s.block, 'This TLS server');
    }
  },
};
