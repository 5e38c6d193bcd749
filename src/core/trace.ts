/**
 * Tree helpers over the spans of a trace. Everything here is iterative: a trace can be 100k
 * spans deep, and a recursive walk would overflow the stack.
 */
import type { Span } from './model';

/** One row of the tree in pre-order DFS order (a span, then its subtree, then its next sibling). */
export interface TraceTreeRow {
  span: Span;
  /** 0 for roots. */
  depth: number;
  /** Index in `rows` of the parent row, -1 for roots. */
  parentRow: number;
  /** Rows `[index + 1, index + 1 + descendantCount)` are this span's subtree. */
  descendantCount: number;
}

export interface TraceTree {
  /** Every span once, pre-order DFS; siblings (and roots) by start time, then span id. */
  rows: TraceTreeRow[];
  /** Root spans in row order: no parent, parent never arrived, or where a cycle was broken. */
  roots: Span[];
  /** Children of each span id, in row order; spans without children have no entry. Built on first read. */
  children: ReadonlyMap<string, readonly Span[]>;
  /** Spans whose `parentSpanId` is set but is no span of the input (they are also roots). */
  orphans: Span[];
  /**
   * Parent-id cycles found: span ids, each one's parent next, starting with the span made a root to
   * break the cycle (the earliest-starting one). Their spans stay in the tree.
   */
  cycles: string[][];
}

function byStart(a: Span, b: Span): number {
  return a.startUnixUs - b.startUnixUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

/**
 * Builds the tree of the spans of ONE trace (span ids are assumed unique; `mergeSpans` first when
 * they may not be: a later duplicate is ignored here). Never throws on bad parent data: orphans and
 * cycles are reported and their spans become roots.
 */
export function buildTraceTree(spans: readonly Span[]): TraceTree {
  // Work on indexes and typed arrays: one Map lookup per span, then no string keys.
  const list: Span[] = [];
  const indexOf = new Map<string, number>();
  for (const s of spans) {
    if (!indexOf.has(s.spanId)) {
      indexOf.set(s.spanId, list.length);
      list.push(s);
    }
  }
  const n = list.length;
  const parent = new Int32Array(n).fill(-1);
  const orphans: Span[] = [];
  for (let i = 0; i < n; i++) {
    const p = list[i].parentSpanId;
    if (p === undefined) continue;
    const j = indexOf.get(p);
    if (j === undefined) orphans.push(list[i]);
    else parent[i] = j;
  }

  const cycles = findAndBreakCycles(list, parent);

  // Children as ranges of one array (CSR): childStart[i] .. childStart[i + 1].
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) childStart[parent[i] + 1]++;
  for (let i = 0; i < n; i++) childStart[i + 1] += childStart[i];
  const fill = childStart.slice(0, n);
  const childIdx = new Int32Array(childStart[n]);
  const rootIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    if (parent[i] >= 0) childIdx[fill[parent[i]]++] = i;
    else rootIdx.push(i);
  }
  const cmp = (a: number, b: number): number => byStart(list[a], list[b]);
  rootIdx.sort(cmp);
  for (let i = 0; i < n; i++) {
    if (childStart[i + 1] - childStart[i] > 1) childIdx.subarray(childStart[i], childStart[i + 1]).sort(cmp);
  }
  // Built on first use: renderers walk `rows`, and 100k map entries cost more than the rest of the build.
  let children: Map<string, Span[]> | undefined;
  const childrenMap = (): Map<string, Span[]> => {
    if (children) return children;
    children = new Map();
    for (let i = 0; i < n; i++) {
      if (childStart[i + 1] === childStart[i]) continue;
      children.set(list[i].spanId, Array.from(childIdx.subarray(childStart[i], childStart[i + 1]), (k) => list[k]));
    }
    return children;
  };

  const rows: TraceTreeRow[] = new Array(n);
  const rowOf = new Int32Array(n);
  const depthOf = new Int32Array(n);
  const stack: number[] = [];
  for (let r = rootIdx.length - 1; r >= 0; r--) stack.push(rootIdx[r]);
  let count = 0;
  while (stack.length) {
    const i = stack.pop()!;
    const p = parent[i];
    const depth = p < 0 ? 0 : depthOf[p] + 1;
    depthOf[i] = depth;
    rowOf[i] = count;
    rows[count++] = { span: list[i], depth, parentRow: p < 0 ? -1 : rowOf[p], descendantCount: 0 };
    for (let k = childStart[i + 1] - 1; k >= childStart[i]; k--) stack.push(childIdx[k]);
  }
  // Children come after their parent in pre-order, so one backward pass sums subtree sizes.
  for (let r = n - 1; r >= 0; r--) {
    const p = rows[r].parentRow;
    if (p >= 0) rows[p].descendantCount += rows[r].descendantCount + 1;
  }
  return {
    rows, roots: rootIdx.map((i) => list[i]), orphans, cycles,
    get children() {
      return childrenMap();
    },
  };
}

/** Follows parent links from every span once (O(n)); cuts each cycle at its earliest span. */
function findAndBreakCycles(list: readonly Span[], parent: Int32Array): string[][] {
  const state = new Uint8Array(list.length); // 0: unseen, 1: on the current path, 2: done
  const cycles: string[][] = [];
  const path: number[] = [];
  for (let start = 0; start < list.length; start++) {
    if (state[start]) continue;
    path.length = 0;
    let cur = start;
    while (cur >= 0 && state[cur] === 0) {
      state[cur] = 1;
      path.push(cur);
      cur = parent[cur];
    }
    if (cur >= 0 && state[cur] === 1) {
      const members = path.slice(path.indexOf(cur));
      let k = 0;
      for (let m = 1; m < members.length; m++) if (byStart(list[members[m]], list[members[k]]) < 0) k = m;
      parent[members[k]] = -1;
      cycles.push([...members.slice(k), ...members.slice(0, k)].map((i) => list[i].spanId));
    }
    for (const i of path) state[i] = 2;
  }
  return cycles;
}

/**
 * Merges newly arrived spans into known ones, deduplicated by trace id + span id. A span that was
 * in progress (no end) is replaced when it arrives complete; a complete span is never replaced by
 * an in-progress or repeated copy. Order: existing spans first (replacements in place), then new.
 */
export function mergeSpans(existing: readonly Span[], incoming: readonly Span[]): Span[] {
  const out = [...existing];
  const index = new Map<string, number>();
  out.forEach((s, i) => index.set(`${s.traceId}/${s.spanId}`, i));
  for (const s of incoming) {
    const key = `${s.traceId}/${s.spanId}`;
    const i = index.get(key);
    if (i === undefined) {
      index.set(key, out.length);
      out.push(s);
    } else if (out[i].endUnixUs === undefined && s.endUnixUs !== undefined) {
      out[i] = s;
    }
  }
  return out;
}

/** Spans grouped by trace id, traces in order of first appearance, spans in input order. */
export function groupByTrace(spans: readonly Span[]): Map<string, Span[]> {
  const groups = new Map<string, Span[]>();
  for (const s of spans) {
    const list = groups.get(s.traceId);
    if (list) list.push(s);
    else groups.set(s.traceId, [s]);
  }
  return groups;
}
