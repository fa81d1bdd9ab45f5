// The browser server's files: what the web client handed over (`nginxTlsProxy/files`), kept in memory and
// served through the engine's synchronous FileSystem. Paths are the server's (language-server.ts `pathOf`);
// each remembers its URI so that edits to a file that is not open go back to the right place.
//
// The client hands over what its globs match (configs, *.crt, *.key…). A config may name other files in the
// workspace (`ssl_certificate ssl/site.cert`, `include extra/tls`): a read of such a path that finds nothing
// is remembered, and the server asks the client for those files (`takeMisses`, `nginxTlsProxy/readFiles`)
// before it publishes a finding that says they are missing. Each path is asked once until the files change;
// an analysis that misses a path already asked waits for that answer.

import { URI, Utils } from 'vscode-uri';
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

/** At most this many files are asked of the client per analysis: a config naming thousands stays bounded. */
const MAX_ASKED = 200;

export class WorkspaceFiles {
  private readonly texts = new Map<string, string>();
  private readonly uris = new Map<string, string>();
  /** The workspace folders: server path → URI (only paths under them can be asked of the client). */
  private folders: { path: string; uri: string }[] = [];
  /** Paths read and not found since the last `takeMisses`. */
  private readonly misses = new Set<string>();
  /** Paths asked of the client: the answer (true when files came) while it is awaited. */
  private readonly pending = new Map<string, Promise<boolean>>();
  /** Paths the client answered it does not have. */
  private readonly absent = new Set<string>();

  constructor(private readonly pathOf: (uri: string) => string) {}

  setFolders(uris: string[]): void {
    this.folders = uris.map((uri) => ({ path: this.pathOf(uri).replace(/\/+$/, ''), uri }));
  }

  /**
   * What the reads since the last call missed: the workspace files to ask the client for (each once), and
   * every answer still awaited. All of them, not only those of the paths this read missed: an analysis
   * taken from the cache reads nothing, yet may rest on a miss that another document's analysis asked about
   * (a site opened while its main config's includes are being fetched).
   */
  takeMisses(): { ask: { path: string; uri: string }[]; waits: Promise<boolean>[] } {
    const ask: { path: string; uri: string }[] = [];
    const waits = new Set<Promise<boolean>>(this.pending.values());
    for (const p of this.misses) {
      if (this.pending.has(p)) continue;
      const f = this.folders.find((x) => p.startsWith(x.path + '/'));
      if (f && ask.length < MAX_ASKED) ask.push({ path: p, uri: Utils.joinPath(URI.parse(f.uri), p.slice(f.path.length + 1)).toString() });
    }
    this.misses.clear();
    return { ask, waits: [...waits] };
  }

  /** `paths` are asked of the client; `answer` settles when its files are applied. */
  asking(paths: string[], answer: Promise<boolean>): void {
    for (const p of paths) this.pending.set(p, answer);
  }

  /** The client's answer: its files, and the asked paths it did not send are not there. */
  answered(paths: string[], files: { uri: string; text: string }[]): void {
    this.apply({ files }, true);
    for (const p of paths) {
      this.pending.delete(p);
      if (!this.texts.has(p)) this.absent.add(p);
    }
  }

  apply(p: FilesParams, answer = false): void {
    // Files changed in the workspace: what was not there may be now.
    if (!answer) this.absent.clear();
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
          const dir = this.isDir(p);
          failures.set(p, dir ? '21: Is a directory' : '2: No such file or directory');
          if (!dir && !this.absent.has(p) && this.folders.some((f) => p.startsWith(f.path + '/'))) this.misses.add(p);
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
