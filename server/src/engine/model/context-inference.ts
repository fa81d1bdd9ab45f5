// A file that no main config includes still needs a context: take the one a comment names, else the
// one in which most of its top-level directives are allowed (a top-level `server {` lives in http, a bare
// `proxy_pass` in a location).

import { BlockKind, childBlockKind } from '../knowledge/contexts';
import { isAllowedIn, specIn } from '../knowledge/directives';
import { isKnownDirective } from '../knowledge/modules';
import { Directive, SyntaxTree } from '../syntax/types';
import { own } from '../own';

const NAMED: Record<string, BlockKind> = {
  main: 'main',
  events: 'events',
  http: 'http',
  server: 'http/server',
  'http-server': 'http/server',
  location: 'http/location',
  'http-location': 'http/location',
  if: 'http/if-location',
  upstream: 'http/upstream',
  stream: 'stream',
  'stream-server': 'stream/server',
  'stream-upstream': 'stream/upstream',
  mail: 'mail',
  'mail-server': 'mail/server',
  map: 'raw',
};

export const CONTEXT_COMMENT = /^#\s*nginx-context:\s*([a-z-]+)/i;

/** `# nginx-context: server` (first match in the file's comments) → its block kind. */
export function declaredContext(tree: SyntaxTree): BlockKind | undefined {
  for (const c of tree.comments) {
    const m = CONTEXT_COMMENT.exec(c.value);
    if (m) return own(NAMED, m[1].toLowerCase());
  }
  return undefined;
}

const CANDIDATES: BlockKind[] = ['main', 'http', 'http/server', 'http/location', 'stream', 'stream/server', 'http/upstream'];

export function inferContext(tree: SyntaxTree): BlockKind {
  const declared = declaredContext(tree);
  if (declared) return declared;
  const top = tree.root.children.filter((d) => d.name !== '' && d.name !== 'include');
  if (top.length === 0) return 'main';
  if (top.some((d) => ['http', 'events', 'stream', 'mail', 'worker_processes', 'load_module'].includes(d.name))) return 'main';
  // A top-level `server` whose body proxies without locations is a stream server.
  const servers = top.filter((d) => d.name === 'server' && d.block);
  if (servers.length && servers.every((s) => isStreamServer(s.block!.children.map((c) => c.name), s.block!.children))) return 'stream';
  // Mostly names no module defines (regexes, addresses, hosts): the body of a map, geo or similar block.
  const unknown = top.filter((d) => !isKnownDirective(d.name)).length;
  if (unknown * 2 > top.length) return 'raw';
  // The context in which the file is valid: fewest directives (nested ones included: an `if` holding
  // `add_header` is valid in a location, not in a server) that no module allows where they would be; then
  // most top-level directives allowed; then the order of CANDIDATES.
  let best: BlockKind = 'main';
  let bestMisplaced = Infinity;
  let bestScore = -1;
  for (const kind of CANDIDATES) {
    let score = 0;
    for (const d of top) {
      const spec = specIn(d.name, kind);
      if (spec && isAllowedIn(spec, kind)) score++;
    }
    const misplaced = misplacedIn(tree.root.children, kind, bestMisplaced);
    if (misplaced < bestMisplaced || (misplaced === bestMisplaced && score > bestScore)) { best = kind; bestScore = score; bestMisplaced = misplaced; }
  }
  return best;
}

/** Known directives of `children` (and of the blocks they open) that are not allowed where they would be, up to `limit`. */
function misplacedIn(children: Directive[], kind: BlockKind, limit: number): number {
  let n = 0;
  const stack: { list: Directive[]; kind: BlockKind }[] = [{ list: children, kind }];
  let steps = 0;
  while (stack.length && n <= limit && steps < 20000) {
    const { list, kind: k } = stack.pop()!;
    for (const d of list) {
      steps++;
      if (d.name === '' || d.name === 'include') continue;
      const spec = specIn(d.name, k);
      if (!spec) continue;
      if (!isAllowedIn(spec, k)) { n++; continue; }
      if (d.block) {
        const child = childBlockKind(k, d.name);
        if (child && child !== 'raw') stack.push({ list: d.block.children, kind: child });
      }
    }
  }
  return n;
}

function isStreamServer(names: string[], children: { name: string; args: { value: string }[] }[]): boolean {
  if (names.includes('location') || names.includes('server_name') && !names.includes('proxy_pass')) return false;
  const pass = children.find((c) => c.name === 'proxy_pass');
  if (pass && pass.args[0] && !/^https?:\/\//i.test(pass.args[0].value)) return true;
  return children.some((c) => c.name === 'listen' && c.args.some((a) => a.value === 'udp'));
}
