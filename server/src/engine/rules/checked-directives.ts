// The directives whose name and shape nginx checks: everything except the data inside map/geo/types…
// bodies and inside blocks of directives we do not know.

import { ConfigModel } from '../model/model';
import { availability, modulesDefining, modulesOfSharedObject } from '../knowledge/modules';
import { unknownToVersion } from '../knowledge/tls';
import { EngineSettings } from '../types';

const cache = new WeakMap<ConfigModel, Int32Array>();

/**
 * The store indices of the directives nginx checks, in order. Indices, not directives: the rules that look at
 * every directive read names, kinds and arguments from the store, and make an `LDir` only for what they report.
 */
export function checkedDirectives(model: ConfigModel): Int32Array {
  // Which directives are checked rests on names and block kinds only: an edit inside an argument keeps it.
  let hit = cache.get(model) ?? model.carried(cache, () => false);
  if (!hit) {
    const s = model.store;
    const out = new Int32Array(model.size);
    let n = 0;
    for (let x = model.from; x < model.to; x++) {
      const kind = s.block(x).kind;
      if (kind !== 'raw' && kind !== 'opaque' && s.name(x) !== '') out[n++] = x;
    }
    hit = n === out.length ? out : out.slice(0, n);
    cache.set(model, hit);
  }
  return hit;
}

/** Modules the config's own `load_module` lines load (Debian's modules-enabled/*.conf among them). */
export function loadedModules(scope: ConfigModel): Set<string> {
  const model = scope.whole;
  let hit = loadedCache.get(model);
  if (!hit) {
    hit = new Set<string>();
    for (const ld of model.named('load_module')) if (ld.d.args[0]) for (const m of modulesOfSharedObject(ld.d.args[0].value)) hit.add(m);
    loadedCache.set(model, hit);
  }
  return hit;
}
const loadedCache = new WeakMap<ConfigModel, Set<string>>();

/**
 * Whether a known directive is outside the configured build, or unknown to the configured version (newer, or
 * removed): unknown-directive reports it, and the rules that check a directive's place and arguments skip it,
 * as nginx stops at "unknown directive" first.
 */
export function outsideBuild(model: ConfigModel, settings: EngineSettings, name: string): boolean {
  if (settings.extraDirectives.has(name)) return false;
  if (unknownToVersion(name, settings.nginxVersion)) return true;
  return !availability(name, settings.build, loadedModules(model), settings.nginxVersion).ok && modulesDefining(name).length > 0;
}

/**
 * A verdict that depends only on a directive's name and its block's kind, worked out once per pair: a big
 * config names the same few dozen directives in the same few kinds of block hundreds of thousands of times.
 * Names are the store's ids (`DirStore.nameId`): a row per kind, indexed by id, no hashing per directive.
 */
export class ByKindAndName<T> {
  private readonly kinds = new Map<string, (T | undefined)[]>();
  // The last two kinds asked and their rows: a block's directives come one after another, all of one kind,
  // and a config goes back and forth between two kinds (a server's directives and its locations').
  private lastKind: string | undefined = undefined;
  private lastRow: (T | undefined)[] | undefined = undefined;
  private otherKind: string | undefined = undefined;
  private otherRow: (T | undefined)[] | undefined = undefined;

  get(kind: string, nameId: number): T | undefined {
    if (kind !== this.lastKind) {
      const k = this.lastKind, r = this.lastRow;
      this.lastRow = kind === this.otherKind ? this.otherRow : this.kinds.get(kind);
      this.lastKind = kind;
      this.otherKind = k;
      this.otherRow = r;
    }
    return this.lastRow?.[nameId];
  }

  set(kind: string, nameId: number, value: T): T {
    let row = this.kinds.get(kind);
    if (!row) this.kinds.set(kind, (row = []));
    // Filled up to the id first: a row with holes far apart would turn into a dictionary.
    while (row.length < nameId) row.push(undefined);
    row[nameId] = value;
    if (kind === this.lastKind) this.lastRow = row;
    if (kind === this.otherKind) this.otherRow = row;
    return value;
  }
}
