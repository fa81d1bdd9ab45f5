// Formatting must never change meaning: on every real-world config nginx can read, the token sequence
// before and after is identical, and formatting twice changes nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, SyntaxTree } from '../../server/src/engine';
import { format } from '../../server/src/engine/service/format';
import { decode } from '../../server/src/node/node-fs';
import { requireShared, sharedPath } from '../support/shared';

const CORPUS = sharedPath('corpus');

function tokens(tree: SyntaxTree): string[] {
  const out: string[] = [];
  const text = tree.text;
  const stack = [{ children: tree.root.children, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.children.length) { stack.pop(); out.push('}'); continue; }
    const d = top.children[top.i++];
    out.push(text.slice(d.nameToken.start, d.nameToken.end));
    for (const a of d.args) out.push(text.slice(a.start, a.end));
    if (d.lua) out.push('lua:' + text.slice(d.lua.start, d.lua.end));
    if (d.block) { out.push('{'); stack.push({ children: d.block.children, i: 0 }); } else out.push(';');
  }
  for (const c of tree.comments) out.push('#' + c.value);
  return out;
}

test('formatting preserves every token of every corpus file and is idempotent', (t) => {
  if (!requireShared(t, 'corpus')) return;
  const manifest = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  let formatted = 0;
  let changed = 0;
  let skipped = 0;
  for (const row of manifest) {
    const file = path.join(CORPUS, row.split('\t')[0]);
    const { text } = decode(fs.readFileSync(file));
    const before = parse(text);
    if (before.errors.length) { skipped++; continue; }
    for (const opts of [{ tabSize: 4, insertSpaces: true }, { tabSize: 4, insertSpaces: false }]) {
      const once = format(text, opts);
      const after = parse(once);
      assert.deepEqual(after.errors, [], `${file}: formatting introduced an error`);
      assert.deepEqual(tokens(after), tokens(before), `${file}: tokens changed`);
      assert.equal(format(once, opts), once, `${file}: formatting twice changes the text`);
      if (once !== text) changed++;
    }
    formatted++;
  }
  console.log(`formatted ${formatted} corpus files (${changed} format runs changed whitespace), skipped ${skipped} that nginx's tokenizer rejects`);
  assert.ok(formatted > 1000);
});
