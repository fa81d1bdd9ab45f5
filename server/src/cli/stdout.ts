// Standard output written as it is made, at the reader's pace. `process.stdout.write` on a pipe queues what
// the reader has not taken yet: `check --format json big.conf | jq` held the whole report in memory (240 MB
// more for 42 000 findings). Here each chunk is written before the next is made; a full pipe waits, and a
// reader that went away (`| head`) ends the output, not the run.

import * as fs from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));
let closed = false;
/**
 * Chunks are encoded into this one buffer when they fit (three bytes per UTF-16 unit at most): a new buffer
 * per chunk made a hundred megabytes of SARIF into as much garbage outside the heap, collected by pressure.
 */
const scratch = Buffer.allocUnsafe(1 << 18);
/** `encodeInto` encodes a third faster than `Buffer#write` in Node 20 (measured on 16 KB chunks of our SARIF). */
const encoder = new TextEncoder();

export function writeStdout(s: string): void {
  if (closed || !s) return;
  const buf = s.length * 3 <= scratch.length ? scratch.subarray(0, encoder.encodeInto(s, scratch).written) : Buffer.from(s, 'utf8');
  let at = 0;
  while (at < buf.length) {
    try {
      at += fs.writeSync(1, buf, at, buf.length - at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // The pipe is non-blocking and full: wait a moment for the reader.
      if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 2); continue; }
      if (code === 'EPIPE') { closed = true; return; }
      throw e;
    }
  }
}
