/**
 * OTLP/HTTP response bodies, in the encoding of the request: `ExportTraceServiceResponse` for 200
 * and `google.rpc.Status` for errors (protobuf or JSON, per the OTLP/HTTP spec).
 */

/** The body encoding of a request and therefore of its response. */
export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** Partial success of a trace export: rejected span count (>= 1) and a human message. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(Math.max(0, Math.floor(n)));
  while (v >= 0x80n) { out.push(Number((v & 0x7fn) | 0x80n)); v >>= 7n; }
  out.push(Number(v));
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(bytes.length)]), bytes]);
}

/** The 200 body: empty, or carrying `partial_success` (field 1 {rejected_spans = 1, error_message = 2}). */
export function exportResponseBody(encoding: OtlpEncoding, partial?: PartialSuccess): Buffer {
  if (encoding === 'json') {
    return Buffer.from(JSON.stringify(partial
      ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } }
      : {}));
  }
  if (!partial) return Buffer.alloc(0);
  const inner = Buffer.concat([
    Buffer.from([(1 << 3) | 0, ...varint(partial.rejectedSpans)]),
    lengthDelimited(2, Buffer.from(partial.errorMessage, 'utf8')),
  ]);
  return lengthDelimited(1, inner);
}

/** gRPC status codes used in `google.rpc.Status` error bodies. */
const GRPC_CODE: Record<number, number> = { 400: 3, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

/** An error body: `google.rpc.Status {code = 1, message = 2}`, in the request's encoding. */
export function statusBody(encoding: OtlpEncoding, httpStatus: number, message: string): Buffer {
  const code = GRPC_CODE[httpStatus] ?? 2;
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.concat([Buffer.from([(1 << 3) | 0, ...varint(code)]), lengthDelimited(2, Buffer.from(message, 'utf8'))]);
}
