// The VS Code side: start the language server, pass settings, offer restart. No analysis happens here.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;

function settings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('nginxTlsProxy');
  return {
    trustedCertificate: c.get('trustedCertificate'),
    nginxVersion: c.get('nginxVersion'),
    rules: c.get('rules'),
    rootConfig: c.get('rootConfig'),
    extraDirectives: c.get('extraDirectives'),
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'nginx' }],
    outputChannel: output,
    initializationOptions: settings(),
    synchronize: {
      configurationSection: 'nginxTlsProxy',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{conf,nginx}'),
    },
  };
  client = new LanguageClient('nginxTlsProxy', 'nginx TLS proxy', serverOptions, clientOptions);
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('nginx TLS proxy', { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('nginxTlsProxy.restartServer', async () => {
      output.info('Restarting the language server…');
      if (client) await client.stop();
      await start(context);
    }),
    vscode.commands.registerCommand('nginxTlsProxy.showOutput', () => output.show(true)),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
