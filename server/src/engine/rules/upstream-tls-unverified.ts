// An upstream reached over TLS whose certificate nginx never checks: anyone on the path can pose as it.

import { tlsSettings } from '../model/tls-settings';
import { describeEffective, lineNumber, lineRef, valueOf } from '../model/describe';
import { isFlagOnAt, isFlagUnknownAt, TlsUse, tlsUses } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { verifyFixes } from '../fixes/verify-upstream';
import { Rule } from './rule';
import { Fix } from '../types';
import { LDir } from '../model/model';
import { conf } from './case-text';

/** Where `ld` is, said from `from`: its line in the same file, its file and line in another. */
function placeOf(ld: LDir, from: LDir): string {
  return (ld.file === from.file ? 'on ' : 'at ') + lineRef(ld, from);
}

/**
 * The related locations of the `*_ssl_verify` directives in effect. A function rather than a closure in the
 * rule's loop: one there takes the loop's variables into a context made for every use, reported or not.
 */
function setHere(found: LDir[], name: string): { ld: LDir; message: string }[] {
  return found.map((ld) => ({ ld, message: `${name} set here` }));
}

export const upstreamTlsUnverified: Rule = {
  id: 'upstream-tls-unverified',
  defaultSeverity: 'warning',
  title: 'TLS to an upstream without certificate verification',
  nginxRejects: false,
  safeFixes: true,
  locality: 'server',
  explanation: `nginx encrypts the connection to an \`https://\`, \`grpcs://\` or \`suwsgi://\` upstream (and a stream
upstream under \`proxy_ssl on\`), but unless \`proxy_ssl_verify on\` (or the \`grpc_\`/\`uwsgi_\` spelling) is in
effect it accepts whatever certificate the other side shows. Encryption without authentication stops a
passive eavesdropper and nobody else: whoever can answer in the upstream's place (DNS, ARP, a rogue route, a
compromised neighbour) reads and changes every proxied request, cookies and credentials included.

Turn verification on where the pass directive is, name the CA file to trust (nginx loads no system store on
its own), and send SNI so that a host serving several names shows the certificate for the one you asked for.
The quick fix does all three and changes an existing \`off\` rather than adding a duplicate. \`check --fix\`
leaves it alone where the name nginx would then check is an IP address or an upstream group's own name: no
certificate passes that check, so verification would turn a working proxy into one that answers 502. There,
apply it from the editor and set \`proxy_ssl_name\` to the name in the backend's certificate
(upstream-tls-name-mismatch then asks for it). It also leaves a name no public CA certifies (one without a dot,
such as \`localhost\` or a container's \`heimdall\`, or under \`.internal\`, \`.local\`, \`.lan\`) while the CA it
would trust is the system's public bundle, and a block where verification may be set out of its sight: an
include it could not read, or the config around a file read without it. A host the config gives through
\`set\` counts as written there.`,
  cases: {
    messages: {
      unverified: /^TLS to "[^"]*"(?: \(https from "set [^"]*" on line \d+\))? is not verified \(/,
      unverifiedMap: /^TLS to "\$\w+" \(the map on line \d+ gives it (?:https values such as )?"https:\/\/[^"]*"\) is not verified \(/,
      unverifiedStream: /^TLS to "[^"]*" \(switched on by "proxy_ssl [^"]*" (?:on line \d+|at [^ )]+:\d+)\) is not verified \(/,
    },
    valid: [
      {
        // A map whose values are all plain http: no TLS, whatever the request.
        config: conf`
          map $host $backend {
              default http://10.0.0.1:8080;
              api.example.com http://10.0.0.2:8080;
          }
          server {
              listen 80;
              location / { proxy_pass $backend; }
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          events {}
          http {
              server {
                  location / {
                      proxy_pass https://a.example.com;
                      proxy_ssl_verify on;
                      proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
                  }
              }
          }
        `,
      },
      {
        config: conf`
          events {}
          http {
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
              server {
                  location / {
                      location /api { proxy_pass https://a.example.com; }
                  }
              }
          }
        `,
      },
      {
        config: conf`
          proxy_pass http://127.0.0.1:8080;
        `,
        context: 'http/location',
      },
      {
        config: conf`
          set $upstream_app 127.0.0.1;
          set $upstream_proto http;
          proxy_pass $upstream_proto://$upstream_app:8080;
        `,
        context: 'http/location',
      },
      {
        config: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:8443;
          }
        `,
        context: 'stream',
      },
      {
        // A variable is no flag value: nginx refuses it (directive-invalid-value), it is not "switched off".
        config: conf`
          map $uri $verify { default on; }
          server {
              location / {
                  proxy_ssl_verify $verify;
                  proxy_pass https://a.example.com;
              }
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        // Some requests get a map's https value: those go over TLS, unverified.
        config: conf`
          map $host $backend {
              default http://10.0.0.1:8080;
              api.example.com https://api.example.com:8443;
          }
          server {
              listen 80;
              location / { proxy_pass $backend; }
          }
        `,
        context: 'http',
        errors: [{ line: 7, column: 29, messageId: 'unverifiedMap' }],
      },
      {
        config: conf`
          events {}
          http {
              server {
                  location / {
                      proxy_pass https://a.example.com;
                  }
              }
          }
        `,
        errors: [{ line: 5, column: 24, messageId: 'unverified' }],
        fixed: conf`
          events {}
          http {
              server {
                  location / {
                      proxy_pass https://a.example.com;
                      proxy_ssl_verify on;
                      proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
                      proxy_ssl_server_name on;
                  }
              }
          }
        `,
      },
      {
        config: conf`
          events {}
          http {
              server {
                  proxy_ssl_verify off;
                  location / {
                      if ($arg_x) {
                          proxy_pass HTTPS://a.example.com;
                      }
                      limit_except GET { proxy_pass "https://b.example.com"; }
                  }
              }
          }
        `,
        errors: [{ line: 7, column: 28, messageId: 'unverified' }, { line: 9, column: 43, messageId: 'unverified' }],
      },
      {
        config: conf`
          grpc_pass grpcs://127.0.0.1:50051;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 11, messageId: 'unverified' }],
      },
      {
        config: conf`
          uwsgi_pass suwsgi://127.0.0.1:3031;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 12, messageId: 'unverified' }],
      },
      {
        config: conf`
          proxy_pass https://$host$request_uri;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 12, messageId: 'unverified' }],
      },
      {
        config: conf`
          set $upstream_app 127.0.0.1;
          set $upstream_proto https;
          proxy_pass $upstream_proto://$upstream_app:8443;
        `,
        context: 'http/location',
        errors: [{ line: 3, column: 12, messageId: 'unverified' }],
      },
      {
        config: conf`
          proxy_pass
              https://a.example.com
              ;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 5, messageId: 'unverified' }],
      },
      {
        config: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5443;
              proxy_ssl on;
          }
        `,
        context: 'stream',
        errors: [{ line: 3, column: 16, messageId: 'unverifiedStream' }],
        fixed: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5443;
              proxy_ssl_verify on;
              proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
              proxy_ssl on;
          }
        `,
      },
    ],
  },
  check(ctx) {
    // One pair of functions for every finding: each finding keeps its TLS use, and its message and fixes are
    // made from it (and the same model) when first read.
    const spell = (use: TlsUse): string => {
      const verifyName = tlsDirective(use.family, 'verify');
      const verify = ctx.model.effective(verifyName, use.block);
      const what = use.family === 'stream'
        ? `"${use.url}"` + (use.enabler ? ` (switched on by "proxy_ssl ${valueOf(use.enabler)}" ${placeOf(use.enabler, use.pass)})` : '')
        : use.schemeFrom?.name === 'map'
          ? `"${use.pass.arg(0)}" (the map on line ${lineNumber(use.schemeFrom)} gives it ${use.host === null ? 'https values such as ' : ''}"${use.url}")`
          : use.schemeFrom
          ? `"${use.pass.arg(0)}" (https from "set ${valueOf(use.schemeFrom)}" on line ${lineNumber(use.schemeFrom)})`
          : `"${use.url}"`;
      const state = describeEffective(ctx.model, verifyName, use.block, ctx.settings.nginxVersion, verify);
      return `TLS to ${what} is not verified (${state}): nginx accepts any certificate, so anyone on the path can impersonate the upstream.` +
        (verify.found.length > 0 ? ' Verification was switched off explicitly; if that is intended, suppress this finding with a reason.' : '') +
        (ctx.model.hasUnreadInclude(use.block)
          ? ' (An include around here could not be read; if it turns verification on, this finding is wrong.)'
          : ctx.model.partlyUnknown(use.block)
            ? ' (This file is analysed on its own; if the config that includes it turns verification on around it, this finding is wrong.)'
            : '');
    };
    const fix = (use: TlsUse, only?: 'preferred'): Fix[] => verifyFixes(ctx.model, ctx.settings, use, only);
    const useList = tlsUses(ctx.model);
    const settings = tlsSettings(ctx.model);
    const store = ctx.model.store;
    for (let useIndex = 0; useIndex < useList.length; useIndex++) {
      const use = useList[useIndex];
      if (!use.certain) continue;
      // Read by index: the verify directives of a big config are not made into objects to be read.
      const verify = settings.at(use, 'verify');
      if (isFlagOnAt(store, verify)) continue;
      // `proxy_ssl_verify $v;` is neither on nor off: nginx refuses it (directive-invalid-value says so), and
      // calling it "switched off" or fixing it to `on` would overwrite what the user (or a template) means.
      if (isFlagUnknownAt(store, verify)) continue;
      ctx.report({
        about: use,
        message: spell,
        fixes: fix,
        // Most uses have verification nowhere: no empty list is made for each of them.
        related: verify >= 0 ? setHere(ctx.model.lookup(tlsDirective(use.family, 'verify'), use.block)!, tlsDirective(use.family, 'verify')) : undefined,
        // The URL's span written out: spread from argSpan, it cost an object and a property array per finding.
        file: use.pass.file, start: use.pass.argStart(0), end: use.pass.argEnd(0),
      });
    }
  },
};
