/**
 * What the detail pane shows about one span, as plain display data (protocol.ts SpanDetail):
 * attributes, resource, X-Ray annotations/metadata, HTTP/SQL/AWS blocks, events, links and
 * exceptions with their stack frames (X-Ray `cause` or OTLP `exception` events).
 */
import type { Attributes, Span } from '../model';
import type { DetailEntry, DetailException, DetailFrame, DetailSection, SpanDetail } from '../../shared/protocol';
import { attrText } from './compactTrace';

function entries(a: Attributes | undefined): DetailEntry[] {
  if (!a) return [];
  return Object.keys(a).sort().map((key) => ({ key, value: attrText(a[key]) }));
}

function pick(a: Attributes, prefixes: string[]): Attributes | undefined {
  const out: Attributes = {};
  let any = false;
  for (const k of Object.keys(a)) {
    if (prefixes.some((p) => k.startsWith(p))) { out[k] = a[k]; any = true; }
  }
  return any ? out : undefined;
}

const NODE_FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+)(?::\d+)?\)?\s*$/;
const PY_FRAME = /^\s*File "(.+)", line (\d+)(?:, in (.+))?\s*$/;
const JAVA_FRAME = /^\s*at ([\w$.<>]+)\(([^():]+):(\d+)\)\s*$/;

/** Frames of an OTLP `exception.stacktrace` (Node, Python or Java text); lines that are not frames are skipped. */
export function parseStackTrace(text: string): DetailFrame[] {
  const frames: DetailFrame[] = [];
  for (const l of text.split('\n')) {
    let m = PY_FRAME.exec(l);
    if (m) { frames.push({ path: m[1], line: Number(m[2]), ...(m[3] ? { label: m[3] } : {}) }); continue; }
    m = JAVA_FRAME.exec(l);
    if (m) { frames.push({ path: m[2], line: Number(m[3]), label: m[1] }); continue; }
    m = NODE_FRAME.exec(l);
    if (m) frames.push({ path: m[2], line: Number(m[3]), ...(m[1] ? { label: m[1] } : {}) });
  }
  return frames;
}

function exceptionsOf(span: Span): DetailException[] {
  const out: DetailException[] = [];
  for (const x of span.xray?.exceptions ?? []) {
    out.push({ type: x.type ?? 'Exception', message: x.message ?? '', frames: x.stack.map((f) => ({ path: f.path, line: f.line, ...(f.label !== undefined ? { label: f.label } : {}) })) });
  }
  // The X-Ray decoder mirrors `cause.exceptions` as OTel exception events; show them once.
  if (out.length > 0) return out;
  for (const e of span.events) {
    if (e.name !== 'exception') continue;
    const a = e.attributes;
    const st = a['exception.stacktrace'];
    out.push({
      type: typeof a['exception.type'] === 'string' ? a['exception.type'] : 'Exception',
      message: typeof a['exception.message'] === 'string' ? a['exception.message'] : '',
      frames: typeof st === 'string' ? parseStackTrace(st) : [],
    });
  }
  return out;
}

/** Builds the detail of `span`; event offsets are relative to the span start (microseconds). */
export function spanDetail(span: Span): SpanDetail {
  const sections: DetailSection[] = [];
  const add = (title: string, e: DetailEntry[]): void => { if (e.length > 0) sections.push({ title, entries: e }); };
  const x = span.xray;
  add('HTTP', entries(x?.http ?? pick(span.attributes, ['http.', 'url.', 'server.address', 'server.port'])));
  add('SQL', entries(x?.sql ?? pick(span.attributes, ['db.'])));
  add('AWS', entries(x?.aws ?? pick(span.attributes, ['aws.', 'rpc.', 'faas.', 'cloud.'])));
  add('Attributes', entries(span.attributes));
  add('X-Ray annotations', entries(x?.annotations));
  add('X-Ray metadata', entries(x?.metadata));
  if (x) {
    const info: DetailEntry[] = [{ key: 'type', value: x.type }];
    if (x.origin) info.push({ key: 'origin', value: x.origin });
    if (x.namespace) info.push({ key: 'namespace', value: x.namespace });
    for (const k of ['error', 'fault', 'throttle'] as const) if (x[k]) info.push({ key: k, value: 'true' });
    if (x.workingDirectory) info.push({ key: 'working directory', value: x.workingDirectory });
    info.push(...entries(x.extra));
    add('X-Ray', info);
  }
  add('Resource', entries(span.resource.attributes));
  const meta: DetailEntry[] = [{ key: 'span id', value: span.spanId }, { key: 'trace id', value: span.traceId }];
  if (span.parentSpanId) meta.push({ key: 'parent span id', value: span.parentSpanId });
  meta.push({ key: 'scope', value: span.scope.version ? `${span.scope.name} ${span.scope.version}` : span.scope.name });
  meta.push({ key: 'origin', value: `${span.origin.format} ${span.origin.source}` });
  add('Ids', meta);
  return {
    spanId: span.spanId,
    name: span.name,
    kind: span.kind,
    durationUs: span.endUnixUs === undefined ? null : span.endUnixUs - span.startUnixUs,
    status: span.status.message ? `${span.status.code}: ${span.status.message}` : span.status.code,
    sections,
    events: span.events.map((e) => ({ name: e.name, offsetUs: e.timeUnixUs - span.startUnixUs, entries: entries(e.attributes) })),
    links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, entries: entries(l.attributes) })),
    exceptions: exceptionsOf(span),
  };
}
