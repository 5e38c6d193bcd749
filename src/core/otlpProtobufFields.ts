/**
 * The parts of an OTLP/protobuf span below its own fields: status, events, links, KeyValue
 * attributes and AnyValue (common.proto: string 1, bool 2, int64 3, double 4, array 5, kvlist 6,
 * bytes 7 -> base64). Nesting deeper than MAX_VALUE_DEPTH throws SpanProblem.
 */
import { bytesToBase64 } from './intern';
import type { AttrValue, Attributes, SpanEvent, SpanLink, SpanStatus } from './model';
import { MAX_VALUE_DEPTH, SpanProblem, makeStatus, nanosPartsToUs, setAttr } from './otlpSpan';
import type { WireReader } from './otlpWire';

// Wire types, local so the hot loops need no cross-module lookups.
const WT_VARINT = 0;
const WT_FIXED64 = 1;
const WT_LEN = 2;

/** Status message [start, end): message = 2, code = 3 (0..2, else SpanProblem). */
export function decodeStatus(r: WireReader, start: number, end: number): SpanStatus {
  let code = 0;
  let message: string | undefined;
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 2 && r.wireType === WT_LEN) {
      const e = r.lenEnd(end);
      message = r.text.get(r.buf, r.pos, e);
      r.pos = e;
    } else if (r.field === 3 && r.wireType === WT_VARINT) {
      r.varint64(end);
      code = r.lo | 0;
    } else r.skip(end);
  }
  if (code < 0 || code > 2) throw new SpanProblem(`has an unknown status code ${code}`);
  return makeStatus(code, message);
}

/** Span.Event [start, end): time_unix_nano = 1 (fixed64 -> whole Unix us), name = 2, attributes = 3. */
export function decodeEvent(r: WireReader, start: number, end: number): SpanEvent {
  let timeUnixUs = 0;
  let name = '';
  const attributes: Attributes = {};
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1 && r.wireType === WT_FIXED64) {
      r.fixed64(end);
      timeUnixUs = nanosPartsToUs(r.lo, r.hi);
    } else if (r.wireType === WT_LEN && (r.field === 2 || r.field === 3)) {
      const f = r.field;
      const e = r.lenEnd(end);
      if (f === 2) name = r.text.get(r.buf, r.pos, e);
      else decodeKeyValue(r, r.pos, e, attributes, 0);
      r.pos = e;
    } else r.skip(end);
  }
  return { name, timeUnixUs, attributes };
}

/** Span.Link [start, end): trace_id = 1 (16 bytes), span_id = 2 (8 bytes), trace_state = 3, attributes = 4. */
export function decodeLink(r: WireReader, start: number, end: number): SpanLink {
  let traceId: string | undefined;
  let spanId: string | undefined;
  let traceState: string | undefined;
  const attributes: Attributes = {};
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.wireType !== WT_LEN || r.field < 1 || r.field > 4) {
      r.skip(end);
      continue;
    }
    const f = r.field;
    const e = r.lenEnd(end);
    const s = r.pos;
    if (f === 1) {
      if (e - s !== 16) throw new SpanProblem(`has a link whose trace id is ${e - s} bytes, expected 16`);
      traceId = r.traceIds.get(r.view, r.buf, s);
    } else if (f === 2) {
      if (e - s !== 8) throw new SpanProblem(`has a link whose span id is ${e - s} bytes, expected 8`);
      spanId = r.spanIds.get(r.view, r.buf, s);
    } else if (f === 3) traceState = r.text.get(r.buf, s, e);
    else decodeKeyValue(r, s, e, attributes, 0);
    r.pos = e;
  }
  if (traceId === undefined || spanId === undefined) throw new SpanProblem('has a link without trace id or span id');
  const link: SpanLink = { traceId, spanId, attributes };
  if (traceState) link.traceState = traceState;
  return link;
}

/** Decodes every KeyValue in field `field` of the message [start, end) into a new object. */
export function decodeAttributesOf(r: WireReader, start: number, end: number, field: number): Attributes {
  const out: Attributes = {};
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === field && r.wireType === WT_LEN) {
      const e = r.lenEnd(end);
      decodeKeyValue(r, r.pos, e, out, 0);
      r.pos = e;
    } else r.skip(end);
  }
  return out;
}

/** One KeyValue message (key = 1, value = 2) into `out`; leaves `r.pos` anywhere (callers reset it). */
export function decodeKeyValue(r: WireReader, start: number, end: number, out: Attributes, depth: number): void {
  const buf = r.buf;
  // Fast path for the usual layout: key (tag 0x0a) then value (tag 0x12), one-byte lengths.
  if (buf[start] === 0x0a) {
    const ks = start + 2;
    const ke = ks + buf[start + 1];
    if (buf[start + 1] < 128 && ke + 2 <= end && buf[ke] === 0x12 && buf[ke + 1] < 128 && ke + 2 + buf[ke + 1] === end) {
      setAttr(out, r.text.get(buf, ks, ke), decodeAnyValue(r, ke + 2, end, depth));
      return;
    }
  }
  let key = '';
  let vs = -1, ve = -1;
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.wireType === WT_LEN && (r.field === 1 || r.field === 2)) {
      const f = r.field;
      const e = r.lenEnd(end);
      if (f === 1) key = r.text.get(r.buf, r.pos, e);
      else { vs = r.pos; ve = e; }
      r.pos = e;
    } else r.skip(end);
  }
  setAttr(out, key, vs < 0 ? null : decodeAnyValue(r, vs, ve, depth));
}

function decodeAnyValue(r: WireReader, start: number, end: number, depth: number): AttrValue {
  const buf = r.buf;
  // Fast paths: a short string, bool or small int as the only field.
  if (end - start >= 2 && buf[start + 1] < 128) {
    const tag = buf[start];
    if (tag === 0x0a && start + 2 + buf[start + 1] === end) return r.text.get(buf, start + 2, end);
    if (end === start + 2) {
      if (tag === 0x18) return buf[start + 1];
      if (tag === 0x10) return buf[start + 1] !== 0;
    }
  }
  let value: AttrValue = null;
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    const f = r.field;
    const wt = r.wireType;
    if (wt === WT_LEN && (f === 1 || f === 5 || f === 6 || f === 7)) {
      const e = r.lenEnd(end);
      const s = r.pos;
      if (f === 1) value = r.text.get(r.buf, s, e);
      else if (f === 7) value = bytesToBase64(r.buf, s, e);
      else {
        if (depth >= MAX_VALUE_DEPTH) throw new SpanProblem(`has an attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
        value = f === 5 ? decodeArray(r, s, e, depth + 1) : decodeKvList(r, s, e, depth + 1);
      }
      r.pos = e;
    } else if (wt === WT_VARINT && (f === 2 || f === 3)) {
      r.varint64(end);
      value = f === 2 ? (r.lo | r.hi) !== 0 : r.int64();
    } else if (wt === WT_FIXED64 && f === 4) {
      value = r.double(end);
    } else r.skip(end);
  }
  return value;
}

function decodeArray(r: WireReader, start: number, end: number, depth: number): AttrValue[] {
  const out: AttrValue[] = [];
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1 && r.wireType === WT_LEN) {
      const e = r.lenEnd(end);
      out.push(decodeAnyValue(r, r.pos, e, depth));
      r.pos = e;
    } else r.skip(end);
  }
  // push() leaves spare capacity (17 slots for one element); a copy is exact.
  return out.length === 0 ? out : out.slice();
}

function decodeKvList(r: WireReader, start: number, end: number, depth: number): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.field === 1 && r.wireType === WT_LEN) {
      const e = r.lenEnd(end);
      decodeKeyValue(r, r.pos, e, out, depth);
      r.pos = e;
    } else r.skip(end);
  }
  return out;
}
