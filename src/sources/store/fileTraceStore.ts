/**
 * The durable local trace store: a directory of append-only segment files of checksummed records
 * (one record = spans of one trace), an in-memory index rebuilt from record summaries on open, and
 * eviction of the oldest traces by size and age. See recordCodec.ts for the record layout.
 */
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Span, Trace, TraceSummary } from '../../core/model';
import { normalizeTraceId } from '../../core/ids';
import type { AppendResult, StoreStats, TraceQuery, TraceStore } from '../storeApi';
import { chunkByJsonSize, encodeRecord } from './recordCodec';
import { spanRecordMeta, type EvictRecordMeta } from './recordMeta';
import { listSegments, readRecordBody, readSidecar, removeStrayFiles, scanSegment, segmentPath, sidecarPath, writeSidecar, type IndexedRecord } from './segmentFiles';
import { acquireStoreLock } from './storeLock';
import { recordRefs, spanIdSet, TraceIndex, type TraceEntry } from './traceIndex';

export interface StoreOptions {
  /** Evict the oldest traces when the segment files exceed this many bytes. Default 1 GiB. */
  maxBytes?: number;
  /** Evict traces last written longer ago than this (ms). Default 14 days. */
  maxAgeMs?: number;
  /** The store's clock (Unix ms); injectable for tests. */
  now?: () => number;
  /** Open without the writer lock: no appends, no repair, no eviction. */
  readOnly?: boolean;
  /** Roll to a new segment file past this size. Default: maxBytes / 8, within [4 KiB, 16 MiB]. */
  segmentBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 ** 3;
const DEFAULT_MAX_AGE_MS = 14 * 24 * 3600 * 1000;
const AGE_CHECK_EVERY_MS = 60_000;

/** Opens (creating if needed) the store in `dir`. Throws StoreLockedError when another writer has it. */
export async function openStore(dir: string, options: StoreOptions = {}): Promise<FileTraceStore> {
  const store = new FileTraceStore(dir, options);
  await store.load();
  return store;
}

export class FileTraceStore implements TraceStore {
  /** Problems found while loading or reading (torn or corrupt records); never fatal. */
  readonly warnings: string[] = [];
  readonly readOnly: boolean;
  private readonly index = new TraceIndex();
  private readonly segBytes = new Map<number, number>();
  /** Read-only stores: where each segment's valid records end, for refresh. */
  private readonly readEnd = new Map<number, number>();
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly segmentBytes: number;
  private readonly now: () => number;
  private active = 0;
  private handle: FileHandle | undefined;
  private release: (() => Promise<void>) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private lastAgeCheckMs = -Infinity;
  /** Records of the active segment, for its sidecar when it is sealed. */
  private activeRecords: IndexedRecord[] = [];
  private readonly listeners = new Set<(traceIds: string[]) => void>();
  private closed = false;

  constructor(readonly dir: string, options: StoreOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
    this.readOnly = options.readOnly ?? false;
    this.segmentBytes = options.segmentBytes ?? Math.min(16 * 1024 * 1024, Math.max(4096, Math.floor(this.maxBytes / 8)));
  }

  /** @internal Called once by openStore. */
  async load(): Promise<void> {
    if (!this.readOnly) {
      await fs.mkdir(this.dir, { recursive: true });
      this.release = await acquireStoreLock(this.dir);
      await removeStrayFiles(this.dir);
    }
    try {
      const segs = await listSegments(this.dir);
      const last = segs[segs.length - 1];
      for (const seg of segs) {
        await this.loadSegment(seg, seg === last).catch((e: NodeJS.ErrnoException) => {
          // A reader may race the writer's eviction of the oldest segment: gone is as good as empty.
          if (!(this.readOnly && e.code === 'ENOENT')) throw e;
        });
      }
      if (this.readOnly) return;
      this.active = last !== undefined && (this.segBytes.get(last) ?? 0) < this.segmentBytes ? last : (last ?? 0) + 1;
      if (this.active !== last) {
        if (last !== undefined) await this.seal(last);
        this.activeRecords = [];
      }
      this.handle = await fs.open(segmentPath(this.dir, this.active), 'a');
      if (!this.segBytes.has(this.active)) this.segBytes.set(this.active, 0);
      await this.evict();
    } catch (e) {
      await this.handle?.close();
      await this.release?.();
      throw e;
    }
  }

  /** Indexes one segment: from its sidecar when it is sealed and has one, else by scanning it. */
  private async loadSegment(seg: number, isLast: boolean): Promise<void> {
    const file = segmentPath(this.dir, seg);
    const size = (await fs.stat(file)).size;
    const fromSidecar = isLast ? undefined : await readSidecar(this.dir, seg, size);
    const records: IndexedRecord[] = fromSidecar ?? [];
    if (!fromSidecar) {
      // A reader sees a live writer's half-written last record as a torn tail: not worth a warning.
      const quietTail = this.readOnly && isLast;
      const scan = await scanSegment(this.dir, seg, (off, len, meta) => records.push([off, len, meta]), (w) => this.warnings.push(w), 0, quietTail);
      this.segBytes.set(seg, scan.size);
      this.readEnd.set(seg, scan.validEnd);
      if (!this.readOnly && isLast && scan.validEnd < scan.size) {
        // Appends after a torn tail would be unreadable behind it: cut it off.
        await fs.truncate(file, scan.validEnd);
        this.segBytes.set(seg, scan.validEnd);
        this.warnings.push(`${file}: truncated to ${scan.validEnd} bytes so new records follow the last valid one`);
      }
      if (!this.readOnly && !isLast) await this.writeSidecarQuietly(seg, records);
    } else {
      this.segBytes.set(seg, size);
      this.readEnd.set(seg, size);
    }
    this.applyRecords(seg, records);
    if (isLast && !this.readOnly) this.activeRecords = records;
  }

  /** Adds records to the index in order; returns the trace ids that got spans. */
  private applyRecords(seg: number, records: readonly IndexedRecord[]): Set<string> {
    const touched = new Set<string>();
    for (const [off, len, meta] of records) {
      if (meta.k === 's') touched.add(this.index.addRecord({ seg, off, len }, meta).traceId);
      else { this.index.remove(meta.t); for (const t of meta.t) touched.delete(t); }
    }
    return touched;
  }

  /**
   * Read-only stores: picks up what the writing process (e.g. `trace-insight serve`) appended or
   * evicted since open or the last refresh, reading only the new bytes. Listeners hear of traces
   * that got spans; resolves to those trace ids. A writer's own store is always current: [].
   */
  async refresh(): Promise<string[]> {
    if (!this.readOnly || this.closed) return [];
    const segs = await listSegments(this.dir);
    const present = new Set(segs);
    const gone = [...this.segBytes.keys()].filter((seg) => !present.has(seg));
    if (gone.length) {
      const dead = new Set(gone);
      this.index.remove([...this.index.traces.values()].filter((e) => recordRefs(e).some((r) => dead.has(r.seg))).map((e) => e.traceId));
      for (const seg of gone) { this.segBytes.delete(seg); this.readEnd.delete(seg); this.index.liveRecords.delete(seg); }
    }
    const touched = new Set<string>();
    for (const seg of segs) {
      const from = this.readEnd.get(seg) ?? 0;
      const records: IndexedRecord[] = [];
      const scan = await scanSegment(this.dir, seg, (off, len, meta) => records.push([off, len, meta]), (w) => this.warnings.push(w), from, true)
        .catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return undefined; throw e; });
      if (!scan) continue;
      this.segBytes.set(seg, scan.size);
      this.readEnd.set(seg, scan.validEnd);
      for (const id of this.applyRecords(seg, records)) touched.add(id);
    }
    const ids = [...touched].filter((id) => this.index.traces.has(id));
    if (ids.length) this.notify(ids);
    return ids;
  }

  private notify(ids: string[]): void {
    for (const l of [...this.listeners]) {
      try { l(ids); } catch { /* a listener's failure must not fail the append that is already on disk */ }
    }
  }

  private async writeSidecarQuietly(seg: number, records: readonly IndexedRecord[]): Promise<void> {
    try {
      await writeSidecar(this.dir, seg, this.segBytes.get(seg) ?? 0, records);
    } catch (e) {
      this.warnings.push(`${sidecarPath(this.dir, seg)}: not written (${(e as Error).message}); the next open scans the segment instead`);
    }
  }

  /** Writes the sidecar of a segment that takes no more records. */
  private async seal(seg: number): Promise<void> {
    await this.writeSidecarQuietly(seg, this.activeRecords);
  }

  append(spans: readonly Span[]): Promise<AppendResult> {
    if (this.readOnly) return Promise.reject(new Error(`trace store ${this.dir} is open read-only`));
    if (this.closed) return Promise.reject(new Error(`trace store ${this.dir} is closed`));
    const run = this.queue.then(() => this.doAppend(spans));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doAppend(spans: readonly Span[]): Promise<AppendResult> {
    const byTrace = new Map<string, Span[]>();
    let duplicates = 0;
    for (const span of spans) {
      const traceId = span.traceId.toLowerCase();
      let list = byTrace.get(traceId);
      if (!list) byTrace.set(traceId, (list = []));
      list.push(span);
    }
    const nowMs = this.now();
    const records: { traceId: string; meta: ReturnType<typeof spanRecordMeta>; buf: Buffer }[] = [];
    for (const [traceId, list] of byTrace) {
      const fresh = this.filterNew(this.index.traces.get(traceId), list);
      duplicates += list.length - fresh.length;
      for (const chunk of chunkByJsonSize(fresh)) {
        const meta = spanRecordMeta(traceId, chunk.spans, nowMs);
        records.push({ traceId, meta, buf: encodeRecord(JSON.stringify(meta), chunk.body) });
      }
    }
    if (records.length === 0) return { accepted: 0, duplicates };
    const total = records.reduce((n, r) => n + r.buf.length, 0);
    if ((this.segBytes.get(this.active) ?? 0) > 0 && (this.segBytes.get(this.active) ?? 0) + total > this.segmentBytes) await this.roll();
    let off = await this.write(Buffer.concat(records.map((r) => r.buf), total));
    const accepted = spans.length - duplicates;
    for (const r of records) {
      this.index.addRecord({ seg: this.active, off, len: r.buf.length }, r.meta);
      this.activeRecords.push([off, r.buf.length, r.meta]);
      off += r.buf.length;
    }
    this.notify([...byTrace.keys()].filter((id) => this.index.traces.has(id)));
    await this.evict();
    return { accepted, duplicates };
  }

  /**
   * Spans not stored yet, one per span id. A completed copy of an in-progress span counts as new
   * and wins over an in-progress copy in the same batch, as in `mergeSpans`.
   */
  private filterNew(entry: TraceEntry | undefined, list: Span[]): Span[] {
    const byId = new Map<string, Span>();
    for (const s of list) {
      const kept = byId.get(s.spanId);
      if (!kept || (kept.endUnixUs === undefined && s.endUnixUs !== undefined)) byId.set(s.spanId, s);
    }
    const out: Span[] = [];
    for (const s of byId.values()) {
      const stored = entry !== undefined && spanIdSet(entry).has(s.spanId);
      if (stored && !(entry?.inProgress?.has(s.spanId) && s.endUnixUs !== undefined)) continue;
      out.push(s);
    }
    return out;
  }

  /** Writes `buf` at the end of the active segment; returns its offset once the write returned. */
  private async write(buf: Buffer): Promise<number> {
    const handle = this.handle;
    if (!handle) throw new Error(`trace store ${this.dir} is not writable`);
    const start = this.segBytes.get(this.active) ?? 0;
    try {
      for (let done = 0; done < buf.length;) done += (await handle.write(buf, done, buf.length - done)).bytesWritten;
    } catch (e) {
      // A partial record may be on disk now; the scan skips it, and our offsets must follow the file.
      this.segBytes.set(this.active, (await handle.stat()).size);
      throw e;
    }
    this.segBytes.set(this.active, start + buf.length);
    return start;
  }

  private async roll(): Promise<void> {
    await this.handle?.close();
    await this.seal(this.active);
    this.activeRecords = [];
    this.active += 1;
    this.handle = await fs.open(segmentPath(this.dir, this.active), 'a');
    this.segBytes.set(this.active, 0);
  }

  private bytes(): number {
    let n = 0;
    for (const b of this.segBytes.values()) n += b;
    return n;
  }

  /** Drops traces past the age limit, then whole oldest segments while over the size limit. */
  private async evict(): Promise<void> {
    const nowMs = this.now();
    const victims = new Set<string>();
    if (nowMs - this.lastAgeCheckMs >= AGE_CHECK_EVERY_MS) {
      this.lastAgeCheckMs = nowMs;
      const cutoff = nowMs - this.maxAgeMs;
      for (const e of this.index.traces.values()) if (e.lastWriteMs < cutoff) victims.add(e.traceId);
    }
    const doomed: number[] = [];
    let bytes = this.bytes();
    // Only when the active segment alone is over the limit must it be sealed to become evictable.
    if ((this.segBytes.get(this.active) ?? 0) > this.maxBytes) await this.roll();
    for (const seg of [...this.segBytes.keys()].sort((a, b) => a - b)) {
      if (bytes <= this.maxBytes || seg === this.active) break;
      doomed.push(seg);
      bytes -= this.segBytes.get(seg) ?? 0;
    }
    if (doomed.length) {
      const set = new Set(doomed);
      for (const e of this.index.traces.values()) if (recordRefs(e).some((r) => set.has(r.seg))) victims.add(e.traceId);
    }
    if (victims.size) {
      const ids = [...victims];
      // The eviction record goes first: if we crash before the files are gone, reopening still
      // knows these traces are dead and does not resurrect their later records.
      const metas: EvictRecordMeta[] = [];
      for (let i = 0; i < ids.length; i += 20_000) metas.push({ k: 'e', t: ids.slice(i, i + 20_000), w: nowMs });
      const bufs = metas.map((m) => encodeRecord(JSON.stringify(m), ''));
      let off = await this.write(Buffer.concat(bufs));
      metas.forEach((m, i) => { this.activeRecords.push([off, bufs[i].length, m]); off += bufs[i].length; });
      this.index.remove(ids);
    }
    for (const seg of [...this.segBytes.keys()].sort((a, b) => a - b)) {
      if (seg === this.active || (this.index.liveRecords.get(seg) ?? 0) > 0) break;
      await fs.unlink(segmentPath(this.dir, seg)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      await fs.unlink(sidecarPath(this.dir, seg)).catch(() => undefined);
      this.segBytes.delete(seg);
      this.index.liveRecords.delete(seg);
    }
  }

  async listTraces(query?: TraceQuery): Promise<TraceSummary[]> {
    return this.index.query(query);
  }

  hasTrace(traceId: string): boolean {
    const id = normalizeTraceId(traceId);
    return id !== undefined && this.index.traces.has(id);
  }

  async getTrace(traceId: string): Promise<Trace | undefined> {
    const id = normalizeTraceId(traceId);
    const entry = id === undefined ? undefined : this.index.traces.get(id);
    if (!entry || id === undefined) return undefined;
    const bySpan = new Map<string, Span>();
    for (const ref of recordRefs(entry)) {
      const body = await readRecordBody(this.dir, ref.seg, ref.off, ref.len);
      if (typeof body !== 'string') { this.warnings.push(`${segmentPath(this.dir, ref.seg)}: record at byte ${ref.off} of trace ${id} unreadable (${body.reason}); skipped`); continue; }
      // Later records win: they hold the completed copy of a span first seen in progress.
      for (const span of JSON.parse(body) as Span[]) bySpan.set(span.spanId, span);
    }
    const spans = [...bySpan.values()].sort((a, b) => a.startUnixUs - b.startUnixUs);
    return { traceId: id, spans };
  }

  stats(): StoreStats {
    return { traces: this.index.traces.size, spans: this.index.spanCount, bytes: this.bytes() };
  }

  onDidAppend(listener: (traceIds: string[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => { this.listeners.delete(listener); } };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
    await this.release?.();
  }
}
