/**
 * Percentiles that say how they were computed: exact (sorted Float64Array, nearest rank) while a
 * sample is small, a mergeable LogSketch with <= 1 % relative error once it grows past a limit.
 */
import { LogSketch } from './sketch';

/** How a percentile was computed: `exact` (sorted values) or `sketch` (<= 1 % relative error). */
export type PercentileMethod = 'exact' | 'sketch';

/** Default number of values kept exactly before switching to the sketch. */
export const DEFAULT_EXACT_LIMIT = 10_000;

/** Percentile summary of a set of durations (ms). NaN fields mean "no values". */
export interface PercentileSummary {
  count: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  percentileMethod: PercentileMethod;
}

/** Nearest-rank percentile of ascending-sorted values: the value at rank ceil(q * n), 1-based. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
  return sorted[rank - 1];
}

/**
 * Collects values (ms, >= 0; negatives are clamped to 0 by the caller's contract) and answers
 * percentiles. Exact up to `exactLimit` values, then a LogSketch. Mergeable: merging two digests
 * stays exact while the total fits.
 */
export class DurationDigest {
  private values: Float64Array | undefined = new Float64Array(16);
  private n = 0;
  private sketch: LogSketch | undefined;
  private sorted = false;
  private readonly exactLimit: number;

  constructor(exactLimit = DEFAULT_EXACT_LIMIT) {
    this.exactLimit = exactLimit;
  }

  get count(): number { return this.n; }
  get method(): PercentileMethod { return this.sketch ? 'sketch' : 'exact'; }

  /** Adds a duration; negatives (clock skew) count as 0, NaN and infinities are ignored. */
  add(valueMs: number): void {
    if (Number.isNaN(valueMs) || valueMs === Infinity) return;
    const v = valueMs > 0 ? valueMs : 0;
    this.n++;
    if (this.sketch) { this.sketch.add(v); return; }
    let vals = this.values as Float64Array;
    if (this.n > this.exactLimit) { this.toSketch(this.n - 1).add(v); return; }
    if (this.n > vals.length) {
      const next = new Float64Array(Math.min(this.exactLimit, vals.length * 2));
      next.set(vals);
      vals = this.values = next;
    }
    vals[this.n - 1] = v;
    this.sorted = false;
  }

  merge(other: DurationDigest): void {
    if (other.n === 0) return;
    if (!this.sketch && !other.sketch && this.n + other.n <= this.exactLimit) {
      const ov = other.values as Float64Array;
      for (let i = 0; i < other.n; i++) this.add(ov[i]);
      return;
    }
    const s = this.sketch ?? this.toSketch(this.n);
    if (other.sketch) s.merge(other.sketch);
    else { const ov = other.values as Float64Array; for (let i = 0; i < other.n; i++) s.add(ov[i]); }
    this.n += other.n;
  }

  /** Value at nearest rank ceil(q * n); NaN when empty. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    if (this.sketch) return this.sketch.quantile(q);
    return nearestRank(this.sortedValues(), q);
  }

  summary(): PercentileSummary {
    if (this.n === 0) {
      return { count: 0, minMs: NaN, maxMs: NaN, meanMs: NaN, p50Ms: NaN, p90Ms: NaN, p95Ms: NaN, p99Ms: NaN, percentileMethod: 'exact' };
    }
    let min: number, max: number, mean: number;
    if (this.sketch) {
      min = this.sketch.min; max = this.sketch.max; mean = this.sketch.sum / this.sketch.count;
    } else {
      const s = this.sortedValues();
      min = s[0]; max = s[s.length - 1];
      let sum = 0;
      for (let i = 0; i < s.length; i++) sum += s[i];
      mean = sum / s.length;
    }
    return {
      count: this.n, minMs: min, maxMs: max, meanMs: mean,
      p50Ms: this.quantile(0.5), p90Ms: this.quantile(0.9), p95Ms: this.quantile(0.95), p99Ms: this.quantile(0.99),
      percentileMethod: this.method,
    };
  }

  private sortedValues(): Float64Array {
    const view = (this.values as Float64Array).subarray(0, this.n);
    if (!this.sorted) { view.sort(); this.sorted = true; }
    return view;
  }

  /** Moves the first `exactCount` kept values into a new sketch. */
  private toSketch(exactCount: number): LogSketch {
    const s = new LogSketch(0.01);
    const vals = this.values as Float64Array;
    for (let i = 0; i < exactCount; i++) s.add(vals[i]);
    this.sketch = s;
    this.values = undefined;
    return s;
  }
}
