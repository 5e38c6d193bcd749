// What the OpenTelemetry instrumentations (http, aws-sdk) would record around each call, written out
// by hand so the sample needs nothing beyond @opentelemetry/api. Each client span carries the source
// line that made the call (code.filepath / code.lineno), which the extension turns into line hints.
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('orders-app', '1.0.0');

/** The file and line of the caller's caller (source-mapped when Node runs with --enable-source-maps). */
function callSite(): Attributes {
  const line = (new Error().stack ?? '').split('\n')[3] ?? '';
  const m = /\(?([^\s(]+):(\d+):\d+\)?$/.exec(line.trim());
  const fn = /^at (?:async )?([\w$.]+) \(/.exec(line.trim());
  return m ? { 'code.filepath': m[1], 'code.lineno': Number(m[2]), ...(fn ? { 'code.function': fn[1] } : {}) } : {};
}

/** Runs `fn` in a client (or producer) span named `name`; a thrown error is recorded with its stack. */
export async function clientCall<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, kind = SpanKind.CLIENT): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes: { ...attributes, ...callSite() } }, async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
      throw e;
    } finally {
      span.end();
    }
  });
}
