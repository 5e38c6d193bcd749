/**
 * "Start Local Receiver" / "Stop Local Receiver": the OTLP/HTTP receiver and the X-Ray daemon (UDP)
 * receiver writing into the open store, plus the Collector files of `traceInsight.watchFiles` tailed while
 * they run. A running receiver lives in its own bag inside the live source's lifetime: stopping it disposes
 * only that bag, and moving the store (which ends the live source) stops it; it is started again at the new
 * place. Nothing listens in an untrusted workspace.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { OtlpReceiver } from '../sources/otlpReceiver';
import { PortInUseError } from '../sources/httpListen';
import type { FileWatcher } from '../sources/fileWatch';
import { StoreLockedError } from '../sources/store/storeLock';
import type { XRayUdpReceiver } from '../sources/xrayUdpReceiver';
import { START_RECEIVER_COMMAND } from './codeLensCommands';
import { configChanged, CONFIG_SECTION, type Configuration, type ConfigurationReactive } from './config';
import { DisposableBag, type Lifetimes } from './disposables';
import { plural } from './format';
import { resolveWatchPaths } from '../sources/liveSettings';
import { errorText, type StoreController } from './storeController';
import { explainRestricted } from './trust';

export const STOP_RECEIVER_COMMAND = 'traceInsight.stopReceiver';
/** Context key, true while the receiver runs: the Command Palette offers Start or Stop accordingly. */
export const RECEIVER_RUNNING_CONTEXT = 'traceInsight.receiverRunning';

/** What the receiver is doing now; shown by the status bar. */
export interface ReceiverStatus {
  readonly state: 'stopped' | 'starting' | 'running';
  /** `http://host:port` of the OTLP/HTTP receiver while running. */
  readonly otlpUrl?: string;
  /** `host:port` of the X-Ray UDP receiver while running. */
  readonly xrayAddress?: string;
  /** Absolute paths of the tailed Collector files. */
  readonly watching: readonly string[];
  /** Spans received since the last start (stored now or already stored before). */
  readonly spansReceived: number;
}

/** What one run of "Start Local Receiver" did (its return value, for tests and callers). */
export interface ReceiverStartOutcome {
  readonly started: boolean;
  readonly status: ReceiverStatus;
  /** The message shown to the user. */
  readonly message: string;
  /** Set when a port was taken: which setting, and a port that was free just now. */
  readonly portInUse?: { readonly setting: 'receiver.otlpPort' | 'receiver.xrayPort'; readonly port: number; readonly freePort?: number };
}

interface Running {
  readonly bag: DisposableBag;
  otlp?: OtlpReceiver;
  xray?: XRayUdpReceiver;
  files?: FileWatcher;
}

/** Sets the context key; during shutdown the command may be gone, which does not matter. */
function setRunningContext(running: boolean): void {
  vscode.commands.executeCommand('setContext', RECEIVER_RUNNING_CONTEXT, running).then(undefined, () => undefined);
}

export class ReceiverController implements ConfigurationReactive, vscode.Disposable {
  private running: Running | undefined;
  private starting: Promise<ReceiverStartOutcome> | undefined;
  /** Settles when the receivers of the last run have released their ports. */
  private closing: Promise<void> = Promise.resolve();
  /** The user asked for the receiver to run (it is restarted when its settings or the store move). */
  private wanted = false;
  private spans = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the state or the number of spans received changes. */
  readonly onDidChangeStatus = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly config: Configuration, private readonly stores: StoreController, private readonly lifetimes: Lifetimes, private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      vscode.commands.registerCommand(START_RECEIVER_COMMAND, () => this.start()),
      vscode.commands.registerCommand(STOP_RECEIVER_COMMAND, () => this.stop()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => { if (this.config.current.receiver.autoStart) void this.start(); }),
      config.subscribe(this),
    ];
  }

  get status(): ReceiverStatus {
    const r = this.running;
    return {
      state: this.starting ? 'starting' : r ? 'running' : 'stopped',
      otlpUrl: r?.otlp?.url,
      xrayAddress: r?.xray ? `${r.xray.host}:${r.xray.port}` : undefined,
      watching: r?.files ? this.watchPaths() : [],
      spansReceived: this.spans,
    };
  }

  onConfigurationChanged(e?: vscode.ConfigurationChangeEvent): void {
    if (e === undefined) {
      // opt-in: the only case where something listens without a command; still not on activation's hot path
      if (this.config.current.receiver.autoStart && vscode.workspace.isTrusted) setTimeout(() => void this.start(false), 0);
      return;
    }
    if (this.wanted && (configChanged(e, 'receiver') || configChanged(e, 'watchFiles') || configChanged(e, 'storePath'))) {
      this.log.info('receiver settings or the store changed; restarting the receiver');
      void this.stop(false).then(() => this.start(false));
    }
  }

  /** Starts the receivers (no-op when running); `interactive` false shows only failures. */
  start(interactive = true): Promise<ReceiverStartOutcome> {
    this.starting ??= this.doStart(interactive)
      .finally(() => { this.starting = undefined; this.changed.fire(); })
      .then((o) => ({ ...o, status: this.status }));
    this.changed.fire();
    return this.starting;
  }

  /** Stops the receivers and resolves once their ports are closed; true if it was running. */
  async stop(interactive = true): Promise<boolean> {
    if (interactive) this.wanted = false;
    await this.starting?.catch(() => undefined);
    const r = this.running;
    r?.bag.dispose();
    await this.closing;
    if (interactive) {
      void vscode.window.showInformationMessage(r
        ? vscode.l10n.t('Trace Insight: local receiver stopped after {0}.', plural(this.spans, 'span', 'spans'))
        : vscode.l10n.t('Trace Insight: the local receiver is not running.'));
    }
    return r !== undefined;
  }

  private async doStart(interactive: boolean): Promise<ReceiverStartOutcome> {
    const done = (started: boolean, message: string, extra: Partial<ReceiverStartOutcome> = {}): ReceiverStartOutcome => ({ started, message, status: this.status, ...extra });
    if (!vscode.workspace.isTrusted) return done(false, explainRestricted(vscode.l10n.t('The local receiver does not listen for traces')));
    if (this.running) return done(true, this.runningMessage());
    await this.closing;
    let store;
    try {
      store = await this.stores.openWritable();
    } catch (err) {
      const message = err instanceof StoreLockedError
        ? vscode.l10n.t('Cannot start the local receiver: it needs to write to the trace store, and another program is writing to it. {0} Stop that program (e.g. `trace-insight serve`) or set traceInsight.storePath to another folder.', err.message)
        : vscode.l10n.t('Cannot start the local receiver: the trace store {0} cannot be opened: {1}', this.stores.storeDir, errorText(err));
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return done(false, message);
    }
    const { host, otlpPort, xrayPort } = this.config.current.receiver;
    // loaded on first start, not at activation
    const [{ startOtlpReceiver }, { startXRayUdpReceiver }, { watchCollectorFiles }] = await Promise.all([
      import('../sources/otlpReceiver'), import('../sources/xrayUdpReceiver'), import('../sources/fileWatch'),
    ]);
    const run: Running = { bag: new DisposableBag((e) => this.log.error(`stopping the receiver: ${errorText(e)}`)) };
    run.bag.add({ dispose: () => this.closeRun(run) });
    this.spans = 0;
    const received = (n: number): void => { if (n > 0) { this.spans += n; this.changed.fire(); } };
    try {
      run.otlp = await startOtlpReceiver({
        store, host, port: otlpPort,
        onBatch: (b) => {
          if (b.signal === 'traces') received(b.accepted + b.duplicates);
          if (b.status !== 200 || b.rejected > 0) this.log.warn(`otlp ${b.peer} ${b.status}: ${b.message ?? ''}`);
          else this.log.debug(`otlp ${b.peer} ${b.signal} ${b.spans} spans`);
        },
      });
      run.xray = await startXRayUdpReceiver({
        store, host, port: xrayPort,
        onBatch: (b) => { received(b.accepted + b.duplicates); this.log.debug(`xray ${b.peers.join(' ')} ${b.spans} spans`); },
        onError: (e) => this.log.warn(`xray ${e.source}: ${e.reason}`),
      });
      const paths = this.watchPaths();
      if (paths.length > 0) {
        run.files = watchCollectorFiles({
          store, paths,
          // only new spans: a restart reads the files again from their start
          onBatch: (b) => { received(b.accepted); this.log.info(`${b.path}: ${b.lines} lines, ${b.spans} spans (${b.accepted} new)`); },
          onError: (e) => this.log.warn(`${e.source}${e.line !== undefined ? `:${e.line}` : ''}: ${e.reason}`),
        });
      }
    } catch (err) {
      run.bag.dispose();
      await this.closing;
      return this.failed(err, host, run.otlp ? 'receiver.xrayPort' : 'receiver.otlpPort', interactive);
    }
    // inside the live source: moving the store or deactivating stops the receiver before the store closes
    this.lifetimes.source.add(run.bag);
    this.running = run;
    this.wanted = true;
    setRunningContext(true);
    const message = this.runningMessage();
    this.log.info(message);
    if (interactive) void vscode.window.showInformationMessage(message);
    return done(true, message);
  }

  private closeRun(run: Running): void {
    const wasRunning = this.running === run;
    if (wasRunning) this.running = undefined;
    const closers = [run.files?.close(), run.xray?.close(), run.otlp?.close()];
    this.closing = Promise.all(closers.map((p) => p?.catch((e: unknown) => this.log.error(`closing a receiver: ${errorText(e)}`)))).then(() => undefined);
    if (!wasRunning) return;
    setRunningContext(false);
    this.log.info(`local receiver stopped (${plural(this.spans, 'span', 'spans')} received)`);
    this.changed.fire();
  }

  private failed(err: unknown, host: string, setting: 'receiver.otlpPort' | 'receiver.xrayPort', interactive: boolean): ReceiverStartOutcome {
    const status = this.status;
    if (!(err instanceof PortInUseError)) {
      const message = vscode.l10n.t('Cannot start the local receiver on {0}: {1}', host, errorText(err));
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return { started: false, message, status };
    }
    const what = err.kind === 'tcp' ? vscode.l10n.t('OTLP/HTTP') : vscode.l10n.t('X-Ray UDP');
    const message = err.freePort !== undefined
      ? vscode.l10n.t('Cannot start the local receiver: {0} port {1} on {2} is already in use (another receiver, an OpenTelemetry Collector or the X-Ray daemon?). Port {3} is free.', what, err.port, host, err.freePort)
      : vscode.l10n.t('Cannot start the local receiver: {0} port {1} on {2} is already in use, and no free port was found nearby.', what, err.port, host);
    this.log.error(message);
    const freePort = err.freePort;
    if (freePort !== undefined) {
      const use = vscode.l10n.t('Use Port {0}', freePort);
      void vscode.window.showErrorMessage(message, use).then(async (choice) => {
        if (choice !== use) return;
        await this.updatePortSetting(setting, freePort);
        await this.start(interactive);
      });
    } else {
      void vscode.window.showErrorMessage(message);
    }
    return { started: false, message, status, portInUse: { setting, port: err.port, freePort } };
  }

  /** Writes the port where the current value comes from (workspace or user settings). */
  private async updatePortSetting(setting: string, port: number): Promise<void> {
    const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const where = c.inspect(setting);
    const target = where?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
      : where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    // not a restart: the change event sees wanted=false while nothing runs
    await c.update(setting, port, target);
  }

  private watchPaths(): string[] {
    return resolveWatchPaths(this.config.current.watchFiles, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, os.homedir());
  }

  private runningMessage(): string {
    const s = this.status;
    const files = s.watching.length > 0 ? vscode.l10n.t(' Tailing {0}.', s.watching.join(', ')) : '';
    return vscode.l10n.t('Trace Insight is receiving traces: OTLP/HTTP at {0}/v1/traces, X-Ray daemon at udp {1} (AWS_XRAY_DAEMON_ADDRESS={1}).{2}', s.otlpUrl ?? '', s.xrayAddress ?? '', files);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.running?.bag.dispose();
    this.changed.dispose();
  }
}
