import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { openStore } from '../../src/sources/store/fileTraceStore';
import { exportWith, removeDir, sdkBatch, succeeded, tempDir } from './helpers/receiverKit';

const ROOT = path.resolve(__dirname, '../..');
const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

interface Served {
  child: ChildProcess;
  otlpUrl: string;
  xrayPort: number;
  /** Everything printed so far. */
  out(): string;
  /** Resolves when stdout has matched `re`. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

/** `trace-insight serve` as its own process (through tsx, so no build is needed). */
async function serve(storeDir: string, extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--store', storeDir, '--otlp-port', '0', '--xray-port', '0', ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); for (const w of waiters.splice(0)) w(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); for (const w of waiters.splice(0)) w(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { for (const w of waiters.splice(0)) w(); resolve(code); }));
  const waitFor = async (re: RegExp): Promise<RegExpMatchArray> => {
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serve exited before printing ${String(re)}:\n${out}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const otlp = await waitFor(/otlp listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const xray = await waitFor(/xray listening on udp 127\.0\.0\.1:(\d+)/);
  return { child, otlpUrl: otlp[1], xrayPort: Number(xray[1]), out: () => out, waitFor, exited };
}

describe('trace-insight serve', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => { for (const d of dirs) removeDir(d); });
  const newDir = (): string => { const d = tempDir('serve-'); dirs.push(d); return d; };

  it('prints a line per batch from both receivers and the watched file, and stops cleanly on SIGINT', async () => {
    const dir = newDir();
    const watched = path.join(dir, 'collector-out.json');
    const s = await serve(path.join(dir, 'store'), ['--watch', watched]);
    const spans = await sdkBatch(3, 4, 99);
    const exporter = new OTLPTraceExporter({ url: `${s.otlpUrl}/v1/traces`, compression: CompressionAlgorithm.GZIP });
    assert.ok(succeeded(await exportWith(exporter, spans)));
    await exporter.shutdown();
    await s.waitFor(/otlp 127\.0\.0\.1:\d+ 12 spans \(protobuf, gzip\)\n/);
    const datagram = fs.readFileSync(path.join(CORPUS, 'captured/udp/node-sdk-plain-segment.txt'));
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => sock.send(datagram, s.xrayPort, '127.0.0.1', (e) => { sock.close(); if (e) reject(e); else resolve(); }));
    const m = await s.waitFor(/xray udp:127\.0\.0\.1:\d+ (\d+) spans from 1 datagrams\n/);
    // The first 12 lines of the real Collector output hold 15 spans among metrics and logs lines.
    const lines = fs.readFileSync(path.join(CORPUS, 'otlp/fileexporter/otel-tui/test_data.json'), 'utf8').split('\n').slice(0, 12);
    fs.writeFileSync(watched, lines.join('\n') + '\n');
    await s.waitFor(/file .*collector-out\.json 12 lines, 15 spans\n/);
    s.child.kill('SIGINT');
    assert.equal(await s.exited, 0);
    assert.match(s.out(), /stopping\n/);
    const store = await openStore(path.join(dir, 'store'), { readOnly: true });
    assert.equal(store.stats().spans, 12 + Number(m[1]) + 15);
    await store.close();
  });

  it('says which port is taken and which one is free instead of crashing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--store', newDir(), '--otlp-port', String(port), '--xray-port', 'off'], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    blocker.close();
    assert.equal(code, 1);
    assert.match(err, new RegExp(`trace-insight serve: TCP port ${port} on 127\\.0\\.0\\.1 is already in use .*Port \\d+ is free: --otlp-port \\d+\\.`));
  });

  it('keeps every span acknowledged with 200 when killed with SIGKILL mid-stream', async () => {
    const dir = newDir();
    const s = await serve(dir);
    const exporter = new OTLPTraceExporter({ url: `${s.otlpUrl}/v1/traces`, timeoutMillis: 1500 });
    const acked: ReadableSpan[] = [];
    let sent = 0;
    let killed = false;
    // Two lanes of exports; the kill lands while at least one export is in flight.
    const lane = async (lane: number): Promise<void> => {
      for (let i = 0; !killed; i++) {
        const spans = await sdkBatch(10, 5, 1000 + lane * 1000 + i);
        sent++;
        const pending = exportWith(exporter, spans);
        // Kill right after an export has started, so at least that one is in flight when the process dies.
        if (acked.length >= 400 && !killed) { killed = true; s.child.kill('SIGKILL'); }
        const r = await pending;
        if (!succeeded(r)) return;
        acked.push(...spans);
      }
    };
    await Promise.all([lane(1), lane(2)]);
    if (!killed) s.child.kill('SIGKILL');
    await s.exited;
    assert.ok(killed, `the stream ended before the kill:\n${s.out()}`);
    await exporter.shutdown();
    assert.ok(sent * 50 > acked.length, 'the kill left an export unanswered');
    const store = await openStore(dir);
    const missing: string[] = [];
    for (const span of acked) {
      const t = await store.getTrace(span.spanContext().traceId);
      if (!t?.spans.some((x) => x.spanId === span.spanContext().spanId)) missing.push(span.spanContext().spanId);
    }
    assert.deepEqual(missing, []);
    assert.ok(store.stats().spans >= acked.length);
    await store.close();
  });
});
