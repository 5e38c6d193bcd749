/**
 * What the OTLP JSON and protobuf decoders share: enum tables, time conversion, id checks and the
 * one function that builds a model `Span`, so both decoders give deep-equal spans for one request.
 *
 * DecodeError reasons follow a contract that src/sources/otlpReceiver.ts relies on: damage to the
 * body as a whole starts with "corrupt or truncated protobuf", "malformed JSON" or "could not
 * decode"; a rejected span ends with "; span skipped" (a rejected resource: "spans were skipped");
 * anything else is a warning about data that was kept.
 */
import type { AttrValue, Attributes, DecodeError, Span, SpanEvent, SpanKind, SpanLink, SpanStatus, StatusCode } from './model';

/** OTLP `Span.SpanKind` numbers 0..5 in order. */
export const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
/** OTLP `Status.StatusCode` numbers 0..2 in order. */
export const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];

/** Enum names as protobuf-JsonFormat writes them (`SPAN_KIND_SERVER`). */
export const KIND_BY_NAME: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5,
};
export const STATUS_BY_NAME: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2,
};

/** Nesting limit for arrayValue/kvlistValue; deeper values reject the span instead of exhausting the stack. */
export const MAX_VALUE_DEPTH = 32;

/**
 * Shared, frozen: a span without events/links or with a message-less status points at these, which
 * saves ~100 bytes per span. Build a new array/object to change them; mutating throws.
 */
export const NO_EVENTS: SpanEvent[] = Object.freeze([]) as unknown as SpanEvent[];
export const NO_LINKS: SpanLink[] = Object.freeze([]) as unknown as SpanLink[];
const PLAIN_STATUS: readonly SpanStatus[] = STATUS_CODES.map((code) => Object.freeze({ code }));

/** Status for code number 0..2 (caller checked the range); empty message means none. */
export function makeStatus(code: number, message: string | undefined): SpanStatus {
  return message ? { code: STATUS_CODES[code], message } : PLAIN_STATUS[code];
}

/** A problem with one span: thrown inside a decoder, caught where the span is rejected. */
export class SpanProblem extends Error {}

/** Sets an attribute; `__proto__` is data too, so it must not reach the prototype setter. */
export function setAttr(attrs: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(attrs, key, { value, enumerable: true, writable: true, configurable: true });
  else attrs[key] = value;
}

/**
 * Unix nanoseconds given as two unsigned 32-bit halves -> whole Unix microseconds (floor), exact:
 * 2^32 = 4294967 * 1000 + 296, so no BigInt and no rounding.
 */
export function nanosPartsToUs(lo: number, hi: number): number {
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
}

/**
 * OTLP/JSON 64-bit nanoseconds (decimal string or number) -> whole microseconds (floor), or
 * undefined when not a non-negative integer.
 */
export function jsonNanosToUs(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const n = v.length;
    if (n === 0 || n > 20) return undefined;
    let us = 0;
    for (let i = 0; i < n; i++) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      if (i < n - 3) us = us * 10 + d;
    }
    return us;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return Math.floor(v / 1000);
  return undefined;
}

/** Everything decoded for one span, before the checks that may reject it. */
export interface SpanFields {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  /** Undefined when the producer sent no start time (0 or absent). */
  startUnixUs: number | undefined;
  endUnixUs: number | undefined;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  flags: number;
  traceState: string | undefined;
}

/** An empty scratch record (decoders reuse one per call instead of allocating one per span). */
export function newSpanFields(): SpanFields {
  return {
    traceId: '', spanId: '', parentSpanId: undefined, name: '', kind: 0, startUnixUs: undefined, endUnixUs: undefined,
    status: PLAIN_STATUS[0], attributes: {}, events: NO_EVENTS, links: NO_LINKS, flags: 0, traceState: undefined,
  };
}

/** Shared per resource / scope / call, so spans point at one object each. */
export interface SpanContext {
  resource: Span['resource'];
  scope: Span['scope'];
  origin: Span['origin'];
}

/** The warning for a span kept without a start time (see `buildSpan`). */
export const NO_START_TIME = 'has no start time (startTimeUnixNano missing or 0); kept at Unix time 0';

/**
 * Builds the model span, or returns the reason it is rejected. A span without a start time is kept
 * at Unix time 0 (it cannot be placed in time otherwise; callers report `NO_START_TIME`); a missing
 * end time means "in progress"; an end before the start rejects the span.
 */
export function buildSpan(f: SpanFields, ctx: SpanContext): Span | string {
  if (f.kind < 0 || f.kind > 5 || !Number.isInteger(f.kind)) return `has an unknown span kind ${f.kind}`;
  const start = f.startUnixUs ?? 0;
  if (f.endUnixUs !== undefined && f.endUnixUs < start) {
    return `ends before it starts (end ${f.endUnixUs} us < start ${start} us)`;
  }
  const { traceId, spanId, parentSpanId, name, status, attributes, events, links, flags } = f;
  const kind = SPAN_KINDS[f.kind];
  const { resource, scope, origin } = ctx;
  const endUnixUs = f.endUnixUs;
  // One object literal per common shape: properties added later would go to a separate,
  // over-allocated property array (~50 bytes more per span).
  if (endUnixUs !== undefined && flags !== 0 && !f.traceState) {
    return parentSpanId !== undefined
      ? { traceId, spanId, parentSpanId, name, kind, startUnixUs: start, endUnixUs, status, attributes, events, links, resource, scope, origin, flags }
      : { traceId, spanId, name, kind, startUnixUs: start, endUnixUs, status, attributes, events, links, resource, scope, origin, flags };
  }
  if (endUnixUs !== undefined && flags === 0 && !f.traceState) {
    return parentSpanId !== undefined
      ? { traceId, spanId, parentSpanId, name, kind, startUnixUs: start, endUnixUs, status, attributes, events, links, resource, scope, origin }
      : { traceId, spanId, name, kind, startUnixUs: start, endUnixUs, status, attributes, events, links, resource, scope, origin };
  }
  const span: Span = { traceId, spanId, name, kind, startUnixUs: start, status, attributes, events, links, resource, scope, origin };
  if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
  if (endUnixUs !== undefined) span.endUnixUs = endUnixUs;
  if (flags !== 0) span.flags = flags;
  if (f.traceState) span.traceState = f.traceState;
  return span;
}

/** `span "name" (where)` for error reasons; the name is quoted as JSON so odd characters stay visible. */
export function describeSpan(name: string | undefined, where: string): string {
  return name === undefined ? `span at ${where}` : `span ${JSON.stringify(name.length > 80 ? name.slice(0, 80) + '…' : name)} at ${where}`;
}

export function pushError(errors: DecodeError[], source: string, reason: string, at?: { line?: number; offset?: number }): void {
  const e: DecodeError = { source, reason };
  if (at?.line !== undefined) e.line = at.line;
  if (at?.offset !== undefined) e.offset = at.offset;
  errors.push(e);
}
