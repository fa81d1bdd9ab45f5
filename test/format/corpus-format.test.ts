// Formatting must never change meaning: on every real-world config nginx can read, the token sequence
// (comments included; a comment may only lose its trailing blanks) before and after is identical, and
// formatting twice changes nothing — with spaces, with tabs, and without table alignment.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/engine';
import { formatConfig } from '../../server/src/engine/service/format';
import { decode } from '../../server/src/node/node-fs';
import { tokens } from './tokens';
import { requireShared, sharedPath } from '../support/shared';

const CORPUS = sharedPath('corpus');

const OPTIONS = [
  { tabSize: 4, insertSpaces: true },
  { tabSize: 4, insertSpaces: false },
  { tabSize: 2, insertSpaces: true, alignMapValues: false },
];

test('formatting preserves every token of every corpus file and is idempotent', (t) => {
  if (!requireShared(t, 'corpus')) return;
  const manifest = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  let formatted = 0;
  let changed = 0;
  let runs = 0;
  let skipped = 0;
  for (const row of manifest) {
    const file = path.join(CORPUS, row.split('\t')[0]);
    const { text } = decode(fs.readFileSync(file));
    const before = parse(text);
    if (before.errors.length) { skipped++; continue; }
    const expected = tokens(before);
    for (const opts of OPTIONS) {
      const r = formatConfig(text, opts);
      assert.ok('text' in r, `${file}: not formatted: ${'error' in r ? r.error : ''}`);
      const once = r.text;
      const after = parse(once);
      assert.deepEqual(after.errors, [], `${file}: formatting introduced an error`);
      assert.deepEqual(tokens(after), expected, `${file}: tokens changed`);
      const twice = formatConfig(once, opts);
      assert.ok('text' in twice && twice.text === once, `${file}: formatting twice changes the text`);
      runs++;
      if (once !== text) changed++;
    }
    formatted++;
  }
  console.log(`formatted ${formatted} corpus files in ${runs} runs (${changed} changed the layout; tokens identical and a second pass a no-op in all), skipped ${skipped} that nginx's tokenizer rejects`);
  assert.ok(formatted > 1000);
});
