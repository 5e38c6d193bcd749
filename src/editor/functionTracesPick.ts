/**
 * "Trace Insight: Show Function Traces": pick a function (or get its name as argument, e.g. from a
 * CodeLens), then one of its recent traces, sorted by newest, slowest, errors or cold starts with the
 * buttons in the picker's title; the chosen trace opens in the waterfall.
 */
import * as vscode from 'vscode';
import type { TraceSummary } from '../core/model';
import { formatDurationUs } from '../core/waterfall/layout';
import type { TraceStore } from '../sources/storeApi';
import type { FunctionsNode } from './functionsView';
import type { StoreController } from './storeController';
import { OPEN_TRACE_COMMAND, type OpenedTrace } from './traceCommands';
import { localTime } from './format';

export const SHOW_FUNCTION_TRACES_COMMAND = 'traceInsight.showFunctionTraces';

/** Traces read to find the functions; recent traces offered per function. */
const SCAN_TRACES = 5000;
const TRACES_PER_FUNCTION = 200;

type SortKey = 'newest' | 'slowest' | 'errors' | 'cold';

const SORTS: { key: SortKey; icon: string; tooltip: string; compare: (a: TraceSummary, b: TraceSummary) => number }[] = [
  { key: 'newest', icon: 'history', tooltip: 'Newest first', compare: (a, b) => b.startUnixMs - a.startUnixMs },
  { key: 'slowest', icon: 'watch', tooltip: 'Slowest first', compare: (a, b) => b.durationMs - a.durationMs },
  { key: 'errors', icon: 'error', tooltip: 'Errors first', compare: (a, b) => Number(b.errorCount > 0) - Number(a.errorCount > 0) || b.startUnixMs - a.startUnixMs },
  { key: 'cold', icon: 'snowflake', tooltip: 'Cold starts first', compare: (a, b) => Number(b.coldStart) - Number(a.coldStart) || b.startUnixMs - a.startUnixMs },
];

interface TraceItem extends vscode.QuickPickItem { summary: TraceSummary }

function traceItem(t: TraceSummary): TraceItem {
  const icon = t.errorCount > 0 ? '$(error)' : t.coldStart ? '$(snowflake)' : '$(pass)';
  const parts = [localTime(t.startUnixMs)];
  if (t.coldStart) parts.push(vscode.l10n.t('cold'));
  if (t.errorCount > 0) parts.push(t.errorCount === 1 ? vscode.l10n.t('1 error') : vscode.l10n.t('{0} errors', t.errorCount));
  return { label: `${icon} ${formatDurationUs(t.durationMs * 1000)}`, description: parts.join(' · '), detail: `${t.rootName} · ${t.traceId}`, summary: t };
}

async function pickFunction(store: TraceStore): Promise<string | undefined> {
  const counts = new Map<string, { traces: number; errors: number }>();
  for (const t of await store.listTraces({ limit: SCAN_TRACES })) {
    for (const f of t.functions) {
      const c = counts.get(f) ?? { traces: 0, errors: 0 };
      c.traces++;
      if (t.errorCount > 0) c.errors++;
      counts.set(f, c);
    }
  }
  if (counts.size === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No traces of any function yet: import some with "Trace Insight: Import Traces...".'));
    return undefined;
  }
  const items = [...counts].sort((a, b) => b[1].traces - a[1].traces || a[0].localeCompare(b[0])).map(([name, c]) => ({
    label: `$(symbol-function) ${name}`,
    description: [c.traces === 1 ? vscode.l10n.t('1 trace') : vscode.l10n.t('{0} traces', c.traces), ...(c.errors > 0 ? [vscode.l10n.t('{0} failed', c.errors)] : [])].join(' · '),
    name,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Show Function Traces'), placeHolder: vscode.l10n.t('Function'), matchOnDescription: true });
  return picked?.name;
}

function pickTrace(fn: string, summaries: TraceSummary[]): Promise<TraceSummary | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<TraceItem>();
    let sort = SORTS[0];
    const buttons = new Map(SORTS.map((s) => [s.key, { iconPath: new vscode.ThemeIcon(s.icon), tooltip: vscode.l10n.t(s.tooltip), key: s.key }]));
    const render = () => {
      qp.title = vscode.l10n.t('Traces of {0} ({1})', fn, vscode.l10n.t(sort.tooltip).toLowerCase());
      qp.items = [...summaries].sort(sort.compare).map(traceItem);
    };
    qp.placeholder = vscode.l10n.t('Filter by time, duration or trace id');
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.buttons = [...buttons.values()];
    render();
    let chosen: TraceSummary | undefined;
    qp.onDidTriggerButton((b) => {
      sort = SORTS.find((s) => s.key === (b as { key?: SortKey }).key) ?? sort;
      render();
    });
    // Enter with nothing selected (the filter matches nothing, or the list is not drawn yet) keeps the picker open
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!item) return;
      chosen = item.summary;
      qp.hide();
    });
    qp.onDidHide(() => { qp.dispose(); resolve(chosen); });
    qp.show();
  });
}

/** Registers the command (argument: a function name or a Functions view item); it resolves to the opened trace, or undefined when a picker was dismissed. */
export function registerShowFunctionTraces(stores: StoreController): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_FUNCTION_TRACES_COMMAND, async (arg?: string | FunctionsNode): Promise<OpenedTrace | undefined> => {
    const store = await stores.open();
    const given = typeof arg === 'string' ? arg : arg?.kind === 'function' && arg.name !== '' ? arg.name : undefined;
    const fn = given ?? await pickFunction(store);
    if (!fn) return undefined;
    const summaries = await store.listTraces({ functionName: fn, limit: TRACES_PER_FUNCTION });
    if (summaries.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No traces of {0} in the store yet.', fn));
      return undefined;
    }
    const picked = await pickTrace(fn, summaries);
    if (!picked) return undefined;
    return vscode.commands.executeCommand<OpenedTrace>(OPEN_TRACE_COMMAND, picked.traceId);
  });
}
