/**
 * The per-record summary kept in each record's meta, so that the index (trace list, dedupe, queries)
 * is rebuilt on open without parsing span bodies. Summaries of records of one trace add up.
 */
import type { Span } from '../../core/model';

/** Meta of a record holding spans of ONE trace. Times: `s`/`x` Unix microseconds, `w` Unix ms. */
export interface SpanRecordMeta {
  k: 's';
  /** Trace id (32 lowercase hex). */
  t: string;
  /** When the record was written (store clock, Unix ms). */
  w: number;
  /** Span ids in this record. */
  ids: string[];
  /** Span ids with error status (X-Ray error or fault). */
  e?: string[];
  /** Span ids still in progress (no end): a later copy with an end replaces them. */
  p?: string[];
  /** Earliest start. */
  s: number;
  /** Latest end (or start, for in-progress spans). */
  x: number;
  /** 1 when a Lambda invocation in this record was a cold start. */
  c?: 1;
  /** Function names, sorted, unique. */
  f?: string[];
  /** Name and start of the earliest root span (no parent). */
  r?: [string, number];
  /** Name and start of the earliest span. */
  n: [string, number];
}

/** Meta of an eviction record: traces whose earlier records are dead. */
export interface EvictRecordMeta {
  k: 'e';
  t: string[];
  w: number;
}

export type RecordMeta = SpanRecordMeta | EvictRecordMeta;

/** True when the span marks an error (OTLP status error, X-Ray error or fault). */
export function isErrorSpan(span: Span): boolean {
  return span.status.code === 'error' || span.xray?.error === true || span.xray?.fault === true;
}

/** The function a span belongs to, if it says: `faas.name` (span or resource) or an X-Ray function segment. */
export function functionNameOf(span: Span): string | undefined {
  const attr = span.attributes['faas.name'] ?? span.resource.attributes['faas.name'];
  if (typeof attr === 'string' && attr) return attr;
  if (span.xray?.origin === 'AWS::Lambda::Function' && span.xray.type === 'segment') return span.name;
  return undefined;
}

/** True when the span shows a cold start: `faas.coldstart` or an X-Ray `Initialization` subsegment. */
export function isColdStartSpan(span: Span): boolean {
  if (span.attributes['faas.coldstart'] === true || span.resource.attributes['faas.coldstart'] === true) return true;
  return span.xray !== undefined && span.name === 'Initialization';
}

/** The meta of a record holding `spans` (non-empty, all of trace `traceId`). */
export function spanRecordMeta(traceId: string, spans: readonly Span[], writtenUnixMs: number): SpanRecordMeta {
  const ids: string[] = [];
  const errors: string[] = [];
  const inProgress: string[] = [];
  const functions = new Set<string>();
  let cold = false;
  let s = Infinity;
  let x = -Infinity;
  let root: [string, number] | undefined;
  let first: [string, number] = [spans[0].name, spans[0].startUnixUs];
  for (const span of spans) {
    ids.push(span.spanId);
    if (isErrorSpan(span)) errors.push(span.spanId);
    if (span.endUnixUs === undefined) inProgress.push(span.spanId);
    const fn = functionNameOf(span);
    if (fn) functions.add(fn);
    if (isColdStartSpan(span)) cold = true;
    s = Math.min(s, span.startUnixUs);
    x = Math.max(x, span.endUnixUs ?? span.startUnixUs);
    if (span.startUnixUs < first[1]) first = [span.name, span.startUnixUs];
    if (!span.parentSpanId && (!root || span.startUnixUs < root[1])) root = [span.name, span.startUnixUs];
  }
  const meta: SpanRecordMeta = { k: 's', t: traceId, w: writtenUnixMs, ids, s, x, n: first };
  if (errors.length) meta.e = errors;
  if (inProgress.length) meta.p = inProgress;
  if (cold) meta.c = 1;
  if (functions.size) meta.f = [...functions].sort();
  if (root) meta.r = root;
  return meta;
}

/** Parses a record's meta; undefined when it is not one this version understands. */
export function parseRecordMeta(text: string): RecordMeta | undefined {
  let v: unknown;
  try { v = JSON.parse(text); } catch { return undefined; }
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (m.k === 's' && typeof m.t === 'string' && Array.isArray(m.ids) && typeof m.s === 'number' && typeof m.x === 'number' && Array.isArray(m.n)) return m as unknown as SpanRecordMeta;
  if (m.k === 'e' && Array.isArray(m.t)) return m as unknown as EvictRecordMeta;
  return undefined;
}
