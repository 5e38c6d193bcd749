/**
 * The status bar item: "$(pulse) Trace Insight" until the store is open, then the number of stored traces.
 * Clicking it shows the Functions view. It reads only what is already in memory (store stats), so it never
 * opens the store itself.
 */
import * as vscode from 'vscode';
import { FUNCTIONS_VIEW_ID } from './functionsView';
import type { StoreController } from './storeController';
import type { ReceiverController } from './receiverController';

export class StatusBarController implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;
  private readonly receiverSubscription: vscode.Disposable | undefined;

  constructor(private readonly stores: StoreController, private readonly receiver?: ReceiverController) {
    this.item = vscode.window.createStatusBarItem('traceInsight.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('Trace Insight');
    this.item.command = `${FUNCTIONS_VIEW_ID}.focus`;
    this.subscription = stores.onDidChangeTraces(() => this.update());
    this.receiverSubscription = receiver?.onDidChangeStatus(() => this.update());
    this.update();
    this.item.show();
  }

  /** What the item shows now (for the integration suites). */
  get text(): string {
    return this.item.text;
  }

  private update(): void {
    this.updateStore();
    const r = this.receiver?.status;
    if (r && r.state !== 'stopped') {
      this.item.text += r.state === 'starting' ? ' $(loading~spin)' : ` $(radio-tower) ${r.spansReceived === 1 ? vscode.l10n.t('1 span received') : vscode.l10n.t('{0} spans received', r.spansReceived)}`;
      this.item.tooltip = `${String(this.item.tooltip)}\n${r.state === 'starting' ? vscode.l10n.t('Starting the local receiver…') : vscode.l10n.t('Receiving: {0} spans (OTLP/HTTP {1}, X-Ray udp {2}).', r.spansReceived, r.otlpUrl ?? '', r.xrayAddress ?? '')}`;
    }
  }

  private updateStore(): void {
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
    this.receiverSubscription?.dispose();
    this.item.dispose();
  }
}
