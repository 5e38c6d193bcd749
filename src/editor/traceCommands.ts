/**
 * Opening one trace in the waterfall panel: "Trace Insight: Open Trace by ID" (an input box, or the id as
 * argument) and `traceInsight.openTrace`, run by the Functions view's trace items. Stack frames and spans
 * open the workspace file they map to (deployed paths such as /var/task/... matched by path suffix;
 * /opt/... frames through the layer folders of the span's function, found by workspace discovery).
 * "Open Trace in X-Ray Console" opens the AWS console page of a trace in the browser.
 */
import * as vscode from 'vscode';
import { normalizeTraceId, w3cToXrayTraceId } from '../core/ids';
import { mapDeployedPath } from '../core/mapping/deployedPath';
import { type FunctionNames, resolveFunction } from '../core/mapping/identity';
import type { Span } from '../core/model';
import type { WorkspaceDiscovery } from '../sources/workspace/discovery';
import { readInsightsSettings } from './codeLensConfig';
import type { Configuration } from './config';
import type { FunctionsNode } from './functionsView';
import type { StoreController } from './storeController';
import { TRACE_PANEL_VIEW_TYPE, TracePanel, type TracePanelCallbacks } from './tracePanel';

export const OPEN_TRACE_COMMAND = 'traceInsight.openTrace';
export const OPEN_TRACE_BY_ID_COMMAND = 'traceInsight.openTraceById';
export const OPEN_IN_XRAY_CONSOLE_COMMAND = 'traceInsight.openInXRayConsole';

/** A region name as AWS writes them (`us-east-1`, `eu-central-2`, `us-gov-west-1`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * The X-Ray console page of a trace: `https://<region>.console.aws.amazon.com/xray/home?region=<region>#/traces/<x-ray id>`;
 * undefined when the region or the trace id is not valid.
 */
export function xrayConsoleTraceUrl(region: string, traceId: string): string | undefined {
  const w3c = normalizeTraceId(traceId.trim());
  const id = w3c ? w3cToXrayTraceId(w3c) : undefined;
  if (!id || !REGION.test(region)) return undefined;
  return `https://${region}.console.aws.amazon.com/xray/home?region=${region}#/traces/${id}`;
}

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

/**
 * Workspace discovery for `/opt/...` frames (layer code), created on the first such frame and run
 * again (incrementally) on each: it knows the functions' layer folders and walks their node_modules,
 * which findFiles excludes. Runs are chained, never concurrent.
 */
class LayerResolver {
  private discovery?: Promise<{ d: WorkspaceDiscovery; functionNamesOf: (s: Span) => FunctionNames }>;
  private last: Promise<unknown> = Promise.resolve();

  /** Layer folders for a frame of `span` (its function's, else every function's) and the files under them. */
  layersFor(root: vscode.Uri, span: Span | undefined): Promise<{ layerDirs: string[]; files: string[] }> {
    const next = this.last.then(async () => {
      this.discovery ??= import('../sources/workspace/lazyWorkspace').then((m) => ({ d: m.sharedDiscovery(root.fsPath), functionNamesOf: m.functionNamesOf }));
      const { d, functionNamesOf } = await this.discovery;
      const { functions } = await d.run();
      const fn = span ? resolveFunction(functionNamesOf(span), functions, readInsightsSettings().functionMap).function : undefined;
      const all = [...new Set(functions.flatMap((f) => f.layerDirs ?? []))];
      const layerDirs = fn?.layerDirs?.length ? fn.layerDirs : all;
      const files = d.files().filter((f) => layerDirs.some((l) => f.startsWith(`${l}/`)));
      return { layerDirs, files };
    });
    this.last = next.catch(() => undefined);
    return next;
  }
}

async function openMapped(path: string, line: number | null, layers: LayerResolver, span?: Span): Promise<string | undefined> {
  const ws = await workspaceFiles();
  if (!ws) return vscode.l10n.t('Open a folder to map {0} to a file.', path);
  let files = ws.files;
  let layerDirs: string[] | undefined;
  if (/^(file:\/\/)?\/opt\//.test(path.replace(/\\/g, '/')) && ws.root.scheme === 'file') {
    const l = await layers.layersFor(ws.root, span);
    layerDirs = l.layerDirs;
    files = [...new Set([...ws.files, ...l.files])].sort();
  }
  const mapped = mapDeployedPath(path, files, undefined, undefined, layerDirs);
  if (mapped.file === undefined) return vscode.l10n.t('{0}: {1}', path, mapped.unmapped);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws.root, mapped.file));
  const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
  return undefined;
}

function panelCallbacks(log: vscode.LogOutputChannel, layers: LayerResolver): TracePanelCallbacks {
  return {
    revealSpan(span: Span) {
      const file = span.attributes['code.filepath'] ?? span.attributes['code.file.path'];
      const line = span.attributes['code.lineno'] ?? span.attributes['code.line.number'];
      if (typeof file !== 'string') return vscode.l10n.t('"{0}" carries no source location (code.filepath).', span.name);
      return openMapped(file, typeof line === 'number' ? line : null, layers, span);
    },
    openSource: (path, line, span) => openMapped(path, line, layers, span),
    log: (m) => log.warn(`waterfall: ${m}`),
  };
}

/** The `cloud.region` of a stored trace (its first span that names one), or undefined. */
async function storedRegion(stores: StoreController, traceId: string): Promise<string | undefined> {
  const trace = await (await stores.open()).getTrace(traceId);
  for (const s of trace?.spans ?? []) {
    const r = s.resource.attributes['cloud.region'] ?? s.attributes['cloud.region'];
    if (typeof r === 'string' && REGION.test(r)) return r;
  }
  return undefined;
}

const askTraceId = (title: string) => vscode.window.showInputBox({
  title,
  prompt: vscode.l10n.t('A W3C trace id (32 hex digits) or an X-Ray trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)'),
  ignoreFocusOut: true,
  validateInput: (v) => (v.trim() === '' || normalizeTraceId(v.trim()) ? undefined : vscode.l10n.t('Not a trace id')),
});

/** Registers the open commands and "Open Trace in X-Ray Console" (region from `config`, else from the trace). */
export function registerTraceCommands(extensionUri: vscode.Uri, stores: StoreController, log: vscode.LogOutputChannel, config?: Configuration): vscode.Disposable[] {
  const layers = new LayerResolver();
  const open = (id: string): Promise<OpenedTrace | undefined> => Promise.resolve(vscode.window.withProgress({
    location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Opening trace {0}', id.trim()), cancellable: true,
  }, async (_progress, token) => {
    const traceId = normalizeTraceId(id.trim());
    if (!traceId) throw new Error(vscode.l10n.t('"{0}" is not a trace id (32 hex digits, or an X-Ray id like 1-5f84c7a1-...).', id));
    const store = await stores.open();
    const trace = await store.getTrace(traceId);
    if (token.isCancellationRequested) return undefined;
    if (!trace) throw new Error(vscode.l10n.t('Trace {0} is not in the store ({1}).', traceId, stores.storeDir));
    const panel = TracePanel.show(extensionUri, trace, panelCallbacks(log, layers));
    return { traceId, spanCount: trace.spans.length, title: panel.panel.title };
  }));
  // A waterfall panel open before a window reload comes back showing the same stored trace.
  const serializer = vscode.window.registerWebviewPanelSerializer(TRACE_PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const saved = (state as { traceId?: unknown } | undefined)?.traceId;
      const traceId = typeof saved === 'string' ? normalizeTraceId(saved) : undefined;
      const trace = traceId ? await (await stores.open()).getTrace(traceId).catch(() => undefined) : undefined;
      if (!trace) { panel.dispose(); return; }
      TracePanel.restore(panel, extensionUri, trace, panelCallbacks(log, layers));
    },
  });
  const openInConsole = async (arg?: unknown, options?: { open?: boolean }): Promise<string | undefined> => {
    const given = typeof arg === 'string' ? arg : (arg as FunctionsNode | undefined)?.kind === 'trace' ? (arg as { summary: { traceId: string } }).summary.traceId : undefined;
    const id = given ?? await askTraceId(vscode.l10n.t('Open Trace in X-Ray Console'));
    if (!id) return undefined;
    const traceId = normalizeTraceId(id.trim());
    if (!traceId) throw new Error(vscode.l10n.t('"{0}" is not a trace id (32 hex digits, or an X-Ray id like 1-5f84c7a1-...).', id));
    const region = config?.current.xray.region || await storedRegion(stores, traceId).catch(() => undefined);
    if (!region) throw new Error(vscode.l10n.t('No AWS region for trace {0}: set traceInsight.xray.region (the trace names none).', traceId));
    const url = xrayConsoleTraceUrl(region, traceId);
    if (!url) throw new Error(vscode.l10n.t('"{0}" is not an AWS region (traceInsight.xray.region).', region));
    if (options?.open !== false) void vscode.env.openExternal(vscode.Uri.parse(url, true));
    log.info(`X-Ray console: ${url}`);
    return url;
  };
  const tellFailure = (err: unknown): never => {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(message);
    throw err instanceof Error ? err : new Error(message);
  };
  return [
    serializer,
    vscode.commands.registerCommand(OPEN_TRACE_COMMAND, (arg: FunctionsNode | string) => {
      const id = typeof arg === 'string' ? arg : arg?.kind === 'trace' ? arg.summary.traceId : undefined;
      if (!id) return tellFailure(new Error(vscode.l10n.t('No trace to open.')));
      return open(id).catch(tellFailure);
    }),
    vscode.commands.registerCommand(OPEN_TRACE_BY_ID_COMMAND, async (arg?: string): Promise<OpenedTrace | undefined> => {
      const id = typeof arg === 'string' ? arg : await askTraceId(vscode.l10n.t('Open Trace by ID'));
      if (!id) return undefined;
      return open(id).catch(tellFailure);
    }),
    vscode.commands.registerCommand(OPEN_IN_XRAY_CONSOLE_COMMAND, (arg?: unknown, options?: { open?: boolean }) => openInConsole(arg, options).catch(tellFailure)),
  ];
}
