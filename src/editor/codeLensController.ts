/**
 * Wires the numbers on the code: the insights host, the CodeLens provider (registered only while
 * `traceInsight.codeLens.enabled`), the hover provider, the line decorations and "Get traces…".
 * Reacts to its settings in one `onConfigurationChanged(e?)`, like the other controllers.
 */
import * as vscode from 'vscode';
import { registerGetTracesCommand } from './codeLensCommands';
import { insightsSettingsChanged } from './codeLensConfig';
import { InsightsHost } from './codeLensInsights';
import { InsightsCodeLensProvider } from './codeLensProvider';
import type { Configuration, ConfigurationReactive } from './config';
import { DecorationsController } from './decorationsController';
import { InsightsHoverProvider } from './hoverProvider';
import type { StoreController } from './storeController';

/** Not in the palette: what the integration suites read (waits for the first snapshot). */
export const INSIGHTS_STATE_COMMAND = 'traceInsight.internal.insightsState';

const SELECTOR: vscode.DocumentSelector = { scheme: 'file' };

export class CodeInsightsController implements ConfigurationReactive, vscode.Disposable {
  readonly host: InsightsHost;
  private readonly lenses: InsightsCodeLensProvider;
  private lensRegistration: vscode.Disposable | undefined;
  private readonly decorations: DecorationsController;
  private readonly others: vscode.Disposable[];

  constructor(stores: StoreController, log: vscode.LogOutputChannel) {
    this.host = new InsightsHost(stores, log);
    this.lenses = new InsightsCodeLensProvider(this.host);
    this.decorations = new DecorationsController(this.host);
    this.others = [
      vscode.languages.registerHoverProvider(SELECTOR, new InsightsHoverProvider(this.host)),
      registerGetTracesCommand(),
      vscode.commands.registerCommand(INSIGHTS_STATE_COMMAND, async () => {
        await this.host.ensureStarted();
        const s = this.host.snapshot;
        return { traces: s?.traces ?? 0, invocations: s?.invocations ?? 0, decorations: Object.fromEntries(this.decorations.painted) };
      }),
    ];
  }

  onConfigurationChanged(e?: vscode.ConfigurationChangeEvent): void {
    if (!insightsSettingsChanged(e)) return;
    if (e) this.host.reloadSettings();
    const enabled = this.host.settings.codeLensEnabled;
    if (enabled && !this.lensRegistration) this.lensRegistration = vscode.languages.registerCodeLensProvider(SELECTOR, this.lenses);
    else if (!enabled && this.lensRegistration) { this.lensRegistration.dispose(); this.lensRegistration = undefined; }
    this.lenses.refresh();
    if (!e || e.affectsConfiguration('traceInsight.decorations')) this.decorations.onSettingsChanged();
  }

  dispose(): void {
    this.lensRegistration?.dispose();
    for (const d of this.others) d.dispose();
    this.decorations.dispose();
    this.lenses.dispose();
    this.host.dispose();
  }
}

/** Builds the controller and subscribes it to the settings; one disposable for all of it. */
export function registerCodeInsights(config: Configuration, stores: StoreController, log: vscode.LogOutputChannel): vscode.Disposable {
  const controller = new CodeInsightsController(stores, log);
  const sub = config.subscribe(controller);
  return { dispose: () => { sub.dispose(); controller.dispose(); } };
}
