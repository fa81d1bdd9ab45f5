// The upstream TLS settings in effect where each TLS use connects, worked out once per block for every rule.
// Rules asked `first(proxy_ssl_<suffix>, use.block)` a few hundred thousand times per analysis of a big
// config, each a walk up the blocks and along their directives. Here a block that sets one of a family's
// settings gets a row (one store index per suffix, -1 for none), copied from its parent's and overwritten by
// its own directives; a block that sets none shares its parent's row. One pass per block, then one read per
// question.

import { tlsDirective, upstreamSuffixes, UpstreamFamily } from '../knowledge/tls-directives';
import { ConfigModel, LBlock, LDir } from './model';
import type { TlsUse } from './tls-uses';

/** Every upstream setting suffix (`verify`, `trusted_certificate`…), each with its place in a row. */
const SUFFIXES = upstreamSuffixes();
const WIDTH = SUFFIXES.length;
const SLOT = new Map(SUFFIXES.map((s, i) => [s, i]));

/** One family's rows: a family's settings are their own names (`grpc_ssl_verify`), so their own rows. */
class FamilyRows {
  /** The slot of each name id of the store, -1 for a name that is none of this family's settings. */
  private readonly slots: Int8Array;
  private rows = new Int32Array(WIDTH * 64);
  private used = WIDTH;
  /** The blocks between one asked and the nearest known, reused (an array per question was most of the garbage here). */
  private readonly path: LBlock[] = [];
  /** By block id: the offset of the row in effect in the block (its own, or the one it shares); -1 not yet known. */
  private readonly at: Int32Array;

  constructor(model: ConfigModel, family: UpstreamFamily) {
    const s = model.store;
    this.slots = new Int8Array(s.nameList.length).fill(-1);
    for (let i = 0; i < WIDTH; i++) {
      const id = s.idOf(tlsDirective(family, SUFFIXES[i]));
      if (id >= 0) this.slots[id] = i;
    }
    // Row 0: nothing set anywhere.
    this.rows.fill(-1, 0, WIDTH);
    this.at = new Int32Array(s.blocks.length).fill(-1);
  }

  /** The store index of the setting in `slot` in effect in `block`, or -1. */
  get(block: LBlock, slot: number): number {
    const known = block.id < this.at.length ? this.at[block.id] : -1;
    // The row first: making it may grow (replace) the pool this reads.
    const row = known >= 0 ? known : this.rowOf(block);
    return this.rows[row + slot];
  }

  /** Up to the nearest block whose row is known, then down again making the rows (no recursion on depth). */
  private rowOf(block: LBlock): number {
    // Filled from 0 without clearing: `length = 0` hands the array's storage back, and each walk made it anew.
    const path = this.path;
    let n = 0;
    let row = 0;
    for (let b: LBlock | null = block; b; b = b.parent) {
      const known = b.id < this.at.length ? this.at[b.id] : -1;
      if (known >= 0) {
        row = known;
        break;
      }
      path[n++] = b;
    }
    for (let i = n - 1; i >= 0; i--) row = this.own(path[i], row);
    return row;
  }

  /** `block`'s row: its parent's (`inherited`) where it sets none of the family's settings. */
  private own(block: LBlock, inherited: number): number {
    const s = block.store;
    const ids = s.nameId, next = s.next, slots = this.slots;
    let row = inherited;
    for (let x = block.first; x >= 0; x = next[x]) {
      const id = ids[x];
      const slot = id < slots.length ? slots[id] : -1;
      if (slot < 0) continue;
      if (row === inherited) row = this.copy(inherited);
      // The first occurrence in the block is the one in effect: a slot still holding the inherited index is
      // not set here yet (a directive of this block is never one of its parent's).
      if (this.rows[row + slot] === this.rows[inherited + slot]) this.rows[row + slot] = x;
    }
    this.at[block.id] = row;
    return row;
  }

  private copy(from: number): number {
    if (this.used + WIDTH > this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    const row = this.used;
    this.rows.copyWithin(row, from, from + WIDTH);
    this.used += WIDTH;
    return row;
  }
}

/** The settings of a model, per family (made when a family is first asked). */
export class TlsSettings {
  /** By family: proxy, grpc, uwsgi, stream. */
  private readonly families: (FamilyRows | undefined)[] = [undefined, undefined, undefined, undefined];
  // Suffixes asked and their slots, by the suffix's length (a rule asks a few suffixes for use after use,
  // and a map lookup of the suffix per question was a good part of answering it).
  private readonly askedSuffix: string[] = new Array<string>(16).fill('');
  private readonly askedSlot: (number | undefined)[] = new Array<number | undefined>(16).fill(undefined);

  constructor(private readonly model: ConfigModel) {}

  /**
   * The store index of `<family>_ssl_<suffix>` in effect in `block`, or -1: what `model.firstAt` answers
   * for that name there.
   */
  atBlock(family: UpstreamFamily, block: LBlock, suffix: string): number {
    const k = suffix.length & 15;
    let slot = this.askedSlot[k];
    if (suffix !== this.askedSuffix[k]) {
      slot = this.askedSlot[k] = SLOT.get(suffix);
      this.askedSuffix[k] = suffix;
    }
    if (slot === undefined) return this.model.firstAt(tlsDirective(family, suffix), block);
    const f = family === 'proxy' ? 0 : family === 'grpc' ? 1 : family === 'uwsgi' ? 2 : 3;
    const rows = this.families[f] ?? (this.families[f] = new FamilyRows(this.model, family));
    return rows.get(block, slot);
  }

  /** The store index of the `suffix` setting in effect for `use`, or -1. */
  at(use: TlsUse, suffix: string): number {
    return this.atBlock(use.family, use.block, suffix);
  }

  /** The `suffix` setting in effect for `use` (`model.first(tlsDirective(use.family, suffix), use.block)`). */
  get(use: TlsUse, suffix: string): LDir | undefined {
    const x = this.atBlock(use.family, use.block, suffix);
    return x < 0 ? undefined : this.model.store.dir(x);
  }
}

// Rows rest on the blocks and the names of the directives in them, which only a new model changes: an edit
// that a model adopts stays inside one argument. Views made by `scoped` share their model's blocks.
const cache = new WeakMap<ConfigModel, TlsSettings>();

export function tlsSettings(model: ConfigModel): TlsSettings {
  const whole = model.whole;
  let hit = cache.get(whole);
  if (!hit) cache.set(whole, (hit = new TlsSettings(whole)));
  return hit;
}
