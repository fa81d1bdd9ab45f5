// A directive name no module defines (with a "did you mean" for near misses).

import { allDirectives, isAllowedIn, specIn } from '../knowledge/directives';
import { isKnownDirective, availability, moduleHint } from '../knowledge/modules';
import { checkedDirectives, loadedModules } from './checked-directives';
import { setName } from '../fixes/edits';
import { Rule, handlerLine } from './rule';
import { deprecatedAt, introducedAfter, removedBy, versionLabel } from '../knowledge/tls';
import { conf } from './case-text';
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length];
}

export function suggestDirective(name: string): string | undefined {
  const limit = name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const known of allDirectives().keys()) {
    const d = distance(name.toLowerCase(), known, limit);
    if (d < bestD) { bestD = d; best = known; }
  }
  return best;
}

export const unknownDirective: Rule = {
  id: 'unknown-directive',
  defaultSeverity: 'error',
  title: 'Unknown directive',
  nginxRejects: true,
  locality: 'server',
  explanation: `No module of the configured nginx build defines this name, so \`nginx -t\` stops at it. The build is the
\`nginxTlsProxy.modules\` setting (\`--modules\`, or \`--modules-from "$(nginx -V 2>&1)"\` on the command line): a preset
(\`nginx\` for nginx.org's packages, the default; \`nginx-plus\`, \`openresty\`, \`debian-light\`, \`debian-core\`,
\`debian-full\`, \`debian-extras\`, \`debian-all\` for Debian 12) and module names to add; the config's own
\`load_module\` lines add theirs. A directive of a module outside the build (NGINX Plus only, a third-party module
that is not loaded) is reported with the module that defines it and how to get it. Names of modules we do not
know can be declared with \`nginxTlsProxy.extraDirectives\` (\`--extra-directive\`). The version
(\`nginxTlsProxy.nginxVersion\`) counts too: a directive newer than it, or one nginx has removed by then (\`ssl on\`,
gone in 1.25.1: use \`listen … ssl\`), is unknown there; a deprecated one that version still takes with a
warning (\`ssl on\` from 1.15.0) is reported as a warning.`,
  cases: {
    messages: {
      didYouMean: /^unknown directive "[^"]*"; did you mean "[^"]*"\?$/,
      plusOnly: /^unknown directive "[^"]*"; it is NGINX Plus only/,
      moduleNotInBuild: /^unknown directive "[^"]*"; defined by the third-party .* module/,
      newerVersion: /^unknown directive "[^"]*": it appeared in nginx \d/,
      removed: /^unknown directive "[^"]*": nginx \d+\.\d+\.\d+ removed it/,
      deprecated: /^"[^"]*" is deprecated since nginx \d/,
    },
    valid: [
      {
        config: conf`
          more_set_headers "X-A: b";
          content_by_lua_block { ngx.say("}") }
        `,
        context: 'http/location',
        modules: 'debian-extras',
      },
      {
        config: conf`
          load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
          events { }
          http {
              server {
                  location / {
                      echo hello;
                  }
              }
          }
        `,
      },
    ],
    invalid: [
      {
        config: conf`
          proxy_ssl_verfy on;
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 1, messageId: 'didYouMean' }],
        fixed: conf`
          proxy_ssl_verify on;
        `,
      },
      {
        config: conf`
          upstream b {
              server 127.0.0.1:8080;
              sticky cookie srv;
          }
        `,
        context: 'http',
        nginxVersion: '1.28',
        errors: [{ line: 3, column: 5, messageId: 'plusOnly' }],
      },
      {
        config: conf`
          more_set_headers "X-A: b";
        `,
        context: 'http/location',
        errors: [{ line: 1, column: 1, messageId: 'moduleNotInBuild' }],
      },
      {
        config: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5443;
              proxy_ssl on;
              proxy_ssl_alpn h2;
          }
        `,
        context: 'stream',
        nginxVersion: '1.22',
        errors: [{ line: 5, column: 5, messageId: 'newerVersion' }],
      },
      {
        config: conf`
          ssl on;
          ssl_certificate a.crt;
          ssl_certificate_key a.key;
        `,
        context: 'http/server',
        nginxVersion: '1.26',
        errors: [{ line: 1, column: 1, messageId: 'removed' }],
      },
      {
        config: conf`
          ssl on;
          ssl_certificate a.crt;
          ssl_certificate_key a.key;
        `,
        context: 'http/server',
        nginxVersion: '1.22',
        errors: [{ line: 1, column: 1, messageId: 'deprecated' }],
      },
    ],
  },
  check(ctx) {
    const { build, nginxVersion, extraDirectives } = ctx.settings;
    // Whether a name is known depends on the name alone (and the build): asked once per distinct name.
    const s = ctx.model.store;
    // By name id: 1 when the name is fine.
    const fine = new Uint8Array(s.nameList.length);
    for (const name of extraDirectives) {
      const id = s.idOf(name);
      if (id >= 0) fine[id] = 1;
    }
    const xs = checkedDirectives(ctx.model);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const id = s.nameId[x];
      if (fine[id]) continue;
      const name = s.nameList[id];
      // Past the known names (nearly all of a config), something is said of it: its object is made.
      const ld = s.dir(x);
      const removed = removedBy(name, nginxVersion);
      if (removed) {
        ctx.report({
          nginxLine: handlerLine(ld),
          file: ld.file, start: ld.nameStart, end: ld.nameEnd,
          message: `unknown directive "${name}": nginx ${removed.removed.join('.')} removed it (deprecated since ${removed.deprecated.join('.')}: use ${removed.instead} instead), and the configured version is ${versionLabel(nginxVersion)} (setting nginxTlsProxy.nginxVersion)`,
        });
        continue;
      }
      const old = deprecatedAt(name, nginxVersion);
      const oldHere = old && isAllowedIn(specIn(name, ld.block.kind)!, ld.block.kind);
      if (old && oldHere) {
        // nginx -t takes it with a warning; the config breaks on an upgrade to the version that removed it.
        ctx.report({
          nginxLine: handlerLine(ld),
          file: ld.file, start: ld.nameStart, end: ld.nameEnd,
          severity: 'warning',
          message: `"${name}" is deprecated since nginx ${old.deprecated.join('.')} (nginx -t warns): use ${old.instead} instead; nginx ${old.removed.join('.')} removed it and stops at it as an unknown directive`,
        });
        continue;
      }
      // Where it is not allowed, nginx stops there first (directive-not-allowed-here).
      if (old) continue;
      const newer = introducedAfter(name, nginxVersion);
      if (newer) {
        ctx.report({
          nginxLine: handlerLine(ld),
          file: ld.file, start: ld.nameStart, end: ld.nameEnd,
          message: `unknown directive "${name}": it appeared in nginx ${newer}, and the configured version is ${versionLabel(nginxVersion)} (setting nginxTlsProxy.nginxVersion)`,
        });
        continue;
      }
      if (isKnownDirective(name)) {
        const a = availability(name, build, loadedModules(ctx.model), nginxVersion);
        if (a.ok || !a.modules.length) { fine[id] = 1; continue; }
        // Outside the build. In a partial view, a module the distribution ships for load_module may be loaded by
        // the main config this analysis cannot see: say so instead of claiming nginx fails.
        const maybeLoaded = a.loadable && build.loadNeeded && ctx.model.partlyUnknown(ld.block);
        ctx.report({
          nginxLine: handlerLine(ld),
          file: ld.file, start: ld.nameStart, end: ld.nameEnd,
          severity: maybeLoaded ? 'warning' : undefined,
          message: `unknown directive "${name}"; ` + (a.olderVersion
            ? `the version of ${a.olderVersion.module} in the configured build (${a.olderVersion.from}) does not define it: it is newer`
            : moduleHint(name, a.modules, build)) +
            (maybeLoaded ? ' (unless the main config loads it: this file is analysed on its own)' : ''),
        });
        continue;
      }
      const hint = suggestDirective(name);
      ctx.report({
        nginxLine: handlerLine(ld),
        file: ld.file,
        start: ld.nameStart,
        end: ld.nameEnd,
        message: `unknown directive "${name}"` + (hint ? `; did you mean "${hint}"?` : ''),
        fixes: hint ? [{ title: `Change to "${hint}"`, edits: [setName(ld, hint)], isPreferred: true }] : [],
      });
    }
  },
};
