// nginx's config tokenizer (ngx_conf_read_token) and block structure, in one pass, without recursion.
// It never throws: every problem becomes a SyntaxError and parsing goes on, so that one typo does not
// hide every later finding. Where nginx would stop, we recover in the way that keeps the most structure.

import { Block, Directive, SyntaxError, SyntaxTree, Token, TokenKind } from './types';
import { computeLineStarts, lineOf } from './positions';
import { closingQuote, readLuaBody } from './lua';

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
        i = n;
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
