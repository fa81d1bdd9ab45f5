// Plain HTTP sent to port 443: almost always a missing "s" in the scheme.

import { isUsePass, tlsUses } from '../model/tls-uses';
import { ConfigModel } from '../model/model';
import { parsePassUrl } from '../model/pass-url';
import { setArguments } from '../fixes/edits';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const plaintextToTlsPort: Rule = {
  id: 'plaintext-to-tls-port',
  defaultSeverity: 'warning',
  title: 'Plain HTTP to a TLS port',
  nginxRejects: false,
  locality: 'server',
  explanation: `\`proxy_pass http://host:443\` (or to an upstream group whose servers all use port 443) sends
unencrypted HTTP to a port where a TLS server listens: requests fail with "400 plain HTTP request was sent to
HTTPS port", or worse, a misconfigured upstream answers in clear text. Use \`https://\` (and verify it).`,
  cases: {
    messages: {
      port: /^Plain HTTP to port \d+: this is a TLS port/,
      group: /^Plain HTTP to upstream group "[^"]*", whose servers listen on port/,
    },
    valid: [
      {
        config: conf`
          proxy_pass http://127.0.0.1:8080;
        `,
        context: 'http/location',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_pass http://a.example.com:443;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 12, messageId: 'port' }],
        fixed: conf`
          proxy_pass https://a.example.com:443;
        `,
      },
      {
        config: conf`
          upstream b { server 10.0.0.1:443; server 10.0.0.2:443; }
          server {
              location / { proxy_pass http://b; }
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 29, messageId: 'group' }],
      },
    ],
  },
  check(ctx) {
    const ldList = ctx.model.named('proxy_pass');
    // A pass that is a TLS use is https, or takes its scheme from a variable: never plain http here (most
    // passes of a big config are https, and their addresses are not read again).
    const tlsPass = isUsePass(tlsUses(ctx.model));
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (tlsPass(ld)) continue;
      if (ld.argc !== 1 || !ld.block.kind.startsWith('http/')) continue;
      const url = ld.arg(0);
      // Most passes of a big config are https: they are told apart without parsing them.
      if (!PLAIN_HTTP.test(url)) continue;
      const { scheme, hasVariables, host, port, rest } = parsePassUrl(url);
      if (scheme !== 'http' || hasVariables) continue;
      if (!toTls(ctx.model, host, port)) continue;
      ctx.report({
        message: `Plain HTTP to ${port === 443 ? 'port 443' : `upstream group "${host}", whose servers listen on port 443`}: this is a TLS port. Did you mean https://?`,
        fixes: [{ title: 'Use https://', edits: [setArguments(ld, 'https://' + rest)], isPreferred: true, safe: false }],
        ...argSpan(ld, 0),
      });
    }
  },
};

/** The start of every address whose scheme is http: a necessary condition, checked before parsing. */
const PLAIN_HTTP = /^http:\/\//i;

function toTls(model: ConfigModel, host: string, port: number | null): boolean {
  if (port === 443) return true;
  if (port !== null) return false;
  const g = model.upstream('http', host);
  return !!g && g.servers.length > 0 && g.servers.every((s) => s.port === 443);
}
