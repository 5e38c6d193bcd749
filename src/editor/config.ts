/**
 * The one place that reads `traceInsight.*` settings. The rest of the extension gets a typed, frozen
 * snapshot, and controllers react in one `onConfigurationChanged(e?)`: called with `undefined` when they
 * subscribe (start-up) and with the change event later, so start-up and change share one path.
 */
import * as vscode from 'vscode';

export const CONFIG_SECTION = 'traceInsight';

/** A frozen snapshot of the extension's settings. */
export interface TraceInsightConfig {
  /** `traceInsight.storePath` as written by the user, trimmed; '' means the extension's global storage. */
  readonly storePath: string;
}

/** Something that reacts to settings; `e` is undefined for the initial call. */
export interface ConfigurationReactive {
  onConfigurationChanged(e?: vscode.ConfigurationChangeEvent): void;
}

/** True on the initial call (no event) or when the event touches `traceInsight.<key>`. */
export function configChanged(e: vscode.ConfigurationChangeEvent | undefined, key: keyof TraceInsightConfig): boolean {
  return e === undefined || e.affectsConfiguration(`${CONFIG_SECTION}.${key}`);
}

function readConfig(): TraceInsightConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const storePath = c.get<unknown>('storePath');
  return Object.freeze({ storePath: typeof storePath === 'string' ? storePath.trim() : '' });
}

/** Holds the current snapshot and tells subscribed controllers about changes. */
export class Configuration implements vscode.Disposable {
  private snapshot: TraceInsightConfig = readConfig();
  private readonly reactives = new Set<ConfigurationReactive>();
  private readonly listener: vscode.Disposable;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(CONFIG_SECTION)) return;
      this.snapshot = readConfig();
      for (const r of [...this.reactives]) r.onConfigurationChanged(e);
    });
  }

  /** The settings as they are now (a new frozen object after every change). */
  get current(): TraceInsightConfig {
    return this.snapshot;
  }

  /** Calls `r.onConfigurationChanged()` at once, then on every change of `traceInsight.*`. */
  subscribe(r: ConfigurationReactive): vscode.Disposable {
    this.reactives.add(r);
    r.onConfigurationChanged(undefined);
    return { dispose: () => this.reactives.delete(r) };
  }

  dispose(): void {
    this.reactives.clear();
    this.listener.dispose();
  }
}
