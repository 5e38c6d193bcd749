/**
 * The per-record summary kept in each record's meta, so that the index (trace list, dedupe, queries)
 * is rebuilt on open without parsing span bodies. Summaries of records of one trace add up to what
 * `summarizeTrace` (core/summary.ts) says of the whole trace.
 */
import { coldStartOf, functionNameOf } from '../../core/lambda';
import type { Span } from '../../core/model';

/** A span named in a meta: name, start (Unix us), span id. */
export type SpanMark = [string, number, string];

/** Meta of a record holding spans of ONE trace. Times: `s`/`x` Unix microseconds, `w` Unix ms. */
export interface SpanRecordMeta {
  k: 's';
  /** Trace id (32 lowercase hex). */
  t: string;
  /** When the record was written (store clock, Unix ms). */
  w: number;
  /** Span ids in this record. */
  ids: string[];
  /** Span ids with error status. */
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
  /** The earliest span without a parent. */
  r?: SpanMark;
  /** Spans whose parent is not in this record (root candidates if it never arrives), with that parent id. */
  o?: [...SpanMark, string][];
  /** The earliest span. */
  n: SpanMark;
}

/** Meta of an eviction record: traces whose earlier records are dead. */
export interface EvictRecordMeta {
  k: 'e';
  t: string[];
  w: number;
}

export type RecordMeta = SpanRecordMeta | EvictRecordMeta;

/** Orders span marks like summarizeTrace: by start, then span id. */
export function isEarlier(a: SpanMark, b: SpanMark | undefined): boolean {
  return !b || a[1] < b[1] || (a[1] === b[1] && a[2] < b[2]);
}

/** The meta of a record holding `spans` (non-empty, all of trace `traceId`, unique span ids). */
export function spanRecordMeta(traceId: string, spans: readonly Span[], writtenUnixMs: number): SpanRecordMeta {
  const ids = spans.map((s) => s.spanId);
  const present = new Set(ids);
  const errors: string[] = [];
  const inProgress: string[] = [];
  const orphans: [...SpanMark, string][] = [];
  const functions = new Set<string>();
  let s = Infinity;
  let x = -Infinity;
  let root: SpanMark | undefined;
  let first: SpanMark | undefined;
  for (const span of spans) {
    const mark: SpanMark = [span.name, span.startUnixUs, span.spanId];
    if (span.status.code === 'error') errors.push(span.spanId);
    if (span.endUnixUs === undefined) inProgress.push(span.spanId);
    const fn = functionNameOf(span);
    if (fn) functions.add(fn);
    s = Math.min(s, span.startUnixUs);
    x = Math.max(x, span.endUnixUs ?? span.startUnixUs);
    if (isEarlier(mark, first)) first = mark;
    if (!span.parentSpanId) { if (isEarlier(mark, root)) root = mark; } else if (!present.has(span.parentSpanId)) orphans.push([...mark, span.parentSpanId]);
  }
  const meta: SpanRecordMeta = { k: 's', t: traceId, w: writtenUnixMs, ids, s, x, n: first! };
  if (errors.length) meta.e = errors;
  if (inProgress.length) meta.p = inProgress;
  // A cold-start signal anywhere in a batch is one for the trace; "warm" needs no record.
  if (coldStartOf(spans) === true) meta.c = 1;
  if (functions.size) meta.f = [...functions].sort();
  if (root) meta.r = root;
  else if (orphans.length) meta.o = orphans;
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
