// The build as a setting: the module table (every directive we know has a module, every preset says where its
// list comes from), `nginx -V` parsing on real output, load_module, and what unknown-directive says.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSettings, memoryFileSystem } from '../../server/src/engine';
import { modulesFromNginxV, resolveSettings } from '../../server/src/engine/settings';
import { allDirectives } from '../../server/src/engine/knowledge/directives';
import { allModules, availability, buildFromNginxV, knownDirectiveNames, makeBuild, moduleInfo, modulesDefining, PRESETS } from '../../server/src/engine/knowledge/modules';
import { analyze, parseVersion } from '../support/engine';

const MODULES_TS = path.resolve(__dirname, '../../server/src/engine/knowledge/modules.ts');

/** `nginx -V` of Debian 12's nginx 1.22.1-9+deb12u12 (the binary behind nginx-light/core/full/extras). */
const DEBIAN12_NGINX_V = `nginx version: nginx/1.22.1
built with OpenSSL 3.0.22 25 Aug 2026
TLS SNI support enabled
configure arguments: --with-cc-opt='-g -O2 -ffile-prefix-map=/build/reproducible-path/nginx-1.22.1=. -fstack-protector-strong -Wformat -Werror=format-security -fPIC -Wdate-time -D_FORTIFY_SOURCE=2' --with-ld-opt='-Wl,-z,relro -Wl,-z,now -fPIC' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --http-log-path=/var/log/nginx/access.log --error-log-path=stderr --lock-path=/var/lock/nginx.lock --pid-path=/run/nginx.pid --modules-path=/usr/lib/nginx/modules --http-client-body-temp-path=/var/lib/nginx/body --http-fastcgi-temp-path=/var/lib/nginx/fastcgi --http-proxy-temp-path=/var/lib/nginx/proxy --http-scgi-temp-path=/var/lib/nginx/scgi --http-uwsgi-temp-path=/var/lib/nginx/uwsgi --with-compat --with-debug --with-pcre-jit --with-http_ssl_module --with-http_stub_status_module --with-http_realip_module --with-http_auth_request_module --with-http_v2_module --with-http_dav_module --with-http_slice_module --with-threads --with-http_addition_module --with-http_flv_module --with-http_gunzip_module --with-http_gzip_static_module --with-http_mp4_module --with-http_random_index_module --with-http_secure_link_module --with-http_sub_module --with-mail_ssl_module --with-stream_ssl_module --with-stream_ssl_preread_module --with-stream_realip_module --with-http_geoip_module=dynamic --with-http_image_filter_module=dynamic --with-http_perl_module=dynamic --with-http_xslt_module=dynamic --with-mail=dynamic --with-stream=dynamic --with-stream_geoip_module=dynamic
`;

function findings(text: string, settings = defaultSettings(), rootKind?: Parameters<typeof analyze>[3] extends infer O ? O extends { rootKind?: infer K } ? K : never : never) {
  return analyze('/m/nginx.conf', memoryFileSystem({ '/m/nginx.conf': text }), settings, { rootKind }).findings;
}

test('every directive we know has a module, and every module of the table is described', () => {
  const names = new Set([...allDirectives().keys(), ...knownDirectiveNames()]);
  assert.ok(names.size > 1200, `${names.size} directives`);
  const orphans = [...names].filter((n) => modulesDefining(n).length === 0);
  assert.deepEqual(orphans, []);
  for (const n of names) for (const m of modulesDefining(n)) assert.ok(moduleInfo(m.module), `${n}: module ${m.module} is described`);
});

test('every preset lists modules the table knows, and says where its list comes from (a source comment)', () => {
  const src = fs.readFileSync(MODULES_TS, 'utf8');
  const known = new Set(allModules().map((m) => m.id));
  for (const [name, p] of Object.entries(PRESETS)) {
    for (const m of p.modules) assert.ok(known.has(m), `${name}: ${m} is a module of the table`);
    for (const m of p.loadable) assert.ok(known.has(m), `${name}: loadable ${m} is a module of the table`);
    const key = /^[a-z]+$/.test(name) ? `\n  ${name}: {` : `\n  '${name}': {`;
    const at = src.indexOf(key);
    assert.ok(at > 0, `preset ${name} found in modules.ts`);
    const before = src.slice(Math.max(0, at - 1200), at).split('\n').slice(-12);
    const comments = before.filter((l) => /^\s*\/\//.test(l)).join(' ');
    assert.match(comments, /(github\.com|apt-cache|docs\.nginx\.com|nginx\.org|nginx -V)/, `preset ${name} has a source comment`);
  }
});

test('the default build is nginx.org\'s packages: third-party and NGINX Plus directives are unknown there, with their module', () => {
  const fs1 = findings('more_set_headers "X-A: b";\n', defaultSettings(), 'http/location');
  const f = fs1.find((x) => x.ruleId === 'unknown-directive');
  assert.ok(f, 'more_set_headers is unknown in the nginx.org build');
  assert.equal(f!.severity, 'error');
  assert.match(f!.message, /^unknown directive "more_set_headers"; .*headers-more.*ngx_http_headers_more_filter_module/);
  const plus = findings('upstream b {\n    server 127.0.0.1:8080;\n    zone b 64k;\n}\nkeyval_zone zone=one:32k;\n', defaultSettings(), 'http');
  assert.match(plus.find((x) => x.ruleId === 'unknown-directive')?.message ?? '', /^unknown directive "keyval_zone"; it is NGINX Plus only/);
  assert.equal(plus.filter((x) => x.ruleId === 'directive-not-allowed-here').length, 0);
  const withPlus = resolveSettings({ modules: 'nginx-plus' }).settings;
  assert.equal(findings('keyval_zone zone=one:32k;\n', withPlus, 'http').filter((x) => x.ruleId === 'unknown-directive').length, 0);
});

test('a module the distribution ships for load_module: an error in a complete config, a warning in a fragment', () => {
  const complete = findings('events {}\nhttp {\n    js_import main.js;\n}\n');
  assert.equal(complete.find((x) => x.ruleId === 'unknown-directive')?.severity, 'error');
  const loaded = findings('load_module modules/ngx_http_js_module.so;\nevents {}\nhttp {\n    js_import main.js;\n}\n');
  assert.deepEqual(loaded.filter((x) => x.ruleId === 'unknown-directive'), []);
  const fragment = findings('js_import main.js;\n', defaultSettings(), 'http');
  const w = fragment.find((x) => x.ruleId === 'unknown-directive');
  assert.equal(w?.severity, 'warning');
  assert.match(w!.message, /unless the main config loads it/);
});

test('Debian presets: their packages are loaded; NGINX Plus directives stay unknown', () => {
  const extras = resolveSettings({ modules: 'debian-extras' }).settings;
  assert.deepEqual(findings('more_set_headers "X-A: b";\ncontent_by_lua_block { ngx.say(1) }\n', extras, 'http/location').filter((x) => x.ruleId === 'unknown-directive'), []);
  const light = resolveSettings({ modules: 'debian-light' }).settings;
  assert.match(findings('more_set_headers "X-A: b";\n', light, 'http/location').find((x) => x.ruleId === 'unknown-directive')?.message ?? '', /apt install libnginx-mod-http-headers-more-filter/);
  assert.equal(findings('echo hello;\n', light, 'http/location').filter((x) => x.ruleId === 'unknown-directive').length, 0);
  assert.equal(findings('upstream b {\n    server 127.0.0.1:8080;\n    sticky cookie srv;\n}\n', { ...extras, nginxVersion: parseVersion('1.22') }, 'http').filter((x) => x.ruleId === 'unknown-directive').length, 1);
});

test('modules setting: a preset, a list, names of modules or packages; problems for what is neither', () => {
  const r = resolveSettings({ modules: ['nginx', 'ngx_http_js_module', 'headers-more', 'libnginx-mod-http-echo'] });
  assert.deepEqual(r.problems, []);
  for (const m of ['ngx_http_js_module', 'ngx_http_headers_more_filter_module', 'ngx_http_echo_module', 'ngx_http_ssl_module']) assert.ok(r.settings.build.modules.has(m), m);
  assert.ok(!r.settings.build.modules.has('ngx_http_lua_module'));
  assert.ok(resolveSettings({ modules: 'openresty' }).settings.build.modules.has('ngx_http_lua_module'));
  assert.match(resolveSettings({ modules: 'nginx, no_such_thing' }).problems.join(), /no_such_thing/);
  assert.match(resolveSettings({ modules: 42 }).problems.join(), /preset/);
});

test('modules setting: -name takes a module out of the preset', () => {
  const r = resolveSettings({ modules: ['nginx', '-ngx_http_v3_module', 'headers-more'] });
  assert.deepEqual(r.problems, []);
  assert.ok(!r.settings.build.modules.has('ngx_http_v3_module'));
  assert.ok(r.settings.build.modules.has('ngx_http_headers_more_filter_module') && r.settings.build.modules.has('ngx_http_v2_module'));
  assert.match(resolveSettings({ modules: ['nginx', '-no_such_thing'] }).problems.join(), /no_such_thing/);
});

test('Use my nginx\'s modules: nginx -V → the closest preset and its differences, resolving to the same build', () => {
  const texts = [DEBIAN12_NGINX_V,
    'nginx version: nginx/1.26.2\nconfigure arguments: --without-http_fastcgi_module --with-http_ssl_module --with-stream=dynamic --add-module=/src/headers-more-nginx-module-0.37\n',
    'nginx version: nginx/1.27.4 (nginx-plus-r34)\nconfigure arguments: --with-http_ssl_module --with-stream\n'];
  for (const text of texts) {
    const found = modulesFromNginxV(text);
    assert.equal(found.problem, undefined);
    const written = resolveSettings({ modules: found.modules });
    assert.deepEqual(written.problems, []);
    const parsed = buildFromNginxV(text).build;
    assert.deepEqual([...written.settings.build.modules].sort(), [...parsed.modules].sort(), text);
    assert.equal(written.settings.build.plus, parsed.plus);
  }
  assert.equal(modulesFromNginxV(DEBIAN12_NGINX_V).modules[0].startsWith('debian-'), true, 'Debian 12\'s nginx: a Debian preset');
  assert.equal(modulesFromNginxV(texts[1]).modules[0], 'nginx', 'another version: not a Debian 12 preset');
  assert.ok(modulesFromNginxV(texts[1]).modules.includes('-ngx_http_fastcgi_module'));
  assert.deepEqual(modulesFromNginxV(texts[1]).dynamic.includes('ngx_stream_core_module'), true);
  assert.equal(modulesFromNginxV(texts[2]).modules[0], 'nginx-plus');
  assert.match(modulesFromNginxV('bash: nginx: command not found').problem ?? '', /not the output of nginx -V/);
});

test('nginx -V: configure arguments become the build (static, =dynamic as loadable, --add-module by its directory)', () => {
  const { build, version } = buildFromNginxV(DEBIAN12_NGINX_V);
  assert.equal(version, '1.22.1');
  for (const m of ['ngx_http_ssl_module', 'ngx_http_v2_module', 'ngx_http_sub_module', 'ngx_http_proxy_module', 'ngx_stream_ssl_module']) assert.ok(build.modules.has(m), m);
  for (const m of ['ngx_http_geoip_module', 'ngx_http_perl_module', 'ngx_stream_core_module', 'ngx_mail_core_module', 'ngx_http_xslt_module']) {
    assert.ok(!build.modules.has(m) && build.loadable.has(m), `${m} is dynamic: loadable`);
  }
  assert.ok(!build.modules.has('ngx_http_v3_module'));
  assert.ok(build.compat);
  const custom = buildFromNginxV('nginx version: nginx/1.26.2\nconfigure arguments: --without-http_fastcgi_module --with-http_ssl_module --add-module=/src/headers-more-nginx-module-0.37 --add-dynamic-module=../ngx_brotli --add-module=/x/unknown-thing\n');
  assert.ok(!custom.build.modules.has('ngx_http_fastcgi_module'));
  assert.ok(custom.build.modules.has('ngx_http_headers_more_filter_module'));
  assert.ok(custom.build.loadable.has('ngx_http_brotli_filter_module'));
  assert.deepEqual(custom.unknown, ['/x/unknown-thing']);
  assert.equal(availability('fastcgi_pass', custom.build, new Set(), parseVersion('1.26')).ok, false);
});

test('nginx -V of this machine\'s nginx, when there is one, parses and its stream module loads with load_module', { skip: !fs.existsSync('/usr/sbin/nginx') }, () => {
  const r = spawnSync('/usr/sbin/nginx', ['-V'], { encoding: 'utf8' });
  const text = (r.stderr ?? '') + (r.stdout ?? '');
  const s = resolveSettings({ modulesFrom: text });
  assert.deepEqual(s.problems, []);
  assert.ok(s.settings.build.modules.has('ngx_http_ssl_module'));
  const conf = 'load_module /usr/lib/nginx/modules/ngx_stream_module.so;\nevents {}\nstream {\n    server {\n        listen 5000;\n        proxy_pass 127.0.0.1:5001;\n    }\n}\n';
  assert.deepEqual(findings(conf, s.settings).filter((x) => x.ruleId === 'unknown-directive'), []);
  const without = findings(conf.replace(/^load_module.*\n/, ''), s.settings);
  assert.ok(without.some((x) => x.ruleId === 'unknown-directive' && /"stream"/.test(x.message)), 'stream without load_module is unknown');
});

test('directives nginx\'s sources define that the docs lack are known (post_action, gzip_window…)', () => {
  const f = findings('post_action /done;\ngzip_window 8k;\n', defaultSettings(), 'http/location');
  assert.deepEqual(f.filter((x) => x.ruleId === 'unknown-directive' || x.ruleId === 'directive-not-allowed-here'), []);
  assert.ok(makeBuild('nginx').modules.has('ngx_http_core_module'));
});

test('CLI: --modules and --modules-from choose the build', { skip: !fs.existsSync(path.resolve(__dirname, '../../dist/cli.js')) }, () => {
  const dir = fs.mkdtempSync('/tmp/ntp-modules-');
  const conf = path.join(dir, 'site.conf');
  fs.writeFileSync(conf, '# nginx-context: location\nmore_set_headers "X-A: b";\n');
  const cli = (args: string[]) => spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/cli.js'), 'check', '--format', 'json', ...args, conf], { encoding: 'utf8' });
  const ids = (r: ReturnType<typeof cli>) => r.stdout.replace(/\\"/g, '"');
  assert.match(ids(cli([])), /more_set_headers/);
  assert.doesNotMatch(ids(cli(['--modules', 'debian-extras'])), /unknown directive/);
  assert.doesNotMatch(ids(cli(['--modules', 'nginx,headers-more'])), /unknown directive/);
  assert.match(ids(cli(['--modules-from', DEBIAN12_NGINX_V])), /unknown directive "more_set_headers"/);
  const bad = cli(['--modules', 'nope']);
  assert.equal(bad.status, 2);
  fs.rmSync(dir, { recursive: true });
});

test('since-versions from nginx\'s changelog: a directive newer than the configured version is unknown there, with the version', () => {
  const at = (v: string, conf: string) => findings(conf, defaultSettings({ nginxVersion: parseVersion(v) })).filter((f) => f.ruleId === 'unknown-directive').map((f) => f.message);
  const conf = 'events {}\nhttp {\n    server {\n        listen 80;\n        keepalive_min_timeout 1s;\n        keepalive_time 1h;\n        location / {\n            proxy_ssl_certificate_cache max=10;\n            proxy_pass http://a.test;\n        }\n    }\n}\n';
  const old = at('1.18', conf);
  assert.equal(old.length, 3, old.join('\n'));
  assert.match(old.join('\n'), /"keepalive_min_timeout": it appeared in nginx 1\.27\.4/);
  assert.match(old.join('\n'), /"keepalive_time": it appeared in nginx 1\.19\.10/);
  assert.deepEqual(at('1.22', conf).length, 2);
  assert.deepEqual(at('1.28', conf), []);
});
