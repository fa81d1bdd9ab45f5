// include of a file that does not exist (a glob matching nothing is fine, as in nginx).

import { Rule } from './rule';
import { modelProblems } from './model-problems';

export const includeNotFound: Rule = {
  id: 'include-not-found',
  defaultSeverity: 'error',
  title: 'Included file does not exist',
  nginxRejects: true,
  explanation: `nginx resolves a relative \`include\` against the directory of the main config file (the one given
to \`nginx -c\`), never against the file that contains the \`include\`. A literal path that does not exist stops
nginx; a pattern with \`*\`, \`?\` or \`[\` that matches nothing is accepted silently.`,
  cases: {
    valid: [{ config: 'events {}\nhttp {\n    include /nonexistent-dir-for-tests/*.conf;\n}\n' }],
    invalid: [{ config: 'events {}\nhttp {\n    include /nonexistent-dir-for-tests/site.conf;\n}\n', lines: [3] }],
  },
  check: (ctx) => modelProblems(ctx, 'include-missing'),
};
