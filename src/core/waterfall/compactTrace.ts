/**
 * Trace -> CompactTrace (src/shared/protocol.ts): spans in pre-order DFS order with depth and
 * parent index, strings deduplicated, everything in typed-array columns. Iterative, no recursion,
 * so a 1M-span chain cannot overflow the stack.
 */
import type { AttrValue, Span, Trace } from '../model';
import { SpanFlag, type CompactTrace } from '../../shared/protocol';
import { criticalPath } from '../analysis/criticalPath';
import { subtreeEnds } from './tree';

/** The payload plus `order[i]`, the model span at row i (the host keeps it to answer detail requests). */
export interface CompactResult {
  payload: CompactTrace;
  order: Span[];
}

/** Display text of an attribute value: strings as they are, anything else as JSON. */
export function attrText(v: AttrValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** What the waterfall shows as a span's service: function name, then service name, then X-Ray origin. */
export function serviceOf(span: Span): string {
  const a = span.attributes;
  const r = span.resource.attributes;
  const pick = (v: AttrValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return pick(a['faas.name']) ?? pick(r['faas.name']) ?? pick(r['service.name']) ?? pick(span.xray?.origin) ?? span.scope.name ?? '';
}

function flagsOf(span: Span): number {
  let f = 0;
  if (span.status.code === 'error' || span.xray?.error) f |= SpanFlag.Error;
  if (span.xray?.fault) f |= SpanFlag.Fault;
  if (span.xray?.throttle) f |= SpanFlag.Throttle;
  if (span.name === 'Initialization' && (span.xray !== undefined || span.attributes['faas.coldstart'] === true)) f |= SpanFlag.Init;
  if (span.attributes['faas.coldstart'] === true) f |= SpanFlag.ColdStart;
  if (span.endUnixUs === undefined) f |= SpanFlag.InProgress;
  return f;
}

/**
 * Orders the spans of `trace` as a tree: roots (no parent, or a parent not in the trace) by start
 * time, each followed by its subtree; siblings by start time, then input order. Spans caught in a
 * parent cycle become roots too, so every span appears exactly once. Marks the critical path
 * (core/analysis/criticalPath.ts).
 */
export function toCompactTrace(trace: Trace): CompactResult {
  const spans = trace.spans;
  const n = spans.length;
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) if (!byId.has(spans[i].spanId)) byId.set(spans[i].spanId, i);

  // Children in CSR form: parentOf[i] is the input index of the parent, or -1.
  const parentOf = new Int32Array(n).fill(-1);
  const childCount = new Int32Array(n + 1);
  let minStart = Infinity;
  let maxEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    const p = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId);
    if (p !== undefined && p !== i) { parentOf[i] = p; childCount[p]++; }
    if (s.startUnixUs < minStart) minStart = s.startUnixUs;
    const end = s.endUnixUs ?? s.startUnixUs;
    if (end > maxEnd) maxEnd = end;
  }
  if (n === 0) { minStart = 0; maxEnd = 0; }
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i] + childCount[i];
  const fill = childStart.slice(0, n);
  const children = new Int32Array(Math.max(0, childStart[n]));
  for (let i = 0; i < n; i++) if (parentOf[i] >= 0) children[fill[parentOf[i]]++] = i;
  const byStart = (a: number, b: number): number => spans[a].startUnixUs - spans[b].startUnixUs || a - b;
  for (let i = 0; i < n; i++) {
    if (childCount[i] > 1) children.subarray(childStart[i], childStart[i + 1]).sort(byStart);
  }

  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (parentOf[i] < 0) roots.push(i);
  roots.sort(byStart);

  const strings: string[] = [];
  const payload: CompactTrace = {
    traceId: trace.traceId, count: n, startUnixUs: minStart, durationUs: Math.max(1, maxEnd - minStart),
    strings, spanIds: '', startUs: new Float64Array(n), durUs: new Float64Array(n), depth: new Uint32Array(n),
    parent: new Int32Array(n), subtreeEnd: new Int32Array(0), nameStr: new Int32Array(n), serviceStr: new Int32Array(n), flags: new Uint8Array(n),
    attrOffsets: new Int32Array(n + 1), attrKeyStr: new Int32Array(0), attrValStr: new Int32Array(0),
  };
  const attrKeys: number[] = [];
  const attrVals: number[] = [];
  const strIndex = new Map<string, number>();
  const str = (s: string): number => {
    let k = strIndex.get(s);
    if (k === undefined) { k = strings.length; strings.push(s); strIndex.set(s, k); }
    return k;
  };
  const order: Span[] = new Array<Span>(n);
  const rowOf = new Int32Array(n).fill(-1);
  const ids: string[] = new Array<string>(n);
  let row = 0;
  const stack: number[] = [];
  const visit = (root: number, orphan: boolean): void => {
    stack.push(root);
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (rowOf[i] >= 0) continue;
      const s = spans[i];
      const p = parentOf[i] >= 0 && rowOf[parentOf[i]] >= 0 && i !== root ? rowOf[parentOf[i]] : -1;
      rowOf[i] = row;
      order[row] = s;
      payload.parent[row] = p;
      payload.depth[row] = p < 0 ? 0 : payload.depth[p] + 1;
      payload.startUs[row] = s.startUnixUs - minStart;
      payload.durUs[row] = Math.max(0, (s.endUnixUs ?? maxEnd) - s.startUnixUs);
      payload.nameStr[row] = str(s.name);
      payload.serviceStr[row] = str(serviceOf(s));
      let f = flagsOf(s);
      if (p < 0 && (orphan || s.parentSpanId !== undefined)) f |= SpanFlag.Orphan;
      payload.flags[row] = f;
      payload.attrOffsets[row] = attrKeys.length;
      for (const k in s.attributes) {
        attrKeys.push(str(k));
        attrVals.push(str(attrText(s.attributes[k])));
      }
      ids[row] = s.spanId.length === 16 ? s.spanId : s.spanId.padEnd(16, ' ').slice(0, 16);
      row++;
      for (let c = childStart[i + 1] - 1; c >= childStart[i]; c--) stack.push(children[c]);
    }
  };
  for (const r of roots) visit(r, false);
  // Spans whose parents form a cycle were never reached from a root.
  for (let i = 0; i < n; i++) if (rowOf[i] < 0) visit(i, true);
  payload.attrOffsets[n] = attrKeys.length;
  payload.attrKeyStr = new Int32Array(attrKeys);
  payload.attrValStr = new Int32Array(attrVals);
  payload.spanIds = ids.join('');
  payload.subtreeEnd = subtreeEnds(payload.depth);
  // The same critical path as the analysis (and the CLI report) computes, shown as a row flag.
  for (const id of criticalPath(spans).spanIds) {
    const k = byId.get(id);
    if (k !== undefined && rowOf[k] >= 0) payload.flags[rowOf[k]] |= SpanFlag.Critical;
  }
  return { payload, order };
}
