// A fix is kept only if the text it makes still means what the fix intends: every statement it writes is
// read back by the parser as a statement of its own, and the statement it edits is terminated. This is
// what stops a fix from "working" by turning a broken line into arguments of its neighbour (the finding
// would disappear while the risk stays).

import { parse } from '../syntax/parser';
import { SyntaxTree } from '../syntax/types';
import type { CompactTree, TreeArrays } from '../syntax/tree';
import { Fix, TextEdit } from '../types';
import { applyEdits } from './edits';
import { pollCancellation } from '../cancellation';

interface Placed {
  edit: TextEdit;
  /** Offset of the edit's new text in the edited file. */
  at: number;
}

/**
 * The directive whose name starts at `offset`, or -1: a binary search over the tree's directives, which are in
 * document order. Read from the arrays: a view per directive looked at would stay in the tree, and the tree
 * checked here is the one the next analysis of `check --fix` takes.
 */
function directiveAt(a: TreeArrays, offset: number): number {
  let lo = 0, hi = a.dirCount - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = a.dirStart(mid);
    if (start === offset) return mid;
    if (start < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
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

function holds(placed: Placed[], after: TreeArrays, statementsOf: (newText: string) => Statement[]): boolean {
  for (const { edit, at } of placed) {
    for (const st of statementsOf(edit.newText)) {
      const d = directiveAt(after, at + st.offset);
      if (d < 0 || after.dirTerm[d] < 0 || after.dirName(d) !== st.name) return false;
      if (after.dirArgc[d] !== st.args.length) return false;
      const first = after.dirTok[d] + 1;
      for (let i = 0; i < st.args.length; i++) if (after.tokenValue(first + i) !== st.args[i]) return false;
    }
    // The statement the edit sits in (a changed value, a renamed directive) must be a whole statement.
    const inside = containing(after, at);
    if (inside >= 0 && after.dirTerm[inside] < 0) return false;
  }
  return true;
}

/**
 * The innermost directive whose text (name to terminator) contains `offset`, or -1. Going down from the top,
 * the directive at each level that starts last at or before `offset` is an ancestor of the directive that
 * does so in the whole document (or that one): its chain of owners is walked instead.
 */
function containing(a: TreeArrays, offset: number): number {
  let lo = 0, hi = a.dirCount - 1, last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a.dirStart(mid) <= offset) { last = mid; lo = mid + 1; } else hi = mid - 1;
  }
  const chain: number[] = [];
  for (let d = last; d >= 0; d = a.blkOwner[a.dirParent[d]]) chain.push(d);
  let found = -1;
  for (let i = chain.length - 1; i >= 0; i--) {
    if (offset > a.dirEnd[chain[i]]) return found;
    found = chain[i];
  }
  return found;
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
    const arrays = (afterTree as CompactTree).arrays;
    const all = place(edits);
    const at = new Map(all.map((p) => [p.edit, p]));
    const good = kept.filter((f) => {
      pollCancellation();
      return holds(mine(f).map((e) => at.get(e)!), arrays, statementsOf);
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
