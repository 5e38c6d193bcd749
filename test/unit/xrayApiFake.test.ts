import assert from 'node:assert/strict';
import { normalizeTraceId } from '../../src/core/ids';
import { openStore, type FileTraceStore } from '../../src/sources/store/fileTraceStore';
import { pullXRayTraces, type PullProgress, type XRayPullOptions } from '../../src/sources/xrayApi/xrayApiSource';
import { splitWindow } from '../../src/sources/xrayApi/timeWindow';
import { fakeTrace, startFakeXRay, type FakeTrace, type FakeXRay, type FakeXRayOptions } from './helpers/fakeXRay';
import { FAKE_AWS_ENV } from './helpers/moto';
import { removeDir, tempDir } from './helpers/receiverKit';

const HOUR_MS = 3_600_000;
const END_MS = Date.UTC(2026, 10, 20, 12, 0, 0);

/** `n` traces, one every `everyMin` minutes back from END_MS, alternating two services. */
function traces(n: number, everyMin: number): FakeTrace[] {
  return Array.from({ length: n }, (_, i) => fakeTrace(i + 1, (END_MS - (i + 1) * everyMin * 60_000) / 1000, i % 2 ? 'billing-fn' : 'orders-fn'));
}

describe('X-Ray API source against the loopback fake (paging, filters, throttling, Transaction Search)', () => {
  let fake: FakeXRay | undefined;
  let dir: string;
  let store: FileTraceStore;
  let sleeps: number[];
  let progress: PullProgress[];
  const savedEnv: Record<string, string | undefined> = {};

  before(() => {
    // The default credential chain reads these, as it would in a developer's shell.
    for (const [k, v] of Object.entries({ ...FAKE_AWS_ENV, AWS_EC2_METADATA_DISABLED: 'true' })) { savedEnv[k] = process.env[k]; process.env[k] = v; }
  });
  after(() => {
    for (const [k, v] of Object.entries(savedEnv)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  });
  beforeEach(async () => {
    dir = tempDir('xray-fake-');
    store = await openStore(dir);
    sleeps = [];
    progress = [];
  });
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
    await store.close();
    removeDir(dir);
  });

  async function pull(fakeOpts: FakeXRayOptions, o: Partial<XRayPullOptions> = {}): Promise<Awaited<ReturnType<typeof pullXRayTraces>>> {
    fake = await startFakeXRay(fakeOpts);
    return pullXRayTraces({
      store, endpoint: fake.endpoint, region: 'eu-west-1', startUnixMs: END_MS - 14 * HOUR_MS, endUnixMs: END_MS,
      retry: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 },
      onProgress: (p) => progress.push(p),
      ...o,
    });
  }
  const callsTo = (path: string) => fake!.calls.filter((c) => c.path === path);

  it('cuts 14 h into 6 h windows, follows every NextToken, and fetches in batches of at most 5', async () => {
    const all = traces(26, 30); // one every 30 min over 13 h
    const r = await pull({ traces: all, pageSize: 4 });
    assert.equal(r.traceIdsFound, 26);
    assert.equal(r.tracesFetched, 26);
    assert.equal(r.spansAccepted, 52);
    const windows = callsTo('/TraceSummaries').filter((c) => !c.body.NextToken).map((c) => [Number(c.body.StartTime) * 1000, Number(c.body.EndTime) * 1000]);
    assert.deepEqual(windows, splitWindow(END_MS - 14 * HOUR_MS, END_MS).map((w) => [w.startUnixMs, w.endUnixMs]));
    assert.deepEqual(windows.map(([s, e]) => (e - s) / HOUR_MS), [6, 6, 2]);
    assert.ok(callsTo('/TraceSummaries').some((c) => c.body.NextToken), 'pages were followed');
    const batches = callsTo('/Traces').map((c) => (c.body.TraceIds as string[]).length);
    assert.deepEqual(batches, [5, 5, 5, 5, 5, 1]);
    for (const t of all) {
      const got = await store.getTrace(t.id);
      assert.deepEqual(got?.spans.map((s) => s.name).sort(), [t.service, `work-${Number.parseInt(t.id.slice(-24), 16)}`].sort());
    }
  });

  it('passes the filter expression through and stores only what it selects', async () => {
    const all = traces(10, 20);
    const r = await pull({ traces: all }, { filterExpression: 'service("orders-fn")' });
    assert.ok(callsTo('/TraceSummaries').every((c) => c.body.FilterExpression === 'service("orders-fn")'));
    assert.equal(r.traceIdsFound, 5);
    const names = (await store.listTraces()).map((s) => s.rootName);
    assert.deepEqual([...new Set(names)], ['orders-fn']);
  });

  it('reports a filter the service refuses as the service error', async () => {
    await assert.rejects(pull({ traces: traces(2, 20) }, { filterExpression: 'nonsense(' }), /Invalid filter expression nonsense\(/);
  });

  it('retries ThrottledException (429) and dropped connections with exponential backoff and jitter', async () => {
    const r = await pull({ traces: traces(7, 20), throttle: { '/TraceSummaries': 2, '/Traces': 1 }, reset: { '/GetTraceSegmentDestination': 1 } });
    assert.equal(r.tracesFetched, 7);
    // random() = 0.5 of a 200 ms ceiling doubling per attempt.
    assert.deepEqual(sleeps, [100, 200, 100, 100]);
    const retries = progress.flatMap((p) => (p.kind === 'retry' ? [[p.what, p.attempt, p.reason]] : []));
    assert.deepEqual(retries.map((r) => r.slice(0, 2)), [['GetTraceSummaries', 1], ['GetTraceSummaries', 2], ['GetTraceSegmentDestination', 1], ['BatchGetTraces', 1]]);
    assert.match(String(retries[0][2]), /^ThrottledException: Rate exceeded/);
    assert.match(String(retries[2][2]), /socket hang up|ECONNRESET/);
    assert.equal(callsTo('/Traces').filter((c) => c.status === 429).length, 1);
  });

  it('gives up after the last attempt with the service error', async () => {
    await assert.rejects(pull({ traces: traces(2, 20), throttle: { '/TraceSummaries': 99 } }, { retry: { maxAttempts: 3, sleep: async () => undefined } }),
      (e: Error) => e.name === 'ThrottledException');
    assert.equal(callsTo('/TraceSummaries').length, 3);
  });

  it('asks again for UnprocessedTraceIds and reports those never returned', async () => {
    const all = traces(6, 20);
    const r = await pull({ traces: all, unprocessedOnce: [all[1].id, all[5].id], neverProcessed: [all[3].id] });
    assert.deepEqual(r.unprocessed, [all[3].id]);
    assert.equal(r.tracesFetched, 5);
    assert.ok(store.hasTrace(normalizeTraceId(all[1].id)!));
    assert.ok(store.hasTrace(normalizeTraceId(all[5].id)!));
    assert.ok(!store.hasTrace(normalizeTraceId(all[3].id)!));
    const asked = callsTo('/Traces').map((c) => (c.body.TraceIds as string[]).length);
    assert.deepEqual(asked.slice(0, 2), [5, 1]);
    assert.ok(asked.length > 2, 'unprocessed ids were asked for again');
  });

  it('does not fetch traces already in the store', async () => {
    const all = traces(4, 20);
    fake = await startFakeXRay({ traces: all });
    const opts = { store, endpoint: fake.endpoint, region: 'eu-west-1', startUnixMs: END_MS - HOUR_MS * 2, endUnixMs: END_MS };
    await pullXRayTraces({ ...opts, filterExpression: 'service("billing-fn")' });
    const before = callsTo('/Traces').length;
    const r = await pullXRayTraces(opts);
    assert.equal(r.traceIdsSkipped, 2);
    assert.deepEqual(callsTo('/Traces').slice(before).flatMap((c) => c.body.TraceIds as string[]).sort(), [all[0].id, all[2].id].sort());
  });

  it('uses StartTraceRetrieval + ListRetrievedTraces when Transaction Search is on', async () => {
    const all = traces(130, 6);
    const r = await pull({ traces: all, pageSize: 50, destination: 'CloudWatchLogs', runningPolls: 2, retrievedPageSize: 40 });
    assert.equal(r.mode, 'transaction-search');
    assert.equal(r.tracesFetched, 130);
    assert.equal(r.spansAccepted, 260);
    assert.deepEqual(r.unprocessed, []);
    assert.equal(callsTo('/Traces').length, 0);
    assert.deepEqual(callsTo('/StartTraceRetrieval').map((c) => (c.body.TraceIds as string[]).length), [100, 30]);
    assert.ok(callsTo('/ListRetrievedTraces').every((c) => c.body.TraceFormat === 'XRAY'));
    // Per retrieval: two RUNNING polls, each followed by a wait, then pages of 40 (100 ids: 3 pages; 30 ids: 1).
    assert.equal(sleeps.length, 4);
    assert.equal(callsTo('/ListRetrievedTraces').length, (2 + 3) + (2 + 1));
    assert.ok(progress.some((p) => p.kind === 'destination' && p.destination === 'CloudWatchLogs'));
  });

  it('stops when cancelled and keeps what it stored before', async () => {
    const ac = new AbortController();
    const all = traces(12, 20);
    fake = await startFakeXRay({ traces: all });
    let batches = 0;
    const p = pullXRayTraces({
      store, endpoint: fake.endpoint, region: 'eu-west-1', startUnixMs: END_MS - 6 * HOUR_MS, endUnixMs: END_MS, signal: ac.signal,
      onProgress: (e) => { if (e.kind === 'fetched' && ++batches === 1) ac.abort(); },
    });
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    assert.equal(store.stats().traces, 5, 'the first batch of 5 stays stored');
  });
});
