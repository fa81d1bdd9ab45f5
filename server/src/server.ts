// The language server on the desktop: run it as `node dist/server.js --stdio`. The LSP wiring is the one the
// browser server uses too (language-server.ts); this entry gives it the Node environment: the disk file system
// (bounded reads, symlink identity), config discovery, the node:crypto certificate parser, and cancellation read
// off stdin while a request blocks the turn.

import * as nodeFs from 'node:fs';
import { format } from 'node:util';
import {
  CancellationSenderStrategy, CancellationTokenSource, ConnectionOptions, createConnection, ContentTypeEncoder, LSPErrorCodes, Message,
  ProposedFeatures, StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver/node';
import { ancestorMainConfigs, listConfigCandidates, nodeCertificateParser, NodeFileSystem } from './core';
import { startLanguageServer } from './language-server';

/** The cancellation sources of the latest requests by id: a cancellation read off stdin mid-request finds its own. */
const tokenSources = new Map<string | number, CancellationTokenSource>();

/**
 * The JSON of each diagnostic object sent, as UTF-8. Every keystroke publishes a document's diagnostics whole,
 * mostly the very objects published before (the language server reuses the diagnostic of a finding that did
 * not change, and never changes one it has sent): encoding the notification from these pieces skips the
 * stringifying and, above all, the UTF-8 encoding of a megabyte-long payload (its messages' em dashes make it a
 * two-byte string, which Buffer.from encodes slowly).
 */
const encodedDiagnostics = new WeakMap<object, Buffer>();

/** The library's JSON encoding, with publishDiagnostics put together from the diagnostics' cached bytes. */
const jsonEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode(msg, options) {
    try {
      return Promise.resolve(encodeDiagnostics(msg, options.charset) ?? Buffer.from(JSON.stringify(msg), options.charset));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};

/** The bytes JSON.stringify would give a publishDiagnostics notification; undefined for any other message. */
function encodeDiagnostics(msg: Message, charset: string): Buffer | undefined {
  if (!Message.isNotification(msg) || msg.method !== 'textDocument/publishDiagnostics' || charset !== 'utf-8') return undefined;
  const params = msg.params as { diagnostics?: unknown } | undefined;
  const list = params?.diagnostics;
  if (!Array.isArray(list) || !list.every((d) => typeof d === 'object' && d !== null)) return undefined;
  // The message with the list as a placeholder: the list goes where it ends, when it is the last thing in it.
  const shell = JSON.stringify({ ...msg, params: { ...params, diagnostics: 0 } });
  if (!shell.endsWith('"diagnostics":0}}')) return undefined;
  const parts: Buffer[] = [Buffer.from(shell.slice(0, -3) + '[')];
  list.forEach((d: object, i) => {
    let bytes = encodedDiagnostics.get(d);
    if (!bytes) encodedDiagnostics.set(d, (bytes = Buffer.from(JSON.stringify(d))));
    if (i > 0) parts.push(COMMA);
    parts.push(bytes);
  });
  parts.push(END);
  return Buffer.concat(parts);
}
const COMMA = Buffer.from(',');
const END = Buffer.from(']}}');

const options: ConnectionOptions = {
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
};

// Over stdio (how editors start it), the server writes with its own encoder; other transports (--node-ipc,
// --socket) are the library's as they are.
const stdio = process.argv.includes('--stdio');
const connection = stdio
  ? createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout, { contentTypeEncoder: jsonEncoder }), options)
  : createConnection(ProposedFeatures.all, options);
if (stdio) {
  // What the library does when it opens stdio itself, and not when given a reader and a writer: console output
  // goes to the client (on stdout it would break the protocol stream), and the end of the input ends the server.
  console.log = console.info = console.debug = (...a: unknown[]) => connection.console.log(format(...a));
  console.warn = (...a: unknown[]) => connection.console.warn(format(...a));
  console.error = (...a: unknown[]) => connection.console.error(format(...a));
  let shutdown = false;
  connection.onShutdown(() => void (shutdown = true));
  const gone = () => process.exit(shutdown ? 0 : 1);
  process.stdin.on('end', gone);
  process.stdin.on('close', gone);
}

// While a request runs, the event loop is blocked and nothing is read from stdin: a `$/cancelRequest` would
// wait until the request is done. The engine polls its cancellation check in its long loops; the check reads
// what has arrived on stdin (at most every 20 ms, without blocking), cancels the requests a `$/cancelRequest`
// in it names, and hands the bytes to the connection's reader (which decodes them only once the loop turns).
const peekStdin = stdio && (() => {
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

/** Main configs above each open file, by its path, until files change. */
const ancestorCache = new Map<string, string[]>();
/** The disk file system of the current settings: it forgets what it learnt of paths when files change. */
let nfs = new NodeFileSystem();

startLanguageServer(connection, {
  fileSystem: (maxBytes) => (nfs = new NodeFileSystem(maxBytes)),
  candidates: (folders) => listConfigCandidates(folders, 5000),
  // Main configs in the folders above open files (/etc/nginx/nginx.conf for sites-available/x opened alone).
  candidatesAbove: (path) => {
    let above = ancestorCache.get(path);
    if (!above) ancestorCache.set(path, (above = ancestorMainConfigs(path)));
    return above;
  },
  filesChanged: () => {
    ancestorCache.clear();
    nfs.forgetPaths();
  },
  poll: readIncoming,
  defer: (fn) => setImmediate(fn),
  certificates: nodeCertificateParser,
});

process.on('uncaughtException', (e) => {
  // Log and keep serving: one bad request must not end the session.
  connection.console.error(`uncaught: ${e.stack ?? e}`);
});

connection.listen();
