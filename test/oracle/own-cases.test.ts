// Oracle, own cases: config errors (and their accepted look-alikes) written here, each run through REAL
// `nginx -t` in its own temp dir and through the engine (nginxVersion 1.22). Same agreement rule as the
// reference cases: nginx rejects ⇔ we report an error from a rejecting rule, on the line nginx names.
// `expect`/`line` pin what the case is meant to show, so a case that stops demonstrating it fails loudly.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeConf, describeFinding, generateCerts, haveNginx, judge, MODULES, nginxPresent, nginxT, table, tempDir } from './support';

interface OwnCase {
  name: string;
  /** Whole main file. CA, CERT, KEY become real files; LF becomes `eol`. */
  conf: string;
  expect: 'accept' | 'reject';
  /** Line nginx names in the main file (when it names one). */
  line?: number;
  files?: Record<string, string>;
  /** Files that must exist (modules) for the case to mean anything. */
  needs?: string[];
  eol?: '\r\n';
}

const LUA = [`${MODULES}/ndk_http_module.so`, `${MODULES}/ngx_http_lua_module.so`];
const STREAM = `${MODULES}/ngx_stream_module.so`;

/** `events {}` + http with one server whose body is `inner` (server line 4, first inner line 6). */
const srv = (inner: string) => `events {}\nhttp {\n    server {\n        listen 127.0.0.1:18080;\n        server_name a.test;\n${inner}    }\n}\n`;

const CASES: OwnCase[] = [
  // --- missing ';' and unbalanced braces ---
  { name: 'missing ; in the middle (next directive becomes args)', expect: 'reject', line: 5,
    conf: 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:18080\n        server_name a.test;\n        location / { return 200; }\n    }\n}\n' },
  { name: 'missing ; before a block', expect: 'reject', line: 8,
    conf: srv('        location / {\n            proxy_pass http://127.0.0.1:18081\n            location /x { return 200; }\n        }\n') },
  { name: 'missing ; before } in the middle', expect: 'reject', line: 8,
    conf: srv('        location /a {\n            return 200\n        }\n        location /b { return 204; }\n') },
  { name: 'unclosed location in the middle (next location nests inside it)', expect: 'reject', line: 8,
    conf: srv('        location /a {\n            return 200;\n        location /b { return 204; }\n') + '\n' },
  { name: 'one } too many in the middle', expect: 'reject', line: 8,
    conf: srv('        location /a { return 200; }\n        }\n        location /b { return 204; }\n') },
  { name: 'stray { with no directive', expect: 'reject', line: 6, conf: srv('        { return 200; }\n') },
  { name: ';; inside a location', expect: 'reject', line: 6, conf: srv('        location / { return 200;; }\n') },
  { name: 'text right after a closing quote', expect: 'reject', line: 6, conf: srv('        location / { return 200 "a"b; }\n') },

  // --- context, arity, values ---
  { name: 'proxy_ssl_verify inside if', expect: 'reject', line: 8,
    conf: srv('        location / {\n            if ($arg_x) {\n                proxy_ssl_verify off;\n            }\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'proxy_ssl_verify inside limit_except', expect: 'reject', line: 8,
    conf: srv('        location / {\n            limit_except GET {\n                proxy_ssl_verify off;\n            }\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'ssl_verify_client in a location', expect: 'reject', line: 7,
    conf: srv('        location / {\n            ssl_verify_client on;\n            return 200;\n        }\n') },
  { name: 'proxy_ssl_verify in an upstream block', expect: 'reject', line: 4,
    conf: 'events {}\nhttp {\n    upstream backend {\n        proxy_ssl_verify on;\n        server 127.0.0.1:18443;\n    }\n}\n' },
  { name: 'duplicate proxy_pass', expect: 'reject', line: 8,
    conf: srv('        location / {\n            proxy_pass http://127.0.0.1:18081;\n            proxy_pass http://127.0.0.1:18082;\n        }\n') },
  { name: 'duplicate proxy_ssl_verify at server level', expect: 'reject', line: 7,
    conf: srv('        proxy_ssl_verify off;\n        proxy_ssl_verify off;\n') },
  { name: 'proxy_ssl_verify yes', expect: 'reject', line: 7,
    conf: srv('        location / {\n            proxy_ssl_verify yes;\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'proxy_ssl_verify with a variable (flags are read at load time)', expect: 'reject', line: 8,
    conf: 'events {}\nhttp {\n    map $uri $verify { default on; }\n    server {\n        listen 127.0.0.1:18080;\n        location / {\n            proxy_pass https://127.0.0.1:18443;\n            proxy_ssl_verify $verify;\n        }\n    }\n}\n' },
  { name: 'proxy_ssl_verify_depth x', expect: 'reject', line: 7,
    conf: srv('        location / {\n            proxy_ssl_verify_depth x;\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'proxy_ssl_verify without an argument', expect: 'reject', line: 6, conf: srv('        proxy_ssl_verify;\n') },
  { name: 'ssl_protocols TLSv1.4', expect: 'reject', line: 6, conf: srv('        ssl_protocols TLSv1.2 TLSv1.4;\n') },
  { name: 'proxy_ssl_protocols SSLv4', expect: 'reject', line: 6, conf: srv('        proxy_ssl_protocols SSLv4;\n') },
  { name: 'listen 80 {', expect: 'reject', line: 4,
    conf: 'events {}\nhttp {\n    server {\n        listen 80 {\n        }\n    }\n}\n' },
  { name: 'server;', expect: 'reject', line: 3, conf: 'events {}\nhttp {\n    server;\n}\n' },
  { name: 'location without an opening {', expect: 'reject', line: 6, conf: srv('        location /a;\n') },
  { name: 'misspelled proxy_ssl_verfy', expect: 'reject', line: 7,
    conf: srv('        location / {\n            proxy_ssl_verfy on;\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'unknown directive in stream', expect: 'reject', line: 5, needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    server {\n        proxy_ssl_verfy on;\n        listen 127.0.0.1:15000;\n        proxy_pass 127.0.0.1:15443;\n    }\n}\n` },
  { name: 'proxy_ssl_verify on, https, no trusted certificate (no location in the message)', expect: 'reject',
    conf: srv('        location / {\n            proxy_ssl_verify on;\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'proxy_ssl_certificate without its key', expect: 'reject',
    conf: srv('        location / {\n            proxy_ssl_certificate CERT;\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'listen ssl on the default server without a certificate', expect: 'reject', line: 3,
    conf: 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:18443 ssl;\n        return 200;\n    }\n}\n' },
  { name: 'proxy_pass with a URI inside if', expect: 'reject', line: 8,
    conf: srv('        location / {\n            if ($arg_x) {\n                proxy_pass https://127.0.0.1:18443/x/;\n            }\n        }\n') },

  // --- includes ---
  { name: 'include of a missing literal file', expect: 'reject', line: 6, conf: srv('        include snippets/nothing-here.conf;\n') },
  { name: 'include glob matching nothing', expect: 'accept', conf: srv('        include snippets/nothing-*.conf;\n') },
  { name: 'include of an existing file, error inside it', expect: 'reject', files: { 'snippets/bad.conf': 'location /inc {\n    proxy_ssl_verify maybe;\n    proxy_pass https://127.0.0.1:18443;\n}\n' },
    conf: srv('        include snippets/bad.conf;\n') },

  // --- tokenizer corner cases nginx accepts ---
  { name: 'quoted directive names', expect: 'accept', conf: srv('        "location" \'/q\' {\n            "proxy_ssl_verify" "off";\n            \'return\' 200;\n        }\n') },
  { name: 'quoted directive name that is unknown', expect: 'reject', line: 6, conf: srv('        "proxy_ssl_verfy" on;\n') },
  { name: 'a}b is one argument', expect: 'accept', conf: srv('        location / { return 200 a}b; }\n') },
  { name: '${var} in an unquoted regex', expect: 'accept',
    conf: srv('        location / {\n            if ($uri ~ ^/x${host}) { return 404; }\n            set $a 1;\n            return 200 ${a}b;\n        }\n') },
  { name: 'unquoted regex with {2} is cut', expect: 'reject', line: 6, conf: srv('        location ~ ^/a{2}$ { return 200; }\n') },
  { name: 'hash inside a word is not a comment', expect: 'accept', conf: srv('        location / { add_header X-A a#b; return 200; }   # trailing comment\n') },
  { name: 'braces and semicolons inside quotes', expect: 'accept', conf: srv('        location / { return 200 "a;b{c}d # e"; }\n') },
  { name: 'lua block with braces in strings and comments', expect: 'accept', needs: LUA,
    conf: `load_module ${LUA[0]};\nload_module ${LUA[1]};\n` + srv('        location / {\n            content_by_lua_block {\n                local s = "{{ } ;" -- } {\n                ngx.say(s, \'}\')\n            }\n        }\n') },
  { name: 'lua block, then a real error after it', expect: 'reject', line: 14, needs: LUA,
    conf: `load_module ${LUA[0]};\nload_module ${LUA[1]};\n` + srv('        location / {\n            content_by_lua_block {\n                ngx.say("}")\n            }\n        }\n        location /b {\n            proxy_ssl_verify yes;\n        }\n') },
  { name: 'CRLF file', expect: 'accept', eol: '\r\n',
    conf: srv('        location / {\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate CA;\n            proxy_pass https://localhost:18443;\n        }\n') },
  { name: 'CRLF file with an error on line 8', expect: 'reject', line: 8, eol: '\r\n',
    conf: srv('        location / {\n            proxy_pass https://127.0.0.1:18443;\n            proxy_ssl_verify yes;\n        }\n') },
  { name: 'tabs and a directive split over lines', expect: 'accept',
    conf: 'events {}\nhttp {\n\tserver {\n\t\tlisten\n\t\t\t127.0.0.1:18080;\n\t\tlocation / {\n\t\t\tproxy_pass\n\t\t\t\thttps://127.0.0.1:18443;\n\t\t}\n\t}\n}\n' },

  // --- accepted TLS variants ---
  { name: 'verified upstream', expect: 'accept',
    conf: srv('        location / {\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate CA;\n            proxy_ssl_name localhost;\n            proxy_ssl_server_name on;\n            proxy_pass https://127.0.0.1:18443;\n        }\n') },
  { name: 'proxy_ssl_verify inherited from http into limit_except', expect: 'accept',
    conf: 'events {}\nhttp {\n    proxy_ssl_verify on;\n    proxy_ssl_trusted_certificate CA;\n    server {\n        listen 127.0.0.1:18080;\n        location / {\n            limit_except GET {\n                proxy_pass https://127.0.0.1:18443;\n            }\n        }\n    }\n}\n' },
  { name: 'verify on with http:// pass (no TLS, not checked)', expect: 'accept',
    conf: srv('        location / {\n            proxy_ssl_verify on;\n            proxy_pass http://127.0.0.1:18081;\n        }\n') },
  { name: 'listen ssl with certificate and client CA', expect: 'accept',
    conf: 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:18443 ssl;\n        ssl_certificate CERT;\n        ssl_certificate_key KEY;\n        ssl_client_certificate CA;\n        ssl_verify_client on;\n        ssl_protocols TLSv1.2 TLSv1.3;\n        return 200;\n    }\n}\n' },
  { name: 'stream proxy_ssl verified', expect: 'accept', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    server {\n        listen 127.0.0.1:15000;\n        proxy_pass 127.0.0.1:15443;\n        proxy_ssl on;\n        proxy_ssl_verify on;\n        proxy_ssl_trusted_certificate CA;\n        proxy_ssl_name localhost;\n    }\n}\n` },

  // --- http and stream keep separate variable tables (nginx names no line: it resolves variables at the end) ---
  { name: 'a variable a stream map defines, used in http', expect: 'reject', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    map $remote_addr $backend { default 127.0.0.1:18081; }\n}\nhttp {\n    server {\n        listen 127.0.0.1:18080;\n        location / { proxy_pass http://$backend; }\n    }\n}\n` },
  { name: 'an http variable ($host) in a stream server', expect: 'reject', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    server {\n        listen 127.0.0.1:15000;\n        proxy_pass $host:80;\n    }\n}\n` },
  { name: 'a stream variable ($ssl_preread_server_name) in http', expect: 'reject', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nhttp {\n    server {\n        listen 127.0.0.1:18080;\n        location / {\n            return 200 "$ssl_preread_server_name";\n        }\n    }\n}\n` },
  { name: 'a named capture of a stream map, used in http', expect: 'reject', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    map $remote_addr $x { ~^(?<sub>[0-9]+)\\. 1; default 0; }\n}\nhttp {\n    server { listen 127.0.0.1:18080; location / { return 200 $sub; } }\n}\n` },
  { name: 'stream\'s $server_name before 1.25.5 (http\'s is as old as http)', expect: 'reject', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    server {\n        listen 127.0.0.1:15000;\n        return $server_name;\n    }\n}\nhttp {\n    server { listen 127.0.0.1:18080; location / { return 200 $server_name; } }\n}\n` },
  { name: 'the same name defined in http and in stream, each used in its own', expect: 'accept', needs: [STREAM],
    conf: `load_module ${STREAM};\nevents {}\nstream {\n    map $remote_addr $backend { ~^(?<sub>[0-9]+)\\. $sub.0.0.1:15443; default 127.0.0.1:15443; }\n    server {\n        listen 127.0.0.1:15000;\n        proxy_pass $backend;\n    }\n}\nhttp {\n    map $host $backend { default 127.0.0.1:18081; }\n    server { listen 127.0.0.1:18080; location / { proxy_pass http://$backend; proxy_set_header X-C $remote_addr; } }\n}\n` },

  // --- argument counts nginx's sources give where the docs' syntax is loose (NGX_CONF_TAKE23, TAKE12…) ---
  { name: 'add_header with always: three arguments', expect: 'accept', conf: srv('        location / {\n            add_header X-A "a b" always;\n            return 204;\n        }\n') },
  { name: 'add_header with four arguments', expect: 'reject', line: 7, conf: srv('        location / {\n            add_header X-A a always extra;\n            return 204;\n        }\n') },
  { name: 'rewrite with a flag: three arguments', expect: 'accept', conf: srv('        location / {\n            rewrite ^/a(.*) /b$1 last;\n        }\n') },
  { name: 'rewrite with four arguments', expect: 'reject', line: 7, conf: srv('        location / {\n            rewrite ^/a /b last break;\n        }\n') },
  { name: 'return with three arguments', expect: 'reject', line: 6, conf: srv('        return 301 https://a.test extra;\n') },
  { name: 'location with three arguments', expect: 'reject', line: 6, conf: srv('        location = /a /b {\n            return 204;\n        }\n') },
  { name: 'ssl_session_cache with three arguments', expect: 'reject', line: 6, conf: srv('        ssl_session_cache builtin:1000 shared:SSL:1m none;\n') },
  { name: 'ssl_session_cache builtin and shared', expect: 'accept', conf: srv('        ssl_session_cache builtin:1000 shared:SSL:1m;\n') },
  { name: 'proxy_temp_path with five arguments', expect: 'reject', line: 6, conf: srv('        proxy_temp_path /tmp/p 1 2 2 1;\n') },
  { name: 'expires modified with a time', expect: 'accept', conf: srv('        expires modified 1h;\n') },
  { name: 'fastcgi_param with if_not_empty and one more', expect: 'reject', line: 6, conf: srv('        fastcgi_param A $arg_a if_not_empty x;\n') },

  // --- directives newer than 1.22 (since-versions from nginx's changelog) and older ones 1.22 has ---
  { name: 'keepalive_min_timeout (1.27.4) on 1.22', expect: 'reject', line: 6, conf: srv('        keepalive_min_timeout 1s;\n') },
  { name: 'early_hints (1.29.0) on 1.22', expect: 'reject', line: 6, conf: srv('        early_hints $http2;\n') },
  { name: 'proxy_pass_trailers (1.27.2) on 1.22', expect: 'reject', line: 7, conf: srv('        location / {\n            proxy_pass_trailers on;\n            proxy_pass http://127.0.0.1:18081;\n        }\n') },
  { name: 'add_header_inherit (1.29.3) on 1.22', expect: 'reject', line: 6, conf: srv('        add_header_inherit merge;\n') },
  { name: 'keepalive_time (1.19.10), limit_req_dry_run (1.17.1), absolute_redirect (1.11.8) on 1.22', expect: 'accept', conf: srv('        keepalive_time 1h;\n        limit_req_dry_run on;\n        absolute_redirect off;\n') },
];

let base = '';
let certs = '';
const rows: string[][] = [];

before(() => {
  if (!nginxPresent()) return;
  base = tempDir('oracle-own-');
  certs = generateCerts(path.join(base, 'certs'));
});

after(() => {
  if (rows.length) {
    console.log('\nown cases: nginx 1.22.1 -t vs engine (nginxVersion 1.22)\n' + table(['case', 'nginx', 'ours', 'agree?'], rows) +
      `\n${rows.length} cases: ${rows.filter((r) => r[3] === 'yes').length} agree, ${rows.filter((r) => r[3] !== 'yes').length} disagree`);
  }
  if (base && !process.env.ORACLE_KEEP) fs.rmSync(base, { recursive: true, force: true });
});

test('own cases: at least 15 rejected and some accepted', () => {
  assert.ok(CASES.filter((c) => c.expect === 'reject').length >= 15);
  assert.ok(CASES.filter((c) => c.expect === 'accept').length >= 8);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
});

CASES.forEach((c, i) => {
  test(`own case: ${c.name}`, (t) => {
    if (!haveNginx(t)) return;
    const missing = (c.needs ?? []).filter((f) => !fs.existsSync(f));
    if (missing.length) return t.skip(`not installed: ${missing.join(', ')}`);
    const dir = path.join(base, `case-${String(i).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    const fill = (s: string) => s.replace(/\bCERT\b/g, `${certs}/srv_root.crt`).replace(/\bKEY\b/g, `${certs}/srv_root.key`).replace(/\bCA\b/g, `${certs}/rootca.crt`).replace(/\n/g, c.eol ?? '\n');
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, fill(c.conf));
    for (const [rel, text] of Object.entries(c.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), fill(text));
    }
    const live = nginxT(conf, dir, dir);
    // The case shows what it is meant to show.
    assert.equal(live.ok ? 'accept' : 'reject', c.expect, `nginx -t was expected to ${c.expect}:\n${live.output}`);
    if (c.line !== undefined) {
      assert.equal(live.errors[0]?.line, c.line, `nginx was expected to name line ${c.line}:\n${live.output}`);
      assert.equal(path.resolve(dir, live.errors[0]!.file!), conf, 'nginx names the main file');
    }
    const findings = analyzeConf(conf, '1.22', `${certs}/rootca.crt`);
    const v = judge(live, findings, (p) => path.resolve(dir, p));
    rows.push([c.name, v.nginxSays, v.weSay, v.agree ? 'yes' : `NO: ${v.problem}`]);
    assert.ok(v.agree, `${c.name}: ${v.problem}\n  nginx: ${v.nginxSays}\n${findings.map((f) => `    ${describeFinding(f)}: ${f.message}`).join('\n') || '    (no findings)'}\n--- config ---\n${fs.readFileSync(conf, 'utf8')}`);
  });
});
