// Standard input read whole, for `check -`. A pipe handed over in non-blocking mode answers EAGAIN until its
// writer has written: the read waits a moment and goes on, as stdout.ts does for a full pipe.

import * as fs from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Every byte of standard input, or an error once more than `maxBytes` arrived (the rest is not read). */
export function readStdin(maxBytes: number): Buffer | { error: string } {
  const pieces: Buffer[] = [];
  let total = 0;
  for (;;) {
    const piece = Buffer.allocUnsafe(1 << 16);
    let n: number;
    try {
      n = fs.readSync(0, piece, 0, piece.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 2); continue; }
      if (code === 'EOF') break;
      return { error: `cannot read standard input (${code ?? (e as Error).message})` };
    }
    if (n === 0) break;
    total += n;
    if (total > maxBytes) return { error: `standard input is larger than ${Math.round(maxBytes / 1048576)} MB: not analysed` };
    pieces.push(piece.subarray(0, n));
  }
  return Buffer.concat(pieces, total);
}
