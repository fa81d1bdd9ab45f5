// Diagnostics published while typing are the ones a first look at the same text publishes: the server reuses
// the diagnostics of findings an edit left alone and writes them from bytes it encoded before, and that may not
// show. Two real server processes: one is typed into (incremental edits), the other is handed each text afresh
// (closed and opened again).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { applyLspEdits, LspClient } from './client';

// Findings with related locations, and messages that name other lines (an inserted line changes them).
const START = `events {}
http {
    upstream plain { server 10.0.1.1:8443; }
    server {
        listen 443 ssl;
        server_name a.example.com;
        ssl_certificate /etc/nginx/tls/h.crt;
        ssl_certificate_key /etc/nginx/tls/h.key;
        location /a/ { proxy_pass https://plain; proxy_set_header X-Real-IP $remote_addr; }
        location /b/ { proxy_pass https://10.1.0.1:8443; }
    }
    server {
        listen 443 ssl;
        server_name b.example.com;
        ssl_certificate /etc/nginx/tls/h.crt;
        ssl_certificate_key /etc/nginx/tls/h.key;
        location / { proxy_pass https://plain; proxy_ssl_verify on; }
        location /x { proxy_ssl_protocols TLSv1; }
    }
}
`;

type Position = { line: number; character: number };
const at = (text: string, line: number, needle: string): Position => ({ line, character: text.split('\n')[line].indexOf(needle) });
const plus = (p: Position, n: number): Position => ({ line: p.line, character: p.character + n });
/** Each edit is placed on the text it applies to: [start, end (default: start), new text]. */
const EDITS: ((text: string) => [Position, Position | null, string])[] = [
  (t) => [at(t, 5, ';'), null, 'x'],
  (t) => [at(t, 5, ';'), null, 'y'],
  (t) => [at(t, 8, '; proxy_set'), null, 'b'],
  (t) => [plus(at(t, 8, '; proxy_set'), -1), at(t, 8, '; proxy_set'), ''],
  (t) => [at(t, 8, 'proxy_pass'), null, ' '],
  (t) => [at(t, 16, 'on;'), plus(at(t, 16, 'on;'), 2), 'off'],
  () => [{ line: 2, character: 0 }, null, '\n'],
  // A space becomes a line break: every offset after it stays, every line number moves.
  (t) => [plus(at(t, 3, '{'), 1), plus(at(t, 3, '{'), 2), '\n'],
  () => [{ line: 19, character: 0 }, { line: 20, character: 0 }, ''],
  (t) => [at(t, 15, ';'), null, '.test'],
];

let dir: string;
let typed: LspClient;
let fresh: LspClient;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-publish-'));
  typed = new LspClient();
  fresh = new LspClient();
  await Promise.all([typed.initialize(dir), fresh.initialize(dir)]);
});

after(async () => {
  await Promise.all([typed.stop(), fresh.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('diagnostics after each keystroke equal those of the same text opened afresh, ids and fixes included', async () => {
  const uri = 'file://' + path.join(dir, 'nginx.conf');
  let text = START;
  let version = 1;
  typed.open(uri, text, version);
  await typed.diagnostics(uri, version);
  for (const make of EDITS) {
    const [start, end, newText] = make(text);
    const range = { start, end: end ?? start };
    text = applyLspEdits(text, [{ range, newText }]);
    version++;
    void typed.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: newText }] });
    void fresh.notify('textDocument/didClose', { textDocument: { uri } });
    fresh.open(uri, text, version);
    const [got, want] = await Promise.all([typed.diagnostics(uri, version), fresh.diagnostics(uri, version)]);
    assert.ok(want.length > 0, 'the text has findings');
    assert.deepEqual(got, want, `after edit ${version - 1}`);
    // A diagnostic kept from before still finds its finding: its quick fixes are the fresh server's.
    const actions = async (client: LspClient, d: Diagnostic) => client.request<unknown[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    for (const d of got) assert.deepEqual(await actions(typed, d), await actions(fresh, d), `fixes of "${d.message}" after edit ${version - 1}`);
  }
});

// The server opens stdio itself (its own writer): the end of its input must still end it, as the library did.
test('the server exits when its input ends: 0 after a shutdown request, 1 without', async () => {
  for (const shutdown of [true, false]) {
    const client = new LspClient();
    await client.initialize(dir);
    if (shutdown) await client.request('shutdown', null);
    const exited = new Promise<number | null>((resolve) => client.proc.on('exit', (code) => resolve(code)));
    client.proc.stdin!.end();
    assert.equal(await exited, shutdown ? 0 : 1);
    client.conn.dispose();
  }
});
