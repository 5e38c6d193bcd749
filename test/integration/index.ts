// Loaded by the extension host as `extensionTestsPath` (by scripts/vscode/runExtTests.js in code-server, or by
// @vscode/test-electron): runs every bundled *.test.js next to this file with mocha and settles when they end.
import * as fs from 'node:fs';
import * as path from 'node:path';

// mocha 12's package entry is an ES module; its CommonJS build loads synchronously in any extension host
const Mocha: typeof import('mocha') = require('mocha/lib/mocha.cjs');

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return testFiles(p);
    return d.name.endsWith('.test.js') ? [p] : [];
  }).sort();
}

/** Runs the suites; rejects when any test fails. Writes per-test lines and "N passed, N failed, N skipped"
 * to $TRACE_INSIGHT_TEST_RESULT_FILE when set (the outer runner reports them). */
export function run(): Promise<void> {
  const resultFile = process.env.TRACE_INSIGHT_TEST_RESULT_FILE;
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 60_000 });
  const files = testFiles(__dirname);
  for (const f of files) mocha.addFile(f);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js suites in ${__dirname}`));
      return;
    }
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, pending: 0 };
      lines.push(`${stats.passes} passed, ${failures} failed, ${stats.pending} skipped`);
      if (resultFile) fs.writeFileSync(resultFile, `${lines.join('\n')}\n`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => lines.push(`ok   ${t.fullTitle()}`));
    runner.on('fail', (t, err: Error) => lines.push(`FAIL ${t.fullTitle()}: ${err?.message}`));
    runner.on('pending', (t) => lines.push(`skip ${t.fullTitle()}`));
  });
}
