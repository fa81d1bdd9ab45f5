// The text of a rule's example config, written as the file reads: a tagged template whose lines are taken
// verbatim (String.raw: `\.` in a regex location is a backslash and a dot, as in nginx.conf), with the
// indentation common to its lines removed so that the example can sit indented in the rule module.
//
// Whitespace an editor could change without anyone seeing it is never literal: tabs, CRs and trailing
// spaces are written as substitutions (`${'\t'}`, `${'\r'}`, `${' '}`), which are inserted as they are and
// never dedented. .editorconfig trims trailing whitespace on save, so a literal trailing space would be
// dropped silently from the example; the tag refuses one instead. The errors it throws are mistakes in the
// literal itself: every test loads the rules, so one cannot go unnoticed.

const HOLE = '\uE000';

/**
 * conf`
 *   events {}
 *   http { }
 * ` === 'events {}\nhttp { }\n'
 *
 * The text starts on the line after the opening backtick. When the closing backtick is alone on its line
 * the text ends with a newline; right after the last line's text, it does not.
 */
export function conf(strings: TemplateStringsArray, ...values: string[]): string {
  const raw = strings.raw.join(HOLE);
  if (raw.includes('\t')) throw new Error("conf``: write a tab as ${'\\t'}");
  if (!raw.startsWith('\n')) throw new Error('conf``: the text starts on the line after the opening backtick');
  const lines = raw.slice(1).split('\n');
  const closingAlone = /^ *$/.test(lines[lines.length - 1]);
  if (closingAlone) lines.pop();
  let indent = Infinity;
  for (const l of lines) {
    if (/^ *$/.test(l)) continue;
    if (/ $/.test(l)) throw new Error(`conf\`\`: trailing space in ${JSON.stringify(l)}: write it as \${' '}`);
    indent = Math.min(indent, /^ */.exec(l)![0].length);
  }
  let i = 0;
  const text = lines.map((l) => (/^ *$/.test(l) ? '' : l.slice(indent))).join('\n') + (closingAlone ? '\n' : '');
  return text.replace(new RegExp(HOLE, 'g'), () => values[i++]);
}
