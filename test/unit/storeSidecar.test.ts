import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/sources/store/fileTraceStore';
import { makeSpan, segmentFiles, tempDir, traceIdOf } from './storeHelpers';

describe('FileTraceStore sealed segments and big traces', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir('ti-sidecar-'); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  const opts = { segmentBytes: 4096 };
  const pad = 'p'.repeat(600);
  const ids = async () => {
    const s = await openStore(dir, opts);
    const out = { list: (await s.listTraces()).map((t) => `${parseInt(t.traceId, 16)}:${t.spanCount}`), warnings: [...s.warnings] };
    await s.close();
    return out;
  };

  async function fill(): Promise<string[]> {
    const s = await openStore(dir, opts);
    for (let i = 1; i <= 30; i++) await s.append([makeSpan(i, 1, { offsetMs: i, attributes: { pad } }), makeSpan(i, 2, { offsetMs: i, attributes: { pad } })]);
    // A late span of trace 2, in a later segment than its trace's first record.
    await s.append([makeSpan(2, 3, { offsetMs: 2 })]);
    const list = (await s.listTraces()).map((t) => `${parseInt(t.traceId, 16)}:${t.spanCount}`);
    await s.close();
    return list;
  }

  it('writes a sidecar index for every sealed segment and reopens from it to the same traces', async () => {
    const expected = await fill();
    assert.equal(expected.length, 30);
    assert.ok(expected.includes('2:3'));
    const segs = segmentFiles(dir);
    assert.ok(segs.length > 5);
    for (const seg of segs.slice(0, -1)) assert.ok(fs.existsSync(seg.replace(/\.tir$/, '.idx')), `${path.basename(seg)} has a sidecar`);
    assert.deepEqual(await ids(), { list: expected, warnings: [] });
  });

  it('falls back to scanning a segment whose sidecar is missing, stale or garbage, and rewrites it', async () => {
    const expected = await fill();
    const [s1, s2, s3] = segmentFiles(dir).map((f) => f.replace(/\.tir$/, '.idx'));
    fs.unlinkSync(s1);
    fs.writeFileSync(s2, '{"v":1,"size":12,"r":[]}');
    fs.writeFileSync(s3, '\u0000garbage');
    assert.deepEqual(await ids(), { list: expected, warnings: [] });
    assert.ok(fs.existsSync(s1));
    assert.notEqual(fs.readFileSync(s2, 'utf8'), '{"v":1,"size":12,"r":[]}');
    assert.deepEqual(await ids(), { list: expected, warnings: [] });
  });

  it('splits a trace of many megabytes into several records and reads every span back', async () => {
    const s = await openStore(dir);
    const big = Array.from({ length: 5000 }, (_, i) => makeSpan(7, i + 1, { offsetMs: i, attributes: { pad: 'q'.repeat(1000) } }));
    assert.deepEqual(await s.append(big), { accepted: 5000, duplicates: 0 });
    await s.close();
    const bytes = fs.readFileSync(segmentFiles(dir)[0]);
    let records = 0;
    for (let i = bytes.indexOf('TIR1'); i >= 0; i = bytes.indexOf('TIR1', i + 1)) records++;
    assert.equal(records, 2, 'about 7 MB of spans make two records of at most 4 MiB');
    const r = await openStore(dir, { readOnly: true });
    const [sum] = await r.listTraces();
    assert.equal(sum.spanCount, 5000);
    const trace = await r.getTrace(traceIdOf(7));
    assert.equal(trace?.spans.length, 5000);
    assert.equal(trace?.spans[4999].spanId, big[4999].spanId);
    await r.close();
  });
});

describe('FileTraceStore read-only refresh', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir('ti-refresh-'); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('picks up what a writer appended, rolled and evicted since open, and tells listeners', async () => {
    let now = 1_000_000;
    const opts = { segmentBytes: 4096, maxAgeMs: 3600_000, now: () => now };
    const writer = await openStore(dir, opts);
    await writer.append([makeSpan(1, 1)]);
    const reader = await openStore(dir, { readOnly: true });
    const heard: string[][] = [];
    reader.onDidAppend((ids) => heard.push(ids));
    assert.deepEqual(await reader.refresh(), []);

    for (let i = 2; i <= 12; i++) await writer.append([makeSpan(i, 1, { offsetMs: i, attributes: { pad: 'p'.repeat(600) } })]);
    await writer.append([makeSpan(1, 2)]);
    assert.ok(segmentFiles(dir).length > 2, 'the writer rolled segments');
    const got = await reader.refresh();
    assert.equal(got.length, 12);
    assert.deepEqual(heard, [got]);
    assert.equal((await reader.listTraces()).length, 12);
    assert.equal((await reader.getTrace(traceIdOf(1)))?.spans.length, 2);

    now += 3600_001;
    await writer.append([makeSpan(13, 1)]);
    assert.deepEqual(await reader.refresh(), [traceIdOf(13)]);
    assert.deepEqual((await reader.listTraces()).map((t) => t.traceId), [traceIdOf(13)]);
    assert.deepEqual(reader.warnings, []);
    await reader.close();
    await writer.close();
  });

  it('waits quietly for a record the writer is still in the middle of', async () => {
    const writer = await openStore(dir);
    await writer.append([makeSpan(1, 1)]);
    await writer.append([makeSpan(2, 1)]);
    await writer.close();
    // Take the second record off the file, then put it back in two writes, as a live writer would.
    const [seg] = segmentFiles(dir);
    const bytes = fs.readFileSync(seg);
    const second = bytes.indexOf('TIR1', 1);
    fs.truncateSync(seg, second);
    const reader = await openStore(dir, { readOnly: true });
    assert.equal(reader.stats().traces, 1);
    fs.appendFileSync(seg, bytes.subarray(second, second + 40));
    assert.deepEqual(await reader.refresh(), []);
    fs.appendFileSync(seg, bytes.subarray(second + 40));
    assert.deepEqual(await reader.refresh(), [traceIdOf(2)]);
    assert.deepEqual(reader.warnings, []);
    await reader.close();
  });
});
