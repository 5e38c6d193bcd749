/**
 * Owns the extension's trace store: where it lives (`traceInsight.storePath`, default the extension's
 * global storage) and opening it on first use, never at activation. The open store belongs to the live
 * source's lifetime: moving `storePath` or deactivating closes it, and the next use opens the new place.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openStore, type FileTraceStore } from '../sources/store/fileTraceStore';
import { StoreLockedError } from '../sources/store/storeLock';
import type { TraceStore } from '../sources/storeApi';
import { configChanged, type Configuration, type ConfigurationReactive } from './config';
import type { Lifetimes } from './disposables';

/**
 * The store directory for a `storePath` setting: '' is `<globalStorage>/store`; `~/...` is under the
 * home directory; a relative path is taken from the first workspace folder (or the home directory).
 */
export function resolveStoreDir(storePath: string, globalStorageDir: string, workspaceDir: string | undefined): string {
  if (storePath === '') return path.join(globalStorageDir, 'store');
  if (storePath === '~' || storePath.startsWith('~/')) return path.join(os.homedir(), storePath.slice(1));
  return path.resolve(workspaceDir ?? os.homedir(), storePath);
}

export class StoreController implements ConfigurationReactive, vscode.Disposable {
  private dir = '';
  private opening: Promise<FileTraceStore> | undefined;
  /** Settles when the previously open store has released its directory (its writer lock). */
  private closing: Promise<void> = Promise.resolve();
  private opened: TraceStore | undefined;
  /** Why the store was last opened read-only. */
  private lockError: StoreLockedError | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the traces a reader sees may differ: spans were appended, the store opened or moved. */
  readonly onDidChangeTraces = this.changed.event;

  constructor(
    private readonly globalStorageDir: string,
    private readonly config: Configuration,
    private readonly lifetimes: Lifetimes,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The directory the store is (or will be) opened from. */
  get storeDir(): string {
    return this.dir;
  }

  onConfigurationChanged(e?: vscode.ConfigurationChangeEvent): void {
    if (!configChanged(e, 'storePath')) return;
    const dir = resolveStoreDir(this.config.current.storePath, this.globalStorageDir, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    if (dir === this.dir) return;
    const wasOpen = this.opening !== undefined;
    this.dir = dir;
    if (e === undefined) return;
    this.log.info(`trace store location is now ${dir}`);
    if (wasOpen) this.lifetimes.endSource();
    this.changed.fire();
  }

  /** The store if it is open now (never opens it). */
  get current(): TraceStore | undefined {
    return this.opened;
  }

  /**
   * The open store, opened on the first call; later calls share it. When another process (the CLI's
   * `serve` or `import`) is writing to it, it opens read-only: traces show, imports wait for openWritable.
   * Rejects when it cannot be opened at all.
   */
  open(): Promise<FileTraceStore> {
    if (this.opening) return this.opening;
    const dir = this.dir;
    const opening = this.closing.then(() => openStore(dir)).catch((err: unknown) => {
      if (!(err instanceof StoreLockedError)) throw err;
      this.lockError = err;
      this.log.warn(`${err.message}; reading it without writing`);
      return openStore(dir, { readOnly: true });
    });
    this.opening = opening;
    const bag = this.lifetimes.source;
    // Added before the open settles, so a move or deactivation in between still closes it.
    bag.add({
      dispose: () => {
        if (this.opening === opening) this.opening = undefined;
        this.opened = undefined;
        this.closing = opening.then((s) => s.close(), () => undefined).catch((err: unknown) => this.log.error(`closing the trace store ${dir}: ${errorText(err)}`));
      },
    });
    opening.then((store) => {
      if (bag.isDisposed) return;
      this.opened = store;
      bag.add(store.onDidAppend(() => this.changed.fire()));
      this.changed.fire();
      const { traces, spans } = store.stats();
      this.log.info(`opened trace store ${dir}${store.readOnly ? ' read-only' : ''}: ${traces} traces, ${spans} spans`);
      for (const w of (store as { warnings?: readonly string[] }).warnings ?? []) this.log.warn(`trace store ${dir}: ${w}`);
    }, (err: unknown) => {
      // a later call tries again (the lock may have been released, the disk freed)
      if (this.opening === opening) this.opening = undefined;
      this.log.error(`cannot open the trace store ${dir}: ${errorText(err)}`);
    });
    return opening;
  }

  /** The store opened for writing; rejects (saying which process has it) while another process writes to it. */
  async openWritable(): Promise<FileTraceStore> {
    if ((await this.open()).readOnly) {
      // the other writer may have stopped since this one opened read-only
      this.lifetimes.endSource();
    }
    const store = await this.open();
    if (store.readOnly) throw this.lockError ?? new Error(`${this.dir} is open read-only`);
    return store;
  }

  /** Settles when a store closed by a move or by deactivation has released its directory. */
  whenClosed(): Promise<void> {
    return this.closing;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The message of an error, for the log and for messages to the user. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
