/** `trace-insight report`: per-function latency, cold starts, cost and findings; `--fail-on` gates CI. */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../main';
import type { DiscoveredFunction } from '../../core/iac/types';
import { dirnamePosix } from '../../core/iac/types';
import { locateSpan } from '../../core/mapping/spanLocation';
import type { FunctionLineMapper } from '../../core/analysis/report';
import { parseFailOn, type FailOnRule } from '../../core/analysis/failOn';
import { buildReport } from '../../core/analysis/report';
import { reportMarkdown, reportTable } from '../../core/analysis/reportFormat';
import type { Trace } from '../../core/model';
import { defaultStoreDir } from '../../sources/paths';
import { openStore } from '../../sources/store/fileTraceStore';
import { WorkspaceDiscovery } from '../../sources/workspace/discovery';
import { walkWorkspace } from '../../sources/workspace/walk';
import { checkFlags, parseDurationMs } from './cliFormat';

const HELP = `Usage: trace-insight report [--store DIR] [--workspace DIR] [--since DURATION] [--function NAME]
                           [--format table|json|markdown] [--fail-on EXPR] [--n-plus-one N]

One row per Lambda function in the store: handler file:line, invocations, p50/p95/p99 ms, error
rate, cold-start rate, INIT p95, cost per 1M invocations and per month at the observed rate; then
findings (N+1 calls, spans whose parent never arrived, split X-Ray/W3C traces, unlinked queue hops).

Options:
  --store DIR        the trace store directory (default: ${defaultStoreDir()})
  --workspace DIR    read the infrastructure files here for handlers, memory, timeout, architecture
                     (default: the current folder; --workspace none to skip)
  --since DURATION   only invocations that started within this long before now: 15m, 2h, 7d, 1w;
                     monthly figures then scale from this window (else from first to last invocation)
  --function NAME    only this function (its name in traces or in the infrastructure files)
  --format F         table (default), json (fields in docs/report-json.md) or markdown
  --fail-on EXPR     exit 1 when a threshold is crossed, e.g. 'p95>800ms,coldStartRate>5%,costPerMonth>100'
                     metrics: p50 p90 p95 p99 max initP50 initP95 (ms, s), errorRate faultRate
                     throttleRate coldStartRate (% or 0..1), costPerInvocation costPer1M costPerMonth
                     (USD), invocations errors coldStarts; ops > >= < <=
  --n-plus-one N     repetitions of one call in one invocation that count as N+1 (default 5)
  --help, -h         show this help

Exit codes: 0 ok, 1 a --fail-on threshold was crossed (or the store could not be read), 2 bad usage.
`;

async function discover(dir: string, io: CliIo): Promise<DiscoveredFunction[]> {
  const result = await new WorkspaceDiscovery(dir).run();
  for (const w of result.warnings) io.err(`warning: ${w}\n`);
  return result.functions;
}

/** Span -> workspace line through core/mapping (code attributes, stacks, Powertools subsegments, handler). */
function lineMapper(root: string): FunctionLineMapper {
  const files = [...walkWorkspace(root).keys()].sort();
  const texts = new Map<string, string | undefined>();
  const readText = (f: string): string | undefined => {
    if (!texts.has(f)) { try { texts.set(f, fs.readFileSync(path.join(root, f), 'utf8')); } catch { texts.set(f, undefined); } }
    return texts.get(f);
  };
  return (span, fn) => {
    const code = fn?.file ? { codeDir: dirnamePosix(fn.file), handlerFile: fn.file, handlerLine: fn.line, ...(span.xray?.workingDirectory ? { taskRoot: span.xray.workingDirectory } : {}) } : undefined;
    const r = locateSpan(span, { files, ...(code ? { fn: code } : {}), readText });
    return r.file !== undefined ? { file: r.file, line: r.line } : undefined;
  };
}

async function readTraces(dir: string, sinceUnixMs: number | undefined, io: CliIo): Promise<Trace[]> {
  const store = await openStore(dir, { readOnly: true });
  try {
    for (const w of store.warnings) io.err(`warning: ${w}\n`);
    // Function names are matched after aggregation: X-Ray Lambda-mode traces name only the handler.
    const summaries = await store.listTraces(sinceUnixMs === undefined ? {} : { sinceUnixMs });
    const traces: Trace[] = [];
    for (const s of summaries) {
      const t = await store.getTrace(s.traceId);
      if (t) traces.push(t);
    }
    return traces;
  } finally {
    await store.close();
  }
}

/** Runs the command: 0 ok, 1 a threshold crossed, 2 bad usage. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.help) { io.out(HELP); return 0; }
  checkFlags(args, ['store', 'workspace', 'since', 'function', 'format', 'fail-on', 'n-plus-one']);
  if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}' (see --help)`);
  const format = stringFlag(args, 'format') ?? 'table';
  if (!['table', 'json', 'markdown'].includes(format)) throw new UsageError(`--format takes table, json or markdown (got '${format}')`);
  let failOn: FailOnRule[] | undefined;
  const failOnText = stringFlag(args, 'fail-on');
  if (failOnText !== undefined) {
    const parsed = parseFailOn(failOnText);
    if (parsed.errors.length) throw new UsageError(`bad --fail-on expression:\n  ${parsed.errors.join('\n  ')}`);
    failOn = parsed.rules;
  }
  const nText = stringFlag(args, 'n-plus-one');
  if (nText !== undefined && !/^[1-9]\d*$/.test(nText)) throw new UsageError(`--n-plus-one takes a whole number >= 1 (got '${nText}')`);
  const since = stringFlag(args, 'since');
  const untilUnixMs = Date.now();
  const sinceUnixMs = since === undefined ? undefined : untilUnixMs - parseDurationMs(since, 'since');
  const storeDir = path.resolve(stringFlag(args, 'store') ?? defaultStoreDir());
  if (!fs.existsSync(storeDir)) throw new UsageError(`no trace store at ${storeDir} (import traces with 'trace-insight import', or pass --store DIR)`);
  const ws = stringFlag(args, 'workspace');
  const root = ws === 'none' ? undefined : path.resolve(ws ?? '.');
  const known = root ? await discover(root, io) : [];
  const traces = await readTraces(storeDir, sinceUnixMs, io);
  const doc = buildReport({
    traces, known,
    ...(sinceUnixMs !== undefined ? { sinceUnixMs, untilUnixMs } : {}),
    ...(stringFlag(args, 'function') !== undefined ? { functionName: stringFlag(args, 'function') } : {}),
    ...(failOn ? { failOn } : {}),
    ...(nText ? { nPlusOneThreshold: Number(nText) } : {}),
    ...(root ? { mapLine: lineMapper(root) } : {}),
  });
  if (format === 'json') io.out(`${JSON.stringify(doc, null, 2)}\n`);
  else io.out(format === 'markdown' ? reportMarkdown(doc) : reportTable(doc));
  const crossed = doc.failOn?.violations.length ?? 0;
  if (crossed && format === 'json') io.err(`trace-insight report: ${crossed} --fail-on threshold(s) crossed\n`);
  return crossed ? 1 : 0;
}
