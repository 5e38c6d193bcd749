// Analysis speed: per-function aggregates over 1M invocations and a 1k-trace batch against exact
// percentiles by Float64Array.sort of the same durations; the critical path of 10k and 100k-span
// traces (linear: the 100k time against 10 × the 10k time), against sorting their end times.
import { line, medianMs, type BenchLine } from './benchLine';
import { aggregateInvocations } from '../src/core/analysis/aggregates';
import { criticalPath } from '../src/core/analysis/criticalPath';
import { extractInvocations, type Invocation } from '../src/core/analysis/invocations';
import { nearestRank } from '../src/core/analysis/percentiles';
import type { Span, Trace } from '../src/core/model';

const T0 = 1_795_315_600_000_000;

/** Deterministic PRNG (mulberry32) so every run measures the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal-ish Lambda durations (ms), 20 functions, 1 % cold with an INIT time, 2 % faults. */
function invocations(n: number): Invocation[] {
  const r = rng(7);
  const out: Invocation[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const cold = r() < 0.01;
    out[i] = {
      functionName: `fn-${i % 20}`, traceId: 't', spanId: 's', startUnixUs: T0 + i * 1000,
      durationMs: Math.exp(3 + r() * 2.5), error: false, fault: r() < 0.02, throttle: false, coldStart: cold,
      ...(cold ? { initDurationMs: 150 + r() * 400 } : {}), evidence: 'otel',
    };
  }
  return out;
}

/** The baseline: exact p50/p95/p99 per function by copying durations into a Float64Array and sorting. */
function exactBySort(invs: readonly Invocation[]): number {
  const byFn = new Map<string, number[]>();
  for (const v of invs) {
    let list = byFn.get(v.functionName);
    if (!list) byFn.set(v.functionName, (list = []));
    list.push(v.durationMs as number);
  }
  let sum = 0;
  for (const list of byFn.values()) {
    const a = Float64Array.from(list).sort();
    sum += nearestRank(a, 0.5) + nearestRank(a, 0.95) + nearestRank(a, 0.99);
  }
  return sum;
}

function span(traceId: string, spanId: string, parent: string | undefined, startUs: number, endUs: number, o: Partial<Span> = {}): Span {
  return {
    traceId, spanId, ...(parent ? { parentSpanId: parent } : {}), name: 'op', kind: 'internal', startUnixUs: startUs, endUnixUs: endUs,
    status: { code: 'unset' }, attributes: {}, events: [], links: [], resource: { attributes: {} }, scope: { name: 'bench' },
    origin: { format: 'otlp-json', source: 'bench' }, ...o,
  };
}

/** 1k Lambda traces of 5 spans: the entry span with faas attributes and 4 calls. */
function lambdaTraces(n: number): Trace[] {
  const r = rng(11);
  const res = { attributes: { 'cloud.platform': 'aws_lambda', 'faas.name': 'orders', 'faas.max_memory': 536870912, 'cloud.region': 'eu-west-1' } };
  const out: Trace[] = [];
  for (let i = 0; i < n; i++) {
    const traceId = i.toString(16).padStart(32, '0');
    const start = T0 + i * 50_000;
    const dur = Math.round(Math.exp(3 + r() * 2) * 1000);
    const root = span(traceId, `${i.toString(16).padStart(12, '0')}0000`, undefined, start, start + dur, {
      kind: 'server', resource: res, attributes: { 'faas.invocation_id': `inv-${i}`, 'faas.coldstart': i % 100 === 0 },
    });
    const spans = [root];
    for (let k = 1; k <= 4; k++) spans.push(span(traceId, `${i.toString(16).padStart(12, '0')}000${k}`, root.spanId, start + k * 100, start + k * 100 + dur / 5, { kind: 'client', resource: res }));
    out.push({ traceId, spans });
  }
  return out;
}

function aggregateBatch(traces: readonly Trace[]): number {
  const invs: Invocation[] = [];
  for (const t of traces) for (const v of extractInvocations(t)) invs.push(v);
  return aggregateInvocations(invs).length;
}

function exactBatch(traces: readonly Trace[]): number {
  const a = new Float64Array(traces.length);
  for (let i = 0; i < traces.length; i++) { const s = traces[i].spans[0]; a[i] = ((s.endUnixUs as number) - s.startUnixUs) / 1000; }
  a.sort();
  return nearestRank(a, 0.5) + nearestRank(a, 0.95) + nearestRank(a, 0.99);
}

/** A random tree (parents among earlier spans, with async children outliving their parents). */
function bigTrace(n: number): Span[] {
  const r = rng(n);
  const traceId = 'f'.repeat(32);
  const ids = Array.from({ length: n }, (_, i) => i.toString(16).padStart(16, '0'));
  const starts = new Float64Array(n), ends = new Float64Array(n);
  const spans: Span[] = [];
  starts[0] = T0; ends[0] = T0 + 10_000_000;
  spans.push(span(traceId, ids[0], undefined, starts[0], ends[0]));
  for (let i = 1; i < n; i++) {
    const p = r() < 0.3 ? i - 1 : Math.floor(r() * i);
    const s = starts[p] + r() * (ends[p] - starts[p]);
    const e = s + r() * (ends[p] - s) * (r() < 0.02 ? 3 : 1);
    starts[i] = s; ends[i] = e;
    spans.push(span(traceId, ids[i], ids[p], Math.round(s), Math.round(e)));
  }
  return spans;
}

function sortEnds(spans: readonly Span[]): number {
  const a = new Float64Array(spans.length);
  for (let i = 0; i < spans.length; i++) a[i] = spans[i].endUnixUs as number;
  return a.sort()[0];
}

/**
 * Median CPU time (user + system, ms) of `fn` in this process: on a shared machine whose load
 * average is several times its core count, wall time mostly measures the wait for a core.
 */
function medianCpuMs(fn: () => unknown, runs: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run(): Promise<BenchLine[]> {
  const million = invocations(1_000_000);
  const check = aggregateInvocations(million);
  if (check.length !== 20 || check[0].duration.percentileMethod !== 'sketch') throw new Error('unexpected aggregate');
  const aggMs = await medianMs(() => aggregateInvocations(million), 5);
  const sortMs = await medianMs(() => exactBySort(million), 5);

  const batch = lambdaTraces(1000);
  if (aggregateBatch(batch) !== 1) throw new Error('unexpected batch aggregate');
  const batchMs = await medianMs(() => aggregateBatch(batch), 21);
  const batchSortMs = await medianMs(() => exactBatch(batch), 21);

  const t100k = bigTrace(100_000);
  // Ten different 10k-span traces: the same 100k spans of input to read as the one big trace, so
  // the ratio compares per-span cost at the two sizes rather than a cache-resident rerun of one.
  const ten10k = Array.from({ length: 10 }, (_, i) => bigTrace(10_000 + i));
  if (criticalPath(t100k).spanIds.length < 2) throw new Error('unexpected critical path');
  const cp10kMs = await medianMs(() => { for (const t of ten10k) criticalPath(t); }, 7);
  const cp100kMs = await medianMs(() => criticalPath(t100k), 5);
  const sort100kMs = await medianMs(() => sortEnds(t100k), 5);

  const aggCpu = medianCpuMs(() => aggregateInvocations(million), 5);
  const sortCpu = medianCpuMs(() => exactBySort(million), 5);
  const batchCpu = medianCpuMs(() => aggregateBatch(batch), 21);
  const batchSortCpu = medianCpuMs(() => exactBatch(batch), 21);
  const cp100kCpu = medianCpuMs(() => criticalPath(t100k), 5);
  const cp10kCpu = medianCpuMs(() => { for (const t of ten10k) criticalPath(t); }, 7);
  const sort100kCpu = medianCpuMs(() => sortEnds(t100k), 5);

  return [
    line('aggregates over 1M invocations, CPU time', aggCpu, 'ms', 'CPU time of exact percentiles by Float64Array.sort', sortCpu, '<= 200 ms'),
    line('aggregates over a 1k-trace batch, CPU time', batchCpu, 'ms', 'CPU time of Float64Array.sort exact percentiles of the 1k durations', batchSortCpu, '< 10 ms'),
    line('critical path, 100k-span trace, CPU time', cp100kCpu, 'ms', 'CPU time of Float64Array.sort of the 100k end times', sort100kCpu, '<= 100 ms'),
    line('critical path linearity, CPU time: one 100k-span trace', cp100kCpu, 'ms', 'CPU time of ten 10k-span traces', cp10kCpu, 'ratio ~1'),
    line('aggregates over 1M invocations (20 functions, sketch percentiles)', aggMs, 'ms', 'exact p50/p95/p99 by Float64Array.sort, same durations', sortMs, '<= 200 ms'),
    line('aggregates over a 1k-trace batch (extract + aggregate, exact)', batchMs, 'ms', 'Float64Array.sort exact percentiles of the 1k durations', batchSortMs, '< 10 ms'),
    line('critical path, 100k-span trace', cp100kMs, 'ms', 'Float64Array.sort of the 100k end times', sort100kMs, '<= 100 ms'),
    line('critical path linearity: one 100k-span trace', cp100kMs, 'ms', 'ten 10k-span traces', cp10kMs, 'ratio ~1'),
  ];
}
