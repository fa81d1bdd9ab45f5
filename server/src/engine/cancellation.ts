// Long requests can be cancelled. The adapter hands the language service a plain check (`() => boolean`,
// no LSP types); while the request runs, the engine's long loops (formatting lines, expanding includes,
// running rules, checking fixes, listing symbols) poll it and stop by throwing `Cancelled`, which the
// adapter turns into its protocol's answer. Nothing half-computed is cached: the throw leaves every cache
// as it was before the request.

export type CancellationCheck = () => boolean;

export class Cancelled extends Error {
  constructor() {
    super('the request was cancelled');
    this.name = 'Cancelled';
  }
}

let active: CancellationCheck | undefined;
let polls = 0;

/** Runs `f` with `check` polled by the engine's loops (nested calls keep the outer check too). */
export function runCancellable<T>(check: CancellationCheck | undefined, f: () => T): T {
  if (!check) return f();
  if (check()) throw new Cancelled();
  const outer = active;
  active = outer ? () => check() || outer() : check;
  try {
    return f();
  } finally {
    active = outer;
  }
}

/** Called in long loops: cheap (the check itself runs every 256th call), throws `Cancelled` once it says so. */
export function pollCancellation(): void {
  if (active !== undefined && (++polls & 255) === 0 && active()) throw new Cancelled();
}

export function isCancelled(e: unknown): e is Cancelled {
  return e instanceof Cancelled || (e instanceof Error && e.name === 'Cancelled');
}
