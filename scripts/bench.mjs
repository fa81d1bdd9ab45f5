// `npm run bench` (= `node scripts/bench.mjs`): throughput of our parser and of our full analysis against the
// npm nginx-conf parser, crossplane and `nginx -t` (each only when present) and the physical floor, on
// generated configs of 10 … 10 000 server blocks, a ~20 MB config and the real-world corpus; then the real
// language server: RSS after opening the 20 MB config, keystroke → diagnostics and hover latency on a 1 MB
// config; and the size of dist/*.js as shipped (production build). Prints the table and writes bench/results.md.
//
// Installs nothing. crossplane is used if `crossplane` or `python3 -m crossplane` works (a local checkout:
// PYTHONPATH=/path/to/crossplane npm run bench); nginx if /usr/sbin/nginx exists (or NGINX_BIN).
// Options: --no-build (measure the dist/ that is there), --quick (fewer repetitions, smaller sizes; a smoke run),
// --no-targets (skip scripts/bench-targets.mjs, the issue-10 targets on a findings-heavy config),
// --parse (the parser alone against a one-pass scan, old parser beside it, heap of the tree; prints only).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const started = performance.now();
const log = (...a) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s]`, ...a);

if (!process.argv.includes('--no-build')) {
  // Measure what ships: the production bundles that `npm run package` puts in the .vsix and npm package.
  log('production build');
  execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
const distBytes = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.js'))
  .reduce((a, f) => a + fs.statSync(path.join(ROOT, 'dist', f)).size, 0);
const core = require(path.join(ROOT, 'dist/core.js'));
const nginxConf = require('nginx-conf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-bench-'));
fs.chmodSync(tmp, 0o755);
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- inputs ---------------------------------------------------------------------------------------------
// One unit ≈ 2 KB: a map (http level) and a server with TLS, six locations, http and https proxy_pass to
// upstream groups (verified and not), proxy_set_header, comments and two ifs. All valid for `nginx -t`.
const CERT = `${tmp}/pki/cert.pem`;
const KEY = `${tmp}/pki/key.pem`;

function unit(i) {
  const u = i % 20;
  return `    # ---- tenant ${i} ----
    map $http_x_variant $variant_${i} {
        default     stable;
        ~^canary    canary;
        "beta"      beta;
    }

    # virtual host ${i}: app_${u} over http, api_${u} over verified TLS
    server {
        listen 443 ssl;
        server_name s${i}.example.com www.s${i}.example.com;
        ssl_certificate ${CERT};
        ssl_certificate_key ${KEY};
        ssl_protocols TLSv1.2 TLSv1.3;
        client_max_body_size 10m;
        add_header Strict-Transport-Security "max-age=31536000" always;

        location / {
            proxy_pass http://app_${u};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Variant $variant_${i};
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }
        location /api/ {
            # upstream TLS, verified against our CA
            proxy_pass https://api_${u};
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate ${CERT};
            proxy_ssl_name api.example.com;
            proxy_ssl_server_name on;
            proxy_ssl_protocols TLSv1.2 TLSv1.3;
            proxy_set_header Host api.example.com;
        }
        location /legacy/ {
            # upstream TLS without verification: what the analyzer reports
            proxy_pass https://127.0.0.${1 + (i % 250)}:8443;
            proxy_set_header Host $host;
        }
        location = /healthz {
            return 200 "ok\\n";
        }
        location ~* \\.(png|jpe?g|gif|css|js)$ {
            expires 30d;
            if ($arg_nocache) {
                add_header Cache-Control no-store;
            }
            proxy_pass http://app_${u};
        }
        location /admin/ {
            allow 10.0.0.0/8;
            deny all;
            if ($request_method = POST) {
                return 405;
            }
            proxy_pass http://app_${u};
        }
    }

`;
}

const HEAD = `# generated by scripts/bench.mjs
pid logs/nginx.pid;
error_log stderr;
events { worker_connections 1024; }
http {
    access_log off;
    server_names_hash_max_size 65536;
    server_names_hash_bucket_size 128;
    variables_hash_max_size 65536;
    map_hash_max_size 1048576;
    map_hash_bucket_size 256;
    map $http_upgrade $connection_upgrade { default upgrade; "" close; }
${Array.from({ length: 20 }, (_, u) => `    upstream app_${u} { server 127.0.0.1:${8000 + u}; keepalive 16; }
    upstream api_${u} { server 127.0.0.1:${9000 + u}; server 127.0.0.2:${9000 + u} backup; keepalive 8; }
`).join('')}
`;

function config(servers, extra = '') {
  const parts = [HEAD];
  for (let i = 0; i < servers; i++) parts.push(unit(i));
  parts.push(extra, '}\n');
  return parts.join('');
}

/** ~20 MB: 5 000 units (≈ 10 MB) and a redirect map of the size that tops it up, the usual way configs get that large. */
function config20() {
  const target = 20 * 1024 * 1024;
  const servers = config(5000);
  const entries = [];
  let size = servers.length;
  for (let i = 0; size < target; i++) {
    const line = `        /old/section-${i}/index.html    /new/s${i % 997}/p${i}.html;\n`;
    entries.push(line);
    size += line.length;
  }
  const map = `    # ${entries.length} redirects\n    map $uri $redirect_to {\n        default "";\n${entries.join('')}    }\n`;
  return config(5000, map);
}

// ---- measuring ------------------------------------------------------------------------------------------
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const pct = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)]; };

/** Median wall time of `runs` calls after `warm` warm-up calls. */
function time(f, runs, warm = 1) {
  for (let i = 0; i < warm; i++) f();
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

/** The physical floor: count ; { } outside quotes and comments, and nothing else. */
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

// ---- `--parse`: the parser alone ------------------------------------------------------------------------
// MB/s of our parse (dist/core.js) against a one-pass scan of the same text that counts tokens, on the
// generated configs of 10 … 10 000 servers; parse ÷ scan (target ≤ 2×); per-MB cost from 10 to 10 000
// servers (target: within 1.5×); heap retained by the tree of a ~2 MB config. The old parser (object per
// token and directive, kept frozen as the tests' oracle in test/syntax/reference-parser.ts) is measured
// beside it in the same process, for before → after. Prints the table; writes nothing.

/** The one-pass scan: a loop over char codes counting tokens as nginx splits them (words, quoted strings; comments skipped). */
function scanTokens(text) {
  const len = text.length;
  let count = 0;
  for (let i = 0; i < len; i++) {
    let c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 59 || c === 123 || c === 125) continue;
    if (c === 35) { while (i < len && text.charCodeAt(i) !== 10) i++; continue; }
    count++;
    if (c === 34 || c === 39) {
      const q = c;
      for (i++; i < len; i++) { c = text.charCodeAt(i); if (c === 92) i++; else if (c === q) break; }
      continue;
    }
    for (i++; i < len; i++) {
      c = text.charCodeAt(i);
      if (c === 92) { i++; continue; }
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 59 || c === 123) break;
    }
    i--;
  }
  return count;
}

/**
 * CPU time of one call (user + system of this process: what other processes on the machine do not
 * inflate), the fastest of `runs` batches of at least 20 ms each (small inputs are not lost in the clock's grain).
 */
function cpuTime(f, runs, warm = 1) {
  for (let i = 0; i < warm; i++) f();
  let k = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < k; i++) f();
    if (performance.now() - t >= 20) break;
    k *= 2;
  }
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = process.cpuUsage();
    for (let j = 0; j < k; j++) f();
    const d = process.cpuUsage(t);
    xs.push((d.user + d.system) / 1000 / k);
  }
  // The fastest batch: on a shared machine, other work only ever adds time (caches, memory bandwidth).
  return Math.min(...xs);
}

async function parseBench() {
  const M = 1e6;
  const v8 = require('node:v8');
  const vm = require('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const esbuild = require('esbuild');
  const refFile = path.join(tmp, 'reference-parser.js');
  await esbuild.build({ entryPoints: [path.join(ROOT, 'test/syntax/reference-parser.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, outfile: refFile, logLevel: 'warning' });
  const ref = require(refFile);
  const parsers = [['old parser (objects)', (t) => ref.parse(t)], ['new parser (struct-of-arrays)', (t) => core.parse(t)]];
  const reps = { 10: [15, 30], 100: [15, 10], 1000: [11, 3], 10000: [5, 1] };
  const sizes = QUICK ? [10, 100, 1000] : [10, 100, 1000, 10000];
  const out = [];
  const perMb = {};
  let md = `# Parser benchmark (\`npm run bench -- --parse\`)\n\n- date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus()[0]?.model ?? ''}\n`;
  md += `- method: CPU time per call (process.cpuUsage: user + system, GC threads included), fastest of several batches of ≥ 20 ms after warm-up, gc() before each series; MB = 10^6 bytes; scan = one pass over char codes counting tokens\n\n`;
  md += `| input | MB | tokens | scan MB/s | old parse MB/s | new parse MB/s | old ÷ scan | new ÷ scan (target ≤ 2×) | old ms/MB | new ms/MB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n`;
  for (const n of sizes) {
    const text = config(n);
    const mb = Buffer.byteLength(text) / M;
    const [runs, warm] = reps[n];
    const tokens = scanTokens(text);
    if (core.parse(text).errors.length || ref.parse(text).errors.length) throw new Error('generated config has syntax errors');
    gc();
    const scanMs = cpuTime(() => scanTokens(text), runs, warm * 2);
    const ms = [];
    for (const [, p] of parsers) { gc(); ms.push(cpuTime(() => p(text), runs, warm)); }
    perMb[n] = ms.map((x) => x / mb);
    const r = { n, mb, tokens, scan: mb / (scanMs / 1000), old: mb / (ms[0] / 1000), neu: mb / (ms[1] / 1000), oldRatio: ms[0] / scanMs, newRatio: ms[1] / scanMs };
    out.push(r);
    log(`${n} servers: scan ${r.scan.toFixed(0)} MB/s, old ${r.old.toFixed(1)} MB/s, new ${r.neu.toFixed(1)} MB/s`);
    md += `| ${n} servers | ${mb.toFixed(2)} | ${tokens} | ${r.scan.toFixed(0)} | ${r.old.toFixed(1)} | ${r.neu.toFixed(1)} | ${r.oldRatio.toFixed(2)}× | ${r.newRatio.toFixed(2)}× ${r.newRatio <= 2 ? 'met' : 'missed'} | ${perMb[n][0].toFixed(2)} | ${perMb[n][1].toFixed(2)} |\n`;
  }
  const lo = sizes[0], hi = sizes[sizes.length - 1];
  const flatOld = perMb[hi][0] / perMb[lo][0];
  const flatNew = perMb[hi][1] / perMb[lo][1];
  // Flatness over the whole range: the worst per-MB cost over the best.
  const spread = (k) => Math.max(...sizes.map((s) => perMb[s][k])) / Math.min(...sizes.map((s) => perMb[s][k]));
  md += `\nPer-MB cost ${hi} ÷ ${lo} servers: old ${flatOld.toFixed(2)}×, new ${flatNew.toFixed(2)}× (target within 1.5×: ${flatNew <= 1.5 ? 'met' : 'missed'}); worst ÷ best over all sizes: old ${spread(0).toFixed(2)}×, new ${spread(1).toFixed(2)}×.\n`;

  // Heap retained by the tree of a ~2 MB config (JS heap + array buffers, after full collections).
  const two = config(1000);
  const heap = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const retained = (make) => {
    gc(); gc();
    const before = heap();
    const keep = make();
    gc(); gc();
    const bytes = heap() - before;
    if (!keep) throw new Error('unreachable');
    return bytes;
  };
  /** Touches everything the engine can read: every view, token value and comment (what a full analysis may do). */
  const walk = (tree) => {
    const stack = [tree.root];
    let k = 0;
    while (stack.length) {
      const b = stack.pop();
      for (const d of b.children) {
        k += d.name.length + d.nameToken.value.length + d.start + d.end + d.parent.open;
        for (const a of d.args) k += a.value.length + a.start;
        if (d.block) stack.push(d.block);
      }
    }
    for (const c of tree.comments) k += c.value.length;
    return k + tree.lineStarts.length;
  };
  const twoMb = Buffer.byteLength(two) / M;
  const hOld = retained(() => ref.parse(two));
  const hOldWalked = retained(() => { const t = ref.parse(two); walk(t); return t; });
  const hNew = retained(() => core.parse(two));
  const hNewWalked = retained(() => { const t = core.parse(two); walk(t); return t; });
  md += `\nHeap retained by the tree of a ${twoMb.toFixed(2)} MB config (1 000 servers; the text itself not counted):\n\n| | old parser | new parser | new ÷ old |\n|---|---:|---:|---:|\n`;
  md += `| right after parse | ${(hOld / M).toFixed(2)} MB | ${(hNew / M).toFixed(2)} MB | ${(hNew / hOld).toFixed(2)} |\n`;
  md += `| after reading every directive, token value, comment and line start | ${(hOldWalked / M).toFixed(2)} MB | ${(hNewWalked / M).toFixed(2)} MB | ${(hNewWalked / hOldWalked).toFixed(2)} |\n`;
  console.log(md);
}

if (process.argv.includes('--parse')) {
  await parseBench();
  process.exit(0);
}

const FILE = '/bench/nginx.conf';
const oursParse = (text) => core.parse(text);
const oursFull = (text) => core.createLanguageService({ fs: core.memoryFileSystem({ [FILE]: text }), rootConfig: FILE }).diagnose(FILE);
const peer = (text) => {
  let err = null;
  let tree = null;
  nginxConf.parse(text, (e, t) => { err = e; tree = t; });
  if (err) throw new Error(`nginx-conf: ${err.message} at line ${err.line}`);
  return tree;
};

const crossplane = (() => {
  for (const cmd of [['crossplane'], ['python3', '-m', 'crossplane']]) {
    const r = spawnSync(cmd[0], [...cmd.slice(1), '--version'], { encoding: 'utf8' });
    if (r.status === 0) return cmd;
  }
  return null;
})();
const NGINX = [process.env.NGINX_BIN, '/usr/sbin/nginx'].find((p) => p && fs.existsSync(p)) ?? null;
const nginxVersion = NGINX ? (spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.match(/nginx\/(\S+)/) ?? [])[1] : null;
let opensslOk = false;
fs.mkdirSync(`${tmp}/pki`);
fs.mkdirSync(`${tmp}/logs`);
try {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', KEY, '-out', CERT,
    '-days', '2', '-subj', '/CN=bench.example.com'], { stdio: 'ignore' });
  opensslOk = true;
} catch { /* no openssl: nginx -t cannot load the certificates, so it is skipped */ }

/** Wall time of one external run; throws with the tool's output when it fails (an invalid config is no data). */
function external(cmd, args) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').slice(0, 500)}`);
  return ms;
}
function externalMedian(cmd, args, runs, warm = 1) {
  for (let i = 0; i < warm; i++) external(cmd, args);
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(external(cmd, args));
  return median(xs);
}
const nginxT = (file) => [NGINX, ['-t', '-q', '-c', file, '-p', tmp + '/', '-e', 'stderr']];

const rows = [];
const MB = 1e6;
function row(tool, input, bytes, ms, ref, note = '') {
  rows.push({ tool, input, bytes, ms, mbps: bytes / MB / (ms / 1000), vsFull: ref.full / ms, vsParse: ref.parse / ms, note });
}

// Repetitions (timed runs after warm-up) per size: many for small inputs, few for large ones.
const SIZES = QUICK ? [10, 100, 1000] : [10, 100, 1000, 10000];
const REPS = { 10: [200, 20], 100: [40, 10], 1000: [9, 2], 10000: [3, 1] };
const NGINX_REPS = { 10: [5, 1], 100: [5, 1], 1000: [3, 1], 10000: [1, 0] };
const linear = {};

function measureInput(label, text, reps, nginxReps, extTools = true) {
  const bytes = Buffer.byteLength(text);
  const file = path.join(tmp, `${label.replace(/\W+/g, '_')}.conf`);
  fs.writeFileSync(file, text);
  log(`${label}: ${(bytes / MB).toFixed(2)} MB`);
  // Sanity: our parse sees no syntax error, the peer parses it too.
  const tree = core.parse(text);
  if (tree.errors.length) throw new Error(`generated config has syntax errors: ${tree.errors[0].message}`);
  const [runs, warm] = reps;
  const ref = { full: time(() => oursFull(text), runs, warm) };
  ref.parse = time(() => oursParse(text), runs, warm);
  row('ours: parse + all rules', label, bytes, ref.full, ref);
  row('ours: parse only', label, bytes, ref.parse, ref);
  row('floor: count ; { } outside quotes/comments', label, bytes, time(() => floor(text), Math.max(runs, 5), Math.max(warm, 2)), ref);
  row('nginx-conf (npm) parse', label, bytes, time(() => peer(text), runs, warm), ref);
  if (extTools && crossplane) {
    try { row('crossplane parse (process)', label, bytes, externalMedian(crossplane[0], [...crossplane.slice(1), 'parse', '-o', '/dev/null', file], nginxReps[0], nginxReps[1]), ref); } catch (e) { log(String(e.message)); }
  }
  if (extTools && NGINX && opensslOk) {
    try { row('nginx -t (process)', label, bytes, externalMedian(...nginxT(file), ...nginxReps), ref, 'whole run: startup, OpenSSL, certificates'); } catch (e) { log(String(e.message)); rows.push({ tool: 'nginx -t (process)', input: label, bytes, failed: true }); }
  }
  return { bytes, ...ref };
}

for (const n of SIZES) {
  const r = measureInput(`${n} servers`, config(n), REPS[n], NGINX_REPS[n]);
  linear[n] = { full: r.full / (r.bytes / MB), parse: r.parse / (r.bytes / MB) };
}

const big = QUICK ? config(2000) : config20();
const bigBytes = Buffer.byteLength(big);
measureInput(QUICK ? '2000 servers (quick)' : '~20 MB (5 000 servers + redirect map)', big, [2, 1], [1, 0]);

// The corpus, as the server sees it: every file analysed in its workspace (its main config, or a context
// inferred for a fragment), relative includes resolved between the files.
const corpusDir = path.resolve(ROOT, '../shared/corpus/files');
let corpusInfo = null;
if (fs.existsSync(corpusDir)) {
  const files = {};
  let bytes = 0;
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) { const buf = fs.readFileSync(p); bytes += buf.length; files[p] = buf.toString('latin1'); }
    }
  })(corpusDir);
  const paths = Object.keys(files).sort();
  const mfs = core.memoryFileSystem(files);
  const label = `corpus (${paths.length} files)`;
  log(`${label}: ${(bytes / MB).toFixed(2)} MB`);
  let findings = 0;
  const analyseAll = () => {
    const service = core.createLanguageService({ fs: mfs, candidates: () => paths });
    findings = 0;
    for (const p of paths) findings += service.diagnose(p).findings.length;
  };
  const ref = { full: time(analyseAll, 5, 1) };
  ref.parse = time(() => { for (const p of paths) core.parse(files[p]); }, 10, 2);
  row('ours: parse + all rules', label, bytes, ref.full, ref);
  row('ours: parse only', label, bytes, ref.parse, ref);
  row('floor: count ; { } outside quotes/comments', label, bytes, time(() => { for (const p of paths) floor(files[p]); }, 10, 2), ref);
  let peerFailed = 0;
  const peerAll = () => { peerFailed = 0; for (const p of paths) { try { peer(files[p]); } catch { peerFailed++; } } };
  row('nginx-conf (npm) parse', label, bytes, time(peerAll, 10, 2), ref, `rejects ${peerFailed} of ${paths.length} files`);
  corpusInfo = { files: paths.length, bytes, findings };
}

// ---- the real server over stdio ---------------------------------------------------------------------------
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

async function startServer() {
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map();
  const seen = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const key = `${p.uri}#${p.version}`;
    seen.set(key, { at: performance.now(), count: p.diagnostics.length });
    const w = waiting.get(key);
    if (w) { waiting.delete(key); w(); }
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('window/logMessage', (m) => { if (m.type === 1) log('server error:', m.message.slice(0, 300)); });
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
  await conn.sendNotification('initialized', {});
  /** Resolves when diagnostics for `uri` at `version` arrive (with their arrival time), or rejects after 120 s. */
  const diagnostics = (uri, version) => new Promise((resolve, reject) => {
    const key = `${uri}#${version}`;
    if (seen.has(key)) return resolve(seen.get(key));
    const t = setTimeout(() => reject(new Error(`no diagnostics for ${key}`)), 120000);
    waiting.set(key, () => { clearTimeout(t); resolve(seen.get(key)); });
  });
  const rssMb = () => {
    const s = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
    return { rss: Number(s.match(/VmRSS:\s+(\d+)/)[1]) / 1024, hwm: Number(s.match(/VmHWM:\s+(\d+)/)[1]) / 1024 };
  };
  const stop = async () => {
    try { await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]); await conn.sendNotification('exit'); } catch { /* gone */ }
    await new Promise((r) => { if (proc.exitCode !== null) r(); else { const t = setTimeout(() => { proc.kill('SIGKILL'); }, 3000); proc.on('exit', () => { clearTimeout(t); r(); }); } });
    conn.dispose();
  };
  return { proc, conn, diagnostics, rssMb, stop };
}

async function lspLatency() {
  const s = await startServer();
  const servers = Math.round(1e6 / (Buffer.byteLength(config(100)) / 100)) - 10;
  const text = config(servers);
  const uri = 'file:///bench/one-mb/nginx.conf';
  let v = 1;
  let t = performance.now();
  await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: v, text } });
  await s.diagnostics(uri, v);
  const openMs = performance.now() - t;
  // Typing: 50 characters appended to a server_name value in the middle of the file, one keystroke at a time,
  // each sent as an incremental change; the clock runs from sending it to its version's diagnostics.
  const lines = text.split('\n');
  const line = lines.findIndex((l, k) => k > lines.length / 2 && l.includes('server_name '));
  let col = lines[line].indexOf(';');
  const keys = [];
  for (let i = 0; i < 50; i++) {
    v++;
    const ch = 'abcdefghijklmnopqrstuvwxyz'[i % 26];
    t = performance.now();
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col } }, text: ch }] });
    const d = await s.diagnostics(uri, v);
    keys.push(d.at - t);
    col++;
  }
  // Hover on a directive name (proxy_ssl_verify) and on a variable, and completion, after the edits.
  const hl = lines.findIndex((l, k) => k > line && l.includes('proxy_ssl_verify on'));
  const hc = lines[hl].indexOf('proxy_ssl_verify') + 3;
  const vl = lines.findIndex((l, k) => k > line && l.includes('$remote_addr'));
  const vc = lines[vl].indexOf('$remote_addr') + 3;
  const hovers = [];
  const comps = [];
  let hoverOk = 0;
  for (let i = 0; i < 40; i++) {
    t = performance.now();
    const h = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: i % 2 ? { line: vl, character: vc } : { line: hl, character: hc } });
    hovers.push(performance.now() - t);
    if (h) hoverOk++;
    t = performance.now();
    await s.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: hl, character: 12 } });
    comps.push(performance.now() - t);
  }
  const mem = s.rssMb();
  await s.stop();
  return { bytes: Buffer.byteLength(text), openMs, p50: pct(keys, 0.5), p95: pct(keys, 0.95), max: Math.max(...keys), hover: pct(hovers, 0.5), hoverP95: pct(hovers, 0.95), hoverOk, completion: pct(comps, 0.5), rss1: mem.rss };
}

async function lspMemory() {
  const s = await startServer();
  const idle = s.rssMb().rss;
  const uri = 'file:///bench/big/nginx.conf';
  const t = performance.now();
  await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text: big } });
  const d = await s.diagnostics(uri, 1);
  const openMs = d.at - t;
  const after = s.rssMb();
  // The same, a few seconds later (the collector has had time to give memory back).
  await new Promise((r) => setTimeout(r, 3000));
  const settled = s.rssMb();
  await s.stop();
  return { idle, openMs, rss: after.rss, hwm: after.hwm, settled: settled.rss, diagnostics: d.count };
}

log('language server: 1 MB config, 50 keystrokes, hovers');
const lat = await lspLatency();
log('language server: ~20 MB config, memory');
const mem = await lspMemory();

// ---- report -----------------------------------------------------------------------------------------------
const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
const model = (cpuinfo.match(/model name\s*:\s*(.*)/) ?? [])[1] ?? os.cpus()[0]?.model ?? 'unknown';
let nproc = os.availableParallelism?.() ?? os.cpus().length;
try { nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()); } catch { /* os value */ }
const f1 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (x) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)) + '×';

let md = `# Benchmark results\n\n`;
md += `- date: ${new Date().toISOString()}\n- machine: ${nproc} CPU (nproc), ${model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}\n`;
md += `- Node ${process.version}; our engine = dist/core.js, production build (what ships)\n`;
md += `- crossplane: ${crossplane ? `measured (\`${crossplane.join(' ')} parse\`, whole process)` : 'not present on this machine: skipped (not installed: PyPI is unreachable here)'}\n`;
md += `- nginx -t: ${NGINX && opensslOk ? `nginx ${nginxVersion} (${NGINX}), whole process, self-signed certificate made once with openssl, \`-p\` a temp prefix` : 'skipped (no nginx or no openssl)'}\n`;
md += `- method: median of several timed runs after warm-up (${SIZES.map((n) => `${n} servers: ${REPS[n][0]} runs`).join(', ')}; ~20 MB: 2 runs; corpus: 5 runs); MB = 10^6 bytes\n`;
md += `- "× ours" = tool speed ÷ our speed (above 1: faster than ours), against our parse + all rules and against our parse alone\n\n`;
md += `## Throughput\n\n| tool | input | MB | ms | MB/s | × ours (parse + rules) | × ours (parse only) | note |\n|---|---|---:|---:|---:|---:|---:|---|\n`;
for (const r of rows) {
  if (r.failed) { md += `| ${r.tool} | ${r.input} | ${(r.bytes / MB).toFixed(2)} | failed | | | | see the log |\n`; continue; }
  md += `| ${r.tool} | ${r.input} | ${(r.bytes / MB).toFixed(2)} | ${f1(r.ms)} | ${f1(r.mbps)} | ${ratio(r.vsFull)} | ${ratio(r.vsParse)} | ${r.note} |\n`;
}
const lo = SIZES[0];
const hi = SIZES[SIZES.length - 1];
md += `\n## Linearity\n\nTime per MB (ms/MB): ${SIZES.map((n) => `${n} servers: parse ${f1(linear[n].parse)}, parse + rules ${f1(linear[n].full)}`).join('; ')}.\n`;
md += `Ratio ${hi} ÷ ${lo} servers: parse ${(linear[hi].parse / linear[lo].parse).toFixed(2)}, parse + rules ${(linear[hi].full / linear[lo].full).toFixed(2)} (1.00 = perfectly linear).\n`;
if (corpusInfo) md += `\nCorpus: ${corpusInfo.files} files, ${corpusInfo.bytes} bytes (${(corpusInfo.bytes / MB).toFixed(2)} MB), ${corpusInfo.findings} findings; every file through the language service's \`diagnose\` (main config or inferred context, includes resolved).\n`;
md += `\n## Language server (\`node dist/server.js --stdio\`, a real process)\n\n| measure | value |\n|---|---:|\n`;
md += `| opening a ${(lat.bytes / MB).toFixed(2)} MB config → diagnostics | ${lat.openMs.toFixed(0)} ms |\n`;
md += `| keystroke → publishDiagnostics for that version (50 incremental single-character edits), p50 | ${lat.p50.toFixed(1)} ms |\n`;
md += `| same, p95 / max | ${lat.p95.toFixed(1)} ms / ${lat.max.toFixed(1)} ms |\n`;
md += `| hover p50 / p95 (40 hovers, directive name and variable; ${lat.hoverOk} non-empty) | ${lat.hover.toFixed(2)} ms / ${lat.hoverP95.toFixed(2)} ms |\n`;
md += `| completion p50 | ${lat.completion.toFixed(2)} ms |\n`;
md += `| RSS after the 1 MB session | ${lat.rss1.toFixed(0)} MB |\n`;
md += `| RSS idle (initialized, nothing open) | ${mem.idle.toFixed(0)} MB |\n`;
md += `| opening the ${(bigBytes / MB).toFixed(1)} MB config → diagnostics (${mem.diagnostics} published) | ${mem.openMs.toFixed(0)} ms |\n`;
md += `| RSS right after those diagnostics / 3 s later / peak (VmHWM) | ${mem.rss.toFixed(0)} MB / ${mem.settled.toFixed(0)} MB / ${mem.hwm.toFixed(0)} MB |\n`;
md += `| dist/*.js, production build | ${(distBytes / 1e6).toFixed(2)} MB (${distBytes} bytes) |\n`;
// The issue-10 targets, each met or missed, on the findings-heavy config (its own script: `--targets-only`).
if (!process.argv.includes('--no-targets')) {
  log('engine targets (scripts/bench-targets.mjs)');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/bench-targets.mjs'), ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  md += '\n' + (r.status === 0 ? r.stdout : `Engine targets: the script failed (exit ${r.status}).\n`);
}
md += `\nWhole benchmark: ${((performance.now() - started) / 1000).toFixed(0)} s.\n`;

if (!QUICK) {
  fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results.md'), md);
}
console.log(md);
