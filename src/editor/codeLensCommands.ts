/**
 * "Get traces…": what the no-traces lens runs. A quick pick of the ways to get traces in: import a
 * file, start the local receiver, fetch from X-Ray. Ways whose command this build does not register
 * yet say what to run in a terminal instead (the CLI fills the same store).
 */
import * as vscode from 'vscode';
import { IMPORT_TRACES_COMMAND } from './importCommand';
import { GET_TRACES_COMMAND } from './codeLensProvider';

interface Step extends vscode.QuickPickItem {
  command: string;
  /** What to run in a terminal when the command is not available. */
  cli: string;
}

/** Command ids of the receiver and X-Ray features (registered by their own controllers when present). */
export const START_RECEIVER_COMMAND = 'traceInsight.startReceiver';
export const FETCH_XRAY_COMMAND = 'traceInsight.fetchXRayTraces';

async function steps(): Promise<Step[]> {
  const known = new Set(await vscode.commands.getCommands(true));
  const all: Step[] = [
    { label: vscode.l10n.t('$(cloud-upload) Import Traces...'), detail: vscode.l10n.t('OTLP JSON or protobuf, Collector file exporter output, X-Ray segment documents or BatchGetTraces output'), command: IMPORT_TRACES_COMMAND, cli: 'trace-insight import <files>' },
    { label: vscode.l10n.t('$(radio-tower) Start Local Receiver'), detail: vscode.l10n.t('OTLP/HTTP on 127.0.0.1:4318 and X-Ray UDP on 127.0.0.1:2000, for sam local or a local run'), command: START_RECEIVER_COMMAND, cli: 'trace-insight serve' },
    { label: vscode.l10n.t('$(cloud-download) Fetch X-Ray Traces'), detail: vscode.l10n.t('Recent traces of the deployed functions, with your AWS credentials'), command: FETCH_XRAY_COMMAND, cli: 'trace-insight xray pull' },
  ];
  return all.map((s) => (known.has(s.command) ? s : { ...s, description: vscode.l10n.t('in a terminal: {0}', s.cli) }));
}

/** Registers "Get traces…"; resolves to the command it ran, or undefined when dismissed. */
export function registerGetTracesCommand(): vscode.Disposable {
  return vscode.commands.registerCommand(GET_TRACES_COMMAND, async (functionName?: string): Promise<string | undefined> => {
    const picked = await vscode.window.showQuickPick(steps(), {
      title: typeof functionName === 'string' ? vscode.l10n.t('Get traces of {0}', functionName) : vscode.l10n.t('Get traces'),
      placeHolder: vscode.l10n.t('How should traces get into Trace Insight?'),
    });
    if (!picked) return undefined;
    if (picked.description === undefined) {
      await vscode.commands.executeCommand(picked.command);
      return picked.command;
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Run `{0}` in a terminal; point Trace Insight: Store Path at the same store to see its traces here.', picked.cli));
    return picked.cli;
  });
}
