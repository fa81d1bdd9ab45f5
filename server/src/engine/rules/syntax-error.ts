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
  check(ctx) {
    for (const file of ctx.model.files.values()) {
      for (const e of file.tree.errors) {
        ctx.report({ file, start: e.start, end: e.end, message: e.message, nginxLine: e.nginxLine });
      }
    }
  },
};
