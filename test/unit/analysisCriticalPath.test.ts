import assert from 'node:assert/strict';
import fc from 'fast-check';
import { criticalPath, radixOrder } from '../../src/core/analysis/criticalPath';
import { SpanIdIndex } from '../../src/core/analysis/spanIdIndex';
import type { Span } from '../../src/core/model';
import { T0_US, span } from './analysisSpans';

const rel = (cp: ReturnType<typeof criticalPath>, names: Map<string, string>): string[] =>
  cp.segments.spanIds.map((id, i) => `${names.get(id)}[${(cp.segments.startUnixUs[i] - T0_US) / 1000},${(cp.segments.endUnixUs[i] - T0_US) / 1000}]`);

function named(spans: Span[]): Map<string, string> {
  return new Map(spans.map((s) => [s.spanId, s.name]));
}

describe('analysis: critical path', () => {
  it('follows the last-finishing child and skips the sibling it overlapped', () => {
    const a = span({ name: 'A', startMs: 0, durMs: 100 });
    const b = span({ name: 'B', parent: a.spanId, startMs: 10, durMs: 30 });   // [10,40]
    const c = span({ name: 'C', parent: a.spanId, startMs: 30, durMs: 60 });   // [30,90]
    const d = span({ name: 'D', parent: c.spanId, startMs: 50, durMs: 30 });   // [50,80]
    const spans = [d, b, c, a];
    const cp = criticalPath(spans);
    // backwards from 100: A owns (90,100]; C (80,90]; D (50,80]; C (30,50]; B ends at 40 > 30 so it overlapped C; A (0,30]
    assert.deepEqual(rel(cp, named(spans)), ['A[0,30]', 'C[30,50]', 'D[50,80]', 'C[80,90]', 'A[90,100]']);
    assert.deepEqual(cp.spanIds, [a.spanId, c.spanId, d.spanId]);
    assert.deepEqual(cp.selfMs, [40, 30, 30]);
    assert.equal(cp.totalMs, 100);
  });

  it('an async child that outlives its parent extends the path to its own end', () => {
    const a = span({ name: 'A', startMs: 0, durMs: 50 });
    const q = span({ name: 'Q', parent: a.spanId, startMs: 40, durMs: 160, kind: 'consumer' }); // [40,200]
    const cp = criticalPath([a, q]);
    assert.deepEqual(rel(cp, named([a, q])), ['A[0,40]', 'Q[40,200]']);
    assert.equal(cp.totalMs, 200);
  });

  it('clock skew: a child starting before its parent is clamped to the parent start', () => {
    const a = span({ name: 'A', startMs: 10, durMs: 90 });
    const b = span({ name: 'B', parent: a.spanId, startMs: 0, durMs: 50 }); // [0,50] skewed early
    const cp = criticalPath([a, b]);
    assert.deepEqual(rel(cp, named([a, b])), ['B[10,50]', 'A[50,100]']);
  });

  it('orphans whose parent never arrived are roots; the gap between them is no segment', () => {
    const x = span({ name: 'X', parent: 'ffffffffffffffff', startMs: 0, durMs: 10 });
    const y = span({ name: 'Y', parent: 'eeeeeeeeeeeeeeee', startMs: 20, durMs: 10 });
    const cp = criticalPath([y, x]);
    assert.deepEqual(rel(cp, named([x, y])), ['X[0,10]', 'Y[20,30]']);
    assert.equal(cp.totalMs, 30);
  });

  it('a span without an end runs to its latest child, or is zero-length', () => {
    const a = span({ name: 'A', startMs: 0, durMs: null });
    const b = span({ name: 'B', parent: a.spanId, startMs: 5, durMs: 20 });
    const cp = criticalPath([a, b]);
    assert.deepEqual(rel(cp, named([a, b])), ['A[0,5]', 'B[5,25]']);
    assert.deepEqual(criticalPath([span({ name: 'Z', durMs: 0 })]).segments.spanIds, []);
  });

  it('a span stored twice (same id) counts once', () => {
    const a = span({ name: 'A', startMs: 0, durMs: 10 });
    const cp = criticalPath([a, { ...a }]);
    assert.deepEqual([cp.spanIds, cp.selfMs], [[a.spanId], [10]]);
  });

  it('parent cycles in bad data do not hang or lose spans', () => {
    const a = span({ name: 'A', spanId: '000000000000000a', parent: '000000000000000b', startMs: 0, durMs: 10 });
    const b = span({ name: 'B', spanId: '000000000000000b', parent: '000000000000000a', startMs: 2, durMs: 5 });
    const cp = criticalPath([a, b]);
    assert.equal(cp.totalMs, 10);
    assert.ok(cp.spanIds.length >= 1);
  });

  it('a 100k-deep chain runs without recursion', function () {
    this.timeout(20_000); // building 100k spans on a loaded machine; the speed is measured in bench/analysis.bench.ts
    const spans: Span[] = [];
    let parent: string | undefined;
    for (let i = 0; i < 100_000; i++) {
      const s = span({ name: `s${i}`, parent, startMs: i * 0.01, durMs: 2000 - i * 0.02 });
      spans.push(s); parent = s.spanId;
    }
    const cp = criticalPath(spans);
    assert.equal(cp.spanIds.length, 100_000);
    assert.equal(cp.spanIds[0], spans[0].spanId);
    assert.ok(Math.abs(cp.totalMs - 2000) < 1e-6);
  });

  it('segments never overlap and add up to at most the total (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(30), fc.nat(1000), fc.nat(500)), { minLength: 1, maxLength: 60 }), (rows) => {
      const spans: Span[] = [];
      rows.forEach(([p, s, d], i) => spans.push(span({ name: `n${i}`, parent: i > 0 ? spans[p % i].spanId : undefined, startMs: s, durMs: d })));
      const cp = criticalPath(spans);
      let prev = -Infinity, sum = 0;
      const { startUnixUs: st, endUnixUs: en } = cp.segments;
      for (let i = 0; i < st.length; i++) { if (st[i] < prev || en[i] <= st[i]) return false; prev = en[i]; sum += (en[i] - st[i]) / 1000; }
      return sum <= cp.totalMs + 1e-6;
    }), { numRuns: 200 });
  });

  it('radix order sorts like a comparison sort (property)', () => {
    fc.assert(fc.property(fc.array(fc.nat(2 ** 40)), (xs) => {
      const keys = Float64Array.from(xs);
      const got = Array.from(radixOrder(keys), (i) => keys[i]);
      return JSON.stringify(got) === JSON.stringify([...xs].sort((a, b) => a - b));
    }), { numRuns: 100 });
  });
});

describe('analysis: span id index', () => {
  it('finds 16-hex ids, odd ids by string, keeps the first duplicate, and misses cleanly', () => {
    const ids = ['00000000000000aa', 'not-a-hex-id', '00000000000000aa', 'ffffffffffffffff', ''];
    const x = new SpanIdIndex(ids);
    assert.deepEqual(ids.map((id) => x.get(id)), [0, 1, 0, 3, 4]);
    assert.equal(x.duplicates, 1);
    assert.deepEqual([x.get('00000000000000ab'), x.get('not-a-hex-iD'), x.get('zz')], [-1, -1, -1]);
  });

  it('agrees with a Map on random ids (property)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.string({ maxLength: 20 })), { maxLength: 200 }), fc.string({ maxLength: 20 }), (ids, probe) => {
      const x = new SpanIdIndex(ids);
      const m = new Map<string, number>();
      ids.forEach((id, i) => { if (!m.has(id)) m.set(id, i); });
      return [...ids, probe].every((id) => x.get(id) === (m.get(id) ?? -1));
    }), { numRuns: 100 });
  });
});
