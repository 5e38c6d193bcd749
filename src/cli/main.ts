/** `trace-insight`: the headless front door over the same core and sources as the extension. */
import { UsageError } from './args';

/** A subcommand: resolves to the process exit code. Output goes to the given streams. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}
export type CommandRun = (argv: string[], io: CliIo) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandRun>;
}

// Lazy so that `trace-insight --help` does not load the AWS SDK or the parsers.
const commands: Record<string, CommandEntry> = {
  import: { summary: 'import trace files (OTLP JSON/protobuf, Collector JSON lines, X-Ray) into the local store', load: async () => (await import('./commands/import')).run },
  traces: { summary: 'list recent traces in the local store', load: async () => (await import('./commands/traces')).run },
  show: { summary: 'show one trace from the local store as a tree or JSON', load: async () => (await import('./commands/show')).run },
  serve: { summary: 'run the local OTLP/HTTP and X-Ray UDP receivers', load: async () => (await import('./commands/serve')).run },
  xray: { summary: 'xray pull: fetch traces from the AWS X-Ray API', load: async () => (await import('./commands/xray')).run },
  handlers: { summary: 'list functions declared in the workspace and where their handlers are', load: async () => (await import('./commands/handlers')).run },
  report: { summary: 'per-function latency, cold starts, cost and findings; --fail-on for CI', load: async () => (await import('./commands/report')).run },
  instrument: { summary: 'add tracing (OpenTelemetry, Powertools, X-Ray SDK) to a handler; --dry-run prints a diff', load: async () => (await import('./commands/instrument')).run },
};

function usage(): string {
  const rows = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`);
  return ['Usage: trace-insight <command> [options]', '', 'Commands:', ...rows, '', "Run 'trace-insight <command> --help' for a command's options."].join('\n');
}

/** Runs one command line; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { io.out(usage() + '\n'); return name ? 0 : 2; }
  const entry = commands[name];
  if (!entry) { io.err(`trace-insight: unknown command '${name}'\n\n${usage()}\n`); return 2; }
  try {
    return await (await entry.load())(rest, io);
  } catch (e) {
    if (e instanceof UsageError) { io.err(`trace-insight ${name}: ${e.message}\n`); return 2; }
    io.err(`trace-insight ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  void runCli(process.argv.slice(2), io).then((code) => { process.exitCode = code; });
}
