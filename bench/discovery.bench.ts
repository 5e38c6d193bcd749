// Handler discovery over ../shared/corpus/iac: cold (a fresh cache) and incremental (one file edited).
// Baseline: reading every file's bytes, which any discovery must at least do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchLine, line, medianMs } from './benchLine';
import { WorkspaceDiscovery } from '../src/sources/workspace/discovery';
import { walkWorkspace } from '../src/sources/workspace/walk';

const iac = path.resolve(__dirname, '../../shared/corpus/iac');

export async function run(): Promise<BenchLine[]> {
  const readAll = () => { for (const f of walkWorkspace(iac).keys()) fs.readFileSync(path.join(iac, f)); };
  const readMs = await medianMs(readAll);

  // The very first run also loads the runtime and the grammars (once per process).
  const t0 = process.hrtime.bigint();
  const first = await new WorkspaceDiscovery(iac).run();
  const firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const coldMs = await medianMs(() => new WorkspaceDiscovery(iac).run());

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-bench-'));
  try {
    fs.cpSync(iac, dir, { recursive: true });
    for (const f of walkWorkspace(dir).keys()) fs.chmodSync(path.join(dir, f), 0o644);
    const d = new WorkspaceDiscovery(dir);
    await d.run();
    const edited = path.join(dir, 'sam/serverless-otlp-forwarder/todos/python/edge/request.py');
    let n = 0;
    let reparsed: string[] = [];
    const incMs = await medianMs(async () => {
      fs.appendFileSync(edited, `# edit ${n++}\n`);
      reparsed = (await d.run()).parsedFiles;
    });
    if (reparsed.length !== 1) throw new Error(`incremental run re-parsed ${reparsed.join(', ')}`);
    const unchangedMs = await medianMs(() => d.run());
    return [
      line('discovery.firstRunWithGrammarLoad', firstMs, 'ms', 'read all corpus/iac bytes', readMs, '< 1000'),
      line(`discovery.cold (${first.functions.length} functions, ${first.parsedFiles.length} files parsed)`, coldMs, 'ms', 'read all corpus/iac bytes', readMs, '< 1000'),
      line(`discovery.incremental (one edited file; re-parsed: ${reparsed.join(', ')})`, incMs, 'ms', 'discovery.cold', coldMs),
      line('discovery.incremental re-parsed files', reparsed.length, 'files', 'files parsed cold', first.parsedFiles.length, '= 1'),
      line('discovery.unchanged re-run', unchangedMs, 'ms', 'discovery.cold', coldMs),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
