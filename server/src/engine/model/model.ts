// The config as nginx sees it: includes expanded in place (nginx's path rules), every block knowing its
// kind, and one question answered for everyone: what is directive D at this point, and where from.

import { BlockKind, childBlockKind, DATA_BODIES_WITH_INCLUDE } from '../knowledge/contexts';
import { reparse } from '../syntax/reparse';
import { Directive, SyntaxTree } from '../syntax/types';
import { isPlainWord, sameAt, shapeAt, TokenFlag } from '../syntax/tree';
import type { CompactTree, TreeArrays } from '../syntax/tree';
import { Pieces } from '../syntax/pieces';
import { FileSystem, globWithBuffers } from './filesystem';
import { dirname, hasGlob, isAbsolute, join, normalize } from './paths';
import { pollCancellation } from '../cancellation';
import { splitHostPort } from './pass-url';

export interface ConfigFile {
  path: string;
  tree: SyntaxTree;
}

/**
 * A block at one place in the expanded config. A file included twice yields two sets of these. Its own
 * directives are a chain of expanded indices in the store (`first`, then `store.next`): a directive object is
 * made only when one is asked for.
 */
export class LBlock {
  /**
   * What is worked out about the block when asked, in one object made then: a big config has tens of
   * thousands of blocks, each copied by the young generation's collector while it lives there (which is also
   * why what is only counted or pointed at lives in the store's arrays, not here).
   */
  memo: BlockMemo | undefined = undefined;

  constructor(
    readonly store: DirStore,
    /** Its index in the store's `blocks`. */
    readonly id: number,
    readonly kind: BlockKind,
    readonly parent: LBlock | null,
  ) {}

  /** The first of its own directives (an index in the store; -1 when it has none). */
  get first(): number {
    return this.store.blkFirst[this.id];
  }

  /** How many directives it has. */
  get count(): number {
    return this.store.blkCount[this.id];
  }

  /** The index of the directive whose block this is; -1 for the top and for made-up blocks. */
  get ownerAt(): number {
    return this.store.blkOwner[this.id];
  }

  /** Made up to give a fragment its context (no text behind it). */
  get synthetic(): boolean {
    return this.store.blkSynthetic[this.id] === 1;
  }

  set synthetic(value: boolean) {
    this.store.blkSynthetic[this.id] = value ? 1 : 0;
  }

  get owner(): LDir | null {
    return this.ownerAt < 0 ? null : this.store.dir(this.ownerAt);
  }

  /** Its own directives in order (made once per block, on first use). */
  get items(): LDir[] {
    const memo = (this.memo ??= {});
    if (memo.items === undefined) {
      const s = this.store;
      const out = new Array<LDir>(this.count);
      for (let x = this.first, k = 0; x >= 0; x = s.next[x]) out[k++] = s.dir(x);
      memo.items = out;
    }
    return memo.items;
  }
}

interface BlockMemo {
  /** For a big block: directive name → indices of its occurrences directly in it. */
  index?: Map<string, number[]>;
  /** The same, as directives, per name asked. */
  found?: Map<string, LDir[]>;
  /** Its own directives in order. */
  items?: LDir[];
}

/**
 * What the directives of one expansion of a file share: kept once for all of them, not in each directive.
 * `file` is re-pointed only by `ConfigModel.adopt`, to the same file after an edit inside one of its tokens.
 */
interface Expansion {
  file: ConfigFile;
  /**
   * The file's tree arrays, kept beside it: every read of a directive's argument goes through here, and
   * reaching them through the file and its tree was most of what such a read cost.
   */
  arrays: TreeArrays;
  /** The `include` that brought the file in, if any. */
  readonly via: LDir | null;
}

function expansionOf(file: ConfigFile, via: LDir | null): Expansion {
  return { file, arrays: (file.tree as CompactTree).arrays, via };
}

const EMPTY = new Int32Array(0);
/** Slots (less one) of the store's cache of recent names. */
const RECENT_NAMES = 255;

/** `a` copied into a new array of `cap` slots (cap ≥ a.length). */
function grown(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/**
 * The expanded config's directives as parallel arrays, indexed in expanded document order: for each, its
 * index in its file's tree, its expansion, its block, its child block and the next directive of its block.
 * A big config has hundreds of thousands of directives; an object for each, all alive for the whole analysis,
 * was most of what the young generation copied. `LDir` objects are made from here on demand and kept, so
 * that one directive is always one object. Shared by a model, its scoped views and the models adopted from it.
 */
export class DirStore {
  size = 0;
  /** The directive's index in its file's tree. */
  tok: Int32Array = EMPTY;
  /** Its expansion (`exps`). */
  exp: Int32Array = EMPTY;
  /** The block it is in (`blocks`). */
  blk: Int32Array = EMPTY;
  /** Its own block (`blocks`), or -1. */
  kid: Int32Array = EMPTY;
  /** The next directive of its block, or -1. */
  next: Int32Array = EMPTY;
  /** Its name's id (`nameList`): names compared and tabled as small numbers. */
  nameId: Int32Array = EMPTY;
  /** The distinct names by id, each one string (so compared by pointer). */
  readonly nameList: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly recentName: (string | undefined)[] = new Array<string | undefined>(RECENT_NAMES + 1).fill(undefined);
  private readonly recentId = new Int32Array(RECENT_NAMES + 1);
  readonly exps: Expansion[] = [];
  readonly blocks: LBlock[] = [];
  /** By block id: its first directive (-1: none), its last so far (while the store is filled), how many. */
  blkFirst: Int32Array = EMPTY;
  private blkLast: Int32Array = EMPTY;
  blkCount: Int32Array = EMPTY;
  /** By block id: the directive whose block it is (-1: the top, a made-up block). */
  blkOwner: Int32Array = EMPTY;
  /** By block id: 1 when it is made up to give a fragment its context. */
  blkSynthetic: Uint8Array = new Uint8Array(0);
  /** About one directive in twenty is ever made into an object: kept in pieces, not an array of the store's size. */
  private readonly dirs = new Pieces<LDir>();

  constructor(capacity: number) {
    this.reserve(Math.max(capacity, 16));
  }

  private reserve(cap: number): void {
    this.tok = grown(this.tok, cap);
    this.exp = grown(this.exp, cap);
    this.blk = grown(this.blk, cap);
    this.kid = grown(this.kid, cap);
    this.next = grown(this.next, cap);
    this.nameId = grown(this.nameId, cap);
  }

  /** The id of `name`, or -1 when no directive of the store has it. */
  idOf(name: string): number {
    return this.ids.get(name) ?? -1;
  }

  /** Directive `x`'s name. */
  name(x: number): string {
    return this.nameList[this.nameId[x]];
  }

  /** Appends a directive to `block`; returns its index. */
  add(tok: number, name: string, exp: number, blockId: number): number {
    const x = this.size;
    if (x === this.tok.length) this.reserve(x * 2);
    // Names are interned (one string per name): the last name of its length and first character is
    // compared by pointer before the map is asked.
    const slot = (name.length * 31 + name.charCodeAt(0)) & RECENT_NAMES;
    let id: number;
    if (this.recentName[slot] === name) id = this.recentId[slot];
    else {
      const had = this.ids.get(name);
      if (had !== undefined) id = had;
      else {
        id = this.nameList.length;
        this.nameList.push(name);
        this.ids.set(name, id);
      }
      this.recentName[slot] = name;
      this.recentId[slot] = id;
    }
    this.tok[x] = tok;
    this.exp[x] = exp;
    this.blk[x] = blockId;
    this.kid[x] = -1;
    this.next[x] = -1;
    this.nameId[x] = id;
    const last = this.blkLast[blockId];
    if (last >= 0) this.next[last] = x;
    else this.blkFirst[blockId] = x;
    this.blkLast[blockId] = x;
    this.blkCount[blockId]++;
    this.size = x + 1;
    return x;
  }

  addBlock(kind: BlockKind, parent: LBlock | null, ownerAt: number, synthetic: boolean): number {
    const id = this.blocks.length;
    if (id === this.blkFirst.length) {
      const cap = Math.max(64, id * 2);
      this.blkFirst = grown(this.blkFirst, cap);
      this.blkLast = grown(this.blkLast, cap);
      this.blkCount = grown(this.blkCount, cap);
      this.blkOwner = grown(this.blkOwner, cap);
      const flags = new Uint8Array(cap);
      flags.set(this.blkSynthetic);
      this.blkSynthetic = flags;
    }
    this.blkFirst[id] = -1;
    this.blkLast[id] = -1;
    this.blkCount[id] = 0;
    this.blkOwner[id] = ownerAt;
    this.blkSynthetic[id] = synthetic ? 1 : 0;
    this.blocks.push(new LBlock(this, id, kind, parent));
    if (ownerAt >= 0) this.kid[ownerAt] = id;
    return id;
  }

  /** The directive at `x`, made on first use. */
  dir(x: number): LDir {
    let d = this.dirs.get(x);
    if (d === undefined) this.dirs.set(x, (d = new LDir(this, x)));
    return d;
  }

  block(x: number): LBlock {
    return this.blocks[this.blk[x]];
  }

  file(x: number): ConfigFile {
    return this.exps[this.exp[x]].file;
  }

  arrays(x: number): TreeArrays {
    return this.exps[this.exp[x]].arrays;
  }

  argc(x: number): number {
    return this.arrays(x).dirArgc[this.tok[x]];
  }

  /** Argument `i`'s value as nginx stores it (quotes removed, escapes resolved); '' past the last. */
  arg(x: number, i: number): string {
    const a = this.arrays(x);
    const k = this.tok[x];
    return i < a.dirArgc[k] ? a.tokenValue(a.dirTok[k] + 1 + i) : '';
  }

  /**
   * Whether argument `i` as written (quotes and escapes included) holds the character `code`: a test on the
   * text in place, no string made. Unescaping drops quotes and backslashes and turns `\t`, `\r`, `\n` into
   * their controls: any other character is in the value only where it is written.
   */
  argWrites(x: number, i: number, code: number): boolean {
    const a = this.arrays(x);
    const d = this.tok[x];
    if (i >= a.dirArgc[d]) return false;
    const k = a.dirTok[d] + 1 + i;
    // A `$` the parser saw is a flag away: the text itself lies scattered over a big file.
    if (code === 36 && a.tokFlags[k] & TokenFlag.NoDollar) return false;
    const text = a.text;
    for (let j = a.tokStart[k], end = a.tokEnd[k]; j < end; j++) if (text.charCodeAt(j) === code) return true;
    return false;
  }

  /**
   * Whether argument `i`'s value is `lower` (given in lower case) but for case: a plain word is compared where
   * it lies (flags of a big config are read this way for every TLS use, with no string made).
   */
  argIsLower(x: number, i: number, lower: string): boolean {
    const a = this.arrays(x);
    const d = this.tok[x];
    if (i >= a.dirArgc[d]) return false;
    const k = a.dirTok[d] + 1 + i;
    if (!isPlainWord(a.tokFlags[k])) return a.tokenValue(k).toLowerCase() === lower;
    const start = a.tokStart[k];
    if (a.tokEnd[k] - start !== lower.length) return false;
    const text = a.text;
    for (let j = 0; j < lower.length; j++) {
      const c = text.charCodeAt(start + j);
      // Past ASCII, lower-casing is Unicode's (the Kelvin sign is a k): left to toLowerCase.
      if (c >= 128) return a.tokenValue(k).toLowerCase() === lower;
      if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(j)) return false;
    }
    return true;
  }

  /**
   * A small number from argument `i`'s length and first, middle and last characters, or -1 when it is not a
   * plain word (quoted or escaped: its value is not its text). Equal values have equal shapes: a caller keeps
   * the last value seen per shape and compares it in place (`argIs`) instead of making the value again.
   */
  argShape(x: number, i: number): number {
    const a = this.arrays(x);
    const d = this.tok[x];
    if (i >= a.dirArgc[d]) return -1;
    const k = a.dirTok[d] + 1 + i;
    return isPlainWord(a.tokFlags[k]) ? shapeAt(a.text, a.tokStart[k], a.tokEnd[k]) : -1;
  }

  /** Whether argument `i` is a plain word written exactly `value` (compared where it lies, no string made). */
  argIs(x: number, i: number, value: string): boolean {
    const a = this.arrays(x);
    const d = this.tok[x];
    if (i >= a.dirArgc[d]) return false;
    const k = a.dirTok[d] + 1 + i;
    return isPlainWord(a.tokFlags[k]) && sameAt(value, a.text, a.tokStart[k], a.tokEnd[k]);
  }

  /** Where argument `i` is written (quotes included); past the last, the name. */
  argStart(x: number, i: number): number {
    const a = this.arrays(x);
    const d = this.tok[x];
    return a.tokStart[a.dirTok[d] + (i < a.dirArgc[d] ? 1 + i : 0)];
  }

  argEnd(x: number, i: number): number {
    const a = this.arrays(x);
    const d = this.tok[x];
    return a.tokEnd[a.dirTok[d] + (i < a.dirArgc[d] ? 1 + i : 0)];
  }

  /** Where the directive's name starts: where the directive starts. */
  nameStart(x: number): number {
    const a = this.arrays(x);
    return a.tokStart[a.dirTok[this.tok[x]]];
  }

  nameEnd(x: number): number {
    const a = this.arrays(x);
    return a.tokEnd[a.dirTok[this.tok[x]]];
  }

  /** The end of the last argument (of the name without any). */
  lastArgEnd(x: number): number {
    const a = this.arrays(x);
    const d = this.tok[x];
    return a.tokEnd[a.dirTok[d] + a.dirArgc[d]];
  }

  /** Where its text ends: after the `;`, or the block's `}`. */
  end(x: number): number {
    return this.arrays(x).dirEnd[this.tok[x]];
  }

  /** The `;` that ends it, or -1. */
  terminator(x: number): number {
    return this.arrays(x).dirTerm[this.tok[x]];
  }

  /** It has a `{ … }` (or a Lua body) in the source, whatever nginx then makes of it. */
  hasBody(x: number): boolean {
    return this.arrays(x).dirBlock[this.tok[x]] !== -1;
  }
}

/** A directive at one place in the expanded config: a view of its index in the store. */
export class LDir {
  constructor(
    private readonly s: DirStore,
    /** Its place in expanded document order (the store's index). */
    readonly at: number,
  ) {}

  /** The store it is a view of (for code that reads by index). */
  get store(): DirStore {
    return this.s;
  }

  /** The directive's index in its file's tree. */
  get index(): number {
    return this.s.tok[this.at];
  }

  get name(): string {
    return this.s.name(this.at);
  }

  get block(): LBlock {
    return this.s.blocks[this.s.blk[this.at]];
  }

  get child(): LBlock | null {
    const c = this.s.kid[this.at];
    return c < 0 ? null : this.s.blocks[c];
  }

  get file(): ConfigFile {
    return this.s.exps[this.s.exp[this.at]].file;
  }

  /** The `include` that brought this directive's file in, if any. */
  get via(): LDir | null {
    return this.s.exps[this.s.exp[this.at]].via;
  }

  /**
   * The directive's syntax, its view made on first access (and kept by the tree): after an edit, most
   * directives are only looked up by name, and a view for each would be garbage to collect per keystroke.
   */
  get d(): Directive {
    return (this.file.tree as CompactTree).directive(this.index);
  }

  // Read straight from the tree's arrays (the store's readers): no view, no array of arguments.

  get argc(): number {
    return this.s.argc(this.at);
  }

  /** Argument `i`'s value as nginx stores it (quotes removed, escapes resolved); '' past the last. */
  arg(i: number): string {
    return this.s.arg(this.at, i);
  }

  /** Every argument's value. */
  values(): string[] {
    const n = this.argc;
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.arg(i);
    return out;
  }

  /** Whether argument `i` as written (quotes and escapes included) holds the character `code` (`DirStore.argWrites`). */
  argWrites(i: number, code: number): boolean {
    return this.s.argWrites(this.at, i, code);
  }

  /** Where argument `i` is written (quotes included); past the last, the name. */
  argStart(i: number): number {
    return this.s.argStart(this.at, i);
  }

  argEnd(i: number): number {
    return this.s.argEnd(this.at, i);
  }

  get nameStart(): number {
    return this.s.nameStart(this.at);
  }

  get nameEnd(): number {
    return this.s.nameEnd(this.at);
  }

  /** The end of the last argument (of the name without any). */
  get lastArgEnd(): number {
    return this.s.lastArgEnd(this.at);
  }

  /** Where its text ends: after the `;`, or the block's `}`. */
  get end(): number {
    return this.s.end(this.at);
  }

  /** The `;` that ends it, or -1. */
  get terminator(): number {
    return this.s.terminator(this.at);
  }

  /** It has a `{ … }` (or a Lua body) in the source, whatever nginx then makes of it. */
  get hasBody(): boolean {
    return this.s.hasBody(this.at);
  }
}

export interface ModelProblem {
  ruleId: string;
  message: string;
  file: ConfigFile;
  start: number;
  end: number;
  nginxLine?: number;
}

export interface Effective {
  name: string;
  /** Occurrences at the nearest level that has any (several for bitmask and array directives). */
  found: LDir[];
  /** The block they are in, or null when nothing is set and the default applies. */
  level: LBlock | null;
  /** Where the lookup started: the blocks looked at are it and its parents up to `level` (or to the top). */
  from: LBlock;
}

export interface ModelOptions {
  /** Kind of the root file's top level: 'main' for a complete nginx.conf, else a fragment's context. */
  rootKind?: BlockKind;
  /** The root file is a piece of a bigger config even at main level (`# nginx-context: main`). */
  fragment?: boolean;
  /** rootKind is a guess (inferred from the file's directives, not declared nor given). */
  contextGuessed?: boolean;
  /** Directory relative include/certificate paths resolve against (nginx: the main config's directory). */
  prefix?: string;
  maxIncludeDepth?: number;
  maxFiles?: number;
  /** Cap on the text that includes expand to, counting a file once per place it is included. */
  maxExpandedBytes?: number;
  /** Cap on the directives of the expanded config. */
  maxExpandedDirectives?: number;
  /** Texts to use instead of the disk (unsaved editor buffers). */
  overlays?: ReadonlyMap<string, string>;
  /** Parsed files shared between models, keyed by path; reused when the text is the same. */
  parseCache?: Map<string, ConfigFile>;
}

export interface UpstreamGroup {
  name: string;
  dir: LDir;
  family: 'http' | 'stream';
  servers: { host: string; port: number | null; dir: LDir }[];
  keepalive: boolean;
}

/** Beyond these, an include bomb (one file included thousands of times) would exhaust memory. */
export const DEFAULT_MAX_EXPANDED_BYTES = 128 * 1024 * 1024;
export const DEFAULT_MAX_EXPANDED_DIRECTIVES = 1_000_000;

export class ConfigModel {
  readonly files = new Map<string, ConfigFile>();
  readonly problems: ModelProblem[] = [];
  private readonly problemKeys = new Set<string>();
  /** The expanded directives as arrays; `LDir`s are made from it on demand. */
  readonly store: DirStore;
  /** The piece of the store this model covers: all of it, or one server block for a view made by `scoped`. */
  readonly from: number = 0;
  readonly to: number = 0;
  readonly root: LBlock;
  /** The block the root file's own top-level directives live in (deeper than `root` for a fragment). */
  readonly top: LBlock;
  readonly rootFile: ConfigFile | undefined;
  readonly prefix: string;
  /** The root file's context was inferred: a finding resting only on it is a guess too. */
  readonly contextGuessed: boolean;
  private upstreamIndex: Map<string, UpstreamGroup> | null = null;
  /** How many times files were expanded; more than files.size when a file is included from several places. */
  expansions = 0;
  /** Characters of text expanded so far (a file included from n places counts n times). */
  expandedBytes = 0;
  /** Blocks with an `include` that could not be read: what is missing there is unknown, not absent. */
  private readonly unread = new Set<LBlock>();

  constructor(readonly rootPath: string, private readonly fs: FileSystem, private readonly opts: ModelOptions = {}) {
    this.prefix = opts.prefix ?? dirname(rootPath);
    this.contextGuessed = !!opts.contextGuessed && (opts.rootKind ?? 'main') !== 'main';
    const rootKind = opts.rootKind ?? 'main';
    this.rootFile = this.load(rootPath);
    // Sized up front from the root file (grown past it by includes).
    const rootDirectives = (this.rootFile?.tree as CompactTree | undefined)?.arrays.dirCount ?? 0;
    this.store = new DirStore(Math.min(rootDirectives, opts.maxExpandedDirectives ?? DEFAULT_MAX_EXPANDED_DIRECTIVES));
    const top = syntheticChain(this.store, rootKind);
    if (opts.fragment) top.root.synthetic = true;
    this.root = top.root;
    this.top = top.leaf;
    // `# nginx-context: main` marks a piece of a main config, not a complete one.
    if (this.rootFile && rootKind === 'main' && this.rootFile.tree.comments.some((c) => /^#\s*nginx-context:\s*main\b/i.test(c.value))) top.root.synthetic = true;
    if (this.rootFile) this.expand(this.rootFile, top.leaf);
    this.to = this.store.size;
  }

  /** Every directive in expanded document order (made into objects on first use: index loops read `store`). */
  get all(): LDir[] {
    if (this.allList === null) {
      const out = new Array<LDir>(this.to - this.from);
      for (let x = this.from; x < this.to; x++) out[x - this.from] = this.store.dir(x);
      this.allList = out;
    }
    return this.allList;
  }
  private allList: LDir[] | null = null;

  /** How many directives this model covers. */
  get size(): number {
    return this.to - this.from;
  }

  /** The directive at store index `x`. */
  dirAt(x: number): LDir {
    return this.store.dir(x);
  }

  /**
   * The model of the config after an edit of `oldFile` that changed the inside of one argument or comment
   * and nothing else (`syntax/reparse.ts` proves the trees have the same structure; the caller, that the
   * changed argument is not one the expansion reads): `previous`'s directives and blocks, re-pointed to
   * `newFile`, with its problems moved. `previous` is spent: its directives now read the new text. What
   * rests on the `edited` directive's arguments (the upstream groups, the per-model memos, see `carried`)
   * is worked out again on the new object; the rest is taken over.
   */
  static adopt(previous: ConfigModel, oldFile: ConfigFile, newFile: ConfigFile, from: number, delta: number, edited: string | null): ConfigModel {
    const m = Object.create(ConfigModel.prototype) as ConfigModel;
    Object.assign(m, previous);
    const files = new Map(previous.files);
    files.set(newFile.path, newFile);
    const move = (x: number) => (x >= from ? x + delta : x);
    Object.assign(m, {
      files,
      problems: previous.problems.map((p) => (p.file === oldFile ? { ...p, file: newFile, start: move(p.start), end: move(p.end) } : p)),
      rootFile: previous.rootFile === oldFile ? newFile : previous.rootFile,
      upstreamIndex: edited !== null && UPSTREAM_INPUTS.includes(edited) ? null : previous.upstreamIndex,
      // Made from the upstream index, which may be made anew.
      httpGroups: undefined,
      streamGroups: undefined,
      origin: { model: previous, edited },
    });
    let expansions = 0;
    // Re-points every directive of each expansion of the file at once.
    for (const e of previous.store.exps) {
      if (e.file !== oldFile) continue;
      e.file = newFile;
      e.arrays = (newFile.tree as CompactTree).arrays;
      expansions++;
    }
    m.expandedBytes = previous.expandedBytes + expansions * delta;
    return m;
  }

  /** While this model's analysis runs: the model it was adopted from, and the directive the edit changed (null: a comment). */
  private origin: { model: ConfigModel; edited: string | null } | null = null;

  /**
   * A per-model memo of the model this one was adopted from, when the edit changed no directive the memo
   * `reads` (its values are then this model's too: the same directives, the same arguments). Never for a
   * view made by `scoped`, whose memos cover only its piece.
   */
  carried<T>(cache: WeakMap<ConfigModel, T>, reads: (name: string) => boolean): T | undefined {
    const o = this.origin;
    if (!o || this.whole !== this || (o.edited !== null && reads(o.edited))) return undefined;
    return cache.get(o.model);
  }

  /** Lets the model this one was adopted from go (its memos are taken over or made anew from here on). */
  release(): void {
    this.origin = null;
  }

  /** The options this model was built with. */
  get options(): Readonly<ModelOptions> {
    return this.opts;
  }

  /** How many places each file is expanded at (a snippet included from three locations: 3). */
  private readonly loads = new Map<string, number>();

  /** How many places `path` is expanded at in this config (0 when it is not part of it). */
  timesExpanded(path: string): number {
    return this.loads.get(path) ?? 0;
  }

  private load(path: string): ConfigFile | undefined {
    const text = this.opts.overlays?.get(path) ?? this.fs.readFile(path);
    if (text === undefined) return undefined;
    const cache = this.opts.parseCache;
    const cached = cache?.get(path);
    let file: ConfigFile;
    if (cached && cached.tree.text === text) file = cached;
    else {
      file = { path, tree: reparse(cached?.tree, text) };
      cache?.set(path, file);
    }
    this.files.set(path, file);
    this.loads.set(path, (this.loads.get(path) ?? 0) + 1);
    this.expansions++;
    this.expandedBytes += text.length;
    return file;
  }

  /**
   * Walks the syntax trees with an explicit stack (input depth never becomes call-stack depth), reading the
   * tree's arrays into the store's: no directive object or view is made here (but for the includes).
   */
  private expand(file: ConfigFile, into: LBlock): void {
    // The stack as parallel arrays, one slot per open block or included file. What a file's blocks share
    // (its tree, its expansion, the include chain) is one `Scope` per file expanded.
    interface Scope { tree: CompactTree; exp: number; chain: string[]; ids: string[] }
    const store = this.store;
    const top = file.tree as CompactTree;
    const nexts: number[] = [top.arrays.blkFirst[0] ?? -1];
    const blocks: LBlock[] = [into];
    const blockIds: number[] = [into.id];
    store.exps.push(expansionOf(file, null));
    const scopes: Scope[] = [{ tree: top, exp: store.exps.length - 1, chain: [file.path], ids: [this.identity(file.path)] }];
    let sp = 0;
    const maxDepth = this.opts.maxIncludeDepth ?? 32;
    const maxFiles = this.opts.maxFiles ?? 2000;
    const maxBytes = this.opts.maxExpandedBytes ?? DEFAULT_MAX_EXPANDED_BYTES;
    const maxDirectives = this.opts.maxExpandedDirectives ?? DEFAULT_MAX_EXPANDED_DIRECTIVES;
    let includedCount = 0;
    let bytesCapped = false;
    while (sp >= 0) {
      const k = nexts[sp];
      if (k < 0) { sp--; continue; }
      const scope = scopes[sp];
      const block = blocks[sp];
      if (store.size >= maxDirectives) {
        // Stop expanding, not just counting: what is past the cap is never built.
        const at = store.exps[scope.exp].via ?? (store.size ? store.dir(store.size - 1) : null);
        if (at) this.problem('include-limit', `the expanded config has more than ${maxDirectives} directives: the rest is not analysed`, at);
        break;
      }
      const tree = scope.tree;
      const a = tree.arrays;
      nexts[sp] = a.dirNext[k];
      pollCancellation();
      const name = tree.dirNameInterned(k);
      const x = store.add(k, name, scope.exp, blockIds[sp]);
      const inData = block.kind === 'raw' || block.kind === 'opaque';
      const childBlock = a.dirChildBlock(k);
      if (name === 'include' && childBlock < 0 && a.dirArgc[k] === 1 && (!inData || readsIncludes(block))) {
        const ld = store.dir(x);
        const targets = this.resolveInclude(ld);
        if (scope.chain.length >= maxDepth) {
          this.problem('include-limit', `includes nested deeper than ${maxDepth} levels are not followed`, ld);
          continue;
        }
        const blockId = blockIds[sp];
        for (let t = targets.length - 1; t >= 0; t--) {
          const target = targets[t];
          // By identity: a link to a file being included closes the cycle as much as its own name does.
          const id = this.identity(target);
          if (scope.ids.includes(id)) {
            this.problem('include-cycle', `include cycle: "${target}" is already being included (${[...scope.chain, target].join(' → ')}); nginx would recurse until it runs out of file descriptors`, ld);
            continue;
          }
          if (++includedCount > maxFiles) {
            this.problem('include-limit', `more than ${maxFiles} included files: the rest are not analysed`, ld);
            break;
          }
          if (this.expandedBytes >= maxBytes) {
            // Reported once, at the include that crossed the cap; later includes are skipped silently.
            if (bytesCapped) break;
            bytesCapped = true;
            this.problem('include-limit', `includes expand the config past ${Math.round(maxBytes / 1048576)} MB of text: "${target}" and the rest are not analysed`, ld);
            break;
          }
          const inc = this.load(target);
          if (!inc) {
            this.unread.add(block);
            const why = this.fs.readError?.(target) ?? '2: No such file or directory';
            this.problem('include-missing', /^\d+: /.test(why) ? `open() "${target}" failed (${why})` : `"${target}" is not read: ${why}`, ld);
            continue;
          }
          const incTree = inc.tree as CompactTree;
          store.exps.push(expansionOf(inc, ld));
          sp++;
          nexts[sp] = incTree.arrays.blkFirst[0] ?? -1;
          blocks[sp] = block;
          blockIds[sp] = blockId;
          scopes[sp] = { tree: incTree, exp: store.exps.length - 1, chain: [...scope.chain, target], ids: [...scope.ids, id] };
        }
        continue;
      }
      if (childBlock >= 0) {
        // Inside data stays data; a block nginx has no kind for (third-party, misspelled) is not looked into.
        const kind: BlockKind = inData ? block.kind : childBlockKind(block.kind, name) ?? 'opaque';
        const id = store.addBlock(kind, block, x, false);
        sp++;
        nexts[sp] = a.blkFirst[childBlock];
        blocks[sp] = store.blocks[id];
        blockIds[sp] = id;
        scopes[sp] = scope;
      }
    }
  }

  /** A file's identity (symlinks resolved where the file system can say; a missing file is its own path). */
  private identity(path: string): string {
    return this.fs.realpath ? this.fs.realpath(path) : path;
  }

  private resolveInclude(ld: LDir): string[] {
    const arg = ld.d.args[0].value;
    const path = isAbsolute(arg) ? normalize(arg) : join(this.prefix, arg);
    if (hasGlob(path)) return globWithBuffers(this.fs, path, this.opts.overlays);
    if (this.opts.overlays?.has(path)) return [path];
    return [path];
  }

  private problem(ruleId: string, message: string, ld: LDir): void {
    const key = ld.file.path + ':' + ld.d.start + ':' + message;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problems.push({ ruleId, message, file: ld.file, start: ld.d.start, end: ld.d.args.length ? ld.d.args[ld.d.args.length - 1].end : ld.d.nameToken.end });
  }

  /** The occurrences of `name` that apply in `from` (nearest level that has any), without bookkeeping. */
  lookup(name: string, from: LBlock): LDir[] | undefined {
    for (let b: LBlock | null = from; b; b = b.parent) {
      const found = occurrences(b, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The first occurrence of `name` that applies in `from`. */
  first(name: string, from: LBlock): LDir | undefined {
    const x = this.firstAt(name, from);
    return x < 0 ? undefined : this.store.dir(x);
  }

  /** The store index of the first occurrence of `name` that applies in `from`, or -1. */
  firstAt(name: string, from: LBlock): number {
    // Asked hundreds of thousands of times per analysis: no list and no object is made for the answer.
    const s = this.store;
    const ids = s.nameId, names = s.nameList, next = s.next;
    for (let b: LBlock | null = from; b; b = b.parent) {
      if (b.count > SMALL_BLOCK) {
        const found = indexOf(b).get(name);
        if (found !== undefined) return found[0];
        continue;
      }
      // Names compared as strings (one per distinct name: a pointer compare), with no lookup of the name's id.
      for (let x = b.first; x >= 0; x = next[x]) if (names[ids[x]] === name) return x;
    }
    return -1;
  }

  /** What `name` is in `from` (inherited through enclosing blocks as nginx merges them). */
  effective(name: string, from: LBlock): Effective {
    for (let b: LBlock | null = from; b; b = b.parent) {
      const found = occurrences(b, name);
      if (found !== undefined && found.length) return { name, found, level: b, from };
    }
    return { name, found: NONE, level: null, from };
  }

  /** The nearest block of `kind` around `block` (itself included), if any. */
  enclosing(block: LBlock, kind: BlockKind): LBlock | null {
    for (let b: LBlock | null = block; b; b = b.parent) if (b.kind === kind) return b;
    return null;
  }

  /**
   * Whether what surrounds `block` is partly unknown: an include around it could not be read, or it sits
   * in a context made up for a fragment analysed on its own (its real http or server block is elsewhere).
   * Rules that conclude from the absence of a directive say so, and do not claim nginx would fail.
   */
  partlyUnknown(block: LBlock): boolean {
    for (let b: LBlock | null = block; b; b = b.parent) if (this.unread.has(b) || b.synthetic) return true;
    return false;
  }

  /** Whether `block`'s kind follows from a guessed context (it lies in the made-up chain of a guessed fragment). */
  kindGuessed(block: LBlock): boolean {
    if (!this.contextGuessed) return false;
    for (let b: LBlock | null = block; b; b = b.parent) if (b.synthetic) return true;
    return false;
  }

  /** Whether an include around `block` could not be read. */
  hasUnreadInclude(block: LBlock): boolean {
    for (let b: LBlock | null = block; b; b = b.parent) if (this.unread.has(b)) return true;
    return false;
  }

  /** Whether an include directly in `block` could not be read (only it can add to a block that nothing else extends). */
  hasUnreadIncludeIn(block: LBlock): boolean {
    return this.unread.has(block);
  }

  /** Directives named `name` directly in `block` (after include expansion). */
  inBlock(block: LBlock, name: string): LDir[] {
    return occurrences(block, name) ?? [];
  }

  private byName: NameIndex | null = null;
  private namedDirs: Map<string, LDir[]> | null = null;
  private byVia: Map<LDir, LDir[]> | null = null;

  /**
   * Every directive named `name`, in expanded document order. Built once per model on first use: rules and
   * fixes ask the index instead of scanning `all` (a scan per finding made outputs quadratic).
   */
  named(name: string): readonly LDir[] {
    const cache = (this.namedDirs ??= new Map());
    let hit = cache.get(name);
    if (hit === undefined) {
      const id = this.store.idOf(name);
      const { order, start } = this.nameIndex();
      if (id < 0 || start[id] === start[id + 1]) return NONE;
      hit = new Array<LDir>(start[id + 1] - start[id]);
      for (let k = start[id], i = 0; k < start[id + 1]; k++) hit[i++] = this.store.dir(order[k]);
      cache.set(name, hit);
    }
    return hit;
  }

  /** The store indices of the directives named `name`, in order (nothing is made for them; a view of the index). */
  namedAt(name: string): Int32Array {
    const id = this.store.idOf(name);
    if (id < 0) return NO_INDICES;
    const { order, start } = this.nameIndex();
    return order.subarray(start[id], start[id + 1]);
  }

  /** The distinct names of this model's directives, each once. */
  names(): string[] {
    const { start } = this.nameIndex();
    const out: string[] = [];
    for (let id = 0; id < start.length - 1; id++) if (start[id] < start[id + 1]) out.push(this.store.nameList[id]);
    return out;
  }

  /**
   * The store indices of every directive grouped by name: those of name id `i` are `order[start[i]]` up to
   * `order[start[i + 1]]`, in document order. Two typed arrays, whatever the number of distinct names (every
   * entry of a big map is a name of its own).
   */
  nameIndex(): NameIndex {
    if (this.byName) return this.byName;
    const s = this.store;
    const ids = s.nameId;
    const from = this.from, to = this.to;
    const names = s.nameList.length;
    const start = new Int32Array(names + 1);
    for (let x = from; x < to; x++) start[ids[x] + 1]++;
    for (let id = 0; id < names; id++) start[id + 1] += start[id];
    const order = new Int32Array(to - from);
    const fill = start.slice(0, names);
    for (let x = from; x < to; x++) order[fill[ids[x]]++] = x;
    return (this.byName = { order, start });
  }

  /** Every directive with one of `names`, in expanded document order. */
  namedAny(names: readonly string[]): readonly LDir[] {
    const used: string[] = [];
    const lists: Int32Array[] = [];
    let total = 0;
    for (const n of names) {
      const l = this.namedAt(n);
      if (!l.length || used.includes(n)) continue;
      used.push(n);
      lists.push(l);
      total += l.length;
    }
    if (used.length === 0) return NONE;
    if (used.length === 1) return this.named(used[0]);
    // Several names in use: their index lists, each in order, merged.
    const xs = new Int32Array(total);
    total = 0;
    for (const l of lists) {
      xs.set(l, total);
      total += l.length;
    }
    xs.sort();
    const out = new Array<LDir>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = this.store.dir(xs[i]);
    return out;
  }

  private byFile: Map<string, number[]> | null = null;

  /** The store indices of the directives of one file, in its text order (its first expansion when it is included twice). */
  private inFileAt(path: string): number[] {
    if (!this.byFile) {
      const m = new Map<string, number[]>();
      const s = this.store;
      const seen = new Map<ConfigFile, Uint8Array>();
      for (let x = this.from; x < this.to; x++) {
        const file = s.file(x);
        let marks = seen.get(file);
        if (!marks) seen.set(file, (marks = new Uint8Array((file.tree as CompactTree).arrays.dirCount)));
        const k = s.tok[x];
        if (marks[k]) continue;
        marks[k] = 1;
        const list = m.get(file.path);
        if (list) list.push(x);
        else m.set(file.path, [x]);
      }
      this.byFile = m;
    }
    return this.byFile.get(path) ?? [];
  }

  /** The directives of one file, in its text order (its first expansion when it is included twice). */
  inFile(path: string): readonly LDir[] {
    return this.inFileAt(path).map((x) => this.store.dir(x));
  }

  /**
   * The innermost directive of file `path` whose text (name to `;`, or to the block's `}`) contains
   * `offset`: a binary search, then up through the enclosing blocks.
   */
  at(path: string, offset: number): LDir | undefined {
    const list = this.inFileAt(path);
    const s = this.store;
    let lo = 0, hi = list.length - 1, k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.nameStart(list[mid]) <= offset) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let ld: LDir | null = k >= 0 ? s.dir(list[k]) : null; ld; ld = ld.block.owner) {
      if (ld.file.path === path && ld.d.start <= offset && offset <= ld.d.end) return ld;
    }
    return undefined;
  }

  /** The directives an `include` brought in (its files' directives). */
  includedBy(include: LDir): readonly LDir[] {
    if (!this.byVia) {
      const m = new Map<LDir, LDir[]>();
      const s = this.store;
      for (let x = this.from; x < this.to; x++) {
        const via = s.exps[s.exp[x]].via;
        if (!via) continue;
        const list = m.get(via);
        if (list) list.push(s.dir(x));
        else m.set(via, [s.dir(x)]);
      }
      this.byVia = m;
    }
    return this.byVia.get(include) ?? [];
  }

  /** The complete model; a view made by `scoped` answers config-wide questions (variables, modules) with it. */
  get whole(): ConfigModel {
    return this;
  }

  /**
   * A view of this model whose `all` (and what is derived from it: `named`, `inFile`, the rules' per-model
   * caches) holds only `dirs`, a contiguous piece such as one server block; everything else (blocks,
   * effective values, upstream groups, files, `whole`) is this model's. Rules that look only at what is
   * around a directive give, on the view, exactly their findings inside that piece.
   */
  scoped(from: number, to: number): ConfigModel {
    const view = Object.create(this) as ConfigModel;
    const own = (value: unknown) => ({ value, writable: true, configurable: true });
    Object.defineProperties(view, {
      from: own(from),
      to: own(to),
      allList: own(null),
      whole: own(this),
      byName: own(null),
      namedDirs: own(null),
      byFile: own(null),
      byVia: own(null),
      upstreamIndex: own(this.upstreams()),
    });
    return view;
  }

  upstreams(): Map<string, UpstreamGroup> {
    if (this.upstreamIndex) return this.upstreamIndex;
    const map = new Map<string, UpstreamGroup>();
    const ldList = this.named('upstream');
    for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
      const ld = ldList[ldIndex];
      if (!ld.child || ld.argc !== 1) continue;
      const family = ld.block.kind === 'stream' ? 'stream' : ld.block.kind === 'http' ? 'http' : null;
      if (!family) continue;
      const g: UpstreamGroup = { name: ld.arg(0), dir: ld, family, servers: [], keepalive: false };
      const itemList = ld.child.items;
      for (let itemIndex = 0; itemIndex < itemList.length; itemIndex++) {
        const item = itemList[itemIndex];
        if (item.name === 'server' && item.argc) {
          const { host, port } = splitHostPort(item.arg(0));
          g.servers.push({ host, port, dir: item });
        }
        if (item.name === 'keepalive') g.keepalive = true;
      }
      map.set(family + ':' + g.name.toLowerCase(), g);
    }
    this.upstreamIndex = map;
    return map;
  }

  /** The group `name` names (case-insensitively, as nginx matches it). */
  upstream(family: 'http' | 'stream', name: string): UpstreamGroup | undefined {
    // Asked once per pass directive by several rules: a name without capitals (nearly all) is looked up as
    // written, with no lower-cased copy, key or memo entry made for it (a memo of every host asked grew with
    // the config, and toLowerCase costs even when it changes nothing).
    const groups = family === 'http' ? (this.httpGroups ??= this.groupsOf('http')) : (this.streamGroups ??= this.groupsOf('stream'));
    // A name whose first character starts no group's name is none (most hosts: addresses, other names),
    // told without hashing it.
    const c = name.charCodeAt(0);
    if (c < 128 && groups.firsts[c >= 65 && c <= 90 ? c + 32 : c] === 0) return undefined;
    const g = groups.byName.get(name);
    return g !== undefined || !mayLowerCase(name) ? g : groups.byName.get(name.toLowerCase());
  }
  private httpGroups?: GroupTable;
  private streamGroups?: GroupTable;

  /** The groups of one family by lower-cased name. */
  private groupsOf(family: 'http' | 'stream'): GroupTable {
    const byName = new Map<string, UpstreamGroup>();
    const firsts = new Uint8Array(128);
    const prefix = family + ':';
    for (const [key, g] of this.upstreams()) {
      if (!key.startsWith(prefix)) continue;
      const name = key.slice(prefix.length);
      byName.set(name, g);
      const c = name.charCodeAt(0);
      if (c < 128) firsts[c] = 1;
    }
    return { byName, firsts };
  }
}

/** A family's upstream groups by lower-cased name, and which ASCII characters those names start with. */
interface GroupTable {
  byName: Map<string, UpstreamGroup>;
  firsts: Uint8Array;
}

/** Whether lower-casing can change `s`: it has an ASCII capital or a character past ASCII. */
function mayLowerCase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return true;
  }
  return false;
}

const NONE = Object.freeze([]) as unknown as LDir[];
const NO_INDICES = new Int32Array(0);

/** The directives of a model grouped by name id (`ConfigModel.nameIndex`). */
export interface NameIndex {
  order: Int32Array;
  start: Int32Array;
}

/** What the upstream groups rest on. */
const UPSTREAM_INPUTS = ['upstream', 'server', 'keepalive'];

/** Up to this many items a block is searched in place: a name index for each would cost more than it saves. */
const SMALL_BLOCK = 12;

/** The directives named `name` directly in `b`, or undefined when there are none. */
function occurrences(b: LBlock, name: string): LDir[] | undefined {
  const s = b.store;
  if (b.count > SMALL_BLOCK) {
    const found = b.memo?.found?.get(name);
    if (found !== undefined) return found;
    const xs = indexOf(b).get(name);
    if (xs === undefined) return undefined;
    const out = new Array<LDir>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = s.dir(xs[i]);
    ((b.memo ??= {}).found ??= new Map()).set(name, out);
    return out;
  }
  // Counted first, then made at its size: lookups in small blocks run once per location and rule in a big config.
  const ids = s.nameId, names = s.nameList, next = s.next;
  let n = 0;
  for (let x = b.first; x >= 0; x = next[x]) if (names[ids[x]] === name) n++;
  if (!n) return undefined;
  const out = new Array<LDir>(n);
  for (let x = b.first, k = 0; k < n; x = next[x]) if (names[ids[x]] === name) out[k++] = s.dir(x);
  return out;
}

function indexOf(b: LBlock): Map<string, number[]> {
  const memo = (b.memo ??= {});
  if (!memo.index) {
    const m = new Map<string, number[]>();
    const s = b.store;
    for (let x = b.first; x >= 0; x = s.next[x]) {
      const name = s.name(x);
      const list = m.get(name);
      if (list) list.push(x);
      else m.set(name, [x]);
    }
    memo.index = m;
  }
  return memo.index;
}

/** A data body whose handler takes `include file;` as nginx's include (map, geo, types), not as an entry. */
function readsIncludes(block: LBlock): boolean {
  const owner = block.ownerAt;
  return block.kind === 'raw' && owner >= 0 && DATA_BODIES_WITH_INCLUDE.has(block.store.name(owner));
}

/** main → http → server → location, down to the kind a fragment lives in. */
function syntheticChain(store: DirStore, kind: BlockKind): { root: LBlock; leaf: LBlock } {
  const path: BlockKind[] = ['main'];
  const chains: Partial<Record<BlockKind, BlockKind[]>> = {
    events: ['events'],
    http: ['http'],
    'http/server': ['http', 'http/server'],
    'http/location': ['http', 'http/server', 'http/location'],
    'http/if-location': ['http', 'http/server', 'http/location', 'http/if-location'],
    'http/if-server': ['http', 'http/server', 'http/if-server'],
    'http/limit_except': ['http', 'http/server', 'http/location', 'http/limit_except'],
    'http/upstream': ['http', 'http/upstream'],
    stream: ['stream'],
    'stream/server': ['stream', 'stream/server'],
    'stream/upstream': ['stream', 'stream/upstream'],
    mail: ['mail'],
    'mail/server': ['mail', 'mail/server'],
    raw: ['http', 'raw'],
  };
  path.push(...(chains[kind] ?? []));
  const root = store.blocks[store.addBlock('main', null, -1, kind !== 'main')];
  let leaf = root;
  for (const k of path.slice(1)) leaf = store.blocks[store.addBlock(k, leaf, -1, true)];
  return { root, leaf };
}

