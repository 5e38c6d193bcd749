/** The extension's log: one LogOutputChannel ("Trace Insight"), levels set by the user in the Output view. */
import * as vscode from 'vscode';

export const SHOW_LOG_COMMAND = 'traceInsight.showLog';

/** Creates the log channel (cheap: nothing is written until something happens). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Trace Insight', { log: true });
}

/** Registers "Trace Insight: Show Log". */
export function registerShowLog(log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => log.show(true));
}
