// A known directive in a block where no module accepts it.

import { familyOf, kindLabel } from '../knowledge/contexts';
import { isAllowedIn, specIn, specsFor } from '../knowledge/directives';
import { isThirdPartyDirective } from '../knowledge/third-party';
import { ByKindAndName, checkedDirectives, loadedModules, outsideBuild } from './checked-directives';
import { thirdPartyContexts } from '../knowledge/modules';
import { LDir } from '../model/model';
import { handlerLine, Rule } from './rule';
import { allowedHereAfter, versionLabel } from '../knowledge/tls';
import { conf } from './case-text';

export const directiveNotAllowedHere: Rule = {
  id: 'directive-not-allowed-here',
  defaultSeverity: 'error',
  title: 'Directive not allowed in this block',
  nginxRejects: true,
  locality: 'server',
  explanation: `Every directive is accepted only in certain blocks. The \`proxy_ssl_*\` family, for instance, works in
\`http\`, \`server\` and \`location\` but not inside \`if\` or \`limit_except\` (those inherit it from the enclosing
location instead), and \`ssl_verify_client\` is a server-level setting. Move the directive to a block that
accepts it.`,
  cases: {
    messages: {
      notAllowed: /^"[^"]*" directive is not allowed here/,
      locationOutside: /^location "[^"]*" is outside location/,
    },
    valid: [
      {
        config: conf`
          proxy_ssl_verify on;
          proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        `,
        context: 'http/server',
      },
      {
        config: conf`
          ssl_reject_handshake on;
        `,
        context: 'stream/server',
        nginxVersion: '1.26',
      },
    ],
    invalid: [
      {
        config: conf`
          if ($arg_a) {
              proxy_ssl_verify on;
          }
        `,
        context: 'http/location',
        errors: [{ line: 2, column: 5, messageId: 'notAllowed' }],
      },
      {
        config: conf`
          location / {
              ssl_verify_client on;
          }
        `,
        context: 'http/server',
        errors: [{ line: 2, column: 5, messageId: 'notAllowed' }],
      },
      {
        config: conf`
          upstream b {
              proxy_ssl_verify on;
              server 127.0.0.1;
          }
        `,
        context: 'http',
        errors: [{ line: 2, column: 5, messageId: 'notAllowed' }],
      },
      {
        config: conf`
          location /a {
              return 200;
          location /b {
              return 204;
          }
          }
        `,
        context: 'http/server',
        errors: [{ line: 3, column: 1, messageId: 'locationOutside' }],
      },
      {
        config: conf`
          ssl_reject_handshake on;
        `,
        context: 'stream/server',
        nginxVersion: '1.24',
        errors: [{ line: 1, column: 1, messageId: 'notAllowed' }],
      },
      {
        config: conf`
          ssl_certificate a.crt;
          ssl_certificate_key a.key;
          ssl_stapling on;
        `,
        context: 'stream/server',
        nginxVersion: '1.26',
        errors: [{ line: 3, column: 1, messageId: 'notAllowed' }],
      },
    ],
  },
  check(ctx) {
    // Whether a name may stand in a kind of block depends on those two alone: asked once per pair.
    const fine = new ByKindAndName<true>();
    const s = ctx.model.store;
    const xs = checkedDirectives(ctx.model);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const name = s.name(x);
      const kind = s.block(x).kind;
      const id = s.nameId[x];
      if (name === 'location' && kind === 'http/location') {
        const ld = s.dir(x);
        const outside = outsideParent(ld);
        if (outside) ctx.report({ file: ld.file, start: ld.d.nameToken.start, end: ld.d.args.length ? ld.d.args[ld.d.args.length - 1].end : ld.d.nameToken.end, nginxLine: handlerLine(ld), message: outside });
        continue;
      }
      if (fine.get(kind, id)) continue;
      const ld = s.dir(x);
      if (isThirdPartyDirective(ld.name)) {
        // Contexts as the module's own command table defines them (where we read it from its binary).
        const kinds = outsideBuild(ctx.model, ctx.settings, ld.name) ? undefined : thirdPartyContexts(ld.name, ctx.settings.build, loadedModules(ctx.model));
        if (!kinds || kinds.has(ld.block.kind)) { fine.set(kind, id, true); continue; }
        const guessed = ctx.model.kindGuessed(ld.block);
        ctx.report({
          nginxLine: handlerLine(ld), file: ld.file, start: ld.nameStart, end: ld.nameEnd,
          severity: guessed ? 'warning' : undefined,
          message: `"${ld.name}" directive is not allowed here (in ${kindLabel(ld.block.kind)}; allowed in: ${[...new Set([...kinds].map(kindLabel))].join(', ')})` +
            (guessed ? ` (if this file is included in ${kindLabel(ctx.model.top.kind)} context, as inferred; no main config includes it here: say where with "# nginx-context: …")` : ''),
        });
        continue;
      }
      if (!specsFor(ld.name) || outsideBuild(ctx.model, ctx.settings, ld.name)) { fine.set(kind, id, true); continue; }
      const spec = specIn(ld.name, ld.block.kind)!;
      if (isAllowedIn(spec, ld.block.kind)) {
        // Allowed here by the current docs, but only from a version on (another family had it first).
        const after = allowedHereAfter(ld.name, ld.block.kind, ctx.settings.nginxVersion);
        if (!after) { fine.set(kind, id, true); continue; }
        ctx.report({
          nginxLine: handlerLine(ld), file: ld.file, start: ld.nameStart, end: ld.nameEnd,
          severity: ctx.model.kindGuessed(ld.block) ? 'warning' : undefined,
          message: `"${ld.name}" directive is not allowed here (in ${kindLabel(ld.block.kind)}; ${familyOf(ld.block.kind)} has it since nginx ${after}, and the configured version is ${versionLabel(ctx.settings.nginxVersion)} (setting nginxTlsProxy.nginxVersion))`,
        });
        continue;
      }
      const allowed = spec.contexts === 'any' ? '' : [...new Set([...spec.contexts].map(kindLabel))].join(', ');
      // Where the block's kind only follows from a guessed context (a fragment nobody includes), the finding is
      // a guess too: a warning that says so, never a claim that nginx fails.
      const guessed = ctx.model.kindGuessed(ld.block);
      ctx.report({
        nginxLine: handlerLine(ld),
        file: ld.file,
        start: ld.nameStart,
        end: ld.nameEnd,
        severity: guessed ? 'warning' : undefined,
        message: `"${ld.name}" directive is not allowed here (in ${kindLabel(ld.block.kind)}; allowed in: ${allowed})` +
          (guessed ? ` (if this file is included in ${kindLabel(ctx.model.top.kind)} context, as inferred; no main config includes it here: say where with "# nginx-context: …")` : ''),
      });
    }
  },
};

/**
 * A prefix location nested in a prefix location must extend its path (nginx: "location X is outside
 * location Y"); nothing may be nested in an exact (=) or named (@) location.
 */
function outsideParent(ld: LDir): string | null {
  const parent = ld.block.owner;
  if (!parent) return null;
  const pa = parent.d.args.map((a) => a.value);
  const ca = ld.d.args.map((a) => a.value);
  if (!pa.length || !ca.length) return null;
  const pUri = pa[pa.length - 1];
  const cUri = ca[ca.length - 1];
  if (pa[0] === '=' || pUri.startsWith('@')) return `location "${cUri}" cannot be inside the ${pa[0] === '=' ? 'exact' : 'named'} location "${pUri}"`;
  const regex = (a: string[]) => a[0] === '~' || a[0] === '~*';
  if (regex(pa) || regex(ca) || cUri.startsWith('@')) return null;
  return cUri.startsWith(pUri) ? null : `location "${cUri}" is outside location "${pUri}"`;
}
