/**
 * OTLP/protobuf trace decoder for ExportTraceServiceRequest and TracesData (both: resource_spans = 1),
 * field numbers from opentelemetry-proto trace.proto / common.proto / resource.proto. Spans are
 * built straight from the bytes; repeated strings (keys, values, ids) are shared.
 */
import type { Attributes, DecodeResult, Resource, Scope, Span, SpanEvent, SpanLink, SpanOrigin, SpanStatus } from './model';
import { decodeAttributesOf, decodeEvent, decodeKeyValue, decodeLink, decodeStatus } from './otlpProtobufFields';
import type { SpanContext } from './otlpSpan';
import { NO_EVENTS, NO_LINKS, NO_START_TIME, SpanProblem, buildSpan, describeSpan, makeStatus, nanosPartsToUs, pushError } from './otlpSpan';
import { WireError, WireReader } from './otlpWire';

// Wire types, local so the hot loops need no cross-module lookups.
const WT_VARINT = 0;
const WT_FIXED64 = 1;
const WT_LEN = 2;
const WT_FIXED32 = 5;

interface State {
  r: WireReader;
  source: string;
  origin: SpanOrigin;
  result: DecodeResult;
}

/**
 * Decodes one protobuf ExportTraceServiceRequest / TracesData body (not gzip, not length-prefixed).
 * Never throws and always terminates: truncated or corrupt bytes give a DecodeError with the byte
 * offset; spans decoded before the damage are kept; a bad span is reported and left out.
 */
export function decodeOtlpProtobuf(bytes: Uint8Array, source: string): DecodeResult {
  const st: State = {
    r: new WireReader(bytes),
    source,
    origin: { format: 'otlp-protobuf', source },
    result: { spans: [], errors: [] },
  };
  const r = st.r;
  const end = bytes.length;
  try {
    while (r.pos < end) {
      r.tag(end);
      if (r.field === 1 && r.wireType === WT_LEN) {
        const e = r.lenEnd(end);
        decodeResourceSpans(st, r.pos, e);
        r.pos = e;
      } else r.skip(end);
    }
  } catch (e) {
    reportWire(st, e, 'request');
  }
  return st.result;
}

function reportWire(st: State, e: unknown, what: string): void {
  if (e instanceof WireError) {
    pushError(st.result.errors, st.source, `corrupt or truncated protobuf in ${what} at byte ${e.offset}: ${e.message}`, { offset: e.offset });
  } else {
    pushError(st.result.errors, st.source, `could not decode ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Scans a message for the length-delimited fields in `wanted`; returns [field, start, end]* and any framing error. */
function scan(r: WireReader, start: number, end: number, wanted: (field: number) => boolean, out: number[]): unknown {
  r.pos = start;
  try {
    while (r.pos < end) {
      r.tag(end);
      if (r.wireType === WT_LEN && wanted(r.field)) {
        const field = r.field;
        const e = r.lenEnd(end);
        out.push(field, r.pos, e);
        r.pos = e;
      } else r.skip(end);
    }
  } catch (e) {
    return e;
  }
  return undefined;
}

const isResourceSpansField = (f: number): boolean => f === 1 || f === 2 || f === 1000;
const isScopeSpansField = (f: number): boolean => f === 1 || f === 2;

function decodeResourceSpans(st: State, start: number, end: number): void {
  const r = st.r;
  const parts: number[] = [];
  const framing = scan(r, start, end, isResourceSpansField, parts);
  let resource: Resource = { attributes: {} };
  try {
    for (let i = 0; i < parts.length; i += 3) if (parts[i] === 1) resource = { attributes: decodeAttributesOf(r, parts[i + 1], parts[i + 2], 1) };
  } catch (e) {
    reportWire(st, e, `the resource at byte ${start}`);
    return;
  }
  // scope_spans = 2; deprecated instrumentation_library_spans = 1000 has the same layout.
  for (let i = 0; i < parts.length; i += 3) if (parts[i] !== 1) decodeScopeSpans(st, parts[i + 1], parts[i + 2], resource);
  if (framing) reportWire(st, framing, `resource spans at byte ${start}`);
}

function decodeScopeSpans(st: State, start: number, end: number, resource: Resource): void {
  const r = st.r;
  const parts: number[] = [];
  const framing = scan(r, start, end, isScopeSpansField, parts);
  let scope: Scope = { name: '' };
  try {
    for (let i = 0; i < parts.length; i += 3) if (parts[i] === 1) scope = decodeScope(r, parts[i + 1], parts[i + 2]);
  } catch (e) {
    reportWire(st, e, `the scope at byte ${start}`);
    return;
  }
  const ctx: SpanContext = { resource, scope, origin: st.origin };
  for (let i = 0; i < parts.length; i += 3) {
    if (parts[i] !== 2) continue;
    const s = parts[i + 1];
    let result: Span | string;
    r.spanName = undefined;
    try {
      result = decodeSpan(r, s, parts[i + 2], ctx);
    } catch (e) {
      if (e instanceof WireError) result = `is corrupt at byte ${e.offset}: ${e.message}`;
      else if (e instanceof SpanProblem) result = e.message;
      else result = `could not be decoded (${e instanceof Error ? e.message : String(e)})`;
    }
    if (typeof result === 'string') warnSpan(st, s, `${result}; span skipped`);
    else {
      if (result.startUnixUs === 0) warnSpan(st, s, NO_START_TIME);
      st.result.spans.push(result);
    }
  }
  if (framing) reportWire(st, framing, `scope spans at byte ${start}`);
}

function warnSpan(st: State, offset: number, reason: string): void {
  pushError(st.result.errors, st.source, `${describeSpan(st.r.spanName, `byte ${offset}`)} ${reason}`, { offset });
}

function decodeScope(r: WireReader, start: number, end: number): Scope {
  let name = '';
  let version = '';
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    if (r.wireType === WT_LEN && (r.field === 1 || r.field === 2)) {
      const f = r.field;
      const e = r.lenEnd(end);
      const s = r.text.get(r.buf, r.pos, e);
      if (f === 1) name = s;
      else version = s;
      r.pos = e;
    } else r.skip(end);
  }
  return version ? { name, version } : { name };
}

function decodeSpan(r: WireReader, start: number, end: number, ctx: SpanContext): Span | string {
  let traceId = -1, traceIdEnd = -1, spanId = -1, spanIdEnd = -1, parent = -1, parentEnd = -1;
  let name = '';
  let kind = 0;
  let startUnixUs: number | undefined;
  let endUnixUs: number | undefined;
  let status: SpanStatus = makeStatus(0, undefined);
  const attributes: Attributes = {};
  let events: SpanEvent[] = NO_EVENTS;
  let links: SpanLink[] = NO_LINKS;
  let flags = 0;
  let traceState: string | undefined;
  r.pos = start;
  while (r.pos < end) {
    r.tag(end);
    const f = r.field;
    const wt = r.wireType;
    if (wt === WT_LEN) {
      const e = r.lenEnd(end);
      const s = r.pos;
      switch (f) {
        case 1: traceId = s; traceIdEnd = e; break;
        case 2: spanId = s; spanIdEnd = e; break;
        case 3: traceState = r.text.get(r.buf, s, e); break;
        case 4: parent = s; parentEnd = e; break;
        case 5: name = r.text.get(r.buf, s, e); r.spanName = name; break;
        case 9: decodeKeyValue(r, s, e, attributes, 0); break;
        case 11: if (events === NO_EVENTS) events = [decodeEvent(r, s, e)]; else events.push(decodeEvent(r, s, e)); break;
        case 13: if (links === NO_LINKS) links = [decodeLink(r, s, e)]; else links.push(decodeLink(r, s, e)); break;
        case 15: status = decodeStatus(r, s, e); break;
        default: break;
      }
      r.pos = e;
    } else if (wt === WT_FIXED64 && (f === 7 || f === 8)) {
      r.fixed64(end);
      const us = r.lo === 0 && r.hi === 0 ? undefined : nanosPartsToUs(r.lo, r.hi);
      if (f === 7) startUnixUs = us;
      else endUnixUs = us;
    } else if (wt === WT_VARINT && f === 6) {
      r.varint64(end);
      kind = r.lo | 0;
    } else if (wt === WT_FIXED32 && f === 16) {
      flags = r.fixed32(end);
    } else r.skip(end);
  }
  const buf = r.buf;
  if (traceId < 0) return 'has no trace id';
  if (traceIdEnd - traceId !== 16) return `has a trace id of ${traceIdEnd - traceId} bytes, expected 16`;
  if (spanId < 0) return 'has no span id';
  if (spanIdEnd - spanId !== 8) return `has a span id of ${spanIdEnd - spanId} bytes, expected 8`;
  if (parent >= 0 && parentEnd !== parent && parentEnd - parent !== 8) return `has a parent span id of ${parentEnd - parent} bytes, expected 8`;
  let parentSpanId: string | undefined;
  if (parent >= 0 && parentEnd !== parent) {
    let zero = true;
    for (let i = parent; i < parentEnd; i++) if (buf[i] !== 0) { zero = false; break; }
    if (!zero) parentSpanId = r.spanIds.get(r.view, buf, parent);
  }
  return buildSpan({
    traceId: r.traceIds.get(r.view, buf, traceId),
    spanId: r.spanIds.get(r.view, buf, spanId),
    parentSpanId, name, kind, startUnixUs, endUnixUs, status, attributes, events, links, flags, traceState,
  }, ctx);
}
