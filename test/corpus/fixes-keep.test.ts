// Every quick fix on real-world configs keeps what it does not mean to change: each fix of each finding is
// applied alone to the file it was computed on, and then
//   - a file without syntax errors still has none;
//   - every comment is still there (its text, trailing blanks aside);
//   - every token the edits do not overlap is still a token, with the same value, at its shifted offset (an
//     insertion glued to a neighbour would merge two tokens).
// The files come from ../shared/corpus, as written and in variants a hand-edited config often takes: CRLF line
// breaks, a trailing comment after every `;`, two statements on a line, tabs. Each variant also has its
// `proxy_pass http://` turned into `https://` and its `ssl_protocols` weakened, which makes the TLS rules
// (and so most of the fixes) fire on configs nobody wrote for them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, createLanguageService, memoryFileSystem, parse, TextEdit } from '../../server/src/engine';
import { filesUnder, requireShared, sharedOption } from '../support/shared';

const VARIANTS: Record<string, (t: string) => string> = {
  'as written': (t) => t,
  crlf: (t) => t.replace(/\r?\n/g, '\r\n'),
  'trailing comments': (t) => t.replace(/;[ \t]*\n/g, '; # note\n'),
  'joined statements': (t) => t.replace(/;[ \t]*\n[ \t]*(?=[a-z_])/g, '; '),
  tabs: (t) => t.replace(/^( {4})+/gm, (m) => '\t'.repeat(m.length / 4)),
};

function tlsHeavy(t: string): string {
  return t
    .replace(/(proxy_pass\s+)http:\/\//g, '$1https://')
    .replace(/(grpc_pass\s+)(grpc:\/\/)?/g, '$1grpcs://')
    .replace(/ssl_protocols[^;]*;/g, 'ssl_protocols TLSv1 TLSv1.2;');
}

interface Shape {
  errors: number;
  tokens: { start: number; end: number; value: string }[];
  comments: string[];
}

function shape(text: string): Shape {
  const tree = parse(text);
  const tokens: Shape['tokens'] = [];
  const stack = [tree.root];
  while (stack.length) {
    for (const d of stack.pop()!.children) {
      for (const t of [d.nameToken, ...d.args]) tokens.push({ start: t.start, end: t.end, value: t.value });
      if (d.block) stack.push(d.block);
    }
  }
  return { errors: tree.errors.length, tokens, comments: tree.comments.map((c) => c.value.replace(/[ \t\r]+$/, '')) };
}

/** What the fix broke, or null. */
function damage(text: string, before: Shape, edits: TextEdit[]): string | null {
  const after = applyEdits(text, edits);
  const now = shape(after);
  if (!before.errors && now.errors) return `a syntax error after the fix: ${parse(after).errors[0].message}`;
  const left = new Map<string, number>();
  for (const c of now.comments) left.set(c, (left.get(c) ?? 0) + 1);
  for (const c of before.comments) {
    const n = left.get(c) ?? 0;
    if (!n) return `the comment ${JSON.stringify(c)} is gone`;
    left.set(c, n - 1);
  }
  const at = new Map(now.tokens.map((t) => [t.start, t]));
  // An insertion exactly at an offset goes before what starts there: it moves it too.
  const moved = (x: number) => x + edits.reduce((d, e) => (e.end <= x ? d + e.newText.length - (e.end - e.start) : d), 0);
  for (const t of before.tokens) {
    if (edits.some((e) => (e.start < t.end && t.start < e.end) || (e.start === e.end && e.start > t.start && e.start < t.end))) continue;
    const n = at.get(moved(t.start));
    if (!n || n.value !== t.value) return `the token ${JSON.stringify(t.value)} at offset ${t.start} became ${n ? JSON.stringify(n.value) : 'nothing'}`;
  }
  return null;
}

test('the check itself: a lost comment and a token glued to an insertion are caught', () => {
  const text = 'a b; # c\nd e;\n';
  const edit = (start: number, end: number, newText: string): TextEdit[] => [{ path: '/x', start, end, newText }];
  assert.match(damage(text, shape(text), edit(4, 8, '')) ?? '', /the comment "# c" is gone/);
  assert.match(damage(text, shape(text), edit(9, 9, 'x')) ?? '', /the token "d" at offset 9 became nothing/);
  assert.match(damage(text, shape(text), edit(2, 2, '{')) ?? '', /syntax error/);
  assert.equal(damage(text, shape(text), edit(9, 9, 'f g;\n')), null);
});

test('quick fixes on the corpus and its variants keep every comment and every token they do not edit', sharedOption('corpus'), (t) => {
  const root = requireShared(t, 'corpus/files');
  if (!root) return;
  // Only files with something a fix could be about: the rest would only cost time.
  const files = filesUnder(root).filter((f) => /proxy_pass|grpc_pass|uwsgi_pass|ssl_/.test(fs.readFileSync(f, 'latin1')));
  let fixes = 0;
  const broken: string[] = [];
  for (const file of files) {
    const original = fs.readFileSync(file, 'latin1');
    for (const [name, variant] of Object.entries(VARIANTS)) {
      for (const heavy of [false, true]) {
        const text = variant(heavy ? tlsHeavy(original) : original);
        if ((name !== 'as written' || heavy) && text === original) continue;
        const p = '/corpus/' + path.basename(file);
        const findings = createLanguageService({ fs: memoryFileSystem({ [p]: text }) }).diagnose(p).findings;
        const before = shape(text);
        for (const f of findings) {
          for (const fix of f.fixes) {
            // A fix is offered only when it changes something (an editor would show an action doing nothing).
            if (fix.edits.length === 0) broken.push(`${path.relative(root, file)} (${name}${heavy ? ', TLS-heavy' : ''}) ${f.ruleId} "${fix.title}": offered with no edit`);
            // A value the user would type goes where the placeholder is.
            const edits = fix.edits.filter((e) => e.path === p).map((e) => (fix.input ? { ...e, newText: e.newText.split(fix.input.placeholder).join('backend.example.com') } : e));
            if (!edits.length) continue;
            fixes++;
            const why = damage(text, before, edits);
            if (why) broken.push(`${path.relative(root, file)} (${name}${heavy ? ', TLS-heavy' : ''}) ${f.ruleId} "${fix.title}": ${why}`);
          }
        }
      }
    }
  }
  t.diagnostic(`${files.length} files × ${Object.keys(VARIANTS).length} variants × 2: ${fixes} fixes applied`);
  // Enough fixes that the check means something (2 816 when this was written).
  assert.ok(fixes >= 1000, `only ${fixes} fixes were applied`);
  assert.deepEqual(broken.slice(0, 20), []);
});
