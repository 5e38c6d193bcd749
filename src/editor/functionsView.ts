/**
 * The "Functions" view in the Trace Insight activity-bar container: functions that appear in stored
 * traces, each with its most recent traces (duration, time, cold start, errors). With nothing stored the
 * view is empty and VS Code shows its welcome content (package.json `viewsWelcome`), which explains how to
 * get traces in. The store is opened only when the view is first shown.
 */
import * as vscode from 'vscode';
import type { TraceSummary } from '../core/model';
import { formatDurationUs } from '../core/waterfall/layout';
import type { StoreController } from './storeController';
import { OPEN_TRACE_COMMAND } from './traceCommands';
import { localTime, plural } from './format';

export const FUNCTIONS_VIEW_ID = 'traceInsight.functions';
export const REFRESH_FUNCTIONS_COMMAND = 'traceInsight.refreshFunctions';

/** Traces read to build the function list; older ones are not looked at. */
const SCAN_TRACES = 5000;
/** Recent traces listed under each function. */
const TRACES_PER_FUNCTION = 50;
/** Appends arrive in bursts while a receiver runs: refresh at most this often. */
const REFRESH_DELAY_MS = 300;
/** The group for traces in which no Lambda function took part. */
const NO_FUNCTION = '';

export type FunctionsNode =
  | { kind: 'function'; name: string; traces: number; errorTraces: number; coldTraces: number }
  | { kind: 'trace'; summary: TraceSummary };

export class FunctionsTreeProvider implements vscode.TreeDataProvider<FunctionsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FunctionsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly stores: StoreController, private readonly log: vscode.LogOutputChannel) {
    this.subscription = stores.onDidChangeTraces(() => this.scheduleRefresh());
  }

  /** Rebuilds the whole tree now. */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.fire(undefined);
  }

  private scheduleRefresh(): void {
    this.timer ??= setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  async getChildren(node?: FunctionsNode): Promise<FunctionsNode[]> {
    if (node?.kind === 'trace') return [];
    let store;
    try {
      store = await this.stores.open();
    } catch (err) {
      // the welcome content shows; the reason is in the log (storeController logged it)
      this.log.debug(`Functions view: no store (${err instanceof Error ? err.message : String(err)})`);
      return [];
    }
    if (!node) return functionNodes(await store.listTraces({ limit: SCAN_TRACES }));
    const summaries = node.name === NO_FUNCTION
      ? (await store.listTraces({ limit: SCAN_TRACES })).filter((t) => t.functions.length === 0).slice(0, TRACES_PER_FUNCTION)
      : await store.listTraces({ functionName: node.name, limit: TRACES_PER_FUNCTION });
    return summaries.map((summary) => ({ kind: 'trace', summary }));
  }

  getTreeItem(node: FunctionsNode): vscode.TreeItem {
    if (node.kind === 'function') {
      const label = node.name === NO_FUNCTION ? vscode.l10n.t('Other traces') : node.name;
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `fn:${node.name}`;
      item.contextValue = node.name === NO_FUNCTION ? 'otherTraces' : 'function';
      const parts = [plural(node.traces, 'trace', 'traces')];
      if (node.errorTraces > 0) parts.push(vscode.l10n.t('{0} failed', node.errorTraces));
      if (node.coldTraces > 0) parts.push(vscode.l10n.t('{0} cold', node.coldTraces));
      item.description = parts.join(' · ');
      item.tooltip = `${label}\n${item.description}`;
      item.iconPath = new vscode.ThemeIcon('symbol-function', node.errorTraces > 0 ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
      return item;
    }
    const t = node.summary;
    const item = new vscode.TreeItem(formatDurationUs(t.durationMs * 1000), vscode.TreeItemCollapsibleState.None);
    item.contextValue = 'trace';
    const parts = [localTime(t.startUnixMs)];
    if (t.coldStart) parts.push(vscode.l10n.t('cold'));
    if (t.errorCount > 0) parts.push(plural(t.errorCount, 'error', 'errors'));
    item.description = parts.join(' · ');
    item.tooltip = `${t.rootName}\n${t.traceId}\n${plural(t.spanCount, 'span', 'spans')}`;
    item.command = { command: OPEN_TRACE_COMMAND, title: vscode.l10n.t('Open Trace'), arguments: [node] };
    item.iconPath = new vscode.ThemeIcon(t.errorCount > 0 ? 'error' : t.coldStart ? 'snowflake' : 'pass',
      t.errorCount > 0 ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Groups trace summaries by function, most traces first, then by name; traces of no function go last. */
function functionNodes(summaries: readonly TraceSummary[]): FunctionsNode[] {
  const byName = new Map<string, { kind: 'function'; name: string; traces: number; errorTraces: number; coldTraces: number }>();
  for (const t of summaries) {
    for (const name of t.functions.length > 0 ? t.functions : [NO_FUNCTION]) {
      let n = byName.get(name);
      if (!n) byName.set(name, (n = { kind: 'function', name, traces: 0, errorTraces: 0, coldTraces: 0 }));
      n.traces++;
      if (t.errorCount > 0) n.errorTraces++;
      if (t.coldStart) n.coldTraces++;
    }
  }
  return [...byName.values()].sort((a, b) =>
    Number(a.name === NO_FUNCTION) - Number(b.name === NO_FUNCTION) || b.traces - a.traces || a.name.localeCompare(b.name));
}

/** Creates the view and its refresh command. */
export function registerFunctionsView(provider: FunctionsTreeProvider): vscode.Disposable[] {
  return [
    vscode.window.createTreeView(FUNCTIONS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true }),
    vscode.commands.registerCommand(REFRESH_FUNCTIONS_COMMAND, () => provider.refresh()),
  ];
}
