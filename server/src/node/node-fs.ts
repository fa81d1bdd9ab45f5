// The engine's FileSystem on the local disk. Non-UTF-8 files are read as latin1 so that writing a fix back
// restores every byte that was not edited.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystem } from '../engine/model/filesystem';
import { globSegmentToRegExp } from '../engine/model/paths';

const decoder = new TextDecoder('utf-8', { fatal: true });

export type Encoding = 'utf8' | 'latin1';

export function decode(buf: Buffer): { text: string; encoding: Encoding } {
  try {
    return { text: decoder.decode(buf), encoding: 'utf8' };
  } catch {
    return { text: buf.toString('latin1'), encoding: 'latin1' };
  }
}

/** Files larger than this are not read as configs (a binary or a log opened by mistake). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

export class NodeFileSystem implements FileSystem {
  readonly encodings = new Map<string, Encoding>();

  readFile(p: string): string | undefined {
    try {
      const st = fs.statSync(p);
      if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
      const { text, encoding } = decode(fs.readFileSync(p));
      this.encodings.set(p, encoding);
      return text;
    } catch {
      return undefined;
    }
  }

  listDir(p: string): string[] {
    try {
      return fs.readdirSync(p, { withFileTypes: true }).slice(0, 2000).map((e) => (e.isDirectory() ? e.name + '/' : e.name));
    } catch {
      return [];
    }
  }

  glob(pattern: string): string[] {
    const segs = pattern.split('/');
    let bases = [segs[0] === '' ? '/' : segs[0]];
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i];
      if (seg === '') continue;
      const next: string[] = [];
      const last = i === segs.length - 1;
      if (!/[*?[]/.test(seg)) {
        for (const b of bases) {
          const p = path.join(b, seg);
          if (last ? exists(p) : isDir(p)) next.push(p);
        }
      } else {
        const re = globSegmentToRegExp(seg);
        for (const b of bases) {
          let names: string[];
          try { names = fs.readdirSync(b); } catch { continue; }
          for (const n of names.sort()) {
            if (!re.test(n)) continue;
            const p = path.join(b, n);
            if (last || isDir(p)) next.push(p);
          }
        }
      }
      bases = next;
      if (bases.length > 100000) break;
    }
    return bases.sort();
  }
}

function exists(p: string): boolean {
  try { fs.statSync(p); return true; } catch { return false; }
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', '.cache', '.venv', 'venv', '__pycache__']);

/** Files under `dirs` that may be nginx configs, bounded in count; symlink loops are not followed. */
export function listConfigCandidates(dirs: string[], limit = 5000): string[] {
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const stack = [...dirs];
  while (stack.length && out.length < limit) {
    const d = stack.pop()!;
    let real: string;
    try { real = fs.realpathSync(d); } catch { continue; }
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) stack.push(p);
      } else if (e.isFile() && looksLikeConfig(e.name, p)) {
        out.push(p);
        if (out.length >= limit) break;
      }
    }
  }
  return out.sort();
}

export function looksLikeConfig(name: string, p: string): boolean {
  return /\.(conf|nginx|nginxconf)$/.test(name) || name === 'nginx.conf' || /\/(sites-available|sites-enabled|nginx)\//.test(p);
}
