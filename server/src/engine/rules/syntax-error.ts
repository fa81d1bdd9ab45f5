// The tokenizer's and block structure's errors, in nginx's words, where the user has to look.

import { Rule } from './rule';

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
    valid: [
      { config: 'events {}\nhttp {\n    server {\n        location ~ "^/a{2}$" { return 200 a}b; }\n        set $x "${host}x";\n    }\n}\n' },
    ],
    invalid: [
      { config: 'events {}\nhttp {\n    server {\n        listen 80\n    }\n}\n', lines: [4] },
      { config: 'events {}\nhttp {\n    server {\n        server_name "a.test"b.test;\n    }\n}\n', lines: [4] },
      { config: 'events {}\nhttp {\n    server {\n        return 200 "unterminated;\n    }\n}\n', lines: [4] },
      { config: 'events {}\nhttp {\n    server {\n        listen 80;\n}\n', lines: [2] },
      { config: 'events {}\nhttp {\n}\n}\n', lines: [4] },
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
