/**
 * One report row per function: aggregates joined with the function's facts from the
 * infrastructure files, priced (cost.ts) and advised (advice.ts). The JSON shape of `FunctionRow`
 * is documented in docs/report-json.md and is stable.
 */
import { LAMBDA_PRICES, type PriceTable } from '../pricing/lambdaPrices';
import { adviseFunction, type Advice } from './advice';
import type { FunctionAggregate } from './aggregates';
import { estimateCost, initBilledAt, type CostEstimate, type CostInput, type MemorySource } from './cost';
import type { Architecture } from './invocations';

/** What the infrastructure files say about a function (issue 4's discovery); every field optional. */
export interface FunctionFacts {
  handler?: { file: string; line: number } | null;
  memoryMb?: number;
  timeoutSec?: number;
  architecture?: Architecture;
  region?: string;
}

export interface FunctionRowOptions {
  /** Window length (ms) to scale counts to a month; default: first to last invocation start. */
  windowMs?: number;
  /** Memory assumed when neither the infrastructure nor the spans say (Lambda's default, 128 MB). */
  defaultMemoryMb?: number;
  priceTable?: PriceTable;
}

/** A number or null (JSON has no NaN). */
export type Num = number | null;

export interface FunctionRow {
  name: string;
  handler: { file: string; line: number } | null;
  invocations: number;
  p50Ms: Num; p90Ms: Num; p95Ms: Num; p99Ms: Num; maxMs: Num;
  percentileMethod: 'exact' | 'sketch';
  errorRate: number; faultRate: number; throttleRate: number;
  errors: number; faults: number; throttles: number;
  coldStarts: number; coldStartRate: number;
  initP50Ms: Num; initP95Ms: Num;
  billedDurationMsTotal: number; billedInitMsTotal: number;
  inProgress: number;
  memoryMb: number; memorySource: MemorySource;
  architecture: Architecture; architectureSource: 'infrastructure' | 'spans' | 'assumed';
  timeoutSec: number | null;
  region: string | null;
  costPerInvocationUsd: number; costPer1MUsd: number; costPerMonthUsd: Num;
  /** Formulas behind the cost figures, for hovers. */
  costFormulas: { perInvocation: string; per1M: string; perMonth: string | null; xrayRecordedPerMonth: string | null };
  xrayRecordedPerMonthUsd: Num;
  /** Keys of the price table sources behind the cost figures (see the document's `prices`). */
  priceSources: string[];
  initBilled: boolean;
  windowMs: Num;
  versions: { version: string | null; invocations: number; p50Ms: Num; p95Ms: Num; p99Ms: Num; errorRate: number; coldStartRate: number }[];
  advice: Advice[];
}

const n = (x: number): Num => (Number.isFinite(x) ? x : null);

/** Builds the priced, advised row of one function. Pure. */
export function buildFunctionRow(agg: FunctionAggregate, facts: FunctionFacts = {}, options: FunctionRowOptions = {}): FunctionRow & { cost: CostEstimate } {
  const priceTable = options.priceTable ?? LAMBDA_PRICES;
  const memorySource: MemorySource = facts.memoryMb ? 'infrastructure' : agg.memoryMb ? 'faas.max_memory' : 'assumed';
  const memoryMb = facts.memoryMb ?? agg.memoryMb ?? options.defaultMemoryMb ?? 128;
  const architectureSource = facts.architecture ? 'infrastructure' : agg.architecture ? 'spans' : 'assumed';
  const architecture: Architecture = facts.architecture ?? agg.architecture ?? 'x86_64';
  const region = facts.region ?? agg.region;
  const observed = agg.lastStartUnixMs - agg.firstStartUnixMs;
  const windowMs = options.windowMs ?? (observed > 0 ? observed : undefined);
  const initBilled = Number.isFinite(agg.firstStartUnixMs) && initBilledAt(agg.firstStartUnixMs, priceTable);
  const costInput: CostInput = {
    invocations: agg.invocations, finishedInvocations: agg.duration.count,
    billedDurationMsTotal: agg.billedDurationMsTotal, billedInitMsTotal: agg.billedInitMsTotal,
    memoryMb, memorySource, architecture, ...(region ? { region } : {}),
    ...(windowMs ? { windowMs } : {}), initBilled,
  };
  const cost = estimateCost(costInput, priceTable);
  const advice = adviseFunction(agg, costInput, cost, facts.timeoutSec, undefined, priceTable);
  return {
    name: agg.functionName,
    handler: facts.handler ?? null,
    invocations: agg.invocations,
    p50Ms: n(agg.duration.p50Ms), p90Ms: n(agg.duration.p90Ms), p95Ms: n(agg.duration.p95Ms), p99Ms: n(agg.duration.p99Ms), maxMs: n(agg.duration.maxMs),
    percentileMethod: agg.duration.percentileMethod,
    errorRate: agg.errorRate, faultRate: agg.faultRate, throttleRate: agg.throttleRate,
    errors: agg.errors, faults: agg.faults, throttles: agg.throttles,
    coldStarts: agg.coldStarts, coldStartRate: agg.coldStartRate,
    initP50Ms: n(agg.init.p50Ms), initP95Ms: n(agg.init.p95Ms),
    billedDurationMsTotal: agg.billedDurationMsTotal, billedInitMsTotal: agg.billedInitMsTotal,
    inProgress: agg.inProgress,
    memoryMb, memorySource, architecture, architectureSource,
    timeoutSec: facts.timeoutSec ?? null,
    region: region ?? null,
    costPerInvocationUsd: cost.perInvocation.usd, costPer1MUsd: cost.per1M.usd, costPerMonthUsd: cost.perMonth ? cost.perMonth.usd : null,
    costFormulas: {
      perInvocation: cost.perInvocation.formula, per1M: cost.per1M.formula,
      perMonth: cost.perMonth ? cost.perMonth.formula : null,
      xrayRecordedPerMonth: cost.xrayRecordedPerMonth ? cost.xrayRecordedPerMonth.formula : null,
    },
    xrayRecordedPerMonthUsd: cost.xrayRecordedPerMonth ? cost.xrayRecordedPerMonth.usd : null,
    priceSources: cost.priceSources,
    initBilled,
    windowMs: windowMs ?? null,
    versions: agg.versions.map((v) => ({
      version: v.version, invocations: v.invocations, p50Ms: n(v.duration.p50Ms), p95Ms: n(v.duration.p95Ms), p99Ms: n(v.duration.p99Ms),
      errorRate: v.errorRate, coldStartRate: v.coldStartRate,
    })),
    advice,
    cost,
  };
}
