// The language server: a thin adapter from LSP to the engine. Run it as `node dist/server.js --stdio`.

import {
  CodeAction, CodeActionKind, createConnection, Diagnostic, DiagnosticSeverity, DiagnosticTag, Hover,
  InitializeParams, InitializeResult, ProposedFeatures, TextDocuments, TextDocumentSyncKind, TextEdit as LspTextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { DEFAULT_NGINX_VERSION, defaultSettings, EngineSettings, Finding, Fix, parseVersion, Severity, rangeOf, computeLineStarts } from './engine';
import { Workspace } from './engine/workspace';
import { listConfigCandidates, NodeFileSystem } from './node/node-fs';
import { argumentHoverMarkdown, hoverMarkdown } from './features/hover';
import { selectSafeFixes } from './engine/fixes/select';
import { fixHolds } from './engine/fixes/validate';
import { registerNavigation } from './features/navigation';
import { RULE_DOCS } from './output/sarif';

/** An editor cannot show more usefully; the CLI reports everything. */
const MAX_DIAGNOSTICS = 1000;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const nfs = new NodeFileSystem();
let folders: string[] = [];
let candidateCache: string[] | null = null;
let settings: EngineSettings = defaultSettings();
let explicitRoot: string | undefined;
let workspace = makeWorkspace();
let hasConfigurationCapability = false;

function makeWorkspace(): Workspace {
  return new Workspace(nfs, settings, {
    candidates: () => (candidateCache ??= listConfigCandidates(folders, 5000)),
    explicitRoot,
  });
}

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

interface ClientSettings {
  trustedCertificate?: string;
  nginxVersion?: string;
  rules?: Record<string, string>;
  rootConfig?: string;
  extraDirectives?: string[];
  maxFileSize?: number;
}

function applySettings(s: ClientSettings): void {
  const rules: EngineSettings['rules'] = {};
  for (const [k, v] of Object.entries(s.rules ?? {})) {
    if (v === 'off' || v === 'error' || v === 'warning' || v === 'information' || v === 'hint') rules[k] = v;
  }
  settings = defaultSettings({
    trustedCertificate: s.trustedCertificate || undefined,
    nginxVersion: parseVersion(s.nginxVersion || DEFAULT_NGINX_VERSION),
    rules,
    extraDirectives: new Set(s.extraDirectives ?? []),
    maxAnalysisBytes: (typeof s.maxFileSize === 'number' && s.maxFileSize > 0 ? s.maxFileSize : 64) * 1024 * 1024,
  });
  if (!settings.trustedCertificate) settings.trustedCertificate = defaultSettings().trustedCertificate;
  const root = s.rootConfig?.trim();
  explicitRoot = root ? (root.startsWith('/') ? root : folders[0] ? folders[0] + '/' + root : root) : undefined;
  // New settings, new workspace: cached analyses were made with the old ones.
  workspace = makeWorkspace();
  for (const d of documents.all()) workspace.setOverlay(pathOf(d.uri), d.getText());
}

// Validation runs on the newest text only: edits arriving while one runs coalesce into the next run.
const pending = new Set<string>();
let scheduled = false;
const published = new Map<string, Set<string>>();

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
  schedule(uri);
  for (const d of documents.all()) {
    if (d.uri !== uri && dependencies.get(d.uri)?.has(changed)) schedule(d.uri);
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
    const fa = workspace.analyzeFile(path);
    const deps = new Set<string>();
    for (const a of fa.analyses) for (const f of a.model.files.keys()) deps.add(f);
    dependencies.set(uri, deps);
    const findings = fa.findings;
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
  workspace.setOverlay(pathOf(e.document.uri), e.document.getText());
  validateDependents(e.document.uri);
});

documents.onDidChangeContent((e) => {
  workspace.setOverlay(pathOf(e.document.uri), e.document.getText());
  // Files that include or inherit from this one see the change too.
  validateDependents(e.document.uri);
});

documents.onDidClose((e) => {
  workspace.setOverlay(pathOf(e.document.uri), undefined);
  connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  dependencies.delete(e.document.uri);
  validateDependents(e.document.uri);
});

connection.onDidChangeWatchedFiles(() => {
  candidateCache = null;
  workspace.invalidate();
  validateAll();
});

function findingsFor(uri: string): Finding[] {
  return workspace.analyzeFile(pathOf(uri)).findings;
}

function toWorkspaceEdit(edits: { path: string; start: number; end: number; newText: string }[]): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of edits) {
    const open = documents.all().find((d) => pathOf(d.uri) === e.path);
    const text = open ? open.getText() : nfs.readFile(e.path) ?? '';
    const ls = computeLineStarts(text);
    const uri = open ? open.uri : URI.file(e.path).toString();
    (changes[uri] ??= []).push({ range: rangeOf(ls, e.start, e.end), newText: e.newText });
  }
  return { changes };
}

connection.onCodeAction((params) => {
  try {
    const findings = findingsFor(params.textDocument.uri);
    const actions: CodeAction[] = [];
    const only = params.context.only;
    const wantsFixAll = only?.some((k) => k === CodeActionKind.SourceFixAll || k.startsWith(CodeActionKind.SourceFixAll));
    // A file with syntax errors is mid-edit: fixes are checked against a re-parse of their result, and
    // fix-all (run on save, while typing) leaves it alone.
    const broken = findings.some((f) => f.ruleId === 'syntax-error');
    const textOf = (p: string) => documents.all().find((d) => pathOf(d.uri) === p)?.getText() ?? nfs.readFile(p) ?? '';
    const holds = (fix: Fix) => !broken || [...new Set(fix.edits.map((e) => e.path))].every((p) => fixHolds(p, textOf(p), fix));
    if (wantsFixAll || !only) {
      const safe = broken ? [] : selectSafeFixes(findings);
      if (wantsFixAll && safe.length) {
        const edits = safe.flatMap((x) => x.edits);
        actions.push({ title: 'Fix all safe nginx TLS findings', kind: CodeActionKind.SourceFixAll, edit: toWorkspaceEdit(edits) });
      }
      if (wantsFixAll) return actions;
    }
    for (const diag of params.context.diagnostics) {
      if (diag.source !== 'nginx-tls-proxy') continue;
      const f = findings.find((x) => x.ruleId === diag.code && sameRange(x.range, diag.range) && x.message === diag.message)
        ?? findings.find((x) => x.ruleId === diag.code && sameRange(x.range, diag.range));
      if (!f) continue;
      for (const fix of f.fixes) {
        if (!holds(fix)) continue;
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: fix.isPreferred, edit: toWorkspaceEdit(fix.edits) });
      }
    }
    return actions;
  } catch (e) {
    connection.console.error(`code actions failed: ${(e as Error).stack ?? e}`);
    return [];
  }
});

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

connection.onHover((params): Hover | null => {
  try {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const path = pathOf(doc.uri);
    const offset = doc.offsetAt(params.position);
    const fa = workspace.analyzeFile(path);
    for (const a of fa.analyses) {
      const ld = a.model.all.find((x) => x.file.path === path && x.d.nameToken.start <= offset && offset <= x.d.nameToken.end && x.block.kind !== 'raw');
      if (ld) {
        const md = hoverMarkdown(a.model, ld, settings);
        if (!md) return null;
        const ls = ld.file.tree.lineStarts;
        return { contents: { kind: 'markdown', value: md }, range: rangeOf(ls, ld.d.nameToken.start, ld.d.nameToken.end) };
      }
      // On an argument: a variable, or the upstream group a pass directive names.
      const owner = a.model.all.find((x) => x.file.path === path && x.d.start <= offset && offset <= (x.d.argCount ? x.d.args[x.d.argCount - 1].end : x.d.start) && x.block.kind !== 'raw');
      const md = owner && argumentHoverMarkdown(a.model, owner, offset);
      if (md) return { contents: { kind: 'markdown', value: md } };
    }
    return null;
  } catch (e) {
    connection.console.error(`hover failed: ${(e as Error).stack ?? e}`);
    return null;
  }
});

registerNavigation(connection, documents, {
  workspace: () => workspace,
  settings: () => settings,
  pathOf,
  uriOf,
  readText: (p) => documents.all().find((d) => pathOf(d.uri) === p)?.getText() ?? nfs.readFile(p),
  fs: nfs,
});

process.on('uncaughtException', (e) => {
  // Log and keep serving: one bad request must not end the session.
  connection.console.error(`uncaught: ${e.stack ?? e}`);
});

documents.listen(connection);
connection.listen();
