// Builders for the hand-made traces of the analysis tests: only the fields a test cares about.
import type { Span, XRayDetails } from '../../src/core/model';

let seq = 0;
/** A fresh 16-hex span id. */
export function sid(): string {
  return (++seq).toString(16).padStart(16, '0');
}

export const T0_US = 1_795_315_600_000_000; // 2026-11-22 ~02:46 UTC, like the captured data

export interface SpanOpts {
  traceId?: string; spanId?: string; parent?: string; name?: string; kind?: Span['kind'];
  startMs?: number; durMs?: number | null; error?: boolean;
  attrs?: Span['attributes']; resource?: Span['resource']['attributes']; xray?: Partial<XRayDetails>;
  links?: Span['links']; scope?: string;
}

/** A span starting `startMs` after T0 lasting `durMs` (null = in progress). */
export function span(o: SpanOpts = {}): Span {
  const start = T0_US + Math.round((o.startMs ?? 0) * 1000);
  const dur = o.durMs === undefined ? 10 : o.durMs;
  return {
    traceId: o.traceId ?? 'a'.repeat(32),
    spanId: o.spanId ?? sid(),
    ...(o.parent ? { parentSpanId: o.parent } : {}),
    name: o.name ?? 'span',
    kind: o.kind ?? 'internal',
    startUnixUs: start,
    ...(dur === null ? {} : { endUnixUs: start + Math.round(dur * 1000) }),
    status: { code: o.error ? 'error' : 'unset' },
    attributes: o.attrs ?? {},
    events: [],
    links: o.links ?? [],
    resource: { attributes: o.resource ?? {} },
    scope: { name: o.scope ?? 'test' },
    origin: { format: o.xray ? 'xray' : 'otlp-json', source: 'test' },
    ...(o.xray ? { xray: { type: 'segment', error: false, fault: false, throttle: false, ...o.xray } } : {}),
  };
}

/** An OTel Lambda entry span of function `fn` (resource faas.name, faas.max_memory in bytes). */
export function lambdaSpan(fn: string, o: SpanOpts & { cold?: boolean; memoryMb?: number; version?: string; arch?: string; region?: string } = {}): Span {
  return span({
    kind: 'server', name: fn, ...o,
    attrs: { 'faas.invocation_id': sid(), ...(o.cold !== undefined ? { 'faas.coldstart': o.cold } : {}), ...(o.attrs ?? {}) },
    resource: {
      'cloud.platform': 'aws_lambda', 'faas.name': fn,
      ...(o.memoryMb ? { 'faas.max_memory': o.memoryMb * 1024 * 1024 } : {}),
      ...(o.version ? { 'faas.version': o.version } : {}),
      ...(o.arch ? { 'host.arch': o.arch } : {}),
      'cloud.region': o.region ?? 'us-east-1',
      ...(o.resource ?? {}),
    },
  });
}
