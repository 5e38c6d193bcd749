/** javac against the SDK/OpenTelemetry/Lambda stubs of test/fixtures/javaStubs, for the Java instrumentation tests. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sourceFiles } from './helpers/instrumentDocs';

const stubs = path.resolve(__dirname, '../fixtures/javaStubs');

/** True when `cmd -version` runs (javac, java). */
export const hasTool = (cmd: string): boolean => spawnSync(cmd, ['-version'], { stdio: 'ignore' }).status === 0;

/** Compiles `sources` (path below the package root -> text) with the stubs into `dir`/classes; javac's status and messages. */
export function javac(dir: string, sources: Record<string, string>): { status: number | null; stderr: string } {
  const files = sourceFiles(stubs, /\.java$/);
  for (const [rel, src] of Object.entries(sources)) { const f = path.join(dir, 'src', rel); fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, src); files.push(f); }
  const r = spawnSync('javac', ['-d', path.join(dir, 'classes'), ...files], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}
