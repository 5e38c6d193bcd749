// What the workbench checks (uiCheck.js, uiCodeLens.js, uiRestricted.js) share: their arguments, a timed
// log, one check per user-visible outcome with a screenshot when it fails, running a palette command, and
// the closing "N passed, N failed, 0 skipped" line (also written to $RESULT_SUMMARY_FILE).
const fs = require('fs');
const path = require('path');
const util = require('util');
const { launchBrowser } = require('./browser');
const { NOISE, root, workbenchUrl } = require('./codeServer');

/** The absolute path given as `--name <path>`; exits with a message when it is missing. */
function pathArg(name) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || !argv[i + 1]) { console.error(`missing --${name}`); process.exit(1); }
  return path.resolve(argv[i + 1]);
}

/** One run of checks: `tag` prefixes the log; screenshots go to $SHOTS or `defaultShots` (relative to the repo). */
function createUiRun(tag, defaultShots) {
  const t0 = Date.now();
  const log = (...a) => console.log(`[${tag} ${((Date.now() - t0) / 1000).toFixed(1)} s]`, ...a);
  const results = [];
  const shots = path.resolve(process.env.SHOTS || path.join(root, defaultShots));

  /** Watches a workbench page; returns its `shot(name)` and `check(name, fn)` (a failed check throws). */
  function attach(page) {
    if (process.env.VERBOSE) {
      page.on('console', (m) => { const t = m.text(); if (!NOISE.test(t)) console.log('  [workbench]', t); });
    }
    page.on('pageerror', (e) => log('page error:', e.message));
    const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`) }).catch((e) => log('screenshot failed:', e.message));
    // a failed check stops the flow: later checks depend on what it showed
    const check = async (name, fn) => {
      try {
        const detail = await fn();
        results.push({ name, ok: true });
        log('PASS', name, detail ? util.format(detail) : '');
      } catch (e) {
        results.push({ name, ok: false });
        log('FAIL', name, '-', e.message.split('\n')[0]);
        await shot(`failed-${results.length}`);
        throw e;
      }
    };
    return { shot, check };
  }

  /**
   * Opens the workbench of `server` on `folder` with the extension at `extPath` in a new browser, runs
   * `flow({ page, shot, check })` and closes the browser. Never rejects: a failed check is in the results
   * already, a failure outside a check (browser start, navigation) is recorded as "ui flow".
   */
  async function inWorkbench(server, folder, extPath, flow) {
    let browser;
    try {
      browser = await launchBrowser();
      const page = browser.pages()[0] || (await browser.newPage());
      const { shot, check } = attach(page);
      await page.goto(workbenchUrl(server.authority, folder, extPath));
      log(`workbench opening on ${path.relative(root, folder)} (${server.authority})`);
      await flow({ page, shot, check });
    } catch {
      if (results.length === 0 || results.every((r) => r.ok)) results.push({ name: 'ui flow', ok: false });
    } finally {
      if (browser) await browser.close().catch(() => {});
    }
  }

  /** Runs `main`, then prints the summary and exits 1 when any check (or the harness) failed. */
  function run(main) {
    fs.mkdirSync(shots, { recursive: true });
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
  }

  return { log, results, shots, attach, inWorkbench, run };
}

/** Runs a command from the palette (F1), by its title. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.pressSequentially(title, { delay: 5 });
  await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${title}"]`).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

module.exports = { pathArg, createUiRun, runCommand };
