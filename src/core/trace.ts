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
  /** Children of each span id, in row order; spans without children have no entry. */
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
  const byId = new Map<string, Span>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);

  // Effective parent id of each span: undefined for roots. Cycles are cut below.
  const parentOf = new Map<string, string | undefined>();
  const orphans: Span[] = [];
  for (const s of byId.values()) {
    const p = s.parentSpanId;
    if (p !== undefined && !byId.has(p)) orphans.push(s);
    parentOf.set(s.spanId, p !== undefined && byId.has(p) ? p : undefined);
  }

  const cycles = findAndBreakCycles(byId, parentOf);

  const childrenOf = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of byId.values()) {
    const p = parentOf.get(s.spanId);
    if (p === undefined) {
      roots.push(s);
    } else {
      let list = childrenOf.get(p);
      if (!list) childrenOf.set(p, (list = []));
      list.push(s);
    }
  }
  roots.sort(byStart);
  for (const list of childrenOf.values()) list.sort(byStart);

  const rows: TraceTreeRow[] = [];
  const stack: { span: Span; depth: number; parentRow: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ span: roots[i], depth: 0, parentRow: -1 });
  while (stack.length) {
    const { span, depth, parentRow } = stack.pop()!;
    const index = rows.length;
    rows.push({ span, depth, parentRow, descendantCount: 0 });
    const kids = childrenOf.get(span.spanId);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1, parentRow: index });
  }
  // Children come after their parent in pre-order, so one backward pass sums subtree sizes.
  for (let i = rows.length - 1; i >= 0; i--) {
    const p = rows[i].parentRow;
    if (p >= 0) rows[p].descendantCount += rows[i].descendantCount + 1;
  }
  return { rows, roots, children: childrenOf, orphans, cycles };
}

/** Follows parent links from every span once (O(n)); cuts each cycle at its earliest span. */
function findAndBreakCycles(byId: Map<string, Span>, parentOf: Map<string, string | undefined>): string[][] {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const cycles: string[][] = [];
  for (const start of byId.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && !state.has(cur)) {
      state.set(cur, 1);
      path.push(cur);
      cur = parentOf.get(cur);
    }
    if (cur !== undefined && state.get(cur) === 1) {
      const members = path.slice(path.indexOf(cur));
      let cut = members[0];
      for (const id of members) if (byStart(byId.get(id)!, byId.get(cut)!) < 0) cut = id;
      parentOf.set(cut, undefined);
      const k = members.indexOf(cut);
      cycles.push([...members.slice(k), ...members.slice(0, k)]);
    }
    for (const id of path) state.set(id, 2);
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
