// A keystroke inside one argument or one comment changes no token boundary and no structure: the new tree is
// the old one with that token's end, and every offset after it, moved by the edit's length. Typing in a big
// file then costs a copy of a few offset arrays instead of a parse (and the garbage of one).
//
// The invariant: whenever `reparse` returns a tree without parsing, that tree equals `parse(text)` array for
// array. Every condition below guards one way an edit could make nginx's tokenizer cut the text differently;
// when one does not hold, the text is parsed.

import { NGINX_TOKEN_LIMIT, parse } from './parser';
import { CompactTree, TokenFlag } from './tree';
import { SyntaxTree, TokenKind } from './types';

/** The tree of `text`, from `old` (the tree of the text before one edit) where that is provably the same. */
export function reparse(old: SyntaxTree | undefined, text: string): SyntaxTree {
  const edit = old instanceof CompactTree ? tokenEdit(old, text) : undefined;
  return edit ? (old as CompactTree).withShift(text, edit.start, edit.from, edit.delta) : parse(text);
}

/** Characters that may come or go inside a token without changing how the text is cut into tokens. */
const INERT = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) INERT[c] = 1;
// Blank space, the statement and block characters, quotes, escapes, comments, and what starts a variable or a
// regex group (`${` stays inside a word; `(?<name>` defines a variable).
for (const ch of ';{}"\'\\#$()') INERT[ch.charCodeAt(0)] = 0;

function inert(s: string, from: number, to: number, inComment: boolean): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) return false;
    if (inComment) continue;
    if (c < 128 ? INERT[c] === 0 : c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

/** The last index in `starts` (sorted) whose value is ≤ `at`, or -1. */
function lastAtOrBefore(starts: Int32Array, count: number, at: number): number {
  let lo = 0, hi = count - 1, k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= at) { k = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return k;
}

/** The one span where `before` and `after` differ: [start, oldEnd) before, [start, oldEnd + delta) after. */
export function changedSpan(before: string, after: string): { start: number; oldEnd: number; delta: number } {
  const max = Math.min(before.length, after.length);
  // Chunks first (compared natively), then characters within the chunk that differs.
  const CHUNK = 4096;
  let s = 0;
  while (s + CHUNK <= max && before.slice(s, s + CHUNK) === after.slice(s, s + CHUNK)) s += CHUNK;
  while (s < max && before.charCodeAt(s) === after.charCodeAt(s)) s++;
  let tail = 0;
  while (tail + CHUNK <= max - s && before.slice(before.length - tail - CHUNK, before.length - tail) === after.slice(after.length - tail - CHUNK, after.length - tail)) tail += CHUNK;
  while (tail < max - s && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  return { start: s, oldEnd: before.length - tail, delta: after.length - before.length };
}

/** One edit that stays inside one argument token or one comment (see `tokenEdit`). */
export interface TokenEdit {
  /** The changed text is [start, oldEnd) before and [start, oldEnd + delta) after. */
  start: number;
  oldEnd: number;
  delta: number;
  /** The token's (or comment's) end before the edit: every offset from here on moves by `delta`. */
  from: number;
  /** The directive whose argument changed; -1 for a comment. */
  directive: number;
}

/**
 * The edit that turns `old`'s text into `text`, when it changes the inside of one argument or one comment
 * and nothing about how the text is cut into tokens; undefined otherwise.
 */
export function tokenEdit(old: CompactTree, text: string): TokenEdit | undefined {
  const a = old.arrays;
  const before = a.text;
  if (old.errors.length || before === text) return undefined;
  const { start: s, oldEnd: e, delta } = changedSpan(before, text);

  // Where the edit is: in one comment, or in one argument token.
  const c = lastAtOrBefore(a.comStart, a.commentCount, s);
  if (c >= 0 && a.comStart[c] < s && e <= a.comEnd[c]) {
    // After the `#`, up to the line's end: anything but a line break stays comment.
    if (!inert(before, s, e, true) || !inert(text, s, s + (e - s) + delta, true)) return undefined;
    if (a.comEnd[c] - a.comStart[c] + delta >= NGINX_TOKEN_LIMIT) return undefined;
    return { start: s, oldEnd: e, delta, from: a.comEnd[c], directive: -1 };
  }
  const k = lastAtOrBefore(a.tokStart, a.tokenCount, s);
  if (k < 0 || e > a.tokEnd[k]) return undefined;
  const start = a.tokStart[k], end = a.tokEnd[k];
  // Touching the next token too (no blank between them) would change both. A token may also start right where
  // the one before ends (a `)` after a closing quote): what is typed at its start follows that quote instead,
  // and nginx wants a blank, `;`, `{` or `)` there.
  if (k + 1 < a.tokenCount && a.tokStart[k + 1] <= e) return undefined;
  if (s === start && k > 0 && a.tokEnd[k - 1] === start) return undefined;
  const flags = a.tokFlags[k];
  const kind = flags & TokenFlag.KindMask;
  // A plain word stays plain: no backslash comes or goes (below); nor does a `$` (it is not inert).
  if (flags & ~(TokenFlag.KindMask | TokenFlag.Plain | TokenFlag.NoDollar)) return undefined;
  // A directive's name decides what its block is and whether a Lua body follows: parsed again.
  const d = lastAtOrBefore(a.dirTok, a.dirCount, k);
  if (d < 0 || a.dirTok[d] === k || k > a.dirTok[d] + a.dirArgc[d]) return undefined;
  const newLength = end - start + delta;
  if (kind === TokenKind.Word) {
    if (newLength <= 0 || newLength >= NGINX_TOKEN_LIMIT) return undefined;
  } else if (kind === TokenKind.Quoted) {
    // Strictly between the quotes; the value (quotes excluded) short of nginx's buffer.
    if (s <= start || e >= end || newLength - 2 >= NGINX_TOKEN_LIMIT - 1) return undefined;
  } else return undefined;
  if (!inert(before, s, e, false) || !inert(text, s, s + (e - s) + delta, false)) return undefined;
  // Escapes pair up with what follows them, and `${` keeps a `{` in the word: a token holding either is
  // parsed again rather than reasoned about.
  const oldToken = before.slice(start, end);
  if (oldToken.includes('\\') || oldToken.includes('${') || oldToken.includes('(')) return undefined;
  if (kind === TokenKind.Word && text.charCodeAt(start + newLength - 1) === 36 && text.charCodeAt(start + newLength) === 123) return undefined;
  return { start: s, oldEnd: e, delta, from: end, directive: d };
}
