// The trace store: opening (rebuilding the index) against reading the same bytes, getTrace and
// listTraces latency, append cost against writing the same JSON, and the heap the index keeps.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { line, medianMs, type BenchLine } from './benchLine';
import type { Span } from '../src/core/model';
import { openStore } from '../src/sources/store/fileTraceStore';

const TRACES = 20_000;
const SPANS_PER_TRACE = 6;

function makeTrace(n: number): Span[] {
  const traceId = n.toString(16).padStart(32, '0');
  const start = 1_700_000_000_000_000 + n * 1000;
  return Array.from({ length: SPANS_PER_TRACE }, (_, i) => ({
    traceId, spanId: (n * 16 + i + 1).toString(16).padStart(16, '0'), parentSpanId: i ? (n * 16 + 1).toString(16).padStart(16, '0') : undefined,
    name: i ? `DynamoDB.GetItem ${i}` : 'GET /orders/{id}', kind: i ? 'client' as const : 'server' as const,
    startUnixUs: start + i * 100, endUnixUs: start + 5000 + i * 100, status: { code: i === 3 && n % 10 === 0 ? 'error' as const : 'unset' as const },
    attributes: { 'http.method': 'GET', 'http.route': '/orders/{id}', 'aws.request_id': `req-${n}-${i}`, 'db.system': 'dynamodb' },
    events: [], links: [],
    resource: { attributes: { 'service.name': 'orders', 'faas.name': `orders-fn-${n % 20}`, 'cloud.provider': 'aws' } },
    scope: { name: '@opentelemetry/instrumentation-aws-sdk', version: '0.49.0' }, origin: { format: 'otlp-json' as const, source: 'bench' },
  }));
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  gc(); gc();
  return process.memoryUsage().heapUsed;
}

export async function run(): Promise<BenchLine[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-bench-store-'));
  const plain = path.join(dir, 'plain.json');
  try {
    const batches: Span[][] = [];
    for (let n = 0; n < TRACES; n += 50) batches.push(Array.from({ length: 50 }, (_, k) => makeTrace(n + k)).flat());
    // Baseline for append, measured first: JSON.stringify of the same batches and one fs write each.
    const fd = fs.openSync(plain, 'w');
    const t0 = process.hrtime.bigint();
    for (const b of batches) fs.writeSync(fd, JSON.stringify(b));
    const plainMs = Number(process.hrtime.bigint() - t0) / 1e6;
    fs.closeSync(fd);

    const storeDir = path.join(dir, 'store');
    const writer = await openStore(storeDir);
    let appendMs = 0;
    for (const b of batches) {
      const t0 = process.hrtime.bigint();
      await writer.append(b);
      appendMs += Number(process.hrtime.bigint() - t0) / 1e6;
    }
    const bytes = writer.stats().bytes;
    await writer.close();

    const segFiles = fs.readdirSync(storeDir).filter((f) => f.endsWith('.tir')).map((f) => path.join(storeDir, f));
    const readMs = await medianMs(async () => { for (const f of segFiles) await fs.promises.readFile(f); }, 3);
    const openMs = await medianMs(async () => { await (await openStore(storeDir, { readOnly: true })).close(); }, 3);
    // Without the sidecar indexes (a crash before sealing, or a store from another version): a full scan.
    const sidecars = fs.readdirSync(storeDir).filter((f) => f.endsWith('.idx')).map((f) => path.join(storeDir, f));
    const saved = sidecars.map((f) => [f, fs.readFileSync(f)] as const);
    for (const f of sidecars) fs.unlinkSync(f);
    const scanMs = await medianMs(async () => { await (await openStore(storeDir, { readOnly: true })).close(); }, 3);
    for (const [f, b] of saved) fs.writeFileSync(f, b);

    const before = heapUsed();
    const store = await openStore(storeDir, { readOnly: true });
    const indexBytes = heapUsed() - before;

    const ids = Array.from({ length: 200 }, (_, i) => ((i * 7919) % TRACES).toString(16).padStart(32, '0'));
    const getMs = (await medianMs(async () => { for (const id of ids) await store.getTrace(id); }, 3)) / ids.length;
    // Baseline for getTrace: reading one trace's bytes with the same open/read/close calls.
    const recordBytes = Math.round(bytes / TRACES);
    const readOneMs = (await medianMs(async () => {
      for (let i = 0; i < ids.length; i++) {
        const fh = await fs.promises.open(segFiles[i % segFiles.length], 'r');
        await fh.read(Buffer.allocUnsafe(recordBytes), 0, recordBytes, 0);
        await fh.close();
      }
    }, 3)) / ids.length;
    const listMs = await medianMs(() => store.listTraces({ limit: 50 }), 5);
    const fnMs = await medianMs(() => store.listTraces({ functionName: 'orders-fn-7', limit: 50 }), 5);
    const sliceMs = await medianMs(() => [...Array(TRACES).keys()].slice(-50), 5);
    await store.close();

    const mb = (bytes / 1e6).toFixed(0);
    return [
      line(`store open (index from sidecars) ${TRACES} traces, ${mb} MB`, openMs, 'ms', 'reading the same segment bytes', readMs, '<= 5'),
      line(`store open (full scan, no sidecars) ${TRACES} traces, ${mb} MB`, scanMs, 'ms', 'reading the same segment bytes', readMs),
      line('store getTrace (6 spans)', getMs, 'ms', 'open/read/close of the same bytes', readOneMs, '<= 3'),
      line(`store listTraces limit 50 of ${TRACES}`, listMs, 'ms', `array of ${TRACES} keys, last 50`, sliceMs),
      line(`store listTraces --function limit 50 of ${TRACES / 20}`, fnMs, 'ms', `array of ${TRACES} keys, last 50`, sliceMs),
      line(`store append ${TRACES * SPANS_PER_TRACE} spans in batches of 300`, appendMs, 'ms', 'JSON.stringify + fs write of the same batches', plainMs, '<= 2'),
      line('store index heap per trace', indexBytes / TRACES, 'bytes/trace', 'bytes on disk per trace', bytes / TRACES, 'ratio <= 0.5'),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
