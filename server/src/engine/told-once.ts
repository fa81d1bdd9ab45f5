// Findings reached along several paths (a file two main configs include, a snippet named beside its includer)
// are told once.

import type { Finding, Fix } from './types';
import { DeferredFinding } from './deferred-finding';

/**
 * A filter that passes each finding the first time it is seen. Keyed by place first, the message compared
 * only when two findings share one: a key per message cost more than the rest (70 MB on 40 000 findings).
 *
 * The same finding seen from two configs that include its file may be fixed differently in each (one sets a
 * CA around the include, the other does not): the fix told is then safe for neither, and is marked so.
 */
export function toldOnce(): (f: Finding) => boolean {
  const seen = new Map<string, Finding[]>();
  return (f) => {
    const key = f.ruleId + '\0' + f.path + '\0' + f.start + '\0' + f.end;
    const told = seen.get(key);
    const same = told?.find((x) => x.message === f.message);
    if (same) {
      if (!sameEdits(same.fixes, f.fixes)) unsafe(same);
      return false;
    }
    if (told) told.push(f);
    else seen.set(key, [f]);
    return true;
  };
}

function sameEdits(a: Fix[], b: Fix[]): boolean {
  if (a.length !== b.length) return false;
  const spell = (x: Fix) => x.edits.map((e) => `${e.path}\0${e.start}\0${e.end}\0${e.newText}`).join('\n');
  return a.every((x, i) => spell(x) === spell(b[i]));
}

/** The finding's fixes, each offered still but safe no more, their titles saying why. */
function unsafe(f: Finding): void {
  const fixes = f.fixes.map((x): Fix => (x.safe ? { ...x, safe: false, title: `${x.title} (the configs that include this file need different edits here)` } : x));
  // A deferred finding is told, so that each way of reading its fixes (all, or the preferred alone) gets these.
  if (f instanceof DeferredFinding) f.replaceFixes(fixes);
  else Object.defineProperty(f, 'fixes', { value: fixes, configurable: true, enumerable: true });
}
