// A file that ends up including itself.

import { Rule } from './rule';
import { modelProblems } from './model-problems';

export const includeCycle: Rule = {
  id: 'include-cycle',
  defaultSeverity: 'error',
  title: 'Include cycle',
  nginxRejects: true,
  explanation: `A file includes itself, directly or through others. nginx follows includes without checking for
cycles and fails once it runs out of file descriptors or memory. Reported once; the cycle is not followed.`,
  cases: {
    valid: [{ config: 'events {}\nhttp {}\n' }],
    invalid: [{ config: 'events {}\nhttp {\n    include nginx.conf;\n}\n', lines: [3] }],
  },
  check: (ctx) => modelProblems(ctx, 'include-cycle'),
};
