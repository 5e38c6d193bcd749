/**
 * Spans made by the real OpenTelemetry JS SDK, serialized by the real `@opentelemetry/otlp-transformer`
 * (the code the OTLP exporters use) to OTLP/JSON and OTLP/protobuf. Ids come from a seeded generator
 * and times are explicit, so the same call gives the same bytes.
 */
import { type Attributes, type Context, type Link, type Span, type SpanOptions, type Tracer, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type IdGenerator, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/** Deterministic ids from a 32-bit xorshift seed. */
export class SeededIdGenerator implements IdGenerator {
  constructor(private state: number) {}

  private hex(chars: number): string {
    let out = '';
    while (out.length < chars) {
      let x = this.state;
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      this.state = x >>> 0;
      out += this.state.toString(16).padStart(8, '0');
    }
    return out.slice(0, chars);
  }

  generateTraceId(): string { return this.hex(32); }
  generateSpanId(): string { return this.hex(16); }
}

/** A tracer per instrumentation scope, all feeding one in-memory exporter. */
export interface SdkRecorder {
  tracer(name: string, version?: string): Tracer;
  /** Finished spans so far, in end order (what a batch exporter would send). */
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function sdkRecorder(resource: Attributes, seed = 0x2545f491): SdkRecorder {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    idGenerator: new SeededIdGenerator(seed),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    tracer: (name, version) => provider.getTracer(name, version),
    spans: () => exporter.getFinishedSpans(),
    shutdown: () => provider.shutdown(),
  };
}

/** Starts a span at `startMs` (Unix ms, fractional allowed) as a child of `parent` when given. */
export function startSpan(tracer: Tracer, name: string, startMs: number, options: SpanOptions = {}, parent?: Span | Context): Span {
  const ctx = parent === undefined ? ROOT_CONTEXT : 'spanContext' in parent ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
  return tracer.startSpan(name, { ...options, startTime: startMs }, ctx);
}

export function linkTo(span: Span, attributes?: Attributes): Link {
  return { context: span.spanContext(), attributes };
}

export interface Serialized {
  json: string;
  protobuf: Uint8Array;
}

/** The two OTLP bodies the real exporters would send for these spans. */
export function serializeSpans(spans: ReadableSpan[]): Serialized {
  const json = JsonTraceSerializer.serializeRequest(spans);
  const protobuf = ProtobufTraceSerializer.serializeRequest(spans);
  if (!json || !protobuf) throw new Error('otlp-transformer returned no body');
  return { json: new TextDecoder().decode(json), protobuf };
}
