// A variable nobody defines: nginx refuses the config ("unknown variable") when it compiles the value.

import { isOfficialVariable, isPlusOnlyVariable, VariableFamily, variableNewerThan } from '../knowledge/variables';
import { versionLabel } from '../knowledge/tls';
import { definedVariablesIn, isKnownVariable, isPlaceholderShaped, variableFamily, VariableReferences } from '../model/variables';
import { LBlock } from '../model/model';
import { checkedDirectives } from './checked-directives';
import { absenceCaveat, Rule } from './rule';
import { conf } from './case-text';

/**
 * Which arguments hold values nginx compiles (and so checks variables in); regexes are left out. A Map: it is
 * asked once per directive of the config, where an own-property test cost more.
 */
/** Which arguments of a directive hold values whose variables are checked ('if': all but a regex operand). */
type ValueArgs = 'all' | number[] | 'from1' | 'if';

const VALUE_ARGS = new Map<string, ValueArgs>(Object.entries({
  set: [1], return: 'all', rewrite: [1], try_files: 'all', error_page: 'all', root: [0], alias: [0],
  proxy_pass: [0], grpc_pass: [0], uwsgi_pass: [0], fastcgi_pass: [0], scgi_pass: [0],
  proxy_set_header: 'from1', grpc_set_header: 'from1', fastcgi_param: 'from1', uwsgi_param: 'from1', scgi_param: 'from1',
  add_header: 'from1', add_trailer: 'from1', proxy_ssl_name: [0], grpc_ssl_name: [0], uwsgi_ssl_name: [0],
  ssl_certificate: [0], ssl_certificate_key: [0], proxy_ssl_certificate: [0], proxy_ssl_certificate_key: [0],
  map: [0], limit_req_zone: [0], limit_conn_zone: [0], hash: [0], proxy_cache_key: [0], auth_request_set: [1],
  proxy_cache_bypass: 'all', proxy_no_cache: 'all', access_log: [0],
}));

const OPERATORS = new Set(['~', '~*', '!~', '!~*']);

/** Slots of the cache of known values by shape (a power of two). */
const RECENT = 256;

export const unknownVariable: Rule = {
  id: 'unknown-variable',
  defaultSeverity: 'error',
  title: 'Variable that nothing defines',
  nginxRejects: true,
  locality: 'server',
  explanation: `nginx compiles values with variables when it loads the config and refuses one it cannot find:
"unknown \\"name\\" variable". Variables come from nginx's modules (\`$host\`, \`$http_<header>\`, \`$arg_<name>\`…),
from the config itself (\`set\`, \`map\`, \`geo\`, \`split_clients\`, named captures of regexes) or from
third-party modules. http and stream keep separate variables: one of http's (\`$host\`, or one a \`map\` in
\`http {}\` defines) is unknown in \`stream {}\`, and the other way round. Usually it is a typo, or a
\`set\`/\`map\` that lives in a file that is not included (or in the other of http and stream).`,
  cases: {
    messages: {
      unknown: /^unknown "[^"]*" variable: nothing defines/,
      newer: /^unknown "[^"]*" variable: \$\w+ exists (?:in \w+ )?since nginx /,
      plus: /^unknown "[^"]*" variable: \$\w+ is NGINX Plus only/,
      otherFamily: /^unknown "[^"]*" variable: \$\w+ is an? (?:http|stream) variable(?: \(the config defines it in (?:http|stream) \{\}\))?; (?:http|stream) has no such variable/,
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
      {
        // nginx matches variable names case-insensitively: built-in, prefixed and defined ones alike.
        config: conf`
          map $uri $myVar { default 1; }
          server {
              listen 8081;
              location / {
                  set $abc 1;
                  return 200 "$MYVAR $ABC $Host $HTTP_X_FOO $Arg_x $Cookie_a $Upstream_Http_X";
              }
              location ~ ^/(?<Ver>v[0-9]+)/ {
                  return 200 "$ver";
              }
          }
        `,
        context: 'http',
      },
      {
        config: conf`
          return 200 "$tcpinfo_rtt $tcpinfo_rttvar $tcpinfo_snd_cwnd $msie $modern_browser $ancient_browser";
        `,
        context: 'http/location',
      },
      {
        // A third-party directive whose first argument is a whole $name is taken to define it.
        config: conf`
          mruby_set $backend /etc/nginx/mruby/backend.rb;
          proxy_pass http://$backend;
        `,
        context: 'http/location',
      },
      {
        // http and stream each have their own variables: a stream server reads stream's, a map in stream
        // defines for stream (named captures of its regexes too), and the same name may be defined in both.
        config: conf`
          load_module /usr/lib/nginx/modules/ngx_stream_module.so;
          events {}
          stream {
              map $ssl_preread_server_name $backend {
                  ~^(?<sub>[a-z]+)\.example\.com$ $sub.internal:443;
                  default 127.0.0.1:443;
              }
              server {
                  listen 15000;
                  ssl_preread on;
                  proxy_pass $backend;
              }
          }
          http {
              map $host $backend { default 127.0.0.1:8080; }
              server {
                  listen 8080;
                  location / {
                      proxy_pass http://$backend;
                      proxy_set_header X-Client $remote_addr;
                  }
              }
          }
        `,
      },
      {
        config: conf`
          listen 15000;
          set $port 443;
          proxy_pass $remote_addr:$port;
        `,
        context: 'stream/server',
      },
      {
        // stream's $server_name, at a version that has it (the default: the current stable line).
        config: conf`
          listen 127.0.0.1:12345;
          return $server_name;
        `,
        context: 'stream/server',
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
      {
        config: conf`
          add_header Alt-Svc 'h3=":443"' always;
          add_header X-Proto $http3 always;
        `,
        context: 'http/location',
        nginxVersion: '1.22',
        errors: [{ line: 2, column: 20, messageId: 'newer' }],
      },
      {
        config: conf`
          proxy_ssl_server_name on;
          proxy_ssl_name $upstream_last_server_name;
          proxy_pass https://127.0.0.1:8443;
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 16, messageId: 'plus' }],
      },
      {
        // A map in stream defines $backend for stream only: nginx refuses it in http.
        config: conf`
          load_module /usr/lib/nginx/modules/ngx_stream_module.so;
          events {}
          stream {
              map $remote_addr $backend { default 127.0.0.1:8080; }
          }
          http {
              server {
                  listen 8080;
                  location / {
                      proxy_pass http://$backend;
                  }
              }
          }
        `,
        errors: [{ line: 10, column: 31, messageId: 'otherFamily' }],
      },
      {
        // stream's $server_name came with stream's server_name, in 1.25.5 (http's is as old as http).
        config: conf`
          listen 127.0.0.1:12345;
          return $server_name;
        `,
        context: 'stream/server',
        nginxVersion: '1.22',
        errors: [{ line: 2, column: 8, messageId: 'newer' }],
      },
      {
        // $host is http's: stream has no such variable.
        config: conf`
          listen 15000;
          proxy_pass $host:80;
        `,
        context: 'stream/server',
        errors: [{ line: 2, column: 12, messageId: 'otherFamily' }],
      },
    ],
  },
  check(ctx) {
    const model = ctx.model;
    const { nginxVersion, build } = ctx.settings;
    // Asked once per distinct name and table: a big config uses the same few variables everywhere. What is wrong
    // with it: undefined when known; else why (a variable of the other table, of a newer nginx, or of NGINX
    // Plus, or nothing defines it). http and stream have a table each; elsewhere (and where the block's kind
    // is only guessed) a name is asked of both, as if one.
    // A known name is kept as null: one lookup per reference, of a name just cut from its value (hashed anew).
    const verdicts = { http: new Map<string, string | null>(), stream: new Map<string, string | null>(), either: new Map<string, string | null>() };
    const verdict = (name: string, family: VariableFamily | undefined): string | undefined => {
      const memo = family ? verdicts[family] : verdicts.either;
      const known = memo.get(name);
      if (known !== undefined) return known ?? undefined;
      let why: string | undefined;
      if (!isKnownVariable(name, model, family)) {
        if (family && isKnownVariable(name, model)) {
          const other = family === 'http' ? 'stream' : 'http';
          const byConfig = !isOfficialVariable(name, other) && definedVariablesIn(model, other).has(name.toLowerCase()) ? ` (the config defines it in ${other} {})` : '';
          why = `$${name} is ${other === 'http' ? 'an http' : 'a stream'} variable${byConfig}; ${family} has no such variable`;
        } else why = `nothing defines $${name} (no set, map, geo or regex capture, and no module provides it)`;
      } else if (!definedVariablesIn(model, family).has(name.toLowerCase())) {
        const since = variableNewerThan(name, nginxVersion, family);
        // A release of this table only (stream's $server_name): said with the table's name.
        const where = since && !variableNewerThan(name, nginxVersion) ? `in ${family} ` : '';
        if (since) why = `$${name} exists ${where}since nginx ${versionLabel(since)} (nginxVersion is ${versionLabel(nginxVersion)})`;
        else if (!build.plus && isPlusOnlyVariable(name)) why = `$${name} is NGINX Plus only (the build configured is ${build.label})`;
      }
      memo.set(name, why ?? null);
      return why;
    };
    // The table of the block a directive is in; directives come block by block, so the last answer is kept.
    let lastBlock: LBlock | null = null;
    let lastFamily: VariableFamily | undefined;
    const familyOf = (block: LBlock): VariableFamily | undefined => {
      if (block !== lastBlock) {
        lastBlock = block;
        lastFamily = model.kindGuessed(block) ? undefined : variableFamily(block);
      }
      return lastFamily;
    };
    // Values whose variables are all known, per table: a big config repeats the same few (`$host`,
    // `$remote_addr`) everywhere, each then looked up whole instead of its names cut out and asked one by one.
    const knownValues = { http: new Set<string>(), stream: new Set<string>(), either: new Set<string>() };
    // And the last such value per shape (`DirStore.argShape`), per table: compared where it is written, the
    // same `$host` of the next location is told known without making its string or hashing it.
    const recentKnown = { http: new Array<string>(RECENT), stream: new Array<string>(RECENT), either: new Array<string>(RECENT) };
    const scanner = new VariableReferences();
    const s = model.store;
    const xs = checkedDirectives(model);
    // What VALUE_ARGS says of each name, by name id (null: nothing to check), looked up once per name.
    const specs: (ValueArgs | null | undefined)[] = new Array(s.nameList.length);
    for (let xi = 0; xi < xs.length; xi++) {
      const x = xs[xi];
      const id = s.nameId[x];
      let spec = specs[id];
      if (spec === undefined) spec = specs[id] = VALUE_ARGS.get(s.nameList[id]) ?? (s.nameList[id] === 'if' ? 'if' : null);
      if (spec === null) continue;
      const argc = s.argc(x);
      for (let i = 0; i < argc; i++) {
        if (spec === 'if') {
          if (i > 0 && OPERATORS.has(s.arg(x, i - 1))) continue; // the regex operand
        } else if (spec !== 'all' && !(spec === 'from1' ? i >= 1 : spec.includes(i))) continue;
        // Most arguments hold no variable: told from the text in place, without making their values.
        if (!s.argWrites(x, i, 36 /* $ */)) continue;
        const block = s.block(x);
        const family = familyOf(block);
        const table = family ?? 'either';
        const recent = recentKnown[table];
        const shape = s.argShape(x, i);
        const slot = shape & (RECENT - 1);
        if (shape >= 0 && recent[slot] !== undefined && s.argIs(x, i, recent[slot])) continue;
        const value = s.arg(x, i);
        const known = knownValues[table];
        if (known.has(value)) {
          if (shape >= 0) recent[slot] = value;
          continue;
        }
        let allKnown = true;
        const refs = scanner.reset(value);
        while (refs.next()) {
          const { name, braced, at: refAt, length } = refs;
          const why = verdict(name, family);
          if (why === undefined) continue;
          allKnown = false;
          // `${UPPER_CASE}` is a placeholder of a template (envsubst fills it in before nginx reads the file).
          if (isPlaceholderShaped(name, braced)) continue;
          const caveat = absenceCaveat(ctx, block);
          const ld = s.dir(x);
          // Point at the variable in the source when it is written there as is.
          const argStart = ld.argStart(i);
          const argEnd = ld.argEnd(i);
          const raw = ld.file.tree.text.slice(argStart, argEnd);
          const at = raw.indexOf(value.slice(refAt, refAt + length));
          const start = at >= 0 ? argStart + at : argStart;
          ctx.report({
            file: ld.file, start, end: at >= 0 ? start + length : argEnd,
            severity: caveat.severity,
            message: `unknown "${name}" variable: ${why}${caveat.note}`,
          });
        }
        if (allKnown) {
          known.add(value);
          if (shape >= 0) recent[slot] = value;
        }
      }
    }
  },
};
