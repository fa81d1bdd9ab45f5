// Choosing fixes to apply together (fix-all, `--fix`). Two fixes that touch the same place are never
// combined: both might add the same directive there, and nginx rejects duplicates. The skipped one is
// usually made unnecessary by the first; callers re-analyse and run another round.

import { Finding, Fix, TextEdit } from '../types';

function conflicts(a: TextEdit, b: TextEdit): boolean {
  return a.path === b.path && a.start <= b.end && b.start <= a.end;
}

/** The safe preferred fix of each finding, in order, skipping any that conflicts with one already taken. */
export function selectSafeFixes(findings: Finding[]): Fix[] {
  const taken: Fix[] = [];
  const edits: TextEdit[] = [];
  const added = new Set<string>(); // file + directive name inserted by a fix already taken
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.isPreferred && x.safe);
    if (!fix || taken.includes(fix)) continue;
    if (fix.edits.some((e) => edits.some((x) => conflicts(x, e)))) continue;
    // Two fixes adding the same directive to one file may be adding it to one block: leave the second
    // for the next round, when the first is in the text and the analysis knows about it.
    const names = fix.edits.flatMap((e) => [...e.newText.matchAll(/(?:^|[\s;{])([a-z_0-9]+)\s[^;{}]*;/g)].map((m) => e.path + '\0' + m[1]));
    if (names.some((n) => added.has(n))) continue;
    names.forEach((n) => added.add(n));
    taken.push(fix);
    edits.push(...fix.edits);
  }
  return taken;
}
