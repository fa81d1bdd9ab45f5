// The packaged extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven in headless
// Chromium. Open a config, see the warning, read the docs on hover, apply the quick fix, watch it go.
// Skips when code-server or Chromium is missing, unless NGINX_TLS_E2E=1 (CI), where that is a failure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, Page } from 'playwright-core';
import { freePort, nginxAvailable, RunningNginx, startNginx, tempDir, writeNginxConf } from '../support/nginx';
import { makeCasePki, opensslAvailable } from '../support/pki';

const ROOT = path.resolve(__dirname, '../..');
const CODE_SERVER = path.join(process.env.CODE_SERVER_HOME ?? path.join(os.homedir(), '.cache/nginx-tls-proxy/code-server-4.100.3'), 'node_modules/.bin/code-server');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const VSIX = path.join(ROOT, 'dist-vsix/nginx-tls-proxy.vsix');
const RESULTS = path.join(ROOT, 'test-results/e2e');
const required = process.env.NGINX_TLS_E2E === '1';
const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

const CONFIG = `events {}
http {
    server {
        listen 8080;
        location /api/ {
            proxy_pass https://backend.example.com;
        }
    }
}
`;

const SITE = `upstream backend_group {
    server 10.0.0.1:8443;
}
server {
    listen 8081;
    server_name www.example.com;
    location /app/ {
        proxy_pass https://backend_group;
        proxy_ssl_verify on;
        proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        proxy_ssl_name app.internal.example;
        proxy_ssl_server_name on;
    }
}
server {
    listen 8082;
    server_name api.example.com;

}
`;

const MESSY = `server {listen    8083 ;
      location / {
  # keep me
return   200 "ok";   }


    location = /health { access_log off; return 204; }
}
`;

const MESSY_FORMATTED = `server {
    listen 8083;
    location / {
        # keep me
        return 200 "ok";
    }

    location = /health {
        access_log off;
        return 204;
    }
}
`;

async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30000 });
  await input.fill('>' + command);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: command }).first();
  await row.waitFor({ timeout: 30000 });
  await page.keyboard.press('Enter');
}

async function openFile(page: Page, name: RegExp): Promise<void> {
  await page.getByRole('treeitem', { name }).first().click({ timeout: 60000 });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 120000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Hovers `word` until a hover whose text `matches` shows, and returns that text. The mouse goes off the word
 * and back every few seconds: a hover asked while the editor or the server was still busy (a loaded machine)
 * is not asked again by waiting, and the word may have moved as the editor settled.
 */
async function hoverText(page: Page, word: string, what: string, matches: (text: string) => boolean): Promise<string> {
  let movedAt = 0;
  return until(what, async () => {
    const hit = (await page.locator('.monaco-editor .monaco-hover').allTextContents()).find(matches);
    if (hit) return hit;
    if (Date.now() - movedAt > 4000) {
      const box = await wordBox(page, word);
      await page.mouse.move(5, 5);
      await page.mouse.move(box.x, box.y);
      movedAt = Date.now();
    }
    return undefined;
  }, 60000);
}

/** A screenshot into test-results/e2e; with NGINX_TLS_E2E_SCREENSHOTS=1 also into docs/images (the README's). */
async function shot(page: Page, name: string, opts: { docs: boolean } = { docs: true }): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `e2e-${name}.png`);
  await page.screenshot({ path: file });
  if (opts.docs && process.env.NGINX_TLS_E2E_SCREENSHOTS === '1') {
    fs.mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
    fs.copyFileSync(file, path.join(ROOT, 'docs/images', `e2e-${name}.png`));
  }
}

/** Screen box of the first occurrence of `word` in the editor's rendered lines. */
async function wordBox(page: Page, word: string): Promise<{ x: number; y: number }> {
  return until(`"${word}" rendered`, () => page.evaluate((w) => {
    // Several editors may be in the page (background tabs): search the visible ones.
    const all = [...document.querySelectorAll('.monaco-editor .view-lines')].filter((e) => e.getBoundingClientRect().width > 0);
    for (const lines of all) {
    const walker = document.createTreeWalker(lines, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = (n.textContent ?? '').replace(/\u00a0/g, ' ').indexOf(w);
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i);
      r.setEnd(n, i + w.length);
      const b = r.getBoundingClientRect();
      if (b.width === 0) continue;
      return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
    }
    }
    return undefined;
  }, word), 30000);
}

interface Session {
  page: Page;
  dirs: Record<string, string>;
}

/**
 * A code-server with the packaged extension on a fresh workspace holding `files`, and Chromium on it. Runs
 * `scenario`, then stops both (code-server's whole process group, by pid) and removes every folder.
 */
async function withCodeServer(t: { skip(msg: string): void }, files: Record<string, string>, opts: { trusted: boolean }, scenario: (s: Session) => Promise<void>): Promise<void> {
  const missing = [CODE_SERVER, CHROMIUM].filter((p) => !fs.existsSync(p));
  if (missing.length) {
    if (required) assert.fail(`NGINX_TLS_E2E=1 but missing: ${missing.join(', ')} (run scripts/install-code-server.sh; apt-get install chromium)`);
    return t.skip(`needs ${missing.join(' and ')} (scripts/install-code-server.sh, apt-get install chromium)`);
  }
  if (!fs.existsSync(VSIX)) {
    const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-e2e-'));
  const dirs = Object.fromEntries(['home', 'data', 'ext', 'xdg-config', 'xdg-data', 'xdg-cache', 'tmp', 'profile', 'ws'].map((d) => {
    const p = path.join(base, d);
    fs.mkdirSync(p);
    return [d, p];
  }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dirs.ws, name), text);
  const env = { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: dirs['xdg-config'], XDG_DATA_HOME: dirs['xdg-data'], XDG_CACHE_HOME: dirs['xdg-cache'], TMPDIR: dirs.tmp };
  const inst = spawnSync(CODE_SERVER, ['--user-data-dir', dirs.data, '--extensions-dir', dirs.ext, '--install-extension', VSIX, '--force'], { env, encoding: 'utf8', timeout: 120000 });
  assert.equal(inst.status, 0, inst.stdout + inst.stderr);
  fs.mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'editor.hover.delay': 200,
    'security.workspace.trust.enabled': !opts.trusted, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never',
    'nginxTlsProxy.nginxVersion': '1.30', 'nginxTlsProxy.nginxBinary': NGINX_BIN, 'nginxTlsProxy.nginxTestArgs': ['-e', 'stderr'],
    'editor.detectIndentation': false, 'editor.tabSize': 4, 'editor.insertSpaces': true, 'extensions.autoUpdate': false, 'telemetry.telemetryLevel': 'off',
  }));
  const port = await freePort();
  const log = fs.openSync(path.join(base, 'code-server.log'), 'w');
  let server: ChildProcess | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  let page: Page | undefined;
  let failed = false;
  try {
    server = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', dirs.data, '--extensions-dir', dirs.ext,
      '--config', path.join(base, 'config.yaml'), '--disable-telemetry', '--disable-update-check', ...(opts.trusted ? ['--disable-workspace-trust'] : []),
      '--disable-getting-started-override', dirs.ws], { env, detached: true, stdio: ['ignore', log, log] });
    await until('code-server /healthz', async () => healthy(port));
    browser = await chromium.launchPersistentContext(dirs.profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 120000 });
    await scenario({ page, dirs });
  } catch (e) {
    failed = true;
    if (page) await page.screenshot({ path: path.join(base, 'failure.png') }).catch(() => undefined);
    const logText = fs.readFileSync(path.join(base, 'code-server.log'), 'utf8');
    throw new Error(`${(e as Error).message}\n--- code-server log (tail) ---\n${logText.slice(-4000)}\nscreenshot: ${path.join(base, 'failure.png')}`);
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
}

test('in a real VS Code: warning, docs hover, quick fix, completion, navigation, outline, scaffold, formatting, nginx -t', { timeout: 300000 }, async (t) => {
  await withCodeServer(t, { 'nginx.conf': CONFIG, 'site.nginx': SITE, 'messy.nginx': MESSY }, { trusted: true }, async ({ page, dirs }) => {
    await page.getByRole('treeitem', { name: /nginx\.conf/ }).click({ timeout: 120000 });
    await until('language mode nginx', async () => /nginx/i.test((await page.locator('#status\\.editor\\.mode').textContent().catch(() => '')) ?? ''));

    // The warning: squiggle in the editor and an entry in Problems.
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 120000 });
    const problems = await until('problems count', async () => {
      const label = (await page.locator('#status\\.problems').getAttribute('aria-label')) ?? '';
      return /Warnings: [1-9]/.test(label) ? label : undefined;
    });
    assert.match(problems, /Errors: 0|No Errors|^Warnings/);
    await page.locator('#status\\.problems').click();
    const row = await until('problems panel entry', async () => {
      const texts = await page.locator('.markers-panel .monaco-list-row').allTextContents();
      return texts.find((x) => /proxy_ssl_verify|upstream-tls-unverified/.test(x));
    });
    assert.match(row, /not verified/);
    await shot(page, 'warning');

    // Hover: the official documentation of proxy_pass, and what is in effect there.
    const hover = await hoverText(page, 'proxy_pass', 'hover with docs', (x) => /protocol and address/.test(x));
    assert.match(hover, /proxy_ssl_verify: off/);
    await shot(page, 'hover');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');

    // Quick fix: Ctrl+. on the URL, pick the verification fix.
    const url = await wordBox(page, 'https://backend');
    await page.mouse.click(url.x, url.y);
    await page.keyboard.press('Control+.');
    const fixRow = page.locator('.action-widget .monaco-list-row', { hasText: 'proxy_ssl_verify' }).first();
    await fixRow.waitFor({ timeout: 60000 });
    await shot(page, 'quickfix');
    // The menu traps the pointer: move the keyboard focus to our row and press Enter, as a user would.
    for (let i = 0; i < 10 && !((await fixRow.getAttribute('class')) ?? '').includes('focused'); i++) await page.keyboard.press('ArrowDown');
    assert.match((await fixRow.getAttribute('class')) ?? '', /focused/);
    await page.keyboard.press('Enter');
    await until('squiggle gone', async () => (await page.locator('.monaco-editor .squiggly-warning').count()) === 0, 60000);
    await until('fixed text', async () => /proxy_ssl_verify on;/.test(((await page.locator('.monaco-editor .view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ')), 30000);
    const after = (await page.locator('#status\\.problems').getAttribute('aria-label')) ?? '';
    assert.doesNotMatch(after, /Warnings: [1-9]/);
    await shot(page, 'fixed');
    await page.keyboard.press('Control+s');

    // Completion inside a location offers proxy_ssl_verify.
    await openFile(page, /site\.nginx/);
    const emptyLine = await wordBox(page, 'api.example.com');
    await page.mouse.click(emptyLine.x, emptyLine.y);
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.type('location /x/ { proxy_ssl_ve');
    await page.keyboard.press('Control+Space');
    const suggestion = page.locator('.suggest-widget .monaco-list-row', { hasText: 'proxy_ssl_verify' }).first();
    await suggestion.waitFor({ timeout: 60000 });
    await shot(page, 'completion');
    await page.keyboard.press('Escape');
    // Remove what was typed (auto-closing may have added a brace on the same line).
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Delete');
    await until('typed text removed', async () => !(await page.locator('.monaco-editor .view-lines').allTextContents()).some((x) => x.replace(/\u00a0/g, ' ').includes('location /x/')), 10000);

    // Go to definition: from proxy_pass to the upstream block (line 1).
    const group = await wordBox(page, 'https://backend_group');
    await page.mouse.click(group.x + 40, group.y);
    await page.keyboard.press('F12');
    await until('cursor on the upstream line', async () => /Ln 1,/.test((await page.locator('#status\\.editor\\.selection').textContent()) ?? ''), 30000);

    // The outline shows the servers.
    await page.locator('.pane-header', { hasText: 'Outline' }).click();
    const outline = await until('outline rows', async () => {
      const rows = await page.locator('.outline-pane .monaco-list-row, [id^="list_id"] .monaco-icon-label', { hasText: 'server' }).allTextContents();
      return rows.some((r) => /server www\.example\.com/.test(r)) && rows.some((r) => /server api\.example\.com/.test(r)) ? rows : undefined;
    }, 60000);
    assert.ok(outline.length >= 2);
    await shot(page, 'outline');

    // The scaffold command, answered with its defaults, inserts a setup with no TLS findings.
    const inServer = await wordBox(page, 'api.example.com');
    await page.mouse.click(inServer.x, inServer.y);
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowDown');
    await palette(page, 'Insert upstream mutual-TLS scaffold');
    for (let i = 0; i < 6; i++) {
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 30000 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
    }
    await until('scaffold inserted', async () => /proxy_ssl_certificate_key/.test(((await page.locator('.monaco-editor .view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ')), 30000);
    await page.keyboard.press('Control+s');
    const saved = await until('scaffold saved', async () => { const t = fs.readFileSync(path.join(dirs.ws, 'site.nginx'), 'utf8'); return /upstream backend\.example\.com/.test(t) ? t : undefined; }, 30000);
    assert.match(saved, /proxy_pass https:\/\/backend\.example\.com;/);
    await until('no warnings after the scaffold', async () => !/Warnings: [1-9]|Errors: [1-9]/.test((await page.locator('#status\\.problems').getAttribute('aria-label')) ?? ''), 30000);
    await shot(page, 'scaffold');

    // Formatting a messy file gives the expected text.
    await openFile(page, /messy\.nginx/);
    await wordBox(page, 'keep me');
    await shot(page, 'format-before');
    await palette(page, 'Format Document');
    await page.keyboard.press('Control+s');
    await until('formatted file', async () => fs.readFileSync(path.join(dirs.ws, 'messy.nginx'), 'utf8') === MESSY_FORMATTED, 30000);
    await shot(page, 'format-after');

    // "Test with nginx -t" runs the user's nginx on the main config and shows its complaint in Problems:
    // backend.example.com cannot be resolved here, which only real nginx knows.
    if (fs.existsSync(NGINX_BIN)) {
      await openFile(page, /nginx\.conf/);
      await wordBox(page, 'proxy_ssl_verify');
      await palette(page, 'Test with nginx -t');
      // The status bar item toggles the panel: open it only if it is not showing.
      if (!(await page.locator('.markers-panel').isVisible().catch(() => false))) await page.locator('#status\\.problems').click();
      const nginxSays = await until('nginx -t entry in Problems', async () => {
        const texts = await page.locator('.markers-panel .monaco-list-row').allTextContents();
        return texts.find((x) => /host not found in upstream "backend\.example\.com"/.test(x));
      }, 60000);
      assert.match(nginxSays, /nginx -t/);
      await shot(page, 'nginx-t');

      // "Use my nginx's modules" runs the same binary with -V and writes the build and version it reports to the
      // workspace settings; the setting resolves to the build nginx -V describes (checked in test/lsp).
      await palette(page, "Use my nginx's modules");
      const written = await until('workspace settings with the build', async () => {
        try {
          const json = JSON.parse(fs.readFileSync(path.join(dirs.ws, '.vscode/settings.json'), 'utf8'));
          return json['nginxTlsProxy.modules'] && json['nginxTlsProxy.nginxVersion'] ? json : undefined;
        } catch {
          return undefined;
        }
      }, 60000);
      const v = spawnSync(NGINX_BIN, ['-V'], { encoding: 'utf8' });
      assert.equal(written['nginxTlsProxy.nginxVersion'], /nginx version: nginx\/([\d.]+)/.exec(v.stdout + v.stderr)![1]);
      assert.ok(Array.isArray(written['nginxTlsProxy.modules']) && written['nginxTlsProxy.modules'].length > 0);
      await until('the message naming what was found', async () => {
        const texts = await page.locator('.notifications-toasts .notification-toast, .notification-list-item').allTextContents();
        return texts.some((x) => /Workspace settings now describe/.test(x) && x.includes(written['nginxTlsProxy.nginxVersion']));
      }, 30000);
      await shot(page, 'use-modules');
    }
  });
});

// Issue 11 in the editor: a server certificate of the workspace that has expired (made with openssl, as
// test/support/pki.ts makes the rules' cases) is an error on its ssl_certificate, in the editor and in
// Problems, and its hover shows the certificate. Then *Probe upstream TLS* reaches a real nginx on 127.0.0.1
// (a free port, its own folder, stopped by pid) that presents a certificate for backend.test while the config
// checks other.test: the handshake prediction appears only after the probe.
const certConfig = (port: number) => `events {}
http {
    server {
        listen 8443 ssl;
        server_name expired.test;
        ssl_certificate expired.crt;
        ssl_certificate_key expired.key;
        location / {
            proxy_pass https://127.0.0.1:${port};
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate root.crt;
            proxy_ssl_name other.test;
            proxy_ssl_server_name on;
        }
    }
}
`;

test('in a real VS Code: an expired certificate, its hover, and the probe command against a real TLS upstream', { timeout: 300000 }, async (t) => {
  if (!opensslAvailable()) {
    if (required) assert.fail('NGINX_TLS_E2E=1 but openssl is missing');
    return t.skip('needs openssl');
  }
  const base = tempDir('ntp-e2e-certs-');
  let backend: RunningNginx | undefined;
  try {
    const pki = makeCasePki(path.join(base, 'pki'));
    // The upstream: real nginx presenting backend.test's certificate (issued by the root the config trusts).
    const port = await freePort();
    const probing = nginxAvailable();
    if (probing) {
      const dir = path.join(base, 'backend');
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o755);
      writeNginxConf(dir, `http {\n    access_log off;\n    server {\n        listen 127.0.0.1:${port} ssl;\n        ssl_certificate ${pki['server-cert']};\n        ssl_certificate_key ${pki['server-key']};\n        return 200 "ok\\n";\n    }\n}\n`);
      backend = await startNginx(dir, [port]);
    } else if (required) assert.fail(`NGINX_TLS_E2E=1 but ${NGINX_BIN} is missing`);
    const files = {
      'nginx.conf': certConfig(port),
      'expired.crt': fs.readFileSync(pki['expired-cert'], 'utf8'),
      'expired.key': fs.readFileSync(pki['expired-key'], 'utf8'),
      'root.crt': fs.readFileSync(pki['root-ca'], 'utf8'),
    };
    await withCodeServer(t, files, { trusted: true }, async ({ page }) => {
      await page.getByRole('treeitem', { name: /nginx\.conf/ }).click({ timeout: 120000 });
      await until('language mode nginx', async () => /nginx/i.test((await page.locator('#status\\.editor\\.mode').textContent().catch(() => '')) ?? ''));

      // certificate-expired: an error squiggle and its entry in Problems.
      await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 120000 });
      await until('an error in the status bar', async () => /Errors: [1-9]/.test((await page.locator('#status\\.problems').getAttribute('aria-label')) ?? ''));
      await page.locator('#status\\.problems').click();
      const row = await until('certificate-expired in Problems', async () => {
        const texts = await page.locator('.markers-panel .monaco-list-row').allTextContents();
        return texts.find((x) => /certificate-expired/.test(x));
      }, 60000);
      assert.match(row, /expired on 2020-02-01/);
      let texts = await page.locator('.markers-panel .monaco-list-row').allTextContents();
      assert.ok(!texts.some((x) => /upstream-tls-name-not-in-certificate/.test(x)), 'nothing about the upstream before the probe');
      await shot(page, 'certificate-expired', { docs: false });

      // The hover on the file name: subject, issuer, validity (expired), fingerprint.
      const hover = await hoverText(page, 'expired.crt', 'certificate hover', (x) => /Subject:/.test(x));
      assert.match(hover, /Certificate file/);
      assert.match(hover, /Subject:\s*\S*expired\.test/);
      assert.match(hover, /Issuer:\s*\S*Test Root/);
      assert.match(hover, /2020-01-01 to 2020-02-01 \(expired \d+ days ago\)/);
      assert.match(hover, /SHA-256:/);
      await shot(page, 'certificate-hover', { docs: false });
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');

      if (!probing) return;
      // Probe upstream TLS: connects to 127.0.0.1:port with SNI other.test, reads the chain, and the name
      // nginx checks is not in it.
      await wordBox(page, 'proxy_ssl_name');
      await palette(page, 'Probe upstream TLS');
      await until('the probe notification', async () => {
        const n = await page.locator('.notifications-toasts .notification-toast, .notification-list-item').allTextContents();
        return n.some((x) => /Probed 1 upstream\(s\): 1 answered/.test(x));
      }, 60000);
      if (!(await page.locator('.markers-panel').isVisible().catch(() => false))) await page.locator('#status\\.problems').click();
      const probed = await until('upstream-tls-name-not-in-certificate in Problems', async () => {
        texts = await page.locator('.markers-panel .monaco-list-row').allTextContents();
        return texts.find((x) => /upstream-tls-name-not-in-certificate/.test(x));
      }, 60000);
      assert.match(probed, /other\.test/);
      assert.match(probed, /DNS:backend\.test/);
      await shot(page, 'probe', { docs: false });
    });
  } finally {
    await backend?.stop();
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('in an untrusted workspace: diagnostics still work, and nginx -t is refused', { timeout: 300000 }, async (t) => {
  await withCodeServer(t, { 'nginx.conf': CONFIG }, { trusted: false }, async ({ page, dirs }) => {
    await page.getByRole('treeitem', { name: /nginx\.conf/ }).click({ timeout: 120000 });
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 120000 });
    await palette(page, 'Test with nginx -t');
    await until('the refusal', async () => {
      const texts = await page.locator('.notifications-toasts .notification-toast, .notification-list-item').allTextContents();
      return texts.some((x) => /trust this workspace first/.test(x));
    }, 60000);
    const problems = await page.locator('.markers-panel .monaco-list-row').allTextContents().catch(() => [] as string[]);
    assert.ok(!problems.some((x) => /nginx -t/.test(x)), 'nothing was run');
    // Reading the modules runs the binary too: refused the same way, and no setting is written.
    await palette(page, "Use my nginx's modules");
    await until('the modules refusal', async () => {
      const texts = await page.locator('.notifications-toasts .notification-toast, .notification-list-item').allTextContents();
      return texts.some((x) => /Reading the modules runs your nginx binary: trust this workspace first/.test(x));
    }, 60000);
    assert.ok(!fs.existsSync(path.join(dirs.ws, '.vscode/settings.json')), 'no workspace setting written');
    await shot(page, 'untrusted');
  });
});
