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
  /** `traceInsight.receiver.*`: where the local receivers listen and whether they start with the editor. */
  readonly receiver: ReceiverConfig;
  /** `traceInsight.watchFiles`: Collector file-exporter outputs tailed while the receiver runs (as written). */
  readonly watchFiles: readonly string[];
  /** `traceInsight.xray.*`: how "Fetch X-Ray Traces" reaches the X-Ray API ('' = the SDK's default). */
  readonly xray: XRayFetchConfig;
}

export interface ReceiverConfig {
  readonly host: string;
  /** 0-65535; 0 picks a free port. */
  readonly otlpPort: number;
  /** 0-65535; 0 picks a free port. */
  readonly xrayPort: number;
  readonly autoStart: boolean;
}

export interface XRayFetchConfig {
  readonly region: string;
  readonly profile: string;
  readonly endpoint: string;
  readonly filterExpression: string;
  /** A duration such as `30m`, `6h`, `2d`, as written. */
  readonly since: string;
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
  const text = (key: string, fallback: string): string => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : fallback;
  };
  const port = (key: string, fallback: number): number => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? v : fallback;
  };
  const watchFiles = c.get<unknown>('watchFiles');
  return Object.freeze({
    storePath: typeof storePath === 'string' ? storePath.trim() : '',
    receiver: Object.freeze({
      host: text('receiver.host', '127.0.0.1'),
      otlpPort: port('receiver.otlpPort', 4318),
      xrayPort: port('receiver.xrayPort', 2000),
      autoStart: c.get<unknown>('receiver.autoStart') === true,
    }),
    watchFiles: Object.freeze(Array.isArray(watchFiles) ? watchFiles.filter((f): f is string => typeof f === 'string' && f.trim() !== '').map((f) => f.trim()) : []),
    xray: Object.freeze({
      region: text('xray.region', ''),
      profile: text('xray.profile', ''),
      endpoint: text('xray.endpoint', ''),
      filterExpression: text('xray.filterExpression', ''),
      since: text('xray.since', '1h'),
    }),
  });
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
