// The one test command (`npm test`): lint, type check, build, unit tests, then the suites that run
// in a real VS Code (code-server) and in Chromium. Ends with "N passed, N failed[, N skipped]".
// Env: TEST_ONLY=unit skips the VS Code / browser steps (for a quick local loop).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];

function run(name, cmd, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  console.log(`=== ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!ok) failedSteps.push(name);
  return ok;
}

function addStats(file) {
  if (!fs.existsSync(file)) return false;
  const txt = fs.readFileSync(file, 'utf8').trim();
  let s;
  try { s = JSON.parse(txt); } catch {
    const m = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(txt);
    if (!m) return false;
    s = { passed: +m[1], failed: +m[2], skipped: +(m[3] || 0) };
  }
  totals.passed += s.passed; totals.failed += s.failed; totals.skipped += s.skipped || 0;
  return true;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-test-'));
run('lint', 'npx', ['eslint', 'src', 'test', 'webview-ui/src']);
run('typecheck', 'npx', ['tsc', '-p', '.', '--noEmit']);
const built = run('build', 'node', ['scripts/build.mjs']);

run('toolchains', 'bash', ['scripts/setupToolchains.sh']);
const unitStats = path.join(tmp, 'unit.json');
run('unit', 'npx', ['mocha', '--reporter', path.join(root, 'scripts/mochaStatsReporter.js')], { MOCHA_STATS_FILE: unitStats });
if (!addStats(unitStats)) failedSteps.push('unit (no result)');

if (process.env.TEST_ONLY !== 'unit') {
  const integrationBuilt = run('integration build', 'node', ['scripts/buildIntegration.mjs']);
  if (run('vscode setup', 'bash', ['scripts/vscode/setupCodeServer.sh']) && built && integrationBuilt) {
    for (const suite of fs.existsSync(path.join(root, 'scripts/suites.json')) ? JSON.parse(fs.readFileSync(path.join(root, 'scripts/suites.json'), 'utf8')) : []) {
      const stats = path.join(tmp, `${suite.name}.txt`);
      run(suite.name, 'node', suite.args, { RESULT_SUMMARY_FILE: stats, ...(suite.env || {}) });
      if (!addStats(stats)) failedSteps.push(`${suite.name} (no result)`);
    }
  }
}

fs.rmSync(tmp, { recursive: true, force: true });
if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
if (failedSteps.length && totals.failed === 0) totals.failed = failedSteps.length;
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length || totals.failed ? 1 : 0);
