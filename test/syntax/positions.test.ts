// Line rules (issue 17 item 9): LSP ends a line at "\n", "\r\n" and a lone "\r"; nginx counts only "\n".
// Positions sent to an editor use LSP's rule; the line numbers nginx reports (its error messages, the lines
// in `parse --json`, `nginx -t` correlation) use nginx's. A word ending in "\" before CRLF must not end
// between the CR and the LF.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { memoryFileSystem, parse } from '../../server/src/engine';
import { computeLineStarts, computeNginxLineStarts, lineOf, offsetAt, positionAt, rangeOf } from '../../server/src/engine/syntax/positions';
import { analyze } from '../support/engine';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const opts = (numRuns: number) => ({ numRuns, ...(seed !== undefined ? { seed } : {}) });

const eolText = fc.array(fc.constantFrom('a', 'b;', ' ', '{', '}', '\n', '\r', '\r\n', '\\', '"', '#'), { maxLength: 40 }).map((a) => a.join(''));

/** An offset that is not between the CR and the LF of a CRLF (LSP has no position there). */
const onBoundary = (text: string, o: number) => !(o > 0 && text[o - 1] === '\r' && text[o] === '\n');

test('line starts: LSP ends lines at LF, CRLF and a lone CR; nginx only at LF', () => {
  const text = 'a\nb\r\nc\rd\r\re\n\r';
  assert.deepEqual([...computeLineStarts(text)], [0, 2, 5, 7, 9, 10, 12, 13]);
  assert.deepEqual([...computeNginxLineStarts(text)], [0, 2, 5, 12]);
  const tree = parse(text);
  assert.deepEqual([...tree.lineStarts], [...computeLineStarts(text)]);
  assert.deepEqual([...tree.nginxLineStarts], [...computeNginxLineStarts(text)]);
  // Without any CR both rules agree.
  assert.deepEqual([...parse('a;\nb;\n').lineStarts], [0, 3, 6]);
});

test('positions agree with vscode-languageserver-textdocument (what the client counts) for any text: 3 000 cases', () => {
  fc.assert(fc.property(eolText, (text) => {
    const doc = TextDocument.create('file:///x.conf', 'nginx', 1, text);
    const tree = parse(text);
    assert.equal(tree.lineStarts.length, doc.lineCount);
    for (let o = 0; o <= text.length; o++) {
      if (!onBoundary(text, o)) continue;
      const p = positionAt(tree.lineStarts, o);
      assert.deepEqual(p, doc.positionAt(o), `offset ${o} of ${JSON.stringify(text)}`);
      assert.equal(offsetAt(tree.lineStarts, text.length, p), o);
    }
  }), opts(3000));
});

test('a range is its two ends\' positions, whether it ends on its first line or not: 3 000 cases', () => {
  fc.assert(fc.property(eolText, fc.nat(), fc.nat(), (text, a, b) => {
    const starts = parse(text).lineStarts;
    const n = text.length + 1;
    const [s, e] = [a % n, b % n];
    assert.deepEqual(rangeOf(starts, s, e), { start: positionAt(starts, s), end: positionAt(starts, e) }, `${s}..${e} of ${JSON.stringify(text)}`);
  }), opts(3000));
});

test('no token, directive or error range ends or starts between CR and LF: 3 000 cases', () => {
  fc.assert(fc.property(eolText, (text) => {
    const tree = parse(text);
    const check = (what: string, s: number, e: number) => {
      assert.ok(onBoundary(text, s) && onBoundary(text, e), `${what} [${s}, ${e}) splits a CRLF in ${JSON.stringify(text)}`);
    };
    for (const c of tree.comments) check('comment', c.start, c.end);
    for (const e of tree.errors) check('error ' + e.message, e.start, e.end);
    const stack = [tree.root];
    while (stack.length) {
      const b = stack.pop()!;
      for (const d of b.children) {
        check(`directive "${d.name}"`, d.start, d.end);
        for (const t of [d.nameToken, ...d.args]) check(`token ${JSON.stringify(t.value)}`, t.start, t.end);
        if (d.block) stack.push(d.block);
      }
    }
  }), opts(3000));
});

test('a word ending in "\\" before CRLF: its range stops before the CR, its value keeps it (as nginx)', () => {
  const text = 'root /srv\\\r\n;\r\nindex a\\\r\nb;\r\n';
  const tree = parse(text);
  const [root, index] = tree.root.children;
  const arg = root.args[0];
  assert.equal(text.slice(arg.start, arg.end), '/srv\\');
  assert.equal(arg.value, '/srv\\\r');
  assert.deepEqual(rangeOf(tree.lineStarts, arg.start, arg.end), { start: { line: 0, character: 5 }, end: { line: 0, character: 10 } });
  assert.equal(root.end, 13);
  assert.deepEqual(index.args.map((a) => a.value), ['a\\\r', 'b']);
  // Unterminated at the end of the file: the directive (and its error) end before the CR too.
  const cut = parse('x a\\\r\n');
  assert.equal(cut.root.children[0].end, 4);
  assert.deepEqual(cut.errors.map((e) => [e.start, e.end]), [[0, 4]]);
  // A lone CR after the backslash is part of the word (nginx) and the word goes on.
  const lone = parse('x a\\\rb;');
  assert.equal(lone.root.children[0].args[0].value, 'a\\\rb');
});

test('syntax errors name nginx\'s line (only LF counts); their ranges use LSP lines', () => {
  // Lone CRs: one line for nginx, three for an editor.
  const text = 'events {}\rhttp {\r  x y\r}';
  const tree = parse(text);
  assert.equal(tree.errors.length, 1);
  const e = tree.errors[0];
  assert.match(e.message, /not terminated by ";"/);
  assert.equal(e.nginxLine, 1);
  assert.deepEqual(rangeOf(tree.lineStarts, e.start, e.end), { start: { line: 2, character: 2 }, end: { line: 2, character: 5 } });
  // CRLF: both count the same lines.
  const crlf = parse('events {}\r\nhttp {\r\n  x y\r\n}');
  assert.equal(crlf.errors[0].nginxLine, 4); // nginx names the line of the "}"
  assert.equal(lineOf(crlf.lineStarts, crlf.errors[0].start), 2);
  // The "probably missing before line N" hint counts as nginx does.
  // (the lone CR inside the comment: an editor sees "listen" on line 4, nginx on line 3)
  const open = parse('http {\n  server { # a\rb\n  listen 80;\n}\n');
  assert.match(open.errors[0].message, /"server" block opened here is not closed \(its "\}" is probably missing before line 3\)/);
});

test('findings in a file with lone CRs land on the editor\'s line (not line 0 past its end)', () => {
  const p = '/p/nginx.conf';
  const text = 'events {}\rhttp {\r  server {\r    location / {\r      proxy_pass https://backend.example.com;\r    }\r  }\r}\r';
  const { findings } = analyze(p, memoryFileSystem({ [p]: text }));
  const f = findings.find((x) => x.ruleId !== 'syntax' && x.start >= text.indexOf('proxy_pass'));
  assert.ok(f, 'a finding on proxy_pass: ' + findings.map((x) => x.ruleId).join(', '));
  const doc = TextDocument.create('file:///p/nginx.conf', 'nginx', 1, text);
  assert.deepEqual(f.range, { start: doc.positionAt(f.start), end: doc.positionAt(f.end) });
  assert.equal(f.range.start.line, 4);
});

test('parse --json reports nginx\'s line numbers', async () => {
  const { createLanguageService } = await import('../../server/src/engine');
  const p = '/j/nginx.conf';
  const text = 'events {}\rhttp {\n  server_tokens off;\r\n}\n';
  const service = createLanguageService({ fs: memoryFileSystem({ [p]: text }) });
  const json = JSON.stringify(service.parseTree(p));
  // events and http on nginx's line 1 (the lone CR does not end a line), server_tokens on line 2.
  assert.match(json, /"directive":"events","line":1/);
  assert.match(json, /"directive":"http","line":1/);
  assert.match(json, /"directive":"server_tokens","line":2/);
});
