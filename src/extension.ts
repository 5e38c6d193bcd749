/**
 * Entry point: builds the controllers and registers them, nothing else. Activation stays cheap: no store
 * is opened, no file is scanned and nothing listens on a socket until a command or view needs it.
 */
import * as vscode from 'vscode';
import { Configuration } from './editor/config';
import { Lifetimes } from './editor/disposables';
import { FunctionsTreeProvider, registerFunctionsView } from './editor/functionsView';
import { registerImportCommand } from './editor/importCommand';
import { createLog, registerShowLog } from './editor/log';
import { StatusBarController } from './editor/statusBar';
import { registerTraceCommands } from './editor/traceCommands';
import { registerShowFunctionTraces } from './editor/functionTracesPick';
import { registerInstrumentation } from './editor/instrumentationProvider';
import { registerCodeInsights } from './editor/codeLensController';
import { StoreController, errorText } from './editor/storeController';
import { ReceiverController } from './editor/receiverController';
import { registerXRayFetchCommand } from './editor/xrayFetchCommand';
import type { TraceStore } from './sources/storeApi';

/** What the extension exports to tests and to other extensions. */
export interface TraceInsightApi {
  /** The directory of the trace store the extension reads and writes. */
  readonly storeDir: string;
  /** The open trace store (opened on first use). */
  openStore(): Promise<TraceStore>;
  /** Internal state the integration suites check; not a stable API. */
  readonly forTests: { readonly functionsTree: FunctionsTreeProvider; readonly statusBarText: string };
}

let lifetimes: Lifetimes | undefined;
let stores: StoreController | undefined;

export function activate(context: vscode.ExtensionContext): TraceInsightApi {
  const startMs = performance.now();
  const log = createLog();
  lifetimes = new Lifetimes((e) => log.error(`dispose failed: ${errorText(e)}`));
  const bag = lifetimes.extension;
  context.subscriptions.push(lifetimes);
  bag.add(log);
  const config = bag.add(new Configuration());
  const storeController = bag.add(new StoreController(context.globalStorageUri.fsPath, config, lifetimes, log));
  stores = storeController;
  bag.add(config.subscribe(storeController));

  bag.add(registerShowLog(log));
  bag.add(registerImportCommand(storeController, log));
  const functionsTree = bag.add(new FunctionsTreeProvider(storeController, log));
  for (const d of registerFunctionsView(functionsTree)) bag.add(d);
  const receiver = bag.add(new ReceiverController(config, storeController, lifetimes, log));
  const statusBar = bag.add(new StatusBarController(storeController, receiver));
  bag.add(registerXRayFetchCommand(config, storeController, log));
  for (const d of registerTraceCommands(context.extensionUri, storeController, log, config)) bag.add(d);
  bag.add(registerShowFunctionTraces(storeController));
  bag.add(registerInstrumentation());
  bag.add(registerCodeInsights(config, storeController, log));

  log.info(`activated in ${(performance.now() - startMs).toFixed(1)} ms; trace store: ${storeController.storeDir}`);
  return {
    get storeDir() { return storeController.storeDir; },
    openStore: () => storeController.open(),
    forTests: { functionsTree, get statusBarText() { return statusBar.text; } },
  };
}

/** Closes the store so its writer lock is released before the extension host exits. */
export async function deactivate(): Promise<void> {
  lifetimes?.dispose();
  await stores?.whenClosed();
  lifetimes = undefined;
  stores = undefined;
}
