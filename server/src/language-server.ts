// The language server's LSP wiring, written once for the Node server (server.ts, stdio/IPC, files from disk) and
// the browser server (web/server.ts, a Web Worker, files handed over by the client): a thin adapter from LSP to
// the engine. The environment gives the connection, the file system, what "soon" means and the hooks only one
// side has (reading stdin mid-request, configs above an open file, asking the client for files); nothing here
// touches Node or the DOM.

import {
  CodeAction, CodeActionKind, Connection, Diagnostic, DiagnosticSeverity, DiagnosticTag, Hover,
  InitializeParams, InitializeResult, Range, TextDocuments, TextDocumentSyncKind, TextEdit as LspTextEdit,
  WorkspaceEdit, CancellationToken, LSPErrorCodes, ResponseError,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { createLanguageService, isCancelled, modulesFromNginxV, resolveSettings, RULE_DOCS } from './core';
import type { CertificateParser, FileSystem, Finding, ProbeResult, RawSettings, Severity } from './core';
import { ON_TYPE_TRIGGERS, registerFormatting } from './features/formatting';
import { registerInventory } from './features/inventory';
import { registerNavigation } from './features/navigation';
import { quickFixAction } from './features/quick-fix';

export interface ServerEnv {
  /**
   * The files the engine reads, with a per-file byte budget from the settings (default when omitted). When its
   * file systems have `realpath` (Node), a file's identity is used for dependencies too: an edit to
   * sites-available/x re-checks the config that includes sites-enabled/x.
   */
  fileSystem(maxBytes?: number): FileSystem;
  /** Files under the workspace folders that may be main configs. */
  candidates(folders: string[]): string[];
  /**
   * Main configs in the folders above an open file, outside the workspace folders (Node: /etc/nginx/nginx.conf
   * for sites-available/x opened alone). Asked for every open document; the environment caches.
   */
  candidatesAbove?(path: string): string[];
  /** Files changed behind the editor's back: the environment drops what it cached about them. */
  filesChanged?(): void;
  /**
   * Reads what has arrived for the connection while a request blocks the turn (Node: stdin), so that a
   * `$/cancelRequest` among it cancels its request at once. Called from the engine's cancellation checks.
   */
  poll?(): void;
  /** The URI of a file that is not open, when paths are not plain file: URIs (the browser's workspace). */
  uriOf?(path: string): string | undefined;
  /** Runs `fn` once the current turn is over (setImmediate in Node): pending edits coalesce into one run. */
  defer(fn: () => void): void;
  /** Validation starts when this settles (the browser: the client's first delivery of the workspace's files). */
  ready?: Promise<void>;
  /** Reads certificates and keys for the certificate rules and hovers; without one no certificate is read. */
  certificates?: CertificateParser;
  /** The workspace folders' URIs, once the client has named them. */
  workspaceFolders?(uris: string[]): void;
  /**
   * Files the last analysis looked for and the environment does not hold but may get (the browser: from the
   * client). Settles true when some arrived; undefined when there is nothing to ask.
   */
  fetchMissing?(): Promise<boolean> | undefined;
}

export interface LanguageServer {
  /** Files changed behind the editor's back: forget cached reads and analyses, re-check open documents. */
  filesChanged(): void;
}

/** Documents are keyed by file path; a buffer that is not a file gets a stable made-up path. */
export function pathOf(uri: string): string {
  const u = URI.parse(uri);
  return u.scheme === 'file' ? u.fsPath : `/${u.scheme}/${u.path.replace(/^\/+/, '')}`;
}

export function startLanguageServer(connection: Connection, env: ServerEnv): LanguageServer {
  const defer = env.defer;
  /** An editor cannot show more usefully; the CLI reports everything. */
  const MAX_DIAGNOSTICS = 1000;

  const documents = new TextDocuments(TextDocument);
  let files = env.fileSystem();
  // Identity is offered to the engine only by a file system that has it: without, a path is its own identity.
  const realpath = files.realpath ? (p: string) => files.realpath?.(p) ?? p : undefined;
  let folders: string[] = [];
  let candidateCache: string[] | null = null;
  const workspaceCandidates = (): string[] => (candidateCache ??= env.candidates(folders));
  function candidates(): string[] {
    const found = workspaceCandidates();
    if (!env.candidatesAbove) return found;
    const extra = documents.all().flatMap((d) => env.candidatesAbove!(pathOf(d.uri)));
    return extra.length ? [...new Set([...found, ...extra])] : found;
  }
  const service = createLanguageService({
    fs: { readFile: (p) => files.readFile(p), readError: (p) => files.readError?.(p), ...(realpath ? { realpath } : {}), glob: (p) => files.glob(p), listDir: (p) => files.listDir?.(p) ?? [] },
    candidates,
    certificates: env.certificates,
    // Certificate files outside the workspace folders are not the server's (model/certificates: pathMap).
    workspaceFolders: () => folders,
  });
  let hasConfigurationCapability = false;

  /**
   * The open document of each path (the first opened, when two URIs name one file): related locations ask for
   * it once per finding, so it is looked up, not found by parsing every open URI again.
   */
  const openByPath = new Map<string, string>();
  function uriOf(path: string): string {
    return openByPath.get(path) ?? env.uriOf?.(path) ?? URI.file(path).toString();
  }

  const sameRange = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

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

  /**
   * The diagnostics last made for each open document, in order. A keystroke leaves most findings as they were:
   * their diagnostics are the same objects again, not made anew (and the Node server's writer encodes each
   * object once: server.ts). A diagnostic once made is never changed.
   */
  const made = new Map<string, Diagnostic[]>();
  const idOf = (d: Diagnostic) => (d.data as { id?: string } | undefined)?.id;

  /** The diagnostics of `findings`, reusing those of `before` that still say the same. */
  function diagnosticsOf(findings: Finding[], before: Diagnostic[]): Diagnostic[] {
    let byId: Map<string | undefined, Diagnostic> | undefined;
    return findings.map((f, i) => {
      // A finding is mostly where it was in the list; when not, it is looked for by id (the map made once).
      let was: Diagnostic | undefined = before[i];
      if (was && idOf(was) !== f.id) was = (byId ??= new Map(before.map((d) => [idOf(d), d]))).get(f.id);
      return stillSays(was, f) ?? toDiagnostic(f);
    });
  }

  /** `d` when it still says exactly what `f` says (everything else in a diagnostic follows from the rule). */
  function stillSays(d: Diagnostic | undefined, f: Finding): Diagnostic | undefined {
    if (!d || d.message !== f.message || d.code !== f.ruleId || d.severity !== SEVERITY[f.severity] || !sameRange(d.range, f.range)) return undefined;
    const was = d.relatedInformation!, now = f.related;
    if (was.length !== now.length) return undefined;
    for (let i = 0; i < now.length; i++) {
      const a = was[i], b = now[i];
      if (a.message !== b.message || !sameRange(a.location.range, b.range) || a.location.uri !== uriOf(b.path)) return undefined;
    }
    return d;
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folderUris = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (folderUris.length === 0 && params.rootUri) folderUris.push(params.rootUri);
    folders = folderUris.map(pathOf);
    env.workspaceFolders?.(folderUris);
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
    // The browser's file system arrives from the client: its first delivery is awaited like the settings.
    await env.ready;
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
    files = env.fileSystem(settings.maxAnalysisBytes);
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
    void ready.then(() => defer(() => {
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
    const id = realpath?.(changed) ?? changed;
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
      // Nothing cancels diagnostics, but while they run, what arrives is read (env.poll): a request cancelled
      // meanwhile is answered before it starts.
      const poll = env.poll;
      const dx = service.diagnose(path, poll ? { cancel: () => (poll(), false) } : undefined);
      // By name and by identity: an edit to sites-available/x reaches the config that includes sites-enabled/x.
      dependencies.set(uri, new Set(realpath ? [...dx.dependencies, ...dx.dependencies.map(realpath)] : dx.dependencies));
      const findings = dx.findings;
      diagnostics = diagnosticsOf(findings.slice(0, MAX_DIAGNOSTICS), made.get(uri) ?? []);
      made.set(uri, [...diagnostics]);
      if (findings.length > MAX_DIAGNOSTICS) {
        diagnostics.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'nginx-tls-proxy', message: `${findings.length - MAX_DIAGNOSTICS} more findings are not shown (run the nginx-tls-proxy CLI for all of them).` });
      }
    } catch (e) {
      connection.console.error(`analysis of ${path} failed: ${(e as Error).stack ?? e}`);
      diagnostics = [];
    }
    // A file the analysis missed may only be missing here (the browser holds what the client sent): ask for it
    // before saying it is missing. What arrives re-checks every open document; if nothing does, these stand.
    const fetching = env.fetchMissing?.();
    if (fetching) {
      const version = doc.version;
      void fetching.then((got) => {
        if (got) filesChanged();
        else if (documents.get(uri)?.version === version) connection.sendDiagnostics({ uri, version, diagnostics });
      });
      return;
    }
    connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  }

  documents.onDidOpen((e) => {
    const path = pathOf(e.document.uri);
    if (!openByPath.has(path)) openByPath.set(path, e.document.uri);
    service.setText(path, e.document.getText());
    validateDependents(e.document.uri);
  });

  documents.onDidChangeContent((e) => {
    service.setText(pathOf(e.document.uri), e.document.getText());
    // Files that include or inherit from this one see the change too.
    validateDependents(e.document.uri);
  });

  documents.onDidClose((e) => {
    const path = pathOf(e.document.uri);
    if (openByPath.get(path) === e.document.uri) {
      openByPath.delete(path);
      const other = documents.all().find((d) => pathOf(d.uri) === path);
      if (other) openByPath.set(path, other.uri);
    }
    service.setText(path, undefined);
    connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    dependencies.delete(e.document.uri);
    made.delete(e.document.uri);
    validateDependents(e.document.uri);
  });

  function filesChanged(): void {
    candidateCache = null;
    env.filesChanged?.();
    service.filesChanged();
    validateAll();
  }

  connection.onDidChangeWatchedFiles(filesChanged);

  function toWorkspaceEdit(edits: { path: string; start: number; end: number; newText: string }[]): WorkspaceEdit {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const e of edits) (changes[uriOf(e.path)] ??= []).push({ range: service.range(e.path, e.start, e.end), newText: e.newText });
    return { changes };
  }

  /**
   * Runs a long request with the engine polling its token: a cancelled request answers RequestCancelled
   * (-32800), a failing one is logged and answers `fallback`. The check also reads what has arrived (env.poll):
   * the Node server's turn is blocked while a request runs, so its `$/cancelRequest` would wait otherwise (a
   * worker gets it between its turns).
   */
  function cancellable<T>(name: string, token: CancellationToken, fallback: T, f: (cancel: () => boolean) => T): T | ResponseError<void> {
    if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
    const cancel = () => {
      if (!token.isCancellationRequested) env.poll?.();
      return token.isCancellationRequested;
    };
    try {
      const answer = f(cancel);
      // Cancelled after the engine's part, while its answer was made into LSP's (a huge edit list): the
      // client no longer wants it, and it says so rather than getting what it dropped.
      return cancel() ? new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`) : answer;
    } catch (e) {
      if (isCancelled(e)) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      connection.console.error(`${name} failed: ${(e as Error).stack ?? e}`);
      return fallback;
    }
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
  // The TLS upstreams view and report: every open document and every main config candidate of the workspace.
  registerInventory(connection, { service, pathOf, uriOf, cancellable }, () => [...documents.all().map((d) => pathOf(d.uri)), ...workspaceCandidates()], () => folders);

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
  connection.onRequest('nginxTlsProxy/probeResults', (p: { results: ProbeResult[] }) => {
    service.setProbeResults(Array.isArray(p.results) ? p.results : []);
    validateAll();
    return null;
  });
  // The client's "Use my nginx's modules" command: the client runs `nginx -V` (trusted workspace only) and the
  // engine, here, reads the build out of it; the client writes the settings this answers.
  connection.onRequest('nginxTlsProxy/modulesFromNginxV', (p: { text: string }) => modulesFromNginxV(typeof p?.text === 'string' ? p.text : ''));
  // The mutual-TLS scaffold offers the workspace's CA and client certificates (read with env.certificates).
  connection.onRequest('nginxTlsProxy/certificateCandidates', (p: { uri: string }) => {
    try {
      return service.certificateCandidates(pathOf(p.uri));
    } catch (e) {
      connection.console.error(`certificate candidates failed: ${(e as Error).stack ?? e}`);
      return { cas: [], clients: [] };
    }
  });

  documents.listen(connection);
  return { filesChanged };
}
