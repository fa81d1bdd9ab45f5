// The extension in a browser (vscode.dev, github.dev): starts the language server (dist/web/server.js) in a
// Web Worker and hands it the workspace's nginx files, which a worker cannot read itself. Nothing that runs a
// program is registered here (Test with nginx -t, the upstream probe); package.json shows those commands only
// under `nginxTlsProxy.desktop`, a context key the Node client sets. The TLS upstreams view and the TLS report
// are the server's answers (no program runs): shown here too, under `nginxTlsProxy.active`, which both clients set.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions } from 'vscode-languageclient/browser';
import { insertScaffold } from '../scaffold';
import { applyFixWithInput } from '../fix-with-input';
import { registerTlsView } from '../tls-view';
import { WorkspaceFeed } from './workspace-feed';

let client: LanguageClient | undefined;
let feed: WorkspaceFeed | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;

function settings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('nginxTlsProxy');
  // Plain data: the configuration's objects are proxies that postMessage cannot clone.
  return JSON.parse(JSON.stringify({
    trustedCertificate: c.get('trustedCertificate'),
    nginxVersion: c.get('nginxVersion'),
    rules: c.get('rules'),
    rootConfig: c.get('rootConfig'),
    extraDirectives: c.get('extraDirectives'),
    maxFileSize: c.get('maxFileSize'),
    certificateExpiryDays: c.get('certificateExpiryDays'),
    pathMap: c.get('pathMap'),
  }));
}

/**
 * The server's Web Worker. vscode.dev and github.dev serve the extension over https: the worker starts from its
 * URL. An extension installed on a remote (code-server, tunnels) has a vscode-remote: URI, from which the web
 * extension host refuses to start a worker: its script is read through the editor and started from a blob.
 */
async function serverWorker(context: vscode.ExtensionContext): Promise<Worker> {
  const main = vscode.Uri.joinPath(context.extensionUri, 'dist/web/server.js');
  if (main.scheme !== 'vscode-remote') return new Worker(main.toString(true));
  const script = await vscode.workspace.fs.readFile(main);
  return new Worker(URL.createObjectURL(new Blob([new Uint8Array(script)], { type: 'text/javascript' })));
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const worker = await serverWorker(context);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'nginx' }],
    outputChannel: output,
    initializationOptions: settings(),
    synchronize: { configurationSection: 'nginxTlsProxy' },
  };
  client = new LanguageClient('nginxTlsProxy', 'nginx TLS proxy', worker, clientOptions);
  await client.start();
  const c = client;
  const f = new WorkspaceFeed((params) => c.sendNotification('nginxTlsProxy/files', params), (m) => output.warn(m));
  feed = f;
  // Files a config names that the feed's globs do not match: the server asks for them by URI.
  c.onRequest('nginxTlsProxy/readFiles', (p: { uris: string[] }) => f.readFiles(p?.uris ?? []));
  await f.start();
}

async function stop(): Promise<void> {
  feed?.dispose();
  feed = undefined;
  if (client) await client.stop();
  client = undefined;
}

async function rootsOf(doc: vscode.TextDocument | undefined): Promise<{ roots: string[]; inferred: string | null } | null> {
  if (!client || !doc || doc.languageId !== 'nginx') return null;
  try {
    return await client.sendRequest('nginxTlsProxy/roots', { uri: doc.uri.toString() });
  } catch {
    return null;
  }
}

/** Server paths of browser files look like /vscode-vfs/owner/repo/x.conf: show them from the repository. */
function shortPath(p: string): string {
  return p.split('/').slice(-3).join('/');
}

async function updateStatus(): Promise<void> {
  const r = await rootsOf(vscode.window.activeTextEditor?.document);
  if (!r) { status.hide(); return; }
  status.text = r.roots.length ? `$(file-submodule) ${shortPath(r.roots[0])}${r.roots.length > 1 ? ` +${r.roots.length - 1}` : ''}` : `$(file) fragment: ${r.inferred ?? '?'}`;
  status.tooltip = r.roots.length ? `Analysed as part of ${r.roots.map(shortPath).join(', ')}. Click to choose another main config.` : `No main config includes this file: analysed in the ${r.inferred} context. Click to choose a main config.`;
  status.show();
}

async function chooseRoot(): Promise<void> {
  const files = await vscode.workspace.findFiles('**/*.conf', '**/node_modules/**', 500);
  // Relative paths: the server resolves them against the first workspace folder, whatever its scheme.
  const pick = await vscode.window.showQuickPick([{ label: 'Automatic', description: 'find the main config that includes the file' }, ...files.map((f) => ({ label: vscode.workspace.asRelativePath(f, false) }))], { title: 'Main nginx config' });
  if (!pick) return;
  await vscode.workspace.getConfiguration('nginxTlsProxy').update('rootConfig', pick.label === 'Automatic' ? '' : pick.label, vscode.ConfigurationTarget.Workspace);
  setTimeout(() => void updateStatus(), 500);
}

async function showEffective(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !client) return;
  const r = await client.sendRequest<{ where: string; lines: string[] } | null>('nginxTlsProxy/effectiveTls', { uri: editor.document.uri.toString(), position: editor.selection.active });
  if (!r) return;
  await vscode.window.showQuickPick(r.lines.map((l) => ({ label: l.split(':')[0], description: l.slice(l.indexOf(':') + 1).trim() })), { title: `TLS settings in effect here (${r.where})`, matchOnDescription: true });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  void vscode.commands.executeCommand('setContext', 'nginxTlsProxy.active', true);
  output = vscode.window.createOutputChannel('nginx TLS proxy', { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = 'nginxTlsProxy.chooseRoot';
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('nginxTlsProxy.restartServer', async () => {
      output.info('Restarting the language server…');
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand('nginxTlsProxy.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('nginxTlsProxy.insertScaffold', () => insertScaffold(client)),
    vscode.commands.registerCommand('nginxTlsProxy.applyFixWithInput', (edit, input) => applyFixWithInput(client, edit, input)),
    vscode.commands.registerCommand('nginxTlsProxy.showEffectiveTls', showEffective),
    vscode.commands.registerCommand('nginxTlsProxy.chooseRoot', chooseRoot),
    vscode.window.onDidChangeActiveTextEditor(() => void updateStatus()),
    ...registerTlsView(() => client),
  );
  await start(context);
  void updateStatus();
}

export async function deactivate(): Promise<void> {
  await stop();
}
