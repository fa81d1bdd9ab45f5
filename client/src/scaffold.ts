// "Insert upstream mutual-TLS scaffold": asks for the pieces, lets the server place them.

import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';

type Candidate = { path: string; description: string; key?: string };

async function pickFile(title: string, fallback: string, found: Candidate[] = []): Promise<string | undefined> {
  const choice = await vscode.window.showQuickPick([
    ...found.map((c) => ({ label: c.path, description: c.description })),
    { label: fallback, description: found.length ? 'not in the workspace' : 'use this path' },
    { label: 'Browse…', description: 'choose a file' },
    { label: 'Type a path…' },
  ], { title, ignoreFocusOut: true });
  if (!choice) return undefined;
  if (choice.label === 'Browse…') {
    const uris = await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Use' });
    return uris?.[0]?.fsPath;
  }
  if (choice.label === 'Type a path…') return vscode.window.showInputBox({ title, value: fallback, ignoreFocusOut: true });
  return choice.label;
}

export async function insertScaffold(client: BaseLanguageClient | undefined): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !client) {
    void vscode.window.showWarningMessage('Open an nginx config first.');
    return;
  }
  const name = await vscode.window.showInputBox({ title: 'Upstream group name', value: 'backend.example.com', ignoreFocusOut: true, validateInput: (v) => (/^[A-Za-z0-9_.-]+$/.test(v) ? null : 'letters, digits, . _ - only') });
  if (!name) return;
  const servers = await vscode.window.showInputBox({ title: 'Upstream servers (host:port, comma separated)', value: 'backend1.example.com:443, backend2.example.com:443', ignoreFocusOut: true });
  if (!servers) return;
  const serverList = servers.split(',').map((s) => s.trim()).filter(Boolean);
  const certificateName = await vscode.window.showInputBox({ title: 'Name in the upstream servers\' certificate (checked, and sent as SNI)', value: serverList[0]?.replace(/:\d+$/, '') ?? name, ignoreFocusOut: true });
  if (certificateName === undefined) return;
  const cfg = vscode.workspace.getConfiguration('nginxTlsProxy');
  // What the workspace has (CA certificates, client certificates with their keys) comes first.
  const found = await client.sendRequest<{ cas: Candidate[]; clients: Candidate[] }>('nginxTlsProxy/certificateCandidates', { uri: editor.document.uri.toString() }).catch(() => ({ cas: [], clients: [] }));
  const trusted = await pickFile('CA that issued the upstream certificates', cfg.get<string>('trustedCertificate') || '/etc/ssl/certs/ca-certificates.crt', found.cas);
  if (!trusted) return;
  const cert = await pickFile('Client certificate nginx presents to the upstream', '/etc/nginx/client.pem', found.clients);
  if (!cert) return;
  const ownKey = found.clients.find((c) => c.path === cert)?.key;
  const key = await pickFile('Its private key', '/etc/nginx/client.key', ownKey ? [{ path: ownKey, description: 'the key of that certificate' }] : []);
  if (!key) return;
  const edit = await client.sendRequest<unknown>('nginxTlsProxy/scaffold', {
    uri: editor.document.uri.toString(),
    position: editor.selection.active,
    params: { name, servers: serverList, certificateName, trustedCertificate: trusted, clientCertificate: cert, clientKey: key },
  });
  if (!edit) {
    void vscode.window.showWarningMessage('Put the cursor inside a server or http block.');
    return;
  }
  const converted = await client.protocol2CodeConverter.asWorkspaceEdit(edit as never);
  if (converted) await vscode.workspace.applyEdit(converted);
}
