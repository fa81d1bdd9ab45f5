// Where the choice is the user's, the fixes offer it: the default CA bundle first, and the CAs this config
// already trusts elsewhere (often the private CA of its own upstreams).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { analyze } from '../support/engine';

test('an unverified upstream: verify with the default bundle, or with a CA the config already uses', () => {
  const text = 'events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;\n        ssl_client_certificate /etc/nginx/internal-ca.pem;\n        ssl_verify_client on;\n        location / {\n            proxy_pass https://app.internal.example;\n        }\n    }\n}\n';
  const { findings } = analyze('/c/nginx.conf', memoryFileSystem({ '/c/nginx.conf': text }), defaultSettings());
  const f = findings.find((x) => x.ruleId === 'upstream-tls-unverified')!;
  assert.deepEqual(f.fixes.map((x) => [x.title, x.isPreferred]), [
    ['Verify the upstream certificate: proxy_ssl_verify on, trusted CA /etc/ssl/certs/ca-certificates.crt', true],
    ['Verify the upstream certificate against /etc/nginx/internal-ca.pem (a CA this config already trusts)', false],
  ]);
  const out = applyEdits(text, f.fixes[1].edits);
  assert.match(out, /proxy_pass https:\/\/app\.internal\.example;\n            proxy_ssl_verify on;\n            proxy_ssl_trusted_certificate \/etc\/nginx\/internal-ca\.pem;\n            proxy_ssl_server_name on;\n/);
});
