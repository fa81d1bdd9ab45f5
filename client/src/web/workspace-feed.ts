// Hands the workspace's nginx files to the browser server: a Web Worker cannot read the editor's file system,
// and the engine reads synchronously, so the files it may need (configs, includes, certificates) are read here
// with workspace.fs, sent once at start (`replace`) and again whenever one is created, changed or deleted.
// Files a config names that the globs do not match (`ssl/site.cert`) are read when the server asks for them
// (`readFiles`), and followed from then on like the others.

import * as vscode from 'vscode';

export interface FilesParams {
  files: { uri: string; text: string }[];
  removed?: string[];
  replace?: boolean;
}

/**
 * What nginx may read: configs and what they include, by name and by the directories distributions use, and
 * the certificate, key and CRL files the certificate rules read (PEM is text; keys stay in the editor's worker).
 */
export const CONFIG_GLOBS = [
  '**/*.{conf,nginx,nginxconf,types}',
  '**/{nginx*,*_params,*.crt,*.pem,*.cer,*.key,*.crl}',
  '**/{sites-available,sites-enabled,conf.d,snippets,modules-enabled,nginx}/**',
];
const EXCLUDE = '**/{node_modules,.git,dist,out}/**';
const MAX_FILES = 5000;
/** Files read on the server's demand: at most this many are followed for changes. */
const MAX_DEMANDED = 1000;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

export class WorkspaceFeed {
  private readonly watchers: vscode.Disposable[] = [];
  private readonly changed = new Set<string>();
  private readonly deleted = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private total = 0;
  /** URIs the server asked for (outside the globs), whose changes are sent too. */
  private readonly demanded = new Set<string>();
  private demandWatcher: vscode.Disposable | undefined;

  constructor(private readonly send: (p: FilesParams) => Promise<void>, private readonly warn: (m: string) => void) {}

  async start(): Promise<void> {
    for (const g of CONFIG_GLOBS) {
      const w = vscode.workspace.createFileSystemWatcher(g);
      w.onDidCreate((u) => this.queue(u, false));
      w.onDidChange((u) => this.queue(u, false));
      w.onDidDelete((u) => this.queue(u, true));
      this.watchers.push(w);
    }
    const seen = new Map<string, vscode.Uri>();
    for (const g of CONFIG_GLOBS) {
      for (const u of await vscode.workspace.findFiles(g, EXCLUDE, MAX_FILES)) seen.set(u.toString(), u);
    }
    const uris = [...seen.values()].slice(0, MAX_FILES);
    if (seen.size > MAX_FILES) this.warn(`${seen.size} candidate nginx files: only the first ${MAX_FILES} are analysed.`);
    this.total = 0;
    const files = (await Promise.all(uris.map((u) => this.read(u)))).filter((f): f is { uri: string; text: string } => !!f);
    await this.send({ files, replace: true });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.dispose();
    this.watchers.length = 0;
    this.demandWatcher?.dispose();
    this.demandWatcher = undefined;
  }

  /** The server's question: these files of the workspace, as far as they can be read (the rest is missing). */
  async readFiles(uris: string[]): Promise<FilesParams> {
    const list = (Array.isArray(uris) ? uris : []).filter((u) => typeof u === 'string').slice(0, 200);
    const files = (await Promise.all(list.map((u) => this.read(vscode.Uri.parse(u))))).filter((f): f is { uri: string; text: string } => !!f);
    for (const u of list) if (this.demanded.size < MAX_DEMANDED) this.demanded.add(u);
    if (list.length && !this.demandWatcher) {
      // One watcher over the workspace, filtered to the files asked for: a file created later reaches the server too.
      const w = vscode.workspace.createFileSystemWatcher('**/*');
      const on = (u: vscode.Uri, removed: boolean) => { if (this.demanded.has(u.toString())) this.queue(u, removed); };
      w.onDidCreate((u) => on(u, false));
      w.onDidChange((u) => on(u, false));
      w.onDidDelete((u) => on(u, true));
      this.demandWatcher = w;
    }
    return { files };
  }

  private queue(uri: vscode.Uri, removed: boolean): void {
    if (/\/(node_modules|\.git)\//.test(uri.path)) return;
    const key = uri.toString();
    (removed ? this.deleted : this.changed).add(key);
    (removed ? this.changed : this.deleted).delete(key);
    this.timer ??= setTimeout(() => void this.flush(), 100);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const changed = [...this.changed];
    const removed = [...this.deleted];
    this.changed.clear();
    this.deleted.clear();
    const files = (await Promise.all(changed.map((u) => this.read(vscode.Uri.parse(u))))).filter((f): f is { uri: string; text: string } => !!f);
    // A file that can no longer be read is gone as far as nginx is concerned.
    const unreadable = changed.filter((u) => !files.some((f) => f.uri === u));
    await this.send({ files, removed: [...removed, ...unreadable] });
  }

  private async read(uri: vscode.Uri): Promise<{ uri: string; text: string } | undefined> {
    try {
      const st = await vscode.workspace.fs.stat(uri);
      if (st.type & vscode.FileType.Directory || st.size > MAX_FILE_BYTES || this.total + st.size > MAX_TOTAL_BYTES) return undefined;
      const bytes = await vscode.workspace.fs.readFile(uri);
      this.total += bytes.byteLength;
      return { uri: uri.toString(), text: decode(bytes) };
    } catch {
      return undefined;
    }
  }
}

/** UTF-8, or latin1 for anything else (as the Node server reads files): every byte stays one character. */
function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}
