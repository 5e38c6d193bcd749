/**
 * The one trace model every source decodes into (OTLP JSON/protobuf, Collector files, X-Ray
 * documents and datagrams). Plain JSON-compatible data: no classes, no Maps, so spans can be stored,
 * sent to the webview and printed by the CLI as they are.
 */

/** An attribute value. 64-bit integers become numbers (exact up to 2^53); bytes become base64 strings. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';

export interface SpanStatus {
  code: StatusCode;
  message?: string;
}

export interface SpanEvent {
  name: string;
  /** Unix time in microseconds. */
  timeUnixUs: number;
  attributes: Attributes;
}

export interface SpanLink {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  traceState?: string;
  attributes: Attributes;
}

/** Shared by every span of one OTLP resource (or one X-Ray segment's service/aws context). */
export interface Resource {
  attributes: Attributes;
}

export interface Scope {
  name: string;
  version?: string;
}

export type OriginFormat = 'otlp-json' | 'otlp-protobuf' | 'xray';

/** Where a span came from; shared by all spans of one file, request or datagram. */
export interface SpanOrigin {
  format: OriginFormat;
  /** File path, `http:<peer>` for a receiver request, `udp:<peer>` for a datagram, `xray-api:<region>`. */
  source: string;
}

/** One X-Ray stack frame (`cause.exceptions[].stack[]`); `line` is 1-based, null when unknown. */
export interface XRayStackFrame {
  path: string;
  line: number | null;
  label?: string;
}

export interface XRayException {
  id?: string;
  message?: string;
  type?: string;
  remote?: boolean;
  truncated?: number;
  skipped?: number;
  cause?: string;
  stack: XRayStackFrame[];
}

/** The X-Ray-only parts of a segment or subsegment that have no OTLP equivalent. */
export interface XRayDetails {
  /** `segment`, `subsegment` or `inferred` (a segment the service made up for a downstream call). */
  type: 'segment' | 'subsegment' | 'inferred';
  /** e.g. `AWS::Lambda::Function`, `AWS::Lambda`, `AWS::ApiGateway::Stage`. */
  origin?: string;
  /** `aws` or `remote` on subsegments. */
  namespace?: string;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  annotations?: Attributes;
  metadata?: Attributes;
  http?: Attributes;
  aws?: Attributes;
  sql?: Attributes;
  workingDirectory?: string;
  exceptions?: XRayException[];
  /** X-Ray `user`, `service.version`, `precursor_ids` etc. kept raw. */
  extra?: Attributes;
}

/**
 * One span. Times are Unix microseconds (X-Ray's float seconds and OTLP's nanoseconds both fit
 * without losing microseconds). `endUnixUs` is undefined while a span is in progress.
 */
export interface Span {
  /** 32 lowercase hex digits (W3C). X-Ray ids are converted, see `xrayToW3cTraceId`. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startUnixUs: number;
  endUnixUs?: number;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  resource: Resource;
  scope: Scope;
  origin: SpanOrigin;
  /** OTLP span flags (W3C trace flags in the low 8 bits). */
  flags?: number;
  traceState?: string;
  xray?: XRayDetails;
}

/** A trace: its spans in no particular order (see `trace.ts` for tree helpers). */
export interface Trace {
  traceId: string;
  spans: Span[];
}

/** A decoding problem, precise enough to find the bytes: file, line (1-based) or byte offset. */
export interface DecodeError {
  source: string;
  line?: number;
  offset?: number;
  reason: string;
}

/** What a decoder returns: it never throws for bad input. */
export interface DecodeResult {
  spans: Span[];
  errors: DecodeError[];
  /** Lines or messages that were valid but not traces (Collector metrics/logs lines), by kind. */
  skipped?: Record<string, number>;
}

/** Duration in milliseconds (fractional), or undefined while in progress. */
export function spanDurationMs(span: Span): number | undefined {
  return span.endUnixUs === undefined ? undefined : (span.endUnixUs - span.startUnixUs) / 1000;
}

/** What lists of traces show; computed by `summarizeTrace` (core/summary.ts). */
export interface TraceSummary {
  traceId: string;
  /** Name of the earliest root span (or of the earliest span when no root arrived). */
  rootName: string;
  startUnixMs: number;
  /** From the earliest start to the latest end of any span. */
  durationMs: number;
  spanCount: number;
  /** Spans with status error (X-Ray: error or fault). */
  errorCount: number;
  /** True when any Lambda invocation in the trace was a cold start. */
  coldStart: boolean;
  /** Function names (faas.name / X-Ray AWS::Lambda::Function segment names), sorted, unique. */
  functions: string[];
}
