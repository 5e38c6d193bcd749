#!/usr/bin/env node
// Restricted Mode in the real workbench: opens a folder never trusted before (Workspace Trust on), runs the
// commands that would listen or call AWS, and checks that they explain why they do not, that nothing
// listens on the receiver ports, and that the X-Ray endpoint (a loopback server of this script) gets no request.
//
// Usage: node scripts/vscode/uiRestricted.js --ext <extension dir> --folder <workspace>
// Env:   SHOTS (screenshot dir, default .test-output/ui-restricted), RESULT_SUMMARY_FILE, plus codeServer.js's
// Ends with "N passed, N failed, 0 skipped"; exit code 1 when a check failed.
const dgram = require('dgram');
const http = require('http');
const net = require('net');
const { startCodeServer, freePort } = require('./codeServer');
const { createUiRun, pathArg, runCommand } = require('./uiKit');

const extPath = pathArg('ext');
const folder = pathArg('folder');
const RECEIVER_TEXT = 'The local receiver does not listen for traces in Restricted Mode: this workspace is not trusted.';
const XRAY_TEXT = 'X-Ray traces are not fetched in Restricted Mode: this workspace is not trusted.';

const { log, inWorkbench, run } = createUiRun('uiRestricted', '.test-output/ui-restricted');

function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Resolves with the connect error code ('ECONNREFUSED' when nothing listens), or 'connected'. */
function tcpProbe(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.on('connect', () => { sock.destroy(); resolve('connected'); });
    sock.on('error', (e) => resolve(e.code));
  });
}

/** Resolves with 'free' when this process can bind the UDP port itself (no receiver holds it), else the error code. */
function udpProbe(port) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.on('error', (e) => { s.close(); resolve(e.code); });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve('free')));
  });
}

async function main() {
  // the stand-in for AWS: any request it gets is a request the extension should not have made
  const requests = [];
  const aws = http.createServer((req, res) => { requests.push(`${req.method} ${req.url}`); req.resume(); res.writeHead(500).end(); });
  await new Promise((r) => aws.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${aws.address().port}`;
  const otlpPort = await freePort();
  const xrayPort = await freeUdpPort();
  const server = await startCodeServer({
    trust: true,
    settings: {
      'traceInsight.receiver.otlpPort': otlpPort,
      'traceInsight.receiver.xrayPort': xrayPort,
      // would start the receivers at activation in a trusted workspace
      'traceInsight.receiver.autoStart': true,
      'traceInsight.xray.endpoint': endpoint,
      'traceInsight.xray.region': 'us-east-1',
    },
    // credentials an SDK client would sign with, so that only the trust check stands between it and the endpoint
    env: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  log(`otlpPort ${otlpPort}, xrayPort ${xrayPort}, X-Ray endpoint ${endpoint}`);
  await inWorkbench(server, folder, extPath, async ({ page, shot, check }) => {
    await check('workbench shows the workspace in Restricted Mode', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 120_000 });
      const item = page.locator('.statusbar-item', { hasText: 'Restricted Mode' });
      await item.first().waitFor({ timeout: 60_000 });
      return (await item.first().innerText()).trim();
    });

    await check('the extension runs in Restricted Mode (its status bar item is there)', async () => {
      await page.locator('.statusbar-item', { hasText: 'Trace Insight' }).first().waitFor({ timeout: 60_000 });
      await shot('1-restricted');
    });

    await check('"Start Local Receiver" explains that it does not listen in Restricted Mode', async () => {
      await runCommand(page, 'Trace Insight: Start Local Receiver');
      const announced = page.locator('.monaco-alert', { hasText: RECEIVER_TEXT });
      await announced.first().waitFor({ state: 'attached', timeout: 30_000 });
      return (await announced.first().textContent()).trim();
    });

    await check('"Fetch X-Ray Traces" explains that it does not fetch in Restricted Mode', async () => {
      await runCommand(page, 'Trace Insight: Fetch X-Ray Traces');
      const announced = page.locator('.monaco-alert', { hasText: XRAY_TEXT });
      await announced.first().waitFor({ state: 'attached', timeout: 30_000 });
      return (await announced.first().textContent()).trim();
    });

    await check('both notifications offer "Manage Workspace Trust"', async () => {
      await runCommand(page, 'Notifications: Show Notifications');
      for (const text of [RECEIVER_TEXT, XRAY_TEXT]) {
        const item = page.locator('.notifications-center .notification-list-item', { hasText: text });
        await item.first().waitFor({ timeout: 30_000 });
        await item.first().locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: 10_000 });
      }
      await shot('2-notifications');
    });

    await check('nothing listens on the OTLP port (TCP connect is refused)', async () => {
      const got = await tcpProbe(otlpPort);
      if (got !== 'ECONNREFUSED') throw new Error(`connecting to 127.0.0.1:${otlpPort} gave ${got}`);
      return `127.0.0.1:${otlpPort} ${got}`;
    });

    await check('nothing holds the X-Ray UDP port (this process can bind it)', async () => {
      const got = await udpProbe(xrayPort);
      if (got !== 'free') throw new Error(`binding udp 127.0.0.1:${xrayPort} gave ${got}`);
      return `udp 127.0.0.1:${xrayPort} ${got}`;
    });

    await check('the X-Ray endpoint received no request', async () => {
      if (requests.length) throw new Error(`it received ${requests.length}: ${requests.join(', ')}`);
      return `${endpoint}: 0 requests`;
    });
  });
  await server.stop();
  aws.close();
}

run(main);
