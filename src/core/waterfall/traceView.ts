/**
 * The webview's working form of a CompactTrace: the same columns as typed arrays (a tenth of the
 * memory of number[] for 1M spans) plus the subtree end of every span.
 */
import type { CompactTrace } from '../../shared/protocol';
import { subtreeEnds } from './criticalPath';

export interface TraceView {
  traceId: string;
  count: number;
  startUnixUs: number;
  durationUs: number;
  strings: string[];
  spanIds: string;
  startUs: Float64Array;
  durUs: Float64Array;
  depth: Uint16Array;
  parent: Int32Array;
  nameStr: Int32Array;
  serviceStr: Int32Array;
  flags: Uint8Array;
  attrOffsets: Int32Array;
  attrKeyStr: Int32Array;
  attrValStr: Int32Array;
  /** One past the last descendant of span i (pre-order), so a subtree is [i, subtreeEnd[i]). */
  subtreeEnd: Int32Array;
}

/** Builds a TraceView; the payload's arrays can be dropped afterwards. */
export function toTraceView(t: CompactTrace): TraceView {
  const depth = Uint16Array.from(t.depth, (d) => Math.min(d, 65535));
  return {
    traceId: t.traceId, count: t.count, startUnixUs: t.startUnixUs, durationUs: Math.max(1, t.durationUs),
    strings: t.strings, spanIds: t.spanIds,
    startUs: Float64Array.from(t.startUs), durUs: Float64Array.from(t.durUs), depth,
    parent: Int32Array.from(t.parent), nameStr: Int32Array.from(t.nameStr), serviceStr: Int32Array.from(t.serviceStr),
    flags: Uint8Array.from(t.flags), attrOffsets: Int32Array.from(t.attrOffsets),
    attrKeyStr: Int32Array.from(t.attrKeyStr), attrValStr: Int32Array.from(t.attrValStr),
    subtreeEnd: subtreeEnds(t.depth),
  };
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
