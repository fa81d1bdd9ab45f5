// The same check in desktop VS Code through @vscode/test-electron, for machines that can download VS Code
// (a developer laptop). This machine's network cannot reach Microsoft's update server, so the suite runs
// only when NGINX_TLS_ELECTRON=1; the code-server test covers a real VS Code here.

import { test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('desktop VS Code (@vscode/test-electron)', { timeout: 600000 }, async (t) => {
  if (process.env.NGINX_TLS_ELECTRON !== '1') {
    return t.skip('needs to download VS Code from update.code.visualstudio.com, which this network cannot reach; set NGINX_TLS_ELECTRON=1 where it can');
  }
  const { runTests } = await import('@vscode/test-electron');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ntp-electron-'));
  fs.writeFileSync(path.join(ws, 'nginx.conf'), 'events {}\nhttp {\n    server {\n        location / { proxy_pass https://backend.example.com; }\n    }\n}\n');
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(__dirname, 'electron-suite/index.js'),
      launchArgs: [ws, '--disable-extensions'],
      extensionTestsEnv: { NGINX_TLS_WORKSPACE: ws },
    });
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
