// Formatting: the whole document, a range (whole statements), and on-type after `;` and `}`. A config with
// syntax errors is not formatted; document and range formatting say why in a message (on-type stays quiet:
// mid-edit the file rarely parses).

import { Connection, MessageType, ShowMessageNotification, TextDocuments, TextEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LineEdit } from '../core';
import type { Host } from './navigation';

export const ON_TYPE_TRIGGERS = { firstTriggerCharacter: '}', moreTriggerCharacter: [';'] };

export function registerFormatting(connection: Connection, documents: TextDocuments<TextDocument>, host: Host): void {
  const { service } = host;
  /** `cancel`: polled as the list is converted (400 000 edits take a while); a cancelled conversion stops short. */
  const toLsp = (doc: TextDocument, edits: LineEdit[], cancel?: () => boolean): TextEdit[] => {
    const out: TextEdit[] = [];
    for (let i = 0; i < edits.length; i++) {
      if (cancel && (i & 4095) === 4095 && cancel()) return out;
      const e = edits[i];
      out.push({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText });
    }
    return out;
  };
  const run = (name: string, f: () => TextEdit[]): TextEdit[] => {
    try {
      return f();
    } catch (e) {
      connection.console.error(`${name} failed: ${(e as Error).stack ?? e}`);
      return [];
    }
  };
  const whole = (uri: string, options: { tabSize: number; insertSpaces: boolean }, range?: { start: number; end: number }, cancel?: () => boolean): TextEdit[] => {
    const doc = documents.get(uri);
    if (!doc) return [];
    const r = service.format(host.pathOf(doc.uri), { tabSize: options.tabSize, insertSpaces: options.insertSpaces }, range, cancel);
    if ('error' in r) {
      // A notification, not window/showMessageRequest: nothing to answer, nothing to wait for.
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `nginx TLS proxy: ${r.error}` });
      return [];
    }
    return toLsp(doc, r.edits, cancel);
  };

  // Long requests take the request's token: a cancelled one answers RequestCancelled instead of running on.
  connection.onDocumentFormatting((p, token) => host.cancellable('formatting', token, [] as TextEdit[], (cancel) => whole(p.textDocument.uri, p.options, undefined, cancel)));
  connection.onDocumentRangeFormatting((p, token) => host.cancellable('rangeFormatting', token, [] as TextEdit[], (cancel) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return whole(p.textDocument.uri, p.options, { start: doc.offsetAt(p.range.start), end: doc.offsetAt(p.range.end) }, cancel);
  }));
  connection.onDocumentOnTypeFormatting((p) => run('onTypeFormatting', () => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc || (p.ch !== ';' && p.ch !== '}')) return [];
    // The position is just after the typed character.
    const offset = doc.offsetAt(p.position) - 1;
    if (offset < 0) return [];
    return toLsp(doc, service.formatOnType(host.pathOf(doc.uri), offset, { tabSize: p.options.tabSize, insertSpaces: p.options.insertSpaces }));
  }));
}
