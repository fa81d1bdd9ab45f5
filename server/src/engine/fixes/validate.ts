// A fix is kept only if the text it makes still means what the fix intends: every statement it writes is
// read back by the parser as a statement of its own, and the statement it edits is terminated. This is
// what stops a fix from "working" by turning a broken line into arguments of its neighbour (the finding
// would disappear while the risk stays).

import { parse } from '../syntax/parser';
import { Directive, SyntaxTree } from '../syntax/types';
import type { CompactTree } from '../syntax/tree';
import { Fix, TextEdit } from '../types';
import { applyEdits } from './edits';
import { pollCancellation } from '../cancellation';

interface Placed {
  edit: TextEdit;
  /** Offset of the edit's new text in the edited file. */
  at: number;
}

/**
 * The directive whose name starts at `offset`, if one does: a binary search over the tree's directives, which
 * are in document order (a map of every directive by its start made a view of each, for a million of them).
 */
function directiveAt(tree: SyntaxTree, offset: number): Directive | undefined {
  const t = tree as CompactTree;
  const a = t.arrays;
  let lo = 0, hi = a.dirCount - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = a.dirStart(mid);
    if (start === offset) return t.directive(mid);
    if (start < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

interface Statement { offset: number; name: string; args: string[] }

/** Statements (`name args;` or `name args {`) that a piece of inserted text holds, by offset within it. */
function statementsIn(newText: string): Statement[] {
  const tree = parse(newText);
  const out: Statement[] = [];
  const stack = [tree.root];
  while (stack.length) {
    const b = stack.pop()!;
    for (const d of b.children) {
      if (d.terminator < 0 || d.name === '') continue;
      out.push({ offset: d.start, name: d.name, args: d.args.map((a) => a.value) });
      if (d.block) stack.push(d.block);
    }
  }
  return out;
}

/** Where each edit's new text lands once all of them are applied (they must not overlap). */
function place(edits: TextEdit[]): Placed[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let shift = 0;
  return sorted.map((edit) => {
    const p = { edit, at: edit.start + shift };
    shift += edit.newText.length - (edit.end - edit.start);
    return p;
  });
}

function holds(placed: Placed[], afterTree: SyntaxTree, statementsOf: (newText: string) => Statement[]): boolean {
  for (const { edit, at } of placed) {
    for (const st of statementsOf(edit.newText)) {
      const d = directiveAt(afterTree, at + st.offset);
      if (!d || d.name !== st.name || d.terminator < 0) return false;
      if (d.args.length !== st.args.length || d.args.some((a, i) => a.value !== st.args[i])) return false;
    }
    // The statement the edit sits in (a changed value, a renamed directive) must be a whole statement.
    const inside = containing(afterTree, at);
    if (inside && inside.terminator < 0) return false;
  }
  return true;
}

/** The innermost directive whose text (name to terminator) contains `offset`, if any. */
function containing(tree: SyntaxTree, offset: number): Directive | undefined {
  let found: Directive | undefined;
  let children = tree.root.children;
  for (;;) {
    // Children are in document order: binary search for the last one starting at or before offset.
    let lo = 0, hi = children.length - 1, hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (children[mid].start <= offset) { hit = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (hit < 0) return found;
    const d = children[hit];
    if (offset > d.end) return found;
    found = d;
    if (!d.block || offset <= d.block.open) return found;
    children = d.block.children;
  }
}

/**
 * The fixes that hold in file `path` (text `text`) when applied together; the others are dropped. Only
 * their edits of that file are looked at. One parse of the result per round: thousands of fixes stay linear.
 */
export function fixesThatHold(path: string, text: string, fixes: Fix[]): Fix[] {
  return checkFixes(path, text, fixes).kept;
}

/**
 * fixesThatHold, with the text the kept fixes make and its parse (undefined when none is kept or the rounds
 * ran out): `check --fix` analyses that text next, and its parse is not made twice.
 */
export function checkFixes(path: string, text: string, fixes: Fix[]): { kept: Fix[]; text?: string; tree?: SyntaxTree } {
  const mine = (f: Fix) => f.edits.filter((e) => e.path === path);
  let kept = fixes;
  // Thousands of fixes insert the same few lines: each text is parsed once.
  const parsed = new Map<string, Statement[]>();
  const statementsOf = (newText: string) => {
    let list = parsed.get(newText);
    if (!list) parsed.set(newText, (list = statementsIn(newText)));
    return list;
  };
  for (let round = 0; round < 4 && kept.length; round++) {
    const edits = kept.flatMap(mine);
    const after = applyEdits(text, edits);
    const afterTree = parse(after);
    const all = place(edits);
    const at = new Map(all.map((p) => [p.edit, p]));
    const good = kept.filter((f) => {
      pollCancellation();
      return holds(mine(f).map((e) => at.get(e)!), afterTree, statementsOf);
    });
    if (good.length === kept.length) return { kept, text: after, tree: afterTree };
    kept = good;
  }
  return { kept };
}

/** Whether one fix holds when applied alone to its file's text. */
export function fixHolds(path: string, text: string, fix: Fix): boolean {
  return fixesThatHold(path, text, [fix]).length === 1;
}
