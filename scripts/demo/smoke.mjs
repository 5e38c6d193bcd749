#!/usr/bin/env node
// Smoke test of what a newcomer runs: `npm run package` (the .vsix: contents, manifest, size) and
// `npm run demo` (with that .vsix installed into a clean code-server: receivers and load generator
// fill the store with both functions' traces, the workbench shows the extension and the live lenses on
// the handler, and Ctrl-C stops every process the demo started). Screenshots of the lens, the hover,
// the Functions view and the waterfall go to $SHOTS (default .test-output/demo).
// Assumes dist/ is built (npm test builds it first). Ends with "N passed, N failed, N skipped", also
// written to $RESULT_SUMMARY_FILE.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { launchBrowser } = require('../vscode/browser.js');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.resolve(process.env.SHOTS || path.join(root, '.test-output/demo'));
const FUNCTIONS = ['orders-app-create-order', 'orders-app-fulfil-order'];
const t0 = Date.now();
const log = (...a) => console.log(`[demo smoke ${((Date.now() - t0) / 1000).toFixed(1)} s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const results = [];
/** Screenshot of the workbench when a check fails (set once the browser is up). */
let failShot = async () => {};

async function check(name, fn, { optional = false } = {}) {
  try {
    const detail = await fn();
    if (detail === 'skip') { results.push({ name, status: 'skipped' }); log('SKIP', name); return true; }
    results.push({ name, status: 'passed' });
    log('PASS', name, detail ?? '');
    return true;
  } catch (e) {
    results.push({ name, status: optional ? 'skipped' : 'failed' });
    await failShot(`failed-${results.length}`);
    log(optional ? 'SKIP' : 'FAIL', name, '-', String(e.message).split('\n')[0]);
    return false;
  }
}

/** Processes (other than this one) whose environment carries the marker. */
function processesWith(marker) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (Number(pid) !== process.pid && fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker)) {
        found.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 100)}`);
      }
    } catch { /* exited meanwhile, or not ours to read */ }
  }
  return found;
}

async function workbench(url, page) {
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`) }).catch(() => {});
  failShot = shot;
  await page.goto(url);
  await check('the workbench opens examples/orders-app with the installed extension active', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'template.yaml' }).first().waitFor({ timeout: 120_000 });
    await page.locator('.statusbar-item', { hasText: 'Trace Insight' }).first().waitFor({ timeout: 60_000 });
  });
  await check('the command palette lists the Trace Insight commands', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.pressSequentially('Trace Insight: Import', { delay: 5 });
    await page.locator('.quick-input-list .monaco-list-row[aria-label^="Trace Insight: Import Traces..."]').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
  });
  let lens = '';
  await check('the handler in src/createOrder/app.ts shows live numbers in its CodeLens', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.pressSequentially('createOrder/app.ts', { delay: 5 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'app.ts' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'app.ts' }).first().waitFor({ timeout: 30_000 });
    // lenses are drawn only on visible lines: bring the handler into view
    const handlerLine = fs.readFileSync(path.join(root, 'examples/orders-app/src/createOrder/app.ts'), 'utf8').split('\n').findIndex((l) => l.startsWith('export async function handler')) + 1;
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.pressSequentially(String(handlerLine + 3), { delay: 5 });
    await page.keyboard.press('Enter');
    const lenses = page.locator('.codelens-decoration', { hasText: /p50\s.*p95/ });
    await lenses.first().waitFor({ timeout: 120_000 });
    lens = (await lenses.first().innerText()).replace(/\s+/g, ' ').trim();
    if (!/calls/.test(lens)) throw new Error(`the lens reads "${lens}"`);
    await shot('codelens');
    return lens;
  });
  if (!lens) return;
  // pictures for the README; each is checked for what it shows, but the lens above is the smoke test
  await check('hovering the handler shows its percentiles', async () => {
    const line = page.locator('.view-lines .view-line', { hasText: 'export async function handler' }).first();
    await line.locator('span', { hasText: /^handler$/ }).first().hover();
    await page.locator('.monaco-hover', { hasText: 'p95' }).first().waitFor({ timeout: 20_000 });
    await shot('hover');
    await page.mouse.move(5, 5);
  }, { optional: true });
  await check('the Functions view lists both functions; a trace opens in the waterfall', async () => {
    await page.locator('.activitybar .action-item [aria-label^="Trace Insight"]').first().click();
    const row = page.locator('.pane-body .monaco-list-row', { hasText: FUNCTIONS[0] });
    await row.first().waitFor({ timeout: 30_000 });
    await page.locator('.pane-body .monaco-list-row', { hasText: FUNCTIONS[1] }).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    await shot('functions');
    await row.first().click();
    await page.waitForTimeout(1500);
    const trace = page.locator('.pane-body .monaco-list-row', { hasText: / ms/ }).nth(2);
    await trace.click();
    await page.locator('.tab', { hasText: 'Trace:' }).first().waitFor({ timeout: 30_000 });
    for (let i = 0; i < 60; i++) {
      let seen = '';
      for (const f of page.frames()) seen += await f.evaluate(() => (document.body ? document.body.innerText : '')).catch(() => '');
      if (seen.includes('GET')) { await page.waitForTimeout(500); await shot('waterfall'); return; }
      await page.waitForTimeout(500);
    }
    throw new Error('the waterfall drew no GET span');
  }, { optional: true });
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(process.env.HARNESS_TMP || os.tmpdir(), 'ti-smoke-'));
  const vsix = path.join(tmp, 'trace-insight.vsix');
  try {
    const packaged = await check('npm run package makes a .vsix of dist/, media/ and docs with icon, license and changelog', async () => {
      const r = spawnSync('node', ['scripts/demo/package.mjs', '--no-build', '--out', vsix], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`package.mjs exit ${r.status}: ${r.stderr.slice(-300)}`);
      const sizeLine = /trace-insight\.vsix: ([\d.]+ [KM]B), \d+ files/.exec(r.stdout);
      if (!sizeLine) throw new Error('no size reported');
      const files = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).stdout.split('\n').filter((f) => f.startsWith('extension/'));
      const stray = files.filter((f) => !/^extension\/(dist\/[^]*\.(js|wasm|css|ttf)|media\/[^]+|docs\/[^]+|package\.json|package\.nls(\.[\w-]+)?\.json|readme\.md|changelog\.md|LICENSE\.txt)$/.test(f));
      if (stray.length) throw new Error(`unexpected files: ${stray.slice(0, 5).join(', ')}`);
      for (const f of ['extension/dist/extension.js', 'extension/media/icon.png', 'extension/changelog.md', 'extension/LICENSE.txt']) if (!files.includes(f)) throw new Error(`${f} missing`);
      const manifest = JSON.parse(spawnSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' }).stdout);
      const want = { icon: 'media/icon.png', license: 'MIT' };
      for (const [k, v] of Object.entries(want)) if (manifest[k] !== v) throw new Error(`package.json ${k} is ${manifest[k]}`);
      if (!manifest.repository?.url || !manifest.categories?.length || !manifest.keywords?.length) throw new Error('repository, categories or keywords missing');
      // a localized manifest (%key% titles) shows raw keys without its package.nls.json
      if (JSON.stringify(manifest.contributes ?? {}).includes('"%') && !files.includes('extension/package.nls.json')) throw new Error('package.nls.json missing: commands would show %keys%');
      return `${sizeLine[1]}, ${files.length} files`;
    });
    if (!packaged) return;

    const marker = `TI_DEMO_SMOKE=${crypto.randomUUID()}`;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const demo = spawn('node', ['scripts/demo/demo.mjs', '--no-build', '--vsix', vsix, '--duration', '600'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEMO_PORT: String(port), HARNESS_TMP: tmp, [marker.split('=')[0]]: marker.split('=')[1] },
    });
    let out = '';
    demo.stdout.on('data', (d) => { out += d; });
    demo.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((r) => demo.once('exit', (code, sig) => r(code ?? sig)));
    let url; let store;
    await check('npm run demo prints the URL to open', async () => {
      for (let i = 0; i < 1800 && !url; i++) {
        url = /Open (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(out)?.[1];
        store = /store (\/\S+)/.exec(out)?.[1];
        if (demo.exitCode !== null) throw new Error(`demo exited: ${out.slice(-500)}`);
        await sleep(100);
      }
      if (!url) throw new Error(`no URL after 180 s: ${out.slice(-500)}`);
      return url;
    });
    let browser;
    try {
      if (url) {
        await check('the store gets traces of both functions', async () => {
          for (let i = 0; i < 90; i++) {
            const r = spawnSync('node', ['dist/cli.js', 'traces', '--store', store, '--json', '--limit', '0'], { cwd: root, encoding: 'utf8' });
            const seen = new Set(r.status === 0 ? JSON.parse(r.stdout).flatMap((t) => t.functions) : []);
            if (FUNCTIONS.every((f) => seen.has(f))) return `${JSON.parse(r.stdout).length} traces`;
            await sleep(1000);
          }
          throw new Error('not both functions after 90 s');
        });
        browser = await launchBrowser();
        await workbench(url, browser.pages()[0] || (await browser.newPage()));
      }
    } finally {
      failShot = async () => {};
      if (browser) await browser.close().catch(() => {});
      demo.kill('SIGINT');
      await check('Ctrl-C stops the demo and every process it started', async () => {
        const code = await Promise.race([exited, sleep(40_000).then(() => 'still running')]);
        if (code !== 0) throw new Error(`demo ended with ${code}`);
        await sleep(500);
        const left = processesWith(marker);
        if (left.length) {
          for (const l of left) try { process.kill(Number(l.split(' ')[0]), 'SIGKILL'); } catch { /* gone */ }
          throw new Error(`left running: ${left.join('; ')}`);
        }
        const dirs = fs.readdirSync(tmp).filter((d) => d.startsWith('ti-demo-'));
        if (dirs.length) throw new Error(`throw-away dirs left: ${dirs.join(', ')}`);
      });
      if (results.some((r) => r.status === 'failed')) console.log(out.split('\n').slice(-40).join('\n'));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { log('error:', e.message); results.push({ name: 'harness', status: 'failed' }); }).finally(() => {
  const n = (s) => results.filter((r) => r.status === s).length;
  const summary = `${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} skipped`;
  if (process.env.RESULT_SUMMARY_FILE) fs.writeFileSync(process.env.RESULT_SUMMARY_FILE, `${summary}\n`);
  log(`screenshots in ${path.relative(root, shots)}`);
  console.log(summary);
  process.exit(n('failed') ? 1 : 0);
});
