// Random editing sessions against the real server over stdio: inserts, deletes, pastes of real configs,
// half-typed directives, with hovers, code actions, completions and symbols in between. Every request must
// be answered and the server must never exit. Seeded: the seed is printed, so a failure can be replayed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../lsp/client';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/files');
const HALF = ['proxy_pass https://', 'location /x {', 'proxy_ssl_verify ', '"', "'", '{', '}', ';', '#', 'if ($a', '${', 'content_by_lua_block { "}', '\r\n', 'upstream b { server 127.0.0.1', 'server {\n listen 443 ssl;\n'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function corpusSamples(): string[] {
  const out: string[] = [];
  const stack = [CORPUS];
  while (stack.length && out.length < 60) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (out.length < 60 && fs.statSync(p).size < 20000) out.push(fs.readFileSync(p, 'latin1'));
    }
  }
  return out;
}

test('random editing sessions never break the server', { timeout: 180000 }, async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100000);
  console.log(`lsp fuzz seed ${seed} (FUZZ_SEED=${seed} to replay)`);
  const random = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(random() * a.length)];
  const samples = corpusSamples();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-fuzz-'));
  const client = new LspClient();
  try {
    await client.initialize(dir);
    const uri = 'file://' + path.join(dir, 'nginx.conf');
    let text = 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass https://a.example.com;\n        }\n    }\n}\n';
    let version = 1;
    client.open(uri, text, version);
    await client.diagnostics(uri, version);
    for (let i = 0; i < 300; i++) {
      const at = Math.floor(random() * (text.length + 1));
      const r = random();
      if (r < 0.35) text = text.slice(0, at) + pick(HALF) + text.slice(at);
      else if (r < 0.6) text = text.slice(0, at) + text.slice(at + Math.floor(random() * 40));
      else if (r < 0.7) text = text.slice(0, at) + pick(samples) + text.slice(at);
      else if (r < 0.75) text = pick(samples);
      else text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + text.slice(at);
      if (text.length > 200000) text = text.slice(0, 100000);
      client.change(uri, ++version, text);
      const lines = text.split('\n');
      const line = Math.floor(random() * lines.length);
      const position = { line, character: Math.floor(random() * (lines[line].length + 1)) };
      const kind = Math.floor(random() * 5);
      const method = ['textDocument/hover', 'textDocument/codeAction', 'textDocument/completion', 'textDocument/documentSymbol', 'textDocument/definition'][kind];
      const params: Record<string, unknown> = { textDocument: { uri }, position };
      if (kind === 1) Object.assign(params, { range: { start: position, end: position }, context: { diagnostics: [] } });
      const reply = await Promise.race([client.request(method, params), new Promise((_, reject) => setTimeout(() => reject(new Error(`${method} not answered (seed ${seed}, step ${i})`)), 20000).unref())]);
      assert.ok(reply === null || typeof reply === 'object', `${method} answered`);
      assert.equal(client.exited, null, `server exited (seed ${seed}, step ${i}): ${client.stderr}`);
    }
    const last = await client.diagnostics(uri, version);
    assert.ok(Array.isArray(last), 'diagnostics for the final version');
    assert.equal(client.exited, null);
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
