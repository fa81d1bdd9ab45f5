// The language server on Node: run it as `node dist/server.js --stdio` (or over IPC from the VS Code client).
// The LSP wiring is shared with the browser server (language-server.ts); here: the connection and the disk.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { listConfigCandidates, NodeFileSystem } from './core';
import { startLanguageServer } from './language-server';

const connection = createConnection(ProposedFeatures.all);

startLanguageServer(connection, {
  fileSystem: (maxBytes) => new NodeFileSystem(maxBytes),
  candidates: (folders) => listConfigCandidates(folders, 5000),
  defer: (fn) => setImmediate(fn),
});

process.on('uncaughtException', (e) => {
  // Log and keep serving: one bad request must not end the session.
  connection.console.error(`uncaught: ${e.stack ?? e}`);
});

connection.listen();
