import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { coldStartOf, functionNameFromArn, functionNameOf, initDurationMs, isInvocationRoot } from '../../src/core/lambda';
import type { Span } from '../../src/core/model';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { buildTraceTree, groupByTrace, mergeSpans } from '../../src/core/trace';
import { decodeXRay } from '../../src/core/xray';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const read = (rel: string) => fs.readFileSync(path.join(corpus, rel), 'utf8');

/** The 20 datagrams of one capture, decoded one by one and merged like the store does. */
function lambdaCapture(prefix: 'powertools' | 'python-lambda'): Map<string, Span[]> {
  let spans: Span[] = [];
  for (let i = 1; i <= 20; i++) spans = mergeSpans(spans, decodeXRay(read(`captured/lambda/${prefix}-${i}.txt`), `${prefix}-${i}`).spans);
  return groupByTrace(spans);
}

describe('Lambda facts from X-Ray and OTel spans', () => {
  it('Powertools: each invocation is one tree under the handler subsegment; cold start only on the first', () => {
    const traces = [...lambdaCapture('powertools').values()];
    assert.equal(traces.length, 4);
    const tree = buildTraceTree(traces[0]);
    assert.deepEqual(tree.rows.map((r) => `${'  '.repeat(r.depth)}${r.span.name}`), [
      '## index.handler', '  ### loadOrder', '    DynamoDB', '  ### checkInventory', '    127.0.0.1',
    ]);
    assert.deepEqual(tree.orphans.map((s) => s.parentSpanId), ['438ed60183432a1d']);
    assert.deepEqual(traces.map((t) => coldStartOf(t)), [true, false, false, false]);
    assert.deepEqual(traces.map((t) => t.filter(isInvocationRoot).map((s) => s.name)), Array(4).fill(['## index.handler']));
    // Lambda mode never sends the function segment, so no span names the function.
    assert.deepEqual(traces.flat().map(functionNameOf).filter(Boolean), []);
  });

  it('Python SDK: ColdStart annotation on lambda_handler, true on the first invocation only', () => {
    const traces = [...lambdaCapture('python-lambda').values()];
    assert.deepEqual(traces.map((t) => coldStartOf(t)), [true, false, false, false]);
    const tree = buildTraceTree(traces[2]);
    assert.deepEqual(tree.rows.map((r) => [r.depth, r.span.name, r.span.status.code]), [
      [0, 'lambda_handler', 'error'], [1, 'load_order', 'unset'], [2, 'dynamodb', 'unset'],
      [1, 'check_inventory', 'error'], [2, '127.0.0.1', 'error'],
    ]);
  });

  it('X-Ray function segment: name, invocation root, Initialization means cold, its duration', () => {
    const spans = decodeXRay(read('captured/moto-BatchGetTraces-response.json'), 'moto').spans;
    const [service, fn] = spans;
    assert.equal(functionNameOf(fn), 'orders-handler');
    assert.equal(functionNameOf(service), 'orders-handler'); // from the AWS::Lambda segment's resource_arn
    assert.deepEqual(spans.filter(isInvocationRoot).map((s) => s.spanId), ['920f5a7c666579c4']);
    assert.equal(coldStartOf(spans), true);
    assert.equal(initDurationMs(spans), 245);
    assert.deepEqual(fn.xray?.annotations?.coldStart, true); // this capture also annotates it
    const warm = spans.filter((s) => s.name !== 'Initialization').map((s) => ({ ...s, xray: { ...s.xray!, annotations: undefined } }));
    assert.equal(coldStartOf(warm), false, 'a function segment without Initialization is a warm start');
    assert.equal(initDurationMs(warm), undefined);
    assert.equal(coldStartOf(decodeXRay(read('xray/otel-collector-contrib/ddbSample.txt'), 'd').spans), undefined);
    // SnapStart: the function segment has Restore instead of Initialization.
    const snap = warm.map((s) => (s.name === 'Overhead' ? { ...s, name: 'Restore' } : s));
    assert.equal(coldStartOf(snap), true);
    assert.equal(initDurationMs(snap), undefined);
  });

  it('OTel Lambda instrumentation: faas.coldstart, faas.name on the resource, cloud.resource_id', () => {
    const runs = [1, 2, 3, 4, 5, 6].map((i) => decodeOtlpJson(read(`captured/lambda/otel-lambda-${i}.json`), `otel-${i}`).spans);
    assert.deepEqual(runs.map((s) => coldStartOf(s)), [true, false, false, false, true, false]);
    for (const spans of runs) {
      assert.deepEqual(spans.filter(isInvocationRoot).map((s) => s.kind), ['server']);
      assert.deepEqual([...new Set(spans.map(functionNameOf))], ['orders-api-OrdersFunction-9XK2L']);
    }
    const root = runs[0].find(isInvocationRoot)!;
    const bare: Span = { ...root, attributes: { 'cloud.resource_id': root.attributes['cloud.resource_id'] }, resource: { attributes: {} } };
    assert.equal(functionNameOf(bare), 'orders-api-OrdersFunction-9XK2L');
  });

  it('function names from ARNs, with or without a qualifier; other ARNs are not functions', () => {
    assert.equal(functionNameFromArn('arn:aws:lambda:eu-west-1:123456789012:function:orders:live'), 'orders');
    assert.equal(functionNameFromArn('arn:aws:lambda:eu-west-1:123456789012:function:orders'), 'orders');
    assert.equal(functionNameFromArn('arn:aws:dynamodb:eu-west-1:123456789012:table/Orders'), undefined);
    assert.equal(functionNameFromArn('arn:aws:lambda:eu-west-1:123456789012:layer:x:3'), undefined);
    assert.equal(functionNameFromArn('chicken'), undefined);
  });
});

// aws-otel-test-framework's expected shape of a real Lambda trace: regexes, no ids or times. Fill
// in ids and times, decode, and check that everything the validator compares survives decoding.
describe('X-Ray Lambda trace shape (aws-otel-test-framework partial expectation)', () => {
  type Shape = Record<string, unknown> & { subsegments?: Shape[] };
  const expected = JSON.parse(read('xray/partial-expected/aws-otel-test-framework/lambdaExpectedTrace.mustache')) as Shape[];
  const concrete = (re: string) => re.replace(/\.\*/g, 'fn').replace(/\\(.)/g, '$1');
  let next = 1;
  const newId = () => (next++).toString(16).padStart(16, '0');

  /** Regex values made literal (`\\.` -> `.`, `.*` -> `fn`), deeply. */
  function literal(v: unknown): unknown {
    if (typeof v === 'string') return concrete(v);
    if (Array.isArray(v) || !v || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literal(x)]));
  }

  function materialize(shape: Shape, extra: Record<string, unknown>): Record<string, unknown> {
    const doc: Record<string, unknown> = { ...(literal(shape) as Record<string, unknown>), ...extra, id: newId(), start_time: 1700000000 + next / 100, end_time: 1700000001 };
    doc.name ??= String(shape.origin);
    if (shape.subsegments) doc.subsegments = shape.subsegments.map((s) => materialize(s, {}));
    return doc;
  }

  function matches(want: unknown, got: unknown): boolean {
    if (typeof want === 'string') return typeof got === 'string' && new RegExp(`^(?:${want})$`).test(got);
    if (want && typeof want === 'object') {
      return !!got && typeof got === 'object' && Object.entries(want).every(([k, v]) => matches(v, (got as Record<string, unknown>)[k]));
    }
    return want === got;
  }

  /** The decoded span seen as the validator sees a segment. */
  function asShape(span: Span, children: ReadonlyMap<string, readonly Span[]>): Record<string, unknown> {
    const x = span.xray!;
    return {
      name: span.name, origin: x.origin, namespace: x.namespace, http: x.http, aws: x.aws,
      inferred: x.type === 'inferred' ? true : undefined,
      subsegments: (children.get(span.spanId) ?? []).map((c) => asShape(c, children)),
    };
  }

  it('every expected segment matches exactly one decoded segment', () => {
    const traceId = '1-6b025824-3050f64fc7eae9a18ddc71d2';
    const docs = expected.map((shape) => materialize(shape, { trace_id: traceId }));
    // Link them as the service does: stage > Lambda call > AWS::Lambda > function > handler > calls.
    const [stage, service, fn, http, s3] = docs;
    const handler = (fn.subsegments as Record<string, unknown>[])[0].subsegments as Record<string, unknown>[];
    service.parent_id = (stage.subsegments as Record<string, unknown>[])[0].id;
    fn.parent_id = service.id;
    http.parent_id = handler[0].id;
    s3.parent_id = handler[0].id;
    const resp = { Traces: [{ Id: traceId, Segments: docs.map((d) => ({ Id: d.id, Document: JSON.stringify(d) })) }] };
    const r = decodeXRay(JSON.stringify(resp), 'shape');
    assert.deepEqual(r.errors, []);
    const tree = buildTraceTree(r.spans);
    assert.deepEqual(tree.roots.map((s) => s.xray?.origin), ['AWS::ApiGateway::Stage']);
    const segments = r.spans.filter((s) => s.xray?.type !== 'subsegment');
    for (const want of expected) {
      const hits = segments.filter((s) => matches(want, asShape(s, tree.children)));
      assert.equal(hits.length, 1, JSON.stringify(want).slice(0, 80));
    }
    const fnSpan = segments.find((s) => s.xray?.origin === 'AWS::Lambda::Function')!;
    assert.equal(functionNameOf(fnSpan), 'serverlessrepo-aot-py38-sar-function-fn');
    assert.equal(isInvocationRoot(fnSpan), true);
    assert.equal(coldStartOf(r.spans), false);
    const s3Span = segments.find((s) => s.name === 'S3')!;
    assert.deepEqual([s3Span.xray?.type, s3Span.attributes['rpc.service'], s3Span.attributes['rpc.method']], ['inferred', 'S3', 'ListBuckets']);
    const get = segments.find((s) => s.name === 'HTTP GET')!;
    assert.deepEqual([get.attributes['http.request.method'], get.attributes['url.full']], ['GET', 'http://httpbin.org/']);
  });
});
