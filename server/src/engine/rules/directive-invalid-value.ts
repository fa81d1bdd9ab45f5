// Values nginx checks at load time: on/off flags, keyword choices, protocol names, numbers.

import { DirectiveSpec, isAllowedIn, specIn, specsFor } from '../knowledge/directives';
import { ByKindAndName, checkedDirectives } from './checked-directives';
import { setArguments } from '../fixes/edits';
import { argSpan, Rule, handlerLine } from './rule';
import { own } from '../own';
import { tlsFact } from '../knowledge/tls-directives';
import { cipherListSyntaxError, tlsDirective } from '../knowledge/tls';
import { LBlock, LDir, ConfigModel } from '../model/model';
import { isFlagOn, tlsUses } from '../model/tls-uses';
import { conf } from './case-text';
import { holdsTemplatePlaceholder } from '../model/variables';

const PROTOCOLS = ['sslv2', 'sslv3', 'tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'];
const ENUMS: Record<string, string[]> = {
  ssl_verify_client: ['on', 'off', 'optional', 'optional_no_ca'],
};
const isNumber = (name: string): boolean => tlsFact(name)?.value === 'number';
/** Said after nginx's words when the refused value holds a variable: why a variable cannot be used there. */
const VARIABLE_NOTE = ' (nginx takes this value as written when it loads the config: variables are not expanded here)';
const variableNote = (v: string): string => (v.includes('$') ? VARIABLE_NOTE : '');
const isProtocols = (name: string): boolean => tlsFact(name)?.value === 'protocols';
const isCiphers = (name: string): boolean => tlsFact(name)?.value === 'ciphers';

/** The server block `block` lies in (itself included), if any. */
function serverOf(block: LBlock): LBlock | null {
  for (let b: LBlock | null = block; b; b = b.parent) {
    if (b.kind === 'http/server' || b.kind === 'stream/server' || b.kind === 'mail/server') return b;
  }
  return null;
}

/**
 * Whether nginx hands the cipher list of `ld` to OpenSSL when it loads the config, as checked with nginx -t:
 * a server builds its TLS context only when it has a certificate in effect (http also with
 * `ssl_reject_handshake on`; stream only with its own `listen … ssl` at 1.22; mail only with `listen … ssl`,
 * `starttls` or `ssl on`), and an upstream context exists only where a pass uses TLS (an https/grpcs/suwsgi
 * URL, one with variables, stream's `proxy_ssl on`). A list written outside every server (http, stream or
 * mail level) is left alone: whether a server below loads it rests on those servers, and this rule's
 * findings may rest only on the block they are in and the blocks around it (locality 'server').
 */
function loadsCipherList(model: ConfigModel, ld: LDir): boolean {
  const server = serverOf(ld.block);
  if (!server) return false;
  const fact = tlsFact(ld.name);
  if (fact?.side === 'server') {
    if (model.first(ld.name, server) !== ld) return false;
    if (!(model.lookup('ssl_certificate', server)?.length)) return server.kind === 'http/server' && isFlagOn(model.first('ssl_reject_handshake', server));
    if (server.kind === 'http/server') return true;
    const listenSsl = model.inBlock(server, 'listen').some((l) => l.values().slice(1).some((v) => v.toLowerCase() === 'ssl'));
    if (server.kind === 'stream/server') return listenSsl;
    const starttls = model.first('starttls', server)?.d.args[0]?.value.toLowerCase();
    return listenSsl || starttls === 'on' || starttls === 'only' || isFlagOn(model.first('ssl', server));
  }
  return tlsUses(model).some((u) => tlsDirective(u.family, 'ciphers') === ld.name && model.first(ld.name, u.block) === ld);
}

/** What may follow the address of `listen` (a forgotten ";" makes the next directive's name one of these). */
const LISTEN_PARAMS: Record<string, RegExp> = {
  http: /^(default_server|default|ssl|http2|http3|quic|spdy|proxy_protocol|deferred|bind|reuseport|multipath|(setfib|fastopen|backlog|rcvbuf|sndbuf|accept_filter|ipv6only|so_keepalive)=.*)$/,
  stream: /^(default_server|ssl|udp|proxy_protocol|deferred|bind|reuseport|multipath|(setfib|fastopen|backlog|rcvbuf|sndbuf|accept_filter|ipv6only|so_keepalive)=.*)$/,
  mail: /^(ssl|proxy_protocol|bind|multipath|(backlog|rcvbuf|sndbuf|ipv6only|so_keepalive)=.*)$/,
};

export const directiveInvalidValue: Rule = {
  id: 'directive-invalid-value',
  defaultSeverity: 'error',
  title: 'Invalid value',
  nginxRejects: true,
  locality: 'server',
  explanation: `nginx checks some values when it loads the config: flags take \`on\` or \`off\`, choices such as
\`ssl_verify_client\` take one of their keywords, \`ssl_protocols\` takes protocol names, depths take a number.
Anything else stops \`nginx -t\`, a variable included: these values are read once, when the config is loaded,
and \`proxy_ssl_verify $verify;\` is refused whatever \`$verify\` would hold.

Cipher lists (\`ssl_ciphers\`, \`proxy_ssl_ciphers\` and the other \`*_ssl_ciphers\`) go to OpenSSL where nginx builds a
TLS context: in a server with a certificate, and for upstreams in a location whose pass uses TLS. A list OpenSSL
cannot parse stops \`nginx -t\` there: an \`@\` command other than \`@STRENGTH\` or \`@SECLEVEL=0\`…\`5\` (capitals
count), a \`!\`, \`-\` or \`+\` with no name after it, a tab or a character such as \`$\` between names. Only forms
every OpenSSL from 1.0.2 on refuses are reported: \`@SECLEVEL=n\` itself is unknown to 1.0.2, and a list that
merely matches no cipher depends on how OpenSSL was built.

One exception: a template placeholder, \`\${NAME}\` in capitals that is no variable of nginx or of the config, is
left alone. Such a file (an envsubst template, for one) is rendered before nginx reads it, and the value
that will stand there is not known yet. nginx itself would refuse the placeholder, so run the check on the
rendered file to have it checked.`,
  cases: {
    messages: {
      notOnOff: /^invalid value "[^"]*" in "[^"]*" directive, it must be "on" or "off"/,
      notOneOf: /^invalid value "[^"]*" \(expected one of: /,
      protocol: /^invalid value "[^"]*" \(protocols are /,
      number: /^"[^"]*" directive invalid number/,
      parameter: /^invalid parameter "[^"]*"/,
      cipherList: /^SSL_CTX_set_cipher_list\(".*"\) failed \(invalid command\)/s,
    },
    valid: [
      {
        config: conf`
          proxy_ssl_verify ON;
          proxy_ssl_verify_depth 2;
          proxy_ssl_protocols TLSv1.2 TLSv1.3;
        `,
        context: 'http/location',
      },
      {
        config: conf`
          listen 127.0.0.1:8443 ssl default_server backlog=511 reuseport;
        `,
        context: 'http/server',
      },
      // No certificate, so no TLS context: nginx never hands this list to OpenSSL.
      { config: 'ssl_ciphers "HIGH:@strength";\n', context: 'http/server' },
      // A plain http:// pass builds no upstream TLS context.
      { config: 'proxy_ssl_ciphers "HIGH:!";\nproxy_pass http://a.example.com;\n', context: 'http/location' },
      // @SECLEVEL is unknown to OpenSSL 1.0.2 only, and "$" after RC4 is an error only where RC4 is built in
      // (not on OpenSSL 3 without its legacy provider): neither is refused by every version.
      { config: 'ssl_certificate a.crt;\nssl_certificate_key a.key;\nssl_ciphers "HIGH:!aNULL:@SECLEVEL=2:RC4$";\n', context: 'http/server' },
    ],
    // A template placeholder (`proxy_ssl_verify ${VERIFY};`) is left alone, but it is no valid case here:
    // these run through nginx -t, which refuses it as it stands. test/rules/flag-variables.test.ts shows it.
    invalid: [
      {
        config: conf`
          proxy_ssl_verify yes;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 18, messageId: 'notOnOff' }],
        fixed: conf`
          proxy_ssl_verify on;
        `,
      },
      {
        config: conf`
          ssl_verify_client required;
        `,
        context: 'http/server',
        errors: [{ line: 1, column: 19, messageId: 'notOneOf' }],
      },
      {
        config: conf`
          ssl_protocols TLSv1.2 TLSv1.4;
        `,
        context: 'http/server',
        errors: [{ line: 1, column: 23, messageId: 'protocol' }],
      },
      {
        config: conf`
          proxy_ssl_verify_depth two;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 24, messageId: 'number' }],
      },
      {
        // A variable is never a flag's value: nginx reads flags once, at load time.
        config: conf`
          map $uri $verify { default on; }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_ssl_verify $verify;
                  proxy_ssl_server_name ${'${host}'};
                  proxy_pass https://a.example.com;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 5, column: 26, messageId: 'notOnOff' }, { line: 6, column: 31, messageId: 'notOnOff' }],
      },
      {
        config: conf`
          map $uri $mode { default on; }
          server {
              listen 127.0.0.1:8080;
              ssl_verify_client $mode;
              ssl_protocols TLSv1.2 $mode;
              proxy_ssl_verify_depth $mode;
          }
        `,
        context: 'http',
        errors: [{ line: 4, column: 23, messageId: 'notOneOf' }, { line: 5, column: 27, messageId: 'protocol' }, { line: 6, column: 28, messageId: 'number' }],
      },
      {
        config: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5443;
              proxy_ssl $tls;
          }
        `,
        context: 'stream',
        errors: [{ line: 4, column: 15, messageId: 'notOnOff' }],
      },
      {
        config: conf`
          listen 127.0.0.1:8080
          server_name a.test;
        `,
        context: 'http/server',
        errors: [{ line: 2, column: 1, messageId: 'parameter' }],
      },
      {
        config: conf`
          ssl_certificate a.crt;
          ssl_certificate_key a.key;
          ssl_ciphers "HIGH:!aNULL:@strength";
        `,
        context: 'http/server',
        errors: [{ line: 3, column: 13, messageId: 'cipherList' }],
      },
      // The certificate comes from the http level; a tab is no separator.
      {
        config: 'ssl_certificate a.crt;\nssl_certificate_key a.key;\nserver {\n    listen 127.0.0.1:8443 ssl;\n    ssl_ciphers "HIGH\t!aNULL";\n}\n',
        context: 'http',
        errors: [{ line: 5, column: 17, messageId: 'cipherList' }],
      },
      // The server's list applies to the pass in its location.
      {
        config: conf`
          proxy_ssl_ciphers "HIGH:eNULL$";
          location /api {
              proxy_pass https://a.example.com;
          }
        `,
        context: 'http/server',
        errors: [{ line: 1, column: 19, messageId: 'cipherList' }],
      },
      { config: 'grpc_ssl_ciphers "HIGH:!";\ngrpc_pass grpcs://a.example.com:9443;\n', context: 'http/location', errors: [{ line: 1, column: 18, messageId: 'cipherList' }] },
      { config: 'proxy_ssl on;\nproxy_ssl_ciphers "HIGH:@SECLEVEL=6";\nproxy_pass 127.0.0.1:5443;\n', context: 'stream/server', errors: [{ line: 2, column: 19, messageId: 'cipherList' }] },
    ],
  },
  check(ctx) {
    // Per name and kind: the spec when the values are checked at all (flags, enums, protocols, numbers), else null.
    const checking = new ByKindAndName<DirectiveSpec | null>();
    const store = ctx.model.store;
    const xs = checkedDirectives(ctx.model);
    // No closure in this loop may capture a variable of its body: V8 would make a context object for every
    // iteration, hundreds of thousands of them on a big config (12 MB an analysis, when listen's check had one).
    for (let xi = 0; xi < xs.length; xi++) {
      const x = xs[xi];
      const argc = store.argc(x);
      if (argc === 0) continue;
      const name = store.name(x);
      const kind = store.block(x).kind;
      const id = store.nameId[x];
      let spec = checking.get(kind, id);
      if (spec === undefined) {
        const s = specsFor(name) ? specIn(name, kind) : undefined;
        const checked = !!s && isAllowedIn(s, kind) && (s.isFlag || own(ENUMS, name) !== undefined || isProtocols(name) || isNumber(name) || isCiphers(name));
        spec = checking.set(kind, id, checked ? s! : null);
      }
      if (!spec && name !== 'listen') continue;
      if (name === 'listen' && argc > 1) {
        const params = LISTEN_PARAMS[kind.startsWith('stream') ? 'stream' : kind.startsWith('mail') ? 'mail' : 'http'];
        let at = 1;
        while (at < argc && (params.test(store.arg(x, at)) || holdsTemplatePlaceholder(store.arg(x, at), ctx.model))) at++;
        if (at < argc) {
          const ld = store.dir(x);
          const args = ld.values();
          const bad = args[at];
          ctx.report({ nginxLine: handlerLine(ld), message: `invalid parameter "${bad}"` + (specsFor(bad) ? ` (a ";" is probably missing after "listen ${args[0]}")` : variableNote(bad)), ...argSpan(ld, at) });
        }
        continue;
      }
      if (!spec) continue;
      // A flag is checked from its one value: most checked directives are flags, and most say on or off.
      if (spec.isFlag && argc === 1) {
        // Read in place: no string is made for the on or off of every flag of a big config.
        if (store.argIsLower(x, 0, 'on') || store.argIsLower(x, 0, 'off')) continue;
        const v = store.arg(x, 0);
        const ld = store.dir(x);
        if (holdsTemplatePlaceholder(v, ctx.model)) continue;
        const fixes = /^(yes|true|1|enable|enabled)$/i.test(v) ? 'on' : /^(no|false|0|disable|disabled)$/i.test(v) ? 'off' : null;
        ctx.report({
          nginxLine: handlerLine(ld),
          message: `invalid value "${v}" in "${name}" directive, it must be "on" or "off"${variableNote(v)}`,
          fixes: fixes ? [{ title: `Change to "${fixes}"`, edits: [setArguments(ld, fixes)], isPreferred: true }] : [],
          ...argSpan(ld, 0),
        });
        continue;
      }
      const ld = store.dir(x);
      const args = ld.values();
      // A template placeholder (`${NAME}`, filled in by envsubst before nginx reads the file) is not a value
      // yet: left alone, as the rule's explanation says. Every other `$` is checked like any word: nginx
      // reads these values at load time and refuses a variable in them (`invalid value "$v"`).
      const placeholder = (a: string) => holdsTemplatePlaceholder(a, ctx.model);
      const choices = own(ENUMS, name);
      if (choices && args.length === 1 && !choices.includes(args[0].toLowerCase()) && !placeholder(args[0])) {
        ctx.report({ nginxLine: handlerLine(ld), message: `invalid value "${args[0]}" (expected one of: ${choices.join(', ')})${variableNote(args[0])}`, ...argSpan(ld, 0) });
        continue;
      }
      if (/(^|_)ssl_protocols$/.test(name)) {
        for (let i = 0; i < args.length; i++) {
          const a = args[i];
          if (!PROTOCOLS.includes(a.toLowerCase()) && !placeholder(a)) {
            ctx.report({ nginxLine: handlerLine(ld), message: `invalid value "${a}" (protocols are SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)${variableNote(a)}`, ...argSpan(ld, i) });
          }
        }
        continue;
      }
      if (isCiphers(name)) {
        // Only lists that every OpenSSL from 1.0.2 to 3.x refuses as malformed (see cipherListSyntaxError), and
        // only where nginx loads them; a list that matches no cipher depends on the OpenSSL build.
        const why = args.length === 1 && !placeholder(args[0]) ? cipherListSyntaxError(args[0]) : null;
        if (why && loadsCipherList(ctx.model, ld)) {
          // nginx says it when it builds the TLS context, without a file and line.
          ctx.report({ message: `SSL_CTX_set_cipher_list("${args[0]}") failed (invalid command): ${why}${variableNote(args[0])}. Every OpenSSL version refuses this list, so nginx -t fails.`, ...argSpan(ld, 0) });
        }
        continue;
      }
      if (isNumber(name) && args.length === 1 && !/^\d+$/.test(args[0]) && !placeholder(args[0])) {
        ctx.report({ nginxLine: handlerLine(ld), message: `"${name}" directive invalid number${variableNote(args[0])}`, ...argSpan(ld, 0) });
      }
    }
  },
};
