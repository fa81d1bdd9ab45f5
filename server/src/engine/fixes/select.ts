// Choosing fixes to apply together (fix-all, `--fix`). Two fixes that touch the same place are never
// combined: both might add the same directive there, and nginx rejects duplicates. The skipped one is
// usually made unnecessary by the first; callers re-analyse and run another round.

import { Finding, Fix, TextEdit } from '../types';
import { DeferredFinding } from '../deferred-finding';

/** Taken edit ranges of one file, sorted by start: a conflict check is a binary search, not a scan. */
class Taken {
  private starts: number[] = [];
  private ends: number[] = [];

  /** Whether [start, end] touches a taken range (touching counts: two insertions at one spot conflict). */
  hits(start: number, end: number): boolean {
    // The last taken range starting at or before `end`; ranges do not overlap, so it is the only candidate
    // besides its predecessor ending at or after `start`.
    let lo = 0, hi = this.starts.length - 1, k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= end) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let j = k; j >= 0 && j >= k - 1; j--) if (this.ends[j] >= start) return true;
    return false;
  }

  add(start: number, end: number): void {
    let i = this.starts.length;
    while (i > 0 && this.starts[i - 1] > start) i--;
    this.starts.splice(i, 0, start);
    this.ends.splice(i, 0, end);
  }
}

/** The safe preferred fix of each finding, in order, skipping any that conflicts with one already taken. */
export function selectSafeFixes(findings: Finding[]): Fix[] {
  const taken: Fix[] = [];
  const seen = new Set<Fix>();
  const byPath = new Map<string, Taken>();
  const rangesOf = (e: TextEdit) => {
    let t = byPath.get(e.path);
    if (!t) byPath.set(e.path, (t = new Taken()));
    return t;
  };
  // The directive names inserted by the fixes taken, per block (an edit's scope names its file and block) or,
  // for an edit that does not say which block, per file.
  const added = new Map<string, Set<string>>();
  const placeOf = (e: TextEdit) => e.scope ?? e.path + '\0';
  // The directive names an inserted text holds, by text: thousands of fixes insert the same few lines.
  const namesIn = new Map<string, string[]>();
  const namesOf = (text: string) => {
    let list = namesIn.get(text);
    if (!list) namesIn.set(text, (list = [...text.matchAll(/(?:^|[\s;{])([a-z_0-9]+)\s[^;{}]*;/g)].map((m) => m[1])));
    return list;
  };
  for (let fIndex = 0; fIndex < findings.length; fIndex++) {
    const f = findings[fIndex];
    const fix = (f instanceof DeferredFinding ? f.preferredFixes() : f.fixes).find((x) => x.isPreferred && x.safe);
    if (!fix || seen.has(fix)) continue;
    if (fix.edits.some((e) => rangesOf(e).hits(e.start, e.end))) continue;
    // Two fixes adding the same directive to one block (or to one file, when an edit does not say which
    // block): leave the second for the next round, when the first is in the text and the analysis knows it.
    const clash = (e: TextEdit) => {
      const there = added.get(placeOf(e));
      return !!there && namesOf(e.newText).some((n) => there.has(n));
    };
    if (fix.edits.some(clash)) continue;
    for (const e of fix.edits) {
      let there = added.get(placeOf(e));
      if (!there) added.set(placeOf(e), (there = new Set()));
      for (const n of namesOf(e.newText)) there.add(n);
    }
    seen.add(fix);
    taken.push(fix);
    for (const e of fix.edits) rangesOf(e).add(e.start, e.end);
  }
  return taken;
}
