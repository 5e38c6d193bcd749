/**
 * Per-handler and per-line insights, rebuilt from the per-trace facts and the declared functions:
 * each declared function gets its report row (core/analysis), lens texts, cold vs warm split, the
 * traces worth opening and its findings; each mapped source line gets its count and percentiles.
 * The result is indexed by workspace file, so the editor answers a lens or hover request with one
 * Map lookup. Pure: the service (insightsService.ts) does the I/O.
 */
import type { Advice } from '../../core/analysis/advice';
import { aggregateInvocations } from '../../core/analysis/aggregates';
import { formatUsd } from '../../core/analysis/cost';
import type { FindingKind } from '../../core/analysis/findings';
import { matchFunction } from '../../core/analysis/functionMatch';
import { buildFunctionRow, type FunctionRow } from '../../core/analysis/functionReport';
import { functionFactsOf } from '../../core/analysis/report';
import type { Invocation } from '../../core/analysis/invocations';
import { DurationDigest } from '../../core/analysis/percentiles';
import type { DiscoveredFunction } from '../../core/iac/types';
import { formatCalls, formatMonthlyUsd, formatMs, formatRate } from './insightsFormat';
import type { TraceFacts } from './traceFacts';

/** Percentiles of one side of the cold/warm split (ms; null without invocations). */
export interface SplitStats { count: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }

export interface FindingSummary {
  kind: FindingKind;
  severity: 'info' | 'warning';
  /** The message of the most recent such finding. */
  message: string;
  /** Traces with this kind of finding. */
  traces: number;
  exampleTraceId: string;
}

/** Everything the editor shows for one declared function. */
export interface HandlerInsight {
  fn: DiscoveredFunction;
  /** Names the function carries in traces, most invocations first; empty without traces. */
  traceNames: string[];
  /** Undefined when no invocation of the function is stored. */
  row?: FunctionRow;
  /** Lens texts (codicons included), present with `row`. */
  texts?: { latency: string; cold: string; cost: string };
  cold?: SplitStats;
  warm?: SplitStats;
  timeoutRisk?: Advice;
  slowestTraceId?: string;
  latestErrorTraceId?: string;
  findings: FindingSummary[];
}

/** One source line that ran mapped spans. */
export interface LineInsight {
  file: string;
  /** 1-based. */
  line: number;
  count: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Distinct span names (at most 5), e.g. `DynamoDB.GetItem`. */
  spanNames: string[];
  /** The after-line hint, e.g. `p95 12 ms · 40 calls`. */
  text: string;
  slowestTraceId?: string;
}

/** A lens position: the handler's definition or its declaration in an infrastructure file. */
export interface HandlerAnchor {
  /** 1-based. */
  line: number;
  where: 'handler' | 'declaration';
  insight: HandlerInsight;
}

/** What one file shows; both arrays sorted by line. */
export interface FileInsights {
  handlers: HandlerAnchor[];
  lines: LineInsight[];
}

export interface InsightsSnapshot {
  /** Workspace-relative posix path -> what it shows. */
  byFile: ReadonlyMap<string, FileInsights>;
  functions: readonly HandlerInsight[];
  traces: number;
  invocations: number;
  /** Function names in traces that match no declared function (e.g. another repository's). */
  unmatched: string[];
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The three lens texts of a row. */
export function lensTexts(row: FunctionRow): { latency: string; cold: string; cost: string } {
  const latency = `$(pulse) p50 ${formatMs(row.p50Ms)} · p95 ${formatMs(row.p95Ms)} · p99 ${formatMs(row.p99Ms)} · ${formatCalls(row.invocations)} · ${formatRate(row.errorRate)} errors`;
  const cold = `$(snowflake) ${formatRate(row.coldStartRate)} cold${row.initP95Ms !== null ? ` · init p95 ${formatMs(row.initP95Ms)}` : ''}`;
  const cost = `$(credit-card) ${formatUsd(row.costPer1MUsd)} per 1M${row.costPerMonthUsd !== null ? ` · ${formatMonthlyUsd(row.costPerMonthUsd)}/month` : ''}`;
  return { latency, cold, cost };
}

/** `p95 12 ms · 40 calls · 5% errors`. */
export function lineText(l: { count: number; errors: number; p95Ms: number | null }): string {
  return `p95 ${formatMs(l.p95Ms)} · ${formatCalls(l.count)}${l.errors > 0 ? ` · ${formatRate(l.errors / l.count)} errors` : ''}`;
}

function split(d: DurationDigest): SplitStats {
  const s = d.summary();
  return { count: s.count, p50Ms: orNull(s.p50Ms), p95Ms: orNull(s.p95Ms), p99Ms: orNull(s.p99Ms) };
}

interface FnExtras { cold: DurationDigest; warm: DurationDigest; slowest?: Invocation; latestError?: Invocation; byName: Map<string, number> }

/**
 * Builds a snapshot in steps, so a large store can be summarised in slices that each keep the
 * extension host responsive: `add` every trace's facts, then run `finish()` to its end (each
 * `next()` aggregates one function).
 */
export class InsightsBuilder {
  private readonly matched = new Map<string, DiscoveredFunction | undefined>();
  private readonly invocationsByFn = new Map<string, Invocation[]>();
  private readonly extras = new Map<string, FnExtras>();
  private readonly findings = new Map<string, Map<FindingKind, FindingSummary & { latestUs: number }>>();
  private readonly lineAcc = new Map<string, { file: string; line: number; count: number; errors: number; digest: DurationDigest; names: Set<string>; slowMs: number; slowTrace?: string }>();
  private traces = 0;
  private invocations = 0;
  private readonly unmatched = new Set<string>();

  constructor(private readonly known: readonly DiscoveredFunction[], private readonly functionMap?: Readonly<Record<string, string>>) {}

  private declaredOf(traceName: string): DiscoveredFunction | undefined {
    if (!this.matched.has(traceName)) this.matched.set(traceName, matchFunction(traceName, this.known, this.functionMap).function);
    return this.matched.get(traceName);
  }

  /** Adds one trace's facts (computed with the same functions and function map). */
  add(f: TraceFacts): void {
    this.traces++;
    let latestUs = 0;
    for (let i = 0; i < f.invocations.length; i++) {
      const v = f.invocations[i];
      if (v.startUnixUs > latestUs) latestUs = v.startUnixUs;
      const name = f.declared[i];
      if (name === undefined) { this.unmatched.add(v.functionName); continue; }
      let x = this.extras.get(name);
      if (!x) this.extras.set(name, (x = { cold: new DurationDigest(), warm: new DurationDigest(), byName: new Map() }));
      x.byName.set(v.functionName, (x.byName.get(v.functionName) ?? 0) + 1);
      if (v.throttle || v.durationMs === undefined) continue;
      (v.coldStart ? x.cold : x.warm).add(v.durationMs);
      if (!x.slowest || v.durationMs > (x.slowest.durationMs ?? 0)) x.slowest = v;
      if ((v.error || v.fault) && (!x.latestError || v.startUnixUs > x.latestError.startUnixUs)) x.latestError = v;
    }
    for (const v of f.renamed) {
      this.invocations++;
      const list = this.invocationsByFn.get(v.functionName);
      if (list) list.push(v); else this.invocationsByFn.set(v.functionName, [v]);
    }
    for (const fd of f.findings) {
      for (const traceName of fd.functions) {
        const fn = this.declaredOf(traceName);
        if (!fn) continue;
        let byKind = this.findings.get(fn.name);
        if (!byKind) this.findings.set(fn.name, (byKind = new Map()));
        const s = byKind.get(fd.kind);
        if (!s) byKind.set(fd.kind, { kind: fd.kind, severity: fd.severity, message: fd.message, traces: 1, exampleTraceId: f.traceId, latestUs });
        else {
          s.traces++;
          if (latestUs >= s.latestUs) Object.assign(s, { message: fd.message, exampleTraceId: f.traceId, latestUs, severity: fd.severity });
        }
      }
    }
    for (const h of f.lines) {
      let a = this.lineAcc.get(h.key);
      if (!a) this.lineAcc.set(h.key, (a = { file: h.file, line: h.line, count: 0, errors: 0, digest: new DurationDigest(), names: new Set(), slowMs: -1 }));
      a.count++;
      if (h.error) a.errors++;
      if (a.names.size < 5) a.names.add(h.name);
      if (h.durationMs !== undefined) {
        a.digest.add(h.durationMs);
        if (h.durationMs > a.slowMs) { a.slowMs = h.durationMs; a.slowTrace = f.traceId; }
      }
    }
  }

  /** Aggregates one function per step; the generator's return value is the snapshot. */
  *finish(): Generator<void, InsightsSnapshot> {
    const { known, extras, findings, lineAcc } = this;
    const rows = new Map<string, FunctionRow>();
    for (const k of known) {
      const list = this.invocationsByFn.get(k.name);
      if (!list) continue;
      for (const agg of aggregateInvocations(list)) {
        const { cost: _cost, ...row } = buildFunctionRow(agg, functionFactsOf(k));
        rows.set(agg.functionName, row);
      }
      yield;
    }
    const functions: HandlerInsight[] = known.map((fn) => {
      const row = rows.get(fn.name);
      const x = extras.get(fn.name);
      const risk = row?.advice.find((a) => a.kind === 'timeout-risk');
      return {
        fn,
        traceNames: x ? [...x.byName].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([n]) => n) : [],
        ...(row ? { row, texts: lensTexts(row) } : {}),
        ...(x && row ? { cold: split(x.cold), warm: split(x.warm) } : {}),
        ...(risk ? { timeoutRisk: risk } : {}),
        ...(x?.slowest ? { slowestTraceId: x.slowest.traceId } : {}),
        ...(x?.latestError ? { latestErrorTraceId: x.latestError.traceId } : {}),
        findings: [...(findings.get(fn.name)?.values() ?? [])].map(({ latestUs: _l, ...s }) => s)
          .sort((a, b) => (a.severity === b.severity ? b.traces - a.traces : a.severity === 'warning' ? -1 : 1)),
      };
    });
    const byFile = new Map<string, FileInsights>();
    const entry = (file: string): FileInsights => {
      let e = byFile.get(file);
      if (!e) byFile.set(file, (e = { handlers: [], lines: [] }));
      return e;
    };
    for (const h of functions) {
      if (h.fn.file !== null && h.fn.line !== null) entry(h.fn.file).handlers.push({ line: h.fn.line, where: 'handler', insight: h });
      const m = /^(.*):(\d+)$/.exec(h.fn.declaredIn);
      if (m && m[1] !== h.fn.file) entry(m[1]).handlers.push({ line: Number(m[2]), where: 'declaration', insight: h });
    }
    for (const a of lineAcc.values()) {
      const s = a.digest.summary();
      const l = { count: a.count, errors: a.errors, p95Ms: orNull(s.p95Ms) };
      entry(a.file).lines.push({
        file: a.file, line: a.line, ...l, p50Ms: orNull(s.p50Ms), maxMs: orNull(s.maxMs), spanNames: [...a.names], text: lineText(l),
        ...(a.slowTrace ? { slowestTraceId: a.slowTrace } : {}),
      });
    }
    for (const e of byFile.values()) {
      e.handlers.sort((a, b) => a.line - b.line);
      e.lines.sort((a, b) => a.line - b.line);
    }
    return { byFile, functions, traces: this.traces, invocations: this.invocations, unmatched: [...this.unmatched].sort() };
  }
}
