// Completion, outline, folding, navigation, links, formatting and the custom requests of the client's
// commands: each one a conversion between LSP and an engine service function.

import {
  CompletionItem, CompletionItemKind, Connection, DocumentSymbol, FoldingRange, InsertTextFormat, Location,
  MarkupKind, SymbolInformation, SymbolKind, TextDocuments, TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { computeLineStarts, EngineSettings, rangeOf } from '../engine';
import { Workspace } from '../engine/workspace';
import { FileSystem } from '../engine/model/filesystem';
import { completions } from '../engine/service/completion';
import { effectiveTls } from '../engine/service/effective-tls';
import { formatEdits } from '../engine/service/format';
import { definitionAt, documentLinks, referencesAt, Target, workspaceSymbols } from '../engine/service/navigation';
import { documentSymbols, foldingRanges, OutlineSymbol } from '../engine/service/symbols';
import { defaultCertificateName, scaffoldEdits, ScaffoldParams } from '../engine/service/scaffold';

export interface Host {
  workspace(): Workspace;
  settings(): EngineSettings;
  pathOf(uri: string): string;
  uriOf(path: string): string;
  readText(path: string): string | undefined;
  fs: FileSystem;
}

const SYMBOL_KIND: Record<OutlineSymbol['kind'], SymbolKind> = {
  namespace: SymbolKind.Namespace,
  module: SymbolKind.Module,
  class: SymbolKind.Class,
  method: SymbolKind.Method,
  field: SymbolKind.Field,
  event: SymbolKind.Event,
  struct: SymbolKind.Struct,
  key: SymbolKind.Key,
};

export function registerNavigation(connection: Connection, documents: TextDocuments<TextDocument>, host: Host): void {
  const guard = <T>(name: string, fallback: T, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      connection.console.error(`${name} failed: ${(e as Error).stack ?? e}`);
      return fallback;
    }
  };
  const analysisOf = (uri: string) => host.workspace().analyzeFile(host.pathOf(uri));
  const toLocation = (t: Target): Location => {
    const text = host.readText(t.path) ?? '';
    return { uri: host.uriOf(t.path), range: rangeOf(computeLineStarts(text), t.start, t.end) };
  };

  connection.onCompletion((p) => guard('completion', [] as CompletionItem[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const path = host.pathOf(doc.uri);
    const offset = doc.offsetAt(p.position);
    const text = doc.getText();
    const a = analysisOf(doc.uri).analyses[0];
    if (!a) return [];
    return completions(a.model, path, text, offset, host.fs).map((c) => {
      const range = { start: doc.positionAt(c.replaceStart), end: doc.positionAt(c.replaceEnd) };
      const item: CompletionItem = {
        label: c.label,
        kind: c.kind === 'directive' ? CompletionItemKind.Keyword : c.kind === 'upstream' ? CompletionItemKind.Module : c.kind === 'variable' ? CompletionItemKind.Variable : c.kind === 'file' ? (c.label.endsWith('/') ? CompletionItemKind.Folder : CompletionItemKind.File) : CompletionItemKind.Value,
        detail: c.detail,
        documentation: c.documentation ? { kind: MarkupKind.Markdown, value: c.documentation } : undefined,
        sortText: c.sortText,
        textEdit: { range, newText: c.snippet ?? c.label },
        insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      };
      return item;
    });
  }));

  connection.onDocumentSymbol((p) => guard('documentSymbol', [] as DocumentSymbol[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const file = host.workspace().parseCache.get(host.pathOf(doc.uri));
    const tree = file && file.tree.text === doc.getText() ? file.tree : null;
    const t = tree ?? analysisOf(doc.uri).analyses[0]?.model.files.get(host.pathOf(doc.uri))?.tree;
    if (!t) return [];
    const convert = (s: OutlineSymbol): DocumentSymbol => ({
      name: s.name,
      detail: s.detail,
      kind: SYMBOL_KIND[s.kind],
      range: { start: doc.positionAt(s.start), end: doc.positionAt(s.end) },
      selectionRange: { start: doc.positionAt(s.selectionStart), end: doc.positionAt(s.selectionEnd) },
      children: s.children.map(convert),
    });
    return documentSymbols(t).map(convert);
  }));

  connection.onFoldingRanges((p) => guard('foldingRange', [] as FoldingRange[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const t = analysisOf(doc.uri).analyses[0]?.model.files.get(host.pathOf(doc.uri))?.tree;
    if (!t) return [];
    return foldingRanges(t).map((r) => ({ startLine: r.startLine, endLine: r.endLine, kind: r.kind }));
  }));

  /** The first analysis (of the file's main configs) that has an answer at the cursor. */
  const targetsAt = (uri: string, position: { line: number; character: number }, find: typeof definitionAt): Location[] => {
    const doc = documents.get(uri);
    if (!doc) return [];
    const path = host.pathOf(doc.uri);
    const offset = doc.offsetAt(position);
    for (const a of analysisOf(doc.uri).analyses) {
      const t = find(a.model, path, offset);
      if (t.length) return t.map(toLocation);
    }
    return [];
  };

  connection.onDefinition((p) => guard('definition', [] as Location[], () => targetsAt(p.textDocument.uri, p.position, definitionAt)));

  connection.onReferences((p) => guard('references', [] as Location[], () => targetsAt(p.textDocument.uri, p.position, referencesAt)));

  connection.onDocumentLinks((p) => guard('documentLinks', [] as { range: any; target: string }[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const a = analysisOf(doc.uri).analyses[0];
    if (!a) return [];
    return documentLinks(a.model, host.pathOf(doc.uri)).map((l) => ({
      range: { start: doc.positionAt(l.start), end: doc.positionAt(l.end) },
      target: URI.file(l.target).toString(),
    }));
  }));

  connection.onWorkspaceSymbol((p) => guard('workspaceSymbol', [] as SymbolInformation[], () => {
    const ws = host.workspace();
    const seen = new Set<string>();
    const out: SymbolInformation[] = [];
    const q = p.query.toLowerCase();
    for (const doc of documents.all()) {
      for (const a of ws.analyzeFile(host.pathOf(doc.uri)).analyses) {
        for (const s of workspaceSymbols(a.model)) {
          const key = s.path + ':' + s.start;
          if (seen.has(key) || (q && !s.name.toLowerCase().includes(q))) continue;
          seen.add(key);
          out.push({ name: s.name, kind: s.kind === 'upstream' ? SymbolKind.Module : SymbolKind.Class, location: toLocation(s) });
        }
      }
    }
    return out;
  }));

  connection.onDocumentFormatting((p) => guard('formatting', [] as TextEdit[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return formatEdits(doc.getText(), { tabSize: p.options.tabSize, insertSpaces: p.options.insertSpaces }).map((e) => ({
      range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) },
      newText: e.newText,
    }));
  }));

  // The client's "Show effective TLS settings" command.
  connection.onRequest('nginxTlsProxy/effectiveTls', (p: { uri: string; position: { line: number; character: number } }) => guard('effectiveTls', null, () => {
    const doc = documents.get(p.uri);
    if (!doc) return null;
    const a = analysisOf(doc.uri).analyses[0];
    if (!a) return null;
    return effectiveTls(a.model, host.pathOf(doc.uri), doc.offsetAt(p.position), host.settings().nginxVersion);
  }));

  // The status bar: which main config(s) a file is analysed under.
  connection.onRequest('nginxTlsProxy/roots', (p: { uri: string }) => guard('roots', null, () => {
    const fa = host.workspace().analyzeFile(host.pathOf(p.uri));
    return { roots: fa.roots, inferred: fa.inferred };
  }));

  // The client's "Insert upstream mutual-TLS scaffold" command: the server knows where things may go.
  connection.onRequest('nginxTlsProxy/scaffold', (p: { uri: string; position: { line: number; character: number }; params: ScaffoldParams }) => guard('scaffold', null, () => {
    const doc = documents.get(p.uri);
    if (!doc) return null;
    const a = analysisOf(doc.uri).analyses[0];
    if (!a) return null;
    const params = { ...p.params, certificateName: p.params.certificateName || defaultCertificateName(p.params) };
    const edits = scaffoldEdits(a.model, host.pathOf(doc.uri), doc.getText(), doc.offsetAt(p.position), params);
    if (!edits) return null;
    return { changes: { [doc.uri]: edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText })) } };
  }));
}
