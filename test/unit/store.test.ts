import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { openStore } from '../../src/sources/store/fileTraceStore';
import { StoreLockedError } from '../../src/sources/store/storeLock';
import { w3cToXrayTraceId } from '../../src/core/ids';
import { makeSpan, segmentFiles, spanIdOf, T0_US, tempDir, traceIdOf } from './storeHelpers';

describe('FileTraceStore', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir('ti-store-'); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('keeps traces across a restart, with summaries and whole spans', async () => {
    const s1 = await openStore(dir);
    const root = makeSpan(1, 1, { name: 'GET /orders', kind: 'server', resource: { attributes: { 'faas.name': 'orders-fn' } }, attributes: { 'faas.coldstart': true } });
    const child = makeSpan(1, 2, { parentSpanId: spanIdOf(1), offsetMs: 5, status: { code: 'error', message: 'boom' } });
    assert.deepEqual(await s1.append([root, child, makeSpan(2, 3, { offsetMs: 1000 })]), { accepted: 3, duplicates: 0 });
    await s1.close();

    const s2 = await openStore(dir);
    assert.deepEqual(s2.warnings, []);
    const list = await s2.listTraces();
    assert.deepEqual(list.map((t) => t.traceId), [traceIdOf(2), traceIdOf(1)]);
    assert.deepEqual(list[1], {
      traceId: traceIdOf(1), rootName: 'GET /orders', startUnixMs: T0_US / 1000, durationMs: 15, spanCount: 2,
      errorCount: 1, coldStart: true, functions: ['orders-fn'],
    });
    const trace = await s2.getTrace(traceIdOf(1));
    assert.deepEqual(trace, { traceId: traceIdOf(1), spans: [root, child] });
    assert.deepEqual(s2.stats().traces, 2);
    assert.equal(s2.stats().spans, 3);
    assert.ok(s2.stats().bytes > 0);
    await s2.close();
  });

  it('accepts X-Ray ids and says undefined for unknown traces', async () => {
    const s = await openStore(dir);
    await s.append([makeSpan(0xabc, 1)]);
    const xray = w3cToXrayTraceId(traceIdOf(0xabc))!;
    assert.equal(s.hasTrace(xray), true);
    assert.equal((await s.getTrace(xray))?.spans.length, 1);
    assert.equal(await s.getTrace(traceIdOf(0xabd)), undefined);
    assert.equal(s.hasTrace('not-an-id'), false);
    await s.close();
  });

  it('merges spans that arrive later, also after a restart', async () => {
    const s1 = await openStore(dir);
    await s1.append([makeSpan(1, 1, { name: 'child-first', parentSpanId: spanIdOf(9), offsetMs: 50 })]);
    assert.equal((await s1.listTraces())[0].rootName, 'child-first');
    await s1.close();
    const s2 = await openStore(dir);
    await s2.append([makeSpan(1, 9, { name: 'root' })]);
    const [sum] = await s2.listTraces();
    assert.equal(sum.rootName, 'root');
    assert.equal(sum.spanCount, 2);
    assert.equal(sum.durationMs, 60);
    assert.deepEqual((await s2.getTrace(traceIdOf(1)))?.spans.map((x) => x.name), ['root', 'child-first']);
    await s2.close();
  });

  it('drops exact duplicates (same trace and span id), within a batch and across restarts', async () => {
    const s1 = await openStore(dir);
    assert.deepEqual(await s1.append([makeSpan(1, 1), makeSpan(1, 1), makeSpan(2, 1)]), { accepted: 2, duplicates: 1 });
    assert.deepEqual(await s1.append([makeSpan(1, 1)]), { accepted: 0, duplicates: 1 });
    await s1.close();
    const s2 = await openStore(dir);
    assert.deepEqual(await s2.append([makeSpan(1, 1), makeSpan(1, 2)]), { accepted: 1, duplicates: 1 });
    assert.equal(s2.stats().spans, 3);
    assert.equal((await s2.getTrace(traceIdOf(1)))?.spans.length, 2);
    await s2.close();
  });

  it('replaces an in-progress span by its completed copy', async () => {
    const s = await openStore(dir);
    await s.append([makeSpan(1, 1, { endUnixUs: undefined })]);
    assert.deepEqual(await s.append([makeSpan(1, 1)]), { accepted: 1, duplicates: 0 });
    assert.deepEqual(await s.append([makeSpan(1, 1)]), { accepted: 0, duplicates: 1 });
    const t = await s.getTrace(traceIdOf(1));
    assert.equal(t?.spans.length, 1);
    assert.equal(t?.spans[0].endUnixUs, T0_US + 10_000);
    assert.equal((await s.listTraces())[0].spanCount, 1);
    // Within one batch the completed copy wins whatever the order.
    assert.deepEqual(await s.append([makeSpan(2, 1), makeSpan(2, 1, { endUnixUs: undefined })]), { accepted: 1, duplicates: 1 });
    assert.equal((await s.getTrace(traceIdOf(2)))?.spans[0].endUnixUs, T0_US + 10_000);
    await s.close();
  });

  it('answers queries by function and time, newest first, with a limit', async () => {
    const s = await openStore(dir);
    for (let i = 1; i <= 6; i++) {
      await s.append([makeSpan(i, 1, { offsetMs: i * 1000, resource: { attributes: { 'faas.name': i % 2 ? 'odd' : 'even' } } })]);
    }
    const ids = (q: Parameters<typeof s.listTraces>[0]) => s.listTraces(q).then((l) => l.map((t) => parseInt(t.traceId, 16)));
    assert.deepEqual(await ids({}), [6, 5, 4, 3, 2, 1]);
    assert.deepEqual(await ids({ functionName: 'odd' }), [5, 3, 1]);
    assert.deepEqual(await ids({ functionName: 'even', limit: 2 }), [6, 4]);
    assert.deepEqual(await ids({ sinceUnixMs: T0_US / 1000 + 3000 }), [6, 5, 4, 3]);
    assert.deepEqual(await ids({ sinceUnixMs: T0_US / 1000 + 2000, untilUnixMs: T0_US / 1000 + 4000, functionName: 'even' }), [2]);
    assert.deepEqual(await ids({ functionName: 'none' }), []);
    await s.close();
  });

  it('tells listeners which traces got new spans', async () => {
    const s = await openStore(dir);
    const seen: string[][] = [];
    const sub = s.onDidAppend((ids) => seen.push(ids));
    await s.append([makeSpan(1, 1), makeSpan(2, 1)]);
    await s.append([makeSpan(1, 1)]);
    sub.dispose();
    await s.append([makeSpan(3, 1)]);
    assert.deepEqual(seen, [[traceIdOf(1), traceIdOf(2)]]);
    await s.close();
  });

  it('evicts traces older than the age limit, by the injected clock, and they stay gone', async () => {
    let now = 1_000_000;
    const s1 = await openStore(dir, { maxAgeMs: 3600_000, now: () => now });
    await s1.append([makeSpan(1, 1)]);
    now += 1800_000;
    await s1.append([makeSpan(2, 1)]);
    now += 1900_000; // trace 1 was written 62 min ago, trace 2 32 min ago
    await s1.append([makeSpan(3, 1)]);
    assert.deepEqual((await s1.listTraces()).map((t) => parseInt(t.traceId, 16)), [3, 2]);
    assert.equal(s1.hasTrace(traceIdOf(1)), false);
    await s1.close();
    const s2 = await openStore(dir, { maxAgeMs: 3600_000, now: () => now });
    assert.deepEqual((await s2.listTraces()).map((t) => parseInt(t.traceId, 16)), [3, 2]);
    await s2.close();
    now += 3600_001;
    const s3 = await openStore(dir, { maxAgeMs: 3600_000, now: () => now });
    assert.equal(s3.stats().traces, 0);
    await s3.close();
  });

  it('evicts the oldest traces when over the size limit and never resurrects their late spans', async () => {
    const big = 'x'.repeat(900);
    const opts = { maxBytes: 20_000, segmentBytes: 5_000 };
    const s1 = await openStore(dir, opts);
    for (let i = 1; i <= 60; i++) {
      await s1.append([makeSpan(i, 1, { offsetMs: i, attributes: { pad: big } })]);
      // A late span of trace 1 lands in a newer segment than its first span.
      if (i === 10) await s1.append([makeSpan(1, 2, { offsetMs: 1, attributes: { pad: big } })]);
    }
    const left = (await s1.listTraces()).map((t) => parseInt(t.traceId, 16));
    assert.ok(s1.stats().bytes <= 20_000, `bytes ${s1.stats().bytes}`);
    assert.ok(left.length > 5 && left.length < 60, `kept ${left.length}`);
    assert.deepEqual(left, Array.from({ length: left.length }, (_, i) => 60 - i), 'the newest traces are the ones kept');
    assert.ok(segmentFiles(dir).length <= 5);
    await s1.close();
    const s2 = await openStore(dir, opts);
    assert.deepEqual((await s2.listTraces()).map((t) => parseInt(t.traceId, 16)), left);
    assert.equal(s2.hasTrace(traceIdOf(1)), false);
    await s2.close();
  });

  it('skips a torn last record with a warning, loads the rest, and keeps appending readably', async () => {
    const s1 = await openStore(dir);
    for (let i = 1; i <= 3; i++) await s1.append([makeSpan(i, 1)]);
    await s1.close();
    const [seg] = segmentFiles(dir);
    const size = fs.statSync(seg).size;
    fs.truncateSync(seg, size - 100); // cut the third record in the middle

    const s2 = await openStore(dir);
    assert.equal(s2.warnings.length, 2);
    assert.match(s2.warnings[0], /torn last record at byte \d+ \(record of \d+ bytes cut short/);
    assert.match(s2.warnings[1], /truncated to \d+ bytes/);
    assert.deepEqual((await s2.listTraces()).map((t) => parseInt(t.traceId, 16)), [2, 1]);
    await s2.append([makeSpan(4, 1)]);
    await s2.close();

    const s3 = await openStore(dir);
    assert.deepEqual(s3.warnings, []);
    assert.equal(s3.stats().traces, 3);
    assert.equal((await s3.getTrace(traceIdOf(4)))?.spans[0].spanId, spanIdOf(1));
    await s3.close();
  });

  it('skips a record whose checksum does not match and keeps the records after it', async () => {
    const s1 = await openStore(dir);
    for (let i = 1; i <= 3; i++) await s1.append([makeSpan(i, 1, { name: `name-${i}` })]);
    await s1.close();
    const [seg] = segmentFiles(dir);
    const bytes = fs.readFileSync(seg);
    const at = bytes.indexOf('name-2');
    bytes[at] = 'N'.charCodeAt(0);
    fs.writeFileSync(seg, bytes);

    const s2 = await openStore(dir);
    assert.equal(s2.warnings.length, 1);
    assert.match(s2.warnings[0], /bad record at byte \d+ \(checksum mismatch\)/);
    assert.deepEqual((await s2.listTraces()).map((t) => parseInt(t.traceId, 16)), [3, 1]);
    assert.equal((await s2.getTrace(traceIdOf(3)))?.spans[0].name, 'name-3');
    await s2.close();
  });

  it('lets one writer in; a second gets a clear error, a reader still opens', async () => {
    const w = await openStore(dir);
    await w.append([makeSpan(1, 1)]);
    await assert.rejects(openStore(dir), (e: unknown) => e instanceof StoreLockedError && /in use by process \d+/.test(e.message));
    const r = await openStore(dir, { readOnly: true });
    assert.equal(r.stats().traces, 1);
    await assert.rejects(r.append([makeSpan(2, 1)]), /read-only/);
    await r.close();
    await w.close();
    const w2 = await openStore(dir);
    await w2.close();
  });

  it('takes over a lock left by a dead writer or by an earlier boot', async () => {
    const lock = `${dir}/writer.lock`;
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    fs.writeFileSync(lock, `${dead.stdout.toString()}\n`);
    await (await openStore(dir)).close();
    // pid 1 is alive, but a lock file written before this boot cannot be its.
    fs.writeFileSync(lock, '1\n');
    const longAgo = new Date(Date.now() - os.uptime() * 1000 - 3600_000);
    fs.utimesSync(lock, longAgo, longAgo);
    await (await openStore(dir)).close();
    fs.writeFileSync(lock, '1\n');
    await assert.rejects(openStore(dir), /in use by process 1 /);
  });

  it('opens a missing directory read-only as an empty store without creating it', async () => {
    const missing = `${dir}/nope`;
    const r = await openStore(missing, { readOnly: true });
    assert.deepEqual(await r.listTraces(), []);
    assert.equal(fs.existsSync(missing), false);
    await r.close();
  });
});
