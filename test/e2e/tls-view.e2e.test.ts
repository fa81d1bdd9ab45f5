// The "TLS upstreams" view and the TLS report in a real VS Code (code-server 4.100.3 in headless Chromium,
// the packaged extension): items server → location → upstream → backend with their state icons, a click
// goes to the directive, a quick fix that turns verification on updates the view, the report opens in a
// webview. Skips when code-server or Chromium is missing, unless NGINX_TLS_E2E=1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, Page } from 'playwright-core';
import { freePort } from '../support/nginx';

const ROOT = path.resolve(__dirname, '../..');
const CODE_SERVER = path.join(process.env.CODE_SERVER_HOME ?? path.join(os.homedir(), '.cache/nginx-tls-proxy/code-server-4.100.3'), 'node_modules/.bin/code-server');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const VSIX = path.join(ROOT, 'dist-vsix/nginx-tls-proxy.vsix');
const RESULTS = path.join(ROOT, 'test-results/e2e');
const required = process.env.NGINX_TLS_E2E === '1';

const CONFIG = `events {}
http {
    upstream app {
        server 10.0.0.1:8443;
        server 10.0.0.2:8443;
    }
    server {
        listen 8080;
        server_name www.example.com;
        location /app/ {
            proxy_pass https://backend.example.com;
        }
        location /mtls/ {
            proxy_pass https://app;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
            proxy_ssl_name app.internal.example;
            proxy_ssl_server_name on;
            proxy_ssl_certificate /etc/nginx/client.pem;
            proxy_ssl_certificate_key /etc/nginx/client.key;
        }
    }
}
`;

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 120000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `e2e-${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.NGINX_TLS_E2E_SCREENSHOTS === '1') {
    fs.mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
    fs.copyFileSync(file, path.join(ROOT, 'docs/images', `e2e-${name}.png`));
  }
}

async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30000 });
  await input.fill('>' + command);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: command }).first();
  await row.waitFor({ timeout: 30000 });
  await page.keyboard.press('Enter');
}

test('in a real VS Code: the TLS upstreams view, click to the directive, update after a quick fix, the report', { timeout: 300000 }, async (t) => {
  const missing = [CODE_SERVER, CHROMIUM].filter((p) => !fs.existsSync(p));
  if (missing.length) {
    if (required) assert.fail(`NGINX_TLS_E2E=1 but missing: ${missing.join(', ')}`);
    return t.skip(`needs ${missing.join(' and ')} (scripts/install-code-server.sh, apt-get install chromium)`);
  }
  // Always a fresh package: the view is contributed by this build's package.json.
  const pkg = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pkg.status, 0, pkg.stdout + pkg.stderr);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-e2e-view-'));
  const dirs = Object.fromEntries(['home', 'data', 'ext', 'xdg-config', 'xdg-data', 'xdg-cache', 'tmp', 'profile', 'ws'].map((d) => {
    const p = path.join(base, d);
    fs.mkdirSync(p);
    return [d, p];
  }));
  fs.writeFileSync(path.join(dirs.ws, 'nginx.conf'), CONFIG);
  const env = { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: dirs['xdg-config'], XDG_DATA_HOME: dirs['xdg-data'], XDG_CACHE_HOME: dirs['xdg-cache'], TMPDIR: dirs.tmp };
  const inst = spawnSync(CODE_SERVER, ['--user-data-dir', dirs.data, '--extensions-dir', dirs.ext, '--install-extension', VSIX, '--force'], { env, encoding: 'utf8', timeout: 120000 });
  assert.equal(inst.status, 0, inst.stdout + inst.stderr);
  fs.mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'nginxTlsProxy.nginxVersion': '1.30',
    'extensions.autoUpdate': false, 'telemetry.telemetryLevel': 'off',
  }));
  fs.writeFileSync(path.join(base, 'config.yaml'), 'auth: none\n');
  const port = await freePort();
  const log = fs.openSync(path.join(base, 'code-server.log'), 'w');
  let server: ChildProcess | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  let page: Page | undefined;
  let failed = false;
  try {
    server = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', dirs.data, '--extensions-dir', dirs.ext,
      '--config', path.join(base, 'config.yaml'), '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', dirs.ws], { env, detached: true, stdio: ['ignore', log, log] });
    await until('code-server /healthz', async () => healthy(port));
    browser = await chromium.launchPersistentContext(dirs.profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.ws)}`, { waitUntil: 'domcontentloaded', timeout: 120000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 120000 });
    await page.getByRole('treeitem', { name: /nginx\.conf/ }).click({ timeout: 120000 });
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 120000 });

    // The view in the Explorer: expand it if it is collapsed.
    const header = page.locator('.pane-header', { hasText: 'TLS upstreams' });
    await header.waitFor({ timeout: 60000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    // Room for the view: every other section of the Explorer folded (the file is open already). A tree
    // renders only the rows it has room for: squeezed under an open file list, its second row never exists.
    for (const other of await page.locator('.pane-header').all()) {
      if (((await other.textContent().catch(() => '')) ?? '').includes('TLS upstreams')) continue;
      if ((await other.getAttribute('aria-expanded').catch(() => null)) === 'true') await other.click().catch(() => undefined);
    }
    const pane = page.locator('.pane', { has: header });
    const row = (text: string) => pane.locator('.monaco-list-row', { hasText: text }).first();
    await row('server www.example.com').waitFor({ timeout: 60000 });
    await row('location /app/').waitFor({ timeout: 30000 });
    const unverified = row('https://backend.example.com');
    await unverified.waitFor({ timeout: 30000 });
    assert.equal(await unverified.locator('.codicon-unverified').count(), 1, 'the unverified icon');
    const mutual = row('upstream app');
    assert.equal(await mutual.locator('.codicon-lock').count(), 1, 'the mutual-TLS icon');
    assert.match((await mutual.textContent()) ?? '', /mutual TLS/);
    // Backends under the group. Expanded by its twistie: a click on the row opens its directive, which can take
    // the focus to the editor before a key press lands (the arrow then moved the editor's cursor instead).
    await until('the backends under the group', async () => {
      if (await row('10.0.0.1:8443').isVisible()) return true;
      if ((await mutual.getAttribute('aria-expanded')) !== 'true') await mutual.locator('.monaco-tl-twistie').click();
      return false;
    }, 30000);
    await shot(page, 'tls-view');

    // A click on the unverified upstream goes to its proxy_pass (line 11).
    await unverified.click();
    await until('cursor on the proxy_pass line', async () => /Ln 11,/.test((await page!.locator('#status\\.editor\\.selection').textContent()) ?? ''), 30000);
    // The reason on hover.
    await unverified.hover();
    const tip = await until('tooltip with the reason', async () => {
      const texts = await page!.locator('.monaco-hover, .custom-hover, .workbench-hover').allTextContents();
      return texts.find((x) => /not verified/.test(x));
    }, 30000).catch(() => '');
    if (tip) assert.match(tip, /proxy_ssl_verify/);

    // The quick fix on the URL turns verification on: the view follows.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+g');
    await page.keyboard.type('11:35');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+.');
    const fixRow = page.locator('.action-widget .monaco-list-row', { hasText: 'proxy_ssl_verify' }).first();
    await fixRow.waitFor({ timeout: 60000 });
    for (let i = 0; i < 10 && !((await fixRow.getAttribute('class')) ?? '').includes('focused'); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await until('squiggle gone', async () => (await page!.locator('.monaco-editor .squiggly-warning').count()) === 0, 60000);
    await until('the view shows it verified', async () => (await row('https://backend.example.com').locator('.codicon-verified').count()) === 1, 30000);
    await shot(page, 'tls-view-fixed');

    // The report beside the editor, in a webview.
    await palette(page, 'Open the TLS report');
    await until('the report tab', async () => (await page!.locator('.tab', { hasText: 'TLS report' }).count()) > 0, 30000);
    const frame = page.frameLocator('iframe.webview').frameLocator('iframe');
    await frame.locator('svg.diagram').waitFor({ timeout: 30000 });
    assert.equal(await frame.locator('script').count(), 0);
    assert.equal(await frame.locator('table tbody tr').count(), 2);
    await shot(page, 'tls-report');
  } catch (e) {
    failed = true;
    if (page) await page.screenshot({ path: path.join(base, 'failure.png') }).catch(() => undefined);
    throw new Error(`${(e as Error).message}\nscreenshot: ${path.join(base, 'failure.png')}`);
  } finally {
    await browser?.close().catch(() => undefined);
    if (server?.pid) {
      try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
      await until('code-server exit', async () => { try { process.kill(-server!.pid!, 0); return false; } catch { return true; } }, 15000)
        .catch(() => { try { process.kill(-server!.pid!, 'SIGKILL'); } catch { /* gone */ } });
    }
    fs.closeSync(log);
    // A failed run keeps its folder (screenshot, code-server's log) for whoever looks into it.
    if (!process.env.NGINX_TLS_E2E_KEEP && !failed) fs.rmSync(base, { recursive: true, force: true });
  }
});
