// An upstream reached over TLS whose certificate nginx never checks: anyone on the path can pose as it.

import { describeEffective, lineNumber } from '../model/describe';
import { isFlagOn, tlsUses } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { verifyFixes } from '../fixes/verify-upstream';
import { argSpan, Rule } from './rule';

export const upstreamTlsUnverified: Rule = {
  id: 'upstream-tls-unverified',
  defaultSeverity: 'warning',
  title: 'TLS to an upstream without certificate verification',
  nginxRejects: false,
  locality: 'server',
  explanation: `nginx encrypts the connection to an \`https://\`, \`grpcs://\` or \`suwsgi://\` upstream (and a stream
upstream under \`proxy_ssl on\`), but unless \`proxy_ssl_verify on\` (or the \`grpc_\`/\`uwsgi_\` spelling) is in
effect it accepts whatever certificate the other side shows. Encryption without authentication stops a
passive eavesdropper and nobody else: whoever can answer in the upstream's place (DNS, ARP, a rogue route, a
compromised neighbour) reads and changes every proxied request, cookies and credentials included.

Turn verification on where the pass directive is, name the CA file to trust (nginx loads no system store on
its own), and send SNI so that a host serving several names shows the certificate for the one you asked for.
The quick fix does all three and changes an existing \`off\` rather than adding a duplicate.`,
  cases: {
    valid: [
      { config: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n        }\n    }\n}\n' },
      { config: 'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    server {\n        location / {\n            location /api { proxy_pass https://a.example.com; }\n        }\n    }\n}\n' },
      { config: 'proxy_pass http://127.0.0.1:8080;\n', context: 'http/location' },
      { config: 'set $upstream_app 127.0.0.1;\nset $upstream_proto http;\nproxy_pass $upstream_proto://$upstream_app:8080;\n', context: 'http/location' },
      { config: 'server {\n    listen 127.0.0.1:5000;\n    proxy_pass 127.0.0.1:8443;\n}\n', context: 'stream' },
    ],
    invalid: [
      {
        config: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n        }\n    }\n}\n',
        lines: [5],
        fixed: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n            proxy_ssl_server_name on;\n        }\n    }\n}\n',
      },
      {
        config: 'events {}\nhttp {\n    server {\n        proxy_ssl_verify off;\n        location / {\n            if ($arg_x) {\n                proxy_pass HTTPS://a.example.com;\n            }\n            limit_except GET { proxy_pass "https://b.example.com"; }\n        }\n    }\n}\n',
        lines: [7, 9],
      },
      { config: 'grpc_pass grpcs://127.0.0.1:50051;\n', context: 'http/location', lines: [1] },
      { config: 'uwsgi_pass suwsgi://127.0.0.1:3031;\n', context: 'http/location', lines: [1] },
      { config: 'proxy_pass https://$host$request_uri;\n', context: 'http/location', lines: [1] },
      { config: 'set $upstream_app 127.0.0.1;\nset $upstream_proto https;\nproxy_pass $upstream_proto://$upstream_app:8443;\n', context: 'http/location', lines: [3] },
      { config: 'proxy_pass\n    https://a.example.com\n    ;\n', context: 'http/location', lines: [2] },
      {
        config: 'server {\n    listen 127.0.0.1:5000;\n    proxy_pass 127.0.0.1:5443;\n    proxy_ssl on;\n}\n',
        context: 'stream',
        lines: [3],
        fixed: 'server {\n    listen 127.0.0.1:5000;\n    proxy_pass 127.0.0.1:5443;\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    proxy_ssl on;\n}\n',
      },
    ],
  },
  check(ctx) {
    for (const use of tlsUses(ctx.model)) {
      if (!use.certain) continue;
      const verifyName = tlsDirective(use.family, 'verify');
      const verify = ctx.model.effective(verifyName, use.block);
      if (isFlagOn(verify.found[0])) continue;
      const what = use.family === 'stream'
        ? `"proxy_ssl on" (line ${lineNumber(use.enabler!)}) to ${use.url}`
        : use.schemeFrom
          ? `"${use.pass.d.args[0].value}" (https from "set ${use.schemeFrom.d.args.map((a) => a.value).join(' ')}" on line ${lineNumber(use.schemeFrom)})`
          : `"${use.url}"`;
      const state = describeEffective(ctx.model, verifyName, use.block, ctx.settings.nginxVersion);
      const explicit = verify.found.length > 0;
      ctx.report({
        ...argSpan(use.pass, 0),
        message: `TLS to ${what} is not verified (${state}): nginx accepts any certificate, so anyone on the path can impersonate the upstream.` +
          (explicit ? ' Verification was switched off explicitly; if that is intended, suppress this finding with a reason.' : '') +
          (ctx.model.hasUnreadInclude(use.block) ? ' (An include around here could not be read; if it turns verification on, this finding is wrong.)' : ''),
        fixes: () => verifyFixes(ctx.model, ctx.settings, use),
        related: verify.found.map((ld) => ({ ld, message: `${verifyName} set here` })),
      });
    }
  },
};
