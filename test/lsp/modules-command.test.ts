// "Use my nginx's modules" over LSP, as the VS Code client does it: the output of the real nginx -V goes to
// the built server, which answers the settings that describe that build; with those settings in place the
// server reports what that nginx would (a stream block without the dynamic stream module loaded).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from './client';
import { resolveSettings } from '../../server/src/engine';

const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const required = process.env.NGINX_TLS_REQUIRE_NGINX === '1';
const dirs: string[] = [];

after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const STREAM = 'events {}\nstream {\n    server {\n        listen 12345;\n        proxy_pass 127.0.0.1:1;\n    }\n}\n';

test('nginx -V of the real nginx → modules and nginxVersion settings that resolve to the same build', { timeout: 60000 }, async (t) => {
  if (!fs.existsSync(NGINX)) {
    if (required) assert.fail(`NGINX_TLS_REQUIRE_NGINX=1 but ${NGINX} is missing`);
    return t.skip(`needs nginx at ${NGINX}`);
  }
  const v = spawnSync(NGINX, ['-V'], { encoding: 'utf8' });
  const text = v.stdout + v.stderr;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-lsp-modules-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), STREAM);
  const client = new LspClient();
  try {
    await client.initialize(dir);
    const found = await client.request('nginxTlsProxy/modulesFromNginxV', { text });
    assert.equal(found.problem, undefined);
    assert.equal(found.nginxVersion, /nginx version: nginx\/([\d.]+)/.exec(text)![1]);
    // The list the client writes is the build nginx -V describes: same modules as parsing the text itself.
    const written = resolveSettings({ modules: found.modules }).settings.build;
    const parsed = resolveSettings({ modulesFrom: text }).settings.build;
    assert.deepEqual([...written.modules].sort(), [...parsed.modules].sort());
    assert.equal(written.plus, parsed.plus);

    // With the default build (nginx.org's packages, stream compiled in) the stream block is fine.
    const u = 'file://' + path.join(dir, 'nginx.conf');
    client.open(u, STREAM);
    const before = await client.diagnostics(u, 1);
    assert.equal(before.filter((d) => d.code === 'unknown-directive').length, 0, JSON.stringify(before));
    // The settings as the client writes them; when this nginx has stream only as a dynamic module, nginx -t
    // rejects the block until a load_module line loads it, and so does the server.
    client.configuration = { modules: found.modules, nginxVersion: found.nginxVersion };
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    const streamDynamic = found.dynamic.includes('ngx_stream_core_module');
    const nginxT = spawnSync(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr', '-g', `pid ${dir}/nginx.pid;`], { encoding: 'utf8' });
    assert.equal(nginxT.status === 0, !streamDynamic, nginxT.stderr);
    const deadline = Date.now() + 20000;
    for (;;) {
      const d = await client.diagnostics(u, 1);
      const unknown = d.filter((x) => x.code === 'unknown-directive');
      if (unknown.length === (streamDynamic ? 1 : 0)) {
        if (streamDynamic) assert.match(String(unknown[0].message), /unknown directive "stream"/);
        break;
      }
      assert.ok(Date.now() < deadline, 'diagnostics follow the new settings: ' + JSON.stringify(d));
      await new Promise((r) => setTimeout(r, 50));
    }
    // Not nginx -V output: the server says so and the client writes nothing.
    const bad = await client.request('nginxTlsProxy/modulesFromNginxV', { text: 'nginx: command not found' });
    assert.match(bad.problem, /not the output of nginx -V/);
  } finally {
    await client.stop();
  }
});
