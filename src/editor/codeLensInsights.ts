/**
 * Owns the insights service (src/sources/insights) for the first workspace folder and keeps it in
 * step with the editor: started on the first lens, hint or hover request (never at activation), fed
 * the store the StoreController opens (and the new one when `storePath` moves), told about file
 * changes, and given `traceInsight.functionMap`. Lenses, line hints and hovers read its snapshot.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { InsightsService } from '../sources/insights/insightsService';
import type { FileInsights, InsightsSnapshot } from '../sources/insights/insightsModel';
import type { TraceStore } from '../sources/storeApi';
import { readInsightsSettings, type InsightsSettings } from './codeLensConfig';
import { errorText, type StoreController } from './storeController';

/** Folders whose files never hold handlers or declarations worth re-reading for. */
const IGNORED = /\/(node_modules|\.git|\.aws-sam|\.serverless|\.terraform|cdk\.out|dist|out|coverage)\//;

export class InsightsHost implements vscode.Disposable {
  private service: InsightsService | undefined;
  private root: string | undefined;
  private attached: TraceStore | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every new snapshot (traces arrived, files changed, settings changed). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private settingsSnapshot: InsightsSettings = readInsightsSettings();
  private startedPromise: Promise<void> | undefined;

  constructor(private readonly stores: StoreController, private readonly log: vscode.LogOutputChannel) {}

  get settings(): InsightsSettings {
    return this.settingsSnapshot;
  }

  /** Re-reads the settings; passes a new function map on to the service. */
  reloadSettings(): void {
    this.settingsSnapshot = readInsightsSettings();
    if (this.service) void this.service.setFunctionMap(this.settingsSnapshot.functionMap);
  }

  /** The workspace-relative posix path of a file under the first workspace folder, or undefined. */
  relPath(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file' || !this.root) return undefined;
    const rel = path.relative(this.root, uri.fsPath);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  /** What a document shows, starting the service on the first call (then undefined until it is ready). */
  forDocument(uri: vscode.Uri): FileInsights | undefined {
    this.ensureStarted();
    const rel = this.relPath(uri);
    return rel === undefined ? undefined : this.service?.forFile(rel);
  }

  get snapshot(): InsightsSnapshot | undefined {
    return this.service?.snapshot;
  }

  /** Starts the service (once) and settles when its first snapshot is built. */
  ensureStarted(): Promise<void> {
    if (this.startedPromise) return this.startedPromise;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return (this.startedPromise = Promise.resolve());
    this.root = folder.uri.fsPath;
    const service = new InsightsService({ root: this.root, functionMap: this.settings.functionMap, log: (m) => this.log.warn(m) });
    this.service = service;
    this.subscriptions.push(
      { dispose: () => service.dispose() },
      service.onDidChange(() => this.changed.fire()),
      this.stores.onDidChangeTraces(() => void this.syncStore()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
    const touched = (uri: vscode.Uri) => { if (!IGNORED.test(uri.path)) service.workspaceChanged(); };
    this.subscriptions.push(watcher, watcher.onDidChange(touched), watcher.onDidCreate(touched), watcher.onDidDelete(touched));
    const started = Date.now();
    this.startedPromise = this.openStore().then((store) => {
      this.attached = store;
      return service.start(store);
    }).then(() => {
      const s = service.snapshot;
      this.log.info(`insights ready in ${Date.now() - started} ms: ${s.functions.length} functions, ${s.traces} traces, ${s.invocations} invocations`);
      if (s.unmatched.length) this.log.info(`insights: no declared function for ${s.unmatched.join(', ')} (map them with traceInsight.functionMap)`);
    });
    return this.startedPromise;
  }

  private async openStore(): Promise<TraceStore | undefined> {
    try {
      return await this.stores.open();
    } catch (err) {
      this.log.debug(`insights: no store (${errorText(err)})`);
      return undefined;
    }
  }

  /** The StoreController opened, moved or appended: follow it when the store itself changed. */
  private async syncStore(): Promise<void> {
    if (!this.service) return;
    const store = this.stores.current ?? await this.openStore();
    if (store === this.attached) return;
    this.attached = store;
    await this.service.setStore(store);
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.changed.dispose();
  }
}
