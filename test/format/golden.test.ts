// Golden files: test/format/golden/NAME.in.conf formats to NAME.out.conf (4 spaces, tables aligned). One
// file per layout rule of issue 14, and the bugs reported against other tools' formatters rebuilt from
// their descriptions (Certbot's comment after `}`, `${var}` in arguments, multi-line JSON log_format, map
// with regex keys, `if` with parentheses and braces in regexes). Each output is a fixed point, and has the
// input's tokens. UPDATE_GOLDEN=1 rewrites the outputs (then read the diff).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/engine';
import { formatConfig, formatEdits, formatOnType, FormatOptions, MAX_INDENT_LEVELS } from '../../server/src/engine/service/format';
import { applyEdits } from '../../server/src/engine/fixes/edits';
import { tokens } from './tokens';

const DIR = path.join(__dirname, 'golden');
const SPACES: FormatOptions = { tabSize: 4, insertSpaces: true };

function fmt(text: string, options: FormatOptions = SPACES): string {
  const r = formatConfig(text, options);
  if ('error' in r) throw new Error(r.error);
  return r.text;
}

const cases = fs.readdirSync(DIR).filter((f) => f.endsWith('.in.conf')).sort();

test('golden files: every layout rule and the other tools\' known formatter bugs', () => {
  assert.ok(cases.length >= 16);
  for (const name of cases) {
    const input = fs.readFileSync(path.join(DIR, name), 'utf8');
    const outPath = path.join(DIR, name.replace('.in.conf', '.out.conf'));
    const got = fmt(input);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(outPath, got);
    assert.equal(got, fs.readFileSync(outPath, 'utf8'), name);
    assert.equal(fmt(got), got, `${name}: the output is a fixed point`);
    assert.deepEqual(tokens(parse(got)), tokens(parse(input)), `${name}: tokens kept`);
  }
});

test('quoted strings, multi-line strings and Lua bodies are copied byte for byte', () => {
  for (const name of ['strings.in.conf', 'lua.in.conf', 'json-log-format.in.conf']) {
    const input = fs.readFileSync(path.join(DIR, name), 'utf8');
    const out = fmt(input);
    const keep = (t: string) => {
      const tree = parse(t);
      const spans: string[] = [];
      const stack = [tree.root];
      while (stack.length) {
        for (const d of stack.pop()!.children) {
          for (const a of d.args) if (t[a.start] === '"' || t[a.start] === "'") spans.push(t.slice(a.start, a.end));
          if (d.lua) spans.push(t.slice(d.lua.start, d.lua.end));
          if (d.block) stack.push(d.block);
        }
      }
      return spans;
    };
    assert.deepEqual(keep(out), keep(input), name);
    assert.ok(keep(input).some((s) => s.includes('\n')), `${name} has a multi-line string or body`);
  }
});

test('indentation from the options: tabs, 2 spaces; CRLF files stay CRLF', () => {
  const input = 'http {\nserver {\nlisten 80;\nlog_format x a\n      b;\n}\n}\n';
  assert.equal(fmt(input, { tabSize: 4, insertSpaces: false }), 'http {\n\tserver {\n\t\tlisten 80;\n\t\tlog_format x a\n\t\t\t  b;\n\t}\n}\n');
  assert.equal(fmt(input, { tabSize: 2, insertSpaces: true }), 'http {\n  server {\n    listen 80;\n    log_format x a\n          b;\n  }\n}\n');
  assert.equal(fmt(input.replace(/\n/g, '\r\n')), fmt(input).replace(/\n/g, '\r\n'));
  // Whitespace-only and empty files stay empty; a missing final newline is added.
  assert.equal(fmt(''), '');
  assert.equal(fmt('  \n\n\t'), '');
  assert.equal(fmt('events {}'), 'events {}\n');
});

test('alignMapValues off: one space in table bodies', () => {
  const input = 'map $a $b {\n    default 0;\n    ~^/long/key 1;\n}\n';
  assert.equal(fmt(input), 'map $a $b {\n    default     0;\n    ~^/long/key 1;\n}\n');
  assert.equal(fmt(input, { ...SPACES, alignMapValues: false }), input);
  assert.equal(fmt('map $a $b {\n    default     0;\n    ~^/long/key 1;\n}\n', { ...SPACES, alignMapValues: false }), input);
});

test('a config with syntax errors is not formatted, and the reason says where', () => {
  for (const [text, re] of [
    ['http {\n    listen 80\n}\n', /line 2: unexpected "\}": the directive "listen" is not terminated by ";"/],
    ['http {\n    listen 80;\n', /line 1: unexpected end of file, expecting "\}"/],
    ['events {}\n}\n', /line 2: unexpected "\}"/],
    ['return 200 "open\n', /unterminated string/],
  ] as [string, RegExp][]) {
    const r = formatConfig(text, SPACES);
    assert.ok('error' in r, text);
    assert.match(r.error, /^not formatted: the config has syntax errors; /);
    assert.match(r.error, re);
    const e = formatEdits(text, SPACES);
    assert.ok('error' in e);
  }
});

test('range formatting changes only the statements the range touches', () => {
  const text = 'http {\nserver {\nlisten   80;\nlisten   443   ssl;\nserver_name   a;\n}\n}\n';
  const line = (n: number) => text.split('\n').slice(0, n).join('\n').length + (n ? 1 : 0);
  const r = formatEdits(text, SPACES, parse(text), { start: line(3) + 3, end: line(3) + 5 });
  assert.ok('edits' in r);
  assert.equal(applyEdits(text, r.edits.map((e) => ({ ...e, path: '' }))), 'http {\nserver {\nlisten   80;\n        listen 443 ssl;\nserver_name   a;\n}\n}\n');
  // A range over the whole text is the document format.
  const all = formatEdits(text, SPACES, parse(text), { start: 0, end: text.length });
  assert.ok('edits' in all);
  assert.equal(applyEdits(text, all.edits.map((e) => ({ ...e, path: '' }))), fmt(text));
});

test('on-type formatting after ; and }: the statement or block just ended', () => {
  const text = 'http {\nserver {\nlisten   80;\n  location / { return 204;   }\n}\n}\n';
  const semi = text.indexOf(';');
  const apply = (edits: { start: number; end: number; newText: string }[]) => applyEdits(text, edits.map((e) => ({ ...e, path: '' })));
  assert.equal(apply(formatOnType(text, SPACES, semi)), 'http {\nserver {\n        listen 80;\n  location / { return 204;   }\n}\n}\n');
  const close = text.indexOf('}');
  assert.equal(apply(formatOnType(text, SPACES, close)), 'http {\nserver {\nlisten   80;\n        location / {\n            return 204;\n        }\n}\n}\n');
  assert.deepEqual(formatOnType(text, SPACES, text.indexOf('l')), [], 'not after ; or }');
  assert.deepEqual(formatOnType('http {\n  listen 80;\n', SPACES, 17), [], 'mid-edit: nothing');
});

test('pathological inputs: no recursion, linear time, output proportional to the input', () => {
  const time = (f: () => void) => { const t = Date.now(); f(); return Date.now() - t; };
  // 8 000 blocks deep, written on one line and one per line.
  for (const deep of ['a{'.repeat(8000) + '}'.repeat(8000), 'a {\n'.repeat(8000) + '}\n'.repeat(8000)]) {
    let out = '';
    const ms = time(() => { out = fmt(deep); });
    assert.ok(ms < 10000, `deep nesting took ${ms} ms`);
    assert.ok(out.length < deep.length * (MAX_INDENT_LEVELS * 4 + 8), 'indentation stops growing');
    assert.equal(fmt(out), out);
  }
  // 40 000 lines with multi-line strings and comments.
  let big = 'http {\n';
  for (let i = 0; i < 5000; i++) big += `log_format f${i} '$a\n   multi $b\n'\n  'x';   # c ${i}\nmap $a $m${i} { default 0; ~^/x 1; }\n`;
  big += '}\n';
  let out = '';
  const ms = time(() => { out = fmt(big); });
  assert.ok(ms < 10000, `a 40k-line file took ${ms} ms`);
  assert.ok(out.length < big.length * 2);
  // A single 400 kB line of statements: no quadratic scans.
  const line = 'a b;'.repeat(100000);
  assert.ok(time(() => fmt(line)) < 10000);
});
