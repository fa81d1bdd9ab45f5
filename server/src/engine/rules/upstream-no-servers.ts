// An upstream group with no server in it: nginx refuses the config.

import { handlerLine, Rule } from './rule';
import { conf } from './case-text';

export const upstreamNoServers: Rule = {
  id: 'upstream-no-servers',
  defaultSeverity: 'error',
  title: 'Upstream group without servers',
  nginxRejects: true,
  explanation: `Every \`upstream\` block needs at least one \`server\`; nginx refuses an empty one ("no servers are inside
upstream") even if nothing uses it. Servers filled in later by a service-discovery agent (\`state\` files,
the API) still need the block to name a file or a placeholder that nginx can read at start.`,
  cases: {
    messages: {
      noServers: /^no servers are inside upstream/,
    },
    valid: [
      {
        config: conf`
          upstream backend {
              server 127.0.0.1:8080;
          }
        `,
        context: 'http',
      },
    ],
    invalid: [
      {
        config: conf`
          upstream backend {
              zone backend 64k;
          }
        `,
        context: 'http',
        errors: [{ line: 1, column: 1, messageId: 'noServers' }],
      },
    ],
  },
  check(ctx) {
    for (const g of ctx.model.upstreams().values()) {
      if (g.servers.length) continue;
      // Servers come only from the block itself: a main config around a file read alone cannot add any, and
      // only an include inside the block that could not be read might.
      const unread = ctx.model.hasUnreadIncludeIn(g.dir.child!);
      ctx.report({
        file: g.dir.file, start: g.dir.d.nameToken.start, end: g.dir.d.args[0].end,
        nginxLine: handlerLine(g.dir),
        severity: unread ? 'warning' : undefined,
        message: `no servers are inside upstream "${g.name}"${unread ? ' (unless the include in it that could not be read adds some)' : ''}`,
      });
    }
  },
};
