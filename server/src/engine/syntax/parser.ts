// nginx's config tokenizer (ngx_conf_read_token) and block structure, in one pass, without recursion, writing
// the struct-of-arrays tree of `tree.ts` directly (no object per token or directive).
// It never throws: every problem becomes a SyntaxError and parsing goes on, so that one typo does not
// hide every later finding. Where nginx would stop, we recover in the way that keeps the most structure.

import { SyntaxError, SyntaxTree, TokenKind } from './types';
import { computeNginxLineStarts, lineOf } from './positions';
import { closingQuote, readLuaBody } from './lua';
import { CompactTree, TokenFlag, TreeArrays } from './tree';

export { unescapeToken } from './tree';

/** NGX_CONF_BUFFER: a token (or comment) that fills nginx's 4096-byte read buffer is rejected. */
export const NGINX_TOKEN_LIMIT = 4096;

export const MAX_SYNTAX_ERRORS = 100;

const SP = 32, TAB = 9, CR = 13, LF = 10;
const SEMI = 59, LBRACE = 123, RBRACE = 125, HASH = 35, DQ = 34, SQ = 39, BSLASH = 92, DOLLAR = 36, RPAREN = 41;

/** Characters that end or change an unquoted word: blank space, `;`, `{` and `\`; and `$`, which is noted. */
const WORD_STOP = new Uint8Array(128);
for (const c of [SP, TAB, CR, LF, SEMI, LBRACE, BSLASH, DOLLAR]) WORD_STOP[c] = 1;

function isSpace(c: number): boolean {
  return c === SP || c === TAB || c === LF || c === CR;
}

export function parse(text: string): SyntaxTree {
  const a = TreeArrays.builder(text);
  const errors: SyntaxError[] = [];
  const n = text.length;
  // No closures over the loop's variables (they would live in a context object, not in registers).
  const lines: NginxLines = { starts: undefined };

  a.addBlock(-1, 0);
  // Open blocks, innermost last (explicit: no recursion on input depth).
  let stack = new Int32Array(64);
  let depth = 1;
  stack[0] = 0;
  // Tokens from `words` to `a.tokenCount` are the words of the statement being read.
  let words = 0;

  // An unterminated quote swallows the rest of the file: what follows from it is not worth reporting.
  let unterminated = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c <= SP && (c === SP || c === LF || c === TAB || c === CR)) { i++; continue; }
    if (c === SEMI) {
      if (a.tokenCount === words) report(errors, lines, text, 'unexpected ";"', i, i + 1, i);
      else { finish(a, words, stack[depth - 1], i, i + 1); words = a.tokenCount; }
      i++;
      continue;
    }
    if (c === LBRACE) {
      if (a.tokenCount === words) {
        report(errors, lines, text, 'unexpected "{"', i, i + 1, i);
        // Keep the braces balanced so everything after still lands in the right block: a directive with an
        // empty name.
        a.addToken(i, i, TokenKind.Word | TokenFlag.NoDollar);
      }
      const d = finish(a, words, stack[depth - 1], i, i + 1);
      words = a.tokenCount;
      const nameTok = a.dirTok[d];
      // Only a name at least as long as the suffix can end with it: most block names are not read.
      if (a.tokEnd[nameTok] - a.tokStart[nameTok] >= 13 && a.dirName(d).endsWith('_by_lua_block')) {
        const body = readLuaBody(text, i + 1);
        const lua = a.addToken(i + 1, body.close < 0 ? n : body.close, TokenKind.LuaBody);
        words = a.tokenCount;
        a.dirBlock[d] = -2 - lua;
        if (body.close < 0) {
          report(errors, lines, text, 'unexpected end of file, expecting "}"', a.tokStart[nameTok], a.tokEnd[nameTok], n);
          a.dirEnd[d] = n;
          i = n;
        } else {
          a.dirEnd[d] = body.close + 1;
          i = body.close + 1;
        }
        continue;
      }
      const b = a.addBlock(d, i);
      if (depth === stack.length) {
        const s = new Int32Array(depth * 2);
        s.set(stack);
        stack = s;
      }
      stack[depth++] = b;
      i++;
      continue;
    }
    if (c === RBRACE) {
      if (a.tokenCount > words) {
        // nginx: `unexpected "}"` on the brace's line; the user must look at the directive lacking ";".
        const lastEnd = a.tokEnd[a.tokenCount - 1];
        report(errors, lines, text, 'unexpected "}": the directive "' + a.tokenValue(words) + '" is not terminated by ";"', a.tokStart[words], lastEnd, i);
        finish(a, words, stack[depth - 1], -1, lastEnd);
        words = a.tokenCount;
      }
      if (depth === 1) {
        report(errors, lines, text, 'unexpected "}"', i, i + 1, i);
      } else {
        const b = stack[--depth];
        a.blkClose[b] = i;
        a.dirEnd[a.blkOwner[b]] = i + 1;
      }
      i++;
      continue;
    }
    if (c === HASH) {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      let end = j;
      if (end > i && text.charCodeAt(end - 1) === CR) end--;
      a.addComment(i, end);
      if (end - i >= NGINX_TOKEN_LIMIT) {
        report(errors, lines, text, 'too long parameter "' + text.slice(i, i + 10) + '..." started', i, end, i);
      }
      i = j;
      continue;
    }
    if (c === DQ || c === SQ) {
      // Quoted token: whitespace, ; { } # are literal; a backslash protects the next character.
      const j = closingQuote(text, i, false);
      if (j >= n) {
        report(errors, lines, text, 'unterminated string: the quote opened here is never closed (nginx: ' +
            (n - i - 1 >= NGINX_TOKEN_LIMIT - 1
              ? 'too long parameter, probably missing terminating "' + String.fromCharCode(c) + '" character'
              : 'unexpected end of file, expecting ";" or "}"') + ')',
          i, i + 1, n - i - 1 >= NGINX_TOKEN_LIMIT - 1 ? i : n);
        a.addToken(i, n, TokenKind.Quoted | TokenFlag.Unclosed);
        unterminated = true;
        break;
      }
      a.addToken(i, j + 1, TokenKind.Quoted);
      // nginx's buffer holds the value (from after the opening quote) and its closing quote: with 4095
      // characters the quote is read as the buffer fills ("... started"); with more it is not reached.
      const len = j - i - 1;
      if (len === NGINX_TOKEN_LIMIT - 1) {
        report(errors, lines, text, 'too long parameter "' + text.slice(i + 1, i + 11) + '..." started', i, j + 1, i);
      } else if (len >= NGINX_TOKEN_LIMIT) {
        report(errors, lines, text, 'too long parameter, probably missing terminating "' + String.fromCharCode(c) + '" character', i, j + 1, i);
      }
      i = j + 1;
      if (i < n) {
        const after = text.charCodeAt(i);
        if (!isSpace(after) && after !== SEMI && after !== LBRACE && after !== RPAREN) {
          report(errors, lines, text, 'unexpected "' + text[i] + '"', i, i + 1, i);
        }
      }
      continue;
    }
    // Unquoted word: ends at whitespace, ";" or "{" (but "${" stays inside); "}" and "#" are ordinary here.
    // A backslash takes the next character whatever it is. `escaped`: where the last such pair ended.
    let j = i + 1;
    let escaped = -1;
    // Whether the word's text holds a `$` (an escaped one too): TokenFlag.NoDollar when it does not.
    let dollar = c === DOLLAR;
    if (c === BSLASH) { j = i + 2; escaped = j; dollar = text.charCodeAt(i + 1) === DOLLAR; }
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d >= 128 || WORD_STOP[d] === 0) { j++; continue; }
      if (d === DOLLAR) { dollar = true; j++; continue; }
      if (d === BSLASH) { if (text.charCodeAt(j + 1) === DOLLAR) dollar = true; j += 2; escaped = j; continue; }
      // "${" stays in the word when the "$" is the word's own (not one a backslash took).
      if (d === LBRACE && text.charCodeAt(j - 1) === DOLLAR && escaped !== j) { j++; continue; }
      break;
    }
    if (j > n) j = n;
    if (j - i >= NGINX_TOKEN_LIMIT) {
      report(errors, lines, text, 'too long parameter "' + text.slice(i, i + 10) + '..." started', i, j, i);
    }
    // `\` + CR before LF: the CR is the word's (nginx), the range stops before it (editors).
    if (escaped === j && j < n && text.charCodeAt(j) === LF && text.charCodeAt(j - 1) === CR) {
      a.addToken(i, j - 1, TokenKind.Word | TokenFlag.EscapedCr | (dollar ? 0 : TokenFlag.NoDollar));
    } else {
      a.addToken(i, j, (escaped < 0 ? TokenKind.Word | TokenFlag.Plain : TokenKind.Word) | (dollar ? 0 : TokenFlag.NoDollar));
    }
    i = j;
  }

  if (a.tokenCount > words && !unterminated) {
    report(errors, lines, text, 'unexpected end of file, expecting ";" or "}": the directive "' + a.tokenValue(words) + '" is not terminated',
      a.tokStart[words], a.tokEnd[a.tokenCount - 1], n);
    finish(a, words, stack[depth - 1], -1, a.tokEnd[a.tokenCount - 1]);
    words = a.tokenCount;
  }
  if (a.tokenCount > words) finish(a, words, stack[depth - 1], -1, a.tokEnd[a.tokenCount - 1]);
  if (depth > 1 && !unterminated) {
    const nginxLines = (lines.starts ??= computeNginxLineStarts(text));
    const culprit = findUnclosed(a, stack[depth - 1], nginxLines);
    const owner = a.blkOwner[culprit.block];
    const nameTok = a.dirTok[owner];
    const hint = culprit.before >= 0 ? ' (its "}" is probably missing before line ' + (lineOf(nginxLines, culprit.before) + 1) + ')' : '';
    report(errors, lines, text, 'unexpected end of file, expecting "}": the "' + a.dirName(owner) + '" block opened here is not closed' + hint,
      a.tokStart[nameTok], a.tokEnd[nameTok], n);
  }
  for (let k = depth - 1; k > 0; k--) a.dirEnd[a.blkOwner[stack[k]]] = n;
  return new CompactTree(a.compact(), errors, lines.starts);
}

interface NginxLines {
  starts: Int32Array | undefined;
}

// Past this many, further errors are almost always echoes of the first ones: keep the list readable.
function report(errors: SyntaxError[], lines: NginxLines, text: string, message: string, start: number, end: number, nginxAt: number): void {
  if (errors.length >= MAX_SYNTAX_ERRORS) return;
  lines.starts ??= computeNginxLineStarts(text);
  errors.push({ message, start, end, nginxLine: lineOf(lines.starts, nginxAt) + 1 });
}

/** The statement of tokens `words`… (if any) as a directive of block `parent`; its index, or -1. */
function finish(a: TreeArrays, words: number, parent: number, terminator: number, end: number): number {
  const count = a.tokenCount - words;
  if (count === 0) return -1;
  return a.addDirective(words, count - 1, parent, terminator, end);
}

/**
 * At end of file some blocks are still open. The one a user must fix is usually the one whose
 * children stop being indented deeper than its own opening line: look for it from the outside in.
 */
function findUnclosed(a: TreeArrays, innermost: number, lineStarts: Int32Array): { block: number; before: number } {
  const text = a.text;
  const firstOnLine = (offset: number): boolean => {
    let p = offset - 1;
    while (p >= 0) {
      const c = text.charCodeAt(p);
      if (c === LF) return true;
      if (c !== SP && c !== TAB && c !== CR) return false;
      p--;
    }
    return true;
  };
  const column = (offset: number): number => {
    const ls = lineStarts[lineOf(lineStarts, offset)];
    let col = 0;
    for (let p = ls; p < offset; p++) col += text.charCodeAt(p) === TAB ? 8 - (col % 8) : 1;
    return col;
  };
  // A closed block may have swallowed the "}" meant for its parent: search every block, in document order
  // (blocks are numbered in the order of their "{", which is that order).
  for (let b = 1; b < a.blockCount; b++) {
    const ownerStart = a.dirStart(a.blkOwner[b]);
    if (!firstOnLine(ownerStart)) continue;
    const col = column(ownerStart);
    for (let d = a.blkFirst[b]; d >= 0; d = a.dirNext[d]) {
      const s = a.dirStart(d);
      if (firstOnLine(s) && column(s) <= col) return { block: b, before: s };
    }
  }
  return { block: innermost, before: -1 };
}
