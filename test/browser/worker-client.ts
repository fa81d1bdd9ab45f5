// The web server bundle (dist/web/server.js) in a Web Worker of real headless Chromium, spoken to as VS Code's
// web client does: LSP messages as objects over postMessage. The page and the bundle come from a local HTTP
// server on 127.0.0.1 (a free port); Node drives the page with playwright-core and bridges the worker's
// messages to a vscode-jsonrpc connection.

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AbstractMessageReader, AbstractMessageWriter, createMessageConnection, DataCallback, Disposable, Message, MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const ROOT = path.resolve(__dirname, '../..');
export const WEB = path.join(ROOT, 'dist/web');
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));

/** Why the worker tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (!CHROMIUM) return 'no Chromium at /usr/bin/chromium (or chromium-browser, google-chrome)';
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed';
  }
  if (!fs.existsSync(path.join(WEB, 'server.js'))) return 'dist/web/server.js missing: run npm run build';
  return undefined;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>nginx-tls-proxy web server</title>
<script>
  window.worker = new Worker('/server.js');
  window.workerErrors = [];
  worker.onmessage = (e) => window.fromWorker(e.data);
  worker.onerror = (e) => { window.workerErrors.push(String(e.message)); };
</script>`;

/** Serves the page and dist/web/ on 127.0.0.1; nothing else. */
export async function serve(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0];
    if (name === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
      return;
    }
    const file = path.join(WEB, path.basename(name));
    if (!/^\/[\w.-]+\.js(\.map)?$/.test(name) || !fs.existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

type Page = import('playwright-core').Page;
type Browser = import('playwright-core').Browser;

class PageReader extends AbstractMessageReader {
  callback: DataCallback | undefined;
  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    return { dispose: () => (this.callback = undefined) };
  }
}

class PageWriter extends AbstractMessageWriter {
  constructor(private readonly page: Page) { super(); }
  async write(msg: Message): Promise<void> {
    await this.page.evaluate((m) => (window as unknown as { worker: Worker }).worker.postMessage(m), msg as unknown as Record<string, unknown>);
  }
  end(): void {}
}

export class WorkerClient {
  conn!: MessageConnection;
  browser!: Browser;
  page!: Page;
  configuration: Record<string, unknown> = {};
  logs: string[] = [];
  /** Files the client can read but did not hand over (outside the feed's globs): URI → text. */
  disk = new Map<string, string>();
  /** URIs the server asked for with nginxTlsProxy/readFiles. */
  asked: string[] = [];
  /** Every diagnostics publication, in order. */
  published: PublishDiagnosticsParams[] = [];
  private http!: { url: string; close(): Promise<void> };
  private diags = new Map<string, PublishDiagnosticsParams>();
  private waiters: (() => void)[] = [];

  async start(): Promise<void> {
    const { chromium } = await import('playwright-core');
    this.http = await serve();
    this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    this.page = await this.browser.newPage();
    const reader = new PageReader();
    await this.page.exposeFunction('fromWorker', (m: Message) => reader.callback?.(m));
    this.page.on('console', (m) => this.logs.push(m.text()));
    await this.page.goto(this.http.url);
    this.conn = createMessageConnection(reader, new PageWriter(this.page));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diags.set(p.uri, p);
      this.published.push(p);
      const w = this.waiters;
      this.waiters = [];
      w.forEach((f) => f());
    });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.configuration));
    this.conn.onRequest('client/registerCapability', () => null);
    // As the web client's WorkspaceFeed.readFiles: what it can read is sent, the rest is missing.
    this.conn.onRequest('nginxTlsProxy/readFiles', (p: { uris: string[] }) => {
      this.asked.push(...p.uris);
      return { files: p.uris.filter((u) => this.disk.has(u)).map((uri) => ({ uri, text: this.disk.get(uri)! })) };
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => { this.logs.push(p.message); });
    this.conn.listen();
  }

  async initialize(folderUri: string): Promise<any> {
    const res = await this.conn.sendRequest('initialize', {
      processId: null,
      rootUri: folderUri,
      workspaceFolders: [{ uri: folderUri, name: 'ws' }],
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { relatedInformation: true } } },
      initializationOptions: {},
    });
    await this.conn.sendNotification('initialized', {});
    return res;
  }

  /** What the web client's WorkspaceFeed sends: the workspace's files (all of them with `replace`). */
  files(files: Record<string, string>, opts: { replace?: boolean; removed?: string[] } = {}): Promise<void> {
    return this.conn.sendNotification('nginxTlsProxy/files', { files: Object.entries(files).map(([uri, text]) => ({ uri, text })), ...opts });
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** Diagnostics of `uri` for `version`, optionally the first set that satisfies `until`. */
  async diagnostics(uri: string, version?: number, until: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 30000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.diags.get(uri);
      if (p && (version === undefined || p.version === version) && until(p.diagnostics)) return p.diagnostics;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no diagnostics for ${uri} v${version}: last ${JSON.stringify(p?.diagnostics.map((d) => d.code))}; worker log: ${this.logs.join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  request<T = any>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  async workerErrors(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { workerErrors: string[] }).workerErrors);
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn?.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000).unref())]);
    } catch {
      // gone
    }
    this.conn?.dispose();
    await this.browser?.close();
    await this.http?.close();
  }
}
