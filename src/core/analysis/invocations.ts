/**
 * Lambda invocations found in traces: the one record per invocation that aggregates, cost and
 * advice work from. Three shapes are recognised:
 *  - an X-Ray `AWS::Lambda::Function` segment (with `Initialization` / `Restore` subsegments);
 *  - an OpenTelemetry entry span of a Lambda resource (`faas.*` attributes, the aws-lambda
 *    instrumentation's SERVER span, or a local root of a `cloud.platform=aws_lambda` resource);
 *  - an X-Ray SDK Lambda-mode handler subsegment whose facade parent never arrives
 *    (`## handler` from Powertools, or one carrying a `ColdStart` annotation).
 * An `AWS::Lambda` segment flagged `throttle` with no function segment is a throttled request.
 */
import type { AttrValue, Span, Trace } from '../model';
import { functionNameOf as lambdaFunctionName } from '../lambda';
import { coldStartFacts } from './coldStarts';

export type Architecture = 'x86_64' | 'arm64';

/** One Lambda invocation (or throttled request). Times in Unix µs, durations in ms. */
export interface Invocation {
  functionName: string;
  /** `faas.version` or the qualifier of the function ARN (`$LATEST`, `7`, an alias); undefined when unknown. */
  version?: string;
  traceId: string;
  /** The span that stands for the invocation. */
  spanId: string;
  startUnixUs: number;
  /** Undefined while the span is in progress (and for throttled requests). */
  durationMs?: number;
  /** X-Ray `error` (a 4xx-style client error). */
  error: boolean;
  /** X-Ray `fault`, or OTel status ERROR: the function failed. */
  fault: boolean;
  /** The request was throttled and never ran. */
  throttle: boolean;
  coldStart: boolean;
  initDurationMs?: number;
  restoreDurationMs?: number;
  /** Configured memory from `faas.max_memory` (bytes) when present. */
  memoryMb?: number;
  /** Peak memory used, when a span carries it. */
  maxMemoryUsedMb?: number;
  region?: string;
  architecture?: Architecture;
  /** Which rule recognised it: `xray-function`, `otel`, `xray-handler`, `xray-throttle`. */
  evidence: 'xray-function' | 'otel' | 'xray-handler' | 'xray-throttle';
}

function str(v: AttrValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** `arn:aws:lambda:<region>:<acct>:function:<name>[:<qualifier>]` -> its parts; undefined if not one. */
export function parseLambdaArn(arn: string): { region: string; functionName: string; qualifier?: string } | undefined {
  const m = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/.exec(arn);
  return m ? { region: m[1], functionName: m[2], ...(m[3] ? { qualifier: m[3] } : {}) } : undefined;
}

function arnOf(span: Span): string | undefined {
  const a = span.attributes, r = span.resource.attributes, x = span.xray;
  return str(a['aws.lambda.invoked_arn']) ?? str(a['cloud.resource_id']) ?? str(r['cloud.resource_id'])
    ?? str(x?.aws?.['function_arn']) ?? str(x?.extra?.['resource_arn']) ?? str(a['aws.xray.resource_arn']);
}

function architectureOf(span: Span): Architecture | undefined {
  const v = str(span.resource.attributes['host.arch']) ?? str(span.attributes['host.arch']);
  if (!v) return undefined;
  if (/^(arm64|aarch64|arm)$/i.test(v)) return 'arm64';
  if (/^(amd64|x86_64|x86|x64)$/i.test(v)) return 'x86_64';
  return undefined;
}

/** `faas.max_memory` is bytes in current conventions; small values are taken as MB (older detectors). */
function memoryMbOf(span: Span): number | undefined {
  const v = num(span.resource.attributes['faas.max_memory']) ?? num(span.attributes['faas.max_memory']);
  if (v === undefined || v <= 0) return undefined;
  return v >= 1 << 20 ? v / (1 << 20) : v;
}

function usedMemoryMbOf(span: Span): number | undefined {
  const a = span.attributes;
  const mb = num(a['aws.lambda.max_memory_used_mb']) ?? num(a['faas.max_memory_used_mb']);
  if (mb !== undefined) return mb;
  const bytes = num(a['faas.max_memory_used']);
  return bytes !== undefined ? bytes / (1 << 20) : undefined;
}

function isLambdaResource(span: Span): boolean {
  const r = span.resource.attributes;
  return r['cloud.platform'] === 'aws_lambda' || str(r['faas.name']) !== undefined;
}

function isOtelEntry(span: Span, byId: Map<string, Span>): boolean {
  if (span.xray) return false;
  const a = span.attributes;
  if (a['faas.invocation_id'] !== undefined || a['faas.coldstart'] !== undefined) return true;
  if (span.scope.name === '@opentelemetry/instrumentation-aws-lambda') return true;
  if (!isLambdaResource(span)) return false;
  const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
  return !parent || parent.resource.attributes['faas.name'] !== span.resource.attributes['faas.name'];
}

function isXrayHandler(span: Span, byId: Map<string, Span>): boolean {
  const x = span.xray;
  if (!x || x.type !== 'subsegment' || !span.parentSpanId || byId.has(span.parentSpanId)) return false;
  return span.name.startsWith('## ') || (x.annotations !== undefined && 'ColdStart' in x.annotations);
}

/** Lambda invocations of one trace (or any span list), in span order. Never throws. */
export function extractInvocations(trace: Trace | readonly Span[]): Invocation[] {
  const spans: readonly Span[] = Array.isArray(trace) ? trace : (trace as Trace).spans;
  const byId = new Map<string, Span>();
  const children = new Map<string, Span[]>();
  for (const s of spans) {
    if (!byId.has(s.spanId)) byId.set(s.spanId, s);
    if (s.parentSpanId) {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s); else children.set(s.parentSpanId, [s]);
    }
  }
  const out: Invocation[] = [];
  const functionSegments = new Set<string>();
  for (const s of spans) if (s.xray?.origin === 'AWS::Lambda::Function') functionSegments.add(s.name);

  for (const s of spans) {
    let evidence: Invocation['evidence'] | undefined;
    if (s.xray?.origin === 'AWS::Lambda::Function' && s.xray.type !== 'subsegment') evidence = 'xray-function';
    else if (s.xray?.origin === 'AWS::Lambda' && s.xray.throttle && !functionSegments.has(s.name)) evidence = 'xray-throttle';
    else if (isOtelEntry(s, byId)) evidence = 'otel';
    else if (isXrayHandler(s, byId)) evidence = 'xray-handler';
    if (!evidence) continue;
    out.push(toInvocation(s, evidence, children.get(s.spanId) ?? []));
  }
  return out.length > 1 ? mergeDuplicates(out, byId) : out;
}

/**
 * One invocation seen by both sources (an X-Ray function segment and the OTel span under it, or two
 * spans with the same `faas.invocation_id`) is one invocation: the first record is kept (X-Ray's
 * function segment knows INIT) and filled in from the other.
 */
function mergeDuplicates(list: Invocation[], byId: Map<string, Span>): Invocation[] {
  const bySpan = new Map<string, Invocation>();
  const byRequest = new Map<string, Invocation>();
  for (const v of list) bySpan.set(v.spanId, v);
  const out: Invocation[] = [];
  for (const v of list) {
    const span = byId.get(v.spanId);
    const parent = span?.parentSpanId ? bySpan.get(span.parentSpanId) : undefined;
    const reqId = span ? str(span.attributes['faas.invocation_id']) : undefined;
    let twin = parent && parent !== v && parent.evidence === 'xray-function' && v.evidence !== 'xray-function' && !v.throttle ? parent : undefined;
    if (!twin && reqId) twin = byRequest.get(`${v.functionName}\u0000${reqId}`);
    if (reqId && !twin) byRequest.set(`${v.functionName}\u0000${reqId}`, v);
    if (!twin) { out.push(v); continue; }
    twin.coldStart ||= v.coldStart;
    twin.error ||= v.error;
    twin.fault ||= v.fault;
    twin.initDurationMs ??= v.initDurationMs;
    twin.restoreDurationMs ??= v.restoreDurationMs;
    twin.memoryMb ??= v.memoryMb;
    twin.maxMemoryUsedMb ??= v.maxMemoryUsedMb;
    twin.version ??= v.version;
    twin.region ??= v.region;
    twin.architecture ??= v.architecture;
    if (twin.durationMs === undefined && v.durationMs !== undefined) twin.durationMs = v.durationMs;
    bySpan.set(v.spanId, twin);
  }
  return out;
}

function functionNameOf(span: Span, evidence: Invocation['evidence'], arn: ReturnType<typeof parseLambdaArn>): string {
  if (evidence === 'xray-function' || evidence === 'xray-throttle') return span.name;
  const r = span.resource.attributes;
  // The same rule the store's trace summaries use, so `--function` and the FUNCTIONS column agree.
  const named = lambdaFunctionName(span) ?? arn?.functionName;
  if (named) return named;
  if (evidence === 'xray-handler') return span.name.startsWith('## ') ? span.name.slice(3) : span.name;
  return str(r['service.name']) ?? span.name;
}

/**
 * An X-Ray function segment spans INIT + invoke + overhead; its `Invocation` subsegment is the
 * handler's own time, which is what OTel's entry span measures, so percentiles compare like with like.
 */
function invokeDurationMs(s: Span, evidence: Invocation['evidence'], kids: readonly Span[], initMs: number | undefined): number {
  const whole = Math.max(0, ((s.endUnixUs as number) - s.startUnixUs) / 1000);
  if (evidence !== 'xray-function') return whole;
  const inv = kids.find((k) => k.name === 'Invocation' && k.endUnixUs !== undefined);
  if (inv) return Math.max(0, ((inv.endUnixUs as number) - inv.startUnixUs) / 1000);
  return Math.max(0, whole - (initMs ?? 0));
}

function toInvocation(s: Span, evidence: Invocation['evidence'], kids: readonly Span[]): Invocation {
  const arn = (() => { const a = arnOf(s); return a ? parseLambdaArn(a) : undefined; })();
  const version = str(s.resource.attributes['faas.version']) ?? str(s.attributes['faas.version']) ?? arn?.qualifier;
  const throttle = evidence === 'xray-throttle';
  const facts = throttle ? { coldStart: false } : coldStartFacts(s, kids);
  const failed = s.status.code === 'error';
  const memoryMb = memoryMbOf(s);
  const usedMb = usedMemoryMbOf(s);
  const region = str(s.resource.attributes['cloud.region']) ?? arn?.region ?? str(s.xray?.aws?.['region']);
  const architecture = architectureOf(s);
  return {
    functionName: functionNameOf(s, evidence, arn),
    ...(version ? { version } : {}),
    traceId: s.traceId,
    spanId: s.spanId,
    startUnixUs: s.startUnixUs,
    ...(!throttle && s.endUnixUs !== undefined ? { durationMs: invokeDurationMs(s, evidence, kids, facts.initDurationMs) } : {}),
    error: s.xray ? s.xray.error : false,
    fault: s.xray ? s.xray.fault || (failed && !s.xray.error) : failed,
    throttle,
    ...facts,
    ...(memoryMb !== undefined ? { memoryMb } : {}),
    ...(usedMb !== undefined ? { maxMemoryUsedMb: usedMb } : {}),
    ...(region ? { region } : {}),
    ...(architecture ? { architecture } : {}),
    evidence,
  };
}

/**
 * The function (trace name) of each span by span id: that of its nearest ancestor that is an invocation of
 * `invocations` (the invocations of this trace), else the trace's only function, else undefined. Iterative,
 * memoized along each parent chain, safe on parent cycles.
 */
export function functionBySpan(trace: Trace, invocations: readonly Invocation[]): Map<string, string | undefined> {
  const entry = new Map<string, string>();
  for (const v of invocations) entry.set(v.spanId, v.functionName);
  const names = new Set(entry.values());
  const only = names.size === 1 ? [...names][0] : undefined;
  const byId = new Map<string, Span>();
  for (const s of trace.spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const out = new Map<string, string | undefined>();
  for (const s of trace.spans) {
    const chain: string[] = [];
    let x: Span | undefined = s, found: string | undefined;
    for (let guard = 0; x && guard <= trace.spans.length; guard++) {
      if (out.has(x.spanId)) { found = out.get(x.spanId); break; }
      chain.push(x.spanId);
      const n = entry.get(x.spanId);
      if (n) { found = n; break; }
      x = x.parentSpanId ? byId.get(x.parentSpanId) : undefined;
    }
    for (const c of chain) out.set(c, found ?? only);
  }
  return out;
}
