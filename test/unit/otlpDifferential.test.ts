// Differential: the same real-SDK spans, serialized by otlp-transformer to JSON and to protobuf,
// must decode to the same model; and both must match what the SDK recorded.
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { decodeOtlpProtobuf } from '../../src/core/otlpProtobuf';
import type { Span } from '../../src/core/model';
import { linkTo, sdkRecorder, serializeSpans, startSpan } from './helpers/otelSdk';

const T0 = 1795315620402.125; // Unix ms with a sub-ms part (microsecond 402125)

async function richSpans(): Promise<ReadableSpan[]> {
  const rec = sdkRecorder({
    'service.name': 'orders-api', 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda',
    'faas.max_memory': 536870912, 'aws.log.group.names': ['/aws/lambda/orders'],
  });
  const lambda = rec.tracer('@opentelemetry/instrumentation-aws-lambda', '0.75.0');
  const sdk = rec.tracer('@opentelemetry/instrumentation-aws-sdk');
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '19932ef7da6f0dea60d30a480380c5b6', spanId: '2dbb6fd2728418fd', traceFlags: 1, isRemote: true,
    traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
  });
  const root = startSpan(lambda, 'orders-api-OrdersFunction', T0, {
    kind: SpanKind.SERVER,
    attributes: {
      'faas.coldstart': true, 'faas.invocation_id': 'c0ffee00-1234-4abc-8def-0123456789ab',
      'http.response.status_code': 200, 'ratio': 0.25, 'negative': -42, 'big': 2 ** 40 + 7,
      'empty': '', 'unicode': 'Grüße, 世界 🚀', 'long': 'x'.repeat(300),
      'tags': ['a', 'b', 'ç'], 'codes': [1, 2, 3], 'weights': [0.5, 1.5], 'flags': [true, false],
    },
  }, remoteParent);
  root.addEvent('cache.miss', { key: 'ORD-1001', attempt: 2 }, T0 + 1.5);
  const get = startSpan(sdk, 'DynamoDB.GetItem', T0 + 2, {
    kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'aws.dynamodb.table_names': ['Orders'] },
  }, root);
  get.end(T0 + 74.333);
  const producer = startSpan(sdk, 'SQS.SendMessage', T0 + 75, { kind: SpanKind.PRODUCER, links: [linkTo(get, { 'link.reason': 'retry', n: 1 })] }, root);
  producer.end(T0 + 80);
  const consumer = startSpan(sdk, 'process', T0 + 81, { kind: SpanKind.CONSUMER, links: [linkTo(producer)] });
  const inner = startSpan(sdk, 'validate', T0 + 82, { kind: SpanKind.INTERNAL }, consumer);
  inner.recordException(new TypeError('bad order id'), T0 + 83);
  inner.setStatus({ code: SpanStatusCode.ERROR, message: 'validation failed: "id" ✗' });
  inner.end(T0 + 84);
  consumer.setStatus({ code: SpanStatusCode.OK });
  consumer.end(T0 + 90);
  root.setStatus({ code: SpanStatusCode.ERROR });
  root.end(T0 + 113.000789);
  const spans = rec.spans();
  await rec.shutdown();
  return spans;
}

const withoutOrigin = (spans: Span[]): Omit<Span, 'origin'>[] => spans.map(({ origin: _o, ...rest }) => rest);

describe('OTLP decoders against the real OpenTelemetry SDK and otlp-transformer', () => {
  let sdkSpans: ReadableSpan[];
  let json: Span[];
  let pb: Span[];

  before(async () => {
    sdkSpans = await richSpans();
    const body = serializeSpans(sdkSpans);
    const j = decodeOtlpJson(body.json, 'sdk.json');
    const p = decodeOtlpProtobuf(body.protobuf, 'sdk.pb');
    assert.deepEqual(j.errors, []);
    assert.deepEqual(p.errors, []);
    json = j.spans;
    pb = p.spans;
  });

  it('decodes JSON and protobuf bodies of the same spans to deep-equal models', () => {
    assert.equal(json.length, 5);
    assert.deepStrictEqual(withoutOrigin(pb), withoutOrigin(json));
    assert.deepEqual(json[0].origin, { format: 'otlp-json', source: 'sdk.json' });
    assert.deepEqual(pb[0].origin, { format: 'otlp-protobuf', source: 'sdk.pb' });
  });

  it('keeps what the SDK recorded: ids, parents, kinds, times in microseconds, attributes of every type', () => {
    for (const decoded of [json, pb]) {
      const byName = new Map(decoded.map((s) => [s.name, s]));
      for (const s of sdkSpans) {
        const d = byName.get(s.name);
        assert.ok(d, s.name);
        assert.equal(d.traceId, s.spanContext().traceId);
        assert.equal(d.spanId, s.spanContext().spanId);
        assert.equal(d.parentSpanId, s.parentSpanContext?.spanId);
        assert.equal(d.startUnixUs, s.startTime[0] * 1e6 + Math.floor(s.startTime[1] / 1000));
        assert.equal(d.endUnixUs, s.endTime[0] * 1e6 + Math.floor(s.endTime[1] / 1000));
      }
      const root = byName.get('orders-api-OrdersFunction')!;
      assert.equal(root.kind, 'server');
      assert.equal(root.startUnixUs, 1795315620402125);
      assert.equal(root.parentSpanId, '2dbb6fd2728418fd');
      assert.equal(root.flags, 0x301);
      assert.equal(root.traceState, 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
      assert.deepEqual(root.status, { code: 'error' });
      assert.deepEqual(root.attributes, {
        'faas.coldstart': true, 'faas.invocation_id': 'c0ffee00-1234-4abc-8def-0123456789ab',
        'http.response.status_code': 200, ratio: 0.25, negative: -42, big: 2 ** 40 + 7,
        empty: '', unicode: 'Grüße, 世界 🚀', long: 'x'.repeat(300),
        tags: ['a', 'b', 'ç'], codes: [1, 2, 3], weights: [0.5, 1.5], flags: [true, false],
      });
      assert.deepEqual(root.events, [{ name: 'cache.miss', timeUnixUs: 1795315620403625, attributes: { key: 'ORD-1001', attempt: 2 } }]);
      assert.deepEqual(root.resource.attributes['aws.log.group.names'], ['/aws/lambda/orders']);
      assert.equal(root.resource.attributes['faas.max_memory'], 536870912);
      assert.deepEqual(root.scope, { name: '@opentelemetry/instrumentation-aws-lambda', version: '0.75.0' });
      assert.deepEqual(byName.get('DynamoDB.GetItem')!.scope, { name: '@opentelemetry/instrumentation-aws-sdk' });
      assert.equal(byName.get('DynamoDB.GetItem')!.kind, 'client');
      assert.equal(byName.get('DynamoDB.GetItem')!.flags, 0x101);
      assert.equal(byName.get('SQS.SendMessage')!.kind, 'producer');
      assert.deepEqual(byName.get('SQS.SendMessage')!.links, [{
        traceId: root.traceId, spanId: byName.get('DynamoDB.GetItem')!.spanId,
        traceState: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7', attributes: { 'link.reason': 'retry', n: 1 },
      }]);
      const consumer = byName.get('process')!;
      assert.equal(consumer.kind, 'consumer');
      assert.equal(consumer.parentSpanId, undefined);
      assert.notEqual(consumer.traceId, root.traceId);
      assert.deepEqual(consumer.status, { code: 'ok' });
      const inner = byName.get('validate')!;
      assert.equal(inner.kind, 'internal');
      assert.deepEqual(inner.status, { code: 'error', message: 'validation failed: "id" ✗' });
      assert.equal(inner.events[0].name, 'exception');
      assert.equal(inner.events[0].attributes['exception.type'], 'TypeError');
      assert.equal(inner.events[0].attributes['exception.message'], 'bad order id');
    }
  });

  it('shares one resource object per resourceSpans and one origin per call', () => {
    for (const decoded of [json, pb]) {
      assert.ok(decoded.every((s) => s.resource === decoded[0].resource && s.origin === decoded[0].origin));
      const byScope = decoded.filter((s) => s.scope.name === '@opentelemetry/instrumentation-aws-sdk');
      assert.equal(byScope.length, 4);
      assert.ok(byScope.every((s) => s.scope === byScope[0].scope));
    }
  });
});
