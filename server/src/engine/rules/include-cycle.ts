// A file that ends up including itself.

import { Rule } from './rule';
import { modelProblems } from './model-problems';
import { conf } from './case-text';

export const includeCycle: Rule = {
  id: 'include-cycle',
  defaultSeverity: 'error',
  title: 'Include cycle',
  nginxRejects: true,
  explanation: `A file includes itself, directly or through others. nginx follows includes without checking for
cycles and fails once it runs out of file descriptors or memory. Reported once; the cycle is not followed.`,
  cases: {
    messages: {
      cycle: /^include cycle: /,
    },
    valid: [
      {
        config: conf`
          events {}
          http {}
        `,
      },
    ],
    invalid: [
      {
        config: conf`
          events {}
          http {
              include nginx.conf;
          }
        `,
        errors: [{ line: 3, column: 5, messageId: 'cycle' }],
      },
    ],
  },
  check: (ctx) => modelProblems(ctx, 'include-cycle'),
};
