/**
 * Advice a user can act on, each with the numbers behind it: timeout risk (p99 + INIT p95 against
 * the configured timeout), memory right-sizing when used memory is known, the arm64 price for the
 * same duration, and the cold-start share of total latency.
 */
import type { PriceTable } from '../pricing/lambdaPrices';
import { LAMBDA_PRICES } from '../pricing/lambdaPrices';
import type { FunctionAggregate } from './aggregates';
import { estimateCost, formatUsd, type CostEstimate, type CostInput } from './cost';

export type AdviceKind = 'timeout-risk' | 'memory-oversized' | 'memory-tight' | 'arm64-savings' | 'cold-start-share';
export type AdviceSeverity = 'info' | 'warning' | 'critical';

export interface Advice {
  kind: AdviceKind;
  severity: AdviceSeverity;
  functionName: string;
  message: string;
  /** The figure the advice is about (a fraction for shares and ratios, USD for savings, MB for memory). */
  value: number;
  /** The arithmetic behind `value`. */
  formula: string;
}

/** Thresholds; fractions in [0, 1]. */
export interface AdviceThresholds {
  /** (p99 + INIT p95) / timeout at or above which a timeout is a risk (default 0.8). */
  timeoutWarnRatio: number;
  /** used / configured memory below which memory is oversized (default 0.5). */
  memoryLowRatio: number;
  /** used / configured memory at or above which memory is tight (default 0.9). */
  memoryHighRatio: number;
  /** Cold-start share of latency at or above which it is a warning (default 0.1). */
  coldShareWarn: number;
}

export const DEFAULT_ADVICE_THRESHOLDS: AdviceThresholds = { timeoutWarnRatio: 0.8, memoryLowRatio: 0.5, memoryHighRatio: 0.9, coldShareWarn: 0.1 };

const pct = (f: number): string => `${(f * 100).toFixed(1)}%`;
const ms = (n: number): string => `${Number(n.toPrecision(4))} ms`;

/** Smallest memory size (64 MB steps, >= 128) leaving 50 % headroom over `usedMb`. */
export function rightSizedMemoryMb(usedMb: number): number {
  return Math.max(128, Math.ceil((usedMb * 1.5) / 64) * 64);
}

/**
 * Advice for one function. `cost` and `costInput` are what cost.ts computed for it (so alternatives
 * are priced with the same durations); `timeoutSec` comes from the infrastructure files.
 */
export function adviseFunction(agg: FunctionAggregate, costInput: CostInput | undefined, cost: CostEstimate | undefined, timeoutSec: number | undefined,
  thresholds: AdviceThresholds = DEFAULT_ADVICE_THRESHOLDS, priceTable: PriceTable = LAMBDA_PRICES): Advice[] {
  const out: Advice[] = [];
  const fn = agg.functionName;
  const p99 = agg.duration.p99Ms;
  if (timeoutSec !== undefined && timeoutSec > 0 && Number.isFinite(p99)) {
    const init = agg.init.count > 0 ? agg.init.p95Ms : 0;
    const ratio = (p99 + init) / (timeoutSec * 1000);
    if (ratio >= thresholds.timeoutWarnRatio) {
      out.push({
        kind: 'timeout-risk', severity: ratio >= 1 ? 'critical' : 'warning', functionName: fn, value: ratio,
        message: ratio >= 1
          ? `p99 + INIT p95 (${ms(p99 + init)}) exceeds the ${timeoutSec} s timeout: the slowest cold invocations time out`
          : `p99 + INIT p95 (${ms(p99 + init)}) is ${pct(ratio)} of the ${timeoutSec} s timeout`,
        formula: `(${ms(p99)} p99 + ${ms(init)} INIT p95) / ${timeoutSec * 1000} ms = ${pct(ratio)}`,
      });
    }
  }
  if (cost && costInput && agg.maxMemoryUsedMb !== undefined && cost.memoryMb > 0) {
    const used = agg.maxMemoryUsedMb, ratio = used / cost.memoryMb;
    if (ratio >= thresholds.memoryHighRatio) {
      out.push({
        kind: 'memory-tight', severity: 'warning', functionName: fn, value: ratio,
        message: `peak memory ${Math.round(used)} MB is ${pct(ratio)} of the ${cost.memoryMb} MB configured: out-of-memory risk`,
        formula: `${Math.round(used)} MB / ${cost.memoryMb} MB = ${pct(ratio)}`,
      });
    } else if (ratio < thresholds.memoryLowRatio) {
      const suggested = rightSizedMemoryMb(used);
      if (suggested < cost.memoryMb) {
        const alt = estimateCost({ ...costInput, memoryMb: suggested }, priceTable);
        const basis = cost.perMonth && alt.perMonth ? 'month' : '1M';
        const saving = basis === 'month' ? (cost.perMonth as { usd: number }).usd - (alt.perMonth as { usd: number }).usd : cost.per1M.usd - alt.per1M.usd;
        out.push({
          kind: 'memory-oversized', severity: 'info', functionName: fn, value: suggested,
          message: `peak memory ${Math.round(used)} MB of ${cost.memoryMb} MB: ${suggested} MB would save about ${formatUsd(saving)} per ${basis} at the same duration (less memory also means less CPU; measure the duration again)`,
          formula: `max(128, ceil(${Math.round(used)} MB × 1.5 / 64) × 64) = ${suggested} MB; saving per ${basis} = ${formatUsd(saving)}`,
        });
      }
    }
  }
  if (cost && costInput && cost.architecture === 'x86_64') {
    const arm = estimateCost({ ...costInput, architecture: 'arm64' }, priceTable);
    const monthly = cost.perMonth && arm.perMonth;
    const saving = monthly ? (cost.perMonth as { usd: number }).usd - (arm.perMonth as { usd: number }).usd : cost.per1M.usd - arm.per1M.usd;
    const basis = monthly ? 'month' : '1M invocations';
    out.push({
      kind: 'arm64-savings', severity: 'info', functionName: fn, value: saving,
      message: `on arm64 the same duration would cost ${formatUsd(saving)} less per ${basis} (${formatUsd(cost.usdPerGbSecond)} vs ${formatUsd(arm.usdPerGbSecond)} per GB-s)`,
      formula: `x86_64 ${formatUsd(monthly ? (cost.perMonth as { usd: number }).usd : cost.per1M.usd)} − arm64 ${formatUsd(monthly ? (arm.perMonth as { usd: number }).usd : arm.per1M.usd)} = ${formatUsd(saving)} per ${basis}`,
    });
  }
  if (agg.coldStarts > 0 && agg.init.count > 0 && agg.duration.count > 0) {
    const initTotal = agg.init.meanMs * agg.init.count;
    const durTotal = agg.duration.meanMs * agg.duration.count;
    const share = initTotal / (initTotal + durTotal);
    out.push({
      kind: 'cold-start-share', severity: share >= thresholds.coldShareWarn ? 'warning' : 'info', functionName: fn, value: share,
      message: `INIT is ${pct(share)} of total latency (${agg.coldStarts} cold starts in ${agg.invocations} invocations)`,
      formula: `${ms(initTotal)} INIT / (${ms(initTotal)} INIT + ${ms(durTotal)} handler) = ${pct(share)}`,
    });
  }
  return out;
}
