// Guard rails: include graphs deeper or wider than the analyser follows.

import { Rule } from './rule';
import { modelProblems } from './model-problems';
import { conf } from './case-text';

export const includeLimit: Rule = {
  id: 'include-limit',
  defaultSeverity: 'warning',
  title: 'Include graph too large to follow',
  nginxRejects: false,
  explanation: `To stay fast and bounded, the analyser follows includes to a limited depth and number of files.
Findings past the limit are missing; nginx itself has no such limit.`,
  cases: {
    valid: [
      {
        config: conf`
          events {}
          http {}
        `,
      },
    ],
    invalid: [],
  },
  check: (ctx) => modelProblems(ctx, 'include-limit'),
};
