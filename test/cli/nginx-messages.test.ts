// nginx's own messages, as the "Test with nginx -t" command reads them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNginxOutput } from '../../server/src/output/nginx-messages';

test('nginx -t output: level, message, file and line, with " in " inside the message', () => {
  const out = parseNginxOutput([
    'nginx: [emerg] host not found in upstream "backend.example.com" in /etc/nginx/nginx.conf:6',
    '2026/11/24 20:32:02 [emerg] 10408#10408: no proxy_ssl_trusted_certificate for proxy_ssl_verify',
    'nginx: [warn] duplicate value "TLSv1.2" in /etc/nginx/conf.d/a.conf:5',
    'nginx: configuration file /etc/nginx/nginx.conf test failed',
  ].join('\n'));
  assert.deepEqual(out, [
    { level: 'emerg', message: 'host not found in upstream "backend.example.com"', file: '/etc/nginx/nginx.conf', line: 6 },
    { level: 'emerg', message: 'no proxy_ssl_trusted_certificate for proxy_ssl_verify' },
    { level: 'warn', message: 'duplicate value "TLSv1.2"', file: '/etc/nginx/conf.d/a.conf', line: 5 },
  ]);
});
