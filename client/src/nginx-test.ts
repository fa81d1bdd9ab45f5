// "Test with nginx -t": runs the user's own nginx binary on the root config, only in a trusted workspace
// and only when asked, and shows nginx's errors as diagnostics in the files it names.

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseNginxOutput } from '../../server/src/output/nginx-messages';

let nginxDiagnostics: vscode.DiagnosticCollection | undefined;

/** The Problems-panel collection for nginx's own messages, created at activation. */
export function nginxTestDiagnostics(): vscode.DiagnosticCollection {
  return (nginxDiagnostics ??= vscode.languages.createDiagnosticCollection('nginx -t'));
}

/**
 * `nginx -V` of the configured binary (its build and version: nginx prints them on stderr). The one other run of
 * the user's nginx besides -t, kept here so this file stays the only place a program is started; refused in an
 * untrusted workspace whoever calls it.
 */
export async function nginxVersionOutput(binary: string): Promise<{ text: string; error?: string }> {
  if (!vscode.workspace.isTrusted) return { text: '', error: 'the workspace is not trusted' };
  return new Promise((resolve) => {
    execFile(binary, ['-V'], { timeout: 30000 }, (err, stdout, stderr) => resolve({ text: stdout + stderr, error: err ? err.message : undefined }));
  });
}

export async function runNginxTest(output: vscode.LogOutputChannel, rootFromServer: string | undefined): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('nginx -t runs a program: trust this workspace first.');
    return;
  }
  const cfg = vscode.workspace.getConfiguration('nginxTlsProxy');
  const binary = cfg.get<string>('nginxBinary') || 'nginx';
  const root = rootFromServer ?? vscode.window.activeTextEditor?.document.uri.fsPath;
  if (!root) return;
  const args = ['-t', '-c', root, ...(cfg.get<string[]>('nginxTestArgs') ?? [])];
  output.info(`running ${binary} ${args.join(' ')}`);
  const result = await new Promise<{ code: number; text: string }>((resolve) => {
    execFile(binary, args, { timeout: 30000, cwd: path.dirname(root) }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, text: stdout + stderr });
    });
  });
  output.info(result.text);
  const collection = nginxTestDiagnostics();
  collection.clear();
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const m of parseNginxOutput(result.text)) {
    if (m.level === 'notice') continue;
    const file = m.file ? path.resolve(path.dirname(root), m.file) : root;
    const line = Math.max(0, (m.line ?? 1) - 1);
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), m.message, m.level === 'warn' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
    d.source = 'nginx -t';
    byFile.set(file, [...(byFile.get(file) ?? []), d]);
  }
  for (const [file, diags] of byFile) collection.set(vscode.Uri.file(file), diags);
  if (result.code === 0) void vscode.window.showInformationMessage('nginx -t: the configuration test is successful.');
  else void vscode.window.showErrorMessage(`nginx -t failed: see the Problems panel (${byFile.size} file(s)).`);
}
