// Formatting that cannot change meaning: only the indentation of lines and trailing blanks change.
// Tokens, comments, quoting and line breaks stay exactly as written; lines that start inside a multi-line
// string, a Lua body or a map/geo/types body are left alone.

import { parse } from '../syntax/parser';
import { Block, SyntaxTree } from '../syntax/types';
import { pollCancellation } from '../cancellation';

export interface FormatOptions {
  tabSize: number;
  insertSpaces: boolean;
}

export interface LineEdit {
  start: number;
  end: number;
  newText: string;
}

const RAW_BODIES = new Set(['map', 'geo', 'types', 'split_clients', 'charset_map', 'match', 'geoip2']);

/** Minimal edits that re-indent `text`; empty when it is already formatted or cannot be read safely. */
export function formatEdits(text: string, options: FormatOptions, tree: SyntaxTree = parse(text)): LineEdit[] {
  // A file nginx cannot read has no reliable structure: do not guess.
  if (tree.errors.length) return [];
  const opens: number[] = [];
  const closes: number[] = [];
  const keep: [number, number][] = []; // spans whose lines must not move
  const stack: Block[] = [tree.root];
  while (stack.length) {
    const b = stack.pop()!;
    for (const d of b.children) {
      for (const a of d.args) if (a.end - a.start > 0 && text.slice(a.start, a.end).includes('\n')) keep.push([a.start, a.end]);
      if (text.slice(d.nameToken.start, d.nameToken.end).includes('\n')) keep.push([d.nameToken.start, d.nameToken.end]);
      if (d.lua) keep.push([d.lua.start, d.lua.end]);
      if (d.block) {
        opens.push(d.block.open);
        closes.push(d.block.close);
        if (RAW_BODIES.has(d.name)) keep.push([d.block.open + 1, d.block.close]);
        stack.push(d.block);
      }
    }
  }
  opens.sort((a, b) => a - b);
  closes.sort((a, b) => a - b);
  keep.sort((a, b) => a[0] - b[0]);
  const unit = options.insertSpaces ? ' '.repeat(Math.max(1, options.tabSize)) : '\t';
  const edits: LineEdit[] = [];
  let oi = 0;
  let ci = 0;
  let ki = 0;
  let mi = 0;
  const comments = tree.comments;
  let depth = 0;
  let lineStart = 0;
  const n = text.length;
  while (lineStart <= n) {
    pollCancellation();
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = n;
    let contentEnd = lineEnd;
    if (contentEnd > lineStart && text.charCodeAt(contentEnd - 1) === 13) contentEnd--;
    let first = lineStart;
    while (first < contentEnd && (text.charCodeAt(first) === 32 || text.charCodeAt(first) === 9)) first++;
    // Depth at `first`: blocks opened before it and not closed at or before it.
    while (oi < opens.length && opens[oi] < first) { depth++; oi++; }
    while (ci < closes.length && closes[ci] <= first && closes[ci] >= 0) { depth--; ci++; }
    while (ki < keep.length && keep[ki][1] < lineStart) ki++;
    const frozen = keep.slice(ki).some(([s, e]) => s < lineStart && lineStart <= e);
    while (mi < comments.length && comments[mi].end < lineStart) mi++;
    // A comment owns everything up to the line end, trailing blanks included: it stays as written.
    const hasComment = mi < comments.length && comments[mi].start < contentEnd;
    if (!frozen) {
      let last = contentEnd;
      while (last > first && (text.charCodeAt(last - 1) === 32 || text.charCodeAt(last - 1) === 9)) last--;
      if (first === contentEnd) {
        // Blank line: drop its whitespace.
        if (contentEnd > lineStart) edits.push({ start: lineStart, end: contentEnd, newText: '' });
      } else {
        const indent = unit.repeat(Math.max(0, depth));
        if (text.slice(lineStart, first) !== indent) edits.push({ start: lineStart, end: first, newText: indent });
        if (last < contentEnd && !hasComment && !insideKeep(keep, last)) edits.push({ start: last, end: contentEnd, newText: '' });
      }
    }
    if (lineEnd >= n) break;
    lineStart = lineEnd + 1;
  }
  return edits;
}

function insideKeep(keep: [number, number][], offset: number): boolean {
  for (const [s, e] of keep) if (s <= offset && offset < e) return true;
  return false;
}

export function format(text: string, options: FormatOptions): string {
  const edits = formatEdits(text, options);
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}
