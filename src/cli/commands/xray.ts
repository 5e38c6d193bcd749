/** `trace-insight xray pull`: fetches recent traces from the AWS X-Ray API into the store. */
import { parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../main';
import { openStore } from '../../sources/store/fileTraceStore';
import { defaultFunctionFilter, pullXRayTraces, type PullProgress } from '../../sources/xrayApi/xrayApiSource';
import { checkFlags, parseDurationMs } from './cliFormat';
import { defaultStoreDir } from '../../sources/paths';

const HELP = `Usage: trace-insight xray pull [--store DIR] [--region R] [--profile P] [--sso] [--endpoint URL]
                                [--since DURATION] [--filter EXPR | --function NAME]

Fetches traces of the last DURATION from the AWS X-Ray API into the store; traces already stored
are not fetched again. Uses Transaction Search (StartTraceRetrieval) when segments go to CloudWatch Logs.

  --store DIR        the trace store (default: ${defaultStoreDir()})
  --region R         AWS region (default: AWS_REGION or the profile's region)
  --profile P        a named profile from ~/.aws/config (default: the standard credential chain)
  --sso              use the profile's IAM Identity Center session (run \`aws sso login\` first)
  --endpoint URL     another X-Ray endpoint, e.g. http://127.0.0.1:5000 for moto
  --since DURATION   how far back: 30m, 6h, 2d (default 1h)
  --filter EXPR      an X-Ray filter expression, e.g. 'service("orders") { fault = true }'
  --function NAME    shorthand for --filter 'service("NAME")'
`;

/** `xray <sub> ...`; only `pull` exists. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return sub ? 0 : 2; }
  if (sub !== 'pull') throw new UsageError(`unknown subcommand '${sub}' (only 'pull')`);
  const args = parseArgs(rest, ['sso']);
  if (args.flags.help) { io.out(HELP); return 0; }
  checkFlags(args, ['store', 'region', 'profile', 'sso', 'endpoint', 'since', 'filter', 'function']);
  const sinceText = stringFlag(args, 'since') ?? '1h';
  const sinceMs = parseDurationMs(sinceText, 'since');
  if (sinceMs <= 0) throw new UsageError(`--since must be longer than 0 (got '${sinceText}')`);
  const fn = stringFlag(args, 'function');
  const filter = stringFlag(args, 'filter') ?? (fn ? defaultFunctionFilter(fn) : undefined);
  const storeDir = stringFlag(args, 'store') ?? defaultStoreDir();
  const endUnixMs = Date.now();
  const opts = {
    region: stringFlag(args, 'region'),
    profile: stringFlag(args, 'profile'),
    sso: args.flags.sso === true,
    endpoint: stringFlag(args, 'endpoint'),
  };

  // The SDK's notice that its 2027 releases need Node 22 is not something a pull can act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const store = await openStore(storeDir);
  for (const w of store.warnings) io.err(`warning: ${w}\n`);
  const abort = new AbortController();
  const onSignal = (): void => { io.err('cancelling...\n'); abort.abort(); };
  process.once('SIGINT', onSignal);
  try {
    io.out(`pulling X-Ray traces of the last ${sinceText}${filter ? ` matching ${filter}` : ''}${opts.endpoint ? ` from ${opts.endpoint}` : ''}\n`);
    const r = await pullXRayTraces({
      ...opts, store, startUnixMs: endUnixMs - sinceMs, endUnixMs, filterExpression: filter, signal: abort.signal,
      onProgress: (p) => io.out(describe(p)),
    });
    for (const e of r.decodeErrors.slice(0, 10)) io.err(`${e.source}: ${e.reason}\n`);
    if (r.unprocessed.length) io.err(`the service did not return ${r.unprocessed.length} traces: ${r.unprocessed.slice(0, 5).join(', ')}${r.unprocessed.length > 5 ? ', ...' : ''}\n`);
    io.out(`stored ${r.spansAccepted} spans of ${r.tracesFetched} traces in ${storeDir}`
      + ` (${r.traceIdsFound} traces found, ${r.traceIdsSkipped} already stored${r.spansDuplicate ? `, ${r.spansDuplicate} duplicate spans` : ''}; via ${r.mode === 'xray' ? 'BatchGetTraces' : 'Transaction Search'})\n`);
    return r.unprocessed.length || r.decodeErrors.length ? 1 : 0;
  } catch (e) {
    if (abort.signal.aborted) { io.err('cancelled; what was fetched so far is stored\n'); return 130; }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    await store.close();
  }
}

function describe(p: PullProgress): string {
  switch (p.kind) {
    case 'destination': return `segment destination: ${p.destination}\n`;
    case 'summaries': return `summaries: window ${p.chunk}/${p.chunks}, ${p.found} traces found, ${p.skipped} already stored\n`;
    case 'fetched': return `fetched ${p.traces}/${p.of} traces, ${p.spansAccepted} spans stored\n`;
    case 'retry': return `retrying ${p.what} in ${p.delayMs} ms (attempt ${p.attempt}: ${p.reason})\n`;
  }
}
