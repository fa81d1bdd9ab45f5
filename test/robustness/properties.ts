// Properties every parse and analysis must satisfy, for any text. Shared by the test suite (10 000+ cases)
// and the long fuzz run (scripts/fuzz-long.ts).

import fc from 'fast-check';
import { analyze, defaultSettings, memoryFileSystem, parse, SyntaxTree, Token } from '../../server/src/engine';

const PIECES = [
  'server {', 'location / {', 'http {', '}', '{', ';', '"', "'", '#', '\\', '${', '$host', ' ', '\n', '\r\n', '\t',
  'location ~ ^/a{2}$ {', 'proxy_pass https://a.example.com;', 'proxy_ssl_verify on;', 'if ($a) {', 'content_by_lua_block {',
  '[[', ']]', '[==[', ']==]', '--', 'upstream b { server 127.0.0.1:443; }', 'include x.conf;', 'a}b', 'a#b', '"x"y', 'é', '\u0000', '😀',
  'stream {', 'proxy_ssl on;', 'map $a $b {', 'ssl_verify_client optional;', 'listen 443 ssl;',
];

export const nginxish = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 })), { maxLength: 60 }).map((a) => a.join(''));
export const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 }), nginxish);

export function tokensOf(tree: SyntaxTree): Token[] {
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
  return out.filter((t) => t.end > t.start).sort((a, b) => a.start - b.start);
}

/** Throws (with a reason) when a property does not hold for `text`. */
export function checkText(text: string): void {
  const tree = parse(text);
  const n = text.length;
  for (const e of tree.errors) if (!(0 <= e.start && e.start <= e.end && e.end <= n)) throw new Error('error range out of bounds');
  // Every character is inside exactly one token, or is whitespace / ; / { / }.
  let pos = 0;
  for (const t of tokensOf(tree)) {
    if (t.start < pos) throw new Error(`tokens overlap at ${t.start}`);
    if (t.end > n) throw new Error('token past the end');
    if (!/^[\s;{}]*$/.test(text.slice(pos, t.start))) throw new Error(`characters lost between ${pos} and ${t.start}: ${JSON.stringify(text.slice(pos, t.start))}`);
    pos = t.end;
  }
  if (!/^[\s;{}]*$/.test(text.slice(pos))) throw new Error(`characters lost at the end: ${JSON.stringify(text.slice(pos))}`);
  // Children in order, inside their parent.
  const stack = [tree.root];
  while (stack.length) {
    const b = stack.pop()!;
    let last = -1;
    for (const d of b.children) {
      if (d.start < last || d.end < d.start || d.end > n) throw new Error('directive ranges out of order');
      last = d.start;
      if (d.block) stack.push(d.block);
    }
  }
  for (const kind of ['main', 'http/location'] as const) {
    analyze('/p/nginx.conf', memoryFileSystem({ '/p/nginx.conf': text }), defaultSettings(), { rootKind: kind });
  }
}
