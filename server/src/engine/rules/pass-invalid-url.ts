// Pass directive URLs nginx refuses when it loads the config.

import { parsePassUrl } from '../model/pass-url';
import { argSpan, Rule, handlerLine } from './rule';
import { conf } from './case-text';

export const passInvalidUrl: Rule = {
  id: 'pass-invalid-url',
  defaultSeverity: 'error',
  title: 'Upstream address nginx refuses',
  nginxRejects: true,
  locality: 'server',
  explanation: `nginx checks the address of \`proxy_pass\`, \`grpc_pass\` and stream \`proxy_pass\` when it loads the
config (unless it contains variables): \`proxy_pass\` needs \`http://\` or \`https://\`; \`grpc_pass\` takes
\`grpc://\` or \`grpcs://\` (not \`https://\`) and needs a port unless it names an upstream group; stream
\`proxy_pass\` takes no scheme at all (TLS there is \`proxy_ssl on\`); an upstream group name cannot carry a
port; and inside \`if\`, \`limit_except\`, a regex location or a named location the URL may not have a path.`,
  cases: {
    messages: {
      prefix: /^invalid URL prefix in /,
      groupWithPort: /^upstream "[^"]*" may not have port/,
      uriPart: /cannot have URI part in location given by regular expression/,
      invalidHost: /^invalid host in upstream /,
      noPort: /^no port in upstream /,
    },
    valid: [
      {
        config: conf`
          upstream backend { server 127.0.0.1:8443; }
          server {
              location / { proxy_pass https://backend; }
              location ~ \.php$ { proxy_pass http://127.0.0.1:9000; }
              location /g { grpc_pass grpcs://127.0.0.1:50051; }
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          proxy_pass $scheme://$host$request_uri;
        `,
        context: 'http/location',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_pass ftp://127.0.0.1;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 12, messageId: 'prefix' }],
      },
      {
        config: conf`
          upstream backend { server 127.0.0.1:8443; }
          server {
              location / { proxy_pass https://backend:8443; }
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 29, messageId: 'groupWithPort' }],
      },
      {
        config: conf`
          if ($arg_a) {
              proxy_pass http://127.0.0.1:8080/path;
          }
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 16, messageId: 'uriPart' }],
      },
      {
        config: conf`
          grpc_pass https://127.0.0.1:50051;
          grpc_pass grpc://127.0.0.1;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 11, messageId: 'invalidHost' }, { line: 2, column: 11, messageId: 'noPort' }],
      },
      {
        config: conf`
          server {
              listen 5000;
              proxy_pass https://127.0.0.1:5443;
          }
        `,
        context: 'stream',
        errors: [{ line: 3, column: 16, messageId: 'invalidHost' }],
      },
    ],
  },
  check(ctx) {
    const ldList = ctx.model.all;
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      const name = ld.name;
      if ((name !== 'proxy_pass' && name !== 'grpc_pass') || ld.argc !== 1) continue;
      const url = ld.arg(0);
      if (url.includes('$')) continue;
      const kind = ld.block.kind;
      const report = (message: string) => ctx.report({ nginxLine: handlerLine(ld), message, ...argSpan(ld, 0) });
      if (kind === 'stream/server') {
        if (url.includes('://')) report(`invalid host in upstream "${url}": stream proxy_pass takes host:port without a scheme (use "proxy_ssl on" for TLS)`);
        continue;
      }
      if (!(kind === 'http/location' || kind === 'http/if-location' || kind === 'http/limit_except')) continue;
      const parsed = parsePassUrl(url);
      if (name === 'proxy_pass') {
        if (parsed.scheme !== 'http' && parsed.scheme !== 'https') { report(`invalid URL prefix in "${url}": proxy_pass takes http:// or https://`); continue; }
      } else if (parsed.scheme !== null && parsed.scheme !== 'grpc' && parsed.scheme !== 'grpcs') {
        // nginx strips only grpc(s):// and then reads "https://…" as a host.
        report(`invalid host in upstream "${url}": grpc_pass takes grpc:// or grpcs://`);
        continue;
      }
      if (parsed.rest.startsWith('unix:')) continue;
      const { host, port } = parsed;
      const group = ctx.model.upstream('http', host);
      if (group && port !== null) { report(`upstream "${host}" may not have port ${port}: the servers of the group carry the ports`); continue; }
      if (name === 'grpc_pass' && !group && port === null) { report(`no port in upstream "${host}": grpc_pass needs an explicit port`); continue; }
      if (name === 'proxy_pass' && parsed.path !== null) {
        const loc = ctx.model.enclosing(ld.block, 'http/location')?.owner;
        const regex = loc && (loc.d.args[0]?.value === '~' || loc.d.args[0]?.value === '~*' || loc.d.args[0]?.value.startsWith('@'));
        if (kind !== 'http/location' || regex) {
          report('"proxy_pass" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block');
        }
      }
    }
  },
};
