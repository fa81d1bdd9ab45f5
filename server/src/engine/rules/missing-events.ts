// A complete config without an events block: nginx refuses to start.

import { Rule } from './rule';
import { conf } from './case-text';

export const missingEvents: Rule = {
  id: 'missing-events',
  defaultSeverity: 'error',
  title: 'No events block',
  nginxRejects: true,
  explanation: `A main nginx config must contain an \`events { }\` block, even an empty one. Without it the syntax
check passes but \`nginx -t\` then fails with "no "events" section in configuration", and nginx does not
start. Only complete configs (those with \`http\`, \`stream\` or \`mail\` at the top level) are checked; files
included from elsewhere are not, nor a file marked \`# nginx-context: main\` (a piece of a main config).`,
  cases: {
    messages: {
      noEvents: /^no "events" section in configuration/,
    },
    valid: [
      {
        config: conf`
          events {}
          http {}
        `,
      },
      {
        config: conf`
          server { listen 80; }
        `,
        context: 'http',
      },
      {
        config: conf`
          # nginx-context: main
          http {}
        `,
      },
    ],
    invalid: [
      {
        config: conf`
          http {
              server { listen 80; }
          }
        `,
        errors: [{ line: 1, column: 1, messageId: 'noEvents' }],
      },
    ],
    // (Also when the http block comes from an include: the finding is on that include, in the main file.)
  },
  check(ctx) {
    const m = ctx.model;
    if (m.root.synthetic || !m.rootFile || m.top !== m.root) return;
    const top = m.root.items;
    if (!top.some((ld) => ld.name === 'http' || ld.name === 'stream' || ld.name === 'mail')) return;
    if (top.some((ld) => ld.name === 'events')) return;
    // Point at the block in the main file, or at the include that brought it in.
    const block = top.find((ld) => ld.name === 'http' || ld.name === 'stream' || ld.name === 'mail')!;
    let at = block;
    while (at.file !== m.rootFile && at.via) at = at.via;
    ctx.report({ file: at.file, start: at.d.nameToken.start, end: at.d.nameToken.end, message: 'no "events" section in configuration: add an events { } block at the top level' });
  },
};
