// `npm run bench`: throughput of our parser and full analysis against the other parsers and the physical
// floor, on generated configs of 10 … 10 000 servers, a ~20 MB config and the real-world corpus; LSP
// latencies and memory of the real server process; bundle size. Prints a table and writes bench/results.md.
// Installs nothing: crossplane and nginx are used only if they are on the machine (for crossplane, a local
// checkout works: PYTHONPATH=/path/to/crossplane npm run bench).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
if (!fs.existsSync(path.join(ROOT, 'dist/core.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
const core = require(path.join(ROOT, 'dist/core.js'));
const nginxConf = require('nginx-conf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-bench-'));

// ---- inputs ---------------------------------------------------------------------------------------
function server(i) {
  return `    # virtual host ${i}
    server {
        listen 443 ssl;
        server_name s${i}.example.com www.s${i}.example.com;
        ssl_certificate ${tmp}/cert.pem;
        ssl_certificate_key ${tmp}/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://app_${i % 20};
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }
        location /api/ {
            proxy_pass https://api_${i % 20};
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate ${tmp}/cert.pem;
            proxy_ssl_name api.example.com;
            proxy_ssl_server_name on;
            proxy_set_header Host $host;
        }
        location /legacy/ {
            proxy_pass https://127.0.0.${1 + (i % 250)}:8443;
        }
        location ~* \\.(png|jpg|css|js)$ {
            expires 30d;
            if ($arg_nocache) { add_header Cache-Control no-store; }
        }
    }
`;
}

function config(n) {
  let out = 'events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; "" close; }\n';
  for (let i = 0; i < 20; i++) out += `    upstream app_${i} { server 127.0.0.1:${8000 + i}; }\n    upstream api_${i} { server 127.0.0.1:${9000 + i}; keepalive 8; }\n`;
  for (let i = 0; i < n; i++) out += server(i);
  return out + '}\n';
}

// ---- measuring -----------------------------------------------------------------------------------
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f, runs) {
  f(); // warm-up
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

/** The physical floor: count ; { } outside quotes and comments, nothing else. */
function floor(text) {
  let n = 0;
  let q = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (q) { if (c === 92) i++; else if (c === q) q = 0; continue; }
    if (c === 35) { const j = text.indexOf('\n', i); i = j < 0 ? text.length : j; continue; }
    if (c === 34 || c === 39) q = c;
    else if (c === 59 || c === 123 || c === 125) n++;
  }
  return n;
}

const ours = (text) => core.parse(text);
const oursFull = (text) => core.analyze('/bench/nginx.conf', core.memoryFileSystem({ '/bench/nginx.conf': text }), core.defaultSettings());
const peer = (text) => nginxConf.parse(text);

const crossplane = (() => {
  for (const cmd of [['crossplane'], ['python3', '-m', 'crossplane']]) {
    const r = spawnSync(cmd[0], [...cmd.slice(1), '--version'], { encoding: 'utf8' });
    if (r.status === 0) return cmd;
  }
  return null;
})();
const NGINX = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null;
if (NGINX) execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${tmp}/key.pem`, '-out', `${tmp}/cert.pem`, '-days', '2', '-subj', '/CN=bench'], { stdio: 'ignore' });

function wallMs(cmd, args) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  return r.status === 0 || cmd !== NGINX ? ms : NaN;
}

const rows = [];
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
function row(tool, size, bytes, ms, oursMs) {
  rows.push({ tool, size, mb: (bytes / 1e6).toFixed(2), mbps: mbps(bytes, ms).toFixed(1), ratio: oursMs ? (ms / oursMs).toFixed(2) : '' });
}

const sizes = [10, 100, 1000, 10000];
const perMb = {};
for (const n of sizes) {
  const text = config(n);
  const bytes = Buffer.byteLength(text);
  const runs = n >= 10000 ? 3 : n >= 1000 ? 5 : 15;
  const full = time(() => oursFull(text), runs);
  perMb[n] = full / (bytes / 1e6);
  row('ours: parse + all rules', `${n} servers`, bytes, full, full);
  row('ours: parse only', `${n} servers`, bytes, time(() => ours(text), runs), full);
  row('floor: count ; { } only', `${n} servers`, bytes, time(() => floor(text), runs), full);
  row('nginx-conf (npm)', `${n} servers`, bytes, time(() => peer(text), n >= 10000 ? 1 : runs), full);
  const file = path.join(tmp, `n${n}.conf`);
  fs.writeFileSync(file, text);
  if (crossplane) row('crossplane', `${n} servers`, bytes, wallMs(crossplane[0], [...crossplane.slice(1), 'parse', file]), full);
  if (NGINX) row('nginx -t', `${n} servers`, bytes, wallMs(NGINX, ['-t', '-q', '-c', file, '-p', tmp + '/', '-e', '/dev/null']), full);
}

// ~20 MB
let big = config(10000);
while (Buffer.byteLength(big) < 20e6) big = big.replace(/\n}\n$/, '\n') + config(2000).slice(config(0).length - 2);
const bigBytes = Buffer.byteLength(big);
const bigFile = path.join(tmp, 'big.conf');
fs.writeFileSync(bigFile, big);
const bigFull = time(() => oursFull(big), 2);
row('ours: parse + all rules', '20 MB', bigBytes, bigFull, bigFull);
row('ours: parse only', '20 MB', bigBytes, time(() => ours(big), 2), bigFull);
row('floor: count ; { } only', '20 MB', bigBytes, time(() => floor(big), 3), bigFull);
row('nginx-conf (npm)', '20 MB', bigBytes, time(() => peer(big), 1), bigFull);
if (crossplane) row('crossplane', '20 MB', bigBytes, wallMs(crossplane[0], [...crossplane.slice(1), 'parse', bigFile]), bigFull);

// The corpus, file by file.
const corpusDir = path.resolve(ROOT, '../shared/corpus/files');
const corpus = [];
(function walk(d) { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else corpus.push(fs.readFileSync(p, 'latin1')); } })(corpusDir);
const corpusBytes = corpus.reduce((a, t) => a + Buffer.byteLength(t), 0);
const corpusFull = time(() => corpus.forEach((t) => oursFull(t)), 3);
row('ours: parse + all rules', `corpus (${corpus.length} files)`, corpusBytes, corpusFull, corpusFull);
row('nginx-conf (npm)', `corpus (${corpus.length} files)`, corpusBytes, time(() => corpus.forEach((t) => { try { peer(t); } catch { /* it throws on some */ } }), 3), corpusFull);

// ---- the real server over stdio ---------------------------------------------------------------------
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
async function lsp() {
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => { const w = waiting.get(`${p.uri}#${p.version}`); if (w) { waiting.delete(`${p.uri}#${p.version}`); w(); } });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  conn.sendNotification('initialized', {});
  const until = (uri, v) => new Promise((r) => waiting.set(`${uri}#${v}`, r));
  // 1 MB: keystrokes → diagnostics (the size is printed with the result)
  let text = config(860); // ≈ 1 MB
  const uri = 'file:///bench/one-mb.conf';
  let v = 1;
  let done = until(uri, v);
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: v, text } });
  await done;
  const keys = [];
  const lines = text.split('\n');
  const target = lines.findIndex((l) => l.includes('location /legacy/'));
  for (let i = 0; i < 50; i++) {
    v++;
    const ch = i % 2 ? ' ' : '#';
    done = until(uri, v);
    const t = performance.now();
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: target, character: 0 }, end: { line: target, character: 0 } }, text: ch }] });
    await done;
    keys.push(performance.now() - t);
  }
  const hovers = [];
  const comps = [];
  for (let i = 0; i < 30; i++) {
    let t = performance.now();
    await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: target + 1, character: 14 } });
    hovers.push(performance.now() - t);
    t = performance.now();
    await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: target + 1, character: 12 } });
    comps.push(performance.now() - t);
  }
  // 20 MB: memory after opening it.
  const bigUri = 'file:///bench/big.conf';
  done = until(bigUri, 1);
  const t0 = performance.now();
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: bigUri, languageId: 'nginx', version: 1, text: big } });
  await done;
  const openBigMs = performance.now() - t0;
  const rss = Number(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
  proc.kill();
  const p = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
  return { p50: p(keys, 0.5), p95: p(keys, 0.95), hover: p(hovers, 0.5), completion: p(comps, 0.5), rss, openBigMs, editMb: Buffer.byteLength(text) / 1e6 };
}
const l = await lsp();

// Activation: loading the client bundle (VS Code's own module stubbed).
const Module = require('node:module');
const origLoad = Module._load;
const vscodeStub = new Proxy({}, { get: () => class {} });
Module._load = function (request, ...rest) { return request === 'vscode' ? vscodeStub : origLoad.call(this, request, ...rest); };
const ta = performance.now();
require(path.join(ROOT, 'dist/extension.js'));
const activationLoadMs = performance.now() - ta;
Module._load = origLoad;

const distBytes = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.js')).reduce((a, f) => a + fs.statSync(path.join(ROOT, 'dist', f)).size, 0);

// ---- report -------------------------------------------------------------------------------------
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? os.cpus()[0]?.model;
let md = `# Benchmark results\n\n${new Date().toISOString()} · ${os.cpus().length} × ${cpu} · Node ${process.version}\n`;
md += `crossplane: ${crossplane ? 'measured' : 'not installed here (pure-Python; PyPI is unreachable from this machine)'} · nginx -t: ${NGINX ? 'measured (wall time of a whole run, including OpenSSL and startup)' : 'not installed'}\n\n`;
md += '| tool | input | MB | MB/s | time ÷ ours (full analysis) |\n|---|---|---:|---:|---:|\n';
for (const r of rows) md += `| ${r.tool} | ${r.size} | ${r.mb} | ${r.mbps} | ${r.ratio} |\n`;
md += `\nLinearity (ms per MB, parse + all rules): ${sizes.map((n) => `${n} servers ${perMb[n].toFixed(1)}`).join(', ')}\n`;
md += `\nLanguage server (real process over stdio):\n\n| measure | value | target |\n|---|---:|---:|\n`;
md += `| keystroke → diagnostics, ${l.editMb.toFixed(2)} MB file, p50 | ${l.p50.toFixed(1)} ms | < 30 ms |\n| same, p95 | ${l.p95.toFixed(1)} ms | < 100 ms |\n`;
md += `| hover p50 | ${l.hover.toFixed(1)} ms | < 5 ms |\n| completion p50 | ${l.completion.toFixed(1)} ms | < 20 ms |\n`;
md += `| opening the 20 MB config → diagnostics | ${l.openBigMs.toFixed(0)} ms | |\n| server RSS after the 20 MB config | ${l.rss.toFixed(0)} MB | < 150 MB |\n`;
md += `| loading dist/extension.js (activation, VS Code stubbed) | ${activationLoadMs.toFixed(1)} ms | < 100 ms |\n| dist/*.js | ${(distBytes / 1e6).toFixed(2)} MB | < 3 MB |\n`;
fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench/results.md'), md);
console.log(md);
fs.rmSync(tmp, { recursive: true, force: true });
