// lua-nginx-module reads a `*_by_lua_block { … }` body with its own Lua lexer, not nginx's:
// braces inside Lua strings, comments and long brackets do not count. This mirrors that.

const LBRACE = 123, RBRACE = 125, DQ = 34, SQ = 39, BSLASH = 92, LF = 10, DASH = 45, LBRACKET = 91, EQ = 61;

/**
 * Offset of the quote closing the string opened at `open` (or of the newline ending it, when `stopAtNewline`),
 * or text.length when there is none. A backslash protects the next character, as in nginx and in Lua.
 */
export function closingQuote(text: string, open: number, stopAtNewline: boolean): number {
  const q = text.charCodeAt(open);
  const n = text.length;
  let j = open + 1;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (d === BSLASH) { j += 2; continue; }
    if (d === q || (stopAtNewline && d === LF)) return j;
    j++;
  }
  return n;
}

/** Level of a long bracket `[==[` starting at `i`, or -1. */
function longBracketLevel(text: string, i: number): number {
  if (text.charCodeAt(i) !== LBRACKET) return -1;
  let j = i + 1;
  while (text.charCodeAt(j) === EQ) j++;
  return text.charCodeAt(j) === LBRACKET ? j - i - 1 : -1;
}

function skipLongBracket(text: string, i: number, level: number): number {
  const close = ']' + '='.repeat(level) + ']';
  const j = text.indexOf(close, i + level + 2);
  return j < 0 ? text.length : j + close.length;
}

/** Scans from just after the opening `{`; returns the offset of the matching `}` or -1 at end of text. */
export function readLuaBody(text: string, from: number): { close: number } {
  const n = text.length;
  let depth = 1;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === DASH && text.charCodeAt(i + 1) === DASH) {
      const level = longBracketLevel(text, i + 2);
      if (level >= 0) { i = skipLongBracket(text, i + 2, level); continue; }
      const e = text.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (c === LBRACKET) {
      const level = longBracketLevel(text, i);
      if (level >= 0) { i = skipLongBracket(text, i, level); continue; }
      i++;
      continue;
    }
    if (c === DQ || c === SQ) {
      // Lua strings cannot span lines unescaped: a newline ends a broken one.
      i = closingQuote(text, i, true) + 1;
      continue;
    }
    if (c === LBRACE) depth++;
    else if (c === RBRACE) {
      depth--;
      if (depth === 0) return { close: i };
    }
    i++;
  }
  return { close: -1 };
}
