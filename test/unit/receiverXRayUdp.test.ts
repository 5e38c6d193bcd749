import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { promisify } from 'node:util';
import { normalizeTraceId } from '../../src/core/ids';
import { openStore, type FileTraceStore } from '../../src/sources/store/fileTraceStore';
import { startXRayUdpReceiver, type XRayUdpReceiver } from '../../src/sources/xrayUdpReceiver';
import { PortInUseError } from '../../src/sources/httpListen';
import type { DecodeError } from '../../src/core/model';
import { removeDir, tempDir } from './helpers/receiverKit';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

// Both scripts use the real aws-xray-sdk-core exactly as an application would.
const PLAIN = `
const AWSXRay = require('aws-xray-sdk-core');
const seg = new AWSXRay.Segment('orders-svc');
seg.addAnnotation('orderId', 'o-1');
const charge = seg.addNewSubsegment('charge');
const call = charge.addNewSubsegment('payments.example.com');
call.namespace = 'remote';
call.close();
charge.addError(new Error('card declined'));
charge.close();
seg.close();
console.log(JSON.stringify({ traceId: seg.trace_id, seg: seg.id, charge: charge.id, call: call.id }));
`;
const LAMBDA = `
const AWSXRay = require('aws-xray-sdk-core');
const facade = AWSXRay.getSegment();
const handler = facade.addNewSubsegment('## index.handler');
handler.addAnnotation('ColdStart', true);
const db = handler.addNewSubsegment('DynamoDB');
db.namespace = 'aws';
const marshal = db.addNewSubsegment('marshal');
marshal.close();
db.close();
handler.close();
console.log(JSON.stringify({ traceId: facade.trace_id, handler: handler.id, db: db.id, marshal: marshal.id }));
`;

async function runSdk(script: string, port: number, env: Record<string, string> = {}): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`, AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR', AWS_XRAY_DEBUG_MODE: '', ...env },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
}

function send(port: number, payload: Buffer | string): Promise<void> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => s.send(payload, port, '127.0.0.1', (e) => { s.close(); if (e) reject(e); else resolve(); }));
}

/** Waits (without a clock) until `n` datagrams arrived and are stored. */
async function settle(rx: XRayUdpReceiver, n: number): Promise<void> {
  while (rx.counters.datagrams < n) await new Promise((r) => setTimeout(r, 5));
  await rx.flush();
}

/** Waits until `n` datagrams arrived (not necessarily stored). */
async function settleCount(rx: XRayUdpReceiver, n: number): Promise<void> {
  while (rx.counters.datagrams < n) await new Promise((r) => setTimeout(r, 5));
}

describe('X-Ray daemon UDP receiver', () => {
  let dir: string;
  let store: FileTraceStore;
  let rx: XRayUdpReceiver;
  let errors: DecodeError[];

  beforeEach(async () => {
    dir = tempDir('xray-rx-');
    store = await openStore(dir);
    errors = [];
    rx = await startXRayUdpReceiver({ store, port: 0, maxDatagramBytes: 4096, onError: (e) => errors.push(e) });
  });
  afterEach(async () => {
    await rx.close();
    await store.close();
    removeDir(dir);
  });

  it('stores a whole segment sent by the real aws-xray-sdk-core in plain mode', async () => {
    const ids = await runSdk(PLAIN, rx.port);
    await settle(rx, 1);
    const trace = await store.getTrace(ids.traceId);
    assert.ok(trace);
    const rows = trace.spans.map((s) => [s.name, s.spanId, s.parentSpanId ?? '', s.xray?.type]).sort();
    assert.deepEqual(rows, [
      ['charge', ids.charge, ids.seg, 'subsegment'],
      ['orders-svc', ids.seg, '', 'segment'],
      ['payments.example.com', ids.call, ids.charge, 'subsegment'],
    ].sort());
    const charge = trace.spans.find((s) => s.name === 'charge')!;
    assert.equal(charge.status.code, 'error');
    assert.equal(charge.xray?.exceptions?.[0].message, 'card declined');
    assert.equal(trace.spans.find((s) => s.name === 'orders-svc')!.xray?.annotations?.orderId, 'o-1');
    assert.equal(trace.traceId, normalizeTraceId(ids.traceId));
  });

  it('merges the lone subsegments of Lambda mode (child before parent) into one trace', async () => {
    const root = '1-6740f3a1-5c1d2e3f4a5b6c7d8e9f0a1b';
    const ids = await runSdk(LAMBDA, rx.port, { LAMBDA_TASK_ROOT: '/var/task', _X_AMZN_TRACE_ID: `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` });
    assert.equal(ids.traceId, root);
    await settle(rx, 3);
    const trace = await store.getTrace(root);
    assert.ok(trace);
    const rows = trace.spans.map((s) => [s.name, s.spanId, s.parentSpanId ?? '']).sort();
    assert.deepEqual(rows, [
      ['## index.handler', ids.handler, '53995c3f42cd8ad8'],
      ['DynamoDB', ids.db, ids.handler],
      ['marshal', ids.marshal, ids.db],
    ].sort());
    assert.equal(rx.counters.spansAccepted, 3);
    assert.equal(rx.counters.errors, 0);
  });

  it('sends nothing in Lambda mode when the invocation is not sampled', async () => {
    await runSdk(LAMBDA, rx.port, { LAMBDA_TASK_ROOT: '/var/task', _X_AMZN_TRACE_ID: 'Root=1-6740f3a1-000000000000000000000001;Parent=53995c3f42cd8ad8;Sampled=0' });
    // A sampled run afterwards: once its datagram is in, an unsampled one would have been too.
    const ids = await runSdk(PLAIN, rx.port);
    await settle(rx, 1);
    assert.equal(rx.counters.datagrams, 1);
    assert.equal(store.stats().spans, 3);
    assert.ok(store.hasTrace(ids.traceId));
  });

  it('counts oversized and garbage datagrams as errors and keeps serving', async () => {
    await send(rx.port, Buffer.alloc(5000, 0x41));
    await send(rx.port, 'not a datagram at all');
    await send(rx.port, Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    await settle(rx, 3);
    assert.equal(rx.counters.errors, 3);
    assert.match(errors[0].reason, /datagram of 5000 bytes is over the 4096 byte limit/);
    assert.ok(errors.every((e) => e.source.startsWith('udp:127.0.0.1:')));
    const ids = await runSdk(PLAIN, rx.port);
    await settle(rx, 4);
    assert.equal((await store.getTrace(ids.traceId))?.spans.length, 3);
  });

  it('drops datagrams past its queue bound while the store is behind, and says so', async () => {
    await rx.close();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let entered = false;
    const slow = Object.create(store) as FileTraceStore;
    slow.append = async (spans) => { entered = true; await gate; return store.append(spans); };
    rx = await startXRayUdpReceiver({ store: slow, port: 0, maxQueuedSpans: 1, onError: (e) => errors.push(e) });
    const doc = (n: number): string => `{"format":"json","version":1}\n${JSON.stringify({
      trace_id: '1-6740f3a1-00000000000000000000000a', id: `00000000000000a${n}`, name: `svc-${n}`, start_time: 1732310000 + n, end_time: 1732310001 + n })}`;
    await send(rx.port, doc(1));
    while (!entered) await new Promise((r) => setTimeout(r, 5));
    await send(rx.port, doc(2));
    await settleCount(rx, 2);
    await send(rx.port, doc(3));
    await settleCount(rx, 3);
    release();
    await rx.flush();
    assert.deepEqual((await store.getTrace('6740f3a100000000000000000000000a'))?.spans.map((s) => s.name).sort(), ['svc-1', 'svc-2']);
    assert.equal(rx.counters.droppedSpans, 1);
    assert.match(errors[0].reason, /store is behind: 1 spans dropped/);
  });

  it('names the next free port when its port is taken', async () => {
    const err = await startXRayUdpReceiver({ store, port: rx.port }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PortInUseError);
    assert.match(err.message, new RegExp(`UDP port ${rx.port} on 127\\.0\\.0\\.1 is already in use.*--xray-port ${err.freePort}`));
  });
});
