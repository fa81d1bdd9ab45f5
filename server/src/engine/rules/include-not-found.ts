// include of a file that does not exist (a glob matching nothing is fine, as in nginx).

import { Rule } from './rule';
import { modelProblems } from './model-problems';
import { conf } from './case-text';

export const includeNotFound: Rule = {
  id: 'include-not-found',
  defaultSeverity: 'error',
  title: 'Included file does not exist',
  nginxRejects: true,
  explanation: `nginx resolves a relative \`include\` against the directory of the main config file (the one given
to \`nginx -c\`), never against the file that contains the \`include\`. A literal path that does not exist stops
nginx; a pattern with \`*\`, \`?\` or \`[\` that matches nothing is accepted silently.`,
  cases: {
    messages: {
      notFound: /^open\(\) "[^"]*" failed \(2: No such file or directory\)/,
    },
    valid: [
      {
        config: conf`
          events {}
          http {
              include /nonexistent-dir-for-tests/*.conf;
          }
        `,
      },
    ],
    invalid: [
      {
        config: conf`
          events {}
          http {
              include /nonexistent-dir-for-tests/site.conf;
          }
        `,
        errors: [{ line: 3, column: 5, messageId: 'notFound' }],
      },
    ],
  },
  check: (ctx) => modelProblems(ctx, 'include-missing'),
};
