/**
 * "Trace Insight: Fetch X-Ray Traces": pulls the traces of the last `traceInsight.xray.since` from the
 * AWS X-Ray API into the store, under a progress notification that cancels the pull. Credentials come only
 * from the AWS SDK's provider chain (environment, `traceInsight.xray.profile` or the default profile, SSO,
 * container or instance roles); this code never sees or stores them. Nothing is called in an untrusted workspace.
 */
import * as vscode from 'vscode';
import { StoreLockedError } from '../sources/store/storeLock';
import type { PullProgress, XRayPullResult } from '../sources/xrayApi/xrayApiSource';
import { FETCH_XRAY_COMMAND } from './codeLensCommands';
import type { Configuration } from './config';
import { plural } from './format';
import { classifyXRayError, parseSinceMs, type XRayFailure } from '../sources/liveSettings';
import { errorText, type StoreController } from './storeController';
import { explainRestricted } from './trust';

/** What one run of the command did (its return value, for tests and callers). */
export interface XRayFetchOutcome {
  /** Undefined when traces were fetched (possibly none). */
  readonly failure?: XRayFailure | 'restricted' | 'settings' | 'store';
  readonly result?: XRayPullResult;
  /** The message shown to the user. */
  readonly message: string;
}

function describe(p: PullProgress): string {
  switch (p.kind) {
    case 'destination': return vscode.l10n.t('segments go to {0}', p.destination);
    case 'summaries': return vscode.l10n.t('finding traces: window {0} of {1}, {2} found', p.chunk, p.chunks, p.found);
    case 'fetched': return vscode.l10n.t('fetched {0} of {1} traces', p.traces, p.of);
    case 'retry': return vscode.l10n.t('{0} failed ({1}); retrying in {2} s', p.what, p.reason.split(':')[0], (p.delayMs / 1000).toFixed(1));
  }
}

function failureMessage(kind: XRayFailure, err: unknown, endpoint: string): string {
  switch (kind) {
    case 'credentials': return vscode.l10n.t('No AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment VS Code was started from, or set traceInsight.xray.profile to a profile in ~/.aws/config (run `aws sso login --profile NAME` for SSO profiles). ({0})', errorText(err));
    case 'rejectedCredentials': return vscode.l10n.t('AWS rejected the credentials: they are wrong or expired. Refresh them (e.g. `aws sso login`) and try again. ({0})', errorText(err));
    case 'region': return vscode.l10n.t('No AWS region: set traceInsight.xray.region (e.g. us-east-1), AWS_REGION, or a region in the profile.');
    case 'accessDenied': return vscode.l10n.t('Access denied: the credentials need xray:GetTraceSummaries and xray:BatchGetTraces. ({0})', errorText(err));
    case 'throttled': return vscode.l10n.t('X-Ray kept throttling the requests, even after backing off; try again in a minute or fetch a shorter window (traceInsight.xray.since). Traces fetched so far are stored.');
    case 'network': return vscode.l10n.t('Cannot reach X-Ray{0}: {1}. Check the network, a proxy, or traceInsight.xray.endpoint. Traces fetched so far are stored.', endpoint ? ` at ${endpoint}` : '', errorText(err));
    case 'cancelled': return vscode.l10n.t('Fetching X-Ray traces was cancelled; traces fetched so far are stored.');
    case 'other': return vscode.l10n.t('Fetching X-Ray traces failed: {0}', errorText(err));
  }
}

function summary(r: XRayPullResult, since: string, filter: string): string {
  const found = filter ? vscode.l10n.t('{0} matching {1} in the last {2}', plural(r.traceIdsFound, 'trace', 'traces'), filter, since) : vscode.l10n.t('{0} in the last {1}', plural(r.traceIdsFound, 'trace', 'traces'), since);
  const parts = [vscode.l10n.t('Fetched {0} ({1}) from X-Ray: found {2}, {3} already stored.', plural(r.tracesFetched, 'trace', 'traces'), plural(r.spansAccepted, 'new span', 'new spans'), found, r.traceIdsSkipped)];
  if (r.unprocessed.length > 0) parts.push(vscode.l10n.t('X-Ray did not return {0}.', plural(r.unprocessed.length, 'trace', 'traces')));
  if (r.decodeErrors.length > 0) parts.push(vscode.l10n.t('{0} could not be read (see the log).', plural(r.decodeErrors.length, 'segment', 'segments')));
  return parts.join(' ');
}

function openSettingsButton(message: string, log: vscode.LogOutputChannel, warn: boolean): void {
  const settings = vscode.l10n.t('Open Settings');
  const showLog = vscode.l10n.t('Show Log');
  const shown = warn ? vscode.window.showWarningMessage(message, showLog) : vscode.window.showErrorMessage(message, settings, showLog);
  void shown.then((choice) => {
    if (choice === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'traceInsight.xray');
    if (choice === showLog) log.show(true);
  });
}

/** Registers the command; its optional argument is a function name, which becomes `service("name")`. */
export function registerXRayFetchCommand(config: Configuration, stores: StoreController, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(FETCH_XRAY_COMMAND, async (functionName?: unknown): Promise<XRayFetchOutcome> => {
    if (!vscode.workspace.isTrusted) return { failure: 'restricted', message: explainRestricted(vscode.l10n.t('X-Ray traces are not fetched')) };
    const cfg = config.current.xray;
    const sinceMs = parseSinceMs(cfg.since);
    if (sinceMs === undefined) {
      const message = vscode.l10n.t('traceInsight.xray.since must be a duration such as 30m, 6h or 2d, not "{0}".', cfg.since);
      openSettingsButton(message, log, false);
      return { failure: 'settings', message };
    }
    // loaded on first use: the AWS SDK is not needed at activation
    const { defaultFunctionFilter, pullXRayTraces } = await import('../sources/xrayApi/xrayApiSource');
    const filter = typeof functionName === 'string' && functionName !== '' ? defaultFunctionFilter(functionName) : cfg.filterExpression;
    let store;
    try {
      store = await stores.openWritable();
    } catch (err) {
      const message = err instanceof StoreLockedError
        ? vscode.l10n.t('Cannot fetch X-Ray traces: another program is writing to the trace store. {0}', err.message)
        : vscode.l10n.t('Cannot open the trace store {0}: {1}', stores.storeDir, errorText(err));
      void vscode.window.showErrorMessage(message);
      return { failure: 'store', message };
    }
    const endUnixMs = Date.now();
    log.info(`fetching X-Ray traces of the last ${cfg.since}${filter ? ` matching ${filter}` : ''}${cfg.endpoint ? ` from ${cfg.endpoint}` : ''}${cfg.region ? ` in ${cfg.region}` : ''}${cfg.profile ? ` with profile ${cfg.profile}` : ''}`);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Fetching X-Ray traces'), cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const result = await pullXRayTraces({
          store, startUnixMs: endUnixMs - sinceMs, endUnixMs,
          region: cfg.region || undefined, profile: cfg.profile || undefined, endpoint: cfg.endpoint || undefined,
          filterExpression: filter || undefined, signal: abort.signal,
          onProgress: (p) => {
            const text = describe(p);
            (p.kind === 'retry' ? log.warn : log.info).call(log, `x-ray: ${text}`);
            progress.report({ message: text });
          },
        });
        for (const e of result.decodeErrors.slice(0, 20)) log.warn(`${e.source}: ${e.reason}`);
        const message = summary(result, cfg.since, filter);
        log.info(message);
        if (result.unprocessed.length > 0 || result.decodeErrors.length > 0) openSettingsButton(message, log, true);
        else void vscode.window.showInformationMessage(message);
        return { result, message };
      } catch (err) {
        const kind = abort.signal.aborted ? 'cancelled' : classifyXRayError(err);
        const message = failureMessage(kind, err, cfg.endpoint);
        log.error(`x-ray: ${errorText(err)}`);
        if (kind === 'cancelled') void vscode.window.showInformationMessage(message);
        else openSettingsButton(message, log, false);
        return { failure: kind, message };
      } finally {
        cancel.dispose();
      }
    });
  });
}
