/**
 * Segment files of the store directory (`seg-00000001.tir`, numbered in write order) and the scan
 * that rebuilds the index from them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { recordBody, scanRecords } from './recordCodec';
import { parseRecordMeta, type RecordMeta } from './recordMeta';

const SEGMENT_NAME = /^seg-(\d{8})\.tir$/;

export function segmentPath(dir: string, seg: number): string {
  return path.join(dir, `seg-${String(seg).padStart(8, '0')}.tir`);
}

/** Segment numbers present in `dir`, ascending; none when the directory does not exist. */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try { names = await fs.readdir(dir); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.map((n) => SEGMENT_NAME.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
}

/** What a scan of one segment found. `validEnd` is where a writer may continue appending. */
export interface SegmentScan {
  size: number;
  validEnd: number;
  tornTail: boolean;
}

/**
 * Reads one segment from byte `from` (bounded by the segment size, so memory stays bounded however
 * big the store) and reports every valid record's meta in order, with offsets in the segment. Bad
 * records become warnings, never errors; `quietTail` leaves a torn tail unreported (a live writer
 * may be in the middle of it).
 */
export async function scanSegment(dir: string, seg: number, onMeta: (offset: number, length: number, meta: RecordMeta) => void, warn: (w: string) => void, from = 0, quietTail = false): Promise<SegmentScan> {
  const file = segmentPath(dir, seg);
  let buf: Buffer;
  if (from === 0) buf = await fs.readFile(file);
  else {
    const fh = await fs.open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      buf = Buffer.alloc(Math.max(0, size - from));
      const { bytesRead } = await fh.read(buf, 0, buf.length, from);
      buf = buf.subarray(0, bytesRead);
    } finally { await fh.close(); }
  }
  let tornTail = false;
  const validEnd = scanRecords(buf, (r) => {
    const meta = parseRecordMeta(r.meta);
    if (meta) onMeta(from + r.offset, r.length, meta);
    else warn(`${file}: record at byte ${from + r.offset} has an unknown summary; skipped`);
  }, (b) => {
    if (b.atEnd) tornTail = true;
    if (b.atEnd && quietTail) return;
    warn(b.atEnd
      ? `${file}: torn last record at byte ${from + b.offset} (${b.reason}); ${b.length} bytes skipped`
      : `${file}: bad record at byte ${from + b.offset} (${b.reason}); ${b.length} bytes skipped`);
  });
  return { size: from + buf.length, validEnd: from + validEnd, tornTail };
}

/** One record as the index sees it: offset and total length in its segment, and its meta. */
export type IndexedRecord = [offset: number, length: number, meta: RecordMeta];

export function sidecarPath(dir: string, seg: number): string {
  return segmentPath(dir, seg).replace(/\.tir$/, '.idx');
}

/**
 * Writes the record list of a sealed segment next to it, so the next open reads these few bytes
 * instead of the whole segment. Written to a temp file and renamed, so it is whole or absent.
 */
export async function writeSidecar(dir: string, seg: number, segmentSize: number, records: readonly IndexedRecord[]): Promise<void> {
  const file = sidecarPath(dir, seg);
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, JSON.stringify({ v: 1, size: segmentSize, r: records }));
  await fs.rename(tmp, file);
}

/** The records of a sealed segment from its sidecar; undefined when it is missing, stale or damaged. */
export async function readSidecar(dir: string, seg: number, segmentSize: number): Promise<IndexedRecord[] | undefined> {
  let text: string;
  try { text = await fs.readFile(sidecarPath(dir, seg), 'utf8'); } catch { return undefined; }
  try {
    const doc = JSON.parse(text) as { v?: number; size?: number; r?: unknown };
    if (doc.v !== 1 || doc.size !== segmentSize || !Array.isArray(doc.r)) return undefined;
    const records = doc.r as IndexedRecord[];
    let end = 0;
    for (const r of records) {
      // Records must tile the segment in order; anything else means the sidecar is not this segment's.
      if (!Array.isArray(r) || r[0] < end || r[0] + r[1] > segmentSize || typeof r[2] !== 'object' || r[2] === null) return undefined;
      end = r[0] + r[1];
    }
    return records;
  } catch {
    return undefined;
  }
}

/** Removes sidecars whose segment is gone and half-written temp files (left by a crash). */
export async function removeStrayFiles(dir: string): Promise<void> {
  const names = new Set(await fs.readdir(dir));
  for (const n of names) {
    const stray = n.endsWith('.idx.tmp') || (n.endsWith('.idx') && SIDECAR_NAME.test(n) && !names.has(n.replace(/\.idx$/, '.tir')));
    if (stray) await fs.unlink(path.join(dir, n)).catch(() => undefined);
  }
}

const SIDECAR_NAME = /^seg-\d{8}\.idx$/;

/** The span JSON of one record, checksum verified, or why it cannot be read. */
export async function readRecordBody(dir: string, seg: number, offset: number, length: number): Promise<string | { reason: string }> {
  try {
    const fh = await fs.open(segmentPath(dir, seg), 'r');
    try {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return recordBody(buf.subarray(0, bytesRead));
    } finally { await fh.close(); }
  } catch (e) {
    return { reason: (e as Error).message };
  }
}
