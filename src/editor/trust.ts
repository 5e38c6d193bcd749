/**
 * Restricted Mode: in an untrusted workspace nothing listens on a port and nothing calls AWS, because
 * the workspace's own settings could otherwise aim the receiver at its files or send signed requests to an
 * endpoint it chose. Commands that would do either say so instead, with a way to trust the workspace.
 */
import * as vscode from 'vscode';

/** Tells the user why `what` (e.g. "X-Ray traces are not fetched") does not happen; returns the message. */
export function explainRestricted(what: string): string {
  const message = vscode.l10n.t('{0} in Restricted Mode: this workspace is not trusted. Trust it to receive traces locally or fetch them from AWS X-Ray.', what);
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void vscode.window.showWarningMessage(message, manage).then((choice) => {
    if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return message;
}
