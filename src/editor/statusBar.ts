/**
 * The status bar item: "$(pulse) Trace Insight" until the store is open, then the number of stored traces.
 * Clicking it shows the Functions view. It reads only what is already in memory (store stats), so it never
 * opens the store itself.
 */
import * as vscode from 'vscode';
import { FUNCTIONS_VIEW_ID } from './functionsView';
import type { StoreController } from './storeController';

export class StatusBarController implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly stores: StoreController) {
    this.item = vscode.window.createStatusBarItem('traceInsight.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('Trace Insight');
    this.item.command = `${FUNCTIONS_VIEW_ID}.focus`;
    this.subscription = stores.onDidChangeTraces(() => this.update());
    this.update();
    this.item.show();
  }

  /** What the item shows now (for the integration suites). */
  get text(): string {
    return this.item.text;
  }

  private update(): void {
    const store = this.stores.current;
    if (!store) {
      this.item.text = '$(pulse) Trace Insight';
      this.item.tooltip = vscode.l10n.t('Serverless Trace Insight: show the Functions view');
      return;
    }
    const { traces, spans } = store.stats();
    this.item.text = `$(pulse) ${traces === 1 ? vscode.l10n.t('1 trace') : vscode.l10n.t('{0} traces', traces)}`;
    this.item.tooltip = vscode.l10n.t('{0} traces, {1} spans in {2}. Click to show the Functions view.', traces, spans, this.stores.storeDir);
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
