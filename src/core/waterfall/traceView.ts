/** The webview's working form of a CompactTrace. */
import type { CompactTrace } from '../../shared/protocol';

/** The webview's working form of a trace: the received columns, used as they are. */
export type TraceView = CompactTrace;

/** Checks that every column has the length `count` says, so indexing cannot run off an end. */
export function toTraceView(t: CompactTrace): TraceView {
  const n = t.count;
  const cols = [t.startUs, t.durUs, t.depth, t.parent, t.subtreeEnd, t.nameStr, t.serviceStr, t.flags];
  if (!Number.isInteger(n) || n < 0 || cols.some((c) => !c || c.length !== n) || !t.attrOffsets || t.attrOffsets.length !== n + 1 || t.spanIds.length !== n * 16) {
    throw new Error(`malformed trace payload: count ${n} does not match its columns`);
  }
  return { ...t, durationUs: Math.max(1, t.durationUs) };
}

/** The 16-character span id of row i. */
export function spanIdAt(v: TraceView, i: number): string {
  return v.spanIds.slice(i * 16, i * 16 + 16);
}

/** Row index of a span id, or -1. Linear; called on restore and host requests, not per frame. */
export function indexOfSpanId(v: TraceView, spanId: string): number {
  if (spanId.length !== 16) return -1;
  let from = 0;
  for (;;) {
    const at = v.spanIds.indexOf(spanId, from);
    if (at < 0) return -1;
    if (at % 16 === 0) return at / 16;
    from = at + 1;
  }
}

/** True if span i has at least one child. */
export function hasChildren(v: TraceView, i: number): boolean {
  return v.subtreeEnd[i] > i + 1;
}
