// Outline, folding and workspace symbols from one file's syntax tree.

import { Block, Directive, SyntaxTree } from '../syntax/types';
import { lineOf } from '../syntax/positions';
import { own } from '../own';

export type SymbolKind = 'namespace' | 'module' | 'class' | 'method' | 'field' | 'event' | 'struct' | 'key';

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  children: OutlineSymbol[];
}

const KINDS: Record<string, SymbolKind> = {
  http: 'namespace',
  stream: 'namespace',
  mail: 'namespace',
  events: 'event',
  server: 'class',
  location: 'method',
  upstream: 'module',
  map: 'struct',
  geo: 'struct',
  split_clients: 'struct',
  types: 'struct',
  if: 'key',
  limit_except: 'key',
};

function argsOf(d: Directive): string {
  return d.args.map((a) => a.value).join(' ');
}

function serverLabel(d: Directive): { name: string; detail: string } {
  const kids = d.block?.children ?? [];
  const names = kids.filter((c) => c.name === 'server_name').flatMap((c) => c.args.map((a) => a.value));
  const listens = kids.filter((c) => c.name === 'listen').map(argsOf);
  if (!kids.some((c) => c.name === 'listen' || c.name === 'server_name' || c.name === 'location') && d.args.length) {
    return { name: `server ${argsOf(d)}`, detail: '' }; // a server inside upstream: address
  }
  return { name: names.length ? `server ${names.join(' ')}` : 'server', detail: listens.map((l) => 'listen ' + l).join(', ') };
}

function symbolOf(d: Directive): OutlineSymbol | null {
  const kind = own(KINDS, d.name);
  if (!kind || (!d.block && !d.lua)) return null;
  let name = d.name;
  let detail = '';
  if (d.name === 'server') ({ name, detail } = serverLabel(d));
  else if (d.args.length) name = `${d.name} ${argsOf(d)}`;
  return { name, detail, kind, start: d.start, end: d.end, selectionStart: d.nameToken.start, selectionEnd: d.args.length ? d.args[d.args.length - 1].end : d.nameToken.end, children: [] };
}

/** The outline: blocks that matter for navigation, nested as in the file (no recursion on depth). */
export function documentSymbols(tree: SyntaxTree): OutlineSymbol[] {
  const top: OutlineSymbol[] = [];
  const stack: { block: Block; into: OutlineSymbol[] }[] = [{ block: tree.root, into: top }];
  while (stack.length) {
    const { block, into } = stack.pop()!;
    for (const d of block.children) {
      const sym = symbolOf(d);
      if (sym) into.push(sym);
      if (d.block) stack.push({ block: d.block, into: sym ? sym.children : into });
    }
  }
  return top;
}

export interface FoldRange {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

export function foldingRanges(tree: SyntaxTree): FoldRange[] {
  const out: FoldRange[] = [];
  const ls = tree.lineStarts;
  const stack: Block[] = [tree.root];
  while (stack.length) {
    const b = stack.pop()!;
    for (const d of b.children) {
      const end = d.block ? d.block.close : d.lua ? d.lua.end : -1;
      if (end > 0) {
        const s = lineOf(ls, d.start);
        const e = lineOf(ls, end) - 1;
        if (e > s) out.push({ startLine: s, endLine: e });
      }
      if (d.block) stack.push(d.block);
    }
  }
  // Runs of whole-line comments fold too.
  let runStart = -1;
  let prev = -2;
  for (const c of tree.comments) {
    const line = lineOf(ls, c.start);
    if (line === prev + 1 && runStart >= 0) { prev = line; continue; }
    if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: 'comment' });
    runStart = line;
    prev = line;
  }
  if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: 'comment' });
  return out.sort((a, b) => a.startLine - b.startLine);
}
