/**
 * Segment files of the store directory (`seg-00000001.tir`, numbered in write order) and the scan
 * that rebuilds the index from them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { scanRecords } from './recordCodec';
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
 * Reads one segment (bounded by the segment size, so memory stays bounded however big the store)
 * and reports every valid record's meta in order. Bad records become warnings, never errors.
 */
export async function scanSegment(dir: string, seg: number, onMeta: (offset: number, length: number, meta: RecordMeta) => void, warn: (w: string) => void): Promise<SegmentScan> {
  const file = segmentPath(dir, seg);
  const buf = await fs.readFile(file);
  let tornTail = false;
  const validEnd = scanRecords(buf, (r) => {
    const meta = parseRecordMeta(r.meta);
    if (meta) onMeta(r.offset, r.length, meta);
    else warn(`${file}: record at byte ${r.offset} has an unknown summary; skipped`);
  }, (b) => {
    if (b.atEnd) tornTail = true;
    warn(b.atEnd
      ? `${file}: torn last record at byte ${b.offset} (${b.reason}); ${b.length} bytes skipped`
      : `${file}: bad record at byte ${b.offset} (${b.reason}); ${b.length} bytes skipped`);
  });
  return { size: buf.length, validEnd, tornTail };
}
