// The webview panel that shows one trace as a waterfall. It owns the HTML (nonce'd script, strict
// CSP, resources only from dist/ and media/), queues messages until the webview says `ready`, and
// answers the webview's requests; opening code is delegated to callbacks from its creator.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { Span, Trace } from '../core/model';
import { assertNever, isWebviewMessage, type HostMessage, type WebviewMessage } from '../shared/protocol';
import { toCompactTrace } from '../core/waterfall/compactTrace';
import { spanDetail } from '../core/waterfall/spanDetail';
import { waterfallHtml } from '../core/waterfall/webviewHtml';

/** What the panel asks of its creator; each returns undefined on success or a reason to show. */
export interface TracePanelCallbacks {
  /** Open the source location of a span (the trace-to-code mapping); say why when it cannot be mapped. */
  revealSpan(span: Span): Promise<string | undefined> | string | undefined;
  /** Open `path` at 1-based `line` (null: top of the file), a stack frame of `span`. */
  openSource(path: string, line: number | null, span: Span): Promise<string | undefined> | string | undefined;
  /** Where webview errors go (an output channel). */
  log?(message: string): void;
}

export const TRACE_PANEL_VIEW_TYPE = 'traceInsight.trace';

export class TracePanel implements vscode.Disposable {
  private static current: TracePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private queue: HostMessage[] = [];
  private order: Span[] = [];
  private traceMessage: HostMessage | undefined;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once when the panel closes. */
  readonly onDidDispose = this.disposeEmitter.event;

  /** Shows `trace` in the waterfall panel, reusing the open one. */
  static show(extensionUri: vscode.Uri, trace: Trace, callbacks: TracePanelCallbacks, column = vscode.ViewColumn.Active): TracePanel {
    if (TracePanel.current) {
      TracePanel.current.callbacks = callbacks;
      TracePanel.current.panel.reveal(column);
      TracePanel.current.setTrace(trace);
      return TracePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(TRACE_PANEL_VIEW_TYPE, 'Trace', column, TracePanel.webviewOptions(extensionUri));
    TracePanel.current = new TracePanel(panel, extensionUri, callbacks);
    TracePanel.current.setTrace(trace);
    return TracePanel.current;
  }

  /** Adopts a panel VS Code restored after a reload and shows `trace` in it; it becomes the reused panel. */
  static restore(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, trace: Trace, callbacks: TracePanelCallbacks): TracePanel {
    const restored = new TracePanel(panel, extensionUri, callbacks);
    TracePanel.current ??= restored;
    restored.setTrace(trace);
    return restored;
  }

  /** Options every waterfall webview is created with (also for a WebviewPanelSerializer). */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      enableFindWidget: false,
    };
  }

  /** Adopts an existing panel (e.g. one VS Code restored through a serializer). */
  constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private callbacks: TracePanelCallbacks) {
    panel.webview.options = TracePanel.webviewOptions(extensionUri);
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => { void this.receive(m); }),
      // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Replaces the shown trace. */
  setTrace(trace: Trace): void {
    const { payload, order } = toCompactTrace(trace);
    this.order = order;
    const root = order[0];
    this.panel.title = root ? `Trace: ${root.name}` : `Trace ${trace.traceId.slice(0, 8)}`;
    this.traceMessage = { type: 'trace', trace: payload };
    this.queue = this.queue.filter((m) => m.type !== 'trace' && m.type !== 'spanDetail');
    if (this.ready) void this.panel.webview.postMessage(this.traceMessage);
  }

  /** Selects a span in the waterfall (e.g. from a CodeLens). */
  selectSpan(spanId: string): void {
    this.post({ type: 'selectSpan', spanId });
  }

  private post(msg: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(msg);
    else this.queue.push(msg);
  }

  private async receive(raw: unknown): Promise<void> {
    if (!isWebviewMessage(raw)) { this.callbacks.log?.(`waterfall: ignored malformed message ${JSON.stringify(raw)?.slice(0, 200)}`); return; }
    const msg: WebviewMessage = raw;
    switch (msg.type) {
      case 'ready': {
        this.ready = true;
        if (this.traceMessage) void this.panel.webview.postMessage(this.traceMessage);
        const q = this.queue;
        this.queue = [];
        for (const m of q) void this.panel.webview.postMessage(m);
        break;
      }
      case 'requestDetail': {
        const span = this.spanAt(msg.index, msg.spanId);
        if (span) this.post({ type: 'spanDetail', index: msg.index, detail: spanDetail(span) });
        break;
      }
      case 'revealSpan': {
        const span = this.spanAt(msg.index, msg.spanId);
        if (!span) break;
        const why = await this.safely(() => this.callbacks.revealSpan(span));
        this.post({ type: 'revealResult', spanId: msg.spanId, ok: why === undefined, message: why ?? '' });
        break;
      }
      case 'openSource': {
        const span = this.order.find((s) => s.spanId === msg.spanId);
        if (!span) break;
        const why = await this.safely(() => this.callbacks.openSource(msg.path, msg.line, span));
        this.post({ type: 'revealResult', spanId: msg.spanId, ok: why === undefined, message: why ?? '' });
        break;
      }
      case 'error': this.callbacks.log?.(`waterfall webview: ${msg.message}`); break;
      default: assertNever(msg);
    }
  }

  private spanAt(index: number, spanId: string): Span | undefined {
    const s = this.order[index];
    return s && s.spanId === spanId ? s : undefined;
  }

  private async safely(f: () => Promise<string | undefined> | string | undefined): Promise<string | undefined> {
    try {
      return await f();
    } catch (e) {
      return `Could not open the code: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private html(webview: vscode.Webview): string {
    return waterfallHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'waterfall.css')).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'codicons', 'codicon.css')).toString(),
    });
  }

  dispose(): void {
    if (TracePanel.current === this) TracePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
