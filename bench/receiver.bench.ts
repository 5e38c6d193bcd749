// Sustained OTLP/HTTP ingest: the real protobuf exporter, in separate sender processes, sends SDK
// spans over loopback to the receiver, which stores them durably before each 200. Baseline, same
// run, same senders and batches: a bare node http server that reads and discards the bodies.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { line, type BenchLine } from './benchLine';
import { sdkRecorder, startSpan } from '../test/unit/helpers/otelSdk';
import { openStore } from '../src/sources/store/fileTraceStore';
import { startOtlpReceiver } from '../src/sources/otlpReceiver';

const BATCHES = 60;
const SENDERS = 2;
/** The BatchSpanProcessor's default maxExportBatchSize. */
const PER_BATCH = 512;
const LANES = 2;
const RUNS = 3;

/** Lambda-like traces: an invocation span with 7 children (DynamoDB, HTTP), realistic attributes. */
async function makeBatches(seed: number): Promise<ReadableSpan[][]> {
  const rec = sdkRecorder({ 'service.name': 'orders-api', 'faas.name': 'orders-fn', 'cloud.provider': 'aws', 'cloud.region': 'eu-west-1' }, seed);
  const tracer = rec.tracer('@opentelemetry/instrumentation-aws-lambda', '0.75.0');
  const t0 = 1_795_000_000_000;
  const total = BATCHES * PER_BATCH;
  for (let t = 0; t * 8 < total; t++) {
    const root = startSpan(tracer, 'orders-fn', t0 + t, { kind: 1, attributes: { 'faas.trigger': 'http', 'faas.coldstart': t % 50 === 0, 'faas.invocation_id': `inv-${t}`, 'http.route': '/orders/{id}' } });
    for (let k = 0; k < 7; k++) {
      const c = startSpan(tracer, k % 2 ? 'DynamoDB.GetItem' : 'GET', t0 + t + k * 0.1, { kind: 2, attributes: { 'rpc.system': 'aws-api', 'db.system': 'dynamodb', 'aws.dynamodb.table_names': ['orders'], 'http.status_code': 200, 'code.lineno': 40 + k } }, root);
      c.end(t0 + t + k * 0.1 + 0.08);
    }
    root.end(t0 + t + 0.9);
  }
  const spans = rec.spans();
  await rec.shutdown();
  const out: ReadableSpan[][] = [];
  for (let i = 0; i < BATCHES; i++) out.push(spans.slice(i * PER_BATCH, (i + 1) * PER_BATCH));
  return out;
}

/** Sends every batch with LANES exports in flight from this process; resolves when all are acknowledged. */
async function sendAll(url: string, batches: ReadableSpan[][]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url, timeoutMillis: 60_000 });
  let next = 0;
  await Promise.all(Array.from({ length: LANES }, async () => {
    while (next < batches.length) {
      const b = batches[next++];
      const r = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(b, resolve));
      if (r.code !== ExportResultCode.SUCCESS) throw new Error(`export failed: ${String(r.error)}`);
    }
  }));
  await exporter.shutdown();
}

/**
 * Entry point of a sender process: makes its batches, says `ready`, and on each `go URL` line from
 * the parent sends them all and says `done`. Exporters live in their own processes so that the
 * receiver's process does only receiving, as it would in real use.
 */
export async function senderMain(seed: number): Promise<void> {
  const batches = await makeBatches(seed);
  process.stdout.write('ready\n');
  let buf = '';
  process.stdin.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const cmd = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (cmd === 'quit') { process.exit(0); }
      if (cmd.startsWith('go ')) void sendAll(cmd.slice(3), batches).then(() => process.stdout.write('done\n'), (e: unknown) => { process.stdout.write(`error ${String(e)}\n`); });
    }
  });
}

interface Sender {
  send(url: string): Promise<void>;
  quit(): void;
}

async function spawnSender(seed: number): Promise<Sender> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(__filename)}).senderMain(${seed})`], { cwd: path.dirname(__dirname), stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let waiter: (() => void) | undefined;
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); waiter?.(); });
  const next = async (): Promise<string> => {
    for (;;) {
      const nl = out.indexOf('\n');
      if (nl >= 0) { const l = out.slice(0, nl); out = out.slice(nl + 1); return l; }
      if (child.exitCode !== null) throw new Error('sender exited');
      await new Promise<void>((r) => { waiter = r; });
    }
  };
  if ((await next()) !== 'ready') throw new Error('sender did not start');
  return {
    async send(url) {
      child.stdin!.write(`go ${url}\n`);
      const l = await next();
      if (l !== 'done') throw new Error(`sender: ${l}`);
    },
    quit() { child.stdin!.write('quit\n'); },
  };
}

/** All senders send their batches at once; spans per second from the go to the last acknowledgement. */
async function timedSend(senders: Sender[], url: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(senders.map((s) => s.send(url)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return (senders.length * BATCHES * PER_BATCH) / seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function bareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 }); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

export async function run(): Promise<BenchLine[]> {
  const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => spawnSender(0x5eed + i)));
  const total = SENDERS * BATCHES * PER_BATCH;
  const base: number[] = [];
  const rx: number[] = [];
  let lost = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const bare = await bareServer();
      base.push(await timedSend(senders, bare.url));
      await bare.close();

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rx-'));
      const store = await openStore(dir);
      const receiver = await startOtlpReceiver({ store, port: 0 });
      rx.push(await timedSend(senders, `${receiver.url}/v1/traces`));
      await receiver.close();
      lost += total - store.stats().spans;
      await store.close();
      const reopened = await openStore(dir, { readOnly: true });
      lost += total - reopened.stats().spans;
      await reopened.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    for (const s of senders) s.quit();
  }
  const b = median(base);
  const r = median(rx);
  return [
    line(`OTLP/protobuf receiver, durable store (${total} spans from ${SENDERS} exporter processes, ${SENDERS * LANES} exports in flight)`, r, 'spans/s', 'bare node http server discarding the same bodies', b, '>= 50000 spans/s'),
    line('spans lost (stored and after reopen, all runs)', lost, 'spans', 'spans sent per run', total, '0'),
  ];
}
