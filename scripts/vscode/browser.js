// Launches Debian's headless Chromium through playwright-core, with a throw-away profile.
// (Never a downloaded browser: these machines reach only the npm registry and Debian's packages.)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Starts Chromium ($CHROMIUM, default /usr/bin/chromium) with a fresh profile under $HARNESS_TMP (default
 * the OS temp dir; keep it short: Chromium's SingletonSocket must fit the ~107-byte Unix socket limit).
 * Returns the persistent context; closing it also deletes the profile.
 */
async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: run "bash scripts/vscode/setupCodeServer.sh" (installs Debian's chromium) or set CHROMIUM`);
  }
  const base = process.env.HARNESS_TMP || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const profile = fs.mkdtempSync(path.join(base, 'ti-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    // crashpad, fontconfig caches etc. go to the profile, not $HOME
    env: { ...process.env, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    args: CHROMIUM_ARGS,
  });
  const close = context.close.bind(context);
  context.close = async () => {
    try { await close(); } finally { fs.rmSync(profile, { recursive: true, force: true }); }
  };
  return context;
}

module.exports = { launchBrowser };
