/**
 * The Lambda and X-Ray price table (lambdaPrices.json) with types and lookup. Prices are data with a
 * source for every number; code never holds a price.
 */
import table from './lambdaPrices.json';
import type { Architecture } from '../analysis/invocations';

/** One duration tier: GB-seconds per month up to `upToGbSeconds` (null = no upper bound). */
export interface GbSecondTier {
  upToGbSeconds: number | null;
  usdPerGbSecond: number;
}

export interface ArchitecturePrices {
  requestPerMillionUsd: number;
  /** Ascending by `upToGbSeconds`; the last tier is unbounded. */
  gbSecondTiers: GbSecondTier[];
}

export interface RegionPrices {
  source: string[];
  sourceNote?: string;
  x86_64: ArchitecturePrices;
  arm64: ArchitecturePrices;
}

export interface PriceTable {
  currency: string;
  checked: string;
  notes: string;
  sources: Record<string, string>;
  lambda: {
    billingGranularityMs: number;
    /** ISO date from which INIT time is billed for on-demand functions. */
    initBilledSince: string;
    initBillingSource: string;
    memoryMbRange: [number, number];
    freeTierPerMonth: { requests: number; gbSeconds: number };
    regions: Record<string, RegionPrices>;
    defaultRegion: string;
  };
  xray: {
    source: string;
    tracesRecordedPerMillionUsd: number;
    tracesRetrievedPerMillionUsd: number;
    freeTierPerMonth: { tracesRecorded: number; tracesRetrievedOrScanned: number };
  };
}

/** The bundled table. */
export const LAMBDA_PRICES: PriceTable = table as unknown as PriceTable;

/** Prices for a region and architecture, and whether the region had to fall back to the default. */
export interface PriceLookup {
  region: string;
  /** True when the asked region is not in the table and the default region's prices were used. */
  regionFallback: boolean;
  architecture: Architecture;
  prices: ArchitecturePrices;
  /** Source keys (see `PriceTable.sources`). */
  source: string[];
}

/** Looks up prices; unknown or missing regions use `lambda.defaultRegion` and say so. */
export function lookupPrices(region: string | undefined, architecture: Architecture, priceTable: PriceTable = LAMBDA_PRICES): PriceLookup {
  const regions = priceTable.lambda.regions;
  const known = region !== undefined && Object.prototype.hasOwnProperty.call(regions, region);
  const used = known ? (region as string) : priceTable.lambda.defaultRegion;
  const r = regions[used];
  return { region: used, regionFallback: !known, architecture, prices: r[architecture], source: r.source };
}

/** Cost in USD of `gbSeconds` in one month under the tiers (tiers fill in order). */
export function tieredDurationCostUsd(gbSeconds: number, tiers: readonly GbSecondTier[]): number {
  let remaining = gbSeconds, floor = 0, cost = 0;
  for (const t of tiers) {
    if (remaining <= 0) break;
    const width = t.upToGbSeconds === null ? Infinity : t.upToGbSeconds - floor;
    const used = Math.min(remaining, width);
    cost += used * t.usdPerGbSecond;
    remaining -= used;
    if (t.upToGbSeconds !== null) floor = t.upToGbSeconds;
  }
  return cost;
}
