/** `trace-insight handlers`: every function the workspace declares, with its handler's file and line. */
import path from 'node:path';
import { parseArgs, stringFlag } from '../args';
import type { CliIo } from '../main';
import { WorkspaceDiscovery } from '../../sources/workspace/discovery';

const HELP = `Usage: trace-insight handlers [--workspace DIR] [--json]

Lists every function declared by SAM/CloudFormation templates, serverless.yml, CDK-synthesized
templates and Terraform under DIR (default: the current folder), with the file and line of its
handler. Unresolved handlers show the reason; ambiguous ones list their candidates. Functions
traced without code changes (an OpenTelemetry layer or exec wrapper, a Datadog/New Relic wrapper
handler) say so ("auto-instrumented: ..."; \`autoInstrumentation\` in --json), and the workspace
folders of their layers are listed.
`;

/** Runs the command; exit code 0 (also when some handlers are unresolved), 2 for bad usage. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.help) { io.out(HELP); return 0; }
  const root = path.resolve(stringFlag(args, 'workspace') ?? args.positionals[0] ?? '.');
  const result = await new WorkspaceDiscovery(root).run();
  if (args.flags.json) {
    io.out(`${JSON.stringify({ workspace: root, functions: result.functions, warnings: result.warnings }, null, 2)}\n`);
    return 0;
  }
  if (result.functions.length === 0) io.out(`No functions found under ${root}.\n`);
  for (const f of result.functions) {
    const where = f.file ? `${f.file}:${f.line}` : `unresolved: ${f.unresolvedReason}`;
    const facts = [f.runtime, f.architecture, f.memoryMb !== null ? `${f.memoryMb} MB` : null, f.timeoutSec !== null ? `${f.timeoutSec} s` : null].filter(Boolean).join(', ');
    io.out(`${f.name}  ${f.handler ?? '(no handler)'}${facts ? `  [${facts}]` : ''}\n  -> ${where}\n  declared in ${f.declaredIn}\n`);
    if (f.aliases.length) io.out(`  deployed as ${f.aliases.join(', ')}\n`);
    if (f.autoInstrumentation) io.out(`  auto-instrumented: ${f.autoInstrumentation}\n`);
    if (f.layerDirs?.length) io.out(`  layers (/opt) from ${f.layerDirs.join(', ')}\n`);
    for (const c of f.candidates ?? []) io.out(`  candidate ${c.file}:${c.line} (${c.why})\n`);
    for (const w of f.warnings) io.out(`  warning: ${w}\n`);
  }
  const resolved = result.functions.filter((f) => f.file).length;
  io.out(`\n${result.functions.length} functions, ${resolved} handlers located, ${result.functions.length - resolved} unresolved.\n`);
  for (const w of result.warnings) io.err(`warning: ${w}\n`);
  return 0;
}
