import assert from 'node:assert/strict';
import { SpanFlag } from '../../src/shared/protocol';
import { toCompactTrace } from '../../src/core/waterfall/compactTrace';
import { toTraceView, spanIdAt, indexOfSpanId } from '../../src/core/waterfall/traceView';
import { filterKeep, visibleRows, searchSpans, expandAncestors, servicesOf, NO_FILTER } from '../../src/core/waterfall/rows';
import { lambdaColdStartTrace, makeSpan, syntheticTrace } from '../e2e/fixtures';

const names = (t: ReturnType<typeof toCompactTrace>['payload'], rows: ArrayLike<number>): string[] => Array.from(rows, (i) => t.strings[t.nameStr[i]]);

describe('waterfall: compact trace', () => {
  it('orders a shuffled Lambda cold-start trace as a tree with depths and parents', () => {
    const { payload: t } = toCompactTrace(lambdaColdStartTrace());
    assert.deepEqual(names(t, Array.from(t.depth, (_, i) => i)), ['api/prod', 'Lambda', 'random-name', 'random-name', 'Initialization', 'Invocation', 'DynamoDB', 'SELECT orders', 'Overhead']);
    assert.deepEqual(Array.from(t.depth), [0, 1, 2, 3, 4, 4, 5, 6, 4]);
    assert.deepEqual(Array.from(t.parent), [-1, 0, 1, 2, 3, 3, 5, 6, 3]);
    assert.equal(t.durationUs, 1_450_000);
    assert.deepEqual([t.startUs[4], t.durUs[4]], [25_000, 665_000]);
    assert.equal(t.spanIds.length, 9 * 16);
    assert.equal(t.spanIds.slice(16, 32), '1000000000000002');
  });

  it('marks errors, faults, the Initialization phase and the service of each span', () => {
    const { payload: t } = toCompactTrace(lambdaColdStartTrace());
    const has = (i: number, f: number): boolean => (t.flags[i] & f) !== 0;
    assert.ok(has(0, SpanFlag.Error) && has(0, SpanFlag.Fault));
    assert.ok(has(4, SpanFlag.Init) && !has(5, SpanFlag.Init));
    assert.ok(has(5, SpanFlag.ColdStart));
    assert.ok(has(6, SpanFlag.Error) && has(6, SpanFlag.Fault));
    assert.ok(!has(7, SpanFlag.Error));
    assert.deepEqual(Array.from(t.serviceStr, (s) => t.strings[s]), ['api', 'api', 'random-name', 'random-name', 'random-name', 'random-name', 'random-name', 'random-name', 'random-name']);
  });

  it('keeps orphans and parent cycles as extra roots, each span exactly once', () => {
    const spans = [
      makeSpan('a000000000000001', undefined, 'root', 0, 100),
      makeSpan('a000000000000002', 'ffffffffffffffff', 'orphan', 5, 50),
      makeSpan('a000000000000003', 'a000000000000004', 'cycleA', 10, 20),
      makeSpan('a000000000000004', 'a000000000000003', 'cycleB', 12, 18),
      makeSpan('a000000000000005', 'a000000000000001', 'child', 1, 2),
    ];
    const { payload: t, order } = toCompactTrace({ traceId: spans[0].traceId, spans });
    assert.deepEqual(names(t, [0, 1, 2, 3, 4]), ['root', 'child', 'orphan', 'cycleA', 'cycleB']);
    assert.deepEqual(Array.from(t.parent), [-1, 0, -1, -1, 3]);
    assert.ok((t.flags[2] & SpanFlag.Orphan) !== 0 && (t.flags[3] & SpanFlag.Orphan) !== 0 && (t.flags[0] & SpanFlag.Orphan) === 0);
    assert.deepEqual(order.map((s) => s.name), ['root', 'child', 'orphan', 'cycleA', 'cycleB']);
  });

  it('runs to the end of the trace for an in-progress span', () => {
    const spans = [makeSpan('b000000000000001', undefined, 'root', 0, 300), makeSpan('b000000000000002', 'b000000000000001', 'open', 100, undefined)];
    const { payload: t } = toCompactTrace({ traceId: spans[0].traceId, spans });
    assert.equal(t.durUs[1], 200_000);
    assert.ok((t.flags[1] & SpanFlag.InProgress) !== 0);
  });

  it('puts only the spans that decided the end time on the critical path', () => {
    const spans = [
      makeSpan('c000000000000001', undefined, 'handler', 0, 100),
      makeSpan('c000000000000002', 'c000000000000001', 'fetch user', 0, 30),
      makeSpan('c000000000000003', 'c000000000000001', 'log (parallel, short)', 5, 20),
      makeSpan('c000000000000004', 'c000000000000001', 'query orders', 30, 95),
      makeSpan('c000000000000005', 'c000000000000004', 'cache miss', 31, 35),
    ];
    const { payload: t } = toCompactTrace({ traceId: spans[0].traceId, spans });
    const critical = Array.from(t.flags, (f, i) => ((f & SpanFlag.Critical) !== 0 ? t.strings[t.nameStr[i]] : '')).filter(Boolean);
    assert.deepEqual(critical, ['handler', 'fetch user', 'query orders', 'cache miss']);
  });

  it('handles a 20k-deep chain without recursion', () => {
    const n = 20_000;
    const spans = Array.from({ length: n }, (_, i) => makeSpan(`d${i.toString(16).padStart(15, '0')}`, i === 0 ? undefined : `d${(i - 1).toString(16).padStart(15, '0')}`, `s${i}`, i / 1000, 1000 - i / 1000));
    const { payload: t } = toCompactTrace({ traceId: spans[0].traceId, spans });
    assert.equal(t.depth[n - 1], n - 1);
    const v = toTraceView(t);
    assert.equal(v.subtreeEnd[0], n);
  });
});

describe('waterfall: rows, filters and search', () => {
  const view = (): ReturnType<typeof toTraceView> => toTraceView(toCompactTrace(lambdaColdStartTrace()).payload);

  it('hides the subtree of a collapsed span and shows it again on expand', () => {
    const v = view();
    const collapsed = new Uint8Array(v.count);
    assert.equal(visibleRows(v, collapsed, null).length, 9);
    collapsed[5] = 1; // Invocation
    assert.deepEqual(Array.from(visibleRows(v, collapsed, null)), [0, 1, 2, 3, 4, 5, 8]);
    collapsed[1] = 1;
    assert.deepEqual(Array.from(visibleRows(v, collapsed, null)), [0, 1]);
    expandAncestors(v, collapsed, 7);
    assert.deepEqual(Array.from(visibleRows(v, collapsed, null)), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('filters to errors with their ancestors kept as context', () => {
    const v = view();
    const keep = filterKeep(v, { ...NO_FILTER, errorsOnly: true })!;
    assert.deepEqual(Array.from(keep), [1, 2, 2, 1, 0, 2, 1, 0, 0]);
    assert.deepEqual(Array.from(visibleRows(v, new Uint8Array(v.count), keep)), [0, 1, 2, 3, 5, 6]);
    assert.equal(filterKeep(v, NO_FILTER), null);
  });

  it('filters by minimum duration and by service', () => {
    const v = view();
    const long = visibleRows(v, new Uint8Array(v.count), filterKeep(v, { ...NO_FILTER, minDurationUs: 661_000 }));
    assert.deepEqual(Array.from(long, (i) => v.strings[v.nameStr[i]]), ['api/prod', 'Lambda', 'random-name', 'random-name', 'Initialization', 'Invocation']);
    const api = filterKeep(v, { ...NO_FILTER, service: 'api' })!;
    assert.deepEqual(Array.from(api), [1, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(servicesOf(v), ['api', 'random-name']);
  });

  it('finds spans by name, attribute value and key=value, case-insensitively', () => {
    const v = view();
    assert.deepEqual(Array.from(searchSpans(v, 'INIT')), [4]);
    assert.deepEqual(Array.from(searchSpans(v, 'postgres')), [7]);
    assert.deepEqual(Array.from(searchSpans(v, 'db.statement=select *')), [7]);
    assert.deepEqual(Array.from(searchSpans(v, 'random-name')), [2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(Array.from(searchSpans(v, '  ')), []);
    assert.deepEqual(Array.from(searchSpans(v, 'no such thing')), []);
  });

  it('maps span ids to rows and back', () => {
    const v = view();
    assert.equal(spanIdAt(v, 6), '1000000000000007');
    assert.equal(indexOfSpanId(v, '1000000000000007'), 6);
    assert.equal(indexOfSpanId(v, '0000000000000010'), -1);
    assert.equal(indexOfSpanId(v, 'x'), -1);
  });

  it('keeps every span of a shuffled synthetic trace once, parents before children', () => {
    const { payload: t } = toCompactTrace(syntheticTrace(5000));
    assert.equal(new Set(t.spanIds.match(/.{16}/g)).size, 5000);
    for (let i = 0; i < t.count; i++) {
      const p = t.parent[i];
      assert.ok(p < i && (p < 0 ? t.depth[i] === 0 : t.depth[i] === t.depth[p] + 1));
    }
  });
});
