// The webview e2e suite: builds dist/webview.js, then runs the Playwright specs (test/e2e/*.e2e.ts)
// in Debian's Chromium with mocha. Writes "N passed, N failed, N skipped" to $RESULT_SUMMARY_FILE.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const summaryFile = process.env.RESULT_SUMMARY_FILE;

function summary(passed, failed, skipped) {
  const text = `${passed} passed, ${failed} failed, ${skipped} skipped`;
  if (summaryFile) fs.writeFileSync(summaryFile, `${text}\n`);
  console.log(text);
}

if (!fs.existsSync(chromium) && process.getuid?.() === 0) {
  console.log(`${chromium} is missing: installing Debian's chromium`);
  spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq chromium'], { stdio: 'inherit' });
}
if (!fs.existsSync(chromium)) {
  console.error(`${chromium} not found: run apt-get update && apt-get install -y chromium`);
  summary(0, 1, 0);
  process.exit(1);
}

const build = spawnSync('node', ['scripts/build.mjs', 'webview'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) { summary(0, 1, 0); process.exit(1); }

const stats = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ti-e2e-')), 'stats.json');
const r = spawnSync('npx', ['mocha', '--no-config', '--require', 'tsx/cjs', '--extension', 'ts', '--timeout', '60000',
  '--reporter', path.join(root, 'scripts/mochaStatsReporter.js'), 'test/e2e/**/*.e2e.ts'],
{ cwd: root, stdio: 'inherit', env: { ...process.env, MOCHA_STATS_FILE: stats } });
let s = { passed: 0, failed: 1, skipped: 0 };
try { s = JSON.parse(fs.readFileSync(stats, 'utf8')); } catch { /* mocha died before its end: counted as one failure */ }
fs.rmSync(path.dirname(stats), { recursive: true, force: true });
summary(s.passed, s.failed || (r.status === 0 ? 0 : Math.max(1, s.failed)), s.skipped);
process.exit(r.status === 0 && s.failed === 0 ? 0 : 1);
