// The language server: a thin adapter from LSP to the engine. Run it as `node dist/server.js --stdio`.

import * as nodeFs from 'node:fs';
import {
  CancellationSenderStrategy, CancellationToken, CancellationTokenSource, CodeAction, CodeActionKind, createConnection, Diagnostic, DiagnosticSeverity, DiagnosticTag, Hover,
  InitializeParams, InitializeResult, LSPErrorCodes, ProposedFeatures, ResponseError, TextDocuments, TextDocumentSyncKind,
  TextEdit as LspTextEdit, WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { ancestorMainConfigs, createLanguageService, Finding, isCancelled, listConfigCandidates, modulesFromNginxV, nodeCertificateParser, NodeFileSystem, resolveSettings, RULE_DOCS, Severity } from './core';
import type { ProbeResult, RawSettings } from './core';
import { registerNavigation } from './features/navigation';
import { quickFixAction } from './features/quick-fix';
import { registerInventory } from './features/inventory';
import { ON_TYPE_TRIGGERS, registerFormatting } from './features/formatting';

/** An editor cannot show more usefully; the CLI reports everything. */
const MAX_DIAGNOSTICS = 1000;

/** The cancellation sources of the latest requests by id: a cancellation read off stdin mid-request finds its own. */
const tokenSources = new Map<string | number, CancellationTokenSource>();

const connection = createConnection(ProposedFeatures.all, {
  // A request cancelled while it still waits in the queue is answered at once, never started.
  connectionStrategy: {
    cancelUndispatched: (message) => {
      const id = (message as { id?: string | number | null }).id;
      return id === undefined || id === null ? undefined : { jsonrpc: '2.0', id, error: { code: LSPErrorCodes.RequestCancelled, message: 'cancelled before it started' } };
    },
  },
  cancellationStrategy: {
    receiver: {
      kind: 'id',
      createCancellationTokenSource(id) {
        const source = new CancellationTokenSource();
        tokenSources.set(id, source);
        if (tokenSources.size > 64) tokenSources.delete(tokenSources.keys().next().value!);
        return source;
      },
    },
    sender: CancellationSenderStrategy.Message,
  },
});

// While a request runs, the event loop is blocked and nothing is read from stdin: a `$/cancelRequest` would
// wait until the request is done. The engine polls its cancellation check in its long loops; the check reads
// what has arrived on stdin (at most every 20 ms, without blocking), cancels the requests a `$/cancelRequest`
// in it names, and hands the bytes to the connection's reader (which decodes them only once the loop turns).
const peekStdin = process.argv.includes('--stdio') && (() => {
  try { const st = nodeFs.fstatSync(0); return st.isFIFO() || st.isSocket(); } catch { return false; }
})();
const peekBuffer = Buffer.allocUnsafe(1 << 16);
let lastPeek = 0;

function readIncoming(): void {
  if (!peekStdin) return;
  const now = Date.now();
  if (now - lastPeek < 20) return;
  lastPeek = now;
  const stdin = process.stdin;
  if (stdin.readableLength > 0 || !stdin.readableFlowing) return;
  let n: number;
  try { n = nodeFs.readSync(0, peekBuffer, 0, peekBuffer.length, null); } catch { return; } // EAGAIN: nothing yet
  if (n <= 0) return;
  const chunk = Buffer.from(peekBuffer.subarray(0, n));
  for (const id of cancellationsIn(chunk)) tokenSources.get(id)?.cancel();
  try {
    stdin.emit('data', chunk);
  } catch (e) {
    connection.console.error(`reading the input failed: ${(e as Error).stack ?? e}`);
  }
}

/** Ids of the `$/cancelRequest` messages whole in a piece of the JSON-RPC stream (others wait for the reader). */
function cancellationsIn(chunk: Buffer): (string | number)[] {
  const ids: (string | number)[] = [];
  if (!chunk.includes('$/cancelRequest')) return ids;
  // latin1: one character per byte, so that offsets in the text are offsets in the chunk.
  const data = chunk.toString('latin1');
  const header = /Content-Length:[ \t]*(\d+)\r\n(?:[^\r\n]+\r\n)*\r\n/gi;
  for (let m = header.exec(data); m; m = header.exec(data)) {
    const from = m.index + m[0].length;
    const body = chunk.subarray(from, from + Number(m[1])).toString('utf8');
    try {
      const msg = JSON.parse(body) as { method?: unknown; params?: { id?: unknown } };
      const id = msg.params?.id;
      if (msg.method === '$/cancelRequest' && (typeof id === 'number' || typeof id === 'string')) ids.push(id);
    } catch { /* cut off: the reader gets it whole */ }
  }
  return ids;
}

/** The engine's cancellation check for a request: its LSP token, with stdin read while the request runs. */
function checkOf(token: CancellationToken): () => boolean {
  return () => {
    if (!token.isCancellationRequested) readIncoming();
    return token.isCancellationRequested;
  };
}

/**
 * Runs a long request with the engine polling its token: a cancelled request answers RequestCancelled
 * (-32800), a failing one is logged and answers `fallback`.
 */
function cancellable<T>(name: string, token: CancellationToken, fallback: T, f: (cancel: () => boolean) => T): T | ResponseError<void> {
  if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
  try {
    return f(checkOf(token));
  } catch (e) {
    if (isCancelled(e)) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
    connection.console.error(`${name} failed: ${(e as Error).stack ?? e}`);
    return fallback;
  }
}
const documents = new TextDocuments(TextDocument);
let nfs = new NodeFileSystem();
let folders: string[] = [];
let candidateCache: string[] | null = null;
/** Main configs in the folders above open files (/etc/nginx/nginx.conf for sites-available/x opened alone). */
const ancestorCache = new Map<string, string[]>();
function candidates(): string[] {
  const found = (candidateCache ??= listConfigCandidates(folders, 5000));
  const extra: string[] = [];
  for (const d of documents.all()) {
    const p = pathOf(d.uri);
    let above = ancestorCache.get(p);
    if (!above) ancestorCache.set(p, (above = ancestorMainConfigs(p)));
    extra.push(...above);
  }
  return extra.length ? [...new Set([...found, ...extra])] : found;
}
const service = createLanguageService({
  fs: { readFile: (p) => nfs.readFile(p), readError: (p) => nfs.readError(p), realpath: (p) => nfs.realpath(p), glob: (p) => nfs.glob(p), listDir: (p) => nfs.listDir(p) },
  candidates,
  certificates: nodeCertificateParser,
  workspaceFolders: () => folders,
});
let hasConfigurationCapability = false;

/** Documents are keyed by file path; a buffer that is not a file gets a stable made-up path. */
function pathOf(uri: string): string {
  const u = URI.parse(uri);
  return u.scheme === 'file' ? u.fsPath : `/${u.scheme}/${u.path.replace(/^\/+/, '')}`;
}

function uriOf(path: string): string {
  const open = documents.all().find((d) => pathOf(d.uri) === path);
  return open ? open.uri : URI.file(path).toString();
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function toDiagnostic(f: Finding): Diagnostic {
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    source: 'nginx-tls-proxy',
    message: f.message,
    relatedInformation: f.related.map((r) => ({ location: { uri: uriOf(r.path), range: r.range }, message: r.message })),
    // Code actions find the finding again by this id, not by matching ranges and messages.
    data: { id: f.id },
  };
  if (!f.ruleId.startsWith('internal')) d.codeDescription = { href: RULE_DOCS + f.ruleId + '.md' };
  if (f.ruleId === 'tls-setting-without-effect') d.tags = [DiagnosticTag.Unnecessary];
  return d;
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  folders = (params.workspaceFolders ?? []).map((f) => URI.parse(f.uri).fsPath);
  if (folders.length === 0 && params.rootUri) folders = [URI.parse(params.rootUri).fsPath];
  hasConfigurationCapability = !!params.capabilities.workspace?.configuration;
  applySettings(params.initializationOptions ?? {});
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] },
      completionProvider: { triggerCharacters: ['$', '/'] },
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      foldingRangeProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      documentLinkProvider: { resolveProvider: false },
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      documentOnTypeFormattingProvider: ON_TYPE_TRIGGERS,
    },
    serverInfo: { name: 'nginx-tls-proxy', version: '0.1.0' },
  };
});

// Nothing is validated before the client's settings are in: a first result with the wrong nginx version
// would flash findings that then disappear.
let settingsReady: () => void;
const ready = new Promise<void>((r) => (settingsReady = r));

connection.onInitialized(async () => {
  if (hasConfigurationCapability) await pullSettings();
  settingsReady();
});

connection.onDidChangeConfiguration(async (change) => {
  if (hasConfigurationCapability) await pullSettings();
  else applySettings(change.settings?.nginxTlsProxy ?? {});
  validateAll();
});

async function pullSettings(): Promise<void> {
  try {
    const cfg = await connection.workspace.getConfiguration({ section: 'nginxTlsProxy' });
    applySettings(cfg ?? {});
  } catch {
    // A client that cannot answer keeps the defaults.
  }
}

function applySettings(raw: RawSettings): void {
  const { settings, rootConfig, problems } = resolveSettings(raw);
  if (problems.length) void connection.window.showWarningMessage(`nginx TLS proxy settings: ${problems.join('; ')}`);
  const root = rootConfig ? (rootConfig.startsWith('/') ? rootConfig : folders[0] ? folders[0] + '/' + rootConfig : rootConfig) : undefined;
  nfs = new NodeFileSystem(settings.maxAnalysisBytes);
  // New settings: cached analyses were made with the old ones.
  service.configure(settings, root);
}

// Validation runs on the newest text only: edits arriving while one runs coalesce into the next run.
const pending = new Set<string>();
let scheduled = false;

function schedule(uri: string): void {
  pending.add(uri);
  if (scheduled) return;
  scheduled = true;
  void ready.then(() => setImmediate(() => {
    scheduled = false;
    const uris = [...pending];
    pending.clear();
    for (const u of uris) validate(u);
  }));
}

/** For each open document, the files its last analysis read: a change to one of them re-checks it. */
const dependencies = new Map<string, Set<string>>();

function validateDependents(uri: string): void {
  const changed = pathOf(uri);
  const id = nfs.realpath(changed);
  schedule(uri);
  for (const d of documents.all()) {
    const deps = dependencies.get(d.uri);
    if (d.uri !== uri && (deps?.has(changed) || deps?.has(id))) schedule(d.uri);
  }
}

function validateAll(): void {
  for (const d of documents.all()) schedule(d.uri);
}

function validate(uri: string): void {
  const doc = documents.get(uri);
  if (!doc) return;
  const path = pathOf(uri);
  let diagnostics: Diagnostic[];
  try {
    // Nothing cancels diagnostics, but while they run, what arrives on stdin is read: a request cancelled
    // meanwhile is answered before it starts.
    const dx = service.diagnose(path, { cancel: () => (readIncoming(), false) });
    // By name and by identity: an edit to sites-available/x reaches the config that includes sites-enabled/x.
    dependencies.set(uri, new Set([...dx.dependencies, ...dx.dependencies.map((p) => nfs.realpath(p))]));
    const findings = dx.findings;
    diagnostics = findings.slice(0, MAX_DIAGNOSTICS).map(toDiagnostic);
    if (findings.length > MAX_DIAGNOSTICS) {
      diagnostics.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'nginx-tls-proxy', message: `${findings.length - MAX_DIAGNOSTICS} more findings are not shown (run the nginx-tls-proxy CLI for all of them).` });
    }
  } catch (e) {
    connection.console.error(`analysis of ${path} failed: ${(e as Error).stack ?? e}`);
    diagnostics = [];
  }
  connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
}

documents.onDidOpen((e) => {
  service.setText(pathOf(e.document.uri), e.document.getText());
  validateDependents(e.document.uri);
});

documents.onDidChangeContent((e) => {
  service.setText(pathOf(e.document.uri), e.document.getText());
  // Files that include or inherit from this one see the change too.
  validateDependents(e.document.uri);
});

documents.onDidClose((e) => {
  service.setText(pathOf(e.document.uri), undefined);
  connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  dependencies.delete(e.document.uri);
  validateDependents(e.document.uri);
});

connection.onDidChangeWatchedFiles(() => {
  candidateCache = null;
  ancestorCache.clear();
  nfs.forgetPaths();
  service.filesChanged();
  validateAll();
});

function toWorkspaceEdit(edits: { path: string; start: number; end: number; newText: string }[]): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of edits) (changes[uriOf(e.path)] ??= []).push({ range: service.range(e.path, e.start, e.end), newText: e.newText });
  return { changes };
}

connection.onCodeAction((params, token) => cancellable('codeAction', token, [] as CodeAction[], (cancel) => {
  {
    const path = pathOf(params.textDocument.uri);
    const actions: CodeAction[] = [];
    const only = params.context.only;
    const wantsFixAll = only?.some((k) => k === CodeActionKind.SourceFixAll || k.startsWith(CodeActionKind.SourceFixAll));
    if (wantsFixAll) {
      // Fix-all runs on save, often mid-edit: a file with syntax errors is left alone.
      const r = service.fixAll(path, cancel);
      if ('fixes' in r && r.fixes.length) {
        actions.push({ title: 'Fix all safe nginx TLS findings', kind: CodeActionKind.SourceFixAll, edit: toWorkspaceEdit(r.fixes.flatMap((x) => x.edits)) });
      }
      return actions;
    }
    for (const diag of params.context.diagnostics) {
      if (diag.source !== 'nginx-tls-proxy') continue;
      const id = (diag.data as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'string') continue;
      for (const fix of service.fixesFor(path, id)) {
        actions.push(quickFixAction(fix, diag, toWorkspaceEdit(fix.edits)));
      }
    }
    return actions;
  }
}));

connection.onHover((params): Hover | null => {
  try {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const path = pathOf(doc.uri);
    const h = service.hover(path, doc.offsetAt(params.position));
    if (!h) return null;
    return { contents: { kind: 'markdown', value: h.markdown }, range: h.start !== undefined ? service.range(path, h.start, h.end!) : undefined };
  } catch (e) {
    connection.console.error(`hover failed: ${(e as Error).stack ?? e}`);
    return null;
  }
});

registerNavigation(connection, documents, { service, pathOf, uriOf, cancellable });
registerFormatting(connection, documents, { service, pathOf, uriOf, cancellable });
registerInventory(connection, { service, pathOf, uriOf, cancellable }, () => [...documents.all().map((d) => pathOf(d.uri)), ...(candidateCache ??= listConfigCandidates(folders, 5000))], () => folders);

// The client's "Probe upstream TLS" command: the server names the upstreams and takes what the client found.
// The server itself never connects anywhere; the client probes, in a trusted workspace only.
connection.onRequest('nginxTlsProxy/probeTargets', (p: { uri: string }) => {
  try {
    return service.probeTargets(pathOf(p.uri));
  } catch (e) {
    connection.console.error(`probe targets failed: ${(e as Error).stack ?? e}`);
    return [];
  }
});
connection.onRequest('nginxTlsProxy/certificateCandidates', (p: { uri: string }) => {
  try {
    return service.certificateCandidates(pathOf(p.uri));
  } catch (e) {
    connection.console.error(`certificate candidates failed: ${(e as Error).stack ?? e}`);
    return { cas: [], clients: [] };
  }
});
connection.onRequest('nginxTlsProxy/probeResults', (p: { results: ProbeResult[] }) => {
  service.setProbeResults(Array.isArray(p.results) ? p.results : []);
  validateAll();
  return null;
});

// The client's "Use my nginx's modules" command: the client runs `nginx -V` (trusted workspace only) and the
// engine, here, reads the build out of it; the client writes the settings this answers.
connection.onRequest('nginxTlsProxy/modulesFromNginxV', (p: { text: string }) => modulesFromNginxV(typeof p?.text === 'string' ? p.text : ''));

process.on('uncaughtException', (e) => {
  // Log and keep serving: one bad request must not end the session.
  connection.console.error(`uncaught: ${e.stack ?? e}`);
});

documents.listen(connection);
connection.listen();
