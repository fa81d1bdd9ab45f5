// Variables where nginx wants a literal value (a flag, a keyword, a number, protocol names). nginx reads these
// once, when it loads the config, and refuses a variable there: `invalid value "$v" in "proxy_ssl_verify"
// directive, it must be "on" or "off"`. directive-invalid-value says so; the TLS rules do not read such a flag
// as "off" and offer no fix that overwrites it. A template placeholder (`${NAME}` that nothing defines) is left
// alone: the file is rendered (envsubst) before nginx reads it. These cases are not among the rules' own,
// which run through nginx -t: nginx refuses a placeholder as it stands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, memoryFileSystem } from '../../server/src/engine';
import { analyze } from '../support/engine';

const PATH = '/t/nginx.conf';
const http = (body: string) => `events {}\nhttp {\n${body}}\n`;

function check(text: string) {
  const { findings, service } = analyze(PATH, memoryFileSystem({ [PATH]: text }));
  const of = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => `${f.range.start.line + 1}: ${f.message}`);
  // What `check --fix` applies unasked.
  const fixed = applyEdits(text, service.safeFixes(findings).flatMap((f) => f.edits));
  return { of, fixed };
}

test('a template placeholder in a flag: no finding, and check --fix leaves it as written', () => {
  const text = http(`    server {
        listen 80;
        location / {
            proxy_pass https://a.example.com;
            proxy_ssl_verify \${VERIFY};
            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
            proxy_ssl_server_name \${SNI};
        }
    }
`);
  const { of, fixed } = check(text);
  assert.deepEqual(of('directive-invalid-value'), []);
  assert.deepEqual(of('upstream-tls-unverified'), []);
  assert.deepEqual(of('tls-setting-without-effect'), []);
  assert.deepEqual(of('upstream-tls-no-sni'), []);
  assert.equal(fixed, text);
});

test('verification off beside an SNI placeholder: the fix turns verification on and keeps the placeholder', () => {
  const text = http(`    server {
        listen 80;
        location / {
            proxy_pass https://a.example.com;
            proxy_ssl_server_name \${SNI};
        }
    }
`);
  const { of, fixed } = check(text);
  assert.equal(of('upstream-tls-unverified').length, 1);
  assert.deepEqual(of('upstream-tls-no-sni'), []);
  assert.match(fixed, /proxy_ssl_verify on;/);
  assert.match(fixed, /proxy_ssl_server_name \$\{SNI\};/);
  assert.equal((fixed.match(/proxy_ssl_server_name/g) ?? []).length, 1);
});

test('a variable nginx or the config defines in a flag is refused, and not read as "off"', () => {
  const text = http(`    map $uri $v { default on; }
    server {
        listen 80;
        location / {
            proxy_pass https://a.example.com;
            proxy_ssl_verify $v;
            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
            proxy_ssl_server_name $v;
        }
    }
`);
  const { of, fixed } = check(text);
  assert.deepEqual(of('directive-invalid-value'), [
    '8: invalid value "$v" in "proxy_ssl_verify" directive, it must be "on" or "off" (nginx takes this value as written when it loads the config: variables are not expanded here)',
    '10: invalid value "$v" in "proxy_ssl_server_name" directive, it must be "on" or "off" (nginx takes this value as written when it loads the config: variables are not expanded here)',
  ]);
  for (const id of ['upstream-tls-unverified', 'tls-setting-without-effect', 'upstream-tls-no-sni']) assert.deepEqual(of(id), [], id);
  assert.equal(fixed, text, 'no safe fix overwrites a variable');
});

test('stream proxy_ssl with a variable is refused, and not "not set"', () => {
  const text = `events {}\nstream {\n    server {\n        listen 5000;\n        proxy_pass 127.0.0.1:5443;\n        proxy_ssl $tls;\n        proxy_ssl_verify on;\n    }\n}\n`;
  const { of } = check(text);
  assert.equal(of('directive-invalid-value').length, 1);
  assert.deepEqual(of('tls-setting-without-effect'), []);
});

test('placeholders in keyword, number, protocol and listen values are left alone; variables there are refused', () => {
  const server = (lines: string) => http(`    server {\n${lines}    }\n`);
  const placeholders = check(server(`        listen 443 ssl \${LISTEN_OPTIONS};
        ssl_verify_client \${MODE};
        ssl_verify_depth \${DEPTH};
        ssl_protocols TLSv1.2 \${EXTRA_PROTOCOLS};
`));
  assert.deepEqual(placeholders.of('directive-invalid-value'), []);
  // `${host}` is nginx's variable, `${mode}` is no placeholder (lower case), `${MODE}` is the config's own.
  const variables = check(`events {}\nhttp {\n    map $uri $MODE { default on; }\n    server {
        listen 443 ssl $host;
        ssl_verify_client \${mode};
        ssl_verify_depth \${host};
        ssl_protocols TLSv1.2 \${MODE};
    }\n}\n`);
  assert.deepEqual(variables.of('directive-invalid-value').map((m) => m.replace(/ \(nginx takes.*$/, '')), [
    '5: invalid parameter "$host"',
    '6: invalid value "${mode}" (expected one of: on, off, optional, optional_no_ca)',
    '7: "ssl_verify_depth" directive invalid number',
    '8: invalid value "${MODE}" (protocols are SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)',
  ]);
});
