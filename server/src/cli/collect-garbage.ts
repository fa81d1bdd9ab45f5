// A full collection on request. `check --fix` analyses a config again after each round of fixes; the last
// round's analysis is garbage by then, but V8 would rather grow the heap than collect it first, and on a
// 20 MB config that doubled the peak memory. Node hides `gc` unless started with --expose-gc; the flag can
// still be set from inside, and a new context then sees the function.

import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const f: unknown = vm.runInNewContext('typeof gc === "function" ? gc : null');
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
