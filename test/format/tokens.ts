// What formatting must keep: the token sequence nginx reads, block structure, Lua bodies and comments (a
// comment may lose only its trailing blanks: spaces, tabs and carriage returns), in order.

import { SyntaxTree } from '../../server/src/engine';

export function tokens(tree: SyntaxTree): string[] {
  const out: string[] = [];
  const text = tree.text;
  const stack = [{ children: tree.root.children, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.children.length) { stack.pop(); out.push('}'); continue; }
    const d = top.children[top.i++];
    out.push(text.slice(d.nameToken.start, d.nameToken.end));
    for (const a of d.args) out.push(text.slice(a.start, a.end));
    if (d.lua) out.push('lua:' + text.slice(d.lua.start, d.lua.end));
    if (d.block) { out.push('{'); stack.push({ children: d.block.children, i: 0 }); } else out.push(';');
  }
  for (const c of tree.comments) out.push('#' + c.value.replace(/[ \t\r]+$/, ''));
  return out;
}
