// The TLS map for the client (issue 16): `nginxTlsProxy/inventory` answers every TLS use of the workspace's
// configs with LSP locations for the tree view; `nginxTlsProxy/reportHtml` answers the HTML report.

import { Connection, Range } from 'vscode-languageserver/node';
import { mergeInventories, reportHtml } from '../core';
import type { TlsInventoryUse } from '../core';
import type { Host } from './navigation';

/** More files than this are not all asked: a workspace of thousands of configs shows the first ones. */
const MAX_FILES = 2000;

export interface InventoryItem extends TlsInventoryUse {
  uri: string;
  range: Range;
  serverUri?: string;
  serverRange?: Range;
  locationUri?: string;
  locationRange?: Range;
  upstreamUri?: string;
  upstreamLine?: number;
}

export function registerInventory(connection: Connection, host: Host, files: () => string[], folders: () => string[]): void {
  const service = host.service;
  const uses = (): TlsInventoryUse[] => {
    // A file another answer already read (an include of a main config asked before) adds nothing.
    const covered = new Set<string>();
    const lists: TlsInventoryUse[][] = [];
    for (const f of [...new Set(files())].slice(0, MAX_FILES)) {
      if (covered.has(f)) continue;
      lists.push(service.inventory(f));
      for (const d of service.diagnose(f).dependencies) covered.add(d);
    }
    return mergeInventories(lists);
  };
  const at = (file: string, start: number): Range => {
    const r = service.range(file, start, start);
    return { start: r.start, end: r.start };
  };

  connection.onRequest('nginxTlsProxy/inventory', (): { uses: InventoryItem[] } => {
    try {
      return {
        uses: uses().map((u) => ({
          ...u,
          uri: host.uriOf(u.file),
          range: service.range(u.file, u.start, u.end),
          ...(u.server ? { serverUri: host.uriOf(u.server.file), serverRange: at(u.server.file, u.server.start) } : {}),
          ...(u.location ? { locationUri: host.uriOf(u.location.file), locationRange: at(u.location.file, u.location.start) } : {}),
          ...(u.upstreamAt ? { upstreamUri: host.uriOf(u.upstreamAt.file), upstreamLine: u.upstreamAt.line } : {}),
        })),
      };
    } catch (e) {
      connection.console.error(`inventory failed: ${(e as Error).stack ?? e}`);
      return { uses: [] };
    }
  });

  connection.onRequest('nginxTlsProxy/reportHtml', (): { html: string } => {
    const base = folders()[0];
    const show = (p: string) => (base && p.startsWith(base + '/') ? p.slice(base.length + 1) : p);
    try {
      return { html: reportHtml(uses(), show) };
    } catch (e) {
      connection.console.error(`report failed: ${(e as Error).stack ?? e}`);
      return { html: reportHtml([], show) };
    }
  });
}
