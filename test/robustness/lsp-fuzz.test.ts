// Random editing sessions against the real server (dist/server.js over stdio): full-text and incremental
// edits — inserts, deletes, pastes of real configs from the corpus, half-typed directives — with hovers, code
// actions (with the diagnostics the server published), completions, symbols and the other requests in
// between, some of them sent without waiting. Every request must be answered (MethodNotFound is accepted for
// a method the server does not offer), no handler may fail (the server logs a caught failure as an error
// message: that counts), the process must never exit, and the last version gets its diagnostics.
// Seeded: the seed is printed; replay with LSP_FUZZ_SEED=<seed>. LSP_FUZZ_STEPS changes the length.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, ROOT, SERVER } from '../lsp/client';
import { filesUnder, REQUIRE_SHARED, sharedMissing, sharedPath } from '../support/shared';

const CORPUS = sharedPath('corpus/files');
const HALF = [
  'proxy_pass https://', 'proxy_pass https://up', 'proxy_pass http://', 'location /x {', 'location ~ ^/a{2}$ {', 'server {',
  'server {\n    listen 443 ssl;\n', 'upstream b { server 127.0.0.1', 'proxy_ssl_verify ', 'proxy_ssl_verify on;',
  'proxy_ssl_trusted_certificate ', 'proxy_ssl_name ', 'proxy_set_header Host $', 'include ', 'include conf.d/', 'if ($a',
  'map $a $b {', 'content_by_lua_block { "}', 'content_by_lua_block { ngx.say("x") }', '"', "'", '{', '}', ';', '#', '\\',
  '${', '$host', '\r\n', '\n', '    ', 'ssl_verify_client on;', 'grpc_pass grpcs://g;', 'listen 443 ssl;', 'é', '😀',
];
const METHODS = [
  'textDocument/hover', 'textDocument/codeAction', 'textDocument/completion', 'textDocument/documentSymbol',
  'textDocument/definition', 'textDocument/references', 'textDocument/foldingRange', 'textDocument/documentLink',
  'textDocument/formatting', 'workspace/symbol', 'textDocument/signatureHelp', 'textDocument/semanticTokens/full',
];

function rng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpusFiles(): string[] {
  return filesUnder(CORPUS).filter((p) => fs.statSync(p).size < 30000);
}

const START = `events {}
http {
    include conf.d/*.conf;
    upstream up { server 127.0.0.1:8443; }
    server {
        listen 443 ssl;
        server_name a.test;
        location / {
            proxy_pass https://a.example.com;
        }
        location /u/ {
            proxy_pass https://up;
            proxy_ssl_verify on;
        }
    }
}
`;
const SITE = `server {
    listen 80;
    location /api/ {
        proxy_pass https://up;
    }
}
`;

type Pos = { line: number; character: number };

function lineStarts(text: string): number[] {
  const s = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) s.push(i + 1);
  return s;
}
function positionAt(starts: number[], offset: number): Pos {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

test('random editing sessions never break the server', { timeout: 120000 }, async () => {
  if (!fs.existsSync(SERVER)) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const seed = Number(process.env.LSP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const steps = Number(process.env.LSP_FUZZ_STEPS ?? 300);
  console.log(`lsp fuzz seed ${seed} (replay: LSP_FUZZ_SEED=${seed})`);
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)];
  const corpus = corpusFiles();
  // Without the corpus the sessions paste the start config instead of real files: weaker, still useful.
  const missing = sharedMissing('corpus/files');
  if (missing && REQUIRE_SHARED) throw new Error(`NGINX_TLS_REQUIRE_SHARED=1 but ${CORPUS} does not exist`);
  if (missing) console.log(`lsp fuzz without the corpus: ${missing}`);
  const paste = () => (corpus.length ? fs.readFileSync(pick(corpus), 'latin1') : START);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-lspfuzz-'));
  fs.mkdirSync(path.join(dir, 'conf.d'));
  fs.writeFileSync(path.join(dir, 'nginx.conf'), START);
  fs.writeFileSync(path.join(dir, 'conf.d/site.conf'), SITE);
  const client = new LspClient();
  const serverErrors: string[] = [];
  client.conn.onNotification('window/logMessage', (m: { type: number; message: string }) => {
    if (m.type === 1) serverErrors.push(m.message.slice(0, 2000));
  });
  const counts = new Map<string, number>();
  let where = 'start';
  const fail = (msg: string) => `${msg} (seed ${seed}, ${where})`;
  const pending: Promise<void>[] = [];

  /** Sends a request; resolves when answered. An error response other than MethodNotFound is a failure. */
  const ask = (method: string, params: unknown): Promise<void> => {
    const at = where;
    const answer = client.request(method, params).then(
      (reply) => {
        assert.ok(reply === null || typeof reply === 'object', fail(`${method} answered with ${typeof reply}`));
        counts.set(method, (counts.get(method) ?? 0) + 1);
      },
      (e) => {
        if (e instanceof ResponseError && e.code === ErrorCodes.MethodNotFound) { counts.set(method + ' (MethodNotFound)', (counts.get(method + ' (MethodNotFound)') ?? 0) + 1); return; }
        throw new Error(`${method} failed at ${at} (seed ${seed}): ${e?.message ?? e}`);
      },
    );
    const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`${method} not answered within 20 s at ${at} (seed ${seed})`)), 20000).unref());
    return Promise.race([answer, timeout]);
  };

  try {
    await client.initialize(dir);
    const docs = [
      { uri: 'file://' + path.join(dir, 'nginx.conf'), text: START, version: 1 },
      { uri: 'file://' + path.join(dir, 'conf.d/site.conf'), text: SITE, version: 1 },
    ];
    for (const d of docs) client.open(d.uri, d.text, d.version);
    for (const d of docs) await client.diagnostics(d.uri, d.version);

    for (let i = 0; i < steps; i++) {
      const doc = random() < 0.75 ? docs[0] : docs[1];
      const old = doc.text;
      const at = int(old.length + 1);
      const r = random();
      let start = at;
      let end = at;
      let insert = '';
      if (r < 0.35) insert = pick(HALF);
      else if (r < 0.6) end = Math.min(old.length, at + 1 + int(60));
      else if (r < 0.68) insert = paste();
      else if (r < 0.72) { start = 0; end = old.length; insert = paste(); }
      else if (r < 0.8) { end = Math.min(old.length, at + int(20)); insert = pick(HALF) + pick(HALF); }
      else insert = String.fromCharCode(32 + int(0x3000));
      let text = old.slice(0, start) + insert + old.slice(end);
      if (text.length > 150000) { start = 0; end = old.length; insert = text = paste(); }
      doc.text = text;
      doc.version++;
      where = `step ${i}, ${path.basename(doc.uri)} v${doc.version}`;
      if (random() < 0.5) {
        client.change(doc.uri, doc.version, text);
      } else {
        const ls = lineStarts(old);
        void client.conn.sendNotification('textDocument/didChange', {
          textDocument: { uri: doc.uri, version: doc.version },
          contentChanges: [{ range: { start: positionAt(ls, start), end: positionAt(ls, end) }, text: insert }],
        });
      }
      // One to three requests on the new text, at random positions (sometimes past the end of a line or of
      // the document); some are awaited, others left in flight while the next edit goes out.
      const ls = lineStarts(text);
      for (let k = 1 + int(3); k > 0; k--) {
        const target = random() < 0.8 ? doc : pick(docs);
        const tls = target === doc ? ls : lineStarts(target.text);
        const off = int(target.text.length + 1);
        let position = positionAt(tls, off);
        if (random() < 0.05) position = { line: position.line + int(3), character: position.character + int(200) };
        const method = pick(METHODS);
        const params: Record<string, unknown> = { textDocument: { uri: target.uri }, position };
        if (method === 'textDocument/codeAction') {
          const diags = await client.diagnostics(target.uri, undefined, 1000).catch(() => [] as Diagnostic[]);
          const chosen = diags.length && random() < 0.7 ? [pick(diags)] : [];
          const range = chosen.length ? chosen[0].range : { start: position, end: positionAt(tls, Math.min(target.text.length, off + int(200))) };
          params.range = range;
          params.context = random() < 0.15 ? { diagnostics: diags, only: ['source.fixAll'] } : { diagnostics: chosen };
        }
        if (method === 'textDocument/references') params.context = { includeDeclaration: true };
        if (method === 'textDocument/formatting') params.options = { tabSize: 4, insertSpaces: true };
        if (method === 'workspace/symbol') { delete params.textDocument; delete params.position; params.query = pick(['', 'up', 'server', 'x']); }
        const p = ask(method, params);
        if (random() < 0.6) await p;
        else pending.push(p);
      }
      if (random() < 0.1) await Promise.all(pending.splice(0));
      assert.equal(client.exited, null, fail(`server exited: ${client.stderr}`));
    }
    await Promise.all(pending.splice(0));
    where = 'end';
    for (const d of docs) {
      const last = await client.diagnostics(d.uri, d.version);
      assert.ok(Array.isArray(last), fail(`diagnostics for the last version of ${d.uri}`));
    }
    assert.equal(client.exited, null, fail(`server exited: ${client.stderr}`));
    console.log('requests answered: ' + [...counts].map(([m, n]) => `${m.replace('textDocument/', '')} ${n}`).join(', '));
    assert.deepEqual(serverErrors, [], fail('the server logged failures of its handlers'));
  } finally {
    await Promise.allSettled(pending);
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
