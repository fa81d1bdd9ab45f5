// THE ORACLE: a frozen copy of the parser as it was on main before the struct-of-arrays tree
// (server/src/engine/syntax/parser.ts, lua.ts, positions.ts and types.ts at dc82235), self-contained so that
// later changes to the engine cannot change it. Used only by test/syntax to check that the new tree gives
// exactly the same tokens, directives, blocks, ranges and errors, and by `npm run bench -- --parse` for the
// before/after figures. Do not edit.

// ---- types.ts ----
// The syntax layer's data: offsets into the document text (UTF-16 code units, as in JS strings and LSP).

export enum TokenKind {
  Word = 0,
  /** A token that started with `"` or `'`; `start`/`end` include the quotes. */
  Quoted = 1,
  Comment = 2,
  /** The raw body of a `*_by_lua_block`, between (not including) its braces. */
  LuaBody = 3,
}

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** The value nginx stores: quotes removed, `\"` `\'` `\\` `\t` `\r` `\n` unescaped. */
  value: string;
}

export interface Directive {
  name: string;
  nameToken: Token;
  args: Token[];
  argCount: number;
  /** Offset of the first character of the name token. */
  start: number;
  /** Offset just past the `;`, the block's `}`, or the last token when unterminated. */
  end: number;
  /** Offset of the terminating `;` or `{`; -1 when the directive was cut short. */
  terminator: number;
  block: Block | null;
  /** Body of a `*_by_lua_block`, read with Lua's rules. */
  lua: Token | null;
  parent: Block;
}

export interface Block {
  /** The directive that opened the block; null for a file's top level. */
  owner: Directive | null;
  /** Offset of `{` (or 0 for the top level). */
  open: number;
  /** Offset of `}`; -1 when the block was never closed. */
  close: number;
  children: Directive[];
}

export interface SyntaxError {
  message: string;
  start: number;
  end: number;
  /** 1-based line nginx names in its own message (it often differs from where a user should look). */
  nginxLine: number;
}

export interface SyntaxTree {
  text: string;
  root: Block;
  comments: Token[];
  errors: SyntaxError[];
  lineStarts: number[];
}

// ---- positions.ts (part) ----
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i >= 0) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

/** Zero-based line containing `offset` (binary search). */
export function lineOf(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}


// ---- lua.ts ----
// lua-nginx-module reads a `*_by_lua_block { … }` body with its own Lua lexer, not nginx's:
// braces inside Lua strings, comments and long brackets do not count. This mirrors that.

const DASH = 45, LBRACKET = 91, EQ = 61; // the others: with the parser's below

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

// ---- parser.ts ----
// nginx's config tokenizer (ngx_conf_read_token) and block structure, in one pass, without recursion.
// It never throws: every problem becomes a SyntaxError and parsing goes on, so that one typo does not
// hide every later finding. Where nginx would stop, we recover in the way that keeps the most structure.


/** NGX_CONF_BUFFER: a token (or comment) that fills nginx's 4096-byte read buffer is rejected. */
export const NGINX_TOKEN_LIMIT = 4096;

export const MAX_SYNTAX_ERRORS = 100;

const SP = 32, TAB = 9, CR = 13, LF = 10;
const SEMI = 59, LBRACE = 123, RBRACE = 125, HASH = 35, DQ = 34, SQ = 39, BSLASH = 92, DOLLAR = 36, RPAREN = 41;

function isSpace(c: number): boolean {
  return c === SP || c === TAB || c === LF || c === CR;
}

export function unescapeToken(raw: string): string {
  // nginx: \" \' \\ \t \r \n become the character; any other \X keeps its backslash.
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === BSLASH && i + 1 < raw.length) {
      const n = raw[i + 1];
      if (n === '"' || n === "'" || n === '\\') { out += n; i++; continue; }
      if (n === 't') { out += '\t'; i++; continue; }
      if (n === 'r') { out += '\r'; i++; continue; }
      if (n === 'n') { out += '\n'; i++; continue; }
    }
    out += raw[i];
  }
  return out;
}

/**
 * A token whose value is computed when first read: most arguments are never looked at, and not making a
 * string for each of them halves the garbage a large config produces.
 */
class LazyToken implements Token {
  private cached: string | undefined = undefined;
  /** `closed`: for a quoted token, whether its closing quote is there (the value excludes both quotes). */
  constructor(public kind: TokenKind, public start: number, public end: number, private readonly text: string, private readonly closed: boolean) {}
  get value(): string {
    if (this.cached === undefined) {
      const quoted = this.kind === TokenKind.Quoted;
      this.cached = unescapeToken(this.text.slice(quoted ? this.start + 1 : this.start, quoted && this.closed ? this.end - 1 : this.end));
    }
    return this.cached;
  }
}

export function parse(text: string): SyntaxTree {
  const lineStarts = computeLineStarts(text);
  const errors: SyntaxError[] = [];
  const comments: Token[] = [];
  const root: Block = { owner: null, open: 0, close: -1, children: [] };
  const stack: Block[] = [root];
  let words: Token[] = [];
  const n = text.length;
  // Past this many, further errors are almost always echoes of the first ones: keep the list readable.
  const err = (message: string, start: number, end: number, nginxAt: number) => {
    if (errors.length < MAX_SYNTAX_ERRORS) errors.push({ message, start, end, nginxLine: lineOf(lineStarts, nginxAt) + 1 });
  };

  const finish = (terminator: number, end: number): Directive | null => {
    if (words.length === 0) return null;
    const parent = stack[stack.length - 1];
    const nameToken = words[0];
    const args = words;
    args.shift();
    const d: Directive = {
      name: nameToken.value,
      nameToken,
      args,
      argCount: args.length,
      start: nameToken.start,
      end,
      terminator,
      block: null,
      lua: null,
      parent,
    };
    parent.children.push(d);
    words = [];
    return d;
  };

  // An unterminated quote swallows the rest of the file: what follows from it is not worth reporting.
  let unterminated = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    if (c === SEMI) {
      if (words.length === 0) {
        err('unexpected ";"', i, i + 1, i);
      } else {
        finish(i, i + 1);
      }
      i++;
      continue;
    }
    if (c === LBRACE) {
      const parent = stack[stack.length - 1];
      let d: Directive;
      if (words.length === 0) {
        err('unexpected "{"', i, i + 1, i);
        // Keep the braces balanced so everything after still lands in the right block.
        const tok: Token = { kind: TokenKind.Word, start: i, end: i, value: '' };
        d = { name: '', nameToken: tok, args: [], argCount: 0, start: i, end: i + 1, terminator: i, block: null, lua: null, parent };
        parent.children.push(d);
      } else {
        d = finish(i, i + 1)!;
      }
      if (d.name.endsWith('_by_lua_block')) {
        const body = readLuaBody(text, i + 1);
        d.lua = { kind: TokenKind.LuaBody, start: i + 1, end: body.close < 0 ? n : body.close, value: '' };
        if (body.close < 0) {
          err('unexpected end of file, expecting "}"', d.nameToken.start, d.nameToken.end, n);
          d.end = n;
          i = n;
        } else {
          d.end = body.close + 1;
          i = body.close + 1;
        }
        continue;
      }
      const block: Block = { owner: d, open: i, close: -1, children: [] };
      d.block = block;
      stack.push(block);
      i++;
      continue;
    }
    if (c === RBRACE) {
      if (words.length > 0) {
        // nginx: `unexpected "}"` on the brace's line; the user must look at the directive lacking ";".
        const last = words[words.length - 1];
        err('unexpected "}": the directive "' + words[0].value + '" is not terminated by ";"', words[0].start, last.end, i);
        finish(-1, last.end);
      }
      if (stack.length === 1) {
        err('unexpected "}"', i, i + 1, i);
      } else {
        const b = stack.pop()!;
        b.close = i;
        b.owner!.end = i + 1;
      }
      i++;
      continue;
    }
    if (c === HASH) {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      let end = j;
      if (end > i && text.charCodeAt(end - 1) === CR) end--;
      comments.push({ kind: TokenKind.Comment, start: i, end, value: text.slice(i, end) });
      if (end - i >= NGINX_TOKEN_LIMIT) {
        err('too long parameter "' + text.slice(i, i + 10) + '..." started', i, end, i);
      }
      i = j;
      continue;
    }
    if (c === DQ || c === SQ) {
      // Quoted token: whitespace, ; { } # are literal; a backslash protects the next character.
      const j = closingQuote(text, i, false);
      if (j >= n) {
        err('unterminated string: the quote opened here is never closed (nginx: ' +
            (n - i - 1 >= NGINX_TOKEN_LIMIT - 1
              ? 'too long parameter, probably missing terminating "' + String.fromCharCode(c) + '" character'
              : 'unexpected end of file, expecting ";" or "}"') + ')',
          i, i + 1, n - i - 1 >= NGINX_TOKEN_LIMIT - 1 ? i : n);
        words.push(new LazyToken(TokenKind.Quoted, i, n, text, false));
        unterminated = true;
        break;
      }
      const tok: Token = new LazyToken(TokenKind.Quoted, i, j + 1, text, true);
      // nginx's buffer holds the value (from after the opening quote) and its closing quote: with 4095
      // characters the quote is read as the buffer fills ("... started"); with more it is not reached.
      const len = j - i - 1;
      if (len === NGINX_TOKEN_LIMIT - 1) {
        err('too long parameter "' + text.slice(i + 1, i + 11) + '..." started', i, j + 1, i);
      } else if (len >= NGINX_TOKEN_LIMIT) {
        err('too long parameter, probably missing terminating "' + String.fromCharCode(c) + '" character', i, j + 1, i);
      }
      words.push(tok);
      i = j + 1;
      if (i < n) {
        const after = text.charCodeAt(i);
        if (!isSpace(after) && after !== SEMI && after !== LBRACE && after !== RPAREN) {
          err('unexpected "' + text[i] + '"', i, i + 1, i);
        }
      }
      continue;
    }
    // Unquoted word: ends at whitespace, ";" or "{" (but "${" stays inside); "}" and "#" are ordinary here.
    let j = i;
    let variable = false;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === BSLASH) { j += 2; variable = false; continue; }
      if (d === LBRACE && variable) { j++; variable = false; continue; }
      if (isSpace(d) || d === SEMI || d === LBRACE) break;
      variable = d === DOLLAR;
      j++;
    }
    if (j > n) j = n;
    if (j - i >= NGINX_TOKEN_LIMIT) {
      err('too long parameter "' + text.slice(i, i + 10) + '..." started', i, j, i);
    }
    words.push(new LazyToken(TokenKind.Word, i, j, text, true));
    i = j;
  }

  if (words.length > 0 && !unterminated) {
    const last = words[words.length - 1];
    err('unexpected end of file, expecting ";" or "}": the directive "' + words[0].value + '" is not terminated',
      words[0].start, last.end, n);
    finish(-1, last.end);
  }
  if (words.length > 0) finish(-1, words[words.length - 1].end);
  if (stack.length > 1 && !unterminated) {
    const culprit = findUnclosed(stack, text, lineStarts, root);
    const owner = culprit.block.owner!;
    const hint = culprit.before >= 0 ? ' (its "}" is probably missing before line ' + (lineOf(lineStarts, culprit.before) + 1) + ')' : '';
    err('unexpected end of file, expecting "}": the "' + owner.name + '" block opened here is not closed' + hint,
      owner.nameToken.start, owner.nameToken.end, n);
  }
  for (let k = stack.length - 1; k > 0; k--) stack[k].owner!.end = n;
  return { text, root, comments, errors, lineStarts };
}

/**
 * At end of file some blocks are still open. The one a user must fix is usually the one whose
 * children stop being indented deeper than its own opening line: look for it from the outside in.
 */
function findUnclosed(stack: Block[], text: string, lineStarts: number[], root: Block): { block: Block; before: number } {
  // A closed block may have swallowed the "}" meant for its parent: search every block, in document order.
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
  const work: Block[] = [root];
  while (work.length) {
    const b = work.pop()!;
    if (b.owner && firstOnLine(b.owner.start)) {
      const col = column(b.owner.start);
      for (const child of b.children) {
        if (firstOnLine(child.start) && column(child.start) <= col) return { block: b, before: child.start };
      }
    }
    for (let k = b.children.length - 1; k >= 0; k--) if (b.children[k].block) work.push(b.children[k].block!);
  }
  return { block: stack[stack.length - 1], before: -1 };
}
