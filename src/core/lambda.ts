/**
 * Lambda facts read from spans of either source: which function a span ran in, where an
 * invocation starts, and whether it was a cold start.
 */
import { type AttrValue, type Span, spanDurationMs } from './model';
import { lambdaFunctionName } from './xrayAttributes';

const FUNCTION_ORIGIN = 'AWS::Lambda::Function';

function attr(span: Span, key: string): AttrValue | undefined {
  return span.attributes[key] ?? span.resource.attributes[key];
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> name; undefined otherwise. */
export function functionNameFromArn(arn: unknown): string | undefined {
  return lambdaFunctionName(arn);
}

/**
 * The Lambda function a span ran in (or, for an X-Ray `AWS::Lambda` segment, was invoked as):
 * `faas.name` on the span or its resource, the name of an X-Ray `AWS::Lambda::Function` segment,
 * or the function in a `cloud.resource_id` / `aws.lambda.invoked_arn` ARN. Undefined when the
 * spans do not say (X-Ray Lambda-mode subsegments alone carry no function name).
 */
export function functionNameOf(span: Span): string | undefined {
  const faasName = attr(span, 'faas.name');
  if (typeof faasName === 'string' && faasName) return faasName;
  if (span.xray?.origin === FUNCTION_ORIGIN && span.xray.type !== 'subsegment' && span.name) return span.name;
  return functionNameFromArn(attr(span, 'cloud.resource_id')) ?? functionNameFromArn(attr(span, 'aws.lambda.invoked_arn'));
}

function coldStartAnnotation(span: Span): boolean | undefined {
  const a = span.xray?.annotations;
  const v = a?.ColdStart ?? a?.coldStart;
  return typeof v === 'boolean' ? v : undefined;
}

/**
 * True for the span where one invocation starts: an X-Ray `AWS::Lambda::Function` segment; an
 * OpenTelemetry span carrying `faas.invocation_id`, `faas.coldstart` or `faas.trigger` (the Lambda
 * instrumentation's SERVER span); or, in X-Ray Lambda mode where the function segment is never
 * sent, the handler subsegment that carries a `ColdStart` annotation (Powertools `## handler`).
 */
export function isInvocationRoot(span: Span): boolean {
  if (span.xray) {
    if (span.xray.type === 'segment' && span.xray.origin === FUNCTION_ORIGIN) return true;
    return span.xray.type === 'subsegment' && coldStartAnnotation(span) !== undefined;
  }
  const a = span.attributes;
  return a['faas.invocation_id'] !== undefined || typeof a['faas.coldstart'] === 'boolean' || a['faas.trigger'] !== undefined;
}

function isInitialization(span: Span): boolean {
  return span.xray?.type === 'subsegment' && span.name === 'Initialization';
}

/** SnapStart's cold start: the snapshot is restored instead of initialized. */
function isRestore(span: Span): boolean {
  return span.xray?.type === 'subsegment' && span.name === 'Restore';
}

/**
 * Whether the invocation(s) these spans belong to began with a cold start: true if any signal says
 * so (`faas.coldstart`, an X-Ray `Initialization` or SnapStart `Restore` subsegment, a `ColdStart`
 * annotation), false when
 * signals exist and all say warm (including a function segment without `Initialization`),
 * undefined when the spans carry no signal at all.
 */
export function coldStartOf(spans: readonly Span[]): boolean | undefined {
  let warm = false;
  const initParents = new Set<string>();
  for (const s of spans) if ((isInitialization(s) || isRestore(s)) && s.parentSpanId) initParents.add(s.parentSpanId);
  for (const s of spans) {
    const otel = s.attributes['faas.coldstart'];
    const signal = typeof otel === 'boolean' ? otel
      : isInitialization(s) || isRestore(s) ? true
        : coldStartAnnotation(s) ?? (s.xray?.type === 'segment' && s.xray.origin === FUNCTION_ORIGIN ? initParents.has(s.spanId) : undefined);
    if (signal === true) return true;
    if (signal === false) warm = true;
  }
  return warm ? false : undefined;
}

/** Duration (ms) of the earliest X-Ray `Initialization` subsegment, undefined when there is none. */
export function initDurationMs(spans: readonly Span[]): number | undefined {
  let init: Span | undefined;
  for (const s of spans) if (isInitialization(s) && (!init || s.startUnixUs < init.startUnixUs)) init = s;
  return init ? spanDurationMs(init) : undefined;
}
