// One round of `check --fix` over many files: the chosen fixes checked on the text they make, applied, and
// the new texts handed back with their parses. The caller's analysis is let go before anything is parsed.

import type { SyntaxTree } from '../syntax/types';
import { Fix } from '../types';
import { applyEdits } from './edits';
import { checkFixes } from './validate';

/** A file changed by a round of fixes: its text before and after. */
export interface AppliedFixes {
  path: string;
  before: string;
  after: string;
}

export interface RoundIo {
  textOf(path: string): string | undefined;
  /** Drops what is kept of the file's analyses and parse (its text was read first). */
  forget(path: string): void;
  /** Runs once the old analyses are dropped, before the new texts are parsed (a CLI collects garbage). */
  release?: () => void;
  /** The file's new text, and its parse when the check made one of exactly that text. */
  set(path: string, text: string, tree: SyntaxTree | undefined): void;
}

export function applyFixRound(fixes: Fix[], io: RoundIo): AppliedFixes[] {
  const before = new Map<string, string>();
  for (const fix of fixes) {
    for (const e of fix.edits) {
      if (before.has(e.path)) continue;
      const text = io.textOf(e.path);
      if (text !== undefined) before.set(e.path, text);
    }
  }
  // Each fix under every file it edits, and the fixes dropped so far: a fix that fails in one file goes
  // everywhere (one pass per file over its own fixes, not over all of them).
  const byPath = new Map<string, Fix[]>();
  const dropped = new Set<Fix>();
  for (const f of fixes) {
    if (!f.edits.every((e) => before.has(e.path))) {
      dropped.add(f);
      continue;
    }
    for (const p of new Set(f.edits.map((e) => e.path))) {
      const list = byPath.get(p);
      if (list) list.push(f);
      else byPath.set(p, [f]);
    }
  }
  for (const p of before.keys()) io.forget(p);
  io.release?.();
  const live = (p: string) => (byPath.get(p) ?? []).filter((f) => !dropped.has(f));
  const checked = new Map<string, { kept: number; text?: string; tree?: SyntaxTree }>();
  for (const [p, text] of before) {
    const mine = live(p);
    const r = checkFixes(p, text, mine);
    const ok = new Set(r.kept);
    for (const f of mine) if (!ok.has(f)) dropped.add(f);
    checked.set(p, { kept: r.kept.length, text: r.text, tree: r.tree });
  }
  const out: AppliedFixes[] = [];
  for (const [p, text] of before) {
    const mine = live(p);
    if (!mine.length) continue;
    const c = checked.get(p)!;
    // A fix that spans files and failed in a later one changes this file's set: its text is made again.
    const same = c.text !== undefined && c.kept === mine.length;
    const after = same ? c.text! : applyEdits(text, mine.flatMap((f) => f.edits.filter((e) => e.path === p)));
    if (after === text) continue;
    io.set(p, after, same ? c.tree : undefined);
    out.push({ path: p, before: text, after });
  }
  return out;
}
