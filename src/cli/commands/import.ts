/** `trace-insight import <file-or-dir>... [--store DIR]`: imports trace files of any supported format. */
import { parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../main';
import { defaultStoreDir } from '../../sources/paths';
import type { FileImportResult } from '../../sources/fileImport';
import { checkFlags, formatDecodeError, plural } from './cliFormat';

const HELP = `Usage: trace-insight import <file-or-dir>... [--store DIR]

Imports trace files into the local store. The format is detected from each file's content:
OTLP/JSON (one document, or OpenTelemetry Collector file-exporter JSON lines), OTLP protobuf,
and AWS X-Ray (segment documents, BatchGetTraces responses, daemon datagrams); gzip is unpacked.
Directories are imported recursively (files there that hold no trace data are listed as ignored).
Spans already in the store are not stored twice. Exit code 1 if any file failed; the others still import.

Options:
  --store DIR   the trace store directory (default: ${defaultStoreDir()})
  --help, -h    show this help
`;

/** One line per file, e.g. `a.json: 547 spans in 141 traces (97 lines, 56 non-trace lines skipped)`. */
export function describeImport(r: FileImportResult): string {
  if (r.ignored) return `${r.file}: ignored (${r.ignored})`;
  const notes: string[] = [];
  const skipped = Object.values(r.skipped).reduce((a, b) => a + b, 0);
  if (r.lines !== undefined) notes.push(plural(r.lines, 'line'));
  if (skipped) notes.push(`${skipped} non-trace ${r.lines !== undefined ? (skipped === 1 ? 'line' : 'lines') : (skipped === 1 ? 'document' : 'documents')} skipped`);
  if (r.duplicates) notes.push(`${r.duplicates} already stored`);
  if (r.errors.length) notes.push(plural(r.errors.length, 'error'));
  return `${r.file}: ${plural(r.spans, 'span')} in ${plural(r.traces, 'trace')}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.help) { io.out(HELP); return 0; }
  checkFlags(args, ['store']);
  if (args.positionals.length === 0) throw new UsageError('name at least one file or directory to import');
  const dir = stringFlag(args, 'store') ?? defaultStoreDir();
  const { openStore } = await import('../../sources/store/fileTraceStore');
  const { importPaths } = await import('../../sources/fileImport');
  const store = await openStore(dir);
  let failed = 0;
  let spans = 0;
  let files = 0;
  try {
    for (const w of store.warnings) io.err(`warning: ${w}\n`);
    await importPaths(args.positionals, store, {
      onFile: (r) => {
        if (r.ignored) { io.out(`${describeImport(r)}\n`); return; }
        files++;
        spans += r.accepted;
        if (r.spans > 0 || r.errors.length === 0) io.out(`${describeImport(r)}\n`);
        if (r.errors.length) {
          failed++;
          for (const e of r.errors.slice(0, 20)) io.err(`${formatDecodeError(e)}\n`);
          if (r.errors.length > 20) io.err(`${r.file}: ... and ${r.errors.length - 20} more errors\n`);
        }
      },
    });
  } finally {
    await store.close();
  }
  io.out(`Stored ${plural(spans, 'new span')} from ${plural(files, 'file')} in ${dir}${failed ? `; ${plural(failed, 'file')} had errors` : ''}\n`);
  return failed ? 1 : 0;
}
