// Go to definition, find references, document links and workspace symbols, answered by the model.

import { ConfigModel, LDir } from '../model/model';
import { parsePassUrl } from '../model/pass-url';
import { isAbsolute, join } from '../model/paths';
import { tlsFact } from '../knowledge/tls-directives';
import { pollCancellation } from '../cancellation';

export interface Target {
  path: string;
  start: number;
  end: number;
}

const PASS = new Set(['proxy_pass', 'grpc_pass', 'uwsgi_pass', 'fastcgi_pass', 'scgi_pass', 'memcached_pass']);

/** The upstream group a pass directive names, if it names one. */
export function passGroup(model: ConfigModel, ld: LDir): ReturnType<ConfigModel['upstream']> {
  if (!PASS.has(ld.name) || !ld.d.args.length) return undefined;
  const url = ld.d.args[0].value;
  const stream = ld.block.kind.startsWith('stream');
  const { host } = parsePassUrl(url);
  return model.upstream(stream ? 'stream' : 'http', host);
}

function directiveAt(model: ConfigModel, path: string, offset: number): { ld: LDir; arg: number } | null {
  // The innermost directive around the offset (a binary search), then its name or the argument under it.
  const ld = model.at(path, offset);
  if (!ld) return null;
  if (ld.d.nameToken.start <= offset && offset <= ld.d.nameToken.end) return { ld, arg: -1 };
  const i = ld.d.args.findIndex((a) => a.start <= offset && offset <= a.end);
  return i >= 0 ? { ld, arg: i } : null;
}

export function definitionAt(model: ConfigModel, path: string, offset: number): Target[] {
  const hit = directiveAt(model, path, offset);
  if (!hit) return [];
  const { ld } = hit;
  if (ld.name === 'include' && hit.arg === 0) {
    const files = [...new Set(model.includedBy(ld).map((x) => x.file.path))];
    return files.map((p) => ({ path: p, start: 0, end: 0 }));
  }
  const g = passGroup(model, ld);
  if (g && hit.arg === 0) return [{ path: g.dir.file.path, start: g.dir.d.start, end: g.dir.d.block ? g.dir.d.block.open + 1 : g.dir.d.end }];
  return [];
}

export function referencesAt(model: ConfigModel, path: string, offset: number): Target[] {
  const hit = directiveAt(model, path, offset);
  if (!hit) return [];
  let group = passGroup(model, hit.ld);
  if (!group && hit.ld.name === 'upstream' && hit.ld.d.args.length) {
    const fam = hit.ld.block.kind === 'stream' ? 'stream' : 'http';
    group = model.upstream(fam, hit.ld.d.args[0].value);
  }
  if (!group) return [];
  const out: Target[] = [{ path: group.dir.file.path, start: group.dir.d.args[0].start, end: group.dir.d.args[0].end }];
  const ldList = model.namedAny([...PASS]);
  for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
    const ld = ldList[ldIndex];
    if (passGroup(model, ld) === group) out.push({ path: ld.file.path, start: ld.d.args[0].start, end: ld.d.args[0].end });
  }
  return dedupe(out);
}

function dedupe(t: Target[]): Target[] {
  const seen = new Set<string>();
  return t.filter((x) => {
    const k = x.path + ':' + x.start;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface Link {
  start: number;
  end: number;
  target: string;
}

export function documentLinks(model: ConfigModel, path: string): Link[] {
  const out: Link[] = [];
  const seen = new Set<number>();
  const ldList = model.inFile(path);
  for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
    const ld = ldList[ldIndex];
    if (!ld.d.args.length || seen.has(ld.d.start)) continue;
    seen.add(ld.d.start);
    const a = ld.d.args[0];
    const v = a.value;
    if (!v || v.includes('$') || /^(data|engine|store):/.test(v)) continue;
    if (ld.name === 'include') {
      const files = [...new Set(model.includedBy(ld).map((x) => x.file.path))];
      if (files.length === 1) out.push({ start: a.start, end: a.end, target: files[0] });
      else if (!/[*?[]/.test(v)) out.push({ start: a.start, end: a.end, target: isAbsolute(v) ? v : join(model.prefix, v) });
    } else if (tlsFact(ld.name)?.value === 'file') {
      out.push({ start: a.start, end: a.end, target: isAbsolute(v) ? v : join(model.prefix, v) });
    }
  }
  return out;
}

export interface WorkspaceSymbolEntry {
  name: string;
  kind: 'server' | 'upstream';
  path: string;
  start: number;
  end: number;
}

export function workspaceSymbols(model: ConfigModel): WorkspaceSymbolEntry[] {
  const out: WorkspaceSymbolEntry[] = [];
  const ldList = model.namedAny(['server_name', 'upstream']);
  for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
    const ld = ldList[ldIndex];
    pollCancellation();
    if (ld.name === 'server_name') {
      for (const a of ld.d.args) if (a.value && a.value !== '_') out.push({ name: a.value, kind: 'server', path: ld.file.path, start: a.start, end: a.end });
    } else if (ld.name === 'upstream' && ld.d.args.length) {
      out.push({ name: ld.d.args[0].value, kind: 'upstream', path: ld.file.path, start: ld.d.start, end: ld.d.args[0].end });
    }
  }
  return out;
}
