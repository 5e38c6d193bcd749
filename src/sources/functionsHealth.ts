/**
 * The health of each function in the Functions view: invocations of the newest stored traces reduced
 * by the analysis core (aggregates, timeout advice). Invocations are kept per trace, so a refresh after
 * an append reads only the traces that are new or grew. vscode-free.
 */
import { adviseFunction, type Advice } from '../core/analysis/advice';
import { aggregateInvocations, type FunctionAggregate } from '../core/analysis/aggregates';
import { extractInvocations, type Invocation } from '../core/analysis/invocations';
import type { Trace, TraceSummary } from '../core/model';

/** `failing`: error rate above FAILING_ERROR_RATE, or p99 + INIT p95 past the timeout; `warning`: any error, or p99 + INIT p95 past 80 % of the timeout. */
export type HealthLevel = 'ok' | 'warning' | 'failing';

/** Error rate (fraction of invocations) above which a function counts as failing. */
export const FAILING_ERROR_RATE = 0.05;

export interface FunctionHealth {
  /** The function name as traces carry it. */
  name: string;
  invocations: number;
  errors: number;
  /** errors / invocations, in [0, 1]. */
  errorRate: number;
  coldStarts: number;
  /** coldStarts / invocations, in [0, 1]. */
  coldStartRate: number;
  /** Handler duration p95 (ms); null without a finished invocation. */
  p95Ms: number | null;
  /** Configured timeout from the infrastructure files (s); null when unknown. */
  timeoutSec: number | null;
  /** The analysis core's timeout-risk advice, when p99 + INIT p95 is near or past the timeout. */
  timeoutRisk?: Advice;
  level: HealthLevel;
}

/** Health from one function's aggregate and its configured timeout (s), if known. Pure. */
export function healthOf(agg: FunctionAggregate, timeoutSec: number | undefined): FunctionHealth {
  const timeoutRisk = adviseFunction(agg, undefined, undefined, timeoutSec).find((a) => a.kind === 'timeout-risk');
  const level: HealthLevel = agg.errorRate > FAILING_ERROR_RATE || timeoutRisk?.severity === 'critical' ? 'failing'
    : agg.errors > 0 || timeoutRisk ? 'warning' : 'ok';
  return {
    name: agg.functionName,
    invocations: agg.invocations,
    errors: agg.errors,
    errorRate: agg.errorRate,
    coldStarts: agg.coldStarts,
    coldStartRate: agg.coldStartRate,
    p95Ms: Number.isFinite(agg.duration.p95Ms) ? agg.duration.p95Ms : null,
    timeoutSec: timeoutSec ?? null,
    ...(timeoutRisk ? { timeoutRisk } : {}),
    level,
  };
}

/** Reads whole traces; the store's getTrace. */
export type TraceReader = (traceId: string) => Promise<Trace | undefined>;

/**
 * Invocations of a window of traces (the newest N summaries), kept per trace id with the span count
 * they were read at. `update` reads only traces that are new or have more spans since, and forgets
 * traces that left the window.
 */
export class InvocationCache {
  private readonly byTrace = new Map<string, { spanCount: number; invocations: Invocation[] }>();

  constructor(private readonly read: TraceReader) {}

  /** Traces read by the last update (new or grown ones). */
  lastReads = 0;

  /** Brings the cache in line with `summaries`; stops early (keeping what it read) when `cancelled()` turns true. */
  async update(summaries: readonly TraceSummary[], cancelled: () => boolean = () => false): Promise<void> {
    const wanted = new Set<string>();
    let reads = 0;
    for (const s of summaries) {
      wanted.add(s.traceId);
      if (s.functions.length === 0) continue;
      const had = this.byTrace.get(s.traceId);
      if (had && had.spanCount === s.spanCount) continue;
      if (cancelled()) break;
      const trace = await this.read(s.traceId);
      reads++;
      this.byTrace.set(s.traceId, { spanCount: s.spanCount, invocations: trace ? extractInvocations(trace) : [] });
    }
    for (const id of [...this.byTrace.keys()]) if (!wanted.has(id)) this.byTrace.delete(id);
    this.lastReads = reads;
  }

  /** Aggregates per function name over the cached traces. */
  aggregates(): FunctionAggregate[] {
    const all: Invocation[] = [];
    for (const e of this.byTrace.values()) for (const v of e.invocations) all.push(v);
    return aggregateInvocations(all);
  }

  /** Health of every function, with timeouts from `timeoutOf` (seconds, undefined when unknown). */
  health(timeoutOf: (functionName: string) => number | undefined): Map<string, FunctionHealth> {
    return new Map(this.aggregates().map((a) => [a.functionName, healthOf(a, timeoutOf(a.functionName))]));
  }
}

/** How the Functions view orders functions and their traces. */
export type FunctionSort = 'slowest' | 'newest' | 'errors' | 'cold';
export const FUNCTION_SORTS: readonly FunctionSort[] = ['slowest', 'newest', 'errors', 'cold'];

/** One function of the view: counts over its traces in the window, and its health when it has invocations. */
export interface FunctionGroup {
  /** '' for the traces in which no Lambda function took part. */
  name: string;
  /** Its traces, newest first. */
  traces: TraceSummary[];
  errorTraces: number;
  coldTraces: number;
  latestUnixMs: number;
  slowestMs: number;
  health?: FunctionHealth;
}

/** Groups summaries (newest first) by function name; a trace of several functions is in each. */
export function groupByFunction(summaries: readonly TraceSummary[], health: ReadonlyMap<string, FunctionHealth>): FunctionGroup[] {
  const byName = new Map<string, FunctionGroup>();
  for (const t of summaries) {
    for (const name of t.functions.length > 0 ? t.functions : ['']) {
      let g = byName.get(name);
      if (!g) {
        const h = health.get(name);
        byName.set(name, (g = { name, traces: [], errorTraces: 0, coldTraces: 0, latestUnixMs: -Infinity, slowestMs: 0, ...(h ? { health: h } : {}) }));
      }
      g.traces.push(t);
      if (t.errorCount > 0) g.errorTraces++;
      if (t.coldStart) g.coldTraces++;
      g.latestUnixMs = Math.max(g.latestUnixMs, t.startUnixMs);
      g.slowestMs = Math.max(g.slowestMs, t.durationMs);
    }
  }
  return [...byName.values()];
}

const byName = (a: FunctionGroup, b: FunctionGroup): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const rate = (g: FunctionGroup, invocationRate: number | undefined, traceCount: number): number =>
  invocationRate ?? (g.traces.length ? traceCount / g.traces.length : 0);

/**
 * Orders functions: `slowest` by p95 (the slowest trace when no invocation finished), `newest` by the
 * latest trace, `errors` by error rate, `cold` by cold-start rate; ties by name; the no-function group last.
 */
export function sortFunctions(groups: readonly FunctionGroup[], sort: FunctionSort): FunctionGroup[] {
  const key = (g: FunctionGroup): number => {
    switch (sort) {
      case 'slowest': return g.health?.p95Ms ?? g.slowestMs;
      case 'newest': return g.latestUnixMs;
      case 'errors': return rate(g, g.health?.errorRate, g.errorTraces);
      case 'cold': return rate(g, g.health?.coldStartRate, g.coldTraces);
    }
  };
  return [...groups].sort((a, b) => Number(a.name === '') - Number(b.name === '') || key(b) - key(a) || byName(a, b));
}

/** Orders one function's traces the same way: slowest, newest, failed first, cold first (then newest). */
export function sortTraces(traces: readonly TraceSummary[], sort: FunctionSort): TraceSummary[] {
  const newest = (a: TraceSummary, b: TraceSummary) => b.startUnixMs - a.startUnixMs;
  const cmp: (a: TraceSummary, b: TraceSummary) => number = sort === 'slowest' ? (a, b) => b.durationMs - a.durationMs || newest(a, b)
    : sort === 'errors' ? (a, b) => Number(b.errorCount > 0) - Number(a.errorCount > 0) || newest(a, b)
      : sort === 'cold' ? (a, b) => Number(b.coldStart) - Number(a.coldStart) || newest(a, b)
        : newest;
  return [...traces].sort(cmp);
}
