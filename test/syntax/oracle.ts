// Shared by test/syntax: the trees of the new parser and of the reference (the old parser, frozen) as plain
// data, to compare them exactly.

import * as assert from 'node:assert/strict';
import { parse } from '../../server/src/engine';
import type { Block, SyntaxTree } from '../../server/src/engine';
import * as ref from './reference-parser';

interface PlainToken { kind: number; start: number; end: number; value: string }
interface PlainDirective {
  name: string;
  start: number;
  end: number;
  terminator: number;
  argCount: number;
  nameToken: PlainToken;
  args: PlainToken[];
  lua: PlainToken | null;
  /** Index (in this dump's block list) of the block holding it, and of its own block. */
  parent: number;
  block: number;
}
export interface PlainTree {
  errors: { message: string; start: number; end: number; nginxLine: number }[];
  comments: PlainToken[];
  blocks: { open: number; close: number; owner: number; children: number }[];
  directives: PlainDirective[];
}

type AnyTree = Pick<SyntaxTree, 'errors'> & { root: Block; comments: { kind: number; start: number; end: number; value: string }[] } | ref.SyntaxTree;
type AnyBlock = { owner: AnyDirective | null; open: number; close: number; children: AnyDirective[] };
type AnyDirective = {
  name: string; start: number; end: number; terminator: number; argCount: number; parent: AnyBlock; block: AnyBlock | null;
  nameToken: PlainToken; args: PlainToken[]; lua: PlainToken | null;
};

/**
 * `adjustEnd`: applied to the ends of word tokens and of what ends with them (the one place the new tree
 * differs on purpose: a word ending in an escaped CR before LF ends before the CR).
 */
export function plain(tree: AnyTree, adjustEnd: (e: number) => number = (e) => e): PlainTree {
  const tok = (t: PlainToken): PlainToken => ({ kind: t.kind, start: t.start, end: t.kind === 0 ? adjustEnd(t.end) : t.end, value: t.value });
  const out: PlainTree = {
    errors: tree.errors.map((e) => ({ message: e.message, start: e.start, end: adjustEnd(e.end), nginxLine: e.nginxLine })),
    comments: tree.comments.map(tok),
    blocks: [],
    directives: [],
  };
  // Blocks and directives in document order (explicit stack: depth may be large).
  const blockIds = new Map<AnyBlock, number>();
  const stack: AnyBlock[] = [tree.root as AnyBlock];
  while (stack.length) {
    const b = stack.pop()!;
    const bid = out.blocks.length;
    blockIds.set(b, bid);
    out.blocks.push({ open: b.open, close: b.close, owner: -1, children: b.children.length });
    const pending: AnyBlock[] = [];
    for (const d of b.children) {
      if (d.parent !== b) throw new Error(`directive "${d.name}" at ${d.start}: parent is not its block`);
      if (d.block && d.block.owner !== d) throw new Error(`block of "${d.name}" does not point back to it`);
      if (d.args.length !== d.argCount) throw new Error(`"${d.name}": argCount ${d.argCount} != ${d.args.length}`);
      out.directives.push({
        name: d.name, start: d.start, end: adjustEnd(d.end), terminator: d.terminator, argCount: d.argCount,
        nameToken: tok(d.nameToken), args: d.args.map(tok), lua: d.lua ? tok(d.lua) : null, parent: bid, block: -1,
      });
      if (d.block) pending.push(d.block);
    }
    for (let k = pending.length - 1; k >= 0; k--) stack.push(pending[k]);
  }
  // Owners: directives numbered in the same walk order.
  const dirIds = new Map<AnyDirective, number>();
  let next = 0;
  const st2: AnyBlock[] = [tree.root as AnyBlock];
  while (st2.length) {
    const b = st2.pop()!;
    const pending: AnyBlock[] = [];
    for (const d of b.children) {
      dirIds.set(d, next++);
      if (d.block) pending.push(d.block);
    }
    for (let k = pending.length - 1; k >= 0; k--) st2.push(pending[k]);
  }
  for (const [b, id] of blockIds) {
    out.blocks[id].owner = b.owner ? dirIds.get(b.owner)! : -1;
    if (b.owner) out.directives[dirIds.get(b.owner)!].block = id;
  }
  return out;
}

/** The reference end, moved before the CR where a word ended with an escaped CR before LF. */
export function escapedCrAdjust(text: string): (e: number) => number {
  return (e) => (e >= 2 && text.charCodeAt(e - 1) === 13 && text.charCodeAt(e) === 10 && text.charCodeAt(e - 2) === 92 ? e - 1 : e);
}

/** Throws (an assertion error naming the first difference) unless both parsers agree on `text`. */
export function assertSameAsReference(text: string): void {
  const want = plain(ref.parse(text), escapedCrAdjust(text));
  const tree = parse(text);
  const got = plain(tree);
  if (tree.text !== text) throw new Error('tree.text differs from the input');
  assert.deepEqual(got.errors, want.errors, 'errors differ');
  assert.deepEqual(got.comments, want.comments, 'comments differ');
  assert.deepEqual(got.blocks, want.blocks, 'blocks differ');
  assert.equal(got.directives.length, want.directives.length, 'number of directives differs');
  for (let k = 0; k < got.directives.length; k++) assert.deepEqual(got.directives[k], want.directives[k], `directive ${k} differs`);
  // nginx's line numbering is the old one (only LF ends a line).
  assert.deepEqual([...tree.nginxLineStarts], ref.computeLineStarts(text), 'nginx line starts differ');
}
