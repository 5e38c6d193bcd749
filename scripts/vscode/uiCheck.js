#!/usr/bin/env node
// Drives the real VS Code workbench (code-server in headless Chromium) the way a user would, with the
// extension loaded from --ext, and checks what is on screen. Screenshots of each step are kept.
//
// Usage: node scripts/vscode/uiCheck.js --ext <extension dir> --folder <workspace> --traces <fixture traces dir>
// Env:   SHOTS (screenshot dir, default .test-output/ui), RESULT_SUMMARY_FILE, PORT, HARNESS_TMP, KEEP_STATE,
//        VSCODE_TEST_DIR (see codeServer.js); VERBOSE=1 prints the workbench log
// Ends with "N passed, N failed, 0 skipped"; exit code 1 when a check failed.
const path = require('path');
const { startCodeServer, root } = require('./codeServer');
const { createUiRun, pathArg, runCommand } = require('./uiKit');

const extPath = pathArg('ext');
const folder = pathArg('folder');
const tracesDir = pathArg('traces');
const FUNCTION = 'orders-api-OrdersFunction-9XK2L';
const ERROR_TRACE = 'f98d5c0c5597d3b253121ffebc8f0d74';
// the error trace's top frame: shared-utils' upstreamError, line 7 of the layer package's index.js
const LAYER_FRAME = '/opt/nodejs/node_modules/shared-utils/index.js:7';
const LAYER_FILE = 'layers/shared/nodejs/node_modules/shared-utils/index.js';
const LAYER_LINE = 7;
let errorFrame;

/**
 * The stack-frame button whose text is `where` in the error trace's webview, once drawn; selects the
 * invocation span again when the redrawn webview shows no span detail. Polls, up to about 60 s.
 */
async function webviewFrameButton(page, where) {
  let selected = false;
  for (let i = 0; i < 200; i++) {
    for (const f of page.frames()) {
      const state = await f.evaluate((w) => {
        if (!document.querySelector('.row') || !document.body.innerText.includes('54.7 ms')) return 'none';
        return [...document.querySelectorAll('button.frame')].some((b) => b.textContent === w) ? 'button' : 'rows';
      }, where).catch(() => 'none');
      if (state === 'button') return f.locator('button.frame', { hasText: where }).first();
      if (state === 'rows' && !selected && i >= 10) {
        await f.locator('.row', { hasText: FUNCTION }).first().click();
        selected = true;
      }
    }
    await page.waitForTimeout(300);
  }
  throw new Error(`no webview frame shows a ${where} stack frame button`);
}

const { log, inWorkbench, run } = createUiRun('uiCheck', '.test-output/ui');

async function main() {
  const server = await startCodeServer();
  await inWorkbench(server, folder, extPath, async ({ page, shot, check }) => {
    await check('workbench shows the workspace', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 120_000 });
    });

    await check('status bar shows the Trace Insight item', async () => {
      await page.locator('.statusbar-item', { hasText: 'Trace Insight' }).first().waitFor({ timeout: 60_000 });
    });

    await check('the activity bar opens the Functions view with its welcome text', async () => {
      await page.locator('.activitybar .action-item [aria-label^="Trace Insight"]').first().click();
      await page.locator('.welcome-view-content', { hasText: 'No traces yet' }).waitFor({ timeout: 30_000 });
      await shot('1-welcome');
    });

    await check('"Import Traces..." opens a file picker; choosing a trace file imports it', async () => {
      await page.locator('.welcome-view-content a.monaco-button, .welcome-view-content .monaco-button', { hasText: 'Import Traces...' }).first().click();
      // code-server's own file dialog: a quick input holding a path
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      // the dialog fills in the workspace folder and lists it asynchronously; type only once it has, and
      // retype if it still changed the value under us
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'template.yaml' }).first().waitFor({ timeout: 30_000 });
      const wanted = path.join(tracesDir, 'otel-lambda-1.json');
      for (let i = 0; i < 5 && (await input.inputValue()) !== wanted; i++) {
        await input.press('Control+A');
        await input.pressSequentially(wanted, { delay: 5 });
        await page.waitForTimeout(300);
      }
      const typed = await input.inputValue();
      if (typed !== wanted) throw new Error(`the file dialog holds "${typed}"`);
      await shot('2-picker');
      await page.keyboard.press('Enter');
      // the workbench announces every notification to screen readers (toasts do not pop up in this
      // headless window; the notification center below lists the notification itself)
      const announced = page.locator('.monaco-alert', { hasText: 'Imported 3 spans in 1 trace from 1 file.' });
      await announced.first().waitFor({ state: 'attached', timeout: 30_000 });
      return (await announced.first().textContent()).trim();
    });

    await check('the result notification offers "Show Log", which shows the import in the Trace Insight log', async () => {
      await runCommand(page, 'Notifications: Show Notifications');
      const item = page.locator('.notifications-center .notification-list-item', { hasText: 'Imported 3 spans in 1 trace from 1 file.' });
      await item.first().waitFor({ timeout: 30_000 });
      await shot('3-notification');
      await item.first().locator('.monaco-button', { hasText: 'Show Log' }).click();
      const logLine = page.locator('.part.panel .view-lines', { hasText: 'otel-lambda-1.json: otlp-json, 3 spans in 1 trace (3 new, 0 already stored)' });
      await logLine.first().waitFor({ timeout: 30_000 });
      await shot('4-log');
    });

    await check('the Functions view lists the function of the imported trace', async () => {
      const row = page.locator('.pane-body .monaco-list-row', { hasText: FUNCTION });
      await row.first().waitFor({ timeout: 30_000 });
      const text = (await row.first().innerText()).replace(/\s+/g, ' ').trim();
      if (!text.includes('1 trace · 1 cold')) throw new Error(`row reads "${text}"`);
      await row.first().click();
      await page.locator('.pane-body .monaco-list-row', { hasText: '113 ms' }).first().waitFor({ timeout: 30_000 });
      await shot('5-functions');
      return text;
    });

    await check('clicking the trace opens its waterfall, with the spans drawn in the webview', async () => {
      await page.locator('.pane-body .monaco-list-row', { hasText: '113 ms' }).first().click();
      await page.locator('.tab', { hasText: `Trace: ${FUNCTION}` }).first().waitFor({ timeout: 30_000 });
      // the extension's HTML is two iframes deep; poll the frames until its script has drawn the rows
      const wanted = ['DynamoDB.GetItem', 'GET', FUNCTION];
      let seen = '';
      for (let i = 0; i < 100; i++) {
        for (const f of page.frames()) {
          const text = await f.evaluate(() => document.body ? document.body.innerText : '').catch(() => '');
          if (text.includes('DynamoDB.GetItem')) seen = text;
        }
        if (wanted.every((w) => seen.includes(w))) break;
        await page.waitForTimeout(300);
      }
      await shot('6-waterfall');
      const missing = wanted.filter((w) => !seen.includes(w));
      if (missing.length) throw new Error(`waterfall lacks ${missing.join(', ')}; it reads "${seen.slice(0, 200)}"`);
    });

    await check('"Show Function Traces..." picks the function, then lists its traces with duration and cold start', async () => {
      await runCommand(page, 'Trace Insight: Show Function Traces...');
      const fnRow = page.locator('.quick-input-list .monaco-list-row', { hasText: FUNCTION });
      await fnRow.first().waitFor({ timeout: 30_000 });
      const fnText = (await fnRow.first().innerText()).replace(/\s+/g, ' ').trim();
      if (!fnText.includes('1 trace')) throw new Error(`function row reads "${fnText}"`);
      await page.keyboard.press('Enter');
      const traceRow = page.locator('.quick-input-list .monaco-list-row', { hasText: '113 ms' });
      await traceRow.first().waitFor({ timeout: 30_000 });
      const traceText = (await traceRow.first().innerText()).replace(/\s+/g, ' ').trim();
      await shot('7-function-traces');
      if (!/· cold/.test(traceText) || !traceText.includes('b41192ef1b5fae7fd4b9b6f76e3ef943')) throw new Error(`trace row reads "${traceText}"`);
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 30_000 });
      return traceText;
    });

    await check('the status bar counts the stored trace', async () => {
      const item = page.locator('.statusbar-item', { hasText: '1 trace' });
      await item.first().waitFor({ timeout: 30_000 });
      return (await item.first().innerText()).trim();
    });

    // click-to-source: the error trace's exception stack points at orders/index.js:25 (deployed as
    // /var/task/orders/index.js), a file of the workspace
    await check('"Import Traces..." from the palette imports the error trace too', async () => {
      await runCommand(page, 'Trace Insight: Import Traces...');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
      const wanted = path.join(tracesDir, 'otel-lambda-3.json');
      for (let i = 0; i < 5 && (await input.inputValue()) !== wanted; i++) {
        await input.press('Control+A');
        await input.pressSequentially(wanted, { delay: 5 });
        await page.waitForTimeout(300);
      }
      const typed = await input.inputValue();
      if (typed !== wanted) throw new Error(`the file dialog holds "${typed}"`);
      await page.keyboard.press('Enter');
      const item = page.locator('.statusbar-item', { hasText: '2 traces' });
      await item.first().waitFor({ timeout: 30_000 });
      return (await item.first().innerText()).trim();
    });

    await check('"Open Trace by ID..." opens the error trace\'s waterfall; selecting its root span shows the exception stack', async () => {
      await runCommand(page, 'Trace Insight: Open Trace by ID...');
      // the palette's input is still on screen for a moment: type only once the id box has its title, and retype
      // when keys went to the closing palette
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open Trace by ID' }).first().waitFor({ timeout: 30_000 });
      const input = page.locator('.quick-input-widget input');
      for (let i = 0; i < 5 && (await input.inputValue()) !== ERROR_TRACE; i++) {
        await input.fill('');
        await input.pressSequentially(ERROR_TRACE, { delay: 5 });
      }
      if ((await input.inputValue()) !== ERROR_TRACE) throw new Error(`the id box holds "${await input.inputValue()}"`);
      await page.keyboard.press('Enter');
      await page.locator('.tab', { hasText: `Trace: ${FUNCTION}` }).first().waitFor({ timeout: 30_000 });
      // the 54.7 ms root span is only in the error trace (the first trace's root takes 113 ms)
      let frame;
      for (let i = 0; i < 100 && !frame; i++) {
        for (const f of page.frames()) {
          const has = await f.evaluate(() => !!document.querySelector('.row') && document.body.innerText.includes('54.7 ms')).catch(() => false);
          if (has) { frame = f; break; }
        }
        if (!frame) await page.waitForTimeout(300);
      }
      if (!frame) throw new Error('no webview frame shows the error trace (a 54.7 ms root span)');
      await frame.locator('.row', { hasText: FUNCTION }).first().click();
      const button = frame.locator('button.frame', { hasText: '/var/task/orders/index.js:25' });
      await button.first().waitFor({ timeout: 30_000 });
      await shot('8-error-detail');
      errorFrame = frame;
      return (await frame.locator('.ex-title').first().innerText()).trim();
    });

    await check('clicking the stack frame opens orders/index.js at line 25 in the editor', async () => {
      await errorFrame.locator('button.frame', { hasText: '/var/task/orders/index.js:25' }).first().click();
      const tab = page.locator('.tab.active', { hasText: 'index.js' });
      await tab.first().waitFor({ timeout: 30_000 });
      const tabTitle = (await tab.first().innerText()).replace(/\s+/g, '');
      // the tab names the file only; the breadcrumbs above the editor give its folder
      const crumbs = (await page.locator('.breadcrumbs-control').first().innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      const cursor = page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+$/ });
      let where = '';
      for (let i = 0; i < 50 && where !== 'Ln 25, Col 1'; i++) {
        where = (await cursor.first().innerText().catch(() => '')).trim();
        if (where !== 'Ln 25, Col 1') await page.waitForTimeout(200);
      }
      const line = page.locator('.monaco-editor .view-line', { hasText: 'reject(new InventoryUnavailableError' });
      await line.first().waitFor({ timeout: 10_000 });
      await shot('9-click-to-source');
      if (tabTitle !== 'index.js') throw new Error(`the active tab is "${tabTitle}"`);
      if (!/^orders\s*\S?\s*index\.js/.test(crumbs)) throw new Error(`the breadcrumbs read "${crumbs}"`);
      if (where !== 'Ln 25, Col 1') throw new Error(`the status bar reads "${where}"`);
      return `tab "${tabTitle}" · breadcrumbs "${crumbs}" · ${where}`;
    });

    // layer code: the top frame is in the SharedLayer layer (deployed under /opt), which the template
    // builds from layers/shared; its package lives under node_modules, which the editor's file search skips
    await check(`clicking the ${LAYER_FRAME} frame opens the layer's shared-utils/index.js at line ${LAYER_LINE}`, async () => {
      await page.locator('.tab', { hasText: `Trace: ${FUNCTION}` }).first().click();
      // the hidden webview was torn down; once drawn again it shows the selected span, else select it again
      const button = await webviewFrameButton(page, LAYER_FRAME);
      await button.click();
      const tab = page.locator('.tab.active', { hasText: 'index.js' });
      await tab.first().waitFor({ timeout: 30_000 });
      const cursor = page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+$/ });
      const wantedCursor = `Ln ${LAYER_LINE}, Col 1`;
      let where = '';
      for (let i = 0; i < 100 && where !== wantedCursor; i++) {
        where = (await cursor.first().innerText().catch(() => '')).trim();
        if (where !== wantedCursor) await page.waitForTimeout(200);
      }
      const line = page.locator('.monaco-editor .view-line', { hasText: 'const err = new Error(' });
      await line.first().waitFor({ timeout: 10_000 });
      const tabTitle = (await tab.first().innerText()).replace(/\s+/g, '');
      const crumbs = (await page.locator('.breadcrumbs-control').first().innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      await shot('10-click-to-layer-source');
      // two index.js tabs may be open: the tab then adds its folder, the breadcrumbs always give the whole path
      if (!tabTitle.startsWith('index.js')) throw new Error(`the active tab is "${tabTitle}"`);
      const crumbPath = new RegExp(`^${LAYER_FILE.split('/').map((s) => s.replace(/[.-]/g, '\\$&')).join('\\s*\\S?\\s*')}$`);
      if (!crumbPath.test(crumbs)) throw new Error(`the breadcrumbs read "${crumbs}", not ${LAYER_FILE}`);
      if (where !== wantedCursor) throw new Error(`the status bar reads "${where}"`);
      return `tab "${tabTitle}" · breadcrumbs "${crumbs}" · ${where}`;
    });
  });
  await server.stop();
}

run(main);
