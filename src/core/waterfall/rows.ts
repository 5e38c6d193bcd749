/**
 * Which spans are rows on screen: collapse/expand, filters and search. All functions take a
 * TraceView (spans in pre-order DFS order) and run in one linear pass.
 */
import { SpanFlag } from '../../shared/protocol';
import type { TraceView } from './traceView';

/** What the filter bar asks for; an empty filter keeps every span. */
export interface RowFilter {
  /** Only spans with an error, fault or throttle. */
  errorsOnly: boolean;
  /** Only spans at least this long (microseconds); 0 = no limit. */
  minDurationUs: number;
  /** Only spans of this service (exact text); '' = all. */
  service: string;
}

export const NO_FILTER: RowFilter = { errorsOnly: false, minDurationUs: 0, service: '' };

/**
 * Spans a filter keeps: 1 = matches, 2 = kept only as an ancestor of a match (shown dimmed, so
 * the tree stays readable), 0 = hidden. Null when the filter is empty.
 */
export function filterKeep(v: TraceView, f: RowFilter): Uint8Array | null {
  if (!f.errorsOnly && f.minDurationUs <= 0 && f.service === '') return null;
  const svc = f.service === '' ? -1 : v.strings.indexOf(f.service);
  const keep = new Uint8Array(v.count);
  const bad = SpanFlag.Error | SpanFlag.Fault | SpanFlag.Throttle;
  for (let i = 0; i < v.count; i++) {
    if (f.errorsOnly && (v.flags[i] & bad) === 0) continue;
    if (v.durUs[i] < f.minDurationUs) continue;
    if (f.service !== '' && v.serviceStr[i] !== svc) continue;
    keep[i] = 1;
  }
  // Children come after parents, so walking backwards reaches every ancestor.
  for (let i = v.count - 1; i >= 0; i--) {
    const p = v.parent[i];
    if (keep[i] !== 0 && p >= 0 && keep[p] === 0) keep[p] = 2;
  }
  return keep;
}

/**
 * Row order on screen: span indices in pre-order, skipping the descendants of collapsed spans
 * (collapsed[i] = 1) and spans the filter hides.
 */
export function visibleRows(v: TraceView, collapsed: Uint8Array, keep: Uint8Array | null): Int32Array {
  const out = new Int32Array(v.count);
  let k = 0;
  let i = 0;
  while (i < v.count) {
    if (keep !== null && keep[i] === 0) { i++; continue; }
    out[k++] = i;
    i = collapsed[i] === 1 ? v.subtreeEnd[i] : i + 1;
  }
  return out.subarray(0, k);
}

/**
 * Spans whose name, service, attribute key, attribute value or `key=value` contains `query`
 * (case-insensitive), in row order. An empty query matches nothing.
 */
export function searchSpans(v: TraceView, query: string): Int32Array {
  const q = query.trim().toLowerCase();
  if (q === '') return new Int32Array(0);
  // Test each distinct string once, not once per span.
  const hit = new Uint8Array(v.strings.length);
  for (let s = 0; s < v.strings.length; s++) if (v.strings[s].toLowerCase().includes(q)) hit[s] = 1;
  const eq = q.indexOf('=');
  const qKey = eq > 0 ? q.slice(0, eq) : '';
  const qVal = eq > 0 ? q.slice(eq + 1) : '';
  const out: number[] = [];
  for (let i = 0; i < v.count; i++) {
    let m = hit[v.nameStr[i]] === 1 || hit[v.serviceStr[i]] === 1;
    for (let a = v.attrOffsets[i]; !m && a < v.attrOffsets[i + 1]; a++) {
      if (hit[v.attrKeyStr[a]] === 1 || hit[v.attrValStr[a]] === 1) m = true;
      else if (eq > 0 && v.strings[v.attrKeyStr[a]].toLowerCase() === qKey && v.strings[v.attrValStr[a]].toLowerCase().includes(qVal)) m = true;
    }
    if (m) out.push(i);
  }
  return Int32Array.from(out);
}

/** Clears the collapsed flag of every ancestor of span i, so it becomes a visible row. */
export function expandAncestors(v: TraceView, collapsed: Uint8Array, i: number): void {
  for (let p = v.parent[i]; p >= 0; p = v.parent[p]) collapsed[p] = 0;
}

/** Position of span i in `rows` (sorted ascending), or -1. */
export function rowOf(rows: Int32Array, i: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] === i) return mid;
    if (rows[mid] < i) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/** Service names present in the trace, sorted, for the service filter. */
export function servicesOf(v: TraceView): string[] {
  const seen = new Uint8Array(v.strings.length);
  for (let i = 0; i < v.count; i++) seen[v.serviceStr[i]] = 1;
  const out: string[] = [];
  for (let s = 0; s < seen.length; s++) if (seen[s] === 1 && v.strings[s] !== '') out.push(v.strings[s]);
  return out.sort();
}
