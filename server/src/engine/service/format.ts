// The formatter: nginx's canonical layout, and provably the same config.
//
// Only the whitespace *between* tokens changes. The text is cut into items — directive names, arguments,
// `;`, `{`, `}`, comments, Lua bodies — exactly as the parser read them, and every gap between two items
// (which, in a config without syntax errors, is nothing but spaces, tabs and line breaks) is replaced by
// the layout's whitespace. Tokens, quoting, multi-line strings and `*_by_lua_block` bodies are copied byte
// for byte; a comment loses only its trailing blanks (spaces, tabs, and carriage returns: a lone one before the
// line break would otherwise join the layout's `\n` into a `\r\n`, and the comment would change). Nothing
// recurses on the input's depth: the tree is walked with an explicit stack and the layout is one pass over the
// items.
//
// Layout: one space between tokens; `{` on its directive's line; one directive per line (empty `{}` stays);
// `}` on its own line; blank lines collapsed to one, none after `{` or before `}`; comments where they
// are (a trailing comment stays trailing, one space before `#` unless the author aligned a run of them);
// arguments the author broke over lines keep their breaks, re-indented relative to their directive;
// `map`, `geo`, `types`, `split_clients`, `charset_map` bodies aligned in two columns.

import { parse } from '../syntax/parser';
import { pollCancellation } from '../cancellation';
import { lineOf } from '../syntax/positions';
import { Block, Directive, SyntaxTree, Token } from '../syntax/types';

export interface FormatOptions {
  tabSize: number;
  insertSpaces: boolean;
  /** Align the values of `map`, `geo`, `types`, `split_clients` and `charset_map` bodies in a column (default true). */
  alignMapValues?: boolean;
}

export interface LineEdit {
  start: number;
  end: number;
  newText: string;
}

/** Edits that turn the text into its canonical layout, or why it is not formatted. */
export type FormatResult = { edits: LineEdit[] } | { error: string };

/** Bodies that are tables (key, value): their values are aligned in a column. */
export const TABLE_BODIES = new Set(['map', 'geo', 'types', 'split_clients', 'charset_map']);

/**
 * Indentation stops growing past this depth: no real config comes near it (http › server › location ›
 * location › if is five), and it keeps the output proportional to the input on pathological nesting.
 */
export const MAX_INDENT_LEVELS = 32;

const enum K { Name, Arg, Semi, Open, Close, Lua, Comment }

interface Item {
  kind: K;
  start: number;
  /** Past the item's text; for a word ending in an escaped CR, past that CR (see `crTaken`). */
  end: number;
  /** The statement the item belongs to (for a comment: null). */
  d: Directive | null;
  /**
   * A word whose last backslash takes the CR of a CRLF (`Token.escapedCr`): the CR is written with the word,
   * and the gap after it starts with the `\n` that completes the line break (without one the word would
   * still keep its CR, but an editor would see a lone CR as a line break).
   */
  crTaken?: boolean;
}

/** A name or argument item (its CR included when a final backslash takes it). */
function wordItem(kind: K.Name | K.Arg, t: Token, d: Directive): Item {
  return t.escapedCr ? { kind, start: t.start, end: t.end + 1, d, crTaken: true } : { kind, start: t.start, end: t.end, d };
}

const SP = 32, TAB = 9, LF = 10, CR = 13;

/** First syntax error in words a user can act on, or null when the tree is clean. */
export function syntaxProblem(tree: SyntaxTree): string | null {
  if (!tree.errors.length) return null;
  const e = tree.errors[0];
  const more = tree.errors.length > 1 ? ` (and ${tree.errors.length - 1} more)` : '';
  return `not formatted: the config has syntax errors; line ${lineOf(tree.lineStarts, e.start) + 1}: ${e.message}${more}`;
}

/** The items of a clean tree in document order: tokens from the tree, comments merged in by offset. */
function itemsOf(tree: SyntaxTree): Item[] {
  const tokens: Item[] = [];
  const stack: { b: Block; i: number }[] = [{ b: tree.root, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.b.children.length) {
      stack.pop();
      if (top.b.owner) tokens.push({ kind: K.Close, start: top.b.close, end: top.b.close + 1, d: top.b.owner });
      continue;
    }
    const d = top.b.children[top.i++];
    pollCancellation();
    tokens.push(wordItem(K.Name, d.nameToken, d));
    for (const a of d.args) tokens.push(wordItem(K.Arg, a, d));
    if (d.lua) {
      tokens.push({ kind: K.Open, start: d.terminator, end: d.terminator + 1, d });
      tokens.push({ kind: K.Lua, start: d.lua.start, end: d.lua.end, d });
      tokens.push({ kind: K.Close, start: d.end - 1, end: d.end, d });
    } else if (d.block) {
      tokens.push({ kind: K.Open, start: d.block.open, end: d.block.open + 1, d });
      stack.push({ b: d.block, i: 0 });
    } else {
      tokens.push({ kind: K.Semi, start: d.terminator, end: d.terminator + 1, d });
    }
  }
  const text = tree.text;
  const comments = tree.comments;
  if (!comments.length) return tokens;
  const out: Item[] = [];
  let ci = 0;
  for (const t of tokens) {
    while (ci < comments.length && comments[ci].start < t.start) out.push(commentItem(text, comments[ci++]));
    out.push(t);
  }
  while (ci < comments.length) out.push(commentItem(text, comments[ci++]));
  return out;
}

function commentItem(text: string, c: { start: number; end: number }): Item {
  let end = c.end;
  for (let ch = text.charCodeAt(end - 1); end > c.start + 1 && (ch === SP || ch === TAB || ch === CR); ch = text.charCodeAt(end - 1)) end--;
  return { kind: K.Comment, start: c.start, end, d: null };
}

/** Display width of text[from, to) starting at column `col` (tabs to the next stop). */
function advance(text: string, from: number, to: number, col: number, tab: number): number {
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p);
    if (c === LF) col = 0;
    else if (c === TAB) col += tab - (col % tab);
    else if (c !== CR) col++;
  }
  return col;
}

// Both look only at text[from, to): indexOf would scan past `to`, quadratic on a long single line.
function hasNewline(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === LF) return true;
  return false;
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === LF) n++;
  return n;
}

interface Layout {
  items: Item[];
  /** gaps[i]: the whitespace before items[i]; gaps[items.length]: after the last item. */
  gaps: string[];
}

function layout(tree: SyntaxTree, options: FormatOptions): Layout {
  const text = tree.text;
  const items = itemsOf(tree);
  const tab = Math.min(16, Math.max(1, Math.floor(options.tabSize) || 4));
  const unitWidth = tab;
  const eol = dominantEol(text, items);
  const indents: string[] = [];
  const indent = (depth: number): string => {
    const d = Math.min(Math.max(0, depth), MAX_INDENT_LEVELS);
    return (indents[d] ??= options.insertSpaces ? ' '.repeat(d * tab) : '\t'.repeat(d));
  };
  /** Indentation `extra` columns deeper than `depth`. */
  const deeper = (depth: number, extra: number): string => {
    if (options.insertSpaces) return indent(depth) + ' '.repeat(extra);
    return indent(depth) + '\t'.repeat(Math.floor(extra / tab)) + ' '.repeat(extra % tab);
  };

  // Table bodies: the width the keys are padded to, per directive that is a row.
  const pad = new Map<Directive, number>();
  if (options.alignMapValues !== false) alignTables(tree, pad);

  const gaps: string[] = new Array(items.length + 1);
  let depth = 0;
  /** The current line so far ends with `{` (perhaps followed by a trailing comment). */
  let afterOpen = false;
  // Continuation lines of the current statement: the original column of its first token, and its depth.
  let stmtCol = -1;
  let stmt: Directive | null = null;
  /** Between a statement's first token and its `;` or `{`. */
  let inStmt = false;
  let cur: Directive | null = null;
  // Output position, for aligned trailing comments.
  let line = 0;
  let col = 0;
  const trailing: { item: number; line: number; col: number; origCol: number; padded: boolean }[] = [];

  /**
   * A continuation line of a statement. The first one goes one level deeper than the statement, or to the
   * author's column when that is deeper (a `log_format` aligned under its first string); later ones keep
   * their offset from the first (the nesting of a JSON `log_format`), never less deep than it.
   */
  let firstRel = -1;
  const continuation = (gapStart: number, gapEnd: number, d: Directive | null): string => {
    if (d && d !== stmt) {
      stmt = d;
      stmtCol = advance(text, text.lastIndexOf('\n', d.start - 1) + 1, d.start, 0, tab);
      firstRel = -1;
    }
    const nl = text.lastIndexOf('\n', gapEnd - 1);
    const origCol = advance(text, Math.max(nl + 1, gapStart), gapEnd, 0, tab);
    const rel = stmt ? origCol - stmtCol : 0;
    if (firstRel < 0) firstRel = Math.max(0, rel);
    return eol + deeper(depth, Math.max(unitWidth, firstRel) + Math.max(0, rel - firstRel));
  };

  for (let i = 0; i < items.length; i++) {
    pollCancellation();
    const it = items[i];
    const prev = i > 0 ? items[i - 1] : null;
    const gapStart = prev ? prev.end : 0;
    const nl = prev ? newlines(text, gapStart, it.start) : 0;
    const blank = nl >= 2 && !afterOpen;
    let gap: string;
    switch (it.kind) {
      case K.Name:
        gap = prev ? (blank ? eol + eol : eol) + indent(depth) : '';
        afterOpen = false;
        break;
      case K.Arg:
        if (nl > 0 || prev!.kind === K.Comment) gap = continuation(gapStart, it.start, it.d);
        else if (gapStart === it.start) gap = ''; // `"a")`: the quote and the `)` were written together
        else if (prev!.kind === K.Name && pad.has(it.d!)) gap = ' '.repeat(pad.get(it.d!)! - (prev!.end - prev!.start) + 1);
        else gap = ' ';
        break;
      case K.Semi:
        gap = prev!.kind === K.Comment ? continuation(gapStart, it.start, it.d) : '';
        break;
      case K.Open:
        gap = prev!.kind === K.Comment ? eol + indent(depth) : ' ';
        break;
      case K.Lua:
        gap = '';
        break;
      case K.Close:
        if (prev!.kind === K.Lua) gap = '';
        else {
          depth--;
          gap = prev!.kind === K.Open ? '' : eol + indent(depth);
        }
        afterOpen = false;
        break;
      case K.Comment:
        if (!prev) gap = '';
        else if (nl === 0) {
          gap = ' ';
          trailing.push({ item: i, line, col, origCol: advance(text, text.lastIndexOf('\n', it.start - 1) + 1, it.start, 0, tab), padded: it.start - gapStart > 1 });
        } else if (inStmt) {
          // Inside a statement whose arguments go on: a continuation line.
          gap = continuation(gapStart, it.start, cur);
        } else {
          gap = (blank ? eol + eol : eol) + indent(depth);
          afterOpen = false;
        }
        break;
    }
    if (prev?.crTaken) gap = afterCr(gap!, () => continuation(gapStart, it.start, it.d));
    gaps[i] = gap!;
    // Track the output line and column after this gap and item.
    for (let p = gap!.indexOf('\n'); p >= 0; p = gap!.indexOf('\n', p + 1)) line++;
    col = advance(gap!, 0, gap!.length, col, tab);
    if (it.kind === K.Arg || it.kind === K.Lua || it.kind === K.Name) {
      if (hasNewline(text, it.start, it.end)) line += newlines(text, it.start, it.end);
    }
    col = advance(text, it.start, it.end, col, tab);
    if (it.kind === K.Open) {
      if (it.d!.block) depth++;
      afterOpen = true;
    }
    if (it.kind === K.Name) { inStmt = true; cur = it.d; }
    else if (it.kind === K.Semi || it.kind === K.Open) { inStmt = false; stmt = null; }
  }
  gaps[items.length] = items.length ? eol : '';

  // A run of trailing comments on consecutive lines that the author aligned (same column, at least one
  // pushed out with more than one space) stays aligned: one space after the longest line of the run.
  for (let a = 0; a < trailing.length;) {
    let b = a + 1;
    while (b < trailing.length && trailing[b].line === trailing[b - 1].line + 1 && trailing[b].origCol === trailing[a].origCol) b++;
    if (b - a > 1 && trailing.slice(a, b).some((t) => t.padded)) {
      let max = 0;
      for (let k = a; k < b; k++) max = Math.max(max, trailing[k].col);
      for (let k = a; k < b; k++) gaps[trailing[k].item] = ' '.repeat(max - trailing[k].col + 1);
    }
    a = b;
  }
  return { items, gaps };
}

/**
 * The gap after a word that ends in an escaped CR: a line break whose CR is the word's, so it starts with a
 * bare `\n`. A gap that had no line break (before `;` or `{`) becomes a continuation line.
 */
function afterCr(gap: string, continued: () => string): string {
  const g = gap.charCodeAt(0) === LF || gap.charCodeAt(0) === CR ? gap : continued();
  return g.charCodeAt(0) === CR ? g.slice(1) : g;
}

/**
 * The line break the layout writes: the one most used between tokens (line breaks inside strings and Lua
 * bodies are theirs, not the layout's, and must not sway it); the whole text's when no gap has one.
 */
function dominantEol(text: string, items: Item[]): string {
  let crlf = 0;
  let lf = 0;
  const count = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      if (text.charCodeAt(i) !== LF) continue;
      if (i > 0 && text.charCodeAt(i - 1) === CR) crlf++;
      else lf++;
    }
  };
  for (let i = 0; i <= items.length; i++) count(i > 0 ? items[i - 1].end : 0, i < items.length ? items[i].start : text.length);
  if (crlf + lf === 0) count(0, text.length);
  return crlf > lf ? '\r\n' : '\n';
}

/** Key column widths of table bodies: rows written on one line, with a key and at least one value. */
function alignTables(tree: SyntaxTree, pad: Map<Directive, number>): void {
  const text = tree.text;
  const stack: Block[] = [tree.root];
  while (stack.length) {
    const b = stack.pop()!;
    const table = b.owner !== null && TABLE_BODIES.has(b.owner.name);
    const rows: Directive[] = [];
    let width = 0;
    for (const d of b.children) {
      if (d.block) stack.push(d.block);
      if (!table || d.block || d.lua || d.args.length === 0) continue;
      // One line, no comment inside the statement.
      if (hasNewline(text, d.start, d.end)) continue;
      if (commentInside(text, d)) continue;
      rows.push(d);
      width = Math.max(width, d.nameToken.end - d.nameToken.start);
    }
    for (const d of rows) pad.set(d, width);
  }
}

/** A `#` in a gap between the statement's tokens starts a comment (one inside a token does not). */
function commentInside(text: string, d: Directive): boolean {
  let from = d.nameToken.end;
  for (const a of d.args) {
    for (let p = from; p < a.start; p++) if (text.charCodeAt(p) === 35) return true;
    from = a.end;
  }
  for (let p = from; p < d.end; p++) if (text.charCodeAt(p) === 35) return true;
  return false;
}

/** Edits that turn `text` into its canonical layout; within `range`, only those of the statements it touches. */
export function formatEdits(text: string, options: FormatOptions, tree: SyntaxTree = parse(text), range?: { start: number; end: number }): FormatResult {
  const problem = syntaxProblem(tree);
  if (problem) return { error: problem };
  const { items, gaps } = layout(tree, options);
  let lo = 0;
  let hi = items.length;
  if (range) {
    [lo, hi] = gapsInRange(text, items, range.start, range.end);
  }
  const edits: LineEdit[] = [];
  for (let i = lo; i <= hi && i <= items.length; i++) {
    const start = i > 0 ? items[i - 1].end : 0;
    const end = i < items.length ? items[i].start : text.length;
    const gap = gaps[i];
    if (end - start !== gap.length || text.slice(start, end) !== gap) edits.push({ start, end, newText: gap });
  }
  return { edits };
}

/**
 * The gaps a range format may change: those before the items of the statements the range touches (a
 * statement is a directive up to its `;`, or a block's header up to `{`, or its `}`), from the first
 * selected line's indentation on; the gap after the last of them only when the range reaches its line end.
 */
function gapsInRange(text: string, items: Item[], start: number, end: number): [number, number] {
  const firstAfter = (offset: number): number => {
    let lo = 0, hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid].end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lo = firstAfter(lineStart);
  let hi = firstAfter(Math.max(end - 1, lineStart)) ;
  if (hi >= items.length) hi = items.length - 1;
  if (lo > hi) return [1, 0];
  // Widen to whole statements: back to the first token, on to the terminator.
  const owner = (k: number) => (items[k].kind === K.Close || items[k].kind === K.Comment ? null : items[k].d);
  const d0 = owner(lo);
  if (d0) while (lo > 0 && items[lo].start > d0.start) lo--;
  const d1 = owner(hi);
  if (d1) {
    const stop = d1.block ? d1.block.open : d1.lua ? d1.end - 1 : d1.terminator;
    while (hi + 1 < items.length && items[hi].start < stop) hi++;
  }
  // The last item's own line ends in the range: its trailing comment and nothing after.
  return [lo, hi];
}

/** The canonical layout of `text`, or why it is not formatted. */
export function formatConfig(text: string, options: FormatOptions): { text: string } | { error: string } {
  const tree = parse(text);
  const problem = syntaxProblem(tree);
  if (problem) return { error: problem };
  const { items, gaps } = layout(tree, options);
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) parts.push(gaps[i], text.slice(items[i].start, items[i].end));
  parts.push(gaps[items.length]);
  return { text: parts.join('') };
}

/** The text formatted, or unchanged when it cannot be (tests and callers that only want the text). */
export function format(text: string, options: FormatOptions): string {
  const r = formatConfig(text, options);
  return 'text' in r ? r.text : text;
}

/**
 * On-type formatting after `;` or `}` was typed at `offset` (the character's own offset): the statement or
 * block it ends, re-laid out. Nothing when the config does not parse (mid-edit) — no message either.
 */
export function formatOnType(text: string, options: FormatOptions, offset: number, tree: SyntaxTree = parse(text)): LineEdit[] {
  if (tree.errors.length) return [];
  const ch = text.charCodeAt(offset);
  if (ch !== 59 && ch !== 125) return [];
  // Find the statement: the directive whose terminator or block close is at `offset`.
  const stack: Block[] = [tree.root];
  let found: Directive | null = null;
  while (stack.length && !found) {
    const b = stack.pop()!;
    // Children are in order: only the one spanning `offset` needs a look.
    let lo = 0, hi = b.children.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = b.children[mid];
      if (d.end <= offset) lo = mid + 1;
      else if (d.start > offset) hi = mid - 1;
      else {
        if ((d.block && d.block.close === offset) || d.terminator === offset || (d.lua && d.end - 1 === offset)) found = d;
        else if (d.block) stack.push(d.block);
        break;
      }
    }
  }
  if (!found) return [];
  const r = formatEdits(text, options, tree, { start: found.start, end: found.end });
  return 'edits' in r ? r.edits : [];
}
