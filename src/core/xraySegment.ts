/**
 * One X-Ray segment or subsegment document (already JSON-parsed) -> model spans: the segment and
 * every embedded subsegment, each a span whose parent is the document that embeds it.
 */
import { isSpanId, normalizeTraceId } from './ids';
import type { AttrValue, Attributes, DecodeError, DecodeResult, Resource, Scope, Span, SpanKind, SpanLink, SpanOrigin, XRayDetails } from './model';
import { exceptionEvents, isObject, type Json, parseCause, resourceOf, spanAttributesOf } from './xrayAttributes';

/** Where a document sits in its input, for error messages. */
export interface DocumentPlace {
  /** 1-based line where the document starts (multi-line input). */
  line?: number;
  /** Byte offset where the document starts (datagrams). */
  offset?: number;
  /** Prefix for reasons, e.g. `trace 1-... segment 54aff5735b12dd28` or `document 3`. */
  label?: string;
  /** Used when the document has no `trace_id` (BatchGetTraces documents belong to their trace). */
  fallbackTraceId?: string;
}

// Fields with a home in Span or XRayDetails; everything else is kept raw in `xray.extra`.
const KNOWN = new Set([
  'id', 'name', 'trace_id', 'parent_id', 'start_time', 'end_time', 'in_progress', 'type', 'namespace',
  'origin', 'error', 'fault', 'throttle', 'cause', 'annotations', 'metadata', 'http', 'aws', 'sql',
  'subsegments', 'inferred', 'links',
]);

const DETAIL_KEYS = ['annotations', 'metadata', 'http', 'aws', 'sql'] as const;

const MAX_SECONDS = 1e11; // year 5138: beyond that a float-seconds time is garbage, not a date

/** A (sub)segment waiting to be decoded; `up`/`index` spell its path for errors only when one occurs. */
interface Pending {
  node: unknown;
  parentSpanId: string | undefined;
  up: Pending | undefined;
  index: number;
}

/** `subsegments[2].subsegments[0]`; empty for the document itself. */
function pathOf(p: Pending | undefined): string {
  const parts: string[] = [];
  for (let cur = p; cur?.up; cur = cur.up) parts.push(`subsegments[${cur.index}]`);
  return parts.reverse().join('.');
}

/**
 * Decodes one document into `out`. Problems go to `out.errors`; a bad subsegment drops itself and
 * what it embeds, never its siblings or the segment. Never throws.
 */
export function decodeXRayDocument(doc: unknown, origin: SpanOrigin, place: DocumentPlace, out: DecodeResult): void {
  const fail = (reason: string, at?: Pending): void => {
    const where = [place.label, pathOf(at)].filter(Boolean).join(' ');
    const e: DecodeError = { source: origin.source, reason: where ? `${where}: ${reason}` : reason };
    if (place.line !== undefined) e.line = place.line;
    if (place.offset !== undefined) e.offset = place.offset;
    out.errors.push(e);
  };
  if (!isObject(doc)) {
    fail(`a segment document must be a JSON object, got ${describe(doc)}`);
    return;
  }
  const idText = typeof doc.id === 'string' ? ` (id ${doc.id})` : '';
  const rawTraceId = doc.trace_id ?? place.fallbackTraceId;
  if (typeof rawTraceId !== 'string') {
    fail(`missing trace_id${idText}`);
    return;
  }
  const traceId = normalizeTraceId(rawTraceId);
  if (!traceId) {
    fail(`trace_id ${JSON.stringify(rawTraceId)} is not an X-Ray trace id (1-<8 hex>-<24 hex>)${idText}`);
    return;
  }
  const topType: XRayDetails['type'] = doc.type === 'subsegment' ? 'subsegment' : doc.inferred === true ? 'inferred' : 'segment';
  let topParent: string | undefined;
  if (doc.parent_id !== undefined) {
    topParent = spanIdOf(doc.parent_id);
    if (!topParent) {
      fail(`parent_id ${JSON.stringify(doc.parent_id)} is not 16 hex digits${idText}`);
      return;
    }
  } else if (topType === 'subsegment') {
    fail(`a subsegment sent on its own needs parent_id${idText}`);
    return;
  }
  const topName = typeof doc.name === 'string' ? doc.name : '';
  const resource: Resource = topType === 'subsegment' ? { attributes: {} } : resourceOf(doc, topName);
  const xraySdk = isObject(doc.aws) && isObject(doc.aws.xray) ? doc.aws.xray : undefined;
  const scope: Scope = { name: typeof xraySdk?.sdk === 'string' ? xraySdk.sdk : 'aws-xray' };
  if (typeof xraySdk?.sdk_version === 'string') scope.version = xraySdk.sdk_version;

  const ctx: NodeContext = { traceId, resource, scope, origin, fail };
  // Iterative: documents from BatchGetTraces can nest deeply, and JSON already parsed is no proof of sane depth.
  const stack: Pending[] = [{ node: doc, parentSpanId: topParent, up: undefined, index: 0 }];
  while (stack.length) {
    const pending = stack.pop()!;
    const node = pending.node;
    const span = nodeToSpan(node, node === doc ? topType : 'subsegment', pending, ctx);
    if (!span) continue;
    out.spans.push(span);
    const subs = (node as Json).subsegments;
    if (Array.isArray(subs)) {
      for (let i = subs.length - 1; i >= 0; i--) {
        stack.push({ node: subs[i], parentSpanId: span.spanId, up: pending, index: i });
      }
    } else if (subs !== undefined) {
      fail(`subsegments must be an array, got ${describe(subs)}; ignored`, pending);
    }
  }
}

/** What all spans of one document share. */
interface NodeContext {
  traceId: string;
  resource: Resource;
  scope: Scope;
  origin: SpanOrigin;
  fail: (reason: string, at: Pending) => void;
}

function nodeToSpan(node: unknown, type: XRayDetails['type'], at: Pending, ctx: NodeContext): Span | undefined {
  const { traceId, resource, scope, origin } = ctx;
  const parentSpanId = at.parentSpanId;
  if (!isObject(node)) {
    ctx.fail(`a subsegment must be a JSON object, got ${describe(node)}`, at);
    return undefined;
  }
  const spanId = spanIdOf(node.id);
  if (!spanId) {
    ctx.fail(node.id === undefined ? `missing id${lostText(node)}` : `id ${JSON.stringify(node.id)} is not 16 hex digits${lostText(node)}`, at);
    return undefined;
  }
  const startS = node.start_time;
  if (typeof startS !== 'number' || !Number.isFinite(startS) || startS <= 0 || startS > MAX_SECONDS) {
    ctx.fail(`${startS === undefined ? 'missing start_time' : `start_time ${JSON.stringify(startS)} is not epoch seconds`} (id ${spanId})${lostText(node)}`, at);
    return undefined;
  }
  const startUnixUs = Math.round(startS * 1e6);
  let endUnixUs: number | undefined;
  if (node.in_progress !== true && node.end_time !== undefined) {
    const endS = node.end_time;
    if (typeof endS !== 'number' || !Number.isFinite(endS) || endS > MAX_SECONDS) {
      ctx.fail(`end_time ${JSON.stringify(endS)} is not epoch seconds (id ${spanId})${lostText(node)}`, at);
      return undefined;
    }
    endUnixUs = Math.round(endS * 1e6);
    if (endUnixUs < startUnixUs) {
      ctx.fail(`end_time ${endS} is before start_time ${startS} (id ${spanId})${lostText(node)}`, at);
      return undefined;
    }
  }
  // No end_time and no in_progress breaks the X-Ray contract; showing it as in progress loses nothing.

  const name = typeof node.name === 'string' ? node.name : '';
  const xray: XRayDetails = { type, error: node.error === true, fault: node.fault === true, throttle: node.throttle === true };
  if (typeof node.origin === 'string') xray.origin = node.origin;
  if (typeof node.namespace === 'string') xray.namespace = node.namespace;
  for (const key of DETAIL_KEYS) {
    if (isObject(node[key])) xray[key] = node[key] as Attributes;
  }
  const extra: Attributes = {};
  let statusMessage: string | undefined;
  if (node.cause !== undefined) {
    const cause = parseCause(node.cause);
    if (typeof cause === 'string') {
      ctx.fail(`${cause} (id ${spanId})`, at);
    } else {
      if (cause.workingDirectory) xray.workingDirectory = cause.workingDirectory;
      if (cause.exceptions?.length) xray.exceptions = cause.exceptions;
      if (cause.causeId) extra.cause_id = cause.causeId;
      if (cause.paths) extra.cause_paths = cause.paths;
      const first = cause.exceptions?.find((e) => e.message || e.type);
      statusMessage = first?.message || first?.type;
    }
  }
  for (const key in node) {
    if (!KNOWN.has(key)) extra[key] = node[key] as AttrValue;
  }
  if (Object.keys(extra).length) xray.extra = extra;

  const kind: SpanKind = type !== 'subsegment' ? 'server'
    : xray.namespace === 'aws' || xray.namespace === 'remote' ? 'client' : 'internal';
  const isLambdaSegment = type !== 'subsegment' && (xray.origin === 'AWS::Lambda' || xray.origin === 'AWS::Lambda::Function');
  const failed = xray.error || xray.fault;
  const span: Span = {
    traceId,
    spanId,
    name,
    kind,
    startUnixUs,
    status: failed ? (statusMessage ? { code: 'error', message: statusMessage } : { code: 'error' }) : { code: 'unset' },
    attributes: spanAttributesOf(node, name, isLambdaSegment),
    events: xray.exceptions ? exceptionEvents(xray.exceptions, endUnixUs ?? startUnixUs) : [],
    links: linksOf(node.links),
    resource,
    scope,
    origin,
    xray,
  };
  if (parentSpanId) span.parentSpanId = parentSpanId;
  if (endUnixUs !== undefined) span.endUnixUs = endUnixUs;
  return span;
}

function spanIdOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const id = v.toLowerCase();
  return isSpanId(id) ? id : undefined;
}

/** X-Ray span links (`links: [{trace_id, id, attributes}]`); malformed entries are skipped. */
function linksOf(v: unknown): SpanLink[] {
  if (!Array.isArray(v)) return [];
  const links: SpanLink[] = [];
  for (const l of v) {
    if (!isObject(l) || typeof l.trace_id !== 'string') continue;
    const traceId = normalizeTraceId(l.trace_id);
    const spanId = spanIdOf(l.id);
    if (traceId && spanId) links.push({ traceId, spanId, attributes: isObject(l.attributes) ? l.attributes as Attributes : {} });
  }
  return links;
}

/** Said only on failure: counting on every node would be quadratic in nesting depth. */
function lostText(node: Json): string {
  const dropped = countNested(node);
  return dropped ? ` (dropped with its ${dropped} nested subsegment${dropped > 1 ? 's' : ''})` : '';
}

function countNested(node: Json): number {
  let n = 0;
  const stack: unknown[] = [node];
  while (stack.length) {
    const cur = stack.pop();
    if (isObject(cur) && Array.isArray(cur.subsegments)) {
      n += cur.subsegments.length;
      stack.push(...cur.subsegments);
    }
  }
  return n;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  // Never String() an object: a document may hold {"toString": {}}, which makes String throw.
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : `${typeof v} ${String(v)}`;
}
