// Wrong number of arguments, or a block where none belongs (and the reverse).

import { DirectiveSpec, isAllowedIn, specIn, specsFor, takesArgCount } from '../knowledge/directives';
import { isThirdPartyDirective } from '../knowledge/third-party';
import { ByKindAndName, checkedDirectives, outsideBuild } from './checked-directives';
import { directiveSpan, Rule, handlerLine } from './rule';
import { conf } from './case-text';

export const directiveArgs: Rule = {
  id: 'directive-args',
  defaultSeverity: 'error',
  title: 'Invalid number of arguments',
  nginxRejects: true,
  locality: 'server',
  explanation: `The directive has more or fewer arguments than nginx accepts, or is followed by a block it does not
take (or lacks the block it needs). A frequent cause is a value with spaces that should have been quoted, or a
\`;\` lost at the end of the previous line.`,
  cases: {
    messages: {
      argumentCount: /^invalid number of arguments in "[^"]*" directive/,
      notTerminated: /^directive "[^"]*" is not terminated by ";"/,
      noOpeningBrace: /^directive "[^"]*" has no opening "\{"/,
    },
    valid: [
      {
        config: conf`
          server_name a.test b.test c.test;
          listen 443 ssl default_server;
        `,
        context: 'http/server',
      },
      { config: 'add_header X-A a always;\nrewrite ^/a /b last;\nreturn 301 https://a.test;\n', context: 'http/location' },
    ],
    invalid: [
      {
        config: conf`
          proxy_ssl_verify on off;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 1, messageId: 'argumentCount' }],
      },
      {
        config: conf`
          listen 80 {
          }
        `,
        context: 'http/server',
        errors: [{ line: 1, column: 1, messageId: 'notTerminated' }],
      },
      {
        config: conf`
          server;
        `,
        context: 'http',
        errors: [{ line: 1, column: 1, messageId: 'noOpeningBrace' }],
      },
      { config: 'add_header X-A a always extra;\n', context: 'http/location', errors: [{ line: 1, column: 1, messageId: 'argumentCount' }] },
      { config: 'rewrite ^/a /b last extra;\n', context: 'http/location', errors: [{ line: 1, column: 1, messageId: 'argumentCount' }] },
      { config: 'return 301 https://a.test extra;\n', context: 'http/location', errors: [{ line: 1, column: 1, messageId: 'argumentCount' }] },
    ],
  },
  check(ctx) {
    // The spec a directive is held to, or null where another rule speaks first (unknown, outside the build,
    // not allowed here).
    const specs = new ByKindAndName<DirectiveSpec | null>();
    const s = ctx.model.store;
    const xs = checkedDirectives(ctx.model);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const name = s.name(x);
      const kind = s.block(x).kind;
      const id = s.nameId[x];
      let spec = specs.get(kind, id);
      if (spec === undefined) {
        const sp = !specsFor(name) || isThirdPartyDirective(name) || outsideBuild(ctx.model, ctx.settings, name) ? undefined : specIn(name, kind);
        spec = specs.set(kind, id, sp && isAllowedIn(sp, kind) ? sp : null);
      }
      if (!spec) continue;
      if (s.terminator(x) < 0) continue; // the syntax error already says it
      const hasBlock = s.hasBody(x);
      if (spec.isBlock && !hasBlock) {
        const ld = s.dir(x);
        ctx.report({ nginxLine: handlerLine(ld), message: `directive "${name}" has no opening "{"`, ...directiveSpan(ld) });
        continue;
      }
      if (!spec.isBlock && hasBlock) {
        const ld = s.dir(x);
        ctx.report({ nginxLine: handlerLine(ld), message: `directive "${name}" is not terminated by ";"`, ...directiveSpan(ld) });
        continue;
      }
      const n = s.argc(x);
      if (!takesArgCount(spec, n)) {
        const ld = s.dir(x);
        ctx.report({ nginxLine: handlerLine(ld), message: `invalid number of arguments in "${name}" directive (${n} given; ${range(spec.minArgs, spec.maxArgs)})`, ...directiveSpan(ld) });
      }
    }
  },
};

function range(min: number, max: number): string {
  if (max === Infinity) return `at least ${min}`;
  if (min === max) return `exactly ${min}`;
  return `${min} to ${max}`;
}
