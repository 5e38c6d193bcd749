import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { openStore, type FileTraceStore } from '../../src/sources/store/fileTraceStore';
import { startOtlpReceiver, type OtlpBatch, type OtlpReceiver } from '../../src/sources/otlpReceiver';
import { PortInUseError } from '../../src/sources/httpListen';
import type { TraceStore } from '../../src/sources/storeApi';
import { serializeSpans } from './helpers/otelSdk';
import { exportWith, post, removeDir, sdkBatch, succeeded, tempDir } from './helpers/receiverKit';

const PB = { 'Content-Type': 'application/x-protobuf' };
const JSON_CT = { 'Content-Type': 'application/json' };

describe('OTLP/HTTP receiver', () => {
  let dir: string;
  let store: FileTraceStore;
  let rx: OtlpReceiver;
  let batches: OtlpBatch[];

  beforeEach(async () => {
    dir = tempDir('otlp-rx-');
    store = await openStore(dir);
    batches = [];
    rx = await startOtlpReceiver({ store, port: 0, maxBodyBytes: 1024 * 1024, onBatch: (b) => batches.push(b) });
  });
  afterEach(async () => {
    await rx.close();
    await store.close();
    removeDir(dir);
  });

  async function checkStored(spans: ReadableSpan[]): Promise<void> {
    const byTrace = new Map<string, ReadableSpan[]>();
    for (const s of spans) byTrace.set(s.spanContext().traceId, [...(byTrace.get(s.spanContext().traceId) ?? []), s]);
    for (const [traceId, sent] of byTrace) {
      const got = await store.getTrace(traceId);
      assert.ok(got, `trace ${traceId} is stored`);
      const rows = got.spans.map((s) => [s.spanId, s.parentSpanId ?? '', s.name, s.attributes['order.n'] ?? s.attributes.k, s.resource.attributes['service.name']]).sort();
      const want = sent.map((s) => [s.spanContext().spanId, s.parentSpanContext?.spanId ?? '', s.name, s.attributes['order.n'] ?? s.attributes.k, 'orders-api']).sort();
      assert.deepEqual(rows, want);
    }
  }

  const exporters: [string, (url: string, gzip: boolean) => SpanExporter, 'protobuf' | 'json'][] = [
    ['exporter-trace-otlp-proto', (url, gzip) => new ProtoExporter({ url, compression: gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE }), 'protobuf'],
    ['exporter-trace-otlp-http', (url, gzip) => new JsonExporter({ url, compression: gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE }), 'json'],
  ];
  for (const [name, make, encoding] of exporters) {
    for (const gzip of [false, true]) {
      it(`stores what the real ${name} sends${gzip ? ' with gzip' : ''}, before answering 200`, async () => {
        const spans = await sdkBatch(3, 4, gzip ? 11 : 7);
        const exporter = make(`${rx.url}/v1/traces`, gzip);
        const result = await exportWith(exporter, spans);
        assert.ok(succeeded(result), `export failed: ${String(result.error)}`);
        // The exporter has its 200: every span must already be readable.
        await checkStored(spans);
        assert.equal(store.stats().spans, 12);
        assert.deepEqual(batches.map((b) => [b.signal, b.status, b.encoding, b.gzip, b.spans, b.accepted]), [['traces', 200, encoding, gzip, 12, 12]]);
        await exporter.shutdown();
      });
    }
  }

  it('answers a truncated protobuf body with 400, stores nothing from it, and keeps serving', async () => {
    const spans = await sdkBatch(1, 3, 21);
    const { protobuf } = serializeSpans(spans);
    const bad = await post(`${rx.url}/v1/traces`, Buffer.from(protobuf.subarray(0, protobuf.length - 9)), PB);
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString('latin1'), /corrupt or truncated protobuf/);
    assert.equal(store.stats().spans, 0);
    const good = await post(`${rx.url}/v1/traces`, Buffer.from(protobuf), PB);
    assert.equal(good.status, 200);
    assert.equal(good.body.length, 0, 'full success is an empty ExportTraceServiceResponse');
    assert.equal(store.stats().spans, 3);
  });

  it('answers malformed JSON with 400 and a google.rpc.Status JSON body', async () => {
    const r = await post(`${rx.url}/v1/traces`, '{"resourceSpans":[{', JSON_CT);
    assert.equal(r.status, 400);
    const body = JSON.parse(r.body.toString()) as { code: number; message: string };
    assert.equal(body.code, 3);
    assert.match(body.message, /malformed JSON/);
  });

  it('answers a gzip bomb with 413 without inflating it all', async () => {
    // 64 MiB of zeros is ~64 KiB of gzip: under the 1 MiB wire limit, far over the 4 MiB inflated cap.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 1024 * 1024);
    const r = await post(`${rx.url}/v1/traces`, bomb, { ...PB, 'Content-Encoding': 'gzip' });
    assert.equal(r.status, 413);
    assert.match(r.body.toString('latin1'), /inflates to more than 4194304 bytes/);
    const ok = await post(`${rx.url}/v1/traces`, Buffer.from(serializeSpans(await sdkBatch(1, 2, 5)).protobuf), PB);
    assert.equal(ok.status, 200);
  });

  it('answers a body over the limit with 413 and keeps serving', async () => {
    const r = await post(`${rx.url}/v1/traces`, crypto.randomBytes(2 * 1024 * 1024), PB);
    assert.equal(r.status, 413);
    const ok = await post(`${rx.url}/v1/traces`, Buffer.from(serializeSpans(await sdkBatch(1, 2, 6)).protobuf), PB);
    assert.equal(ok.status, 200);
    assert.equal(store.stats().spans, 2);
  });

  it('stops reading a chunked body (no Content-Length) once it passes the limit', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${rx.url}/v1/traces`, { method: 'POST', headers: PB, agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      const chunk = crypto.randomBytes(64 * 1024);
      // 1.5 MiB against a 1 MiB limit: the server answers 413 early and drops the rest it is sent.
      let sent = 0;
      const pump = (): void => {
        while (sent < 1536 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) { req.once('drain', pump); return; }
        }
        req.end();
      };
      pump();
    });
    assert.equal(answer, 413);
    assert.equal(rx.counters.statuses[413], 1);
  });

  it('answers other content types with 415', async () => {
    const r = await post(`${rx.url}/v1/traces`, 'hello', { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 415);
    assert.match(r.body.toString('latin1'), /unsupported Content-Type 'text\/plain'/);
    const br = await post(`${rx.url}/v1/traces`, Buffer.from([1, 2, 3]), { ...PB, 'Content-Encoding': 'br' });
    assert.equal(br.status, 415);
    assert.match(br.body.toString('latin1'), /unsupported Content-Encoding 'br'/);
  });

  it('keeps the good spans of a partly bad JSON export and reports the rejected one', async () => {
    const spans = await sdkBatch(1, 3, 31);
    const doc = JSON.parse(serializeSpans(spans).json) as { resourceSpans: { scopeSpans: { spans: { name: string; startTimeUnixNano: string; endTimeUnixNano: string }[] }[] }[] };
    const bad = doc.resourceSpans[0].scopeSpans[0].spans.find((s) => s.name === 'db-2')!;
    bad.endTimeUnixNano = String(BigInt(bad.startTimeUnixNano) - 1000n);
    const r = await post(`${rx.url}/v1/traces`, JSON.stringify(doc), JSON_CT);
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body.toString()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '1');
    assert.match(body.partialSuccess.errorMessage, /"db-2".*ends before it starts/);
    const stored = await store.getTrace(spans[0].spanContext().traceId);
    assert.deepEqual(stored?.spans.map((s) => s.name).sort(), ['GET /orders/0', 'db-1']);
  });

  it('reports partial success in protobuf as partial_success {rejected_spans, error_message}', async () => {
    const spans = await sdkBatch(1, 3, 41);
    const broken = spans.map((s) => (s.name === 'db-1' ? Object.assign(Object.create(s) as ReadableSpan, { kind: 9 }) : s));
    const r = await post(`${rx.url}/v1/traces`, Buffer.from(serializeSpans(broken).protobuf), PB);
    assert.equal(r.status, 200);
    // field 1 (len) { field 1 varint = 1, field 2 string }
    assert.equal(r.body[0], 0x0a);
    assert.equal(r.body[2], 0x08);
    assert.equal(r.body[3], 1);
    assert.equal(r.body[4], 0x12);
    const message = r.body.subarray(6, 6 + r.body[5]).toString('utf8');
    assert.match(message, /"db-1".*unknown span kind 10; span skipped/);
    assert.equal(store.stats().spans, 2);
  });

  it('answers 429 with Retry-After while the store is behind, and 200 once it caught up', async () => {
    await rx.close();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const slow: TraceStore = Object.create(store) as TraceStore;
    let entered = false;
    slow.append = async (spans) => { entered = true; await gate; return store.append(spans); };
    rx = await startOtlpReceiver({ store: slow, port: 0, maxPendingAppends: 1, retryAfterSeconds: 2 });
    const first = post(`${rx.url}/v1/traces`, Buffer.from(serializeSpans(await sdkBatch(1, 2, 51)).protobuf), PB);
    // The first request is held in append; wait until the receiver is there.
    while (!entered) await new Promise((r) => setImmediate(r));
    const second = await post(`${rx.url}/v1/traces`, Buffer.from(serializeSpans(await sdkBatch(1, 2, 52)).protobuf), PB);
    assert.equal(second.status, 429);
    assert.equal(second.headers['retry-after'], '2');
    release();
    assert.equal((await first).status, 200);
    assert.equal(store.stats().spans, 2);
  });

  it('accepts and counts /v1/metrics and /v1/logs so all-signal exporters do not fail', async () => {
    assert.equal((await post(`${rx.url}/v1/metrics`, '{"resourceMetrics":[]}', JSON_CT)).status, 200);
    assert.equal((await post(`${rx.url}/v1/logs`, Buffer.alloc(0), PB)).status, 200);
    assert.equal((await post(`${rx.url}/v1/logs`, '{}', JSON_CT)).status, 200);
    assert.deepEqual(rx.counters.requests, { traces: 0, metrics: 1, logs: 2 });
    assert.equal((await post(`${rx.url}/v2/traces`, '{}', JSON_CT)).status, 404);
  });

  it('names the next free port when its port is taken', async () => {
    const err = await startOtlpReceiver({ store, port: rx.port }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PortInUseError);
    assert.ok(err.freePort !== undefined && err.freePort > rx.port);
    assert.match(err.message, new RegExp(`TCP port ${rx.port} on 127\\.0\\.0\\.1 is already in use.*Port ${err.freePort} is free: --otlp-port ${err.freePort}`));
  });
});
