// The tokenizer's and block structure's errors, in nginx's words, where the user has to look.

import { Rule } from './rule';
import { conf } from './case-text';

export const syntaxError: Rule = {
  id: 'syntax-error',
  defaultSeverity: 'error',
  title: 'nginx cannot read this config',
  nginxRejects: true,
  explanation: `The text breaks nginx's config syntax: an unbalanced brace, a directive without its terminating
\`;\`, an unterminated quote, text glued to a closing quote, a token longer than nginx's 4096-byte buffer.
nginx stops at the first of these; the editor shows them all, each at the place to fix (for a missing \`;\`
that is the directive lacking it, not the \`}\` nginx trips over).`,
  cases: {
    messages: {
      notTerminated: /^unexpected "[^"]*": the directive "[^"]*" is not terminated by/,
      unexpected: /^unexpected "[^"]*"$/,
      unterminatedString: /^unterminated string:/,
      blockNotClosed: /^unexpected end of file, expecting "}": the "[^"]*" block opened here is not closed/,
    },
    valid: [
      {
        config: conf`
          events {}
          http {
              server {
                  location ~ "^/a{2}$" { return 200 a}b; }
                  set $x "${'$'}{host}x";
              }
          }
        `,
      },
    ],
    invalid: [
      {
        config: conf`
          events {}
          http {
              server {
                  listen 80
              }
          }
        `,
        errors: [{ line: 4, column: 9, messageId: 'notTerminated' }],
      },
      {
        config: conf`
          events {}
          http {
              server {
                  server_name "a.test"b.test;
              }
          }
        `,
        errors: [{ line: 4, column: 29, messageId: 'unexpected' }],
      },
      {
        config: conf`
          events {}
          http {
              server {
                  return 200 "unterminated;
              }
          }
        `,
        errors: [{ line: 4, column: 20, messageId: 'unterminatedString' }],
      },
      {
        config: conf`
          events {}
          http {
              server {
                  listen 80;
          }
        `,
        errors: [{ line: 2, column: 1, messageId: 'blockNotClosed' }],
      },
      {
        config: conf`
          events {}
          http {
          }
          }
        `,
        errors: [{ line: 4, column: 1, messageId: 'unexpected' }],
      },
    ],
  },
  check(ctx) {
    for (const file of ctx.model.files.values()) {
      for (const e of file.tree.errors) {
        ctx.report({ file, start: e.start, end: e.end, message: e.message, nginxLine: e.nginxLine });
      }
    }
  },
};
