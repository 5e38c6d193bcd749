#!/usr/bin/env node
// Checks, in the real workbench (code-server in headless Chromium), that the CodeLens numbers are on screen
// above the handler: the extension's default store is filled from --traces with the CLI before the server starts, the
// handler file is opened through Quick Open, and the lens line must read the latency figures. The hover and
// the template's declaration lens are checked too. Screenshots are kept.
//
// Usage: node scripts/vscode/uiCodeLens.js --ext <extension dir> --folder <workspace> --traces <fixture traces dir>
// Env:   SHOTS (screenshot dir, default .test-output/ui-codelens), RESULT_SUMMARY_FILE, and codeServer.js's
// Ends with "N passed, N failed, 0 skipped"; exit code 1 when a check failed.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { startCodeServer, root } = require('./codeServer');
const { createUiRun, pathArg } = require('./uiKit');

const extPath = pathArg('ext');
const folder = pathArg('folder');
const tracesDir = pathArg('traces');
// what test/fixtures/samAppTraces gives OrdersFunction (see its generate.ts)
const LATENCY = 'p50 195 ms · p95 285 ms · p99 295 ms · 40 calls · 5% errors';
const COLD = '10% cold · init p95 630 ms';

const { log, inWorkbench, run } = createUiRun('uiCodeLens', '.test-output/ui-codelens');

/** Imports the fixture traces with the CLI into `dir` (the extension's default store of this run). */
function fillStore(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const cli = path.join(root, 'dist/cli.js');
  const cmd = fs.existsSync(cli) ? [process.execPath, [cli]] : [process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts')]];
  execFileSync(cmd[0], [...cmd[1], 'import', '--store', dir, tracesDir], { cwd: root, stdio: 'pipe' });
  return dir;
}

async function openFile(page, rel) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.pressSequentially(rel, { delay: 5 });
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab', { hasText: path.basename(rel) }).first().waitFor({ timeout: 30_000 });
}

/** Reveals a line (1-based) with Go to Line, so the lenses above it are rendered. */
async function goToLine(page, line) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.pressSequentially(String(line), { delay: 5 });
  await page.keyboard.press('Enter');
}

async function main() {
  // The default store (global storage) is filled before the server starts: user settings can reach the
  // extension host after activation, and a storePath arriving late would race the first lens request.
  const server = await startCodeServer({
    env: (state) => {
      const dir = path.join(state, 'user-data/User/globalStorage/trace-insight.serverless-trace-insight/store');
      fillStore(dir);
      log(`store filled from ${path.relative(root, tracesDir)} in ${dir}`);
      return {};
    },
  });
  await inWorkbench(server, folder, extPath, async ({ page, shot, check }) => {
    await check('workbench shows the workspace', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 120_000 });
    });
    await check('the handler in orders/index.js shows its latency and cold-start lenses', async () => {
      await openFile(page, 'orders/index.js');
      await goToLine(page, 44);
      // the store opens on the first lens request; its status bar item then counts the 50 fixture traces
      await page.locator('.statusbar-item', { hasText: '50 traces' }).first().waitFor({ timeout: 60_000 })
        .catch(async () => { throw new Error(`the status bar reads "${(await page.locator('.statusbar-item', { hasText: 'trace' }).first().innerText().catch(() => '?')).trim()}", not 50 traces`); });
      const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: LATENCY });
      await lens.first().waitFor({ timeout: 60_000 });
      const text = (await lens.first().innerText()).replace(/\s+/g, ' ').trim();
      if (!text.includes(COLD)) throw new Error(`the lens line reads "${text}"`);
      await shot('1-handler-lenses');
      return text;
    });
    await check('hovering the handler shows the percentile table and the cost formula', async () => {
      // the cursor is on the handler line (Go to Line 44); "Show Hover" is Ctrl+K Ctrl+I
      await page.locator('.view-line', { hasText: 'exports.handler = async' }).first().click({ position: { x: 30, y: 5 } });
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const hover = page.locator('.monaco-hover', { hasText: 'GB-s' });
      await hover.first().waitFor({ timeout: 30_000 });
      const text = (await hover.first().innerText()).replace(/\s+/g, ' ');
      await shot('2-handler-hover');
      if (!/all 195 ms 285 ms 295 ms 295 ms 40/.test(text)) throw new Error(`the hover reads "${text.slice(0, 300)}"`);
      await page.keyboard.press('Escape');
      return text.slice(0, 120);
    });
    await check('the declaration in template.yaml shows the same lens', async () => {
      // the hover may hold the keyboard focus: open the template from the Explorer instead of Quick Open
      await page.keyboard.press('Escape');
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'template.yaml' }).first().click();
      await page.locator('.tab', { hasText: 'template.yaml' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.view-line', { hasText: 'AWSTemplateFormatVersion' }).first().click();
      await goToLine(page, 18);
      await page.locator('.contentWidgets .codelens-decoration', { hasText: LATENCY }).first().waitFor({ timeout: 60_000 });
      await shot('3-template-lenses');
    });
  });
  await server.stop();
}

run(main);
