// Property tests (fast-check) over generated configs:
//  1. for any text, formatting never throws; a text with syntax errors is refused with a reason;
//  2. for any text nginx's tokenizer accepts: the output parses cleanly, has the same tokens (comments
//     included), and formatting it again changes nothing — with spaces, tabs and either table layout;
//  3. the layout is canonical: configs that differ only in the whitespace between tokens on a line and in
//     indentation format to the same text (for statements written on one line);
//  4. the layout's promises hold: no trailing blanks, never two blank lines in a row, none after `{` or
//     before `}`, `{` ends its directive's line and `}` stands alone (outside multi-line strings and Lua).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../server/src/engine';
import { formatConfig, FormatOptions } from '../../server/src/engine/service/format';
import { fragmentText, mutatedText, structuredText } from '../robustness/properties';
import { tokens } from './tokens';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
/** FC_RUNS=N multiplies the number of cases (a longer hunt). */
const runs = (numRuns: number) => ({ numRuns: numRuns * (Number(process.env.FC_RUNS) || 1), ...(seed !== undefined ? { seed } : {}) });

const OPTIONS: FormatOptions[] = [
  { tabSize: 4, insertSpaces: true },
  { tabSize: 2, insertSpaces: false },
  { tabSize: 3, insertSpaces: true, alignMapValues: false },
];

function checkMeaning(text: string, options: FormatOptions): string | null {
  const r = formatConfig(text, options);
  const tree = parse(text);
  if (tree.errors.length) {
    assert.ok('error' in r, 'a config with syntax errors must be refused');
    assert.match(r.error, /^not formatted: the config has syntax errors; line \d+: /);
    return null;
  }
  assert.ok('text' in r, 'a clean config must be formatted');
  const after = parse(r.text);
  assert.deepEqual(after.errors, [], 'the output parses');
  assert.deepEqual(tokens(after), tokens(tree), 'tokens kept');
  const again = formatConfig(r.text, options);
  assert.ok('text' in again && again.text === r.text, 'idempotent');
  return r.text;
}

// ---- a generator of clean configs written in messy ways --------------------------------------------

type Node =
  | { k: 'dir'; name: string; args: string[] }
  | { k: 'block'; head: readonly string[]; body: Node[] }
  | { k: 'table'; head: readonly string[]; rows: [string, string][] }
  | { k: 'comment'; text: string }
  | { k: 'lua'; name: string; body: string };

const word = fc.constantFrom('listen', 'server_name', 'proxy_pass', 'root', 'return', 'set', 'add_header', 'include', 'x', 'a.b', '$v', '${v}x', '80', 'on', '~*', '^/a(b|c)$', 'http://u$request_uri', '\\;', 'a#b', 'a}b');
const quoted = fc.constantFrom('"a b"', "'x;y{z}'", '"${host}"', '"\\"q\\""', '"# not a comment"', '"(a|b){2}"', "''", '"multi\n   line"', "'json {\n  \"a\": 1\n}'");
const arg = fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: quoted });
const commentText = fc.constantFrom('# c', '#', '# a { b } "c', '#no space', '# trailing   ');
const luaBody = fc.constantFrom(' ngx.say(1) ', '\n  local t = { "}" }\n', '\n-- }\n  [[ } ]]\n', '');

const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node; body: Node[] }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: fc.record({ k: fc.constant('dir' as const), name: word, args: fc.array(arg, { maxLength: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('comment' as const), text: commentText }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('lua' as const), name: fc.constantFrom('content_by_lua_block', 'access_by_lua_block'), body: luaBody }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('table' as const), head: fc.constantFrom(['map', '$a', '$b'], ['geo', '$g'], ['types'], ['split_clients', '"${a}"', '$s']), rows: fc.array(fc.tuple(fc.constantFrom('default', '~^/x{2}', '"~*a b"', '10.0.0.0/8', '*', 'text/html', "''"), fc.constantFrom('1', 'v', '$x', '"a b"')), { maxLength: 5 }) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('block' as const), head: fc.constantFrom(['http'], ['server'], ['location', '/'], ['location', '~', '"^/a{2}$"'], ['if', '($a', '~', '"(x|y)")'], ['events'], ['upstream', 'u']), body: tie('body') }) },
  ),
  body: fc.array(tie('node'), { maxLength: 6 }),
})).node;

/** Whitespace choices: each separator draws the next number. */
const H = [' ', '  ', '\t', ' \t '];
const V = ['\n', '\n\n', '\n\n\n', '\r\n', '\n  \t\n'];

/**
 * Renders nodes with whitespace from `ws`. `breaks`: whether argument lists and headers may be broken
 * over lines (otherwise every statement stays on one line, and only horizontal runs, indentation and blank
 * lines vary).
 */
function render(nodes: Node[], ws: number[], breaks: boolean, hs: number[] = ws): string {
  let k = 0;
  let j = 0;
  const next = () => ws[k++ % ws.length];
  /** Horizontal choices come from their own stream: renders that share `ws` share their line structure. */
  const nextH = () => hs[j++ % hs.length];
  const h = () => H[nextH() % H.length];
  const v = () => V[next() % V.length];
  const sep = () => (breaks && next() % 5 === 0 ? v() + h() : h());
  const lead = () => (next() % 3 === 0 ? h() : next() % 2 ? v() + h() : v());
  let out = '';
  const work: (Node | '}')[] = [...nodes].reverse();
  while (work.length) {
    const n = work.pop()!;
    out += lead();
    if (n === '}') { out += '}'; continue; }
    switch (n.k) {
      case 'dir': out += [n.name, ...n.args].join(sep()) + (nextH() % 4 === 0 ? h() : '') + ';'; break;
      case 'comment': out += n.text + '\n'; break;
      case 'lua': out += n.name + h() + '{' + n.body + '}'; break;
      case 'table':
        out += n.head.join(sep()) + h() + '{';
        for (const [key, val] of n.rows) out += lead() + key + h() + val + ';';
        out += lead() + '}';
        break;
      case 'block':
        out += n.head.join(sep()) + (nextH() % 3 ? h() : '') + '{';
        work.push('}', ...[...n.body].reverse());
        break;
    }
  }
  return out + (next() % 2 ? '\n' : '');
}

const messy = fc.tuple(fc.array(node, { maxLength: 8 }), fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }), fc.boolean())
  .map(([nodes, ws, breaks]) => render(nodes, ws, breaks));

// ---- properties ----------------------------------------------------------------------------------

test('any text: never throws; clean configs keep their tokens and format idempotently (robustness generators)', () => {
  fc.assert(fc.property(fc.oneof(structuredText, mutatedText, fragmentText), fc.constantFrom(...OPTIONS), (t, o) => { checkMeaning(t, o); }), runs(3000));
});

test('a comment ending in a lone carriage return before its line break: kept, idempotent (found by the first property)', () => {
  // The \r is the comment's to nginx, a line break to an editor: a \n written after it read back as \r\n,
  // and the comment lost it.
  for (const text of ['# nginx-context: server\r\r\n\n', '# a\r\r\n', 'x 1; # a \r\r\n\n', 'events {\n    # b\r\r\n}\n']) {
    for (const o of OPTIONS) checkMeaning(text, o);
  }
});

test('a word ending in a backslash that takes the CR of a CRLF: the CR stays the word\'s (found by the first property)', () => {
  // nginx reads `\` + CR as part of the word and the LF as its end; the token's range stops before the CR
  // (editors), and the layout's line break after it dropped that CR: `\` then took the LF instead.
  for (const text of ['\\\r\n\nproxy_ssl_name $host;', 'a\\\r\nb;\r\n', 'a \\\r\n;', 'a x\\\r\n{\r\n}\r\n', 'server {\n  a b\\\r\n  c;\n}\n', 'a \\\r\n# c\n;']) {
    for (const o of OPTIONS) {
      const out = checkMeaning(text, o);
      assert.ok(out !== null && out.includes('\\\r\n'), `the backslash, its CR and the line break kept in ${JSON.stringify(out)}`);
    }
  }
});

test('generated configs written in messy ways: same tokens, idempotent, the layout\'s promises hold', () => {
  let clean = 0;
  fc.assert(fc.property(messy, fc.constantFrom(...OPTIONS), (t, o) => {
    const out = checkMeaning(t, o);
    if (out === null) return;
    clean++;
    // Outside multi-line tokens (strings, Lua bodies) the lines obey the layout.
    const tree = parse(out);
    const frozen: [number, number][] = [];
    const stack = [tree.root];
    while (stack.length) {
      for (const d of stack.pop()!.children) {
        for (const a of d.args) if (out.slice(a.start, a.end).includes('\n')) frozen.push([a.start, a.end]);
        if (d.lua) frozen.push([d.lua.start - 1, d.lua.end + 1]);
        if (d.block) stack.push(d.block);
      }
    }
    let at = 0;
    const lines = out.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/\r$/, '');
      const start = at;
      at += lines[i].length + 1;
      if (frozen.some(([s, e]) => s < start + lines[i].length && e > start)) continue;
      assert.ok(!/[ \t]$/.test(line), `trailing blanks on line ${i + 1}: ${JSON.stringify(line)}`);
      if (line === '' && i > 0 && i < lines.length - 1) {
        assert.notEqual(lines[i - 1].replace(/\r$/, ''), '', `two blank lines before line ${i + 1}`);
        assert.ok(!/\{( +#.*)?$/.test(lines[i - 1]), `a blank line after { at line ${i + 1}`);
        assert.ok(!/^\s*\}/.test(lines[i + 1]), `a blank line before } at line ${i + 2}`);
      }
      if (/^\s*\}/.test(line)) assert.match(line, /^\s*\}( +#.*)?$/, `} not alone on line ${i + 1}`);
    }
  }), runs(3000));
  assert.ok(clean > 1000, `only ${clean} generated configs were clean`);
});

test('the layout is canonical: the whitespace within lines and the indentation do not matter', () => {
  const choices = fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 });
  const pair = fc.tuple(fc.array(node, { maxLength: 8 }), choices, choices, choices);
  fc.assert(fc.property(pair, fc.constantFrom(...OPTIONS), ([nodes, ws, hs1, hs2], o) => {
    const a = render(nodes, ws, false, hs1);
    const b = render(nodes, ws, false, hs2);
    if (parse(a).errors.length) return;
    // Trailing comments aligned by chance stay aligned: compare without that one freedom.
    const ra = formatConfig(a, o);
    const rb = formatConfig(b, o);
    assert.ok('text' in ra && 'text' in rb);
    const norm = (s: string) => s.replace(/[ ]+#/g, ' #');
    assert.equal(norm(ra.text).replace(/\r\n/g, '\n'), norm(rb.text).replace(/\r\n/g, '\n'));
  }), runs(2000));
});
