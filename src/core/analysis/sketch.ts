/**
 * A mergeable log-bucket quantile sketch in the style of DDSketch (Masson et al., VLDB 2019): value
 * x > 0 goes to bucket ceil(log_gamma(x)) with gamma = (1 + a) / (1 - a); every bucket's midpoint
 * 2 gamma^k / (gamma + 1) is within relative error `a` of every value in it. Values <= MIN_POSITIVE
 * (zero-length spans) are counted apart and read back as 0. Negative values are not accepted:
 * callers clamp (durations cannot be negative; clock skew is reported elsewhere).
 */

/** Values at or below this are treated as zero (1e-9 of the caller's unit). */
const MIN_POSITIVE = 1e-9;

export class LogSketch {
  /** Relative accuracy guaranteed for every quantile, e.g. 0.01 for 1 %. */
  readonly relativeAccuracy: number;
  private readonly gamma: number;
  private readonly invLogGamma: number;
  private counts: Float64Array = new Float64Array(0);
  /** Bucket key of counts[0]. */
  private offset = 0;
  private zeroCount = 0;
  private total = 0;
  private minValue = Infinity;
  private maxValue = -Infinity;
  private sumValue = 0;

  constructor(relativeAccuracy = 0.01) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new RangeError(`relativeAccuracy must be in (0, 1), got ${relativeAccuracy}`);
    this.relativeAccuracy = relativeAccuracy;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.invLogGamma = 1 / Math.log(this.gamma);
  }

  get count(): number { return this.total; }
  get min(): number { return this.total ? this.minValue : NaN; }
  get max(): number { return this.total ? this.maxValue : NaN; }
  get sum(): number { return this.sumValue; }

  /** Adds one value (>= 0). NaN and infinities are ignored: they have no bucket. */
  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.total++;
    this.sumValue += value;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
    if (value <= MIN_POSITIVE) { this.zeroCount++; return; }
    const key = Math.ceil(Math.log(value) * this.invLogGamma);
    let idx = key - this.offset;
    if (idx < 0 || idx >= this.counts.length) { this.grow(key); idx = key - this.offset; }
    this.counts[idx]++;
  }

  /** Adds every value of another sketch with the same accuracy (the merge is exact on buckets). */
  merge(other: LogSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) throw new RangeError('cannot merge sketches of different accuracy');
    if (other.total === 0) return;
    this.total += other.total;
    this.sumValue += other.sumValue;
    this.zeroCount += other.zeroCount;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
    const oc = other.counts;
    for (let i = 0; i < oc.length; i++) {
      if (oc[i] === 0) continue;
      const key = i + other.offset;
      let idx = key - this.offset;
      if (idx < 0 || idx >= this.counts.length) { this.grow(key); idx = key - this.offset; }
      this.counts[idx] += oc[i];
    }
  }

  /**
   * The value at nearest rank ceil(q * n) (q in [0, 1]), within `relativeAccuracy` of the exact
   * one; q = 0 and q = 1 return the exact min and max. NaN when empty.
   */
  quantile(q: number): number {
    if (this.total === 0) return NaN;
    if (q <= 0) return this.minValue;
    if (q >= 1) return this.maxValue;
    const rank = Math.max(1, Math.ceil(q * this.total));
    if (rank <= this.zeroCount) return 0;
    let seen = this.zeroCount;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      seen += c[i];
      if (seen >= rank) {
        const v = (2 * Math.pow(this.gamma, i + this.offset)) / (this.gamma + 1);
        return Math.min(this.maxValue, Math.max(this.minValue, v));
      }
    }
    return this.maxValue;
  }

  private grow(key: number): void {
    if (this.counts.length === 0) {
      this.offset = key - 64;
      this.counts = new Float64Array(128);
      return;
    }
    const lo = Math.min(this.offset, key - 32);
    const hi = Math.max(this.offset + this.counts.length, key + 33);
    const next = new Float64Array(hi - lo);
    next.set(this.counts, this.offset - lo);
    this.counts = next;
    this.offset = lo;
  }
}
