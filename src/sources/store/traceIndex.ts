/**
 * The in-memory index of the store: per trace, where its records are and the summary fields that
 * lists and queries need. Built from record metas only; span bodies stay on disk.
 */
import type { TraceSummary } from '../../core/model';
import type { TraceQuery } from '../storeApi';
import { isEarlier, type SpanMark, type SpanRecordMeta } from './recordMeta';

/** Where one record lives: segment number, byte offset and total length. */
export interface RecordRef {
  seg: number;
  off: number;
  len: number;
}

/** What the index knows of one trace. Times: `startUs`/`endUs` Unix microseconds. */
export interface TraceEntry {
  traceId: string;
  /** Flat triples (segment, offset, length) of its records in write order: one array, not an object per record. */
  refs: number[];
  /** Span ids of the first record, comma-joined (one string, not one per id); a Set of all ids is built only once a second record arrives or a writer asks. */
  firstIds: string;
  idSet?: Set<string>;
  /** Distinct spans. */
  spanCount: number;
  errorIds?: Set<string>;
  inProgress?: Set<string>;
  startUs: number;
  endUs: number;
  cold: boolean;
  functions: string[];
  /** The earliest span without a parent. */
  root?: SpanMark;
  /** Until a parentless root arrives: spans whose parent was not in their record, with that parent. */
  orphans?: [...SpanMark, string][];
  first: SpanMark;
  /** Store clock (Unix ms) of the last record written for this trace: age eviction goes by it. */
  lastWriteMs: number;
}

const NO_FUNCTIONS: string[] = [];

export class TraceIndex {
  readonly traces = new Map<string, TraceEntry>();
  /** Live (not evicted) span records per segment. */
  readonly liveRecords = new Map<number, number>();
  private readonly byFunction = new Map<string, Set<TraceEntry>>();
  private byStart: TraceEntry[] = [];
  private sorted = true;
  private spans = 0;

  get spanCount(): number { return this.spans; }

  private readonly names = new Map<string, string>();

  /** One shared copy of a repeated string (span and function names); bounded so unique names cannot grow it forever. */
  private intern(s: string): string {
    const known = this.names.get(s);
    if (known !== undefined) return known;
    if (this.names.size < 100_000) this.names.set(s, s);
    return s;
  }

  private mark(m: SpanMark): SpanMark {
    return [this.intern(m[0]), m[1], m[2]];
  }

  /** Adds a span record; returns the trace entry. */
  addRecord(ref: RecordRef, m: SpanRecordMeta): TraceEntry {
    let e = this.traces.get(m.t);
    if (!e) {
      // Ids within one record are unique (the writer drops duplicates), so one record needs no Set.
      // Every field set here, so all entries share one hidden class.
      e = {
        traceId: m.t, refs: [ref.seg, ref.off, ref.len], firstIds: m.ids.join(','), idSet: undefined, spanCount: m.ids.length, errorIds: undefined, inProgress: undefined,
        startUs: m.s, endUs: m.x, cold: false, functions: NO_FUNCTIONS, root: undefined, orphans: undefined, first: this.mark(m.n), lastWriteMs: m.w,
      };
      this.traces.set(m.t, e);
      this.byStart.push(e);
      this.sorted = false;
      this.spans += m.ids.length;
    } else {
      const set = spanIdSet(e);
      for (const id of m.ids) set.add(id);
      this.spans += set.size - e.spanCount;
      e.spanCount = set.size;
      e.refs.push(ref.seg, ref.off, ref.len);
    }
    this.liveRecords.set(ref.seg, (this.liveRecords.get(ref.seg) ?? 0) + 1);
    if (m.e) { e.errorIds ??= new Set(); for (const id of m.e) e.errorIds.add(id); }
    if (e.inProgress) for (const id of m.ids) e.inProgress.delete(id);
    if (m.p) { e.inProgress ??= new Set(); for (const id of m.p) e.inProgress.add(id); }
    if (m.s < e.startUs) { e.startUs = m.s; this.sorted = false; }
    e.endUs = Math.max(e.endUs, m.x);
    if (m.c) e.cold = true;
    for (const f of m.f ?? []) {
      let set = this.byFunction.get(f);
      if (!set) this.byFunction.set(f, (set = new Set()));
      set.add(e);
      // Names repeat across traces: keep one copy (the map's key) rather than one per record.
      if (!e.functions.includes(f)) e.functions = [...e.functions, this.intern(f)].sort();
    }
    if (m.r && isEarlier(m.r, e.root)) { e.root = this.mark(m.r); e.orphans = undefined; }
    if (m.o && !e.root) (e.orphans ??= []).push(...m.o);
    if (isEarlier(m.n, e.first)) e.first = this.mark(m.n);
    e.lastWriteMs = Math.max(e.lastWriteMs, m.w);
    return e;
  }

  /** Forgets traces (their records become dead); unknown ids are ignored. */
  remove(traceIds: Iterable<string>): void {
    let removed = 0;
    for (const id of traceIds) {
      const e = this.traces.get(id);
      if (!e) continue;
      this.traces.delete(id);
      removed++;
      this.spans -= e.spanCount;
      for (const r of recordRefs(e)) this.liveRecords.set(r.seg, (this.liveRecords.get(r.seg) ?? 1) - 1);
      for (const f of e.functions) this.byFunction.get(f)?.delete(e);
    }
    if (removed) this.byStart = this.byStart.filter((e) => this.traces.get(e.traceId) === e);
  }

  /** Summaries matching the query, newest start first. */
  query(q: TraceQuery = {}): TraceSummary[] {
    const limit = q.limit ?? Infinity;
    const out: TraceSummary[] = [];
    if (q.functionName !== undefined) {
      const set = this.byFunction.get(q.functionName);
      if (!set) return out;
      const hits = [...set].filter((e) => inRange(e, q)).sort(newestFirst);
      return hits.slice(0, limit).map(summaryOf);
    }
    if (!this.sorted) { this.byStart.sort((a, b) => a.startUs - b.startUs); this.sorted = true; }
    // Walk from the newest; stop once we are before `since`.
    for (let i = this.byStart.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.byStart[i];
      if (q.sinceUnixMs !== undefined && e.startUs / 1000 < q.sinceUnixMs) break;
      if (inRange(e, q)) out.push(summaryOf(e));
    }
    return out;
  }
}

function inRange(e: TraceEntry, q: TraceQuery): boolean {
  const startMs = e.startUs / 1000;
  return (q.sinceUnixMs === undefined || startMs >= q.sinceUnixMs) && (q.untilUnixMs === undefined || startMs < q.untilUnixMs);
}

function newestFirst(a: TraceEntry, b: TraceEntry): number {
  return b.startUs - a.startUs;
}

/** The records of a trace, in write order. */
export function recordRefs(e: TraceEntry): RecordRef[] {
  const out: RecordRef[] = [];
  for (let i = 0; i < e.refs.length; i += 3) out.push({ seg: e.refs[i], off: e.refs[i + 1], len: e.refs[i + 2] });
  return out;
}

/** All span ids of a trace (built on first use). */
export function spanIdSet(e: TraceEntry): Set<string> {
  if (e.idSet) return e.idSet;
  return (e.idSet = new Set(e.firstIds === '' ? [] : e.firstIds.split(',')));
}

/** The list row of an index entry. */
export function summaryOf(e: TraceEntry): TraceSummary {
  return {
    traceId: e.traceId,
    rootName: rootOf(e)[0],
    startUnixMs: e.startUs / 1000,
    durationMs: (e.endUs - e.startUs) / 1000,
    spanCount: e.spanCount,
    errorCount: e.errorIds?.size ?? 0,
    coldStart: e.cold,
    functions: [...e.functions],
  };
}

/** Like summarizeTrace: the earliest parentless span, else the earliest whose parent never arrived, else the earliest. */
function rootOf(e: TraceEntry): SpanMark {
  if (e.root) return e.root;
  let best: SpanMark | undefined;
  for (const o of e.orphans ?? []) if (!spanIdSet(e).has(o[3]) && isEarlier(o as unknown as SpanMark, best)) best = [o[0], o[1], o[2]];
  return best ?? e.first;
}
