// Runs inside a desktop VS Code started by @vscode/test-electron: open a config, wait for our warning.
const assert = require('node:assert');
const path = require('node:path');
const vscode = require('vscode');

exports.run = async function run() {
  const file = path.join(process.env.NGINX_TLS_WORKSPACE, 'nginx.conf');
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);
  assert.strictEqual(doc.languageId, 'nginx');
  const deadline = Date.now() + 60000;
  for (;;) {
    const diags = vscode.languages.getDiagnostics(doc.uri);
    if (diags.some((d) => d.code === 'upstream-tls-unverified' || (d.code && d.code.value === 'upstream-tls-unverified'))) return;
    if (Date.now() > deadline) throw new Error('no upstream-tls-unverified diagnostic: ' + JSON.stringify(diags));
    await new Promise((r) => setTimeout(r, 200));
  }
};
