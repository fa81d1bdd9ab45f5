// The browser server's files: what the web client handed over (`nginxTlsProxy/files`), kept in memory and
// served through the engine's synchronous FileSystem. Paths are the server's (language-server.ts `pathOf`);
// each remembers its URI so that edits to a file that is not open go back to the right place.

import { globSegmentToRegExp } from '../core';
import type { FileSystem } from '../core';

export interface FilesParams {
  /** Files created or changed (all of them when `replace` is set). */
  files: { uri: string; text: string }[];
  /** URIs of files deleted. */
  removed?: string[];
  /** This delivery is the whole workspace: forget files not in it. */
  replace?: boolean;
}

/** The same test the Node server's discovery applies (node/node-fs.ts `looksLikeConfig`). */
function looksLikeConfig(p: string): boolean {
  const name = p.slice(p.lastIndexOf('/') + 1);
  return /\.(conf|nginx|nginxconf)$/.test(name) || name === 'nginx.conf' || /\/(sites-available|sites-enabled|nginx)\//.test(p);
}

export class WorkspaceFiles {
  private readonly texts = new Map<string, string>();
  private readonly uris = new Map<string, string>();

  constructor(private readonly pathOf: (uri: string) => string) {}

  apply(p: FilesParams): void {
    if (p.replace) {
      this.texts.clear();
      this.uris.clear();
    }
    for (const f of p.files ?? []) {
      const path = this.pathOf(f.uri);
      this.texts.set(path, f.text);
      this.uris.set(path, f.uri);
    }
    for (const u of p.removed ?? []) {
      const path = this.pathOf(u);
      this.texts.delete(path);
      this.uris.delete(path);
    }
  }

  uriOf(path: string): string | undefined {
    return this.uris.get(path);
  }

  get size(): number {
    return this.texts.size;
  }

  candidates(folders: string[]): string[] {
    const under = folders.map((f) => (f.endsWith('/') ? f : f + '/'));
    return [...this.texts.keys()].filter((p) => looksLikeConfig(p) && (under.length === 0 || under.some((f) => p.startsWith(f)))).sort().slice(0, 5000);
  }

  fileSystem(maxBytes = 64 * 1024 * 1024): FileSystem {
    const failures = new Map<string, string>();
    const texts = this.texts;
    return {
      readFile: (p) => {
        const t = texts.get(p);
        if (t === undefined) {
          failures.set(p, this.isDir(p) ? '21: Is a directory' : '2: No such file or directory');
          return undefined;
        }
        if (t.length > maxBytes) {
          failures.set(p, `it is ${(t.length / 1048576).toFixed(1)} MB, above the ${(maxBytes / 1048576).toFixed(0)} MB limit`);
          return undefined;
        }
        failures.delete(p);
        return t;
      },
      readError: (p) => failures.get(p),
      glob: (pattern) => {
        const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
        const res = segs.map((s) => globSegmentToRegExp(s));
        return [...texts.keys()]
          .filter((f) => {
            const fs = f.split('/');
            return fs.length === segs.length && fs.every((s, i) => res[i].test(s));
          })
          .sort();
      },
      listDir: (dir) => {
        const prefix = dir.endsWith('/') ? dir : dir + '/';
        const out = new Set<string>();
        for (const f of texts.keys()) {
          if (!f.startsWith(prefix)) continue;
          const rest = f.slice(prefix.length);
          const slash = rest.indexOf('/');
          out.add(slash < 0 ? rest : rest.slice(0, slash + 1));
          if (out.size >= 2000) break;
        }
        return [...out].sort();
      },
    };
  }

  private isDir(p: string): boolean {
    const prefix = p.endsWith('/') ? p : p + '/';
    for (const f of this.texts.keys()) if (f.startsWith(prefix)) return true;
    return false;
  }
}
