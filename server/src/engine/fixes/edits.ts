// Edit builders for fixes: add directives to a block in its own indentation, or change a directive's value.
// They touch only the characters they mean to: no reformatting, comments and quoting stay as written.

import { ConfigFile, ConfigModel, LBlock, LDir } from '../model/model';
import type { CompactTree, TreeArrays } from '../syntax/tree';
import { TextEdit } from '../types';

// Facts of the text fixes are built for, kept for the last text (the same text serves every fix of a file):
// asked per fix from the text itself, they cost a scan each, and a 1 MB single line with 20 000 findings
// made that quadratic.
interface TextFacts { text: string; eol?: string; unit?: string }
let facts: TextFacts | undefined;

function factsOf(text: string): TextFacts {
  if (facts === undefined || facts.text !== text) facts = { text };
  return facts;
}

/** The file's own line break (its first one), so that an insertion does not mix styles. */
function eolOf(file: ConfigFile): string {
  const text = file.tree.text;
  const f = factsOf(text);
  if (f.eol === undefined) {
    const lf = text.indexOf('\n');
    const cr = text.indexOf('\r');
    f.eol = cr < 0 || (lf >= 0 && lf < cr) ? '\n' : lf === cr + 1 ? '\r\n' : '\r';
  }
  return f.eol;
}

// A line of the text is found by looking at the characters around the offset (lines as an editor shows them:
// `\n`, `\r\n` or a lone `\r` ends one). A binary search over a big file's line starts was a cache miss per
// step, per fix.

/** Where the line holding `offset` starts. */
function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c === 10 || c === 13) break;
    i--;
  }
  return i;
}

/** Where the line holding `offset` ends (before its break), `offset` not being inside a `\r\n`. */
function lineEndOf(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    i++;
  }
  return i;
}

/** Leading whitespace of the line, if `offset` is the first non-blank character on it; else null. */
function indentIfLineStart(text: string, offset: number): string | null {
  let i = offset;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c === 10 || c === 13) break;
    if (c !== 32 && c !== 9) return null;
    i--;
  }
  return text.slice(i, offset);
}

function indentUnit(text: string): string {
  const f = factsOf(text);
  return (f.unit ??= unitOf(text));
}

function unitOf(text: string): string {
  const m = /[\n\r](\t+|  +)\S/.exec(text);
  if (!m) return '    ';
  if (m[1].startsWith('\t')) return '\t';
  return m[1].length >= 4 ? '    ' : m[1];
}

/**
 * Where a logical block's text lives: the file and the source block (its index in that file's tree, and
 * where its braces are). Read from the tree's arrays: a fix for each of tens of thousands of findings made a
 * view of the block and of each of its directives, kept by the tree for as long as it lives.
 */
interface Home { file: ConfigFile; arrays: TreeArrays; block: number; open: number; close: number }

function arraysOf(file: ConfigFile): TreeArrays {
  return (file.tree as CompactTree).arrays;
}

function blockHome(block: LBlock): Home | null {
  const owner = block.owner;
  if (!owner) return null;
  const arrays = arraysOf(owner.file);
  const b = arrays.dirChildBlock(owner.index);
  if (b < 0) return null;
  return { file: owner.file, arrays, block: b, open: arrays.blkOpen[b], close: arrays.blkClose[b] };
}

/**
 * Inserts `lines` (each a complete directive, e.g. `proxy_ssl_verify on;`) into `block`: right after
 * `anchor` when it sits directly in that block's text, else just before the block's closing brace.
 */
export function insertDirectives(block: LBlock, lines: string[], anchor?: LDir): TextEdit | null {
  const home = blockHome(block);
  const edit = insertion(block, home, lines, anchor);
  if (edit) edit.scope = home ? home.file.path + ':' + home.open : edit.path + ':top';
  return edit;
}

/** Whether `anchor` sits directly in the text of `block` (where `home` says that text is). */
function anchoredIn(block: LBlock, home: Home | null, anchor: LDir): boolean {
  return anchor.block === block && (!home || (anchor.file === home.file && home.arrays.dirParent[anchor.index] === home.block));
}

/** Whether `insertDirectives` makes an edit for a non-empty list of lines (the cases where it returns null). */
function canInsert(block: LBlock, anchor?: LDir): boolean {
  const home = blockHome(block);
  if (anchor && anchoredIn(block, home, anchor)) return true;
  if (!home) return !!anchor?.file;
  return home.close >= 0;
}

function insertion(block: LBlock, home: Home | null, lines: string[], anchor?: LDir): TextEdit | null {
  if (lines.length === 0) return null;
  if (anchor && anchoredIn(block, home, anchor)) {
    const text = anchor.file.tree.text;
    const eol = eolOf(anchor.file);
    const end = arraysOf(anchor.file).dirEnd[anchor.index];
    const restEnd = lineEndOf(text, end);
    const rest = text.slice(end, restEnd);
    const indent = indentIfLineStart(text, anchor.nameStart);
    // A statement still missing its ";" would swallow what is inserted after it as arguments: end it first.
    const term = anchor.terminator < 0 ? ';' : '';
    if (/^[ \t]*(#.*)?$/.test(rest) && indent !== null) {
      if (term) return { path: anchor.file.path, start: end, end: restEnd, newText: term + rest + lines.map((l) => eol + indent + l).join('') };
      return { path: anchor.file.path, start: restEnd, end: restEnd, newText: lines.map((l) => eol + indent + l).join('') };
    }
    return { path: anchor.file.path, start: end, end, newText: term + ' ' + lines.join(' ') };
  }
  if (!home) {
    // A fragment's synthetic top level: append at the end of the file that holds the anchor.
    const file = anchor?.file;
    if (!file) return null;
    const text = file.tree.text;
    const eol = eolOf(file);
    const last = file.tree.root.children[file.tree.root.children.length - 1];
    const term = last && last.terminator < 0 && !last.block ? ';' : '';
    const needsEol = text.length > 0 && !text.endsWith('\n') && !text.endsWith('\r');
    return { path: file.path, start: text.length, end: text.length, newText: term + (needsEol ? eol : '') + lines.map((l) => l + eol).join('') };
  }
  // A block that was never closed has a guessed extent: nothing is inserted into it.
  if (home.close < 0) return null;
  const a = home.arrays;
  const text = home.file.tree.text;
  const eol = eolOf(home.file);
  const firstChild = a.blkFirst[home.block];
  let lastChild = firstChild;
  if (lastChild >= 0) while (a.dirNext[lastChild] >= 0) lastChild = a.dirNext[lastChild];
  // The block's last statement lacks its ";": the insertion starts by ending it (a Lua body is no block).
  const openEnd = lastChild >= 0 && a.dirTerm[lastChild] < 0 && a.dirChildBlock(lastChild) < 0 && a.dirEnd[lastChild] <= home.close ? a.dirEnd[lastChild] : -1;
  const closeIndent = indentIfLineStart(text, home.close);
  if (closeIndent === null) {
    if (openEnd >= 0) return { path: home.file.path, start: openEnd, end: home.close, newText: '; ' + lines.join(' ') + ' ' };
    return { path: home.file.path, start: home.close, end: home.close, newText: lines.join(' ') + ' ' };
  }
  let indent = firstChild >= 0 ? indentIfLineStart(text, a.dirStart(firstChild)) : null;
  if (indent === null) {
    const ownerIndent = indentIfLineStart(text, block.owner!.nameStart) ?? closeIndent;
    indent = ownerIndent + indentUnit(text);
  }
  const at = lineStartOf(text, home.close);
  const added = lines.map((l) => indent + l + eol).join('');
  if (openEnd >= 0 && openEnd <= at) return { path: home.file.path, start: openEnd, end: at, newText: ';' + text.slice(openEnd, at) + added };
  return { path: home.file.path, start: at, end: at, newText: added };
}

/** Replaces all arguments of a directive with `value`. */
export function setArguments(ld: LDir, value: string): TextEdit {
  const d = ld.d;
  // An unterminated directive is ended too: otherwise the next statement would still read as its argument.
  const term = d.terminator < 0 && !d.block ? ';' : '';
  if (d.args.length === 0) return { path: ld.file.path, start: d.nameToken.end, end: d.nameToken.end, newText: ' ' + value + term };
  return { path: ld.file.path, start: d.args[0].start, end: d.args[d.args.length - 1].end, newText: value + term };
}

/** Applies non-overlapping edits of one file to its text, in one pass (thousands of edits stay linear). */
export function applyEdits(text: string, edits: { start: number; end: number; newText: string }[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) continue; // overlapping: keep the earlier edit only
    parts.push(text.slice(at, e.start), e.newText);
    at = e.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Quotes a value if nginx would otherwise split or misread it. */
export function quoteIfNeeded(v: string): string {
  return /^[^\s;{}"'#\\]+$/.test(v) ? v : '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** Renames a directive (its name token only). */
export function setName(ld: LDir, name: string): TextEdit {
  return { path: ld.file.path, start: ld.d.nameToken.start, end: ld.d.nameToken.end, newText: name };
}

/**
 * Sets directives in one block, the way every TLS fix needs it: a directive already in the block gets its
 * value changed, a missing one is inserted (after `anchor`), and all insertions go in as one edit.
 * `ifUnset` leaves alone a directive that is in effect from an outer block.
 */
export function directiveSetter(model: ConfigModel, block: LBlock, anchor?: LDir) {
  const lines: string[] = [];
  const changes: TextEdit[] = [];
  const valueOf = (ld: LDir) => ld.d.args.map((a) => a.value.toLowerCase()).join(' ');
  return {
    set(name: string, value: string, opts: { ifUnset?: boolean } = {}): void {
      const here = model.inBlock(block, name)[0];
      if (here) {
        if (!opts.ifUnset && valueOf(here) !== value.toLowerCase()) changes.push(setArguments(here, value));
        return;
      }
      const inherited = model.first(name, block);
      if (inherited && (opts.ifUnset || valueOf(inherited) === value.toLowerCase())) return;
      lines.push(`${name} ${value};`);
    },
    edits(): TextEdit[] {
      const ins = insertDirectives(block, lines, anchor);
      return ins ? [...changes, ins] : changes;
    },
    /** Whether `edits()` is non-empty, told without making the edits' text. */
    willEdit(): boolean {
      return changes.length > 0 || (lines.length > 0 && canInsert(block, anchor));
    },
  };
}
