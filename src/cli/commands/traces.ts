/** `trace-insight traces`: recent traces from the local store, newest first. */
import { parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../main';
import type { TraceSummary } from '../../core/model';
import { defaultStoreDir } from '../../sources/paths';
import { checkFlags, formatMs, parseDurationMs } from './cliFormat';

const HELP = `Usage: trace-insight traces [--store DIR] [--function NAME] [--since DURATION] [--limit N] [--json]

Lists the traces in the local store, newest first.

Options:
  --store DIR        the trace store directory (default: ${defaultStoreDir()})
  --function NAME    only traces in which this function ran (exact name, as in the FUNCTIONS column)
  --since DURATION   only traces that started within this long before now: 30s, 15m, 2h, 7d, 1w
  --limit N          at most N traces (default 50; 0 for all)
  --json             print a JSON array of {traceId, rootName, startUnixMs, durationMs, spanCount,
                     errorCount, coldStart, functions}
  --help, -h         show this help
`;

/** The table printed without --json: one row per trace, times in UTC. */
export function tracesTable(rows: readonly TraceSummary[]): string {
  const head = ['START (UTC)', 'DURATION', 'SPANS', 'ERRORS', 'COLD', 'TRACE ID', 'ROOT', 'FUNCTIONS'];
  const body = rows.map((t) => [
    new Date(t.startUnixMs).toISOString().replace('T', ' ').slice(0, 23),
    formatMs(t.durationMs), String(t.spanCount), String(t.errorCount), t.coldStart ? 'cold' : '',
    t.traceId, oneLine(t.rootName), t.functions.join(','),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const right = new Set([1, 2, 3]);
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(head), ...body.map(fmt)].join('\n') + '\n';
}

/** Trace strings are data: no control characters reach the terminal. */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.help) { io.out(HELP); return 0; }
  checkFlags(args, ['store', 'function', 'since', 'limit', 'json']);
  const dir = stringFlag(args, 'store') ?? defaultStoreDir();
  const since = stringFlag(args, 'since');
  const limitText = stringFlag(args, 'limit');
  if (limitText !== undefined && !/^\d+$/.test(limitText)) throw new UsageError(`--limit takes a whole number (got '${limitText}')`);
  const limit = limitText === undefined ? 50 : Number(limitText) || undefined;
  const query = {
    functionName: stringFlag(args, 'function'),
    sinceUnixMs: since === undefined ? undefined : Date.now() - parseDurationMs(since, 'since'),
    limit,
  };
  const { openStore } = await import('../../sources/store/fileTraceStore');
  const store = await openStore(dir, { readOnly: true });
  try {
    for (const w of store.warnings) io.err(`warning: ${w}\n`);
    const rows = await store.listTraces(query);
    if (args.flags.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.out(`No traces${query.functionName || since ? ' match' : ''} in ${dir}\n`);
    else io.out(tracesTable(rows));
  } finally {
    await store.close();
  }
  return 0;
}
