// "Use my nginx's modules": runs the user's nginx binary with -V (only in a trusted workspace, only when asked),
// lets the language server read the build out of its output, and writes that build and version to the
// workspace settings, so unknown-directive and the version checks describe the nginx the configs run on.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ModulesFromNginxV } from '../../server/src/engine';
import { nginxVersionOutput } from './nginx-test';

export async function useMyNginxModules(client: LanguageClient | undefined, output: vscode.LogOutputChannel): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Reading the modules runs your nginx binary: trust this workspace first.');
    return;
  }
  if (!client) return;
  const cfg = vscode.workspace.getConfiguration('nginxTlsProxy');
  const binary = cfg.get<string>('nginxBinary') || 'nginx';
  output.info(`running ${binary} -V`);
  const result = await nginxVersionOutput(binary);
  output.info(result.text);
  const found = await client.sendRequest<ModulesFromNginxV>('nginxTlsProxy/modulesFromNginxV', { text: result.text });
  if (found.problem) {
    void vscode.window.showErrorMessage(`${binary} -V: ${result.error ?? found.problem}. Set nginxTlsProxy.nginxBinary to your nginx.`);
    return;
  }
  // A folder's own settings: the build is a fact about the servers this workspace's configs are deployed to.
  await cfg.update('modules', found.modules, vscode.ConfigurationTarget.Workspace);
  if (found.nginxVersion) await cfg.update('nginxVersion', found.nginxVersion, vscode.ConfigurationTarget.Workspace);
  const parts = [`nginx ${found.nginxVersion ?? '(version not shown)'}`, `build: ${found.modules.join(', ')}`];
  if (found.dynamic.length) parts.push(`${found.dynamic.length} dynamic module(s) count once a load_module line loads them`);
  if (found.unknown.length) parts.push(`not recognised: ${found.unknown.join(', ')} (add their directives to nginxTlsProxy.extraDirectives)`);
  output.info(`modules from ${binary} -V: ${parts.join('; ')}`);
  void vscode.window.showInformationMessage(`Workspace settings now describe ${binary}: ${parts.join('; ')}.`);
}
