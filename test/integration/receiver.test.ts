import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PutTraceSegmentsCommand, XRayClient } from '@aws-sdk/client-xray';
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReceiverStartOutcome } from '../../src/editor/receiverController';
import type { XRayFetchOutcome } from '../../src/editor/xrayFetchCommand';
import type { TraceInsightApi } from '../../src/extension';
import { FAKE_AWS_ENV, startMoto, type Moto } from '../unit/helpers/moto';

const EXTENSION_ID = 'trace-insight.serverless-trace-insight';
const SETTINGS = ['storePath', 'receiver.otlpPort', 'receiver.xrayPort', 'watchFiles', 'xray.endpoint', 'xray.region', 'xray.since'];

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(ok(), `timed out waiting for ${what}`);
}

function start(): Thenable<ReceiverStartOutcome> {
  return vscode.commands.executeCommand<ReceiverStartOutcome>('traceInsight.startReceiver');
}

/** True when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

describe('Trace Insight: local receiver and Fetch X-Ray Traces', function () {
  this.timeout(120_000);
  let ext: vscode.Extension<TraceInsightApi>;
  let api: TraceInsightApi;
  let dir: string;
  let defaultStore: string;
  const config = () => vscode.workspace.getConfiguration('traceInsight');

  before(async () => {
    ext = vscode.extensions.getExtension<TraceInsightApi>(EXTENSION_ID)!;
    api = await ext.activate();
    defaultStore = api.storeDir;
    // a store of its own, so the traces sent here do not change what the other suites count
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-receiver-store-'));
    await config().update('storePath', dir, vscode.ConfigurationTarget.Global);
    await waitFor('the store to move', () => api.storeDir === dir);
    await config().update('receiver.otlpPort', 0, vscode.ConfigurationTarget.Global);
    await config().update('receiver.xrayPort', 0, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand('traceInsight.stopReceiver');
    for (const key of SETTINGS) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the store to move back', () => api.storeDir === defaultStore);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('contributes the three commands under "Trace Insight" and every setting with a default, scope and description', () => {
    const pkg = ext.packageJSON;
    const contributed = (pkg.contributes.commands as { command: string; title: string; category: string }[]).map((c) => `${c.category}: ${c.title} (${c.command})`);
    assert.deepEqual(contributed.filter((c) => /Receiver|fetchXRay/.test(c)), [
      'Trace Insight: Start Local Receiver (traceInsight.startReceiver)',
      'Trace Insight: Stop Local Receiver (traceInsight.stopReceiver)',
      'Trace Insight: Fetch X-Ray Traces (traceInsight.fetchXRayTraces)',
    ]);
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; scope: string; markdownDescription: string }>;
    const keys = ['receiver.host', 'receiver.otlpPort', 'receiver.xrayPort', 'receiver.autoStart', 'watchFiles', 'xray.region', 'xray.profile', 'xray.endpoint', 'xray.filterExpression', 'xray.since'];
    assert.deepEqual(keys.map((k) => props[`traceInsight.${k}`]?.default), ['127.0.0.1', 4318, 2000, false, [], '', '', '', '', '1h']);
    for (const k of keys) assert.ok(props[`traceInsight.${k}`].scope && props[`traceInsight.${k}`].markdownDescription.length > 40, k);
    // a workspace's own settings must not aim the receiver or signed AWS calls anywhere before it is trusted
    const restricted = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations as string[];
    for (const k of ['receiver.host', 'receiver.otlpPort', 'receiver.xrayPort', 'receiver.autoStart', 'watchFiles', 'xray.endpoint', 'xray.profile']) {
      assert.ok(restricted.includes(`traceInsight.${k}`), `traceInsight.${k} is not restricted`);
    }
  });

  it('receives spans from the real OTLP protobuf exporter and an X-Ray datagram, counts them in the status bar, and closes its ports on stop', async () => {
    const outcome = await start();
    assert.equal(outcome.started, true, outcome.message);
    assert.equal(outcome.status.state, 'running');
    const otlpUrl = outcome.status.otlpUrl!;
    const [, xrayPort] = outcome.status.xrayAddress!.split(':');
    assert.match(otlpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(outcome.message, new RegExp(`OTLP/HTTP at ${otlpUrl}/v1/traces, X-Ray daemon at udp 127\\.0\\.0\\.1:${xrayPort}`));

    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout-fn', 'faas.name': 'checkout-fn', 'cloud.provider': 'aws' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` }))],
    });
    const tracer = provider.getTracer('receiver-test');
    let traceId = '';
    tracer.startActiveSpan('checkout-fn', (root) => {
      traceId = root.spanContext().traceId;
      const ctx = trace.setSpan(context.active(), root);
      tracer.startSpan('DynamoDB.PutItem', undefined, ctx).end();
      tracer.startSpan('POST', undefined, ctx).end();
      root.end();
    });
    await provider.forceFlush();
    await provider.shutdown();

    const store = await api.openStore();
    const got = await store.getTrace(traceId);
    assert.deepEqual(got?.spans.map((s) => s.name).sort(), ['DynamoDB.PutItem', 'POST', 'checkout-fn']);
    await waitFor('the status bar to count 3 spans', () => api.forTests.statusBarText === '$(pulse) 1 trace $(radio-tower) 3 spans received');

    const nowSec = Date.now() / 1000;
    const xrayTraceId = `1-${Math.floor(nowSec).toString(16)}-5a1e5a1e5a1e5a1e5a1e5a1e`;
    const segment = { trace_id: xrayTraceId, id: 'a1b2c3d4e5f60718', name: 'payments-fn', origin: 'AWS::Lambda::Function', start_time: nowSec - 1, end_time: nowSec };
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => socket.send(`{"format":"json","version":1}\n${JSON.stringify(segment)}`, Number(xrayPort), '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    socket.close();
    await waitFor('the X-Ray segment to be counted', () => api.forTests.statusBarText === '$(pulse) 2 traces $(radio-tower) 4 spans received');
    assert.deepEqual((await store.getTrace(xrayTraceId))?.spans.map((s) => s.name), ['payments-fn']);

    const port = Number(new URL(otlpUrl).port);
    assert.equal(await listening(port), true);
    assert.equal(await vscode.commands.executeCommand('traceInsight.stopReceiver'), true);
    assert.equal(await listening(port), false, 'the OTLP port is still open after Stop Local Receiver');
    // the receiver's lifetime ended, the store's did not
    assert.equal(api.forTests.statusBarText, '$(pulse) 2 traces');
    assert.equal((await api.openStore()).stats().spans, 4);
    assert.equal(await vscode.commands.executeCommand('traceInsight.stopReceiver'), false);
  });

  it('does not start when the OTLP port is taken, and names the next free port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await config().update('receiver.otlpPort', taken, vscode.ConfigurationTarget.Global);
      const outcome = await start();
      assert.equal(outcome.started, false);
      assert.equal(outcome.status.state, 'stopped');
      assert.equal(outcome.portInUse?.setting, 'receiver.otlpPort');
      assert.equal(outcome.portInUse?.port, taken);
      const free = outcome.portInUse?.freePort;
      assert.ok(free !== undefined && free > taken && free <= taken + 50, `free port ${free}`);
      assert.equal(outcome.message, `Cannot start the local receiver: OTLP/HTTP port ${taken} on 127.0.0.1 is already in use (another receiver, an OpenTelemetry Collector or the X-Ray daemon?). Port ${free} is free.`);
      assert.equal(api.forTests.statusBarText, '$(pulse) 2 traces');
    } finally {
      blocker.close();
      await config().update('receiver.otlpPort', 0, vscode.ConfigurationTarget.Global);
    }
  });

  it('does not start on a store another process writes to, says why, and starts once that process stops', async () => {
    const locked = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-receiver-locked-'));
    // another writer, as `trace-insight serve` would be: the store's writer.lock names a live process
    const writer = spawn('sleep', ['60'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(locked, 'writer.lock'), `${writer.pid}\n`);
    try {
      await config().update('storePath', locked, vscode.ConfigurationTarget.Global);
      await waitFor('the store to move', () => api.storeDir === locked);
      const refused = await start();
      assert.equal(refused.started, false);
      assert.equal(refused.status.state, 'stopped');
      assert.match(refused.message, new RegExp(`^Cannot start the local receiver: it needs to write to the trace store, and another program is writing to it\\. trace store ${locked} is in use by process ${writer.pid}`));
      writer.kill();
      await once(writer, 'exit');
      const outcome = await start();
      assert.equal(outcome.started, true, outcome.message);
      assert.equal(await vscode.commands.executeCommand('traceInsight.stopReceiver'), true);
    } finally {
      writer.kill();
      await config().update('storePath', dir, vscode.ConfigurationTarget.Global);
      await waitFor('the store to move back', () => api.storeDir === dir);
    }
  });

  it('tails the watched Collector files while it runs, and restarts on the new port when the port setting changes', async () => {
    const watchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-watch-'));
    const file = path.join(watchDir, 'traces.jsonl');
    try {
      await config().update('watchFiles', [file], vscode.ConfigurationTarget.Global);
      const outcome = await start();
      assert.equal(outcome.started, true, outcome.message);
      assert.deepEqual(outcome.status.watching, [file]);
      assert.match(outcome.message, /Tailing .*traces\.jsonl\.$/);
      // one Collector file-exporter line: the cold start of orders-api (3 spans)
      const request = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'test/fixtures/traces/otel-lambda-1.json'), 'utf8'));
      fs.appendFileSync(file, `${JSON.stringify(request)}\n`);
      await waitFor('the watched file to be read', () => api.forTests.statusBarText === '$(pulse) 3 traces $(radio-tower) 3 spans received');
      const store = await api.openStore();
      assert.equal((await store.getTrace('b41192ef1b5fae7fd4b9b6f76e3ef943'))?.spans.length, 3);

      const oldPort = Number(new URL(outcome.status.otlpUrl!).port);
      const newPort = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
      });
      await config().update('receiver.otlpPort', newPort, vscode.ConfigurationTarget.Global);
      for (let i = 0; i < 100 && !(await listening(newPort)); i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await listening(newPort), true, `nothing listens on the new port ${newPort}`);
      assert.equal(await listening(oldPort), false, `the old port ${oldPort} is still open`);
      assert.equal((await start()).status.otlpUrl, `http://127.0.0.1:${newPort}`);
    } finally {
      await vscode.commands.executeCommand('traceInsight.stopReceiver');
      await config().update('watchFiles', undefined, vscode.ConfigurationTarget.Global);
      await config().update('receiver.otlpPort', 0, vscode.ConfigurationTarget.Global);
      fs.rmSync(watchDir, { recursive: true, force: true });
    }
  });

  describe('Fetch X-Ray Traces from a real moto server', () => {
    let moto: Moto;
    const savedEnv = { ...process.env };
    const t1 = `1-${Math.floor(Date.now() / 1000 - 600).toString(16)}-a1b2c3d4e5f6a7b8c9d0e1f2`;
    const t2 = `1-${Math.floor(Date.now() / 1000 - 300).toString(16)}-0f1e2d3c4b5a69788796a5b4`;

    before(async () => {
      moto = await startMoto();
      // the SDK's default chain reads them from the extension host's environment, as it would a user's
      Object.assign(process.env, FAKE_AWS_ENV);
      const client = new XRayClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const s = Date.now() / 1000 - 600;
      const docs = [
        { trace_id: t1, id: '1111111111111111', name: 'orders-fn', origin: 'AWS::Lambda::Function', start_time: s, end_time: s + 0.25,
          subsegments: [{ id: '3333333333333333', name: 'DynamoDB', namespace: 'aws', start_time: s + 0.1, end_time: s + 0.2 }] },
        { trace_id: t2, id: '4444444444444444', name: 'api', start_time: s + 300, end_time: s + 301 },
      ];
      const put = await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: docs.map((d) => JSON.stringify(d)) }));
      client.destroy();
      assert.deepEqual(put.UnprocessedTraceSegments ?? [], []);
      await config().update('xray.endpoint', moto.endpoint, vscode.ConfigurationTarget.Global);
      await config().update('xray.region', 'us-east-1', vscode.ConfigurationTarget.Global);
    });
    after(async () => {
      process.env = savedEnv;
      await moto?.stop();
    });

    it('stores the traces of the last hour and says how many; a second fetch skips them', async () => {
      const first = await vscode.commands.executeCommand<XRayFetchOutcome>('traceInsight.fetchXRayTraces');
      assert.equal(first.failure, undefined, first.message);
      assert.equal(first.message, 'Fetched 2 traces (3 new spans) from X-Ray: found 2 traces in the last 1h, 0 already stored.');
      const store = await api.openStore();
      assert.deepEqual((await store.getTrace(t1))?.spans.map((s) => s.name).sort(), ['DynamoDB', 'orders-fn']);
      assert.deepEqual((await store.getTrace(t2))?.spans.map((s) => s.name), ['api']);
      const second = await vscode.commands.executeCommand<XRayFetchOutcome>('traceInsight.fetchXRayTraces');
      assert.equal(second.message, 'Fetched 0 traces (0 new spans) from X-Ray: found 2 traces in the last 1h, 2 already stored.');
    });

    it('says what to set when the profile has no credentials, and stores nothing', async () => {
      const empty = path.join(dir, 'empty-aws-config');
      fs.writeFileSync(empty, '');
      Object.assign(process.env, { AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty });
      await config().update('xray.profile', 'ti-no-such-profile', vscode.ConfigurationTarget.Global);
      try {
        const spansBefore = (await api.openStore()).stats().spans;
        const outcome = await vscode.commands.executeCommand<XRayFetchOutcome>('traceInsight.fetchXRayTraces');
        assert.equal(outcome.failure, 'credentials', outcome.message);
        assert.match(outcome.message, /^No AWS credentials found\. .*set traceInsight\.xray\.profile to a profile in ~\/\.aws\/config/);
        assert.equal((await api.openStore()).stats().spans, spansBefore);
      } finally {
        await config().update('xray.profile', undefined, vscode.ConfigurationTarget.Global);
        delete process.env.AWS_CONFIG_FILE;
        delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      }
    });

    it('explains a since setting that is not a duration, without calling AWS', async () => {
      await config().update('xray.since', 'yesterday', vscode.ConfigurationTarget.Global);
      const outcome = await vscode.commands.executeCommand<XRayFetchOutcome>('traceInsight.fetchXRayTraces');
      assert.deepEqual(outcome, { failure: 'settings', message: 'traceInsight.xray.since must be a duration such as 30m, 6h or 2d, not "yesterday".' });
    });
  });
});
