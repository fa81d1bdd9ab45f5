// A fix as an LSP code action. A fix that needs a value from the user (Fix.input) cannot be a plain edit:
// it becomes a command the client runs, which asks for the value, puts it in place of the placeholder and
// applies the edit.

import { CodeAction, CodeActionKind, Diagnostic, WorkspaceEdit } from 'vscode-languageserver';
import type { Fix } from '../core';

/** The client command (desktop and browser) that asks for the value and applies the edit. */
export const FIX_WITH_INPUT_COMMAND = 'nginxTlsProxy.applyFixWithInput';

export function quickFixAction(fix: Fix, diagnostic: Diagnostic, edit: WorkspaceEdit): CodeAction {
  const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: fix.isPreferred };
  if (fix.input) action.command = { title: fix.title, command: FIX_WITH_INPUT_COMMAND, arguments: [edit, fix.input] };
  else action.edit = edit;
  return action;
}
