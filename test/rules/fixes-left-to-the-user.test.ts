// Fixes that `check --fix` must not apply unasked although they would be right elsewhere: verification
// against a name no certificate from the trusted CA can carry (an IP address, an upstream group's own name, a
// name without a dot), also when the pass takes its host from `set`, and fixes in a block whose include could
// not be read (it may set what the fix writes). Each is offered, says what is left, and is not safe.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, defaultSettings, memoryFileSystem } from '../../server/src/engine';
import type { Finding } from '../../server/src/engine';
import { analyze } from '../support/engine';

const PATH = '/left/nginx.conf';
const http = (body: string) => `events {}\nhttp {\n    server {\n        listen 80;\n${body}    }\n}\n`;
const lineOf = (f: Finding) => f.range.start.line + 1;

function findings(config: string, files: Record<string, string> = {}): Finding[] {
  return analyze(PATH, memoryFileSystem({ [PATH]: config, ...files })).findings;
}
const preferred = (f: Finding) => f.fixes.find((x) => x.isPreferred)!;

test('a host taken from `set` is the name nginx checks: an IP there, or a name without a dot, keeps its fix for the user', () => {
  const config = http(`        location /ip {
            set $p https;
            set $app 10.0.0.5;
            proxy_pass $p://$app:443;
        }
        location /container {
            set $upstream_app heimdall;
            set $upstream_port 443;
            set $upstream_proto https;
            proxy_pass $upstream_proto://$upstream_app:$upstream_port;
        }
        location /named {
            set $p https;
            set $app api.example.com;
            proxy_pass $p://$app;
        }
`);
  const unverified = findings(config).filter((f) => f.ruleId === 'upstream-tls-unverified');
  assert.deepEqual(unverified.map(lineOf), [8, 14, 19]);
  const [ip, container, named] = unverified.map(preferred);
  assert.equal(ip.safe, false);
  assert.match(ip.title, /then set proxy_ssl_name to the name in the certificate\)$/);
  assert.equal(container.safe, false);
  assert.match(container.title, /no public CA certifies "heimdall"/);
  assert.equal(named.safe, true);
  assert.doesNotMatch(named.title, /\(/);
});

test('verification already on against a host from `set` that is an IP address is the name mismatch nginx gives (502)', () => {
  const config = http(`        location / {
            set $app 10.0.0.5;
            proxy_pass https://$app:8443;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        }
`);
  const mismatch = findings(config).filter((f) => f.ruleId === 'upstream-tls-name-mismatch');
  assert.deepEqual(mismatch.map(lineOf), [7]);
  assert.match(mismatch[0].message, /IP address 10\.0\.0\.5/);
});

test('a whole https URL held in a variable set in the config is a TLS use like a written one', () => {
  const config = http(`        location /token {
            set $endpoint "https://idp.example.com/oauth/introspect";
            proxy_pass $endpoint;
        }
        location /request {
            proxy_pass $http_x_target;
        }
`);
  const unverified = findings(config).filter((f) => f.ruleId === 'upstream-tls-unverified');
  // The second depends on the request: nginx prepares TLS there, but nothing says it is used.
  assert.deepEqual(unverified.map(lineOf), [7]);
  assert.match(unverified[0].message, /https from "set \$endpoint https:\/\/idp\.example\.com/);
  assert.equal(preferred(unverified[0]).safe, true);
});

test('a block whose include could not be read gets no safe fix: the include may set what the fix writes', () => {
  const config = http(`        location /unread {
            include /nowhere/verify.conf;
            proxy_pass https://api.example.com;
        }
        location /read {
            include /left/snippets/headers.conf;
            proxy_pass https://api.example.com;
        }
        location /ca {
            include /nowhere/ca.conf;
            proxy_ssl_verify on;
            proxy_pass https://api.example.com;
        }
`);
  const all = findings(config, { '/left/snippets/headers.conf': 'proxy_set_header Host $host;\n' });
  const safeAt = (rule: string) => all.filter((f) => f.ruleId === rule).map((f) => [lineOf(f), preferred(f)?.safe]);
  assert.deepEqual(safeAt('upstream-tls-unverified'), [[7, false], [11, true]]);
  assert.match(preferred(all.find((f) => f.ruleId === 'upstream-tls-unverified')!).title, /an include here could not be read/);
  assert.deepEqual(safeAt('upstream-tls-no-sni'), [[7, false], [11, true], [16, false]]);
  assert.deepEqual(safeAt('upstream-tls-no-trusted-ca'), [[15, false]]);
});

test('`$scheme` in a server that only listens with TLS is https: the pass is a TLS use', () => {
  const server = (listens: string) => `events {}\nhttp {\n    server {\n${listens}        location / {\n            proxy_pass $scheme://127.0.0.1:8443;\n        }\n    }\n}\n`;
  const unverifiedAt = (config: string) => findings(config).filter((f) => f.ruleId === 'upstream-tls-unverified').map(lineOf);
  assert.deepEqual(unverifiedAt(server('        listen 443 ssl;\n        listen [::]:443 ssl;\n')), [7]);
  // Plain and TLS sockets: the scheme depends on the request (nginx prepares TLS, nothing says it is used).
  assert.deepEqual(unverifiedAt(server('        listen 80;\n        listen 443 ssl;\n')), []);
  // No listen: nginx's plain default.
  assert.deepEqual(unverifiedAt(server('')), []);
});

test('a file read without the config that includes it gets no safe fix, and the finding says why it may be wrong', () => {
  const site = 'server {\n    listen 80;\n    location / {\n        proxy_pass https://api.example.com;\n    }\n}\n';
  const lone = createLanguageService({ fs: memoryFileSystem({ '/sites/app.conf': site }) }).diagnose('/sites/app.conf').findings;
  const unverified = lone.filter((f) => f.ruleId === 'upstream-tls-unverified');
  assert.equal(unverified.length, 1);
  assert.match(unverified[0].message, /analysed on its own; if the config that includes it turns verification on/);
  assert.equal(preferred(unverified[0]).safe, false);
  assert.match(preferred(unverified[0]).title, /read without the config that includes it/);
  assert.deepEqual(lone.filter((f) => f.ruleId === 'upstream-tls-no-sni').map((f) => preferred(f).safe), [false]);
  // The same server inside its main config: the fix is safe.
  const main = 'events {}\nhttp {\n    include /sites/*.conf;\n}\n';
  const whole = createLanguageService({ fs: memoryFileSystem({ '/sites/app.conf': site, '/nginx.conf': main }), candidates: () => ['/nginx.conf'] }).diagnose('/sites/app.conf').findings;
  assert.deepEqual(whole.filter((f) => f.ruleId === 'upstream-tls-unverified').map((f) => [preferred(f).safe, /analysed on its own/.test(f.message)]), [[true, false]]);
});

test('trusting the public CA bundle for a name no public CA certifies is not safe; trusting a CA the user names is', () => {
  const config = http(`        location /local { proxy_pass https://localhost:8443; }
        location /internal { proxy_pass https://api.corp.internal; }
        location /public { proxy_pass https://api.example.com; }
        location /ip-name { proxy_pass https://api.example.com; proxy_ssl_name 10.0.0.5; }
`);
  const fixesOf = (all: Finding[]) => all.filter((f) => f.ruleId === 'upstream-tls-unverified').map((f) => [lineOf(f), preferred(f).safe]);
  const bundle = findings(config);
  assert.deepEqual(fixesOf(bundle), [[5, false], [6, false], [7, true], [8, false]]);
  assert.match(preferred(bundle[0]).title, /no public CA certifies "localhost"/);
  // A private CA given by the user (--trusted-ca, nginxTlsProxy.trustedCertificate) may certify such names.
  const own = analyze(PATH, memoryFileSystem({ [PATH]: config }), defaultSettings({ trustedCertificate: '/etc/nginx/private-ca.crt' })).findings;
  assert.deepEqual(fixesOf(own), [[5, true], [6, true], [7, true], [8, false]]);
});

test('a pass whose URL or host a map gives: the fix is left to the user when the values name several hosts or ones no certificate carries', () => {
  const config = `events {}\nhttp {\n    map $host $backend {\n        default https://app.example.com;\n        api.example.com https://api.example.com:8443;\n    }\n    map $host $pool {\n        default pool_a;\n        b.example.com api.example.com;\n    }\n    upstream pool_a { server 10.0.0.1:443; }\n    server {\n        listen 80;\n        location / { proxy_pass $backend; }\n        location /p/ { proxy_pass https://$pool; }\n    }\n}\n`;
  const unverified = findings(config).filter((f) => f.ruleId === 'upstream-tls-unverified');
  assert.deepEqual(unverified.map(lineOf), [14, 15]);
  assert.match(unverified[0].message, /the map on line 3 gives it https values such as "https:\/\/app\.example\.com"/);
  const [several, group] = unverified.map(preferred);
  assert.equal(several.safe, false);
  assert.match(several.title, /every https value of the map on line 3 is checked against it/);
  assert.equal(group.safe, false);
  assert.match(group.title, /the map on line 7 gives the host "pool_a": set proxy_ssl_name/);
});

test('an edit in a map value is seen: a value turned https makes the pass a TLS use', () => {
  const before = `events {}\nhttp {\n    map $host $backend {\n        default http://10.0.0.1:8080;\n    }\n    server {\n        listen 80;\n        location / { proxy_pass $backend; }\n    }\n}\n`;
  const service = createLanguageService({ fs: memoryFileSystem({ [PATH]: before }), candidates: () => [PATH] });
  const unverified = () => service.diagnose(PATH).findings.filter((f) => f.ruleId === 'upstream-tls-unverified').map(lineOf);
  assert.deepEqual(unverified(), []);
  service.setText(PATH, before.replace('http://10.0.0.1:8080', 'https://10.0.0.1:8443'));
  assert.deepEqual(unverified(), [8]);
  service.setText(PATH, before);
  assert.deepEqual(unverified(), []);
});

test('maps as nginx reads them: the last map of a variable, a set of any spelling over it, a variable run into its value', () => {
  const config = `events {}\nhttp {\n    map $uri $backend { default https://first.example.com; }\n    map $host $backend { default http://10.0.0.1:8080; }\n    map $host $tls { default https://api.example.com; }\n    server {\n        listen 80;\n        location /last { proxy_pass $backend; }\n        location /set { set $TLS http://10.0.0.2:8080; proxy_pass $tls; }\n        location /setcase { set $BACKEND https://api.example.com; proxy_pass $backend; }\n        location /uri { proxy_pass $tls$request_uri; }\n    }\n}\n`;
  const unverified = findings(config).filter((f) => f.ruleId === 'upstream-tls-unverified');
  // /last: the second map (plain http) wins; /set: the set (any spelling) overrides the map.
  assert.deepEqual(unverified.map(lineOf), [10, 11]);
  assert.match(unverified[1].message, /the map on line 5 gives it https values such as "https:\/\/api\.example\.com\$request_uri"/);
  assert.equal(preferred(unverified[1]).safe, false);
});

test('names no public CA certifies: service-mesh suffixes, a trailing dot, a literal tail after a variable', () => {
  const config = http(`        location /svc { proxy_pass https://api.default.svc; }
        location /consul { proxy_pass https://api.service.consul; }
        location /alt { proxy_pass https://db.alt; }
        location /dot { proxy_pass https://backend.local.; }
        location /tail { proxy_pass https://$svc.internal; }
        location /public { proxy_pass https://api.example.com.; }
`);
  const unverified = findings(config).filter((f) => f.ruleId === 'upstream-tls-unverified');
  assert.deepEqual(unverified.map((f) => [lineOf(f), preferred(f).safe]), [[5, false], [6, false], [7, false], [8, false], [9, false], [10, true]]);
  assert.match(preferred(unverified[4]).title, /no public CA certifies a name ending in "\.internal"/);
});

test('the CA the fix leaves in effect decides: a public bundle set around the pass stays, whatever CA the user names', () => {
  const config = `events {}\nhttp {\n    proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n    server {\n        listen 80;\n        location / { proxy_pass https://localhost:8443; }\n    }\n}\n`;
  const own = analyze(PATH, memoryFileSystem({ [PATH]: config }), defaultSettings({ trustedCertificate: '/etc/nginx/private-ca.crt' })).findings;
  const f = own.find((x) => x.ruleId === 'upstream-tls-unverified')!;
  assert.equal(preferred(f).safe, false);
  assert.match(preferred(f).title, /no public CA certifies "localhost"/);
});
