// A quick fix that needs a value only the user knows (the name in an upstream's certificate): the server
// sends the edit with a placeholder; this asks for the value, puts it in, and applies the edit.

import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import type { WorkspaceEdit } from 'vscode-languageclient';

/** A DNS name as a certificate carries it (a leading `*.` allowed); no spaces, quotes or `;` to break the line. */
const DNS_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export async function applyFixWithInput(client: BaseLanguageClient | undefined, edit: WorkspaceEdit, input: { placeholder: string; prompt: string }): Promise<void> {
  if (!client) return;
  const value = await vscode.window.showInputBox({
    title: input.prompt,
    prompt: input.prompt,
    placeHolder: 'backend.example.com',
    ignoreFocusOut: true,
    validateInput: (v) => (DNS_NAME.test(v.trim()) ? null : 'a DNS name, such as backend.example.com'),
  });
  if (value === undefined) return;
  const filled: WorkspaceEdit = JSON.parse(JSON.stringify(edit));
  for (const edits of Object.values(filled.changes ?? {})) for (const e of edits) e.newText = e.newText.split(input.placeholder).join(value.trim());
  await vscode.workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(filled));
}
