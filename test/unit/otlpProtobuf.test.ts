// OTLP/protobuf decoding of the real .pb files, each against its JSON twin.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeCollectorFile } from '../../src/core/collectorFile';
import type { Span } from '../../src/core/model';
import { decodeOtlpJson } from '../../src/core/otlpJson';
import { decodeOtlpProtobuf } from '../../src/core/otlpProtobuf';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');
const pb = (rel: string) => decodeOtlpProtobuf(new Uint8Array(fs.readFileSync(path.join(CORPUS, rel))), rel);
const json = (rel: string) => decodeOtlpJson(fs.readFileSync(path.join(CORPUS, rel), 'utf8'), rel);
const withoutOrigin = (spans: Span[]): Omit<Span, 'origin'>[] => spans.map(({ origin: _o, ...rest }) => rest);

describe('decodeOtlpProtobuf on real files', () => {
  it('decodes the opentelemetry-proto binary example like its JSON twin', () => {
    const r = pb('otlp/protobuf/opentelemetry-proto/trace.protobuf-bin');
    assert.deepEqual(r.errors, []);
    assert.deepStrictEqual(withoutOrigin(r.spans), withoutOrigin(json('otlp/protobuf/opentelemetry-proto/trace.json').spans));
    assert.equal(r.spans[0].traceId, '5b8efff798038103d269b633813fc60c');
    assert.deepEqual(r.spans[0].origin, { format: 'otlp-protobuf', source: 'otlp/protobuf/opentelemetry-proto/trace.protobuf-bin' });
  });

  it('decodes otlp2parquet trace.pb like trace.json, and traces.pb (one TracesData) like traces.jsonl', () => {
    const one = pb('otlp/otlp2parquet/trace.pb');
    assert.deepEqual(one.errors, []);
    assert.deepStrictEqual(withoutOrigin(one.spans), withoutOrigin(json('otlp/otlp2parquet/trace.json').spans));
    const many = pb('otlp/otlp2parquet/traces.pb');
    assert.deepEqual(many.errors, []);
    assert.equal(many.spans.length, 19);
    assert.equal(new Set(many.spans.map((s) => s.traceId)).size, 19);
    const lines = decodeCollectorFile(fs.readFileSync(path.join(CORPUS, 'otlp/otlp2parquet/traces.jsonl'), 'utf8'), 'traces.jsonl');
    assert.deepEqual(lines.errors, []);
    assert.deepStrictEqual(withoutOrigin(many.spans), withoutOrigin(lines.spans));
    assert.deepEqual(many.spans[0].attributes, { 'rpc.system': 'grpc', 'rpc.service': 'oteldemo.Product-CatalogService', 'rpc.method': 'Get', 'rpc.grpc.status_code': 0 });
  });

  it('decodes each captured Lambda invocation (.pb) exactly like its .json twin', () => {
    for (let n = 1; n <= 6; n++) {
      const p = pb(`captured/lambda/otel-lambda-${n}.pb`);
      const j = json(`captured/lambda/otel-lambda-${n}.json`);
      assert.deepEqual(p.errors, []);
      assert.deepEqual(j.errors, []);
      assert.equal(p.spans.length, 3);
      assert.deepStrictEqual(withoutOrigin(p.spans), withoutOrigin(j.spans), `otel-lambda-${n}`);
    }
  });

  it('reads what the Lambda README states: cold starts, propagated parents, flags, the error event', () => {
    const lambdaSpan = (n: number): Span => pb(`captured/lambda/otel-lambda-${n}.pb`).spans.find((s) => s.kind === 'server')!;
    const l1 = lambdaSpan(1);
    assert.equal(l1.name, 'orders-api-OrdersFunction-9XK2L');
    assert.equal(l1.traceId, 'b41192ef1b5fae7fd4b9b6f76e3ef943');
    assert.equal(l1.parentSpanId, undefined);
    assert.equal(l1.attributes['faas.coldstart'], true);
    assert.equal(l1.flags, 257);
    assert.equal(l1.attributes['url.full'], 'https://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com:443/orders/ORD-1001?include=stock');
    assert.equal(l1.attributes['cloud.resource_id'], 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api-OrdersFunction-9XK2L');
    assert.deepEqual(l1.scope, { name: '@opentelemetry/instrumentation-aws-lambda', version: '0.75.0' });
    assert.equal(l1.startUnixUs % 1000, 0, 'start has millisecond resolution');
    const res = l1.resource.attributes;
    assert.equal(res['cloud.platform'], 'aws_lambda');
    assert.equal(res['faas.max_memory'], 536870912);
    assert.deepEqual(res['aws.log.group.names'], ['/aws/lambda/orders-api-OrdersFunction-9XK2L']);
    assert.equal(res['faas.instance'], '2026/11/22/[$LATEST]a9ddc17119864f38bc9257cc0b528047');
    assert.equal(res['process.pid'], 9879);

    const l2 = lambdaSpan(2);
    assert.equal(l2.traceId, '19932ef7da6f0dea60d30a480380c5b6');
    assert.equal(l2.parentSpanId, '2dbb6fd2728418fd');
    assert.equal(l2.flags, 769);
    assert.equal(l2.attributes['faas.coldstart'], false);

    const three = pb('captured/lambda/otel-lambda-3.pb').spans;
    const l3 = three.find((s) => s.kind === 'server')!;
    assert.deepEqual(l3.status, { code: 'error', message: 'inventory service returned 503: {"message":"inventory backend unavailable"}' });
    assert.equal(l3.events.length, 1);
    assert.equal(l3.events[0].name, 'exception');
    assert.equal(l3.events[0].attributes['exception.type'], 'InventoryUnavailableError');
    assert.match(String(l3.events[0].attributes['exception.stacktrace']), /\/var\/task\/orders\/index\.js:25:18/);
    const http = three.find((s) => s.name === 'GET')!;
    assert.equal(http.attributes['http.response.status_code'], 503);
    assert.deepEqual(http.status, { code: 'error' });
    const ddb = three.find((s) => s.name === 'DynamoDB.GetItem')!;
    assert.equal(ddb.kind, 'client');
    assert.equal(ddb.parentSpanId, l3.spanId);
    assert.deepEqual(ddb.attributes['aws.dynamodb.table_names'], ['orders-api-OrdersTable-1R8Q4SPL0WJ3T']);
    assert.equal(ddb.attributes['aws.dynamodb.consistent_read'], true);
    assert.equal(ddb.scope.name, '@opentelemetry/instrumentation-aws-sdk');

    const l5 = lambdaSpan(5);
    assert.equal(l5.traceId, '6b02583106f6cf711ec9c88e1f6cc981');
    assert.equal(l5.parentSpanId, 'b2fe7e48432a3f13');
    assert.equal(l5.attributes['faas.coldstart'], true);
    assert.equal(l5.resource.attributes['process.pid'], 10938);
    assert.equal(lambdaSpan(6).parentSpanId, 'f1803f9b42162385');
    assert.equal(lambdaSpan(6).attributes['faas.coldstart'], false);
  });

  it('decodes the captured exporter bodies; the .pb and .json hold different runs of the same three spans', () => {
    // captured/otlp/ExportTraceServiceRequest.{pb,json} were sent by two exporters in separate runs:
    // ids, times and the root name suffix ("(proto)" / "(json)") differ, everything else is equal.
    const p = pb('captured/otlp/ExportTraceServiceRequest.pb');
    const j = json('captured/otlp/ExportTraceServiceRequest.json');
    assert.deepEqual(p.errors, []);
    assert.deepEqual(j.errors, []);
    const shape = (spans: Span[]) => spans.map((s) => ({
      name: s.name.replace(/ \((proto|json)\)$/, ''), kind: s.kind, status: s.status, root: s.parentSpanId === undefined,
      attributes: s.attributes, resource: s.resource, scope: s.scope, flags: s.flags,
      events: s.events.map((e) => e.name),
    }));
    assert.deepStrictEqual(shape(p.spans), shape(j.spans));
    assert.deepEqual(p.spans.map((s) => s.name), ['DynamoDB.GetItem', 'POST', 'orders-handler (proto)']);
    assert.equal(p.spans[0].parentSpanId, p.spans[2].spanId);
    assert.equal(p.spans[2].resource.attributes['faas.name'], 'orders-handler');
  });
});
