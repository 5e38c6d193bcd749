#!/usr/bin/env node
// Checks, in the real workbench (code-server in headless Chromium), that the CodeLens numbers are on screen
// above the handler: a store is filled from --traces with the CLI, `traceInsight.storePath` points at it, the
// handler file is opened through Quick Open, and the lens line must read the latency figures. The hover and
// the template's declaration lens are checked too. Screenshots are kept.
//
// Usage: node scripts/vscode/uiCodeLens.js --ext <extension dir> --folder <workspace> --traces <fixture traces dir>
// Env:   SHOTS (screenshot dir, default .test-output/ui-codelens), RESULT_SUMMARY_FILE, and codeServer.js's
// Ends with "N passed, N failed, 0 skipped"; exit code 1 when a check failed.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { launchBrowser } = require('./browser');
const { startCodeServer, workbenchUrl, root } = require('./codeServer');

const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || !argv[i + 1]) { console.error(`missing --${name}`); process.exit(1); }
  return path.resolve(argv[i + 1]);
};
const extPath = arg('ext');
const folder = arg('folder');
const tracesDir = arg('traces');
const shots = path.resolve(process.env.SHOTS || path.join(root, '.test-output/ui-codelens'));
// what test/fixtures/samAppTraces gives OrdersFunction (see its generate.ts)
const LATENCY = 'p50 195 ms · p95 285 ms · p99 295 ms · 40 calls · 5% errors';
const COLD = '10% cold · init p95 630 ms';

const t0 = Date.now();
const log = (...a) => console.log(`[uiCodeLens ${((Date.now() - t0) / 1000).toFixed(1)} s]`, ...a);
const results = [];

function fillStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-ui-lens-'));
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

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const store = fillStore();
  log(`store filled from ${path.relative(root, tracesDir)} in ${store}`);
  const server = await startCodeServer({ settings: { 'traceInsight.storePath': store } });
  let browser;
  try {
    browser = await launchBrowser();
    const page = browser.pages()[0] || (await browser.newPage());
    const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`) }).catch((e) => log('screenshot failed:', e.message));
    const check = async (name, fn) => {
      try {
        const detail = await fn();
        results.push({ name, ok: true });
        log('PASS', name, detail ?? '');
      } catch (e) {
        results.push({ name, ok: false });
        log('FAIL', name, '-', e.message.split('\n')[0]);
        await shot(`failed-${results.length}`);
        throw e;
      }
    };
    await page.goto(workbenchUrl(server.authority, folder, extPath));
    await check('workbench shows the workspace', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 120_000 });
    });
    await check('the handler in orders/index.js shows its latency and cold-start lenses', async () => {
      await openFile(page, 'orders/index.js');
      const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: LATENCY });
      await lens.first().waitFor({ timeout: 60_000 });
      const text = (await lens.first().innerText()).replace(/\s+/g, ' ').trim();
      if (!text.includes(COLD)) throw new Error(`the lens line reads "${text}"`);
      await shot('1-handler-lenses');
      return text;
    });
    await check('hovering the handler shows the percentile table and the cost formula', async () => {
      const handlerLine = page.locator('.view-line', { hasText: 'exports.handler = async' }).first();
      await handlerLine.hover({ position: { x: 40, y: 5 } });
      const hover = page.locator('.monaco-hover', { hasText: 'GB-s' });
      await hover.first().waitFor({ timeout: 30_000 });
      const text = (await hover.first().innerText()).replace(/\s+/g, ' ');
      await shot('2-handler-hover');
      if (!/all 195 ms 285 ms 295 ms 295 ms 40/.test(text)) throw new Error(`the hover reads "${text.slice(0, 300)}"`);
      await page.keyboard.press('Escape');
      return text.slice(0, 120);
    });
    await check('the declaration in template.yaml shows the same lens', async () => {
      await openFile(page, 'template.yaml');
      await page.locator('.contentWidgets .codelens-decoration', { hasText: LATENCY }).first().waitFor({ timeout: 60_000 });
      await shot('3-template-lenses');
    });
  } catch {
    if (results.length === 0 || results.every((r) => r.ok)) results.push({ name: 'ui flow', ok: false });
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
    fs.rmSync(store, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log('error:', e.message);
  results.push({ name: 'harness', ok: false });
}).finally(() => {
  const failed = results.filter((r) => !r.ok).length;
  const summary = `${results.length - failed} passed, ${failed} failed, 0 skipped`;
  if (process.env.RESULT_SUMMARY_FILE) fs.writeFileSync(process.env.RESULT_SUMMARY_FILE, `${summary}\n`);
  log(`screenshots in ${path.relative(root, shots)}`);
  console.log(summary);
  process.exit(failed ? 1 : 0);
});
