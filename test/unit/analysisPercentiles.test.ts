import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DurationDigest, nearestRank } from '../../src/core/analysis/percentiles';
import { LogSketch } from '../../src/core/analysis/sketch';

describe('percentiles', () => {
  it('uses nearest rank: p50 of 1..10 is 5, p90 is 9, p99 is 10', () => {
    const d = new DurationDigest();
    for (let i = 10; i >= 1; i--) d.add(i);
    const s = d.summary();
    // rank = ceil(q * n): ceil(0.5*10)=5 -> 5; ceil(0.9*10)=9 -> 9; ceil(0.95*10)=10 -> 10
    assert.deepEqual([s.p50Ms, s.p90Ms, s.p95Ms, s.p99Ms, s.maxMs, s.minMs], [5, 9, 10, 10, 10, 1]);
    assert.equal(s.meanMs, 5.5);
    assert.equal(s.percentileMethod, 'exact');
  });

  it('one value is every percentile', () => {
    const d = new DurationDigest();
    d.add(113.2);
    const s = d.summary();
    assert.deepEqual([s.p50Ms, s.p99Ms, s.maxMs], [113.2, 113.2, 113.2]);
  });

  it('empty gives NaN, not a made-up zero', () => {
    assert.ok(Number.isNaN(new DurationDigest().summary().p50Ms));
    assert.ok(Number.isNaN(nearestRank([], 0.5)));
  });

  it('switches to the sketch past the exact limit and says so', () => {
    const d = new DurationDigest(100);
    for (let i = 1; i <= 100; i++) d.add(i);
    assert.equal(d.method, 'exact');
    d.add(101);
    assert.equal(d.method, 'sketch');
    assert.equal(d.count, 101);
    const p50 = d.quantile(0.5); // exact: rank ceil(50.5)=51 -> 51
    assert.ok(Math.abs(p50 - 51) / 51 <= 0.01, `p50 ${p50}`);
    assert.equal(d.summary().maxMs, 101);
  });

  it('NaN and infinite values are ignored rather than breaking the sketch', () => {
    const s = new LogSketch();
    s.add(Infinity); s.add(NaN); s.add(3);
    assert.deepEqual([s.count, s.quantile(0.5)], [1, 3]);
    const d = new DurationDigest(1);
    d.add(NaN); d.add(Infinity); d.add(2); d.add(4);
    assert.deepEqual([d.count, d.method, d.summary().maxMs], [2, 'sketch', 4]);
  });

  it('zero-length values are kept as 0 (not dropped, not log(0))', () => {
    const s = new LogSketch();
    for (let i = 0; i < 60; i++) s.add(0);
    for (let i = 0; i < 40; i++) s.add(5);
    assert.equal(s.quantile(0.5), 0);
    assert.ok(Math.abs(s.quantile(0.9) - 5) <= 0.05);
  });

  it('merging two exact digests stays exact when the total fits, and turns into a sketch when not', () => {
    const a = new DurationDigest(10), b = new DurationDigest(10);
    for (let i = 1; i <= 5; i++) { a.add(i); b.add(i + 5); }
    a.merge(b);
    assert.equal(a.method, 'exact');
    assert.equal(a.quantile(0.5), 5);
    const c = new DurationDigest(10);
    for (let i = 11; i <= 20; i++) c.add(i);
    a.merge(c);
    assert.equal(a.method, 'sketch');
    assert.equal(a.count, 20);
    assert.ok(Math.abs(a.quantile(0.5) - 10) / 10 <= 0.01);
  });

  it('sketch quantiles are within 1% of exact nearest-rank on random data (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0.001, max: 900_000, noNaN: true }), { minLength: 1, maxLength: 3000 }),
      fc.constantFrom(0.01, 0.5, 0.9, 0.95, 0.99, 0.999),
      (values, q) => {
        const sk = new LogSketch(0.01);
        for (const v of values) sk.add(v);
        const sorted = Float64Array.from(values).sort();
        const exact = nearestRank(sorted, q);
        const approx = sk.quantile(q);
        return Math.abs(approx - exact) <= 0.01 * exact + 1e-12;
      }), { numRuns: 300 });
  });

  it('merged sketches answer like one sketch over all values (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0.01, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 500 }),
      fc.array(fc.double({ min: 0.01, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 500 }),
      (xs, ys) => {
        const a = new LogSketch(), b = new LogSketch(), all = new LogSketch();
        for (const v of xs) { a.add(v); all.add(v); }
        for (const v of ys) { b.add(v); all.add(v); }
        a.merge(b);
        return [0.5, 0.95, 0.99].every((q) => a.quantile(q) === all.quantile(q)) && a.count === all.count;
      }), { numRuns: 100 });
  });
});
