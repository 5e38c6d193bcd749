/**
 * The critical path of a trace: the chain of spans that decided when it ended. Walks backwards from
 * the end: a span is "on the path" for the time between the end of its last-finishing child and its
 * own end, then the path descends into that child, then continues before the child's start.
 *
 * - Linear: children are ordered by a radix sort of their end times (no comparison sort), and each
 *   span is visited once. Iterative with explicit stacks, so a 100k-deep chain does not overflow.
 * - Async children that outlive their parent (a queue consumer, a fire-and-forget call) extend it:
 *   the trace is not done until they end, so a span's effective end is the latest end below it.
 * - Overlapping siblings: only the last-finishing one is followed; siblings that end after the
 *   followed one started overlapped it and were not the bottleneck.
 * - Clock skew: a child's window is clamped to its parent's (it cannot start before its parent).
 * - Spans without an end end at their latest descendant's end, or at their start.
 * - Several roots (orphans whose parent never arrived) hang under a virtual root spanning the trace.
 */
import type { Span } from '../model';
import { SpanIdIndex } from './spanIdIndex';

/**
 * Stretches of time during which one span was the bottleneck, as parallel arrays (a 100k-span
 * chain has 200k of them; arrays keep that cheap and JSON-plain). Times in Unix µs.
 */
export interface CriticalSegments {
  spanIds: string[];
  startUnixUs: number[];
  endUnixUs: number[];
}

export interface CriticalPath {
  /** Chronological, non-overlapping. Gaps (no span running) are not segments. */
  segments: CriticalSegments;
  /** Spans on the path, in order of first appearance (chronological). */
  spanIds: string[];
  /** Critical time (ms) of `spanIds[i]`: how much of the end-to-end time it alone accounts for. */
  selfMs: number[];
  /** From the earliest start to the latest effective end (ms). */
  totalMs: number;
}

/** Sorts indices 0..n-1 ascending by non-negative integer keys, LSD radix, 16 bits per pass: O(n) per pass. */
export function radixOrder(keys: Float64Array): Uint32Array {
  const n = keys.length;
  let order = new Uint32Array(n), tmp = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let max = 0;
  for (let i = 0; i < n; i++) if (keys[i] > max) max = keys[i];
  const counts = new Uint32Array(65536);
  for (let shift = 1; max / shift >= 1; shift *= 65536) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(keys[i] / shift) % 65536]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) { const c = counts[d]; counts[d] = sum; sum += c; }
    for (let i = 0; i < n; i++) { const k = order[i]; tmp[counts[Math.floor(keys[k] / shift) % 65536]++] = k; }
    const t = order; order = tmp; tmp = t;
  }
  return order;
}

/** Computes the critical path of one trace's spans (any order; duplicates by span id keep the first). */
export function criticalPath(spans: readonly Span[]): CriticalPath {
  const byId = new SpanIdIndex(spans.map((s) => s.spanId));
  // Duplicates by span id: keep the first.
  let list: readonly Span[] = spans;
  let index = byId;
  if (byId.duplicates > 0) {
    list = spans.filter((s, i) => byId.get(s.spanId) === i);
    index = new SpanIdIndex(list.map((s) => s.spanId));
  }
  const n = list.length;
  if (n === 0) return { segments: { spanIds: [], startUnixUs: [], endUnixUs: [] }, spanIds: [], selfMs: [], totalMs: 0 };
  const V = n; // virtual root
  const parent = new Int32Array(n + 1).fill(-1);
  const start = new Float64Array(n + 1), end = new Float64Array(n + 1);
  let t0 = Infinity;
  for (let i = 0; i < n; i++) {
    const s = list[i];
    start[i] = s.startUnixUs;
    end[i] = s.endUnixUs === undefined ? s.startUnixUs : Math.max(s.startUnixUs, s.endUnixUs);
    if (s.startUnixUs < t0) t0 = s.startUnixUs;
    const p = s.parentSpanId === undefined ? -1 : index.get(s.parentSpanId);
    parent[i] = p < 0 || p === i ? V : p;
  }
  // Children lists (CSR) before cycle breaking, to find nodes reachable from the virtual root.
  const order = topDown(parent, n);
  // Effective ends, bottom-up.
  for (let k = order.length - 1; k >= 1; k--) {
    const i = order[k], p = parent[i];
    if (end[i] > end[p] || p === V) end[p] = Math.max(end[p], end[i]);
  }
  start[V] = t0;
  // Clamp starts into the parent's window (clock skew), top-down.
  for (let k = 1; k < order.length; k++) { const i = order[k]; if (start[i] < start[parent[i]]) start[i] = start[parent[i]]; if (end[i] < start[i]) end[i] = start[i]; }
  // Children sorted by effective end: radix order of all nodes, appended to each parent's slice.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor(end[i] - t0);
  const byEnd = radixOrder(keys);
  const childStart = new Int32Array(n + 2);
  for (let i = 0; i < n; i++) childStart[parent[i] + 1]++;
  for (let i = 1; i <= n + 1; i++) childStart[i] += childStart[i - 1];
  const fill = childStart.slice(0, n + 1);
  const kids = new Int32Array(n);
  for (let k = 0; k < n; k++) { const i = byEnd[k]; kids[fill[parent[i]]++] = i; }
  // Backward walk with an explicit stack: node, cursor (µs), next child position (scanning down).
  const segNode: number[] = [], segStart: number[] = [], segEnd: number[] = [];
  const stNode = new Int32Array(n + 1), stCursor = new Float64Array(n + 1), stPos = new Int32Array(n + 1);
  let top = 0;
  stNode[0] = V; stCursor[0] = end[V]; stPos[0] = childStart[V + 1] - 1;
  while (top >= 0) {
    const node = stNode[top];
    const lo = start[node];
    let cursor = stCursor[top], pos = stPos[top];
    const first = childStart[node];
    let picked = -1;
    while (pos >= first) {
      const c = kids[pos--];
      if (end[c] <= lo) { pos = first - 1; break; }
      if (end[c] <= cursor) { picked = c; break; }
    }
    if (picked < 0) {
      if (cursor > lo && node !== V) { segNode.push(node); segStart.push(lo); segEnd.push(cursor); }
      top--;
      continue;
    }
    if (cursor > end[picked] && node !== V) { segNode.push(node); segStart.push(end[picked]); segEnd.push(cursor); }
    cursor = Math.max(lo, start[picked]);
    stCursor[top] = cursor; stPos[top] = pos;
    top++;
    stNode[top] = picked; stCursor[top] = end[picked]; stPos[top] = childStart[picked + 1] - 1;
  }
  const segments: CriticalSegments = { spanIds: [], startUnixUs: [], endUnixUs: [] };
  const sEnd = segments.endUnixUs;
  const slot = new Int32Array(n).fill(-1);
  const spanIds: string[] = [], selfMs: number[] = [];
  let lastNode = -1;
  for (let k = segNode.length - 1; k >= 0; k--) {
    const node = segNode[k];
    if (node === lastNode && sEnd[sEnd.length - 1] === segStart[k]) sEnd[sEnd.length - 1] = segEnd[k];
    else { segments.spanIds.push(list[node].spanId); segments.startUnixUs.push(segStart[k]); sEnd.push(segEnd[k]); }
    lastNode = node;
    if (slot[node] < 0) { slot[node] = spanIds.length; spanIds.push(list[node].spanId); selfMs.push(0); }
    selfMs[slot[node]] += (segEnd[k] - segStart[k]) / 1000;
  }
  return { segments, spanIds, selfMs, totalMs: (end[V] - t0) / 1000 };
}

/**
 * Top-down order (virtual root first) over parent links; nodes caught in a parent cycle are cut
 * loose and hung under the virtual root, so every node appears exactly once.
 */
function topDown(parent: Int32Array, n: number): Int32Array {
  const V = n;
  const childStart = new Int32Array(n + 2);
  for (let i = 0; i < n; i++) childStart[parent[i] + 1]++;
  for (let i = 1; i <= n + 1; i++) childStart[i] += childStart[i - 1];
  const fill = childStart.slice(0, n + 1);
  const kids = new Int32Array(n);
  for (let i = 0; i < n; i++) kids[fill[parent[i]]++] = i;
  const order = new Int32Array(n + 1);
  const seen = new Uint8Array(n + 1);
  let len = 0;
  const visitFrom = (root: number): void => {
    let head = len;
    order[len++] = root; seen[root] = 1;
    while (head < len) {
      const x = order[head++];
      for (let k = childStart[x]; k < childStart[x + 1]; k++) { const c = kids[k]; if (!seen[c]) { seen[c] = 1; order[len++] = c; } }
    }
  };
  visitFrom(V);
  for (let i = 0; i < n && len < n + 1; i++) {
    if (seen[i]) continue;
    // i is in (or below) a cycle: walk up to a node on the cycle and cut it loose.
    let x = i;
    for (let steps = 0; steps <= n && !seen[parent[x]] && parent[x] !== V; steps++) x = parent[x];
    parent[x] = V;
    // Re-run the walk from x; its subtree was never seen.
    const before = len;
    visitFrom(x);
    if (len === before) break;
  }
  return order.subarray(0, len);
}
