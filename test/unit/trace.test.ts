import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Span } from '../../src/core/model';
import { buildTraceTree, groupByTrace, mergeSpans } from '../../src/core/trace';
import { decodeXRay } from '../../src/core/xray';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const TRACE = '5f1872536a106696d56b1f4ef9eba2ed';

function id(n: number): string {
  return n.toString(16).padStart(16, '0');
}

function span(n: number, parent: number | undefined, startUnixUs: number, endUnixUs: number | undefined = startUnixUs + 10, traceId = TRACE): Span {
  const s: Span = {
    traceId, spanId: id(n), name: `s${n}`, kind: 'internal', startUnixUs, status: { code: 'unset' },
    attributes: {}, events: [], links: [], resource: { attributes: {} }, scope: { name: 't' }, origin: { format: 'xray', source: 't' },
  };
  if (parent !== undefined) s.parentSpanId = id(parent);
  if (endUnixUs !== undefined) s.endUnixUs = endUnixUs;
  return s;
}

describe('buildTraceTree', () => {
  it('orders rows pre-order, siblings by start time, with depth, parent row and subtree size', () => {
    // Input shuffled on purpose: children before parents, late siblings first.
    const spans = [span(5, 2, 300), span(3, 1, 200), span(2, 1, 100), span(4, 2, 150), span(1, undefined, 0)];
    const tree = buildTraceTree(spans);
    assert.deepEqual(tree.rows.map((r) => [r.span.name, r.depth, r.parentRow, r.descendantCount]), [
      ['s1', 0, -1, 4], ['s2', 1, 0, 2], ['s4', 2, 1, 0], ['s5', 2, 1, 0], ['s3', 1, 0, 0],
    ]);
    assert.deepEqual(tree.roots.map((s) => s.name), ['s1']);
    assert.deepEqual(tree.children.get(id(2))?.map((s) => s.name), ['s4', 's5']);
    assert.equal(tree.children.get(id(4)), undefined);
    assert.deepEqual([tree.orphans, tree.cycles], [[], []]);
  });

  it('reports orphans (parent never arrived) and shows them as roots', () => {
    const tree = buildTraceTree([span(1, undefined, 50), span(2, 99, 10), span(3, 2, 20)]);
    assert.deepEqual(tree.orphans.map((s) => s.name), ['s2']);
    assert.deepEqual(tree.rows.map((r) => [r.span.name, r.depth]), [['s2', 0], ['s3', 1], ['s1', 0]]);
  });

  it('breaks a parent cycle at its earliest span, reports it, and keeps every span', () => {
    // 2 -> 3 -> 4 -> 2 (parent links), 5 hangs off 4, plus a span that is its own parent.
    const spans = [span(1, undefined, 0), span(2, 4, 30), span(3, 2, 10), span(4, 3, 20), span(5, 4, 40), span(6, 6, 5)];
    const tree = buildTraceTree(spans);
    assert.deepEqual(tree.cycles, [[id(3), id(2), id(4)], [id(6)]]);
    assert.deepEqual(tree.rows.map((r) => [r.span.name, r.depth]), [
      ['s1', 0], ['s6', 0], ['s3', 0], ['s4', 1], ['s2', 2], ['s5', 2],
    ]);
    assert.equal(new Set(tree.rows.map((r) => r.span.spanId)).size, 6);
    assert.deepEqual(tree.orphans, []);
  });

  it('handles a 100k-deep chain without recursion', () => {
    const n = 100_000;
    const spans: Span[] = [];
    for (let i = n; i >= 1; i--) spans.push(span(i, i === 1 ? undefined : i - 1, i));
    const tree = buildTraceTree(spans);
    assert.equal(tree.rows.length, n);
    assert.equal(tree.rows[n - 1].depth, n - 1);
    assert.equal(tree.rows[n - 1].span.spanId, id(n));
    assert.equal(tree.rows[0].descendantCount, n - 1);
    // A 100k cycle, too.
    spans[spans.length - 1] = span(1, n, 1);
    const cyc = buildTraceTree(spans);
    assert.equal(cyc.cycles.length, 1);
    assert.equal(cyc.cycles[0].length, n);
    assert.equal(cyc.rows.length, n);
    assert.deepEqual(cyc.roots.map((s) => s.spanId), [id(1)]);
  });

  it('ignores a second copy of a span id', () => {
    const tree = buildTraceTree([span(1, undefined, 0), span(2, 1, 5), span(2, 1, 5)]);
    assert.equal(tree.rows.length, 2);
  });
});

describe('mergeSpans', () => {
  it('dedupes by trace and span id and keeps the complete copy of an in-progress span', () => {
    const inProgress = span(1, undefined, 0);
    delete inProgress.endUnixUs;
    const complete = span(1, undefined, 0, 500);
    const merged = mergeSpans([inProgress, span(2, 1, 5)], [complete, span(2, 1, 5), span(3, 1, 7)]);
    assert.deepEqual(merged.map((s) => [s.name, s.endUnixUs]), [['s1', 500], ['s2', 15], ['s3', 17]]);
    // A late in-progress copy never replaces the complete one.
    assert.equal(mergeSpans(merged, [inProgress])[0].endUnixUs, 500);
    // Same span id in another trace is another span.
    assert.equal(mergeSpans(merged, [span(1, undefined, 0, 9, 'ffffffffffffffffffffffffffffffff')]).length, 4);
  });

  it('merges the in-progress X-Ray segment with its completed copy from the daemon', () => {
    const text = fs.readFileSync(path.join(corpus, 'xray/otel-collector-contrib/minInProgress.txt'), 'utf8');
    const first = decodeXRay(text, 'a').spans;
    const done = decodeXRay(text.replace('"in_progress": true', '"end_time": 1595437652.25'), 'b').spans;
    const merged = mergeSpans(first, done);
    assert.equal(merged.length, 1);
    assert.equal(merged[0].endUnixUs, 1595437652250000);
    assert.equal(merged[0].origin.source, 'b');
  });
});

describe('groupByTrace', () => {
  it('groups by trace id in order of first appearance', () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    const groups = groupByTrace([span(1, undefined, 0), span(2, undefined, 0, 1, other), span(3, 1, 1)]);
    assert.deepEqual([...groups.keys()], [TRACE, other]);
    assert.deepEqual(groups.get(TRACE)?.map((s) => s.name), ['s1', 's3']);
  });
});
