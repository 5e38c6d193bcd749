/**
 * Lambda cost as data plus arithmetic: every figure carries the formula that produced it, with the
 * numbers filled in, for a hover. Prices come from the price table (core/pricing), never from code.
 */
import { LAMBDA_PRICES, lookupPrices, tieredDurationCostUsd, type PriceTable } from '../pricing/lambdaPrices';
import type { Architecture } from './invocations';

/** 30 days in ms: "per month" means this. */
export const MONTH_MS = 30 * 24 * 3600 * 1000;

/** Where a memory size came from. */
export type MemorySource = 'infrastructure' | 'faas.max_memory' | 'assumed';

export interface CostInput {
  /** Invocations that ran in the window (throttles are not billed). */
  invocations: number;
  /** Sum of ceil(duration ms) over the window's finished invocations. */
  billedDurationMsTotal: number;
  /** Sum of ceil(INIT ms) over the window's cold starts. */
  billedInitMsTotal: number;
  /** Finished invocations (the denominator of the mean billed duration); defaults to `invocations`. */
  finishedInvocations?: number;
  memoryMb: number;
  memorySource: MemorySource;
  architecture: Architecture;
  region?: string;
  /** Length of the observed window (ms) to scale to a month; undefined or 0 gives no monthly figure. */
  windowMs?: number;
  /** INIT is billed for on-demand functions since 2025-08-01 (see `initBilledAt`). */
  initBilled: boolean;
}

/** A cost in USD and how it was computed. */
export interface CostFigure {
  usd: number;
  /** Human-readable arithmetic with the actual numbers, e.g. for a hover. */
  formula: string;
}

export interface CostEstimate {
  region: string;
  /** True when the function's region is not in the price table and the default region was used. */
  regionFallback: boolean;
  architecture: Architecture;
  memoryMb: number;
  memorySource: MemorySource;
  meanBilledDurationMs: number;
  /** Billed INIT ms per invocation on average (0 when INIT is not billed). */
  meanBilledInitMs: number;
  gbSecondsPerInvocation: number;
  /** Average GB-second price after the tiers for the monthly volume (first tier when no volume is known). */
  usdPerGbSecond: number;
  requestUsd: number;
  perInvocation: CostFigure;
  per1M: CostFigure;
  /** Null when the window is too short to give a rate (e.g. one invocation). */
  perMonth: CostFigure | null;
  invocationsPerMonth: number | null;
  /** X-Ray's own price for recording one trace per invocation at that rate, shown apart from Lambda. */
  xrayRecordedPerMonth: CostFigure | null;
  /** X-Ray's price per 1 000 traces retrieved (what browsing them in this tool costs). */
  xrayRetrievedPer1k: CostFigure;
  /** Price table source keys used. */
  priceSources: string[];
}

/** Formats a USD amount with enough significant digits for per-invocation prices. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (!Number.isFinite(usd)) return `$${usd}`;
  if (Math.abs(usd) >= 1) return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(2)}`;
  // 4 significant digits in plain decimals (no exponent), at least 2 decimals: $0.20, $0.0000002917
  const decimals = Math.min(20, Math.max(2, 3 - Math.floor(Math.log10(Math.abs(usd)))));
  const text = Math.abs(usd).toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1');
  return `${usd < 0 ? '-' : ''}$${text}`;
}

/** A window length for a formula: `42 s`, `15 min`, `3.5 h`, `7 d`. */
function formatWindow(ms: number): string {
  if (ms < 120_000) return `${fmt(ms / 1000)} s`;
  if (ms < 2 * 3_600_000) return `${fmt(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${fmt(ms / 3_600_000)} h`;
  return `${fmt(ms / 86_400_000)} d`;
}

const MEMORY_FROM: Record<MemorySource, string> = {
  infrastructure: 'memory from the infrastructure files',
  'faas.max_memory': 'memory from faas.max_memory',
  assumed: "memory assumed (Lambda's default)",
};

function fmt(n: number, digits = 4): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(digits)));
}

/** True when INIT time is billed for invocations at this time (Unix ms) under the table's rule. */
export function initBilledAt(unixMs: number, priceTable: PriceTable = LAMBDA_PRICES): boolean {
  return unixMs >= Date.parse(`${priceTable.lambda.initBilledSince}T00:00:00Z`);
}

/** Computes the cost figures. Pure; never throws for zero invocations (all figures 0). */
export function estimateCost(input: CostInput, priceTable: PriceTable = LAMBDA_PRICES): CostEstimate {
  const lookup = lookupPrices(input.region, input.architecture, priceTable);
  const p = lookup.prices;
  const finished = input.finishedInvocations ?? input.invocations;
  const meanDur = finished > 0 ? input.billedDurationMsTotal / finished : 0;
  const meanInit = input.initBilled && input.invocations > 0 ? input.billedInitMsTotal / input.invocations : 0;
  const gb = input.memoryMb / 1024;
  const gbs = ((meanDur + meanInit) / 1000) * gb;
  const requestUsd = p.requestPerMillionUsd / 1e6;
  const invocationsPerMonth = input.windowMs && input.windowMs > 0 && input.invocations > 0 ? input.invocations * (MONTH_MS / input.windowMs) : null;
  const firstTier = p.gbSecondTiers[0].usdPerGbSecond;
  let price = firstTier;
  let tierNote = 'first tier';
  if (invocationsPerMonth !== null && gbs > 0) {
    const monthlyGbs = gbs * invocationsPerMonth;
    price = tieredDurationCostUsd(monthlyGbs, p.gbSecondTiers) / monthlyGbs;
    tierNote = price === firstTier ? 'first tier' : `tiered average for ${fmt(monthlyGbs, 6)} GB-s/month`;
  }
  const perInv = requestUsd + gbs * price;
  const where = `${lookup.region}${lookup.regionFallback ? ` (prices of the default region; ${input.region ?? 'region unknown'} not in the table)` : ''}, ${input.architecture}`;
  const initPart = input.initBilled ? ` + ${fmt(meanInit)} ms INIT per invocation` : '';
  const perInvocation: CostFigure = {
    usd: perInv,
    formula: `${formatUsd(p.requestPerMillionUsd)}/1M requests + (${fmt(meanDur)} ms billed${initPart}) / 1000 × ${input.memoryMb} MB / 1024 × ${formatUsd(price)}/GB-s (${tierNote}) = ${formatUsd(perInv)} [${where}; ${MEMORY_FROM[input.memorySource]}]`,
  };
  const per1M: CostFigure = { usd: perInv * 1e6, formula: `${formatUsd(perInv)} × 1,000,000 = ${formatUsd(perInv * 1e6)}` };
  const perMonth: CostFigure | null = invocationsPerMonth === null ? null : {
    usd: perInv * invocationsPerMonth,
    formula: `${input.invocations} invocations in ${formatWindow(input.windowMs as number)} scaled to 30 days = ${fmt(invocationsPerMonth, 6)} invocations × ${formatUsd(perInv)} = ${formatUsd(perInv * invocationsPerMonth)}`,
  };
  const x = priceTable.xray;
  const xrayRecordedPerMonth: CostFigure | null = invocationsPerMonth === null ? null : {
    usd: (invocationsPerMonth * x.tracesRecordedPerMillionUsd) / 1e6,
    formula: `${fmt(invocationsPerMonth, 6)} traces/month × ${formatUsd(x.tracesRecordedPerMillionUsd)}/1M recorded = ${formatUsd((invocationsPerMonth * x.tracesRecordedPerMillionUsd) / 1e6)} (before the ${x.freeTierPerMonth.tracesRecorded.toLocaleString('en-US')} free traces/month)`,
  };
  const xrayRetrievedPer1k: CostFigure = {
    usd: (1000 * x.tracesRetrievedPerMillionUsd) / 1e6,
    formula: `1,000 traces × ${formatUsd(x.tracesRetrievedPerMillionUsd)}/1M retrieved = ${formatUsd((1000 * x.tracesRetrievedPerMillionUsd) / 1e6)}`,
  };
  return {
    region: lookup.region, regionFallback: lookup.regionFallback, architecture: input.architecture,
    memoryMb: input.memoryMb, memorySource: input.memorySource,
    meanBilledDurationMs: meanDur, meanBilledInitMs: meanInit, gbSecondsPerInvocation: gbs,
    usdPerGbSecond: price, requestUsd,
    perInvocation, per1M, perMonth, invocationsPerMonth, xrayRecordedPerMonth, xrayRetrievedPer1k,
    priceSources: lookup.source,
  };
}
