// Pass directive URLs nginx refuses when it loads the config.

import { passScheme, parseUpstreamAddress, UpstreamAddress } from '../model/pass-url';
import { LDir } from '../model/model';
import { argSpan, Rule, handlerLine } from './rule';
import { conf } from './case-text';

const PASSES = ['proxy_pass', 'grpc_pass', 'uwsgi_pass'];

/** The schemes grpc_pass and uwsgi_pass strip (plain, TLS); without one they take the address as it is. */
const SCHEMES: Record<string, [string, string]> = { grpc_pass: ['grpc', 'grpcs'], uwsgi_pass: ['uwsgi', 'suwsgi'] };

export const passInvalidUrl: Rule = {
  id: 'pass-invalid-url',
  defaultSeverity: 'error',
  title: 'Upstream address nginx refuses',
  nginxRejects: true,
  locality: 'server',
  explanation: `nginx checks the address of \`proxy_pass\`, \`grpc_pass\`, \`uwsgi_pass\` and stream \`proxy_pass\` when it
loads the config (unless it contains variables): \`proxy_pass\` needs \`http://\` or \`https://\`; \`grpc_pass\` takes
\`grpc://\` or \`grpcs://\` and \`uwsgi_pass\` takes \`uwsgi://\` or \`suwsgi://\` (any other scheme, \`https://\`
included, is read as part of the host), and both need a port unless they name an upstream group or a \`unix:\`
socket; stream \`proxy_pass\` takes no scheme at all (TLS there is \`proxy_ssl on\`) and needs a port unless it
names a stream upstream group; an upstream group name cannot carry a port. A port is a number from 1 to 65535
after the first \`:\`, so an IPv6 address needs brackets (\`[::1]:8443\`); a \`unix:\` socket needs a path that
fits the system's limit (107 bytes on Linux). Only \`proxy_pass\` in http may have a URI part (from the first \`/\`
or \`?\` after the host, or after the socket path's \`:\`): \`grpc_pass\`, \`uwsgi_pass\` and stream \`proxy_pass\`
refuse one as an invalid host, and inside \`if\`, \`limit_except\`, a regex location (\`~\`, \`~*\`, also written
joined to the pattern) or a named location \`proxy_pass\` may not have one either.`,
  cases: {
    messages: {
      prefix: /^invalid URL prefix in /,
      groupWithPort: /^upstream "[^"]*" may not have port/,
      uriPart: /cannot have URI part in location given by regular expression/,
      invalidHost: /^invalid host in upstream /,
      noPort: /^no port in upstream /,
      invalidPort: /^invalid port in upstream /,
      noHost: /^no host in upstream /,
      invalidIpv6: /^invalid IPv6 address in upstream /,
      socketPath: /^(no|too long) path in the unix domain socket in upstream /,
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
      {
        // uwsgi_pass without a scheme is plain uwsgi; a group, a unix socket or an address with a port is enough.
        config: conf`
          upstream app { server 127.0.0.1:3031; }
          server {
              location /a { uwsgi_pass app; }
              location /b { uwsgi_pass suwsgi://App; }
              location /c { uwsgi_pass unix:/run/app.sock; }
              location /d { uwsgi_pass uwsgi://[::1]:3031; }
              location /e { uwsgi_pass 127.0.0.1:3031; }
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          upstream tls_backend { server 127.0.0.1:5443; }
          server { listen 127.0.0.1:5000; proxy_pass tls_backend; proxy_ssl on; }
          server { listen 127.0.0.1:5001; proxy_pass unix:/run/backend.sock; }
          server { listen 127.0.0.1:5002; proxy_pass [::1]:5443; }
        `,
        context: 'stream',
      },
      {
        // nginx recognises "unix:" in any case; a port with leading zeros is still a port.
        config: conf`
          server {
              listen 127.0.0.1:8080;
              location /a { grpc_pass UNIX:/run/grpc.sock; }
              location /b { proxy_pass http://127.0.0.1:08080; }
              location ~ \.php$ { proxy_pass http://unix:/run/php.sock; }
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          server { listen 127.0.0.1:5000; proxy_pass UNIX:/run/backend.sock; }
        `,
        context: 'stream',
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
      {
        config: conf`
          uwsgi_pass https://127.0.0.1:3031;
          uwsgi_pass suwsgi://127.0.0.1;
          uwsgi_pass [::1];
        `,
        context: 'http/location',
        errors: [
          { line: 1, column: 12, messageId: 'invalidHost' },
          { line: 2, column: 12, messageId: 'noPort' },
          { line: 3, column: 12, messageId: 'noPort' },
        ],
      },
      {
        config: conf`
          upstream app { server 127.0.0.1:3031; }
          server {
              location / { uwsgi_pass suwsgi://app:3031; }
          }
        `,
        context: 'http',
        errors: [{ line: 3, column: 29, messageId: 'groupWithPort' }],
      },
      {
        // A stream upstream group carries the ports; any other address needs one.
        config: conf`
          upstream tls_backend { server 127.0.0.1:5443; }
          server { listen 127.0.0.1:5000; proxy_pass 127.0.0.1; proxy_ssl on; }
          server { listen 127.0.0.1:5001; proxy_pass tls_backend:5443; }
          server { listen 127.0.0.1:5002; proxy_pass [::1]; }
        `,
        context: 'stream',
        errors: [
          { line: 2, column: 44, messageId: 'noPort' },
          { line: 3, column: 44, messageId: 'groupWithPort' },
          { line: 4, column: 44, messageId: 'noPort' },
        ],
      },
      {
        // The port runs from the first ":" and must be 1 to 65535: a bare IPv6 address has the port ":1".
        config: conf`
          proxy_pass https://127.0.0.1:0;
          proxy_pass https://127.0.0.1:65536;
          proxy_pass https://::1;
          grpc_pass grpc://127.0.0.1:grpc;
        `,
        context: 'http/location',
        errors: [
          { line: 1, column: 12, messageId: 'invalidPort' },
          { line: 2, column: 12, messageId: 'invalidPort' },
          { line: 3, column: 12, messageId: 'invalidPort' },
          { line: 4, column: 11, messageId: 'invalidPort' },
        ],
      },
      {
        config: conf`
          proxy_pass https://:8443;
          proxy_pass https://[::1::2]:8443;
          uwsgi_pass unix:;
        `,
        context: 'http/location',
        errors: [
          { line: 1, column: 12, messageId: 'noHost' },
          { line: 2, column: 12, messageId: 'invalidIpv6' },
          { line: 3, column: 12, messageId: 'socketPath' },
        ],
      },
      {
        // grpc_pass and uwsgi_pass take no URI part: the path is read as part of the host.
        config: conf`
          grpc_pass grpc://127.0.0.1:50051/helloworld.Greeter;
          uwsgi_pass uwsgi://127.0.0.1:3031/app;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 11, messageId: 'invalidHost' }, { line: 2, column: 12, messageId: 'invalidHost' }],
      },
      {
        // "?args" and a socket's ":/uri" are URI parts too; "~" joined to the pattern is a regex location.
        config: conf`
          server {
              location ~\.php$ { proxy_pass http://127.0.0.1:9000/index.php; }
              location @fallback { proxy_pass http://127.0.0.1:8080?from=fallback; }
              location ~* \.jpg$ { proxy_pass http://unix:/run/img.sock:/img; }
          }
        `,
        context: 'http',
        errors: [
          { line: 2, column: 35, messageId: 'uriPart' },
          { line: 3, column: 37, messageId: 'uriPart' },
          { line: 4, column: 37, messageId: 'uriPart' },
        ],
      },
      {
        // Stream proxy_pass takes no URI part and no port out of range; "unix:" needs a path.
        config: conf`
          server { listen 127.0.0.1:5000; proxy_pass 127.0.0.1:5443/tls; }
          server { listen 127.0.0.1:5001; proxy_pass 127.0.0.1:0; }
          server { listen 127.0.0.1:5002; proxy_pass unix:; }
        `,
        context: 'stream',
        errors: [
          { line: 1, column: 44, messageId: 'invalidHost' },
          { line: 2, column: 44, messageId: 'invalidPort' },
          { line: 3, column: 44, messageId: 'socketPath' },
        ],
      },
    ],
  },
  check(ctx) {
    // The pass directives from the name index, in document order (a scan of every directive per analysis
    // found the same few).
    const ldList = ctx.model.namedAny(PASSES);
    // Made once, not in the loop: a closure there would take `ld` into a context made for every pass.
    const report = (ld: LDir, message: string) => ctx.report({ nginxLine: handlerLine(ld), message, ...argSpan(ld, 0) });
    // Each address is read into this one object and judged at once.
    const scratch: UpstreamAddress = { error: null, unix: false, host: '', port: null, uri: '' };
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      const name = ld.name;
      if (ld.argc !== 1) continue;
      const url = ld.arg(0);
      if (url.includes('$')) continue;
      const kind = ld.block.kind;
      if (kind === 'stream/server') {
        if (name !== 'proxy_pass') continue;
        // Stream proxy_pass reads the whole argument as the address: no scheme, no URI part.
        const a = parseUpstreamAddress(url, false, scratch);
        if (a.error) {
          const hint = !a.unix && passScheme(url) !== null ? ': stream proxy_pass takes host:port without a scheme (use "proxy_ssl on" for TLS)' : '';
          report(ld, `${a.error} in upstream "${url}"${hint}`);
          continue;
        }
        if (a.unix) continue;
        const group = ctx.model.upstream('stream', a.host);
        if (group && a.port !== null) report(ld, `upstream "${a.host}" may not have port ${a.port}: the servers of the group carry the ports`);
        else if (!group && a.port === null) report(ld, `no port in upstream "${a.host}": stream proxy_pass needs an explicit port unless it names an upstream group`);
        continue;
      }
      if (!(kind === 'http/location' || kind === 'http/if-location' || kind === 'http/limit_except')) continue;
      const scheme = passScheme(url);
      let addr = url;
      let hint = '';
      if (name === 'proxy_pass') {
        if (scheme !== 'http' && scheme !== 'https') { report(ld, `invalid URL prefix in "${url}": proxy_pass takes http:// or https://`); continue; }
        addr = url.slice(scheme.length + 3);
      } else if (scheme === SCHEMES[name][0] || scheme === SCHEMES[name][1]) {
        addr = url.slice(scheme.length + 3);
      } else if (scheme !== null) {
        // nginx strips only its own schemes (grpc(s):// or (s)uwsgi://) and then reads "https://…" as a host.
        hint = `: ${name} takes ${SCHEMES[name][0]}:// or ${SCHEMES[name][1]}://`;
      }
      // Only proxy_pass may carry a URI part; grpc_pass and uwsgi_pass refuse any "/" or "?" as part of the host.
      const a = parseUpstreamAddress(addr, name === 'proxy_pass', scratch);
      if (a.error) { report(ld, `${a.error} in upstream "${addr}"${a.unix ? '' : hint}`); continue; }
      const group = a.unix ? undefined : ctx.model.upstream('http', a.host);
      if (group && a.port !== null) { report(ld, `upstream "${a.host}" may not have port ${a.port}: the servers of the group carry the ports`); continue; }
      // grpc_pass and uwsgi_pass have no default port (proxy_pass takes 80 or 443 from the scheme).
      if (name !== 'proxy_pass' && !a.unix && !group && a.port === null) { report(ld, `no port in upstream "${a.host}": ${name} needs an explicit port unless it names an upstream group`); continue; }
      if (name === 'proxy_pass' && a.uri !== '') {
        // A regex location is `~`/`~*` before the pattern or joined to it (`~\.php$`); a named one starts with `@`.
        const modifier = ctx.model.enclosing(ld.block, 'http/location')?.owner?.d.args[0]?.value ?? '';
        if (kind !== 'http/location' || modifier.startsWith('~') || modifier.startsWith('@')) {
          report(ld, '"proxy_pass" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block');
        }
      }
    }
  },
};
