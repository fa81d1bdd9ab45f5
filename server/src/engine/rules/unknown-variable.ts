// A variable nobody defines: nginx refuses the config ("unknown variable") when it compiles the value.

import { isKnownVariable, isPlaceholderShaped, VariableReferences } from '../model/variables';
import { checkedDirectives } from './checked-directives';
import { absenceCaveat, Rule } from './rule';
import { conf } from './case-text';

/**
 * Which arguments hold values nginx compiles (and so checks variables in); regexes are left out. A Map: it is
 * asked once per directive of the config, where an own-property test cost more.
 */
const VALUE_ARGS = new Map<string, 'all' | number[] | 'from1'>(Object.entries({
  set: [1], return: 'all', rewrite: [1], try_files: 'all', error_page: 'all', root: [0], alias: [0],
  proxy_pass: [0], grpc_pass: [0], uwsgi_pass: [0], fastcgi_pass: [0], scgi_pass: [0],
  proxy_set_header: 'from1', grpc_set_header: 'from1', fastcgi_param: 'from1', uwsgi_param: 'from1', scgi_param: 'from1',
  add_header: 'from1', add_trailer: 'from1', proxy_ssl_name: [0], grpc_ssl_name: [0], uwsgi_ssl_name: [0],
  ssl_certificate: [0], ssl_certificate_key: [0], proxy_ssl_certificate: [0], proxy_ssl_certificate_key: [0],
  map: [0], limit_req_zone: [0], limit_conn_zone: [0], hash: [0], proxy_cache_key: [0], auth_request_set: [1],
  proxy_cache_bypass: 'all', proxy_no_cache: 'all', access_log: [0],
}));

const OPERATORS = new Set(['~', '~*', '!~', '!~*']);

export const unknownVariable: Rule = {
  id: 'unknown-variable',
  defaultSeverity: 'error',
  title: 'Variable that nothing defines',
  nginxRejects: true,
  locality: 'server',
  explanation: `nginx compiles values with variables when it loads the config and refuses one it cannot find:
"unknown \\"name\\" variable". Variables come from nginx's modules (\`$host\`, \`$http_<header>\`, \`$arg_<name>\`…),
from the config itself (\`set\`, \`map\`, \`geo\`, \`split_clients\`, named captures of regexes) or from
third-party modules. Usually it is a typo, or a \`set\`/\`map\` that lives in a file that is not included.`,
  cases: {
    messages: {
      unknown: /^unknown "[^"]*" variable: nothing defines/,
    },
    valid: [
      {
        config: conf`
          set $backend 127.0.0.1;
          proxy_set_header X-Id $request_id;
          proxy_set_header X-H $http_x_forwarded_for;
          proxy_pass http://$backend:8080;
        `,
        context: 'http/location',
      },
      {
        config: conf`
          location ~ ^/(?<app>[a-z]+)/ {
              return 200 "$app $1";
          }
        `,
        context: 'http/server',
      },
      {
        config: conf`
          if ($request_uri ~ ^/a$) { return 404; }
        `,
        context: 'http/location',
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_set_header X-Real-IP $remote_adr;
          proxy_pass http://127.0.0.1:8080;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 28, messageId: 'unknown' }],
      },
      {
        config: conf`
          set $upstream_proto https;
          proxy_pass $upstream_proto://$upstream_app:8443;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 30, messageId: 'unknown' }],
      },
    ],
  },
  check(ctx) {
    const model = ctx.model;
    // Asked once per distinct name: a big config uses the same few variables everywhere.
    const known = new Map<string, boolean>();
    const isKnown = (name: string) => {
      let k = known.get(name);
      if (k === undefined) known.set(name, (k = isKnownVariable(name, model)));
      return k;
    };
    const scanner = new VariableReferences();
    const ldList = checkedDirectives(model);
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      const spec = VALUE_ARGS.get(ld.name);
      const isIf = ld.name === 'if';
      if (!spec && !isIf) continue;
      const argc = ld.argc;
      for (let i = 0; i < argc; i++) {
        if (isIf) {
          if (i > 0 && OPERATORS.has(ld.arg(i - 1))) continue; // the regex operand
        } else if (spec && spec !== 'all' && !(spec === 'from1' ? i >= 1 : spec.includes(i))) continue;
        // Most arguments hold no variable: told from the text in place, without making their values.
        if (!ld.argWrites(i, 36 /* $ */)) continue;
        const value = ld.arg(i);
        const refs = scanner.reset(value);
        while (refs.next()) {
          const { name, braced, at: refAt, length } = refs;
          if (isKnown(name)) continue;
          // `${UPPER_CASE}` is a placeholder of a template (envsubst fills it in before nginx reads the file).
          if (isPlaceholderShaped(name, braced)) continue;
          const caveat = absenceCaveat(ctx, ld.block);
          // Point at the variable in the source when it is written there as is.
          const argStart = ld.argStart(i);
          const argEnd = ld.argEnd(i);
          const raw = ld.file.tree.text.slice(argStart, argEnd);
          const at = raw.indexOf(value.slice(refAt, refAt + length));
          const start = at >= 0 ? argStart + at : argStart;
          ctx.report({
            file: ld.file, start, end: at >= 0 ? start + length : argEnd,
            severity: caveat.severity,
            message: `unknown "${name}" variable: nothing defines $${name} (no set, map, geo or regex capture, and no module provides it)${caveat.note}`,
          });
        }
      }
    }
  },
};
