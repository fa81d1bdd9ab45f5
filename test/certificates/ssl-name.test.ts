// The name nginx checks in an upstream's certificate and sends as SNI, as ngx_http_upstream_ssl_name derives it
// from `proxy_ssl_name`: `$proxy_host` and `$proxy_port` are fixed by a literal URL, a `:port` is cut off, and
// any other variable leaves the name to the request.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigModel } from '../../server/src/engine/model/model';
import { memoryFileSystem } from '../../server/src/engine/model/filesystem';
import { tlsUses } from '../../server/src/engine/model/tls-uses';
import { sniName, verificationName } from '../../server/src/engine/model/verification';

/** The checked name and the SNI of the single pass in `location` (an `upstream grp` is there to name). */
function nameOf(location: string): { name: string | null; sni: string | null | undefined } {
  const text = `events {}\nhttp {\n    upstream grp { server 127.0.0.1:8443; }\n    server {\n        location / {\n${location}\n        }\n    }\n}\n`;
  const model = new ConfigModel('/t/nginx.conf', memoryFileSystem({ '/t/nginx.conf': text }));
  const [use] = tlsUses(model);
  return { name: verificationName(model, use).name, sni: sniName(model, use) };
}

test('a port on the name is cut off, after the brackets of an IPv6 literal', () => {
  assert.deepEqual(nameOf('proxy_pass https://127.0.0.1:8443; proxy_ssl_name backend.test:8443;'), { name: 'backend.test', sni: 'backend.test' });
  // Bracketed: nginx checks "[backend.test]" and sends no SNI (it starts with a bracket, as an IPv6 literal does).
  assert.deepEqual(nameOf('proxy_pass https://127.0.0.1:8443; proxy_ssl_name [backend.test]:8443;'), { name: '[backend.test]', sni: null });
});

test('$proxy_host and $proxy_port are the URL\'s, the port only when it is not the default', () => {
  assert.deepEqual(nameOf('proxy_pass https://grp; proxy_ssl_name $proxy_host;'), { name: 'grp', sni: 'grp' });
  assert.deepEqual(nameOf('proxy_pass https://Backend.Test:8443/x; proxy_ssl_name ${proxy_host};'), { name: 'Backend.Test', sni: 'backend.test' });
  assert.deepEqual(nameOf('proxy_pass https://backend.test; proxy_ssl_name p$proxy_port.example;'), { name: 'p443.example', sni: 'p443.example' });
  assert.deepEqual(nameOf('proxy_pass https://backend.test:8443; proxy_ssl_name p$proxy_port.example;'), { name: 'p8443.example', sni: 'p8443.example' });
  // No SNI for an IP address (RFC 6066).
  assert.deepEqual(nameOf('proxy_pass https://127.0.0.1:8443; proxy_ssl_name $proxy_host;'), { name: '127.0.0.1', sni: null });
});

test('any other variable leaves the name to the request', () => {
  assert.deepEqual(nameOf('proxy_pass https://127.0.0.1:8443; proxy_ssl_name $host;'), { name: '$host', sni: undefined });
  assert.deepEqual(nameOf('proxy_pass https://127.0.0.1:8443; proxy_ssl_name $proxy_hostname;'), { name: '$proxy_hostname', sni: undefined });
  // $proxy_host is the proxy module's: grpc_pass does not set it.
  assert.deepEqual(nameOf('grpc_pass grpcs://127.0.0.1:8443; grpc_ssl_name $proxy_host;'), { name: '$proxy_host', sni: undefined });
});
