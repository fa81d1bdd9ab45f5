// `node scripts/bench-hardening.mjs [--no-build] [--sizes 5000,10000,20000] [--case SUBSTRING] [--timeout S]`: the super-linear paths of
// issue 17 (item 7), timed on the built language server over stdio (the way editors run it) at each size:
// fix-all on n locations with `proxy_pass https`, diagnostics of a single line with n locations, of n missing
// includes and of n stream servers, workspace symbols over n servers, formatting n multi-line strings and n
// nested blocks (with the size of the reply), the outline of n nested blocks, and how long a formatting
// request takes to answer once it is cancelled right after being sent. Prints one table.

import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const SIZES = (arg('--sizes') ?? '5000,10000,20000').split(',').map(Number);
const TIMEOUT = Number(arg('--timeout') ?? 120) * 1000;

if (!process.argv.includes('--no-build')) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-bench-hardening-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- inputs -----------------------------------------------------------------------------------------------
const http = (body) => `events {}\nhttp {\n${body}}\n`;
const CASES = {
  'fix-all, n locations with proxy_pass https': {
    text: (n) => http('    server {\n        listen 8080;\n' + Array.from({ length: n }, (_, i) => `        location /l${i} {\n            proxy_pass https://b${i}.example.com;\n        }\n`).join('') + '    }\n'),
    run: (c, uri) => c.request('textDocument/codeAction', { textDocument: { uri }, range: zero, context: { diagnostics: [], only: ['source.fixAll'] } }),
    size: (r) => r.reduce((a, x) => a + Object.values(x.edit?.changes ?? {}).reduce((b, e) => b + e.length, 0), 0) + ' edits',
  },
  'diagnostics, one line with n locations': {
    text: (n) => http('    server { listen 8080; ' + Array.from({ length: n }, (_, i) => `location /l${i} { proxy_pass https://b${i}.example.com; } `).join('') + '}\n'),
    diagnostics: true,
  },
  'diagnostics, n missing includes': {
    text: (n) => http('    server {\n        listen 8080;\n' + Array.from({ length: n }, (_, i) => `        include missing/m${i}.conf;\n`).join('') + '    }\n'),
    diagnostics: true,
  },
  'diagnostics, n stream servers': {
    text: (n) => `events {}\nstream {\n` + Array.from({ length: n }, (_, i) => `    server {\n        listen ${10000 + (i % 50000)};\n        proxy_pass b${i}.example.com:443;\n        proxy_ssl on;\n    }\n`).join('') + '}\n',
    diagnostics: true,
  },
  'workspace symbols, n servers and upstreams': {
    text: (n) => http(Array.from({ length: n }, (_, i) => `    upstream u${i} { server 10.0.0.${i % 250}:443; }\n    server { listen 8080; server_name s${i}.example.com; location / { proxy_pass http://u${i}; } }\n`).join('')),
    run: (c) => c.request('workspace/symbol', { query: '' }),
    size: (r) => r.length + ' symbols',
  },
  'formatting, n multi-line strings': {
    text: (n) => http('    server {\n        listen 8080;\n' + Array.from({ length: n }, (_, i) => `  add_header X-H${i} "first line\n   second line ${i}\n     third";\n`).join('') + '    }\n'),
    run: (c, uri) => c.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } }),
    size: (r) => r.length + ' edits, ' + mb(JSON.stringify(r).length),
  },
  // The reply of a formatting is inherently depth² (each line indented by its depth): n / 2.5 levels, so that
  // 20 000 stays a measurement (8 000 levels, ~260 MB of reply) and not an exhausted heap.
  'formatting, n / 2.5 nested blocks': {
    scale: 0.4,
    text: (n) => 'http {\n' + 'location /a {\n'.repeat(n) + '}\n'.repeat(n) + '}\n',
    run: (c, uri) => c.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } }),
    size: (r) => r.length + ' edits, ' + mb(JSON.stringify(r).length),
  },
  'outline, n nested blocks': {
    text: (n) => 'http {\n' + 'location /a {\n'.repeat(n) + '}\n'.repeat(n) + '}\n',
    run: (c, uri) => c.request('textDocument/documentSymbol', { textDocument: { uri } }),
    size: (r) => `${r.length} top-level symbol(s)`,
  },
  'formatting cancelled right after it is sent (n multi-line strings)': {
    text: (n) => CASES['formatting, n multi-line strings'].text(n),
    cancel: 0,
  },
  'formatting cancelled 0.5 s after it is sent: time from the cancellation to the answer (n multi-line strings)': {
    text: (n) => CASES['formatting, n multi-line strings'].text(n),
    cancel: 500,
  },
};
const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const mb = (n) => (n / 1048576).toFixed(1) + ' MB';

// ---- the server ---------------------------------------------------------------------------------------------
function startServer(folder) {
  const proc = spawn(process.execPath, ['--max-old-space-size=4096', path.join(ROOT, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiters = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => { waiters.get(p.uri)?.(p); });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  const c = {
    proc, conn,
    request: (m, p, token) => (token ? conn.sendRequest(m, p, token) : conn.sendRequest(m, p)),
    diagnostics: (uri) => new Promise((resolve) => waiters.set(uri, (p) => { waiters.delete(uri); resolve(p); })),
    async init() {
      await conn.sendRequest('initialize', { processId: process.pid, rootUri: 'file://' + folder, workspaceFolders: [{ uri: 'file://' + folder, name: 'b' }], capabilities: { workspace: { configuration: true } } });
      await conn.sendNotification('initialized', {});
    },
    stop() { proc.kill('SIGKILL'); conn.dispose(); },
  };
  return c;
}

const withTimeout = (p, ms) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), ms).unref())]);

async function measure(name, spec, n) {
  const folder = path.join(tmp, `${Object.keys(CASES).indexOf(name)}-${n}`);
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'nginx.conf');
  const text = spec.text(n);
  fs.writeFileSync(file, text);
  const uri = 'file://' + file;
  const c = startServer(folder);
  try {
    await c.init();
    const diags = c.diagnostics(uri);
    let t0 = performance.now();
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text } });
    const d = await withTimeout(diags, TIMEOUT);
    const diagMs = performance.now() - t0;
    if (spec.diagnostics) return { ms: diagMs, what: `${d.diagnostics.length} diagnostics, ${mb(text.length)} text` };
    if (spec.cancel !== undefined) {
      const { CancellationTokenSource } = require('vscode-jsonrpc/node');
      const source = new CancellationTokenSource();
      const p = c.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }, source.token);
      if (spec.cancel) await new Promise((r) => setTimeout(r, spec.cancel));
      t0 = performance.now();
      source.cancel();
      try {
        await withTimeout(p, TIMEOUT);
        return { ms: performance.now() - t0, what: 'answered, not cancelled' };
      } catch (e) {
        return { ms: performance.now() - t0, what: e.code === -32800 ? 'RequestCancelled (-32800)' : String(e.message ?? e) };
      }
    }
    t0 = performance.now();
    const r = await withTimeout(spec.run(c, uri), TIMEOUT);
    return { ms: performance.now() - t0, what: spec.size(r) };
  } catch (e) {
    return { ms: NaN, what: String(e.message ?? e) };
  } finally {
    c.stop();
  }
}

const only = arg('--case'); // a substring of the case names
const rows = [];
for (const [name, spec] of Object.entries(CASES)) {
  if (only && !name.includes(only)) continue;
  const cells = [];
  for (const n of SIZES) {
    const r = await measure(name, spec, Math.round(n * (spec.scale ?? 1)));
    cells.push(r);
    console.error(`${name} n=${n}: ${Number.isNaN(r.ms) ? '—' : (r.ms / 1000).toFixed(2) + ' s'} (${r.what})`);
  }
  rows.push({ name, cells });
}
console.log(`| case | ${SIZES.map((n) => 'n = ' + n).join(' | ')} |`);
console.log(`|---|${SIZES.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.name} | ${r.cells.map((x) => (Number.isNaN(x.ms) ? x.what : `${(x.ms / 1000).toFixed(2)} s (${x.what})`)).join(' | ')} |`);
