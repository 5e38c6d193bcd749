/**
 * "Trace Insight: Import Traces...": pick files and folders (or get them as arguments), import them into
 * the store under a cancellable progress notification, log what each file gave, and say the result.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { importPaths, type FileImportResult } from '../sources/fileImport';
import { StoreLockedError } from '../sources/store/storeLock';
import { errorText, type StoreController } from './storeController';
import { plural } from './format';

export const IMPORT_TRACES_COMMAND = 'traceInsight.importTraces';

/** What one run of the command did; also its return value, for tests and other callers. */
export interface ImportOutcome {
  /** Paths (files or folders) that were asked for, in order. */
  requested: string[];
  /** Files read. */
  files: number;
  /** Files (or folders) that could not be read or decoded at all. */
  failedFiles: number;
  /** Problems reported with file and line or offset (the rest of such a file still imported). */
  errors: number;
  /** Files in the chosen folders left alone because they hold no trace data. */
  ignoredFiles: number;
  /** Spans newly written to the store. */
  spans: number;
  /** Spans already in the store, dropped. */
  duplicates: number;
  /** Traces the files held (summed over files: a trace split across two files counts twice). */
  traces: number;
  cancelled: boolean;
  /** The first problem, as "file:line: reason". */
  firstProblem?: string;
  /** The message shown to the user. */
  message: string;
}

class ImportCancelled extends Error {}

/** The command's arguments: none (opens the picker), one Uri, a Uri[], or the explorer's (uri, uris). */
function urisFromArgs(args: unknown[]): vscode.Uri[] | undefined {
  const uris = args.flatMap((a) => (Array.isArray(a) ? a : [a])).filter((a): a is vscode.Uri => a instanceof vscode.Uri);
  if (uris.length === 0) return undefined;
  // the explorer passes (clicked, allSelected): the selection already holds the clicked one
  const seen = new Set<string>();
  return uris.filter((u) => !seen.has(u.toString()) && seen.add(u.toString()));
}

async function pickUris(): Promise<vscode.Uri[] | undefined> {
  return vscode.window.showOpenDialog({
    title: vscode.l10n.t('Import Traces'),
    openLabel: vscode.l10n.t('Import'),
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: true,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
}

function summarize(o: Omit<ImportOutcome, 'message'>): string {
  const what = vscode.l10n.t('{0} in {1} from {2}', plural(o.spans, 'span', 'spans'), plural(o.traces, 'trace', 'traces'), plural(o.files, 'file', 'files'));
  const parts = [o.cancelled ? vscode.l10n.t('Import cancelled; imported {0}.', what) : vscode.l10n.t('Imported {0}.', what)];
  if (o.duplicates > 0) parts.push(vscode.l10n.t('{0} already stored.', plural(o.duplicates, 'span was', 'spans were')));
  if (o.failedFiles > 0) parts.push(vscode.l10n.t('{0} could not be imported.', plural(o.failedFiles, 'file', 'files')));
  if (o.errors > 0) parts.push(vscode.l10n.t('{0} in files that were imported.', plural(o.errors, 'problem', 'problems')));
  if (o.firstProblem) parts.push(o.failedFiles + o.errors > 1 ? vscode.l10n.t('First: {0} (all in the log)', o.firstProblem) : o.firstProblem);
  return parts.join(' ');
}

function tell(o: ImportOutcome, log: vscode.LogOutputChannel): void {
  const show = vscode.l10n.t('Show Log');
  const failed = o.failedFiles > 0 || o.errors > 0;
  const shown = failed ? vscode.window.showWarningMessage(o.message, show) : vscode.window.showInformationMessage(o.message, show);
  // not awaited: the message stays until dismissed, and the command's caller must not wait for that
  void shown.then((choice) => { if (choice === show) log.show(true); });
}

function addFileResult(o: Omit<ImportOutcome, 'message'>, r: FileImportResult, log: vscode.LogOutputChannel): void {
  if (r.ignored) {
    o.ignoredFiles++;
    log.debug(`${r.file}: skipped, ${r.ignored}`);
    return;
  }
  o.files++;
  o.spans += r.accepted;
  o.duplicates += r.duplicates;
  o.traces += r.traces;
  if (r.spans === 0 && r.errors.length > 0) o.failedFiles++;
  else o.errors += r.errors.length;
  const skipped = Object.entries(r.skipped).map(([kind, n]) => `${n} ${kind}`).join(', ');
  log.info(`${r.file}: ${r.format ?? 'unknown format'}, ${plural(r.spans, 'span', 'spans')} in ${plural(r.traces, 'trace', 'traces')} (${r.accepted} new, ${r.duplicates} already stored)${skipped ? `; skipped ${skipped}` : ''}`);
  for (const e of r.errors) {
    const at = e.line !== undefined ? `:${e.line}` : e.offset !== undefined ? ` at byte ${e.offset}` : '';
    log.warn(`${e.source}${at}: ${e.reason}`);
    o.firstProblem ??= `${path.basename(e.source)}${at}: ${e.reason}`;
  }
}

/** Registers the command; it resolves to an ImportOutcome, or undefined when the picker was dismissed. */
export function registerImportCommand(stores: StoreController, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(IMPORT_TRACES_COMMAND, async (...args: unknown[]): Promise<ImportOutcome | undefined> => {
    const uris = urisFromArgs(args) ?? (await pickUris());
    if (!uris || uris.length === 0) return undefined;
    const notFile = uris.filter((u) => u.scheme !== 'file');
    if (notFile.length > 0) {
      const message = vscode.l10n.t('Only files on disk can be imported, not {0}.', notFile.map((u) => u.toString()).join(', '));
      void vscode.window.showErrorMessage(message);
      throw new Error(message);
    }
    const requested = uris.map((u) => u.fsPath);
    let store;
    try {
      store = await stores.openWritable();
    } catch (err) {
      const message = err instanceof StoreLockedError
        ? vscode.l10n.t('Cannot import: {0}', err.message)
        : vscode.l10n.t('Cannot open the trace store {0}: {1}', stores.storeDir, errorText(err));
      void vscode.window.showErrorMessage(message);
      throw new Error(message);
    }
    const traceStore = store;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Importing traces'), cancellable: true },
      async (progress, token) => {
        const o: Omit<ImportOutcome, 'message'> = { requested, files: 0, failedFiles: 0, ignoredFiles: 0, errors: 0, spans: 0, duplicates: 0, traces: 0, cancelled: false };
        const onFile = (r: FileImportResult) => {
          addFileResult(o, r, log);
          progress.report({ message: path.basename(r.file) });
          // importPaths calls this between files; throwing ends the walk of a big folder there
          if (token.isCancellationRequested) throw new ImportCancelled();
        };
        for (const p of requested) {
          if (token.isCancellationRequested) { o.cancelled = true; break; }
          progress.report({ message: path.basename(p), increment: 100 / requested.length });
          log.info(`importing ${p} into ${stores.storeDir}`);
          try {
            await importPaths([p], traceStore, { onFile });
          } catch (err) {
            if (err instanceof ImportCancelled) { o.cancelled = true; break; }
            // importPaths reports per file and does not throw; this is the store failing (disk full, closed)
            o.failedFiles++;
            log.error(`${p}: ${errorText(err)}`);
            o.firstProblem ??= `${path.basename(p)}: ${errorText(err)}`;
          }
        }
        return o;
      });
    const result: ImportOutcome = { ...outcome, message: summarize(outcome) };
    log.info(result.message);
    tell(result, log);
    return result;
  });
}
