/**
 * Per-trace findings with the spans involved: N+1 calls (the same downstream call repeated in one
 * invocation) and broken propagation (spans whose parent never arrived, X-Ray and W3C halves of
 * one request that did not join, queue hops through SQS/SNS/EventBridge without a linked consumer).
 */
import type { AttrValue, Span, Trace } from '../model';

export type FindingKind = 'n-plus-one' | 'missing-parent' | 'split-trace' | 'unlinked-producer' | 'unlinked-consumer';

export interface Finding {
  kind: FindingKind;
  /** `warning`: likely a defect to fix; `info`: expected in some setups, said for completeness. */
  severity: 'info' | 'warning';
  traceId: string;
  /** The spans involved (for `split-trace`, spans of both traces). */
  spanIds: string[];
  message: string;
  /** The other trace of a `split-trace` finding. */
  otherTraceId?: string;
}

export interface FindingOptions {
  /** Repetitions of one downstream call in one invocation that make an N+1 finding (default 5). */
  nPlusOneThreshold?: number;
}

const str = (v: AttrValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Replaces ids in a URL path (numbers, UUIDs, hex, `ORD-1001`-like tokens) with `{id}`; drops query and fragment. */
export function urlTemplate(url: string): string {
  const noQuery = url.split(/[?#]/, 1)[0];
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(.*)$/i.exec(noQuery);
  const [origin, path] = m ? [m[1], m[2]] : ['', noQuery];
  const segs = path.split('/').map((s) => (/\d/.test(s) && /^[A-Za-z0-9._~%-]+$/.test(s) && !/^v\d+$/i.test(s) ? '{id}' : s));
  return origin + segs.join('/');
}

/** Literals in a SQL statement become `?`, so `WHERE id = 7` and `WHERE id = 8` are one call shape. */
export function statementShape(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, '?').replace(/\b\d+(?:\.\d+)?\b/g, '?').replace(/\s+/g, ' ').trim();
}

/** The shape of a downstream call, or undefined when the span is not one. */
export function downstreamCallKey(s: Span): string | undefined {
  const a = s.attributes;
  const stmt = str(a['db.query.text']) ?? str(a['db.statement']) ?? str(s.xray?.sql?.['sanitized_query']);
  if (stmt) return `${s.name} | ${statementShape(stmt)}`;
  const method = str(a['rpc.method']);
  if (method) {
    const tables = a['aws.dynamodb.table_names'];
    const target = Array.isArray(tables) ? tables.join(',') : str(a['db.namespace']) ?? str(a['aws.sqs.queue.url']) ?? '';
    return `${s.name} | ${str(a['rpc.service']) ?? ''}.${method}${target ? ` ${target}` : ''}`;
  }
  const route = str(a['url.template']) ?? str(a['http.route']);
  const url = str(a['url.full']) ?? str(a['http.url']);
  if (route || url) return `${s.name} | ${str(a['http.request.method']) ?? str(a['http.method']) ?? ''} ${route ?? urlTemplate(url as string)}`;
  const isCall = s.kind === 'client' || s.xray?.namespace === 'aws' || s.xray?.namespace === 'remote';
  return isCall ? `${s.name} |` : undefined;
}

/** `name | shape` -> the shape when it already names the call, else `name: shape`. */
function callLabel(key: string): string {
  const [name, shape] = key.split(' | ');
  const rest = (shape ?? '').trim();
  if (!rest) return name;
  return rest.includes(name) ? rest : `${name}: ${rest}`;
}

function isEntry(s: Span, present: boolean): boolean {
  return !present || s.kind === 'server' || s.kind === 'consumer' || s.xray?.type === 'segment'
    || s.attributes['faas.invocation_id'] !== undefined || s.xray?.annotations?.['ColdStart'] !== undefined;
}

/** OTLP flags bit 9: the parent span was in another process (propagated in). */
function parentIsRemote(s: Span): boolean {
  return s.flags !== undefined && (s.flags & 0x100) !== 0 && (s.flags & 0x200) !== 0;
}

const MESSAGING = /^(aws[._]?)?(sqs|sns|eventbridge|events)$/i;
const PRODUCER_OPS = new Set(['SQS.SendMessage', 'SQS.SendMessageBatch', 'SNS.Publish', 'SNS.PublishBatch', 'EventBridge.PutEvents', 'CloudWatchEvents.PutEvents']);

/** A span that hands work to SQS, SNS or EventBridge. */
export function isQueueProducer(s: Span): boolean {
  const a = s.attributes;
  const system = str(a['messaging.system']);
  if (system && MESSAGING.test(system) && (s.kind === 'producer' || s.kind === 'client')) return true;
  const op = `${str(a['rpc.service']) ?? ''}.${str(a['rpc.method']) ?? ''}`;
  return PRODUCER_OPS.has(op);
}

function describeCall(s: Span): string {
  const a = s.attributes;
  const target = str(a['messaging.destination.name']) ?? str(a['aws.sqs.queue.url']) ?? str(a['aws.sns.topic.arn']) ?? '';
  return `${s.name}${target ? ` to ${target}` : ''}`;
}

/** Findings within one trace. N+1 scopes are invocations (server/consumer/segment spans and local roots). */
export function traceFindings(trace: Trace, options: FindingOptions = {}): Finding[] {
  const threshold = options.nPlusOneThreshold ?? 5;
  const spans = trace.spans;
  const out: Finding[] = [];
  const byId = new Map<string, Span>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  // Nearest invocation scope of every span, memoised; iterative walk up.
  const scope = new Map<string, string>();
  const scopeOf = (s: Span): string => {
    const chain: Span[] = [];
    let x: Span | undefined = s;
    let found: string | undefined;
    for (let guard = 0; x && guard <= spans.length; guard++) {
      const known = scope.get(x.spanId);
      if (known) { found = known; break; }
      chain.push(x);
      const parent: Span | undefined = x.parentSpanId ? byId.get(x.parentSpanId) : undefined;
      if (isEntry(x, parent !== undefined)) { found = x.spanId; break; }
      x = parent;
    }
    const result = found ?? s.spanId;
    for (const c of chain) scope.set(c.spanId, result);
    return result;
  };
  const groups = new Map<string, { spans: Span[]; totalMs: number }>();
  const missing = new Map<string, Span[]>();
  for (const s of spans) {
    if (s.parentSpanId && !byId.has(s.parentSpanId)) {
      const list = missing.get(s.parentSpanId);
      if (list) list.push(s); else missing.set(s.parentSpanId, [s]);
    }
    const key = downstreamCallKey(s);
    if (!key) continue;
    // The call belongs to its parent's invocation, not to itself when it is a segment.
    const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    const g = `${parent ? scopeOf(parent) : s.spanId}\u0000${key}`;
    const e = groups.get(g);
    const ms = s.endUnixUs === undefined ? 0 : Math.max(0, (s.endUnixUs - s.startUnixUs) / 1000);
    if (e) { e.spans.push(s); e.totalMs += ms; } else groups.set(g, { spans: [s], totalMs: ms });
  }
  for (const [g, e] of groups) {
    if (e.spans.length < threshold) continue;
    const [scopeId, key] = g.split('\u0000');
    const entry = byId.get(scopeId);
    out.push({
      kind: 'n-plus-one', severity: 'warning', traceId: trace.traceId, spanIds: e.spans.map((s) => s.spanId),
      message: `${callLabel(key)} ran ${e.spans.length} times in one invocation${entry ? ` of ${entry.name}` : ''} (${Math.round(e.totalMs)} ms in total): batch them or fetch once`,
    });
  }
  for (const [parentId, kids] of missing) {
    const remote = kids.every(parentIsRemote);
    const lambdaFacade = kids.every((k) => k.xray?.type === 'subsegment');
    const why = remote ? 'it was propagated in from a caller whose spans are not here (not instrumented, not sampled, or exported elsewhere)'
      : lambdaFacade ? 'in Lambda the X-Ray SDK never sends the function segment (the facade); its Lambda service segments come from the X-Ray API only'
        : 'it was lost between processes or not exported yet';
    out.push({
      kind: 'missing-parent', severity: remote || lambdaFacade ? 'info' : 'warning', traceId: trace.traceId, spanIds: kids.map((k) => k.spanId),
      message: `${kids.length === 1 ? `span ${kids[0].name} points` : `${kids.length} spans point`} to parent ${parentId}, which never arrived: ${why}`,
    });
  }
  return out;
}

function requestIdsOf(s: Span): string[] {
  const a = s.attributes;
  const ids: string[] = [];
  for (const k of ['aws.request.id', 'aws.request_id', 'faas.invocation_id', 'aws.lambda.request_id']) { const v = str(a[k]); if (v) ids.push(v); }
  const x = str(s.xray?.aws?.['request_id']);
  if (x) ids.push(x);
  return ids;
}

/**
 * Findings over many traces: each trace's own findings, plus the cross-trace ones (split X-Ray/W3C
 * halves, producers without a consumer anywhere, consumers that start a trace without a link).
 */
export function findFindings(traces: readonly Trace[], options: FindingOptions = {}): Finding[] {
  const out: Finding[] = [];
  for (const t of traces) out.push(...traceFindings(t, options));
  // Split traces: one request id seen in two traces.
  const seen = new Map<string, { traceId: string; span: Span }>();
  const reported = new Set<string>();
  // Queue hops: what links or parents point at.
  const linkedTo = new Set<string>();
  const childOf = new Set<string>();
  for (const t of traces) for (const s of t.spans) {
    for (const l of s.links) linkedTo.add(`${l.traceId}/${l.spanId}`);
    if (s.parentSpanId) childOf.add(`${s.traceId}/${s.parentSpanId}`);
  }
  for (const t of traces) {
    for (const s of t.spans) {
      for (const id of requestIdsOf(s)) {
        const prev = seen.get(id);
        if (!prev) { seen.set(id, { traceId: t.traceId, span: s }); continue; }
        if (prev.traceId === t.traceId) continue;
        const pair = [prev.traceId, t.traceId].sort().join('/');
        if (reported.has(pair)) continue;
        reported.add(pair);
        const fmt = (sp: Span): string => (sp.origin.format === 'xray' ? 'X-Ray' : 'OpenTelemetry');
        out.push({
          kind: 'split-trace', severity: 'warning', traceId: prev.traceId, otherTraceId: t.traceId, spanIds: [prev.span.spanId, s.spanId],
          message: `request ${id} appears in trace ${prev.traceId} (${fmt(prev.span)}) and in trace ${t.traceId} (${fmt(s)}): the two halves of one request did not join; propagate one context (e.g. the X-Ray propagator next to tracecontext)`,
        });
      }
      const ref = `${s.traceId}/${s.spanId}`;
      if (isQueueProducer(s) && !linkedTo.has(ref) && !childOf.has(ref)) {
        out.push({
          kind: 'unlinked-producer', severity: 'warning', traceId: t.traceId, spanIds: [s.spanId],
          message: `${describeCall(s)} has no consumer span linked to it: the consumer did not continue the trace (link the message's AWSTraceHeader / traceparent), or it has not run in this window`,
        });
      }
      const system = str(s.attributes['messaging.system']);
      if (s.kind === 'consumer' && !s.parentSpanId && s.links.length === 0 && system && MESSAGING.test(system)) {
        out.push({
          kind: 'unlinked-consumer', severity: 'warning', traceId: t.traceId, spanIds: [s.spanId],
          message: `${s.name} consumed from ${system} but starts a new trace with no link to the producer`,
        });
      }
    }
  }
  return out;
}
