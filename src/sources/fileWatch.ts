/**
 * Tails OpenTelemetry Collector `file` exporter outputs (one JSON request per line): only bytes
 * past the last read offset are read; a half-written last line waits for its newline; rotation
 * (a new inode at the path: the old file is read to its end first) and truncation (size below the
 * offset: start again at 0) are handled. Polls on an interval and on fs.watch events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeCollectorFile } from '../core/collectorFile';
import type { DecodeError } from '../core/model';
import type { TraceStore } from './storeApi';

export interface FileWatchOptions {
  store: TraceStore;
  /** Files to tail; they need not exist yet. */
  paths: string[];
  /** Poll interval in ms (default 1000); 0 = only when `poll()` is called or fs.watch fires. */
  pollMs?: number;
  /** Import what a file already holds when first seen (default true); false starts at its end. */
  fromStart?: boolean;
  onBatch?: (batch: FileBatch) => void;
  onError?: (error: DecodeError) => void;
}

export interface FileBatch {
  path: string;
  /** Complete lines read in this batch. */
  lines: number;
  spans: number;
  accepted: number;
  duplicates: number;
}

export interface FileWatchCounters {
  lines: number;
  spansAccepted: number;
  spansDuplicate: number;
  errors: number;
  rotations: number;
  truncations: number;
}

export interface FileWatcher {
  readonly counters: FileWatchCounters;
  /** Reads whatever is new in every file now; resolves when it is in the store. */
  poll(): Promise<void>;
  close(): Promise<void>;
}

interface Tail {
  path: string;
  fd?: fs.promises.FileHandle;
  ino: number;
  offset: number;
  /** Bytes after the last newline, waiting for the rest of their line. */
  partial: Buffer;
  /** Complete lines consumed from the current file, so error line numbers are file lines. */
  linesDone: number;
  seen: boolean;
}

const READ_CHUNK = 1 << 20;

/** Starts tailing; the first poll runs at once. */
export function watchCollectorFiles(opts: FileWatchOptions): FileWatcher {
  const counters: FileWatchCounters = { lines: 0, spansAccepted: 0, spansDuplicate: 0, errors: 0, rotations: 0, truncations: 0 };
  const tails: Tail[] = opts.paths.map((p) => ({ path: path.resolve(p), ino: -1, offset: 0, partial: Buffer.alloc(0), linesDone: 0, seen: false }));
  const error = (e: DecodeError): void => { counters.errors++; opts.onError?.(e); };
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const readNew = async (t: Tail, size: number): Promise<void> => {
    if (!t.fd) return;
    const lines: Buffer[] = [];
    while (t.offset < size) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - t.offset));
      const { bytesRead } = await t.fd.read(buf, 0, buf.length, t.offset);
      if (bytesRead === 0) break;
      t.offset += bytesRead;
      const data = t.partial.length ? Buffer.concat([t.partial, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const nl = data.lastIndexOf(0x0a);
      if (nl < 0) { t.partial = Buffer.from(data); continue; }
      lines.push(data.subarray(0, nl + 1));
      t.partial = Buffer.from(data.subarray(nl + 1));
    }
    if (!lines.length) return;
    const text = Buffer.concat(lines).toString('utf8');
    const count = countNewlines(text);
    const base = t.linesDone;
    t.linesDone += count;
    counters.lines += count;
    const d = decodeCollectorFile(text, t.path);
    for (const e of d.errors) error({ ...e, ...(e.line !== undefined ? { line: e.line + base } : {}) });
    const batch: FileBatch = { path: t.path, lines: count, spans: d.spans.length, accepted: 0, duplicates: 0 };
    if (d.spans.length) {
      const r = await opts.store.append(d.spans);
      batch.accepted = r.accepted;
      batch.duplicates = r.duplicates;
      counters.spansAccepted += r.accepted;
      counters.spansDuplicate += r.duplicates;
    }
    opts.onBatch?.(batch);
  };

  const reopen = async (t: Tail, ino: number, atEnd: number | undefined): Promise<void> => {
    await t.fd?.close();
    t.fd = await fs.promises.open(t.path, 'r');
    const st = await t.fd.stat();
    t.ino = st.ino;
    t.offset = atEnd ?? 0;
    t.partial = Buffer.alloc(0);
    t.linesDone = 0;
  };

  const pollOne = async (t: Tail): Promise<void> => {
    let st: fs.Stats | undefined;
    try { st = await fs.promises.stat(t.path); } catch { st = undefined; }
    if (t.fd && (!st || st.ino !== t.ino)) {
      // Rotated (renamed away, maybe replaced): finish the old file through the open handle first.
      await readNew(t, (await t.fd.stat()).size);
      if (t.partial.length) error({ source: t.path, line: t.linesDone + 1, reason: 'last line of the rotated file has no newline; ignored' });
      await t.fd.close();
      t.fd = undefined;
      if (st) counters.rotations++;
    }
    if (!st) return;
    if (!t.fd) {
      await reopen(t, st.ino, !t.seen && opts.fromStart === false ? st.size : undefined);
      t.seen = true;
    }
    const size = (await t.fd!.stat()).size;
    if (size < t.offset) {
      counters.truncations++;
      t.offset = 0;
      t.partial = Buffer.alloc(0);
      t.linesDone = 0;
    }
    await readNew(t, size);
  };

  const poll = (): Promise<void> => {
    chain = chain.then(async () => {
      if (closed) return;
      for (const t of tails) {
        try { await pollOne(t); } catch (e) { error({ source: t.path, reason: e instanceof Error ? e.message : String(e) }); }
      }
    });
    return chain;
  };

  const watchers: fs.FSWatcher[] = [];
  for (const dir of new Set(tails.map((t) => path.dirname(t.path)))) {
    try {
      const names = new Set(tails.filter((t) => path.dirname(t.path) === dir).map((t) => path.basename(t.path)));
      const w = fs.watch(dir, { persistent: false }, (_ev, name) => { if (!name || names.has(String(name))) void poll(); });
      w.on('error', () => { /* the interval still polls */ });
      watchers.push(w);
    } catch { /* directory missing: the interval polls until it appears */ }
  }
  const pollMs = opts.pollMs ?? 1000;
  const timer = pollMs > 0 ? setInterval(() => { void poll(); }, pollMs) : undefined;
  timer?.unref();
  void poll();

  return {
    counters,
    poll,
    async close() {
      if (timer) clearInterval(timer);
      for (const w of watchers) w.close();
      await chain;
      closed = true;
      for (const t of tails) { await t.fd?.close(); t.fd = undefined; }
    },
  };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
