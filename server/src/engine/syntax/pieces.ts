// Objects kept by index, for a few of many indices: made on first use, in pieces of 1024 slots. A JS array of
// the full size (hundreds of thousands of slots for a big config) is a large-object allocation that costs
// milliseconds each time on the machines we measured, and a Map keyed by number costs more per lookup.

const BITS = 10;
const MASK = (1 << BITS) - 1;

export class Pieces<T> {
  private readonly pieces: (T | undefined)[][] = [];

  get(i: number): T | undefined {
    return this.pieces[i >>> BITS]?.[i & MASK];
  }

  set(i: number, value: T): void {
    const hi = i >>> BITS;
    // The pieces before it too (left empty): the outer array stays dense.
    while (this.pieces.length <= hi) this.pieces.push(undefined as unknown as T[]);
    let piece = this.pieces[hi];
    if (piece === undefined) this.pieces[hi] = piece = new Array<T | undefined>(1 << BITS);
    piece[i & MASK] = value;
  }
}
