import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregateInvocations } from '../../src/core/analysis/aggregates';
import { extractInvocations, parseLambdaArn, type Invocation } from '../../src/core/analysis/invocations';
import type { Span } from '../../src/core/model';
import { decodeXRay } from '../../src/core/xray';
import { T0_US, lambdaSpan, sid, span } from './analysisSpans';

/** One OTel invocation: entry span plus an optional init span child. */
function otelInvocation(fn: string, startMs: number, durMs: number | null, o: { cold?: boolean; initMs?: number; error?: boolean; version?: string; memoryMb?: number } = {}): Span[] {
  const traceId = sid().padStart(32, '0');
  const entry = lambdaSpan(fn, { traceId, startMs, durMs, cold: o.cold ?? false, error: o.error, version: o.version, memoryMb: o.memoryMb ?? 512, arch: 'arm64' });
  const out = [entry];
  if (o.initMs !== undefined) out.push(span({ traceId, parent: entry.spanId, name: 'Initialization', startMs: startMs - o.initMs, durMs: o.initMs }));
  return out;
}

describe('analysis: per-function aggregates', () => {
  const spans = [
    ...otelInvocation('orders', 0, 100, { cold: true, initMs: 250.4 }),
    ...otelInvocation('orders', 1000, 20.2),
    ...otelInvocation('orders', 2000, 30, { error: true }),
    ...otelInvocation('orders', 3000, 50),
    ...otelInvocation('billing', 500, 7),
  ];
  const aggs = aggregateInvocations(extractInvocations(spans));
  const orders = aggs.find((a) => a.functionName === 'orders')!;

  it('finds one row per function, sorted by name', () => {
    assert.deepEqual(aggs.map((a) => [a.functionName, a.invocations]), [['billing', 1], ['orders', 4]]);
  });

  it('computes nearest-rank percentiles over handler durations', () => {
    // sorted [20.2, 30, 50, 100]: p50 rank ceil(0.5*4)=2 -> 30; p90 rank ceil(3.6)=4 -> 100
    assert.equal(orders.duration.p50Ms, 30);
    assert.equal(orders.duration.p90Ms, 100);
    assert.equal(orders.duration.p99Ms, 100);
    assert.equal(orders.duration.maxMs, 100);
    assert.equal(orders.duration.percentileMethod, 'exact');
  });

  it('counts errors and cold starts as fractions of invocations', () => {
    assert.equal(orders.errors, 1);
    assert.equal(orders.errorRate, 1 / 4);
    assert.equal(orders.faultRate, 1 / 4); // OTel status ERROR = the function failed
    assert.equal(orders.coldStarts, 1);
    assert.equal(orders.coldStartRate, 1 / 4);
    assert.equal(orders.init.p50Ms, 250.4);
    assert.equal(orders.init.p95Ms, 250.4);
  });

  it('bills each duration rounded up to 1 ms', () => {
    // ceil(100) + ceil(20.2) + ceil(30) + ceil(50) = 100 + 21 + 30 + 50
    assert.equal(orders.billedDurationMsTotal, 201);
    assert.equal(orders.billedInitMsTotal, 251); // ceil(250.4)
  });

  it('reads memory from faas.max_memory (bytes) and the architecture from host.arch', () => {
    assert.equal(orders.memoryMb, 512);
    assert.equal(orders.architecture, 'arm64');
    assert.equal(orders.region, 'us-east-1');
  });

  it('keeps only the window [since, until)', () => {
    const since = T0_US / 1000 + 1000, until = T0_US / 1000 + 3000;
    const w = aggregateInvocations(extractInvocations(spans), { sinceUnixMs: since, untilUnixMs: until });
    assert.deepEqual(w.map((a) => [a.functionName, a.invocations]), [['orders', 2]]);
    assert.equal(w[0].coldStarts, 0);
  });

  it('splits versions and merges them into the function total', () => {
    const v = [...otelInvocation('api', 0, 10, { version: '7' }), ...otelInvocation('api', 10, 20, { version: '7' }), ...otelInvocation('api', 20, 40, { version: '8', cold: true })];
    const [api] = aggregateInvocations(extractInvocations(v));
    assert.equal(api.invocations, 3);
    assert.deepEqual(api.versions.map((x) => [x.version, x.invocations, x.duration.maxMs, x.coldStarts]), [['7', 2, 20, 0], ['8', 1, 40, 1]]);
    assert.equal(api.duration.p50Ms, 20);
  });

  it('takes the version from the ARN qualifier when faas.version is absent', () => {
    assert.deepEqual(parseLambdaArn('arn:aws:lambda:eu-west-1:123456789012:function:orders:live'), { region: 'eu-west-1', functionName: 'orders', qualifier: 'live' });
    const s = lambdaSpan('orders', { attrs: { 'cloud.resource_id': 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live' } });
    assert.equal(extractInvocations([s])[0].version, 'live');
  });

  describe('edge cases', () => {
    it('one invocation: every percentile is its duration', () => {
      const [a] = aggregateInvocations(extractInvocations(otelInvocation('one', 0, 42.5)));
      assert.deepEqual([a.invocations, a.duration.p50Ms, a.duration.p99Ms, a.coldStartRate], [1, 42.5, 42.5, 0]);
    });

    it('all cold: cold-start rate 1', () => {
      const s = [0, 1, 2].flatMap((i) => otelInvocation('cold', i * 100, 10, { cold: true, initMs: 100 + i }));
      const [a] = aggregateInvocations(extractInvocations(s));
      assert.equal(a.coldStartRate, 1);
      assert.equal(a.init.p50Ms, 101);
    });

    it('a span without an end is counted as in progress, not as a 0 ms duration', () => {
      const s = [...otelInvocation('live', 0, null), ...otelInvocation('live', 10, 30)];
      const [a] = aggregateInvocations(extractInvocations(s));
      assert.equal(a.invocations, 2);
      assert.equal(a.inProgress, 1);
      assert.equal(a.duration.count, 1);
      assert.equal(a.duration.p50Ms, 30);
    });

    it('a zero-length span is a 0 ms invocation billed 0 ms', () => {
      const [a] = aggregateInvocations(extractInvocations(otelInvocation('zero', 0, 0)));
      assert.equal(a.duration.p50Ms, 0);
      assert.equal(a.billedDurationMsTotal, 0);
    });

    it('clock skew: an end before the start counts as 0 ms, never negative', () => {
      const s = otelInvocation('skew', 0, 10);
      s[0].endUnixUs = s[0].startUnixUs - 5000;
      const [a] = aggregateInvocations(extractInvocations(s));
      assert.equal(a.duration.minMs, 0);
    });
  });

  describe('X-Ray', () => {
    const fnSeg = span({ name: 'orders-fn', startMs: 0, durMs: 400, xray: { type: 'segment', origin: 'AWS::Lambda::Function', fault: true } });
    const init = span({ name: 'Initialization', parent: fnSeg.spanId, startMs: 0, durMs: 300, xray: { type: 'subsegment' } });
    const inv = span({ name: 'Invocation', parent: fnSeg.spanId, startMs: 300, durMs: 90, xray: { type: 'subsegment' } });
    const throttled = span({ name: 'other-fn', startMs: 0, durMs: 1, xray: { type: 'segment', origin: 'AWS::Lambda', throttle: true } });

    it('a function segment with an Initialization subsegment is a cold start; its duration is the Invocation subsegment', () => {
      const [v] = extractInvocations([fnSeg, init, inv]);
      assert.deepEqual([v.functionName, v.coldStart, v.initDurationMs, v.durationMs, v.fault], ['orders-fn', true, 300, 90, true]);
    });

    it('SnapStart: a Restore subsegment makes a cold start with its restore time', () => {
      const seg = span({ name: 'java-fn', startMs: 0, durMs: 500, xray: { type: 'segment', origin: 'AWS::Lambda::Function' } });
      const restore = span({ name: 'Restore', parent: seg.spanId, startMs: 0, durMs: 180.5, xray: { type: 'subsegment' } });
      const invoke = span({ name: 'Invocation', parent: seg.spanId, startMs: 181, durMs: 300, xray: { type: 'subsegment' } });
      const [a] = aggregateInvocations(extractInvocations([seg, restore, invoke]));
      assert.deepEqual([a.coldStarts, a.restore.p50Ms, a.init.count, a.duration.p50Ms], [1, 180.5, 0, 300]);
    });

    it('clock skew between segments: subsegments reported by another clock do not change the counts', () => {
      // the Initialization subsegment starts 40 ms before its function segment and the Invocation
      // subsegment ends after it: durations are taken from each span's own clock
      const seg = span({ name: 'skewed', startMs: 100, durMs: 200, xray: { type: 'segment', origin: 'AWS::Lambda::Function' } });
      const init = span({ name: 'Initialization', parent: seg.spanId, startMs: 60, durMs: 120, xray: { type: 'subsegment' } });
      const inv = span({ name: 'Invocation', parent: seg.spanId, startMs: 190, durMs: 150, xray: { type: 'subsegment' } });
      const [v] = extractInvocations([inv, init, seg]);
      assert.deepEqual([v.coldStart, v.initDurationMs, v.durationMs], [true, 120, 150]);
    });

    it('one invocation seen by X-Ray and OpenTelemetry together counts once', () => {
      // ADOT: the OTel Lambda span's parent is the X-Ray function segment of the same invocation
      const seg = span({ name: 'orders', startMs: 0, durMs: 400, xray: { type: 'segment', origin: 'AWS::Lambda::Function' }, attrs: { 'faas.invocation_id': 'req-1' } });
      const init = span({ name: 'Initialization', parent: seg.spanId, startMs: 0, durMs: 250, xray: { type: 'subsegment' } });
      const otel = lambdaSpan('orders', { parent: seg.spanId, startMs: 260, durMs: 120, cold: true, memoryMb: 256, attrs: { 'faas.invocation_id': 'req-1' } });
      const invs = extractInvocations([otel, init, seg]);
      assert.equal(invs.length, 1);
      assert.deepEqual([invs[0].evidence, invs[0].coldStart, invs[0].initDurationMs, invs[0].memoryMb], ['xray-function', true, 250, 256]);
      // the same request id on two OTel spans of one function (e.g. exported twice under two scopes)
      const a = lambdaSpan('billing', { attrs: { 'faas.invocation_id': 'req-2' } });
      const b = lambdaSpan('billing', { attrs: { 'faas.invocation_id': 'req-2' }, error: true });
      const two = extractInvocations([a, b]);
      assert.deepEqual(two.map((v) => [v.spanId, v.fault]), [[a.spanId, true]]);
    });

    it('X-Ray documents: the version comes from the resource ARN qualifier, INIT from the Initialization subsegment', () => {
      const doc = (id: string, arn: string, start: number, cold: boolean) => JSON.stringify({
        name: 'orders-fn', id, trace_id: '1-6b025824-3050f64fc7eae9a18ddc71d2', start_time: start, end_time: start + 0.5,
        origin: 'AWS::Lambda::Function', resource_arn: arn,
        subsegments: [
          ...(cold ? [{ id: `${id.slice(0, 15)}1`, name: 'Initialization', start_time: start, end_time: start + 0.2 }] : []),
          { id: `${id.slice(0, 15)}2`, name: 'Invocation', start_time: start + 0.2, end_time: start + 0.45 },
        ],
      });
      const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-fn';
      const r = decodeXRay([doc('aaaaaaaaaaaaaaa0', `${arn}:live`, 1795315748, true), doc('bbbbbbbbbbbbbbb0', `${arn}:7`, 1795315749, false)].join('\n'), 'docs');
      assert.deepEqual(r.errors, []);
      const [a] = aggregateInvocations(extractInvocations(r.spans));
      assert.deepEqual(a.versions.map((v) => [v.version, v.invocations, v.coldStarts]).sort(), [['7', 1, 0], ['live', 1, 1]]);
      assert.ok(Math.abs(a.init.p50Ms - 200) < 1e-6);
      assert.ok(Math.abs(a.duration.p50Ms - 250) < 1e-6);
      assert.equal(a.region, 'eu-west-1');
    });

    it('a throttled AWS::Lambda segment counts as a throttle, not an invocation', () => {
      const [a] = aggregateInvocations(extractInvocations([throttled]));
      assert.deepEqual([a.functionName, a.invocations, a.throttles, a.throttleRate], ['other-fn', 0, 1, 1]);
    });
  });

  it('invariants on random invocations: rates in [0, 1], versions add up, billed >= measured (property)', () => {
    const inv = fc.record({
      fn: fc.constantFrom('a', 'b'), version: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
      dur: fc.option(fc.double({ min: -5, max: 5000, noNaN: true }), { nil: undefined }),
      fault: fc.boolean(), error: fc.boolean(), throttle: fc.boolean(), cold: fc.boolean(), init: fc.option(fc.double({ min: 0, max: 3000, noNaN: true }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(inv, { maxLength: 80 }), (rows) => {
      const invs: Invocation[] = rows.map((r, i) => ({
        functionName: r.fn, ...(r.version ? { version: r.version } : {}), traceId: 't', spanId: String(i), startUnixUs: T0_US + i,
        ...(r.dur !== undefined && !r.throttle ? { durationMs: r.dur } : {}), error: r.error, fault: r.fault, throttle: r.throttle,
        coldStart: r.cold, ...(r.cold && r.init !== undefined ? { initDurationMs: r.init } : {}), evidence: 'otel',
      }));
      for (const a of aggregateInvocations(invs)) {
        for (const rate of [a.errorRate, a.faultRate, a.throttleRate, a.coldStartRate]) if (!(rate >= 0 && rate <= 1)) return false;
        if (a.versions.length && a.versions.reduce((n, v) => n + v.invocations, 0) !== a.invocations) return false;
        if (a.duration.count + a.inProgress !== a.invocations) return false;
        const measured = invs.filter((v) => v.functionName === a.functionName && !v.throttle && v.durationMs !== undefined).reduce((n, v) => n + Math.max(0, v.durationMs as number), 0);
        if (a.billedDurationMsTotal < measured - 1e-9) return false;
      }
      return true;
    }), { numRuns: 200 });
  });
});
