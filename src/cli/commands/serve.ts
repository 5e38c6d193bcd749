/** `trace-insight serve`: the OTLP/HTTP and X-Ray UDP receivers (and optional file tails) until interrupted. */
import { parseArgs, stringFlag, UsageError } from '../args';
import { checkFlags } from './cliFormat';
import { defaultStoreDir } from '../../sources/paths';
import type { CliIo } from '../main';
import { openStore } from '../../sources/store/fileTraceStore';
import { DEFAULT_OTLP_HOST, DEFAULT_OTLP_PORT, startOtlpReceiver, type OtlpBatch } from '../../sources/otlpReceiver';
import { DEFAULT_XRAY_PORT, startXRayUdpReceiver } from '../../sources/xrayUdpReceiver';
import { watchCollectorFiles } from '../../sources/fileWatch';

const HELP = `Usage: trace-insight serve [--store DIR] [--host H] [--otlp-port P] [--xray-port P] [--watch FILE[,FILE...]]

Runs a local OTLP/HTTP receiver (POST /v1/traces, protobuf or JSON, gzip) and an X-Ray daemon
receiver (UDP) that write every span to the store, until Ctrl-C (SIGINT) or SIGTERM.
Prints one line per batch received.

  --store DIR        the trace store (default: ${defaultStoreDir()})
  --host H           address to listen on (default ${DEFAULT_OTLP_HOST})
  --otlp-port P      OTLP/HTTP port (default ${DEFAULT_OTLP_PORT}; 0 = any free port)
  --xray-port P      X-Ray daemon UDP port (default ${DEFAULT_XRAY_PORT}; 0 = any free port; off = no X-Ray receiver)
  --watch FILES      Collector file-exporter outputs to tail, comma-separated
`;

function portFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number 0-65535, not '${value}'`);
  return n;
}

/** Runs until SIGINT/SIGTERM (or `stop` resolves, for tests); exit code 0 after a clean stop. */
export async function run(argv: string[], io: CliIo, stop?: Promise<void>): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.help) { io.out(HELP); return 0; }
  checkFlags(args, ['store', 'host', 'otlp-port', 'xray-port', 'watch']);
  const host = stringFlag(args, 'host') ?? DEFAULT_OTLP_HOST;
  const otlpPort = portFlag(stringFlag(args, 'otlp-port'), 'otlp-port', DEFAULT_OTLP_PORT);
  const xrayFlag = stringFlag(args, 'xray-port');
  const xrayPort = xrayFlag === 'off' ? undefined : portFlag(xrayFlag, 'xray-port', DEFAULT_XRAY_PORT);
  const watch = (stringFlag(args, 'watch') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const storeDir = stringFlag(args, 'store') ?? defaultStoreDir();

  const store = await openStore(storeDir);
  for (const w of store.warnings) io.err(`warning: ${w}\n`);
  const closers: (() => Promise<void>)[] = [];
  try {
    const otlp = await startOtlpReceiver({ store, host, port: otlpPort, onBatch: (b) => io.out(describeOtlp(b)) });
    closers.push(() => otlp.close());
    io.out(`otlp listening on ${otlp.url} (POST /v1/traces, /v1/metrics, /v1/logs)\n`);
    if (xrayPort !== undefined) {
      const xray = await startXRayUdpReceiver({
        store, host, port: xrayPort,
        onBatch: (b) => io.out(`xray ${b.peers.join(' ')} ${b.spans} spans from ${b.datagrams} datagrams${b.duplicates ? ` (${b.duplicates} already stored)` : ''}\n`),
        onError: (e) => io.err(`xray ${e.source}: ${e.reason}\n`),
      });
      closers.push(() => xray.close());
      io.out(`xray listening on udp ${host}:${xray.port} (AWS_XRAY_DAEMON_ADDRESS=${host}:${xray.port})\n`);
    }
    if (watch.length) {
      const w = watchCollectorFiles({
        store, paths: watch,
        onBatch: (b) => io.out(`file ${b.path} ${b.lines} lines, ${b.spans} spans${b.duplicates ? ` (${b.duplicates} already stored)` : ''}\n`),
        onError: (e) => io.err(`file ${e.source}${e.line !== undefined ? `:${e.line}` : ''}: ${e.reason}\n`),
      });
      closers.push(() => w.close());
      io.out(`watching ${watch.join(', ')}\n`);
    }
    io.out(`storing in ${storeDir}; Ctrl-C to stop\n`);
    await (stop ?? untilSignal());
    io.out('stopping\n');
    return 0;
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await store.close();
  }
}

function describeOtlp(b: OtlpBatch): string {
  const how = [b.encoding, ...(b.gzip ? ['gzip'] : [])].join(', ');
  if (b.signal !== 'traces') return `otlp ${b.peer} ${b.signal} (${how}) accepted\n`;
  if (b.status !== 200) return `otlp ${b.peer} ${b.status} (${how}): ${b.message ?? ''}\n`;
  const extra = [b.duplicates ? `${b.duplicates} already stored` : '', b.rejected ? `${b.rejected} rejected: ${b.message ?? ''}` : ''].filter(Boolean);
  return `otlp ${b.peer} ${b.spans} spans (${how})${extra.length ? `; ${extra.join('; ')}` : ''}\n`;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { process.off('SIGINT', done); process.off('SIGTERM', done); resolve(); };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
