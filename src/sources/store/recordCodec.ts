/**
 * The on-disk record of the trace store. A segment file is a sequence of records:
 *
 *   magic "TIR1" | metaLen u32le | bodyLen u32le | crc32(meta ++ body) u32le | meta | body
 *
 * `meta` is a small JSON object (the record's summary, see recordMeta.ts) read when the index is
 * rebuilt; `body` is the JSON array of spans, read only by getTrace. Lengths are in bytes.
 */
import zlib from 'node:zlib';
import type { Span } from '../../core/model';

export const RECORD_MAGIC = Buffer.from('TIR1', 'latin1');
export const HEADER_BYTES = 16;
/** A sanity bound for one record's meta or body; longer lengths mean a corrupt header. */
export const MAX_PART_BYTES = 1 << 30;

/** Encodes one record; `meta` and `body` are UTF-8 JSON text. */
export function encodeRecord(meta: string, body: string): Buffer {
  const metaLen = Buffer.byteLength(meta);
  const bodyLen = Buffer.byteLength(body);
  const out = Buffer.allocUnsafe(HEADER_BYTES + metaLen + bodyLen);
  RECORD_MAGIC.copy(out, 0);
  out.writeUInt32LE(metaLen, 4);
  out.writeUInt32LE(bodyLen, 8);
  out.write(meta, HEADER_BYTES, 'utf8');
  out.write(body, HEADER_BYTES + metaLen, 'utf8');
  out.writeUInt32LE(zlib.crc32(out.subarray(HEADER_BYTES)), 12);
  return out;
}

/** A record found by `scanRecords`: byte offset and total length within the scanned buffer. */
export interface ScannedRecord {
  offset: number;
  length: number;
  meta: string;
}

/** A stretch of bytes that did not hold a valid record. `atEnd` marks a torn tail. */
export interface BadRegion {
  offset: number;
  length: number;
  atEnd: boolean;
  reason: string;
}

/** Checks the record that starts at `offset`; returns its total length or a reason it is bad. */
export function checkRecordAt(buf: Buffer, offset: number): { length: number } | { reason: string } {
  if (buf.length - offset < HEADER_BYTES) return { reason: 'incomplete record header' };
  if (buf.compare(RECORD_MAGIC, 0, 4, offset, offset + 4) !== 0) return { reason: 'bad record magic' };
  const metaLen = buf.readUInt32LE(offset + 4);
  const bodyLen = buf.readUInt32LE(offset + 8);
  if (metaLen > MAX_PART_BYTES || bodyLen > MAX_PART_BYTES) return { reason: 'impossible record length' };
  const length = HEADER_BYTES + metaLen + bodyLen;
  if (offset + length > buf.length) return { reason: `record of ${length} bytes cut short at ${buf.length - offset}` };
  const crc = zlib.crc32(buf.subarray(offset + HEADER_BYTES, offset + length));
  if (crc !== buf.readUInt32LE(offset + 12)) return { reason: 'checksum mismatch' };
  return { length };
}

/**
 * Walks every record of a segment held in `buf`. A bad record is skipped by searching for the next
 * valid one, so one corrupt record never hides the ones after it. Returns the end of the last valid
 * record (where a writer may continue).
 */
export function scanRecords(buf: Buffer, onRecord: (r: ScannedRecord) => void, onBad: (b: BadRegion) => void): number {
  let offset = 0;
  let validEnd = 0;
  while (offset < buf.length) {
    const r = checkRecordAt(buf, offset);
    if ('length' in r) {
      const metaLen = buf.readUInt32LE(offset + 4);
      onRecord({ offset, length: r.length, meta: buf.toString('utf8', offset + HEADER_BYTES, offset + HEADER_BYTES + metaLen) });
      offset += r.length;
      validEnd = offset;
      continue;
    }
    const next = findNextRecord(buf, offset + 1);
    onBad({ offset, length: (next ?? buf.length) - offset, atEnd: next === undefined, reason: r.reason });
    if (next === undefined) break;
    offset = next;
  }
  return validEnd;
}

function findNextRecord(buf: Buffer, from: number): number | undefined {
  for (let i = buf.indexOf(RECORD_MAGIC, from); i >= 0; i = buf.indexOf(RECORD_MAGIC, i + 1)) {
    if ('length' in checkRecordAt(buf, i)) return i;
  }
  return undefined;
}

/** The body (span JSON) of a record read back from disk, after checking its checksum. */
export function recordBody(buf: Buffer): string | { reason: string } {
  const r = checkRecordAt(buf, 0);
  if (!('length' in r)) return r;
  const metaLen = buf.readUInt32LE(4);
  return buf.toString('utf8', HEADER_BYTES + metaLen, r.length);
}

/** Span bodies are split so that no record gets big enough to hurt getTrace or a scan. */
const MAX_BODY_CHARS = 4 * 1024 * 1024;

/** Splits spans into record bodies (JSON arrays) of at most about MAX_BODY_CHARS characters. */
export function* chunkByJsonSize(spans: Span[]): Generator<{ spans: Span[]; body: string }> {
  if (spans.length === 0) return;
  // The common case, one stringify; only a trace of many megabytes is split span by span.
  const whole = JSON.stringify(spans);
  if (whole.length <= MAX_BODY_CHARS) { yield { spans, body: whole }; return; }
  let parts: string[] = [];
  let chunk: Span[] = [];
  let chars = 0;
  for (const span of spans) {
    const json = JSON.stringify(span);
    if (chunk.length && chars + json.length > MAX_BODY_CHARS) {
      yield { spans: chunk, body: `[${parts.join(',')}]` };
      parts = []; chunk = []; chars = 0;
    }
    parts.push(json); chunk.push(span); chars += json.length + 1;
  }
  if (chunk.length) yield { spans: chunk, body: `[${parts.join(',')}]` };
}
