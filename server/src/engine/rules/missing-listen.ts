// A stream or mail server with no listen: nginx refuses it (an http server would listen on port 80).

import { Rule, handlerLine } from './rule';
import { conf } from './case-text';

export const missingListen: Rule = {
  id: 'missing-listen',
  defaultSeverity: 'error',
  title: 'Stream or mail server without listen',
  nginxRejects: true,
  locality: 'server',
  explanation: `An http \`server\` without \`listen\` listens on port 80 (8000 when not run as root), but a \`server\` in
\`stream\` or \`mail\` has no default: nginx refuses the config with "no \\"listen\\" is defined for server". Add
the address and port the server accepts connections on.`,
  cases: {
    messages: {
      noListen: /^no "listen" is defined for server/,
    },
    valid: [
      {
        config: conf`
          server {
              listen 127.0.0.1:5000;
              proxy_pass 127.0.0.1:5432;
          }
        `,
        context: 'stream',
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              proxy_pass 127.0.0.1:5432;
          }
        `,
        context: 'stream',
        errors: [{ line: 1, column: 1, messageId: 'noListen' }],
      },
    ],
  },
  check(ctx) {
    const ldList = ctx.model.named('server');
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (!ld.child) continue;
      if (ld.child.kind !== 'stream/server' && ld.child.kind !== 'mail/server') continue;
      if (ctx.model.inBlock(ld.child, 'listen').length || ctx.model.partlyUnknown(ld.child) && ctx.model.hasUnreadInclude(ld.child)) continue;
      ctx.report({
        file: ld.file, start: ld.d.nameToken.start, end: ld.d.nameToken.end,
        nginxLine: handlerLine(ld),
        message: 'no "listen" is defined for server: a stream or mail server needs an address and port to listen on',
      });
    }
  },
};
