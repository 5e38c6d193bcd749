/**
 * Opening one trace in the waterfall panel: "Trace Insight: Open Trace by ID" (an input box, or the id as
 * argument) and `traceInsight.openTrace`, run by the Functions view's trace items. Stack frames and spans
 * open the workspace file they map to (deployed paths such as /var/task/... matched by path suffix).
 */
import * as vscode from 'vscode';
import { normalizeTraceId } from '../core/ids';
import { mapDeployedPath } from '../core/mapping/deployedPath';
import type { Span } from '../core/model';
import type { FunctionsNode } from './functionsView';
import type { StoreController } from './storeController';
import { TracePanel, type TracePanelCallbacks } from './tracePanel';

export const OPEN_TRACE_COMMAND = 'traceInsight.openTrace';
export const OPEN_TRACE_BY_ID_COMMAND = 'traceInsight.openTraceById';

/** What the open commands resolve to (for tests and other callers). */
export interface OpenedTrace {
  traceId: string;
  spanCount: number;
  /** The panel's title, e.g. "Trace: orders-api-OrdersFunction-9XK2L". */
  title: string;
}

/** Workspace files, workspace-relative with '/' and sorted, as mapDeployedPath expects; undefined without a folder. */
async function workspaceFiles(): Promise<{ root: vscode.Uri; files: string[] } | undefined> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) return undefined;
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(root, '**/*'), '**/{node_modules,.git,.aws-sam,dist,out}/**', 50_000);
  const prefix = root.path.endsWith('/') ? root.path : `${root.path}/`;
  const files = uris.map((u) => u.path.startsWith(prefix) ? u.path.slice(prefix.length) : u.path).sort();
  return { root, files };
}

async function openMapped(path: string, line: number | null): Promise<string | undefined> {
  const ws = await workspaceFiles();
  if (!ws) return vscode.l10n.t('Open a folder to map {0} to a file.', path);
  const mapped = mapDeployedPath(path, ws.files);
  if (mapped.file === undefined) return vscode.l10n.t('{0}: {1}', path, mapped.unmapped);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws.root, mapped.file));
  const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
  return undefined;
}

function panelCallbacks(log: vscode.LogOutputChannel): TracePanelCallbacks {
  return {
    revealSpan(span: Span) {
      const file = span.attributes['code.filepath'] ?? span.attributes['code.file.path'];
      const line = span.attributes['code.lineno'] ?? span.attributes['code.line.number'];
      if (typeof file !== 'string') return vscode.l10n.t('"{0}" carries no source location (code.filepath).', span.name);
      return openMapped(file, typeof line === 'number' ? line : null);
    },
    openSource: (path, line) => openMapped(path, line),
    log: (m) => log.warn(`waterfall: ${m}`),
  };
}

/** Registers both commands. */
export function registerTraceCommands(extensionUri: vscode.Uri, stores: StoreController, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const open = async (id: string): Promise<OpenedTrace> => {
    const traceId = normalizeTraceId(id.trim());
    if (!traceId) throw new Error(vscode.l10n.t('"{0}" is not a trace id (32 hex digits, or an X-Ray id like 1-5f84c7a1-...).', id));
    const store = await stores.open();
    const trace = await store.getTrace(traceId);
    if (!trace) throw new Error(vscode.l10n.t('Trace {0} is not in the store ({1}).', traceId, stores.storeDir));
    const panel = TracePanel.show(extensionUri, trace, panelCallbacks(log));
    return { traceId, spanCount: trace.spans.length, title: panel.panel.title };
  };
  const tellFailure = (err: unknown): never => {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(message);
    throw err instanceof Error ? err : new Error(message);
  };
  return [
    vscode.commands.registerCommand(OPEN_TRACE_COMMAND, (arg: FunctionsNode | string) => {
      const id = typeof arg === 'string' ? arg : arg?.kind === 'trace' ? arg.summary.traceId : undefined;
      if (!id) return tellFailure(new Error(vscode.l10n.t('No trace to open.')));
      return open(id).catch(tellFailure);
    }),
    vscode.commands.registerCommand(OPEN_TRACE_BY_ID_COMMAND, async (arg?: string): Promise<OpenedTrace | undefined> => {
      const id = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
        title: vscode.l10n.t('Open Trace by ID'),
        prompt: vscode.l10n.t('A W3C trace id (32 hex digits) or an X-Ray trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)'),
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' || normalizeTraceId(v.trim()) ? undefined : vscode.l10n.t('Not a trace id')),
      });
      if (!id) return undefined;
      return open(id).catch(tellFailure);
    }),
  ];
}
