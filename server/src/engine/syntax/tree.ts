// The syntax tree as struct-of-arrays: typed arrays for tokens (start, end, kind), directives and blocks as
// indices into parallel arrays, comments as two offset arrays, token text sliced from the source when asked.
// A parse of a 2 MB config makes a few dozen typed arrays instead of hundreds of thousands of objects.
//
// The rest of the engine reads the tree through the interfaces of `types.ts` (Directive, Block, Token): those
// are lazy read-only views over the arrays. Directive and block views are made on first access and cached, so
// the same directive is always the same object; argument tokens are made anew at each `args` read (compare
// them by position). Code that cares about speed can read the arrays directly (see the accessors below).

import { Block, Directive, SyntaxError, SyntaxTree, Token, TokenKind } from './types';
import { computeLineStarts, computeNginxLineStarts, lineOf } from './positions';
import { Pieces } from './pieces';

/** Bits of `tokFlags` above the kind (the kind is the low two bits). */
export const enum TokenFlag {
  KindMask = 3,
  /** A quoted token whose closing quote is missing (its value runs to its end). */
  Unclosed = 4,
  /**
   * A word ending in `\` + CR before LF: nginx keeps the CR in the word, but a range ending between CR and LF
   * means nothing in an editor, so the token's end is the CR; its value still holds it.
   */
  EscapedCr = 8,
  /** A word without a backslash: its value is its text (rules read argument values millions of times). */
  Plain = 16,
  /**
   * A word with no `$` in its text: it names no variable. Told by the parser, which reads every character
   * anyway; rules asking it of every argument would otherwise read the text again, scattered over a big file.
   */
  NoDollar = 32,
}

/** Whether a token with these flags is a word without a backslash: its value is its text, read in place. */
export function isPlainWord(flags: number): boolean {
  return (flags & (TokenFlag.KindMask | TokenFlag.Plain)) === (TokenKind.Word | TokenFlag.Plain);
}

const BSLASH = 92;

/** nginx: \" \' \\ \t \r \n become the character; any other \X keeps its backslash. */
export function unescapeToken(raw: string): string {
  const k = raw.indexOf('\\');
  if (k < 0) return raw;
  let out = raw.slice(0, k);
  for (let i = k; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === BSLASH && i + 1 < raw.length) {
      const n = raw[i + 1];
      if (n === '"' || n === "'" || n === '\\') { out += n; i++; continue; }
      if (n === 't') { out += '\t'; i++; continue; }
      if (n === 'r') { out += '\r'; i++; continue; }
      if (n === 'n') { out += '\n'; i++; continue; }
    }
    out += raw[i];
  }
  return out;
}

/**
 * The arrays. Filled by the parser (`parser.ts`) in one pass; read-only afterwards.
 *
 * - Tokens: directive names, arguments and Lua bodies, in document order. A directive's name and arguments
 *   are consecutive tokens (`dirTok[d]` is the name, then `dirArgc[d]` arguments).
 * - Directives, in document order (a block's owner comes before its children): `dirParent` (block index),
 *   `dirBlock` (block index; -1 none; ≤ -2: a Lua body, token index `-2 - v`), `dirNext` (next sibling, -1).
 * - Blocks, in document order of their `{`; block 0 is the file's top level (owner -1, open 0).
 *   Children: `blkFirst` and the `dirNext` chain.
 */
export class TreeArrays {
  tokenCount = 0;
  tokStart: Int32Array = EMPTY32;
  tokEnd: Int32Array = EMPTY32;
  tokFlags: Uint8Array = EMPTY8;

  dirCount = 0;
  dirTok: Int32Array = EMPTY32;
  dirArgc: Int32Array = EMPTY32;
  dirEnd: Int32Array = EMPTY32;
  dirTerm: Int32Array = EMPTY32;
  dirParent: Int32Array = EMPTY32;
  dirBlock: Int32Array = EMPTY32;
  dirNext: Int32Array = EMPTY32;

  blockCount = 0;
  blkOwner: Int32Array = EMPTY32;
  blkOpen: Int32Array = EMPTY32;
  blkClose: Int32Array = EMPTY32;
  blkFirst: Int32Array = EMPTY32;
  /** Last child so far (only while building). */
  blkLast: Int32Array = EMPTY32;

  commentCount = 0;
  comStart: Int32Array = EMPTY32;
  comEnd: Int32Array = EMPTY32;

  /** Builder arrays that go back for the next parse. */
  private reusable = false;

  private constructor(public text: string) {}

  /**
   * Arrays to parse `text` into. Parsing small and mid-sized texts reuses one set of arrays (allocating ~20
   * typed arrays per parse costs more than parsing a small file); large texts get their own, sized from the
   * text. Either way `compact()` copies the result out at its exact size.
   */
  static builder(text: string): TreeArrays {
    const n = text.length;
    // Typical configs: a token per 8–20 characters, a directive per ~35, a block per ~300, a comment per
    // ~120; the arrays double when a text is denser.
    if (n <= SCRATCH_MAX_TEXT) {
      const a = scratch ?? new TreeArrays(text);
      if (a === scratch) {
        scratch = undefined;
        a.text = text;
        a.tokenCount = a.dirCount = a.blockCount = a.commentCount = 0;
      } else {
        a.allocate((n >> 3) + 64, (n >> 5) + 64, (n >> 8) + 16, (n >> 7) + 16);
      }
      a.reusable = true;
      return a;
    }
    const a = new TreeArrays(text);
    a.allocate((n >> 4) + 64, (n >> 5) + 64, (n >> 7) + 16, (n >> 8) + 16);
    return a;
  }

  private allocate(t: number, d: number, b: number, c: number): void {
    this.tokStart = new Int32Array(t);
    this.tokEnd = new Int32Array(t);
    this.tokFlags = new Uint8Array(t);
    this.dirTok = new Int32Array(d);
    this.dirArgc = new Int32Array(d);
    this.dirEnd = new Int32Array(d);
    this.dirTerm = new Int32Array(d);
    this.dirParent = new Int32Array(d);
    this.dirBlock = new Int32Array(d);
    this.dirNext = new Int32Array(d);
    this.blkOwner = new Int32Array(b);
    this.blkOpen = new Int32Array(b);
    this.blkClose = new Int32Array(b);
    this.blkFirst = new Int32Array(b);
    this.blkLast = new Int32Array(b);
    this.comStart = new Int32Array(c);
    this.comEnd = new Int32Array(c);
  }

  /**
   * The finished tree. From reused arrays: copied out at its exact size, every array a view into one buffer,
   * and the arrays go back for the next parse. From a large text's own arrays: those arrays, with the ones
   * more than a third too large cut to size (a copy of a large tree costs more than the slack).
   */
  compact(): TreeArrays {
    const t = this.tokenCount, d = this.dirCount, b = this.blockCount, c = this.commentCount;
    if (!this.reusable) {
      const fit = <T extends Int32Array | Uint8Array>(a: T, used: number): T => (a.length > used + (used >> 1) + 64 ? (a.slice(0, used) as T) : a);
      this.tokStart = fit(this.tokStart, t);
      this.tokEnd = fit(this.tokEnd, t);
      this.tokFlags = fit(this.tokFlags, t);
      this.dirTok = fit(this.dirTok, d);
      this.dirArgc = fit(this.dirArgc, d);
      this.dirEnd = fit(this.dirEnd, d);
      this.dirTerm = fit(this.dirTerm, d);
      this.dirParent = fit(this.dirParent, d);
      this.dirBlock = fit(this.dirBlock, d);
      this.dirNext = fit(this.dirNext, d);
      this.blkOwner = fit(this.blkOwner, b);
      this.blkOpen = fit(this.blkOpen, b);
      this.blkClose = fit(this.blkClose, b);
      this.blkFirst = fit(this.blkFirst, b);
      this.blkLast = EMPTY32;
      this.comStart = fit(this.comStart, c);
      this.comEnd = fit(this.comEnd, c);
      return this;
    }
    const ints = 2 * t + 7 * d + 4 * b + 2 * c;
    const buf = new ArrayBuffer(ints * 4 + t);
    const out = new TreeArrays(this.text);
    let at = 0;
    const take = (src: Int32Array, len: number): Int32Array => {
      const v = new Int32Array(buf, at * 4, len);
      v.set(src.subarray(0, len));
      at += len;
      return v;
    };
    out.tokenCount = t;
    out.tokStart = take(this.tokStart, t);
    out.tokEnd = take(this.tokEnd, t);
    out.dirCount = d;
    out.dirTok = take(this.dirTok, d);
    out.dirArgc = take(this.dirArgc, d);
    out.dirEnd = take(this.dirEnd, d);
    out.dirTerm = take(this.dirTerm, d);
    out.dirParent = take(this.dirParent, d);
    out.dirBlock = take(this.dirBlock, d);
    out.dirNext = take(this.dirNext, d);
    out.blockCount = b;
    out.blkOwner = take(this.blkOwner, b);
    out.blkOpen = take(this.blkOpen, b);
    out.blkClose = take(this.blkClose, b);
    out.blkFirst = take(this.blkFirst, b);
    out.commentCount = c;
    out.comStart = take(this.comStart, c);
    out.comEnd = take(this.comEnd, c);
    out.tokFlags = new Uint8Array(buf, at * 4, t);
    out.tokFlags.set(this.tokFlags.subarray(0, t));
    this.text = '';
    // The builder itself is kept for the next parse (its arrays are reused), hence the alias.
    // Arrays a dense text made large are not kept.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    if (this.tokStart.length <= (SCRATCH_MAX_TEXT >> 2)) scratch = this;
    return out;
  }

  addToken(start: number, end: number, flags: number): number {
    const k = this.tokenCount;
    if (k === this.tokStart.length) {
      const cap = k * 2;
      this.tokStart = grow32(this.tokStart, cap);
      this.tokEnd = grow32(this.tokEnd, cap);
      const f = new Uint8Array(cap);
      f.set(this.tokFlags);
      this.tokFlags = f;
    }
    this.tokStart[k] = start;
    this.tokEnd[k] = end;
    this.tokFlags[k] = flags;
    this.tokenCount = k + 1;
    return k;
  }

  /** A directive of `argc + 1` tokens from `firstTok`, appended to the children of block `parent`. */
  addDirective(firstTok: number, argc: number, parent: number, terminator: number, end: number): number {
    const k = this.dirCount;
    if (k === this.dirTok.length) {
      const cap = k * 2;
      this.dirTok = grow32(this.dirTok, cap);
      this.dirArgc = grow32(this.dirArgc, cap);
      this.dirEnd = grow32(this.dirEnd, cap);
      this.dirTerm = grow32(this.dirTerm, cap);
      this.dirParent = grow32(this.dirParent, cap);
      this.dirBlock = grow32(this.dirBlock, cap);
      this.dirNext = grow32(this.dirNext, cap);
    }
    this.dirTok[k] = firstTok;
    this.dirArgc[k] = argc;
    this.dirEnd[k] = end;
    this.dirTerm[k] = terminator;
    this.dirParent[k] = parent;
    this.dirBlock[k] = -1;
    this.dirNext[k] = -1;
    const last = this.blkLast[parent];
    if (last < 0) this.blkFirst[parent] = k;
    else this.dirNext[last] = k;
    this.blkLast[parent] = k;
    this.dirCount = k + 1;
    return k;
  }

  addBlock(owner: number, open: number): number {
    const k = this.blockCount;
    if (k === this.blkOwner.length) {
      const cap = k * 2;
      this.blkOwner = grow32(this.blkOwner, cap);
      this.blkOpen = grow32(this.blkOpen, cap);
      this.blkClose = grow32(this.blkClose, cap);
      this.blkFirst = grow32(this.blkFirst, cap);
      this.blkLast = grow32(this.blkLast, cap);
    }
    this.blkOwner[k] = owner;
    this.blkOpen[k] = open;
    this.blkClose[k] = -1;
    this.blkFirst[k] = -1;
    this.blkLast[k] = -1;
    if (owner >= 0) this.dirBlock[owner] = k;
    this.blockCount = k + 1;
    return k;
  }

  addComment(start: number, end: number): void {
    const k = this.commentCount;
    if (k === this.comStart.length) {
      this.comStart = grow32(this.comStart, k * 2);
      this.comEnd = grow32(this.comEnd, k * 2);
    }
    this.comStart[k] = start;
    this.comEnd[k] = end;
    this.commentCount = k + 1;
  }

  /**
   * These arrays over `text`, which is this tree's text with the characters of one token (or comment) changed:
   * every offset at or after `from` (that token's end) moves by `delta`; the arrays without offsets are shared.
   */
  shiftedCopy(text: string, from: number, delta: number): TreeArrays {
    const out = new TreeArrays(text);
    const move = (src: Int32Array, used: number): Int32Array => {
      const v = src.slice(0, used);
      for (let i = 0; i < used; i++) if (v[i] >= from) v[i] += delta;
      return v;
    };
    // Token and comment offsets rise with their index (they follow the text): only the tail from the first
    // offset at or after `from` moves, found by a binary search (half of a big file's tokens, per keystroke).
    const moveSorted = (src: Int32Array, used: number): Int32Array => {
      const v = src.slice(0, used);
      let lo = 0, hi = used;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v[mid] >= from) hi = mid;
        else lo = mid + 1;
      }
      for (let i = lo; i < used; i++) v[i] += delta;
      return v;
    };
    out.tokenCount = this.tokenCount;
    out.tokStart = moveSorted(this.tokStart, this.tokenCount);
    out.tokEnd = moveSorted(this.tokEnd, this.tokenCount);
    out.tokFlags = this.tokFlags;
    out.dirCount = this.dirCount;
    out.dirTok = this.dirTok;
    out.dirArgc = this.dirArgc;
    out.dirEnd = move(this.dirEnd, this.dirCount);
    out.dirTerm = move(this.dirTerm, this.dirCount);
    out.dirParent = this.dirParent;
    out.dirBlock = this.dirBlock;
    out.dirNext = this.dirNext;
    out.blockCount = this.blockCount;
    out.blkOwner = this.blkOwner;
    out.blkOpen = move(this.blkOpen, this.blockCount);
    out.blkClose = move(this.blkClose, this.blockCount);
    out.blkFirst = this.blkFirst;
    out.commentCount = this.commentCount;
    out.comStart = moveSorted(this.comStart, this.commentCount);
    out.comEnd = moveSorted(this.comEnd, this.commentCount);
    return out;
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  tokenKind(k: number): TokenKind {
    return (this.tokFlags[k] & TokenFlag.KindMask) as TokenKind;
  }

  /** The token's characters as written (quotes included). */
  tokenText(k: number): string {
    return this.text.slice(this.tokStart[k], this.tokEnd[k]);
  }

  /** The value nginx stores: quotes removed, `\"` `\'` `\\` `\t` `\r` `\n` unescaped. Lua bodies: ''. */
  tokenValue(k: number): string {
    const f = this.tokFlags[k];
    const kind = f & TokenFlag.KindMask;
    const s = this.tokStart[k];
    const e = this.tokEnd[k];
    if (kind === TokenKind.Quoted) return unescapeToken(this.text.slice(s + 1, f & TokenFlag.Unclosed ? e : e - 1));
    if (kind === TokenKind.Word) return f & TokenFlag.Plain ? this.text.slice(s, e) : unescapeToken(this.text.slice(s, f & TokenFlag.EscapedCr ? e + 1 : e));
    if (kind === TokenKind.Comment) return this.text.slice(s, e);
    return '';
  }

  dirStart(d: number): number {
    return this.tokStart[this.dirTok[d]];
  }

  dirName(d: number): string {
    return this.tokenValue(this.dirTok[d]);
  }

  /** The directive's block index, or -1 (none, or a Lua body). */
  dirChildBlock(d: number): number {
    const b = this.dirBlock[d];
    return b >= 0 ? b : -1;
  }

  /** Token index of the directive's Lua body, or -1. */
  dirLuaToken(d: number): number {
    const b = this.dirBlock[d];
    return b <= -2 ? -2 - b : -1;
  }
}

const EMPTY32: Int32Array = new Int32Array(0);
const RECENT_MASK = 1023;
const EMPTY8: Uint8Array = new Uint8Array(0);
/** Texts up to this size are parsed into arrays kept for the next parse (at most ~15 MB of them, after a dense 4 MB text). */
const SCRATCH_MAX_TEXT = 1 << 22;
let scratch: TreeArrays | undefined;

/**
 * The engine's one copy of a string, as the JavaScript engine keeps property names: two such strings are equal
 * only when they are the same string, so comparing names (`first`, `inBlock`, map lookups, asked millions of
 * times in a big analysis) is a pointer comparison instead of a character loop between strings of equal length
 * (`proxy_ssl_verify` and `proxy_set_header`), and their hash is already known.
 */
export function internalized(s: string): string {
  const o: Record<string, number> = { [s]: 0 };
  for (const k in o) return k;
  return s;
}

/**
 * A number from the length and the first, middle and last characters of `text` from `start` to `end`: equal
 * texts have equal shapes. A cache slot for the last word of its shape, confirmed with `sameAt`.
 */
export function shapeAt(text: string, start: number, end: number): number {
  return ((((end - start) * 31 + text.charCodeAt(start)) * 31 + text.charCodeAt((start + end) >> 1)) * 31 + text.charCodeAt(end - 1)) & 0x3fffffff;
}

/** Whether `text` holds `word` from `start` to `end` (a word checked where it lies, no slice made). */
export function sameAt(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

function grow32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

// ---- the views ---------------------------------------------------------------------------------------------

class TokenView implements Token {
  #a: TreeArrays;
  #k: number;
  #value: string | undefined = undefined;
  constructor(a: TreeArrays, k: number) {
    this.#a = a;
    this.#k = k;
  }
  get kind(): TokenKind { return this.#a.tokenKind(this.#k); }
  get start(): number { return this.#a.tokStart[this.#k]; }
  get end(): number { return this.#a.tokEnd[this.#k]; }
  get escapedCr(): boolean { return (this.#a.tokFlags[this.#k] & TokenFlag.EscapedCr) !== 0; }
  get value(): string {
    if (this.#value === undefined) this.#value = this.#a.tokenValue(this.#k);
    return this.#value;
  }
  toJSON(): object {
    return { kind: this.kind, start: this.start, end: this.end, value: this.value };
  }
}

class CommentView implements Token {
  #a: TreeArrays;
  #k: number;
  constructor(a: TreeArrays, k: number) {
    this.#a = a;
    this.#k = k;
  }
  get kind(): TokenKind { return TokenKind.Comment; }
  get start(): number { return this.#a.comStart[this.#k]; }
  get end(): number { return this.#a.comEnd[this.#k]; }
  get value(): string { return this.#a.text.slice(this.start, this.end); }
  toJSON(): object {
    return { kind: this.kind, start: this.start, end: this.end, value: this.value };
  }
}

class DirectiveView implements Directive {
  #t: CompactTree;
  #d: number;
  #name: string | undefined = undefined;
  #nameToken: Token | undefined = undefined;
  constructor(t: CompactTree, d: number) {
    this.#t = t;
    this.#d = d;
  }
  /** Index of this directive in the tree's arrays. */
  get index(): number { return this.#d; }
  get name(): string {
    if (this.#name === undefined) this.#name = this.#t.dirNameInterned(this.#d);
    return this.#name;
  }
  get nameToken(): Token {
    if (this.#nameToken === undefined) this.#nameToken = new TokenView(this.#t.arrays, this.#t.arrays.dirTok[this.#d]);
    return this.#nameToken;
  }
  /**
   * A new array of new token views at each call, not kept: a big analysis reads every argument once or twice,
   * and keeping them all cost a tenth of its memory. Tokens are compared by position, never by identity.
   */
  get args(): Token[] {
    const a = this.#t.arrays;
    const first = a.dirTok[this.#d] + 1;
    const n = a.dirArgc[this.#d];
    const out: Token[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = new TokenView(a, first + k);
    return out;
  }
  get argCount(): number { return this.#t.arrays.dirArgc[this.#d]; }
  get start(): number { return this.#t.arrays.dirStart(this.#d); }
  get end(): number { return this.#t.arrays.dirEnd[this.#d]; }
  get terminator(): number { return this.#t.arrays.dirTerm[this.#d]; }
  get block(): Block | null {
    const b = this.#t.arrays.dirChildBlock(this.#d);
    return b >= 0 ? this.#t.block(b) : null;
  }
  get lua(): Token | null {
    const k = this.#t.arrays.dirLuaToken(this.#d);
    return k >= 0 ? new TokenView(this.#t.arrays, k) : null;
  }
  get parent(): Block { return this.#t.block(this.#t.arrays.dirParent[this.#d]); }
  toJSON(): object {
    return { name: this.name, start: this.start, end: this.end, args: this.args };
  }
}

class BlockView implements Block {
  #t: CompactTree;
  #b: number;
  #children: Directive[] | undefined = undefined;
  constructor(t: CompactTree, b: number) {
    this.#t = t;
    this.#b = b;
  }
  /** Index of this block in the tree's arrays (0: the top level). */
  get index(): number { return this.#b; }
  get owner(): Directive | null {
    const o = this.#t.arrays.blkOwner[this.#b];
    return o >= 0 ? this.#t.directive(o) : null;
  }
  get open(): number { return this.#t.arrays.blkOpen[this.#b]; }
  get close(): number { return this.#t.arrays.blkClose[this.#b]; }
  get children(): Directive[] {
    if (this.#children === undefined) {
      const a = this.#t.arrays;
      const out: Directive[] = [];
      for (let d = a.blkFirst[this.#b]; d >= 0; d = a.dirNext[d]) out.push(this.#t.directive(d));
      this.#children = out;
    }
    return this.#children;
  }
  toJSON(): object {
    return { open: this.open, close: this.close, children: this.children };
  }
}

/** A `SyntaxTree` over `TreeArrays`: views made on first access, one per directive and block. */
export class CompactTree implements SyntaxTree {
  // An analysis makes views for about 1% of a big config's directives: kept in pieces (`pieces.ts`).
  #dirViews = new Pieces<DirectiveView>();
  #blockViews = new Pieces<BlockView>();
  #comments: Token[] | undefined = undefined;
  #lineStarts: Int32Array | undefined = undefined;
  #nginxLineStarts: Int32Array | undefined = undefined;

  constructor(readonly arrays: TreeArrays, readonly errors: SyntaxError[], nginxLineStarts?: Int32Array) {
    this.#nginxLineStarts = nginxLineStarts;
  }

  /**
   * This tree after an edit at `editAt` that changed only the inside of one token or comment (`reparse.ts`
   * proves that): offsets from `from` (the token's end) on move by `delta`, line starts after the edit too.
   */
  withShift(text: string, editAt: number, from: number, delta: number): CompactTree {
    const t = new CompactTree(this.arrays.shiftedCopy(text, from, delta), []);
    t.#names = this.#names;
    t.#byHash = this.#byHash;
    t.#recent = this.#recent;
    // A quoted value can span lines: the lines to move are those after the edit, not after the token's end.
    t.shiftLineStartsFrom(this, editAt, delta);
    return t;
  }

  /** One string per distinct directive name: a big config names the same hundred directives 100 000 times. */
  #names = new Map<string, string>();
  intern(name: string): string {
    const had = this.#names.get(name);
    if (had !== undefined) return had;
    const shared = internalized(name);
    this.#names.set(shared, shared);
    return shared;
  }

  /**
   * Interned names by a hash of their whole text, so that a name already seen is found without slicing it.
   * Every character counts: a big `map`'s entries are names of one length and shape
   * (`/old/section-1234/index.html`), which a hash of a few characters would send down the slicing path.
   */
  #byHash = new Map<number, string>();

  /**
   * Directive `d`'s name, interned. A plain word is looked up where it lies in the text: slicing each of a
   * big config's names only to find the string already interned was a string of garbage per directive. Quoted
   * or escaped names (rare) take the slicing path.
   */
  dirNameInterned(d: number): string {
    const a = this.arrays;
    const k = a.dirTok[d];
    if (!isPlainWord(a.tokFlags[k])) return this.intern(a.dirName(d));
    const text = a.text;
    const s = a.tokStart[k];
    const e = a.tokEnd[k];
    // First the name last seen with the same length and first, middle and last characters: one compare of
    // the text, no hash of it (most names of a config are a few dozen, repeated).
    const slot = shapeAt(text, s, e) & RECENT_MASK;
    const recent = this.#recent[slot];
    if (sameAt(recent, text, s, e)) return recent;
    const name = this.hashedName(d, text, s, e);
    this.#recent[slot] = name;
    return name;
  }

  /** Names by shape (see dirNameInterned): a slot holds the last name of its shape. */
  #recent: string[] = new Array<string>(RECENT_MASK + 1).fill('');

  /** The name of directive `d` (a plain word at `s`..`e`) through the whole-text hash. */
  private hashedName(d: number, text: string, s: number, e: number): string {
    const a = this.arrays;
    let h = e - s;
    for (let i = s; i < e; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
    const had = this.#byHash.get(h);
    if (had !== undefined && sameAt(had, text, s, e)) return had;
    const name = this.intern(a.dirName(d));
    // On a collision the first name keeps the slot; the other is still interned, through the slicing path.
    if (had === undefined) this.#byHash.set(h, name);
    return name;
  }

  get text(): string { return this.arrays.text; }

  get root(): Block { return this.block(0); }

  get comments(): Token[] {
    if (this.#comments === undefined) {
      const a = this.arrays;
      const out: Token[] = new Array(a.commentCount);
      for (let k = 0; k < a.commentCount; k++) out[k] = new CommentView(a, k);
      this.#comments = out;
    }
    return this.#comments;
  }

  /** Line starts by LSP's rule: a line ends at `\n`, `\r\n` or a lone `\r`. */
  get lineStarts(): Int32Array {
    if (this.#lineStarts === undefined) {
      const text = this.arrays.text;
      this.#lineStarts = text.indexOf('\r') < 0 ? this.nginxLineStarts : computeLineStarts(text);
    }
    return this.#lineStarts;
  }

  /** Line starts by nginx's rule: only `\n` ends a line (the numbers in nginx's messages). */
  get nginxLineStarts(): Int32Array {
    if (this.#nginxLineStarts === undefined) this.#nginxLineStarts = computeNginxLineStarts(this.arrays.text);
    return this.#nginxLineStarts;
  }

  /**
   * Takes line starts from `old` when this text is `old`'s with one change at `at` that adds or removes no line
   * break: the lines after it move by `delta`. A keystroke in a big file then needs no scan of the whole text.
   */
  shiftLineStartsFrom(old: CompactTree, at: number, delta: number): void {
    const prev = old.#nginxLineStarts;
    if (this.#nginxLineStarts !== undefined || prev === undefined) return;
    const out = prev.slice();
    for (let i = lineOf(prev, at) + 1; i < out.length; i++) out[i] += delta;
    this.#nginxLineStarts = out;
  }

  directive(d: number): Directive {
    let v = this.#dirViews.get(d);
    if (v === undefined) this.#dirViews.set(d, (v = new DirectiveView(this, d)));
    return v;
  }

  block(b: number): Block {
    let v = this.#blockViews.get(b);
    if (v === undefined) this.#blockViews.set(b, (v = new BlockView(this, b)));
    return v;
  }

  toJSON(): object {
    return { root: this.root, errors: this.errors };
  }
}
