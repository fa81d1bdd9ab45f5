// Where the choice is the user's, the fixes offer it: the default CA bundle first, and the CAs this config
// already trusts elsewhere (often the private CA of its own upstreams).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, defaultSettings, Finding, Fix, memoryFileSystem } from '../../server/src/engine';
import { selectSafeFixes } from '../../server/src/engine/fixes/select';
import { analyze } from '../support/engine';
import { toJson } from '../../server/src/output/text';
import { toSarif } from '../../server/src/output/sarif';

test('an unverified upstream: verify with the default bundle, or with a CA the config already uses', () => {
  const text = 'events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;\n        ssl_client_certificate /etc/nginx/internal-ca.pem;\n        ssl_verify_client on;\n        location / {\n            proxy_pass https://app.internal.example;\n        }\n    }\n}\n';
  const { findings } = analyze('/c/nginx.conf', memoryFileSystem({ '/c/nginx.conf': text }), defaultSettings());
  const f = findings.find((x) => x.ruleId === 'upstream-tls-unverified')!;
  assert.deepEqual(f.fixes.map((x) => [x.title, x.isPreferred]), [
    // No public CA certifies a name under .example: the bundle's fix says so (and is not safe).
    ['Verify the upstream certificate: proxy_ssl_verify on, trusted CA /etc/ssl/certs/ca-certificates.crt (no public CA certifies "app.internal.example": trust the CA that does, or set proxy_ssl_name)', true],
    ['Verify the upstream certificate against /etc/nginx/internal-ca.pem (a CA this config already trusts)', false],
  ]);
  const out = applyEdits(text, f.fixes[1].edits);
  assert.match(out, /proxy_pass https:\/\/app\.internal\.example;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate \/etc\/nginx\/internal-ca\.pem;\n            proxy_ssl_server_name on;\n/);
});

test('asked for its preferred fixes alone (fix-all, check --fix), a finding makes the preferred one and not the alternatives', () => {
  const text = 'events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;\n        ssl_client_certificate /etc/nginx/internal-ca.pem;\n        ssl_verify_client on;\n        location / {\n            proxy_pass https://api.github.com;\n        }\n    }\n}\n';
  const { findings } = analyze('/c/nginx.conf', memoryFileSystem({ '/c/nginx.conf': text }), defaultSettings());
  const f = findings.find((x) => x.ruleId === 'upstream-tls-unverified')! as Finding & { preferredFixes(): Fix[] };
  assert.deepEqual(f.fixes.map((x) => [x.isPreferred, !!x.safe]), [[true, true], [false, false]]);
  const preferred = f.preferredFixes();
  assert.deepEqual(preferred.map((x) => ({ title: x.title, edits: x.edits, safe: x.safe })), f.fixes.slice(0, 1).map((x) => ({ title: x.title, edits: x.edits, safe: x.safe })));
  // What fix-all applies is that fix.
  assert.deepEqual(selectSafeFixes([f]).map((x) => x.edits), [preferred[0].edits]);
});

test('a verified upstream group of IP addresses: the fix takes the name from the backend server of the same config, else asks for it', () => {
  const backend = '    server {\n        listen 10.0.0.5:8443 ssl;\n        server_name _ *.example.test api.example.test;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;\n    }\n';
  const front = '    upstream app {\n        server 10.0.0.5:8443;\n    }\n    server {\n        listen 80;\n        location / {\n            proxy_pass https://app;  # keep\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate ca.crt;\n        }\n    }\n';
  const run = (text: string) => analyze('/c/nginx.conf', memoryFileSystem({ '/c/nginx.conf': text }), defaultSettings()).findings.find((x) => x.ruleId === 'upstream-tls-name-mismatch')!;
  const text = `events {}\nhttp {\n${backend}${front}}\n`;
  const f = run(text);
  // No certificate parser here: the backend's server_name (its first plain DNS name) is the name.
  assert.equal(f.fixes.length, 1);
  assert.match(f.fixes[0].title, /api\.example\.test.*server_name of the backend server at line 3/);
  assert.match(applyEdits(text, f.fixes[0].edits), /proxy_pass https:\/\/app;  # keep\n            proxy_ssl_name api\.example\.test;\n/);
  // The backend is not in this config: no name to take. The one fix waits for the user's name (an editor asks;
  // nothing is guessed), never safe, never preferred, and the message says so.
  const aloneText = `events {}\nhttp {\n${front}}\n`;
  const alone = run(aloneText);
  assert.match(alone.message, /this config does not say which name that is, so the quick fix asks for it/);
  assert.equal(alone.fixes.length, 1);
  const ask = alone.fixes[0];
  assert.deepEqual([ask.safe, ask.isPreferred], [false, false]);
  assert.ok(ask.input, 'the fix asks for a value');
  assert.match(ask.input!.prompt, /certificate of the servers of upstream "app"/);
  const filled = applyEdits(aloneText, ask.edits.map((e) => ({ ...e, newText: e.newText.split(ask.input!.placeholder).join('app.example.test') })));
  assert.match(filled, /proxy_pass https:\/\/app;  # keep\n            proxy_ssl_name app\.example\.test;\n/);
  // Applied as the editor would, it clears the finding.
  assert.equal(analyze('/c/nginx.conf', memoryFileSystem({ '/c/nginx.conf': filled }), defaultSettings()).findings.filter((x) => x.ruleId === 'upstream-tls-name-mismatch').length, 0);
});

test('the CLI offers no fix that waits for a value: not in JSON, not in SARIF, never applied by --fix', () => {
  const text = 'events {}\nhttp {\n    upstream app { server 10.0.0.5:8443; }\n    server {\n        listen 80;\n        location / {\n            proxy_pass https://app;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate ca.crt;\n            proxy_ssl_server_name on;\n        }\n    }\n}\n';
  const { findings, service } = analyze('/c/nginx.conf', memoryFileSystem({ '/c/nginx.conf': text }), defaultSettings());
  const f = findings.find((x) => x.ruleId === 'upstream-tls-name-mismatch')!;
  assert.ok(f.fixes.some((x) => x.input));
  const json = toJson([f]);
  assert.deepEqual(json[0].fixes, []);
  const sarif = toSarif([f], '/c', service.rules()) as { runs: { results: { fixes?: unknown[] }[] }[] };
  assert.equal(sarif.runs[0].results[0].fixes, undefined);
  assert.ok(!service.safeFixes([f]).some((x) => x.input));
});
