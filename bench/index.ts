// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one
// JSON line per measure. Timings are medians; baselines are measured in the same run.
import fs from 'node:fs';
import path from 'node:path';
import type { BenchModule } from './benchLine';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort()
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
  let failed = 0;
  for (const f of files) {
    try {
      const mod = (await import(path.join(__dirname, f))) as BenchModule;
      for (const l of await mod.run()) console.log(JSON.stringify(l));
    } catch (e) {
      failed++;
      console.error(`bench ${f} failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}
void main();
