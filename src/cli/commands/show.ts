/** `trace-insight show <traceId>`: one trace from the local store, as a tree or as JSON. */
import { parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../main';
import { normalizeTraceId, w3cToXrayTraceId } from '../../core/ids';
import { spanDurationMs, type Trace } from '../../core/model';
import { summarizeTrace } from '../../core/summary';
import { buildTraceTree } from '../../core/trace';
import { defaultStoreDir } from '../../sources/paths';
import { checkFlags, formatMs, plural } from './cliFormat';
import { oneLine } from './traces';

const HELP = `Usage: trace-insight show <traceId> [--store DIR] [--json]

Shows one trace from the local store as an indented span tree with durations and offsets from the
trace start. The id may be W3C (32 hex digits) or X-Ray (1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy).

Options:
  --store DIR   the trace store directory (default: ${defaultStoreDir()})
  --json        print {traceId, spans: [{spanId, parentSpanId, name, kind, startUnixMs, durationMs,
                status, attributes}]}, spans in tree order (parents before children)
  --help, -h    show this help
`;

/** The JSON of `show --json`: spans in pre-order; `parentSpanId` null for roots, `durationMs` null while in progress. */
export function traceJson(trace: Trace): unknown {
  return {
    traceId: trace.traceId,
    spans: buildTraceTree(trace.spans).rows.map(({ span }) => ({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId ?? null,
      name: span.name,
      kind: span.kind,
      startUnixMs: span.startUnixUs / 1000,
      durationMs: spanDurationMs(span) ?? null,
      status: span.status,
      attributes: span.attributes,
    })),
  };
}

/** The text tree: a header line, then one line per span indented by depth. */
export function traceText(trace: Trace): string {
  const sum = summarizeTrace(trace.traceId, trace.spans);
  const tree = buildTraceTree(trace.spans);
  const startUs = sum.startUnixMs * 1000;
  const head = `Trace ${trace.traceId} (X-Ray ${w3cToXrayTraceId(trace.traceId)})\n`
    + `${oneLine(sum.rootName)}: ${formatMs(sum.durationMs)}, ${plural(sum.spanCount, 'span')}, ${plural(sum.errorCount, 'error')}`
    + `${sum.coldStart ? ', cold start' : ''}, started ${new Date(sum.startUnixMs).toISOString()}`
    + `${sum.functions.length ? `\nFunctions: ${sum.functions.map(oneLine).join(', ')}` : ''}\n`;
  const lines = tree.rows.map(({ span, depth }) => {
    const status = span.status.code === 'error' ? `  ERROR${span.status.message ? `: ${oneLine(span.status.message)}` : ''}` : '';
    return `${'  '.repeat(depth)}${oneLine(span.name)}  ${formatMs(spanDurationMs(span))}  (+${formatMs((span.startUnixUs - startUs) / 1000)}, ${span.kind})${status}`;
  });
  return `${head}\n${lines.join('\n')}\n`;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.help) { io.out(HELP); return 0; }
  checkFlags(args, ['store', 'json']);
  if (args.positionals.length !== 1) throw new UsageError('name exactly one trace id (see --help)');
  const given = args.positionals[0];
  const dir = stringFlag(args, 'store') ?? defaultStoreDir();
  const id = normalizeTraceId(given);
  if (!id) { io.err(`trace-insight show: '${oneLine(given)}' is not a trace id (expected 32 hex digits or 1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy)\n`); return 1; }
  const { openStore } = await import('../../sources/store/fileTraceStore');
  const store = await openStore(dir, { readOnly: true });
  try {
    const trace = await store.getTrace(id);
    if (!trace || trace.spans.length === 0) { io.err(`trace-insight show: no trace ${id} in ${dir}\n`); return 1; }
    io.out(args.flags.json ? `${JSON.stringify(traceJson(trace), null, 2)}\n` : traceText(trace));
  } finally {
    await store.close();
  }
  return 0;
}
