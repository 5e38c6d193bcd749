/**
 * A bounds-checked protobuf wire-format reader for the OTLP decoder. Every read checks the limit
 * of the enclosing message, so truncated or hostile bytes raise a `WireError` with the byte offset
 * instead of reading past the end or looping.
 */
import { ByteStringCache, HexIdCache } from './intern';

/** Malformed bytes at `offset` (0-based, from the start of the buffer). */
export class WireError extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

export const WT_VARINT = 0;
export const WT_FIXED64 = 1;
export const WT_LEN = 2;
export const WT_FIXED32 = 5;

export class WireReader {
  pos = 0;
  /** Low / high unsigned 32-bit halves of the last 64-bit value read. */
  lo = 0;
  hi = 0;
  /** Field number and wire type of the last tag read. */
  field = 0;
  wireType = 0;
  /** Offset of the last tag read. */
  tagAt = 0;
  readonly view: DataView;
  readonly text = new ByteStringCache();
  readonly traceIds = new HexIdCache(16);
  readonly spanIds = new HexIdCache(8);
  /** Name of the span being decoded, for error messages. */
  spanName: string | undefined;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Reads a tag; sets `field` and `wireType`. */
  tag(limit: number): void {
    const at = this.pos;
    this.tagAt = at;
    const t = this.varint32(limit);
    this.field = t >>> 3;
    this.wireType = t & 7;
    if (this.field === 0) throw new WireError(at, 'invalid field number 0 (not protobuf, or corrupt)');
  }

  /** A varint that must fit 32 bits (tags, lengths). */
  varint32(limit: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < limit && buf[pos] < 128) {
      this.pos = pos + 1;
      return buf[pos];
    }
    const start = pos;
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= limit) throw new WireError(start, 'truncated varint');
      const b = buf[pos++];
      if (shift < 35) result += (b & 0x7f) * 2 ** shift;
      else if ((b & 0x7f) !== 0) throw new WireError(start, 'varint does not fit 32 bits');
      if (b < 128) break;
      if (shift >= 63) throw new WireError(start, 'varint longer than 10 bytes');
    }
    if (result > 0xffffffff) throw new WireError(start, 'varint does not fit 32 bits');
    this.pos = pos;
    return result;
  }

  /** A 64-bit varint into `lo`/`hi`. */
  varint64(limit: number): void {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (pos >= limit) throw new WireError(start, 'truncated varint');
      const b = buf[pos++];
      const v = b & 0x7f;
      if (i < 4) lo |= v << (7 * i);
      else if (i === 4) {
        lo |= v << 28;
        hi |= v >>> 4;
      } else hi |= v << (7 * i - 32);
      if (b < 128) break;
      if (i >= 9) throw new WireError(start, 'varint longer than 10 bytes');
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.pos = pos;
  }

  /** The end offset of a length-delimited field whose length prefix is at `pos`. */
  lenEnd(limit: number): number {
    const at = this.pos;
    const len = this.varint32(limit);
    const end = this.pos + len;
    if (end > limit) {
      throw new WireError(at, `field ${this.field} says ${len} bytes but only ${limit - this.pos} remain in its message`);
    }
    return end;
  }

  fixed64(limit: number): void {
    const pos = this.pos;
    if (pos + 8 > limit) throw new WireError(pos, `truncated 64-bit field ${this.field}`);
    this.lo = this.view.getUint32(pos, true);
    this.hi = this.view.getUint32(pos + 4, true);
    this.pos = pos + 8;
  }

  fixed32(limit: number): number {
    const pos = this.pos;
    if (pos + 4 > limit) throw new WireError(pos, `truncated 32-bit field ${this.field}`);
    this.pos = pos + 4;
    return this.view.getUint32(pos, true);
  }

  double(limit: number): number {
    const pos = this.pos;
    if (pos + 8 > limit) throw new WireError(pos, `truncated double field ${this.field}`);
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** Skips the value of the last tag read (an unknown field, or a known one with an unexpected wire type). */
  skip(limit: number): void {
    switch (this.wireType) {
      case WT_VARINT: this.varint64(limit); return;
      case WT_FIXED64: this.fixed64(limit); return;
      case WT_LEN: this.pos = this.lenEnd(limit); return;
      case WT_FIXED32: this.fixed32(limit); return;
      default:
        throw new WireError(this.tagAt, `unsupported wire type ${this.wireType} for field ${this.field}`);
    }
  }

  /** Signed int64 of `lo`/`hi` as a number (exact up to 2^53). */
  int64(): number {
    // Small values stay small integers (no boxed heap number per attribute).
    if (this.hi === 0 && this.lo < 0x40000000) return this.lo | 0;
    return (this.hi | 0) * 4294967296 + this.lo;
  }
}
