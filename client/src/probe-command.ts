// "Probe upstream TLS": connect to the TLS upstreams of the config in the active editor, as nginx would, and
// let the language server check the chains they present. Only in a trusted workspace, only when asked; the
// language server itself never opens a connection.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { probe } from '../../server/src/probe';
import type { ProbeTarget } from '../../server/src/core';

export async function probeUpstreams(client: LanguageClient | undefined, output: vscode.LogOutputChannel): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Probing connects to the upstreams the config names: trust this workspace first.');
    return;
  }
  const doc = vscode.window.activeTextEditor?.document;
  if (!client || !doc || doc.languageId !== 'nginx') {
    void vscode.window.showInformationMessage('Open an nginx config to probe its upstreams.');
    return;
  }
  const targets = await client.sendRequest<ProbeTarget[]>('nginxTlsProxy/probeTargets', { uri: doc.uri.toString() });
  if (!targets.length) {
    void vscode.window.showInformationMessage('No TLS upstream to probe in this config (backends that are servers of the config are checked without connecting).');
    return;
  }
  const { results, skipped } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Probing ${targets.length} TLS upstream(s)…` },
    () => probe(targets),
  );
  const failed = results.filter((r) => r.error);
  for (const r of failed) output.warn(`probe ${r.host}:${r.port}${r.sni ? ' (SNI ' + r.sni + ')' : ''}: ${r.error}`);
  await client.sendRequest('nginxTlsProxy/probeResults', { results });
  const more = skipped ? `; ${skipped} not probed` : '';
  // Those that did not answer are upstream-unreachable findings on their pass directives (the server makes them).
  const msg = `Probed ${results.length} upstream(s): ${results.length - failed.length} answered${failed.length ? `, ${failed.length} did not (upstream-unreachable; details in Output)` : ''}${more}. Findings are in the Problems view.`;
  if (failed.length) void vscode.window.showWarningMessage(msg);
  else void vscode.window.showInformationMessage(msg);
}
