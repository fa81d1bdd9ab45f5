// Completion, outline, folding, navigation, links and the custom requests of the client's
// commands: each one a conversion between LSP and an engine service function.

import {
  CancellationToken, CompletionItem, CompletionItemKind, Connection, DocumentSymbol, FoldingRange, InsertTextFormat, Location,
  MarkupKind, ResponseError, SymbolInformation, SymbolKind, TextDocuments, Range,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LanguageService, OutlineSymbol, ScaffoldParams, Target } from '../core';

export interface Host {
  service: LanguageService;
  pathOf(uri: string): string;
  uriOf(path: string): string;
  /** Runs a long request with the engine polling the request's token (RequestCancelled once it is cancelled). */
  cancellable<T>(name: string, token: CancellationToken, fallback: T, f: (cancel: () => boolean) => T): T | ResponseError<void>;
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

/** Deeper outlines are flattened at this depth (nobody reads an outline 200 blocks deep; JSON.stringify recurses). */
const MAX_OUTLINE_DEPTH = 200;

export function registerNavigation(connection: Connection, documents: TextDocuments<TextDocument>, host: Host): void {
  const guard = <T>(name: string, fallback: T, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      connection.console.error(`${name} failed: ${(e as Error).stack ?? e}`);
      return fallback;
    }
  };
  const service = host.service;
  const toLocation = (t: Target): Location => ({ uri: host.uriOf(t.path), range: service.range(t.path, t.start, t.end) });

  connection.onCompletion((p) => guard('completion', [] as CompletionItem[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return service.complete(host.pathOf(doc.uri), doc.offsetAt(p.position)).map((c) => {
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
    // Converted with an explicit stack: an outline 100 000 blocks deep must not overflow the call stack. Nor
    // may the reply: JSON.stringify recurses, so symbols deeper than MAX_OUTLINE_DEPTH are listed flat at that depth.
    const out: DocumentSymbol[] = [];
    const work: { s: OutlineSymbol; into: DocumentSymbol[]; depth: number }[] = service.symbols(host.pathOf(doc.uri)).map((s) => ({ s, into: out, depth: 1 }));
    work.reverse();
    while (work.length) {
      const { s, into, depth } = work.pop()!;
      const d: DocumentSymbol = {
        name: s.name,
        detail: s.detail,
        kind: SYMBOL_KIND[s.kind],
        range: { start: doc.positionAt(s.start), end: doc.positionAt(s.end) },
        selectionRange: { start: doc.positionAt(s.selectionStart), end: doc.positionAt(s.selectionEnd) },
        children: [],
      };
      into.push(d);
      const deeper = depth < MAX_OUTLINE_DEPTH;
      for (let k = s.children.length - 1; k >= 0; k--) work.push({ s: s.children[k], into: deeper ? d.children! : into, depth: deeper ? depth + 1 : depth });
    }
    return out;
  }));

  connection.onFoldingRanges((p) => guard('foldingRange', [] as FoldingRange[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return service.folding(host.pathOf(doc.uri)).map((r) => ({ startLine: r.startLine, endLine: r.endLine, kind: r.kind }));
  }));

  connection.onDefinition((p) => guard('definition', [] as Location[], () => {
    const doc = documents.get(p.textDocument.uri);
    return doc ? service.definition(host.pathOf(doc.uri), doc.offsetAt(p.position)).map(toLocation) : [];
  }));

  connection.onReferences((p) => guard('references', [] as Location[], () => {
    const doc = documents.get(p.textDocument.uri);
    return doc ? service.references(host.pathOf(doc.uri), doc.offsetAt(p.position)).map(toLocation) : [];
  }));

  connection.onDocumentLinks((p) => guard('documentLinks', [] as { range: Range; target: string }[], () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return service.links(host.pathOf(doc.uri)).map((l) => ({
      range: { start: doc.positionAt(l.start), end: doc.positionAt(l.end) },
      target: host.uriOf(l.target),
    }));
  }));

  connection.onWorkspaceSymbol((p, token) => host.cancellable('workspaceSymbol', token, [] as SymbolInformation[], (cancel) => {
    const paths = documents.all().map((d) => host.pathOf(d.uri));
    return service.workspaceSymbols(paths, p.query, cancel).map((s) => ({ name: s.name, kind: s.kind === 'upstream' ? SymbolKind.Module : SymbolKind.Class, location: toLocation(s) }));
  }));

  // The client's "Show effective TLS settings" command.
  connection.onRequest('nginxTlsProxy/effectiveTls', (p: { uri: string; position: { line: number; character: number } }) => guard('effectiveTls', null, () => {
    const doc = documents.get(p.uri);
    if (!doc) return null;
    return service.effectiveTls(host.pathOf(doc.uri), doc.offsetAt(p.position));
  }));

  // The status bar: which main config(s) a file is analysed under.
  connection.onRequest('nginxTlsProxy/roots', (p: { uri: string }) => guard('roots', null, () => {
    const dx = service.diagnose(host.pathOf(p.uri));
    return { roots: dx.roots, inferred: dx.inferred };
  }));

  // The client's "Insert upstream mutual-TLS scaffold" command: the server knows where things may go.
  connection.onRequest('nginxTlsProxy/scaffold', (p: { uri: string; position: { line: number; character: number }; params: ScaffoldParams }) => guard('scaffold', null, () => {
    const doc = documents.get(p.uri);
    if (!doc) return null;
    const edits = service.scaffold(host.pathOf(doc.uri), doc.offsetAt(p.position), p.params);
    if (!edits) return null;
    return { changes: { [doc.uri]: edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText })) } };
  }));
}
