// Properties every parse and analysis must satisfy, for any text. Shared by the test suite
// (test/robustness/property.test.ts, 10 000+ cases) and the long run (scripts/fuzz-long.ts, 1 000 000+).
//
// For any input:
//  1. parse never throws, and neither does reading any token's value;
//  2. every token, directive, block and error range lies within [0, text.length] with start <= end;
//  3. the children of every block are ordered by offset, do not overlap and lie inside their block;
//  4. nothing is lost: walking all tokens (names, arguments, Lua bodies, comments) in order, the gaps between
//     consecutive tokens contain only the characters the parser skips (space, tab, CR, LF, ";", "{", "}"),
//     so the tokens' text plus the separators gives back the input exactly;
//  5. analyze (memoryFileSystem; rootKind 'main', 'http/location' and the inferred one) never throws, no rule
//     fails on it (a failing rule becomes an `internal-error` finding: that is a bug too), and every finding
//     and fix edit points inside the file.

import fc from 'fast-check';
import { Block, defaultSettings, Directive, memoryFileSystem, parse, SyntaxTree, Token } from '../../server/src/engine';
import { analyze, inferContext } from '../support/engine';
import type { BlockKind } from '../../server/src/engine';

// ---- generators ------------------------------------------------------------------------------------

/** Fragments that stress the tokenizer: quotes, escapes, comments, `${`, regex braces, Lua long brackets. */
export const FRAGMENTS = [
  'server {', 'server{', 'location / {', 'location ~ ^/a{2}$', 'location ~ ^/a{2}$ {', 'http {', 'events {}', 'stream {',
  'upstream u {', 'map $a $b {', 'if ($a) {', 'if ($request_uri ~ "^/x{1,3}$") {', 'limit_except GET {', 'types {',
  'content_by_lua_block {', 'access_by_lua_block {', 'set_by_lua_block $x {', '[[', ']]', '[==[', ']==]', '--', '--[[',
  '}', '{', ';', '"', "'", '#', '\\', '\\"', "\\'", '${', '$', '$host', '${host}', ')', '(',
  ' ', '  ', '\t', '\n', '\r\n', '\r', '\u000b', '\f', '\u00a0', '\u2028', '\u0000', '\ufeff',
  'é', 'ß', '日本', '😀', '\ud800', '\udfff',
  'proxy_pass https://', 'proxy_pass https://a.example.com;', 'proxy_pass http://u;', 'proxy_pass https://u;',
  'proxy_pass https://127.0.0.1:8443;', 'grpc_pass grpcs://g;', 'uwsgi_pass suwsgi://w;', 'proxy_ssl on;',
  'proxy_ssl_verify on;', 'proxy_ssl_verify off;', 'proxy_ssl_trusted_certificate /etc/ssl/ca.pem;', 'proxy_ssl_name $host;',
  'proxy_ssl_server_name on;', 'proxy_ssl_certificate c.pem;', 'proxy_ssl_certificate_key k.pem;', 'proxy_ssl_protocols TLSv1;',
  'ssl_verify_client optional;', 'ssl_client_certificate ca.pem;', 'listen 443 ssl;', 'listen 80;', 'server_name a.test;',
  'server 127.0.0.1:443;', 'include x.conf;', 'include *.conf;', 'include /etc/nginx/conf.d/*.conf;', 'return 200 "x";',
  'set $a "b";', 'rewrite ^/(.*)$ /$1 break;', 'add_header X "y" always;', 'ssl_certificate /c.pem;', 'ssl_protocols TLSv1.3;',
  '# nginx-tls-ignore: all', '# nginx-context: location', '# nginx-context: server', 'a}b', 'a#b', '"x"y', "'x'y", '"a\\"b"',
  'default 1;', '~^/x 2;', 'hostnames;', 'include [b-a].conf;', 'include x[a-', '[z-a]', '[!a]', 'include ../*/*.conf;',
];

const WORDS = [
  'server', 'location', 'upstream', 'http', 'events', 'stream', 'mail', 'map', 'geo', 'if', 'types', 'limit_except',
  'proxy_pass', 'grpc_pass', 'uwsgi_pass', 'proxy_ssl', 'proxy_ssl_verify', 'proxy_ssl_trusted_certificate', 'proxy_ssl_name',
  'proxy_ssl_server_name', 'proxy_ssl_certificate', 'proxy_set_header', 'listen', 'server_name', 'ssl_certificate', 'include',
  'return', 'set', 'rewrite', 'on', 'off', 'ssl', 'https://a', 'http://u', 'u', '127.0.0.1:443', '$host', '$1', '=', '~', '~*',
  '^~', '/', '/x/', 'unix:/tmp/s', 'default', 'hostnames', 'TLSv1.2', 'x',
];

/** Random sequences of nginx-ish fragments, words and random characters. */
export const fragmentText = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
      { weight: 3, arbitrary: fc.constantFrom(...WORDS) },
      { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
    ),
    { maxLength: 80, size: 'max' },
  )
  .map((a) => a.join(''));

/** UTF-16 code units, lone surrogates included (what an editor buffer can hold). */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 120 });

const arg = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.constantFrom('"a b"', "'x;y'", '"${host}"', '"\\"q\\""', '~^/a{2}$', 'https://$host', '"unterminated'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).filter((s) => s.length > 0),
);
const simpleDirective = fc
  .tuple(fc.constantFrom(...WORDS), fc.array(arg, { maxLength: 4 }))
  .map(([n, a]) => `${n}${a.length ? ' ' + a.join(' ') : ''};`);
const luaBlock = fc
  .array(fc.constantFrom('local a = "}"', "ngx.say('{')", '-- }', '--[[ } ]]', '[==[ } ]==]', 'if x then y() end', '{ }', '\n'), { maxLength: 6 })
  .map((a) => `content_by_lua_block {\n${a.join('\n')}\n}`);

/** Mostly well-formed configs (nested blocks of real directive names), the shape rules look at. */
export const structuredText: fc.Arbitrary<string> = fc
  .letrec<{ item: string; body: string }>((tie) => ({
    item: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 5, arbitrary: simpleDirective },
      { weight: 1, arbitrary: fc.constantFrom('# comment', '# nginx-tls-ignore: all', '# a { b } "c') },
      { weight: 1, arbitrary: luaBlock },
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            fc.constantFrom('http', 'server', 'location /', 'location ~ ^/a{2}$', 'location = /x', 'upstream u', 'upstream up',
              'if ($a)', 'map $a $b', 'stream', 'events', 'limit_except GET', 'types', 'geo $g', 'mail'),
            tie('body'),
          )
          .map(([h, b]) => `${h} {\n${b}\n}`),
      },
    ),
    body: fc.array(tie('item'), { maxLength: 8, size: '+1' }).map((a) => a.join('\n')),
  }))
  .body;

/** A structured config with a few random edits: the half-broken text an editor holds while typing. */
export const mutatedText = fc
  .tuple(structuredText, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 }), fc.constantFrom(...FRAGMENTS, '')), { maxLength: 4 }))
  .map(([t, edits]) => {
    for (const [at, del, ins] of edits) {
      const p = t.length ? at % (t.length + 1) : 0;
      t = t.slice(0, p) + ins + t.slice(p + del);
    }
    return t;
  });

/** Everything together: arbitrary strings (ASCII, full Unicode, UTF-16 units) and the biased generators. */
export const anyText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  utf16,
  fragmentText,
  structuredText,
  mutatedText,
);

// ---- properties ------------------------------------------------------------------------------------

export class PropertyViolation extends Error {}

function fail(msg: string): never {
  throw new PropertyViolation(msg);
}

/** Every token of the tree: comments, directive names, arguments and Lua bodies (zero-length ones included). */
export function allTokens(tree: SyntaxTree): Token[] {
  const out: Token[] = [...tree.comments];
  const stack = [tree.root];
  while (stack.length) {
    const b = stack.pop()!;
    for (const d of b.children) {
      out.push(d.nameToken, ...d.args);
      if (d.lua) out.push(d.lua);
      if (d.block) stack.push(d.block);
    }
  }
  return out;
}

const SKIPPED = /^[ \t\r\n;{}]*$/;

function inRange(what: string, start: number, end: number, n: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= n)) {
    fail(`${what} range [${start}, ${end}) outside [0, ${n}] or reversed`);
  }
}

/** Properties 1–4: throws a PropertyViolation (or whatever parse threw) when one does not hold. */
export function checkParse(text: string): SyntaxTree {
  const n = text.length;
  const tree = parse(text);
  if (tree.text !== text) fail('tree.text differs from the input');
  for (const e of tree.errors) {
    inRange('error "' + e.message + '"', e.start, e.end, n);
    if (!e.message) fail('empty error message');
    if (!(e.nginxLine >= 1 && e.nginxLine <= tree.lineStarts.length)) fail(`error nginxLine ${e.nginxLine} is not a line of the text`);
  }
  for (const c of tree.comments) if (c.value !== text.slice(c.start, c.end)) fail(`comment value differs from its text at ${c.start}`);

  // Blocks and directives: ranges, order, nesting.
  const stack: Block[] = [tree.root];
  while (stack.length) {
    const b = stack.pop()!;
    if (b.owner) {
      inRange('block', b.open, b.close < 0 ? n : b.close + 1, n);
      if (text[b.open] !== '{') fail(`block open ${b.open} is not a "{"`);
      if (b.close >= 0 && text[b.close] !== '}') fail(`block close ${b.close} is not a "}"`);
    }
    const lo = b.owner ? b.open + 1 : 0;
    const hi = b.owner && b.close >= 0 ? b.close : n;
    let prevEnd = lo;
    for (const d of b.children) {
      inRange(`directive "${d.name}"`, d.start, d.end, n);
      if (d.parent !== b) fail(`directive "${d.name}" at ${d.start}: parent is not the block holding it`);
      if (d.start < prevEnd) fail(`directive "${d.name}" at ${d.start} overlaps or precedes the previous sibling (ends ${prevEnd})`);
      if (d.end > hi) fail(`directive "${d.name}" [${d.start}, ${d.end}) leaves its block (ends ${hi})`);
      prevEnd = d.end;
      inRange(`name of "${d.name}"`, d.nameToken.start, d.nameToken.end, n);
      if (d.nameToken.start !== d.start) fail(`directive "${d.name}" does not start at its name`);
      if (d.argCount !== d.args.length) fail(`directive "${d.name}": argCount ${d.argCount} != ${d.args.length} args`);
      let p = d.nameToken.end;
      for (const a of d.args) {
        inRange(`argument of "${d.name}"`, a.start, a.end, n);
        if (a.start < p) fail(`arguments of "${d.name}" out of order at ${a.start}`);
        if (a.end > d.end) fail(`argument of "${d.name}" past the directive's end`);
        void a.value; // the lazy value must be computable
        p = a.end;
      }
      if (d.terminator >= 0) {
        if (!';{'.includes(text[d.terminator])) fail(`terminator ${d.terminator} of "${d.name}" is ${JSON.stringify(text[d.terminator])}`);
        if (d.terminator < p) fail(`terminator of "${d.name}" before its arguments`);
      }
      if (d.block) {
        if (d.block.owner !== d) fail(`block of "${d.name}" does not point back to it`);
        if (d.block.open !== d.terminator) fail(`block of "${d.name}" does not open at its terminator`);
        if (d.block.close >= 0 && d.end !== d.block.close + 1) fail(`"${d.name}" does not end just after its "}"`);
        stack.push(d.block);
      }
      if (d.lua) {
        if (d.block) fail(`"${d.name}" has both a block and a Lua body`);
        inRange(`Lua body of "${d.name}"`, d.lua.start, d.lua.end, n);
        if (d.lua.start !== d.terminator + 1) fail(`Lua body of "${d.name}" does not start after its "{"`);
        if (d.lua.end > d.end) fail(`Lua body of "${d.name}" past the directive's end`);
      }
    }
  }

  // Nothing lost: tokens in order, separators only in between.
  const tokens = allTokens(tree);
  for (const t of tokens) inRange('token', t.start, t.end, n);
  const sorted = tokens.filter((t) => t.end > t.start).sort((a, b) => a.start - b.start);
  let pos = 0;
  for (const t of sorted) {
    if (t.start < pos) fail(`tokens overlap at ${t.start} (previous token ends at ${pos})`);
    const gap = text.slice(pos, t.start);
    if (!SKIPPED.test(gap)) fail(`characters lost between ${pos} and ${t.start}: ${JSON.stringify(gap)}`);
    pos = t.end;
  }
  if (!SKIPPED.test(text.slice(pos))) fail(`characters lost at the end (from ${pos}): ${JSON.stringify(text.slice(pos))}`);
  return tree;
}

const PATH = '/p/nginx.conf';

/** Property 5 for one root kind. */
export function checkAnalysis(text: string, rootKind: BlockKind): void {
  const { findings } = analyze(PATH, memoryFileSystem({ [PATH]: text }), defaultSettings(), { rootKind });
  const n = text.length;
  for (const f of findings) {
    if (f.ruleId === 'internal-error') fail(`rootKind ${rootKind}: ${f.message}`);
    if (f.path !== PATH) continue;
    inRange(`finding ${f.ruleId}`, f.start, f.end, n);
    for (const fix of f.fixes) for (const e of fix.edits) if (e.path === PATH) inRange(`edit of fix "${fix.title}" (${f.ruleId})`, e.start, e.end, n);
  }
}

/** All properties for one text. */
export function checkText(text: string): void {
  const tree = checkParse(text);
  const kinds = new Set<BlockKind>(['main', 'http/location', inferContext(tree)]);
  for (const k of kinds) checkAnalysis(text, k);
}

/** For reports: the smallest failing input, printable. */
export function describeFailure(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
}

export type { Directive };
