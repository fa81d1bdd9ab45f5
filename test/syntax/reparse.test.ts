// Re-parsing after one edit (issue 10, item 2): when `reparse` moves the old tree's offsets instead of parsing,
// the tree must be exactly the one `parse` makes of the new text — every array, the errors, the line starts.
// Random texts full of what changes tokenization (quotes, escapes, `${`, comments, braces, parens) take random
// single edits; real-world configs from the shared corpus too, when it is there. Typing inside arguments and
// comments must actually take the shift (the arrays without offsets are shared), or the comparison proves
// nothing.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse } from '../../server/src/engine';
import { reparse } from '../../server/src/engine/syntax/reparse';
import { CompactTree } from '../../server/src/engine/syntax/tree';
import type { SyntaxTree } from '../../server/src/engine/syntax/types';
import { requireShared, sharedOption } from '../support/shared';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const opts = (numRuns: number) => ({ numRuns, ...(seed !== undefined ? { seed } : {}) });

function snapshot(tree: SyntaxTree): unknown {
  const a = (tree as CompactTree).arrays;
  const cut = (v: Int32Array | Uint8Array, n: number) => Array.from(v.subarray(0, n));
  return {
    tokens: [cut(a.tokStart, a.tokenCount), cut(a.tokEnd, a.tokenCount), cut(a.tokFlags, a.tokenCount)],
    dirs: [cut(a.dirTok, a.dirCount), cut(a.dirArgc, a.dirCount), cut(a.dirEnd, a.dirCount), cut(a.dirTerm, a.dirCount), cut(a.dirParent, a.dirCount), cut(a.dirBlock, a.dirCount), cut(a.dirNext, a.dirCount)],
    blocks: [cut(a.blkOwner, a.blockCount), cut(a.blkOpen, a.blockCount), cut(a.blkClose, a.blockCount), cut(a.blkFirst, a.blockCount)],
    comments: [cut(a.comStart, a.commentCount), cut(a.comEnd, a.commentCount)],
    errors: tree.errors,
    lineStarts: tree.lineStarts,
    nginxLineStarts: tree.nginxLineStarts,
    names: tree.root.children.map((d) => d.name),
  };
}

/** Whether `now` was made by moving `old`'s offsets (it shares the arrays that hold none). */
const shiftedFrom = (old: SyntaxTree, now: SyntaxTree) => (old as CompactTree).arrays.dirTok === (now as CompactTree).arrays.dirTok && (old as CompactTree).arrays.dirCount > 0;

/** Checks one edit; returns whether it took the shift. */
function check(before: string, after: string): boolean {
  const old = parse(before);
  // Line starts are moved from the old tree only when it had them.
  void old.nginxLineStarts;
  const now = reparse(old, after);
  assert.deepEqual(snapshot(now), snapshot(parse(after)), `edit ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  return shiftedFrom(old, now);
}

const word = fc.constantFrom('a', 'bc', 'example.com', '10.0.0.1:443', '/p/x', 'on', 'ssl', '$host', '${v}x', 'a\\;b', '~^(?<n>.+)$', 'é');
// `"g")`: an `if` condition's closing paren right after a quote (nginx allows no other character there).
const quoted = fc.constantFrom('"q w"', "'s;{'", '"a\\"b"', '"two\nlines"', '""', '"g")');
const statement = fc
  .tuple(fc.constantFrom('server_name', 'proxy_pass', 'set', 'x', 'content_by_lua_block'), fc.array(fc.oneof({ arbitrary: word, weight: 4 }, { arbitrary: quoted, weight: 1 }), { maxLength: 3 }), fc.constantFrom(';', ';', '; # c', ' { a b; }', ' {\n  y z;\n}'))
  .map(([name, args, end]) => `${name} ${args.join(' ')}${end}\n`);
// Mostly statements; now and then a piece that breaks the structure (then the text has errors and is parsed).
const hazard = fc.constantFrom('{', '}', '"', "'", '\\', '#c\n', '${', '(', ';', 'x'.repeat(4094));
const text = fc.array(fc.oneof({ arbitrary: statement, weight: 12 }, { arbitrary: hazard, weight: 1 }), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));
const inserted = fc.oneof(fc.constantFrom('a', 'b', 'q', '1', '.'), fc.constantFrom('a', 'Z', '0', '.', '-', '_', '/', ':', '=', '~', '*', 'é', '\u2028', ' ', ';', '{', '}', '"', "'", '\\', '#', '$', '(', ')', '\n', 'abc', 'x;y'), fc.string({ maxLength: 3 }));

test('reparse: a tree made by moving offsets is the tree parse makes (random texts, random single edits)', () => {
  let shifted = 0;
  fc.assert(
    fc.property(text, fc.nat(), fc.nat(3), inserted, (t, at, removed, ins) => {
      const s = at % (t.length + 1);
      const e = Math.min(t.length, s + removed);
      if (check(t, t.slice(0, s) + ins + t.slice(e))) shifted++;
    }),
    opts(3000),
  );
  // Edits of a letter inside a word are common in these texts: some must have been shifted.
  assert.ok(shifted > 50, `only ${shifted} edits took the shift`);
});

test('reparse: typing in an argument, a quoted value and a comment moves offsets; a name, a brace or a quote parses', () => {
  const base = 'http {\n    server {\n        server_name a.example.com;  # front\n        add_header X-A "v 1";\n    }\n}\n';
  const at = (needle: string, plus = 0) => base.indexOf(needle) + plus;
  const edit = (s: number, e: number, ins: string) => base.slice(0, s) + ins + base.slice(e);
  assert.equal(check(base, edit(at('.com;', 4), at('.com;', 4), 'x')), true, 'end of an argument');
  assert.equal(check(base, edit(at('a.example'), at('a.example'), 'w')), true, 'start of an argument');
  assert.equal(check(base, edit(at('a.example'), at('a.example') + 1, 'bb')), true, 'replace inside an argument');
  assert.equal(check(base, edit(at('v 1', 1), at('v 1', 1), '-')), true, 'inside quotes');
  assert.equal(check(base, edit(at('# front', 7), at('# front', 7), ' {x;"')), true, 'inside a comment');
  assert.equal(check(base, edit(at('server_name', 3), at('server_name', 3), 'x')), false, 'a directive name');
  assert.equal(check(base, edit(at('.com;', 4), at('.com;', 4), ' ')), false, 'a blank splits the word');
  assert.equal(check(base, edit(at('.com;', 4), at('.com;', 4), '{')), false, 'a brace');
  assert.equal(check(base, edit(at('"v 1"'), at('"v 1"') + 1, '')), false, 'the opening quote');
  assert.equal(check(base, edit(at('a.example'), at('.com;', 4), '')), false, 'the whole word removed');
  // A word that starts where a quoted one ends: a letter typed there follows the quote (an error nginx reports).
  const cond = 'if ($a = "v") {\n    return 200;\n}\n';
  assert.equal(check(cond, cond.replace('")', '"c)')), false, 'a letter right after a closing quote');
});

test('reparse: random edits of real-world configs (shared corpus)', sharedOption('corpus'), (t) => {
  const dir = requireShared(t, 'corpus/files');
  if (!dir) return;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size < 200_000) files.push(p);
    }
  };
  walk(dir);
  let rnd = 7;
  const rand = (n: number) => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) % n;
  const inserts = ['a', 'x', '0', '.', ' ', ';', '{', '}', '"', '#', '$', '\\', '(', '', ''];
  let shifted = 0, edits = 0;
  for (let i = 0; i < files.length; i += Math.max(1, Math.floor(files.length / 300))) {
    const text = fs.readFileSync(files[i], 'latin1');
    if (!text.length) continue;
    for (let k = 0; k < 10; k++) {
      const s = rand(text.length);
      const e = Math.min(text.length, s + rand(3));
      edits++;
      if (check(text, text.slice(0, s) + inserts[rand(inserts.length)] + text.slice(e))) shifted++;
    }
  }
  assert.ok(edits > 1000 && shifted > edits / 10, `${shifted} of ${edits} edits took the shift`);
});
