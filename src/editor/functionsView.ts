/**
 * The "Functions" view in the Trace Insight activity-bar container: functions that appear in the newest
 * stored traces, each with a health icon (error rate and timeout risk from the analysis core) and its
 * recent traces (duration, time, cold start, errors). Title actions refresh, filter by name and sort
 * (slowest, newest, errors, cold). With nothing stored the view is empty and VS Code shows its welcome
 * content (package.json `viewsWelcome`). The store is opened only when the view is first shown; after
 * that the model is rebuilt when traces arrive (debounced), reading only new or grown traces.
 */
import * as vscode from 'vscode';
import type { TraceSummary } from '../core/model';
import { formatDurationUs } from '../core/waterfall/layout';
import { FUNCTION_SORTS, sortFunctions, sortTraces, type FunctionGroup, type FunctionHealth, type FunctionSort } from '../sources/functionsHealth';
import { formatMs, formatRate } from '../sources/insights/insightsFormat';
import { localTime, plural } from './format';
import { FunctionsModel } from './functionsModel';
import type { StoreController } from './storeController';
import { OPEN_TRACE_COMMAND } from './traceCommands';

export const FUNCTIONS_VIEW_ID = 'traceInsight.functions';
export const REFRESH_FUNCTIONS_COMMAND = 'traceInsight.refreshFunctions';
export const FILTER_FUNCTIONS_COMMAND = 'traceInsight.filterFunctions';
export const CLEAR_FUNCTIONS_FILTER_COMMAND = 'traceInsight.clearFunctionsFilter';
/** `traceInsight.sortFunctionsBySlowest`, `...ByNewest`, `...ByErrors`, `...ByCold`. */
export const sortCommand = (s: FunctionSort): string => `traceInsight.sortFunctionsBy${s[0].toUpperCase()}${s.slice(1)}`;
/** Context keys for the title actions' `when` and `toggled` clauses. */
export const SORT_CONTEXT_KEY = 'traceInsight.functionsSort';
export const FILTERED_CONTEXT_KEY = 'traceInsight.functionsFiltered';

/** Recent traces listed under each function. */
const TRACES_PER_FUNCTION = 50;
/** Appends arrive in bursts while a receiver runs: refresh at most this often. */
const REFRESH_DELAY_MS = 300;

export type FunctionsNode =
  | { kind: 'function'; name: string; group: FunctionGroup }
  | { kind: 'trace'; summary: TraceSummary };

const SORT_LABELS: Record<FunctionSort, () => string> = {
  slowest: () => vscode.l10n.t('slowest'),
  newest: () => vscode.l10n.t('newest'),
  errors: () => vscode.l10n.t('errors'),
  cold: () => vscode.l10n.t('cold starts'),
};

function healthIcon(h: FunctionHealth | undefined): vscode.ThemeIcon {
  if (!h) return new vscode.ThemeIcon('symbol-function');
  if (h.level === 'failing') return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  if (h.level === 'warning') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
  return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
}

function healthTooltip(label: string, g: FunctionGroup): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${label}**\n\n`);
  const h = g.health;
  if (h) {
    md.appendText(vscode.l10n.t('{0} · {1} errors · p95 {2} · {3} cold', plural(h.invocations, 'invocation', 'invocations'), formatRate(h.errorRate), formatMs(h.p95Ms), formatRate(h.coldStartRate)));
    md.appendMarkdown('\n\n');
    if (h.timeoutRisk) md.appendMarkdown('$(warning) ').appendText(h.timeoutRisk.message);
    else if (h.timeoutSec !== null) md.appendText(vscode.l10n.t('Timeout {0} s: no risk seen', h.timeoutSec));
    else md.appendText(vscode.l10n.t('No timeout found in the infrastructure files'));
  } else {
    md.appendText(vscode.l10n.t('No Lambda invocation in these traces'));
  }
  return md;
}

export class FunctionsTreeProvider implements vscode.TreeDataProvider<FunctionsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FunctionsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: vscode.Disposable;
  private readonly model: FunctionsModel;
  private sortKey: FunctionSort = 'newest';
  private filterText = '';
  private view: vscode.TreeView<FunctionsNode> | undefined;

  constructor(stores: StoreController, log: vscode.LogOutputChannel) {
    this.model = new FunctionsModel(stores, log);
    this.subscription = stores.onDidChangeTraces(() => {
      // the next read sees the new traces at once; the tree itself repaints at most every REFRESH_DELAY_MS
      this.model.invalidate();
      this.scheduleRefresh();
    });
    void this.updateContext();
  }

  get sort(): FunctionSort {
    return this.sortKey;
  }

  get filter(): string {
    return this.filterText;
  }

  /** What the view's title shows after its name, e.g. `"python" · by slowest`. */
  get viewDescription(): string | undefined {
    return this.view?.description;
  }

  /** Gives the provider its view, whose description shows the filter. */
  attach(view: vscode.TreeView<FunctionsNode>): void {
    this.view = view;
    this.updateDescription();
  }

  /** Rebuilds the whole tree now; `rediscover` also re-reads the infrastructure files for timeouts. */
  refresh(rediscover = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (rediscover) this.model.invalidate(true);
    this.changed.fire(undefined);
  }

  setSort(sort: FunctionSort): void {
    this.sortKey = sort;
    void this.updateContext();
    this.updateDescription();
    this.changed.fire(undefined);
  }

  /** Shows only functions whose name contains `text` (case-insensitive); '' shows all. */
  setFilter(text: string): void {
    this.filterText = text.trim();
    void this.updateContext();
    this.updateDescription();
    this.changed.fire(undefined);
  }

  private updateDescription(): void {
    if (!this.view) return;
    this.view.description = this.filterText ? vscode.l10n.t('"{0}" · by {1}', this.filterText, SORT_LABELS[this.sortKey]()) : vscode.l10n.t('by {0}', SORT_LABELS[this.sortKey]());
  }

  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', SORT_CONTEXT_KEY, this.sortKey);
    await vscode.commands.executeCommand('setContext', FILTERED_CONTEXT_KEY, this.filterText !== '');
  }

  private scheduleRefresh(): void {
    this.timer ??= setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  async getChildren(node?: FunctionsNode): Promise<FunctionsNode[]> {
    if (node?.kind === 'trace') return [];
    if (node) return sortTraces(node.group.traces, this.sortKey).slice(0, TRACES_PER_FUNCTION).map((summary) => ({ kind: 'trace', summary }));
    const groups = await vscode.window.withProgress({ location: { viewId: FUNCTIONS_VIEW_ID } }, () => this.model.groups());
    const needle = this.filterText.toLowerCase();
    const shown = needle ? groups.filter((g) => g.name !== '' && g.name.toLowerCase().includes(needle)) : groups;
    return sortFunctions(shown, this.sortKey).map((group) => ({ kind: 'function', name: group.name, group }));
  }

  getTreeItem(node: FunctionsNode): vscode.TreeItem {
    if (node.kind === 'function') {
      const g = node.group;
      const label = g.name === '' ? vscode.l10n.t('Other traces') : g.name;
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `fn:${g.name}`;
      item.contextValue = g.name === '' ? 'otherTraces' : 'function';
      const parts = [plural(g.traces.length, 'trace', 'traces')];
      if (g.errorTraces > 0) parts.push(vscode.l10n.t('{0} failed', g.errorTraces));
      if (g.coldTraces > 0) parts.push(vscode.l10n.t('{0} cold', g.coldTraces));
      if (g.health?.timeoutRisk) parts.push(vscode.l10n.t('timeout risk'));
      item.description = parts.join(' · ');
      item.tooltip = healthTooltip(label, g);
      item.iconPath = healthIcon(g.health);
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

/** Creates the view and its title commands (refresh, filter, clear filter, one per sort). */
export function registerFunctionsView(provider: FunctionsTreeProvider): vscode.Disposable[] {
  const view = vscode.window.createTreeView(FUNCTIONS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  provider.attach(view);
  return [
    view,
    vscode.commands.registerCommand(REFRESH_FUNCTIONS_COMMAND, () => provider.refresh(true)),
    vscode.commands.registerCommand(FILTER_FUNCTIONS_COMMAND, async (arg?: string): Promise<string | undefined> => {
      const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
        title: vscode.l10n.t('Filter Functions'),
        prompt: vscode.l10n.t('Show functions whose name contains this text (empty shows all)'),
        value: provider.filter,
      });
      if (text === undefined) return undefined;
      provider.setFilter(text);
      return provider.filter;
    }),
    vscode.commands.registerCommand(CLEAR_FUNCTIONS_FILTER_COMMAND, () => provider.setFilter('')),
    ...FUNCTION_SORTS.map((s) => vscode.commands.registerCommand(sortCommand(s), () => provider.setSort(s))),
  ];
}
