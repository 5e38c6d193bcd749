#!/usr/bin/env node
// Runs mocha suites INSIDE a real VS Code extension host (code-server's), with the same contract as
// @vscode/test-electron's `extensionTestsPath`: a module exporting `run(): Promise<void>`.
//
// How: code-server started with `--vscode-option enable-smoke-test-driver` honours the workbench URL's
// `payload=[["extensionDevelopmentPath", ...], ["extensionTestsPath", ...]]`; the workbench then reports
// the extension host's console through `window.codeAutomationLog` and the suite's end through
// `window.codeAutomationExit(code)`, both caught here with Playwright in headless Chromium.
//
// Usage: node scripts/vscode/runExtTests.js --ext <extension dir> --tests <tests index .js> --folder <workspace>
// Env:   VSCODE_TEST_DIR  what setupCodeServer.sh built (default .vscode-test/code-server-4.139.1)
//        PORT             code-server port on 127.0.0.1 (default: a free ephemeral port)
//        TEST_TIMEOUT_S   give up after this long (default 300; exit code 2)
//        RESULT_SUMMARY_FILE  gets "N passed, N failed, N skipped" (scripts/test.mjs reads it)
//        SCREENSHOT       png of the workbench at the end (kept; for the record of a run)
//        HARNESS_TMP      where throw-away state dirs go (default the OS temp dir; keep it short)
//        KEEP_STATE=1     keep the state dir (code-server.log, user data, extension logs) for debugging
//        LOG_ALL=1        also print the workbench lines that are filtered out as offline noise
// Exit code: the suite's (0 all passed, 1 a failure or a broken test module), 2 when nothing reported back.
const fs = require('fs');
const path = require('path');
const util = require('util');
const { launchBrowser } = require('./browser');
const { startCodeServer, workbenchUrl, missingInstall, NOISE, root } = require('./codeServer');

const argv = process.argv.slice(2);
function arg(name) {
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || !argv[i + 1]) {
    console.error(`missing --${name}\nusage: node scripts/vscode/runExtTests.js --ext <dir> --tests <index.js> --folder <workspace>`);
    process.exit(1);
  }
  return path.resolve(argv[i + 1]);
}
const extPath = arg('ext');
const testsPath = arg('tests');
const folder = arg('folder');
const timeoutMs = Number(process.env.TEST_TIMEOUT_S || 300) * 1000;
const summaryFile = process.env.RESULT_SUMMARY_FILE;
const FAILED_RUN = '0 passed, 1 failed, 0 skipped';

const t0 = Date.now();
const log = (...a) => console.error(`[runExtTests ${((Date.now() - t0) / 1000).toFixed(1)} s]`, ...a);

function writeSummary(text) {
  if (summaryFile) fs.writeFileSync(summaryFile, `${text}\n`);
}

function checkInputs() {
  const missing = missingInstall();
  if (missing) return missing;
  if (!fs.existsSync(testsPath)) return `tests module not found: ${testsPath} (build it: node scripts/buildIntegration.mjs)`;
  if (!fs.existsSync(folder)) return `workspace folder not found: ${folder}`;
  if (!fs.existsSync(path.join(extPath, 'package.json'))) return `no extension (package.json) in ${extPath}`;
  return undefined;
}

async function main() {
  const problem = checkInputs();
  if (problem) {
    console.error(problem);
    writeSummary(FAILED_RUN);
    return 1;
  }
  let server;
  let browser;
  let code = 1;
  const resultFile = (state) => path.join(state, 'result.txt');
  try {
    // the in-host runner (test/integration/index.ts) writes its per-test lines and counts there;
    // the extension host inherits the server's environment
    server = await startCodeServer({ env: (state) => ({ TRACE_INSIGHT_TEST_RESULT_FILE: resultFile(state) }) });
  } catch (e) {
    log('error:', e.message);
    writeSummary(FAILED_RUN);
    return 1;
  }
  const inHostResult = resultFile(server.state);
  try {
    log(`code-server up on ${server.authority} (pid ${server.pid})`);
    browser = await launchBrowser();
    const page = browser.pages()[0] || (await browser.newPage());
    let reportExit;
    const exited = new Promise((r) => { reportExit = r; });
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = util.format(...(args || []));
      if (process.env.LOG_ALL || !NOISE.test(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (c) => reportExit(c));
    await page.goto(workbenchUrl(server.authority, folder, extPath, testsPath));
    log(`workbench opened on ${path.relative(root, folder) || folder}`);
    let timer;
    const result = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); })]);
    clearTimeout(timer);
    if (process.env.SCREENSHOT) {
      fs.mkdirSync(path.dirname(path.resolve(process.env.SCREENSHOT)), { recursive: true });
      await page.screenshot({ path: process.env.SCREENSHOT }).then(() => log('screenshot', process.env.SCREENSHOT), (e) => log('screenshot failed:', e.message));
    }
    if (result === 'timeout') {
      log(`no result from the extension host after ${timeoutMs / 1000} s`);
      code = 2;
    } else {
      code = Number(result);
      log('extension host exit code', code);
    }
  } catch (e) {
    log('error:', (e && e.stack) || e);
    code = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  const inHost = fs.existsSync(inHostResult) ? fs.readFileSync(inHostResult, 'utf8').trim() : '';
  await server.stop();
  if (process.env.KEEP_STATE) log('state kept in', server.state);
  // the in-host runner's per-test lines, then its counts; a run that never reported counts as one failure
  const counts = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(inHost);
  const summary = counts && code !== 2 ? counts[0] : FAILED_RUN;
  if (inHost) console.log(inHost.split('\n').filter((l) => !counts || l !== counts[0]).join('\n'));
  if (counts && code === 0 && Number(counts[2]) > 0) code = 1;
  writeSummary(summary);
  console.log(summary);
  return code;
}

main().then((code) => process.exit(code), (e) => { console.error(e); writeSummary(FAILED_RUN); process.exit(1); });
