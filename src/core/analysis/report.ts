/**
 * The `trace-insight report` document: per-function rows (priced and advised), findings and
 * `--fail-on` results, built from traces and the declared functions. Pure: the CLI does the I/O.
 * Field names are stable and documented in docs/report-json.md.
 */
import type { Trace } from '../model';
import type { PriceTable } from '../pricing/lambdaPrices';
import { aggregateInvocations } from './aggregates';
import { evaluateFailOn, type FailOnRule, type FailOnViolation } from './failOn';
import { findFindings, type Finding } from './findings';
import type { DiscoveredFunction } from '../iac/types';
import { matchFunction, normalizeArchitecture, type FunctionMatch } from './functionMatch';
import { buildFunctionRow, type FunctionFacts, type FunctionRow } from './functionReport';
import { extractInvocations, type Invocation } from './invocations';

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
}

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
}

function factsOf(k: DiscoveredFunction | undefined): FunctionFacts {
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
    const { cost: _cost, ...row } = buildFunctionRow(agg, factsOf(known), { ...(windowMs ? { windowMs } : {}), ...(input.priceTable ? { priceTable: input.priceTable } : {}) });
    rows.push({ ...row, identity: { confidence: match.confidence, why: match.why } });
  }
  const traces = wanted === undefined ? input.traces
    : input.traces.filter((t) => invocations.some((v) => v.traceId === t.traceId && keptNames.has(v.functionName)));
  const findings = findFindings(traces, { ...(input.nPlusOneThreshold ? { nPlusOneThreshold: input.nPlusOneThreshold } : {}) });
  return {
    schemaVersion: 1,
    window: { sinceUnixMs: input.sinceUnixMs ?? null, untilUnixMs: input.untilUnixMs ?? null },
    traces: input.traces.length,
    functions: rows,
    findings,
    failOn: input.failOn ? { rules: input.failOn.map((r) => r.text), violations: evaluateFailOn(input.failOn, rows) } : null,
  };
}
