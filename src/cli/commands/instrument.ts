/** `trace-insight instrument`: adds tracing to a handler file, in place or as a diff (--dry-run). */
import fs from 'node:fs';
import path from 'node:path';
import type { Parser, Tree } from 'web-tree-sitter';
import { parseArgs, stringFlag, UsageError } from '../args';
import type { CliIo } from '../main';
import { languageOf } from '../../core/code/codeIndex';
import { unifiedDiff } from '../../core/instrument/diff';
import { autoInstrumentedSites } from '../../core/instrument/autoInstrumented';
import { findHandlers } from '../../core/instrument/handlers';
import { planAddTracing } from '../../core/instrument/instrument';
import { type PropagationSite, planPropagation, propagationSites } from '../../core/instrument/propagate';
import { withPackage } from '../../core/instrument/manifest';
import { applyEdits } from '../../core/instrument/text';
import { InstrumentError, type InstrumentStyle, type PackageNeed, type SourceDoc } from '../../core/instrument/types';
import { WorkspaceDiscovery } from '../../sources/workspace/discovery';
import { loadParsers } from '../../sources/workspace/grammars';

const HELP = `Usage: trace-insight instrument <file> [--handler NAME] [--style otel|powertools|xray] [--workspace DIR] [--dry-run]
       trace-insight instrument <file> --propagate [--handler NAME] [--dry-run]

Adds tracing to a Lambda handler: OpenTelemetry (otel, the default and the recommended choice: the
X-Ray SDKs reach end of support in February 2027), Powertools Tracer (powertools) or the X-Ray SDK
(xray). The tracer is created once at module scope, cold starts are annotated and errors recorded.
The needed package is added to the nearest package.json or requirements.txt; for other ecosystems the
install command is printed. Without --handler the file's only untraced handler is chosen.
With --dry-run nothing is written: a unified diff of every change is printed instead.
The workspace (--workspace, else the nearest folder above the file holding .git, else the file's
folder) is searched for the function declarations: a handler whose functions are traced by an
OpenTelemetry layer or exec wrapper is still instrumented, with a note saying so.

--propagate carries trace context across services instead (OpenTelemetry): every send to SQS, SNS,
EventBridge or Lambda (Invoke) that does not inject the context gets it injected, and every SQS/SNS
record loop and EventBridge handler that does not extract it continues the sender's trace. A handler
that only another function may invoke (nothing in the code says so) is changed only when named with
--handler. Applying it again changes nothing.
`;

const MANIFESTS: Record<string, string> = { npm: 'package.json', pip: 'requirements.txt' };

/** The nearest manifest for `pkg` at or above `dir` (at most 6 levels, not above a .git folder). */
function findManifest(dir: string, pkg: PackageNeed): string | undefined {
  const name = MANIFESTS[pkg.ecosystem];
  if (!name) return undefined;
  for (let d = dir, i = 0; i < 6; i++) {
    const f = path.join(d, name);
    if (fs.existsSync(f)) return f;
    if (fs.existsSync(path.join(d, '.git')) || path.dirname(d) === d) break;
    d = path.dirname(d);
  }
  return undefined;
}

/** The workspace root for discovery: the nearest ancestor of `dir` holding .git (at most 8 levels), else `dir`. */
function workspaceOf(dir: string): string {
  for (let d = dir, i = 0; i < 8; i++, d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) break;
  }
  return dir;
}

/** Runs the command: 0 on success (also when already traced), 1 when the file cannot be instrumented, 2 for bad usage. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['dry-run', 'propagate']);
  if (args.flags.help) { io.out(HELP); return 0; }
  const file = args.positionals[0];
  if (!file) throw new UsageError('give the handler file to instrument');
  const style = (stringFlag(args, 'style') ?? 'otel') as InstrumentStyle;
  if (!['otel', 'powertools', 'xray'].includes(style)) throw new UsageError(`--style must be otel, powertools or xray (got ${style})`);
  const lang = languageOf(file);
  if (!lang || lang === 'ruby') throw new UsageError(`${file}: not a JavaScript, TypeScript, Python, Java, Go, C# or Rust file`);
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { io.err(`trace-insight instrument: cannot read ${file}: ${(e as Error).message}\n`); return 1; }
  const { parsers, errors } = await loadParsers([lang]);
  const parser = parsers.get(lang);
  if (!parser) { io.err(`trace-insight instrument: ${errors.join('; ')}\n`); return 1; }
  const tree = parser.parse(text);
  if (!tree) { io.err(`trace-insight instrument: ${file}: could not be parsed\n`); return 1; }
  try {
    if (tree.rootNode.hasError) {
      const bad = tree.rootNode.descendantsOfType('ERROR')[0] ?? tree.rootNode;
      io.err(`trace-insight instrument: ${file}:${bad.startPosition.row + 1}:${bad.startPosition.column + 1}: syntax error; fix it before instrumenting\n`);
      return 1;
    }
    const doc = { text, root: tree.rootNode, lang, fileName: path.basename(file) };
    if (args.flags.propagate === true) return propagateAll(file, doc, parser, stringFlag(args, 'handler'), args.flags['dry-run'] === true, io);
    const plan = planAddTracing(doc, style, stringFlag(args, 'handler'));
    const dry = args.flags['dry-run'] === true;
    if (!plan.edits.length) { io.out(`${file}: ${plan.notes.join('; ')}; nothing to do\n`); return 0; }
    const root = path.resolve(stringFlag(args, 'workspace') ?? workspaceOf(path.dirname(path.resolve(file))));
    const declared = await new WorkspaceDiscovery(root).run().then((r) => r.functions, () => []);
    const site = findHandlers(doc).find((h) => h.name === plan.handler);
    const layer = site ? autoInstrumentedSites([site], declared, path.relative(root, path.resolve(file))).get(site) : undefined;
    if (layer) plan.notes.unshift(`${plan.handler} is already traced by its deployment (${layer}); these spans add to the ones it records`);
    const changes: { file: string; before: string; after: string }[] = [{ file, before: text, after: applyEdits(text, plan.edits) }];
    const manual: string[] = [];
    for (const pkg of plan.packages) {
      const m = findManifest(path.dirname(path.resolve(file)), pkg);
      const before = m ? fs.readFileSync(m, 'utf8') : undefined;
      const after = m && before !== undefined ? withPackage(m, before, pkg) : undefined;
      if (m && after !== undefined) { if (after !== before) changes.push({ file: path.relative(process.cwd(), m) || m, before: before!, after }); }
      else manual.push(pkg.install);
    }
    for (const c of changes) {
      if (dry) io.out(unifiedDiff(c.file, c.before, c.after));
      else fs.writeFileSync(c.file, c.after);
    }
    io.out(`${dry ? 'Would add' : 'Added'} ${plan.title.replace(/^Add tracing to /, 'tracing to ')} in ${file}${changes.length > 1 ? ` and ${changes.slice(1).map((c) => c.file).join(', ')}` : ''}\n`);
    for (const cmd of manual) io.out(`  install: ${cmd}\n`);
    for (const n of plan.notes) io.out(`  note: ${n}\n`);
    return 0;
  } catch (e) {
    if (e instanceof InstrumentError) { io.err(`trace-insight instrument: ${file}: ${e.message}\n`); return 1; }
    throw e;
  } finally {
    tree.delete();
  }
}

/**
 * `--propagate`: applies the file's propagation fixes one at a time, parsing the text again after
 * each (the edits of one site move the others), until none is left. A site that is still offered
 * after its own fix stops the loop with an error instead of editing forever.
 */
function propagateAll(file: string, first: SourceDoc, parser: Parser, handler: string | undefined, dry: boolean, io: CliIo): number {
  let doc = first;
  const titles: string[] = [];
  const notes = new Set<string>();
  const trees: Tree[] = [];
  try {
    const wanted = (site: PropagationSite, d: SourceDoc): boolean => !site.quiet
      || (handler !== undefined && findHandlers(d).some((h) => h.name === handler && h.fn.startIndex <= site.statement.startIndex && site.statement.endIndex <= h.fn.endIndex));
    for (let round = 0; ; round++) {
      const site = propagationSites(doc).find((x) => wanted(x, doc));
      if (!site) break;
      if (round >= 50) throw new InstrumentError(`line ${site.line}: still offered after ${round} fixes; nothing was written`);
      const plan = planPropagation(doc, site);
      if (!plan.edits.length) throw new InstrumentError(`line ${site.line}: ${plan.notes.join('; ') || 'no edit planned'}; nothing was written`);
      titles.push(plan.title);
      for (const n of plan.notes) notes.add(n);
      const text = applyEdits(doc.text, plan.edits);
      const tree = parser.parse(text);
      if (tree) trees.push(tree);
      if (!tree || tree.rootNode.hasError) throw new InstrumentError(`the fix at line ${site.line} would leave a syntax error; nothing was written`);
      doc = { ...doc, text, root: tree.rootNode };
    }
  } finally {
    for (const t of trees) t.delete();
  }
  if (!titles.length) {
    const quiet = propagationSites(doc).filter((x) => x.quiet).map((x) => x.line);
    io.out(`${file}: every send injects and every receive extracts the trace context; nothing to do${quiet.length ? ` (a handler that another function invokes can continue its trace: --handler NAME, line ${quiet.join(', ')})` : ''}\n`);
    return 0;
  }
  if (dry) io.out(unifiedDiff(file, first.text, doc.text));
  else fs.writeFileSync(file, doc.text);
  io.out(`${dry ? 'Would propagate' : 'Propagated'} trace context in ${file}:\n${titles.map((t) => `  ${t}\n`).join('')}`);
  for (const n of notes) io.out(`  note: ${n}\n`);
  return 0;
}
