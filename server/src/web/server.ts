// The language server in a browser (vscode.dev, github.dev): a Web Worker started by the web client
// (client/src/web/extension.ts). Same engine, same LSP wiring (language-server.ts); only the environment differs.
//
// Files: the engine reads synchronously (model/filesystem.ts), and a worker cannot block on the client's
// workspace.fs. So the client hands over the workspace's nginx files (and certificates) at start and on every
// change with the `nginxTlsProxy/files` notification, and the server reads them from memory here.

import { BrowserMessageReader, BrowserMessageWriter, createConnection, ProposedFeatures } from 'vscode-languageserver/browser';
import { pathOf, startLanguageServer } from '../language-server';
import { WorkspaceFiles, type FilesParams } from './workspace-files';
import { webCertificateParser } from './web-certificates';

// The worker's global scope: it posts and receives messages like a Worker object does.
const scope = self as unknown as Worker;
const connection = createConnection(ProposedFeatures.all, new BrowserMessageReader(scope), new BrowserMessageWriter(scope));
const workspace = new WorkspaceFiles(pathOf);

let delivered: () => void;
const ready = new Promise<void>((r) => (delivered = r));

const server = startLanguageServer(connection, {
  fileSystem: (maxBytes) => workspace.fileSystem(maxBytes),
  candidates: (folders) => workspace.candidates(folders),
  uriOf: (path) => workspace.uriOf(path),
  defer: (fn) => setTimeout(fn, 0),
  ready,
  // Certificates and keys arrive with the other files (PEM is text); this parser needs no Node and no await.
  certificates: webCertificateParser,
  workspaceFolders: (uris) => workspace.setFolders(uris),
  // Files a config names that the client's globs did not send (`ssl/site.cert`): asked for by URI.
  fetchMissing: () => {
    const { ask, waits } = workspace.takeMisses();
    if (ask.length) {
      const paths = ask.map((a) => a.path);
      const answer = connection.sendRequest<FilesParams>('nginxTlsProxy/readFiles', { uris: ask.map((a) => a.uri) }).then(
        (r) => {
          const files = Array.isArray(r?.files) ? r.files : [];
          workspace.answered(paths, files);
          return files.length > 0;
        },
        // A client that cannot read them (an older one): the files are missing as far as the server can tell.
        () => {
          workspace.answered(paths, []);
          return false;
        },
      );
      workspace.asking(paths, answer);
      waits.push(answer);
    }
    return waits.length ? Promise.all(waits).then((got) => got.some(Boolean)) : undefined;
  },
});

connection.onNotification('nginxTlsProxy/files', (p: FilesParams) => {
  workspace.apply(p);
  delivered();
  server.filesChanged();
});

scope.addEventListener('error', (e: ErrorEvent) => {
  // Log and keep serving: one bad request must not end the session.
  connection.console.error(`uncaught: ${e.error?.stack ?? e.message}`);
});

connection.listen();
