// The config as nginx sees it: includes expanded in place (nginx's path rules), every block knowing its
// kind, and one question answered for everyone: what is directive D at this point, and where from.

import { BlockKind, childBlockKind } from '../knowledge/contexts';
import { reparse } from '../syntax/reparse';
import { Directive, SyntaxTree } from '../syntax/types';
import type { CompactTree, TreeArrays } from '../syntax/tree';
import { FileSystem, globWithBuffers } from './filesystem';
import { dirname, hasGlob, isAbsolute, join, normalize } from './paths';
import { pollCancellation } from '../cancellation';
import { splitHostPort } from './pass-url';

export interface ConfigFile {
  path: string;
  tree: SyntaxTree;
}

/** A block at one place in the expanded config. A file included twice yields two sets of these. */
export interface LBlock {
  kind: BlockKind;
  owner: LDir | null;
  parent: LBlock | null;
  items: LDir[];
  /** Made up to give a fragment its context (no text behind it). */
  synthetic: boolean;
  /** Lazily built: directive name → occurrences directly in this block. */
  index?: Map<string, LDir[]>;
}

/**
 * What the directives of one expansion of a file share: kept once for all of them, not in each directive
 * (a big config has hundreds of thousands, all long-lived: two fields fewer each is megabytes the young
 * generation no longer copies).
 */
interface Expansion {
  file: ConfigFile;
  /** The `include` that brought the file in, if any. */
  readonly via: LDir | null;
}

/** A directive at one place in the expanded config. */
export class LDir {
  child: LBlock | null = null;

  constructor(
    /** The directive's index in its file's tree. */
    readonly index: number,
    /** Its name, one string per distinct name: blocks are searched by it many times per analysis. */
    readonly name: string,
    private readonly expansion: Expansion,
    readonly block: LBlock,
  ) {}

  /**
   * Re-pointed only by `ConfigModel.adopt`, to the same file after an edit inside one of its tokens: the
   * assignment re-points every directive of this expansion of the file, all of which adopt re-points anyway.
   */
  get file(): ConfigFile {
    return this.expansion.file;
  }

  set file(file: ConfigFile) {
    this.expansion.file = file;
  }

  /** The `include` that brought this directive's file in, if any. */
  get via(): LDir | null {
    return this.expansion.via;
  }

  /**
   * The directive's syntax, its view made on first access (and kept by the tree): after an edit, most
   * directives are only looked up by name, and a view for each would be garbage to collect per keystroke.
   */
  get d(): Directive {
    return (this.file.tree as CompactTree).directive(this.index);
  }

  // Read straight from the tree's arrays: the rules that look at every directive ask only these, and a view
  // (or an array of argument views) per directive is most of what a big analysis would allocate.

  private get arrays(): TreeArrays {
    return (this.file.tree as CompactTree).arrays;
  }

  get argc(): number {
    return this.arrays.dirArgc[this.index];
  }

  /** Argument `i`'s value as nginx stores it (quotes removed, escapes resolved); '' past the last. */
  arg(i: number): string {
    const a = this.arrays;
    return i < a.dirArgc[this.index] ? a.tokenValue(a.dirTok[this.index] + 1 + i) : '';
  }

  /** Every argument's value. */
  values(): string[] {
    const n = this.argc;
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.arg(i);
    return out;
  }

  /**
   * Whether argument `i` as written (quotes and escapes included) holds the character `code`: a test on the
   * text in place, no string made. Unescaping drops quotes and backslashes and turns `\t`, `\r`, `\n` into
   * their controls: any other character is in the value only where it is written.
   */
  argWrites(i: number, code: number): boolean {
    const a = this.arrays;
    if (i >= a.dirArgc[this.index]) return false;
    const k = a.dirTok[this.index] + 1 + i;
    const text = a.text;
    for (let j = a.tokStart[k], end = a.tokEnd[k]; j < end; j++) if (text.charCodeAt(j) === code) return true;
    return false;
  }

  /** Where argument `i` is written (quotes included); past the last, the name. */
  argStart(i: number): number {
    const a = this.arrays;
    return a.tokStart[a.dirTok[this.index] + (i < a.dirArgc[this.index] ? 1 + i : 0)];
  }

  argEnd(i: number): number {
    const a = this.arrays;
    return a.tokEnd[a.dirTok[this.index] + (i < a.dirArgc[this.index] ? 1 + i : 0)];
  }

  get nameStart(): number {
    return this.arrays.tokStart[this.arrays.dirTok[this.index]];
  }

  get nameEnd(): number {
    return this.arrays.tokEnd[this.arrays.dirTok[this.index]];
  }

  /** The end of the last argument (of the name without any). */
  get lastArgEnd(): number {
    const a = this.arrays;
    return a.tokEnd[a.dirTok[this.index] + a.dirArgc[this.index]];
  }

  /** Where its text ends: after the `;`, or the block's `}`. */
  get end(): number {
    return this.arrays.dirEnd[this.index];
  }

  /** The `;` that ends it, or -1. */
  get terminator(): number {
    return this.arrays.dirTerm[this.index];
  }

  /** It has a `{ … }` (or a Lua body) in the source, whatever nginx then makes of it. */
  get hasBody(): boolean {
    return this.arrays.dirBlock[this.index] !== -1;
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
  /** Every directive in expanded document order. */
  readonly all: LDir[];
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
    const top = syntheticChain(rootKind);
    if (opts.fragment) top.root.synthetic = true;
    this.root = top.root;
    this.top = top.leaf;
    this.rootFile = this.load(rootPath);
    // `# nginx-context: main` marks a piece of a main config, not a complete one.
    if (this.rootFile && rootKind === 'main' && this.rootFile.tree.comments.some((c) => /^#\s*nginx-context:\s*main\b/i.test(c.value))) top.root.synthetic = true;
    // Sized up front from the root file (grown past it by includes): growing an array of a million directives
    // step by step copies it again and again in the large-object space.
    const rootDirectives = (this.rootFile?.tree as CompactTree | undefined)?.arrays.dirCount ?? 0;
    this.all = new Array(Math.min(rootDirectives, opts.maxExpandedDirectives ?? DEFAULT_MAX_EXPANDED_DIRECTIVES));
    if (this.rootFile) this.expand(this.rootFile, top.leaf);
    else this.all.length = 0;
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
    const all = previous.all;
    for (let i = 0; i < all.length; i++) {
      const ld = all[i];
      if (ld.file !== oldFile) continue;
      // Re-points the rest of this expansion of the file too: each expansion is met here once.
      ld.file = newFile;
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
   * tree's arrays: no directive or block view is made here.
   */
  private expand(file: ConfigFile, into: LBlock): void {
    // The stack as parallel arrays, one slot per open block or included file: an object per frame (and per
    // block's fill counter) was garbage for each of a big config's blocks. What a file's blocks share (its
    // tree, the include that brought it, the include chain) is one `Scope` per file expanded.
    // `fills[fillAt[i]]`: where slot i's block gets its next directive, shared by the block's own slot and
    // those of the files included into it. A block's items are made at the size of its own directives and
    // filled in place: grown by push, a three-directive location kept room for seventeen.
    interface Scope { tree: CompactTree; expansion: Expansion; chain: string[]; ids: string[] }
    const top = file.tree as CompactTree;
    const nexts: number[] = [top.arrays.blkFirst[0] ?? -1];
    const blocks: LBlock[] = [into];
    const scopes: Scope[] = [{ tree: top, expansion: { file, via: null }, chain: [file.path], ids: [this.identity(file.path)] }];
    const fillAt: number[] = [0];
    const fills: number[] = [into.items.length];
    let sp = 0;
    const maxDepth = this.opts.maxIncludeDepth ?? 32;
    const maxFiles = this.opts.maxFiles ?? 2000;
    const maxBytes = this.opts.maxExpandedBytes ?? DEFAULT_MAX_EXPANDED_BYTES;
    const maxDirectives = this.opts.maxExpandedDirectives ?? DEFAULT_MAX_EXPANDED_DIRECTIVES;
    let includedCount = 0;
    let count = 0;
    let bytesCapped = false;
    while (sp >= 0) {
      const k = nexts[sp];
      if (k < 0) { sp--; continue; }
      const scope = scopes[sp];
      const block = blocks[sp];
      if (count >= maxDirectives) {
        // Stop expanding, not just counting: what is past the cap is never built.
        const at = scope.expansion.via ?? this.all[count - 1];
        if (at) this.problem('include-limit', `the expanded config has more than ${maxDirectives} directives: the rest is not analysed`, at);
        break;
      }
      const tree = scope.tree;
      const a = tree.arrays;
      nexts[sp] = a.dirNext[k];
      pollCancellation();
      const name = tree.dirNameInterned(k);
      const ld = new LDir(k, name, scope.expansion, block);
      block.items[fills[fillAt[sp]]++] = ld;
      this.all[count++] = ld;
      const inData = block.kind === 'raw' || block.kind === 'opaque';
      const childBlock = a.dirChildBlock(k);
      if (name === 'include' && !inData && childBlock < 0 && a.dirArgc[k] === 1) {
        const targets = this.resolveInclude(ld);
        if (scope.chain.length >= maxDepth) {
          this.problem('include-limit', `includes nested deeper than ${maxDepth} levels are not followed`, ld);
          continue;
        }
        const fill = fillAt[sp];
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
          sp++;
          nexts[sp] = incTree.arrays.blkFirst[0] ?? -1;
          blocks[sp] = block;
          scopes[sp] = { tree: incTree, expansion: { file: inc, via: ld }, chain: [...scope.chain, target], ids: [...scope.ids, id] };
          fillAt[sp] = fill;
        }
        continue;
      }
      if (childBlock >= 0) {
        // Inside data stays data; a block nginx has no kind for (third-party, misspelled) is not looked into.
        const kind: BlockKind = inData ? block.kind : childBlockKind(block.kind, name) ?? 'opaque';
        let own = 0;
        for (let c = a.blkFirst[childBlock]; c >= 0; c = a.dirNext[c]) own++;
        const child: LBlock = { kind, owner: ld, parent: block, items: own ? new Array<LDir>(own) : [], synthetic: false };
        ld.child = child;
        sp++;
        nexts[sp] = a.blkFirst[childBlock];
        blocks[sp] = child;
        scopes[sp] = scope;
        fillAt[sp] = sp;
        fills[sp] = 0;
      }
    }
    // Stopped at the directive cap: the blocks still open keep only what was placed (no holes).
    for (let i = 0; i <= sp; i++) {
      const placed = fills[fillAt[i]];
      if (placed < blocks[i].items.length) blocks[i].items.length = placed;
    }
    this.all.length = count;
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
    // Asked hundreds of thousands of times per analysis: no list is made for the answer.
    for (let b: LBlock | null = from; b; b = b.parent) {
      const items = b.items;
      if (items.length > SMALL_BLOCK) {
        const found = (b.index ?? indexOf(b)).get(name);
        if (found !== undefined) return found[0];
        continue;
      }
      for (let i = 0; i < items.length; i++) if (items[i].name === name) return items[i];
    }
    return undefined;
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

  private byName: Map<string, LDir[]> | null = null;
  private byVia: Map<LDir, LDir[]> | null = null;

  /**
   * Every directive named `name`, in expanded document order. Built once per model on first use: rules and
   * fixes ask the index instead of scanning `all` (a scan per finding made outputs quadratic).
   */
  named(name: string): readonly LDir[] {
    return this.nameIndex().get(name) ?? [];
  }

  /** The distinct names of this model's directives, each once (the keys of `named`'s index). */
  names(): IterableIterator<string> {
    return this.nameIndex().keys();
  }

  private nameIndex(): Map<string, LDir[]> {
    if (this.byName) return this.byName;
    // Counted, then filled: lists grown by push were copied again and again on the way to tens of thousands
    // of directives, most of what the index allocated. Neighbours often share a name (a run of
    // `proxy_set_header`): the previous slot is taken without a lookup.
    const slots = new Map<string, { list: LDir[]; n: number }>();
    const ldList = this.all;
    let lastName = '';
    let last: { list: LDir[]; n: number } | undefined;
    for (let i = 0; i < ldList.length; i++) {
      const name = ldList[i].name;
      if (name !== lastName || !last) {
        lastName = name;
        last = slots.get(name);
        if (!last) slots.set(name, (last = { list: NONE, n: 0 }));
      }
      last.n++;
    }
    const m = new Map<string, LDir[]>();
    for (const [name, slot] of slots) {
      m.set(name, (slot.list = new Array<LDir>(slot.n)));
      slot.n = 0;
    }
    last = undefined;
    for (let i = 0; i < ldList.length; i++) {
      const ld = ldList[i];
      if (ld.name !== lastName || !last) {
        lastName = ld.name;
        last = slots.get(lastName)!;
      }
      last.list[last.n++] = ld;
    }
    return (this.byName = m);
  }

  /** Every directive with one of `names`, in expanded document order. */
  namedAny(names: readonly string[]): readonly LDir[] {
    const lists: (readonly LDir[])[] = [];
    let total = 0;
    for (const n of names) {
      const list = this.named(n);
      if (!list.length || lists.includes(list)) continue;
      lists.push(list);
      total += list.length;
    }
    if (lists.length <= 1) return lists.length ? lists[0] : [];
    // Several names in use: their directives interleave, and document order is the order of `all`. Each list
    // is a piece of it in order, so a directive is matched by identity against the next one of each list (no
    // name looked up per directive), and the walk stops once every list is taken.
    const out = new Array<LDir>(total);
    const next = new Array<number>(lists.length).fill(0);
    const all = this.all;
    let k = 0;
    for (let i = 0; i < all.length && k < total; i++) {
      const ld = all[i];
      for (let j = 0; j < lists.length; j++) {
        if (lists[j][next[j]] !== ld) continue;
        out[k++] = ld;
        next[j]++;
        break;
      }
    }
    return out;
  }

  private byFile: Map<string, LDir[]> | null = null;

  /** The directives of one file, in its text order (its first expansion when it is included twice). */
  inFile(path: string): readonly LDir[] {
    if (!this.byFile) {
      const m = new Map<string, LDir[]>();
      const seen = new Set<Directive>();
      const ldList = this.all;
      for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
        const ld = ldList[ldIndex];
        if (seen.has(ld.d)) continue;
        seen.add(ld.d);
        const list = m.get(ld.file.path);
        if (list) list.push(ld);
        else m.set(ld.file.path, [ld]);
      }
      this.byFile = m;
    }
    return this.byFile.get(path) ?? [];
  }

  /**
   * The innermost directive of file `path` whose text (name to `;`, or to the block's `}`) contains
   * `offset`: a binary search, then up through the enclosing blocks.
   */
  at(path: string, offset: number): LDir | undefined {
    const list = this.inFile(path);
    let lo = 0, hi = list.length - 1, k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].d.start <= offset) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let ld: LDir | null = k >= 0 ? list[k] : null; ld; ld = ld.block.owner) {
      if (ld.file.path === path && ld.d.start <= offset && offset <= ld.d.end) return ld;
    }
    return undefined;
  }

  /** The directives an `include` brought in directly (its files' top-level directives). */
  includedBy(include: LDir): readonly LDir[] {
    if (!this.byVia) {
      const m = new Map<LDir, LDir[]>();
      const ldList = this.all;
      for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
        const ld = ldList[ldIndex];
        if (!ld.via) continue;
        const list = m.get(ld.via);
        if (list) list.push(ld);
        else m.set(ld.via, [ld]);
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
  scoped(dirs: LDir[]): ConfigModel {
    const view = Object.create(this) as ConfigModel;
    const own = (value: unknown) => ({ value, writable: true, configurable: true });
    Object.defineProperties(view, {
      all: own(dirs),
      whole: own(this),
      byName: own(null),
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
    const g = groups.get(name);
    return g !== undefined || !mayLowerCase(name) ? g : groups.get(name.toLowerCase());
  }
  private httpGroups?: Map<string, UpstreamGroup>;
  private streamGroups?: Map<string, UpstreamGroup>;

  /** The groups of one family by lower-cased name. */
  private groupsOf(family: 'http' | 'stream'): Map<string, UpstreamGroup> {
    const out = new Map<string, UpstreamGroup>();
    const prefix = family + ':';
    for (const [key, g] of this.upstreams()) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), g);
    return out;
  }
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

/** What the upstream groups rest on. */
const UPSTREAM_INPUTS = ['upstream', 'server', 'keepalive'];

/** Up to this many items a block is searched in place: a name index for each would cost more than it saves. */
const SMALL_BLOCK = 12;

/** The directives named `name` directly in `b`, or undefined when there are none. */
function occurrences(b: LBlock, name: string): LDir[] | undefined {
  const items = b.items;
  if (items.length > SMALL_BLOCK) return (b.index ?? indexOf(b)).get(name);
  // Counted first, then made at its size: a list grown by push from empty keeps room for seventeen, and
  // lookups in small blocks run once per location and rule in a big config.
  let n = 0;
  for (let i = 0; i < items.length; i++) if (items[i].name === name) n++;
  if (!n) return undefined;
  const out = new Array<LDir>(n);
  for (let i = 0, k = 0; k < n; i++) if (items[i].name === name) out[k++] = items[i];
  return out;
}

function indexOf(b: LBlock): Map<string, LDir[]> {
  if (!b.index) {
    const m = new Map<string, LDir[]>();
    const itList = b.items;
    for (let itIndex = 0; itIndex < itList.length; itIndex++) {
      const it = itList[itIndex];
      const list = m.get(it.name);
      if (list) list.push(it);
      else m.set(it.name, [it]);
    }
    b.index = m;
  }
  return b.index;
}

/** main → http → server → location, down to the kind a fragment lives in. */
function syntheticChain(kind: BlockKind): { root: LBlock; leaf: LBlock } {
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
  const root: LBlock = { kind: 'main', owner: null, parent: null, items: [], synthetic: kind !== 'main' };
  let leaf = root;
  for (const k of path.slice(1)) {
    const b: LBlock = { kind: k, owner: null, parent: leaf, items: [], synthetic: true };
    leaf = b;
  }
  return { root, leaf };
}

