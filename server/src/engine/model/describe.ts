// Effective values in words: "off — the default; not set in this location, its server or http".

import { kindLabel } from '../knowledge/contexts';
import { NginxVersion, tlsDefault } from '../knowledge/tls';
import { specsFor } from '../knowledge/directives';
import { lineOf } from '../syntax/positions';
import { ConfigModel, Effective, LBlock, LDir } from './model';

export function valueOf(ld: LDir): string {
  const n = ld.argc;
  if (n === 1) return ld.arg(0);
  let out = '';
  for (let i = 0; i < n; i++) out += (i ? ' ' : '') + ld.arg(i);
  return out;
}

export function defaultOf(name: string, version: NginxVersion): string | undefined {
  const ours = tlsDefault(name, version);
  if (ours !== undefined) return ours;
  const spec = specsFor(name)?.[0];
  return spec && spec.default ? spec.default : undefined;
}

export function lineNumber(ld: LDir): number {
  return lineOf(ld.file.tree.lineStarts, ld.nameStart) + 1;
}

/**
 * A directive's line as a message told at `from` names it: `line N` in the same file, `file.conf:N` in another
 * (a finding in an included snippet about its includer's directive).
 */
export function lineRef(ld: LDir, from: LDir): string {
  return ld.file === from.file ? `line ${lineNumber(ld)}` : `${ld.file.path.split('/').pop()}:${lineNumber(ld)}`;
}

function where(ld: LDir, from: LBlock): string {
  const level = ld.block;
  const label = level === from ? 'this ' + kindLabel(level.kind) : kindLabel(level.kind);
  const loc = ld.file.path.split('/').pop() + ':' + lineNumber(ld);
  return `set in ${label} at ${loc}${ld.via ? ' (included)' : ''}`;
}

/** The chain of levels searched, in words: "this location, its server or http". */
export function searchedWords(e: Effective, from: LBlock): string {
  // "this location, its server or http": the words are joined as they come (no list per finding), the
  // last one held back until it is known to be the last.
  let out = '';
  let last = '';
  let n = 0;
  for (let b: LBlock | null = e.from; b; b = b === e.level ? null : b.parent) {
    if (b.kind === 'main' || b.kind === 'http/if-location' || b.kind === 'http/limit_except' || b.kind === 'http/if-server') continue;
    const l = kindLabel(b.kind);
    if (n >= 1) out += (n >= 2 ? ', ' : '') + last;
    last = n === 0 ? (b === from ? 'this ' + l : l) : n === 1 ? 'its ' + l : l;
    n++;
  }
  return n <= 1 ? last : out + ' or ' + last;
}

/** `e`: the lookup when the caller has made it already. */
export function describeEffective(model: ConfigModel, name: string, from: LBlock, version: NginxVersion, e = model.effective(name, from)): string {
  if (e.found.length) {
    return `${name}: ${e.found.map(valueOf).join(' + ')} — ${where(e.found[0], from)}`;
  }
  const def = defaultOf(name, version);
  const words = searchedWords(e, from);
  return `${name}: ${def ?? 'not set'}${def !== undefined ? ' — the default' : ''}${words ? '; not set in ' + words : ''}`;
}
