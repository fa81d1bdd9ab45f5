// The TextMate grammar on the lines that break other nginx grammars, driven by vscode-textmate with the
// same Oniguruma engine VS Code uses.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const ROOT = path.resolve(__dirname, '../..');
let grammar: vsctm.IGrammar;

before(async () => {
  const wasm = fs.readFileSync(path.join(ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => {
      if (scope === 'source.nginx') {
        const file = path.join(ROOT, 'syntaxes/nginx.tmLanguage.json');
        return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      }
      return null; // source.lua: VS Code provides it; here Lua bodies still get our own tokens
    },
  });
  grammar = (await registry.loadGrammar('source.nginx'))!;
  assert.ok(grammar);
});

/** Tokens of a text: [text, scopes joined] for each token of each line. */
function tokenize(text: string): { text: string; scopes: string }[][] {
  let state = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.join(' ') }));
  });
}

function scopeOf(text: string, piece: string, line = 0, nth = 0): string {
  const toks = tokenize(text)[line];
  const hits = toks.filter((t) => t.text.includes(piece) || piece.includes(t.text.trim()) && t.text.trim() !== '');
  const exact = toks.filter((t) => t.text.trim() === piece);
  const tok = (exact.length ? exact : hits)[nth];
  assert.ok(tok, `no token "${piece}" in ${JSON.stringify(toks)}`);
  return tok.scopes;
}

test('directive names, TLS directives and pass directives', () => {
  assert.match(scopeOf('proxy_ssl_verify on;', 'proxy_ssl_verify'), /keyword\.other\.directive\.tls\.nginx/);
  assert.match(scopeOf('proxy_ssl_verify on;', 'on'), /constant\.language\.nginx/);
  assert.match(scopeOf('proxy_pass https://backend.example.com;', 'proxy_pass'), /keyword\.other\.directive\.pass\.nginx/);
  assert.match(scopeOf('proxy_pass https://backend.example.com;', 'https://backend.example.com'), /markup\.underline\.link/);
  assert.match(scopeOf('gzip on;', 'gzip'), /keyword\.other\.directive\.nginx/);
  assert.match(scopeOf('server {', 'server'), /storage\.type\.directive\.block/);
  assert.match(scopeOf('"proxy_pass" https://x;', 'proxy_pass'), /keyword\.other\.directive\.pass\.nginx/);
});

test('regex locations, quantifier braces when quoted, modifiers', () => {
  assert.match(scopeOf('location ~* \\.(png|jpg)$ {', '\\.(png|jpg)$'), /string\.regexp\.nginx/);
  assert.match(scopeOf('location ~ "^/a{2}$" {', '"^/a{2}$"'), /string\.regexp\.nginx/);
  assert.match(scopeOf('location = /exact {', '='), /keyword\.operator\.modifier/);
  const toks = tokenize('location ~ "^/a{2}$" { return 200; }')[0];
  assert.ok(toks.some((t) => t.text === 'return' && /keyword\.other\.directive/.test(t.scopes)), 'the block after the regex is still directives');
});

test('if conditions: variables, operators, regexes', () => {
  const line = 'if ($http_user_agent ~* "(bot|spider)") {';
  assert.match(scopeOf(line, 'if'), /keyword\.control\.conditional/);
  assert.match(scopeOf(line, '$http_user_agent'), /variable\.other\.nginx/);
  assert.match(scopeOf(line, '~*'), /keyword\.operator\.regex/);
  assert.match(scopeOf(line, '"(bot|spider)"'), /string\.regexp/);
  assert.match(scopeOf('if (!-f $request_filename) {', '!-f'), /keyword\.operator\.file-test/);
  assert.match(scopeOf('if ($x = "a b") {', '='), /keyword\.operator\.comparison/);
});

test('variables inside double and single quotes, and ${var}', () => {
  assert.match(scopeOf('return 200 "${var}x";', '${var}'.slice(2, 5)), /variable\.other\.nginx/);
  assert.match(scopeOf("add_header X '$host';", 'host'), /string\.quoted\.single\.nginx.*variable\.other\.nginx/);
  assert.match(scopeOf('set $a "x$uri";', 'uri'), /string\.quoted\.double\.nginx.*variable\.other\.nginx/);
});

test('} inside a word and # inside a word are not structure', () => {
  const toks = tokenize('return 200 a}b; set $a a#b;')[0];
  assert.ok(!toks.some((t) => /punctuation\.section\.block\.end/.test(t.scopes)), JSON.stringify(toks));
  assert.ok(!toks.some((t) => /comment/.test(t.scopes)), JSON.stringify(toks));
  assert.match(scopeOf('listen 80; # a comment', '#'), /comment\.line/);
});

test('lua blocks: braces in strings, comments and long brackets do not end the block', () => {
  const text = [
    'content_by_lua_block {',
    '    local s = "}" .. [[ } ]] -- }',
    '    local t = { a = 1 }',
    '    --[==[ } ]==]',
    '}',
    'proxy_ssl_verify on;',
  ].join('\n');
  const lines = tokenize(text);
  assert.ok(lines[1].every((t) => /meta\.embedded\.block\.lua/.test(t.scopes) || t.text.trim() === ''), JSON.stringify(lines[1]));
  assert.ok(lines[3].every((t) => /meta\.embedded\.block\.lua/.test(t.scopes) || t.text.trim() === ''));
  assert.ok(lines[5].some((t) => t.text === 'proxy_ssl_verify' && /keyword\.other\.directive\.tls/.test(t.scopes) && !/lua/.test(t.scopes)), JSON.stringify(lines[5]));
});

test('map bodies: keys, regex keys, values; and CRLF lines', () => {
  const lines = tokenize('map $http_upgrade $connection_upgrade {\n    default upgrade;\n    ~*^ws websocket;\n    "" close;\n}\ngzip on;');
  assert.ok(lines[1].some((t) => t.text === 'default' && /keyword\.other\.nginx/.test(t.scopes)));
  assert.ok(lines[2].some((t) => /string\.regexp/.test(t.scopes)));
  assert.ok(lines[5].some((t) => t.text === 'gzip' && /directive/.test(t.scopes) && !/data/.test(t.scopes)));
  const crlf = tokenize('server {\r\n    listen 80;\r\n}\r\n');
  assert.ok(crlf[1].some((t) => t.text === 'listen' && /keyword\.other\.directive/.test(t.scopes)));
});
