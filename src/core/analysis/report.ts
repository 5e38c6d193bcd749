/**
 * The `trace-insight report` document: per-function rows (priced and advised), findings and
 * `--fail-on` results, built from traces and the declared functions. Pure: the CLI does the I/O.
 * Field names are stable and documented in docs/report-json.md.
 */
import type { Span, Trace } from '../model';
import { LAMBDA_PRICES, type PriceTable } from '../pricing/lambdaPrices';
import { aggregateInvocations } from './aggregates';
import { evaluateFailOn, type FailOnRule, type FailOnViolation } from './failOn';
import { findFindings, type Finding } from './findings';
import type { DiscoveredFunction } from '../iac/types';
import { matchFunction, normalizeArchitecture, type FunctionMatch } from './functionMatch';
import { buildFunctionRow, type FunctionFacts, type FunctionRow } from './functionReport';
import { extractInvocations, functionBySpan, type Invocation } from './invocations';
import { aggregateByLine, type LineStats, type SourceLine } from './perLine';

export interface ReportInput {
  traces: readonly Trace[];
  /** Functions the infrastructure files declare (empty when no workspace was read). */
  known: readonly DiscoveredFunction[];
  /** `traceInsight.functionMap`-style overrides: deployed name -> declared name. */
  functionMap?: Readonly<Record<string, string>>;
  /** Window start (Unix ms); also the length the monthly figures scale from, with `untilUnixMs`. */
  sinceUnixMs?: number;
  untilUnixMs?: number;
  /** Only this function (its trace name, or the name it is declared under). */
  functionName?: string;
  failOn?: readonly FailOnRule[];
  nPlusOneThreshold?: number;
  priceTable?: PriceTable;
  /** Maps a span to its source line, given the declared function it ran in; omit for no per-line section. */
  mapLine?: FunctionLineMapper;
  /** Lines listed, costliest first (default 20). */
  maxLines?: number;
}

/** Maps a span to the line that made it; `fn` is the declared function of its invocation, when identified. */
export type FunctionLineMapper = (span: Span, fn: DiscoveredFunction | undefined) => SourceLine | undefined;

/** A row plus how its function was identified in the infrastructure files. */
export type ReportRow = FunctionRow & { identity: { confidence: FunctionMatch['confidence']; why: string[] } };

export interface ReportDocument {
  schemaVersion: 1;
  window: { sinceUnixMs: number | null; untilUnixMs: number | null };
  /** Traces read (in the window, before the --function filter). */
  traces: number;
  functions: ReportRow[];
  findings: Finding[];
  failOn: { rules: string[]; violations: FailOnViolation[] } | null;
  /** Where the prices came from: the table's check date and the sources the rows cite (key -> description). */
  prices: { checked: string; sources: Record<string, string> };
  /** Per source line over the reported traces (null without a mapper): costliest lines, and how many spans mapped. */
  lines: { top: LineStats[]; mapped: number; unmapped: number } | null;
}

/** What the cost and advice need from a discovered function (handler, memory, timeout, architecture, region). */
export function functionFactsOf(k: DiscoveredFunction | undefined): FunctionFacts {
  if (!k) return {};
  const arch = normalizeArchitecture(k.architecture);
  return {
    handler: k.file !== null && k.line !== null ? { file: k.file, line: k.line } : null,
    ...(k.memoryMb !== null ? { memoryMb: k.memoryMb } : {}),
    ...(k.timeoutSec !== null ? { timeoutSec: k.timeoutSec } : {}),
    ...(arch ? { architecture: arch } : {}),
    ...(k.region ? { region: k.region } : {}),
  };
}

/** Builds the report document. */
export function buildReport(input: ReportInput): ReportDocument {
  const invocations: Invocation[] = [];
  for (const t of input.traces) for (const v of extractInvocations(t)) invocations.push(v);
  const aggs = aggregateInvocations(invocations, { sinceUnixMs: input.sinceUnixMs, untilUnixMs: input.untilUnixMs });
  const windowMs = input.sinceUnixMs !== undefined && input.untilUnixMs !== undefined ? input.untilUnixMs - input.sinceUnixMs : undefined;
  const wanted = input.functionName;
  const rows: ReportRow[] = [];
  const keptNames = new Set<string>();
  for (const agg of aggs) {
    const match = matchFunction(agg.functionName, input.known, input.functionMap);
    const known = match.function;
    if (wanted !== undefined && agg.functionName !== wanted && known?.name !== wanted) continue;
    keptNames.add(agg.functionName);
    const { cost: _cost, ...row } = buildFunctionRow(agg, functionFactsOf(known), { ...(windowMs ? { windowMs } : {}), ...(input.priceTable ? { priceTable: input.priceTable } : {}) });
    rows.push({ ...row, identity: { confidence: match.confidence, why: match.why } });
  }
  const traces = wanted === undefined ? input.traces
    : input.traces.filter((t) => invocations.some((v) => v.traceId === t.traceId && keptNames.has(v.functionName)));
  const lines = input.mapLine ? perLine(traces, invocations, input, input.mapLine) : null;
  const findings = findFindings(traces, { ...(input.nPlusOneThreshold ? { nPlusOneThreshold: input.nPlusOneThreshold } : {}) });
  return {
    schemaVersion: 1,
    window: { sinceUnixMs: input.sinceUnixMs ?? null, untilUnixMs: input.untilUnixMs ?? null },
    traces: input.traces.length,
    functions: rows,
    findings,
    failOn: input.failOn ? { rules: input.failOn.map((r) => r.text), violations: evaluateFailOn(input.failOn, rows) } : null,
    prices: pricesUsed(rows, input.priceTable ?? LAMBDA_PRICES),
    lines,
  };
}

function pricesUsed(rows: readonly FunctionRow[], table: PriceTable): ReportDocument['prices'] {
  const keys = new Set<string>([table.xray.source, table.lambda.initBillingSource]);
  for (const r of rows) for (const k of r.priceSources) keys.add(k);
  const sources: Record<string, string> = {};
  for (const k of [...keys].sort()) if (table.sources[k]) sources[k] = table.sources[k];
  return { checked: table.checked, sources };
}

/** Per-line stats; each span's function is that of its nearest invocation ancestor (or the trace's only one). */
function perLine(traces: readonly Trace[], invocations: readonly Invocation[], input: ReportInput, mapLine: FunctionLineMapper): ReportDocument['lines'] {
  const matched = new Map<string, DiscoveredFunction | undefined>();
  const fnOf = (name: string): DiscoveredFunction | undefined => {
    if (!matched.has(name)) matched.set(name, matchFunction(name, input.known, input.functionMap).function);
    return matched.get(name);
  };
  const byTrace = new Map<string, Invocation[]>();
  for (const v of invocations) {
    const list = byTrace.get(v.traceId);
    if (list) list.push(v); else byTrace.set(v.traceId, [v]);
  }
  const spans: Span[] = [];
  const fnBySpan = new Map<Span, DiscoveredFunction | undefined>();
  for (const t of traces) {
    const names = functionBySpan(t, byTrace.get(t.traceId) ?? []);
    for (const s of t.spans) {
      const name = names.get(s.spanId);
      spans.push(s);
      fnBySpan.set(s, name === undefined ? undefined : fnOf(name));
    }
  }
  const r = aggregateByLine(spans, (s) => mapLine(s, fnBySpan.get(s)));
  return { top: r.lines.slice(0, input.maxLines ?? 20), mapped: spans.length - r.unmapped, unmapped: r.unmapped };
}
