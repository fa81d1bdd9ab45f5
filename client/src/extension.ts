// The VS Code side: start the language server, pass settings, offer commands. No analysis happens here.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { insertScaffold } from './scaffold';
import { applyFixWithInput } from './fix-with-input';
import { nginxTestDiagnostics, runNginxTest } from './nginx-test';
import { registerTlsView } from './tls-view';
import { probeUpstreams } from './probe-command';
import { useMyNginxModules } from './modules-command';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;

function settings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('nginxTlsProxy');
  return {
    trustedCertificate: c.get('trustedCertificate'),
    nginxVersion: c.get('nginxVersion'),
    rules: c.get('rules'),
    rootConfig: c.get('rootConfig'),
    extraDirectives: c.get('extraDirectives'),
    modules: c.get('modules'),
    maxFileSize: c.get('maxFileSize'),
    format: { alignMapValues: c.get('format.alignMapValues') },
    certificateExpiryDays: c.get('certificateExpiryDays'),
    pathMap: c.get('pathMap'),
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  // stdio, not ipc: while a long request runs, the server can read a $/cancelRequest off its stdin (it cannot
  // off the ipc channel) and stop; the server's console goes to the protocol's log there.
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'nginx' }],
    outputChannel: output,
    initializationOptions: settings(),
    synchronize: {
      configurationSection: 'nginxTlsProxy',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{conf,nginx,pem,crt,cer,key}'),
    },
  };
  client = new LanguageClient('nginxTlsProxy', 'nginx TLS proxy', serverOptions, clientOptions);
  await client.start();
}

async function rootsOf(doc: vscode.TextDocument | undefined): Promise<{ roots: string[]; inferred: string | null } | null> {
  if (!client || !doc || doc.languageId !== 'nginx') return null;
  try {
    return await client.sendRequest('nginxTlsProxy/roots', { uri: doc.uri.toString() });
  } catch {
    return null;
  }
}

async function updateStatus(): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  const r = await rootsOf(doc);
  if (!r) { status.hide(); return; }
  const rel = (p: string) => vscode.workspace.asRelativePath(p);
  status.text = r.roots.length ? `$(file-submodule) ${rel(r.roots[0])}${r.roots.length > 1 ? ` +${r.roots.length - 1}` : ''}` : `$(file) fragment: ${r.inferred ?? '?'}`;
  status.tooltip = r.roots.length ? `Analysed as part of ${r.roots.map(rel).join(', ')}. Click to choose another main config.` : `No main config includes this file: analysed in the ${r.inferred} context. Click to choose a main config.`;
  status.show();
}

async function chooseRoot(): Promise<void> {
  const files = await vscode.workspace.findFiles('**/*.conf', '**/node_modules/**', 500);
  const pick = await vscode.window.showQuickPick([{ label: 'Automatic', description: 'find the main config that includes the file' }, ...files.map((f) => ({ label: vscode.workspace.asRelativePath(f), description: f.fsPath }))], { title: 'Main nginx config' });
  if (!pick) return;
  await vscode.workspace.getConfiguration('nginxTlsProxy').update('rootConfig', pick.label === 'Automatic' ? '' : pick.description, vscode.ConfigurationTarget.Workspace);
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
  // The desktop (Node) extension can run programs and connect; the browser one cannot. A context key rather
  // than `isWeb`: code-server and vscode.dev-with-a-remote show a web UI over a Node extension host.
  void vscode.commands.executeCommand('setContext', 'nginxTlsProxy.desktop', true);
  // The TLS upstreams view and report: shown wherever a client runs (the browser client sets it too).
  void vscode.commands.executeCommand('setContext', 'nginxTlsProxy.active', true);
  output = vscode.window.createOutputChannel('nginx TLS proxy', { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = 'nginxTlsProxy.chooseRoot';
  context.subscriptions.push(
    output,
    status,
    nginxTestDiagnostics(),
    vscode.commands.registerCommand('nginxTlsProxy.restartServer', async () => {
      output.info('Restarting the language server…');
      if (client) await client.stop();
      await start(context);
    }),
    vscode.commands.registerCommand('nginxTlsProxy.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('nginxTlsProxy.insertScaffold', () => insertScaffold(client)),
    vscode.commands.registerCommand('nginxTlsProxy.applyFixWithInput', (edit, input) => applyFixWithInput(client, edit, input)),
    vscode.commands.registerCommand('nginxTlsProxy.showEffectiveTls', showEffective),
    vscode.commands.registerCommand('nginxTlsProxy.chooseRoot', chooseRoot),
    vscode.commands.registerCommand('nginxTlsProxy.probeUpstreams', () => probeUpstreams(client, output)),
    vscode.commands.registerCommand('nginxTlsProxy.useNginxModules', () => useMyNginxModules(client, output)),
    vscode.commands.registerCommand('nginxTlsProxy.nginxTest', async () => {
      const r = await rootsOf(vscode.window.activeTextEditor?.document);
      await runNginxTest(output, r?.roots[0]);
    }),
    vscode.window.onDidChangeActiveTextEditor(() => void updateStatus()),
    ...registerTlsView(() => client),
  );
  await start(context);
  void updateStatus();
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
